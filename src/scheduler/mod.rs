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

use crate::market::Timeframe;

/// The store owns the scheduler tables' vocabulary (it persists and parses these); the
/// scheduler names them from here.
pub use crate::store::scheduler::{Category, Direction, SchedulerKind, Signal};
pub use config::SchedulerConfig;

/// What a category means to the scheduler (the type is the store's, see above).
impl Category {
    /// The timeframes the category's strategies read, in fetch order.
    pub fn timeframes(self) -> &'static [Timeframe] {
        match self {
            Category::DayTrading | Category::ShortSelling => &[Timeframe::M5, Timeframe::D1],
            Category::ShortTerm => &[Timeframe::D1],
        }
    }
}

/// Calendar days of history fetched per timeframe. Both schedulers fetch exactly these
/// ranges, so on the same data they compute the same indicators.
pub fn lookback_days(tf: Timeframe) -> u64 {
    match tf {
        // Two sessions or more even after a weekend: EMA(20) and RSI(14) warm up, and the
        // volume average has the day before (no rule reads 1-minute bars yet).
        Timeframe::M1 | Timeframe::M5 => 4,
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

/// Retention at the end of a tick or a comparison at `as_of`: runs, signals and
/// comparisons older than `[scheduler] keep_days` (counted back from the earlier of
/// `as_of` and the newest earlier tick), and cached series that expired before that.
/// Returns the rows deleted.
pub fn prune(
    store: &mut crate::store::Store,
    cfg: &SchedulerConfig,
    as_of: DateTime<Utc>,
) -> crate::Result<u64> {
    if cfg.keep_days == 0 {
        return Ok(0);
    }
    let newest = store.scheduler().newest_tick_before(as_of)?;
    let before = crate::time::retention_cutoff(
        as_of,
        newest,
        chrono::Duration::days(i64::from(cfg.keep_days)),
    );
    let stats = store.scheduler_mut().prune(before)?;
    tracing::debug!(
        rows = stats.rows,
        "pruned scheduler history before {before}"
    );
    Ok(stats.rows)
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
