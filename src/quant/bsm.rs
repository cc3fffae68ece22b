//! Black-Scholes-Merton with a continuous dividend yield.
//!
//! Prices go through the `implied-vol` crate's Black formula on the forward
//! (`F = S e^{(r-q)T}`, discounted by `e^{-rT}`), so prices and implied vols share the same
//! special functions and invert each other to machine precision. Greeks are closed form.

use implied_vol::{DefaultSpecialFn, PriceBlackScholes, SpecialFn};
use serde::Serialize;

use crate::market::Right;

/// The contract and market inputs of one European option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inputs {
    pub right: Right,
    /// Underlying price.
    pub spot: f64,
    pub strike: f64,
    /// Time to expiry in years (ACT/365).
    pub t_years: f64,
    /// Continuously compounded risk-free rate: 0.05 = 5%.
    pub rate: f64,
    /// Continuous dividend yield: 0.01 = 1%.
    pub div: f64,
}

impl Inputs {
    /// Forward price of the underlying at expiry.
    pub fn forward(&self) -> f64 {
        self.spot * ((self.rate - self.div) * self.t_years).exp()
    }

    /// Discount factor `e^{-rT}`.
    pub fn discount(&self) -> f64 {
        (-self.rate * self.t_years).exp()
    }

    /// Discounted intrinsic value on the forward: the lower no-arbitrage bound.
    pub fn lower_bound(&self) -> f64 {
        let f = self.forward();
        let intrinsic = match self.right {
            Right::Call => (f - self.strike).max(0.0),
            Right::Put => (self.strike - f).max(0.0),
        };
        self.discount() * intrinsic
    }

    /// The upper no-arbitrage bound: discounted forward for a call, discounted strike for a put.
    pub fn upper_bound(&self) -> f64 {
        self.discount()
            * match self.right {
                Right::Call => self.forward(),
                Right::Put => self.strike,
            }
    }

    /// Whether the numbers can be priced at all (positive, finite, not expired).
    pub fn is_valid(&self) -> bool {
        self.spot.is_finite()
            && self.spot > 0.0
            && self.strike.is_finite()
            && self.strike > 0.0
            && self.t_years.is_finite()
            && self.t_years > 0.0
            && self.rate.is_finite()
            && self.div.is_finite()
    }
}

/// Price of the option at volatility `vol` (annualised fraction). NaN for invalid inputs.
pub fn price(inp: &Inputs, vol: f64) -> f64 {
    if !inp.is_valid() || !vol.is_finite() || vol < 0.0 {
        return f64::NAN;
    }
    let undiscounted = PriceBlackScholes::builder()
        .forward(inp.forward())
        .strike(inp.strike)
        .volatility(vol)
        .expiry(inp.t_years)
        .is_call(inp.right.is_call())
        .build_unchecked()
        .calculate::<DefaultSpecialFn>();
    inp.discount() * undiscounted
}

/// Sensitivities in the units traders quote.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Greeks {
    /// dV/dS.
    pub delta: f64,
    /// d2V/dS2.
    pub gamma: f64,
    /// Value change for one calendar day passing (dV/dt / 365), usually negative.
    pub theta: f64,
    /// Value change for a one-point (0.01) rise in volatility.
    pub vega: f64,
    /// Value change for a one-point (0.01) rise in the rate.
    pub rho: f64,
}

fn n_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn n_cdf(x: f64) -> f64 {
    <DefaultSpecialFn as SpecialFn>::norm_cdf(x)
}

