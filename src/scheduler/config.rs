//! `[scheduler]`: the strategy categories, their symbols and rules, the cache, the
//! cadence, the cutover order and the success criteria of the migration. Parsed as part
//! of the whole config file; checked by [`SchedulerConfig::check`].

use serde::{Deserialize, Serialize};

use super::Category;
use crate::market::{Listing, Symbol};

/// Settings of the strategy schedulers (`optctl compare`, `optctl migrate-scheduler`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// The bar provider both schedulers fetch from (`sim`).
    pub provider: crate::provider::Source,
    /// The market the categories' symbols trade on: `nse` (the default categories are
    /// NSE F&O names), `bse` or `us`. Its calendar gives the sessions bars are kept to
    /// (IST, 09:15-15:30, NSE's holidays for `nse`), the projected day's ticks and
    /// `migrate-scheduler run --market-hours-only`; sources that need it map symbols by
    /// it (Yahoo: `RELIANCE` → `RELIANCE.NS`).
    pub market: Listing,
    /// Minutes between two `migrate-scheduler run` ticks in the session; must divide 60.
    /// Used for the printed crontab and the projected calls per day.
    pub cadence_minutes: u32,
    /// Longest time a cached bar series is trusted, minutes. A series is refetched
    /// sooner when a newer bar of its timeframe can have closed (see `scheduler::cache`).
    pub cache_ttl_minutes: u32,
    /// Bar series the unified scheduler fetches at once.
    pub concurrency: usize,
    /// The order in which `migrate-scheduler advance` moves categories to the unified
    /// scheduler during cutover. Every category exactly once.
    pub cutover_order: Vec<Category>,
    pub criteria: CriteriaConfig,
    pub categories: CategoriesConfig,
    /// Runs, signals and comparisons of ticks more than this many days before the newest
    /// are deleted at the end of each `migrate-scheduler run` and `compare` (with cached
    /// series that expired as long ago); 0 keeps them all. The migration's audit log is
    /// kept.
    pub keep_days: u32,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            provider: crate::provider::Source::Sim,
            market: Listing::Nse,
            cadence_minutes: 5,
            cache_ttl_minutes: 30,
            concurrency: 8,
            cutover_order: Category::ALL.to_vec(),
            criteria: CriteriaConfig::default(),
            categories: CategoriesConfig::default(),
            keep_days: 30,
        }
    }
}

/// `[scheduler.criteria]`: what must hold before `advance` moves a category over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CriteriaConfig {
    /// Provider calls of the unified scheduler at least this much below legacy's, percent.
    pub min_call_reduction_pct: f64,
    /// Execution time at least this much below legacy's, percent.
    pub min_time_reduction_pct: f64,
    /// Cache hit rate above this, percent, over the ticks after warm-up.
    pub min_cache_hit_rate_pct: f64,
    /// Signals found by only one of the two schedulers, at most this share, percent.
    pub max_signal_mismatch_pct: f64,
    /// Failed provider calls of the unified scheduler below this share, percent.
    pub max_error_rate_pct: f64,
    /// Recorded ticks needed since the last step before a step is judged at all.
    pub min_ticks: u64,
}

impl Default for CriteriaConfig {
    fn default() -> Self {
        CriteriaConfig {
            min_call_reduction_pct: 50.0,
            min_time_reduction_pct: 60.0,
            min_cache_hit_rate_pct: 60.0,
            max_signal_mismatch_pct: 5.0,
            max_error_rate_pct: 1.0,
            min_ticks: 12,
        }
    }
}

/// `[scheduler.categories.*]`: one table per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CategoriesConfig {
    pub day_trading: DayTradingConfig,
    pub short_selling: ShortSellingConfig,
    pub short_term: ShortTermConfig,
}

impl CategoriesConfig {
    /// The symbols of `category`, as configured.
    pub fn symbols(&self, category: Category) -> &[Symbol] {
        match category {
            Category::DayTrading => &self.day_trading.symbols,
            Category::ShortSelling => &self.short_selling.symbols,
            Category::ShortTerm => &self.short_term.symbols,
        }
    }
}

fn names(list: &[&str]) -> Vec<Symbol> {
    list.iter()
        .map(|s| Symbol::parse(s).expect("the default symbols parse"))
        .collect()
}

/// Intraday long and short setups on 5-minute bars (the daily ATR filters the opening range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DayTradingConfig {
    pub symbols: Vec<Symbol>,
    /// Minutes after the session's first bar that make the opening range.
    pub opening_range_minutes: u32,
    /// An opening range wider than this many daily ATRs(14) is not traded.
    pub max_range_atr: f64,
    /// A breakout or VWAP cross needs bar volume at least this many times the average of
    /// the 20 bars before it.
    pub volume_factor: f64,
}

impl Default for DayTradingConfig {
    fn default() -> Self {
        DayTradingConfig {
            symbols: names(&[
                "RELIANCE",
                "TCS",
                "INFY",
                "HDFCBANK",
                "ICICIBANK",
                "SBIN",
                "KOTAKBANK",
                "AXISBANK",
                "BAJFINANCE",
                "TATAMOTORS",
                "TATASTEEL",
                "ADANIENT",
            ]),
            opening_range_minutes: 15,
            max_range_atr: 0.5,
            volume_factor: 1.5,
        }
    }
}

