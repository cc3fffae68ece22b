//! `optctl migrate-scheduler advance`: the next step, if the criteria hold.

use optctl::scheduler::migration::{self, StepOptions};

use super::{actor, print_step};
use crate::cli::{Ctx, Outcome};

/// Take the next step of the migration, if the success criteria hold.
///
/// legacy -> parallel needs nothing (legacy's signals stay in use). Each later step
/// needs the criteria of `status` to hold for the ticks recorded since the last step;
/// otherwise it is refused with the failing criteria (exit 1) and nothing changes.
/// --force --reason TEXT takes it anyway and keeps the reason in the audit log.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Take the step even though criteria fail (needs --reason).
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why, for the audit log (required with --force).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let mut store = ctx.store()?;
    let r = migration::advance(
        &mut store,
        &cfg.scheduler,
        &StepOptions {
            at: ctx.as_of,
            force: args.force,
            reason: args.reason,
            actor: actor(),
        },
    )?;
    print_step(&ctx.out, &r)?;
    if !r.applied {
        let failing: Vec<&str> = r.failing().iter().map(|c| c.detail.as_str()).collect();
        return Err(optctl::Error::Failed(format!(
            "advance refused ({} -> {}): {}; pass --force --reason TEXT to override",
            r.from_phase,
            r.to_phase,
            failing.join("; ")
        )));
    }
    Ok(Outcome::Done)
}
