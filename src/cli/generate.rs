//! `optctl generate` (hidden): shell completions and man pages from the clap definition,
//! checked in under completions/ and man/ and kept current by a test.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Ctx, Outcome};

/// Generate completions and man pages.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write shell completions (bash, zsh, fish, elvish, powershell) into DIR.
    Completions {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write man pages (optctl.1, optctl-scan.1, ...) into DIR.
    Man {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write both, into DIR/completions and DIR/man.
    All {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// systemd units: serve, process-excel --watch, and timers for scan, export, enrich.
    ///
    /// ExecStart names this optctl by its absolute path, with --home (and --config when
    /// one was named). Printed on stdout, or written into DIR with --out.
    Systemd {
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match cmd {
        Command::Completions { out } => completions(&out)?,
        Command::Man { out } => man(&out)?,
        Command::All { out } => {
            completions(&out.join("completions"))?;
            man(&out.join("man"))?;
        }
        Command::Systemd { out } => systemd(ctx, out.as_deref())?,
    }
    Ok(Outcome::Done)
}

fn completions(dir: &Path) -> optctl::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| optctl::Error::io(dir, e))?;
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        clap_complete::generate_to(shell, &mut Cli::command(), "optctl", dir)
            .map_err(|e| optctl::Error::io(dir, e))?;
    }
    Ok(())
}

fn man(dir: &Path) -> optctl::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| optctl::Error::io(dir, e))?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(|e| optctl::Error::io(dir, e))
}

fn systemd(ctx: &Ctx, out: Option<&Path>) -> optctl::Result<()> {
    let units = super::unattended::systemd_units(&super::unattended::Invocation::from_ctx(ctx));
    match out {
        None => {
            for u in &units {
                ctx.out.line(&format!("# {}\n{}", u.name, u.text))?;
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| optctl::Error::io(dir, e))?;
            for u in &units {
                let p = dir.join(&u.name);
                std::fs::write(&p, &u.text).map_err(|e| optctl::Error::io(&p, e))?;
            }
        }
    }
    Ok(())
}
