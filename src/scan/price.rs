//! Prices a chain: each expiry's forward and discount factor (`quant::forward`: put-call
//! parity on the strikes nearest the money, the box-spread rate where the chain pins it,
//! else the `[pricing]` rate and dividend yield), then optctl's own implied volatility from
//! each contract's mid price under its model (`quant::model`: Black-76 on the forward, or
//! the American pricer for in-the-money American contracts), and greeks from the same
//! model. Contracts without a two-sided quote, or whose mid lies outside the no-arbitrage
//! bounds, keep their quote with no IV and no greeks.
//!
//! Time to expiry runs on the market's clock: from when the contract was quoted (its
//! `quoted_at`, else the chain's `as_of`, the source's own quote time) to the contract's
//! expiry instant ([`ChainSnapshot::expiry_instant`]: the close, the early close, or the
//! open for AM-settled contracts). A recording replayed years later prices as it did the
//! day it was taken.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::config::PricingConfig;
use crate::market::{ChainSnapshot, Right, years_between};
use crate::quant::forward::{self, Carry, ExpiryForward, Pair};
use crate::quant::model::{self, Model};
use crate::quant::{Greeks, Inputs};
use crate::store::chains::{ContractRow, ExpiryRow};

/// Half the price increment of a quote (a cent): a mid this close below the lower bound is
/// a rounded price at the bound.
pub const HALF_TICK: f64 = 0.005;

/// A priced chain: its contracts and, per expiry not yet expired, its forward.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub contracts: Vec<ContractRow>,
    pub expiries: Vec<ExpiryRow>,
}

/// Prices every contract of `snap` with the rates and dividends of `pricing`.
pub fn price_chain(snap: &ChainSnapshot, pricing: &PricingConfig) -> Priced {
    let exercise = snap.exercise();
    let dividend_yield = pricing.dividend_yield(&snap.ticker, snap.dividend_yield);
    // Contracts by expiry; the forward of each expiry from its pairs.
    let mut by_expiry: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, q) in snap.contracts.iter().enumerate() {
        by_expiry.entry(q.expiry).or_default().push(i);
    }
    let mut forwards: BTreeMap<NaiveDate, ExpiryForward> = BTreeMap::new();
    let mut expiries = Vec::with_capacity(by_expiry.len());
    for (&date, idx) in &by_expiry {
        // The latest instant among the date's roots (SPX settles AM, SPXW PM).
        let expires = idx
            .iter()
            .map(|&i| snap.expiry_instant(&snap.contracts[i]))
            .max()
            .expect("an expiry has contracts");
        let t = years_between(snap.as_of, expires);
        if t <= 0.0 {
            continue;
        }
        let mut calls: BTreeMap<u64, f64> = BTreeMap::new();
        let mut pairs = Vec::new();
        for &i in idx {
            let q = &snap.contracts[i];
            if q.right == Right::Call
                && let Some(m) = q.mid()
            {
                calls.insert(q.strike.to_bits(), m);
            }
        }
        for &i in idx {
            let q = &snap.contracts[i];
            if q.right == Right::Put
                && let (Some(put), Some(&call)) = (q.mid(), calls.get(&q.strike.to_bits()))
            {
                pairs.push(Pair {
                    strike: q.strike,
                    call,
                    put,
                });
            }
        }
        let carry = Carry {
            spot: snap.spot,
            t_years: t,
            rate: pricing.rate(snap.exchange, t, snap.rate),
            dividend_yield,
        };
        let f = forward::implied_forward(&pairs, &carry);
        forwards.insert(date, f);
        expiries.push(ExpiryRow {
            expiry: date,
            t_years: t,
            forward: f.forward,
            carry: f.carry,
            discount: f.discount,
            rate: f.rate,
            method: f.method.as_str().to_string(),
            pairs: f.pairs,
        });
    }

    // Two passes: Black-76 contracts first (European and out-of-the-money), so that an
    // in-the-money American contract starts from the volatility of the other right at its
    // strike (see `model::solve_with_greeks`).
    let mut solved: Vec<Option<(f64, Greeks, Model)>> = vec![None; snap.contracts.len()];
    let mut otm: HashMap<(NaiveDate, u64, Right), f64> = HashMap::new();
    let mut american = Vec::new();
    for (i, q) in snap.contracts.iter().enumerate() {
        let Some(f) = forwards.get(&q.expiry) else {
            continue;
        };
        let inp = Inputs {
            right: q.right,
            spot: snap.spot,
            strike: q.strike,
            t_years: years_between(snap.quoted_at(q), snap.expiry_instant(q)),
            rate: f.rate,
            div: f.dividend_yield(),
        };
        let m = model::model_for(exercise, &inp);
        if m == Model::American {
            american.push((i, inp));
            continue;
        }
        solved[i] = solve(m, &inp, q.mid(), None);
        if let Some((iv, ..)) = solved[i] {
            otm.insert((q.expiry, q.strike.to_bits(), q.right), iv);
        }
    }
    for (i, inp) in american {
        let q = &snap.contracts[i];
        let other = match q.right {
            Right::Call => Right::Put,
            Right::Put => Right::Call,
        };
        let hint = otm.get(&(q.expiry, q.strike.to_bits(), other)).copied();
        solved[i] = solve(Model::American, &inp, q.mid(), hint);
    }
    let contracts = snap
        .contracts
        .iter()
        .zip(solved)
        .map(|(q, priced)| ContractRow {
            symbol: q.symbol.clone(),
            expiry: q.expiry,
            strike: q.strike,
            right: q.right,
            bid: q.bid,
            ask: q.ask,
            last: q.last,
            volume: q.volume,
            open_interest: q.open_interest,
            iv: priced.map(|p| p.0),
            delta: priced.map(|p| p.1.delta),
            gamma: priced.map(|p| p.1.gamma),
            theta: priced.map(|p| p.1.theta),
            vega: priced.map(|p| p.1.vega),
            rho: priced.map(|p| p.1.rho),
            model: priced.map(|p| p.2.as_str().to_string()),
        })
        .collect();
    Priced {
        contracts,
        expiries,
    }
}

/// One contract's IV, greeks and model; None without a mid or a positive IV.
fn solve(
    m: Model,
    inp: &Inputs,
    mid: Option<f64>,
    hint: Option<f64>,
) -> Option<(f64, Greeks, Model)> {
    let (iv, g) = model::solve_with_greeks(m, inp, mid?, HALF_TICK, hint).ok()?;
    (iv > 0.0 && iv.is_finite()).then_some((iv, g, m))
}
