//! `optctl migrate-scheduler`: move the strategy categories from the legacy to the
//! unified scheduler, with parity checks and a rollback at every step. The state
//! machine is `optctl::scheduler::migration`.

mod advance;
mod cache;
mod crontab;
mod log;
mod rollback;
mod run;
mod status;

use optctl::scheduler::criteria::Criterion;
use optctl::scheduler::migration::StepReport;

use super::output::Output;
use super::{Ctx, Outcome};

/// Move the strategy categories from the legacy to the unified scheduler.
///
/// A persisted state machine with an audit log: legacy -> parallel (both schedulers
/// run, legacy's signals are used, every tick records a comparison) -> cutover (the
/// categories move one at a time, in [scheduler] cutover_order) -> unified -> cleanup
/// (legacy disabled). `advance` takes the next step only while the success criteria
/// ([scheduler.criteria]) hold for the ticks recorded since the last step, unless
/// forced with a reason; `rollback` is always allowed. cron calls `run`; `crontab`
/// prints the lines for the current phase.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Status(status::Args),
    Advance(advance::Args),
    Rollback(rollback::Args),
    Run(run::Args),
    Crontab(crontab::Args),
    Log(log::Args),
    #[command(subcommand)]
    Cache(cache::Command),
}

impl Command {
    /// `run`, `advance` and `rollback` do something; the others read or print.
    pub fn is_job(&self) -> bool {
        matches!(
            self,
            Command::Run(_) | Command::Advance(_) | Command::Rollback(_) | Command::Cache(_)
        )
    }
}

pub fn run(c: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match c {
        Command::Status(a) => status::run(a, ctx),
        Command::Advance(a) => advance::run(a, ctx),
        Command::Rollback(a) => rollback::run(a, ctx),
        Command::Run(a) => run::run(a, ctx),
        Command::Crontab(a) => crontab::run(a, ctx),
        Command::Log(a) => log::run(a, ctx),
        Command::Cache(c) => cache::run(c, ctx),
    }
}

/// The criteria as a table (`criterion`, `holds`, `detail`).
pub fn print_criteria(out: &Output, criteria: &[Criterion]) -> optctl::Result<()> {
    if criteria.is_empty() {
        return Ok(());
    }
    let mut t = out.table(&["criterion", "holds", "detail"]);
    for c in criteria {
        t.add_row(vec![
            c.name.clone(),
            if c.holds { "yes" } else { "NO" }.to_string(),
            c.detail.clone(),
        ]);
    }
    out.print_table(None, &t)
}

/// Prints what `advance` or `rollback` did (or why `advance` refused).
fn print_step(out: &Output, r: &StepReport) -> optctl::Result<()> {
    if out.is_json() {
        return out.json(r);
    }
    let moved = |m: &[optctl::scheduler::Category]| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    let verb = if r.applied { "" } else { "refused: " };
    out.line(&format!(
        "{} {verb}{} -> {}: {}",
        r.action, r.from_phase, r.to_phase, r.description
    ))?;
    out.line(&format!(
        "on unified: {} -> {}",
        moved(&r.moved_before),
        moved(&r.moved_after)
    ))?;
    if r.forced {
        out.line(&format!(
            "forced past failing criteria: {}",
            r.reason.as_deref().unwrap_or("-")
        ))?;
    }
    print_criteria(out, &r.criteria)
}

/// `$USER` (or `$LOGNAME`), for the audit log.
fn actor() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

/// The store opened read-only, or None when there is no database yet or no optctl with
/// the scheduler has written it (then the migration is at legacy with nothing recorded).
fn read_store(ctx: &Ctx) -> optctl::Result<Option<optctl::store::Store>> {
    if !ctx.store_exists() {
        return Ok(None);
    }
    let store = ctx.store_read()?;
    Ok(store.scheduler().has_tables()?.then_some(store))
}
