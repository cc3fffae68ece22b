//! The tick `optctl migrate-scheduler run` performs: run the schedulers the plan names,
//! store runs, signals, comparison and cache in one transaction.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{Phase, Role};
use crate::notice::{Item, Route};
use crate::progress::NoProgress;
use crate::scheduler::cache::SymbolCache;
use crate::scheduler::compare::{cache_writes, parity, tick_row};
use crate::scheduler::run::{self, FetchError, Fetcher, Job, RunReport};
use crate::scheduler::{Category, SchedulerConfig, Signal};
use crate::store::Store;
use crate::store::outbox::{OutboxEntry, SourceKind};
use crate::store::scheduler::TickWrite;

use super::state::Plan;

/// One scheduler run of a tick, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TickRun {
    pub role: Role,
    #[serde(flatten)]
    pub report: RunReport,
}

/// The comparison a tick recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TickComparison {
    pub id: i64,
    pub categories: Vec<Category>,
    pub legacy_first: bool,
    pub warm: bool,
    pub matching: u64,
    pub only_legacy: u64,
    pub only_unified: u64,
    pub match_pct: f64,
    pub legacy_calls: u64,
    pub unified_calls: u64,
    pub legacy_ms: f64,
    pub unified_ms: f64,
}

/// What `optctl migrate-scheduler run` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TickReport {
    pub as_of: DateTime<Utc>,
    pub phase: Phase,
    pub moved: Vec<Category>,
    pub plan: Plan,
    pub runs: Vec<TickRun>,
    pub comparison: Option<TickComparison>,
    /// The signals used this tick (legacy's for its categories, unified's for moved ones).
    pub signals: Vec<Signal>,
    /// Used signals stored for the first time.
    pub new_signals: u64,
    /// The stored `scheduler_runs` rows of this tick.
    pub run_ids: Vec<i64>,
    /// (category, symbol) pairs of the used runs, and those that failed.
    pub symbols: u64,
    pub symbols_failed: u64,
    /// Failed calls of the used runs (shadow failures are in `runs` and the comparison).
    pub errors: Vec<FetchError>,
}

/// The notification of a strategy signal found at `at`: its strength is the score,
/// and the message shows the price of the signal bar.
fn signal_item(s: &Signal, at: DateTime<Utc>) -> Item {
    Item {
        ticker: s.symbol.clone(),
        name: s.strategy.clone(),
        category: Some(s.category.as_str().to_string()),
        contract: None,
        direction: Some(s.direction.as_str().to_string()),
        score: s.strength,
        data: serde_json::json!({
            "price": s.price,
            "timeframe": s.timeframe.as_str(),
            "bar_time": crate::store::ts(s.bar_time),
        }),
        created_at: at,
    }
}

