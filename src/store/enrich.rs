//! enrich's tables: `bars` (good bars only), `quarantined_bars`, `indicators` (the latest
//! per symbol and timeframe), `enrich_runs`, `enrich_jobs` (one per symbol per run),
//! `enrich_fetches` (one per job and timeframe), `enrich_quality` and `enrich_control`
//! (the pause flag). The pipeline is in `enrich::run`; the reports in `enrich::report`.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use std::ops::{Deref, DerefMut};

use super::{Result, Store, optional, parse_ts, ts};
use crate::market::{AssetClass, Bar, IndicatorSnapshot as Snapshot, Timeframe};

fn corrupt(table: &'static str, column: &'static str, detail: &str) -> super::Error {
    super::Error::Corrupt {
        table,
        column,
        detail: detail.to_string(),
    }
}

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $table:literal { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            fn parse(s: &str) -> Result<Self> {
                match s {
                    $($s => Ok($name::$v),)+
                    other => Err(corrupt($table, "status", other)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where an enrich run stands.
    RunStatus, "enrich_runs" {
        Running = "running",
        /// Every symbol succeeded.
        Succeeded = "succeeded",
        /// Some symbols failed or were skipped, the others stored.
        Partial = "partial",
        /// No symbol succeeded.
        Failed = "failed",
        /// The process died while running; set by the next run.
        Interrupted = "interrupted",
    }
);

text_enum!(
    /// Where one symbol's job stands.
    JobStatus, "enrich_jobs" {
        Queued = "queued",
        Running = "running",
        /// A fetch failed and is waiting to be tried again.
        Retrying = "retrying",
        Succeeded = "succeeded",
        Failed = "failed",
        /// Not tried: the provider's circuit breaker is open.
        Skipped = "skipped",
    }
);

text_enum!(
    /// How the fetch of one timeframe of a job ended.
    FetchStatus, "enrich_fetches" {
        Succeeded = "succeeded",
        Failed = "failed",
        Skipped = "skipped",
    }
);

/// One stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub provider: String,
    pub pid: u32,
    pub timeframes: Vec<Timeframe>,
    pub symbols: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub skipped: u64,
    pub bars_added: u64,
    pub bars_quarantined: u64,
    pub quality_issues: u64,
    pub provider_calls: u64,
    pub retries: u64,
    pub duration_ms: Option<u64>,
}

/// What a run records when it ends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTotals {
    pub succeeded: u64,
    pub failed: u64,
    pub skipped: u64,
    pub bars_added: u64,
    pub bars_quarantined: u64,
    pub quality_issues: u64,
    pub provider_calls: u64,
    pub retries: u64,
    pub duration_ms: u64,
}

/// One stored job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRow {
    pub id: i64,
    pub run_id: i64,
    pub symbol: String,
    pub asset_class: AssetClass,
    pub status: JobStatus,
    /// Provider calls made, retries included.
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Time spent fetching (every timeframe, retries and waits included), ms.
    pub fetch_ms: f64,
    /// Time spent checking, storing and computing indicators, ms.
    pub compute_ms: f64,
    pub bars_added: u64,
    pub quality_issues: u64,
    pub last_error: Option<String>,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFinish {
    pub status: JobStatus,
    pub attempts: u32,
    pub finished_at: DateTime<Utc>,
    pub fetch_ms: f64,
    pub compute_ms: f64,
    pub bars_added: u64,
    pub quality_issues: u64,
    pub last_error: Option<String>,
}

/// The fetch of one timeframe of a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchRow {
    pub timeframe: Timeframe,
    pub status: FetchStatus,
    /// The range asked of the provider: bars that opened in `[from, to)`.
    pub range_from: DateTime<Utc>,
    pub range_to: DateTime<Utc>,
    /// Provider calls made (1 + retries).
    pub attempts: u32,
    /// Time inside provider calls, summed over attempts, ms.
    pub calls_ms: f64,
    /// The whole fetch stage, backoff waits included, ms.
    pub fetch_ms: f64,
    /// Whether indicators were computed (None: not tried, the fetch failed).
    pub compute_ok: Option<bool>,
    pub compute_ms: f64,
    pub bars_fetched: u64,
    /// Bars new to the store.
    pub bars_added: u64,
    /// Stored bars whose values the provider changed.
    pub bars_revised: u64,
    pub bars_quarantined: u64,
    pub quality_issues: u64,
    pub finished_at: DateTime<Utc>,
    pub error: Option<String>,
}

/// The kinds of problem the checks find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityCheck {
    Gap,
    Duplicate,
    Ohlc,
    NonPositive,
    Stale,
}

impl QualityCheck {
    pub const ALL: [QualityCheck; 5] = [
        QualityCheck::Gap,
        QualityCheck::Duplicate,
        QualityCheck::Ohlc,
        QualityCheck::NonPositive,
        QualityCheck::Stale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QualityCheck::Gap => "gap",
            QualityCheck::Duplicate => "duplicate",
            QualityCheck::Ohlc => "ohlc",
            QualityCheck::NonPositive => "non_positive",
            QualityCheck::Stale => "stale",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        QualityCheck::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for QualityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub kind: QualityCheck,
    /// The bar concerned (for a gap: the first missing bar).
    pub bar_time: Option<DateTime<Utc>>,
    pub detail: String,
}

/// A bar kept out of the good bars, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub bar: Bar,
    pub kind: QualityCheck,
    pub reason: String,
}

