//! The unified scheduler's symbol cache: one bar series per (symbol, timeframe), kept in
//! the store so the next cron tick can reuse it, plus the series fetched by this process.
//!
//! When a cached series may serve a request `[from, to)`: it was fetched no later than
//! `to`, it starts no later than `from`, and `to` is before it expires. It expires at
//! whichever comes first of
//! - `fetched + cache_ttl_minutes`: a bound on how long a revision by the source (a late
//!   print, a corrected volume) can go unseen, and
//! - the next instant at which a newer bar of its timeframe can have closed. Bars close on
//!   a grid: every 5 minutes for 5m bars, quarter hours for 1h bars, half hours for daily
//!   bars (true of every session that opens on a quarter hour and closes on a half hour:
//!   New York, NSE, ...).
//!
//! So a hit returns exactly the bars a fresh call would have returned (those that opened
//! at or after `from`), and the two schedulers see the same data. The price is that 5m
//! series are refetched on every tick of a 5-minute cadence; daily series are reused
//! for up to half an hour, and across categories within a tick.
//!
//! SQL is in `store::scheduler`; the projection of a day's calls at the configured cadence
//! ([`project_day`]) replays these same rules without fetching.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use crate::market::Calendar;
use crate::market::{Bar, Timeframe};
use crate::store::Store;
use crate::store::scheduler::CachedSeries;

/// A cache key: (symbol, timeframe).
pub type Key = (String, Timeframe);

/// One cached series.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The `from` it was fetched with.
    pub from: DateTime<Utc>,
    /// The `to` it was fetched with (the `--as-of` of the fetching tick).
    pub fetched_to: DateTime<Utc>,
    pub bars: Arc<Vec<Bar>>,
}

/// Where the bars of `tf` can close: a newer bar can only have closed at a multiple of
/// this (since the Unix epoch).
pub fn close_grid(tf: Timeframe) -> TimeDelta {
    match tf {
        Timeframe::M1 => TimeDelta::minutes(1),
        Timeframe::M5 => TimeDelta::minutes(5),
        Timeframe::H1 => TimeDelta::minutes(15),
        Timeframe::D1 => TimeDelta::minutes(30),
    }
}

/// When a series of `tf` fetched up to `fetched_to` stops serving requests.
pub fn expires_at(tf: Timeframe, fetched_to: DateTime<Utc>, ttl: TimeDelta) -> DateTime<Utc> {
    let grid = close_grid(tf).num_seconds();
    let t = fetched_to.timestamp();
    let next_close = t - t.rem_euclid(grid) + grid;
    let by_grid = DateTime::from_timestamp(next_close, 0).unwrap_or(fetched_to);
    (fetched_to + ttl).min(by_grid)
}

/// Whether a series of `tf` fetched with `[entry_from, fetched_to)` serves `[from, to)`.
pub fn serves(
    tf: Timeframe,
    entry_from: DateTime<Utc>,
    fetched_to: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ttl: TimeDelta,
) -> bool {
    entry_from <= from && fetched_to <= to && to < expires_at(tf, fetched_to, ttl)
}

/// The cache one scheduler run reads and fills: the stored series that serve this tick,
/// and the series fetched since it was loaded.
#[derive(Debug)]
pub struct SymbolCache {
    ttl: TimeDelta,
    stored: HashMap<Key, Entry>,
    fetched: BTreeMap<Key, Entry>,
    warm: bool,
}

impl SymbolCache {
    /// A cache with nothing stored (a first tick, or a test).
    pub fn empty(ttl: TimeDelta) -> SymbolCache {
        SymbolCache {
            ttl,
            stored: HashMap::new(),
            fetched: BTreeMap::new(),
            warm: false,
        }
    }

    /// Loads the stored series that can serve requests at `as_of`. A stored series that
    /// does not parse is treated as absent (it is refetched and overwritten) and logged.
    pub fn load(store: &Store, as_of: DateTime<Utc>, ttl: TimeDelta) -> crate::Result<SymbolCache> {
        let mut cache = SymbolCache::empty(ttl);
        let recent: Vec<CachedSeries> = store.scheduler().cache_since(as_of - ttl, as_of)?;
        cache.warm = !recent.is_empty();
        for row in recent {
            let (from, to) = super::fetch_range(row.timeframe, as_of);
            if !serves(row.timeframe, row.range_from, row.fetched_to, from, to, ttl) {
                continue;
            }
            match serde_json::from_str::<Vec<Bar>>(&row.bars_json) {
                Ok(bars) => {
                    cache.stored.insert(
                        (row.symbol, row.timeframe),
                        Entry {
                            from: row.range_from,
                            fetched_to: row.fetched_to,
                            bars: Arc::new(bars),
                        },
                    );
                }
                Err(e) => tracing::warn!(
                    "cached {} {} bars do not parse ({e}); fetching them again",
                    row.symbol,
                    row.timeframe
                ),
            }
        }
        Ok(cache)
    }

