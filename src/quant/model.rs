//! The model each contract is priced with, and its implied volatility and greeks.
//!
//! - **Black-76 on the expiry's forward** ([`Model::Black76`]) for European contracts
//!   and for out-of-the-money American ones (their early-exercise premium is negligible
//!   next to the quote's spread). `quant::bsm` with the dividend yield the forward
//!   implies (`q = r − carry`) is exactly Black-76 on that forward.
//! - **American** ([`Model::American`]) for in-the-money American contracts, with the
//!   implied carry as the dividend yield: the early-exercise premium comes from a
//!   Leisen-Reimer binomial tree (Leisen, D. and Reimer, M., "Binomial models for option
//!   valuation — examining and improving convergence", Applied Mathematical Finance 3,
//!   1996), [`TREE_STEPS`] steps, as the tree's American value less the same tree's
//!   European value (a control variate: the tree's own discretisation error cancels),
//!   extrapolated with a tree of half the steps; the American price is Black-76 plus that
//!   premium.
//!
//! The implied volatility of an American price is found by de-Americanisation: take the
//! premium at a first volatility, subtract it, solve Black-76 for the European price left;
//! then secant steps on the American price until the volatility moves by less than 1e-5.
//! In a chain the first volatility is the one of the out-of-the-money contract of the
//! other right at the same strike (Black-76, no tree), and the one tree at it is usually
//! all it takes: the premium moves little with volatility, so the answer stands unless it
//! lands more than a tenth of a vol point from that first guess. That is the volatility at which the American model reproduces the
//! quote: for an in-the-money American option it is lower than the volatility European
//! BSM would read off the same price, which counts the early-exercise premium as time
//! value.
//!
//! A call on an underlying with no dividend (carry at or above the rate) is never worth
//! exercising early, nor a put at a rate at or below zero: those are priced as European.
//! Greeks of an American contract are the American price's: Black-76's at the American
//! implied volatility plus the early-exercise premium's own. The premium's delta, gamma
//! and theta come from the tree's first two steps (theta from the middle node of step 2,
//! moved back to today's spot along the tree's delta and gamma, since a Leisen-Reimer
//! tree's `u·d` is not 1), at no extra cost; its vega and rho from one more tree each, at
//! the volatility one point up (at most half the volatility) and at the rate 0.1 point up
//! with the dividend yield held, as Black-76's rho holds it. Where early exercise is
//! worth nothing around the contract, its greeks are exactly Black-76's.

use implied_vol::{DefaultSpecialFn, SpecialFn};
use serde::{Deserialize, Serialize};

use super::bsm::{self, Greeks, Inputs};
use super::iv::{IvError, implied_vol};
use crate::market::{Exercise, Right};

/// Which model priced a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Black-76 on the expiry's forward.
    Black76,
    /// Black-76 plus a Leisen-Reimer early-exercise premium.
    American,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Black76 => "black76",
            Model::American => "american",
        }
    }
}

impl std::str::FromStr for Model {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "black76" => Ok(Model::Black76),
            "american" => Ok(Model::American),
            other => Err(format!("unknown pricing model {other:?}")),
        }
    }
}

/// Steps of the Leisen-Reimer tree (odd, as the method wants).
pub const TREE_STEPS: usize = 31;

/// The coarser tree of the extrapolation: about half of [`TREE_STEPS`], odd.
const COARSE_STEPS: usize = 15;

/// The model for a contract: American only for an in-the-money American contract whose
/// early exercise can be worth anything.
pub fn model_for(exercise: Exercise, inp: &Inputs) -> Model {
    if exercise == Exercise::European || !early_exercise_possible(inp) {
        return Model::Black76;
    }
    let itm = match inp.right {
        Right::Call => inp.spot > inp.strike,
        Right::Put => inp.strike > inp.spot,
    };
    if itm { Model::American } else { Model::Black76 }
}

/// Whether an American contract can ever be worth exercising before expiry.
fn early_exercise_possible(inp: &Inputs) -> bool {
    match inp.right {
        Right::Call => inp.div > 0.0,
        Right::Put => inp.rate > 0.0,
    }
}

