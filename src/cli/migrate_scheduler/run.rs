//! `optctl migrate-scheduler run`: one scheduling tick in the current phase (cron).

use optctl::lock::JobLock;
use optctl::notice::Route;
use optctl::notify::{DrainReport, Router};
use optctl::scheduler::migration::{self, TickReport};
use optctl::scheduler::run::Fetcher;

use crate::cli::notify::WithNotify;
use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// One scheduling tick in the current phase; cron calls this.
///
/// Runs the schedulers the phase names (legacy: legacy only; parallel: both, legacy's
/// signals used; cutover: moved categories on unified, the rest on both; unified and
/// cleanup: unified only), stores each run, the signals with the scheduler that
/// produced them (a setup is used once), the comparison when both ran, and the fetched
/// series in the cache, all in one transaction. A signal acted on for the first time is
/// queued in that transaction for each [notify.channels.*] that takes signals, and the
/// queue is sent when the tick ends (unless --no-notify).
///
/// Exit 0 when done (also when skipped outside market hours with
/// --market-hours-only); 3 when some symbols of the schedulers in use failed; 1 when
/// all did; 75 when another tick holds the lock. Failures of a scheduler that only runs
/// for comparison are recorded, never an exit code.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do nothing outside the session of [scheduler] market (exit 0, said on stderr).
    #[arg(long)]
    market_hours_only: bool,
    /// Queue the new signals' notifications but do not send them (`optctl notify` will).
    #[arg(long)]
    no_notify: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    if args.market_hours_only {
        let market = cfg.scheduler.market.calendar().status(ctx.as_of);
        if !market.open {
            ctx.out.skipped(&market)?;
            return Ok(Outcome::Done);
        }
    }
    // The lock comes before the store is opened: a refused tick touches nothing.
    let _lock = JobLock::acquire(&ctx.home, "migrate-scheduler run")?;
    let mut store = ctx.store()?;
    let fetcher = Fetcher::connect(&ctx.connector(&cfg), cfg.scheduler.provider)?;
    let router = Router::new(&cfg.notify);
    let report = crate::cli::runtime()?.block_on(migration::tick(
        &mut store,
        &fetcher,
        &cfg.scheduler,
        &router,
        ctx.as_of,
    ))?;
    drop(store);
    let notify = if !args.no_notify && !router.is_empty() {
        crate::cli::notify::send_queued(ctx, &cfg, "this tick's signals")
    } else {
        None
    };
    print(&report, notify, &ctx.out)?;
    if report.symbols > 0 && report.symbols_failed == report.symbols {
        return Err(optctl::Error::Failed(format!(
            "every symbol failed in this tick (first: {})",
            report.errors.first().map_or("-", |e| e.error.as_str())
        )));
    }
    Ok(if report.symbols_failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Done
    })
}

fn print(r: &TickReport, notify: Option<DrainReport>, out: &Output) -> optctl::Result<()> {
    for e in &r.errors {
        out.failure(&format!("{} {}: {}", e.symbol, e.timeframe, e.error));
    }
    if out.is_json() {
        return out.json(&WithNotify { report: r, notify });
    }
    out.line(&format!(
        "tick at {} in phase {}: {} signals in use, {} new",
        optctl::store::ts(r.as_of),
        r.phase,
        r.signals.len(),
        r.new_signals
    ))?;
    let mut t = out.table(&[
        "scheduler",
        "role",
        "categories",
        "signals",
        "calls",
        "hits",
        "failed",
        "time",
    ]);
    for run in &r.runs {
        let x = &run.report;
        let cats: Vec<&str> = x.categories.iter().map(|c| c.as_str()).collect();
        t.add_row(vec![
            x.scheduler.to_string(),
            match run.role {
                optctl::scheduler::migration::Role::Used => "used",
                optctl::scheduler::migration::Role::Shadow => "compared",
            }
            .to_string(),
            cats.join(", "),
            x.signals.len().to_string(),
            x.provider_calls.to_string(),
            format!("{}/{}", x.cache_hits, x.lookups),
            x.failed_calls.to_string(),
            format!("{:.0} ms", x.duration_ms),
        ]);
    }
    Output::align_right(&mut t, &[3, 4, 5, 6, 7]);
    out.print_table(None, &t)?;
    if let Some(c) = &r.comparison {
        out.line(&format!(
            "comparison {}: {:.1}% match ({} only legacy, {} only unified); calls {} -> {}; {:.0} ms -> {:.0} ms{}",
            c.id,
            c.match_pct,
            c.only_legacy,
            c.only_unified,
            c.legacy_calls,
            c.unified_calls,
            c.legacy_ms,
            c.unified_ms,
            if c.warm { "" } else { " (cold cache)" }
        ))?;
    }
    Ok(())
}
