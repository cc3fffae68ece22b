//! The NSE day-trading scenario the broker sources replay (`kite.rs`, `upstox.rs`):
//! RELIANCE's daily and 5-minute bars around the 24 November 2026 holiday, with one
//! opening-range breakout on Wednesday the 25th, and what `optctl compare --categories
//! day_trading` must find on them at 06:00 UTC that day.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::Value;

/// One bar as a source would send it: IST time, open, high, low, close, volume.
pub type Bar = (NaiveDateTime, f64, f64, f64, f64, u64);

/// When `compare` runs: 11:30 IST on Wednesday the 25th.
pub const AS_OF: &str = "2026-11-25T06:00:00Z";

fn ist(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_hms_opt(h, m, 0).unwrap()
}

/// Daily bars (stamped 00:00 IST) of every weekday from 20 July to the 24 November
/// holiday, which has a row of its own: four months of sessions 30 wide.
pub fn daily() -> Vec<Bar> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2026, 7, 20).unwrap();
    while d <= NaiveDate::from_ymd_opt(2026, 11, 24).unwrap() {
        if d.weekday().num_days_from_monday() < 5 {
            out.push((ist(d, 0, 0), 1500.0, 1515.0, 1485.0, 1500.0, 5_000_000));
        }
        d = d.succ_opt().unwrap();
    }
    out
}

/// 5-minute bars: Monday the 23rd flat with a 15:30 print, a row on Tuesday's holiday,
/// then Wednesday: a 5-wide opening range, flat, and at 10:30 IST a breakout on 4x volume.
pub fn five_minutes() -> Vec<Bar> {
    let at = |day: u32, k: i64| {
        ist(NaiveDate::from_ymd_opt(2026, 11, day).unwrap(), 9, 15) + TimeDelta::minutes(5 * k)
    };
    let mut out = Vec::new();
    for k in 0..75 {
        out.push((at(23, k), 1500.0, 1501.0, 1499.0, 1500.0, 10_000));
    }
    out.push((at(23, 75), 1500.0, 1500.0, 1500.0, 1500.0, 0));
    out.push((at(24, 0), 1500.0, 1500.0, 1500.0, 1500.0, 0));
    for k in 0..27 {
        out.push(match k {
            0..=2 => (at(25, k), 1502.0, 1505.0, 1500.0, 1503.0, 10_000),
            3..=14 => (at(25, k), 1502.0, 1503.0, 1501.0, 1502.0, 10_000),
            15 => (at(25, k), 1502.0, 1513.0, 1502.0, 1512.0, 40_000),
            _ => (at(25, k), 1512.0, 1513.0, 1511.0, 1512.0, 10_000),
        });
    }
    out
}

/// What `optctl compare --json` at [`AS_OF`] must say about the scenario on `provider`:
/// signals only inside Wednesday's IST session, exactly the breakout bar's two (10:30 IST,
/// under optctl's symbol), and both schedulers agreeing on them.
pub fn assert_ist_signals_with_parity(r: &Value, provider: &str) {
    assert_eq!(r["provider"], provider);
    let signals = r["signals"].as_array().unwrap();
    for s in signals {
        let t = s["bar_time"].as_str().unwrap();
        assert!(
            ("2026-11-25T03:45:00Z".."2026-11-25T06:00:00Z").contains(&t),
            "a signal outside the IST session: {s}"
        );
    }
    let mut found: Vec<(String, String, String)> = signals
        .iter()
        .map(|s| {
            (
                s["symbol"].as_str().unwrap().to_string(),
                s["strategy"].as_str().unwrap().to_string(),
                s["bar_time"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    // The breakout bar opens at 10:30 IST (05:00 UTC).
    let at = "2026-11-25T05:00:00Z".to_string();
    assert_eq!(
        found,
        [
            (
                "RELIANCE".into(),
                "opening_range_breakout".into(),
                at.clone()
            ),
            ("RELIANCE".into(), "vwap_cross".into(), at),
        ],
        "{r:#}"
    );
    let p = &r["parity"];
    assert_eq!(
        (p["legacy_signals"].as_u64(), p["matching"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(p["match_pct"], 100.0);
    assert_eq!(r["legacy"]["symbols_failed"], 0);
}
