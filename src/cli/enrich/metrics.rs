//! `optctl enrich metrics`: success rates, response time, quota, data quality, 24 h.

use optctl::enrich::report;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

use super::{lines, pct, settings, store_if_any, when};

/// Show the last 24 hours: success rates, response time, API quota, data quality.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let set = settings(ctx)?;
    let m = report::metrics(store_if_any(ctx)?.as_ref(), &set, ctx.as_of)?;
    if ctx.out.is_json() {
        ctx.out.json(&m)?;
        return Ok(Outcome::Done);
    }
    let f = &m.fetch;
    let q = &m.quota;
    lines(
        ctx,
        &[
            ("since", optctl::store::ts(m.since)),
            ("runs", m.runs.to_string()),
            (
                "jobs",
                format!(
                    "{} succeeded, {} failed, {} skipped",
                    m.jobs.succeeded, m.jobs.failed, m.jobs.skipped
                ),
            ),
            (
                "fetch success",
                format!(
                    "{} ({} of {})",
                    pct(m.fetch_success_rate),
                    f.fetches_ok,
                    f.fetches
                ),
            ),
            (
                "compute success",
                format!(
                    "{} ({} of {})",
                    pct(m.compute_success_rate),
                    f.computes_ok,
                    f.computes
                ),
            ),
            (
                "avg response",
                m.avg_response_ms
                    .map_or("-".into(), |v| format!("{v:.1} ms over {} calls", f.calls)),
            ),
            (
                "quota",
                match q.remaining {
                    None => format!("{}: no limit", q.provider),
                    Some(r) => format!(
                        "{}: {r:.0} of {} left ({} calls per {} s){}",
                        q.provider,
                        q.burst,
                        q.calls,
                        q.per_seconds,
                        q.blocked_until
                            .map_or(String::new(), |t| format!(", held until {}", when(Some(t))))
                    ),
                },
            ),
            (
                "bars",
                format!("{} added, {} quarantined", f.bars_added, f.bars_quarantined),
            ),
        ],
    )?;
    let mut t = ctx.out.table(&["quality check", "issues"]);
    for (k, n) in &m.quality {
        t.add_row(vec![k.clone(), n.to_string()]);
    }
    Output::align_right(&mut t, &[1]);
    ctx.out.print_table(None, &t).map(|_| Outcome::Done)
}
