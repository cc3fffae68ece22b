//! `optctl compare`: both schedulers on the same data, judged side by side.
//!
//! Following GitHub's Scientist: the legacy scheduler is the control and its result is
//! the one reported as *the* signals; the unified scheduler is the candidate, whose
//! failures are recorded and never affect the control. The order of the two alternates
//! from one run to the next so that warm caches (the OS's, the provider's) favour
//! neither, `--runs N` reports medians, and every run also repeats the control: the
//! legacy-vs-legacy time difference is the noise floor a timing difference is judged
//! against. Every unified run starts from the same stored cache (nothing is written
//! between runs), so the runs are repeats of one experiment.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::cache::{self, Projection, SymbolCache, pct_reduction};
use super::criteria::{self, Criterion, Evidence, median};
use super::migration::State;
use super::run::{self, FetchError, Fetcher, Job, RunReport};
use super::{Category, SchedulerConfig, SchedulerKind, Signal};
use crate::market::Calendar;
use crate::progress::Progress;
use crate::store::Store;
use crate::store::scheduler::{CacheWrite, ComparisonRow, Source, TickWrite};

/// A signal only one scheduler found (or found with another price or strength).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The scheduler that found it.
    pub found_by: SchedulerKind,
    pub signal: Signal,
}

/// How far the two schedulers' signals agree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parity {
    pub legacy_signals: u64,
    pub unified_signals: u64,
    pub matching: u64,
    pub only_legacy: u64,
    pub only_unified: u64,
    /// `100 * matching / (matching + only_legacy + only_unified)`; 100 when neither found any.
    pub match_pct: f64,
    pub differences: Vec<Difference>,
}

fn same_values(a: &Signal, b: &Signal) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    close(a.price, b.price) && close(a.strength, b.strength)
}

/// Matches signals by setup (symbol, category, strategy, direction, bar time); a setup
/// found by both with another price or strength counts on both sides as different.
pub fn parity(legacy: &[Signal], unified: &[Signal]) -> Parity {
    let l: BTreeMap<_, &Signal> = legacy.iter().map(|s| (s.key(), s)).collect();
    let u: BTreeMap<_, &Signal> = unified.iter().map(|s| (s.key(), s)).collect();
    let mut p = Parity {
        legacy_signals: l.len() as u64,
        unified_signals: u.len() as u64,
        matching: 0,
        only_legacy: 0,
        only_unified: 0,
        match_pct: 100.0,
        differences: Vec::new(),
    };
    for (k, a) in &l {
        match u.get(k) {
            Some(b) if same_values(a, b) => p.matching += 1,
            _ => {
                p.only_legacy += 1;
                p.differences.push(Difference {
                    found_by: SchedulerKind::Legacy,
                    signal: (*a).clone(),
                });
            }
        }
    }
    for (k, b) in &u {
        if !l.get(k).is_some_and(|a| same_values(a, b)) {
            p.only_unified += 1;
            p.differences.push(Difference {
                found_by: SchedulerKind::Unified,
                signal: (*b).clone(),
            });
        }
    }
    let union = p.matching + p.only_legacy + p.only_unified;
    if union > 0 {
        p.match_pct = 100.0 * p.matching as f64 / union as f64;
    }
    p
}

/// The cache writes for the series `cache` fetched.
pub(crate) fn cache_writes(cache: &SymbolCache) -> Vec<CacheWrite> {
    cache
        .fetched()
        .map(|(key, e)| {
            let bars_json = serde_json::to_string(&*e.bars).unwrap_or_else(|_| "[]".into());
            CacheWrite {
                symbol: key.0.clone(),
                timeframe: key.1,
                range_from: e.from,
                fetched_to: e.fetched_to,
                expires_at: cache::expires_at(key.1, e.fetched_to, cache.ttl()),
                bar_count: e.bars.len(),
                bars_json,
            }
        })
        .collect()
}

