//! The vocabulary of the scheduler tables: the values their columns hold (categories,
//! schedulers, directions, phases), the signal and migration-state rows, and the judged
//! criteria the audit log keeps. The store owns these because it persists them field by
//! field and parses them back (a value it cannot parse is [`crate::store::Error::Corrupt`]);
//! the scheduler job re-exports them and adds what they mean to it (a category's
//! timeframes, a phase's description, a state's plan).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::market::Timeframe;

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

/// A phase of the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Legacy,
    Parallel,
    Cutover,
    Unified,
    Cleanup,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Legacy => "legacy",
            Phase::Parallel => "parallel",
            Phase::Cutover => "cutover",
            Phase::Unified => "unified",
            Phase::Cleanup => "cleanup",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(Phase::Legacy),
            "parallel" => Ok(Phase::Parallel),
            "cutover" => Ok(Phase::Cutover),
            "unified" => Ok(Phase::Unified),
            "cleanup" => Ok(Phase::Cleanup),
            other => Err(format!("unknown phase {other:?}")),
        }
    }
}

/// The stored state of the migration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    pub phase: Phase,
    /// Categories on the unified scheduler, in the order they moved.
    pub moved: Vec<Category>,
    /// The audit id of the last transition (0 before the first): comparisons recorded
    /// in this step are the evidence for the next.
    pub step: i64,
    /// When the last transition happened.
    pub since: Option<DateTime<Utc>>,
}

impl State {
    /// Before any step: legacy, nothing moved.
    pub fn initial() -> State {
        State {
            phase: Phase::Legacy,
            moved: Vec::new(),
            step: 0,
            since: None,
        }
    }
}

/// One judged criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// `ticks`, `calls_reduced`, `time_reduced`, `cache_hit_rate`, `signal_parity`,
    /// `error_rate`.
    pub name: String,
    pub holds: bool,
    /// The measured value (percent, or a count for `ticks`); None when there is nothing
    /// to measure it on.
    pub actual: Option<f64>,
    /// The threshold it is held against, same unit.
    pub threshold: f64,
    /// One line for people: "calls reduced 68.2% (needs >= 50%)".
    pub detail: String,
}
