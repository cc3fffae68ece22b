//! The strategy schedulers' tables: `scheduler_bar_cache` (the persisted symbol cache),
//! `scheduler_runs` and `scheduler_signals` (what each tick ran and found),
//! `scheduler_comparisons`, and the migration's `scheduler_state` and `scheduler_audit`.
//! The schedulers themselves live in the jobs layer above, which calls this.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

mod model;
mod prune;

pub use model::{Category, Criterion, Direction, Phase, SchedulerKind, Signal, State};

use super::db::{Conn, Row, params};
use super::outbox::{OutboxEntry, SourceKind};
use super::{Result, Store, parse_ts, ts};
use crate::market::Timeframe;

fn corrupt(
    table: &'static str,
    column: &'static str,
    detail: impl std::fmt::Display,
) -> super::Error {
    super::Error::Corrupt {
        table,
        column,
        detail: detail.to_string(),
    }
}

fn json_col<T: serde::de::DeserializeOwned>(
    text: &str,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| corrupt(table, column, format!("{text:?}: {e}")))
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A stored bar series, its bars still as JSON (the cache parses only what it uses).
#[derive(Debug, Clone)]
pub struct CachedSeries {
    pub symbol: String,
    pub timeframe: Timeframe,
    pub range_from: DateTime<Utc>,
    pub fetched_to: DateTime<Utc>,
    pub bars_json: String,
}

/// A series to store in the cache (replacing the one of the same key).
#[derive(Debug, Clone)]
pub struct CacheWrite {
    pub symbol: String,
    pub timeframe: Timeframe,
    pub range_from: DateTime<Utc>,
    pub fetched_to: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub bar_count: usize,
    pub bars_json: String,
}

/// Whether a scheduler's signals were the ones acted on, or it ran for comparison only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Used,
    Shadow,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Used => "used",
            Role::Shadow => "shadow",
        }
    }
}

/// One scheduler run of a tick, to store with its signals (a `scheduler_runs` row).
#[derive(Debug, Clone)]
pub struct RunWrite<'a> {
    pub scheduler: SchedulerKind,
    pub role: Role,
    pub categories: &'a [Category],
    pub signals: &'a [Signal],
    pub provider_calls: u64,
    pub failed_calls: u64,
    pub lookups: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub symbols: u64,
    pub symbols_failed: u64,
    pub duration_ms: f64,
    /// The run's fetch errors as the scheduler reports them (a JSON array), kept verbatim.
    pub errors_json: String,
    /// The notifications of `signals`, index for index (empty: none). A used signal's
    /// entry is queued in the outbox the first time the setup is acted on.
    pub outbox: &'a [Option<OutboxEntry>],
}

/// Where a comparison came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `optctl compare`: ad hoc, possibly several runs.
    Compare,
    /// A `migrate-scheduler run` tick in a phase where both schedulers ran.
    Run,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Compare => "compare",
            Source::Run => "run",
        }
    }
}

/// A stored comparison of the two schedulers (medians when `runs` > 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// 0 until stored.
    pub id: i64,
    /// The `--as-of` of the comparison.
    pub created_at: DateTime<Utc>,
    pub source: Source,
    pub phase: Phase,
    /// The migration step it was recorded in (the audit id of the last transition).
    pub step: i64,
    pub categories: Vec<Category>,
    pub runs: u64,
    /// Whether a unified run within the TTL before it had left series in the cache.
    pub warm: bool,
    pub legacy_signals: u64,
    pub unified_signals: u64,
    pub matching: u64,
    pub only_legacy: u64,
    pub only_unified: u64,
    pub legacy_calls: f64,
    pub unified_calls: f64,
    pub legacy_ms: f64,
    pub unified_ms: f64,
    /// Median |legacy - legacy| time difference, percent of their mean.
    pub noise_floor_pct: Option<f64>,
    /// Unified lookups, and those served from the cache.
    pub lookups: u64,
    pub cache_hits: u64,
    pub legacy_failed_calls: u64,
    pub unified_failed_calls: u64,
    /// The full report (differing signals, errors, projection).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub report: serde_json::Value,
}

/// Everything one tick (or one `compare`) stores, in one transaction.
#[derive(Debug)]
pub struct TickWrite<'a> {
    pub tick_at: DateTime<Utc>,
    pub phase: Phase,
    pub step: i64,
    pub runs: Vec<RunWrite<'a>>,
    pub comparison: Option<&'a ComparisonRow>,
    pub cache: Vec<CacheWrite>,
}

/// What a stored tick got.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TickIds {
    pub run_ids: Vec<i64>,
    pub comparison_id: Option<i64>,
    /// Signals acted on for the first time in this tick (a setup is used once, by
    /// whichever scheduler first found it while in charge of its category).
    pub new_signals: u64,
}

/// One entry of the migration's audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `advance` or `rollback`.
    pub action: String,
    pub from_phase: Phase,
    pub to_phase: Phase,
    pub moved_before: Vec<Category>,
    pub moved_after: Vec<Category>,
    pub forced: bool,
    pub reason: Option<String>,
    /// `$USER` of whoever ran it, when set.
    pub actor: Option<String>,
    /// The criteria as judged when the step was taken.
    pub criteria: Vec<Criterion>,
}

/// A transition to record: the state it leaves, the state it enters, and why.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub at: DateTime<Utc>,
    pub action: &'a str,
    pub from: &'a State,
    pub to_phase: Phase,
    pub to_moved: &'a [Category],
    pub forced: bool,
    pub reason: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub criteria: &'a [Criterion],
}

