//! Per-ticker features computed from one priced chain: ATM and constant-maturity IV, term
//! slope, 25-delta risk reversal, volumes, open interest, put/call ratios, max pain,
//! expected move, and IV rank/percentile over the stored daily history. ATM is at each
//! expiry's forward (the one the chain was priced with), the risk reversal is on forward
//! delta from the out-of-the-money wings, the expected move is the straddle nearest the
//! forward.
//!
//! Pure functions over [`ContractRow`]s; pricing is in `scan::price`, alerts in
//! `scan::detectors`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

#[cfg(test)]
use crate::market::years_to_expiry;
use crate::market::{Exchange, Right, years_between};
use crate::quant::model::forward_delta;
use crate::store::chains::{ContractRow, ExpiryRow, FeatureRow};

/// Market context of the chain the features are computed from.
#[derive(Debug, Clone, Copy)]
pub struct ChainContext<'a> {
    pub ticker: &'a str,
    /// The scan's instant, stamped on the features.
    pub as_of: DateTime<Utc>,
    /// The quotes' own clock (the chain's `as_of` as the source stamped it): times to
    /// expiry run from here.
    pub quoted_at: DateTime<Utc>,
    /// The market the chain trades on: its calendar sets expiry instants and closes.
    pub exchange: Exchange,
    pub spot: f64,
    /// The rate and dividend yield an expiry without a stored forward is carried at.
    pub rate: f64,
    pub dividend_yield: f64,
    /// Shares per contract (the chain's multiplier), for gamma exposure.
    pub multiplier: f64,
    /// The source's own 30-day IV of the underlying, if it publishes one.
    pub vendor_iv30: Option<f64>,
    /// Each expiry's forward, as the chain was priced with (`scan::price`).
    pub expiries: &'a [ExpiryRow],
}

/// The shortest expiry used as "front": one day, so a same-day expiry's last hours
/// (whose IV explodes numerically) never stand for the whole ticker.
const MIN_FRONT_YEARS: f64 = 1.0 / 365.0;

/// Contracts of one expiry with its time and forward.
struct Expiry<'a> {
    t: f64,
    forward: f64,
    contracts: Vec<&'a ContractRow>,
}

fn group_expiries<'a>(ctx: &ChainContext<'_>, contracts: &'a [ContractRow]) -> Vec<Expiry<'a>> {
    let mut by_date: BTreeMap<NaiveDate, Vec<&'a ContractRow>> = BTreeMap::new();
    for c in contracts {
        by_date.entry(c.expiry).or_default().push(c);
    }
    by_date
        .into_iter()
        .filter_map(|(date, contracts)| {
            // The latest instant among the date's roots (SPX settles AM, SPXW PM).
            let expires = contracts
                .iter()
                .map(|c| crate::market::occ_root(&c.symbol))
                .fold(None::<(&str, DateTime<Utc>)>, |acc, root| match acc {
                    Some((r, at)) if r == root => Some((r, at)),
                    _ => {
                        let at = crate::market::expiry_instant_of(ctx.exchange, root, date);
                        Some((root, acc.map_or(at, |(_, a)| a.max(at))))
                    }
                })
                .map(|(_, at)| at)?;
            let t = years_between(ctx.quoted_at, expires);
            let forward = ctx.expiries.iter().find(|e| e.expiry == date).map_or_else(
                || ctx.spot * ((ctx.rate - ctx.dividend_yield) * t).exp(),
                |e| e.forward,
            );
            (t >= MIN_FRONT_YEARS).then_some(Expiry {
                t,
                forward,
                contracts,
            })
        })
        .collect()
}

/// Linear interpolation of `y` at `x0` over points sorted by `x`; None outside the range.
pub(crate) fn interpolate(points: &[(f64, f64)], x0: f64) -> Option<f64> {
    let i = points.partition_point(|p| p.0 < x0);
    if i < points.len() && points[i].0 == x0 {
        return Some(points[i].1);
    }
    if i == 0 || i == points.len() {
        return None;
    }
    let (x1, y1) = points[i - 1];
    let (x2, y2) = points[i];
    Some(y1 + (y2 - y1) * (x0 - x1) / (x2 - x1))
}