/// The stored row of one tick where both schedulers ran once.
pub(crate) fn tick_row(
    state: &State,
    as_of: DateTime<Utc>,
    warm: bool,
    legacy: &RunReport,
    unified: &RunReport,
    parity: &Parity,
) -> ComparisonRow {
    ComparisonRow {
        id: 0,
        created_at: as_of,
        source: Source::Run,
        phase: state.phase,
        step: state.step,
        categories: legacy.categories.clone(),
        runs: 1,
        warm,
        legacy_signals: parity.legacy_signals,
        unified_signals: parity.unified_signals,
        matching: parity.matching,
        only_legacy: parity.only_legacy,
        only_unified: parity.only_unified,
        legacy_calls: legacy.provider_calls as f64,
        unified_calls: unified.provider_calls as f64,
        legacy_ms: legacy.duration_ms,
        unified_ms: unified.duration_ms,
        noise_floor_pct: None,
        lookups: unified.lookups,
        cache_hits: unified.cache_hits,
        legacy_failed_calls: legacy.failed_calls,
        unified_failed_calls: unified.failed_calls,
        report: serde_json::json!({
            "differences": parity.differences,
            "legacy_errors": legacy.errors,
            "unified_errors": unified.errors,
        }),
    }
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct Options {
    pub categories: Vec<Category>,
    /// Repeats of the experiment (at least 1); figures are medians.
    pub runs: usize,
    pub as_of: DateTime<Utc>,
    /// The session the projected day is laid on (`[scheduler] market`'s calendar).
    pub hours: Calendar,
}

/// One scheduler's side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Signals of the first run.
    pub signals: u64,
    /// Medians over the runs.
    pub provider_calls: f64,
    pub failed_calls: f64,
    pub duration_ms: f64,
    /// (category, symbol) pairs that could not be analysed in the first run.
    pub symbols_failed: u64,
    pub calls_per_run: Vec<u64>,
    pub duration_ms_per_run: Vec<f64>,
}

impl Side {
    fn of(runs: &[RunReport]) -> Side {
        let med = |f: &dyn Fn(&RunReport) -> f64| {
            median(&mut runs.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0)
        };
        Side {
            signals: runs.first().map_or(0, |r| r.signals.len() as u64),
            provider_calls: med(&|r| r.provider_calls as f64),
            failed_calls: med(&|r| r.failed_calls as f64),
            duration_ms: med(&|r| r.duration_ms),
            symbols_failed: runs.first().map_or(0, |r| r.symbols_failed),
            calls_per_run: runs.iter().map(|r| r.provider_calls).collect(),
            duration_ms_per_run: runs.iter().map(|r| r.duration_ms).collect(),
        }
    }
}

/// A failed call, with the scheduler that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideError {
    pub scheduler: SchedulerKind,
    #[serde(flatten)]
    pub error: FetchError,
}

/// What `optctl compare` reports (and stores).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub comparison_id: i64,
    pub as_of: DateTime<Utc>,
    pub provider: String,
    pub categories: Vec<Category>,
    pub runs: u64,
    /// Which scheduler ran first in each run (`legacy` or `unified`).
    pub first: Vec<SchedulerKind>,
    pub legacy: Side,
    pub unified: Side,
    /// Lookups of a unified run and how many the cache served (first run).
    pub lookups: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub hit_rate_pct: Option<f64>,
    /// Whether a unified run within the TTL had left series in the cache.
    pub cache_warm: bool,
    /// Series the stored cache could serve at the start.
    pub cache_stored_series: u64,
    /// `100 * (1 - unified / legacy)` of the median calls and times.
    pub call_reduction_pct: Option<f64>,
    pub time_reduction_pct: Option<f64>,
    /// Median legacy-vs-legacy time difference, percent of their mean.
    pub noise_floor_pct: Option<f64>,
    /// The repeated legacy run's times.
    pub legacy_repeat_ms_per_run: Vec<f64>,
    /// Whether the time reduction is larger than the noise floor.
    pub time_difference_significant: bool,
    pub parity: Parity,
    /// A day of ticks at the configured cadence, through the same cache rules.
    pub projected: Projection,
    /// Calls and hit rate judged on the projected day, the rest as measured.
    pub criteria: Vec<Criterion>,
    pub criteria_hold: bool,
    pub errors: Vec<SideError>,
    /// The control's (legacy) signals of the first run: the result of the comparison.
    pub signals: Vec<Signal>,
}

