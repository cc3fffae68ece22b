//! OHLCV bars and the timeframes optctl stores them at.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// A bar length. Intraday bars are aligned to the session clock of their source; a daily
/// bar covers one trading session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timeframe {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "5m")]
    M5,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "1d")]
    D1,
}

impl Timeframe {
    /// Every timeframe, shortest first.
    pub const ALL: [Timeframe; 4] = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];

    /// `"1m"`, `"5m"`, `"1h"` or `"1d"`: as written in config, flags, the store and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::M1 => "1m",
            Timeframe::M5 => "5m",
            Timeframe::H1 => "1h",
            Timeframe::D1 => "1d",
        }
    }

    /// Nominal length of one bar (a daily bar is counted as one calendar day).
    pub fn duration(self) -> TimeDelta {
        match self {
            Timeframe::M1 => TimeDelta::minutes(1),
            Timeframe::M5 => TimeDelta::minutes(5),
            Timeframe::H1 => TimeDelta::hours(1),
            Timeframe::D1 => TimeDelta::days(1),
        }
    }

    /// Bars in a 252-day trading year of 6.5-hour sessions; annualises realized volatility.
    pub fn bars_per_year(self) -> f64 {
        match self {
            Timeframe::M1 => 252.0 * 390.0,
            Timeframe::M5 => 252.0 * 78.0,
            Timeframe::H1 => 252.0 * 7.0,
            Timeframe::D1 => 252.0,
        }
    }
}

impl Timeframe {
    /// Whether a bar of this timeframe opening at `time` belongs to one of `cal`'s
    /// sessions: an intraday bar opens while the market is open, a daily bar is dated on a
    /// trading day. Sources add bars outside them (Yahoo's 15:30 IST closing print, a row
    /// on an exchange holiday).
    pub fn in_session(self, cal: &super::Calendar, time: DateTime<Utc>) -> bool {
        match self {
            Timeframe::D1 => cal.is_trading_day(cal.local_date(time)),
            Timeframe::M1 | Timeframe::M5 | Timeframe::H1 => cal.is_open(time),
        }
    }
}

impl std::str::FromStr for Timeframe {
    type Err = String;

    /// Accepts `1m`, `5m`, `1h`, `1d` (also `1min`, `minute`, `5min`, `60m`, `1day`,
    /// `daily`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1m" | "1min" | "minute" => Ok(Timeframe::M1),
            "5m" | "5min" => Ok(Timeframe::M5),
            "1h" | "60m" | "60min" => Ok(Timeframe::H1),
            "1d" | "1day" | "d" | "daily" => Ok(Timeframe::D1),
            other => Err(format!(
                "unknown timeframe {other:?}: expected 1m, 5m, 1h or 1d"
            )),
        }
    }
}

impl std::fmt::Display for Timeframe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One OHLCV bar, with open interest where the source gives it. Prices in the
/// instrument's currency, volume in shares (or units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// When the bar opened (UTC). For a daily bar: the session's open.
    pub time: DateTime<Utc>,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
    /// Open interest at the bar's close, as the source reports it: for an NSE or BSE
    /// future or option (Kite, Upstox) in units of the underlying, like the volume, not in
    /// lots (a lot size changes during a contract's life; a bar keeps what the exchange
    /// published). `None` where the source gives none: cash stocks and indices (Kite and
    /// Upstox send a placeholder 0 there) and every US source. Absent from the JSON when
    /// `None`, so series written before it existed still read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_interest: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeframes_round_trip_through_text_and_json() {
        for tf in Timeframe::ALL {
            assert_eq!(tf.as_str().parse::<Timeframe>().unwrap(), tf);
            let json = serde_json::to_string(&tf).unwrap();
            assert_eq!(json, format!("\"{}\"", tf.as_str()));
            assert_eq!(serde_json::from_str::<Timeframe>(&json).unwrap(), tf);
        }
        assert_eq!("Daily".parse::<Timeframe>().unwrap(), Timeframe::D1);
        let err = "15m".parse::<Timeframe>().unwrap_err();
        assert!(err.contains("expected 1m, 5m, 1h or 1d"), "{err}");
        assert_eq!("1MIN".parse::<Timeframe>().unwrap(), Timeframe::M1);
    }

    #[test]
    fn a_bar_s_open_interest_round_trips_and_a_series_written_without_it_still_reads() {
        // The schedulers' bar cache keeps series as this JSON: rows written before bars had
        // open interest read as bars without it.
        let old = r#"{"time":"2026-11-23T03:45:00Z","open":1.0,"high":2.0,"low":0.5,"close":1.5,"volume":7}"#;
        let bar: Bar = serde_json::from_str(old).unwrap();
        assert_eq!(bar.open_interest, None);
        assert_eq!(serde_json::to_string(&bar).unwrap(), old);
        let fut = Bar {
            open_interest: Some(13_667_775.0),
            ..bar
        };
        let json = serde_json::to_string(&fut).unwrap();
        assert!(json.contains(r#""open_interest":13667775.0"#), "{json}");
        assert_eq!(serde_json::from_str::<Bar>(&json).unwrap(), fut);
    }
}
