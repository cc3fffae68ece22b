//! Enrich runs and their jobs: `enrich_runs`, `enrich_jobs`, `enrich_fetches`, and the
//! pause flag in `enrich_control`.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Enrich, corrupt, opt_ts, tf, u};
use crate::market::{AssetClass, Timeframe};
use crate::store::db::{Row, params, upsert_sql};
use crate::store::{Result, Store, parse_ts, ts};

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

const RUN_COLUMNS: &str = "id, started_at, as_of, finished_at, status, provider, pid, timeframes, \
     symbols, succeeded, failed, skipped, bars_added, bars_quarantined, quality_issues, \
     provider_calls, retries, duration_ms";

/// A stored count that must fit a `u32` (a pid, attempts).
fn u32_col(v: i64, table: &'static str, column: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(table, column, &v.to_string()))
}

fn run_row(r: &Row<'_, '_>) -> Result<RunRow> {
    let status: String = r.get(4)?;
    let tfs: String = r.get(7)?;
    Ok(RunRow {
        id: r.get(0)?,
        started_at: parse_ts(&r.get::<String>(1)?, "enrich_runs", "started_at")?,
        as_of: parse_ts(&r.get::<String>(2)?, "enrich_runs", "as_of")?,
        finished_at: opt_ts(r.get(3)?, "enrich_runs", "finished_at")?,
        status: RunStatus::parse(&status)?,
        provider: r.get(5)?,
        pid: u32_col(r.get(6)?, "enrich_runs", "pid")?,
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
        duration_ms: r.get::<Option<i64>>(17)?.map(u),
    })
}

const JOB_COLUMNS: &str = "id, run_id, symbol, asset_class, status, attempts, queued_at, \
     started_at, finished_at, fetch_ms, compute_ms, bars_added, quality_issues, last_error";

fn job_row(r: &Row<'_, '_>) -> Result<JobRow> {
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
        attempts: u32_col(r.get(5)?, "enrich_jobs", "attempts")?,
        queued_at: parse_ts(&r.get::<String>(6)?, "enrich_jobs", "queued_at")?,
        started_at: opt_ts(r.get(7)?, "enrich_jobs", "started_at")?,
        finished_at: opt_ts(r.get(8)?, "enrich_jobs", "finished_at")?,
        fetch_ms: r.get(9)?,
        compute_ms: r.get(10)?,
        bars_added: u(r.get(11)?),
        quality_issues: u(r.get(12)?),
        last_error: r.get(13)?,
    })
}

