//! The phase state machine: who runs what in a state, the step `advance` or `rollback`
//! would take, the criteria a step is judged on, and taking it (state and audit entry in
//! one transaction).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Phase, Role, State};
use crate::scheduler::config::CriteriaConfig;
use crate::scheduler::criteria::{self, Criterion, Evidence, error_rate};
use crate::scheduler::{Category, SchedulerConfig, SchedulerKind};
use crate::store::Store;
use crate::store::scheduler::{ComparisonFilter, RunTotals, Source, Transition};

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
