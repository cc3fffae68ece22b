//! What the terminal views (`optctl chain`, `optctl show`) compute from a stored chain:
//! the expiry and strikes to show, each expiry's ATM IV, straddle and max pain at the
//! forward the scan stored, and the smile. Pure functions over [`ContractRow`]s; the stored features
//! come from `scan::features`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::features::{interpolate, is_monthly, max_pain};
use crate::market::{Right, days_to_expiry};
use crate::store::chains::{ContractRow, ExpiryRow};

/// The default expiry is the nearest with at least this many calendar days left: a
/// same-day expiry's IVs run to hundreds of percent and say little.
pub const MIN_DEFAULT_DAYS: i64 = 3;

/// A chain's contracts by expiry, each expiry's in stored order (strike, right).
pub fn by_expiry(contracts: &[ContractRow]) -> BTreeMap<NaiveDate, Vec<&ContractRow>> {
    let mut out: BTreeMap<NaiveDate, Vec<&ContractRow>> = BTreeMap::new();
    for c in contracts {
        out.entry(c.expiry).or_default().push(c);
    }
    out
}

fn mid(c: &ContractRow) -> Option<f64> {
    (c.bid > 0.0 && c.ask >= c.bid).then_some(0.5 * (c.bid + c.ask))
}

/// Call and put of each strike of one expiry, by strike.
pub fn pairs<'a>(
    contracts: &[&'a ContractRow],
) -> Vec<(f64, Option<&'a ContractRow>, Option<&'a ContractRow>)> {
    let mut by_strike: BTreeMap<u64, (f64, Option<&ContractRow>, Option<&ContractRow>)> =
        BTreeMap::new();
    for &c in contracts {
        let slot = by_strike
            .entry((c.strike * 1000.0).round() as u64)
            .or_insert((c.strike, None, None));
        match c.right {
            Right::Call => slot.1 = Some(c),
            Right::Put => slot.2 = Some(c),
        }
    }
    by_strike.into_values().collect()
}

/// The forward of `expiry` as the scan priced it (`stored`: the chain's expiries, see
/// `scan::price`), else, for a chain stored before forwards were kept, the parity
/// estimate of [`implied_forward`].
pub fn forward_of(
    stored: &[ExpiryRow],
    expiry: NaiveDate,
    contracts: &[&ContractRow],
) -> Option<f64> {
    stored
        .iter()
        .find(|e| e.expiry == expiry)
        .map(|e| e.forward)
        .or_else(|| implied_forward(contracts))
}

/// The forward of one expiry implied by put-call parity (strike + call mid − put mid at
/// the strike where the two mids are closest; the discount factor, within a fraction of
/// a percent of 1 for listed expiries, is left out). None without a strike quoting both.
/// Only for chains stored without their forwards: see [`forward_of`].
pub fn implied_forward(contracts: &[&ContractRow]) -> Option<f64> {
    pairs(contracts)
        .into_iter()
        .filter_map(|(k, c, p)| Some((k, mid(c?)? - mid(p?)?)))
        .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(k, diff)| k + diff)
}

/// One expiry of a chain, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpiryStats {
    pub expiry: NaiveDate,
    /// Calendar days from the scan's date.
    pub days: i64,
    /// Standard monthly (third Friday).
    pub monthly: bool,
    pub forward: Option<f64>,
    /// How the forward was found (`parity`, `box`, `fallback`); None for a chain stored
    /// before forwards were kept (its forward is then the parity estimate).
    pub forward_method: Option<String>,
    /// Strike-wise IV (mean of call and put) interpolated at the forward.
    pub atm_iv: Option<f64>,
    /// ATM straddle mid (call + put at the strike nearest the forward): the move the
    /// market prices to expiry, in price units.
    pub expected_move: Option<f64>,
    pub max_pain: Option<f64>,
    pub call_oi: u64,
    pub put_oi: u64,
    pub contracts: usize,
}

