//! [`Home`]: the data home and its layout, spelled in one place.
//!
//! ```text
//! <home>/optctl.db          the store (SQLite, WAL)
//! <home>/exports/           the JSON files `export` writes and `serve` reads
//! <home>/exports/archive/   timestamped copies of earlier exports
//! <home>/locks/             one lock file per job (cron overlap protection)
//! <home>/excel/             where process-excel looks for the workbooks by default
//! ```
//!
//! Resolved from `--home`, else `$OPTCTL_HOME`, else `$XDG_DATA_HOME/optctl`, else
//! `~/.local/share/optctl`; never the working directory, which cron does not keep.

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A data home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
    /// Where the store is: `<root>/optctl.db` unless the run named a PostgreSQL database.
    store: crate::store::Location,
}

impl Home {
    /// The data home at `root`, its store the SQLite file in it.
    pub fn new(root: impl Into<PathBuf>) -> Home {
        let root = root.into();
        let store = crate::store::Location::Sqlite(root.join("optctl.db"));
        Home { root, store }
    }

    /// This home with its store elsewhere (a PostgreSQL database).
    pub fn with_store(mut self, store: crate::store::Location) -> Home {
        self.store = store;
        self
    }

    /// Where the store is; every command opens it through this.
    pub fn store(&self) -> &crate::store::Location {
        &self.store
    }

    /// An explicit folder (`--home`, `$OPTCTL_HOME`), else `$XDG_DATA_HOME/optctl`, else
    /// `$HOME/.local/share/optctl`.
    pub fn resolve(explicit: Option<&Path>) -> crate::Result<Home> {
        if let Some(p) = explicit {
            return Ok(Home::new(p));
        }
        xdg_dir("XDG_DATA_HOME", ".local/share").map(|d| Home::new(d.join("optctl")))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite file of the store (used when [`Home::store`] is SQLite).
    pub fn db(&self) -> PathBuf {
        self.root.join("optctl.db")
    }

    /// The export files.
    pub fn exports(&self) -> PathBuf {
        self.root.join("exports")
    }

    /// The job locks.
    pub fn locks(&self) -> PathBuf {
        self.root.join("locks")
    }

    /// The default folder of the broker workbooks.
    pub fn excel(&self) -> PathBuf {
        self.root.join("excel")
    }

    /// Creates the folder when it does not exist.
    pub fn create(&self) -> crate::Result<()> {
        std::fs::create_dir_all(&self.root).map_err(|e| crate::Error::io(&self.root, e))
    }
}

/// A home is a path: `home.join(relative)` resolves a relative path of the config.
impl Deref for Home {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.root
    }
}

impl AsRef<Path> for Home {
    fn as_ref(&self) -> &Path {
        &self.root
    }
}

/// `$VAR` when it is an absolute path, else `$HOME/fallback`.
pub fn xdg_dir(var: &str, fallback: &str) -> crate::Result<PathBuf> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        if p.is_absolute() {
            return Ok(p);
        }
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(fallback)),
        None => Err(crate::Error::Usage(format!(
            "cannot find a home for optctl: HOME and {var} are unset; pass --home DIR or set OPTCTL_HOME"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_hangs_off_the_root() {
        let h = Home::new("/data/optctl");
        assert_eq!(h.db(), Path::new("/data/optctl/optctl.db"));
        assert_eq!(h.exports(), Path::new("/data/optctl/exports"));
        assert_eq!(h.locks(), Path::new("/data/optctl/locks"));
        assert_eq!(h.excel(), Path::new("/data/optctl/excel"));
        assert_eq!(h.join("x.txt"), Path::new("/data/optctl/x.txt"));
    }
}
