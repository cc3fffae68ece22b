//! The `alerts` table: scored detector hits, and the cooldown look-up that keeps the same
//! detector/ticker/contract from alerting on every cron run.

use std::ops::Deref;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::db::{Conn, params};
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

/// Stores `alerts` of scan `scan_id` inside the caller's transaction; their ids.
pub(crate) fn insert_alerts(tx: Conn<'_>, scan_id: i64, alerts: &[NewAlert]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(alerts.len());
    for a in alerts {
        ids.push(tx.insert_id(
            "INSERT INTO alerts (scan_id, ticker, detector, contract, score, alert_data, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                scan_id,
                &a.ticker,
                &a.detector,
                &a.contract,
                a.score,
                a.alert_data.to_string(),
                ts(a.created_at)
            ],
        )?);
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
        let keys = self.0.db().query(
            "SELECT detector, coalesce(contract, '') FROM alerts
             WHERE ticker = ?1 AND created_at >= ?2 AND created_at <= ?3",
            params![ticker, ts(since), ts(until)],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        Ok(keys.into_iter().collect())
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
        let rows = self.0.db().query(
            "SELECT detector, coalesce(contract, ''), created_at, alert_data FROM alerts
             WHERE ticker = ?1 AND created_at >= ?2 AND created_at <= ?3
             ORDER BY created_at, id",
            params![ticker, ts(since), ts(until)],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<String>(3)?,
                ))
            },
        )?;
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
        let raw = self.0.db().query(
            "SELECT id, scan_id, ticker, detector, contract, score, alert_data, created_at
             FROM alerts
             WHERE (CAST(?1 AS TEXT) IS NULL OR ticker = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR detector = ?2)
               AND (CAST(?3 AS DOUBLE PRECISION) IS NULL OR score >= ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR created_at >= ?4)
               AND (CAST(?5 AS BIGINT) IS NULL OR scan_id = ?5)
             ORDER BY created_at DESC, score DESC, id DESC LIMIT ?6",
            params![
                &filter.ticker,
                &filter.detector,
                filter.min_score,
                filter.since.map(ts),
                filter.scan_id,
                filter
                    .limit
                    .map_or(i64::MAX, |l| l.min(i64::MAX as u64) as i64)
            ],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<String>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Option<String>>(4)?,
                    r.get::<f64>(5)?,
                    r.get::<String>(6)?,
                    r.get::<String>(7)?,
                ))
            },
        )?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn alert(
        ticker: &str,
        detector: &str,
        contract: Option<&str>,
        score: f64,
        at: &str,
    ) -> NewAlert {
        NewAlert {
            ticker: ticker.into(),
            detector: detector.into(),
            contract: contract.map(Into::into),
            score,
            alert_data: serde_json::json!({ "z": score / 10.0 }),
            created_at: t(at),
        }
    }

    #[test]
    fn alerts_are_stored_listed_by_filter_and_found_for_cooldown() {
        for mut s in backends() {
            let backend = s.backend();
            let at = t("2026-11-23T15:00:00Z");
            let scan = s.scans_mut().begin(at, at, "sim", 2, None).unwrap();
            let alerts = [
                alert(
                    "AAPL",
                    "volume_spike",
                    Some("AAPL261218C00200000"),
                    71.5,
                    "2026-11-23T15:00:00Z",
                ),
                alert("AAPL", "iv_jump", None, 40.0, "2026-11-23T15:00:00Z"),
                alert("MSFT", "iv_jump", None, 90.25, "2026-11-22T15:00:00Z"),
            ];
            let ids = s
                .transaction(|tx| insert_alerts(tx, scan, &alerts))
                .unwrap();
            assert_eq!(ids.len(), 3, "{backend}");
            assert!(ids[0] < ids[1] && ids[1] < ids[2], "{backend}: {ids:?}");

            let all = s.alerts().list(&AlertFilter::default()).unwrap();
            let order: Vec<i64> = all.iter().map(|a| a.id).collect();
            // Newest first, then the higher score.
            assert_eq!(order, vec![ids[0], ids[1], ids[2]], "{backend}");
            assert_eq!(all[0].contract.as_deref(), Some("AAPL261218C00200000"));
            assert_eq!(all[0].alert_data, serde_json::json!({ "z": 7.15 }));
            assert_eq!(all[2].score, 90.25);
            assert_eq!(all[2].scan_id, scan);

            let strong = s
                .alerts()
                .list(&AlertFilter {
                    ticker: Some("AAPL".into()),
                    min_score: Some(50.0),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(strong.len(), 1, "{backend}");
            assert_eq!(strong[0].detector_name, "volume_spike");
            let one = s
                .alerts()
                .list(&AlertFilter {
                    limit: Some(1),
                    since: Some(t("2026-11-23T00:00:00Z")),
                    scan_id: Some(scan),
                    detector: Some("iv_jump".into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(one.iter().map(|a| a.id).collect::<Vec<_>>(), vec![ids[1]]);

            let keys = s
                .alerts()
                .keys_since("AAPL", t("2026-11-23T00:00:00Z"), at)
                .unwrap();
            assert_eq!(
                keys,
                HashSet::from([
                    (
                        "volume_spike".to_string(),
                        "AAPL261218C00200000".to_string()
                    ),
                    ("iv_jump".to_string(), String::new()),
                ]),
                "{backend}"
            );
            assert!(
                s.alerts()
                    .keys_since("MSFT", t("2026-11-23T00:00:00Z"), at)
                    .unwrap()
                    .is_empty()
            );
            let latest = s
                .alerts()
                .latest_by_key("MSFT", t("2026-11-01T00:00:00Z"), at)
                .unwrap();
            assert_eq!(
                latest[&("iv_jump".to_string(), String::new())],
                (t("2026-11-22T15:00:00Z"), serde_json::json!({ "z": 9.025 })),
                "{backend}"
            );
        }
    }
}
