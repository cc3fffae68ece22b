//! What serve's control routes share with the jobs they steer: the audit log of control
//! requests (`control_audit`) and the workbook loop's state (`excel_loop`): the paused
//! flag and interval that `process-excel --watch` reads every tick, a refresh asked for,
//! and the heartbeat the loop writes back. The workbooks' own tables are in `excel`.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::db::params;
use super::{Result, Store, parse_ts, ts};

/// One control request as audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The client's address.
    pub client: String,
    /// Which token it showed (`control` or `serve`, with a fingerprint, never the token).
    pub token_id: String,
    pub method: String,
    /// The path and query asked for.
    pub route: String,
    /// The request body (JSON text, `{}` when there was none).
    pub request: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The answer's body, or its start.
    pub result: String,
}

/// What to audit.
#[derive(Debug, Clone)]
pub struct AuditWrite<'a> {
    pub at: DateTime<Utc>,
    pub client: &'a str,
    pub token_id: &'a str,
    pub method: &'a str,
    pub route: &'a str,
    pub request: &'a str,
    pub status: u16,
    pub result: &'a str,
}

/// The workbook loop as stored: what the control routes set, and its heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoopRow {
    /// Stopped over HTTP: a running `--watch` loop stays idle until started again.
    pub paused: bool,
    /// Seconds between ticks set over HTTP; None: the loop's `--interval`.
    pub interval_seconds: Option<u64>,
    /// When `paused` or `interval_seconds` last changed.
    pub changed_at: Option<DateTime<Utc>>,
    /// A forced run asked for and not yet done by the loop.
    pub refresh_requested_at: Option<DateTime<Utc>>,
    /// The loop's process, while it runs.
    pub pid: Option<u32>,
    pub started_at: Option<DateTime<Utc>>,
    /// The interval the loop last ticked with, seconds.
    pub beat_interval: Option<u64>,
    /// The loop's last tick (on its clock, which `--as-of` moves).
    pub last_tick_at: Option<DateTime<Utc>>,
    /// The last tick's error, if it failed.
    pub last_error: Option<String>,
    /// Set when the loop stopped cleanly (Ctrl-C, SIGTERM).
    pub stopped_at: Option<DateTime<Utc>>,
}

/// A heartbeat of the loop.
#[derive(Debug, Clone)]
pub struct Beat<'a> {
    pub pid: u32,
    pub started_at: DateTime<Utc>,
    pub interval: u64,
    pub at: DateTime<Utc>,
    pub error: Option<&'a str>,
}

/// The control family's handle (see [`Store::control`]).
pub struct Control<S>(pub(super) S);

fn opt_time(v: Option<String>, column: &'static str) -> Result<Option<DateTime<Utc>>> {
    v.map(|s| parse_ts(&s, "excel_loop", column)).transpose()
}

impl<S: Deref<Target = Store>> Control<S> {
    /// Whether the tables exist (a database older than this optctl, opened read-only,
    /// has none).
    pub fn has_tables(&self) -> Result<bool> {
        self.0.db().has_table("excel_loop")
    }

    /// The workbook loop's row; the default (running, flag interval, no heartbeat)
    /// when nothing was stored yet or the tables do not exist.
    pub fn workbook_loop(&self) -> Result<LoopRow> {
        if !self.has_tables()? {
            return Ok(LoopRow::default());
        }
        let row = self.0.db().query_opt(
            "SELECT paused, interval_seconds, changed_at, refresh_requested_at, pid,
                    started_at, beat_interval, last_tick_at, last_error, stopped_at
             FROM excel_loop WHERE id = 1",
            params![],
            |r| {
                Ok((
                    r.get::<i64>(0)? != 0,
                    r.get::<Option<i64>>(1)?,
                    r.get::<Option<String>>(2)?,
                    r.get::<Option<String>>(3)?,
                    r.get::<Option<i64>>(4)?,
                    r.get::<Option<String>>(5)?,
                    r.get::<Option<i64>>(6)?,
                    r.get::<Option<String>>(7)?,
                    r.get::<Option<String>>(8)?,
                    r.get::<Option<String>>(9)?,
                ))
            },
        )?;
        let Some(r) = row else {
            return Ok(LoopRow::default());
        };
        Ok(LoopRow {
            paused: r.0,
            interval_seconds: r.1.map(|v| v as u64),
            changed_at: opt_time(r.2, "changed_at")?,
            refresh_requested_at: opt_time(r.3, "refresh_requested_at")?,
            pid: r.4.map(|v| v as u32),
            started_at: opt_time(r.5, "started_at")?,
            beat_interval: r.6.map(|v| v as u64),
            last_tick_at: opt_time(r.7, "last_tick_at")?,
            last_error: r.8,
            stopped_at: opt_time(r.9, "stopped_at")?,
        })
    }

