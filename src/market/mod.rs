//! Domain types shared by every area: option rights, OCC contract symbols, quotes,
//! chain snapshots, OHLCV bars and timeframes, the one ticker grammar ([`Symbol`]), asset
//! classes, F&O buildups, indicator snapshots, and the trading calendar (`calendar`) with
//! `[market_hours]`, its config. Providers produce these; `quant`, `scan` and `store`
//! consume them.

mod asset;
mod bar;
mod buildup;
pub mod calendar;
mod contract;
pub mod expiry;
mod hours;
mod indicators;
mod occ;
mod symbol;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use asset::AssetClass;
pub use bar::{Bar, Timeframe};
pub use buildup::{Buildup, Metrics};
pub use calendar::{Calendar, MarketStatus, Session, SessionState};
pub use contract::{
    ExDividend, Exchange, Exercise, Listing, Settlement, expiry_instant_of, occ_root, settlement,
};
pub use expiry::ExpiryRules;
pub use hours::{Day, LocalTime, MarketHoursConfig, Preset, TimeZone, parse_holidays};
pub use indicators::IndicatorSnapshot;
pub use occ::{OccError, OccSymbol};
pub use symbol::{Symbol, SymbolError};

/// Seconds in the year used to turn a time span into `t_years` (ACT/365).
pub const SECONDS_PER_YEAR: f64 = 365.0 * 86_400.0;

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Right {
    Call,
    Put,
}

impl Right {
    /// `'C'` or `'P'`, as in OCC symbols.
    pub fn letter(self) -> char {
        match self {
            Right::Call => 'C',
            Right::Put => 'P',
        }
    }

    /// `"call"` or `"put"`, as stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Call => "call",
            Right::Put => "put",
        }
    }

    pub fn is_call(self) -> bool {
        self == Right::Call
    }
}

impl std::str::FromStr for Right {
    type Err = String;

    /// Accepts `call`/`put`, `c`/`p`, `ce`/`pe` (NSE), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" | "c" | "ce" => Ok(Right::Call),
            "put" | "p" | "pe" => Ok(Right::Put),
            other => Err(format!("expected call or put, got {other:?}")),
        }
    }
}

impl std::fmt::Display for Right {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One option contract's quote at snapshot time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionQuote {
    /// OCC symbol without root padding, e.g. `AAPL260116C00200000`.
    pub symbol: String,
    pub expiry: NaiveDate,
    pub strike: f64,
    pub right: Right,
    pub bid: f64,
    pub ask: f64,
    /// Last traded price; 0 when never traded.
    pub last: f64,
    /// Contracts traded today.
    pub volume: u64,
    /// Contracts open (prior-day settled).
    pub open_interest: u64,
    /// Implied volatility as reported by the source (fraction: 0.25 = 25%), if any.
    /// optctl computes its own from the mid price; this is kept for comparison only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_iv: Option<f64>,
    /// The source's own greeks and theoretical value, when it publishes them (CBOE
    /// `delta`/`gamma`/`theo`, Tradier and Polygon `greeks`), kept for comparison only.
    #[serde(default, skip_serializing_if = "SourceGreeks::is_empty")]
    pub source_greeks: SourceGreeks,
    /// When this contract was last quoted, if the source says (Tradier `bid_date`/
    /// `ask_date`, Polygon `last_quote.last_updated`). Its time to expiry runs from here;
    /// without it, from the chain's `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_at: Option<DateTime<Utc>>,
}

impl OptionQuote {
    /// Mid price, or `None` when either side is missing or the quote is crossed.
    pub fn mid(&self) -> Option<f64> {
        if self.bid > 0.0 && self.ask > 0.0 && self.ask >= self.bid {
            Some(0.5 * (self.bid + self.ask))
        } else {
            None
        }
    }
}

/// A source's own greeks of one contract (all optional: each source publishes a different
/// subset, and none when it has not computed them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceGreeks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
    /// The source's theoretical value of the option (CBOE `theo`), in price units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theo: Option<f64>,
}

impl SourceGreeks {
    pub fn is_empty(&self) -> bool {
        self.delta.is_none() && self.gamma.is_none() && self.theo.is_none()
    }
}