/// One tick in the current phase: run the schedulers the plan names, store their runs,
/// signals, comparison and the fetched series in one transaction. The used signals that
/// `notify` routes somewhere are queued in the outbox in that transaction too.
pub async fn tick(
    store: &mut Store,
    fetcher: &Fetcher,
    cfg: &SchedulerConfig,
    notify: &dyn Route,
    as_of: DateTime<Utc>,
) -> crate::Result<TickReport> {
    let state = store.scheduler().state()?;
    let plan = state.plan();
    let ttl = TimeDelta::minutes(i64::from(cfg.cache_ttl_minutes));
    let mut cache = if plan.shadow.is_empty() && plan.unified.is_empty() {
        SymbolCache::empty(ttl)
    } else {
        SymbolCache::load(store, as_of, ttl)?
    };
    let warm = cache.warm();
    let job = |categories| Job {
        categories,
        cfg,
        as_of,
    };
    let (mut legacy, mut shadow) = (None, None);
    // Alternate which side goes first, tick by tick, so warm caches favour neither.
    let legacy_first = store.scheduler().count_tick_comparisons()? % 2 == 0;
    let compared = !plan.legacy.is_empty() && !plan.shadow.is_empty();
    if !plan.legacy.is_empty() && (legacy_first || !compared) {
        legacy = Some(run::legacy(fetcher, &job(&plan.legacy), &NoProgress).await);
    }
    if !plan.shadow.is_empty() {
        shadow = Some(run::unified(fetcher, &job(&plan.shadow), &mut cache, &NoProgress).await);
    }
    if legacy.is_none() && !plan.legacy.is_empty() {
        legacy = Some(run::legacy(fetcher, &job(&plan.legacy), &NoProgress).await);
    }
    let used_unified = if plan.unified.is_empty() {
        None
    } else {
        Some(run::unified(fetcher, &job(&plan.unified), &mut cache, &NoProgress).await)
    };

    let row = match (&legacy, &shadow) {
        (Some(l), Some(u)) => {
            let p = parity(&l.signals, &u.signals);
            Some((tick_row(&state, as_of, warm, l, u, &p), p))
        }
        _ => None,
    };
    let outbox = |r: &Option<RunReport>| -> Vec<Option<OutboxEntry>> {
        match r {
            Some(r) if !notify.is_empty() => r
                .signals
                .iter()
                .map(|s| notify.entry(SourceKind::Signal, &signal_item(s, as_of)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (legacy_out, unified_out) = (outbox(&legacy), outbox(&used_unified));
    let mut runs = Vec::new();
    if let Some(l) = &legacy {
        runs.push(l.write(Role::Used, &legacy_out));
    }
    if let Some(u) = &shadow {
        runs.push(u.write(Role::Shadow, &[]));
    }
    if let Some(u) = &used_unified {
        runs.push(u.write(Role::Used, &unified_out));
    }
    let ids = store.scheduler_mut().record_tick(&TickWrite {
        tick_at: as_of,
        phase: state.phase,
        step: state.step,
        runs,
        comparison: row.as_ref().map(|(r, _)| r),
        cache: cache_writes(&cache),
    })?;
    crate::scheduler::prune(store, cfg, as_of)?;

    let mut report = TickReport {
        as_of,
        phase: state.phase,
        moved: state.moved.clone(),
        plan,
        runs: Vec::new(),
        comparison: None,
        signals: Vec::new(),
        new_signals: ids.new_signals,
        run_ids: ids.run_ids.clone(),
        symbols: 0,
        symbols_failed: 0,
        errors: Vec::new(),
    };
    if let (Some((r, p)), Some(id)) = (&row, ids.comparison_id) {
        report.comparison = Some(TickComparison {
            id,
            categories: r.categories.clone(),
            legacy_first,
            warm,
            matching: p.matching,
            only_legacy: p.only_legacy,
            only_unified: p.only_unified,
            match_pct: p.match_pct,
            legacy_calls: r.legacy_calls as u64,
            unified_calls: r.unified_calls as u64,
            legacy_ms: r.legacy_ms,
            unified_ms: r.unified_ms,
        });
    }
    for (role, r) in [
        (Role::Used, legacy),
        (Role::Shadow, shadow),
        (Role::Used, used_unified),
    ] {
        let Some(r) = r else { continue };
        if role == Role::Used {
            report.signals.extend(r.signals.iter().cloned());
            report.symbols += r.symbols;
            report.symbols_failed += r.symbols_failed;
            report.errors.extend(r.errors.iter().cloned());
        }
        report.runs.push(TickRun { role, report: r });
    }
    tick_event(&report);
    Ok(report)
}

/// The `scheduler_tick` event: a warning when some used symbols failed.
fn tick_event(r: &TickReport) {
    let run_ids = r
        .run_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let provider_calls: u64 = r.runs.iter().map(|t| t.report.provider_calls).sum();
    let duration_ms: f64 = r.runs.iter().map(|t| t.report.duration_ms).sum();
    macro_rules! tick {
        ($level:ident) => {
            tracing::$level!(
                target: "optctl::event",
                event = "scheduler_tick",
                job = "migrate-scheduler",
                run_id = r.run_ids.first().copied().unwrap_or_default(),
                run_ids = %run_ids,
                phase = %r.phase,
                signals = r.signals.len(),
                new_signals = r.new_signals,
                symbols = r.symbols,
                symbols_failed = r.symbols_failed,
                provider_calls,
                comparison_id = r.comparison.as_ref().map_or(0, |c| c.id),
                duration_ms = duration_ms.round() as u64,
                "scheduler tick: {} signals, {} of {} symbols failed",
                r.signals.len(),
                r.symbols_failed,
                r.symbols
            )
        };
    }
    if r.symbols_failed > 0 {
        tick!(warn);
    } else {
        tick!(info);
    }
}