/// What the checks made of a fetch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    /// The bars to store, oldest first, one per open time.
    pub good: Vec<Bar>,
    pub quarantined: Vec<Quarantined>,
    /// Every issue, the quarantined bars' included.
    pub issues: Vec<Issue>,
}

/// A stored quality issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueRow {
    pub job_id: i64,
    pub symbol: String,
    pub timeframe: Timeframe,
    pub kind: QualityCheck,
    pub bar_time: Option<DateTime<Utc>>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// The latest indicators of one symbol and timeframe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    pub symbol: String,
    pub timeframe: Timeframe,
    #[serde(flatten)]
    pub values: Snapshot,
    /// Bars they were computed over.
    pub bars: u64,
    pub computed_at: DateTime<Utc>,
}

/// Stored bars of one symbol and timeframe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarSpan {
    pub timeframe: Timeframe,
    pub bars: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub quarantined: u64,
}

/// Where an incremental fetch starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarWindow {
    /// The open of the `overlap`-th newest stored bar (just after the newest with no
    /// overlap); None with fewer bars stored: fetch the whole lookback.
    pub from: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

/// New and revised bars of one store.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BarCounts {
    pub added: u64,
    pub revised: u64,
}

/// The pause flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PauseState {
    pub paused: bool,
    pub reason: Option<String>,
    /// When it was last paused or resumed (None: never).
    pub changed_at: Option<DateTime<Utc>>,
}

/// Fetch and compute counts over a span, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FetchStats {
    pub fetches: u64,
    pub fetches_ok: u64,
    pub fetches_failed: u64,
    pub fetches_skipped: u64,
    pub computes: u64,
    pub computes_ok: u64,
    /// Provider calls (attempts) and the time inside them.
    pub calls: u64,
    pub calls_ms: f64,
    pub bars_added: u64,
    pub bars_quarantined: u64,
}

/// Jobs by how they ended over a span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct JobStats {
    pub succeeded: u64,
    pub failed: u64,
    pub skipped: u64,
}

fn tf(s: &str, table: &'static str) -> Result<Timeframe> {
    s.parse().map_err(|_| corrupt(table, "timeframe", s))
}

fn opt_ts(
    v: Option<String>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    v.map(|s| parse_ts(&s, table, column)).transpose()
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

const RUN_COLUMNS: &str = "id, started_at, as_of, finished_at, status, provider, pid, timeframes, \
     symbols, succeeded, failed, skipped, bars_added, bars_quarantined, quality_issues, \
     provider_calls, retries, duration_ms";

fn run_row(r: &Row<'_>) -> Result<RunRow> {
    let status: String = r.get(4)?;
    let tfs: String = r.get(7)?;
    Ok(RunRow {
        id: r.get(0)?,
        started_at: parse_ts(&r.get::<_, String>(1)?, "enrich_runs", "started_at")?,
        as_of: parse_ts(&r.get::<_, String>(2)?, "enrich_runs", "as_of")?,
        finished_at: opt_ts(r.get(3)?, "enrich_runs", "finished_at")?,
        status: RunStatus::parse(&status)?,
        provider: r.get(5)?,
        pid: r.get(6)?,
        timeframes: tfs
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| tf(s, "enrich_runs"))
            .collect::<Result<_>>()?,
        symbols: u(r.get(8)?),
        succeeded: u(r.get(9)?),
        failed: u(r.get(10)?),
        skipped: u(r.get(11)?),
        bars_added: u(r.get(12)?),
        bars_quarantined: u(r.get(13)?),
        quality_issues: u(r.get(14)?),
        provider_calls: u(r.get(15)?),
        retries: u(r.get(16)?),
        duration_ms: r.get::<_, Option<i64>>(17)?.map(u),
    })
}

const JOB_COLUMNS: &str = "id, run_id, symbol, asset_class, status, attempts, queued_at, \
     started_at, finished_at, fetch_ms, compute_ms, bars_added, quality_issues, last_error";

fn job_row(r: &Row<'_>) -> Result<JobRow> {
    let class: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(JobRow {
        id: r.get(0)?,
        run_id: r.get(1)?,
        symbol: r.get(2)?,
        asset_class: class
            .parse()
            .map_err(|_| corrupt("enrich_jobs", "asset_class", &class))?,
        status: JobStatus::parse(&status)?,
        attempts: r.get(5)?,
        queued_at: parse_ts(&r.get::<_, String>(6)?, "enrich_jobs", "queued_at")?,
        started_at: opt_ts(r.get(7)?, "enrich_jobs", "started_at")?,
        finished_at: opt_ts(r.get(8)?, "enrich_jobs", "finished_at")?,
        fetch_ms: r.get(9)?,
        compute_ms: r.get(10)?,
        bars_added: u(r.get(11)?),
        quality_issues: u(r.get(12)?),
        last_error: r.get(13)?,
    })
}

