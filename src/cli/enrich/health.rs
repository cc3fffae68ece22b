//! `optctl enrich health`: healthy, degraded or unhealthy, and why.

use optctl::enrich::report;

use crate::cli::{Ctx, Outcome};

use super::{lines, pct, settings, store_if_any, when};

/// Say whether enrichment is healthy, degraded or unhealthy, and why.
///
/// Unhealthy: no successful run yet, the last one older than [enrich.health]
/// max_success_age_hours, or unhealthy_failure_rate of the last 24 h's jobs failed.
/// Degraded: degraded_failure_rate of them failed, the provider's circuit breaker is
/// open, or enrichment is paused. Exits 0 whatever the state: read it from the output
/// (`--json`: `.status`).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let set = settings(ctx)?;
    let h = report::health(store_if_any(ctx)?.as_ref(), &set, ctx.as_of)?;
    if ctx.out.is_json() {
        ctx.out.json(&h)?;
        return Ok(Outcome::Done);
    }
    let status = serde_json::to_value(h.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    lines(
        ctx,
        &[
            ("status", status),
            ("last success", when(h.last_success_at)),
            ("failures 24 h", pct(h.failure_rate_24h)),
            ("breaker", h.breaker.to_string()),
            ("paused", if h.paused { "yes" } else { "no" }.into()),
        ],
    )?;
    for i in &h.issues {
        let level = serde_json::to_value(i.level)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        ctx.out.line(&format!("  {level}: {}", i.message))?;
    }
    Ok(Outcome::Done)
}
