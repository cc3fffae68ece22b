//! The migration from the legacy to the unified scheduler: a persisted state machine
//! with an audit log, and the tick `optctl migrate-scheduler run` performs.
//!
//! ```text
//! legacy -> parallel -> cutover (one category at a time) -> unified -> cleanup
//! ```
//! - `legacy`: only the legacy scheduler runs.
//! - `parallel`: both run every category; legacy's signals are used; every tick stores a
//!   comparison.
//! - `cutover`: moved categories run on the unified scheduler only, and their signals
//!   come from it; the others run as in `parallel` (and are still compared).
//! - `unified`: every category on the unified scheduler; legacy no longer runs.
//! - `cleanup`: the migration is finished and legacy disabled; nothing to advance to.
//!
//! `advance` takes the next step when the criteria hold for the ticks recorded since the
//! last step (or when forced, with a reason); `rollback` is always allowed. Every step is
//! a row of the audit log, written in the same transaction as the new state.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use serde::Serialize;

use super::cache::SymbolCache;
use super::compare::{cache_writes, parity, tick_row};
use super::config::CriteriaConfig;
use super::criteria::{self, Criterion, Evidence, error_rate};
use super::run::{self, FetchError, Fetcher, Job, RunReport};
use super::{Category, SchedulerConfig, SchedulerKind, Signal};
use crate::config::MarketHoursConfig;
use crate::market::Timeframe;
use crate::notify::{Item, Router};
use crate::scan::NoProgress;
use crate::store::Store;
use crate::store::outbox::{OutboxEntry, SourceKind};
use crate::store::scheduler::{
    AuditRow, ComparisonFilter, RunTotals, Source, TickWrite, Transition,
};
pub use crate::store::scheduler::{Phase, Role, State};

/// Who runs what: the scheduler's reading of the stored state.
impl State {
    /// Who runs what in a tick of this state.
    pub fn plan(&self) -> Plan {
        let all = Category::ALL.to_vec();
        let unmoved: Vec<Category> = all
            .iter()
            .copied()
            .filter(|c| !self.moved.contains(c))
            .collect();
        match self.phase {
            Phase::Legacy => Plan {
                legacy: all,
                shadow: vec![],
                unified: vec![],
            },
            Phase::Parallel => Plan {
                legacy: all.clone(),
                shadow: all,
                unified: vec![],
            },
            Phase::Cutover => Plan {
                legacy: unmoved.clone(),
                shadow: unmoved,
                unified: all.into_iter().filter(|c| self.moved.contains(c)).collect(),
            },
            Phase::Unified | Phase::Cleanup => Plan {
                legacy: vec![],
                shadow: vec![],
                unified: all,
            },
        }
    }
}

/// What a phase means to people (the type is the store's).
impl Phase {
    /// What the phase means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Legacy => "only the legacy scheduler runs",
            Phase::Parallel => {
                "both schedulers run; legacy's signals are used; every tick records a comparison"
            }
            Phase::Cutover => {
                "moved categories run on the unified scheduler; the rest run on both, legacy's signals used"
            }
            Phase::Unified => "every category runs on the unified scheduler; legacy no longer runs",
            Phase::Cleanup => "migration finished: the legacy scheduler is disabled",
        }
    }
}

/// Who runs what in one tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Run on the legacy scheduler; their signals are used.
    pub legacy: Vec<Category>,
    /// Also run on the unified scheduler, for comparison only.
    pub shadow: Vec<Category>,
    /// Run on the unified scheduler; their signals are used.
    pub unified: Vec<Category>,
}

/// What the next step is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Nothing: the step changes which signals are used for nothing.
    None,
    /// The comparisons the ticks recorded since the last step.
    Comparisons,
    /// The unified scheduler's own runs since the last step (ticks and error rate).
    UnifiedRuns,
}

/// A step from one state to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub to_phase: Phase,
    pub to_moved: Vec<Category>,
    /// "move short_selling to the unified scheduler".
    pub description: String,
    pub gate: Gate,
}

