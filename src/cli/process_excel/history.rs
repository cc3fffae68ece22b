//! `optctl process-excel history`: recent runs, newest first.

use optctl::excel;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// List recent process-excel runs, newest first.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// At most this many runs.
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: u64,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let report = if ctx.store_exists() {
        excel::processing_history(&ctx.store_read()?, args.limit)?
    } else {
        excel::HistoryReport::default()
    };
    if ctx.out.is_json() {
        ctx.out.json(&report)?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&[
        "id", "run at", "status", "stocks", "updated", "skipped", "duration", "error",
    ]);
    for r in &report.runs {
        t.add_row(vec![
            r.id.to_string(),
            optctl::store::ts(r.run_at),
            r.status.to_string(),
            r.stocks.to_string(),
            r.updated.to_string(),
            r.skipped.to_string(),
            format!("{:.1} ms", r.duration_ms),
            r.error.clone().unwrap_or_default(),
        ]);
    }
    Output::align_right(&mut t, &[0, 3, 4, 5, 6]);
    ctx.out.print_table(None, &t)?;
    if report.runs.is_empty() {
        ctx.out.note("no process-excel runs yet");
    }
    Ok(Outcome::Done)
}
