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
//!
//! - `state`: the state machine (plan, steps, judging, `advance`, `rollback`).
//! - `status`: `status` and the audit `log`.
//! - `tick`: one `migrate-scheduler run` tick.
//! - `crontab`: the crontab lines for the current phase.

mod crontab;
mod state;
mod status;
mod tick;

pub use crate::store::scheduler::{Phase, Role, State};
pub use crontab::crontab;
pub use state::{
    Gate, Plan, RollbackTo, Step, StepOptions, StepReport, advance, judge_step, next_step,
    rollback, rollback_step,
};
pub use status::{NextStep, Placement, Status, log, status};
pub use tick::{TickComparison, TickReport, TickRun, tick};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::crontab::cron_weekdays;
    use super::*;
    use crate::market::MarketHoursConfig;
    use crate::scheduler::{Category, SchedulerConfig};

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
            cron_weekdays(&["Sun", "Mon", "Tue", "Thu"].map(|d| d.parse().unwrap())),
            "0-2,4"
        );
    }
}