/// Sums of scheduler runs (for the step to cleanup and the cache statistics).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunTotals {
    pub runs: u64,
    pub provider_calls: u64,
    pub failed_calls: u64,
    pub lookups: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// `100 * cache_hits / lookups`.
    pub hit_rate_pct: Option<f64>,
    pub last_tick: Option<DateTime<Utc>>,
}

/// Series of one timeframe in the cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeframeCache {
    pub entries: u64,
    /// Entries that serve requests at the time asked about.
    pub valid: u64,
    pub bars: u64,
    pub bytes: u64,
}

/// What `GET /api/scheduler/cache/stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheStats {
    pub now: DateTime<Utc>,
    pub entries: u64,
    pub valid: u64,
    pub bars: u64,
    pub bytes: u64,
    pub by_timeframe: BTreeMap<String, TimeframeCache>,
    pub oldest_fetch: Option<DateTime<Utc>>,
    pub newest_fetch: Option<DateTime<Utc>>,
    /// The newest tick's unified runs.
    pub last_tick: RunTotals,
    /// Unified runs of the 24 hours before `now`.
    pub last_24h: RunTotals,
}

impl CacheStats {
    /// Nothing cached, no runs.
    pub fn empty(now: DateTime<Utc>) -> CacheStats {
        CacheStats {
            now,
            entries: 0,
            valid: 0,
            bars: 0,
            bytes: 0,
            by_timeframe: BTreeMap::new(),
            oldest_fetch: None,
            newest_fetch: None,
            last_tick: RunTotals::default(),
            last_24h: RunTotals::default(),
        }
    }
}

fn phase_col(s: &str, table: &'static str, column: &'static str) -> Result<Phase> {
    s.parse().map_err(|e: String| corrupt(table, column, e))
}

fn opt_ts(
    s: Option<String>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_ts(&s, table, column)).transpose()
}

/// Stores `signals` of one run: each setup once per scheduler. With `used`, a setup
/// not yet acted on (by either scheduler) becomes used, is counted as new, and has its
/// notification (`outbox[i]`) queued. Every stored signal passes through here, inside
/// the tick's transaction, so a signal acted on always has its notifications queued.
fn store_signals(
    tx: Conn<'_>,
    run_id: i64,
    scheduler: SchedulerKind,
    used: bool,
    signals: &[Signal],
    outbox: &[Option<OutboxEntry>],
    created_at: DateTime<Utc>,
) -> Result<u64> {
    let created = ts(created_at);
    let mut new = 0;
    for (i, s) in signals.iter().enumerate() {
        let bar_time = ts(s.bar_time);
        tx.execute(
            "INSERT INTO scheduler_signals (run_id, scheduler, used, symbol, category, strategy,
                 direction, price, strength, bar_time, timeframe, created_at)
             VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (scheduler, symbol, category, strategy, direction, bar_time) DO NOTHING",
            params![
                run_id,
                scheduler.as_str(),
                &s.symbol,
                s.category.as_str(),
                &s.strategy,
                s.direction.as_str(),
                s.price,
                s.strength,
                &bar_time,
                s.timeframe.as_str(),
                &created,
            ],
        )?;
        if !used {
            continue;
        }
        let first_use: Option<i64> = tx.query_opt(
            "UPDATE scheduler_signals SET used = 1
             WHERE scheduler = ?1 AND symbol = ?2 AND category = ?3 AND strategy = ?4
               AND direction = ?5 AND bar_time = ?6 AND used = 0
               AND NOT EXISTS (SELECT 1 FROM scheduler_signals u
                               WHERE u.symbol = ?2 AND u.category = ?3 AND u.strategy = ?4
                                 AND u.direction = ?5 AND u.bar_time = ?6 AND u.used = 1)
             RETURNING id",
            params![
                scheduler.as_str(),
                &s.symbol,
                s.category.as_str(),
                &s.strategy,
                s.direction.as_str(),
                &bar_time,
            ],
            |r| r.get(0),
        )?;
        let Some(id) = first_use else {
            continue;
        };
        new += 1;
        if let Some(Some(entry)) = outbox.get(i) {
            super::outbox::enqueue(tx, SourceKind::Signal, id, entry, created_at)?;
        }
    }
    Ok(new)
}

fn insert_run(tx: Conn<'_>, t: &TickWrite<'_>, r: &RunWrite<'_>) -> Result<i64> {
    tx.insert_id(
        "INSERT INTO scheduler_runs (tick_at, started_at, phase, step, scheduler, role,
             categories, provider_calls, failed_calls, lookups, cache_hits, cache_misses,
             symbols, symbols_failed, signals, duration_ms, errors)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            ts(t.tick_at),
            ts(Utc::now()),
            t.phase.as_str(),
            t.step,
            r.scheduler.as_str(),
            r.role.as_str(),
            to_json(&r.categories),
            r.provider_calls as i64,
            r.failed_calls as i64,
            r.lookups as i64,
            r.cache_hits as i64,
            r.cache_misses as i64,
            r.symbols as i64,
            r.symbols_failed as i64,
            r.signals.len() as i64,
            r.duration_ms,
            &r.errors_json,
        ],
    )
}

