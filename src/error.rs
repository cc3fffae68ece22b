//! `optctl::Error`: every area's error in one type that knows its exit code.
//!
//! Exit codes (DESIGN.md §6): 0 success, 1 failure, 2 bad usage or bad input,
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
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::BadInput(_) | Error::Config(_) | Error::Excel(_) => 2,
            Error::Serve(e) if e.is_usage() => 2,
            Error::Locked { .. } => 75,
            _ => 1,
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
