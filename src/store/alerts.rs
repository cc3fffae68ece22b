//! The `alerts` table: scored detector hits, and the cooldown look-up that keeps the same
//! detector/ticker/contract from alerting on every cron run.

use std::ops::Deref;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store, parse_ts, ts};

/// An alert about to be stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAlert {
    pub ticker: String,
    pub detector: String,
    /// The OCC symbol, for alerts about one contract.
    pub contract: Option<String>,
    /// 0..100, by the detector's documented formula.
    pub score: f64,
    /// The numbers that fired it.
    pub alert_data: serde_json::Value,
    /// The scan's as-of instant.
    pub created_at: DateTime<Utc>,
}

/// A stored alert (also read back from alerts.json by `serve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: i64,
    pub scan_id: i64,
    pub ticker: String,
    pub detector_name: String,
    pub contract: Option<String>,
    pub score: f64,
    pub alert_data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// What the repeat rules tell alerts apart by: (detector, contract or "").
pub type AlertKey = (String, String);

/// Filters for [`Alerts::list`]; all optional.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub ticker: Option<String>,
    pub detector: Option<String>,
    pub min_score: Option<f64>,
    pub since: Option<DateTime<Utc>>,
    pub scan_id: Option<i64>,
    pub limit: Option<u64>,
}

pub(crate) fn insert_alerts(
    tx: &Transaction<'_>,
    scan_id: i64,
    alerts: &[NewAlert],
) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO alerts (scan_id, ticker, detector, contract, score, alert_data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut ids = Vec::with_capacity(alerts.len());
    for a in alerts {
        stmt.execute(params![
            scan_id,
            a.ticker,
            a.detector,
            a.contract,
            a.score,
            a.alert_data.to_string(),
            ts(a.created_at)
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

/// The `alerts` family: `Store::alerts()` reads, `Store::alerts_mut()` also writes.
pub struct Alerts<S>(pub(super) S);

impl<S: Deref<Target = Store>> Alerts<S> {
    /// `(detector, contract or "")` pairs that alerted for `ticker` at or after `since` and
    /// up to and including `until`: the keys still in cooldown (a re-run at the same --as-of
    /// counts, so it does not duplicate alerts).
    pub fn keys_since(
        &self,
        ticker: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HashSet<(String, String)>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT detector, coalesce(contract, '') FROM alerts
             WHERE ticker = ?1 AND created_at >= ?2 AND created_at <= ?3",
        )?;
        let keys = stmt
            .query_map(params![ticker, ts(since), ts(until)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<HashSet<_>>>()?;
        Ok(keys)
    }

    /// The newest alert of each `(detector, contract or "")` for `ticker` at or after
    /// `since` and up to and including `until`: its time and data. The scan's repeat
    /// rules compare against it.
    pub fn latest_by_key(
        &self,
        ticker: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HashMap<AlertKey, (DateTime<Utc>, serde_json::Value)>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT detector, coalesce(contract, ''), created_at, alert_data FROM alerts
             WHERE ticker = ?1 AND created_at >= ?2 AND created_at <= ?3
             ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map(params![ticker, ts(since), ts(until)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = HashMap::new();
        for (detector, contract, created, data) in rows {
            let at = parse_ts(&created, "alerts", "created_at")?;
            // Data that does not parse compares as no number: the repeat is held back.
            let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
            out.insert((detector, contract), (at, data));
        }
        Ok(out)
    }

    /// Stored alerts matching `filter`, newest first (then highest score).
    pub fn list(&self, filter: &AlertFilter) -> Result<Vec<AlertRow>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT id, scan_id, ticker, detector, contract, score, alert_data, created_at
             FROM alerts
             WHERE (?1 IS NULL OR ticker = ?1) AND (?2 IS NULL OR detector = ?2)
               AND (?3 IS NULL OR score >= ?3) AND (?4 IS NULL OR created_at >= ?4)
               AND (?5 IS NULL OR scan_id = ?5)
             ORDER BY created_at DESC, score DESC, id DESC LIMIT ?6",
        )?;
        let raw = stmt
            .query_map(
                params![
                    filter.ticker,
                    filter.detector,
                    filter.min_score,
                    filter.since.map(ts),
                    filter.scan_id,
                    filter.limit.map(|l| l as i64).unwrap_or(-1)
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, f64>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter()
            .map(
                |(id, scan_id, ticker, detector, contract, score, data, created)| {
                    Ok(AlertRow {
                        id,
                        scan_id,
                        ticker,
                        detector_name: detector,
                        contract,
                        score,
                        alert_data: serde_json::from_str(&data).map_err(|e| {
                            super::Error::Corrupt {
                                table: "alerts",
                                column: "alert_data",
                                detail: e.to_string(),
                            }
                        })?,
                        created_at: parse_ts(&created, "alerts", "created_at")?,
                    })
                },
            )
            .collect()
    }
}