fn insert_comparison(tx: Conn<'_>, c: &ComparisonRow) -> Result<i64> {
    tx.insert_id(
        "INSERT INTO scheduler_comparisons (created_at, source, phase, step, categories, runs,
             warm, legacy_signals, unified_signals, matching, only_legacy, only_unified,
             legacy_calls, unified_calls, legacy_ms, unified_ms, noise_floor_pct, lookups,
             cache_hits, legacy_failed_calls, unified_failed_calls, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22)",
        params![
            ts(c.created_at),
            c.source.as_str(),
            c.phase.as_str(),
            c.step,
            to_json(&c.categories),
            c.runs as i64,
            c.warm,
            c.legacy_signals as i64,
            c.unified_signals as i64,
            c.matching as i64,
            c.only_legacy as i64,
            c.only_unified as i64,
            c.legacy_calls,
            c.unified_calls,
            c.legacy_ms,
            c.unified_ms,
            c.noise_floor_pct,
            c.lookups as i64,
            c.cache_hits as i64,
            c.legacy_failed_calls as i64,
            c.unified_failed_calls as i64,
            to_json(&c.report),
        ],
    )
}

const COMPARISON_COLUMNS: &str = "id, created_at, source, phase, step, categories, runs, warm,
    legacy_signals, unified_signals, matching, only_legacy, only_unified, legacy_calls,
    unified_calls, legacy_ms, unified_ms, noise_floor_pct, lookups, cache_hits,
    legacy_failed_calls, unified_failed_calls";

fn comparison_row(r: &Row<'_, '_>, with_report: bool) -> Result<ComparisonRow> {
    const T: &str = "scheduler_comparisons";
    let source: String = r.get(2)?;
    let n = |i: usize| -> Result<u64> { Ok(r.get::<i64>(i)?.max(0) as u64) };
    Ok(ComparisonRow {
        id: r.get(0)?,
        created_at: parse_ts(&r.get::<String>(1)?, T, "created_at")?,
        source: match source.as_str() {
            "compare" => Source::Compare,
            "run" => Source::Run,
            other => return Err(corrupt(T, "source", other)),
        },
        phase: phase_col(&r.get::<String>(3)?, T, "phase")?,
        step: r.get(4)?,
        categories: json_col(&r.get::<String>(5)?, T, "categories")?,
        runs: n(6)?,
        warm: r.get::<i64>(7)? != 0,
        legacy_signals: n(8)?,
        unified_signals: n(9)?,
        matching: n(10)?,
        only_legacy: n(11)?,
        only_unified: n(12)?,
        legacy_calls: r.get(13)?,
        unified_calls: r.get(14)?,
        legacy_ms: r.get(15)?,
        unified_ms: r.get(16)?,
        noise_floor_pct: r.get(17)?,
        lookups: n(18)?,
        cache_hits: n(19)?,
        legacy_failed_calls: n(20)?,
        unified_failed_calls: n(21)?,
        report: if with_report {
            json_col(&r.get::<String>(22)?, T, "report")?
        } else {
            serde_json::Value::Null
        },
    })
}

/// Which comparisons to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComparisonFilter {
    /// Only those recorded in this migration step.
    pub step: Option<i64>,
    pub source: Option<Source>,
    /// Newest first, at most this many (0 = all).
    pub limit: u64,
    /// Include the full stored report.
    pub with_report: bool,
}

/// The `scheduler` family: `Store::scheduler()` reads, `Store::scheduler_mut()` also writes.
pub struct Scheduler<S>(pub(super) S);

