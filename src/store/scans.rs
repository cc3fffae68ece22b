//! The `scans` table: one row per `optctl scan` run, from `running` to its final status.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::ops::{Deref, DerefMut};

use super::{Result, Store, parse_ts, ts};

/// Where a scan run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Running,
    Succeeded,
    Partial,
    Failed,
    /// The process died while `running`; set by the next run.
    Interrupted,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Running => "running",
            ScanStatus::Succeeded => "succeeded",
            ScanStatus::Partial => "partial",
            ScanStatus::Failed => "failed",
            ScanStatus::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "running" => ScanStatus::Running,
            "succeeded" => ScanStatus::Succeeded,
            "partial" => ScanStatus::Partial,
            "failed" => ScanStatus::Failed,
            "interrupted" => ScanStatus::Interrupted,
            other => {
                return Err(super::Error::Corrupt {
                    table: "scans",
                    column: "status",
                    detail: other.to_string(),
                });
            }
        })
    }
}

impl std::fmt::Display for ScanStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ticker that failed in a scan, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TickerError {
    pub ticker: String,
    pub error: String,
}

/// The totals a scan records when it finishes.
#[derive(Debug, Clone, Default)]
pub struct ScanTotals {
    pub tickers_ok: u64,
    pub tickers_failed: u64,
    pub contracts: u64,
    pub alerts: u64,
    pub provider_calls: u64,
    pub duration_ms: u64,
    pub errors: Vec<TickerError>,
}

/// One stored scan (also read back from scans.json by `serve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRow {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: ScanStatus,
    pub provider: String,
    pub tickers_requested: u64,
    pub tickers_ok: u64,
    pub tickers_failed: u64,
    pub contracts: u64,
    pub alerts: u64,
    pub provider_calls: u64,
    pub duration_ms: Option<u64>,
    pub errors: Vec<TickerError>,
}

/// Filters for [`Scans::list`].
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    pub status: Option<ScanStatus>,
    pub since: Option<DateTime<Utc>>,
    pub limit: Option<u64>,
}

/// The `scans` family: `Store::scans()` reads, `Store::scans_mut()` also writes.
pub struct Scans<S>(pub(super) S);

