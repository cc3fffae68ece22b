//! Prices a chain: optctl's own implied volatility from each contract's mid price, and
//! greeks at that volatility. Contracts without a two-sided quote, or whose mid lies
//! outside the no-arbitrage bounds, keep their quote with no IV and no greeks.

use crate::market::{ChainSnapshot, years_to_expiry};
use crate::quant::{self, Inputs};
use crate::store::chains::ContractRow;

/// Prices every contract of `snap`.
pub fn price_chain(snap: &ChainSnapshot) -> Vec<ContractRow> {
    snap.contracts
        .iter()
        .map(|q| {
            let inp = Inputs {
                right: q.right,
                spot: snap.spot,
                strike: q.strike,
                t_years: years_to_expiry(snap.as_of, q.expiry),
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
            }
        })
        .collect()
}
