//! The per-stock math: change against the previous close, OI change against the
//! previous day, volume ratio, day-range position, and the buildup class
//! (the public buildup classifier). Pure functions; reading is in `excel::workbook`.

pub use crate::market::{Buildup, Metrics};

/// Noise thresholds, in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A price move must exceed this (percent of the previous close) to count.
    pub price_pct: f64,
    /// An OI move must exceed this (percent of the previous day's OI) to count.
    pub oi_pct: f64,
}

impl Default for Thresholds {
    /// The public classifier's noise thresholds: 0.1% price, 0.5% OI.
    fn default() -> Self {
        Thresholds {
            price_pct: 0.1,
            oi_pct: 0.5,
        }
    }
}

/// Classifies one stock. Both moves must be strictly outside their thresholds,
/// otherwise the move is noise and the class is neutral.
pub fn classify(price_change_pct: f64, oi_change_pct: f64, t: &Thresholds) -> Buildup {
    if price_change_pct.abs() <= t.price_pct || oi_change_pct.abs() <= t.oi_pct {
        return Buildup::Neutral;
    }
    match (price_change_pct > 0.0, oi_change_pct > 0.0) {
        (true, true) => Buildup::LongBuildup,
        (false, true) => Buildup::ShortBuildup,
        (true, false) => Buildup::ShortCovering,
        (false, false) => Buildup::LongUnwinding,
    }
}

/// What the metrics are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Inputs {
    /// Last traded price, rupees.
    pub ltp: f64,
    /// Previous session's close, rupees.
    pub prev_close: Option<f64>,
    /// Open interest now, contracts.
    pub oi: i64,
    /// Open interest at the previous session's close, contracts.
    pub prev_oi: Option<i64>,
    /// Traded today.
    pub volume: Option<i64>,
    /// Average daily volume over the lookback days.
    pub avg_volume: Option<f64>,
    /// Today's high and low, rupees.
    pub high: Option<f64>,
    pub low: Option<f64>,
}

/// Computes every metric of one stock.
pub fn metrics(i: &Inputs, t: &Thresholds) -> Metrics {
    let prev_close = i.prev_close.filter(|p| *p > 0.0);
    let change = prev_close.map(|p| i.ltp - p);
    let change_pct = prev_close.map(|p| (i.ltp - p) / p * 100.0);
    let prev_oi = i.prev_oi.filter(|p| *p > 0);
    let oi_change = i.prev_oi.map(|p| i.oi - p);
    let oi_change_pct = prev_oi.map(|p| (i.oi - p) as f64 / p as f64 * 100.0);
    let volume_ratio = match (i.volume, i.avg_volume) {
        (Some(v), Some(avg)) if avg > 0.0 => Some(v as f64 / avg),
        _ => None,
    };
    let range_position = match (i.high, i.low) {
        // A stale high/low can leave the LTP just outside: clamp to the range.
        (Some(h), Some(l)) if h > l => Some(((i.ltp - l) / (h - l)).clamp(0.0, 1.0)),
        _ => None,
    };
    let buildup = match (change_pct, oi_change_pct) {
        (Some(p), Some(o)) => Some(classify(p, o, t)),
        _ => None,
    };
    Metrics {
        change,
        change_pct,
        oi_change,
        oi_change_pct,
        volume_ratio,
        range_position,
        buildup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(ltp: f64, oi: i64) -> Option<Buildup> {
        let i = Inputs {
            ltp,
            prev_close: Some(100.0),
            oi,
            prev_oi: Some(10_000),
            ..Inputs::default()
        };
        metrics(&i, &Thresholds::default()).buildup
    }

    #[test]
    fn each_quadrant() {
        assert_eq!(class(101.0, 10_100), Some(Buildup::LongBuildup));
        assert_eq!(class(99.0, 10_100), Some(Buildup::ShortBuildup));
        assert_eq!(class(101.0, 9_900), Some(Buildup::ShortCovering));
        assert_eq!(class(99.0, 9_900), Some(Buildup::LongUnwinding));
    }

    #[test]
    fn inside_the_thresholds_is_neutral() {
        // 0.1% price and 0.5% OI are noise; just beyond is not.
        assert_eq!(class(100.1, 10_100), Some(Buildup::Neutral));
        assert_eq!(class(100.11, 10_100), Some(Buildup::LongBuildup));
        assert_eq!(class(101.0, 10_050), Some(Buildup::Neutral));
        assert_eq!(class(101.0, 10_051), Some(Buildup::LongBuildup));
        assert_eq!(class(100.0, 10_000), Some(Buildup::Neutral));
        // Threshold 0 classifies on sign alone.
        let zero = Thresholds {
            price_pct: 0.0,
            oi_pct: 0.0,
        };
        assert_eq!(classify(0.01, -0.01, &zero), Buildup::ShortCovering);
        assert_eq!(classify(0.0, 5.0, &zero), Buildup::Neutral);
    }

    #[test]
    fn metrics_and_missing_inputs() {
        let m = metrics(
            &Inputs {
                ltp: 102.0,
                prev_close: Some(100.0),
                oi: 12_000,
                prev_oi: Some(10_000),
                volume: Some(300),
                avg_volume: Some(200.0),
                high: Some(104.0),
                low: Some(99.0),
            },
            &Thresholds::default(),
        );
        assert_eq!(m.change, Some(2.0));
        assert_eq!(m.change_pct, Some(2.0));
        assert_eq!(m.oi_change, Some(2000));
        assert_eq!(m.oi_change_pct, Some(20.0));
        assert_eq!(m.volume_ratio, Some(1.5));
        assert_eq!(m.range_position, Some(0.6));
        let none = metrics(
            &Inputs {
                ltp: 50.0,
                prev_close: Some(0.0),
                oi: 10,
                prev_oi: None,
                avg_volume: Some(0.0),
                volume: Some(5),
                high: Some(50.0),
                low: Some(50.0),
            },
            &Thresholds::default(),
        );
        assert_eq!(none, Metrics::default());
    }

    #[test]
    fn names_round_trip() {
        for b in Buildup::ALL {
            assert_eq!(b.as_str().parse::<Buildup>(), Ok(b));
        }
        assert_eq!("Long Buildup".parse(), Ok(Buildup::LongBuildup));
        assert_eq!("short-covering".parse(), Ok(Buildup::ShortCovering));
        assert!(
            "up".parse::<Buildup>()
                .unwrap_err()
                .contains("long_buildup")
        );
    }
}