/// The step `advance` would take, or None after cleanup.
pub fn next_step(state: &State, order: &[Category]) -> Option<Step> {
    let next_unmoved = order.iter().copied().find(|c| !state.moved.contains(c));
    Some(match state.phase {
        Phase::Legacy => Step {
            to_phase: Phase::Parallel,
            to_moved: vec![],
            description: "start running both schedulers (legacy's signals stay in use)".into(),
            gate: Gate::None,
        },
        Phase::Parallel | Phase::Cutover => {
            let c = next_unmoved?;
            let mut moved = state.moved.clone();
            moved.push(c);
            let last = moved.len() == Category::ALL.len();
            Step {
                to_phase: if last { Phase::Unified } else { Phase::Cutover },
                to_moved: moved,
                description: if last {
                    format!(
                        "move {c}, the last category, to the unified scheduler and stop running legacy"
                    )
                } else {
                    format!("move {c} to the unified scheduler")
                },
                gate: Gate::Comparisons,
            }
        }
        Phase::Unified => Step {
            to_phase: Phase::Cleanup,
            to_moved: state.moved.clone(),
            description: "finish the migration: disable the legacy scheduler for good".into(),
            gate: Gate::UnifiedRuns,
        },
        Phase::Cleanup => return None,
    })
}

/// What `rollback` goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollbackTo {
    /// One step back.
    Step,
    /// This category back on legacy.
    Category(Category),
    /// Straight back to legacy.
    All,
}

/// The step `rollback` takes; Err says why there is nothing to roll back.
pub fn rollback_step(state: &State, to: RollbackTo) -> Result<Step, String> {
    let step = |phase: Phase, moved: Vec<Category>, description: String| Step {
        to_phase: phase,
        to_moved: moved,
        description,
        gate: Gate::None,
    };
    let without = |c: Category| -> Step {
        let moved: Vec<Category> = state.moved.iter().copied().filter(|m| *m != c).collect();
        let phase = if moved.is_empty() {
            Phase::Parallel
        } else {
            Phase::Cutover
        };
        step(
            phase,
            moved,
            format!("move {c} back to the legacy scheduler"),
        )
    };
    match (to, state.phase) {
        (_, Phase::Legacy) => {
            Err("the migration is at legacy already: nothing to roll back".into())
        }
        (RollbackTo::All, _) => Ok(step(
            Phase::Legacy,
            vec![],
            "go straight back to the legacy scheduler".into(),
        )),
        (RollbackTo::Category(c), _) if !state.moved.contains(&c) => Err(format!(
            "{c} runs on the legacy scheduler already (moved: {})",
            list(&state.moved)
        )),
        (RollbackTo::Category(c), _) => Ok(without(c)),
        (RollbackTo::Step, Phase::Parallel) => Ok(step(
            Phase::Legacy,
            vec![],
            "stop running the unified scheduler".into(),
        )),
        (RollbackTo::Step, Phase::Cleanup) => Ok(step(
            Phase::Unified,
            state.moved.clone(),
            "re-enable the legacy scheduler (every category stays on unified)".into(),
        )),
        (RollbackTo::Step, Phase::Cutover | Phase::Unified) => match state.moved.last() {
            Some(&c) => Ok(without(c)),
            None => Ok(step(Phase::Parallel, vec![], "back to parallel".into())),
        },
    }
}

fn list(c: &[Category]) -> String {
    if c.is_empty() {
        return "none".into();
    }
    c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}

/// The criteria of `step` judged on what was recorded since the last one.
pub fn judge_step(
    store: Option<&Store>,
    state: &State,
    step: &Step,
    cfg: &CriteriaConfig,
) -> crate::Result<Vec<Criterion>> {
    match step.gate {
        Gate::None => Ok(Vec::new()),
        Gate::Comparisons => {
            let rows = match store {
                Some(s) => s.scheduler().list_comparisons(ComparisonFilter {
                    step: Some(state.step),
                    source: Some(Source::Run),
                    ..ComparisonFilter::default()
                })?,
                None => Vec::new(),
            };
            Ok(criteria::judge(
                &Evidence::from_rows(&rows),
                cfg,
                Some(cfg.min_ticks),
            ))
        }
        Gate::UnifiedRuns => {
            let t = match store {
                Some(s) => s.scheduler().run_totals(
                    SchedulerKind::Unified,
                    Some(Role::Used),
                    Some(state.step),
                    None,
                    None,
                )?,
                None => RunTotals::default(),
            };
            Ok(vec![
                Criterion {
                    name: "ticks".into(),
                    holds: t.runs >= cfg.min_ticks,
                    actual: Some(t.runs as f64),
                    threshold: cfg.min_ticks as f64,
                    detail: format!(
                        "{} ticks on the unified scheduler since the last step (needs >= {})",
                        t.runs, cfg.min_ticks
                    ),
                },
                error_rate(t.failed_calls, t.cache_misses as f64, cfg),
            ])
        }
    }
}

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

