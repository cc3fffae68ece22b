//! Indicator values of one series at one bar: computed by `quant::indicators`, stored
//! by `enrich`, reported by `serve` and the CLI.

use serde::Serialize;

/// The latest value of every standard indicator, as `enrich` stores it per symbol and
/// timeframe. `None` where the history is too short.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSnapshot {
    /// Open time of the last bar.
    pub time: chrono::DateTime<chrono::Utc>,
    pub close: f64,
    pub sma_20: Option<f64>,
    pub sma_50: Option<f64>,
    pub sma_200: Option<f64>,
    pub ema_12: Option<f64>,
    pub ema_26: Option<f64>,
    pub rsi_14: Option<f64>,
    pub macd: Option<f64>,
    pub macd_signal: Option<f64>,
    pub macd_histogram: Option<f64>,
    pub atr_14: Option<f64>,
    pub bb_middle: Option<f64>,
    pub bb_upper: Option<f64>,
    pub bb_lower: Option<f64>,
    /// Annualised, fraction (0.25 = 25%).
    pub rv_20: Option<f64>,
    pub rv_60: Option<f64>,
    /// Highest high and lowest low of the bars that opened within 365 days before the
    /// last bar (so on short histories, of all bars).
    pub high_52w: Option<f64>,
    pub low_52w: Option<f64>,
}
