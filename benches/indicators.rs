//! The indicator computation `enrich` runs per symbol and timeframe: the standard set
//! (`quant::indicators::latest`: SMA 20/50/200, EMA 12/26, RSI 14, MACD, ATR 14,
//! Bollinger 20/2, realized vol 20/60, 52-week range) over 2520 daily bars (ten years).
//!
//! The performance budget's case (docs/ARCHITECTURE.md) is 1000 symbols x 2520 daily bars: one sample computes all 1000
//! (each a different random walk, built once before timing), so divan's time is the
//! whole universe's. Run: `cargo bench --bench indicators`.

use std::hint::black_box;

use chrono::{TimeDelta, TimeZone, Utc};
use optctl::market::{Bar, Timeframe};
use optctl::quant::indicators;

fn main() {
    divan::main();
}

const SYMBOLS: usize = 1000;
const BARS: usize = 2520;

/// 1000 random walks of 2520 daily bars (a fixed LCG: the same data every run).
fn universe() -> Vec<Vec<Bar>> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let start = Utc.with_ymd_and_hms(2016, 11, 23, 14, 30, 0).unwrap();
    (0..SYMBOLS)
        .map(|_| {
            let mut close = 20.0 + 480.0 * uniform();
            (0..BARS)
                .map(|i| {
                    let open = close;
                    close *= 1.0 + 0.02 * (uniform() - 0.5);
                    Bar {
                        time: start + TimeDelta::days(i as i64 * 7 / 5),
                        open,
                        high: open.max(close) * (1.0 + 0.005 * uniform()),
                        low: open.min(close) * (1.0 - 0.005 * uniform()),
                        close,
                        volume: 1_000_000,
                        open_interest: None,
                    }
                })
                .collect()
        })
        .collect()
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn latest_1000_symbols_x_2520_daily_bars(bencher: divan::Bencher) {
    let data = universe();
    bencher.bench(|| {
        for bars in &data {
            black_box(indicators::latest(black_box(bars), Timeframe::D1));
        }
    });
}