fn fetch_row(r: &Row<'_>) -> Result<FetchRow> {
    const T: &str = "enrich_fetches";
    let ts_at = |i: usize, column: &'static str| -> Result<DateTime<Utc>> {
        parse_ts(&r.get::<_, String>(i)?, T, column)
    };
    Ok(FetchRow {
        timeframe: tf(&r.get::<_, String>(0)?, T)?,
        status: FetchStatus::parse(&r.get::<_, String>(1)?)?,
        range_from: ts_at(2, "range_from")?,
        range_to: ts_at(3, "range_to")?,
        attempts: r.get(4)?,
        calls_ms: r.get(5)?,
        fetch_ms: r.get(6)?,
        compute_ok: r.get(7)?,
        compute_ms: r.get(8)?,
        bars_fetched: u(r.get(9)?),
        bars_added: u(r.get(10)?),
        bars_revised: u(r.get(11)?),
        bars_quarantined: u(r.get(12)?),
        quality_issues: u(r.get(13)?),
        finished_at: ts_at(14, "finished_at")?,
        error: r.get(15)?,
    })
}

fn issue_row(r: &Row<'_>) -> Result<IssueRow> {
    const T: &str = "enrich_quality";
    let kind: String = r.get(3)?;
    Ok(IssueRow {
        job_id: r.get(0)?,
        symbol: r.get(1)?,
        timeframe: tf(&r.get::<_, String>(2)?, T)?,
        kind: QualityCheck::parse(&kind).ok_or_else(|| corrupt(T, "kind", &kind))?,
        bar_time: opt_ts(r.get(4)?, T, "bar_time")?,
        detail: r.get(5)?,
        created_at: parse_ts(&r.get::<_, String>(6)?, T, "created_at")?,
    })
}

/// The `enrich` family: `Store::enrich()` reads, `Store::enrich_mut()` also writes.
pub struct Enrich<S>(pub(super) S);

