//! `optctl config`: show the effective configuration, or write a commented one.

use std::path::PathBuf;

use super::{Ctx, Outcome};

/// Show or create the configuration file.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the effective configuration (file merged over defaults) as TOML, or JSON with --json.
    Show,
    /// Write a commented configuration file with every default.
    Init {
        /// Where to write it (default: the config path in use).
        #[arg(long, value_name = "FILE")]
        path: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match cmd {
        Command::Show => {
            let cfg = ctx.config()?;
            if ctx.out.is_json() {
                ctx.out.json(&cfg)?;
            } else {
                let text = toml::to_string_pretty(&cfg)
                    .map_err(|e| optctl::Error::Failed(format!("cannot render config: {e}")))?;
                ctx.out.line(&format!(
                    "# effective config (file: {})",
                    ctx.config_path.display()
                ))?;
                ctx.out.line(text.trim_end())?;
            }
        }
        Command::Init { path, force } => {
            let path = path.unwrap_or_else(|| ctx.config_path.clone());
            if path.exists() && !force {
                return Err(optctl::Error::Usage(format!(
                    "{} already exists; pass --force to overwrite it",
                    path.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| optctl::Error::io(dir, e))?;
            }
            std::fs::write(&path, optctl::config::TEMPLATE)
                .map_err(|e| optctl::Error::io(&path, e))?;
            if ctx.out.is_json() {
                ctx.out.json(&serde_json::json!({"written": path}))?;
            } else {
                ctx.out.note(&format!("wrote {}", path.display()));
            }
        }
    }
    Ok(Outcome::Done)
}
