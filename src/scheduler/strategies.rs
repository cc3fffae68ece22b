//! The rules of each category, as pure functions of one symbol's bars.
//!
//! - day_trading (5-minute bars, daily ATR): `opening_range_breakout` (the first close
//!   beyond the opening range on volume, when the range is narrow against the daily
//!   ATR) and `vwap_cross` (a close crossing the session VWAP on volume).
//! - short_selling (5-minute bars, prior day from the daily bars):
//!   `prior_day_low_breakdown` (the first close below the prior day's low under a falling
//!   EMA with RSI below 40) and `ema_rejection` (a fresh touch of the falling EMA from
//!   below that closes back under it and under VWAP, RSI below 50).
//! - short_term (daily bars): `sma_cross` (20/50 SMA crossover) and `rsi_pullback` (RSI
//!   rising back through 40 while the 20-SMA is above the 50-SMA and price above both).
//!
//! Intraday rules report every setup of the latest session (so a tick that was skipped
//! loses nothing: storage keeps each setup once); daily rules look at the last closed bar.
//! Both schedulers call [`analyse`], so on the same bars they find the same signals.

use super::config::{CategoriesConfig, DayTradingConfig, ShortSellingConfig, ShortTermConfig};
use super::session::{average_volume_before, latest_session, opening_range, vwap};
use super::{Category, Direction, Signal};
use crate::market::{Bar, Timeframe};
use crate::quant::indicators::{atr, ema, rsi, sma};

/// Every strategy a signal can name, by category (what `[notify.channels.*] strategies`
/// may list).
pub const NAMES: &[&str] = &[
    "opening_range_breakout",
    "vwap_cross",
    "prior_day_low_breakdown",
    "ema_rejection",
    "sma_cross",
    "rsi_pullback",
];

/// Bars averaged for the volume confirmation of intraday rules.
const VOLUME_LOOKBACK: usize = 20;
/// Bars over which an EMA must have fallen to count as falling.
const FALLING_OVER: usize = 3;
/// Daily ATR period of the opening-range filter.
const ATR_PERIOD: usize = 14;

/// One symbol's bars per timeframe, oldest first (empty when not fetched).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bars<'a> {
    pub m5: &'a [Bar],
    pub d1: &'a [Bar],
}

impl<'a> Bars<'a> {
    /// Sets the series of `tf` (1m and 1h are read by no rule and ignored).
    pub fn set(&mut self, tf: Timeframe, bars: &'a [Bar]) {
        match tf {
            Timeframe::M5 => self.m5 = bars,
            Timeframe::D1 => self.d1 = bars,
            Timeframe::M1 | Timeframe::H1 => {}
        }
    }
}

/// The signals of `category` for `symbol`, sorted by bar time, then strategy, then
/// direction. Bars with a non-finite price are dropped first: one bad bar must not turn
/// every indicator after it into NaN.
pub fn analyse(
    category: Category,
    symbol: &str,
    bars: Bars<'_>,
    cfg: &CategoriesConfig,
) -> Vec<Signal> {
    let m5 = finite(bars.m5);
    let d1 = finite(bars.d1);
    let mut out = match category {
        Category::DayTrading => day_trading(symbol, &m5, &d1, &cfg.day_trading),
        Category::ShortSelling => short_selling(symbol, &m5, &d1, &cfg.short_selling),
        Category::ShortTerm => short_term(symbol, &d1, &cfg.short_term),
    };
    out.sort_by(|a, b| {
        (a.bar_time, &a.strategy, a.direction).cmp(&(b.bar_time, &b.strategy, b.direction))
    });
    out
}

fn finite(bars: &[Bar]) -> Vec<Bar> {
    bars.iter()
        .filter(|b| {
            [b.open, b.high, b.low, b.close]
                .iter()
                .all(|v| v.is_finite())
        })
        .copied()
        .collect()
}

/// Maps "how far past the thresholds" (0 = exactly at them) onto 0-100, rounded to 0.01.
fn strength(x: f64) -> f64 {
    let s = 100.0 * (1.0 - (-(1.0 + x.max(0.0))).exp());
    (s * 100.0).round() / 100.0
}

struct Emit<'a> {
    symbol: &'a str,
    category: Category,
    timeframe: Timeframe,
    out: Vec<Signal>,
}

impl<'a> Emit<'a> {
    fn new(symbol: &'a str, category: Category, timeframe: Timeframe) -> Self {
        Emit {
            symbol,
            category,
            timeframe,
            out: Vec::new(),
        }
    }