    /// The newest `limit` audited control requests, newest first.
    pub fn list_audit(&self, limit: u64) -> Result<Vec<AuditRow>> {
        if !self.has_tables()? {
            return Ok(Vec::new());
        }
        self.0.db().query(
            "SELECT id, at, client, token_id, method, route, request, status, result
             FROM control_audit ORDER BY id DESC LIMIT ?1",
            params![limit.min(i64::MAX as u64) as i64],
            |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: parse_ts(&r.get::<String>(1)?, "control_audit", "at")?,
                    client: r.get(2)?,
                    token_id: r.get(3)?,
                    method: r.get(4)?,
                    route: r.get(5)?,
                    request: r.get(6)?,
                    status: r.get::<i64>(7)? as u16,
                    result: r.get(8)?,
                })
            },
        )
    }
}

impl<S: DerefMut<Target = Store>> Control<S> {
    /// Records one control request.
    pub fn record_audit(&mut self, a: &AuditWrite<'_>) -> Result<i64> {
        self.0.transaction(|tx| {
            tx.insert_id(
                "INSERT INTO control_audit (at, client, token_id, method, route, request, status, result)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    ts(a.at),
                    a.client,
                    a.token_id,
                    a.method,
                    a.route,
                    a.request,
                    u32::from(a.status),
                    a.result
                ],
            )
        })
    }

    /// Deletes the audit rows older than `before`, in bounded batches.
    pub fn prune_audit(&mut self, before: DateTime<Utc>) -> Result<super::PruneStats> {
        let cut = ts(before);
        self.0
            .prune_in_batches(super::PRUNE_BATCH_ROWS, super::PRUNE_PAUSE, |tx, limit| {
                tx.execute(
                    "DELETE FROM control_audit WHERE id IN
                         (SELECT id FROM control_audit WHERE at < ?1 ORDER BY id LIMIT ?2)",
                    params![&cut, limit as i64],
                )
            })
    }

    /// Stops (`paused`) or starts the workbook loop.
    pub fn set_loop_paused(&mut self, paused: bool, now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                "INSERT INTO excel_loop (id, paused, changed_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET paused = ?1, changed_at = ?2",
                params![paused, ts(now)],
            )?;
            Ok(())
        })
    }

    /// Sets the seconds between the loop's ticks.
    pub fn set_loop_interval(&mut self, seconds: u64, now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                "INSERT INTO excel_loop (id, interval_seconds, changed_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET interval_seconds = ?1, changed_at = ?2",
                params![seconds as i64, ts(now)],
            )?;
            Ok(())
        })
    }

    /// Asks the running loop for one forced run at its next tick.
    pub fn request_refresh(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                "INSERT INTO excel_loop (id, refresh_requested_at) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET refresh_requested_at = ?1",
                params![ts(now)],
            )?;
            Ok(())
        })
    }

    /// Takes a pending refresh request: true (and clears it) when there was one.
    pub fn take_refresh(&mut self) -> Result<bool> {
        self.0.transaction(|tx| {
            let n = tx.execute(
                "UPDATE excel_loop SET refresh_requested_at = NULL
                 WHERE id = 1 AND refresh_requested_at IS NOT NULL",
                params![],
            )?;
            Ok(n > 0)
        })
    }

    /// Writes the loop's heartbeat (and clears a previous clean stop).
    pub fn beat(&mut self, b: &Beat<'_>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                "INSERT INTO excel_loop (id, pid, started_at, beat_interval, last_tick_at, last_error)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET pid = ?1, started_at = ?2, beat_interval = ?3,
                     last_tick_at = ?4, last_error = ?5, stopped_at = NULL",
                params![
                    b.pid,
                    ts(b.started_at),
                    b.interval as i64,
                    ts(b.at),
                    b.error
                ],
            )?;
            Ok(())
        })
    }

    /// Records that the loop stopped cleanly.
    pub fn loop_stopped(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                "UPDATE excel_loop SET stopped_at = ?1 WHERE id = 1",
                params![ts(now)],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    #[test]
    fn loop_state_round_trips_and_a_refresh_is_taken_once() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            assert_eq!(store.control().workbook_loop().unwrap(), LoopRow::default());
            let now: DateTime<Utc> = "2026-11-23T05:00:00Z".parse().unwrap();
            store.control_mut().set_loop_paused(true, now).unwrap();
            store.control_mut().set_loop_interval(12, now).unwrap();
            store
                .control_mut()
                .beat(&Beat {
                    pid: 42,
                    started_at: now,
                    interval: 12,
                    at: now,
                    error: Some("bad"),
                })
                .unwrap();
            let row = store.control().workbook_loop().unwrap();
            assert!(row.paused);
            assert_eq!(row.interval_seconds, Some(12));
            assert_eq!(row.pid, Some(42));
            assert_eq!(row.last_error.as_deref(), Some("bad"));
            assert!(!store.control_mut().take_refresh().unwrap());
            store.control_mut().request_refresh(now).unwrap();
            assert!(store.control_mut().take_refresh().unwrap());
            assert!(!store.control_mut().take_refresh().unwrap());
            store.control_mut().set_loop_paused(false, now).unwrap();
            assert!(!store.control().workbook_loop().unwrap().paused);
        }
    }

    #[test]
    fn audit_rows_are_listed_newest_first() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            let now: DateTime<Utc> = "2026-11-23T05:00:00Z".parse().unwrap();
            for status in [202, 409] {
                store
                    .control_mut()
                    .record_audit(&AuditWrite {
                        at: now,
                        client: "127.0.0.1",
                        token_id: "control:0011",
                        method: "POST",
                        route: "/api/v1/enrichment/trigger",
                        request: "{}",
                        status,
                        result: "{}",
                    })
                    .unwrap();
            }
            let rows = store.control().list_audit(10).unwrap();
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].status, 409);
            assert_eq!(rows[1].status, 202);
            assert_eq!(rows[0].at, now);
            let pruned = store.control_mut().prune_audit(now).unwrap();
            assert_eq!(pruned.rows, 0, "rows at the cut are kept");
            let later = now + chrono::TimeDelta::seconds(1);
            assert_eq!(store.control_mut().prune_audit(later).unwrap().rows, 2);
            assert!(store.control().list_audit(10).unwrap().is_empty());
        }
    }

    /// Every column of the loop's row and of an audit row reads back as written; a
    /// clean stop is recorded, and the next heartbeat (a new loop) clears it.
    #[test]
    fn the_loop_row_and_audit_rows_read_back_whole() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            assert!(store.control().has_tables().unwrap());
            let at = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
            store
                .control_mut()
                .set_loop_interval(90, at("2026-11-23T05:00:00Z"))
                .unwrap();
            store
                .control_mut()
                .request_refresh(at("2026-11-23T05:01:00Z"))
                .unwrap();
            let beat = |store: &mut Store, pid, tick: &str| {
                store
                    .control_mut()
                    .beat(&Beat {
                        pid,
                        started_at: at("2026-11-23T04:00:00Z"),
                        interval: 90,
                        at: at(tick),
                        error: None,
                    })
                    .unwrap()
            };
            beat(&mut store, 4_000_000_000, "2026-11-23T05:02:00Z");
            store
                .control_mut()
                .loop_stopped(at("2026-11-23T05:03:00Z"))
                .unwrap();
            let expected = LoopRow {
                paused: false,
                interval_seconds: Some(90),
                changed_at: Some(at("2026-11-23T05:00:00Z")),
                refresh_requested_at: Some(at("2026-11-23T05:01:00Z")),
                pid: Some(4_000_000_000),
                started_at: Some(at("2026-11-23T04:00:00Z")),
                beat_interval: Some(90),
                last_tick_at: Some(at("2026-11-23T05:02:00Z")),
                last_error: None,
                stopped_at: Some(at("2026-11-23T05:03:00Z")),
            };
            assert_eq!(
                store.control().workbook_loop().unwrap(),
                expected,
                "{}",
                store.backend()
            );
            beat(&mut store, 7, "2026-11-23T05:04:00Z");
            let row = store.control().workbook_loop().unwrap();
            assert_eq!((row.pid, row.stopped_at), (Some(7), None));

            let write = AuditWrite {
                at: at("2026-11-23T05:05:00Z"),
                client: "10.0.0.7",
                token_id: "serve:a1b2",
                method: "PUT",
                route: "/api/v1/workbooks/loop?interval=90",
                request: r#"{"interval_seconds":90}"#,
                status: 200,
                result: r#"{"ok":true}"#,
            };
            let id = store.control_mut().record_audit(&write).unwrap();
            assert_eq!(
                store.control().list_audit(u64::MAX).unwrap(),
                vec![AuditRow {
                    id,
                    at: write.at,
                    client: write.client.into(),
                    token_id: write.token_id.into(),
                    method: write.method.into(),
                    route: write.route.into(),
                    request: write.request.into(),
                    status: 200,
                    result: write.result.into(),
                }],
                "{}",
                store.backend()
            );
        }
    }
}