impl<S: Deref<Target = Store>> Scans<S> {
    /// Stored scans, newest first.
    pub fn list(&self, filter: &ScanFilter) -> Result<Vec<ScanRow>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT id, started_at, as_of, finished_at, status, provider, tickers_requested,
                    tickers_ok, tickers_failed, contracts, alerts, provider_calls, duration_ms, errors
             FROM scans
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR as_of >= ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let status = filter.status.map(|s| s.as_str());
        let since = filter.since.map(ts);
        let limit = filter.limit.map(|l| l as i64).unwrap_or(-1);
        let raw = stmt
            .query_map(params![status, since, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    [
                        r.get::<_, i64>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                        r.get::<_, i64>(9)?,
                        r.get::<_, i64>(10)?,
                        r.get::<_, i64>(11)?,
                    ],
                    r.get::<_, Option<i64>>(12)?,
                    r.get::<_, String>(13)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter()
            .map(
                |(id, started, as_of, finished, status, provider, n, dur, errors)| {
                    Ok(ScanRow {
                        id,
                        started_at: parse_ts(&started, "scans", "started_at")?,
                        as_of: parse_ts(&as_of, "scans", "as_of")?,
                        finished_at: finished
                            .map(|f| parse_ts(&f, "scans", "finished_at"))
                            .transpose()?,
                        status: ScanStatus::parse(&status)?,
                        provider,
                        tickers_requested: n[0] as u64,
                        tickers_ok: n[1] as u64,
                        tickers_failed: n[2] as u64,
                        contracts: n[3] as u64,
                        alerts: n[4] as u64,
                        provider_calls: n[5] as u64,
                        duration_ms: dur.map(|d| d as u64),
                        errors: serde_json::from_str(&errors).map_err(|e| {
                            super::Error::Corrupt {
                                table: "scans",
                                column: "errors",
                                detail: e.to_string(),
                            }
                        })?,
                    })
                },
            )
            .collect()
    }
}

impl<S: DerefMut<Target = Store>> Scans<S> {
    /// Records a new scan as `running` and returns its id.
    pub fn begin(
        &mut self,
        started_at: DateTime<Utc>,
        as_of: DateTime<Utc>,
        provider: &str,
        tickers_requested: u64,
    ) -> Result<i64> {
        self.0.write(|tx| {
            tx.execute(
                "INSERT INTO scans (started_at, as_of, status, provider, pid, tickers_requested)
                 VALUES (?1, ?2, 'running', ?3, ?4, ?5)",
                params![
                    ts(started_at),
                    ts(as_of),
                    provider,
                    std::process::id(),
                    tickers_requested as i64
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Records the final status and totals of a scan.
    pub fn finish(
        &mut self,
        id: i64,
        status: ScanStatus,
        finished_at: DateTime<Utc>,
        totals: &ScanTotals,
    ) -> Result<()> {
        let errors = serde_json::to_string(&totals.errors).unwrap_or_else(|_| "[]".into());
        self.0.write(|tx| {
            tx.execute(
                "UPDATE scans SET status = ?2, finished_at = ?3, tickers_ok = ?4,
                        tickers_failed = ?5, contracts = ?6, alerts = ?7, provider_calls = ?8,
                        duration_ms = ?9, errors = ?10
                 WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    ts(finished_at),
                    totals.tickers_ok as i64,
                    totals.tickers_failed as i64,
                    totals.contracts as i64,
                    totals.alerts as i64,
                    totals.provider_calls as i64,
                    totals.duration_ms as i64,
                    errors
                ],
            )?;
            Ok(())
        })
    }

    /// Marks every scan still `running` as `interrupted`. Call only while holding the scan
    /// lock: then no live process owns a running scan, so each one belongs to a dead run.
    pub fn mark_interrupted(&mut self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        self.0.write(|tx| {
            let mut stmt = tx.prepare("SELECT id FROM scans WHERE status = 'running'")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.execute(
                "UPDATE scans SET status = 'interrupted', finished_at = ?1 WHERE status = 'running'",
                [ts(now)],
            )?;
            Ok(ids)
        })
    }

    /// Deletes chain snapshot rows of scans taken before `before`; returns rows deleted.
    /// Chains are the bulk of the file (about 1000 rows per ticker per scan); features
    /// and alerts are small and kept.
    pub fn prune(&mut self, before: DateTime<Utc>) -> Result<usize> {
        self.0.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM chain_snapshots
                 WHERE scan_id IN (SELECT id FROM scans WHERE as_of < ?1)",
                [ts(before)],
            )?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_store;
    use chrono::TimeZone;

    #[test]
    fn scan_lifecycle_and_interrupted_recovery() {
        let (_dir, mut store) = temp_store();
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
        let dead = store.scans_mut().begin(t, t, "sim", 3).unwrap();
        let ok = store.scans_mut().begin(t, t, "sim", 2).unwrap();
        let totals = ScanTotals {
            tickers_ok: 1,
            tickers_failed: 1,
            errors: vec![TickerError {
                ticker: "BAD".into(),
                error: "boom".into(),
            }],
            ..Default::default()
        };
        store
            .scans_mut()
            .finish(ok, ScanStatus::Partial, t, &totals)
            .unwrap();
        assert_eq!(store.scans_mut().mark_interrupted(t).unwrap(), vec![dead]);
        let rows = store.scans().list(&ScanFilter::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, ok);
        assert_eq!(rows[0].status, ScanStatus::Partial);
        assert_eq!(rows[0].errors[0].ticker, "BAD");
        assert_eq!(rows[1].status, ScanStatus::Interrupted);
        let only = store
            .scans()
            .list(&ScanFilter {
                status: Some(ScanStatus::Interrupted),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(only.len(), 1);
    }
}
