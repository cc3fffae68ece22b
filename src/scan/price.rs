//! Prices a chain: optctl's own implied volatility from each contract's mid price, and
//! greeks at that volatility. Contracts without a two-sided quote, or whose mid lies
//! outside the no-arbitrage bounds, keep their quote with no IV and no greeks.
//!
//! Time to expiry runs on the market's clock: from when the contract was quoted (its
//! `quoted_at`, else the chain's `as_of`, the source's own quote time) to the contract's
//! expiry instant ([`ChainSnapshot::expiry_instant`]: the close, the early close, or the
//! open for AM-settled contracts). A recording replayed years later prices as it did the
//! day it was taken.
//!
//! The source's own IV and greeks, when it sends them, ride along beside optctl's
//! (`vendor_*`), and each contract's dealer gamma exposure (`scan::gex`) is set from
//! optctl's gamma.

use chrono::{DateTime, NaiveDate, Utc};

use crate::market::{ChainSnapshot, years_between};
use crate::quant::{self, Inputs};
use crate::store::chains::ContractRow;

/// Prices every contract of `snap`.
pub fn price_chain(snap: &ChainSnapshot) -> Vec<ContractRow> {
    // Contracts come sorted by expiry: one calendar look-up per (expiry, root) run.
    let mut last: Option<(NaiveDate, &str, DateTime<Utc>)> = None;
    snap.contracts
        .iter()
        .map(|q| {
            let root = crate::market::occ_root(&q.symbol);
            let expires = match last {
                Some((d, r, at)) if d == q.expiry && r == root => at,
                _ => {
                    let at = snap.expiry_instant(q);
                    last = Some((q.expiry, root, at));
                    at
                }
            };
            let inp = Inputs {
                right: q.right,
                spot: snap.spot,
                strike: q.strike,
                t_years: years_between(snap.quoted_at(q), expires),
                rate: snap.rate,
                div: snap.dividend_yield,
            };
            let iv = q
                .mid()
                .and_then(|m| quant::implied_vol(&inp, m).ok())
                .filter(|v| *v > 0.0 && v.is_finite());
            let g = iv.map(|v| quant::bsm::greeks(&inp, v));
            ContractRow {
                symbol: q.symbol.clone(),
                expiry: q.expiry,
                strike: q.strike,
                right: q.right,
                bid: q.bid,
                ask: q.ask,
                last: q.last,
                volume: q.volume,
                open_interest: q.open_interest,
                iv,
                delta: g.map(|g| g.delta),
                gamma: g.map(|g| g.gamma),
                theta: g.map(|g| g.theta),
                vega: g.map(|g| g.vega),
                vendor_iv: q.source_iv,
                vendor_delta: q.source_greeks.delta,
                vendor_gamma: q.source_greeks.gamma,
                vendor_theo: q.source_greeks.theo,
                gex: g.map(|g| {
                    super::gex::contract_gex(
                        q.right,
                        q.open_interest,
                        g.gamma,
                        snap.multiplier,
                        snap.spot,
                    )
                }),
            }
        })
        .collect()
}
