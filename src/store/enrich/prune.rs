//! Enrich retention: old runs (with their jobs, fetches, quarantined bars and quality
//! issues) and bars older than a timeframe's window. Bounded batches, as every prune
//! ([`Store::prune_in_batches`]).

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use super::Enrich;
use crate::market::Timeframe;
use crate::store::db::params;
use crate::store::{PRUNE_BATCH_ROWS, PRUNE_PAUSE, PruneStats, Result, Store, parse_ts, ts};
use chrono::{DateTime, Utc};

impl<S: Deref<Target = Store>> Enrich<S> {
    /// The `as_of` of the newest run other than `except` (the current one).
    pub fn newest_run_as_of_except(&self, except: i64) -> Result<Option<DateTime<Utc>>> {
        self.0.newest_except("enrich_runs", "as_of", except)
    }

    /// The time of the newest stored bar of `timeframe`, any symbol.
    pub fn newest_bar(&self, timeframe: Timeframe) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<String> = self.0.db().query_one(
            "SELECT max(time) FROM bars WHERE timeframe = ?1",
            params![timeframe.as_str()],
            |r| r.get(0),
        )?;
        newest.map(|s| parse_ts(&s, "bars", "time")).transpose()
    }
}

impl<S: DerefMut<Target = Store>> Enrich<S> {
    /// Deletes the runs dated (`as_of`) before `before`, except the `keep_last` newest
    /// runs and any run still `running`, with their jobs and what hangs off them
    /// (fetches, quarantined bars, quality issues). Bars are not touched: they have
    /// their own window ([`Enrich::prune_bars`]).
    pub fn prune_runs(&mut self, before: DateTime<Utc>, keep_last: u32) -> Result<PruneStats> {
        self.prune_runs_with(before, keep_last, PRUNE_BATCH_ROWS, PRUNE_PAUSE)
    }

