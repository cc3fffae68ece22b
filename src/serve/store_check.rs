//! The store's health as `/health` reports it: `PRAGMA quick_check` run in the
//! background when the server starts and every [`INTERVAL`] after, never per request
//! (it reads the whole file). A damaged page makes the data routes that read it answer
//! 500; this is where `/health` learns of it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::Location;

/// How often the store is checked.
pub(crate) const INTERVAL: Duration = Duration::from_secs(300);

/// The last check's result.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Checked {
    /// `true` when SQLite found nothing wrong, `false` when it found damage, `null`
    /// before the first check and while there is no database to check.
    pub(crate) ok: Option<bool>,
    pub(crate) checked_at: Option<DateTime<Utc>>,
    /// What SQLite said when not ok (or why the check could not run).
    pub(crate) message: Option<String>,
}

/// The store check shared by the checking thread and `/health`.
pub(crate) struct StoreCheck {
    db: Location,
    last: Mutex<Checked>,
}

impl StoreCheck {
    pub(crate) fn new(db: Location) -> StoreCheck {
        StoreCheck {
            db,
            last: Mutex::new(Checked::default()),
        }
    }

    /// The last result.
    pub(crate) fn last(&self) -> Checked {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Checks now and keeps the result.
    pub(crate) fn check(&self) {
        let result = if !self.db.exists() {
            Checked::default()
        } else {
            let found = self.db.open_read().and_then(|s| s.quick_check());
            let (ok, message) = match found {
                Ok(problems) if problems.is_empty() => (Some(true), None),
                Ok(problems) => (Some(false), Some(problems.join("; "))),
                // SQLite can fail the check itself on a damaged page.
                Err(e) if e.is_corrupt() => (Some(false), Some(e.with_causes())),
                // Not a verdict on the file (locked, unreadable): `store` says so.
                Err(e) => (None, Some(e.with_causes())),
            };
            Checked {
                ok,
                checked_at: Some(Utc::now()),
                message,
            }
        };
        if result.ok == Some(false) {
            tracing::warn!(
                "store check: {} is damaged: {}",
                self.db,
                result.message.as_deref().unwrap_or("")
            );
        }
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = result;
    }

    /// Checks at once, then every [`INTERVAL`], until `stop` is set.
    pub(crate) fn run(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            self.check();
            let next = Instant::now() + INTERVAL;
            while Instant::now() < next && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
