//! Resilience state that outlives a process: circuit breakers (`breakers`, and the call
//! outcomes of their sliding window in `breaker_calls`) and token buckets (`rate_limits`).
//! The state machines live in the resilience layer above; this module only reads and writes rows,
//! each change in one `BEGIN IMMEDIATE` transaction so concurrent processes never
//! interleave a read-modify-write. On PostgreSQL each change holds an advisory lock on
//! its row's name for the transaction ([`Conn::lock`]), so every host shares one quota
//! and one breaker: ten hosts never spend ten quotas.
//!
//! Times are Unix milliseconds in these tables (see migration 3).

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::ops::{Deref, DerefMut};

use super::db::{Conn, Row, params, upsert_sql};
use super::{Result, Store};

/// Where a circuit breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through; outcomes are counted in the sliding window.
    Closed,
    /// Calls are refused until `open_until`.
    Open,
    /// A few trial calls are let through to see whether the provider recovered.
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "closed" => BreakerState::Closed,
            "open" => BreakerState::Open,
            "half_open" => BreakerState::HalfOpen,
            other => {
                return Err(super::Error::Corrupt {
                    table: "breakers",
                    column: "state",
                    detail: other.to_string(),
                });
            }
        })
    }
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One breaker's persisted state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakerRow {
    pub name: String,
    pub state: BreakerState,
    /// When the state last changed.
    pub changed_at: DateTime<Utc>,
    /// While open: when the breaker lets trial calls through.
    pub open_until: Option<DateTime<Utc>>,
    /// Trial calls let through since the breaker went half-open.
    pub trials_admitted: u32,
    /// Trial calls that succeeded since the breaker went half-open.
    pub trial_successes: u32,
    /// How many times the breaker has opened, ever.
    pub times_opened: u64,
    pub last_failure: Option<String>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

impl BreakerRow {
    /// A breaker that has never seen a call: closed since `at`.
    pub fn closed(name: &str, at: DateTime<Utc>) -> Self {
        BreakerRow {
            name: name.to_string(),
            state: BreakerState::Closed,
            changed_at: at,
            open_until: None,
            trials_admitted: 0,
            trial_successes: 0,
            times_opened: 0,
            last_failure: None,
            last_failure_at: None,
        }
    }

    /// A row of [`BREAKER_COLUMNS`], in that order.
    fn from_row(r: &Row<'_, '_>) -> Result<Self> {
        let state: String = r.get(1)?;
        Ok(BreakerRow {
            name: r.get(0)?,
            state: BreakerState::parse(&state)?,
            changed_at: from_ms(r.get(2)?, "breakers", "changed_at_ms")?,
            open_until: r
                .get::<Option<i64>>(3)?
                .map(|v| from_ms(v, "breakers", "open_until_ms"))
                .transpose()?,
            trials_admitted: count_u32(r.get(4)?, "trials_admitted")?,
            trial_successes: count_u32(r.get(5)?, "trial_successes")?,
            times_opened: r.get::<i64>(6)?.max(0) as u64,
            last_failure: r.get(7)?,
            last_failure_at: r
                .get::<Option<i64>>(8)?
                .map(|v| from_ms(v, "breakers", "last_failure_ms"))
                .transpose()?,
        })
    }
}

/// Calls and failures in a breaker's sliding window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WindowStats {
    pub calls: u64,
    pub failures: u64,
}

impl WindowStats {
    /// Failures over calls; 0 with no calls.
    pub fn failure_rate(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.failures as f64 / self.calls as f64
        }
    }
}

/// A breaker inside its transaction: change `row`, log calls, read the window.
/// `row` is written back when the closure returns `Ok`.
pub struct BreakerTx<'a> {
    conn: Conn<'a>,
    pub row: BreakerRow,
}

impl BreakerTx<'_> {
    /// Calls logged at or after `from`.
    pub fn window(&self, from: DateTime<Utc>) -> Result<WindowStats> {
        let (calls, failures): (i64, i64) = self.conn.query_one(
            "SELECT count(*), count(*) FILTER (WHERE ok = 0) FROM breaker_calls
             WHERE name = ?1 AND at_ms >= ?2",
            params![&self.row.name, ms(from)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(WindowStats {
            calls: calls.max(0) as u64,
            failures: failures.max(0) as u64,
        })
    }

    /// When the latest logged call was made (None: no call logged).
    pub fn latest_call(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = self.conn.query_one(
            "SELECT max(at_ms) FROM breaker_calls WHERE name = ?1",
            params![&self.row.name],
            |r| r.get(0),
        )?;
        at.map(|v| from_ms(v, "breaker_calls", "at_ms")).transpose()
    }

    /// Logs one call outcome.
    pub fn log_call(&self, at: DateTime<Utc>, ok: bool) -> Result<()> {
        self.conn.execute(
            "INSERT INTO breaker_calls (name, at_ms, ok) VALUES (?1, ?2, ?3)",
            params![&self.row.name, ms(at), ok],
        )?;
        Ok(())
    }

    /// Deletes logged calls older than `before` (out of the window, or before a reset).
    pub fn forget_calls_before(&self, before: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "DELETE FROM breaker_calls WHERE name = ?1 AND at_ms < ?2",
            params![&self.row.name, ms(before)],
        )?;
        Ok(())
    }
}

