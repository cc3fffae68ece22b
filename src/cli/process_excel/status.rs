//! `optctl process-excel status`: is the market open, the last run, the last error.

use optctl::excel::{self, ProcessorStatus};
use optctl::excel::{ColumnMapping, RunRow};

use crate::cli::{Ctx, Outcome};

/// Show whether the market is open, the last run and the last error
///
/// Also which column each field was read from (per workbook, in the latest run), the
/// headers that matched nothing, and the warnings about them.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let hours = cfg.market_hours.calendar(&ctx.home)?;
    // Before the first run there is no database: that is "no runs yet", not an error.
    let status = if ctx.store_exists() {
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
    for (name, m) in [
        ("historical", &status.columns.historical),
        ("live", &status.columns.live),
    ] {
        if let Some(m) = m {
            for line in columns(name, m) {
                ctx.out.line(&line)?;
            }
        }
    }
    for w in status.columns.warnings() {
        ctx.out.line(&format!("{:<15} {w}", "warning"))?;
    }
    Ok(Outcome::Done)
}

/// One workbook's mapping: a heading, then one line per field (`-` where it has no
/// column), then the headers that matched nothing.
fn columns(name: &str, m: &ColumnMapping) -> Vec<String> {
    let pad = " ".repeat(16);
    let mut out = vec![format!(
        "{:<15} {name}: sheet {}, header row {}",
        "columns", m.sheet, m.header_row
    )];
    for c in &m.mapped {
        let by = if c.configured { " [excel.columns]" } else { "" };
        out.push(format!(
            "{pad}  {:<12} {} ({}){by}",
            c.field, c.header, c.column
        ));
    }
    for f in &m.missing {
        out.push(format!("{pad}  {f:<12} - (no column: stored empty)"));
    }
    if !m.ignored.is_empty() {
        out.push(format!("{pad}  ignored      {}", m.ignored.join(", ")));
    }
    out
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