/// ATM IV of one expiry: the strike-wise IV (mean of call and put where both solve),
/// interpolated linearly in strike at the forward.
fn atm_iv(e: &Expiry<'_>) -> Option<f64> {
    let mut by_strike: BTreeMap<u64, (f64, f64, u32)> = BTreeMap::new();
    for c in &e.contracts {
        if let Some(iv) = c.iv {
            let slot = by_strike
                .entry((c.strike * 1000.0).round() as u64)
                .or_insert((c.strike, 0.0, 0));
            slot.1 += iv;
            slot.2 += 1;
        }
    }
    let points: Vec<(f64, f64)> = by_strike
        .values()
        .map(|&(k, sum, n)| (k, sum / n as f64))
        .collect();
    interpolate(&points, e.forward)
}

/// Constant-maturity IV at `target` years: linear in total variance between the two
/// expiries around it, flat beyond the first and last.
fn constant_maturity(term: &[(f64, f64)], target: f64) -> Option<f64> {
    let first = term.first()?;
    let last = term.last()?;
    if target <= first.0 {
        return Some(first.1);
    }
    if target >= last.0 {
        return Some(last.1);
    }
    let i = term.partition_point(|p| p.0 < target);
    let (t1, v1) = term[i - 1];
    let (t2, v2) = term[i];
    let w1 = v1 * v1 * t1;
    let w2 = v2 * v2 * t2;
    let w = w1 + (w2 - w1) * (target - t1) / (t2 - t1);
    (w > 0.0).then(|| (w / target).sqrt())
}

/// 25-delta call IV minus 25-delta put IV, each interpolated in forward delta
/// (`N(d1)` on the expiry's forward, `N(d1) - 1` for puts) over the out-of-the-money wing:
/// calls struck above the forward, puts below it.
fn risk_reversal_25(e: &Expiry<'_>) -> Option<f64> {
    let side = |right: Right, target: f64| {
        let mut pts: Vec<(f64, f64)> = e
            .contracts
            .iter()
            .filter(|c| c.right == right)
            .filter(|c| match right {
                Right::Call => c.strike >= e.forward,
                Right::Put => c.strike <= e.forward,
            })
            .filter_map(|c| {
                let iv = c.iv?;
                Some((forward_delta(right, e.forward, c.strike, e.t, iv), iv))
            })
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        interpolate(&pts, target)
    };
    Some(side(Right::Call, 0.25)? - side(Right::Put, -0.25)?)
}

/// Whether `d` is a standard monthly expiry: the third Friday of its month, or the
/// trading day NYSE's calendar moves it to when that Friday is a holiday (Thursday
/// 2025-04-17 before Good Friday). The third Friday itself still counts: the simulated
/// market does not model holidays.
pub fn is_monthly(d: NaiveDate) -> bool {
    (d.weekday() == Weekday::Fri && (15..=21).contains(&d.day()))
        || d == crate::market::Calendar::nyse().monthly_expiration(d.year(), d.month())
}