/// How `advance` and `rollback` were asked.
#[derive(Debug, Clone)]
pub struct StepOptions {
    pub at: DateTime<Utc>,
    /// Take the step even though criteria fail (advance only).
    pub force: bool,
    /// Why; required with `force`, kept in the audit log.
    pub reason: Option<String>,
    /// Who (`$USER`), for the audit log.
    pub actor: Option<String>,
}

/// What `advance` or `rollback` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// `advance` or `rollback`.
    pub action: String,
    /// False when refused: the state did not change.
    pub applied: bool,
    pub from_phase: Phase,
    pub to_phase: Phase,
    pub moved_before: Vec<Category>,
    pub moved_after: Vec<Category>,
    pub description: String,
    pub criteria: Vec<Criterion>,
    pub forced: bool,
    pub reason: Option<String>,
    /// The audit id of the step, when applied.
    pub audit_id: Option<i64>,
}

impl StepReport {
    /// The report of `step` from `state`, not (yet) applied.
    fn of(action: &str, state: &State, step: &Step, criteria: Vec<Criterion>) -> StepReport {
        StepReport {
            action: action.into(),
            applied: false,
            from_phase: state.phase,
            to_phase: step.to_phase,
            moved_before: state.moved.clone(),
            moved_after: step.to_moved.clone(),
            description: step.description.clone(),
            criteria,
            forced: false,
            reason: None,
            audit_id: None,
        }
    }

    /// The criteria that failed.
    pub fn failing(&self) -> Vec<&Criterion> {
        self.criteria.iter().filter(|c| !c.holds).collect()
    }
}

fn apply(
    store: &mut Store,
    state: &State,
    step: &Step,
    action: &str,
    criteria: Vec<Criterion>,
    opts: &StepOptions,
    forced: bool,
) -> crate::Result<StepReport> {
    let id = store.scheduler_mut().record_transition(&Transition {
        at: opts.at,
        action,
        from: state,
        to_phase: step.to_phase,
        to_moved: &step.to_moved,
        forced,
        reason: opts.reason.as_deref(),
        actor: opts.actor.as_deref(),
        criteria: &criteria,
    })?;
    let Some(id) = id else {
        return Err(crate::Error::Failed(
            "the migration's state changed while this step was being taken (another advance or rollback); run `optctl migrate-scheduler status` and try again".into(),
        ));
    };
    Ok(StepReport {
        applied: true,
        forced,
        reason: opts.reason.clone(),
        audit_id: Some(id),
        ..StepReport::of(action, state, step, criteria)
    })
}

/// Takes the next step if its criteria hold, or when forced with a reason. A refusal
/// is a report with `applied: false` (nothing changed).
pub fn advance(
    store: &mut Store,
    cfg: &SchedulerConfig,
    opts: &StepOptions,
) -> crate::Result<StepReport> {
    if opts.force && opts.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(crate::Error::Usage(
            "--force needs --reason TEXT: the audit log keeps why the criteria were overridden"
                .into(),
        ));
    }
    let state = store.scheduler().state()?;
    let Some(step) = next_step(&state, &cfg.cutover_order) else {
        return Err(crate::Error::Usage(
            "the migration is finished (phase cleanup): nothing to advance to; `migrate-scheduler rollback` goes back".into(),
        ));
    };
    let criteria = judge_step(Some(store), &state, &step, &cfg.criteria)?;
    let holds = criteria::all_hold(&criteria);
    if !holds && !opts.force {
        return Ok(StepReport::of("advance", &state, &step, criteria));
    }
    // A reason given without --force is kept too; "forced" only when it overrode something.
    apply(store, &state, &step, "advance", criteria, opts, !holds)
}

/// Rolls back: always allowed (the criteria are not consulted), always logged.
pub fn rollback(
    store: &mut Store,
    to: RollbackTo,
    opts: &StepOptions,
) -> crate::Result<StepReport> {
    let state = store.scheduler().state()?;
    let step = rollback_step(&state, to).map_err(crate::Error::Usage)?;
    apply(store, &state, &step, "rollback", Vec::new(), opts, false)
}

