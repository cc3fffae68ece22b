//! `optctl chain`: one expiry of a ticker's stored chain as calls | strike | puts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::json;

use optctl::market::{Symbol, days_to_expiry};
use optctl::scan::views::{self, DeltaBand};
use optctl::scan::{AlertFilter, AlertRow, ChainRef, ContractRow};
use optctl::store::Store;

use super::output::{Output, pct};
use super::{Ctx, Outcome};

/// Show one expiry of a ticker's stored chain: calls on the left, puts on the right.
///
/// Reads the newest scan that stored the ticker's chain (or --scan), never the network.
/// Each side shows bid, ask, IV, delta (all greeks with --greeks), volume and open
/// interest; a contract that raised an alert in that scan is marked `*`, with a legend
/// under the table. By default: the nearest expiry with at least 3 days left, and the
/// 10 strikes nearest the forward implied by put-call parity.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ticker (any case).
    ticker: Symbol,
    /// This expiry (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", conflicts_with = "dte")]
    expiry: Option<NaiveDate>,
    /// The expiry nearest this many calendar days out.
    #[arg(long, value_name = "DAYS")]
    dte: Option<i64>,
    /// The N strikes nearest the forward.
    #[arg(long, value_name = "N", default_value_t = 10)]
    strikes: usize,
    /// Only strikes whose call delta lies in this band (0.1..0.9, or 0.25 for
    /// 0.25..0.75), instead of --strikes.
    #[arg(long, value_name = "BAND", conflicts_with = "strikes")]
    delta: Option<DeltaBand>,
    /// All greeks (gamma, theta per day, vega per vol point), not only delta.
    #[arg(long)]
    greeks: bool,
    /// The chain of this scan instead of the newest.
    #[arg(long, value_name = "ID")]
    scan: Option<i64>,
    /// One CSV line per contract instead of the table.
    #[arg(long)]
    csv: bool,
}

/// Where `ticker`'s chain is: in scan `scan`, or the newest scan that stored it. The
/// errors say what exists instead.
pub fn locate(store: &Store, ticker: &str, scan: Option<i64>) -> optctl::Result<ChainRef> {
    let chains = store.chains();
    let found = match scan {
        Some(id) => chains.ref_in_scan(id, ticker)?,
        None => chains.latest_ref(ticker)?,
    };
    if let Some(r) = found {
        return Ok(r);
    }
    let shown = match scan {
        Some(id) => Some(id),
        None => chains.latest_chain_scan()?,
    };
    let Some(id) = shown else {
        return Err(optctl::Error::Failed(
            "no scan has stored a chain yet: run `optctl scan` first".into(),
        ));
    };
    let tickers = chains.tickers_in_scan(id)?;
    if tickers.is_empty() {
        return Err(optctl::Error::BadInput(format!(
            "scan {id} keeps no chains (`optctl scans` lists the scans)"
        )));
    }
    let where_ = if scan.is_some() {
        format!("in scan {id}")
    } else {
        "in any kept scan".into()
    };
    Err(optctl::Error::BadInput(format!(
        "{ticker}: no stored chain {where_}; the latest scan ({id}) has {}",
        tickers.join(", ")
    )))
}

/// The alerts of `ticker` raised by scan `scan_id`.
pub fn scan_alerts(store: &Store, ticker: &str, scan_id: i64) -> optctl::Result<Vec<AlertRow>> {
    Ok(store.alerts().list(&AlertFilter {
        ticker: Some(ticker.to_string()),
        scan_id: Some(scan_id),
        ..AlertFilter::default()
    })?)
}

