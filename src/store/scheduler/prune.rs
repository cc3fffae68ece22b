//! Scheduler retention: runs (with their signals) and comparisons of old ticks, and
//! cached series past their expiry. The migration's state and audit log are kept.
//! Bounded batches, as every prune ([`Store::prune_in_batches`]).

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use super::Scheduler;
use crate::store::db::params;
use crate::store::{PRUNE_BATCH_ROWS, PRUNE_PAUSE, PruneStats, Result, Store, parse_ts, ts};
use chrono::{DateTime, Utc};

impl<S: Deref<Target = Store>> Scheduler<S> {
    /// The newest tick recorded by a run or a comparison, before `except` (the
    /// current tick's time, excluded so the current tick does not count).
    pub fn newest_tick_before(&self, except: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<String> = self.0.db().query_one(
            "SELECT max(t) FROM (
                 SELECT max(tick_at) AS t FROM scheduler_runs WHERE tick_at < ?1
                 UNION ALL
                 SELECT max(created_at) FROM scheduler_comparisons WHERE created_at < ?1) AS newest",
            params![ts(except)],
            |r| r.get(0),
        )?;
        newest
            .map(|s| parse_ts(&s, "scheduler_runs", "tick_at"))
            .transpose()
    }
}

impl<S: DerefMut<Target = Store>> Scheduler<S> {
    /// Deletes the runs (and their signals) of ticks before `before` and the
    /// comparisons made before it, and cached series that expired before it.
    pub fn prune(&mut self, before: DateTime<Utc>) -> Result<PruneStats> {
        self.prune_with(before, PRUNE_BATCH_ROWS, PRUNE_PAUSE)
    }

    pub(crate) fn prune_with(
        &mut self,
        before: DateTime<Utc>,
        limit: usize,
        pause: Duration,
    ) -> Result<PruneStats> {
        let before = ts(before);
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            let mut left = limit;
            for sql in [
                // Signals first, so a batch counts them (they would go with their run).
                "DELETE FROM scheduler_signals WHERE id IN
                     (SELECT id FROM scheduler_signals WHERE run_id IN
                         (SELECT id FROM scheduler_runs WHERE tick_at < ?1)
                      LIMIT ?2)",
                "DELETE FROM scheduler_runs WHERE id IN
                     (SELECT id FROM scheduler_runs WHERE tick_at < ?1 ORDER BY id LIMIT ?2)",
                "DELETE FROM scheduler_comparisons WHERE id IN
                     (SELECT id FROM scheduler_comparisons WHERE created_at < ?1
                      ORDER BY id LIMIT ?2)",
                "DELETE FROM scheduler_bar_cache WHERE (symbol, timeframe) IN
                     (SELECT symbol, timeframe FROM scheduler_bar_cache
                      WHERE expires_at < ?1 LIMIT ?2)",
            ] {
                if left == 0 {
                    break;
                }
                left -= tx.execute(sql, params![&before, left as i64])?;
            }
            Ok(limit - left)
        })
    }
}