/// The strike at which option holders of `contracts` (one expiry) lose the most: the
/// settlement price minimising the total intrinsic value paid out, weighted by OI.
pub fn max_pain(contracts: &[&ContractRow]) -> Option<f64> {
    let mut strikes: Vec<f64> = contracts.iter().map(|c| c.strike).collect();
    strikes.sort_by(f64::total_cmp);
    strikes.dedup();
    strikes
        .iter()
        .map(|&settle| {
            let payout: f64 = contracts
                .iter()
                .map(|c| {
                    let intrinsic = match c.right {
                        Right::Call => (settle - c.strike).max(0.0),
                        Right::Put => (c.strike - settle).max(0.0),
                    };
                    intrinsic * c.open_interest as f64
                })
                .sum();
            (settle, payout)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// The expiry max pain is computed on: the nearest standard monthly whose expiration
/// session has not closed yet. On expiration day that is the expiring monthly, hours
/// from expiry, until the close (unlike the other features, which skip contracts under a
/// day). Without a monthly, the first expiry not yet closed.
fn max_pain_expiry(ctx: &ChainContext<'_>, contracts: &[ContractRow]) -> Option<NaiveDate> {
    let cal = ctx.exchange.calendar();
    let open = |d: &NaiveDate| cal.at(*d, cal.close_on(*d)) > ctx.quoted_at;
    let mut dates: Vec<NaiveDate> = contracts.iter().map(|c| c.expiry).collect();
    dates.sort_unstable();
    dates.dedup();
    // One calendar look-up per expiry, not per contract.
    dates.retain(open);
    dates
        .iter()
        .copied()
        .find(|d| is_monthly(*d))
        .or(dates.first().copied())
}

/// ATM straddle mid (call mid + put mid at the strike nearest the forward that has both).
fn straddle(e: &Expiry<'_>) -> Option<f64> {
    let at = e.forward;
    let mut best: Option<(f64, f64)> = None;
    for c in e.contracts.iter().filter(|c| c.right == Right::Call) {
        let Some(call_mid) = mid(c) else { continue };
        let put = e
            .contracts
            .iter()
            .find(|p| p.right == Right::Put && p.strike == c.strike);
        let Some(put_mid) = put.and_then(|p| mid(p)) else {
            continue;
        };
        let dist = (c.strike - at).abs();
        if best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, call_mid + put_mid));
        }
    }
    best.map(|(_, v)| v)
}

fn mid(c: &ContractRow) -> Option<f64> {
    (c.bid > 0.0 && c.ask >= c.bid).then_some(0.5 * (c.bid + c.ask))
}

/// IV rank and percentile of `now` against `history` (past daily observations).
/// Rank = (now - low) / (high - low) with low and high over history and now; percentile =
/// share of history below now. None when history has fewer than `min_observations`.
pub fn iv_rank(now: f64, history: &[f64], min_observations: usize) -> (Option<f64>, Option<f64>) {
    if history.len() < min_observations.max(1) {
        return (None, None);
    }
    let low = history.iter().copied().fold(now, f64::min);
    let high = history.iter().copied().fold(now, f64::max);
    let rank = (high > low).then(|| (now - low) / (high - low));
    let below = history.iter().filter(|&&h| h < now).count();
    (rank, Some(below as f64 / history.len() as f64))
}