fn fetch_row(r: &Row<'_, '_>) -> Result<FetchRow> {
    const T: &str = "enrich_fetches";
    let ts_at = |i: usize, column: &'static str| -> Result<DateTime<Utc>> {
        parse_ts(&r.get::<String>(i)?, T, column)
    };
    Ok(FetchRow {
        timeframe: tf(&r.get::<String>(0)?, T)?,
        status: FetchStatus::parse(&r.get::<String>(1)?)?,
        range_from: ts_at(2, "range_from")?,
        range_to: ts_at(3, "range_to")?,
        attempts: u32_col(r.get(4)?, T, "attempts")?,
        calls_ms: r.get(5)?,
        fetch_ms: r.get(6)?,
        compute_ok: r.get::<Option<i64>>(7)?.map(|v| v != 0),
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

impl<S: Deref<Target = Store>> Enrich<S> {
    /// Whether this database has enrich's tables (a read-only reader of a database that no
    /// newer optctl has written yet finds none: that is "nothing enriched yet").
    pub fn has_tables(&self) -> Result<bool> {
        self.0.db().has_table("enrich_runs")
    }

    /// Runs, newest first (all with `limit` None).
    pub fn list_runs(&self, limit: Option<u64>) -> Result<Vec<RunRow>> {
        let limit = limit.map_or(i64::MAX, |l| l.min(i64::MAX as u64) as i64);
        self.0.db().query(
            &format!("SELECT {RUN_COLUMNS} FROM enrich_runs ORDER BY id DESC LIMIT ?1"),
            params![limit],
            run_row,
        )
    }

    /// One run by id.
    pub fn get_run(&self, id: i64) -> Result<Option<RunRow>> {
        self.0.db().query_opt(
            &format!("SELECT {RUN_COLUMNS} FROM enrich_runs WHERE id = ?1"),
            params![id],
            run_row,
        )
    }

    /// Runs started at or after `since`.
    pub fn count_runs_since(&self, since: DateTime<Utc>) -> Result<u64> {
        Ok(u(self.0.db().query_one(
            "SELECT count(*) FROM enrich_runs WHERE started_at >= ?1",
            params![ts(since)],
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
        self.0.db().query_opt(&sql, params![], run_row)
    }

    /// Jobs of a run by status: queued, running or retrying, and finished.
    pub fn job_progress(&self, run_id: i64) -> Result<(u64, u64, u64)> {
        self.0.db().query_one(
            "SELECT count(*) FILTER (WHERE status = 'queued'),
                    count(*) FILTER (WHERE status IN ('running', 'retrying')),
                    count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'skipped'))
             FROM enrich_jobs WHERE run_id = ?1",
            params![run_id],
            |r| Ok((u(r.get(0)?), u(r.get(1)?), u(r.get(2)?))),
        )
    }

    /// The newest job of `symbol` (any case).
    pub fn latest_job(&self, symbol: &str) -> Result<Option<JobRow>> {
        self.0.db().query_opt(
            &format!(
                "SELECT {JOB_COLUMNS} FROM enrich_jobs WHERE symbol = upper(CAST(?1 AS TEXT))
                 ORDER BY id DESC LIMIT 1"
            ),
            params![symbol],
            job_row,
        )
    }

    /// The jobs of a run, in queue order.
    pub fn list_jobs(&self, run_id: i64) -> Result<Vec<JobRow>> {
        self.0.db().query(
            &format!("SELECT {JOB_COLUMNS} FROM enrich_jobs WHERE run_id = ?1 ORDER BY id"),
            params![run_id],
            job_row,
        )
    }

    /// The fetches of a job, shortest timeframe first.
    pub fn list_fetches(&self, job_id: i64) -> Result<Vec<FetchRow>> {
        let mut out = self.0.db().query(
            "SELECT timeframe, status, range_from, range_to, attempts, calls_ms, fetch_ms,
                    compute_ok, compute_ms, bars_fetched, bars_added, bars_revised,
                    bars_quarantined, quality_issues, finished_at, error
             FROM enrich_fetches WHERE job_id = ?1",
            params![job_id],
            fetch_row,
        )?;
        out.sort_by_key(|f| f.timeframe);
        Ok(out)
    }

    /// Fetches that finished at or after `since`.
    pub fn fetch_stats(&self, since: DateTime<Utc>) -> Result<FetchStats> {
        // PostgreSQL sums BIGINTs as NUMERIC: the integer sums are cast back.
        self.0.db().query_one(
            "SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
                    count(*) FILTER (WHERE status = 'failed'),
                    count(*) FILTER (WHERE status = 'skipped'),
                    count(*) FILTER (WHERE compute_ok IS NOT NULL),
                    count(*) FILTER (WHERE compute_ok = 1),
                    CAST(coalesce(sum(attempts), 0) AS BIGINT), coalesce(sum(calls_ms), 0),
                    CAST(coalesce(sum(bars_added), 0) AS BIGINT),
                    CAST(coalesce(sum(bars_quarantined), 0) AS BIGINT)
             FROM enrich_fetches WHERE finished_at >= ?1",
            params![ts(since)],
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
        )
    }

    /// Jobs that finished at or after `since`, by status.
    pub fn job_stats(&self, since: DateTime<Utc>) -> Result<JobStats> {
        self.0.db().query_one(
            "SELECT count(*) FILTER (WHERE status = 'succeeded'),
                    count(*) FILTER (WHERE status = 'failed'),
                    count(*) FILTER (WHERE status = 'skipped')
             FROM enrich_jobs WHERE finished_at >= ?1",
            params![ts(since)],
            |r| {
                Ok(JobStats {
                    succeeded: u(r.get(0)?),
                    failed: u(r.get(1)?),
                    skipped: u(r.get(2)?),
                })
            },
        )
    }

    /// The pause flag (not paused when never set).
    pub fn pause(&self) -> Result<PauseState> {
        let row = self.0.db().query_opt(
            "SELECT paused, reason, changed_at FROM enrich_control WHERE id = 1",
            params![],
            |r| {
                Ok((
                    r.get::<i64>(0)? != 0,
                    r.get::<Option<String>>(1)?,
                    r.get::<String>(2)?,
                ))
            },
        )?;
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

const FETCH_COLUMNS: [&str; 17] = [
    "job_id",
    "timeframe",
    "status",
    "range_from",
    "range_to",
    "attempts",
    "calls_ms",
    "fetch_ms",
    "compute_ok",
    "compute_ms",
    "bars_fetched",
    "bars_added",
    "bars_revised",
    "bars_quarantined",
    "quality_issues",
    "finished_at",
    "error",
];

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
        self.0.transaction(|tx| {
            tx.insert_id(
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
            )
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
        self.0.transaction(|tx| {
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
        self.0.transaction(|tx| {
            let ids = tx.query(
                "SELECT id FROM enrich_runs WHERE status = 'running' ORDER BY id",
                params![],
                |r| r.get::<i64>(0),
            )?;
            tx.execute(
                "UPDATE enrich_jobs SET status = 'failed', finished_at = ?1,
                        last_error = 'interrupted: the run''s process died'
                 WHERE status IN ('queued', 'running', 'retrying')
                   AND run_id IN (SELECT id FROM enrich_runs WHERE status = 'running')",
                params![ts(now)],
            )?;
            tx.execute(
                "UPDATE enrich_runs SET status = 'interrupted', finished_at = ?1
                 WHERE status = 'running'",
                params![ts(now)],
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
        self.0.transaction(|tx| {
            let mut ids = Vec::with_capacity(symbols.len());
            for (symbol, class) in symbols {
                ids.push(tx.insert_id(
                    "INSERT INTO enrich_jobs (run_id, symbol, asset_class, status, queued_at)
                     VALUES (?1, ?2, ?3, 'queued', ?4)",
                    params![run_id, symbol, class.as_str(), ts(at)],
                )?);
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
        self.0.transaction(|tx| {
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
        self.0.transaction(|tx| {
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
                    &f.last_error,
                ],
            )?;
            Ok(())
        })
    }

    /// Records the fetch of one timeframe of a job (replacing an earlier record of it).
    pub fn record_fetch(&mut self, job_id: i64, f: &FetchRow) -> Result<()> {
        let sql = upsert_sql("enrich_fetches", &FETCH_COLUMNS, &["job_id", "timeframe"]);
        self.0.transaction(|tx| {
            tx.execute(
                &sql,
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
                    &f.error,
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
        let sql = upsert_sql(
            "enrich_control",
            &["id", "paused", "reason", "changed_at"],
            &["id"],
        );
        self.0.transaction(|tx| {
            tx.execute(&sql, params![1i64, paused, reason, ts(at)])?;
            Ok(())
        })
    }
}
