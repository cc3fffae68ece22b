//! `optctl enrich run`: one enrichment run over the universe (or the symbols named).

use std::collections::BTreeSet;

use optctl::enrich::{self, AssetClass, Calendar, Outcome as RunOutcome, Report};
use optctl::enrich::{JobStatus, RunStatus};
use optctl::lock::JobLock;
use optctl::market::{Symbol, Timeframe};

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// Fetch new bars for every symbol, check and store them, compute indicators.
///
/// For each symbol (one job each, --concurrency at once) and each timeframe, fetches the
/// bars newer than the last stored one (plus [enrich] overlap_bars, to catch revisions;
/// the first time, [enrich.lookback_days]), checks them (gaps against the trading
/// calendar, duplicates, inconsistent OHLC, non-positive prices, a stale last bar),
/// stores the good ones, quarantines the bad, and stores the latest SMA 20/50/200,
/// EMA 12/26, RSI 14, MACD 12/26/9, ATR 14, Bollinger 20/2, realized volatility 20/60 and
/// 52-week high/low. Failed fetches are retried with backoff; an open circuit breaker
/// skips the provider until it recovers.
///
/// Exit 0 when every symbol succeeded (or enrichment is paused: nothing is done), and
/// when some failed or were skipped but others were stored: those are named on stderr
/// (also with -q); --strict (or [enrich] strict) exits 3 then. Exit 1 when none
/// succeeded, 75 when another run holds the lock.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these symbols (comma separated or repeated); symbols outside the universe
    /// are enriched too, as --asset-class (default stock).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    symbols: Vec<Symbol>,
    /// Only symbols of these classes: stock, etf, index (comma separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "CLASS",
          value_parser = |s: &str| s.parse::<AssetClass>())]
    asset_class: Vec<AssetClass>,
    /// Timeframes: 1d, 1h, 5m, 1m (comma separated; default [enrich] timeframes).
    #[arg(long, value_delimiter = ',', value_name = "TF",
          value_parser = |s: &str| s.parse::<Timeframe>())]
    timeframes: Vec<Timeframe>,
    /// Symbols worked on at once (default [enrich] concurrency, 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: Option<u16>,
    /// Retries of a failed fetch (default [enrich] max_retries, 3).
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// Exit 3 when some symbols failed and the rest were stored [default: [enrich] strict].
    #[arg(long)]
    strict: bool,
}

