//! enrich's tables: `bars` (good bars only), `quarantined_bars`, `indicators` (the latest
//! per symbol and timeframe), `enrich_runs`, `enrich_jobs` (one per symbol per run),
//! `enrich_fetches` (one per job and timeframe), `enrich_quality` and `enrich_control`
//! (the pause flag). The pipeline is in `enrich::run`; the reports in `enrich::report`.
//!
//! `runs` has the runs, jobs, fetches and the pause flag; `bars` the bars, quarantined
//! bars, quality issues and indicators. Both add to the one [`Enrich`] handle.

use chrono::{DateTime, Utc};

use super::{Result, parse_ts};
use crate::market::Timeframe;

fn corrupt(table: &'static str, column: &'static str, detail: &str) -> super::Error {
    super::Error::Corrupt {
        table,
        column,
        detail: detail.to_string(),
    }
}

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $table:literal { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            fn parse(s: &str) -> Result<Self> {
                match s {
                    $($s => Ok($name::$v),)+
                    other => Err(corrupt($table, "status", other)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

fn tf(s: &str, table: &'static str) -> Result<Timeframe> {
    s.parse().map_err(|_| corrupt(table, "timeframe", s))
}

fn opt_ts(
    v: Option<String>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    v.map(|s| parse_ts(&s, table, column)).transpose()
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

/// The `enrich` family: `Store::enrich()` reads, `Store::enrich_mut()` also writes.
pub struct Enrich<S>(pub(super) S);

mod bars;
mod prune;
mod runs;

pub use bars::*;
pub use runs::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{AssetClass, Bar, IndicatorSnapshot};
    use crate::store::tests::backends;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 30, 0).unwrap()
    }

    fn bar(h: u32, close: f64) -> Bar {
        Bar {
            time: t(h),
            open: close,
            high: close + 1.0,
            low: close - 1.0,
            close,
            volume: 10,
            open_interest: None,
        }
    }

    #[test]
    fn bars_upsert_idempotently_and_count_new_and_revised() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let run = s
                .enrich_mut()
                .begin_run(t(1), t(1), "sim", &[Timeframe::H1], 1)
                .unwrap();
            let job = s
                .enrich_mut()
                .queue_jobs(run, &[("AAPL".into(), AssetClass::Stock)], t(1))
                .unwrap()[0];
            let checked = |bars: Vec<Bar>| Checked {
                good: bars,
                ..Checked::default()
            };
            let first = checked(vec![bar(14, 10.0), bar(15, 11.0)]);
            let c = s
                .enrich_mut()
                .record_bars(job, run, "AAPL", Timeframe::H1, &first, t(16))
                .unwrap();
            assert_eq!(
                c,
                BarCounts {
                    added: 2,
                    revised: 0
                }
            );
            // The same bars again: nothing changes.
            let c = s
                .enrich_mut()
                .record_bars(job, run, "AAPL", Timeframe::H1, &first, t(16))
                .unwrap();
            assert_eq!(c, BarCounts::default());
            // A revision and a new bar.
            let next = checked(vec![bar(15, 11.5), bar(16, 12.0)]);
            let c = s
                .enrich_mut()
                .record_bars(job, run, "AAPL", Timeframe::H1, &next, t(17))
                .unwrap();
            assert_eq!(
                c,
                BarCounts {
                    added: 1,
                    revised: 1
                }
            );
            let bars = s.enrich().bars_since("AAPL", Timeframe::H1, t(0)).unwrap();
            assert_eq!(
                bars.iter().map(|b| b.close).collect::<Vec<_>>(),
                [10.0, 11.5, 12.0]
            );
            // The fetch window: the 2nd newest with overlap 2, just after the newest with 0.
            let w = |sym, overlap| {
                let w = s.enrich().bar_window(sym, Timeframe::H1, overlap).unwrap();
                (w.from, w.newest)
            };
            assert_eq!(w("AAPL", 2), (Some(t(15)), Some(t(16))));
            assert_eq!(w("AAPL", 9), (None, Some(t(16))));
            assert_eq!(w("AAPL", 0).0, Some(t(16) + chrono::TimeDelta::seconds(1)));
            assert_eq!(w("MSFT", 2), (None, None));
        }
    }

    #[test]
    fn bars_keep_their_open_interest_and_a_new_figure_revises_the_bar() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let run = s
                .enrich_mut()
                .begin_run(t(1), t(1), "kite", &[Timeframe::H1], 1)
                .unwrap();
            let job = s
                .enrich_mut()
                .queue_jobs(run, &[("NIFTYFUT".into(), AssetClass::Index)], t(1))
                .unwrap()[0];
            let with_oi = |h, oi| Bar {
                open_interest: oi,
                ..bar(h, 10.0)
            };
            let mut store = |job: i64, checked: &Checked| {
                s.enrich_mut()
                    .record_bars(job, run, "NIFTYFUT", Timeframe::H1, checked, t(16))
            };
            // The first write on this connection fails (its quarantined bar names no job):
            // none of its bars is stored, and the next write works.
            let failing = Checked {
                good: vec![with_oi(14, Some(1.0))],
                quarantined: vec![Quarantined {
                    bar: bar(17, 10.0),
                    kind: QualityCheck::NonPositive,
                    reason: "a price is not positive".into(),
                }],
                ..Checked::default()
            };
            store(job + 1000, &failing).unwrap_err();
            let mut record = |bars: Vec<Bar>| {
                let checked = Checked {
                    good: bars,
                    ..Checked::default()
                };
                store(job, &checked).unwrap()
            };
            let first = record(vec![with_oi(14, Some(13_667_775.0)), with_oi(15, None)]);
            assert_eq!((first.added, first.revised), (2, 0));
            // Kite revises the last bar's OI after the session: the bar is revised; the same
            // figures again change nothing.
            let next = vec![
                with_oi(14, Some(13_667_775.0)),
                with_oi(15, Some(13_758_000.0)),
            ];
            assert_eq!(record(next.clone()).revised, 1);
            let again = record(next.clone());
            assert_eq!((again.added, again.revised), (0, 0));
            // Again, failing after bars were stored: it changes none of them.
            let mut with_new = next;
            with_new.push(with_oi(16, Some(1.0)));
            let failing = Checked {
                good: with_new.clone(),
                ..failing
            };
            store(job + 1000, &failing).unwrap_err();
            let stored = store(
                job,
                &Checked {
                    good: with_new,
                    ..Checked::default()
                },
            )
            .unwrap();
            assert_eq!((stored.added, stored.revised), (1, 0));
            let bars = s
                .enrich()
                .bars_since("NIFTYFUT", Timeframe::H1, t(0))
                .unwrap();
            assert_eq!(
                bars.iter().map(|b| b.open_interest).collect::<Vec<_>>(),
                [Some(13_667_775.0), Some(13_758_000.0), Some(1.0)]
            );
        }
    }

    #[test]
    fn quarantined_bars_and_issues_are_kept_apart() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let run = s
                .enrich_mut()
                .begin_run(t(1), t(1), "sim", &[Timeframe::H1], 1)
                .unwrap();
            let job = s
                .enrich_mut()
                .queue_jobs(run, &[("AAPL".into(), AssetClass::Stock)], t(1))
                .unwrap()[0];
            let mut bad = bar(15, 11.0);
            bad.close = f64::NAN;
            let checked = Checked {
                good: vec![bar(14, 10.0)],
                quarantined: vec![Quarantined {
                    bar: bad,
                    kind: QualityCheck::NonPositive,
                    reason: "a price is not positive".into(),
                }],
                issues: vec![Issue {
                    kind: QualityCheck::NonPositive,
                    bar_time: Some(t(15)),
                    detail: "a price is not positive".into(),
                }],
            };
            s.enrich_mut()
                .record_bars(job, run, "AAPL", Timeframe::H1, &checked, t(16))
                .unwrap();
            assert_eq!(
                s.enrich()
                    .bars_since("AAPL", Timeframe::H1, t(0))
                    .unwrap()
                    .len(),
                1
            );
            let spans = s.enrich().list_bar_spans("AAPL").unwrap();
            assert_eq!((spans[0].bars, spans[0].quarantined), (1, 1));
            let issues = s.enrich().list_issues(job).unwrap();
            assert_eq!(issues[0].kind, QualityCheck::NonPositive);
            assert_eq!(issues[0].bar_time, Some(t(15)));
            let counts = s.enrich().quality_counts(t(0)).unwrap();
            assert!(counts.contains(&(QualityCheck::NonPositive, 1)));
            assert!(counts.contains(&(QualityCheck::Gap, 0)));
        }
    }

    #[test]
    fn interrupted_runs_fail_their_unfinished_jobs() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let run = s
                .enrich_mut()
                .begin_run(t(1), t(1), "sim", &[Timeframe::D1], 2)
                .unwrap();
            let jobs = s
                .enrich_mut()
                .queue_jobs(
                    run,
                    &[
                        ("AAPL".into(), AssetClass::Stock),
                        ("SPY".into(), AssetClass::Etf),
                    ],
                    t(1),
                )
                .unwrap();
            s.enrich_mut()
                .finish_job(
                    jobs[0],
                    &JobFinish {
                        status: JobStatus::Succeeded,
                        attempts: 1,
                        finished_at: t(2),
                        fetch_ms: 1.0,
                        compute_ms: 1.0,
                        bars_added: 5,
                        quality_issues: 0,
                        last_error: None,
                    },
                )
                .unwrap();
            s.enrich_mut()
                .set_job_status(jobs[1], JobStatus::Retrying, t(2), 2, Some("boom"))
                .unwrap();
            assert_eq!(s.enrich().job_progress(run).unwrap(), (0, 1, 1));
            assert_eq!(s.enrich_mut().mark_interrupted(t(3)).unwrap(), vec![run]);
            let rows = s.enrich().list_jobs(run).unwrap();
            assert_eq!(rows[0].status, JobStatus::Succeeded);
            assert_eq!(rows[1].status, JobStatus::Failed);
            assert!(
                rows[1]
                    .last_error
                    .as_deref()
                    .unwrap()
                    .contains("interrupted")
            );
            assert_eq!(
                s.enrich().list_runs(None).unwrap()[0].status,
                RunStatus::Interrupted
            );
            assert_eq!(s.enrich().latest_job("spy").unwrap().unwrap().id, jobs[1]);
        }
    }

    #[test]
    fn the_pause_flag_round_trips() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            assert!(!s.enrich().pause().unwrap().paused);
            s.enrich_mut()
                .set_pause(true, Some("vendor outage"), t(1))
                .unwrap();
            let p = s.enrich().pause().unwrap();
            assert!(p.paused);
            assert_eq!(p.reason.as_deref(), Some("vendor outage"));
            s.enrich_mut().set_pause(false, None, t(2)).unwrap();
            assert!(!s.enrich().pause().unwrap().paused);
        }
    }

    /// A whole symbol's history in one batch (thousands of bars), then the same history
    /// again with some bars revised and some new: one upsert per bar, counted right.
    #[test]
    fn a_batch_of_thousands_of_bars_upserts_each_bar_once() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let run = s
                .enrich_mut()
                .begin_run(t(1), t(1), "sim", &[Timeframe::M5], 1)
                .unwrap();
            let job = s
                .enrich_mut()
                .queue_jobs(run, &[("SPY".into(), AssetClass::Etf)], t(1))
                .unwrap()[0];
            let five = |i: i64, close: f64| Bar {
                time: t(0) + chrono::TimeDelta::minutes(5 * i),
                ..bar(0, close)
            };
            let first = Checked {
                good: (0..2000).map(|i| five(i, 100.0)).collect(),
                ..Checked::default()
            };
            let c = s
                .enrich_mut()
                .record_bars(job, run, "SPY", Timeframe::M5, &first, t(2))
                .unwrap();
            assert_eq!(
                c,
                BarCounts {
                    added: 2000,
                    revised: 0
                },
                "{}",
                s.backend()
            );
            // Every 10th of the last 1000 revised, 100 new after them.
            let next = Checked {
                good: (1000..2100)
                    .map(|i| five(i, if i % 10 == 0 { 101.0 } else { 100.0 }))
                    .collect(),
                ..Checked::default()
            };
            let c = s
                .enrich_mut()
                .record_bars(job, run, "SPY", Timeframe::M5, &next, t(3))
                .unwrap();
            assert_eq!(
                c,
                BarCounts {
                    added: 100,
                    revised: 100
                },
                "{}",
                s.backend()
            );
            let bars = s.enrich().bars_since("SPY", Timeframe::M5, t(0)).unwrap();
            assert_eq!(bars.len(), 2100);
            assert_eq!(bars.iter().filter(|b| b.close == 101.0).count(), 110);
            assert_eq!(bars[2099].time, t(0) + chrono::TimeDelta::minutes(5 * 2099));
            let spans = s.enrich().list_bar_spans("SPY").unwrap();
            assert_eq!(spans.len(), 1);
            assert_eq!((spans[0].bars, spans[0].quarantined), (2100, 0));
            assert_eq!(
                (spans[0].first, spans[0].last),
                (bars[0].time, bars[2099].time)
            );
            assert_eq!(
                s.enrich().newest_bar(Timeframe::M5).unwrap(),
                Some(bars[2099].time)
            );
            assert_eq!(s.enrich().newest_bar(Timeframe::D1).unwrap(), None);
        }
    }

    fn fetch(tf: Timeframe, status: FetchStatus, attempts: u32, added: u64) -> FetchRow {
        FetchRow {
            timeframe: tf,
            status,
            range_from: t(0),
            range_to: t(2),
            attempts,
            calls_ms: 12.5,
            fetch_ms: 20.0,
            compute_ok: (status == FetchStatus::Succeeded).then_some(true),
            compute_ms: 3.0,
            bars_fetched: added,
            bars_added: added,
            bars_revised: 0,
            bars_quarantined: 1,
            quality_issues: 1,
            finished_at: t(2),
            error: (status == FetchStatus::Failed).then(|| "HTTP 500".to_string()),
        }
    }

    /// Runs, jobs and fetches read back as written, and the metrics add them up.
    #[test]
    fn runs_jobs_and_fetches_read_back_and_add_up() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            assert!(s.enrich().has_tables().unwrap());
            assert!(!s.db().has_table("enrich_run").unwrap());
            assert_eq!(s.enrich().fetch_stats(t(0)).unwrap(), FetchStats::default());
            let tfs = [Timeframe::H1, Timeframe::D1];
            let old = s
                .enrich_mut()
                .begin_run(t(1), t(1), "sim", &tfs, 2)
                .unwrap();
            let run = s
                .enrich_mut()
                .begin_run(t(2), t(2), "sim", &tfs, 2)
                .unwrap();
            assert!(run > old);
            let jobs = s
                .enrich_mut()
                .queue_jobs(
                    run,
                    &[
                        ("AAPL".into(), AssetClass::Stock),
                        ("SPY".into(), AssetClass::Etf),
                    ],
                    t(2),
                )
                .unwrap();
            s.enrich_mut()
                .set_job_status(jobs[0], JobStatus::Running, t(2), 0, None)
                .unwrap();
            s.enrich_mut()
                .set_job_status(jobs[0], JobStatus::Retrying, t(3), 1, Some("HTTP 500"))
                .unwrap();
            // A retried fetch replaces its first record.
            s.enrich_mut()
                .record_fetch(jobs[0], &fetch(Timeframe::D1, FetchStatus::Failed, 1, 0))
                .unwrap();
            s.enrich_mut()
                .record_fetch(jobs[0], &fetch(Timeframe::D1, FetchStatus::Succeeded, 2, 7))
                .unwrap();
            s.enrich_mut()
                .record_fetch(jobs[0], &fetch(Timeframe::H1, FetchStatus::Skipped, 0, 0))
                .unwrap();
            let fetches = s.enrich().list_fetches(jobs[0]).unwrap();
            assert_eq!(
                fetches,
                vec![
                    fetch(Timeframe::H1, FetchStatus::Skipped, 0, 0),
                    fetch(Timeframe::D1, FetchStatus::Succeeded, 2, 7),
                ],
                "{}",
                s.backend()
            );
            let stats = s.enrich().fetch_stats(t(0)).unwrap();
            assert_eq!(
                stats,
                FetchStats {
                    fetches: 2,
                    fetches_ok: 1,
                    fetches_failed: 0,
                    fetches_skipped: 1,
                    computes: 1,
                    computes_ok: 1,
                    calls: 2,
                    calls_ms: 25.0,
                    bars_added: 7,
                    bars_quarantined: 2,
                },
                "{}",
                s.backend()
            );
            assert_eq!(s.enrich().fetch_stats(t(3)).unwrap(), FetchStats::default());
            s.enrich_mut()
                .finish_job(
                    jobs[0],
                    &JobFinish {
                        status: JobStatus::Succeeded,
                        attempts: 2,
                        finished_at: t(4),
                        fetch_ms: 40.0,
                        compute_ms: 6.0,
                        bars_added: 7,
                        quality_issues: 2,
                        last_error: None,
                    },
                )
                .unwrap();
            let job = s.enrich().latest_job("aapl").unwrap().unwrap();
            assert_eq!(job.id, jobs[0]);
            assert_eq!((job.status, job.attempts), (JobStatus::Succeeded, 2));
            assert_eq!((job.started_at, job.finished_at), (Some(t(2)), Some(t(4))));
            assert_eq!((job.fetch_ms, job.bars_added), (40.0, 7));
            assert_eq!(job.last_error, None);
            assert_eq!(s.enrich().latest_job("QQQ").unwrap(), None);
            assert_eq!(s.enrich().job_progress(run).unwrap(), (1, 0, 1));
            assert_eq!(
                s.enrich().job_stats(t(0)).unwrap(),
                JobStats {
                    succeeded: 1,
                    failed: 0,
                    skipped: 0
                }
            );

            let totals = RunTotals {
                succeeded: 1,
                skipped: 1,
                bars_added: 7,
                provider_calls: 2,
                retries: 1,
                duration_ms: 3_600_000,
                ..RunTotals::default()
            };
            s.enrich_mut()
                .finish_run(run, RunStatus::Partial, t(4), &totals)
                .unwrap();
            let got = s.enrich().get_run(run).unwrap().unwrap();
            assert_eq!(got.status, RunStatus::Partial);
            assert_eq!(got.pid, std::process::id());
            assert_eq!(got.timeframes, tfs);
            assert_eq!((got.symbols, got.succeeded, got.skipped), (2, 1, 1));
            assert_eq!((got.retries, got.duration_ms), (1, Some(3_600_000)));
            assert_eq!(got.finished_at, Some(t(4)));
            assert_eq!(s.enrich().get_run(run + 100).unwrap(), None);
            let ids = |rows: Vec<RunRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
            assert_eq!(ids(s.enrich().list_runs(None).unwrap()), [run, old]);
            assert_eq!(ids(s.enrich().list_runs(Some(1)).unwrap()), [run]);
            assert_eq!(s.enrich().count_runs_since(t(2)).unwrap(), 1);
            let latest = |st: &[RunStatus]| s.enrich().latest_run(st).unwrap().map(|r| r.id);
            assert_eq!(
                latest(&[RunStatus::Succeeded, RunStatus::Partial]),
                Some(run)
            );
            assert_eq!(latest(&[RunStatus::Running]), Some(old));
            assert_eq!(latest(&[RunStatus::Failed]), None);
        }
    }

    /// The latest indicators replace the previous ones of the same symbol and timeframe.
    #[test]
    fn indicators_keep_the_latest_per_symbol_and_timeframe() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            let snap = |h: u32, close: f64| IndicatorSnapshot {
                time: t(h),
                close,
                sma_20: Some(close - 1.0),
                sma_50: None,
                sma_200: None,
                ema_12: Some(close + 0.5),
                ema_26: None,
                rsi_14: Some(55.0),
                macd: None,
                macd_signal: None,
                macd_histogram: None,
                atr_14: Some(1.25),
                bb_middle: None,
                bb_upper: None,
                bb_lower: None,
                rv_20: Some(0.2),
                rv_60: None,
                high_52w: Some(close + 10.0),
                low_52w: Some(close - 10.0),
            };
            s.enrich_mut()
                .record_indicators("AAPL", Timeframe::D1, &snap(14, 10.0), 30, t(15), 1)
                .unwrap();
            s.enrich_mut()
                .record_indicators("AAPL", Timeframe::H1, &snap(14, 9.0), 300, t(15), 1)
                .unwrap();
            s.enrich_mut()
                .record_indicators("AAPL", Timeframe::D1, &snap(15, 11.0), 31, t(16), 2)
                .unwrap();
            let rows = s.enrich().list_indicators("AAPL").unwrap();
            assert_eq!(
                rows,
                vec![
                    IndicatorRow {
                        symbol: "AAPL".into(),
                        timeframe: Timeframe::H1,
                        values: snap(14, 9.0),
                        bars: 300,
                        computed_at: t(15),
                    },
                    IndicatorRow {
                        symbol: "AAPL".into(),
                        timeframe: Timeframe::D1,
                        values: snap(15, 11.0),
                        bars: 31,
                        computed_at: t(16),
                    },
                ],
                "{}",
                s.backend()
            );
            assert!(s.enrich().list_indicators("MSFT").unwrap().is_empty());
        }
    }
}
