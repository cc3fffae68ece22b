//! `optctl migrate-scheduler status`: phase, where each category runs, the criteria.

use optctl::scheduler::migration;

use super::print_criteria;
use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// Show the phase, where each category runs, and the criteria of the next step.
///
/// The criteria are judged on the comparisons the `run` ticks recorded since the last
/// step: provider calls reduced, execution time reduced (beyond the noise floor when
/// measured), cache hit rate after warm-up, signal parity, unified error rate, and
/// enough ticks ([scheduler.criteria]). The last lines say what `advance` would do.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    // Before the first run there is no database: the migration is at legacy.
    let store = super::read_store(ctx)?;
    let s = migration::status(store.as_ref(), &cfg.scheduler)?;
    let out = &ctx.out;
    if out.is_json() {
        out.json(&s)?;
        return Ok(Outcome::Done);
    }
    out.line(&format!("phase     {}: {}", s.phase, s.phase_description))?;
    out.line(&format!(
        "since     {} (step {})",
        s.since.map_or("the start".into(), optctl::store::ts),
        s.step
    ))?;
    out.line(&format!(
        "ticks     {} in this step; last tick {}",
        s.ticks_this_step,
        s.last_tick.map_or("none yet".into(), optctl::store::ts)
    ))?;
    out.line(&format!(
        "cadence   every {} minutes; cache TTL {} minutes",
        s.cadence_minutes, s.cache_ttl_minutes
    ))?;
    let mut t = out.table(&[
        "category",
        "symbols",
        "timeframes",
        "runs on",
        "signals from",
    ]);
    for p in &s.categories {
        let join = |v: Vec<String>| v.join(", ");
        t.add_row(vec![
            p.category.to_string(),
            p.symbols.to_string(),
            join(p.timeframes.iter().map(|t| t.to_string()).collect()),
            join(p.runs_on.iter().map(|k| k.to_string()).collect()),
            p.signals_from.to_string(),
        ]);
    }
    Output::align_right(&mut t, &[1]);
    out.print_table(None, &t)?;
    match &s.next {
        None => out.line("next      nothing: the migration is finished")?,
        Some(n) => {
            out.line(&format!("next      {} (phase {})", n.description, n.phase))?;
            print_criteria(out, &n.criteria)?;
            let failing = n.criteria.iter().filter(|c| !c.holds).count();
            out.line(&if n.allowed {
                "`advance` would take this step.".to_string()
            } else {
                format!(
                    "`advance` would refuse: {failing} criteria fail (override with --force --reason TEXT)."
                )
            })?;
        }
    }
    Ok(Outcome::Done)
}
