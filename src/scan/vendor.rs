//! How far optctl's implied volatility is from the source's own, per contract and per
//! ticker: the gaps |optctl IV − source IV| over the contracts that carry both and have a
//! two-sided quote, summarised as median and 90th percentile, for all of them and for the
//! out-of-the-money and in-the-money ones apart.
//!
//! Out of the money is judged against spot: a call struck above it, a put struck below
//! it; a strike exactly at spot counts in "all" only. Pure functions over
//! [`ContractRow`]s; the scan stores the summary as features (`scan::features`) and
//! `optctl quant check` prints it with the worst contracts.

use chrono::NaiveDate;
use serde::Serialize;

use crate::market::Right;
use crate::store::chains::ContractRow;

/// Median and 90th percentile of a set of gaps (fractions: 0.01 = 1 vol point).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GapStats {
    /// Contracts behind the figures.
    pub count: u64,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl GapStats {
    /// The statistics of `gaps` (any order; consumed for sorting).
    pub fn of(mut gaps: Vec<f64>) -> GapStats {
        gaps.sort_by(f64::total_cmp);
        GapStats {
            count: gaps.len() as u64,
            median: percentile(&gaps, 0.5),
            p90: percentile(&gaps, 0.9),
        }
    }
}

/// The gap statistics of one chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Gaps {
    /// Every two-sided contract with both IVs.
    pub all: GapStats,
    pub otm: GapStats,
    pub itm: GapStats,
}

/// Whether a contract is out of the money (`Some(true)`), in the money (`Some(false)`),
/// or struck exactly at `spot` (`None`).
pub fn out_of_the_money(right: Right, strike: f64, spot: f64) -> Option<bool> {
    if strike == spot {
        return None;
    }
    Some(match right {
        Right::Call => strike > spot,
        Right::Put => strike < spot,
    })
}

/// The `p` quantile (0..=1) of `sorted`, interpolating linearly between neighbours (the
/// usual "linear" definition: numpy's default); `None` when empty.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let pos = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

fn two_sided(c: &ContractRow) -> bool {
    c.bid > 0.0 && c.ask >= c.bid
}

/// optctl's IV minus the source's for `c`, when it has a two-sided quote and both IVs.
pub fn signed_gap(c: &ContractRow) -> Option<f64> {
    if !two_sided(c) {
        return None;
    }
    let d = c.iv? - c.vendor_iv?;
    d.is_finite().then_some(d)
}

/// The gap statistics of `contracts` with the underlying at `spot`.
pub fn gaps(contracts: &[ContractRow], spot: f64) -> Gaps {
    let (mut all, mut otm, mut itm) = (Vec::new(), Vec::new(), Vec::new());
    for c in contracts {
        let Some(d) = signed_gap(c) else { continue };
        let d = d.abs();
        all.push(d);
        match out_of_the_money(c.right, c.strike, spot) {
            Some(true) => otm.push(d),
            Some(false) => itm.push(d),
            None => {}
        }
    }
    Gaps {
        all: GapStats::of(all),
        otm: GapStats::of(otm),
        itm: GapStats::of(itm),
    }
}

/// One contract's comparison, as `optctl quant check` lists the worst ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractGap {
    pub symbol: String,
    pub expiry: NaiveDate,
    pub strike: f64,
    pub right: Right,
    /// `true` out of the money, `false` in the money, `None` struck at spot.
    pub otm: Option<bool>,
    pub bid: f64,
    pub ask: f64,
    /// optctl's IV (fraction).
    pub iv: f64,
    /// The source's IV (fraction).
    pub vendor_iv: f64,
    /// `iv − vendor_iv` (fraction).
    pub gap: f64,
}

/// The `n` contracts of `contracts` whose IV is furthest from the source's, worst first.
pub fn worst(contracts: &[ContractRow], spot: f64, n: usize) -> Vec<ContractGap> {
    let mut out: Vec<ContractGap> = contracts
        .iter()
        .filter_map(|c| {
            let gap = signed_gap(c)?;
            Some(ContractGap {
                symbol: c.symbol.clone(),
                expiry: c.expiry,
                strike: c.strike,
                right: c.right,
                otm: out_of_the_money(c.right, c.strike, spot),
                bid: c.bid,
                ask: c.ask,
                iv: c.iv?,
                vendor_iv: c.vendor_iv?,
                gap,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.gap
            .abs()
            .total_cmp(&a.gap.abs())
            .then(a.symbol.cmp(&b.symbol))
    });
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(right: Right, strike: f64, iv: Option<f64>, vendor: Option<f64>) -> ContractRow {
        ContractRow {
            symbol: format!("X261218{}{:08}", right.letter(), (strike * 1000.0) as u64),
            expiry: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            strike,
            right,
            bid: 1.0,
            ask: 1.1,
            last: 0.0,
            volume: 0,
            open_interest: 0,
            iv,
            delta: None,
            gamma: None,
            theta: None,
            vega: None,
            rho: None,
            model: None,
            vendor_iv: vendor,
            vendor_delta: None,
            vendor_gamma: None,
            vendor_theo: None,
            gex: None,
        }
    }

    #[test]
    fn percentiles_interpolate_between_neighbours() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 0.5), Some(5.5));
        assert!((percentile(&v, 0.9).unwrap() - 9.1).abs() < 1e-12);
        assert_eq!(percentile(&[4.0], 0.9), Some(4.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn gaps_split_out_of_and_in_the_money_against_spot() {
        let spot = 100.0;
        let rows = vec![
            // Out of the money: gaps 0.01 and 0.03.
            row(Right::Call, 110.0, Some(0.31), Some(0.30)),
            row(Right::Put, 90.0, Some(0.27), Some(0.30)),
            // In the money: gap 0.10.
            row(Right::Put, 110.0, Some(0.40), Some(0.30)),
            // At spot: in "all" only (gap 0.02).
            row(Right::Call, 100.0, Some(0.28), Some(0.30)),
            // No vendor IV, no optctl IV: left out.
            row(Right::Call, 120.0, Some(0.30), None),
            row(Right::Put, 80.0, None, Some(0.30)),
        ];
        let g = gaps(&rows, spot);
        assert_eq!(g.all.count, 4);
        assert_eq!(g.otm.count, 2);
        assert_eq!(g.itm.count, 1);
        assert!((g.otm.median.unwrap() - 0.02).abs() < 1e-12);
        assert!((g.itm.median.unwrap() - 0.10).abs() < 1e-12);
        // All: 0.01, 0.02, 0.03, 0.10 -> median 0.025.
        assert!((g.all.median.unwrap() - 0.025).abs() < 1e-12);
        let w = worst(&rows, spot, 2);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].strike, 110.0);
        assert_eq!(w[0].right, Right::Put);
        assert_eq!(w[0].otm, Some(false));
        assert!((w[0].gap - 0.10).abs() < 1e-12);
        assert!((w[1].gap + 0.03).abs() < 1e-12);
    }

    #[test]
    fn one_sided_quotes_are_not_compared() {
        let mut r = row(Right::Call, 110.0, Some(0.5), Some(0.3));
        r.bid = 0.0;
        assert_eq!(gaps(&[r], 100.0).all.count, 0);
    }
}
