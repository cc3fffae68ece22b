//! Job locks: one run of a job at a time per data home (cron overlap protection).
//!
//! An exclusive OS lock on `<home>/locks/<job>.lock`. The kernel drops it when the
//! process exits for any reason, SIGKILL included, so a crashed run never leaves a stale
//! lock behind. A second run finds it held and stops with exit code 75.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::home::Home;

/// A held job lock; released on drop.
#[derive(Debug)]
pub struct JobLock {
    _file: File,
    path: PathBuf,
}

impl JobLock {
    /// Takes the lock for `job` in `home`, or fails at once with [`Error::Locked`].
    pub fn acquire(home: &Home, job: &str) -> Result<JobLock, Error> {
        let dir = home.locks();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(format!("{job}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(JobLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(Error::Locked {
                job: job.to_string(),
                path,
            }),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let first = JobLock::acquire(&Home::new(dir.path()), "scan").unwrap();
        let err = JobLock::acquire(&Home::new(dir.path()), "scan").unwrap_err();
        assert_eq!(err.exit_code(), 75);
        assert!(err.to_string().contains("another `optctl scan` is running"));
        // Other jobs are independent.
        JobLock::acquire(&Home::new(dir.path()), "export").unwrap();
        drop(first);
        JobLock::acquire(&Home::new(dir.path()), "scan").unwrap();
    }
}
