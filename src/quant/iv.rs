//! Implied volatility: the inverse of `bsm::price` in the volatility argument.
//!
//! The solve itself is the `implied-vol` crate's (Jäckel's "Let's Be Rational", 2015/2024),
//! run on the undiscounted forward problem, so it inverts `bsm::price` to machine precision
//! wherever the price carries its volatility at all. This module adds what the crate leaves to
//! the caller: input checks, the no-arbitrage bounds in discounted (quoted) money, and errors a
//! trader can act on. Prices and greeks are in `quant::bsm`; the `optctl quant iv` batch code
//! is in `quant::calc`.

use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility};

use super::bsm::Inputs;
use crate::market::Right;

/// Why a price has no implied volatility.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IvError {
    /// An input that cannot be priced: a non-finite or non-positive spot, strike or t_years,
    /// a non-finite rate or div, a non-finite or negative price, or a rate/div/t_years mix
    /// whose forward or discount factor over- or underflows (`field` is then `"forward"` or
    /// `"discount"`).
    #[error("no implied volatility: {field} is {value}, but it {}", requirement(.field))]
    InvalidInput {
        /// The `Inputs` field name, `"price"`, `"forward"` or `"discount"`.
        field: &'static str,
        /// The offending value as given (as computed, for `"forward"` and `"discount"`).
        value: f64,
    },
    /// The price is below the discounted intrinsic value on the forward: no volatility, not
    /// even zero, produces it. Usually a stale quote, a wrong rate/dividend, or an American
    /// option's early-exercise premium missing from the other side.
    #[error(
        "no implied volatility: price {price:.4} is below the no-arbitrage lower bound \
         {bound:.4} (discounted intrinsic on the forward); check the price, rate and dividend"
    )]
    BelowLowerBound {
        /// The option price given, in currency units per share.
        price: f64,
        /// `Inputs::lower_bound()`, in the same units.
        bound: f64,
    },
    /// The price is at or above the most any volatility can produce (infinite volatility
    /// reaches the bound itself, which is no usable answer).
    #[error(
        "no implied volatility: price {price:.4} is at or above the no-arbitrage upper bound \
         {bound:.4} (discounted forward for a call, discounted strike for a put); check the \
         price and the spot"
    )]
    AboveUpperBound {
        /// The option price given, in currency units per share.
        price: f64,
        /// `Inputs::upper_bound()`, in the same units.
        bound: f64,
    },
    /// The price is strictly inside the bounds but the solver found no volatility: it is
    /// within rounding of the upper bound, where double precision cannot tell volatilities apart.
    #[error(
        "no implied volatility: price {price:.4} is inside the no-arbitrage bounds but too \
         close to the upper bound to solve in double precision"
    )]
    NoSolution {
        /// The option price given, in currency units per share.
        price: f64,
    },
}

/// The second half of an `InvalidInput` message: what the field should have been.
fn requirement(field: &str) -> &'static str {
    match field {
        "spot" | "strike" => "must be a finite number above zero",
        "t_years" => "must be a finite number of years above zero (expired options have no IV)",
        "rate" | "div" => "must be a finite number (a fraction: 0.05 = 5%)",
        "price" => "must be a finite number, zero or above",
        "forward" => "must be finite and above zero: check spot, rate, div and t_years",
        "discount" => "(e^(-rate*t_years)) must be finite and above zero: check rate and t_years",
        _ => "is out of range",
    }
}

/// Implied volatility of a European option quoted at `price` (currency units per share,
/// discounted as traded). Returns an annualised fraction (0.25 = 25%) such that
/// `bsm::price(inp, iv)` reproduces `price`.
///
/// A price exactly at the lower bound (`inp.lower_bound()`, e.g. 0 for an out-of-the-money
/// option) returns `Ok(0.0)`: zero volatility is the one exact answer there. Callers that
/// need greeks should treat 0 as "no time value", since `bsm::greeks` is NaN at zero vol.
/// The same goes for a time value so small (below about 2.2e-308 × √(forward × strike))
/// that it underflows: the solver reads it as zero.
/// Prices below the lower bound, at or above the upper bound, or non-finite/invalid inputs
/// return an `IvError`. Never allocates.
pub fn implied_vol(inp: &Inputs, price: f64) -> Result<f64, IvError> {
    check_inputs(inp, price)?;
    let forward = inp.forward();
    let discount = inp.discount();
    // A large rate or dividend times a long expiry can push the forward or the discount
    // factor to 0 or infinity even though each input is finite.
    for (field, value) in [("forward", forward), ("discount", discount)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(IvError::InvalidInput { field, value });
        }
    }

    // Bounds are checked in quoted (discounted) money so the error speaks the trader's units.
    // This is the arithmetic of `Inputs::lower_bound`/`upper_bound` (bit-equal, tested),
    // done here so the clamp below uses the very intrinsic the lower bound was built from.
    let (intrinsic, cap) = match inp.right {
        Right::Call => ((forward - inp.strike).max(0.0), forward),
        Right::Put => ((inp.strike - forward).max(0.0), inp.strike),
    };
    let lower = discount * intrinsic;
    if price < lower {
        return Err(IvError::BelowLowerBound {
            price,
            bound: lower,
        });
    }
    let upper = discount * cap;
    if price >= upper {
        return Err(IvError::AboveUpperBound {
            price,
            bound: upper,
        });
    }

    // `price >= lower` guarantees the undiscounted price is at least the undiscounted
    // intrinsic, but the division can land one ulp below it, which the crate would reject
    // as "below intrinsic". Clamp that rounding away; it never moves a real price.
    let undiscounted = (price / discount).max(intrinsic);

    // Inputs were validated above, so skip the builder's second round of checks.
    let vol = ImpliedBlackVolatility::builder()
        .option_price(undiscounted)
        .forward(forward)
        .strike(inp.strike)
        .expiry(inp.t_years)
        .is_call(inp.right.is_call())
        .build_unchecked()
        .calculate::<DefaultSpecialFn>();
    match vol {
        Some(v) if v.is_finite() => Ok(v),
        // `None` or infinity here means the division rounded the price onto the upper
        // bound (or the crate's rounded interior cap): inside the bounds, but unsolvable.
        _ => Err(IvError::NoSolution { price }),
    }
}