    fn push(&mut self, strategy: &str, direction: Direction, bar: &Bar, x: f64) {
        debug_assert!(
            NAMES.contains(&strategy),
            "{strategy} is missing from NAMES"
        );
        self.out.push(Signal {
            symbol: self.symbol.to_string(),
            category: self.category,
            strategy: strategy.to_string(),
            direction,
            price: bar.close,
            strength: strength(x),
            bar_time: bar.time,
            timeframe: self.timeframe,
        });
    }
}

fn closes(bars: &[Bar]) -> Vec<f64> {
    bars.iter().map(|b| b.close).collect()
}

/// Where the latest session of 5-minute bars starts, and the VWAP of every bar; None
/// with fewer than two bars (no rule can compare a bar with the one before).
fn intraday(m5: &[Bar]) -> Option<(usize, Vec<f64>)> {
    if m5.len() < 2 {
        return None;
    }
    let five = Timeframe::M5.duration();
    Some((latest_session(m5, five), vwap(m5, five)))
}

fn day_trading(symbol: &str, m5: &[Bar], d1: &[Bar], cfg: &DayTradingConfig) -> Vec<Signal> {
    let mut emit = Emit::new(symbol, Category::DayTrading, Timeframe::M5);
    let Some((start, vw)) = intraday(m5) else {
        return emit.out;
    };
    // Confirmed volume: at least `volume_factor` times the average (None while the
    // average is unknown).
    let volume_ratio = |i: usize| {
        let r = m5[i].volume as f64 / average_volume_before(m5, i, VOLUME_LOOKBACK);
        (r >= cfg.volume_factor).then_some(r)
    };

    // Opening-range breakout, filtered by the ATR of the sessions before this one.
    let prior: Vec<Bar> = d1
        .iter()
        .filter(|b| b.time < m5[start].time)
        .copied()
        .collect();
    let daily_atr = atr(&prior, ATR_PERIOD).last().copied().unwrap_or(f64::NAN);
    if let Some((high, low, end)) = opening_range(m5, start, i64::from(cfg.opening_range_minutes)) {
        let width = high - low;
        if daily_atr.is_finite() && width > 0.0 && width <= cfg.max_range_atr * daily_atr {
            let (mut long_done, mut short_done) = (false, false);
            for i in end..m5.len() {
                let (prev, bar) = (m5[i - 1].close, &m5[i]);
                let Some(ratio) = volume_ratio(i) else {
                    continue;
                };
                let over = ratio / cfg.volume_factor - 1.0;
                if !long_done && bar.close > high && prev <= high {
                    long_done = true;
                    let x = over + (bar.close - high) / width;
                    emit.push("opening_range_breakout", Direction::Long, bar, x);
                }
                if !short_done && bar.close < low && prev >= low {
                    short_done = true;
                    let x = over + (low - bar.close) / width;
                    emit.push("opening_range_breakout", Direction::Short, bar, x);
                }
            }
        }
    }

    // VWAP crosses within the session, confirmed by volume.
    for i in (start + 1)..m5.len() {
        let (a, b) = (m5[i - 1].close - vw[i - 1], m5[i].close - vw[i]);
        let Some(ratio) = volume_ratio(i) else {
            continue;
        };
        if a.is_nan() || b.is_nan() {
            continue;
        }
        let x = ratio / cfg.volume_factor - 1.0;
        if a <= 0.0 && b > 0.0 {
            emit.push("vwap_cross", Direction::Long, &m5[i], x);
        } else if a >= 0.0 && b < 0.0 {
            emit.push("vwap_cross", Direction::Short, &m5[i], x);
        }
    }
    emit.out
}

fn short_selling(symbol: &str, m5: &[Bar], d1: &[Bar], cfg: &ShortSellingConfig) -> Vec<Signal> {
    let mut emit = Emit::new(symbol, Category::ShortSelling, Timeframe::M5);
    let Some((start, vw)) = intraday(m5) else {
        return emit.out;
    };
    let c = closes(m5);
    let e = ema(&c, cfg.ema_period);
    let r = rsi(&c, cfg.rsi_period);
    let falling = |i: usize| i >= FALLING_OVER && e[i] < e[i - FALLING_OVER];
    let prior_low = d1.iter().rfind(|b| b.time < m5[start].time).map(|b| b.low);

    let mut broke_down = false;
    for i in (start + 1)..m5.len() {
        let (bar, prev) = (&m5[i], &m5[i - 1]);
        // NaN (warm-up) fails every comparison below, so no rule fires on it.
        if !(falling(i) && bar.close < e[i]) {
            continue;
        }
        if let Some(low) = prior_low
            && !broke_down
            && bar.close < low
            && prev.close >= low
            && r[i] < cfg.breakdown_rsi_max
        {
            broke_down = true;
            let x = (cfg.breakdown_rsi_max - r[i]) / 10.0 + (low - bar.close) / low * 100.0;
            emit.push("prior_day_low_breakdown", Direction::Short, bar, x);
        }
        if bar.high >= e[i]
            && prev.high < e[i - 1]
            && bar.close < vw[i]
            && r[i] < cfg.rejection_rsi_max
        {
            let x = (cfg.rejection_rsi_max - r[i]) / 10.0;
            emit.push("ema_rejection", Direction::Short, bar, x);
        }
    }
    emit.out
}

