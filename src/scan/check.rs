//! `optctl quant check`: how far optctl's implied volatility is from the source's own on
//! a live or replayed chain. Each ticker's chain is fetched through the same provider the
//! scan uses, priced by the scan's own [`price_chain`] and summarised by the scan's own
//! features (30-day ATM IV) and `scan::vendor` (the gaps). Nothing is stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::features::{self, ChainContext};
use super::price::price_chain;
use super::vendor;
pub use super::vendor::{ContractGap, GapStats};
use crate::market::Symbol;
use crate::provider::ChainProvider;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    pub tickers: Vec<Symbol>,
    /// "Now": the instant the chain is asked for (a recording replays what it held then).
    pub as_of: DateTime<Utc>,
    /// How many of the worst contracts to list per ticker.
    pub worst: usize,
    /// The rates and dividend yields the forwards fall back to (`[pricing]`).
    pub pricing: super::PricingConfig,
}

/// One ticker's comparison.
#[derive(Debug, Clone, Serialize)]
pub struct TickerCheck {
    pub ticker: String,
    /// The quotes' own time (the source's timestamp).
    pub quoted_at: DateTime<Utc>,
    pub spot: f64,
    pub contracts: u64,
    /// Contracts optctl found an IV for.
    pub priced: u64,
    /// Contracts carrying the source's own IV.
    pub with_vendor_iv: u64,
    /// |optctl IV − source IV| over two-sided contracts with both (fractions).
    pub all: GapStats,
    /// The same over out-of-the-money contracts (against spot).
    pub otm: GapStats,
    /// The same over in-the-money contracts.
    pub itm: GapStats,
    /// optctl's 30-day constant-maturity ATM IV.
    pub atm_iv_30d: Option<f64>,
    /// The source's own 30-day IV (CBOE `iv30`).
    pub vendor_iv30: Option<f64>,
    /// `atm_iv_30d − vendor_iv30`.
    pub iv30_gap: Option<f64>,
    /// The contracts furthest from the source, worst first.
    pub worst: Vec<ContractGap>,
    /// The same gaps expiry by expiry, nearest first, with the forward each was priced on.
    pub expiries: Vec<ExpiryCheck>,
}

/// One expiry's comparison: where a ticker's gap comes from (an ex-dividend date inside
/// the first expiry, say, shows there and nowhere else).
#[derive(Debug, Clone, Serialize)]
pub struct ExpiryCheck {
    pub expiry: NaiveDate,
    /// Years from the quotes' time to the expiry instant.
    pub t_years: f64,
    pub forward: f64,
    /// The carry the forward implies (rate less dividend yield, a year).
    pub carry: f64,
    /// How the forward was found: `parity`, `box` or `fallback`.
    pub method: String,
    pub all: GapStats,
    pub otm: GapStats,
    pub itm: GapStats,
}

/// A ticker the provider could not answer for.
#[derive(Debug, Clone, Serialize)]
pub struct CheckError {
    pub ticker: String,
    pub error: String,
}

/// What a check found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub provider: String,
    pub as_of: DateTime<Utc>,
    pub tickers: Vec<TickerCheck>,
    pub errors: Vec<CheckError>,
}

/// Fetches, prices and compares each ticker of `opts` in turn.
pub async fn run(provider: &dyn ChainProvider, opts: &Options) -> Report {
    let mut report = Report {
        provider: provider.name().to_string(),
        as_of: opts.as_of,
        tickers: Vec::new(),
        errors: Vec::new(),
    };
    for ticker in &opts.tickers {
        match provider.chain(ticker.as_str(), opts.as_of).await {
            Ok(snap) => {
                let priced = price_chain(&snap, &opts.pricing);
                let ctx = ChainContext {
                    ticker: &snap.ticker,
                    as_of: opts.as_of,
                    quoted_at: snap.as_of,
                    exchange: snap.exchange,
                    spot: snap.spot,
                    rate: snap.rate,
                    dividend_yield: snap.dividend_yield,
                    multiplier: snap.multiplier,
                    vendor_iv30: snap.source_iv30,
                    expiries: &priced.expiries,
                };
                let (priced, expiries) = (&priced.contracts, &priced.expiries);
                let f = features::compute(&ctx, priced, &[], 1);
                let gaps = vendor::gaps(priced, snap.spot);
                let by_expiry = expiries
                    .iter()
                    .map(|e| {
                        let of: Vec<_> = priced
                            .iter()
                            .filter(|c| c.expiry == e.expiry)
                            .cloned()
                            .collect();
                        let g = vendor::gaps(&of, snap.spot);
                        ExpiryCheck {
                            expiry: e.expiry,
                            t_years: e.t_years,
                            forward: e.forward,
                            carry: e.carry,
                            method: e.method.clone(),
                            all: g.all,
                            otm: g.otm,
                            itm: g.itm,
                        }
                    })
                    .collect();
                report.tickers.push(TickerCheck {
                    ticker: snap.ticker.clone(),
                    quoted_at: snap.as_of,
                    spot: snap.spot,
                    contracts: priced.len() as u64,
                    priced: priced.iter().filter(|c| c.iv.is_some()).count() as u64,
                    with_vendor_iv: priced.iter().filter(|c| c.vendor_iv.is_some()).count() as u64,
                    all: gaps.all,
                    otm: gaps.otm,
                    itm: gaps.itm,
                    atm_iv_30d: f.atm_iv_30d,
                    vendor_iv30: f.vendor_iv30,
                    iv30_gap: f.vendor_iv30_gap,
                    worst: vendor::worst(priced, snap.spot, opts.worst),
                    expiries: by_expiry,
                });
            }
            Err(e) => report.errors.push(CheckError {
                ticker: ticker.to_string(),
                error: e.to_string(),
            }),
        }
    }
    report
}
