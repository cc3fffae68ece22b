//! Enrichment: fetch OHLCV bars for a universe of symbols incrementally, check their
//! quality, store them, and compute the standard indicators, one job per symbol, through
//! the resilience guards (`crate::resilience`). Meant for a nightly cron line
//! (`30 1 * * * optctl enrich run`).
//!
//! - `calendar`: the New York session calendar the bars are checked against.
//! - `quality`: the data-quality checks (gaps, duplicates, OHLC, non-positive, stale).
//! - `run`: the pipeline.
//! - `report`: status, history, metrics, health and job status, for the CLI and `serve`.
//!
//! The tables are in `store::enrich`; the indicator maths in `quant::indicators`.

pub mod calendar;
pub mod quality;
pub mod report;
pub mod run;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::market::{Symbol, Timeframe};
use crate::provider::Source;

pub use crate::market::AssetClass;
/// The run and job rows and statuses the store keeps, as enrich reports them.
pub use crate::store::enrich::{JobStatus, RunRow, RunStatus};
pub use calendar::Calendar;
pub use quality::QualityCheck;
pub use run::{JobSummary, Options, Outcome, Report, run};

/// `[enrich] symbols`: the universe. Either lists by asset class (`[enrich.symbols]`
/// with `stock`, `etf`, `index`), or `symbols = "watchlist"`: the scan's `[watchlist]`
/// tickers, so `optctl show` and `optctl screen` can pair every scanned ticker's IV with
/// its realized volatility. The config fills the lists from the watchlist
/// ([`Universe::follow`]); a watchlist ticker the default universe lists as an ETF or an
/// index keeps that class, the others are stocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Universe {
    pub stock: Vec<Symbol>,
    pub etf: Vec<Symbol>,
    pub index: Vec<Symbol>,
    /// Written `symbols = "watchlist"`: the lists come from `[watchlist]`.
    pub follows_watchlist: bool,
}

/// The lists as written in `[enrich.symbols]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Lists {
    stock: Vec<Symbol>,
    etf: Vec<Symbol>,
    index: Vec<Symbol>,
}

impl Default for Lists {
    fn default() -> Self {
        let u = Universe::default();
        Lists {
            stock: u.stock,
            etf: u.etf,
            index: u.index,
        }
    }
}

/// The one word `symbols` takes instead of lists.
const WATCHLIST: &str = "watchlist";