/// Closed-form greeks at volatility `vol`. All NaN for invalid inputs or `vol <= 0`.
pub fn greeks(inp: &Inputs, vol: f64) -> Greeks {
    let nan = Greeks {
        delta: f64::NAN,
        gamma: f64::NAN,
        theta: f64::NAN,
        vega: f64::NAN,
        rho: f64::NAN,
    };
    if !inp.is_valid() || !vol.is_finite() || vol <= 0.0 {
        return nan;
    }
    let Inputs {
        right,
        spot: s,
        strike: k,
        t_years: t,
        rate: r,
        div: q,
    } = *inp;
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r - q + 0.5 * vol * vol) * t) / (vol * sqrt_t);
    let d2 = d1 - vol * sqrt_t;
    let dq = (-q * t).exp();
    let dr = (-r * t).exp();
    let pdf = n_pdf(d1);
    let gamma = dq * pdf / (s * vol * sqrt_t);
    let vega = s * dq * pdf * sqrt_t;
    let decay = -s * dq * pdf * vol / (2.0 * sqrt_t);
    let (delta, theta_year, rho) = match right {
        Right::Call => (
            dq * n_cdf(d1),
            decay - r * k * dr * n_cdf(d2) + q * s * dq * n_cdf(d1),
            k * t * dr * n_cdf(d2),
        ),
        Right::Put => (
            -dq * n_cdf(-d1),
            decay + r * k * dr * n_cdf(-d2) - q * s * dq * n_cdf(-d1),
            -k * t * dr * n_cdf(-d2),
        ),
    };
    Greeks {
        delta,
        gamma,
        theta: theta_year / 365.0,
        vega: vega / 100.0,
        rho: rho / 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(right: Right) -> Inputs {
        Inputs {
            right,
            spot: 100.0,
            strike: 105.0,
            t_years: 0.5,
            rate: 0.05,
            div: 0.01,
        }
    }

    #[test]
    fn matches_textbook_value() {
        // Hull, 8th ed., example 15.6: S=42, K=40, r=10%, sigma=20%, T=0.5 -> call 4.76, put 0.81.
        let call = Inputs {
            right: Right::Call,
            spot: 42.0,
            strike: 40.0,
            t_years: 0.5,
            rate: 0.10,
            div: 0.0,
        };
        assert!((price(&call, 0.2) - 4.7594).abs() < 1e-4);
        let put = Inputs {
            right: Right::Put,
            ..call
        };
        assert!((price(&put, 0.2) - 0.8086).abs() < 1e-4);
    }

    #[test]
    fn put_call_parity_holds() {
        let c = price(&opt(Right::Call), 0.3);
        let p = price(&opt(Right::Put), 0.3);
        let i = opt(Right::Call);
        let parity = i.spot * (-i.div * i.t_years).exp() - i.strike * i.discount();
        assert!((c - p - parity).abs() < 1e-12);
    }

    #[test]
    fn greeks_match_finite_differences() {
        for right in [Right::Call, Right::Put] {
            let base = opt(right);
            let vol = 0.27;
            let g = greeks(&base, vol);
            let h = 1e-3;
            let p = |i: Inputs, v: f64| price(&i, v);
            let up = Inputs {
                spot: base.spot + h,
                ..base
            };
            let dn = Inputs {
                spot: base.spot - h,
                ..base
            };
            let fd_delta = (p(up, vol) - p(dn, vol)) / (2.0 * h);
            let fd_gamma = (p(up, vol) - 2.0 * p(base, vol) + p(dn, vol)) / (h * h);
            let fd_vega = (p(base, vol + 1e-5) - p(base, vol - 1e-5)) / 2e-5 / 100.0;
            let dt = 1e-5;
            let later = Inputs {
                t_years: base.t_years - dt,
                ..base
            };
            let fd_theta = (p(later, vol) - p(base, vol)) / dt / 365.0;
            let r_up = Inputs {
                rate: base.rate + 1e-5,
                ..base
            };
            let r_dn = Inputs {
                rate: base.rate - 1e-5,
                ..base
            };
            let fd_rho = (p(r_up, vol) - p(r_dn, vol)) / 2e-5 / 100.0;
            assert!(
                (g.delta - fd_delta).abs() < 1e-7,
                "{right} delta {} vs {fd_delta}",
                g.delta
            );
            assert!(
                (g.gamma - fd_gamma).abs() < 1e-5,
                "{right} gamma {} vs {fd_gamma}",
                g.gamma
            );
            assert!(
                (g.vega - fd_vega).abs() < 1e-7,
                "{right} vega {} vs {fd_vega}",
                g.vega
            );
            assert!(
                (g.theta - fd_theta).abs() < 1e-6,
                "{right} theta {} vs {fd_theta}",
                g.theta
            );
            assert!(
                (g.rho - fd_rho).abs() < 1e-7,
                "{right} rho {} vs {fd_rho}",
                g.rho
            );
        }
    }

    #[test]
    fn invalid_inputs_give_nan() {
        let mut i = opt(Right::Call);
        i.t_years = 0.0;
        assert!(price(&i, 0.2).is_nan());
        assert!(greeks(&i, 0.2).delta.is_nan());
    }
}
