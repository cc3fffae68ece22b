//! The `scans` table: one row per `optctl scan` run, from `running` to its final status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::ops::{Deref, DerefMut};

use super::db::params;
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
    /// The part of the watchlist this scan took (`scan --shard`, "2/4"); `None` for a
    /// whole scan. Absent from scans.json written before it existed.
    #[serde(default)]
    pub shard: Option<String>,
}

/// The schema version that added `scans.shard` (migration 14).
const SHARD_SCHEMA_VERSION: i64 = 14;

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
        let status = filter.status.map(|s| s.as_str());
        let since = filter.since.map(ts);
        let limit = filter
            .limit
            .map_or(i64::MAX, |l| l.min(i64::MAX as u64) as i64);
        // A reader may open a database an older optctl wrote (readers never migrate):
        // before schema version 14 no scan has a shard.
        let shard = if self.0.user_version()? >= SHARD_SCHEMA_VERSION {
            "shard"
        } else {
            "NULL"
        };
        let raw = self.0.db().query(
            &format!(
                "SELECT id, started_at, as_of, finished_at, status, provider, tickers_requested,
                        tickers_ok, tickers_failed, contracts, alerts, provider_calls, duration_ms,
                        errors, {shard}
                 FROM scans
                 WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR as_of >= ?2)
                 ORDER BY id DESC LIMIT ?3"
            ),
            params![status, since, limit],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<Option<String>>(3)?,
                    r.get::<String>(4)?,
                    r.get::<String>(5)?,
                    [
                        r.get::<i64>(6)?,
                        r.get::<i64>(7)?,
                        r.get::<i64>(8)?,
                        r.get::<i64>(9)?,
                        r.get::<i64>(10)?,
                        r.get::<i64>(11)?,
                    ],
                    r.get::<Option<i64>>(12)?,
                    r.get::<String>(13)?,
                    r.get::<Option<String>>(14)?,
                ))
            },
        )?;
        raw.into_iter()
            .map(
                |(id, started, as_of, finished, status, provider, n, dur, errors, shard)| {
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
                        shard,
                    })
                },
            )
            .collect()
    }
}

