//! Technical indicators over price series: moving averages, RSI, MACD, ATR, Bollinger bands,
//! realized volatility, 52-week range.
//!
//! Every series function returns a `Vec` as long as its input, aligned with it, holding
//! `f64::NAN` until enough data has been seen (the warm-up). Conventions follow the common
//! references (Wilder for RSI and ATR, TA-Lib's seeding), stated on each function so stored
//! values can be checked by hand. Inputs are assumed finite; `enrich` validates bars first.

use chrono::TimeDelta;

use crate::market::{Bar, Timeframe};

/// Simple moving average of the last `n` values.
pub fn sma(values: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if n == 0 || values.len() < n {
        return out;
    }
    let mut sum: f64 = values[..n].iter().sum();
    out[n - 1] = sum / n as f64;
    for i in n..values.len() {
        sum += values[i] - values[i - n];
        out[i] = sum / n as f64;
    }
    out
}

/// Exponential moving average with `alpha = 2 / (n + 1)`, seeded at index `n - 1` with the
/// simple average of the first `n` values.
pub fn ema(values: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if n == 0 || values.len() < n {
        return out;
    }
    let alpha = 2.0 / (n as f64 + 1.0);
    let mut prev = values[..n].iter().sum::<f64>() / n as f64;
    out[n - 1] = prev;
    for i in n..values.len() {
        prev += alpha * (values[i] - prev);
        out[i] = prev;
    }
    out
}

/// Wilder's smoothing of `x[first..]`: the plain mean of the first `n` values, then
/// `avg = (avg * (n - 1) + x) / n`. Returns `(index of the first average, averages)`.
fn wilder(x: &[f64], first: usize, n: usize, mut each: impl FnMut(usize, f64)) {
    if n == 0 || x.len() < first + n {
        return;
    }
    let mut avg = x[first..first + n].iter().sum::<f64>() / n as f64;
    each(first + n - 1, avg);
    for (i, v) in x.iter().enumerate().skip(first + n) {
        avg = (avg * (n - 1) as f64 + v) / n as f64;
        each(i, avg);
    }
}

/// Relative strength index (Wilder): average gain and loss of the close-to-close changes,
/// seeded with the plain mean of the first `n` changes (so the first value is at index
/// `n`), then Wilder-smoothed. 100 when there were no losses, 50 when nothing moved.
pub fn rsi(closes: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; closes.len()];
    if closes.len() < 2 {
        return out;
    }
    let mut gains = vec![0.0; closes.len()];
    let mut losses = vec![0.0; closes.len()];
    for i in 1..closes.len() {
        let d = closes[i] - closes[i - 1];
        gains[i] = d.max(0.0);
        losses[i] = (-d).max(0.0);
    }
    let mut avg_gain = vec![f64::NAN; closes.len()];
    wilder(&gains, 1, n, |i, g| avg_gain[i] = g);
    wilder(&losses, 1, n, |i, l| {
        let g = avg_gain[i];
        out[i] = match (g > 0.0, l > 0.0) {
            (_, true) => 100.0 - 100.0 / (1.0 + g / l),
            (true, false) => 100.0,
            (false, false) => 50.0,
        };
    });
    out
}

/// MACD line, its signal line and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Macd {
    pub macd: Vec<f64>,
    pub signal: Vec<f64>,
    pub histogram: Vec<f64>,
}

/// MACD: `ema(fast) - ema(slow)`; the signal is the `signal`-period EMA of the MACD line
/// from its first value on (seeded like [`ema`]); the histogram is MACD minus signal.
pub fn macd(closes: &[f64], fast: usize, slow: usize, signal: usize) -> Macd {
    let (f, s) = (ema(closes, fast), ema(closes, slow));
    let line: Vec<f64> = f.iter().zip(&s).map(|(a, b)| a - b).collect();
    let mut sig = vec![f64::NAN; closes.len()];
    if let Some(start) = line.iter().position(|v| !v.is_nan()) {
        for (i, v) in ema(&line[start..], signal).into_iter().enumerate() {
            sig[start + i] = v;
        }
    }
    let histogram = line.iter().zip(&sig).map(|(m, s)| m - s).collect();
    Macd {
        macd: line,
        signal: sig,
        histogram,
    }
}