/// One token bucket's persisted state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimiterRow {
    pub name: String,
    /// Tokens in the bucket at `updated` (fractions accrue between calls).
    pub tokens: f64,
    /// The instant `tokens` was computed for.
    pub updated: DateTime<Utc>,
    /// Nothing is granted before this (a provider's Retry-After).
    pub blocked_until: Option<DateTime<Utc>>,
    /// Tokens granted, ever.
    pub granted: u64,
    /// Requests that were told to wait, ever.
    pub waits: u64,
}

impl LimiterRow {
    /// A row of [`LIMITER_COLUMNS`], in that order.
    fn from_row(r: &Row<'_, '_>) -> Result<Self> {
        Ok(LimiterRow {
            name: r.get(0)?,
            tokens: r.get(1)?,
            updated: from_ms(r.get(2)?, "rate_limits", "updated_ms")?,
            blocked_until: r
                .get::<Option<i64>>(3)?
                .map(|v| from_ms(v, "rate_limits", "blocked_until_ms"))
                .transpose()?,
            granted: r.get::<i64>(4)?.max(0) as u64,
            waits: r.get::<i64>(5)?.max(0) as u64,
        })
    }
}

const BREAKER_COLUMNS: &str = "name, state, changed_at_ms, open_until_ms, trials_admitted, \
     trial_successes, times_opened, last_failure, last_failure_ms";
const LIMITER_COLUMNS: &str = "name, tokens, updated_ms, blocked_until_ms, granted, waits";

/// The columns of [`BREAKER_COLUMNS`] and [`LIMITER_COLUMNS`], for their upserts.
fn columns(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).collect()
}

/// The `resilience` family: `Store::resilience()` reads, `Store::resilience_mut()` also writes.
pub struct Resilience<S>(pub(super) S);

impl<S: Deref<Target = Store>> Resilience<S> {
    /// Every breaker that has seen a call, by name.
    pub fn list_breakers(&self) -> Result<Vec<BreakerRow>> {
        self.0.db().query(
            &format!("SELECT {BREAKER_COLUMNS} FROM breakers ORDER BY name"),
            params![],
            BreakerRow::from_row,
        )
    }

    /// Calls logged for breaker `name` at or after `from`.
    pub fn breaker_window(&self, name: &str, from: DateTime<Utc>) -> Result<WindowStats> {
        BreakerTx {
            conn: self.0.db(),
            row: BreakerRow::closed(name, from),
        }
        .window(from)
    }

    /// Every bucket that has been used, by name.
    pub fn list_limiters(&self) -> Result<Vec<LimiterRow>> {
        self.0.db().query(
            &format!("SELECT {LIMITER_COLUMNS} FROM rate_limits ORDER BY name"),
            params![],
            LimiterRow::from_row,
        )
    }
}

impl<S: DerefMut<Target = Store>> Resilience<S> {
    /// Reads breaker `name` (closed since `now` when it has no row yet), lets `f` change it
    /// and log calls, and writes it back, all in one `BEGIN IMMEDIATE` transaction.
    pub fn breaker_transaction<T>(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut BreakerTx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.0.transaction(|tx| {
            tx.lock(&format!("breakers:{name}"))?;
            let row = tx
                .query_opt(
                    &format!("SELECT {BREAKER_COLUMNS} FROM breakers WHERE name = ?1"),
                    params![name],
                    BreakerRow::from_row,
                )?
                .unwrap_or_else(|| BreakerRow::closed(name, now));
            let mut btx = BreakerTx { conn: tx, row };
            let out = f(&mut btx)?;
            let r = &btx.row;
            tx.execute(
                &upsert_sql("breakers", &columns(BREAKER_COLUMNS), &["name"]),
                params![
                    name,
                    r.state.as_str(),
                    ms(r.changed_at),
                    r.open_until.map(ms),
                    r.trials_admitted,
                    r.trial_successes,
                    r.times_opened as i64,
                    &r.last_failure,
                    r.last_failure_at.map(ms),
                ],
            )?;
            Ok(out)
        })
    }

