//! `optctl process-excel status`: is the market open, the last run, the last error.

use optctl::excel::RunRow;
use optctl::excel::{self, ProcessorStatus};

use crate::cli::{Ctx, Outcome};

/// Show whether the market is open, the last run and the last error.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let hours = cfg.market_hours.calendar(&ctx.home)?;
    // Before the first run there is no database: that is "no runs yet", not an error.
    let status = if ctx.db_path().exists() {
        excel::processor_status(&ctx.store_read()?, &hours, ctx.as_of)?
    } else {
        ProcessorStatus::empty(hours.status(ctx.as_of))
    };
    if ctx.out.is_json() {
        ctx.out.json(&status)?;
        return Ok(Outcome::Done);
    }
    let mut rows = vec![
        ("market", status.market.describe()),
        (
            "last run",
            status.last_run.as_ref().map_or("none yet".into(), describe),
        ),
    ];
    if let Some(p) = &status.last_processed {
        rows.push(("last processed", describe(p)));
    }
    rows.push((
        "runs",
        format!("{} today, {} in all", status.runs_today, status.runs_total),
    ));
    rows.push(("stocks", status.stocks.to_string()));
    rows.push((
        "last error",
        status.last_error.as_ref().map_or("none".into(), |r| {
            format!(
                "{}: {}",
                optctl::store::ts(r.run_at),
                r.error.as_deref().unwrap_or("-")
            )
        }),
    ));
    for (k, v) in rows {
        ctx.out.line(&format!("{k:<15} {v}"))?;
    }
    Ok(Outcome::Done)
}

fn describe(r: &RunRow) -> String {
    format!(
        "{} {} ({}/{} updated, {} skipped, {:.1} ms)",
        optctl::store::ts(r.run_at),
        r.status,
        r.updated,
        r.stocks,
        r.skipped,
        r.duration_ms
    )
}