/// The audit log, oldest first.
pub fn log(store: Option<&Store>, limit: Option<u64>) -> crate::Result<Vec<AuditRow>> {
    match store {
        Some(s) => Ok(s.scheduler().list_audit(limit)?),
        None => Ok(Vec::new()),
    }
}

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
    /// What sending the queued notifications did (set by the caller that sent them;
    /// absent with --no-notify or no channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<crate::notify::DrainReport>,
}

/// One tick in the current phase: run the schedulers the plan names, store their runs,
/// signals, comparison and the fetched series in one transaction. The used signals that
/// `notify` routes somewhere are queued in the outbox in that transaction too.
pub async fn tick(
    store: &mut Store,
    fetcher: &Fetcher,
    cfg: &SchedulerConfig,
    notify: &Router,
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
                .map(|s| notify.entry(SourceKind::Signal, &Item::from_signal(s, as_of)))
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
        notify: None,
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
    Ok(report)
}

/// Cron's weekday field for the configured trading days (`1-5`).
fn cron_weekdays(days: &[String]) -> String {
    let mut n: Vec<u32> = days
        .iter()
        .filter_map(|d| d.parse::<Weekday>().ok())
        .map(|d| d.num_days_from_sunday())
        .collect();
    n.sort_unstable();
    n.dedup();
    if n.is_empty() {
        return "*".into();
    }
    // Runs of consecutive days as ranges: [1,2,3,4,5] -> "1-5".
    let mut parts = Vec::new();
    let mut i = 0;
    while i < n.len() {
        let mut j = i;
        while j + 1 < n.len() && n[j + 1] == n[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", n[i], n[j])
        } else {
            n[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

fn quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The crontab lines for the current phase. `program` is the optctl to call (an absolute
/// path: cron's PATH is short); `home` and `config` are passed on so cron's environment
/// does not matter.
pub fn crontab(
    state: &State,
    cfg: &SchedulerConfig,
    hours: &MarketHoursConfig,
    program: &Path,
    home: &Path,
    config: Option<&Path>,
) -> Vec<String> {
    let mut base = format!("{} --home {}", quote(program), quote(home));
    if let Some(c) = config {
        base.push_str(&format!(" --config {}", quote(c)));
    }
    let minutes = match cfg.cadence_minutes {
        1 => "*".to_string(),
        60 => "0".to_string(),
        n => format!("*/{n}"),
    };
    let days = cron_weekdays(&hours.weekdays);
    let mut out = vec![
        format!(
            "# optctl strategy scheduler, phase {}: {}.",
            state.phase,
            state.phase.describe()
        ),
        format!(
            "# A tick every {} minutes; --market-hours-only skips ticks outside the [market_hours]",
            cfg.cadence_minutes
        ),
        format!(
            "# session ({} {}-{}, holidays included), so the line needs no time zone. Overlapping",
            hours.timezone, hours.open, hours.close
        ),
        "# ticks exit 75 and do nothing.".into(),
        format!("{minutes} * * * {days}  {base} -q migrate-scheduler run --market-hours-only"),
    ];
    if matches!(
        state.phase,
        Phase::Parallel | Phase::Cutover | Phase::Unified
    ) {
        out.push(
            "# While migrating: the criteria and the next step, once a day after the close (cron mails it)."
                .into(),
        );
        out.push(format!("0 18 * * {days}  {base} migrate-scheduler status"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(phase: Phase, moved: &[Category]) -> State {
        State {
            phase,
            moved: moved.to_vec(),
            step: 1,
            since: None,
        }
    }

    #[test]
    fn advance_walks_every_phase_in_the_configured_order() {
        let order = [
            Category::ShortTerm,
            Category::DayTrading,
            Category::ShortSelling,
        ];
        let mut s = State::initial();
        let mut seen = vec![];
        while let Some(step) = next_step(&s, &order) {
            seen.push((step.to_phase, step.to_moved.clone(), step.gate));
            s = at(step.to_phase, &step.to_moved);
        }
        use Category::*;
        assert_eq!(
            seen,
            [
                (Phase::Parallel, vec![], Gate::None),
                (Phase::Cutover, vec![ShortTerm], Gate::Comparisons),
                (
                    Phase::Cutover,
                    vec![ShortTerm, DayTrading],
                    Gate::Comparisons
                ),
                (
                    Phase::Unified,
                    vec![ShortTerm, DayTrading, ShortSelling],
                    Gate::Comparisons
                ),
                (
                    Phase::Cleanup,
                    vec![ShortTerm, DayTrading, ShortSelling],
                    Gate::UnifiedRuns
                ),
            ]
        );
    }

    #[test]
    fn plans_say_who_runs_what() {
        use Category::*;
        let p = at(Phase::Cutover, &[DayTrading]).plan();
        assert_eq!(p.legacy, [ShortSelling, ShortTerm]);
        assert_eq!(p.shadow, [ShortSelling, ShortTerm]);
        assert_eq!(p.unified, [DayTrading]);
        let p = at(Phase::Parallel, &[]).plan();
        assert_eq!((p.legacy.len(), p.shadow.len(), p.unified.len()), (3, 3, 0));
        let p = at(Phase::Legacy, &[]).plan();
        assert_eq!((p.legacy.len(), p.shadow.len(), p.unified.len()), (3, 0, 0));
        for ph in [Phase::Unified, Phase::Cleanup] {
            let p = at(ph, &Category::ALL).plan();
            assert_eq!((p.legacy.len(), p.shadow.len(), p.unified.len()), (0, 0, 3));
        }
    }

    #[test]
    fn rollbacks_partial_full_and_one_step() {
        use Category::*;
        let s = at(Phase::Cutover, &[DayTrading, ShortSelling]);
        let r = rollback_step(&s, RollbackTo::Category(DayTrading)).unwrap();
        assert_eq!(
            (r.to_phase, r.to_moved),
            (Phase::Cutover, vec![ShortSelling])
        );
        let r = rollback_step(&s, RollbackTo::Step).unwrap();
        assert_eq!((r.to_phase, r.to_moved), (Phase::Cutover, vec![DayTrading]));
        let r = rollback_step(&s, RollbackTo::All).unwrap();
        assert_eq!((r.to_phase, r.to_moved), (Phase::Legacy, vec![]));
        let one = at(Phase::Cutover, &[DayTrading]);
        let r = rollback_step(&one, RollbackTo::Category(DayTrading)).unwrap();
        assert_eq!(r.to_phase, Phase::Parallel);
        let err = rollback_step(&one, RollbackTo::Category(ShortTerm)).unwrap_err();
        assert!(
            err.contains("short_term runs on the legacy scheduler already"),
            "{err}"
        );
        let u = at(Phase::Unified, &Category::ALL);
        let r = rollback_step(&u, RollbackTo::Category(ShortSelling)).unwrap();
        assert_eq!(
            (r.to_phase, r.to_moved),
            (Phase::Cutover, vec![DayTrading, ShortTerm])
        );
        let r = rollback_step(&at(Phase::Cleanup, &Category::ALL), RollbackTo::Step).unwrap();
        assert_eq!(r.to_phase, Phase::Unified);
        assert!(rollback_step(&State::initial(), RollbackTo::All).is_err());
    }

    #[test]
    fn cron_lines_follow_the_cadence_days_and_phase() {
        let cfg = SchedulerConfig::default();
        let hours = MarketHoursConfig::default();
        let lines = crontab(
            &at(Phase::Parallel, &[]),
            &cfg,
            &hours,
            Path::new("/usr/local/bin/optctl"),
            Path::new("/srv/opt ctl"),
            None,
        );
        let jobs: Vec<&String> = lines.iter().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            jobs,
            [
                "*/5 * * * 1-5  /usr/local/bin/optctl --home '/srv/opt ctl' -q migrate-scheduler run --market-hours-only",
                "0 18 * * 1-5  /usr/local/bin/optctl --home '/srv/opt ctl' migrate-scheduler status"
            ]
        );
        let lines = crontab(
            &at(Phase::Cleanup, &Category::ALL),
            &cfg,
            &hours,
            Path::new("optctl"),
            Path::new("/h"),
            Some(Path::new("/c.toml")),
        );
        assert_eq!(lines.iter().filter(|l| !l.starts_with('#')).count(), 1);
        assert!(lines[0].contains("phase cleanup"));
        assert_eq!(
            cron_weekdays(&["Sun".into(), "Mon".into(), "Tue".into(), "Thu".into()]),
            "0-2,4"
        );
    }
}