/// Computes a ticker's features from its priced contracts and its past daily IV history.
pub fn compute(
    ctx: &ChainContext<'_>,
    contracts: &[ContractRow],
    iv_history: &[f64],
    min_iv_observations: usize,
) -> FeatureRow {
    let expiries = group_expiries(ctx, contracts);
    let term: Vec<(f64, f64)> = expiries
        .iter()
        .filter_map(|e| Some((e.t, atm_iv(e)?)))
        .collect();
    let front = expiries.first();
    let atm_iv_front = front.and_then(atm_iv);
    let atm_iv_30d = constant_maturity(&term, 30.0 / 365.0);
    let atm_iv_90d = constant_maturity(&term, 90.0 / 365.0);
    let term_slope = match (term.len() >= 2, atm_iv_30d, atm_iv_90d) {
        (true, Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let near_30 = expiries.iter().min_by(|a, b| {
        (a.t - 30.0 / 365.0)
            .abs()
            .total_cmp(&(b.t - 30.0 / 365.0).abs())
    });
    let rr25 = near_30.and_then(risk_reversal_25);

    let (mut call_volume, mut put_volume, mut call_oi, mut put_oi) = (0u64, 0u64, 0u64, 0u64);
    for c in contracts {
        match c.right {
            Right::Call => {
                call_volume += c.volume;
                call_oi += c.open_interest;
            }
            Right::Put => {
                put_volume += c.volume;
                put_oi += c.open_interest;
            }
        }
    }
    let ratio = |p: u64, c: u64| (c > 0).then(|| p as f64 / c as f64);
    let max_pain = max_pain_expiry(ctx, contracts).and_then(|date| {
        let of_date: Vec<&ContractRow> = contracts.iter().filter(|c| c.expiry == date).collect();
        max_pain(&of_date)
    });
    let expected_move = front.and_then(straddle);
    let (iv_rank, iv_percentile) = match atm_iv_30d {
        Some(now) => iv_rank(now, iv_history, min_iv_observations),
        None => (None, None),
    };
    let gaps = super::vendor::gaps(contracts, ctx.spot);
    let (gex, zero_gamma) = gamma_exposure(ctx, contracts);
    FeatureRow {
        ticker: ctx.ticker.to_string(),
        as_of: ctx.as_of,
        spot: ctx.spot,
        atm_iv_front,
        atm_iv_30d,
        term_slope,
        rr25,
        call_volume,
        put_volume,
        call_oi,
        put_oi,
        pcr_volume: ratio(put_volume, call_volume),
        pcr_oi: ratio(put_oi, call_oi),
        max_pain,
        expected_move,
        iv_rank,
        iv_percentile,
        iv_history_n: iv_history.len() as u64,
        contracts: contracts.len() as u64,
        vendor_iv_pairs: gaps.all.count,
        vendor_iv_gap_median: gaps.all.median,
        vendor_iv_gap_p90: gaps.all.p90,
        vendor_iv_gap_otm_median: gaps.otm.median,
        vendor_iv_gap_otm_p90: gaps.otm.p90,
        vendor_iv30: ctx.vendor_iv30,
        vendor_iv30_gap: atm_iv_30d.zip(ctx.vendor_iv30).map(|(a, v)| a - v),
        gex,
        zero_gamma,
    }
}

/// The chain's total gamma exposure (the sum of its contracts' `gex`) and its zero-gamma
/// level (`scan::gex`). Contracts whose time to expiry has run out count in neither.
fn gamma_exposure(ctx: &ChainContext<'_>, contracts: &[ContractRow]) -> (Option<f64>, Option<f64>) {
    let mut total = None::<f64>;
    let mut legs = Vec::with_capacity(contracts.len());
    // Contracts come sorted by expiry: one calendar look-up per (expiry, root) run.
    let mut last: Option<(NaiveDate, &str, f64)> = None;
    for c in contracts {
        let (Some(g), Some(iv)) = (c.gex, c.iv) else {
            continue;
        };
        *total.get_or_insert(0.0) += g;
        let root = crate::market::occ_root(&c.symbol);
        let t = match last {
            Some((d, r, t)) if d == c.expiry && r == root => t,
            _ => {
                let at = crate::market::expiry_instant_of(ctx.exchange, root, c.expiry);
                let t = years_between(ctx.quoted_at, at);
                last = Some((c.expiry, root, t));
                t
            }
        };
        legs.extend(super::gex::Leg::new(
            c.right,
            c.open_interest,
            c.strike,
            iv,
            t,
            ctx.rate,
            ctx.dividend_yield,
            ctx.multiplier,
        ));
    }
    (total, super::gex::zero_gamma(&legs, ctx.spot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::bsm::{self, Inputs};
    use chrono::TimeZone;

    fn contract(
        expiry: NaiveDate,
        strike: f64,
        right: Right,
        iv: f64,
        oi: u64,
        ctx: &ChainContext<'_>,
    ) -> ContractRow {
        let inp = Inputs {
            right,
            spot: ctx.spot,
            strike,
            t_years: years_to_expiry(ctx.quoted_at, expiry).max(1e-6),
            rate: ctx.rate,
            div: ctx.dividend_yield,
        };
        let p = bsm::price(&inp, iv);
        let g = bsm::greeks(&inp, iv);
        ContractRow {
            symbol: format!("X{expiry}{strike}{right}"),
            expiry,
            strike,
            right,
            bid: p - 0.01,
            ask: p + 0.01,
            last: p,
            volume: 10,
            open_interest: oi,
            iv: Some(iv),
            delta: Some(g.delta),
            gamma: Some(g.gamma),
            theta: Some(g.theta),
            vega: Some(g.vega),
            vendor_iv: None,
            vendor_delta: None,
            vendor_gamma: None,
            vendor_theo: None,
            gex: Some(crate::scan::gex::contract_gex(
                right, oi, g.gamma, 100.0, ctx.spot,
            )),
            rho: Some(g.rho),
            model: Some("black76".into()),
        }
    }

    fn ctx() -> ChainContext<'static> {
        ChainContext {
            ticker: "TEST",
            as_of: Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap(),
            quoted_at: Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap(),
            exchange: Exchange::Us,
            spot: 100.0,
            rate: 0.0,
            dividend_yield: 0.0,
            multiplier: 100.0,
            vendor_iv30: None,
            expiries: &[],
        }
    }

    /// A flat 20% surface on expiries 10, 24 and 52 days out, strikes 80..120.
    fn flat_chain(c: &ChainContext<'_>) -> Vec<ContractRow> {
        let mut rows = vec![];
        for d in [
            NaiveDate::from_ymd_opt(2026, 11, 12).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
        ] {
            for k in (80..=120).step_by(5) {
                for r in [Right::Call, Right::Put] {
                    rows.push(contract(d, k as f64, r, 0.2, 100, c));
                }
            }
        }
        rows
    }

    #[test]
    fn flat_surface_gives_flat_features() {
        let c = ctx();
        let f = compute(&c, &flat_chain(&c), &[], 20);
        assert!((f.atm_iv_front.unwrap() - 0.2).abs() < 1e-12);
        assert!((f.atm_iv_30d.unwrap() - 0.2).abs() < 1e-12);
        assert!(f.term_slope.unwrap().abs() < 1e-12);
        assert!(f.rr25.unwrap().abs() < 1e-9);
        assert_eq!(f.pcr_volume, Some(1.0));
        assert_eq!(f.contracts, 54);
        // Symmetric OI around spot 100: max pain at 100.
        assert_eq!(f.max_pain, Some(100.0));
        // Straddle at the money ~ 0.8 * S * sigma * sqrt(T) for T = 10 days.
        let em = f.expected_move.unwrap();
        let approx = 0.8
            * 100.0
            * 0.2
            * (years_to_expiry(c.as_of, NaiveDate::from_ymd_opt(2026, 11, 12).unwrap())).sqrt();
        assert!((em - approx).abs() / approx < 0.02, "{em} vs {approx}");
        assert_eq!(f.iv_rank, None);
    }

    #[test]
    fn gamma_exposure_sums_the_contracts_and_crosses_zero_between_the_walls() {
        let c = ctx();
        // Puts carry the open interest below spot, calls above it.
        let rows: Vec<ContractRow> = flat_chain(&c)
            .into_iter()
            .map(|r| {
                let heavy = (r.right == Right::Put && r.strike < 100.0)
                    || (r.right == Right::Call && r.strike > 100.0);
                let oi = if heavy { 5000 } else { 10 };
                contract(r.expiry, r.strike, r.right, 0.2, oi, &c)
            })
            .collect();
        let f = compute(&c, &rows, &[], 20);
        let sum: f64 = rows.iter().filter_map(|r| r.gex).sum();
        assert!((f.gex.unwrap() - sum).abs() < 1e-6 * sum.abs().max(1.0));
        let z = f.zero_gamma.unwrap();
        assert!(z > 90.0 && z < 110.0, "{z}");
        // No source figures on this chain: no gaps, no pairs.
        assert_eq!(f.vendor_iv_pairs, 0);
        assert_eq!(f.vendor_iv_gap_median, None);
        assert_eq!(f.vendor_iv30_gap, None);
    }

    #[test]
    fn vendor_figures_become_gap_features() {
        let c = ChainContext {
            vendor_iv30: Some(0.25),
            ..ctx()
        };
        let rows: Vec<ContractRow> = flat_chain(&c)
            .into_iter()
            .map(|mut r| {
                // The source reads 1 point higher out of the money, 3 higher in it.
                let otm = (r.right == Right::Call) == (r.strike > 100.0);
                r.vendor_iv = Some(0.2 + if otm { 0.01 } else { 0.03 });
                r
            })
            .collect();
        let f = compute(&c, &rows, &[], 20);
        // Two-sided quotes only (the far wings are bid 0 here); strike 100, at spot,
        // counts in "all" only.
        let two_sided = rows.iter().filter(|r| r.bid > 0.0).count() as u64;
        assert!(two_sided > 30 && two_sided < 54, "{two_sided}");
        assert_eq!(f.vendor_iv_pairs, two_sided);
        assert!((f.vendor_iv_gap_otm_median.unwrap() - 0.01).abs() < 1e-12);
        assert!((f.vendor_iv_gap_otm_p90.unwrap() - 0.01).abs() < 1e-12);
        assert!((f.vendor_iv_gap_p90.unwrap() - 0.03).abs() < 1e-12);
        assert_eq!(f.vendor_iv30, Some(0.25));
        assert!((f.vendor_iv30_gap.unwrap() + 0.05).abs() < 1e-12);
    }

    #[test]
    fn skew_and_term_structure_show_up() {
        let c = ctx();
        let mut rows = vec![];
        let near = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let far = NaiveDate::from_ymd_opt(2027, 2, 19).unwrap();
        for (d, base) in [(near, 0.30), (far, 0.25)] {
            for k in (60..=140).step_by(2) {
                // Put skew: vol rises as strike falls.
                let iv = base + 0.3 * (100.0 / k as f64).ln();
                for r in [Right::Call, Right::Put] {
                    rows.push(contract(d, k as f64, r, iv, 10, &c));
                }
            }
        }
        let f = compute(&c, &rows, &[], 20);
        assert!(
            f.rr25.unwrap() < -0.01,
            "equity skew gives a negative RR: {:?}",
            f.rr25
        );
        assert!(
            f.term_slope.unwrap() < 0.0,
            "inverted term structure: {:?}",
            f.term_slope
        );
        // Constant maturity lies between the two expiries' ATM vols.
        let iv30 = f.atm_iv_30d.unwrap();
        assert!(iv30 < 0.31 && iv30 > 0.24, "{iv30}");
    }

    #[test]
    fn atm_and_the_straddle_sit_at_the_stored_forward() {
        let c = ctx();
        // A smile in strike: the ATM IV depends on where "at the money" is.
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut rows = vec![];
        for k in (80..=120).step_by(5) {
            let iv = 0.2 + 0.01 * (k as f64 - 100.0) / 5.0;
            for r in [Right::Call, Right::Put] {
                rows.push(contract(d, k as f64, r, iv, 10, &c));
            }
        }
        let on_spot = compute(&c, &rows, &[], 20);
        let stored = [ExpiryRow {
            expiry: d,
            t_years: 0.05,
            forward: 105.0,
            carry: 0.9,
            discount: 1.0,
            rate: 0.0,
            method: "parity".into(),
            pairs: 6,
        }];
        let with_forward = ChainContext {
            expiries: &stored,
            ..c
        };
        let on_forward = compute(&with_forward, &rows, &[], 20);
        assert!((on_spot.atm_iv_front.unwrap() - 0.20).abs() < 1e-9);
        assert!((on_forward.atm_iv_front.unwrap() - 0.21).abs() < 1e-9);
        // The straddle is the one struck at 105.
        let at = |k: f64, r: Right| {
            let q = rows.iter().find(|q| q.strike == k && q.right == r).unwrap();
            0.5 * (q.bid + q.ask)
        };
        let expected = at(105.0, Right::Call) + at(105.0, Right::Put);
        assert!((on_forward.expected_move.unwrap() - expected).abs() < 1e-9);
    }

    #[test]
    fn max_pain_follows_open_interest() {
        let c = ctx();
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let rows = [
            contract(d, 90.0, Right::Put, 0.2, 5000, &c),
            contract(d, 95.0, Right::Call, 0.2, 100, &c),
            contract(d, 100.0, Right::Call, 0.2, 100, &c),
            contract(d, 110.0, Right::Call, 0.2, 5000, &c),
        ];
        let refs: Vec<&ContractRow> = rows.iter().collect();
        // Settling anywhere in 90..95 pays nothing on the heavy 90 put and 110 call.
        assert_eq!(max_pain(&refs), Some(90.0));
    }

    /// The features' max pain for a chain with one heavy put at `put` and one heavy call
    /// at `call` in each of `expiries`, seen at `at`.
    fn max_pain_at(at: DateTime<Utc>, expiries: &[(NaiveDate, f64, f64)]) -> Option<f64> {
        let c = ChainContext {
            as_of: at,
            quoted_at: at,
            ..ctx()
        };
        let mut rows = vec![];
        for &(d, put, call) in expiries {
            for k in (80..=120).step_by(5) {
                let k = k as f64;
                let put_oi = if k == put { 5000 } else { 0 };
                let call_oi = if k == call { 5000 } else { 0 };
                rows.push(contract(d, k, Right::Put, 0.2, put_oi, &c));
                rows.push(contract(d, k, Right::Call, 0.2, call_oi, &c));
            }
        }
        compute(&c, &rows, &[], 20).max_pain
    }

    #[test]
    fn max_pain_stays_on_the_expiring_monthly_until_its_close() {
        // November 2026's monthly expires Friday the 20th; December's on the 18th.
        let nov = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let dec = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        // Max pain of November's contracts sits at 90..95 (heavy 90 put, 95 call),
        // December's at 110..115.
        let chain = [(nov, 90.0, 95.0), (dec, 110.0, 115.0)];
        let ny = |h: u32, m: u32| {
            crate::market::Calendar::nyse()
                .at(nov, chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap())
        };
        // The morning of expiration day: hours left, and it is still the nearest monthly.
        assert_eq!(max_pain_at(ny(10, 0), &chain), Some(90.0));
        assert_eq!(max_pain_at(ny(15, 59), &chain), Some(90.0));
        // After the close it has expired: December's.
        assert_eq!(max_pain_at(ny(16, 30), &chain), Some(110.0));
    }

    #[test]
    fn iv_rank_and_percentile() {
        let hist = [0.2, 0.3, 0.4, 0.5];
        let (rank, pct) = iv_rank(0.35, &hist, 3);
        assert!((rank.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(pct, Some(0.5));
        assert_eq!(iv_rank(0.35, &hist, 5), (None, None));
        let (rank, pct) = iv_rank(0.6, &hist, 1);
        assert_eq!(rank, Some(1.0));
        assert_eq!(pct, Some(1.0));
    }

    #[test]
    fn third_fridays_are_monthly() {
        assert!(is_monthly(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()));
        assert!(!is_monthly(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()));
        assert!(!is_monthly(NaiveDate::from_ymd_opt(2026, 11, 19).unwrap()));
        // Good Friday 2025 was the third Friday of April: the monthly expired Thursday.
        assert!(is_monthly(NaiveDate::from_ymd_opt(2025, 4, 17).unwrap()));
        assert!(!is_monthly(NaiveDate::from_ymd_opt(2025, 5, 15).unwrap()));
    }
}
