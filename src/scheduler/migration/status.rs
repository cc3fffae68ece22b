//! What `migrate-scheduler status` and `log` report: where each category runs, the
//! next step and whether its criteria hold, the audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Phase, Role, State};
use crate::market::Timeframe;
use crate::scheduler::criteria::{self, Criterion};
use crate::scheduler::run;
use crate::scheduler::{Category, SchedulerConfig, SchedulerKind};
use crate::store::Store;
use crate::store::scheduler::{AuditRow, ComparisonFilter, Source};

use super::state::{judge_step, next_step};

/// Where one category runs now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    pub category: Category,
    pub symbols: u64,
    pub timeframes: Vec<Timeframe>,
    /// The schedulers that run it in a tick.
    pub runs_on: Vec<SchedulerKind>,
    /// The scheduler whose signals are used.
    pub signals_from: SchedulerKind,
}

/// The next step and whether it may be taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStep {
    pub phase: Phase,
    pub moved: Vec<Category>,
    pub description: String,
    pub criteria: Vec<Criterion>,
    /// Whether `advance` would take it without `--force`.
    pub allowed: bool,
}

/// What `optctl migrate-scheduler status` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub phase: Phase,
    pub phase_description: String,
    pub moved: Vec<Category>,
    pub since: Option<DateTime<Utc>>,
    pub step: i64,
    pub categories: Vec<Placement>,
    /// Ticks recorded in this step (comparisons where both ran, else unified runs).
    pub ticks_this_step: u64,
    pub last_tick: Option<DateTime<Utc>>,
    pub cadence_minutes: u32,
    pub cache_ttl_minutes: u32,
    /// None after cleanup.
    pub next: Option<NextStep>,
}

/// The status, read from `store` (None: no database yet, so the initial state).
pub fn status(store: Option<&Store>, cfg: &SchedulerConfig) -> crate::Result<Status> {
    let state = match store {
        Some(s) => s.scheduler().state()?,
        None => State::initial(),
    };
    let plan = state.plan();
    let categories = Category::ALL
        .iter()
        .map(|&c| {
            let mut runs_on = Vec::new();
            if plan.legacy.contains(&c) {
                runs_on.push(SchedulerKind::Legacy);
            }
            if plan.shadow.contains(&c) || plan.unified.contains(&c) {
                runs_on.push(SchedulerKind::Unified);
            }
            Placement {
                category: c,
                symbols: run::symbols(cfg, c).len() as u64,
                timeframes: c.timeframes().to_vec(),
                runs_on,
                signals_from: if plan.unified.contains(&c) {
                    SchedulerKind::Unified
                } else {
                    SchedulerKind::Legacy
                },
            }
        })
        .collect();
    let next = match next_step(&state, &cfg.cutover_order) {
        Some(step) => {
            let criteria = judge_step(store, &state, &step, &cfg.criteria)?;
            Some(NextStep {
                phase: step.to_phase,
                moved: step.to_moved.clone(),
                description: step.description.clone(),
                allowed: criteria::all_hold(&criteria),
                criteria,
            })
        }
        None => None,
    };
    let (ticks_this_step, last_tick) = match store {
        Some(s) => {
            let n = if plan.shadow.is_empty() {
                s.scheduler()
                    .run_totals(
                        SchedulerKind::Unified,
                        Some(Role::Used),
                        Some(state.step),
                        None,
                        None,
                    )?
                    .runs
            } else {
                s.scheduler()
                    .list_comparisons(ComparisonFilter {
                        step: Some(state.step),
                        source: Some(Source::Run),
                        ..ComparisonFilter::default()
                    })?
                    .len() as u64
            };
            (n, s.scheduler().latest_tick()?)
        }
        None => (0, None),
    };
    Ok(Status {
        phase: state.phase,
        phase_description: state.phase.describe().into(),
        moved: state.moved.clone(),
        since: state.since,
        step: state.step,
        categories,
        ticks_this_step,
        last_tick,
        cadence_minutes: cfg.cadence_minutes,
        cache_ttl_minutes: cfg.cache_ttl_minutes,
        next,
    })
}

/// The audit log, oldest first.
pub fn log(store: Option<&Store>, limit: Option<u64>) -> crate::Result<Vec<AuditRow>> {
    match store {
        Some(s) => Ok(s.scheduler().list_audit(limit)?),
        None => Ok(Vec::new()),
    }
}
