//! Job locks: one run of a job at a time per data home (cron overlap protection).
//!
//! An exclusive OS lock on `<home>/locks/<job>.lock`. The kernel drops it when the
//! process exits for any reason, SIGKILL included, so a crashed run never leaves a stale
//! lock behind. A second run finds it held and stops with exit code 75.
//!
//! On a PostgreSQL store, hosts with data homes of their own share one database, so the
//! job also takes a session advisory lock there, on a connection held for the job's
//! life: the same job on two hosts cannot overlap either, and the server drops the lock
//! when the connection ends, however the process ended.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::home::Home;

/// A held job lock; released on drop.
#[derive(Debug)]
pub struct JobLock {
    _file: File,
    path: PathBuf,
    /// The connection holding the job's advisory lock, on a PostgreSQL store.
    _server: Option<ServerLock>,
}

/// A connection holding a session advisory lock; dropping it closes the connection,
/// which releases the lock.
struct ServerLock {
    _client: postgres::Client,
}

impl std::fmt::Debug for ServerLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerLock")
    }
}

/// The first key of the job locks' advisory locks (optctl's `application_id`, "OPTC");
/// the second is the hash of the job's name. Two-key advisory locks never collide with
/// the one-key ones the store takes inside transactions.
const SERVER_LOCK_SPACE: i32 = 0x4f50_5443;

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
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    job: job.to_string(),
                    path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let server = match home.store().postgres_config() {
            Some(config) => Some(server_lock(config, job)?),
            None => None,
        };
        Ok(JobLock {
            _file: file,
            path,
            _server: server,
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes `job`'s session advisory lock in the PostgreSQL database `config` names, on a
/// connection of its own, or fails at once with [`Error::Locked`].
fn server_lock(config: &postgres::Config, job: &str) -> Result<ServerLock, Error> {
    let described = crate::store::location::describe(config);
    let mut client =
        crate::store::location::connect(config).map_err(|source| crate::store::Error::PgOpen {
            target: described.clone(),
            source,
        })?;
    let taken: bool = client
        .query_one(
            "SELECT pg_try_advisory_lock($1, hashtext($2))",
            &[&SERVER_LOCK_SPACE, &job],
        )
        .map_err(crate::store::Error::Postgres)?
        .get(0);
    if !taken {
        return Err(Error::Locked {
            job: job.to_string(),
            path: PathBuf::from(format!("{described}, advisory lock \"{job}\"")),
        });
    }
    Ok(ServerLock { _client: client })
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

    /// Two data homes on one PostgreSQL database (two hosts): the job's second run is
    /// refused while the first holds the lock, whatever home it runs from.
    #[test]
    fn the_same_job_from_two_homes_on_one_postgres_database_cannot_overlap() {
        let Some(db) = crate::store::tests::PgTestDb::create() else {
            return;
        };
        let at = crate::store::Location::Postgres(Box::new(db.config.clone()));
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let home_a = Home::new(a.path()).with_store(at.clone());
        let home_b = Home::new(b.path()).with_store(at);
        let first = JobLock::acquire(&home_a, "enrich").unwrap();
        let err = JobLock::acquire(&home_b, "enrich").unwrap_err();
        assert_eq!(err.exit_code(), 75, "{err}");
        assert!(
            err.to_string().contains("advisory lock \"enrich\""),
            "{err}"
        );
        JobLock::acquire(&home_b, "scan").unwrap();
        drop(first);
        JobLock::acquire(&home_b, "enrich").unwrap();
    }
}