impl<S: Deref<Target = Store>> Enrich<S> {
    /// Whether this database has enrich's tables (a read-only reader of a database that no
    /// newer optctl has written yet finds none: that is "nothing enriched yet").
    pub fn has_tables(&self) -> Result<bool> {
        Ok(self.0.conn().query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'enrich_runs'",
            [],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Where the next fetch of `symbol` at `timeframe` starts, and the newest stored bar.
    pub fn bar_window(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        overlap: u32,
    ) -> Result<BarWindow> {
        let at = |offset: i64| -> Result<Option<DateTime<Utc>>> {
            let t: Option<String> = self
                .0
                .conn()
                .prepare_cached(
                    "SELECT time FROM bars WHERE symbol = ?1 AND timeframe = ?2
                     ORDER BY time DESC LIMIT 1 OFFSET ?3",
                )?
                .query_row(params![symbol, timeframe.as_str(), offset], |r| r.get(0))
                .optional()?;
            opt_ts(t, "bars", "time")
        };
        let newest = at(0)?;
        let from = if overlap == 0 {
            // No overlap: start just after the newest bar.
            newest.map(|t| t + chrono::TimeDelta::seconds(1))
        } else {
            at(i64::from(overlap) - 1)?
        };
        Ok(BarWindow { from, newest })
    }

    /// Good bars of `symbol` at `timeframe` that opened at or after `from`, oldest first.
    pub fn bars_since(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
    ) -> Result<Vec<Bar>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT time, open, high, low, close, volume FROM bars
             WHERE symbol = ?1 AND timeframe = ?2 AND time >= ?3 ORDER BY time",
        )?;
        let rows = st.query_map(params![symbol, timeframe.as_str(), ts(from)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        rows.map(|r| {
            let (t, open, high, low, close, volume) = r?;
            Ok(Bar {
                time: parse_ts(&t, "bars", "time")?,
                open,
                high,
                low,
                close,
                volume: u(volume),
            })
        })
        .collect()
    }

    /// The latest indicators of `symbol`, shortest timeframe first.
    pub fn list_indicators(&self, symbol: &str) -> Result<Vec<IndicatorRow>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT timeframe, time, close, sma_20, sma_50, sma_200, ema_12, ema_26, rsi_14, macd,
                    macd_signal, macd_histogram, atr_14, bb_middle, bb_upper, bb_lower, rv_20,
                    rv_60, high_52w, low_52w, bars, computed_at
             FROM indicators WHERE symbol = ?1",
        )?;
        let rows = st.query_map([symbol], |r| {
            let tf_s: String = r.get(0)?;
            let time: String = r.get(1)?;
            let computed: String = r.get(21)?;
            let values = Snapshot {
                time: DateTime::<Utc>::MIN_UTC,
                close: r.get(2)?,
                sma_20: r.get(3)?,
                sma_50: r.get(4)?,
                sma_200: r.get(5)?,
                ema_12: r.get(6)?,
                ema_26: r.get(7)?,
                rsi_14: r.get(8)?,
                macd: r.get(9)?,
                macd_signal: r.get(10)?,
                macd_histogram: r.get(11)?,
                atr_14: r.get(12)?,
                bb_middle: r.get(13)?,
                bb_upper: r.get(14)?,
                bb_lower: r.get(15)?,
                rv_20: r.get(16)?,
                rv_60: r.get(17)?,
                high_52w: r.get(18)?,
                low_52w: r.get(19)?,
            };
            Ok((tf_s, time, values, r.get::<_, i64>(20)?, computed))
        })?;
        let mut out = rows
            .map(|r| {
                let (tf_s, time, mut values, bars, computed) = r?;
                values.time = parse_ts(&time, "indicators", "time")?;
                Ok(IndicatorRow {
                    symbol: symbol.to_string(),
                    timeframe: tf(&tf_s, "indicators")?,
                    values,
                    bars: u(bars),
                    computed_at: parse_ts(&computed, "indicators", "computed_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| r.timeframe);
        Ok(out)
    }

    /// Stored bars of `symbol` per timeframe (count, first, last, quarantined).
    pub fn list_bar_spans(&self, symbol: &str) -> Result<Vec<BarSpan>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT timeframe, count(*), min(time), max(time),
                    (SELECT count(*) FROM quarantined_bars q
                     WHERE q.symbol = b.symbol AND q.timeframe = b.timeframe)
             FROM bars b WHERE symbol = ?1 GROUP BY timeframe",
        )?;
        let rows = st.query_map([symbol], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = rows
            .map(|r| {
                let (t, n, first, last, q) = r?;
                Ok(BarSpan {
                    timeframe: tf(&t, "bars")?,
                    bars: u(n),
                    first: parse_ts(&first, "bars", "time")?,
                    last: parse_ts(&last, "bars", "time")?,
                    quarantined: u(q),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|s| s.timeframe);
        Ok(out)
    }

    /// Runs, newest first (all with `limit` None).
    pub fn list_runs(&self, limit: Option<u64>) -> Result<Vec<RunRow>> {
        let mut st = self.0.conn().prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM enrich_runs ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit.map_or(-1, |l| l as i64)], |r| Ok(run_row(r)))?;
        rows.map(|r| r?).collect()
    }

    /// One run by id.
    pub fn get_run(&self, id: i64) -> Result<Option<RunRow>> {
        optional(self.0.conn().query_row(
            &format!("SELECT {RUN_COLUMNS} FROM enrich_runs WHERE id = ?1"),
            [id],
            |r| Ok(run_row(r)),
        ))?
        .transpose()
    }

    /// Runs started at or after `since`.
    pub fn count_runs_since(&self, since: DateTime<Utc>) -> Result<u64> {
        Ok(u(self.0.conn().query_row(
            "SELECT count(*) FROM enrich_runs WHERE started_at >= ?1",
            [ts(since)],
            |r| r.get(0),
        )?))
    }

    /// The newest run with one of `statuses`.
    pub fn latest_run(&self, statuses: &[RunStatus]) -> Result<Option<RunRow>> {
        let list: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM enrich_runs WHERE status IN ({}) ORDER BY id DESC LIMIT 1",
            list.join(",")
        );
        optional(self.0.conn().query_row(&sql, [], |r| Ok(run_row(r))))?.transpose()
    }

    /// Jobs of a run by status: queued, running or retrying, and finished.
    pub fn job_progress(&self, run_id: i64) -> Result<(u64, u64, u64)> {
        Ok(self.0.conn().query_row(
            "SELECT coalesce(sum(status = 'queued'), 0),
                    coalesce(sum(status IN ('running', 'retrying')), 0),
                    coalesce(sum(status IN ('succeeded', 'failed', 'skipped')), 0)
             FROM enrich_jobs WHERE run_id = ?1",
            [run_id],
            |r| Ok((u(r.get(0)?), u(r.get(1)?), u(r.get(2)?))),
        )?)
    }

    /// The newest job of `symbol` (any case).
    pub fn latest_job(&self, symbol: &str) -> Result<Option<JobRow>> {
        optional(self.0.conn().query_row(
            &format!(
                "SELECT {JOB_COLUMNS} FROM enrich_jobs WHERE symbol = upper(?1) ORDER BY id DESC LIMIT 1"
            ),
            [symbol],
            |r| Ok(job_row(r)),
        ))?
        .transpose()
    }

    /// The jobs of a run, in queue order.
    pub fn list_jobs(&self, run_id: i64) -> Result<Vec<JobRow>> {
        let mut st = self.0.conn().prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM enrich_jobs WHERE run_id = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([run_id], |r| Ok(job_row(r)))?;
        rows.map(|r| r?).collect()
    }

    /// The fetches of a job, shortest timeframe first.
    pub fn list_fetches(&self, job_id: i64) -> Result<Vec<FetchRow>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT timeframe, status, range_from, range_to, attempts, calls_ms, fetch_ms,
                    compute_ok, compute_ms, bars_fetched, bars_added, bars_revised,
                    bars_quarantined, quality_issues, finished_at, error
             FROM enrich_fetches WHERE job_id = ?1",
        )?;
        let rows = st.query_map([job_id], |r| Ok(fetch_row(r)))?;
        let mut out = rows.map(|r| r?).collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|f| f.timeframe);
        Ok(out)
    }

    /// The quality issues of a job, in the order found.
    pub fn list_issues(&self, job_id: i64) -> Result<Vec<IssueRow>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT job_id, symbol, timeframe, kind, bar_time, detail, created_at
             FROM enrich_quality WHERE job_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([job_id], |r| Ok(issue_row(r)))?;
        rows.map(|r| r?).collect()
    }