    /// Whether a unified run within the TTL before this tick left series in the store:
    /// false on the first tick of a day (the warm-up), whose misses are expected.
    pub fn warm(&self) -> bool {
        self.warm
    }

    /// The bars for `[from, to)` if a series serves it: fetched by this process first,
    /// else stored. Bars before `from` are left out, as a fresh call would.
    pub fn get(&self, key: &Key, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Arc<Vec<Bar>>> {
        let e = self
            .fetched
            .get(key)
            .filter(|e| serves(key.1, e.from, e.fetched_to, from, to, self.ttl))
            .or_else(|| {
                self.stored
                    .get(key)
                    .filter(|e| serves(key.1, e.from, e.fetched_to, from, to, self.ttl))
            })?;
        if e.from == from {
            return Some(e.bars.clone());
        }
        Some(Arc::new(
            e.bars.iter().filter(|b| b.time >= from).copied().collect(),
        ))
    }

    /// Remembers a series fetched now.
    pub fn put(&mut self, key: Key, entry: Entry) {
        self.fetched.insert(key, entry);
    }

    /// The series fetched since load, to be stored.
    pub fn fetched(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.fetched.iter()
    }

    /// Series that would serve this tick from the store.
    pub fn stored_len(&self) -> usize {
        self.stored.len()
    }

    pub fn ttl(&self) -> TimeDelta {
        self.ttl
    }
}

/// What a day of ticks at the configured cadence costs each scheduler.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub cadence_minutes: u32,
    /// Ticks in one session.
    pub ticks: u64,
    pub legacy_calls: u64,
    pub unified_calls: u64,
    /// Series the categories ask for over the day (one legacy call each).
    pub lookups: u64,
    pub cache_hits: u64,
    /// `100 * (1 - unified / legacy)`.
    pub call_reduction_pct: Option<f64>,
    /// `100 * cache_hits / lookups`.
    pub hit_rate_pct: Option<f64>,
}

/// The ticks of one session at `cadence`: every `cadence` from the open, while before the
/// close (an early close if the calendar lists one), on the exchange's clock on `day`.
pub fn session_ticks(hours: &Calendar, day: NaiveDate, cadence: TimeDelta) -> Vec<DateTime<Utc>> {
    let crate::market::Session { open, close, .. } = hours.hours_on(day);
    let mut out = Vec::new();
    let mut t = open;
    while t < close && cadence > TimeDelta::zero() {
        out.push(t);
        t += cadence;
    }
    out
}

/// Replays `ticks` through the cache rules: `requests` maps each (symbol, timeframe) to
/// how many category requests it gets per tick. Assumes every call succeeds.
pub fn project_day(
    requests: &BTreeMap<Key, u64>,
    ticks: &[DateTime<Utc>],
    ttl: TimeDelta,
    cadence_minutes: u32,
) -> Projection {
    let per_tick: u64 = requests.values().sum();
    let mut unified = 0;
    for (key, _) in requests.iter() {
        let mut last: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for &t in ticks {
            let (from, to) = super::fetch_range(key.1, t);
            let hit = last.is_some_and(|(f, at)| serves(key.1, f, at, from, to, ttl));
            if !hit {
                unified += 1;
                last = Some((from, to));
            }
        }
    }
    let legacy = per_tick * ticks.len() as u64;
    let hits = legacy - unified.min(legacy);
    Projection {
        cadence_minutes,
        ticks: ticks.len() as u64,
        legacy_calls: legacy,
        unified_calls: unified,
        lookups: legacy,
        cache_hits: hits,
        call_reduction_pct: pct_reduction(legacy as f64, unified as f64),
        hit_rate_pct: (legacy > 0).then(|| 100.0 * hits as f64 / legacy as f64),
    }
}