/// Runs the comparison, stores it (and the series fetched, in the cache) and reports.
pub async fn compare(
    store: &mut Store,
    fetcher: &Fetcher,
    cfg: &SchedulerConfig,
    opts: &Options,
    progress: &dyn Progress,
) -> crate::Result<Report> {
    let runs = opts.runs.max(1);
    let state = store.scheduler().state()?;
    let ttl = TimeDelta::minutes(i64::from(cfg.cache_ttl_minutes));
    let job = Job {
        categories: &opts.categories,
        cfg,
        as_of: opts.as_of,
    };
    let wanted = run::requests(cfg, &opts.categories);
    let lookups: u64 = wanted.values().sum();
    progress.start(runs as u64 * (2 * lookups + wanted.len() as u64));

    let (mut legacy, mut unified, mut repeat, mut first) = (vec![], vec![], vec![], vec![]);
    let mut last_cache = SymbolCache::empty(ttl);
    for i in 0..runs {
        let unified_first = i % 2 == 1;
        first.push(if unified_first {
            SchedulerKind::Unified
        } else {
            SchedulerKind::Legacy
        });
        if unified_first {
            let (u, c) = unified_run(store, fetcher, &job, ttl, progress).await?;
            unified.push(u);
            last_cache = c;
            legacy.push(run::legacy(fetcher, &job, progress).await);
        } else {
            legacy.push(run::legacy(fetcher, &job, progress).await);
            let (u, c) = unified_run(store, fetcher, &job, ttl, progress).await?;
            unified.push(u);
            last_cache = c;
        }
        repeat.push(run::legacy(fetcher, &job, progress).await);
    }
    progress.finish();

    let (l1, u1) = (&legacy[0], &unified[0]);
    let parity = parity(&l1.signals, &u1.signals);
    let (ls, us) = (Side::of(&legacy), Side::of(&unified));
    let mut floors: Vec<f64> = legacy
        .iter()
        .zip(&repeat)
        .filter(|(a, b)| a.duration_ms + b.duration_ms > 0.0)
        .map(|(a, b)| {
            200.0 * (a.duration_ms - b.duration_ms).abs() / (a.duration_ms + b.duration_ms)
        })
        .collect();
    let noise_floor_pct = median(&mut floors);
    let time_reduction_pct = pct_reduction(ls.duration_ms, us.duration_ms);
    let ticks = cache::session_ticks(
        &opts.hours,
        opts.hours.local_date(opts.as_of),
        TimeDelta::minutes(i64::from(cfg.cadence_minutes)),
    );
    let projected = cache::project_day(&wanted, &ticks, ttl, cfg.cadence_minutes);
    let evidence = Evidence {
        ticks: 1,
        legacy_calls: projected.legacy_calls as f64,
        unified_calls: projected.unified_calls as f64,
        legacy_ms: ls.duration_ms,
        unified_ms: us.duration_ms,
        noise_floor_pct,
        warm_lookups: projected.lookups,
        warm_hits: projected.cache_hits,
        matching: parity.matching,
        differing: parity.only_legacy + parity.only_unified,
        unified_failed_calls: u1.failed_calls,
        unified_fetches: u1.cache_misses as f64,
    };
    let criteria = criteria::judge(&evidence, &cfg.criteria, None);
    let mut errors: Vec<SideError> = l1
        .errors
        .iter()
        .map(|e| SideError {
            scheduler: SchedulerKind::Legacy,
            error: e.clone(),
        })
        .collect();
    errors.extend(u1.errors.iter().map(|e| SideError {
        scheduler: SchedulerKind::Unified,
        error: e.clone(),
    }));
    let mut report = Report {
        comparison_id: 0,
        as_of: opts.as_of,
        provider: fetcher.name().to_string(),
        categories: opts.categories.clone(),
        runs: runs as u64,
        first,
        lookups: u1.lookups,
        cache_hits: u1.cache_hits,
        cache_misses: u1.cache_misses,
        hit_rate_pct: (u1.lookups > 0).then(|| 100.0 * u1.cache_hits as f64 / u1.lookups as f64),
        cache_warm: last_cache.warm(),
        cache_stored_series: last_cache.stored_len() as u64,
        call_reduction_pct: pct_reduction(ls.provider_calls, us.provider_calls),
        time_reduction_pct,
        noise_floor_pct,
        legacy_repeat_ms_per_run: repeat.iter().map(|r| r.duration_ms).collect(),
        time_difference_significant: match (time_reduction_pct, noise_floor_pct) {
            (Some(r), Some(n)) => r > n,
            _ => false,
        },
        parity,
        projected,
        criteria_hold: criteria::all_hold(&criteria),
        criteria,
        errors,
        signals: l1.signals.clone(),
        legacy: ls,
        unified: us,
    };
    let row = ComparisonRow {
        id: 0,
        created_at: opts.as_of,
        source: Source::Compare,
        phase: state.phase,
        step: state.step,
        categories: opts.categories.clone(),
        runs: runs as u64,
        warm: report.cache_warm,
        legacy_signals: report.parity.legacy_signals,
        unified_signals: report.parity.unified_signals,
        matching: report.parity.matching,
        only_legacy: report.parity.only_legacy,
        only_unified: report.parity.only_unified,
        legacy_calls: report.legacy.provider_calls,
        unified_calls: report.unified.provider_calls,
        legacy_ms: report.legacy.duration_ms,
        unified_ms: report.unified.duration_ms,
        noise_floor_pct,
        lookups: report.lookups,
        cache_hits: report.cache_hits,
        legacy_failed_calls: l1.failed_calls,
        unified_failed_calls: u1.failed_calls,
        report: serde_json::to_value(&report).unwrap_or_default(),
    };
    let ids = store.scheduler_mut().record_tick(&TickWrite {
        tick_at: opts.as_of,
        phase: state.phase,
        step: state.step,
        runs: Vec::new(),
        comparison: Some(&row),
        cache: cache_writes(&last_cache),
    })?;
    report.comparison_id = ids.comparison_id.unwrap_or(0);
    super::prune(store, cfg, opts.as_of)?;
    Ok(report)
}

