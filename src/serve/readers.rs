//! The store handles serve's database routes read through. On PostgreSQL a handle is a
//! connection (a server process and a few milliseconds to set up): the handles of
//! finished requests are kept for the next ones, at most as many as may read at once
//! (`serve.store_readers`). On SQLite a read-only open is cheap and starts from the
//! file as it is now, so nothing is kept.

use std::ops::Deref;
use std::sync::Mutex;
use std::time::Duration;

use crate::store::{Location, Store};

/// The idle PostgreSQL handles of one server.
pub(crate) struct Readers {
    idle: Mutex<Vec<Store>>,
    keep: usize,
}

impl Readers {
    /// Keeps at most `keep` idle handles.
    pub(crate) fn new(keep: usize) -> Readers {
        Readers {
            idle: Mutex::new(Vec::new()),
            keep,
        }
    }

    /// A handle on the store at `at`: an idle PostgreSQL one when there is one, else a
    /// new one (`Location::open_read_waiting`).
    pub(crate) fn open(&self, at: &Location, busy: Duration) -> crate::store::Result<Reader<'_>> {
        if at.postgres_config().is_some() {
            let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            if let Some(store) = kept {
                return Ok(Reader {
                    store: Some(store),
                    readers: self,
                });
            }
        }
        Ok(Reader {
            store: Some(at.open_read_waiting(busy)?),
            readers: self,
        })
    }

    /// How many idle handles are kept now.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A store handle for one request; a PostgreSQL one goes back to [`Readers`] when
/// dropped, unless its connection is gone.
pub(crate) struct Reader<'a> {
    store: Option<Store>,
    readers: &'a Readers,
}

impl Deref for Reader<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
            .as_ref()
            .expect("a reader holds its store until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        if !store.is_postgres() || store.is_closed() {
            return;
        }
        let mut idle = self.readers.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.readers.keep {
            idle.push(store);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL handles are reused: a second request opens no new connection (the
    /// server sees the same backend), and no more than `keep` are kept.
    #[test]
    fn postgres_handles_are_kept_for_the_next_request() {
        let Some(db) = crate::store::tests::PgTestDb::create() else {
            return;
        };
        let at = Location::Postgres(Box::new(db.config.clone()));
        drop(at.open().unwrap());
        let readers = Readers::new(2);
        let pid = |r: &Reader<'_>| -> i64 {
            r.db()
                .query_one(
                    "SELECT CAST(pg_backend_pid() AS BIGINT)",
                    crate::store::db::params![],
                    |row| row.get(0),
                )
                .unwrap()
        };
        let busy = Duration::from_secs(1);
        let first = pid(&readers.open(&at, busy).unwrap());
        assert_eq!(readers.idle(), 1);
        assert_eq!(pid(&readers.open(&at, busy).unwrap()), first);
        // Three at once: three connections, two kept.
        let (a, b, c) = (
            readers.open(&at, busy).unwrap(),
            readers.open(&at, busy).unwrap(),
            readers.open(&at, busy).unwrap(),
        );
        let mut pids = vec![pid(&a), pid(&b), pid(&c)];
        pids.sort();
        pids.dedup();
        assert_eq!(pids.len(), 3);
        drop((a, b, c));
        assert_eq!(readers.idle(), 2);
    }

    /// A SQLite store is opened anew each time (it is cheap, and sees the file as it is).
    #[test]
    fn sqlite_handles_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("optctl.db");
        drop(Store::open(&path).unwrap());
        let readers = Readers::new(2);
        let at = Location::Sqlite(path);
        drop(readers.open(&at, Duration::from_secs(1)).unwrap());
        assert_eq!(readers.idle(), 0);
    }
}