    pub(crate) fn prune_runs_with(
        &mut self,
        before: DateTime<Utc>,
        keep_last: u32,
        limit: usize,
        pause: Duration,
    ) -> Result<PruneStats> {
        let runs = self.0.db().query(
            "SELECT id FROM enrich_runs WHERE as_of < ?1 AND status != 'running'
               AND id NOT IN
                 (SELECT id FROM enrich_runs ORDER BY as_of DESC, id DESC LIMIT ?2)
             ORDER BY id",
            params![ts(before), i64::from(keep_last)],
            |r| r.get::<i64>(0),
        )?;
        // A job's fetches, quarantined bars and issues go with it (ON DELETE CASCADE):
        // a few rows each, deleted first so a batch counts them; then the jobs.
        let mut children: Vec<String> = [
            ("enrich_fetches", "job_id, timeframe"),
            ("quarantined_bars", "id"),
            ("enrich_quality", "id"),
        ]
        .iter()
        .map(|(table, key)| {
            format!(
                "DELETE FROM {table} WHERE ({key}) IN
                     (SELECT {key} FROM {table}
                      WHERE job_id IN (SELECT id FROM enrich_jobs WHERE run_id = ?1)
                      LIMIT ?2)"
            )
        })
        .collect();
        children.push(
            "DELETE FROM enrich_jobs WHERE id IN
                 (SELECT id FROM enrich_jobs WHERE run_id = ?1 LIMIT ?2)"
                .to_string(),
        );
        let mut next = 0;
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            let mut left = limit;
            while left > 0 && next < runs.len() {
                let id = runs[next];
                for sql in &children {
                    if left > 0 {
                        left -= tx.execute(sql, params![id, left as i64])?;
                    }
                }
                if left > 0 {
                    // Fewer rows than asked for: the run's last ones are gone.
                    left -= tx.execute("DELETE FROM enrich_runs WHERE id = ?1", params![id])?;
                    next += 1;
                }
            }
            Ok(limit - left)
        })
    }

    /// Deletes the bars of `timeframe` older than `before`, except each symbol's newest
    /// bar of that timeframe, which is kept however old.
    pub fn prune_bars(
        &mut self,
        timeframe: Timeframe,
        before: DateTime<Utc>,
    ) -> Result<PruneStats> {
        self.prune_bars_with(timeframe, before, PRUNE_BATCH_ROWS, PRUNE_PAUSE)
    }

    pub(crate) fn prune_bars_with(
        &mut self,
        timeframe: Timeframe,
        before: DateTime<Utc>,
        limit: usize,
        pause: Duration,
    ) -> Result<PruneStats> {
        let (tf, before) = (timeframe.as_str(), ts(before));
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            tx.execute(
                "DELETE FROM bars WHERE (symbol, timeframe, time) IN
                     (SELECT symbol, timeframe, time FROM bars AS b
                      WHERE timeframe = ?1 AND time < ?2
                        AND time < (SELECT max(time) FROM bars
                                    WHERE symbol = b.symbol AND timeframe = ?1)
                      LIMIT ?3)",
                params![tf, &before, limit as i64],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::market::{AssetClass, Bar, Timeframe};
    use crate::store::enrich::{Checked, RunStatus, RunTotals};
    use crate::store::tests::backends;
    use chrono::{DateTime, TimeZone, Utc};
    use std::time::Duration;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, d, 14, 30, 0).unwrap()
    }

    fn bar(time: DateTime<Utc>) -> Bar {
        Bar {
            time,
            open: 10.0,
            high: 11.0,
            low: 9.0,
            close: 10.0,
            volume: 10,
            open_interest: None,
        }
    }

    #[test]
    fn old_runs_go_with_their_jobs_but_never_the_newest_or_a_running_one() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let syms = [
                ("AAPL".to_string(), AssetClass::Stock),
                ("MSFT".to_string(), AssetClass::Stock),
            ];
            let mut runs = Vec::new();
            for d in 1..=6 {
                let run = s
                    .enrich_mut()
                    .begin_run(day(d), day(d), "sim", &[Timeframe::D1], 2)
                    .unwrap();
                let jobs = s.enrich_mut().queue_jobs(run, &syms, day(d)).unwrap();
                let checked = Checked {
                    good: vec![bar(day(d))],
                    ..Checked::default()
                };
                for (job, (sym, _)) in jobs.iter().zip(&syms) {
                    s.enrich_mut()
                        .record_bars(*job, run, sym, Timeframe::D1, &checked, day(d))
                        .unwrap();
                }
                if d != 2 {
                    s.enrich_mut()
                        .finish_run(run, RunStatus::Succeeded, day(d), &RunTotals::default())
                        .unwrap();
                }
                runs.push(run);
            }
            // Before day 6 with the 3 newest kept: days 1 and 3 go; day 2 still runs.
            let stats = s
                .enrich_mut()
                .prune_runs_with(day(6), 3, 1, Duration::ZERO)
                .unwrap();
            assert_eq!(stats.rows, 6, "two runs and their two jobs each");
            assert_eq!(stats.largest_batch, 1);
            let left: Vec<i64> = s
                .enrich()
                .list_runs(None)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .rev()
                .collect();
            assert_eq!(left, [runs[1], runs[3], runs[4], runs[5]]);
            assert!(s.enrich().list_jobs(runs[0]).unwrap().is_empty());
            assert_eq!(s.enrich().list_jobs(runs[3]).unwrap().len(), 2);

            // Bars before day 4 go, but each symbol keeps its newest however old.
            let stats = s
                .enrich_mut()
                .prune_bars_with(Timeframe::D1, day(4), 1, Duration::ZERO)
                .unwrap();
            assert_eq!(stats.rows, 6);
            let aapl = s
                .enrich()
                .bars_since("AAPL", Timeframe::D1, day(1))
                .unwrap();
            assert_eq!(aapl.len(), 3);
            let stats = s.enrich_mut().prune_bars(Timeframe::D1, day(30)).unwrap();
            assert_eq!(stats.rows, 4);
            let aapl = s
                .enrich()
                .bars_since("AAPL", Timeframe::D1, day(1))
                .unwrap();
            assert_eq!(aapl.iter().map(|b| b.time).collect::<Vec<_>>(), [day(6)]);
        }
    }
}