/// Every expiry of a chain, nearest first, on the forwards the scan stored (`stored`).
/// `spot` stands in for the forward where there is none.
pub fn expiry_stats(
    as_of: DateTime<Utc>,
    spot: f64,
    contracts: &[ContractRow],
    stored: &[ExpiryRow],
) -> Vec<ExpiryStats> {
    by_expiry(contracts)
        .into_iter()
        .map(|(expiry, cs)| {
            let forward = forward_of(stored, expiry, &cs);
            let forward_method = stored
                .iter()
                .find(|e| e.expiry == expiry)
                .map(|e| e.method.clone());
            let center = forward.unwrap_or(spot);
            let ps = pairs(&cs);
            let ivs: Vec<(f64, f64)> = ps
                .iter()
                .filter_map(|(k, c, p)| {
                    let v: Vec<f64> = [c, p].iter().filter_map(|x| x.and_then(|x| x.iv)).collect();
                    (!v.is_empty()).then(|| (*k, v.iter().sum::<f64>() / v.len() as f64))
                })
                .collect();
            let expected_move = ps
                .iter()
                .filter_map(|(k, c, p)| Some((*k, mid(c.as_ref()?)? + mid(p.as_ref()?)?)))
                .min_by(|a, b| (a.0 - center).abs().total_cmp(&(b.0 - center).abs()))
                .map(|(_, v)| v);
            let oi = |r: Right| {
                cs.iter()
                    .filter(|c| c.right == r)
                    .map(|c| c.open_interest)
                    .sum()
            };
            ExpiryStats {
                expiry,
                days: days_to_expiry(as_of, expiry),
                monthly: is_monthly(expiry),
                forward,
                forward_method,
                atm_iv: interpolate(&ivs, center),
                expected_move,
                max_pain: max_pain(&cs),
                call_oi: oi(Right::Call),
                put_oi: oi(Right::Put),
                contracts: cs.len(),
            }
        })
        .collect()
}

/// The expiry shown when none is asked for: the nearest with at least
/// [`MIN_DEFAULT_DAYS`] left, else the last one.
pub fn default_expiry(expiries: &[NaiveDate], as_of: DateTime<Utc>) -> Option<NaiveDate> {
    expiries
        .iter()
        .copied()
        .find(|&d| days_to_expiry(as_of, d) >= MIN_DEFAULT_DAYS)
        .or_else(|| expiries.last().copied())
}

/// The expiry closest to `dte` calendar days out (the nearer one on a tie).
pub fn expiry_near_days(
    expiries: &[NaiveDate],
    as_of: DateTime<Utc>,
    dte: i64,
) -> Option<NaiveDate> {
    expiries
        .iter()
        .copied()
        .min_by_key(|&d| (days_to_expiry(as_of, d) - dte).abs())
}

/// The nearest monthly expiry with at least [`MIN_DEFAULT_DAYS`] left, else the
/// default expiry.
pub fn nearest_monthly(expiries: &[NaiveDate], as_of: DateTime<Utc>) -> Option<NaiveDate> {
    expiries
        .iter()
        .copied()
        .find(|&d| is_monthly(d) && days_to_expiry(as_of, d) >= MIN_DEFAULT_DAYS)
        .or_else(|| default_expiry(expiries, as_of))
}

/// The `n` strikes nearest `center`, in order.
pub fn strikes_around(strikes: &[f64], center: f64, n: usize) -> Vec<f64> {
    let mut by_distance: Vec<f64> = strikes.to_vec();
    by_distance.sort_by(|a, b| (a - center).abs().total_cmp(&(b - center).abs()));
    by_distance.truncate(n);
    by_distance.sort_by(f64::total_cmp);
    by_distance
}

/// A call-delta band, `0.1..0.9` (or one number `d`, meaning `d..1-d`): a strike is
/// shown when its call's delta (or one plus its put's) lies in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeltaBand {
    pub low: f64,
    pub high: f64,
}

impl std::str::FromStr for DeltaBand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| format!("{x:?} is not a number; expected a band like 0.1..0.9"))
        };
        let (low, high) = match s.split_once("..") {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let d = num(s)?;
                (d.min(1.0 - d), d.max(1.0 - d))
            }
        };
        if !(0.0..=1.0).contains(&low) || !(0.0..=1.0).contains(&high) || low >= high {
            return Err(format!(
                "{s:?}: a call-delta band is two numbers in 0..1, low first, like 0.1..0.9"
            ));
        }
        Ok(DeltaBand { low, high })
    }
}

impl DeltaBand {
    /// Whether the strike of `call` and `put` lies in the band.
    pub fn holds(&self, call: Option<&ContractRow>, put: Option<&ContractRow>) -> bool {
        let delta = call
            .and_then(|c| c.delta)
            .or_else(|| put.and_then(|p| p.delta).map(|d| 1.0 + d));
        delta.is_some_and(|d| d >= self.low && d <= self.high)
    }
}