impl Serialize for Universe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.follows_watchlist {
            return s.serialize_str(WATCHLIST);
        }
        Lists {
            stock: self.stock.clone(),
            etf: self.etf.clone(),
            index: self.index.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Universe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Universe;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "\"watchlist\" or a table of symbol lists ([enrich.symbols] stock, etf, index)",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Universe, E> {
                if v == WATCHLIST {
                    return Ok(Universe {
                        stock: Vec::new(),
                        etf: Vec::new(),
                        index: Vec::new(),
                        follows_watchlist: true,
                    });
                }
                Err(E::custom(format!(
                    "{v:?}: expected \"watchlist\" (the scan's [watchlist] tickers) or a table [enrich.symbols] with stock, etf and index lists"
                )))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Universe, A::Error> {
                let l = Lists::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Universe {
                    stock: l.stock,
                    etf: l.etf,
                    index: l.index,
                    follows_watchlist: false,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for Universe {
    fn default() -> Self {
        let v = |s: &[&str]| {
            s.iter()
                .map(|t| Symbol::parse(t).expect("the default universe parses"))
                .collect()
        };
        Universe {
            stock: v(&[
                "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "XOM",
            ]),
            etf: v(&["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD"]),
            index: v(&["SPX", "NDX", "RUT", "VIX"]),
            follows_watchlist: false,
        }
    }
}

impl Universe {
    /// When written `symbols = "watchlist"`, fills the lists from `tickers` (once each,
    /// in order): ETFs and indices the default universe names keep their class, the
    /// rest are stocks. Lists written out are left alone.
    pub fn follow(&mut self, tickers: &[Symbol]) {
        if !self.follows_watchlist {
            return;
        }
        let known = Universe::default();
        let (mut stock, mut etf, mut index) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = std::collections::BTreeSet::new();
        for t in tickers {
            if !seen.insert(t.as_str().to_string()) {
                continue;
            }
            match known.class_of(t.as_str()) {
                Some(AssetClass::Etf) => etf.push(t.clone()),
                Some(AssetClass::Index) => index.push(t.clone()),
                _ => stock.push(t.clone()),
            }
        }
        (self.stock, self.etf, self.index) = (stock, etf, index);
    }

    /// Every symbol with its class, stocks first, in the order written.
    pub fn entries(&self) -> Vec<(String, AssetClass)> {
        let mut out = Vec::new();
        for (class, list) in [
            (AssetClass::Stock, &self.stock),
            (AssetClass::Etf, &self.etf),
            (AssetClass::Index, &self.index),
        ] {
            out.extend(list.iter().map(|s| (s.to_string(), class)));
        }
        out
    }

    /// The class of `symbol` (any spelling [`Symbol`] reads), if it is in the universe.
    pub fn class_of(&self, symbol: &str) -> Option<AssetClass> {
        let symbol = Symbol::parse(symbol).ok()?;
        self.entries()
            .into_iter()
            .find(|(s, _)| s == symbol.as_str())
            .map(|(_, c)| c)
    }
}

/// `[enrich.lookback_days]`: how far back the first fetch of a symbol reaches, and the
/// span of stored bars the indicators are computed over, calendar days per timeframe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lookback {
    /// Daily: 400 days hold the 200 sessions of SMA 200 and the 52-week range.
    #[serde(rename = "1d")]
    pub d1: u32,
    /// Hourly: 60 days hold about 290 bars (7 a session).
    #[serde(rename = "1h")]
    pub h1: u32,
    /// Five-minute: 10 days hold about 550 bars (78 a session).
    #[serde(rename = "5m")]
    pub m5: u32,
    /// One-minute: 5 days hold two sessions or more after a weekend (375 bars an NSE
    /// session, 390 a New York one), and stay within Yahoo's 7 days a request.
    #[serde(rename = "1m")]
    pub m1: u32,
}

impl Default for Lookback {
    fn default() -> Self {
        Lookback {
            d1: 400,
            h1: 60,
            m5: 10,
            m1: 5,
        }
    }
}

impl Lookback {
    pub fn days(&self, tf: Timeframe) -> u32 {
        match tf {
            Timeframe::D1 => self.d1,
            Timeframe::H1 => self.h1,
            Timeframe::M5 => self.m5,
            Timeframe::M1 => self.m1,
        }
    }
}

/// `[enrich.health]`: when `optctl enrich health` says degraded or unhealthy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Unhealthy when the last successful (or partial) run is older than this, hours.
    pub max_success_age_hours: u64,
    /// Degraded when this share of the last 24 h's jobs failed (0.1 = 10%).
    pub degraded_failure_rate: f64,
    /// Unhealthy when this share of the last 24 h's jobs failed.
    pub unhealthy_failure_rate: f64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            max_success_age_hours: 26,
            degraded_failure_rate: 0.1,
            unhealthy_failure_rate: 0.5,
        }
    }
}

/// `[enrich]`: settings of `optctl enrich`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnrichConfig {
    /// The bar provider: `sim` (the embedded simulated market) by default.
    pub provider: Source,
    pub symbols: Universe,
    /// Timeframes fetched for every symbol.
    pub timeframes: Vec<Timeframe>,
    /// Symbols worked on at once.
    pub concurrency: usize,
    /// Retries of a failed fetch (so `max_retries + 1` tries); overrides
    /// `[resilience.retry] max_attempts` for enrich.
    pub max_retries: u32,
    pub lookback_days: Lookback,
    /// Stored bars fetched again on each run, to pick up revisions.
    pub overlap_bars: u32,
    /// The last bar may lag the calendar by this many bars before it counts as stale.
    pub stale_bars: u32,
    /// Exchange holidays (no session) for the gap and stale checks, besides NYSE's
    /// built-in holidays and early closes (`market::calendar`), which always apply.
    pub holidays: Vec<NaiveDate>,
    /// The cron line that runs `optctl enrich run` (UTC), e.g. "30 1 * * *":
    /// `enrich status` shows the next expected run. Unset: not shown.
    pub schedule: Option<String>,
    pub health: HealthConfig,
    /// Exit 3 when some symbols failed and the rest were stored (default: exit 0, the
    /// failures named on stderr), as `optctl enrich run --strict`.
    pub strict: bool,
    /// Runs (with their jobs and fetches) dated more than this many days before the
    /// newest are deleted at the end of each run; 0 keeps them all. Bars are kept for
    /// twice their timeframe's lookback.
    pub keep_days: u32,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        EnrichConfig {
            provider: Source::Sim,
            symbols: Universe::default(),
            timeframes: vec![Timeframe::D1, Timeframe::H1, Timeframe::M5],
            concurrency: 5,
            max_retries: 3,
            lookback_days: Lookback::default(),
            overlap_bars: 3,
            stale_bars: 3,
            holidays: Vec::new(),
            schedule: None,
            health: HealthConfig::default(),
            strict: false,
            keep_days: 90,
        }
    }
}

