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
//!
//! The source's own IV and greeks, when it sends them, ride along beside optctl's
//! (`vendor_*`), and each contract's dealer gamma exposure (`scan::gex`) is set from
//! optctl's gamma.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::config::PricingConfig;
use crate::market::{ChainSnapshot, Exercise, Right, years_between};
use crate::quant::forward::{self, Carry, ExpiryForward, ForwardMethod, Pair};
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
            european: exercise == Exercise::European,
        };
        let mut f = forward::implied_forward(&pairs, &carry);
        if exercise == Exercise::American && f.method != ForwardMethod::Fallback {
            // American prices hold early-exercise premiums on the in-the-money side of each
            // pair, which lean the parity forward; take them off (at the out-of-the-money
            // side's volatility, on the first forward) and solve again.
            let t_pair = t;
            pairs.sort_by(|a, b| {
                (a.strike - snap.spot)
                    .abs()
                    .total_cmp(&(b.strike - snap.spot).abs())
            });
            pairs.truncate(forward::BOX_PAIRS);
            for p in &mut pairs {
                let inp = |right| Inputs {
                    right,
                    spot: snap.spot,
                    strike: p.strike,
                    t_years: t_pair,
                    rate: f.rate,
                    div: f.dividend_yield(),
                };
                let (itm, otm_mid) = if p.strike < f.forward {
                    (Right::Call, p.put)
                } else {
                    (Right::Put, p.call)
                };
                let otm = match itm {
                    Right::Call => Right::Put,
                    Right::Put => Right::Call,
                };
                let Ok(vol) = crate::quant::implied_vol(&inp(otm), otm_mid) else {
                    continue;
                };
                if vol > 0.0 {
                    let premium = model::early_exercise_premium(&inp(itm), vol);
                    match itm {
                        Right::Call => p.call -= premium,
                        Right::Put => p.put -= premium,
                    }
                }
            }
            f = forward::implied_forward(&pairs, &carry);
        }
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
            vendor_iv: q.source_iv,
            vendor_delta: q.source_greeks.delta,
            vendor_gamma: q.source_greeks.gamma,
            vendor_theo: q.source_greeks.theo,
            gex: priced.map(|p| {
                super::gex::contract_gex(
                    q.right,
                    q.open_interest,
                    p.1.gamma,
                    snap.multiplier,
                    snap.spot,
                )
            }),
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::market::{Exchange, OccSymbol, OptionQuote, expiry_instant_of};
    use crate::quant::bsm;

    /// A constructed chain (not market data): spot 100, a 4% dividend yield and a 3% rate,
    /// a skewed smile, American contracts priced with a 1001-step tree (in the money) or
    /// Black-Scholes (out of the money, where early exercise is worth nothing here),
    /// quoted at exactly that price. The source gives no dividend, as most real ones. Its
    /// IVs come back within 0.05 vol points.
    fn constructed(exercise: Exercise) -> (ChainSnapshot, Vec<(String, f64)>) {
        let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let (spot, rate, div) = (100.0, 0.03, 0.04);
        let mut contracts = vec![];
        let mut truth = vec![];
        for expiry in [
            NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 19).unwrap(),
        ] {
            let t = years_between(as_of, expiry_instant_of(Exchange::Us, "XYZ", expiry));
            for k in (80..=120).step_by(5) {
                let strike = k as f64;
                let vol = 0.25 + 0.2 * (100.0 / strike).ln();
                for right in [Right::Call, Right::Put] {
                    let inp = Inputs {
                        right,
                        spot,
                        strike,
                        t_years: t,
                        rate,
                        div,
                    };
                    let price = match model::model_for(exercise, &inp) {
                        Model::American => model::american_reference(&inp, vol, 1001),
                        Model::Black76 => bsm::price(&inp, vol),
                    };
                    let symbol = OccSymbol::format("XYZ", expiry, right, strike);
                    truth.push((symbol.clone(), vol));
                    contracts.push(OptionQuote {
                        symbol,
                        expiry,
                        strike,
                        right,
                        bid: price,
                        ask: price,
                        last: price,
                        volume: 10,
                        open_interest: 100,
                        source_iv: None,
                        source_greeks: Default::default(),
                        quoted_at: None,
                    });
                }
            }
        }
        let snap = ChainSnapshot {
            ticker: "XYZ".into(),
            as_of,
            spot,
            rate,
            dividend_yield: 0.0,
            multiplier: 100.0,
            exchange: Exchange::Us,
            exercise: Some(exercise),
            ex_dividends: vec![],
            source_iv30: None,
            contracts,
        };
        (snap, truth)
    }

    #[test]
    fn a_dividend_the_source_omits_is_priced_from_the_forward() {
        let (snap, truth) = constructed(Exercise::American);
        let priced = price_chain(&snap, &PricingConfig::default());
        assert_eq!(priced.expiries.len(), 2);
        for e in &priced.expiries {
            assert_ne!(e.method, "fallback", "{e:?}");
            // Carry = rate - dividend = -1%.
            assert!((e.carry + 0.01).abs() < 0.002, "{e:?}");
        }
        let mut worst: f64 = 0.0;
        for (c, (symbol, vol)) in priced.contracts.iter().zip(&truth) {
            assert_eq!(&c.symbol, symbol);
            let itm = match c.right {
                Right::Call => c.strike < 100.0,
                Right::Put => c.strike > 100.0,
            };
            let expected = if itm { "american" } else { "black76" };
            assert_eq!(c.model.as_deref(), Some(expected), "{symbol}");
            let iv = c.iv.unwrap_or_else(|| panic!("{symbol} has no IV"));
            worst = worst.max((iv - vol).abs());
            assert!((iv - vol).abs() < 0.0005, "{symbol}: iv {iv} vs {vol}");
            assert!(c.rho.is_some_and(f64::is_finite), "{symbol}");
        }
        eprintln!(
            "constructed chain: worst |iv - vol| {:.3} vol points",
            worst * 100.0
        );
    }

    #[test]
    fn european_contracts_stay_black76() {
        let (snap, truth) = constructed(Exercise::European);
        let priced = price_chain(&snap, &PricingConfig::default());
        for (c, (symbol, vol)) in priced.contracts.iter().zip(&truth) {
            assert_eq!(c.model.as_deref(), Some("black76"), "{symbol}");
            assert!((c.iv.unwrap() - vol).abs() < 0.001, "{symbol}");
        }
    }

    #[test]
    fn without_pairs_the_forward_falls_back_to_the_configured_dividend() {
        let (mut snap, _) = constructed(Exercise::European);
        snap.contracts.retain(|q| q.right == Right::Call);
        let pricing: PricingConfig = toml::from_str("dividend_yields = { XYZ = 0.04 }\n").unwrap();
        let priced = price_chain(&snap, &pricing);
        for e in &priced.expiries {
            assert_eq!(e.method, "fallback");
            assert!((e.carry + 0.01).abs() < 1e-12, "{e:?}");
        }
    }
}
