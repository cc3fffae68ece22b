//! The forward and the discount factor of one expiry, implied by the chain's own quotes.
//!
//! The rule, in order:
//! 1. **Pairs.** Strikes with a two-sided, uncrossed quote on both the call and the put
//!    (`bid > 0`, `ask >= bid`), the [`BOX_PAIRS`] nearest the spot.
//! 2. **Box-spread rate.** On a European chain (index options) with at least
//!    [`MIN_BOX_PAIRS`] pairs, least squares of
//!    `C − P` on `K`: put-call parity `C − P = D·F − D·K` makes the slope `−D` and the
//!    intercept `D·F`. The discount factor `D` is kept when the rate it implies
//!    (`−ln D / T`) lies within [`RATE_RANGE`] and the regression pins that rate to within
//!    [`MAX_BOX_RATE_ERROR`] (one standard error, the residuals taken as at least half a
//!    cent); a short expiry rarely does, its `C − P`
//!    hardly depends on `D`. Otherwise, and always on an American chain (the early-exercise
//!    premiums of its in-the-money wings grow away from the money on both sides and tilt
//!    the slope: on a constructed chain with a 3% rate they read as 1.3%), `D = e^{−rT}`
//!    with the configured rate.
//! 3. **Parity forward.** Over the [`PARITY_PAIRS`] pairs nearest the spot, each gives
//!    `F_i = K_i + (C_i − P_i) / D`; the median of those within 3 scaled median absolute
//!    deviations of their median (a stale or crossed-looking pair drops out), needing at
//!    least [`MIN_PARITY_PAIRS`] of them. The method is `box` when `D` came from step 2,
//!    else `parity`.
//! 4. **Fallback.** Too few pairs: `F = S·e^{(r−q)T}` with the configured rate and the
//!    dividend yield the source gave or the configuration sets for the ticker.
//!
//! The implied carry is `ln(F/S)/T`: the rate less the dividend yield the market prices.

use serde::{Deserialize, Serialize};

/// How an expiry's forward was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForwardMethod {
    /// Put-call parity on near-the-money pairs, discounted at the configured rate.
    Parity,
    /// Put-call parity with the discount factor from the box-spread regression too.
    Box,
    /// Too few pairs: spot carried at the configured rate less the dividend yield.
    Fallback,
}

impl ForwardMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardMethod::Parity => "parity",
            ForwardMethod::Box => "box",
            ForwardMethod::Fallback => "fallback",
        }
    }
}

impl std::str::FromStr for ForwardMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "parity" => Ok(ForwardMethod::Parity),
            "box" => Ok(ForwardMethod::Box),
            "fallback" => Ok(ForwardMethod::Fallback),
            other => Err(format!("unknown forward method {other:?}")),
        }
    }
}

/// One strike's call and put mids (both two-sided and uncrossed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub strike: f64,
    pub call: f64,
    pub put: f64,
}

/// What the forward falls back to, and the rate used when the box regression does not
/// hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Carry {
    pub spot: f64,
    /// Years to expiry.
    pub t_years: f64,
    /// The configured continuously compounded rate for this expiry.
    pub rate: f64,
    /// The dividend yield the source gave or the configuration sets.
    pub dividend_yield: f64,
    /// Whether the contracts are European: only then is the box-spread rate tried (an
    /// American chain's in-the-money premiums tilt `C − P` against `K`).
    pub european: bool,
}

/// One expiry's forward, discount factor and how they were found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExpiryForward {
    pub forward: f64,
    /// `e^{−rT}`.
    pub discount: f64,
    /// `−ln(discount) / T`.
    pub rate: f64,
    /// `ln(forward / spot) / T`: rate less dividend yield, as priced.
    pub carry: f64,
    pub method: ForwardMethod,
    /// Pairs behind the forward (0 for the fallback).
    pub pairs: u32,
}

impl ExpiryForward {
    /// The continuous dividend yield the forward implies: `rate − carry`.
    pub fn dividend_yield(&self) -> f64 {
        self.rate - self.carry
    }
}

/// Pairs the box regression looks at, nearest the spot.
pub const BOX_PAIRS: usize = 10;
/// Fewest pairs for the box regression.
pub const MIN_BOX_PAIRS: usize = 5;
/// Pairs the parity forward looks at, nearest the spot.
pub const PARITY_PAIRS: usize = 6;
/// Fewest pairs (after outliers are dropped) for a parity forward.
pub const MIN_PARITY_PAIRS: usize = 3;
/// Box rates outside this range are not believed.
pub const RATE_RANGE: (f64, f64) = (-0.05, 0.25);
/// The box rate is used when its standard error is at most this (0.005 = 0.5%).
pub const MAX_BOX_RATE_ERROR: f64 = 0.005;