impl<S: Deref<Target = Store>> Scheduler<S> {
    /// Whether this database has the scheduler's tables (a read-only door on a file
    /// no newer optctl has written yet does not; a PostgreSQL store is always migrated).
    pub fn has_tables(&self) -> Result<bool> {
        let db = self.0.db();
        let sql = if db.is_pg() {
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'scheduler_state'"
        } else {
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'scheduler_state'"
        };
        let n: i64 = db.query_one(sql, params![], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// The migration's state; `legacy` with nothing moved before the first step.
    pub fn state(&self) -> Result<State> {
        const T: &str = "scheduler_state";
        let row = self.0.db().query_opt(
            "SELECT phase, moved, step, since FROM scheduler_state WHERE id = 1",
            params![],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<Option<String>>(3)?,
                ))
            },
        )?;
        match row {
            None => Ok(State::initial()),
            Some((phase, moved, step, since)) => Ok(State {
                phase: phase_col(&phase, T, "phase")?,
                moved: json_col(&moved, T, "moved")?,
                step,
                since: opt_ts(since, T, "since")?,
            }),
        }
    }

    /// The audit log, oldest first; with `limit`, only the newest `limit` entries.
    pub fn list_audit(&self, limit: Option<u64>) -> Result<Vec<AuditRow>> {
        const T: &str = "scheduler_audit";
        let limit = limit.map_or(i64::MAX, |l| l.min(i64::MAX as u64) as i64);
        let mut out = self.0.db().query(
            "SELECT id, at, action, from_phase, to_phase, moved_before, moved_after, forced,
                    reason, actor, criteria
             FROM scheduler_audit ORDER BY id DESC LIMIT ?1",
            params![limit],
            |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: parse_ts(&r.get::<String>(1)?, T, "at")?,
                    action: r.get(2)?,
                    from_phase: phase_col(&r.get::<String>(3)?, T, "from_phase")?,
                    to_phase: phase_col(&r.get::<String>(4)?, T, "to_phase")?,
                    moved_before: json_col(&r.get::<String>(5)?, T, "moved_before")?,
                    moved_after: json_col(&r.get::<String>(6)?, T, "moved_after")?,
                    forced: r.get::<i64>(7)? != 0,
                    reason: r.get(8)?,
                    actor: r.get(9)?,
                    criteria: json_col(&r.get::<String>(10)?, T, "criteria")?,
                })
            },
        )?;
        out.reverse();
        Ok(out)
    }

    /// Cached series fetched in `(after, until]`.
    pub fn cache_since(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<CachedSeries>> {
        const T: &str = "scheduler_bar_cache";
        self.0.db().query(
            "SELECT symbol, timeframe, range_from, fetched_to, bars FROM scheduler_bar_cache
             WHERE fetched_to > ?1 AND fetched_to <= ?2",
            params![ts(after), ts(until)],
            |r| {
                let tf: String = r.get(1)?;
                Ok(CachedSeries {
                    symbol: r.get(0)?,
                    timeframe: tf.parse().map_err(|e: String| corrupt(T, "timeframe", e))?,
                    range_from: parse_ts(&r.get::<String>(2)?, T, "range_from")?,
                    fetched_to: parse_ts(&r.get::<String>(3)?, T, "fetched_to")?,
                    bars_json: r.get(4)?,
                })
            },
        )
    }

    /// Comparisons, newest first.
    pub fn list_comparisons(&self, f: ComparisonFilter) -> Result<Vec<ComparisonRow>> {
        let report = if f.with_report { ", report" } else { "" };
        let sql = format!(
            "SELECT {COMPARISON_COLUMNS}{report} FROM scheduler_comparisons
             WHERE (CAST(?1 AS BIGINT) IS NULL OR step = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR source = ?2)
             ORDER BY id DESC LIMIT ?3"
        );
        let limit = if f.limit == 0 {
            i64::MAX
        } else {
            f.limit.min(i64::MAX as u64) as i64
        };
        self.0.db().query(
            &sql,
            params![f.step, f.source.map(Source::as_str), limit],
            |r| comparison_row(r, f.with_report),
        )
    }

    /// How many comparisons `run` ticks have recorded (the order of the two schedulers
    /// alternates with it).
    pub fn count_tick_comparisons(&self) -> Result<u64> {
        let n: i64 = self.0.db().query_one(
            "SELECT count(*) FROM scheduler_comparisons WHERE source = 'run'",
            params![],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Sums of the runs of `scheduler` in `role`, recorded in `step` (any step if None)
    /// with a tick in `[since, until]`.
    pub fn run_totals(
        &self,
        scheduler: SchedulerKind,
        role: Option<Role>,
        step: Option<i64>,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<RunTotals> {
        // PostgreSQL sums BIGINTs as NUMERIC: the casts bring them back to integers.
        let (mut t, last) = self.0.db().query_one(
            "SELECT count(*), CAST(coalesce(sum(provider_calls), 0) AS BIGINT),
                    CAST(coalesce(sum(failed_calls), 0) AS BIGINT),
                    CAST(coalesce(sum(lookups), 0) AS BIGINT),
                    CAST(coalesce(sum(cache_hits), 0) AS BIGINT),
                    CAST(coalesce(sum(cache_misses), 0) AS BIGINT), max(tick_at)
             FROM scheduler_runs
             WHERE scheduler = ?1 AND (CAST(?2 AS TEXT) IS NULL OR role = ?2)
               AND (CAST(?3 AS BIGINT) IS NULL OR step = ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR tick_at >= ?4)
               AND (CAST(?5 AS TEXT) IS NULL OR tick_at <= ?5)",
            params![
                scheduler.as_str(),
                role.map(Role::as_str),
                step,
                since.map(ts),
                until.map(ts)
            ],
            |r| {
                Ok((
                    RunTotals {
                        runs: r.get::<i64>(0)? as u64,
                        provider_calls: r.get::<i64>(1)? as u64,
                        failed_calls: r.get::<i64>(2)? as u64,
                        lookups: r.get::<i64>(3)? as u64,
                        cache_hits: r.get::<i64>(4)? as u64,
                        cache_misses: r.get::<i64>(5)? as u64,
                        hit_rate_pct: None,
                        last_tick: None,
                    },
                    r.get::<Option<String>>(6)?,
                ))
            },
        )?;
        t.last_tick = opt_ts(last, "scheduler_runs", "tick_at")?;
        t.hit_rate_pct = (t.lookups > 0).then(|| 100.0 * t.cache_hits as f64 / t.lookups as f64);
        Ok(t)
    }

    /// The newest tick any scheduler ran.
    pub fn latest_tick(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> =
            self.0
                .db()
                .query_one("SELECT max(tick_at) FROM scheduler_runs", params![], |r| {
                    r.get(0)
                })?;
        opt_ts(t, "scheduler_runs", "tick_at")
    }

    /// What is in the cache at `now`, and how the unified scheduler's lookups fared.
    pub fn cache_stats(&self, now: DateTime<Utc>) -> Result<CacheStats> {
        const T: &str = "scheduler_bar_cache";
        let mut stats = CacheStats::empty(now);
        let rows = self.0.db().query(
            "SELECT timeframe, count(*),
                    count(*) FILTER (WHERE expires_at > ?1 AND fetched_to <= ?1),
                    CAST(sum(bar_count) AS BIGINT), CAST(sum(bytes) AS BIGINT),
                    min(fetched_to), max(fetched_to)
             FROM scheduler_bar_cache GROUP BY timeframe",
            params![ts(now)],
            |r| {
                let tf = TimeframeCache {
                    entries: r.get::<i64>(1)? as u64,
                    valid: r.get::<i64>(2)? as u64,
                    bars: r.get::<i64>(3)? as u64,
                    bytes: r.get::<i64>(4)? as u64,
                };
                let oldest = parse_ts(&r.get::<String>(5)?, T, "fetched_to")?;
                let newest = parse_ts(&r.get::<String>(6)?, T, "fetched_to")?;
                Ok((r.get::<String>(0)?, tf, oldest, newest))
            },
        )?;
        for (timeframe, tf, oldest, newest) in rows {
            stats.oldest_fetch = Some(stats.oldest_fetch.map_or(oldest, |o| o.min(oldest)));
            stats.newest_fetch = Some(stats.newest_fetch.map_or(newest, |n| n.max(newest)));
            stats.entries += tf.entries;
            stats.valid += tf.valid;
            stats.bars += tf.bars;
            stats.bytes += tf.bytes;
            stats.by_timeframe.insert(timeframe, tf);
        }
        if let Some(last) = self.latest_tick()? {
            stats.last_tick =
                self.run_totals(SchedulerKind::Unified, None, None, Some(last), Some(last))?;
        }
        stats.last_24h = self.run_totals(
            SchedulerKind::Unified,
            None,
            None,
            Some(now - TimeDelta::hours(24)),
            Some(now),
        )?;
        Ok(stats)
    }
}

impl<S: DerefMut<Target = Store>> Scheduler<S> {
    /// Empties the symbol cache (every timeframe); the next tick fetches anew. Returns
    /// the series removed.
    pub fn clear_cache(&mut self) -> Result<u64> {
        self.0.transaction(|tx| {
            let n = tx.execute("DELETE FROM scheduler_bar_cache", params![])?;
            Ok(n as u64)
        })
    }

    /// Records a transition: the audit entry and the new state, in one transaction.
    /// Refuses (Ok(None)) when the stored state is no longer `t.from` (another
    /// `advance` or `rollback` got there first). Returns the new step (the audit id).
    pub fn record_transition(&mut self, t: &Transition<'_>) -> Result<Option<i64>> {
        self.0.transaction(|tx| {
            // Read, compare, write: one host at a time (SQLite's writer lock already).
            tx.lock("scheduler_state")?;
            let current = tx
                .query_opt(
                    "SELECT phase, moved, step FROM scheduler_state WHERE id = 1",
                    params![],
                    |r| {
                        Ok((
                            r.get::<String>(0)?,
                            r.get::<String>(1)?,
                            r.get::<i64>(2)?,
                        ))
                    },
                )?
                .unwrap_or_else(|| ("legacy".into(), "[]".into(), 0));
            let expected = (
                t.from.phase.as_str().to_string(),
                to_json(&t.from.moved),
                t.from.step,
            );
            if current != expected {
                return Ok(None);
            }
            let step = tx.insert_id(
                "INSERT INTO scheduler_audit (at, action, from_phase, to_phase, moved_before,
                     moved_after, forced, reason, actor, criteria)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    ts(t.at),
                    t.action,
                    t.from.phase.as_str(),
                    t.to_phase.as_str(),
                    to_json(&t.from.moved),
                    to_json(&t.to_moved),
                    t.forced,
                    t.reason,
                    t.actor,
                    to_json(&t.criteria),
                ],
            )?;
            tx.execute(
                "INSERT INTO scheduler_state (id, phase, moved, step, since) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET phase = ?1, moved = ?2, step = ?3, since = ?4",
                params![t.to_phase.as_str(), to_json(&t.to_moved), step, ts(t.at)],
            )?;
            Ok(Some(step))
        })
    }

    /// Stores one tick (or one `compare`): the cache entries, the runs with their
    /// signals, and the comparison, in one transaction.
    pub fn record_tick(&mut self, t: &TickWrite<'_>) -> Result<TickIds> {
        self.0.transaction(|tx| {
            // Whether a setup was acted on already is read, then written: one host at
            // a time (SQLite's writer lock already).
            tx.lock("scheduler_signals")?;
            let mut ids = TickIds::default();
            for c in &t.cache {
                tx.execute(
                    "INSERT INTO scheduler_bar_cache (symbol, timeframe, range_from, fetched_to,
                         expires_at, bar_count, bytes, bars)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (symbol, timeframe) DO UPDATE SET range_from = ?3,
                         fetched_to = ?4, expires_at = ?5, bar_count = ?6, bytes = ?7, bars = ?8
                     WHERE excluded.fetched_to >= scheduler_bar_cache.fetched_to",
                    params![
                        &c.symbol,
                        c.timeframe.as_str(),
                        ts(c.range_from),
                        ts(c.fetched_to),
                        ts(c.expires_at),
                        c.bar_count as i64,
                        c.bars_json.len() as i64,
                        &c.bars_json,
                    ],
                )?;
            }
            for run in &t.runs {
                let id = insert_run(tx, t, run)?;
                ids.run_ids.push(id);
                ids.new_signals += store_signals(
                    tx,
                    id,
                    run.scheduler,
                    run.role == Role::Used,
                    run.signals,
                    run.outbox,
                    t.tick_at,
                )?;
            }
            if let Some(c) = t.comparison {
                ids.comparison_id = Some(insert_comparison(tx, c)?);
            }
            Ok(ids)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .db()
            .query_one(&format!("SELECT count(*) FROM {table}"), params![], |r| {
                r.get(0)
            })
            .unwrap()
    }

    fn signal(symbol: &str, bar: &str) -> Signal {
        Signal {
            symbol: symbol.into(),
            category: Category::DayTrading,
            strategy: "vwap_cross".into(),
            direction: Direction::Long,
            price: 100.0,
            strength: 70.0,
            bar_time: t(bar),
            timeframe: Timeframe::M5,
        }
    }

    /// A run of `kind` that found `signals`: what the scheduler hands the store.
    struct Report {
        kind: SchedulerKind,
        categories: Vec<Category>,
        signals: Vec<Signal>,
    }

    fn report(kind: SchedulerKind, signals: Vec<Signal>) -> Report {
        Report {
            kind,
            categories: vec![Category::DayTrading],
            signals,
        }
    }

    fn write<'a>(r: &'a Report, role: Role, outbox: &'a [Option<OutboxEntry>]) -> RunWrite<'a> {
        RunWrite {
            scheduler: r.kind,
            role,
            categories: &r.categories,
            signals: &r.signals,
            provider_calls: 2,
            failed_calls: 0,
            lookups: 2,
            cache_hits: 0,
            cache_misses: 2,
            symbols: 1,
            symbols_failed: 0,
            duration_ms: 1.0,
            errors_json: "[]".into(),
            outbox,
        }
    }

    fn tick<'a>(at: &str, runs: Vec<RunWrite<'a>>) -> TickWrite<'a> {
        TickWrite {
            tick_at: t(at),
            phase: Phase::Parallel,
            step: 1,
            runs,
            comparison: None,
            cache: Vec::new(),
        }
    }

    #[test]
    fn a_setup_is_used_once_whichever_scheduler_finds_it() {
        for mut store in backends() {
            let a = signal("TCS", "2026-11-23T14:45:00Z");
            let b = signal("TCS", "2026-11-23T14:50:00Z");
            let legacy = report(SchedulerKind::Legacy, vec![a.clone()]);
            let shadow = report(SchedulerKind::Unified, vec![a.clone(), b.clone()]);
            let ids = store
                .scheduler_mut()
                .record_tick(&tick(
                    "2026-11-23T15:00:00Z",
                    vec![
                        write(&legacy, Role::Used, &[]),
                        write(&shadow, Role::Shadow, &[]),
                    ],
                ))
                .unwrap();
            assert_eq!(ids.new_signals, 1);
            // Next tick the category is on unified: `a` was acted on already, `b` was only
            // seen in the shadow and is acted on now; the legacy copy of `a` stays used.
            let unified = report(SchedulerKind::Unified, vec![a.clone(), b.clone()]);
            let ids = store
                .scheduler_mut()
                .record_tick(&tick(
                    "2026-11-23T15:05:00Z",
                    vec![write(&unified, Role::Used, &[])],
                ))
                .unwrap();
            assert_eq!(ids.new_signals, 1);
            let used: Vec<(String, String)> = store
            .db()
            .query(
                "SELECT scheduler, bar_time FROM scheduler_signals WHERE used = 1 ORDER BY bar_time",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
            assert_eq!(
                used,
                [
                    ("legacy".to_string(), "2026-11-23T14:45:00Z".to_string()),
                    ("unified".to_string(), "2026-11-23T14:50:00Z".to_string())
                ],
                "{}",
                store.backend()
            );
            assert_eq!(
                count(&store, "scheduler_signals"),
                3,
                "{}: each scheduler keeps each setup once",
                store.backend()
            );
        }
    }

    #[test]
    fn a_signal_acted_on_queues_its_notification_once_in_the_same_transaction() {
        for mut store in backends() {
            let a = signal("TCS", "2026-11-23T14:45:00Z");
            let b = signal("INFY", "2026-11-23T14:50:00Z");
            let entry = |ch: &str| {
                Some(OutboxEntry {
                    channels: vec![ch.into()],
                    payload: "{}".into(),
                })
            };
            let legacy = report(SchedulerKind::Legacy, vec![a.clone(), b.clone()]);
            let shadow = report(SchedulerKind::Unified, vec![a.clone(), b.clone()]);
            // `b` has no channel that takes it; the shadow run's signals are never sent.
            let queued = [entry("phone"), None];
            let shadow_queued = [entry("shadow"), entry("shadow")];
            let runs = |legacy_out, shadow_out| {
                vec![
                    write(&legacy, Role::Used, legacy_out),
                    write(&shadow, Role::Shadow, shadow_out),
                ]
            };
            store
                .scheduler_mut()
                .record_tick(&tick("2026-11-23T15:00:00Z", runs(&queued, &shadow_queued)))
                .unwrap();
            // The next tick finds the same setups again: they were acted on, nothing new.
            store
                .scheduler_mut()
                .record_tick(&tick("2026-11-23T15:05:00Z", runs(&queued, &shadow_queued)))
                .unwrap();
            let rows: Vec<(String, String, String)> = store
                .db()
                .query(
                    "SELECT channel, source_kind, idempotency_key FROM notify_outbox",
                    params![],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            let id: i64 = store
            .db()
            .query_one(
                "SELECT id FROM scheduler_signals WHERE scheduler = 'legacy' AND symbol = 'TCS'",
                params![],
                |r| r.get(0),
            )
            .unwrap();
            assert_eq!(
                rows,
                vec![("phone".into(), "signal".into(), format!("signal-{id}"))],
                "{}",
                store.backend()
            );
        }
    }

    #[test]
    fn a_transition_from_a_stale_state_is_refused() {
        for mut store in backends() {
            let start = store.scheduler().state().unwrap();
            assert_eq!(start, State::initial());
            let go = |store: &mut Store, from: &State| {
                store
                    .scheduler_mut()
                    .record_transition(&Transition {
                        at: t("2026-11-23T15:00:00Z"),
                        action: "advance",
                        from,
                        to_phase: Phase::Parallel,
                        to_moved: &[],
                        forced: false,
                        reason: None,
                        actor: Some("ops"),
                        criteria: &[],
                    })
                    .unwrap()
            };
            let step = go(&mut store, &start).unwrap();
            assert_eq!(go(&mut store, &start), None, "the state moved on");
            let s = store.scheduler().state().unwrap();
            assert_eq!((s.phase, s.step), (Phase::Parallel, step));
            let log = store.scheduler().list_audit(None).unwrap();
            assert_eq!(log.len(), 1);
            assert_eq!(log[0].actor.as_deref(), Some("ops"));
        }
    }

    #[test]
    fn an_older_fetch_never_replaces_a_newer_cache_entry() {
        for mut store in backends() {
            let put = |store: &mut Store, at: &str, json: &str| {
                let mut w = tick(at, Vec::new());
                w.cache.push(CacheWrite {
                    symbol: "TCS".into(),
                    timeframe: Timeframe::D1,
                    range_from: t("2026-07-26T00:00:00Z"),
                    fetched_to: t(at),
                    expires_at: t(at) + TimeDelta::minutes(30),
                    bar_count: 0,
                    bars_json: json.into(),
                });
                store.scheduler_mut().record_tick(&w).unwrap();
            };
            put(&mut store, "2026-11-23T15:10:00Z", "[1]");
            put(&mut store, "2026-11-23T15:00:00Z", "[0]");
            let got = store
                .scheduler()
                .cache_since(t("2026-11-23T14:00:00Z"), t("2026-11-23T16:00:00Z"))
                .unwrap();
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].bars_json, "[1]");
            let stats = store
                .scheduler()
                .cache_stats(t("2026-11-23T15:20:00Z"))
                .unwrap();
            assert_eq!((stats.entries, stats.valid, stats.bytes), (1, 1, 3));
            let stats = store
                .scheduler()
                .cache_stats(t("2026-11-23T15:40:00Z"))
                .unwrap();
            assert_eq!(stats.valid, 0);
        }
    }

    fn comparison(at: &str, source: Source, step: i64) -> ComparisonRow {
        ComparisonRow {
            id: 0,
            created_at: t(at),
            source,
            phase: Phase::Parallel,
            step,
            categories: vec![Category::DayTrading],
            runs: 3,
            warm: true,
            legacy_signals: 4,
            unified_signals: 5,
            matching: 3,
            only_legacy: 1,
            only_unified: 2,
            legacy_calls: 10.5,
            unified_calls: 2.5,
            legacy_ms: 120.0,
            unified_ms: 40.0,
            noise_floor_pct: None,
            lookups: 8,
            cache_hits: 6,
            legacy_failed_calls: 1,
            unified_failed_calls: 0,
            report: serde_json::json!({"differing": ["TCS"]}),
        }
    }

    /// What `migrate-scheduler status` and the criteria read back: comparisons by step
    /// and source, and the sums of a step's runs (integers, whatever the backend sums in).
    #[test]
    fn comparisons_and_run_totals_read_back_by_step_source_and_role() {
        for mut store in backends() {
            let b = store.backend();
            assert!(store.scheduler().has_tables().unwrap(), "{b}");
            assert_eq!(store.scheduler().latest_tick().unwrap(), None, "{b}");
            let unified = report(
                SchedulerKind::Unified,
                vec![signal("TCS", "2026-11-23T14:45:00Z")],
            );
            let legacy = report(SchedulerKind::Legacy, Vec::new());
            let run = comparison("2026-11-23T15:00:00Z", Source::Run, 1);
            let adhoc = comparison("2026-11-23T15:02:00Z", Source::Compare, 2);
            let mut first = tick(
                "2026-11-23T15:00:00Z",
                vec![
                    write(&legacy, Role::Used, &[]),
                    write(&unified, Role::Shadow, &[]),
                ],
            );
            first.comparison = Some(&run);
            let ids = store.scheduler_mut().record_tick(&first).unwrap();
            assert_eq!(ids.run_ids.len(), 2, "{b}");
            let mut second = tick(
                "2026-11-23T15:05:00Z",
                vec![write(&unified, Role::Used, &[])],
            );
            second.step = 2;
            second.comparison = Some(&adhoc);
            let ids2 = store.scheduler_mut().record_tick(&second).unwrap();
            assert!(ids2.comparison_id > ids.comparison_id, "{b}");

            let all = store
                .scheduler()
                .list_comparisons(ComparisonFilter::default())
                .unwrap();
            let got: Vec<(Source, i64)> = all.iter().map(|c| (c.source, c.step)).collect();
            assert_eq!(
                got,
                [(Source::Compare, 2), (Source::Run, 1)],
                "{b}: newest first"
            );
            let mut want = run.clone();
            want.id = ids.comparison_id.unwrap();
            want.report = serde_json::Value::Null;
            assert_eq!(all[1], want, "{b}");
            let with_report = store
                .scheduler()
                .list_comparisons(ComparisonFilter {
                    step: Some(1),
                    with_report: true,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(with_report.len(), 1, "{b}");
            assert_eq!(with_report[0].report, run.report, "{b}");
            let by_source = store
                .scheduler()
                .list_comparisons(ComparisonFilter {
                    source: Some(Source::Compare),
                    limit: 5,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(by_source.len(), 1, "{b}");
            assert_eq!(by_source[0].step, 2, "{b}");
            assert_eq!(
                store.scheduler().count_tick_comparisons().unwrap(),
                1,
                "{b}"
            );

            let totals = store
                .scheduler()
                .run_totals(SchedulerKind::Unified, None, None, None, None)
                .unwrap();
            assert_eq!(
                (
                    totals.runs,
                    totals.provider_calls,
                    totals.lookups,
                    totals.cache_misses
                ),
                (2, 4, 4, 4),
                "{b}"
            );
            assert_eq!(totals.hit_rate_pct, Some(0.0), "{b}");
            assert_eq!(totals.last_tick, Some(t("2026-11-23T15:05:00Z")), "{b}");
            let shadow_step1 = store
                .scheduler()
                .run_totals(
                    SchedulerKind::Unified,
                    Some(Role::Shadow),
                    Some(1),
                    None,
                    None,
                )
                .unwrap();
            assert_eq!(shadow_step1.runs, 1, "{b}");
            let none = store
                .scheduler()
                .run_totals(
                    SchedulerKind::Legacy,
                    Some(Role::Used),
                    None,
                    Some(t("2026-11-23T15:01:00Z")),
                    None,
                )
                .unwrap();
            assert_eq!(
                (none.runs, none.provider_calls, none.last_tick),
                (0, 0, None),
                "{b}"
            );
            assert_eq!(
                store.scheduler().latest_tick().unwrap(),
                Some(t("2026-11-23T15:05:00Z")),
                "{b}"
            );
            let stats = store
                .scheduler()
                .cache_stats(t("2026-11-23T15:10:00Z"))
                .unwrap();
            assert_eq!((stats.last_tick.runs, stats.last_24h.runs), (1, 2), "{b}");
        }
    }

    /// Hosts sharing one PostgreSQL store: of several advancing from the same state at
    /// once, one moves it and the others are refused; of schedulers on two hosts finding
    /// the same setup at once, one acts on it. (SQLite's writer lock gives both.)
    #[test]
    fn hosts_racing_on_one_postgres_store_advance_once_and_act_on_a_setup_once() {
        const HOSTS: usize = 4;
        let Some((db, got)) = crate::store::tests::hosts_on_postgres(HOSTS, |i, store, start| {
            let initial = State::initial();
            start.wait();
            let step = store
                .scheduler_mut()
                .record_transition(&Transition {
                    at: t("2026-11-23T15:00:00Z"),
                    action: "advance",
                    from: &initial,
                    to_phase: Phase::Parallel,
                    to_moved: &[],
                    forced: false,
                    reason: None,
                    actor: None,
                    criteria: &[],
                })
                .unwrap();
            let kind = if i % 2 == 0 {
                SchedulerKind::Legacy
            } else {
                SchedulerKind::Unified
            };
            let found = report(kind, vec![signal("TCS", "2026-11-23T14:45:00Z")]);
            start.wait();
            let ids = store
                .scheduler_mut()
                .record_tick(&tick(
                    "2026-11-23T15:00:00Z",
                    vec![write(&found, Role::Used, &[])],
                ))
                .unwrap();
            (step, ids.new_signals)
        }) else {
            return;
        };
        let advanced = got.iter().filter(|(step, _)| step.is_some()).count();
        assert_eq!(advanced, 1, "{got:?}");
        let acted: u64 = got.iter().map(|(_, n)| n).sum();
        assert_eq!(acted, 1, "{got:?}");
        let store = Store::open_postgres(&db.config).unwrap();
        assert_eq!(store.scheduler().list_audit(None).unwrap().len(), 1);
    }

    #[test]
    fn prune_deletes_old_ticks_with_their_signals_and_keeps_the_rest() {
        for mut store in backends() {
            for at in ["2026-10-01", "2026-11-20"] {
                let r = report(
                    SchedulerKind::Legacy,
                    vec![
                        signal("TCS", &format!("{at}T14:45:00Z")),
                        signal("INFY", &format!("{at}T14:45:00Z")),
                    ],
                );
                store
                    .scheduler_mut()
                    .record_tick(&tick(
                        &format!("{at}T15:00:00Z"),
                        vec![write(&r, Role::Used, &[])],
                    ))
                    .unwrap();
            }
            assert_eq!(count(&store, "scheduler_signals"), 4);
            let newest = store
                .scheduler()
                .newest_tick_before(t("2026-11-23T15:00:00Z"))
                .unwrap();
            assert_eq!(newest, Some(t("2026-11-20T15:00:00Z")));
            let stats = store
                .scheduler_mut()
                .prune_with(t("2026-10-21T15:00:00Z"), 1, std::time::Duration::ZERO)
                .unwrap();
            assert_eq!(stats.rows, 3, "the old run and its two signals");
            assert_eq!(stats.largest_batch, 1);
            assert_eq!(count(&store, "scheduler_runs"), 1);
            assert_eq!(count(&store, "scheduler_signals"), 2);
        }
    }
}
