//! `optctl enrich history`: recent runs, newest first.

use optctl::enrich::report;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

use super::store_if_any;

/// List recent enrich runs, newest first.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// At most this many runs.
    #[arg(long, default_value_t = 20, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    limit: u64,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let h = report::history(store_if_any(ctx)?.as_ref(), args.limit)?;
    if ctx.out.is_json() {
        ctx.out.json(&h)?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&[
        "run",
        "started",
        "status",
        "symbols",
        "ok",
        "failed",
        "skipped",
        "bars added",
        "issues",
        "calls",
        "retries",
        "duration",
    ]);
    for r in &h.runs {
        t.add_row(vec![
            r.id.to_string(),
            optctl::store::ts(r.started_at),
            r.status.to_string(),
            r.symbols.to_string(),
            r.succeeded.to_string(),
            r.failed.to_string(),
            r.skipped.to_string(),
            r.bars_added.to_string(),
            r.quality_issues.to_string(),
            r.provider_calls.to_string(),
            r.retries.to_string(),
            r.duration_ms
                .map_or("-".into(), |d| format!("{:.2} s", d as f64 / 1000.0)),
        ]);
    }
    Output::align_right(&mut t, &[0, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    ctx.out.print_table(None, &t)?;
    if h.runs.is_empty() {
        ctx.out.note("no enrich runs yet");
    }
    Ok(Outcome::Done)
}
