//! `optctl migrate-scheduler log`: the audit trail.

use optctl::scheduler::migration;

use crate::cli::{Ctx, Outcome};

/// Show the audit trail: every advance and rollback, oldest first.
///
/// Each entry has when, who ($USER), from and to which phase, the categories on the
/// unified scheduler before and after, whether criteria were overridden and why, and
/// (with --json) the criteria as judged at the time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the newest N entries.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let store = super::read_store(ctx)?;
    let rows = migration::log(store.as_ref(), args.limit)?;
    let out = &ctx.out;
    if out.is_json() {
        out.json(&rows)?;
        return Ok(Outcome::Done);
    }
    if rows.is_empty() {
        out.note("no steps yet: the migration is at legacy");
        return Ok(Outcome::Done);
    }
    let mut t = out.table(&[
        "id",
        "at",
        "action",
        "from",
        "to",
        "on unified",
        "by",
        "forced",
        "reason",
    ]);
    for r in &rows {
        let moved: Vec<&str> = r.moved_after.iter().map(|c| c.as_str()).collect();
        t.add_row(vec![
            r.id.to_string(),
            optctl::store::ts(r.at),
            r.action.clone(),
            r.from_phase.to_string(),
            r.to_phase.to_string(),
            if moved.is_empty() {
                "-".into()
            } else {
                moved.join(", ")
            },
            r.actor.clone().unwrap_or_else(|| "-".into()),
            if r.forced { "yes" } else { "no" }.to_string(),
            r.reason.clone().unwrap_or_default(),
        ]);
    }
    out.print_table(None, &t)?;
    Ok(Outcome::Done)
}