/// Price under `model` at volatility `vol`.
pub fn price(model: Model, inp: &Inputs, vol: f64) -> f64 {
    let european = bsm::price(inp, vol);
    match model {
        Model::Black76 => european,
        Model::American => european + premium_tree(inp, vol).premium(),
    }
}

/// Implied volatility of `price` under `model`. `half_tick` is half the quote's price
/// increment: a price below the lower bound (discounted intrinsic on the forward; for an
/// American contract also immediate exercise) by no more than that is a rounded price at
/// the bound and solves to zero volatility, not to an error.
pub fn solve(model: Model, inp: &Inputs, price: f64, half_tick: f64) -> Result<f64, IvError> {
    solve_with_greeks(model, inp, price, half_tick, None).map(|(v, _)| v)
}

/// Implied volatility and greeks of `price` under `model` (see [`solve`]; greeks are NaN at
/// zero volatility). `hint` is a volatility the answer is likely near: for an in-the-money
/// contract, the implied volatility of the out-of-the-money contract of the other right at
/// the same strike. With a hint, an American contract usually takes one tree: the premium
/// at the hint, Black-76 solved for the rest; more only when that lands over a tenth of a
/// vol point away from the hint.
pub fn solve_with_greeks(
    model: Model,
    inp: &Inputs,
    price: f64,
    half_tick: f64,
    hint: Option<f64>,
) -> Result<(f64, Greeks), IvError> {
    let mut lower = inp.lower_bound();
    if model == Model::American {
        lower = lower.max(intrinsic(inp));
    }
    let price = if price < lower && price >= lower - half_tick {
        lower
    } else {
        price
    };
    match model {
        Model::Black76 => {
            let vol = implied_vol(inp, price)?;
            Ok((vol, bsm::greeks(inp, vol)))
        }
        Model::American => {
            let (vol, last) = american_iv(inp, price, lower, hint)?;
            let g = match last {
                Some(t) => american_greeks(inp, vol, &t),
                None => bsm::greeks(inp, vol),
            };
            Ok((vol, g))
        }
    }
}

/// Greeks under `model` at `vol`; see the module's note for American contracts.
pub fn greeks(model: Model, inp: &Inputs, vol: f64) -> Greeks {
    match model {
        Model::Black76 => bsm::greeks(inp, vol),
        Model::American => american_greeks(inp, vol, &premium_tree(inp, vol)),
    }
}

/// Black-76's greeks at `vol` plus the early-exercise premium's, from `t` (a tree at, or
/// within a tenth of a vol point of, `vol`) and one more tree each for vega and rho.
fn american_greeks(inp: &Inputs, vol: f64, t: &TreeValues) -> Greeks {
    let mut g = bsm::greeks(inp, vol);
    if !g.delta.is_finite() {
        return g;
    }
    let (am, eu) = (t.american, t.european);
    if t.raw_premium == 0.0 && am.delta == eu.delta && am.gamma == eu.gamma {
        // Early exercise is worth nothing here nor one or two steps away: Black-76.
        return g;
    }
    g.delta += am.delta - eu.delta;
    g.gamma += am.gamma - eu.gamma;
    g.theta += (am.theta - eu.theta) / 365.0;
    let h_vol = 0.01_f64.min(0.5 * t.vol);
    let vol_up = tree(inp, t.vol + h_vol, TREE_STEPS).premium();
    g.vega += (vol_up - t.raw_premium) / h_vol / 100.0;
    let h_rate = 0.001;
    let rate_up = Inputs {
        rate: inp.rate + h_rate,
        ..*inp
    };
    let rate_up = tree(&rate_up, t.vol, TREE_STEPS).premium();
    g.rho += (rate_up - t.raw_premium) / h_rate / 100.0;
    g
}

/// The early-exercise premium of an American contract at `vol` (0 where early exercise
/// is worth nothing): what its price holds beyond Black-76's.
pub fn early_exercise_premium(inp: &Inputs, vol: f64) -> f64 {
    if early_exercise_possible(inp) {
        premium_tree(inp, vol).premium()
    } else {
        0.0
    }
}

