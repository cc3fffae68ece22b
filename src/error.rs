//! `optctl::Error`: every area's error in one type that knows its exit code.
//!
//! A leaf: it imports nothing of the crate. Each area turns its own error into
//! [`Error::Area`] with the [`Kind`] that decides the exit code, next to its error type,
//! so the arrows run from the areas down to here.
//!
//! Exit codes (README, "Exit codes"): 0 success, 1 failure, 2 bad usage or bad input,
//! 3 partial success (returned as an `Outcome`, not an error), 75 locked by another run.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What an area's error means for the exit code and the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad usage or unusable input (a config file, a workbook): exit 2.
    BadInput,
    /// The work failed: exit 1.
    Failure,
    /// SQLite's busy timeout ran out: exit 1, and main names the locked database.
    Busy,
    /// SQLite could not write for want of space, not yet said with the path: exit 1, and
    /// main names the database whose disk is full.
    DiskFull,
}

impl Error {
    /// `err` of an area, meaning `kind`.
    pub fn area(kind: Kind, err: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Area(AreaError {
            kind,
            inner: Box::new(err),
        })
    }
}

/// An area's error as it is: its message and its causes, with its [`Kind`].
#[derive(Debug)]
pub struct AreaError {
    pub kind: Kind,
    inner: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl std::fmt::Display for AreaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for AreaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

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
    /// An area's own error (config, store, provider, resilience, workbook, serve): its
    /// message and causes unchanged, and what it means for the exit code. Each area
    /// converts its error into this one (`impl From<area::Error> for crate::Error` next
    /// to the area's error), so this leaf knows no area.
    #[error(transparent)]
    Area(AreaError),
    /// A database whose write lock another process held past the busy timeout.
    #[error(
        "database {} is locked: another process held its write lock past the busy timeout; nothing was half-written, run again",
        .path.display()
    )]
    DatabaseLocked { path: PathBuf },
    /// The file system holding the database has no space left.
    #[error("the disk holding {} is full", .path.display())]
    DiskFull { path: PathBuf },
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
            Error::Usage(_) | Error::BadInput(_) => true,
            Error::Area(a) => a.kind == Kind::BadInput,
            _ => false,
        }
    }

    /// An error that met SQLite's busy timeout, in whichever layer (the store, the
    /// persisted limiter, the guard), becomes [`Error::DatabaseLocked`] naming the
    /// database at `db`; one that met a full disk becomes [`Error::DiskFull`] ("the disk
    /// holding <db> is full").
    pub fn naming_the_lock(self, db: &std::path::Path) -> Error {
        match self {
            Error::Area(a) if a.kind == Kind::Busy => Error::DatabaseLocked {
                path: db.to_path_buf(),
            },
            Error::Area(a) if a.kind == Kind::DiskFull => Error::DiskFull {
                path: db.to_path_buf(),
            },
            other => other,
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