async fn unified_run(
    store: &Store,
    fetcher: &Fetcher,
    job: &Job<'_>,
    ttl: TimeDelta,
    progress: &dyn Progress,
) -> crate::Result<(RunReport, SymbolCache)> {
    // Reading the stored cache is part of the unified scheduler's cost: timed with it.
    let started = std::time::Instant::now();
    let mut cache = SymbolCache::load(store, job.as_of, ttl)?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut r = run::unified(fetcher, job, &mut cache, progress).await;
    r.duration_ms += load_ms;
    Ok((r, cache))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Timeframe;
    use crate::scheduler::Direction;

    fn sig(symbol: &str, price: f64) -> Signal {
        Signal {
            symbol: symbol.into(),
            category: Category::ShortTerm,
            strategy: "sma_cross".into(),
            direction: Direction::Long,
            price,
            strength: 70.0,
            bar_time: "2026-11-20T14:30:00Z".parse().unwrap(),
            timeframe: Timeframe::D1,
        }
    }

    #[test]
    fn parity_matches_by_setup_and_values() {
        let p = parity(
            &[sig("A", 1.0), sig("B", 2.0), sig("C", 3.0)],
            &[sig("A", 1.0), sig("B", 2.5), sig("D", 4.0)],
        );
        assert_eq!((p.matching, p.only_legacy, p.only_unified), (1, 2, 2));
        assert_eq!(p.match_pct, 20.0);
        let by: Vec<(SchedulerKind, &str)> = p
            .differences
            .iter()
            .map(|d| (d.found_by, d.signal.symbol.as_str()))
            .collect();
        assert_eq!(
            by,
            [
                (SchedulerKind::Legacy, "B"),
                (SchedulerKind::Legacy, "C"),
                (SchedulerKind::Unified, "B"),
                (SchedulerKind::Unified, "D")
            ]
        );
        let none = parity(&[], &[]);
        assert_eq!(none.match_pct, 100.0);
    }
}