/// Forward delta (undiscounted, premium not included): `N(d1)` for a call, `N(d1) − 1`
/// for a put, on forward `f`. NaN when it cannot be computed.
pub fn forward_delta(right: Right, f: f64, k: f64, t: f64, vol: f64) -> f64 {
    if !(f > 0.0 && k > 0.0 && t > 0.0 && vol > 0.0) {
        return f64::NAN;
    }
    let sd = vol * t.sqrt();
    let d1 = (f / k).ln() / sd + 0.5 * sd;
    let n = <DefaultSpecialFn as SpecialFn>::norm_cdf(d1);
    match right {
        Right::Call => n,
        Right::Put => n - 1.0,
    }
}

fn intrinsic(inp: &Inputs) -> f64 {
    match inp.right {
        Right::Call => (inp.spot - inp.strike).max(0.0),
        Right::Put => (inp.strike - inp.spot).max(0.0),
    }
}

/// De-Americanisation (see the module's note). `price` is at or above `lower`. Returns
/// the volatility and the last tree priced (None when none was needed).
fn american_iv(
    inp: &Inputs,
    price: f64,
    lower: f64,
    hint: Option<f64>,
) -> Result<(f64, Option<TreeValues>), IvError> {
    if price < lower {
        return Err(IvError::BelowLowerBound {
            price,
            bound: lower,
        });
    }
    // The first guess: the hint, else the European volatility of the whole price, else
    // (a price above what any European option is worth: a deep in-the-money put above the
    // discounted strike) a usual level.
    let v0 = match hint.filter(|h| h.is_finite() && *h > 0.0) {
        Some(h) => h,
        None => match implied_vol(inp, price) {
            Ok(v) if v > 0.0 => v,
            Ok(_) => return Ok((0.0, None)),
            Err(IvError::AboveUpperBound { .. } | IvError::NoSolution { .. }) => 0.3,
            Err(e) => return Err(e),
        },
    };
    let t0 = premium_tree(inp, v0);
    // How far the American price at v0 is from the quote.
    let f0 = bsm::price(inp, v0) + t0.premium() - price;
    // De-Americanise once: the premium at v0 off the price, Black-76 solved for the rest.
    let european = price - t0.premium();
    if european <= inp.lower_bound() {
        // All of the price is immediate exercise and carry: no time value left.
        return Ok((0.0, None));
    }
    let v1 = match implied_vol(inp, european) {
        Ok(v) if v > 0.0 => v,
        Ok(_) => return Ok((0.0, None)),
        Err(_) => v0 * 0.9,
    };
    let near = if hint.is_some() { 1e-3 } else { 1e-5 };
    if (v1 - v0).abs() < near {
        return Ok((v1, Some(t0)));
    }
    // Then secant steps on the American price: where the premium falls as fast as the
    // European value rises (deep in the money), plain repetition would crawl.
    let miss = |vol: f64| {
        let t = premium_tree(inp, vol);
        (bsm::price(inp, vol) + t.premium() - price, t)
    };
    let (mut a, mut fa) = (v0, f0);
    let (mut b, (mut fb, mut tb)) = (v1, miss(v1));
    for _ in 0..8 {
        if fb == 0.0 || fb == fa {
            break;
        }
        let next = (b - fb * (b - a) / (fb - fa)).clamp(0.5 * b, 2.0 * b);
        let done = (next - b).abs() < 1e-5;
        (a, fa) = (b, fb);
        b = next;
        if done {
            break;
        }
        (fb, tb) = miss(b);
    }
    Ok((b, Some(tb)))
}

/// Value, delta, gamma and theta (per year of time passing) at the root of a tree.
#[derive(Debug, Clone, Copy, Default)]
struct Root {
    value: f64,
    delta: f64,
    gamma: f64,
    theta: f64,
}