impl<S: DerefMut<Target = Store>> Scans<S> {
    /// Records a new scan as `running` and returns its id. `shard` is the part of the
    /// watchlist it takes ("2/4"), `None` for a whole scan.
    pub fn begin(
        &mut self,
        started_at: DateTime<Utc>,
        as_of: DateTime<Utc>,
        provider: &str,
        tickers_requested: u64,
        shard: Option<&str>,
    ) -> Result<i64> {
        self.0.transaction(|tx| {
            tx.insert_id(
                "INSERT INTO scans (started_at, as_of, status, provider, pid, tickers_requested,
                                    shard)
                 VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6)",
                params![
                    ts(started_at),
                    ts(as_of),
                    provider,
                    std::process::id(),
                    tickers_requested as i64,
                    shard
                ],
            )
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
        self.0.transaction(|tx| {
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

    /// Marks every scan of `shard` (None: whole scans) still `running` as
    /// `interrupted`. Call only while holding that shard's scan lock: then no live
    /// process owns such a running scan, so each one belongs to a dead run. Another
    /// part's running scan may be another host's live one, and is left alone.
    pub fn mark_interrupted(
        &mut self,
        now: DateTime<Utc>,
        shard: Option<&str>,
    ) -> Result<Vec<i64>> {
        const MINE: &str = "status = 'running' AND shard IS NOT DISTINCT FROM CAST(?1 AS TEXT)";
        self.0.transaction(|tx| {
            let ids = tx.query(
                &format!("SELECT id FROM scans WHERE {MINE} ORDER BY id"),
                params![shard],
                |r| r.get::<i64>(0),
            )?;
            tx.execute(
                &format!("UPDATE scans SET status = 'interrupted', finished_at = ?2 WHERE {MINE}"),
                params![shard, ts(now)],
            )?;
            Ok(ids)
        })
    }

    /// Deletes the chain snapshot rows of scans taken before `before`, except each
    /// ticker's `keep_last` newest scans (by `as_of`), which are kept however old.
    /// Returns what was deleted. Chains are the bulk of the file (about 1000 rows per
    /// ticker per scan); features and alerts are small and kept.
    ///
    /// Deletes in transactions of at most [`super::PRUNE_BATCH_ROWS`] rows, releasing
    /// the write lock for [`super::PRUNE_PAUSE`] between them, so other writers never
    /// wait long whatever there is to delete. `chain_snapshots` is keyed by
    /// `(scan_id, ticker, symbol)`: each batch is a range of that key.
    pub fn prune(&mut self, before: DateTime<Utc>, keep_last: u32) -> Result<super::PruneStats> {
        self.prune_with(
            before,
            keep_last,
            super::PRUNE_BATCH_ROWS,
            super::PRUNE_PAUSE,
        )
    }

    pub(crate) fn prune_with(
        &mut self,
        before: DateTime<Utc>,
        keep_last: u32,
        limit: usize,
        pause: std::time::Duration,
    ) -> Result<super::PruneStats> {
        let mut targets = self.prune_targets(before, keep_last)?;
        let dropped = if self.0.is_postgres() {
            self.drop_pruned_days(before, &mut targets)?
        } else {
            super::PruneStats::default()
        };
        let mut next = 0;
        let mut stats = self.0.prune_in_batches(limit, pause, |tx, limit| {
            let mut left = limit;
            while left > 0 && next < targets.len() {
                let (scan_id, ticker) = &targets[next];
                let n = tx.execute(
                    "DELETE FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2 AND symbol IN
                         (SELECT symbol FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2
                          LIMIT ?3)",
                    params![*scan_id, ticker, left as i64],
                )?;
                if n < left {
                    // The chain's rows are gone: its expiries (a few rows) go with them.
                    tx.execute(
                        "DELETE FROM chain_expiries WHERE scan_id = ?1 AND ticker = ?2",
                        params![*scan_id, ticker],
                    )?;
                    next += 1;
                }
                left -= n;
            }
            Ok(limit - left)
        })?;
        stats.rows += dropped.rows;
        stats.partitions_dropped = dropped.partitions_dropped;
        stats.dropped_rows = dropped.dropped_rows;
        stats.longest_batch_ms = stats.longest_batch_ms.max(dropped.longest_batch_ms);
        Ok(stats)
    }

    /// PostgreSQL: drops each day partition of `chain_snapshots` whose every chain is
    /// among `targets` (and an empty one of a day before `before`'s), one transaction
    /// each: under the partitions' advisory lock and an exclusive lock on the chain
    /// table, its chains are counted again (a chain written or deleted meanwhile keeps
    /// the partition), then it is detached and dropped and its chains' expiries
    /// deleted. The chains it held leave `targets`; what the stats count as dropped is
    /// the partition's rows counted under that lock. A day whose locks are not had
    /// within [`super::partitions::DROP_LOCK_TIMEOUT`] (a long read holds the chain
    /// table) is left whole to the batched deletes.
    fn drop_pruned_days(
        &mut self,
        before: DateTime<Utc>,
        targets: &mut Vec<(i64, String)>,
    ) -> Result<super::PruneStats> {
        use std::collections::HashSet;
        let mut stats = super::PruneStats::default();
        let wanted: HashSet<(i64, String)> = targets.iter().cloned().collect();
        let last_day = before.date_naive();
        let mut gone: HashSet<(i64, String)> = HashSet::new();
        let chains_in = |db: super::db::Conn<'_>, table: &str| {
            db.query(
                &format!("SELECT scan_id, ticker, count(*) FROM {table} GROUP BY scan_id, ticker"),
                params![],
                |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?)),
            )
        };
        let droppable = |chains: &[(i64, String, i64)], day: chrono::NaiveDate| {
            if chains.is_empty() {
                day < last_day
            } else {
                chains
                    .iter()
                    .all(|(s, t, _)| wanted.contains(&(*s, t.clone())))
            }
        };
        for day in super::partitions::days(self.0.db())? {
            if day > last_day {
                break;
            }
            let table = super::partitions::name(day);
            // A first look without locks: most days are kept, and need no lock.
            if !droppable(&chains_in(self.0.db(), &table)?, day) {
                continue;
            }
            let started = std::time::Instant::now();
            let dropped = self.0.transaction(|tx| {
                // Waiting behind a long reader would stall every chain writer queued
                // behind this lock: past the timeout the day is left to the deletes.
                tx.batch(&format!(
                    "SET LOCAL lock_timeout = {}",
                    super::partitions::DROP_LOCK_TIMEOUT.as_millis()
                ))?;
                tx.lock(super::partitions::LOCK)?;
                tx.batch("LOCK TABLE chain_snapshots IN ACCESS EXCLUSIVE MODE")?;
                if !super::partitions::days(tx)?.contains(&day) {
                    return Ok(None); // another host dropped it first
                }
                let chains = chains_in(tx, &table)?;
                if !droppable(&chains, day) {
                    return Ok(None);
                }
                tx.batch(&format!(
                    "ALTER TABLE chain_snapshots DETACH PARTITION {table}; DROP TABLE {table}"
                ))?;
                // The dropped chains' expiries (a few rows each) go with them.
                let keys: Vec<Vec<super::db::Value<'_>>> = chains
                    .iter()
                    .map(|(s, t, _)| vec![(*s).into(), t.into()])
                    .collect();
                tx.batch(
                    "CREATE TEMP TABLE optctl_dropped_chains
                         (scan_id BIGINT NOT NULL, ticker TEXT NOT NULL) ON COMMIT DROP",
                )?;
                tx.copy_rows("optctl_dropped_chains", &["scan_id", "ticker"], &keys)?;
                tx.execute(
                    "DELETE FROM chain_expiries e USING optctl_dropped_chains d
                     WHERE e.scan_id = d.scan_id AND e.ticker = d.ticker",
                    params![],
                )?;
                Ok(Some(chains))
            });
            let dropped = match dropped {
                Err(super::Error::Postgres(e))
                    if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) =>
                {
                    tracing::debug!(
                        "chain partition {table} is busy: its rows are deleted instead"
                    );
                    None
                }
                other => other?,
            };
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            stats.longest_batch_ms = stats.longest_batch_ms.max(ms);
            if let Some(chains) = dropped {
                let rows: i64 = chains.iter().map(|(_, _, n)| n).sum();
                stats.partitions_dropped += 1;
                stats.dropped_rows += rows as u64;
                gone.extend(chains.into_iter().map(|(s, t, _)| (s, t)));
            }
        }
        stats.rows = stats.dropped_rows;
        if stats.partitions_dropped > 0 {
            // This process's writes re-check their day's partition.
            self.0.forget_chain_days();
        }
        targets.retain(|t| !gone.contains(t));
        Ok(stats)
    }

    /// The `(scan, ticker)` chains a prune deletes: those still stored, of scans taken
    /// before `before`, that are not among the ticker's `keep_last` newest scans. Walks
    /// the key of `chain_snapshots` one scan and ticker at a time, so the cost grows with
    /// the chains still stored, not with their rows or with pruned history.
    fn prune_targets(&self, before: DateTime<Utc>, keep_last: u32) -> Result<Vec<(i64, String)>> {
        let db = self.0.db();
        let scans = db.query(
            "WITH RECURSIVE s(id) AS (
                 SELECT min(scan_id) FROM chain_snapshots
                 UNION ALL
                 SELECT (SELECT min(scan_id) FROM chain_snapshots WHERE scan_id > s.id)
                 FROM s WHERE s.id IS NOT NULL)
             SELECT s.id FROM s JOIN scans ON scans.id = s.id
             WHERE s.id IS NOT NULL AND scans.as_of < ?1 ORDER BY s.id",
            params![ts(before)],
            |r| r.get::<i64>(0),
        )?;
        let mut kept: std::collections::HashMap<String, Vec<i64>> = Default::default();
        let mut out = Vec::new();
        for scan_id in scans {
            let names = db.query(
                "WITH RECURSIVE t(ticker) AS (
                     SELECT min(ticker) FROM chain_snapshots WHERE scan_id = ?1
                     UNION ALL
                     SELECT (SELECT min(ticker) FROM chain_snapshots
                             WHERE scan_id = ?1 AND ticker > t.ticker)
                     FROM t WHERE t.ticker IS NOT NULL)
                 SELECT ticker FROM t WHERE ticker IS NOT NULL",
                params![scan_id],
                |r| r.get::<String>(0),
            )?;
            for ticker in names {
                if !kept.contains_key(&ticker) {
                    let ids = db.query(
                        "SELECT scan_id FROM features WHERE ticker = ?1
                         ORDER BY as_of DESC, scan_id DESC LIMIT ?2",
                        params![&ticker, i64::from(keep_last)],
                        |r| r.get::<i64>(0),
                    )?;
                    kept.insert(ticker.clone(), ids);
                }
                if !kept[&ticker].contains(&scan_id) {
                    out.push((scan_id, ticker));
                }
            }
        }
        Ok(out)
    }
}