/// The forward of one expiry from its `pairs` (any order), falling back to `carry`.
pub fn implied_forward(pairs: &[Pair], carry: &Carry) -> ExpiryForward {
    let Carry {
        spot,
        t_years: t,
        rate,
        dividend_yield,
        european,
    } = *carry;
    let fallback = ExpiryForward {
        forward: spot * ((rate - dividend_yield) * t).exp(),
        discount: (-rate * t).exp(),
        rate,
        carry: rate - dividend_yield,
        method: ForwardMethod::Fallback,
        pairs: 0,
    };
    if !(t > 0.0 && spot > 0.0) {
        return fallback;
    }
    let mut near: Vec<Pair> = pairs
        .iter()
        .copied()
        .filter(|p| p.strike > 0.0 && p.call.is_finite() && p.put.is_finite())
        .collect();
    near.sort_by(|a, b| (a.strike - spot).abs().total_cmp(&(b.strike - spot).abs()));
    near.truncate(BOX_PAIRS);
    let boxed = if european {
        box_discount(&near, t)
    } else {
        None
    };
    let (discount, method) = match boxed {
        Some(d) => (d, ForwardMethod::Box),
        None => (fallback.discount, ForwardMethod::Parity),
    };
    let parity: Vec<f64> = near
        .iter()
        .take(PARITY_PAIRS)
        .map(|p| p.strike + (p.call - p.put) / discount)
        .collect();
    let Some((forward, used)) = robust_median(&parity, MIN_PARITY_PAIRS) else {
        return fallback;
    };
    if !(forward.is_finite() && forward > 0.0) {
        return fallback;
    }
    let rate = match method {
        ForwardMethod::Box => -discount.ln() / t,
        _ => rate,
    };
    ExpiryForward {
        forward,
        discount,
        rate,
        carry: (forward / spot).ln() / t,
        method,
        pairs: used as u32,
    }
}