/// Average true range (Wilder). The true range of bar `i >= 1` is the largest of high - low,
/// |high - previous close| and |low - previous close|; the first ATR, at index `n`, is the
/// mean of the true ranges of bars `1..=n`, then Wilder-smoothed.
pub fn atr(bars: &[Bar], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; bars.len()];
    let mut tr = vec![0.0; bars.len()];
    for i in 1..bars.len() {
        let (b, pc) = (&bars[i], bars[i - 1].close);
        tr[i] = (b.high - b.low)
            .max((b.high - pc).abs())
            .max((b.low - pc).abs());
    }
    wilder(&tr, 1, n, |i, v| out[i] = v);
    out
}

/// Bollinger bands: the middle band and the bands `k` standard deviations either side.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    pub middle: Vec<f64>,
    pub upper: Vec<f64>,
    pub lower: Vec<f64>,
}

/// Bollinger bands: `n`-period SMA, plus and minus `k` population standard deviations of
/// the same window.
pub fn bollinger(closes: &[f64], n: usize, k: f64) -> Bands {
    let middle = sma(closes, n);
    let mut upper = vec![f64::NAN; closes.len()];
    let mut lower = vec![f64::NAN; closes.len()];
    for i in (n.max(1) - 1)..closes.len() {
        if middle[i].is_nan() {
            continue;
        }
        let m = middle[i];
        let var = closes[i + 1 - n..=i]
            .iter()
            .map(|c| (c - m).powi(2))
            .sum::<f64>()
            / n as f64;
        upper[i] = m + k * var.sqrt();
        lower[i] = m - k * var.sqrt();
    }
    Bands {
        middle,
        upper,
        lower,
    }
}

/// Realized volatility: the sample standard deviation of the last `n` log returns,
/// annualised by `sqrt(bars_per_year)`. The first value is at index `n`.
pub fn realized_vol(closes: &[f64], n: usize, bars_per_year: f64) -> Vec<f64> {
    let mut out = vec![f64::NAN; closes.len()];
    if n < 2 || closes.len() <= n {
        return out;
    }
    let rets: Vec<f64> = closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    for i in n..closes.len() {
        let window = &rets[i - n..i]; // returns ending at close i
        let mean = window.iter().sum::<f64>() / n as f64;
        let var = window.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        out[i] = (var * bars_per_year).sqrt();
    }
    out
}

/// The snapshot is a market-domain value (stored by `enrich`, reported by `serve`); it
/// lives in `market`, this module computes it.
pub use crate::market::IndicatorSnapshot as Snapshot;

fn last(series: &[f64]) -> Option<f64> {
    series.last().copied().filter(|v| v.is_finite())
}

