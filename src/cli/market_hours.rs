//! `optctl market-hours`: is the market open now, and when does it next open.

use optctl::market::{Exchange, MarketStatus, Symbol};

use super::{Ctx, Outcome};

/// Show whether the market is open and when it next opens.
///
/// By default the watchlist's market: the one most of `[watchlist] tickers` trade on
/// under `[provider] name` (NYSE's sessions, holidays and early closes for US names,
/// NSE's for the `nse` provider and the simulator's NSE names); a watchlist that mixes
/// markets gets a line for each. `--market workbooks` is the session of the broker
/// workbooks, `[market_hours]` in the config (default NSE:
/// Asia/Kolkata, 09:15 to 15:30, Monday to Friday, NSE's published holidays plus
/// `holidays` and `holidays_file`). The open is inclusive and the close exclusive.
/// --as-of asks about another instant.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which session: `watchlist` (its market), `us` (NYSE), `nse`, or `workbooks`
    /// ([market_hours]: process-excel's session).
    #[arg(long, value_enum, default_value_t = Market::Watchlist)]
    market: Market,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Market {
    Watchlist,
    Us,
    Nse,
    Workbooks,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    // (market name, tickers of the watchlist on it, its status), the main one first.
    let mut shown: Vec<(&str, Vec<&Symbol>, MarketStatus)> = Vec::new();
    let exchange = |e: Exchange| e.calendar().status(ctx.as_of);
    match args.market {
        Market::Workbooks => shown.push((
            "workbooks",
            Vec::new(),
            cfg.market_hours.calendar(&ctx.home)?.status(ctx.as_of),
        )),
        Market::Us => shown.push(("us", Vec::new(), exchange(Exchange::Us))),
        Market::Nse => shown.push(("nse", Vec::new(), exchange(Exchange::Nse))),
        Market::Watchlist => {
            let mut by: Vec<(Exchange, Vec<&Symbol>)> = Vec::new();
            for t in &cfg.watchlist.tickers {
                let e = cfg.provider.name.exchange_of(t);
                match by.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, v)) => v.push(t),
                    None => by.push((e, vec![t])),
                }
            }
            // Most tickers first; an empty watchlist is a US one.
            by.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
            if by.is_empty() {
                by.push((Exchange::Us, Vec::new()));
            }
            for (e, tickers) in by {
                shown.push((e.as_str(), tickers, exchange(e)));
            }
        }
    }
    if ctx.out.is_json() {
        let (name, _, status) = &shown[0];
        let mut doc =
            serde_json::to_value(status).map_err(|e| optctl::Error::Failed(e.to_string()))?;
        doc["market"] = (*name).into();
        if shown.len() > 1 {
            doc["others"] = shown[1..]
                .iter()
                .map(|(name, tickers, status)| {
                    let mut o = serde_json::to_value(status).unwrap_or_default();
                    o["market"] = (*name).into();
                    o["tickers"] = tickers.iter().map(|t| t.as_str()).collect();
                    o
                })
                .collect();
        }
        ctx.out.json(&doc)?;
    } else {
        for (name, tickers, status) in &shown {
            let label = match (*name, shown.len()) {
                (_, 1) => String::new(),
                (_, _) if tickers.len() <= 4 => format!(
                    "{} ({}): ",
                    name.to_uppercase(),
                    tickers
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => format!("{} ({} tickers): ", name.to_uppercase(), tickers.len()),
            };
            ctx.out.line(&format!("{label}{}", status.describe()))?;
            ctx.out
                .line(&format!("now {} ({})", status.local_time, status.timezone))?;
        }
    }
    Ok(Outcome::Done)
}
