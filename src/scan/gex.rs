//! Dealer gamma exposure (GEX): how much the dealers who took the other side of the
//! chain's open interest must trade for a 1% move of the underlying, and the spot level
//! where that exposure changes sign (the zero-gamma level).
//!
//! Convention (the usual public one, stated because it is an assumption): dealers are long
//! the calls and short the puts customers hold, so a call's exposure counts positive and
//! a put's negative. One contract's exposure is
//! `open interest × gamma × multiplier × spot² × 0.01`, in currency per 1% move; a
//! ticker's is the sum over its contracts. Gamma is optctl's own, at optctl's IV.
//!
//! The zero-gamma level re-evaluates every contract's Black-Scholes gamma (at its own IV
//! and time to expiry, the chain's rate and dividend yield) over a grid of spot levels
//! from 70% to 130% of spot, and finds where the total crosses zero nearest today's spot:
//! the grid brackets the crossing, bisection narrows it. `None` when the total keeps one
//! sign over the whole grid.

use crate::market::Right;

/// The lowest and highest spot levels searched, as fractions of spot.
const GRID_LOW: f64 = 0.7;
const GRID_HIGH: f64 = 1.3;
/// Grid points between them (2.5% of spot apart).
const GRID_POINTS: usize = 25;
/// Bisection steps inside the bracketing interval (its width / 2^12).
const BISECTIONS: usize = 12;

/// The gamma exposure of one contract: `open_interest × gamma × multiplier × spot² ×
/// 0.01`, positive for a call and negative for a put.
pub fn contract_gex(
    right: Right,
    open_interest: u64,
    gamma: f64,
    multiplier: f64,
    spot: f64,
) -> f64 {
    let sign = if right.is_call() { 1.0 } else { -1.0 };
    sign * open_interest as f64 * gamma * multiplier * spot * spot * 0.01
}

/// One contract as the zero-gamma search re-prices it.
#[derive(Debug, Clone, Copy)]
pub struct Leg {
    /// ± open interest × multiplier × 0.01 × e^(−q·t) / (σ·√t).
    weight: f64,
    ln_strike: f64,
    /// (r − q + σ²/2)·t
    drift: f64,
    /// 1 / (σ·√t)
    inv_sd: f64,
}

impl Leg {
    /// A contract with open interest `oi`, struck at `strike`, at volatility `iv` with
    /// `t_years` left, in a chain at `rate` and `dividend_yield`. `None` when it has no
    /// open interest, no time or no volatility.
    #[allow(clippy::too_many_arguments)] // one contract's pricing inputs, all plain numbers
    pub fn new(
        right: Right,
        open_interest: u64,
        strike: f64,
        iv: f64,
        t_years: f64,
        rate: f64,
        dividend_yield: f64,
        multiplier: f64,
    ) -> Option<Leg> {
        let sd = iv * t_years.sqrt();
        let usable = sd > 0.0 && sd.is_finite() && strike > 0.0;
        if open_interest == 0 || !usable {
            return None;
        }
        let sign = if right.is_call() { 1.0 } else { -1.0 };
        Some(Leg {
            weight: sign
                * open_interest as f64
                * multiplier
                * 0.01
                * (-dividend_yield * t_years).exp()
                / sd,
            ln_strike: strike.ln(),
            drift: (rate - dividend_yield + 0.5 * iv * iv) * t_years,
            inv_sd: 1.0 / sd,
        })
    }
}

/// The chain's total gamma exposure were the underlying at `spot`:
/// Σ ± OI × multiplier × spot² × 0.01 × e^(−q·t)·φ(d1)/(spot·σ·√t).
pub fn total_at(legs: &[Leg], spot: f64) -> f64 {
    const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    let ln_s = spot.ln();
    // A leg more than 8 standard deviations from the money weighs under e^-32 of its
    // peak: skipping its exp() changes nothing visible and saves most of the work at the
    // ends of the grid.
    let sum: f64 = legs
        .iter()
        .map(|l| {
            let d1 = (ln_s - l.ln_strike + l.drift) * l.inv_sd;
            let h = 0.5 * d1 * d1;
            if h > 32.0 { 0.0 } else { l.weight * (-h).exp() }
        })
        .sum();
    sum * spot * INV_SQRT_2PI
}

