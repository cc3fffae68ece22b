//! `optctl enrich`: nightly OHLCV enrichment (`run`) and reading it back (`status`,
//! `history`, `metrics`, `health`, `job-status`, `resilience`), plus `pause` and `resume`.

mod health;
mod history;
mod job_status;
mod metrics;
mod pause;
mod resilience;
mod resume;
mod run;
mod status;

use optctl::enrich::report::Settings;
use optctl::store::Store;

use super::{Ctx, Outcome};

/// Fetch OHLCV bars, check them and compute indicators, nightly from cron.
///
/// `optctl enrich run` fetches bars for every symbol of the universe ([enrich] in the
/// config) at each timeframe, only what is newer than the stored bars, checks their
/// quality, stores them and computes SMA, EMA, RSI, MACD, ATR, Bollinger bands, realized
/// volatility and the 52-week range. Calls go through retry, a circuit breaker and a rate
/// limiter whose state is kept in the database ([resilience] in the config). Meant for
/// cron: `30 1 * * * optctl enrich run`. The other subcommands read the results back.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Run(run::Args),
    Status(status::Args),
    History(history::Args),
    Metrics(metrics::Args),
    Health(health::Args),
    JobStatus(job_status::Args),
    Pause(pause::Args),
    Resume(resume::Args),
    Resilience(resilience::Args),
}

impl Command {
    /// `run`, `pause` and `resume` do something; the others read.
    pub fn is_job(&self) -> bool {
        matches!(
            self,
            Command::Run(_) | Command::Pause(_) | Command::Resume(_)
        )
    }
}

pub fn run(command: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match command {
        Command::Run(a) => run::run(a, ctx),
        Command::Status(a) => status::run(a, ctx),
        Command::History(a) => history::run(a, ctx),
        Command::Metrics(a) => metrics::run(a, ctx),
        Command::Health(a) => health::run(a, ctx),
        Command::JobStatus(a) => job_status::run(a, ctx),
        Command::Pause(a) => pause::run(a, ctx),
        Command::Resume(a) => resume::run(a, ctx),
        Command::Resilience(a) => resilience::run(a, ctx),
    }
}

/// The store read-only, or None before the first run created the database.
fn store_if_any(ctx: &Ctx) -> optctl::Result<Option<Store>> {
    if ctx.store_exists() {
        Ok(Some(ctx.store_read()?))
    } else {
        Ok(None)
    }
}

fn settings(ctx: &Ctx) -> optctl::Result<Settings> {
    let cfg = ctx.config()?;
    Ok(Settings::new(&cfg.enrich, &cfg.resilience))
}

/// `2026-11-23T15:00:00Z`, or `-`.
fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "-".into(), optctl::store::ts)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{:.1}%", x * 100.0))
}

/// Prints `key value` lines.
fn lines(ctx: &Ctx, rows: &[(&str, String)]) -> optctl::Result<()> {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        ctx.out.line(&format!("{k:<width$}  {v}"))?;
    }
    Ok(())
}