/// Bearish setups on 5-minute bars against the prior day's levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShortSellingConfig {
    pub symbols: Vec<Symbol>,
    /// Period of the EMA that must be falling (and above price).
    pub ema_period: usize,
    /// Wilder RSI period.
    pub rsi_period: usize,
    /// A breakdown below the prior day's low needs RSI below this.
    pub breakdown_rsi_max: f64,
    /// A rejection at the falling EMA needs RSI below this.
    pub rejection_rsi_max: f64,
}

impl Default for ShortSellingConfig {
    fn default() -> Self {
        ShortSellingConfig {
            symbols: names(&[
                "SBIN",
                "TATAMOTORS",
                "TATASTEEL",
                "ADANIENT",
                "AXISBANK",
                "BAJFINANCE",
                "ICICIBANK",
                "INDUSINDBK",
                "HINDALCO",
                "JSWSTEEL",
            ]),
            ema_period: 20,
            rsi_period: 14,
            breakdown_rsi_max: 40.0,
            rejection_rsi_max: 50.0,
        }
    }
}

/// Swing setups on daily bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShortTermConfig {
    pub symbols: Vec<Symbol>,
    /// Fast and slow SMA periods of the crossover (20 and 50).
    pub fast_sma: usize,
    pub slow_sma: usize,
    /// Wilder RSI period.
    pub rsi_period: usize,
    /// In an uptrend, RSI rising back through this level is a pullback entry.
    pub pullback_rsi: f64,
}

impl Default for ShortTermConfig {
    fn default() -> Self {
        ShortTermConfig {
            symbols: names(&[
                "RELIANCE",
                "TCS",
                "INFY",
                "HDFCBANK",
                "ICICIBANK",
                "BAJFINANCE",
                "LT",
                "ITC",
                "BHARTIARTL",
                "HINDUNILVR",
                "MARUTI",
                "SUNPHARMA",
                "TITAN",
                "ASIANPAINT",
                "HCLTECH",
            ]),
            fast_sma: 20,
            slow_sma: 50,
            rsi_period: 14,
            pullback_rsi: 40.0,
        }
    }
}

impl SchedulerConfig {
    /// Checks the values; the error names the key below `scheduler.`.
    pub fn check(&self) -> Result<(), String> {
        if self.cadence_minutes == 0 || 60 % self.cadence_minutes != 0 {
            return Err(format!(
                "cadence_minutes: {} does not divide an hour (use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)",
                self.cadence_minutes
            ));
        }
        if self.cache_ttl_minutes == 0 {
            return Err("cache_ttl_minutes: must be at least 1".into());
        }
        if self.concurrency == 0 {
            return Err("concurrency: must be at least 1".into());
        }
        if !self.provider.has_bars() {
            return Err(format!(
                "provider: {} has no bars, expected one of: {}",
                self.provider,
                crate::provider::Source::names(crate::provider::Source::has_bars)
            ));
        }
        for c in Category::ALL {
            let n = self.cutover_order.iter().filter(|x| **x == c).count();
            if n != 1 {
                return Err(format!(
                    "cutover_order: must name every category exactly once (day_trading, short_selling, short_term); {c} appears {n} times"
                ));
            }
        }
        let k = &self.criteria;
        from_0_to_100(
            "a percentage",
            &[
                ("criteria.min_call_reduction_pct", k.min_call_reduction_pct),
                ("criteria.min_time_reduction_pct", k.min_time_reduction_pct),
                ("criteria.min_cache_hit_rate_pct", k.min_cache_hit_rate_pct),
                (
                    "criteria.max_signal_mismatch_pct",
                    k.max_signal_mismatch_pct,
                ),
                ("criteria.max_error_rate_pct", k.max_error_rate_pct),
            ],
        )?;
        let d = &self.categories.day_trading;
        if d.opening_range_minutes == 0 || !d.opening_range_minutes.is_multiple_of(5) {
            return Err(format!(
                "categories.day_trading.opening_range_minutes: {} is not a whole number of 5-minute bars",
                d.opening_range_minutes
            ));
        }
        for (key, v) in [
            ("categories.day_trading.max_range_atr", d.max_range_atr),
            ("categories.day_trading.volume_factor", d.volume_factor),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{key}: must be above 0, got {v}"));
            }
        }
        let s = &self.categories.short_selling;
        let t = &self.categories.short_term;
        for (key, v) in [
            ("categories.short_selling.ema_period", s.ema_period),
            ("categories.short_selling.rsi_period", s.rsi_period),
            ("categories.short_term.fast_sma", t.fast_sma),
            ("categories.short_term.rsi_period", t.rsi_period),
        ] {
            if v < 2 {
                return Err(format!("{key}: must be at least 2, got {v}"));
            }
        }
        if t.slow_sma <= t.fast_sma {
            return Err(format!(
                "categories.short_term.slow_sma: {} must be longer than fast_sma {}",
                t.slow_sma, t.fast_sma
            ));
        }
        from_0_to_100(
            "an RSI level",
            &[
                (
                    "categories.short_selling.breakdown_rsi_max",
                    s.breakdown_rsi_max,
                ),
                (
                    "categories.short_selling.rejection_rsi_max",
                    s.rejection_rsi_max,
                ),
                ("categories.short_term.pullback_rsi", t.pullback_rsi),
            ],
        )?;
        Ok(())
    }
}

/// Checks that each value is from 0 to 100 (NaN is not); `what` names the unit.
fn from_0_to_100(what: &str, values: &[(&str, f64)]) -> Result<(), String> {
    for (key, v) in values {
        if !(0.0..=100.0).contains(v) {
            return Err(format!("{key}: must be {what} from 0 to 100, got {v}"));
        }
    }
    Ok(())
}