/// The spot level nearest `spot` where the total gamma exposure of `legs` crosses zero
/// (see the module's rule), or `None`.
pub fn zero_gamma(legs: &[Leg], spot: f64) -> Option<f64> {
    if legs.is_empty() || spot.is_nan() || spot <= 0.0 {
        return None;
    }
    let step = (GRID_HIGH - GRID_LOW) / (GRID_POINTS - 1) as f64;
    let grid: Vec<(f64, f64)> = (0..GRID_POINTS)
        .map(|i| {
            let s = spot * (GRID_LOW + step * i as f64);
            (s, total_at(legs, s))
        })
        .collect();
    let (mut lo, mut hi) = grid
        .windows(2)
        .filter(|w| w[0].1 == 0.0 || w[0].1.signum() != w[1].1.signum())
        .map(|w| (w[0], w[1]))
        .min_by(|a, b| {
            let mid = |x: &((f64, f64), (f64, f64))| (0.5 * (x.0.0 + x.1.0) - spot).abs();
            mid(a).total_cmp(&mid(b))
        })?;
    if lo.1 == 0.0 {
        return Some(lo.0);
    }
    for _ in 0..BISECTIONS {
        let m = 0.5 * (lo.0 + hi.0);
        let v = total_at(legs, m);
        if v == 0.0 {
            return Some(m);
        }
        if v.signum() == lo.1.signum() {
            lo = (m, v);
        } else {
            hi = (m, v);
        }
    }
    // The last bracket is narrow: interpolate linearly inside it.
    Some(lo.0 + (hi.0 - lo.0) * lo.1 / (lo.1 - hi.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::bsm::{self, Inputs};

    #[test]
    fn contract_exposure_follows_the_stated_convention() {
        // 1000 contracts × gamma 0.05 × 100 shares × 100² × 1% = 500,000 per 1% move.
        assert!((contract_gex(Right::Call, 1000, 0.05, 100.0, 100.0) - 500_000.0).abs() < 1e-6);
        assert!((contract_gex(Right::Put, 1000, 0.05, 100.0, 100.0) + 500_000.0).abs() < 1e-6);
    }

    #[test]
    fn the_grid_total_at_spot_is_the_sum_of_the_contracts_exposures() {
        let (spot, rate, div, t) = (100.0, 0.04, 0.01, 0.1);
        let book = [
            (Right::Call, 105.0, 0.22, 1200u64),
            (Right::Put, 95.0, 0.27, 900),
            (Right::Put, 100.0, 0.24, 400),
        ];
        let mut sum = 0.0;
        let mut legs = Vec::new();
        for (right, strike, iv, oi) in book {
            let inp = Inputs {
                right,
                spot,
                strike,
                t_years: t,
                rate,
                div,
            };
            let g = bsm::greeks(&inp, iv).gamma;
            sum += contract_gex(right, oi, g, 100.0, spot);
            legs.push(Leg::new(right, oi, strike, iv, t, rate, div, 100.0).unwrap());
        }
        let grid = total_at(&legs, spot);
        assert!(
            (grid - sum).abs() < 1e-9 * sum.abs().max(1.0),
            "{grid} vs {sum}"
        );
    }

    #[test]
    fn zero_gamma_lies_between_a_put_wall_below_and_a_call_wall_above() {
        // Puts at 90, calls at 110, equal open interest and vol: by symmetry in log
        // space the exposure crosses zero near the geometric middle, ~99.5.
        let legs = [
            Leg::new(Right::Put, 5000, 90.0, 0.2, 0.1, 0.0, 0.0, 100.0).unwrap(),
            Leg::new(Right::Call, 5000, 110.0, 0.2, 0.1, 0.0, 0.0, 100.0).unwrap(),
        ];
        let z = zero_gamma(&legs, 100.0).unwrap();
        assert!(z > 95.0 && z < 105.0, "{z}");
        assert!(total_at(&legs, z).abs() < 1e-3 * total_at(&legs, 110.0).abs());
        assert!(total_at(&legs, 90.0) < 0.0 && total_at(&legs, 110.0) > 0.0);
        // Calls only: positive everywhere, no crossing.
        let calls = [Leg::new(Right::Call, 5000, 110.0, 0.2, 0.1, 0.0, 0.0, 100.0).unwrap()];
        assert_eq!(zero_gamma(&calls, 100.0), None);
        assert_eq!(zero_gamma(&[], 100.0), None);
        // No open interest, no time: no leg.
        assert!(Leg::new(Right::Call, 0, 110.0, 0.2, 0.1, 0.0, 0.0, 100.0).is_none());
        assert!(Leg::new(Right::Call, 10, 110.0, 0.2, 0.0, 0.0, 0.0, 100.0).is_none());
    }
}
