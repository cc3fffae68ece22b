//! The strategy schedulers and their migration.
//!
//! Strategies are grouped in [`Category`]s (day trading, short selling, short term), each
//! with its own symbols, timeframes and rules (`strategies`). Two schedulers run them
//! (`run`): the *legacy* one fetches per category, per symbol, per timeframe, one call
//! after another and shares nothing; the *unified* one fetches each (symbol, timeframe)
//! once, with bounded concurrency, through a symbol cache persisted in the store
//! (`cache`), then analyses every category in parallel over the same bars.
//! `compare` runs both on the same data and judges them; `migration` is the persisted
//! state machine that moves the categories from one scheduler to the other, and the
//! tick that `optctl migrate-scheduler run` performs. The success criteria are in
//! `criteria`, the settings in `config`; all SQL is in `store::scheduler`.

pub mod cache;
pub mod compare;
pub mod config;
pub mod criteria;
pub mod migration;
pub mod run;
pub mod session;
pub mod strategies;

use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};

use crate::market::Timeframe;

pub use config::SchedulerConfig;

/// A strategy category: its own symbols, timeframes and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Intraday long and short setups on 5-minute bars.
    DayTrading,
    /// Bearish setups on 5-minute bars against the prior day's levels.
    ShortSelling,
    /// Swing setups on daily bars.
    ShortTerm,
}

impl Category {
    /// Every category, in the default cutover order.
    pub const ALL: [Category; 3] = [
        Category::DayTrading,
        Category::ShortSelling,
        Category::ShortTerm,
    ];

    /// `day_trading`, `short_selling`, `short_term`: as in config, flags, store and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::DayTrading => "day_trading",
            Category::ShortSelling => "short_selling",
            Category::ShortTerm => "short_term",
        }
    }

    /// The timeframes the category's strategies read, in fetch order.
    pub fn timeframes(self) -> &'static [Timeframe] {
        match self {
            Category::DayTrading | Category::ShortSelling => &[Timeframe::M5, Timeframe::D1],
            Category::ShortTerm => &[Timeframe::D1],
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Category {
    type Err = String;

    /// Accepts `day_trading`, `short_selling`, `short_term` (also with `-`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "day_trading" => Ok(Category::DayTrading),
            "short_selling" => Ok(Category::ShortSelling),
            "short_term" => Ok(Category::ShortTerm),
            other => Err(format!(
                "unknown category {other:?}: expected day_trading, short_selling or short_term"
            )),
        }
    }
}

/// Which scheduler produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerKind {
    Legacy,
    Unified,
}

impl SchedulerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulerKind::Legacy => "legacy",
            SchedulerKind::Unified => "unified",
        }
    }
}

impl std::fmt::Display for SchedulerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SchedulerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(SchedulerKind::Legacy),
            "unified" => Ok(SchedulerKind::Unified),
            other => Err(format!("unknown scheduler {other:?}")),
        }
    }
}

/// Which way a signal trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Long,
    Short,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Long => "long",
            Direction::Short => "short",
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "long" => Ok(Direction::Long),
            "short" => Ok(Direction::Short),
            other => Err(format!("unknown direction {other:?}")),
        }
    }
}

/// A trade setup a strategy found on one bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub symbol: String,
    pub category: Category,
    /// The rule that fired (`opening_range_breakout`, `vwap_cross`, ...).
    pub strategy: String,
    pub direction: Direction,
    /// The close of the signal bar, in the instrument's currency.
    pub price: f64,
    /// 0-100: how far past the rule's thresholds the bar went.
    pub strength: f64,
    /// When the signal bar opened (UTC).
    pub bar_time: DateTime<Utc>,
    pub timeframe: Timeframe,
}

impl Signal {
    /// What makes two signals the same setup: everything but price and strength.
    pub fn key(&self) -> (Category, &str, &str, Direction, DateTime<Utc>) {
        (
            self.category,
            self.symbol.as_str(),
            self.strategy.as_str(),
            self.direction,
            self.bar_time,
        )
    }
}

/// Calendar days of history fetched per timeframe. Both schedulers fetch exactly these
/// ranges, so on the same data they compute the same indicators.
pub fn lookback_days(tf: Timeframe) -> u64 {
    match tf {
        // Two sessions or more even after a weekend: EMA(20) and RSI(14) warm up, and the
        // volume average has the day before.
        Timeframe::M5 => 4,
        Timeframe::H1 => 30,
        // ~80 sessions: SMA(50) on two consecutive days and ATR(14).
        Timeframe::D1 => 120,
    }
}

/// The range `[from, to)` both schedulers ask for at `as_of`: `to` is `as_of`, `from`
/// is midnight UTC `lookback_days` before it. Midnight keeps `from` fixed all day, so a
/// cached series keeps covering later requests.
pub fn fetch_range(tf: Timeframe, as_of: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = as_of.date_naive();
    let from_day = day
        .checked_sub_days(Days::new(lookback_days(tf)))
        .unwrap_or(day);
    let from = from_day.and_hms_opt(0, 0, 0).map_or(as_of, |t| t.and_utc());
    (from, as_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip_through_text_and_json() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
        assert_eq!(
            "Short-Term".parse::<Category>().unwrap(),
            Category::ShortTerm
        );
        let err = "swing".parse::<Category>().unwrap_err();
        assert!(err.contains("expected day_trading"), "{err}");
    }

    #[test]
    fn fetch_range_starts_at_midnight_and_stays_put_all_day() {
        let a = "2026-11-23T15:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let b = "2026-11-23T20:55:00Z".parse::<DateTime<Utc>>().unwrap();
        let (from_a, to_a) = fetch_range(Timeframe::M5, a);
        let (from_b, _) = fetch_range(Timeframe::M5, b);
        assert_eq!(from_a, from_b);
        assert_eq!(from_a.to_rfc3339(), "2026-11-19T00:00:00+00:00");
        assert_eq!(to_a, a);
        let (from_d, _) = fetch_range(Timeframe::D1, a);
        assert_eq!((a - from_d).num_days(), 120);
    }
}