impl<S: Deref<Target = Store>> Scans<S> {
    /// The `as_of` of the newest stored scan other than `except` (the running one).
    pub fn newest_as_of_except(&self, except: i64) -> Result<Option<DateTime<Utc>>> {
        self.0.newest_except("scans", "as_of", except)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{backends, temp_store};
    use chrono::TimeZone;

    /// Stores a scan at `as_of` with `tickers` chains (T000, T001, ...) of `contracts`
    /// rows each, straight in SQL so a test builds millions of rows in seconds (on
    /// either backend: only the zero-padded names are written differently).
    fn stored_scan(store: &mut Store, as_of: &str, tickers: u32, contracts: u32) -> i64 {
        let t = crate::time::parse_instant(as_of).unwrap();
        let id = store
            .scans_mut()
            .begin(t, t, "sim", u64::from(tickers), None)
            .unwrap();
        let pad = |width: u32, e: &str| {
            if store.is_postgres() {
                format!("lpad(({e})::text, {width}, '0')")
            } else {
                format!("printf('%0{width}d', {e})")
            }
        };
        let (ticker, ticker_of_row, symbol) = (pad(3, "i"), pad(3, "i / ?3"), pad(8, "i"));
        let ticker_of_pair = pad(3, "i / 2");
        // PostgreSQL's rows carry their day, in a partition made as the scan's writes
        // make it.
        let (day_col, day) = if store.is_postgres() {
            let day = store.chain_day(id).unwrap();
            (", day", format!(", DATE '{day}'"))
        } else {
            ("", String::new())
        };
        store
            .transaction(|tx| {
                tx.execute(
                    &format!(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
                         INSERT INTO features (scan_id, ticker, as_of, spot, call_volume, put_volume,
                             call_oi, put_oi, iv_history_n, contracts)
                         SELECT ?1, 'T' || {ticker}, ?3, 100, 0, 0, 0, 0, 0, ?4 FROM n"
                    ),
                    params![id, tickers, ts(t), contracts],
                )?;
                tx.execute(
                    &format!(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
                         INSERT INTO chain_snapshots (scan_id, ticker, symbol, expiry, strike, \"right\",
                             bid, ask, last, volume, open_interest, underlying_price{day_col})
                         SELECT ?1, 'T' || {ticker_of_row}, 'C' || {symbol}, '2026-12-18',
                                i % ?3, 'call', 1.0, 1.1, 1.05, 10, 100, 100{day} FROM n"
                    ),
                    params![id, tickers * contracts, contracts],
                )?;
                // Each chain's forwards: two expiries per ticker.
                tx.execute(
                    &format!(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
                         INSERT INTO chain_expiries (scan_id, ticker, expiry, t_years, forward, carry,
                             discount, rate, method, pairs)
                         SELECT ?1, 'T' || {ticker_of_pair}, '2026-12-' || (18 + i % 2),
                                0.1, 100, 0.03, 0.995, 0.045, 'parity', 6 FROM n"
                    ),
                    params![id, tickers * 2],
                )?;
                Ok(())
            })
            .unwrap();
        id
    }

    fn expiry_rows(store: &Store, scan_id: i64) -> i64 {
        store
            .db()
            .query_one(
                "SELECT count(*) FROM chain_expiries WHERE scan_id = ?1",
                params![scan_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn chain_rows(store: &Store, scan_id: i64) -> i64 {
        store
            .db()
            .query_one(
                "SELECT count(*) FROM chain_snapshots WHERE scan_id = ?1",
                params![scan_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn each_prune_batch_is_bounded_and_the_newest_chains_stay() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            each_prune_batch_is_bounded_and_the_newest_chains_stay_on(&mut store);
        }
    }

    fn each_prune_batch_is_bounded_and_the_newest_chains_stay_on(store: &mut Store) {
        let old: Vec<i64> = ["2026-11-02T15:00:00Z", "2026-11-03T15:00:00Z"]
            .iter()
            .map(|at| stored_scan(store, at, 10, 997))
            .collect();
        let kept: Vec<i64> = ["2026-11-04T15:00:00Z", "2026-11-05T15:00:00Z"]
            .iter()
            .map(|at| stored_scan(store, at, 10, 997))
            .collect();
        // Only 5 of the 10 tickers in the newest scan: T005..T009 keep the three before.
        let newest = stored_scan(store, "2026-11-23T15:00:00Z", 5, 997);
        let before = crate::time::parse_instant("2026-11-20T00:00:00Z").unwrap();
        let stats = store
            .scans_mut()
            .prune_with(before, 3, 1000, std::time::Duration::ZERO)
            .unwrap();
        // T000..T004: all but their 3 newest scans, i.e. 2 old scans; T005..T009: their
        // oldest scan only.
        let expected = (5 * 2 + 5) * 997;
        assert_eq!(stats.rows, expected);
        assert!(stats.largest_batch <= 1000, "{stats:?}");
        // On PostgreSQL the first day's partition, every chain of it pruned, is dropped
        // whole; the second day keeps T005..T009, so its pruned chains are deleted.
        let dropped = if store.is_postgres() { 10 * 997 } else { 0 };
        assert_eq!(stats.dropped_rows, dropped, "{stats:?}");
        assert_eq!(
            stats.partitions_dropped,
            u64::from(dropped > 0),
            "{stats:?}"
        );
        let deleted = expected - dropped;
        assert_eq!(stats.batches, deleted / 1000 + 1, "{stats:?}");
        assert_eq!(chain_rows(store, old[0]), 0);
        assert_eq!(chain_rows(store, old[1]), 5 * 997);
        assert_eq!(chain_rows(store, kept[0]), 10 * 997);
        assert_eq!(chain_rows(store, kept[1]), 10 * 997);
        assert_eq!(chain_rows(store, newest), 5 * 997);
        // A pruned chain's forwards go with it; a kept chain's stay.
        assert_eq!(expiry_rows(store, old[0]), 0);
        assert_eq!(expiry_rows(store, old[1]), 5 * 2);
        assert_eq!(expiry_rows(store, kept[0]), 10 * 2);
        assert_eq!(expiry_rows(store, newest), 5 * 2);
        // Nothing left to do: one empty batch.
        let again = store
            .scans_mut()
            .prune_with(before, 3, 1000, std::time::Duration::ZERO)
            .unwrap();
        assert_eq!((again.rows, again.batches), (0, 1));
    }

    /// Each stored chain, `(scan, ticker, rows)`, and each chain's expiry rows, in order.
    #[allow(clippy::type_complexity)]
    fn chains_left(store: &Store) -> (Vec<(i64, String, i64)>, Vec<(i64, String, i64)>) {
        let of = |table: &str| {
            store
                .db()
                .query(
                    &format!(
                        "SELECT scan_id, ticker, count(*) FROM {table}
                         GROUP BY scan_id, ticker ORDER BY scan_id, ticker"
                    ),
                    params![],
                    |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?)),
                )
                .unwrap()
        };
        (of("chain_snapshots"), of("chain_expiries"))
    }

    /// Retention keeps exactly the same chains on both backends, though PostgreSQL
    /// drops whole days where it can: a day whose every chain goes (and an old day with
    /// no chains left) is dropped, a day with one kept chain is deleted from row by
    /// row.
    #[test]
    fn a_prune_leaves_the_same_chains_on_every_backend() {
        let mut results = Vec::new();
        for mut store in backends() {
            let backend = store.backend();
            // An old day whose scan stored no chain: on PostgreSQL an empty partition.
            let t = crate::time::parse_instant("2026-10-30T15:00:00Z").unwrap();
            let empty = store.scans_mut().begin(t, t, "sim", 0, None).unwrap();
            if store.is_postgres() {
                store.chain_day(empty).unwrap();
            }
            let z = stored_scan(&mut store, "2026-11-01T15:00:00Z", 3, 40);
            let a = stored_scan(&mut store, "2026-11-02T09:00:00Z", 6, 50);
            let b = stored_scan(&mut store, "2026-11-02T15:00:00Z", 6, 50);
            let c = stored_scan(&mut store, "2026-11-03T15:00:00Z", 2, 60);
            let d = stored_scan(&mut store, "2026-11-04T15:00:00Z", 1, 70);
            let e = stored_scan(&mut store, "2026-11-12T15:00:00Z", 1, 80);
            let before = crate::time::parse_instant("2026-11-10T00:00:00Z").unwrap();
            let stats = store
                .scans_mut()
                .prune_with(before, 1, 100, std::time::Duration::ZERO)
                .unwrap();
            let (chains, expiries) = chains_left(&store);
            // Each ticker keeps its newest scan: T000 scan e, T001 scan c, T002..T005
            // scan b; the rest goes.
            let mut want: Vec<(i64, String, i64)> = (0..6)
                .map(|i| (b, format!("T{i:03}"), 50))
                .chain([(c, "T001".to_string(), 60), (e, "T000".to_string(), 80)])
                .filter(|(s, t, _)| !(*s == b && (t == "T000" || t == "T001")))
                .collect();
            want.sort();
            assert_eq!(chains, want, "{backend}");
            let want_expiries: Vec<(i64, String, i64)> =
                want.iter().map(|(s, t, _)| (*s, t.clone(), 2)).collect();
            assert_eq!(expiries, want_expiries, "{backend}");
            let gone = 3 * 40 + 6 * 50 + 2 * 50 + 60 + 70;
            assert_eq!(stats.rows, gone, "{backend}: {stats:?}");
            if store.is_postgres() {
                // 10-30 (empty), 11-01 and 11-04 went whole; 11-02 and 11-03 keep a
                // chain each.
                assert_eq!(stats.partitions_dropped, 3, "{stats:?}");
                assert_eq!(stats.dropped_rows, 3 * 40 + 70, "{stats:?}");
                let days: Vec<String> = crate::store::partitions::days(store.db())
                    .unwrap()
                    .iter()
                    .map(|d| d.to_string())
                    .collect();
                assert_eq!(days, ["2026-11-02", "2026-11-03", "2026-11-12"]);
                let stray: i64 = store
                    .db()
                    .query_one(
                        "SELECT count(*) FROM chain_snapshots_default",
                        params![],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(stray, 0);
            } else {
                assert_eq!((stats.partitions_dropped, stats.dropped_rows), (0, 0));
            }
            let _ = (z, a, d);
            results.push((chains, expiries, stats.rows));
        }
        if let [sqlite, pg] = &results[..] {
            assert_eq!(sqlite, pg, "the backends keep the same rows");
        }
    }

    /// PostgreSQL: a reader holding the chain table past the drop's lock timeout does
    /// not stall the prune: the day it would have dropped is deleted row by row, with
    /// the same result.
    #[test]
    fn a_day_held_by_a_reader_is_deleted_instead_of_dropped() {
        let Some(db) = crate::store::tests::PgTestDb::create() else {
            return;
        };
        let mut store = Store::open_postgres(&db.config).unwrap();
        let old = stored_scan(&mut store, "2026-11-02T15:00:00Z", 4, 300);
        let new = stored_scan(&mut store, "2026-11-23T15:00:00Z", 4, 300);
        let mut reader = db.config.connect(postgres::NoTls).unwrap();
        reader
            .batch_execute("BEGIN; SELECT count(*) FROM chain_snapshots")
            .unwrap();
        let before = crate::time::parse_instant("2026-11-20T00:00:00Z").unwrap();
        let started = std::time::Instant::now();
        let stats = store
            .scans_mut()
            .prune_with(before, 1, 500, std::time::Duration::ZERO)
            .unwrap();
        assert!(
            started.elapsed() >= crate::store::partitions::DROP_LOCK_TIMEOUT,
            "it waited for the lock"
        );
        assert_eq!((stats.partitions_dropped, stats.dropped_rows), (0, 0));
        assert_eq!(stats.rows, 4 * 300);
        assert_eq!(
            (chain_rows(&store, old), chain_rows(&store, new)),
            (0, 4 * 300)
        );
        reader.batch_execute("COMMIT").unwrap();
        // Once the reader is gone, the emptied day goes too.
        let again = store
            .scans_mut()
            .prune_with(before, 1, 500, std::time::Duration::ZERO)
            .unwrap();
        assert_eq!((again.rows, again.partitions_dropped), (0, 1));
        let days = crate::store::partitions::days(store.db()).unwrap();
        assert_eq!(days, ["2026-11-23".parse().unwrap()]);
    }

    /// Another writer with a busy timeout of a tenth of the real one keeps committing
    /// while 400,000 chain rows are pruned: it never meets "database is locked".
    #[test]
    fn a_large_prune_never_locks_out_another_writer() {
        let (dir, mut store) = temp_store();
        for day in 2..=5 {
            stored_scan(&mut store, &format!("2026-11-0{day}T15:00:00Z"), 100, 1000);
        }
        for _ in 0..3 {
            stored_scan(&mut store, "2026-11-23T15:00:00Z", 100, 10);
        }
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let path = dir.path().join("optctl.db");
            let done = done.clone();
            std::thread::spawn(move || {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_millis(1500))
                    .unwrap();
                let (mut ok, mut busy) = (0, 0);
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = conn.execute_batch(
                        "BEGIN IMMEDIATE;
                         INSERT INTO breaker_calls (name, at_ms, ok) VALUES ('test', 0, 1);
                         COMMIT;",
                    );
                    match r {
                        Ok(()) => ok += 1,
                        Err(e) => {
                            busy += 1;
                            eprintln!("writer: {e}");
                            let _ = conn.execute_batch("ROLLBACK");
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                (ok, busy)
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        let started = std::time::Instant::now();
        let before = crate::time::parse_instant("2026-11-20T00:00:00Z").unwrap();
        let stats = store.scans_mut().prune(before, 3).unwrap();
        let took = started.elapsed();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let (ok, busy) = writer.join().unwrap();
        eprintln!(
            "pruned {} rows in {} batches, {:.1} s; longest batch {:.1} ms; writer: {ok} commits",
            stats.rows,
            stats.batches,
            took.as_secs_f64(),
            stats.longest_batch_ms
        );
        assert_eq!(stats.rows, 4 * 100 * 1000);
        assert!(stats.largest_batch <= super::super::PRUNE_BATCH_ROWS as u64);
        assert_eq!(busy, 0, "the writer met a locked database");
        assert!(ok > 10, "the writer committed {ok} times");
    }

    #[test]
    fn scan_lifecycle_and_interrupted_recovery() {
        for mut store in backends() {
            eprintln!("backend: {}", store.backend());
            scan_lifecycle_and_interrupted_recovery_on(&mut store);
        }
    }

    fn scan_lifecycle_and_interrupted_recovery_on(store: &mut Store) {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
        let dead = store.scans_mut().begin(t, t, "sim", 3, None).unwrap();
        let ok = store
            .scans_mut()
            .begin(t, t, "sim", 2, Some("2/4"))
            .unwrap();
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
        assert_eq!(
            store.scans_mut().mark_interrupted(t, None).unwrap(),
            vec![dead]
        );
        let rows = store.scans().list(&ScanFilter::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, ok);
        assert_eq!(rows[0].status, ScanStatus::Partial);
        assert_eq!(rows[0].errors[0].ticker, "BAD");
        // The part of the watchlist a scan took reads back; a whole scan has none.
        assert_eq!(rows[0].shard.as_deref(), Some("2/4"));
        assert_eq!(rows[1].status, ScanStatus::Interrupted);
        assert_eq!(rows[1].shard, None);
        let only = store
            .scans()
            .list(&ScanFilter {
                status: Some(ScanStatus::Interrupted),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(only.len(), 1);
        // Another host's part, still running: not the run of another part (or a whole
        // scan) to recover, only the next run of the same part.
        let other = store
            .scans_mut()
            .begin(t, t, "sim", 2, Some("1/4"))
            .unwrap();
        assert!(
            store
                .scans_mut()
                .mark_interrupted(t, None)
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .scans_mut()
                .mark_interrupted(t, Some("2/4"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.scans_mut().mark_interrupted(t, Some("1/4")).unwrap(),
            vec![other]
        );
    }
}