/// All contracts of one underlying at one instant, as returned by a `ChainProvider`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainSnapshot {
    /// The underlying's ticker, upper case.
    pub ticker: String,
    /// When the quotes were taken (UTC): the time the source stamped on them where it
    /// gives one (a delayed feed's quote time, a recording's original time), else when the
    /// answer arrived. Times to expiry run from here (or from a contract's `quoted_at`).
    pub as_of: DateTime<Utc>,
    /// Underlying spot price.
    pub spot: f64,
    /// Continuously compounded risk-free rate (fraction).
    #[serde(default)]
    pub rate: f64,
    /// Continuous dividend yield (fraction).
    #[serde(default)]
    pub dividend_yield: f64,
    /// Shares per contract: 100 for US listed options, the lot size for NSE.
    #[serde(default = "default_multiplier")]
    pub multiplier: f64,
    /// The market the chain trades on (its calendar: sessions, trading days, expiry
    /// instants). `us` when absent.
    #[serde(default, skip_serializing_if = "is_us")]
    pub exchange: Exchange,
    /// The contracts' exercise style when the source says or knows it; see
    /// [`ChainSnapshot::exercise`] for the style to price with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<Exercise>,
    /// Cash dividends the underlying goes ex on, from the snapshot's date on, when the
    /// source knows them (the simulator does); `dividend_yield` is their continuous
    /// equivalent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ex_dividends: Vec<ExDividend>,
    /// The source's own 30-day implied volatility of the underlying (CBOE `iv30`), as a
    /// fraction, when it publishes one; kept to compare with optctl's 30-day ATM IV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_iv30: Option<f64>,
    pub contracts: Vec<OptionQuote>,
}

fn default_multiplier() -> f64 {
    100.0
}

fn is_us(e: &Exchange) -> bool {
    *e == Exchange::Us
}

impl ChainSnapshot {
    /// The exercise style to price the chain's contracts with: the one the source gave,
    /// else the usual one for the underlying ([`Exercise::usual`]).
    pub fn exercise(&self) -> Exercise {
        self.exercise
            .unwrap_or_else(|| Exercise::usual(self.exchange, &self.ticker))
    }

    /// The instant contract `q` stops trading ([`expiry_instant_of`] for its root).
    pub fn expiry_instant(&self, q: &OptionQuote) -> DateTime<Utc> {
        expiry_instant_of(self.exchange, occ_root(&q.symbol), q.expiry)
    }

    /// When contract `q` was quoted: its own `quoted_at`, else the chain's `as_of`.
    pub fn quoted_at(&self, q: &OptionQuote) -> DateTime<Utc> {
        q.quoted_at.unwrap_or(self.as_of)
    }
}

/// The instant a US PM-settled contract expiring on `date` stops trading: NYSE's close,
/// 16:00 America/New_York, or the early close on a day NYSE closes early. Contracts that
/// settle AM or trade elsewhere: [`expiry_instant_of`].
pub fn expiry_instant(date: NaiveDate) -> DateTime<Utc> {
    expiry_instant_of(Exchange::Us, "", date)
}

/// Years from `as_of` to the expiry instant of `date` (ACT/365); negative once expired.
pub fn years_to_expiry(as_of: DateTime<Utc>, date: NaiveDate) -> f64 {
    (expiry_instant(date) - as_of).num_seconds() as f64 / SECONDS_PER_YEAR
}

/// Years from `from` to `to` (ACT/365); negative when `to` is earlier.
pub fn years_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / SECONDS_PER_YEAR
}

/// Calendar days from `as_of`'s UTC date to `date`.
pub fn days_to_expiry(as_of: DateTime<Utc>, date: NaiveDate) -> i64 {
    (date - as_of.date_naive()).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_four_pm_new_york_across_dst() {
        let summer = NaiveDate::from_ymd_opt(2026, 7, 17).unwrap();
        let winter = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        assert_eq!(
            expiry_instant(summer).to_rfc3339(),
            "2026-07-17T20:00:00+00:00"
        );
        assert_eq!(
            expiry_instant(winter).to_rfc3339(),
            "2026-12-18T21:00:00+00:00"
        );
    }

    #[test]
    fn right_parses_common_spellings() {
        assert_eq!("CE".parse::<Right>().unwrap(), Right::Call);
        assert_eq!("put".parse::<Right>().unwrap(), Right::Put);
        assert!("x".parse::<Right>().is_err());
    }

    #[test]
    fn mid_needs_both_sides() {
        let mut q = OptionQuote {
            symbol: "X".into(),
            expiry: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            strike: 1.0,
            right: Right::Call,
            bid: 1.0,
            ask: 1.2,
            last: 0.0,
            volume: 0,
            open_interest: 0,
            source_iv: None,
            source_greeks: SourceGreeks::default(),
            quoted_at: None,
        };
        assert!((q.mid().unwrap() - 1.1).abs() < 1e-12);
        q.bid = 0.0;
        assert_eq!(q.mid(), None);
    }
}
