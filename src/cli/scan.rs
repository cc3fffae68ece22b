//! `optctl scan`: fetch chains for the watchlist, price them, compute features, raise
//! alerts and store everything.

use std::path::PathBuf;
use std::sync::Arc;

use optctl::lock::JobLock;
use optctl::market::Symbol;
use optctl::notify::DrainReport;
use optctl::provider::Source;
use optctl::scan::ScanStatus;
use optctl::scan::{self, Report};

use super::notify::WithNotify;
use super::output::{Output, pct};
use super::{Ctx, Outcome};

/// Scan option chains and store IV, greeks, features and scored alerts.
///
/// Fetches the chain of each ticker (concurrently), computes implied volatility from
/// each contract's mid price and greeks at that volatility, per-ticker features (ATM and
/// 30-day IV, term slope, 25-delta risk reversal, put/call ratios, max pain, expected
/// move, IV rank), runs the detectors, and stores each ticker in its own transaction.
/// One ticker's failure does not stop the rest: when some failed, the run still exits 0
/// and names them on stderr (also with -q); --strict (or [scan] strict) exits 3 instead.
/// Exit 1 when every ticker failed.
/// A second scan while one runs exits 75 and touches nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tickers to scan, comma separated (default: the config watchlist).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "A,B",
        conflicts_with = "watchlist"
    )]
    tickers: Vec<Symbol>,
    /// File of tickers (one per line or comma separated; # starts a comment).
    #[arg(long, value_name = "FILE")]
    watchlist: Option<PathBuf>,
    /// Chain provider (default: [provider] name).
    #[arg(long, value_name = "NAME")]
    provider: Option<Source>,
    /// Folder of snapshots for the files provider (overrides [provider.files] dir).
    #[arg(long, value_name = "DIR")]
    files_dir: Option<PathBuf>,
    /// Chains fetched at once (default: [scan] concurrency).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: Option<u16>,
    /// Also save every fetched chain as JSON under DIR/<TICKER>/ for `--provider files`.
    #[arg(long, value_name = "DIR")]
    save_snapshots: Option<PathBuf>,
    /// Queue the alerts' notifications but do not send them (`optctl notify` will).
    #[arg(long)]
    no_notify: bool,
    /// Exit 3 when some tickers failed and the rest were stored [default: [scan] strict].
    #[arg(long)]
    strict: bool,
    /// Scan only the tickers whose market is in session; do nothing (exit 0, reason on
    /// stderr unless -q) when none is [default: [scan] market_hours_only].
    ///
    /// Each ticker's own market: NSE's sessions and holidays for the `nse` provider and
    /// for the simulator's NSE names (NIFTY, BANKNIFTY, RELIANCE...), NYSE's (09:30 to
    /// 16:00 New York, early closes) for the rest. So a cron line every 10 minutes on
    /// weekdays scans each name during its own session only.
    #[arg(long)]
    market_hours_only: bool,
    /// Scan only part K of N of the tickers, so N hosts share one watchlist (1 <= K <= N)
    /// [default: [scan] shard].
    ///
    /// A ticker is in part K when the 64-bit FNV-1a hash of its symbol (upper case,
    /// UTF-8) modulo N is K-1: the same split on every host and version. Run `--shard
    /// 1/N` to `--shard N/N` on N hosts with the same watchlist; each scan row records
    /// its part; the detectors, export and serve's per-ticker routes read every part's
    /// rows. A part that holds no ticker scans nothing (exit 0, reason on stderr unless
    /// -q).
    #[arg(long, value_name = "K/N")]
    shard: Option<optctl::scan::Shard>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut cfg = ctx.config()?;
    if let Some(p) = args.provider {
        cfg.provider.name = p;
    }
    if let Some(d) = args.files_dir {
        cfg.provider.files.dir = Some(d);
    }
    let tickers = match (&args.watchlist, args.tickers.is_empty()) {
        (Some(file), _) => optctl::scan::read_watchlist(file)?,
        (None, false) => args.tickers.clone(),
        (None, true) => cfg.watchlist.tickers.clone(),
    };
    let shard = args.shard.or_else(|| cfg.scan.shard());
    let tickers = match shard {
        Some(shard) => {
            let all = tickers.len();
            let part = shard.select(tickers);
            // An empty watchlist stays the usage error it is without --shard.
            if part.is_empty() && all > 0 {
                let reason = format!(
                    "shard {shard} holds none of the {all} ticker(s) to scan; nothing to do"
                );
                ctx.out.note(&format!("skipped: {reason}"));
                if ctx.out.is_json() {
                    ctx.out.json(&serde_json::json!({
                        "status": "skipped",
                        "reason": reason,
                        "shard": shard.to_string(),
                    }))?;
                }
                return Ok(Outcome::Done);
            }
            part
        }
        None => tickers,
    };
    let tickers = if args.market_hours_only || cfg.scan.market_hours_only {
        match in_session(tickers, cfg.provider.name, ctx) {
            Ok(open) => open,
            Err(market) => {
                ctx.out.skipped(&market)?;
                return Ok(Outcome::Done);
            }
        }
    } else {
        tickers
    };
    // The lock comes before the store is opened: a refused run touches nothing. Each
    // part of a split watchlist has its own, so N hosts scan their parts at once on a
    // shared store (and each recovers only its own part's dead runs).
    let job = shard.map_or_else(
        || "scan".to_string(),
        |s| format!("scan-{}", s.to_string().replace('/', "-of-")),
    );
    let _lock = JobLock::acquire(&ctx.home, &job)?;
    let store = ctx.store()?;
    let provider = ctx.connector(&cfg).chains(cfg.provider.name)?;
    let opts = scan::Options {
        tickers,
        concurrency: args.concurrency.map_or(cfg.scan.concurrency, usize::from),
        as_of: ctx.as_of,
        min_iv_observations: cfg.scan.min_iv_observations,
        keep_chain_days: cfg.scan.keep_chain_days,
        save_snapshots: args.save_snapshots,
        detectors: cfg.detectors.clone(),
        pricing: cfg.pricing.clone(),
        notify: Arc::new(optctl::notify::Router::new(&cfg.notify)),
        shard,
    };
    let progress = ctx.out.progress("scanning");
    let report = super::runtime()?.block_on(scan::run(store, provider, &opts, progress))?;
    let notify = if !args.no_notify && !opts.notify.is_empty() {
        super::notify::send_queued(ctx, &cfg, "this scan's alerts")
    } else {
        None
    };
    print(&report, notify, &ctx.out)?;
    match report.status {
        ScanStatus::Succeeded => Ok(Outcome::Done),
        ScanStatus::Partial => {
            ctx.out.partial(
                &format!("scan {}", report.scan_id),
                report.errors.len(),
                report.tickers_requested as usize,
                "tickers",
                report
                    .errors
                    .iter()
                    .map(|e| (e.ticker.as_str(), e.error.as_str())),
            );
            Ok(Outcome::partial(args.strict || cfg.scan.strict))
        }
        _ => Err(optctl::Error::Failed(format!(
            "scan {} failed: all {} tickers failed (first: {})",
            report.scan_id,
            report.tickers_failed,
            report.errors.first().map_or("-", |e| e.error.as_str())
        ))),
    }
}

