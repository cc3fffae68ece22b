//! `optctl migrate-scheduler rollback`: partial or immediate; always allowed.

use optctl::scheduler::Category;
use optctl::scheduler::migration::{self, RollbackTo, StepOptions};

use super::{actor, print_step};
use crate::cli::{Ctx, Outcome};

/// Roll the migration back: one step, one category, or all the way.
///
/// Always allowed (the criteria are not consulted) and logged; only at legacy is there
/// nothing to roll back (exit 2). Without flags: one step
/// back (the last category moved goes back to legacy; parallel goes back to legacy;
/// cleanup back to unified). --category C moves one category back to legacy; --all
/// goes straight back to legacy.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Move this category back to the legacy scheduler.
    #[arg(long, value_name = "C", conflicts_with = "all")]
    category: Option<Category>,
    /// Go straight back to the legacy phase.
    #[arg(long)]
    all: bool,
    /// Why, for the audit log.
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let to = match (args.category, args.all) {
        (Some(c), _) => RollbackTo::Category(c),
        (None, true) => RollbackTo::All,
        (None, false) => RollbackTo::Step,
    };
    let mut store = ctx.store()?;
    let r = migration::rollback(
        &mut store,
        to,
        &StepOptions {
            at: ctx.as_of,
            force: false,
            reason: args.reason,
            actor: actor(),
        },
    )?;
    print_step(&ctx.out, &r)?;
    Ok(Outcome::Done)
}