/// The American and European values of one tree.
#[derive(Debug, Clone, Copy, Default)]
struct TreeValues {
    american: Root,
    european: Root,
    /// The volatility the tree was built at.
    vol: f64,
    /// The premium of the [`TREE_STEPS`] tree alone (before the extrapolation that
    /// [`premium_tree`] applies to `american.value`): what bumped trees of the same steps
    /// are differenced against.
    raw_premium: f64,
}

impl TreeValues {
    fn premium(&self) -> f64 {
        (self.american.value - self.european.value).max(0.0)
    }
}

/// The tree the model uses: [`TREE_STEPS`] steps, its premium extrapolated with a
/// [`COARSE_STEPS`]-step tree (Richardson: the Leisen-Reimer premium's error shrinks about
/// as 1/n, so `2 P(51) - P(25)` removes most of it for a quarter more work).
fn premium_tree(inp: &Inputs, vol: f64) -> TreeValues {
    let mut fine = tree(inp, vol, TREE_STEPS);
    let coarse = tree(inp, vol, COARSE_STEPS);
    let premium = (2.0 * fine.premium() - coarse.premium()).max(0.0);
    fine.american.value = fine.european.value + premium;
    fine
}

/// Trees of fewer steps than this keep their nodes on the stack.
const STACK_NODES: usize = 64;

/// Peizer-Pratt inversion (method 2), as Leisen and Reimer use it.
fn peizer_pratt(z: f64, n: usize) -> f64 {
    let n = n as f64;
    let a = z / (n + 1.0 / 3.0 + 0.1 / (n + 1.0));
    let s = (0.25 - 0.25 * (-a * a * (n + 1.0 / 6.0)).exp()).sqrt();
    if z >= 0.0 { 0.5 + s } else { 0.5 - s }
}

/// Leisen-Reimer tree with `n` steps (odd): American and European values in one pass.
fn tree(inp: &Inputs, vol: f64, n: usize) -> TreeValues {
    let Inputs {
        right,
        spot: s,
        strike: k,
        t_years: t,
        rate: r,
        div: q,
    } = *inp;
    if !(inp.is_valid() && vol > 0.0 && vol.is_finite()) || n < 3 {
        return TreeValues::default();
    }
    let dt = t / n as f64;
    let sd = vol * t.sqrt();
    let d1 = ((s / k).ln() + (r - q + 0.5 * vol * vol) * t) / sd;
    let d2 = d1 - sd;
    let p = peizer_pratt(d2, n);
    let p_prime = peizer_pratt(d1, n);
    let growth = ((r - q) * dt).exp();
    let u = growth * p_prime / p;
    let d = (growth - p * u) / (1.0 - p);
    if !(u > d && d > 0.0 && p > 0.0 && p < 1.0) {
        return TreeValues::default();
    }
    let disc = (-r * dt).exp();
    let (pu, pd) = (disc * p, disc * (1.0 - p));
    let ratio = u / d;
    // Payoff as `sign * (price - k)`, floored at 0.
    let sign = if right == Right::Call { 1.0 } else { -1.0 };
    let payoff = |price: f64| (sign * (price - k)).max(0.0);
    // Leaves: price s * u^j * d^(n-j), j = 0..=n. The model's trees fit on the stack;
    // only the tests' reference trees need the heap.
    let (mut am_stack, mut eu_stack);
    let (mut am_heap, mut eu_heap);
    let (am, eu): (&mut [f64], &mut [f64]) = if n < STACK_NODES {
        am_stack = [0.0; STACK_NODES];
        eu_stack = [0.0; STACK_NODES];
        (&mut am_stack[..=n], &mut eu_stack[..=n])
    } else {
        am_heap = vec![0.0; n + 1];
        eu_heap = vec![0.0; n + 1];
        (&mut am_heap[..], &mut eu_heap[..])
    };
    let mut price = s * d.powi(n as i32);
    for (a, e) in am.iter_mut().zip(eu.iter_mut()) {
        *a = payoff(price);
        *e = *a;
        price *= ratio;
    }
    let mut keep = [[0.0; 3]; 2]; // values at steps 1 and 2 (american), for delta/gamma
    let mut keep_eu = [[0.0; 3]; 2];
    for step in (0..n).rev() {
        let mut price = s * d.powi(step as i32);
        // Node j of this step from nodes j and j + 1 of the next; slices of exactly
        // step + 2 values let the compiler drop the bounds checks.
        let (am, eu) = (&mut am[..step + 2], &mut eu[..step + 2]);
        for j in 0..=step {
            eu[j] = pu * eu[j + 1] + pd * eu[j];
            am[j] = (pu * am[j + 1] + pd * am[j]).max(sign * (price - k));
            price *= ratio;
        }
        if (1..=2).contains(&step) {
            keep[step - 1][..=step].copy_from_slice(&am[..=step]);
            keep_eu[step - 1][..=step].copy_from_slice(&eu[..=step]);
        }
    }
    let root = |v0: f64, kept: &[[f64; 3]; 2]| {
        let (s1u, s1d) = (s * u, s * d);
        let delta = (kept[0][1] - kept[0][0]) / (s1u - s1d);
        let (s2uu, s2ud, s2dd) = (s * u * u, s * u * d, s * d * d);
        let delta_up = (kept[1][2] - kept[1][1]) / (s2uu - s2ud);
        let delta_dn = (kept[1][1] - kept[1][0]) / (s2ud - s2dd);
        let gamma = (delta_up - delta_dn) / (0.5 * (s2uu - s2dd));
        // The middle node two steps on sits at s·u·d, not s: move its value back to s.
        let x = s2ud - s;
        let middle = kept[1][1] - delta * x - 0.5 * gamma * x * x;
        Root {
            value: v0,
            delta,
            gamma,
            theta: (middle - v0) / (2.0 * dt),
        }
    };
    let american = root(am[0], &keep);
    let european = root(eu[0], &keep_eu);
    TreeValues {
        american,
        european,
        vol,
        raw_premium: (american.value - european.value).max(0.0),
    }
}

