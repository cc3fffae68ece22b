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
    use crate::market::{AssetClass, Bar};
    use crate::store::tests::temp_store;
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
        let (_dir, mut s) = temp_store();
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

    #[test]
    fn bars_keep_their_open_interest_and_a_new_figure_revises_the_bar() {
        let (_dir, mut s) = temp_store();
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
        let mut record = |bars: Vec<Bar>| {
            let checked = Checked {
                good: bars,
                ..Checked::default()
            };
            s.enrich_mut()
                .record_bars(job, run, "NIFTYFUT", Timeframe::H1, &checked, t(16))
                .unwrap()
        };
        record(vec![with_oi(14, Some(13_667_775.0)), with_oi(15, None)]);
        // Kite revises the last bar's OI after the session: the bar is revised; the same
        // figures again change nothing.
        let next = vec![
            with_oi(14, Some(13_667_775.0)),
            with_oi(15, Some(13_758_000.0)),
        ];
        assert_eq!(record(next.clone()).revised, 1);
        assert_eq!(record(next).revised, 0);
        let bars = s
            .enrich()
            .bars_since("NIFTYFUT", Timeframe::H1, t(0))
            .unwrap();
        assert_eq!(
            bars.iter().map(|b| b.open_interest).collect::<Vec<_>>(),
            [Some(13_667_775.0), Some(13_758_000.0)]
        );
    }

    #[test]
    fn quarantined_bars_and_issues_are_kept_apart() {
        let (_dir, mut s) = temp_store();
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

    #[test]
    fn interrupted_runs_fail_their_unfinished_jobs() {
        let (_dir, mut s) = temp_store();
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

    #[test]
    fn the_pause_flag_round_trips() {
        let (_dir, mut s) = temp_store();
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
