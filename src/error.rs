//! `optctl::Error`: every area's error in one type that knows its exit code.
//!
//! Exit codes (README, "Exit codes"): 0 success, 1 failure, 2 bad usage or bad input,
//! 3 partial success (returned as an `Outcome`, not an error), 75 locked by another run.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error optctl reports to the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or argument combination that cannot work.
    #[error("{0}")]
    Usage(String),
    /// Input that was read but is unusable (a file, a row, a field).
    #[error("{0}")]
    BadInput(String),
    /// Another run of the same job holds the lock: nothing was done.
    #[error("another `optctl {job}` is running (lock {}); nothing done", .path.display())]
    Locked { job: String, path: PathBuf },
    /// Every item of a run failed.
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error(transparent)]
    Provider(#[from] crate::provider::Error),
    /// A call refused or abandoned by retry, breaker, rate limiter or bulkhead.
    #[error(transparent)]
    Resilience(#[from] crate::resilience::Error),
    /// An unusable workbook (missing, mid-save, no such sheet, a required column missing).
    #[error(transparent)]
    Excel(#[from] crate::excel::Error),
    #[error(transparent)]
    Serve(#[from] crate::serve::Error),
    /// The process itself could not do its work: the async runtime did not start, a
    /// worker panicked. Not the user's input, not the data: exit 1.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The error and its causes on one line, outermost first: `cannot open database
/// /x/optctl.db: unable to open database file`. Each layer's message says only its own
/// part, so nothing is said twice.
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Locked { .. } => 75,
            e if e.is_bad_input() => 2,
            _ => 1,
        }
    }

    /// Bad usage or unusable input (flags, config, a file, a workbook): fixing the input
    /// is what helps, not trying again.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Usage(_) | Error::BadInput(_) | Error::Config(_) | Error::Excel(_) => true,
            Error::Serve(e) => e.is_usage(),
            _ => false,
        }
    }

    /// A store error anywhere in this error that is SQLite's busy timeout becomes
    /// [`crate::store::Error::Busy`] naming the database at `db`: the message then says
    /// which file is locked, whichever layer met the lock.
    ///
    /// Likewise SQLite's "database or disk is full" met by any layer becomes
    /// [`crate::store::Error::DiskFull`]: "the disk holding <db> is full".
    pub fn naming_the_lock(self, db: &std::path::Path) -> Error {
        if self.busy_store().is_some_and(crate::store::Error::is_busy) {
            return Error::Store(crate::store::Error::Busy {
                path: db.to_path_buf(),
            });
        }
        if self
            .busy_store()
            .is_some_and(|e| e.is_disk_full() && !matches!(e, crate::store::Error::DiskFull { .. }))
        {
            return Error::Store(crate::store::Error::DiskFull {
                path: db.to_path_buf(),
            });
        }
        self
    }

    fn busy_store(&self) -> Option<&crate::store::Error> {
        match self {
            Error::Store(e) => Some(e),
            Error::Resilience(crate::resilience::Error::Store(e)) => Some(e),
            _ => None,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