fn check_inputs(inp: &Inputs, price: f64) -> Result<(), IvError> {
    let positive = [
        ("spot", inp.spot),
        ("strike", inp.strike),
        ("t_years", inp.t_years),
    ];
    for (field, value) in positive {
        if !(value.is_finite() && value > 0.0) {
            return Err(IvError::InvalidInput { field, value });
        }
    }
    for (field, value) in [("rate", inp.rate), ("div", inp.div)] {
        if !value.is_finite() {
            return Err(IvError::InvalidInput { field, value });
        }
    }
    if !(price.is_finite() && price >= 0.0) {
        return Err(IvError::InvalidInput {
            field: "price",
            value: price,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::bsm;

    fn inputs(right: Right, spot: f64, strike: f64, t_years: f64, rate: f64, div: f64) -> Inputs {
        Inputs {
            right,
            spot,
            strike,
            t_years,
            rate,
            div,
        }
    }

    /// `n` points from `lo` to `hi` inclusive, evenly spaced in log space.
    fn geometric(lo: f64, hi: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let w = i as f64 / (n - 1) as f64;
                (lo.ln() * (1.0 - w) + hi.ln() * w).exp()
            })
            .collect()
    }

    #[test]
    fn inverts_bsm_price_across_the_grid() {
        // Beyond price / (vega * vol) = 1e4 a one-ulp error in the price moves the implied
        // vol by more than 1e-12 relative, so no solver could meet the bound there: those
        // options no longer carry their volatility in double precision.
        const MAX_CONDITION: f64 = 1e4;
        const TOLERANCE: f64 = 2e-12;
        let moneyness = geometric(0.5, 2.0, 17);
        let expiries = geometric(1.0 / 365.0, 3.0, 12);
        let vols = geometric(0.05, 3.0, 14);
        let spot = 100.0;
        let (mut checked, mut zero, mut underflow, mut ill_conditioned) = (0, 0, 0, 0);
        let mut worst = (0.0_f64, None);
        for (rate, div) in [(0.03, 0.01), (0.0, 0.0)] {
            for right in [Right::Call, Right::Put] {
                for &m in &moneyness {
                    for &t in &expiries {
                        for &vol in &vols {
                            let inp = inputs(right, spot, spot * m, t, rate, div);
                            let price = bsm::price(&inp, vol);
                            let raw_vega = bsm::greeks(&inp, vol).vega * 100.0;
                            // The solver works on price / (discount * sqrt(F K)); once that
                            // is subnormal it has lost mantissa bits and the crate reads it
                            // as zero time value (iv 0). Far OTM, short-dated, low-vol
                            // options get there with a price that is still above zero.
                            let normalised =
                                price / (inp.discount() * (inp.forward() * inp.strike).sqrt());
                            let condition = price / (raw_vega * vol);
                            if price.is_nan() || price <= 0.0 {
                                zero += 1;
                            } else if normalised < f64::MIN_POSITIVE {
                                underflow += 1;
                            } else if condition.is_nan() || condition > MAX_CONDITION {
                                ill_conditioned += 1;
                            } else {
                                checked += 1;
                                let iv = implied_vol(&inp, price)
                                    .unwrap_or_else(|e| panic!("{inp:?} at vol {vol}: {e}"));
                                let err = (iv - vol).abs() / vol;
                                if err.is_nan() || err > worst.0 {
                                    worst = (err, Some((inp, vol, iv)));
                                }
                            }
                        }
                    }
                }
            }
        }
        let total = checked + zero + underflow + ill_conditioned;
        eprintln!(
            "iv grid: {checked} of {total} checked; excluded {zero} with price 0, {underflow} \
             with a subnormal normalised price, {ill_conditioned} with price/(vega*vol) > \
             {MAX_CONDITION:e}; max relative error {:e} at {:?}",
            worst.0, worst.1
        );
        assert!(checked > total / 2, "most of the grid was excluded");
        assert!(
            worst.0 <= TOLERANCE,
            "max relative error {:e} > {TOLERANCE:e} at {:?}",
            worst.0,
            worst.1
        );
    }

    #[test]
    fn out_of_domain_prices_name_their_reason() {
        let call = inputs(Right::Call, 100.0, 80.0, 0.5, 0.03, 0.01);
        let lower = call.lower_bound();
        assert!(matches!(
            implied_vol(&call, lower - 0.5),
            Err(IvError::BelowLowerBound { bound, .. }) if bound == lower
        ));
        let upper = call.upper_bound();
        assert!(matches!(
            implied_vol(&call, upper + 0.01),
            Err(IvError::AboveUpperBound { bound, .. }) if bound == upper
        ));
        assert!(matches!(
            implied_vol(&call, upper),
            Err(IvError::AboveUpperBound { .. })
        ));
        let put = Inputs {
            right: Right::Put,
            strike: 120.0,
            ..call
        };
        assert!(matches!(
            implied_vol(&put, put.lower_bound() - 0.01),
            Err(IvError::BelowLowerBound { bound, .. }) if bound == put.lower_bound()
        ));
        assert!(matches!(
            implied_vol(&put, put.upper_bound()),
            Err(IvError::AboveUpperBound { bound, .. }) if bound == put.upper_bound()
        ));
        assert_eq!(
            implied_vol(&call, -1.0),
            Err(IvError::InvalidInput {
                field: "price",
                value: -1.0
            })
        );
        assert!(matches!(
            implied_vol(&call, f64::NAN),
            Err(IvError::InvalidInput { field: "price", value }) if value.is_nan()
        ));
        let expired = Inputs {
            t_years: 0.0,
            ..call
        };
        assert_eq!(
            implied_vol(&expired, 20.0),
            Err(IvError::InvalidInput {
                field: "t_years",
                value: 0.0
            })
        );
        for strike in [0.0, -5.0] {
            let bad = Inputs { strike, ..call };
            assert_eq!(
                implied_vol(&bad, 5.0),
                Err(IvError::InvalidInput {
                    field: "strike",
                    value: strike
                })
            );
        }
        let overflow = Inputs {
            rate: 1000.0,
            t_years: 3.0,
            ..call
        };
        assert!(matches!(
            implied_vol(&overflow, 5.0),
            Err(IvError::InvalidInput {
                field: "forward",
                ..
            })
        ));
    }

    #[test]
    fn price_at_lower_bound_is_zero_vol() {
        let otm_put = inputs(Right::Put, 100.0, 80.0, 0.5, 0.03, 0.01);
        assert_eq!(implied_vol(&otm_put, 0.0), Ok(0.0));
        let itm_call = inputs(Right::Call, 100.0, 80.0, 0.5, 0.03, 0.01);
        assert_eq!(implied_vol(&itm_call, itm_call.lower_bound()), Ok(0.0));
    }

    #[test]
    fn messages_say_what_to_check() {
        let msg = IvError::BelowLowerBound {
            price: 0.5,
            bound: 1.2345,
        }
        .to_string();
        assert!(
            msg.starts_with(
                "no implied volatility: price 0.5000 is below the no-arbitrage lower bound 1.2345"
            ),
            "{msg}"
        );
        let msg = IvError::InvalidInput {
            field: "t_years",
            value: 0.0,
        }
        .to_string();
        assert!(
            msg.contains("t_years is 0") && msg.contains("expired"),
            "{msg}"
        );
    }

    #[test]
    fn round_trips_real_looking_options() {
        // (right, spot, strike, days, rate, div, vol): index, single-stock and 0DTE-ish quotes.
        let cases = [
            (Right::Call, 5_000.0, 5_100.0, 30.0, 0.045, 0.013, 0.14),
            (Right::Put, 5_000.0, 4_500.0, 30.0, 0.045, 0.013, 0.24),
            (Right::Call, 189.5, 190.0, 2.0, 0.05, 0.005, 0.35),
            (Right::Put, 189.5, 150.0, 400.0, 0.05, 0.005, 0.31),
            (Right::Call, 22_150.0, 22_000.0, 7.0, 0.068, 0.0, 0.12),
            (Right::Put, 12.3, 15.0, 90.0, 0.04, 0.0, 1.10),
        ];
        for (right, spot, strike, days, rate, div, vol) in cases {
            let inp = inputs(right, spot, strike, days / 365.0, rate, div);
            let price = bsm::price(&inp, vol);
            let iv = implied_vol(&inp, price).unwrap();
            assert!((iv - vol).abs() < 1e-12, "{inp:?}: {iv} vs {vol}");
            assert!((bsm::price(&inp, iv) - price).abs() <= 1e-12 * price.max(1.0));
        }
    }
}