/// The smile of one expiry: IV by strike from the out-of-the-money side (puts below the
/// forward, calls at and above it, the other side where that one has no IV).
pub fn smile(contracts: &[&ContractRow], forward: f64) -> Vec<(f64, f64)> {
    pairs(contracts)
        .into_iter()
        .filter_map(|(k, c, p)| {
            let (otm, itm) = if k < forward { (p, c) } else { (c, p) };
            let iv = otm.and_then(|x| x.iv).or_else(|| itm.and_then(|x| x.iv))?;
            iv.is_finite().then_some((k, iv))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(
        expiry: NaiveDate,
        strike: f64,
        right: Right,
        bid: f64,
        ask: f64,
        iv: f64,
    ) -> ContractRow {
        ContractRow {
            symbol: format!("T{expiry}{strike}{right}"),
            expiry,
            strike,
            right,
            bid,
            ask,
            last: bid,
            volume: 1,
            open_interest: 10,
            iv: Some(iv),
            delta: Some(match right {
                Right::Call => (1.0 - (strike - 100.0) / 40.0).clamp(0.0, 1.0) - 0.5,
                Right::Put => -0.5,
            }),
            gamma: None,
            theta: None,
            vega: None,
            rho: None,
            model: None,
            vendor_iv: None,
            vendor_delta: None,
            vendor_gamma: None,
            vendor_theo: None,
            gex: None,
        }
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap()
    }

    #[test]
    fn the_default_expiry_skips_the_last_days() {
        let e = [d(11, 23), d(11, 25), d(11, 27), d(12, 18)];
        assert_eq!(default_expiry(&e, now()), Some(d(11, 27)));
        assert_eq!(default_expiry(&e[..2], now()), Some(d(11, 25)));
        assert_eq!(expiry_near_days(&e, now(), 30), Some(d(12, 18)));
        assert_eq!(expiry_near_days(&e, now(), 0), Some(d(11, 23)));
        assert_eq!(nearest_monthly(&e, now()), Some(d(12, 18)));
    }

    #[test]
    fn parity_gives_the_forward_and_the_atm_numbers() {
        let e = d(12, 18);
        // Call − put = forward − strike with forward 101.
        let mut rows = vec![];
        for k in [95.0, 100.0, 105.0] {
            let put = 2.0;
            let call = put + 101.0 - k;
            rows.push(row(
                e,
                k,
                Right::Call,
                call - 0.05,
                call + 0.05,
                0.2 + (100.0 - k) / 100.0,
            ));
            rows.push(row(
                e,
                k,
                Right::Put,
                put - 0.05,
                put + 0.05,
                0.2 + (100.0 - k) / 100.0,
            ));
        }
        let refs: Vec<&ContractRow> = rows.iter().collect();
        assert!((implied_forward(&refs).unwrap() - 101.0).abs() < 1e-9);
        let stats = expiry_stats(now(), 100.0, &rows, &[]);
        assert_eq!(stats[0].forward_method, None);
        // The forward the scan stored wins over the parity estimate.
        let stored = [ExpiryRow {
            expiry: rows[0].expiry,
            t_years: 0.07,
            forward: 100.0,
            carry: 0.0,
            discount: 1.0,
            rate: 0.0,
            method: "box".into(),
            pairs: 6,
        }];
        let on_stored = expiry_stats(now(), 100.0, &rows, &stored);
        assert_eq!(on_stored[0].forward, Some(100.0));
        assert_eq!(on_stored[0].forward_method.as_deref(), Some("box"));
        // IV 0.20 at 100: the ATM IV is read at the stored forward.
        assert!((on_stored[0].atm_iv.unwrap() - 0.2).abs() < 1e-9);
        assert_eq!(stats.len(), 1);
        let s = &stats[0];
        assert_eq!(s.days, 25);
        assert!(s.monthly);
        // IV 0.20 at 100 and 0.15 at 105: 0.19 at the forward 101.
        assert!((s.atm_iv.unwrap() - 0.19).abs() < 1e-9, "{:?}", s.atm_iv);
        // The straddle at strike 100: call 3 + put 2.
        assert!((s.expected_move.unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(s.contracts, 6);
    }

    #[test]
    fn strikes_around_the_money_and_delta_bands() {
        let ks = [90.0, 95.0, 100.0, 105.0, 110.0, 115.0];
        assert_eq!(strikes_around(&ks, 103.0, 3), [100.0, 105.0, 110.0]);
        assert_eq!(strikes_around(&ks, 103.0, 99).len(), 6);
        let band: DeltaBand = "0.25".parse().unwrap();
        assert_eq!(
            band,
            DeltaBand {
                low: 0.25,
                high: 0.75
            }
        );
        assert_eq!(
            "0.1..0.9".parse::<DeltaBand>().unwrap(),
            DeltaBand {
                low: 0.1,
                high: 0.9
            }
        );
        for bad in ["0.9..0.1", "2", "x..0.5", "0.5..0.5"] {
            assert!(bad.parse::<DeltaBand>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_smile_reads_the_out_of_the_money_side() {
        let e = d(12, 18);
        let mut put = row(e, 90.0, Right::Put, 1.0, 1.1, 0.30);
        let call90 = row(e, 90.0, Right::Call, 11.0, 11.2, 0.50);
        put.iv = Some(0.30);
        let call110 = row(e, 110.0, Right::Call, 1.0, 1.1, 0.18);
        let put110 = row(e, 110.0, Right::Put, 10.0, 10.2, 0.60);
        let refs = vec![&put, &call90, &call110, &put110];
        assert_eq!(smile(&refs, 100.0), [(90.0, 0.30), (110.0, 0.18)]);
    }
}
