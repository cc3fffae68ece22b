//! `Home`: a temporary data home, config dir and clock for one test.

pub mod day_trading;
pub mod servers;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The fixed "now" of every test: Monday 2026-11-23 10:00 New York.
pub const NOW: &str = "2026-11-23T15:00:00Z";

pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// The data home (`$OPTCTL_HOME`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Where the default config file lives for this test.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("xdg-config/optctl/config.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.home().join("optctl.db")
    }

    /// Writes the config file at the default location.
    pub fn write_config(&self, toml: &str) {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, toml).unwrap();
    }

    /// An `optctl` command with this home, no colour, and the fixed clock.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::from_std(self.std_cmd(args))
    }

    /// The same as [`Home::cmd`] as a plain `std` command, for processes a test starts
    /// and talks to while they run (`optctl serve`).
    pub fn std_cmd<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_optctl"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("OPTCTL_") || k == "RUST_LOG" {
                c.env_remove(k);
            }
        }
        c.env("OPTCTL_HOME", self.home())
            .env("OPTCTL_NOW", NOW)
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .args(args);
        c
    }

    /// Runs a command that must succeed and print one JSON document.
    pub fn json<I, S>(&self, args: I) -> serde_json::Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = self.cmd(args).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        parse_json(&out)
    }

    /// Opens the database for assertions.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db_path()).unwrap()
    }

    /// One integer from SQL.
    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

pub fn parse_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

/// Status, stdout and stderr of a finished command, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