/// The standard set at the last of `bars` (oldest first), or `None` for no bars.
pub fn latest(bars: &[Bar], timeframe: Timeframe) -> Option<Snapshot> {
    let end = bars.last()?;
    let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
    let m = macd(&closes, 12, 26, 9);
    let bb = bollinger(&closes, 20, 2.0);
    let since = end.time - TimeDelta::days(365);
    let year = bars.iter().filter(|b| b.time > since);
    Some(Snapshot {
        time: end.time,
        close: end.close,
        sma_20: last(&sma(&closes, 20)),
        sma_50: last(&sma(&closes, 50)),
        sma_200: last(&sma(&closes, 200)),
        ema_12: last(&ema(&closes, 12)),
        ema_26: last(&ema(&closes, 26)),
        rsi_14: last(&rsi(&closes, 14)),
        macd: last(&m.macd),
        macd_signal: last(&m.signal),
        macd_histogram: last(&m.histogram),
        atr_14: last(&atr(bars, 14)),
        bb_middle: last(&bb.middle),
        bb_upper: last(&bb.upper),
        bb_lower: last(&bb.lower),
        rv_20: last(&realized_vol(&closes, 20, timeframe.bars_per_year())),
        rv_60: last(&realized_vol(&closes, 60, timeframe.bars_per_year())),
        high_52w: year.clone().map(|b| b.high).reduce(f64::max),
        low_52w: year.map(|b| b.low).reduce(f64::min),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    fn assert_series(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g.is_nan() && w.is_nan()) || close(*g, *w),
                "index {i}: got {g}, want {w}\n{got:?}"
            );
        }
    }

    const N: f64 = f64::NAN;

    fn day(i: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 14, 30, 0).unwrap() + TimeDelta::days(i)
    }

    fn bar(i: i64, h: f64, l: f64, c: f64) -> Bar {
        Bar {
            time: day(i),
            open: c,
            high: h,
            low: l,
            close: c,
            volume: 100,
            open_interest: None,
        }
    }

    #[test]
    fn sma_by_hand() {
        assert_series(&sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3), &[N, N, 2.0, 3.0, 4.0]);
        assert_series(&sma(&[1.0, 2.0], 3), &[N, N]);
        assert_series(&sma(&[], 3), &[]);
        assert_series(&sma(&[7.0], 0), &[N]);
    }

    #[test]
    fn ema_by_hand() {
        // alpha = 0.5; seed (1+2+3)/3 = 2; then 2 + .5(4-2) = 3; 3 + .5(11-3) = 7.
        assert_series(&ema(&[1.0, 2.0, 3.0, 4.0, 11.0], 3), &[N, N, 2.0, 3.0, 7.0]);
    }

    #[test]
    fn rsi_by_hand() {
        // Changes: +1, -2, +3, +1, -1. n = 2.
        // Seed at index 2: gain (1+0)/2 = .5, loss (0+2)/2 = 1 -> RS .5 -> 33.333...
        // Index 3: gain (.5*1+3)/2 = 1.75, loss (1*1+0)/2 = .5 -> RS 3.5 -> 77.777...
        // Index 4: gain (1.75+1)/2 = 1.375, loss .25 -> RS 5.5 -> 84.615...
        // Index 5: gain .6875, loss (.25+1)/2 = .625 -> RS 1.1 -> 52.380952...
        let c = [10.0, 11.0, 9.0, 12.0, 13.0, 12.0];
        assert_series(
            &rsi(&c, 2),
            &[
                N,
                N,
                100.0 / 3.0,
                100.0 - 100.0 / 4.5,
                100.0 - 100.0 / 6.5,
                100.0 - 100.0 / 2.1,
            ],
        );
        assert_series(&rsi(&[1.0, 2.0, 3.0], 2), &[N, N, 100.0]);
        assert_series(&rsi(&[5.0, 5.0, 5.0], 2), &[N, N, 50.0]);
        assert_series(&rsi(&[5.0], 2), &[N]);
    }

    #[test]
    fn macd_by_hand() {
        // fast 2 (alpha 2/3), slow 3 (alpha 1/2), signal 2 (alpha 2/3).
        let c = [1.0, 2.0, 3.0, 4.0, 11.0];
        // ema2: [N, 1.5, 2.5, 3.5, 8.5] (3.5 + 2/3 * 7.5); ema3: [N, N, 2, 3, 7].
        // macd: [N, N, .5, .5, 1.5]; signal seeds at index 3 with (.5+.5)/2 = .5, then
        // .5 + 2/3 (1.5 - .5) = 7/6; histogram 1.5 - 7/6 = 1/3.
        let m = macd(&c, 2, 3, 2);
        assert_series(&m.macd, &[N, N, 0.5, 0.5, 1.5]);
        assert_series(&m.signal, &[N, N, N, 0.5, 7.0 / 6.0]);
        assert_series(&m.histogram, &[N, N, N, 0.0, 1.0 / 3.0]);
    }

    #[test]
    fn atr_by_hand() {
        let bars = [
            bar(0, 10.0, 8.0, 9.0),
            bar(1, 11.0, 9.0, 10.0),  // TR max(2, 2, 0) = 2
            bar(2, 10.5, 9.5, 10.0),  // TR max(1, .5, .5) = 1
            bar(3, 14.0, 11.0, 13.0), // gap up: TR max(3, 4, 1) = 4
            bar(4, 13.0, 12.0, 12.5), // TR max(1, 0, 1) = 1
        ];
        // n = 2: first at index 2 = (2+1)/2 = 1.5; then (1.5+4)/2 = 2.75; (2.75+1)/2 = 1.875.
        assert_series(&atr(&bars, 2), &[N, N, 1.5, 2.75, 1.875]);
    }

    #[test]
    fn bollinger_by_hand() {
        // Window [2, 4, 6]: mean 4, population variance 8/3.
        let b = bollinger(&[2.0, 4.0, 6.0, 8.0], 3, 2.0);
        let sd = (8.0f64 / 3.0).sqrt();
        assert_series(&b.middle, &[N, N, 4.0, 6.0]);
        assert_series(&b.upper, &[N, N, 4.0 + 2.0 * sd, 6.0 + 2.0 * sd]);
        assert_series(&b.lower, &[N, N, 4.0 - 2.0 * sd, 6.0 - 2.0 * sd]);
    }

    #[test]
    fn realized_vol_by_hand() {
        // Log returns ln 2, 0, ln 2: mean 2/3 ln 2, sample variance over n - 1 = 2:
        // ((1/3)^2 + (2/3)^2 + (1/3)^2) ln2^2 / 2 = ln2^2 / 3.
        let c = [1.0, 2.0, 2.0, 4.0];
        let want = (2f64.ln().powi(2) / 3.0 * 252.0).sqrt();
        assert_series(&realized_vol(&c, 3, 252.0), &[N, N, N, want]);
        // A steady exponential path has zero realized vol.
        let steady: Vec<f64> = (0..30).map(|i| 1.01f64.powi(i)).collect();
        assert!(realized_vol(&steady, 20, 252.0)[29].abs() < 1e-9);
    }

    #[test]
    fn latest_reports_what_the_history_allows() {
        let bars: Vec<Bar> = (0..400)
            .map(|i| {
                let c = 100.0 + (i as f64 / 7.0).sin() * 5.0 + i as f64 * 0.05;
                bar(i, c + 1.0, c - 1.0, c)
            })
            .collect();
        let s = latest(&bars, Timeframe::D1).unwrap();
        let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
        assert_eq!(s.close, closes[399]);
        assert!(close(
            s.sma_200.unwrap(),
            closes[200..].iter().sum::<f64>() / 200.0
        ));
        // 52 weeks: bars 35..=399 opened within 365 days of bar 399.
        let want_high = bars[35..].iter().map(|b| b.high).fold(f64::MIN, f64::max);
        assert_eq!(s.high_52w, Some(want_high));
        for v in [
            s.rsi_14,
            s.atr_14,
            s.rv_20,
            s.rv_60,
            s.macd_signal,
            s.bb_upper,
        ] {
            assert!(v.is_some_and(f64::is_finite));
        }
        // Thirty bars: no SMA 50/200, no RV 60, but RSI, MACD line and 52-week range.
        let short = latest(&bars[..30], Timeframe::D1).unwrap();
        assert_eq!(
            (short.sma_50, short.sma_200, short.rv_60),
            (None, None, None)
        );
        assert!(short.rsi_14.is_some() && short.macd.is_some() && short.macd_signal.is_none());
        assert!(short.high_52w.is_some());
        assert!(latest(&[], Timeframe::D1).is_none());
    }
}