impl EnrichConfig {
    /// Checks the values; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.concurrency == 0 {
            return Err("enrich.concurrency: must be at least 1".into());
        }
        if !self.provider.has_bars() {
            return Err(format!(
                "enrich.provider: {} has no bars, expected one of: {}",
                self.provider,
                Source::names(Source::has_bars)
            ));
        }
        if self.timeframes.is_empty() {
            return Err("enrich.timeframes: name at least one of 1d, 1h, 5m, 1m".into());
        }
        if self.symbols.follows_watchlist && self.symbols.entries().is_empty() {
            return Err(
                "enrich.symbols: \"watchlist\" follows [watchlist] tickers, which lists none"
                    .into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (symbol, class) in self.symbols.entries() {
            if !seen.insert(symbol.clone()) {
                return Err(format!(
                    "enrich.symbols.{class}: {symbol} is listed more than once"
                ));
            }
        }
        for tf in Timeframe::ALL {
            if self.lookback_days.days(tf) == 0 {
                return Err(format!("enrich.lookback_days.{tf}: must be at least 1"));
            }
        }
        if let Some(s) = &self.schedule {
            parse_schedule(s).map_err(|e| format!("enrich.schedule: {e}"))?;
        }
        let h = &self.health;
        for (key, v) in [
            ("degraded_failure_rate", h.degraded_failure_rate),
            ("unhealthy_failure_rate", h.unhealthy_failure_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "enrich.health.{key}: must be between 0 and 1, got {v}"
                ));
            }
        }
        Ok(())
    }
}

/// Parses a five-field cron line (minute hour day-of-month month day-of-week, UTC).
pub fn parse_schedule(s: &str) -> Result<croner::Cron, String> {
    if s.split_whitespace().count() != 5 {
        return Err(format!(
            "{s:?}: expected five fields (minute hour day month weekday), like \"30 1 * * *\""
        ));
    }
    s.parse::<croner::Cron>()
        .map_err(|e| format!("{s:?} is not a cron line: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_universe_has_every_class_and_no_repeats() {
        let cfg = EnrichConfig::default();
        cfg.validate().unwrap();
        let entries = cfg.symbols.entries();
        for class in AssetClass::ALL {
            assert!(entries.iter().any(|(_, c)| *c == class), "{class}");
        }
        assert_eq!(cfg.symbols.class_of("spy"), Some(AssetClass::Etf));
        assert_eq!(cfg.symbols.class_of("ZZZ"), None);
    }

    #[test]
    fn bad_values_name_the_key() {
        let mut cfg = EnrichConfig::default();
        cfg.symbols.etf.push("AAPL".parse().unwrap());
        let e = cfg.validate().unwrap_err();
        assert!(
            e.contains("enrich.symbols.etf") && e.contains("AAPL"),
            "{e}"
        );
        let e = toml::from_str::<EnrichConfig>("[symbols]\nstock = [\"BAD SYMBOL\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"BAD SYMBOL\" is not a symbol"), "{e}");
        let e = toml::from_str::<EnrichConfig>("[symbols]\nstock = [\"brk-b\", \"BRK.B\"]\n")
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.contains("BRK.B is listed more than once"), "{e}");
        let cfg = EnrichConfig {
            schedule: Some("30 1 * *".into()),
            ..EnrichConfig::default()
        };
        assert!(cfg.validate().unwrap_err().contains("five fields"));
        let cfg = EnrichConfig {
            schedule: Some("61 1 * * *".into()),
            ..EnrichConfig::default()
        };
        assert!(cfg.validate().unwrap_err().starts_with("enrich.schedule"));
        let cfg = EnrichConfig {
            concurrency: 0,
            ..EnrichConfig::default()
        };
        assert!(cfg.validate().unwrap_err().contains("concurrency"));
    }

    #[test]
    fn asset_classes_parse() {
        assert_eq!("ETF".parse::<AssetClass>().unwrap(), AssetClass::Etf);
        assert_eq!("indices".parse::<AssetClass>().unwrap(), AssetClass::Index);
        assert!(
            "bond"
                .parse::<AssetClass>()
                .unwrap_err()
                .contains("stock, etf or index")
        );
    }
}