fn print(r: &Report, notify: Option<DrainReport>, out: &Output) -> optctl::Result<()> {
    if out.is_json() {
        return out.json(&WithNotify { report: r, notify });
    }
    let mut t = out.table(&[
        "scan",
        "status",
        "tickers",
        "failed",
        "contracts",
        "alerts",
        "calls",
        "duration",
    ]);
    t.add_row(vec![
        r.scan_id.to_string(),
        r.status.to_string(),
        r.tickers_ok.to_string(),
        r.tickers_failed.to_string(),
        r.contracts.to_string(),
        r.alerts.to_string(),
        r.provider_calls.to_string(),
        format!("{:.2} s", r.duration_ms as f64 / 1000.0),
    ]);
    Output::align_right(&mut t, &[0, 2, 3, 4, 5, 6, 7]);
    out.print_table(None, &t)?;
    if !r.alerts_by_detector.is_empty() {
        let mut d = out.table(&["detector", "alerts"]);
        for (name, n) in &r.alerts_by_detector {
            d.add_row(vec![name.clone(), n.to_string()]);
        }
        Output::align_right(&mut d, &[1]);
        out.print_table(None, &d)?;
    }
    if r.tickers.len() <= 30 && !r.tickers.is_empty() {
        let mut k = out.table(&["ticker", "spot", "contracts", "iv30", "alerts"]);
        for s in &r.tickers {
            k.add_row(vec![
                s.ticker.clone(),
                format!("{:.2}", s.spot),
                s.contracts.to_string(),
                pct(s.atm_iv_30d),
                s.alerts.to_string(),
            ]);
        }
        Output::align_right(&mut k, &[1, 2, 3, 4]);
        out.print_table(None, &k)?;
    }
    if let Some(shard) = &r.shard {
        out.note(&format!(
            "shard {shard}: {} ticker(s) of the watchlist",
            r.tickers_requested
        ));
    }
    if r.alerts_in_cooldown > 0 {
        out.note(&format!(
            "{} alerts held back by the cooldown",
            r.alerts_in_cooldown
        ));
    }
    if r.alerts_repeated > 0 {
        out.note(&format!(
            "{} alerts held back as repeats this session ([detectors] repeat_factor)",
            r.alerts_repeated
        ));
    }
    if r.provider == optctl::provider::Source::Sim.as_str() {
        out.note(
            "simulated data: provider sim is optctl's built-in market, not real quotes \
             ([provider] name or --provider picks a real source)",
        );
    }
    for id in &r.recovered_interrupted {
        out.note(&format!(
            "scan {id} had been interrupted (its process died); marked interrupted"
        ));
    }
    Ok(())
}

/// The tickers whose own market is in session at `ctx.as_of` (each ticker's exchange under
/// `source`: a watchlist of US and NSE names scans each in its own hours). The others are
/// named on stderr. When none is open: the status of the market that opens first.
fn in_session(
    tickers: Vec<Symbol>,
    source: Source,
    ctx: &Ctx,
) -> Result<Vec<Symbol>, Box<optctl::market::MarketStatus>> {
    let status = |t: &Symbol| source.exchange_of(t).calendar().status(ctx.as_of);
    let (open, closed): (Vec<Symbol>, Vec<Symbol>) =
        tickers.into_iter().partition(|t| status(t).open);
    if open.is_empty() {
        let first = closed
            .iter()
            .map(status)
            .min_by_key(|m| m.next_open)
            .unwrap_or_else(|| optctl::market::Calendar::nyse().status(ctx.as_of));
        return Err(Box::new(first));
    }
    if !closed.is_empty() {
        let names: Vec<&str> = closed.iter().map(Symbol::as_str).collect();
        ctx.out.note(&format!(
            "skipped {} ticker(s) whose market is closed: {} ({})",
            closed.len(),
            names.join(", "),
            status(&closed[0]).describe()
        ));
    }
    Ok(open)
}