/// The symbols to enrich: the universe, narrowed by the flags.
fn select(args: &Args, universe: &enrich::Universe) -> optctl::Result<Vec<(String, AssetClass)>> {
    let classes: BTreeSet<AssetClass> = args.asset_class.iter().copied().collect();
    let wanted = |c: AssetClass| classes.is_empty() || classes.contains(&c);
    let mut out: Vec<(String, AssetClass)> = Vec::new();
    if args.symbols.is_empty() {
        out.extend(universe.entries().into_iter().filter(|(_, c)| wanted(*c)));
    } else {
        let default_class = match classes.len() {
            1 => *classes.first().expect("one class"),
            _ => AssetClass::Stock,
        };
        for symbol in &args.symbols {
            let symbol = symbol.to_string();
            let class = universe.class_of(&symbol).unwrap_or(default_class);
            if wanted(class) && !out.iter().any(|(s, _)| *s == symbol) {
                out.push((symbol, class));
            }
        }
    }
    if out.is_empty() {
        return Err(optctl::Error::Usage(
            "no symbols to enrich: none in [enrich.symbols] matches --symbols/--asset-class".into(),
        ));
    }
    Ok(out)
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let e = &cfg.enrich;
    let symbols = select(&args, &e.symbols)?;
    let mut timeframes: Vec<Timeframe> = Vec::new();
    for tf in if args.timeframes.is_empty() {
        &e.timeframes
    } else {
        &args.timeframes
    } {
        if !timeframes.contains(tf) {
            timeframes.push(*tf);
        }
    }
    // An unknown provider is a usage error before anything is locked or opened.
    let connector = ctx.connector(&cfg);
    connector.check_bars(e.provider)?;
    let policy = connector.policy(e.provider)?;
    let opts = enrich::Options {
        symbols,
        timeframes,
        concurrency: args.concurrency.map_or(e.concurrency, usize::from),
        max_retries: args.max_retries.unwrap_or(e.max_retries),
        lookback: e.lookback_days.clone(),
        overlap_bars: e.overlap_bars,
        stale_bars: e.stale_bars,
        calendar: Calendar::new(&e.holidays),
        as_of: ctx.as_of,
        keep_days: e.keep_days,
    };
    // The lock comes before the store is opened: a refused run touches nothing.
    let _lock = JobLock::acquire(&ctx.home, "enrich")?;
    ctx.home.create()?;
    let provider = connector.bars(e.provider)?;
    let progress = ctx.out.progress("enriching");
    let outcome = crate::cli::runtime()?.block_on(enrich::run(
        ctx.home.store(),
        provider,
        policy,
        &opts,
        progress,
    ))?;
    let report = match outcome {
        RunOutcome::Paused(p) => {
            let reason = p
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"));
            ctx.out.note(&format!(
                "enrichment is paused{reason} (since {}); nothing done. `optctl enrich resume` resumes it.",
                super::when(p.changed_at)
            ));
            if ctx.out.is_json() {
                ctx.out
                    .json(&serde_json::json!({"status": "paused", "pause": p}))?;
            }
            return Ok(Outcome::Done);
        }
        RunOutcome::Ran(r) => r,
    };
    print(&report, &ctx.out)?;
    match report.status {
        RunStatus::Succeeded => Ok(Outcome::Done),
        RunStatus::Partial => {
            let failed: Vec<(&str, String)> = report
                .jobs
                .iter()
                .filter(|j| j.status != JobStatus::Succeeded)
                .map(|j| {
                    let why = j.error.clone().unwrap_or_else(|| j.status.to_string());
                    (j.symbol.as_str(), why)
                })
                .collect();
            ctx.out.partial(
                &format!("enrich run {}", report.run_id),
                failed.len(),
                report.jobs.len(),
                "symbols",
                failed.iter().map(|(s, why)| (*s, why.as_str())),
            );
            Ok(Outcome::partial(args.strict || e.strict))
        }
        _ => Err(optctl::Error::Failed(format!(
            "enrich run {}: no symbol succeeded ({} failed, {} skipped; first: {})",
            report.run_id,
            report.failed,
            report.skipped,
            report
                .jobs
                .iter()
                .find_map(|j| j.error.as_deref())
                .unwrap_or("-")
        ))),
    }
}

fn print(r: &Report, out: &Output) -> optctl::Result<()> {
    for id in &r.recovered_interrupted {
        out.note(&format!(
            "enrich run {id} had been interrupted (its process died); marked interrupted"
        ));
    }
    if out.is_json() {
        return out.json(r);
    }
    let mut t = out.table(&[
        "run",
        "status",
        "symbols",
        "ok",
        "failed",
        "skipped",
        "bars added",
        "quarantined",
        "issues",
        "calls",
        "retries",
        "duration",
    ]);
    t.add_row(vec![
        r.run_id.to_string(),
        r.status.to_string(),
        r.symbols.to_string(),
        r.succeeded.to_string(),
        r.failed.to_string(),
        r.skipped.to_string(),
        r.bars_added.to_string(),
        r.bars_quarantined.to_string(),
        r.quality_issues.to_string(),
        r.provider_calls.to_string(),
        r.retries.to_string(),
        format!("{:.2} s", r.duration_ms as f64 / 1000.0),
    ]);
    Output::align_right(&mut t, &[0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    out.print_table(None, &t)?;
    if r.jobs.len() <= 30 {
        let mut k = out.table(&[
            "symbol",
            "class",
            "status",
            "tries",
            "bars added",
            "issues",
            "fetch",
            "compute",
        ]);
        for j in &r.jobs {
            k.add_row(vec![
                j.symbol.clone(),
                j.asset_class.to_string(),
                j.status.to_string(),
                j.attempts.to_string(),
                j.bars_added.to_string(),
                j.quality_issues.to_string(),
                format!("{:.0} ms", j.fetch_ms),
                format!("{:.0} ms", j.compute_ms),
            ]);
        }
        Output::align_right(&mut k, &[3, 4, 5, 6, 7]);
        out.print_table(None, &k)?;
    }
    Ok(())
}