    /// Fetches that finished at or after `since`.
    pub fn fetch_stats(&self, since: DateTime<Utc>) -> Result<FetchStats> {
        Ok(self.0.conn().query_row(
            "SELECT count(*), coalesce(sum(status = 'succeeded'), 0),
                    coalesce(sum(status = 'failed'), 0), coalesce(sum(status = 'skipped'), 0),
                    coalesce(sum(compute_ok IS NOT NULL), 0), coalesce(sum(compute_ok = 1), 0),
                    coalesce(sum(attempts), 0), coalesce(sum(calls_ms), 0),
                    coalesce(sum(bars_added), 0), coalesce(sum(bars_quarantined), 0)
             FROM enrich_fetches WHERE finished_at >= ?1",
            [ts(since)],
            |r| {
                Ok(FetchStats {
                    fetches: u(r.get(0)?),
                    fetches_ok: u(r.get(1)?),
                    fetches_failed: u(r.get(2)?),
                    fetches_skipped: u(r.get(3)?),
                    computes: u(r.get(4)?),
                    computes_ok: u(r.get(5)?),
                    calls: u(r.get(6)?),
                    calls_ms: r.get(7)?,
                    bars_added: u(r.get(8)?),
                    bars_quarantined: u(r.get(9)?),
                })
            },
        )?)
    }

    /// Jobs that finished at or after `since`, by status.
    pub fn job_stats(&self, since: DateTime<Utc>) -> Result<JobStats> {
        Ok(self.0.conn().query_row(
            "SELECT coalesce(sum(status = 'succeeded'), 0), coalesce(sum(status = 'failed'), 0),
                    coalesce(sum(status = 'skipped'), 0)
             FROM enrich_jobs WHERE finished_at >= ?1",
            [ts(since)],
            |r| {
                Ok(JobStats {
                    succeeded: u(r.get(0)?),
                    failed: u(r.get(1)?),
                    skipped: u(r.get(2)?),
                })
            },
        )?)
    }