/// A strike as people write it: `675`, `672.5`.
pub fn strike(k: f64) -> String {
    let s = format!("{k:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.filter(|x| x.is_finite())
        .map_or_else(|| "-".into(), |x| format!("{x:.decimals$}"))
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    if args.csv && ctx.out.is_json() {
        return Err(optctl::Error::Usage(
            "--csv and --json each print the whole chain: pick one".into(),
        ));
    }
    let ticker = args.ticker.to_string();
    let store = ctx.store_read()?;
    let at = locate(&store, &ticker, args.scan)?;
    let contracts = store.chains().get(at.scan_id, &ticker)?;
    let by_expiry = views::by_expiry(&contracts);
    let expiries: Vec<NaiveDate> = by_expiry.keys().copied().collect();
    let listed = || {
        expiries
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expiry = match (args.expiry, args.dte) {
        (Some(d), _) => {
            if !by_expiry.contains_key(&d) {
                return Err(optctl::Error::BadInput(format!(
                    "{ticker}: no expiry {d} in scan {}; its expiries are {}",
                    at.scan_id,
                    listed()
                )));
            }
            d
        }
        (None, Some(n)) => {
            views::expiry_near_days(&expiries, at.as_of, n).expect("a stored chain has an expiry")
        }
        (None, None) => {
            views::default_expiry(&expiries, at.as_of).expect("a stored chain has an expiry")
        }
    };
    let cs = &by_expiry[&expiry];
    let stored = store.chains().expiries(at.scan_id, &ticker)?;
    let forward = views::forward_of(&stored, expiry, cs);
    let center = forward.unwrap_or(at.spot);
    let all = views::pairs(cs);
    let rows: Vec<_> = match args.delta {
        Some(band) => all
            .into_iter()
            .filter(|(_, c, p)| band.holds(*c, *p))
            .collect(),
        None => {
            let ks: Vec<f64> = all.iter().map(|r| r.0).collect();
            let keep = views::strikes_around(&ks, center, args.strikes);
            all.into_iter().filter(|r| keep.contains(&r.0)).collect()
        }
    };
    let alerts = scan_alerts(&store, &ticker, at.scan_id)?;
    let mut alerted: BTreeMap<&str, Vec<&AlertRow>> = BTreeMap::new();
    for a in &alerts {
        if let Some(c) = &a.contract {
            alerted.entry(c.as_str()).or_default().push(a);
        }
    }
    let is_alerted =
        |c: Option<&ContractRow>| c.is_some_and(|c| alerted.contains_key(c.symbol.as_str()));
    let days = days_to_expiry(at.as_of, expiry);

    if ctx.out.is_json() {
        let side = |c: Option<&ContractRow>| {
            c.map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                v["alerted"] = json!(is_alerted(Some(c)));
                v
            })
        };
        let strikes: Vec<_> = rows
            .iter()
            .map(|(k, c, p)| json!({"strike": k, "call": side(*c), "put": side(*p)}))
            .collect();
        ctx.out.json(&json!({
            "ticker": ticker,
            "scan_id": at.scan_id,
            "as_of": at.as_of,
            "spot": at.spot,
            "expiry": expiry,
            "days": days,
            "forward": forward,
            "expiries": expiries,
            "strike_count": strikes.len(),
            "strikes": strikes,
            "alerts": alerts,
        }))?;
        return Ok(Outcome::Done);
    }
    if args.csv {
        let header = [
            "ticker",
            "expiry",
            "strike",
            "right",
            "symbol",
            "bid",
            "ask",
            "last",
            "iv",
            "delta",
            "gamma",
            "theta",
            "vega",
            "volume",
            "open_interest",
            "alerted",
        ];
        let o = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
        let lines: Vec<Vec<String>> = rows
            .iter()
            .flat_map(|(_, c, p)| [*c, *p])
            .flatten()
            .map(|c| {
                vec![
                    ticker.clone(),
                    c.expiry.to_string(),
                    c.strike.to_string(),
                    c.right.as_str().to_string(),
                    c.symbol.clone(),
                    c.bid.to_string(),
                    c.ask.to_string(),
                    c.last.to_string(),
                    o(c.iv),
                    o(c.delta),
                    o(c.gamma),
                    o(c.theta),
                    o(c.vega),
                    c.volume.to_string(),
                    c.open_interest.to_string(),
                    is_alerted(Some(c)).to_string(),
                ]
            })
            .collect();
        ctx.out.csv(&header, &lines)?;
        return Ok(Outcome::Done);
    }

    let greeks: &[&str] = if args.greeks {
        &["delta", "gamma", "theta", "vega"]
    } else {
        &["delta"]
    };
    let mut header: Vec<&str> = vec!["", "oi", "volume"];
    header.extend(greeks.iter().rev());
    header.extend(["iv", "bid", "ask", "strike", "bid", "ask", "iv"]);
    header.extend(greeks.iter());
    header.extend(["volume", "oi", ""]);
    let mut t = ctx.out.table(&header);
    let cells = |c: Option<&ContractRow>| -> (String, Vec<String>) {
        let Some(c) = c else {
            return (String::new(), vec!["".into(); 5 + greeks.len()]);
        };
        let mut g = vec![num(c.delta, 2)];
        if args.greeks {
            g.extend([num(c.gamma, 4), num(c.theta, 3), num(c.vega, 3)]);
        }
        let mark = if is_alerted(Some(c)) { "*" } else { "" };
        let mut v = vec![format!("{:.2}", c.bid), format!("{:.2}", c.ask), pct(c.iv)];
        v.extend(g);
        v.extend([c.volume.to_string(), c.open_interest.to_string()]);
        (mark.into(), v)
    };
    for (k, c, p) in &rows {
        let (cm, mut cv) = cells(*c);
        let (pm, pv) = cells(*p);
        // Calls mirror the puts around the strike: oi, volume, greeks (reversed), iv, bid, ask.
        let (quote, rest) = cv.split_at_mut(3);
        let mut row = vec![cm];
        row.extend(rest.iter().rev().cloned());
        row.extend([quote[2].clone(), quote[0].clone(), quote[1].clone()]);
        row.push(strike(*k));
        row.extend(pv);
        row.push(pm);
        t.add_row(row);
    }
    let n = header.len();
    let numeric: Vec<usize> = (1..n - 1).collect();
    Output::align_right(&mut t, &numeric);
    let title = format!(
        "{ticker} {expiry} ({days} days)  spot {:.2}  forward {}  scan {} at {}\ncalls on the left, puts on the right",
        at.spot,
        forward.map_or("-".into(), |f| format!("{f:.2}")),
        at.scan_id,
        optctl::store::ts(at.as_of),
    );
    ctx.out.print_table(Some(&title), &t)?;
    let shown: Vec<&ContractRow> = rows
        .iter()
        .flat_map(|(_, c, p)| [*c, *p])
        .flatten()
        .filter(|c| is_alerted(Some(c)))
        .collect();
    for c in &shown {
        for a in &alerted[c.symbol.as_str()] {
            ctx.out.line(&format!(
                "* {} {} {}: {} score {:.0}",
                c.right.as_str(),
                strike(c.strike),
                c.symbol,
                a.detector_name,
                a.score
            ))?;
        }
    }
    let others = alerted.values().map(Vec::len).sum::<usize>()
        - shown
            .iter()
            .map(|c| alerted[c.symbol.as_str()].len())
            .sum::<usize>();
    if others > 0 {
        ctx.out.line(&format!(
            "{others} more alert(s) of scan {} on contracts not shown: optctl alerts --scan {} --ticker {ticker}",
            at.scan_id, at.scan_id
        ))?;
    }
    if rows.is_empty() {
        ctx.out.note(&format!(
            "no strike of {expiry} matches; its {} contracts are stored",
            cs.len()
        ));
    }
    Ok(Outcome::Done)
}