/// The discount factor from `C − P = D·F − D·K`, when the regression holds (see the
/// module's rule).
fn box_discount(pairs: &[Pair], t: f64) -> Option<f64> {
    let n = pairs.len();
    if n < MIN_BOX_PAIRS {
        return None;
    }
    let nf = n as f64;
    let mean_k = pairs.iter().map(|p| p.strike).sum::<f64>() / nf;
    let mean_y = pairs.iter().map(|p| p.call - p.put).sum::<f64>() / nf;
    let sxx: f64 = pairs.iter().map(|p| (p.strike - mean_k).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = pairs
        .iter()
        .map(|p| (p.strike - mean_k) * (p.call - p.put - mean_y))
        .sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_k;
    let ssr: f64 = pairs
        .iter()
        .map(|p| (p.call - p.put - intercept - slope * p.strike).powi(2))
        .sum();
    // The residual spread is taken as at least half a cent: quotes are rounded to
    // the cent, and a fit through rounded prices can look better than it is.
    let se_slope = ((ssr / (nf - 2.0)).max(HALF_CENT * HALF_CENT) / sxx).sqrt();
    let d = -slope;
    if !(d > 0.0 && d.is_finite()) {
        return None;
    }
    let rate = -d.ln() / t;
    // dr = dD / (D T): the slope's error in rate units.
    let rate_error = se_slope / (d * t);
    (rate >= RATE_RANGE.0 && rate <= RATE_RANGE.1 && rate_error <= MAX_BOX_RATE_ERROR).then_some(d)
}

const HALF_CENT: f64 = 0.005;

/// The median of the values within 3 scaled MADs of the median, and how many those were;
/// None with fewer than `min` of them.
fn robust_median(values: &[f64], min: usize) -> Option<(f64, usize)> {
    if values.len() < min {
        return None;
    }
    let med = median(values.to_vec());
    let mad = median(values.iter().map(|v| (v - med).abs()).collect());
    // A floor so that identical values (MAD 0) still admit rounding-level differences.
    let band = (3.0 * 1.4826 * mad).max(1e-9 * med.abs());
    let kept: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| (v - med).abs() <= band)
        .collect();
    (kept.len() >= min).then(|| (median(kept.clone()), kept.len()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Right;
    use crate::quant::bsm::{self, Inputs};

    /// Pairs priced by Black-Scholes at spot 100, rate `r`, dividend `q`, a skewed smile,
    /// mids rounded to the cent.
    fn chain(r: f64, q: f64, t: f64) -> Vec<Pair> {
        (70..=130)
            .step_by(5)
            .map(|k| {
                let k = k as f64;
                let vol = 0.25 + 0.2 * (100.0 / k).ln();
                let p = |right| {
                    let inp = Inputs {
                        right,
                        spot: 100.0,
                        strike: k,
                        t_years: t,
                        rate: r,
                        div: q,
                    };
                    (bsm::price(&inp, vol) * 100.0).round() / 100.0
                };
                Pair {
                    strike: k,
                    call: p(Right::Call),
                    put: p(Right::Put),
                }
            })
            .collect()
    }

    fn carry(t: f64, rate: f64, q: f64) -> Carry {
        Carry {
            spot: 100.0,
            t_years: t,
            rate,
            dividend_yield: q,
            european: true,
        }
    }

    #[test]
    fn parity_finds_the_dividend_the_source_did_not_give() {
        // The market carries a 4% dividend; the source says 0.
        let t = 0.25;
        let f = implied_forward(&chain(0.03, 0.04, t), &carry(t, 0.03, 0.0));
        let truth = 100.0 * ((0.03_f64 - 0.04) * t).exp();
        assert!(f.method != ForwardMethod::Fallback);
        assert!((f.forward - truth).abs() < 0.02, "{f:?} vs {truth}");
        assert!((f.dividend_yield() - 0.04).abs() < 0.005, "{f:?}");
    }

    #[test]
    fn box_rate_needs_no_rate_from_the_user() {
        // Rates at 1%, the configuration says 4.5%: a year out, the box regression sees it.
        let t = 1.0;
        let f = implied_forward(&chain(0.01, 0.015, t), &carry(t, 0.045, 0.0));
        assert_eq!(f.method, ForwardMethod::Box);
        assert!((f.rate - 0.01).abs() < 0.002, "{f:?}");
        let truth = 100.0 * ((0.01_f64 - 0.015) * t).exp();
        assert!((f.forward - truth).abs() < 0.02, "{f:?} vs {truth}");
        // A week out the slope hardly depends on the rate: the forward is right whichever
        // discount factor is kept, and a box rate is kept only within its error bound.
        let t = 7.0 / 365.0;
        let f = implied_forward(&chain(0.01, 0.015, t), &carry(t, 0.045, 0.0));
        let truth = 100.0 * ((0.01_f64 - 0.015) * t).exp();
        assert!((f.forward - truth).abs() < 0.01, "{f:?} vs {truth}");
        match f.method {
            ForwardMethod::Box => assert!((f.rate - 0.01).abs() < 0.01, "{f:?}"),
            _ => assert_eq!(f.rate, 0.045),
        }
        // Noisy mids a week out: the box rate is not believed.
        let mut noisy = chain(0.01, 0.015, t);
        for (i, p) in noisy.iter_mut().enumerate() {
            p.call += if i % 2 == 0 { 0.03 } else { -0.03 };
        }
        let f = implied_forward(&noisy, &carry(t, 0.045, 0.0));
        assert_eq!(f.method, ForwardMethod::Parity, "{f:?}");
    }

    #[test]
    fn american_chains_keep_the_configured_rate() {
        let t = 1.0;
        let c = Carry {
            european: false,
            ..carry(t, 0.045, 0.0)
        };
        let f = implied_forward(&chain(0.01, 0.015, t), &c);
        assert_eq!(f.method, ForwardMethod::Parity);
        assert_eq!(f.rate, 0.045);
    }

    #[test]
    fn a_stale_pair_drops_out() {
        let t = 0.25;
        let mut pairs = chain(0.03, 0.0, t);
        let atm = pairs.iter().position(|p| p.strike == 100.0).unwrap();
        pairs[atm].call += 3.0; // a stale call mid
        let f = implied_forward(&pairs, &carry(t, 0.03, 0.0));
        let truth = 100.0 * (0.03_f64 * t).exp();
        assert!((f.forward - truth).abs() < 0.02, "{f:?} vs {truth}");
    }

    #[test]
    fn too_few_pairs_fall_back_to_the_carry() {
        let t = 0.5;
        let pairs = &chain(0.03, 0.04, t)[..2];
        let f = implied_forward(pairs, &carry(t, 0.03, 0.02));
        assert_eq!(f.method, ForwardMethod::Fallback);
        assert_eq!(f.pairs, 0);
        assert!((f.forward - 100.0 * (0.01_f64 * 0.5).exp()).abs() < 1e-12);
        assert!((f.dividend_yield() - 0.02).abs() < 1e-12);
    }
}
