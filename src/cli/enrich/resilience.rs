//! `optctl enrich resilience`: each circuit breaker and rate limiter and its state.

use optctl::resilience;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

use super::{pct, settings, store_if_any, when};

/// Show each provider's circuit breaker and rate limiter as stored.
///
/// Breakers: state (closed, open, half_open), until when an open one refuses calls,
/// the calls and failures in its window, how often it opened, the last failure.
/// Limiters: calls that could be made now, the quota, tokens granted and waits.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let set = settings(ctx)?;
    let provider = set.enrich.provider;
    let report = match store_if_any(ctx)? {
        Some(s) if s.enrich().has_tables()? => {
            resilience::report(&s, &set.resilience, &[provider.as_str()], ctx.as_of)?
        }
        _ => resilience::Report {
            as_of: ctx.as_of,
            breakers: Vec::new(),
            limiters: Vec::new(),
        },
    };
    if ctx.out.is_json() {
        ctx.out.json(&report)?;
        return Ok(Outcome::Done);
    }
    let mut b = ctx.out.table(&[
        "breaker",
        "state",
        "open until",
        "calls",
        "failures",
        "rate",
        "opened",
        "last failure",
    ]);
    for x in &report.breakers {
        let state = if x.trial_ready {
            format!("{} (trial ready)", x.state)
        } else {
            x.state.to_string()
        };
        b.add_row(vec![
            x.name.clone(),
            state,
            when(x.open_until),
            x.window.calls.to_string(),
            x.window.failures.to_string(),
            pct(Some(x.failure_rate)),
            x.times_opened.to_string(),
            x.last_failure.clone().unwrap_or_default(),
        ]);
    }
    Output::align_right(&mut b, &[3, 4, 5, 6]);
    ctx.out.print_table(None, &b)?;
    let mut l = ctx.out.table(&[
        "limiter",
        "available",
        "quota",
        "burst",
        "held until",
        "granted",
        "waits",
    ]);
    for x in &report.limiters {
        l.add_row(vec![
            x.name.clone(),
            x.available.map_or("no limit".into(), |v| format!("{v:.1}")),
            format!("{} per {} s", x.config.calls, x.config.per_seconds),
            x.config.burst.to_string(),
            when(x.blocked_until),
            x.granted.to_string(),
            x.waits.to_string(),
        ]);
    }
    Output::align_right(&mut l, &[1, 3, 5, 6]);
    ctx.out.print_table(None, &l)?;
    if report.breakers.is_empty() && report.limiters.is_empty() {
        ctx.out.note("no provider has been called yet");
    }
    Ok(Outcome::Done)
}