fn short_term(symbol: &str, d1: &[Bar], cfg: &ShortTermConfig) -> Vec<Signal> {
    let mut emit = Emit::new(symbol, Category::ShortTerm, Timeframe::D1);
    if d1.len() < 2 {
        return emit.out;
    }
    let c = closes(d1);
    let (fast, slow) = (sma(&c, cfg.fast_sma), sma(&c, cfg.slow_sma));
    let r = rsi(&c, cfg.rsi_period);
    let i = d1.len() - 1;
    let bar = &d1[i];
    let gap = (fast[i] - slow[i]) / slow[i] * 100.0;
    if fast[i - 1] <= slow[i - 1] && fast[i] > slow[i] {
        emit.push("sma_cross", Direction::Long, bar, gap.abs());
    } else if fast[i - 1] >= slow[i - 1] && fast[i] < slow[i] {
        emit.push("sma_cross", Direction::Short, bar, gap.abs());
    }
    if fast[i] > slow[i]
        && bar.close > slow[i]
        && r[i - 1] < cfg.pullback_rsi
        && r[i] >= cfg.pullback_rsi
    {
        emit.push(
            "rsi_pullback",
            Direction::Long,
            bar,
            (r[i] - cfg.pullback_rsi) / 10.0,
        );
    }
    emit.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::session::tests::bar;
    use chrono::{DateTime, TimeDelta, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn cfg() -> CategoriesConfig {
        CategoriesConfig::default()
    }

    /// Daily bars with closes `closes`, a 2-wide range, at 14:30 UTC on consecutive days.
    fn daily(closes: &[f64]) -> Vec<Bar> {
        let first = t("2026-06-01T14:30:00Z");
        closes
            .iter()
            .enumerate()
            .map(|(k, &c)| Bar {
                time: first + TimeDelta::days(k as i64),
                open: c,
                high: c + 1.0,
                low: c - 1.0,
                close: c,
                volume: 1000,
                open_interest: None,
            })
            .collect()
    }

    /// A previous session of 30 flat bars at `level`, then today's bars from `today`.
    fn intraday(level: f64, today: &[(f64, u64)]) -> Vec<Bar> {
        let prev_open = t("2026-11-20T14:30:00Z");
        let open = t("2026-11-23T14:30:00Z");
        let mut bars: Vec<Bar> = (0..30)
            .map(|k| bar(prev_open + TimeDelta::minutes(5 * k), level, 100))
            .collect();
        for (k, &(c, v)) in today.iter().enumerate() {
            bars.push(bar(open + TimeDelta::minutes(5 * k as i64), c, v));
        }
        bars
    }

    #[test]
    fn opening_range_breakout_on_volume_once_per_direction() {
        // Range 99.5..100.5 over three bars, then a close at 101 on 3x volume, another
        // close above (not a new breakout), back inside, and above again.
        let today = [
            (100.0, 100),
            (100.0, 100),
            (100.0, 100),
            (101.0, 300),
            (101.5, 300),
            (100.0, 100),
            (101.2, 300),
        ];
        let m5 = intraday(100.0, &today);
        // Daily closes alternating 100 / 103: a daily ATR near 4, so the 1-wide range
        // is narrow (at most 0.5 ATR).
        let alternating: Vec<f64> = (0..20).map(|k| 100.0 + (k % 2) as f64 * 3.0).collect();
        let d1 = daily(&alternating);
        let s = analyse(
            Category::DayTrading,
            "TCS",
            Bars { m5: &m5, d1: &d1 },
            &cfg(),
        );
        let orb: Vec<&Signal> = s
            .iter()
            .filter(|x| x.strategy == "opening_range_breakout")
            .collect();
        assert_eq!(orb.len(), 1, "{s:#?}");
        assert_eq!(orb[0].direction, Direction::Long);
        assert_eq!(orb[0].bar_time, t("2026-11-23T14:45:00Z"));
        assert_eq!(orb[0].price, 101.0);
        assert!(orb[0].strength > 60.0 && orb[0].strength <= 100.0);
        // The same range is too wide when only 0.2 ATR is allowed.
        let mut narrow = cfg();
        narrow.day_trading.max_range_atr = 0.2;
        let s = analyse(
            Category::DayTrading,
            "TCS",
            Bars { m5: &m5, d1: &d1 },
            &narrow,
        );
        assert!(
            s.iter().all(|x| x.strategy != "opening_range_breakout"),
            "{s:#?}"
        );
    }

    #[test]
    fn vwap_cross_needs_volume() {
        let today = [(100.0, 100), (99.0, 100), (101.0, 100), (98.0, 400)];
        let m5 = intraday(100.0, &today);
        let s = analyse(
            Category::DayTrading,
            "TCS",
            Bars { m5: &m5, d1: &[] },
            &cfg(),
        );
        // 99 -> 101 crosses up on average volume: nothing; 101 -> 98 crosses down on 4x.
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(
            (s[0].strategy.as_str(), s[0].direction),
            ("vwap_cross", Direction::Short)
        );
        assert_eq!(s[0].bar_time, t("2026-11-23T14:45:00Z"));
    }

    #[test]
    fn breakdown_below_the_prior_day_low_under_a_falling_ema() {
        // Yesterday's daily low is 95. Today falls steadily from 100 and closes below 95.
        let today: Vec<(f64, u64)> = (0..12).map(|k| (100.0 - k as f64 * 0.6, 100)).collect();
        let m5 = intraday(100.0, &today);
        let d1 = vec![Bar {
            time: t("2026-11-20T14:30:00Z"),
            open: 100.0,
            high: 101.0,
            low: 95.0,
            close: 100.0,
            volume: 1,
            open_interest: None,
        }];
        let s = analyse(
            Category::ShortSelling,
            "SBIN",
            Bars { m5: &m5, d1: &d1 },
            &cfg(),
        );
        let b: Vec<&Signal> = s
            .iter()
            .filter(|x| x.strategy == "prior_day_low_breakdown")
            .collect();
        assert_eq!(b.len(), 1, "{s:#?}");
        assert!(b[0].price < 95.0 && m5.iter().any(|x| x.time < b[0].bar_time && x.close >= 95.0));
        assert_eq!(b[0].direction, Direction::Short);
        assert_eq!(b[0].timeframe, Timeframe::M5);
    }

    #[test]
    fn golden_cross_and_rsi_pullback_on_the_last_daily_bar() {
        // 50 days falling, then rising: the 20-SMA crosses the 50-SMA on some day.
        let mut closes: Vec<f64> = (0..50).map(|k| 200.0 - k as f64).collect();
        closes.extend((0..40).map(|k| 151.0 + 3.0 * k as f64));
        let d1 = daily(&closes);
        let c = cfg();
        let cross_day = (51..=d1.len())
            .find(|&n| {
                analyse(
                    Category::ShortTerm,
                    "INFY",
                    Bars {
                        m5: &[],
                        d1: &d1[..n],
                    },
                    &c,
                )
                .iter()
                .any(|s| s.strategy == "sma_cross")
            })
            .expect("a golden cross");
        let s = analyse(
            Category::ShortTerm,
            "INFY",
            Bars {
                m5: &[],
                d1: &d1[..cross_day],
            },
            &c,
        );
        let cross = s.iter().find(|x| x.strategy == "sma_cross").unwrap();
        assert_eq!(cross.direction, Direction::Long);
        assert_eq!(
            cross.bar_time,
            d1[cross_day - 1].time,
            "only the last bar is judged"
        );
        let f = sma(&closes[..cross_day], 20);
        let sl = sma(&closes[..cross_day], 50);
        assert!(f[cross_day - 2] <= sl[cross_day - 2] && f[cross_day - 1] > sl[cross_day - 1]);
        // The next day has no new cross.
        let s = analyse(
            Category::ShortTerm,
            "INFY",
            Bars {
                m5: &[],
                d1: &d1[..cross_day + 1],
            },
            &c,
        );
        assert!(s.iter().all(|x| x.strategy != "sma_cross"));
    }

    #[test]
    fn non_finite_bars_are_dropped_not_propagated() {
        let mut m5 = intraday(100.0, &[(100.0, 100), (99.0, 100), (98.0, 400)]);
        m5.insert(
            31,
            Bar {
                close: f64::NAN,
                ..m5[31]
            },
        );
        let s = analyse(
            Category::DayTrading,
            "TCS",
            Bars { m5: &m5, d1: &[] },
            &cfg(),
        );
        assert!(s.iter().all(|x| x.price.is_finite()));
        assert_eq!(strength(0.0), 63.21);
        assert!(strength(50.0) <= 100.0);
    }
}