    /// Quality issues found at or after `since`, per check.
    pub fn quality_counts(&self, since: DateTime<Utc>) -> Result<Vec<(QualityCheck, u64)>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT kind, count(*) FROM enrich_quality WHERE created_at >= ?1 GROUP BY kind",
        )?;
        let rows = st.query_map([ts(since)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut counts: Vec<(QualityCheck, u64)> =
            QualityCheck::ALL.iter().map(|c| (*c, 0)).collect();
        for r in rows {
            let (kind, n) = r?;
            let kind = QualityCheck::parse(&kind)
                .ok_or_else(|| corrupt("enrich_quality", "kind", &kind))?;
            if let Some(c) = counts.iter_mut().find(|c| c.0 == kind) {
                c.1 = u(n);
            }
        }
        Ok(counts)
    }

    /// The pause flag (not paused when never set).
    pub fn pause(&self) -> Result<PauseState> {
        let row = optional(self.0.conn().query_row(
            "SELECT paused, reason, changed_at FROM enrich_control WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, bool>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        ))?;
        Ok(match row {
            None => PauseState {
                paused: false,
                reason: None,
                changed_at: None,
            },
            Some((paused, reason, at)) => PauseState {
                paused,
                reason,
                changed_at: Some(parse_ts(&at, "enrich_control", "changed_at")?),
            },
        })
    }
}

impl<S: DerefMut<Target = Store>> Enrich<S> {
    /// Records a new enrich run as `running`; returns its id.
    pub fn begin_run(
        &mut self,
        started_at: DateTime<Utc>,
        as_of: DateTime<Utc>,
        provider: &str,
        timeframes: &[Timeframe],
        symbols: u64,
    ) -> Result<i64> {
        let tfs: Vec<&str> = timeframes.iter().map(|t| t.as_str()).collect();
        self.0.write(|tx| {
            tx.execute(
                "INSERT INTO enrich_runs (started_at, as_of, status, provider, pid, timeframes, symbols)
                 VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6)",
                params![
                    ts(started_at),
                    ts(as_of),
                    provider,
                    std::process::id(),
                    tfs.join(","),
                    symbols as i64
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Records how a run ended.
    pub fn finish_run(
        &mut self,
        id: i64,
        status: RunStatus,
        finished_at: DateTime<Utc>,
        t: &RunTotals,
    ) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "UPDATE enrich_runs SET status = ?2, finished_at = ?3, succeeded = ?4, failed = ?5,
                        skipped = ?6, bars_added = ?7, bars_quarantined = ?8, quality_issues = ?9,
                        provider_calls = ?10, retries = ?11, duration_ms = ?12
                 WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    ts(finished_at),
                    t.succeeded as i64,
                    t.failed as i64,
                    t.skipped as i64,
                    t.bars_added as i64,
                    t.bars_quarantined as i64,
                    t.quality_issues as i64,
                    t.provider_calls as i64,
                    t.retries as i64,
                    t.duration_ms as i64,
                ],
            )?;
            Ok(())
        })
    }

    /// Marks every run still `running` as `interrupted`, and its unfinished jobs as failed.
    /// Call only while holding the enrich lock: then each such run belongs to a dead process.
    pub fn mark_interrupted(&mut self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        self.0.write(|tx| {
            let mut st = tx.prepare("SELECT id FROM enrich_runs WHERE status = 'running'")?;
            let ids = st
                .query_map([], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.execute(
                "UPDATE enrich_jobs SET status = 'failed', finished_at = ?1,
                        last_error = 'interrupted: the run''s process died'
                 WHERE status IN ('queued', 'running', 'retrying')
                   AND run_id IN (SELECT id FROM enrich_runs WHERE status = 'running')",
                [ts(now)],
            )?;
            tx.execute(
                "UPDATE enrich_runs SET status = 'interrupted', finished_at = ?1
                 WHERE status = 'running'",
                [ts(now)],
            )?;
            Ok(ids)
        })
    }

    /// Queues one job per symbol; returns their ids in the same order.
    pub fn queue_jobs(
        &mut self,
        run_id: i64,
        symbols: &[(String, AssetClass)],
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        self.0.write(|tx| {
            let mut st = tx.prepare(
                "INSERT INTO enrich_jobs (run_id, symbol, asset_class, status, queued_at)
                 VALUES (?1, ?2, ?3, 'queued', ?4)",
            )?;
            let mut ids = Vec::with_capacity(symbols.len());
            for (symbol, class) in symbols {
                st.execute(params![run_id, symbol, class.as_str(), ts(at)])?;
                ids.push(tx.last_insert_rowid());
            }
            Ok(ids)
        })
    }

    /// Moves a job to `running` (setting its start) or `retrying`, with its attempts so far
    /// and the error that caused a retry.
    pub fn set_job_status(
        &mut self,
        job_id: i64,
        status: JobStatus,
        at: DateTime<Utc>,
        attempts: u32,
        error: Option<&str>,
    ) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "UPDATE enrich_jobs SET status = ?2, attempts = ?4,
                        started_at = coalesce(started_at, ?3),
                        last_error = coalesce(?5, last_error)
                 WHERE id = ?1",
                params![job_id, status.as_str(), ts(at), attempts, error],
            )?;
            Ok(())
        })
    }

    /// Records how a job ended.
    pub fn finish_job(&mut self, job_id: i64, f: &JobFinish) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "UPDATE enrich_jobs SET status = ?2, attempts = ?3, finished_at = ?4,
                        started_at = coalesce(started_at, ?4), fetch_ms = ?5, compute_ms = ?6,
                        bars_added = ?7, quality_issues = ?8, last_error = ?9
                 WHERE id = ?1",
                params![
                    job_id,
                    f.status.as_str(),
                    f.attempts,
                    ts(f.finished_at),
                    f.fetch_ms,
                    f.compute_ms,
                    f.bars_added as i64,
                    f.quality_issues as i64,
                    f.last_error,
                ],
            )?;
            Ok(())
        })
    }

    /// Stores a checked fetch in one transaction: the good bars upserted (a bar already
    /// stored with the same values is left alone), the quarantined ones apart, the issues.
    pub fn record_bars(
        &mut self,
        job_id: i64,
        run_id: i64,
        symbol: &str,
        timeframe: Timeframe,
        checked: &Checked,
        at: DateTime<Utc>,
    ) -> Result<BarCounts> {
        let tfs = timeframe.as_str();
        self.0.write(|tx| {
            let mut counts = BarCounts::default();
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO bars (symbol, timeframe, time, open, high, low, close, volume, run_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut revise = tx.prepare_cached(
                "UPDATE bars SET open = ?4, high = ?5, low = ?6, close = ?7, volume = ?8, run_id = ?9
                 WHERE symbol = ?1 AND timeframe = ?2 AND time = ?3
                   AND (open <> ?4 OR high <> ?5 OR low <> ?6 OR close <> ?7 OR volume <> ?8)",
            )?;
            for b in &checked.good {
                let p = params![
                    symbol,
                    tfs,
                    ts(b.time),
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.volume as i64,
                    run_id
                ];
                if insert.execute(p)? == 1 {
                    counts.added += 1;
                } else if revise.execute(p)? == 1 {
                    counts.revised += 1;
                }
            }
            let mut q = tx.prepare_cached(
                "INSERT INTO quarantined_bars (job_id, symbol, timeframe, time, open, high, low, close, volume, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let finite = |v: f64| v.is_finite().then_some(v);
            for x in &checked.quarantined {
                let b = &x.bar;
                q.execute(params![
                    job_id,
                    symbol,
                    tfs,
                    ts(b.time),
                    finite(b.open),
                    finite(b.high),
                    finite(b.low),
                    finite(b.close),
                    b.volume as i64,
                    format!("{}: {}", x.kind, x.reason),
                ])?;
            }
            let mut i = tx.prepare_cached(
                "INSERT INTO enrich_quality (job_id, symbol, timeframe, kind, bar_time, detail, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for issue in &checked.issues {
                i.execute(params![
                    job_id,
                    symbol,
                    tfs,
                    issue.kind.as_str(),
                    issue.bar_time.map(ts),
                    issue.detail,
                    ts(at)
                ])?;
            }
            Ok(counts)
        })
    }

    /// Records the fetch of one timeframe of a job.
    pub fn record_fetch(&mut self, job_id: i64, f: &FetchRow) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO enrich_fetches (job_id, timeframe, status, range_from,
                        range_to, attempts, calls_ms, fetch_ms, compute_ok, compute_ms,
                        bars_fetched, bars_added, bars_revised, bars_quarantined,
                        quality_issues, finished_at, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    job_id,
                    f.timeframe.as_str(),
                    f.status.as_str(),
                    ts(f.range_from),
                    ts(f.range_to),
                    f.attempts,
                    f.calls_ms,
                    f.fetch_ms,
                    f.compute_ok,
                    f.compute_ms,
                    f.bars_fetched as i64,
                    f.bars_added as i64,
                    f.bars_revised as i64,
                    f.bars_quarantined as i64,
                    f.quality_issues as i64,
                    ts(f.finished_at),
                    f.error,
                ],
            )?;
            Ok(())
        })
    }

    /// Stores the latest indicators of `symbol` at `timeframe`, replacing the previous.
    pub fn record_indicators(
        &mut self,
        symbol: &str,
        timeframe: Timeframe,
        s: &Snapshot,
        bars: u64,
        computed_at: DateTime<Utc>,
        run_id: i64,
    ) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO indicators (symbol, timeframe, time, close, sma_20, sma_50,
                        sma_200, ema_12, ema_26, rsi_14, macd, macd_signal, macd_histogram, atr_14,
                        bb_middle, bb_upper, bb_lower, rv_20, rv_60, high_52w, low_52w, bars,
                        computed_at, run_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
                params![
                    symbol,
                    timeframe.as_str(),
                    ts(s.time),
                    s.close,
                    s.sma_20,
                    s.sma_50,
                    s.sma_200,
                    s.ema_12,
                    s.ema_26,
                    s.rsi_14,
                    s.macd,
                    s.macd_signal,
                    s.macd_histogram,
                    s.atr_14,
                    s.bb_middle,
                    s.bb_upper,
                    s.bb_lower,
                    s.rv_20,
                    s.rv_60,
                    s.high_52w,
                    s.low_52w,
                    bars as i64,
                    ts(computed_at),
                    run_id
                ],
            )?;
            Ok(())
        })
    }

    /// Pauses (with a reason) or resumes enrichment.
    pub fn set_pause(
        &mut self,
        paused: bool,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.0.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO enrich_control (id, paused, reason, changed_at)
                 VALUES (1, ?1, ?2, ?3)",
                params![paused, reason, ts(at)],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_store;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 30, 0).unwrap()
    }

    fn bar(h: u32, close: f64) -> Bar {
        Bar {
            time: t(h),
            open: close,
            high: close + 1.0,
            low: close - 1.0,
            close,
            volume: 10,
        }
    }

    #[test]
    fn bars_upsert_idempotently_and_count_new_and_revised() {
        let (_dir, mut s) = temp_store();
        let run = s
            .enrich_mut()
            .begin_run(t(1), t(1), "sim", &[Timeframe::H1], 1)
            .unwrap();
        let job = s
            .enrich_mut()
            .queue_jobs(run, &[("AAPL".into(), AssetClass::Stock)], t(1))
            .unwrap()[0];
        let checked = |bars: Vec<Bar>| Checked {
            good: bars,
            ..Checked::default()
        };
        let first = checked(vec![bar(14, 10.0), bar(15, 11.0)]);
        let c = s
            .enrich_mut()
            .record_bars(job, run, "AAPL", Timeframe::H1, &first, t(16))
            .unwrap();
        assert_eq!(
            c,
            BarCounts {
                added: 2,
                revised: 0
            }
        );
        // The same bars again: nothing changes.
        let c = s
            .enrich_mut()
            .record_bars(job, run, "AAPL", Timeframe::H1, &first, t(16))
            .unwrap();
        assert_eq!(c, BarCounts::default());
        // A revision and a new bar.
        let next = checked(vec![bar(15, 11.5), bar(16, 12.0)]);
        let c = s
            .enrich_mut()
            .record_bars(job, run, "AAPL", Timeframe::H1, &next, t(17))
            .unwrap();
        assert_eq!(
            c,
            BarCounts {
                added: 1,
                revised: 1
            }
        );
        let bars = s.enrich().bars_since("AAPL", Timeframe::H1, t(0)).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.close).collect::<Vec<_>>(),
            [10.0, 11.5, 12.0]
        );
        // The fetch window: the 2nd newest with overlap 2, just after the newest with 0.
        let w = |sym, overlap| {
            let w = s.enrich().bar_window(sym, Timeframe::H1, overlap).unwrap();
            (w.from, w.newest)
        };
        assert_eq!(w("AAPL", 2), (Some(t(15)), Some(t(16))));
        assert_eq!(w("AAPL", 9), (None, Some(t(16))));
        assert_eq!(w("AAPL", 0).0, Some(t(16) + chrono::TimeDelta::seconds(1)));
        assert_eq!(w("MSFT", 2), (None, None));
    }

    #[test]
    fn quarantined_bars_and_issues_are_kept_apart() {
        let (_dir, mut s) = temp_store();
        let run = s
            .enrich_mut()
            .begin_run(t(1), t(1), "sim", &[Timeframe::H1], 1)
            .unwrap();
        let job = s
            .enrich_mut()
            .queue_jobs(run, &[("AAPL".into(), AssetClass::Stock)], t(1))
            .unwrap()[0];
        let mut bad = bar(15, 11.0);
        bad.close = f64::NAN;
        let checked = Checked {
            good: vec![bar(14, 10.0)],
            quarantined: vec![Quarantined {
                bar: bad,
                kind: QualityCheck::NonPositive,
                reason: "a price is not positive".into(),
            }],
            issues: vec![Issue {
                kind: QualityCheck::NonPositive,
                bar_time: Some(t(15)),
                detail: "a price is not positive".into(),
            }],
        };
        s.enrich_mut()
            .record_bars(job, run, "AAPL", Timeframe::H1, &checked, t(16))
            .unwrap();
        assert_eq!(
            s.enrich()
                .bars_since("AAPL", Timeframe::H1, t(0))
                .unwrap()
                .len(),
            1
        );
        let spans = s.enrich().list_bar_spans("AAPL").unwrap();
        assert_eq!((spans[0].bars, spans[0].quarantined), (1, 1));
        let issues = s.enrich().list_issues(job).unwrap();
        assert_eq!(issues[0].kind, QualityCheck::NonPositive);
        assert_eq!(issues[0].bar_time, Some(t(15)));
        let counts = s.enrich().quality_counts(t(0)).unwrap();
        assert!(counts.contains(&(QualityCheck::NonPositive, 1)));
        assert!(counts.contains(&(QualityCheck::Gap, 0)));
    }

    #[test]
    fn interrupted_runs_fail_their_unfinished_jobs() {
        let (_dir, mut s) = temp_store();
        let run = s
            .enrich_mut()
            .begin_run(t(1), t(1), "sim", &[Timeframe::D1], 2)
            .unwrap();
        let jobs = s
            .enrich_mut()
            .queue_jobs(
                run,
                &[
                    ("AAPL".into(), AssetClass::Stock),
                    ("SPY".into(), AssetClass::Etf),
                ],
                t(1),
            )
            .unwrap();
        s.enrich_mut()
            .finish_job(
                jobs[0],
                &JobFinish {
                    status: JobStatus::Succeeded,
                    attempts: 1,
                    finished_at: t(2),
                    fetch_ms: 1.0,
                    compute_ms: 1.0,
                    bars_added: 5,
                    quality_issues: 0,
                    last_error: None,
                },
            )
            .unwrap();
        s.enrich_mut()
            .set_job_status(jobs[1], JobStatus::Retrying, t(2), 2, Some("boom"))
            .unwrap();
        assert_eq!(s.enrich().job_progress(run).unwrap(), (0, 1, 1));
        assert_eq!(s.enrich_mut().mark_interrupted(t(3)).unwrap(), vec![run]);
        let rows = s.enrich().list_jobs(run).unwrap();
        assert_eq!(rows[0].status, JobStatus::Succeeded);
        assert_eq!(rows[1].status, JobStatus::Failed);
        assert!(
            rows[1]
                .last_error
                .as_deref()
                .unwrap()
                .contains("interrupted")
        );
        assert_eq!(
            s.enrich().list_runs(None).unwrap()[0].status,
            RunStatus::Interrupted
        );
        assert_eq!(s.enrich().latest_job("spy").unwrap().unwrap().id, jobs[1]);
    }

    #[test]
    fn the_pause_flag_round_trips() {
        let (_dir, mut s) = temp_store();
        assert!(!s.enrich().pause().unwrap().paused);
        s.enrich_mut()
            .set_pause(true, Some("vendor outage"), t(1))
            .unwrap();
        let p = s.enrich().pause().unwrap();
        assert!(p.paused);
        assert_eq!(p.reason.as_deref(), Some("vendor outage"));
        s.enrich_mut().set_pause(false, None, t(2)).unwrap();
        assert!(!s.enrich().pause().unwrap().paused);
    }
}
