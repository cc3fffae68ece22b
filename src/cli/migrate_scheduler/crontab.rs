//! `optctl migrate-scheduler crontab`: the cron lines for the current phase.

use optctl::scheduler::migration;

use crate::cli::{Ctx, Outcome};

/// Print the crontab lines for the current phase.
///
/// One `migrate-scheduler run --market-hours-only` line at the configured cadence
/// ([scheduler] cadence_minutes) on the trading weekdays of [market_hours], with this
/// optctl's full path and the data home (cron's PATH and environment are short); while
/// migrating, a daily `status` line too. Install with
/// `optctl migrate-scheduler crontab | crontab -` (this replaces your crontab: merge by
/// hand if you have other lines).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let state = match super::read_store(ctx)? {
        Some(s) => s.scheduler().state()?,
        None => migration::State::initial(),
    };
    let program = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_else(|| "optctl".into());
    let home = std::path::absolute(&ctx.home).unwrap_or_else(|_| ctx.home.to_path_buf());
    let config = ctx
        .config_named
        .then(|| std::path::absolute(&ctx.config_path).unwrap_or_else(|_| ctx.config_path.clone()));
    let lines = migration::crontab(
        &state,
        &cfg.scheduler,
        &cfg.market_hours,
        &program,
        &home,
        config.as_deref(),
    );
    if ctx.out.is_json() {
        ctx.out
            .json(&serde_json::json!({ "phase": state.phase, "lines": lines }))?;
    } else {
        for l in &lines {
            ctx.out.line(l)?;
        }
    }
    Ok(Outcome::Done)
}
