//! `optctl fetch`: one chain or one bar range from a provider, saved raw for replay.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use optctl::market::{Symbol, Timeframe};
use optctl::provider::Source;
use optctl::provider::fetch::{self, Report};

use super::output::Output;
use super::{Ctx, Outcome};

/// Fetch one chain (or a range of bars) from a provider and save the raw responses.
///
/// Asks the provider once, the way `optctl scan` asks for a chain, and prints what came
/// back: spot, contracts, expirations, or the bars. Use it to check a provider's
/// settings, or with --save DIR to record the responses exactly as received, with a
/// capture.json naming the provider, ticker and time, under
/// DIR/<TICKER>/<time>-<provider>-<chain|bars-TF>/. The files provider replays them
/// later through the same parsers, with no network: `optctl scan --provider files
/// --files-dir DIR` for chains, `optctl fetch --provider files --files-dir DIR --bars TF`
/// for bars. Record a day once, replay it many times.
///
/// Errors are classified as in a scan: unknown symbol, authentication (names the
/// setting that holds the key), rate limited (with Retry-After), temporarily
/// unavailable, malformed response.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Provider (default: [provider] name).
    #[arg(long, value_name = "NAME")]
    provider: Option<Source>,
    /// The underlying to fetch (AAPL, SPX, NIFTY, ...).
    #[arg(long, value_name = "TICKER")]
    ticker: Symbol,
    /// Fetch bars at this timeframe (1m, 5m, 1h, 1d) instead of the option chain.
    #[arg(long, value_name = "TF")]
    bars: Option<Timeframe>,
    /// First bar time: RFC 3339 or YYYY-MM-DD (UTC midnight). Default: 30 days before
    /// --to for 1d bars, 5 days for intraday.
    #[arg(long, value_name = "TIME", requires = "bars", value_parser = parse_time)]
    from: Option<DateTime<Utc>>,
    /// End of the bar range, exclusive: RFC 3339 or YYYY-MM-DD (default: now / --as-of).
    #[arg(long, value_name = "TIME", requires = "bars", value_parser = parse_time)]
    to: Option<DateTime<Utc>>,
    /// Save the raw responses under DIR/<TICKER>/ for the files provider to replay.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Folder the files provider replays from (overrides [provider.files] dir).
    #[arg(long, value_name = "DIR")]
    files_dir: Option<PathBuf>,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
        Err(_) => optctl::time::parse_instant(s),
    }
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut config = ctx.config()?;
    if let Some(d) = args.files_dir {
        config.provider.files.dir = Some(d);
    }
    let cfg = &config.provider;
    let to = args.to.unwrap_or(ctx.as_of);
    let back = match args.bars {
        Some(Timeframe::D1) | None => TimeDelta::days(30),
        Some(_) => TimeDelta::days(5),
    };
    let from = args.from.unwrap_or(to - back);
    if from >= to {
        return Err(optctl::Error::Usage(format!(
            "--from {from} must be before --to {to}"
        )));
    }
    let opts = fetch::Options {
        provider: args.provider.unwrap_or(cfg.name),
        ticker: args.ticker,
        bars: args.bars,
        from,
        to,
        as_of: ctx.as_of,
        save: args.save,
    };
    // Paced by the same persisted limiter as scan and enrich: a fetch spends the shared
    // quota and waits its turn.
    let hooks = ctx.connector(&config).hooks(opts.provider)?;
    let report = super::runtime()?.block_on(fetch::run(cfg, &opts, &hooks))?;
    print(&report, &ctx.out)?;
    Ok(Outcome::Done)
}

fn print(r: &Report, out: &Output) -> optctl::Result<()> {
    if out.is_json() {
        return out.json(r);
    }
    let mut t = out.table(&["field", "value"]);
    let mut row = |k: &str, v: String| {
        t.add_row(vec![k.to_string(), v]);
    };
    row("provider", r.provider.to_string());
    row("ticker", r.ticker.clone());
    if let Some(c) = &r.chain {
        row("as of", c.as_of.to_rfc3339());
        row("spot", format!("{:.2}", c.spot));
        row("multiplier", format!("{}", c.multiplier));
        row(
            "contracts",
            format!(
                "{} ({} two-sided, {} with source IV)",
                c.contracts, c.quoted, c.with_source_iv
            ),
        );
        let dates: Vec<String> = c.expirations.iter().map(|d| d.to_string()).collect();
        row(
            "expirations",
            format!("{}: {}", dates.len(), dates.join(" ")),
        );
    }
    if let Some(b) = &r.bars {
        row("timeframe", b.timeframe.to_string());
        row(
            "range",
            format!("{} .. {}", b.from.to_rfc3339(), b.to.to_rfc3339()),
        );
        row("bars", b.count.to_string());
        for (label, bar) in [("first", b.first), ("last", b.last)] {
            if let Some(x) = bar {
                row(
                    label,
                    format!(
                        "{} O {} H {} L {} C {} V {}",
                        x.time.to_rfc3339(),
                        x.open,
                        x.high,
                        x.low,
                        x.close,
                        x.volume
                    ),
                );
            }
        }
    }
    row("requests", format!("{} ({} bytes)", r.requests, r.bytes));
    if let Some(pace) = r.pace {
        row("pace", pace.to_string());
    }
    if let Some(p) = &r.saved {
        row("saved", p.display().to_string());
    }
    out.print_table(None, &t)
}