/// A reference American price from a plain tree with `n` steps (slow for large `n`):
/// what the tests check the model's pricer against.
pub fn american_reference(inp: &Inputs, vol: f64, n: usize) -> f64 {
    let n = if n.is_multiple_of(2) { n + 1 } else { n };
    tree(inp, vol, n).american.value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(spot: f64, strike: f64, t: f64) -> Inputs {
        Inputs {
            right: Right::Put,
            spot,
            strike,
            t_years: t,
            rate: 0.03,
            div: 0.04,
        }
    }

    #[test]
    fn tree_european_value_matches_black_scholes() {
        for right in [Right::Call, Right::Put] {
            for strike in [80.0, 100.0, 120.0] {
                let inp = Inputs {
                    right,
                    ..put(100.0, strike, 0.5)
                };
                let tv = tree(&inp, 0.25, 201);
                let bs = bsm::price(&inp, 0.25);
                assert!((tv.european.value - bs).abs() < 1e-3, "{inp:?}");
                assert!(tv.american.value >= tv.european.value - 1e-12);
            }
        }
    }

    #[test]
    fn no_early_exercise_means_european() {
        let call = Inputs {
            right: Right::Call,
            div: 0.0,
            ..put(100.0, 80.0, 1.0)
        };
        assert_eq!(model_for(Exercise::American, &call), Model::Black76);
        let itm_put = put(100.0, 120.0, 1.0);
        assert_eq!(model_for(Exercise::American, &itm_put), Model::American);
        assert_eq!(model_for(Exercise::European, &itm_put), Model::Black76);
        let otm_put = put(100.0, 90.0, 1.0);
        assert_eq!(model_for(Exercise::American, &otm_put), Model::Black76);
    }

    /// A constructed grid of in-the-money American puts and calls, 4% dividend and 3%
    /// rate, priced with a 1001-step tree at a known volatility: the implied volatility
    /// comes back within 0.05 vol points wherever a quote can say that much.
    #[test]
    fn american_iv_matches_a_fine_tree() {
        let (mut worst, mut checked, mut in_price) = (0.0_f64, 0, 0);
        for right in [Right::Put, Right::Call] {
            for moneyness in [0.8, 0.9, 0.97] {
                for t in [14.0 / 365.0, 0.25, 1.0] {
                    for vol in [0.15, 0.3, 0.6] {
                        let strike = match right {
                            Right::Put => 100.0 / moneyness,
                            Right::Call => 100.0 * moneyness,
                        };
                        let inp = Inputs {
                            right,
                            ..put(100.0, strike, t)
                        };
                        let reference = american_reference(&inp, vol, 1001);
                        let model = model_for(Exercise::American, &inp);
                        assert_eq!(model, Model::American);
                        let iv = solve(model, &inp, reference, 0.0).unwrap();
                        // As a chain solves it: one tree at the other right's volatility
                        // (here half a point off), unless that lands a point away.
                        let (hinted, _) =
                            solve_with_greeks(model, &inp, reference, 0.0, Some(vol + 0.005))
                                .unwrap();
                        // Where a vol point moves the price by less than two cents, a
                        // quote rounded to the cent cannot pin the volatility to a tenth
                        // of a point: there the price at the solved volatility must match
                        // the reference within half a cent instead.
                        let vega = (american_reference(&inp, vol + 0.005, 1001)
                            - american_reference(&inp, vol - 0.005, 1001))
                        .abs();
                        if vega < 0.02 {
                            let back = price(model, &inp, iv);
                            assert!(
                                (back - reference).abs() < 0.005,
                                "{inp:?} at {vol}: iv {iv} prices {back} vs {reference}"
                            );
                            in_price += 1;
                            continue;
                        }
                        checked += 1;
                        worst = worst.max((iv - vol).abs()).max((hinted - vol).abs());
                        assert!(
                            (hinted - vol).abs() < 0.0005,
                            "{inp:?} at {vol}: iv {hinted} with a hint (price {reference})"
                        );
                        assert!(
                            (iv - vol).abs() < 0.0005,
                            "{inp:?} at {vol}: iv {iv} (price {reference})"
                        );
                    }
                }
            }
        }
        eprintln!(
            "american iv: {checked} within 0.05 vol points (worst {:.4}), {in_price} in price",
            worst * 100.0
        );
        assert!(checked >= 40, "{checked} checked in vol");
    }

    #[test]
    fn a_price_half_a_tick_below_intrinsic_solves_to_the_bound() {
        let inp = put(100.0, 130.0, 0.1);
        let bound = intrinsic(&inp).max(inp.lower_bound());
        assert_eq!(solve(Model::American, &inp, bound - 0.004, 0.005), Ok(0.0));
        assert!(matches!(
            solve(Model::American, &inp, bound - 0.02, 0.005),
            Err(IvError::BelowLowerBound { .. })
        ));
        let eu = Inputs {
            right: Right::Call,
            ..put(100.0, 80.0, 0.1)
        };
        assert_eq!(
            solve(Model::Black76, &eu, eu.lower_bound() - 0.004, 0.005),
            Ok(0.0)
        );
    }

    #[test]
    fn american_greeks_follow_the_american_price() {
        let inp = put(100.0, 115.0, 0.5);
        let vol = 0.3;
        let g = greeks(Model::American, &inp, vol);
        let h = 0.01;
        let up = Inputs {
            spot: inp.spot + h,
            ..inp
        };
        let dn = Inputs {
            spot: inp.spot - h,
            ..inp
        };
        let fd = (price(Model::American, &up, vol) - price(Model::American, &dn, vol)) / (2.0 * h);
        assert!((g.delta - fd).abs() < 0.01, "{} vs {fd}", g.delta);
        // Deeper than the European delta: early exercise pulls it towards -1.
        assert!(g.delta < bsm::greeks(&inp, vol).delta);
    }

    /// Greeks of a 2001-step tree by central differences: delta, gamma, theta (per day),
    /// vega and rho (per point), in [`Greeks`]' units.
    fn reference_greeks(inp: &Inputs, vol: f64) -> Greeks {
        let n = 2001;
        let p = |i: &Inputs, v: f64| american_reference(i, v, n);
        // The reference price with one input moved.
        let at = |change: fn(&mut Inputs, f64), by: f64| {
            let mut i = *inp;
            change(&mut i, by);
            p(&i, vol)
        };
        let hs = 0.002 * inp.spot;
        let spot = |i: &mut Inputs, by: f64| i.spot += by;
        let (pu, p0, pd) = (at(spot, hs), p(inp, vol), at(spot, -hs));
        let day = 1.0 / 365.0;
        let left = |i: &mut Inputs, by: f64| i.t_years -= by;
        let hr = 0.0005;
        let rate = |i: &mut Inputs, by: f64| i.rate += by;
        Greeks {
            delta: (pu - pd) / (2.0 * hs),
            gamma: (pu - 2.0 * p0 + pd) / (hs * hs),
            theta: (at(left, day) - at(left, -day)) / 2.0,
            vega: (p(inp, vol + 0.005) - p(inp, vol - 0.005)) / 1.0,
            rho: (at(rate, hr) - at(rate, -hr)) / (2.0 * hr) / 100.0,
        }
    }

    /// In-the-money American puts and calls (4% dividend, 3% rate) across moneyness,
    /// expiry and volatility: every greek is the American price's, against a 2001-step
    /// tree, within a fifth of what early exercise adds to it (or a hair); Black-76's
    /// alone misses most of them by more than that.
    #[test]
    fn american_greeks_follow_a_fine_tree() {
        let names = ["delta", "gamma", "theta", "vega", "rho"];
        let parts = |g: &Greeks| [g.delta, g.gamma, g.theta, g.vega, g.rho];
        let (mut checked, mut black76_misses) = (0, 0);
        for right in [Right::Put, Right::Call] {
            for moneyness in [0.8, 0.92] {
                for t in [30.0 / 365.0, 0.5] {
                    for vol in [0.2, 0.45] {
                        let strike = match right {
                            Right::Put => 100.0 / moneyness,
                            Right::Call => 100.0 * moneyness,
                        };
                        let inp = Inputs {
                            right,
                            ..put(100.0, strike, t)
                        };
                        let model = model_for(Exercise::American, &inp);
                        assert_eq!(model, Model::American);
                        let ours = parts(&greeks(model, &inp, vol));
                        let black76 = parts(&bsm::greeks(&inp, vol));
                        let reference = parts(&reference_greeks(&inp, vol));
                        for i in 0..5 {
                            let share = (reference[i] - black76[i]).abs();
                            let hair = 2e-4 * reference[i].abs().max(1.0) + 1e-4;
                            let miss = (ours[i] - reference[i]).abs();
                            assert!(
                                miss <= 0.2 * share + hair,
                                "{} of {inp:?} at {vol}: {} vs tree {} (Black-76 {})",
                                names[i],
                                ours[i],
                                reference[i],
                                black76[i]
                            );
                            checked += 1;
                            if share > 0.2 * share + hair {
                                black76_misses += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(
            black76_misses * 2 >= checked,
            "Black-76 alone misses {black76_misses} of {checked}"
        );
    }

    /// A call with no dividend is never exercised early; an in-the-money put far from its
    /// exercise boundary with a month left barely: both keep Black-76's greeks exactly
    /// where the tree's premium is nothing.
    #[test]
    fn worthless_early_exercise_keeps_black_76_greeks() {
        let inp = Inputs {
            right: Right::Put,
            rate: 0.0001,
            div: 0.2,
            ..put(100.0, 101.0, 30.0 / 365.0)
        };
        let vol = 0.3;
        let t = premium_tree(&inp, vol);
        assert_eq!(t.raw_premium, 0.0, "{t:?}");
        assert_eq!(greeks(Model::American, &inp, vol), bsm::greeks(&inp, vol));
    }

    #[test]
    fn forward_delta_is_n_d1() {
        let d = forward_delta(Right::Call, 100.0, 100.0, 1.0, 0.2);
        assert!((d - 0.539_827_837).abs() < 1e-6, "{d}");
        let p = forward_delta(Right::Put, 100.0, 100.0, 1.0, 0.2);
        assert!((p - (d - 1.0)).abs() < 1e-15);
    }
}