/// `100 * (1 - after / before)`, None when `before` is 0.
pub fn pct_reduction(before: f64, after: f64) -> Option<f64> {
    (before > 0.0).then(|| 100.0 * (1.0 - after / before))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn series_expire_at_the_ttl_or_the_next_possible_close() {
        let ttl = TimeDelta::minutes(30);
        let at = t("2026-11-23T15:02:00Z");
        assert_eq!(
            expires_at(Timeframe::M5, at, ttl),
            t("2026-11-23T15:05:00Z")
        );
        assert_eq!(
            expires_at(Timeframe::H1, at, ttl),
            t("2026-11-23T15:15:00Z")
        );
        assert_eq!(
            expires_at(Timeframe::D1, at, ttl),
            t("2026-11-23T15:30:00Z")
        );
        // On the grid itself the next boundary is a whole step later.
        let on = t("2026-11-23T15:00:00Z");
        assert_eq!(
            expires_at(Timeframe::M5, on, ttl),
            t("2026-11-23T15:05:00Z")
        );
        // A short TTL wins.
        assert_eq!(
            expires_at(Timeframe::D1, on, TimeDelta::minutes(10)),
            t("2026-11-23T15:10:00Z")
        );
        let from = t("2026-07-26T00:00:00Z");
        assert!(serves(
            Timeframe::D1,
            from,
            on,
            from,
            t("2026-11-23T15:29:59Z"),
            ttl
        ));
        assert!(!serves(
            Timeframe::D1,
            from,
            on,
            from,
            t("2026-11-23T15:30:00Z"),
            ttl
        ));
        // Never the past from a later fetch, never a range starting before the series.
        assert!(!serves(
            Timeframe::D1,
            from,
            on,
            from,
            t("2026-11-23T14:59:00Z"),
            ttl
        ));
        assert!(!serves(
            Timeframe::D1,
            from,
            on,
            t("2026-07-25T00:00:00Z"),
            on,
            ttl
        ));
    }

    #[test]
    fn a_hit_leaves_out_bars_before_the_requested_start() {
        let mut c = SymbolCache::empty(TimeDelta::minutes(30));
        let bar = |s: &str| Bar {
            time: t(s),
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: 1.0,
            volume: 1,
            open_interest: None,
        };
        let key = ("TCS".to_string(), Timeframe::D1);
        c.put(
            key.clone(),
            Entry {
                from: t("2026-11-01T00:00:00Z"),
                fetched_to: t("2026-11-23T15:00:00Z"),
                bars: Arc::new(vec![
                    bar("2026-11-02T14:30:00Z"),
                    bar("2026-11-20T14:30:00Z"),
                ]),
            },
        );
        let got = c
            .get(&key, t("2026-11-10T00:00:00Z"), t("2026-11-23T15:10:00Z"))
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].time, t("2026-11-20T14:30:00Z"));
        assert!(
            c.get(&key, t("2026-11-10T00:00:00Z"), t("2026-11-23T15:30:00Z"))
                .is_none()
        );
        assert!(
            c.get(
                &("INFY".into(), Timeframe::D1),
                t("2026-11-10T00:00:00Z"),
                t("2026-11-23T15:10:00Z")
            )
            .is_none()
        );
    }

    #[test]
    fn a_day_at_five_minutes_refetches_5m_every_tick_and_daily_every_half_hour() {
        let hours = Calendar::nyse();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ticks = session_ticks(hours, day, TimeDelta::minutes(5));
        assert_eq!(ticks.len(), 78);
        assert_eq!(ticks[0], t("2026-11-23T14:30:00Z"));
        // The Friday after Thanksgiving closes at 13:00: 09:30-12:55, 42 ticks.
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            session_ticks(hours, friday, TimeDelta::minutes(5)).len(),
            42
        );
        let mut req = BTreeMap::new();
        req.insert(("A".to_string(), Timeframe::M5), 2); // two categories
        req.insert(("A".to_string(), Timeframe::D1), 3);
        let p = project_day(&req, &ticks, TimeDelta::minutes(30), 5);
        assert_eq!(p.legacy_calls, 5 * 78);
        // 5m: every tick; daily: once per half hour (13 half hours in 6.5 hours).
        assert_eq!(p.unified_calls, 78 + 13);
        assert_eq!(p.cache_hits, 5 * 78 - 91);
        let r = p.call_reduction_pct.unwrap();
        assert!((r - 100.0 * (1.0 - 91.0 / 390.0)).abs() < 1e-9);
    }
}
