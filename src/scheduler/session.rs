//! Intraday session helpers the strategies share: where the latest session starts,
//! VWAP, the opening range, trailing average volume. Pure functions over bars; the
//! standard indicators (EMA, RSI, ATR, SMA) are in `quant::indicators`.
//!
//! Sessions are found from the bars themselves, with no calendar: a gap longer than one
//! bar between two consecutive bars starts a new session. That holds for any source
//! whose intraday bars are contiguous within a session (New York, NSE, ...).

use chrono::TimeDelta;

use crate::market::Bar;

/// Index of the first bar of the session bar `i` belongs to.
pub fn session_start(bars: &[Bar], bar_len: TimeDelta, i: usize) -> usize {
    let mut s = i.min(bars.len().saturating_sub(1));
    while s > 0 && bars[s].time - bars[s - 1].time <= bar_len {
        s -= 1;
    }
    s
}

/// Index of the first bar of the latest session (0 for no bars).
pub fn latest_session(bars: &[Bar], bar_len: TimeDelta) -> usize {
    if bars.is_empty() {
        return 0;
    }
    session_start(bars, bar_len, bars.len() - 1)
}

/// Volume-weighted average price of each bar's session up to and including the bar,
/// on the typical price `(high + low + close) / 3`. Resets at every session start; NaN
/// while the session has traded no volume.
pub fn vwap(bars: &[Bar], bar_len: TimeDelta) -> Vec<f64> {
    let mut out = Vec::with_capacity(bars.len());
    let (mut pv, mut vol) = (0.0, 0.0);
    for (i, b) in bars.iter().enumerate() {
        if i == 0 || b.time - bars[i - 1].time > bar_len {
            pv = 0.0;
            vol = 0.0;
        }
        let v = b.volume as f64;
        pv += (b.high + b.low + b.close) / 3.0 * v;
        vol += v;
        out.push(if vol > 0.0 { pv / vol } else { f64::NAN });
    }
    out
}

/// The opening range of the session starting at `start`: the high and low of its bars
/// that open within `minutes` of the first, and the index of the first bar after it.
/// None when the session has not yet traded the whole range.
pub fn opening_range(bars: &[Bar], start: usize, minutes: i64) -> Option<(f64, f64, usize)> {
    let first = bars.get(start)?.time;
    let end_time = first + TimeDelta::minutes(minutes);
    let end = start
        + bars[start..]
            .iter()
            .take_while(|b| b.time < end_time)
            .count();
    // The range is complete only once a bar after it exists.
    if end >= bars.len() {
        return None;
    }
    let range = &bars[start..end];
    let high = range
        .iter()
        .map(|b| b.high)
        .fold(f64::NEG_INFINITY, f64::max);
    let low = range.iter().map(|b| b.low).fold(f64::INFINITY, f64::min);
    Some((high, low, end))
}

/// The mean volume of the `n` bars before bar `i` (NaN with fewer than `n`).
pub fn average_volume_before(bars: &[Bar], i: usize, n: usize) -> f64 {
    if n == 0 || i < n {
        return f64::NAN;
    }
    bars[i - n..i].iter().map(|b| b.volume as f64).sum::<f64>() / n as f64
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    /// A bar at `t` with the given close, a 1-wide range around it and `volume`.
    pub(crate) fn bar(t: DateTime<Utc>, close: f64, volume: u64) -> Bar {
        Bar {
            time: t,
            open: close,
            high: close + 0.5,
            low: close - 0.5,
            close,
            volume,
            open_interest: None,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn sessions_split_at_gaps_and_vwap_resets() {
        let five = TimeDelta::minutes(5);
        let bars = vec![
            bar(t("2026-11-20T20:50:00Z"), 10.0, 100),
            bar(t("2026-11-20T20:55:00Z"), 12.0, 300),
            bar(t("2026-11-23T14:30:00Z"), 20.0, 100),
            bar(t("2026-11-23T14:35:00Z"), 22.0, 100),
        ];
        assert_eq!(latest_session(&bars, five), 2);
        assert_eq!(session_start(&bars, five, 1), 0);
        let v = vwap(&bars, five);
        assert_eq!(v[0], 10.0);
        assert_eq!(v[1], (10.0 * 100.0 + 12.0 * 300.0) / 400.0);
        assert_eq!(v[2], 20.0, "VWAP restarts with the session");
        assert_eq!(v[3], 21.0);
        assert!(latest_session(&[], five) == 0);
    }

    #[test]
    fn opening_range_needs_the_whole_range_traded() {
        let open = t("2026-11-23T14:30:00Z");
        let mut bars: Vec<Bar> = (0..3)
            .map(|k| bar(open + TimeDelta::minutes(5 * k), 100.0 + k as f64, 10))
            .collect();
        assert_eq!(
            opening_range(&bars, 0, 15),
            None,
            "no bar after the range yet"
        );
        bars.push(bar(open + TimeDelta::minutes(15), 90.0, 10));
        assert_eq!(opening_range(&bars, 0, 15), Some((102.5, 99.5, 3)));
        assert_eq!(average_volume_before(&bars, 3, 3), 10.0);
        assert!(average_volume_before(&bars, 2, 3).is_nan());
    }
}