    /// Reads bucket `name` (None when it has never been used), lets `f` compute its new
    /// state, and writes that back, in one `BEGIN IMMEDIATE` transaction: two processes
    /// taking tokens at once are serialised, so together they never take more than the
    /// bucket holds.
    pub fn limiter_transaction<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(Option<LimiterRow>) -> (LimiterRow, T),
    ) -> Result<T> {
        self.0.transaction(|tx| {
            tx.lock(&format!("rate_limits:{name}"))?;
            let row = tx.query_opt(
                &format!("SELECT {LIMITER_COLUMNS} FROM rate_limits WHERE name = ?1"),
                params![name],
                LimiterRow::from_row,
            )?;
            let (new, out) = f(row);
            tx.execute(
                &upsert_sql("rate_limits", &columns(LIMITER_COLUMNS), &["name"]),
                params![
                    name,
                    new.tokens,
                    ms(new.updated),
                    new.blocked_until.map(ms),
                    new.granted as i64,
                    new.waits as i64,
                ],
            )?;
            Ok(out)
        })
    }
}

fn count_u32(v: i64, column: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| super::Error::Corrupt {
        table: "breakers",
        column,
        detail: format!("{v} is not a count"),
    })
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64, table: &'static str, column: &'static str) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| super::Error::Corrupt {
        table,
        column,
        detail: format!("{v} is not a time in milliseconds"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 1, 30, 0).unwrap()
    }

    #[test]
    fn breaker_rows_round_trip_and_the_window_counts_calls() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            breaker_rows_round_trip_and_the_window_counts_calls_on(&mut store);
        }
    }

    fn breaker_rows_round_trip_and_the_window_counts_calls_on(store: &mut Store) {
        let t = t0();
        store
            .resilience_mut()
            .breaker_transaction("sim", t, |b| {
                assert_eq!(b.row.state, BreakerState::Closed);
                b.log_call(t, true)?;
                b.log_call(t + Duration::milliseconds(1500), false)?;
                b.log_call(t + Duration::seconds(3), false)?;
                b.row.state = BreakerState::Open;
                b.row.open_until = Some(t + Duration::seconds(60));
                b.row.times_opened = 1;
                b.row.last_failure = Some("boom".into());
                b.row.last_failure_at = Some(t + Duration::seconds(3));
                Ok(())
            })
            .unwrap();
        let rows = store.resilience().list_breakers().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, BreakerState::Open);
        assert_eq!(rows[0].open_until, Some(t + Duration::seconds(60)));
        assert_eq!(rows[0].last_failure.as_deref(), Some("boom"));
        let all = store.resilience().breaker_window("sim", t).unwrap();
        assert_eq!((all.calls, all.failures), (3, 2));
        let later = store
            .resilience()
            .breaker_window("sim", t + Duration::seconds(1))
            .unwrap();
        assert_eq!((later.calls, later.failures), (2, 2));
        assert_eq!(
            store.resilience().breaker_window("other", t).unwrap().calls,
            0
        );
        store
            .resilience_mut()
            .breaker_transaction("sim", t, |b| {
                b.forget_calls_before(t + Duration::seconds(2))
            })
            .unwrap();
        assert_eq!(
            store.resilience().breaker_window("sim", t).unwrap().calls,
            1
        );
    }

    #[test]
    fn a_failed_closure_changes_nothing() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            a_failed_closure_changes_nothing_on(&mut store);
        }
    }

    fn a_failed_closure_changes_nothing_on(store: &mut Store) {
        let t = t0();
        let err = store
            .resilience_mut()
            .breaker_transaction("sim", t, |b| {
                b.log_call(t, false)?;
                b.row.state = BreakerState::Open;
                Err::<(), _>(super::super::Error::Corrupt {
                    table: "x",
                    column: "y",
                    detail: "z".into(),
                })
            })
            .unwrap_err();
        assert!(err.to_string().contains("corrupt"), "{err}");
        assert!(store.resilience().list_breakers().unwrap().is_empty());
        assert_eq!(
            store.resilience().breaker_window("sim", t).unwrap().calls,
            0
        );
    }

    #[test]
    fn limiter_rows_round_trip() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            limiter_rows_round_trip_on(&mut store);
        }
    }

    fn limiter_rows_round_trip_on(store: &mut Store) {
        let t = t0() + Duration::milliseconds(123);
        let seen = store
            .resilience_mut()
            .limiter_transaction("yahoo", |row| {
                let seen = row.is_some();
                (
                    LimiterRow {
                        name: "yahoo".into(),
                        tokens: 2.5,
                        updated: t,
                        blocked_until: Some(t + Duration::seconds(2)),
                        granted: 7,
                        waits: 1,
                    },
                    seen,
                )
            })
            .unwrap();
        assert!(!seen);
        let back = store
            .resilience_mut()
            .limiter_transaction("yahoo", |row| {
                let row = row.unwrap();
                (row.clone(), row)
            })
            .unwrap();
        assert_eq!(back.tokens, 2.5);
        assert_eq!(back.updated, t);
        assert_eq!(back.blocked_until, Some(t + Duration::seconds(2)));
        assert_eq!(store.resilience().list_limiters().unwrap(), vec![back]);
    }
}
