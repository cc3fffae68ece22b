//! The enrich run: one job per symbol, `concurrency` at once. For each timeframe a job
//! fetches the bars newer than the last stored one (less `overlap_bars`, to pick up
//! revisions; the lookback on a first fetch) through the provider's [`Guard`] (retry,
//! breaker, rate limiter, bulkhead), checks them (`quality`), stores the good ones and
//! quarantines the bad in one transaction, then computes the indicators over the stored
//! bars of the lookback and stores the latest values.
//!
//! The run row goes `running` -> `succeeded` / `partial` / `failed`; a run whose process
//! dies stays `running` until the next run marks it `interrupted` (the caller holds the
//! enrich job lock, see `crate::lock`).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::quality::{self, Context};
use super::{AssetClass, Calendar, Lookback};
use crate::market::Timeframe;
use crate::progress::Progress;
use crate::provider::{BarProvider, Counted};
use crate::quant::indicators;
use crate::resilience::{self, Clock, Guard, Policy};
use crate::store::enrich::{
    FetchRow, FetchStatus, JobFinish, JobStatus, PauseState, RunStatus, RunTotals,
};
use crate::store::{Location, Store};
use crate::{Error, Result};

/// What to enrich and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Symbols (upper case) with their class, each once.
    pub symbols: Vec<(String, AssetClass)>,
    pub timeframes: Vec<Timeframe>,
    /// Jobs at once.
    pub concurrency: usize,
    /// Retries of a failed fetch: the retry policy's `max_attempts` becomes this + 1.
    pub max_retries: u32,
    pub lookback: Lookback,
    pub overlap_bars: u32,
    pub stale_bars: u32,
    pub calendar: Calendar,
    /// The end of every fetched range, and where the run's clock starts.
    pub as_of: DateTime<Utc>,
    /// Runs dated more than this many days before the newest are deleted at the end;
    /// 0 keeps them all.
    pub keep_days: u32,
}

/// One symbol's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub job_id: i64,
    pub symbol: String,
    pub asset_class: AssetClass,
    pub status: JobStatus,
    /// Provider calls, retries included.
    pub attempts: u32,
    pub bars_fetched: u64,
    pub bars_added: u64,
    pub bars_revised: u64,
    pub bars_quarantined: u64,
    pub quality_issues: u64,
    pub fetch_ms: f64,
    pub compute_ms: f64,
    pub error: Option<String>,
    /// One per timeframe.
    pub fetches: Vec<FetchRow>,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run_id: i64,
    pub status: RunStatus,
    pub as_of: DateTime<Utc>,
    pub provider: String,
    pub timeframes: Vec<Timeframe>,
    pub symbols: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub skipped: u64,
    pub bars_fetched: u64,
    pub bars_added: u64,
    pub bars_revised: u64,
    pub bars_quarantined: u64,
    pub quality_issues: u64,
    pub provider_calls: u64,
    pub retries: u64,
    pub duration_ms: u64,
    /// Earlier runs found `running` from a dead process and marked `interrupted`.
    pub recovered_interrupted: Vec<i64>,
    pub jobs: Vec<JobSummary>,
}

/// How `enrich run` ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Enrichment is paused: nothing was done.
    Paused(PauseState),
    Ran(Box<Report>),
}

struct Shared {
    store: Mutex<Store>,
    guard: Guard,
    provider: Counted<dyn BarProvider>,
    opts: Options,
    run_id: i64,
    clock: Clock,
    retries: AtomicU64,
}

/// The run's connection; a poisoned lock still holds a usable one (each write is its own
/// transaction).
fn lock(m: &Mutex<Store>) -> MutexGuard<'_, Store> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Runs enrichment into the store at `db`, unless it is paused. The caller holds the
/// enrich job lock.
pub async fn run(
    db: &Location,
    provider: Box<dyn BarProvider>,
    mut policy: Policy,
    opts: &Options,
    progress: Arc<dyn Progress>,
) -> Result<Outcome> {
    let mut store = db.open()?;
    let pause = store.enrich().pause()?;
    if pause.paused {
        return Ok(Outcome::Paused(pause));
    }
    if opts.symbols.is_empty() {
        return Err(Error::Usage(
            "no symbols to enrich: the universe is empty (or no symbol matched the flags)".into(),
        ));
    }
    if opts.timeframes.is_empty() {
        return Err(Error::Usage("no timeframes to enrich".into()));
    }
    let started = Instant::now();
    let clock = Clock::starting_at(opts.as_of);
    let recovered = store.enrich_mut().mark_interrupted(clock.now())?;
    for id in &recovered {
        tracing::warn!(
            "enrich run {id} was left running by a process that died; marked interrupted"
        );
    }
    let name = provider.name().to_string();
    let run_id = store.enrich_mut().begin_run(
        clock.now(),
        opts.as_of,
        &name,
        &opts.timeframes,
        opts.symbols.len() as u64,
    )?;
    crate::monitor::set_current_run_id(run_id);
    let job_ids = store
        .enrich_mut()
        .queue_jobs(run_id, &opts.symbols, clock.now())?;
    policy.retry.max_attempts = opts.max_retries.saturating_add(1);
    let guard = Guard::open(db, &name, policy, clock.clone())?;
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        guard,
        provider: Counted::new(provider),
        opts: opts.clone(),
        run_id,
        clock,
        retries: AtomicU64::new(0),
    });

    progress.start(opts.symbols.len() as u64);
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, ((symbol, class), job_id)) in opts.symbols.iter().zip(job_ids).enumerate() {
        let shared = shared.clone();
        // Taken before the job is spawned, so jobs start in the listed order: tasks
        // spawned together may first run in any order.
        let permit = permits.clone().acquire_owned().await;
        let progress = progress.clone();
        let (symbol, class) = (symbol.clone(), *class);
        tasks.spawn(async move {
            let _permit = permit;
            let summary = shared.job(job_id, &symbol, class).await;
            progress.advance(&symbol, summary.status == JobStatus::Succeeded);
            (i, summary)
        });
    }
    let mut jobs: Vec<(usize, JobSummary)> = Vec::with_capacity(opts.symbols.len());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(j) => jobs.push(j),
            Err(e) => return Err(Error::Failed(format!("an enrich job panicked: {e}"))),
        }
    }
    progress.finish();
    jobs.sort_by_key(|(i, _)| *i);
    let jobs: Vec<JobSummary> = jobs.into_iter().map(|(_, j)| j).collect();

    let count = |s: JobStatus| jobs.iter().filter(|j| j.status == s).count() as u64;
    let sum = |f: fn(&JobSummary) -> u64| jobs.iter().map(f).sum::<u64>();
    let totals = RunTotals {
        succeeded: count(JobStatus::Succeeded),
        failed: count(JobStatus::Failed),
        skipped: count(JobStatus::Skipped),
        bars_added: sum(|j| j.bars_added),
        bars_quarantined: sum(|j| j.bars_quarantined),
        quality_issues: sum(|j| j.quality_issues),
        provider_calls: shared.provider.calls(),
        retries: shared.retries.load(Ordering::Relaxed),
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let status = if totals.failed + totals.skipped == 0 {
        RunStatus::Succeeded
    } else if totals.succeeded == 0 {
        RunStatus::Failed
    } else {
        RunStatus::Partial
    };
    let finished_at = shared.clock.now();
    lock(&shared.store)
        .enrich_mut()
        .finish_run(run_id, status, finished_at, &totals)?;
    prune(
        &mut lock(&shared.store),
        run_id,
        opts.as_of,
        opts.keep_days,
        &opts.lookback,
    )?;
    Ok(Outcome::Ran(Box::new(Report {
        run_id,
        status,
        as_of: opts.as_of,
        provider: name,
        timeframes: opts.timeframes.clone(),
        symbols: opts.symbols.len() as u64,
        succeeded: totals.succeeded,
        failed: totals.failed,
        skipped: totals.skipped,
        bars_fetched: sum(|j| j.bars_fetched),
        bars_added: totals.bars_added,
        bars_revised: sum(|j| j.bars_revised),
        bars_quarantined: totals.bars_quarantined,
        quality_issues: totals.quality_issues,
        provider_calls: totals.provider_calls,
        retries: totals.retries,
        duration_ms: totals.duration_ms,
        recovered_interrupted: recovered,
        jobs,
    })))
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    async fn job(&self, job_id: i64, symbol: &str, class: AssetClass) -> JobSummary {
        let mut s = JobSummary {
            job_id,
            symbol: symbol.to_string(),
            asset_class: class,
            status: JobStatus::Running,
            attempts: 0,
            bars_fetched: 0,
            bars_added: 0,
            bars_revised: 0,
            bars_quarantined: 0,
            quality_issues: 0,
            fetch_ms: 0.0,
            compute_ms: 0.0,
            error: None,
            fetches: Vec::new(),
        };
        let now = self.clock.now();
        if let Err(e) =
            self.store()
                .enrich_mut()
                .set_job_status(job_id, JobStatus::Running, now, 0, None)
        {
            tracing::warn!("{symbol}: cannot mark the job running: {e}");
        }
        tracing::info!(
            target: "optctl::event",
            event = "enrichment_job_started",
            job = "enrich",
            run_id = self.run_id,
            job_id,
            symbol,
            timeframes = self.opts.timeframes.len(),
            "enrichment job {job_id} ({symbol}) started"
        );
        for &tf in &self.opts.timeframes {
            let fetch = self.timeframe(job_id, symbol, tf, s.attempts).await;
            s.attempts += fetch.attempts;
            s.bars_fetched += fetch.bars_fetched;
            s.bars_added += fetch.bars_added;
            s.bars_revised += fetch.bars_revised;
            s.bars_quarantined += fetch.bars_quarantined;
            s.quality_issues += fetch.quality_issues;
            s.fetch_ms += fetch.fetch_ms;
            s.compute_ms += fetch.compute_ms;
            if s.error.is_none() {
                s.error = fetch.error.as_ref().map(|e| format!("{tf}: {e}"));
            }
            if let Err(e) = self.store().enrich_mut().record_fetch(job_id, &fetch) {
                tracing::warn!("{symbol} {tf}: cannot record the fetch: {e}");
            }
            s.fetches.push(fetch);
        }
        let all = |st: FetchStatus| s.fetches.iter().all(|f| f.status == st);
        s.status = if all(FetchStatus::Succeeded) {
            JobStatus::Succeeded
        } else if all(FetchStatus::Skipped) {
            JobStatus::Skipped
        } else {
            JobStatus::Failed
        };
        let finish = JobFinish {
            status: s.status,
            attempts: s.attempts,
            finished_at: self.clock.now(),
            fetch_ms: s.fetch_ms,
            compute_ms: s.compute_ms,
            bars_added: s.bars_added,
            quality_issues: s.quality_issues,
            last_error: s.error.clone(),
        };
        if let Err(e) = self.store().enrich_mut().finish_job(job_id, &finish) {
            tracing::warn!("{symbol}: cannot record the end of the job: {e}");
        }
        if let (false, Some(e)) = (s.status == JobStatus::Succeeded, &s.error) {
            tracing::warn!("{symbol}: {e}");
        }
        if s.status == JobStatus::Succeeded {
            tracing::info!(
                target: "optctl::event",
                event = "enrichment_job_succeeded",
                job = "enrich",
                run_id = self.run_id,
                job_id,
                symbol,
                attempts = s.attempts,
                bars_fetched = s.bars_fetched,
                bars_added = s.bars_added,
                bars_revised = s.bars_revised,
                bars_quarantined = s.bars_quarantined,
                quality_issues = s.quality_issues,
                fetch_ms = s.fetch_ms.round() as u64,
                compute_ms = s.compute_ms.round() as u64,
                "enrichment job {job_id} ({symbol}) succeeded"
            );
        } else {
            // Failed, or skipped while a breaker was open: the work was not done.
            tracing::warn!(
                target: "optctl::event",
                event = "enrichment_job_failed",
                job = "enrich",
                run_id = self.run_id,
                job_id,
                symbol,
                status = %s.status,
                attempts = s.attempts,
                bars_added = s.bars_added,
                error = s.error.as_deref().unwrap_or_default(),
                "enrichment job {job_id} ({symbol}) {}",
                s.status
            );
        }
        s
    }

    /// Fetches, checks, stores and computes one timeframe of a job.
    async fn timeframe(
        &self,
        job_id: i64,
        symbol: &str,
        tf: Timeframe,
        attempts_before: u32,
    ) -> FetchRow {
        let to = self.opts.as_of;
        let lookback_from = to - TimeDelta::days(i64::from(self.opts.lookback.days(tf)));
        let mut row = FetchRow {
            timeframe: tf,
            status: FetchStatus::Failed,
            range_from: lookback_from,
            range_to: to,
            attempts: 0,
            calls_ms: 0.0,
            fetch_ms: 0.0,
            compute_ok: None,
            compute_ms: 0.0,
            bars_fetched: 0,
            bars_added: 0,
            bars_revised: 0,
            bars_quarantined: 0,
            quality_issues: 0,
            finished_at: to,
            error: None,
        };
        let window = self
            .store()
            .enrich()
            .bar_window(symbol, tf, self.opts.overlap_bars);
        let (from, stored_newest) = match window {
            Ok(w) => (w.from.unwrap_or(lookback_from), w.newest),
            Err(e) => {
                row.error = Some(e.to_string());
                row.finished_at = self.clock.now();
                return row;
            }
        };
        row.range_from = from;

        let attempts = AtomicU32::new(0);
        let calls_us = AtomicU64::new(0);
        let fetch_started = Instant::now();
        let fetched = self
            .guard
            .call_notify(
                || async {
                    attempts.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let r = self.provider.bars(symbol, tf, from, to).await;
                    calls_us.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
                    r
                },
                |e, delay| {
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    let n = attempts_before + attempts.load(Ordering::Relaxed);
                    tracing::info!("{symbol} {tf}: {e}; retrying in {} ms", delay.as_millis());
                    tracing::info!(
                        target: "optctl::event",
                        event = "enrichment_job_retrying",
                        job = "enrich",
                        run_id = self.run_id,
                        job_id,
                        symbol,
                        timeframe = %tf,
                        attempt = n,
                        delay_ms = delay.as_millis() as u64,
                        error = %e,
                        "enrichment job {job_id} ({symbol} {tf}) retrying"
                    );
                    let now = self.clock.now();
                    let msg = e.to_string();
                    if let Err(e) = self.store().enrich_mut().set_job_status(
                        job_id,
                        JobStatus::Retrying,
                        now,
                        n,
                        Some(&msg),
                    ) {
                        tracing::warn!("{symbol}: cannot mark the job retrying: {e}");
                    }
                },
            )
            .await;
        row.attempts = attempts.load(Ordering::Relaxed);
        row.calls_ms = calls_us.load(Ordering::Relaxed) as f64 / 1000.0;
        row.fetch_ms = ms(fetch_started);
        let bars = match fetched {
            Ok(bars) => bars,
            Err(e) => {
                row.status = match e {
                    resilience::Error::CircuitOpen { .. } => FetchStatus::Skipped,
                    _ => FetchStatus::Failed,
                };
                row.error = Some(e.to_string());
                row.finished_at = self.clock.now();
                return row;
            }
        };
        if row.attempts > 1 {
            // Back to running after a retry that worked.
            let n = attempts_before + row.attempts;
            let _ = self.store().enrich_mut().set_job_status(
                job_id,
                JobStatus::Running,
                self.clock.now(),
                n,
                None,
            );
        }

        let compute_started = Instant::now();
        row.bars_fetched = bars.len() as u64;
        let checked = quality::check(
            bars,
            &Context {
                calendar: &self.opts.calendar,
                timeframe: tf,
                to,
                stale_bars: self.opts.stale_bars,
                stored_newest,
            },
        );
        row.bars_quarantined = checked.quarantined.len() as u64;
        row.quality_issues = checked.issues.len() as u64;
        let stored = self.store().enrich_mut().record_bars(
            job_id,
            self.run_id,
            symbol,
            tf,
            &checked,
            self.clock.now(),
        );
        match stored {
            Ok(c) => {
                row.bars_added = c.added;
                row.bars_revised = c.revised;
                row.status = FetchStatus::Succeeded;
            }
            Err(e) => {
                row.error = Some(format!("cannot store the bars: {e}"));
                row.compute_ms = ms(compute_started);
                row.finished_at = self.clock.now();
                return row;
            }
        }
        match self.compute(symbol, tf, lookback_from) {
            Ok(()) => row.compute_ok = Some(true),
            Err(e) => {
                row.compute_ok = Some(false);
                row.status = FetchStatus::Failed;
                row.error = Some(format!("cannot compute the indicators: {e}"));
            }
        }
        row.compute_ms = ms(compute_started);
        row.finished_at = self.clock.now();
        row
    }

    /// Computes the indicators over the stored bars since `from` and stores the latest.
    fn compute(&self, symbol: &str, tf: Timeframe, from: DateTime<Utc>) -> Result<()> {
        let bars = self.store().enrich().bars_since(symbol, tf, from)?;
        // The maths runs without the store lock: other jobs can write meanwhile.
        if let Some(snapshot) = indicators::latest(&bars, tf) {
            let now = self.clock.now();
            self.store().enrich_mut().record_indicators(
                symbol,
                tf,
                &snapshot,
                bars.len() as u64,
                now,
                self.run_id,
            )?;
        }
        Ok(())
    }
}

/// Retention at the end of a run: runs older than `keep_days` (the newest
/// [`crate::time::KEEP_LAST`] and running ones kept), and each timeframe's bars older
/// than twice its lookback (each symbol's newest bar kept). `except` is the current
/// run (0 for none). Returns the rows deleted.
pub fn prune(
    store: &mut Store,
    except: i64,
    as_of: DateTime<Utc>,
    keep_days: u32,
    lookback: &Lookback,
) -> Result<u64> {
    let mut rows = 0;
    if keep_days > 0 {
        let newest = store.enrich().newest_run_as_of_except(except)?;
        let before =
            crate::time::retention_cutoff(as_of, newest, TimeDelta::days(i64::from(keep_days)));
        let stats = store
            .enrich_mut()
            .prune_runs(before, crate::time::KEEP_LAST)?;
        tracing::debug!(rows = stats.rows, "pruned enrich runs before {before}");
        rows += stats.rows;
    }
    for tf in [Timeframe::D1, Timeframe::H1, Timeframe::M5, Timeframe::M1] {
        let newest = store.enrich().newest_bar(tf)?;
        let keep = TimeDelta::days(2 * i64::from(lookback.days(tf)));
        let before = crate::time::retention_cutoff(as_of, newest, keep);
        let stats = store.enrich_mut().prune_bars(tf, before)?;
        tracing::debug!(rows = stats.rows, "pruned {tf} bars before {before}");
        rows += stats.rows;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use async_trait::async_trait;

    use super::*;
    use crate::enrich::QualityCheck;
    use crate::market::Bar;
    use crate::progress::NoProgress;
    use crate::provider;
    use crate::resilience::RetryPolicy;

    /// Monday 2026-11-23 10:00 New York: the last closed daily bar is Friday's.
    const NOW: &str = "2026-11-23T15:00:00Z";

    fn now() -> DateTime<Utc> {
        NOW.parse().unwrap()
    }

    type Call = (String, Timeframe, DateTime<Utc>, DateTime<Utc>);

    #[derive(Default)]
    struct Data {
        bars: Mutex<HashMap<String, Vec<Bar>>>,
        /// Failures left per symbol before calls succeed (u32::MAX: always).
        failures: Mutex<HashMap<String, u32>>,
        /// (symbol, timeframe, from, to) of every call.
        calls: Mutex<Vec<Call>>,
    }

    /// A provider serving bars a test wrote that opened in `[from, to)` and closed by `to`.
    struct Fake(Arc<Data>);

    #[async_trait]
    impl BarProvider for Fake {
        fn name(&self) -> &str {
            "fake"
        }

        async fn bars(
            &self,
            symbol: &str,
            tf: Timeframe,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> std::result::Result<Vec<Bar>, provider::Error> {
            self.0
                .calls
                .lock()
                .unwrap()
                .push((symbol.to_string(), tf, from, to));
            if let Some(left) = self.0.failures.lock().unwrap().get_mut(symbol)
                && *left > 0
            {
                *left = left.saturating_sub(u32::from(*left != u32::MAX));
                return Err(provider::Error::Unavailable {
                    provider: "fake".into(),
                    symbol: symbol.into(),
                    detail: "injected".into(),
                });
            }
            Ok(self
                .0
                .bars
                .lock()
                .unwrap()
                .get(symbol)
                .map(|v| {
                    // Like the simulator: bars that opened in the range and have closed.
                    let cal = Calendar::default();
                    v.iter()
                        .filter(|b| b.time >= from && b.time < to && cal.close_of(tf, b.time) <= to)
                        .copied()
                        .collect()
                })
                .unwrap_or_default())
        }
    }

    /// Daily bars on the sessions ending with Friday 2026-11-20, one per close given:
    /// open = close, high/low half a point either side.
    fn daily(closes: &[f64]) -> Vec<Bar> {
        let cal = Calendar::default();
        let last = cal.last_closed(Timeframe::D1, now()).unwrap();
        let opens = cal.opens_between(Timeframe::D1, last - TimeDelta::days(3650), last);
        let opens = &opens[opens.len() - closes.len()..];
        opens
            .iter()
            .zip(closes)
            .map(|(t, c)| Bar {
                time: *t,
                open: *c,
                high: c + 0.5,
                low: c - 0.5,
                close: *c,
                volume: 1000,
                open_interest: None,
            })
            .collect()
    }

    fn options(symbols: &[&str], as_of: DateTime<Utc>) -> Options {
        Options {
            symbols: symbols
                .iter()
                .map(|s| (s.to_string(), AssetClass::Stock))
                .collect(),
            timeframes: vec![Timeframe::D1],
            concurrency: 2,
            max_retries: 2,
            lookback: Lookback::default(),
            overlap_bars: 3,
            stale_bars: 3,
            keep_days: 90,
            calendar: Calendar::default(),
            as_of,
        }
    }

    fn policy() -> Policy {
        Policy {
            retry: RetryPolicy {
                initial_delay_ms: 10,
                max_delay_ms: 100,
                jitter: false,
                ..RetryPolicy::default()
            },
            ..Policy::default()
        }
    }

    async fn enrich(dir: &tempfile::TempDir, data: &Arc<Data>, opts: &Options) -> Report {
        let db = Location::Sqlite(dir.path().join("optctl.db"));
        match run(
            &db,
            Box::new(Fake(data.clone())),
            policy(),
            opts,
            Arc::new(NoProgress),
        )
        .await
        .unwrap()
        {
            Outcome::Ran(r) => *r,
            Outcome::Paused(p) => panic!("paused: {p:?}"),
        }
    }

    fn store(dir: &tempfile::TempDir) -> Store {
        Store::open(&dir.path().join("optctl.db")).unwrap()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
    }

    #[tokio::test(start_paused = true)]
    async fn stored_indicators_match_hand_computed_values() {
        let dir = tempfile::tempdir().unwrap();
        let data = Arc::new(Data::default());
        {
            let mut bars = data.bars.lock().unwrap();
            // LIN: 260 sessions (52 weeks), closes 100, 101, ..., 359; high/low +-1.
            let mut lin = daily(&(0..260).map(|i| 100.0 + f64::from(i)).collect::<Vec<_>>());
            for b in &mut lin {
                b.open = b.close - 0.5;
                b.high = b.close + 1.0;
                b.low = b.close - 1.0;
            }
            bars.insert("LIN".into(), lin);
            // ALT: 15 closes moving +2, -1, +2, -1, ...
            let alt: Vec<f64> = (0..15)
                .map(|i| 100.0 + f64::from(i / 2) + if i % 2 == 1 { 2.0 } else { 0.0 })
                .collect();
            bars.insert("ALT".into(), daily(&alt));
            // VOL: 21 closes alternating 100 and 100 e^0.01: log returns +-0.01.
            let vol: Vec<f64> = (0..21)
                .map(|i| {
                    if i % 2 == 0 {
                        100.0
                    } else {
                        100.0 * 0.01f64.exp()
                    }
                })
                .collect();
            bars.insert("VOL".into(), daily(&vol));
        }
        let r = enrich(&dir, &data, &options(&["LIN", "ALT", "VOL"], now())).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
        let s = store(&dir);

        let lin = &s.enrich().list_indicators("LIN").unwrap()[0].values;
        let c = 359.0;
        // A moving average of a straight line lags it by half its window less one bar.
        assert!(close(lin.sma_20, c - 9.5), "{lin:?}");
        assert!(close(lin.sma_50, c - 24.5));
        assert!(close(lin.sma_200, c - 99.5));
        // An EMA seeded with the SMA of a line stays (n - 1) / 2 below it.
        assert!(close(lin.ema_12, c - 5.5), "{:?}", lin.ema_12);
        assert!(close(lin.ema_26, c - 12.5));
        assert!(close(lin.macd, 7.0));
        assert!(close(lin.macd_signal, 7.0));
        assert!(lin.macd_histogram.unwrap().abs() < 1e-9);
        assert_eq!(lin.rsi_14, Some(100.0), "no losses");
        // Every true range is 2 (high - low = |high - previous close| = 2).
        assert!(close(lin.atr_14, 2.0));
        // Population sd of 20 consecutive integers: sqrt((20^2 - 1) / 12).
        let sd = (399.0f64 / 12.0).sqrt();
        assert!(close(lin.bb_middle, c - 9.5));
        assert!(close(lin.bb_upper, c - 9.5 + 2.0 * sd));
        assert!(close(lin.bb_lower, c - 9.5 - 2.0 * sd));
        // The range covers the bars that opened less than 365 days before the last:
        // NYSE's holidays leave fewer than 260 sessions there, so it starts a few bars in.
        let cal = Calendar::default();
        let last = cal.last_closed(Timeframe::D1, now()).unwrap();
        let in_year = cal
            .opens_between(Timeframe::D1, last - TimeDelta::days(365), last)
            .into_iter()
            .filter(|t| *t > last - TimeDelta::days(365))
            .count();
        assert!((250..260).contains(&in_year), "{in_year}");
        assert_eq!(lin.high_52w, Some(360.0));
        assert_eq!(lin.low_52w, Some(99.0 + (260 - in_year) as f64));
        assert_eq!(lin.close, c);

        let alt = &s.enrich().list_indicators("ALT").unwrap()[0].values;
        // 14 changes: 7 gains of 2, 7 losses of 1: RS = 1 / 0.5 = 2, RSI = 100 - 100/3.
        assert!(close(alt.rsi_14, 100.0 - 100.0 / 3.0), "{:?}", alt.rsi_14);
        assert_eq!(alt.sma_20, None, "too short");

        let vol = &s.enrich().list_indicators("VOL").unwrap()[0].values;
        // 20 returns of +-0.01, mean 0: sample sd 0.01 sqrt(20/19), annualised by sqrt(252).
        assert!(
            close(vol.rv_20, 0.01 * (20.0f64 / 19.0 * 252.0).sqrt()),
            "{:?}",
            vol.rv_20
        );
        assert_eq!(vol.rv_60, None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_run_fetches_only_from_the_overlap_and_adds_only_new_bars() {
        let dir = tempfile::tempdir().unwrap();
        let data = Arc::new(Data::default());
        let closes: Vec<f64> = (0..32).map(|i| 50.0 + f64::from(i)).collect();
        let all = {
            // 32 sessions to Tuesday 2026-11-24: the first run sees 30 (to Friday).
            let cal = Calendar::default();
            let tue: DateTime<Utc> = "2026-11-24T14:30:00Z".parse().unwrap();
            let opens = cal.opens_between(Timeframe::D1, tue - TimeDelta::days(60), tue);
            let opens = &opens[opens.len() - 32..];
            opens
                .iter()
                .zip(&closes)
                .map(|(t, c)| Bar {
                    time: *t,
                    open: *c,
                    high: c + 1.0,
                    low: c - 1.0,
                    close: *c,
                    volume: 5,
                    open_interest: None,
                })
                .collect::<Vec<_>>()
        };
        data.bars.lock().unwrap().insert("AAPL".into(), all.clone());
        let r1 = enrich(&dir, &data, &options(&["AAPL"], now())).await;
        let f1 = &r1.jobs[0].fetches[0];
        assert_eq!(
            f1.range_from,
            now() - TimeDelta::days(400),
            "first fetch: the lookback"
        );
        assert_eq!((f1.bars_fetched, f1.bars_added), (30, 30));

        // Tuesday after the close: two new sessions, and the provider revised Friday.
        data.bars.lock().unwrap().get_mut("AAPL").unwrap()[29].close += 0.25;
        let later: DateTime<Utc> = "2026-11-24T22:00:00Z".parse().unwrap();
        let r2 = enrich(&dir, &data, &options(&["AAPL"], later)).await;
        let f2 = &r2.jobs[0].fetches[0];
        // From the third newest stored bar (Wednesday the 18th), not the lookback.
        assert_eq!(f2.range_from, all[27].time);
        assert_eq!(f2.range_to, later);
        assert_eq!((f2.bars_fetched, f2.bars_added, f2.bars_revised), (5, 2, 1));
        let stored = store(&dir)
            .enrich()
            .bars_since("AAPL", Timeframe::D1, now() - TimeDelta::days(400))
            .unwrap();
        assert_eq!(stored.len(), 32);
        assert_eq!(stored[29].close, closes[29] + 0.25);
        // The provider was asked exactly these two ranges.
        {
            let calls = data.calls.lock().unwrap();
            assert_eq!(calls.len(), 2);
            assert_eq!(calls[1].2, all[27].time);
        }
        // A third run with nothing new adds nothing.
        let r3 = enrich(&dir, &data, &options(&["AAPL"], later)).await;
        assert_eq!(r3.bars_added, 0);
        assert_eq!(r3.jobs[0].fetches[0].bars_fetched, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn bad_bars_are_quarantined_and_every_check_is_recorded_on_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let data = Arc::new(Data::default());
        // 20 sessions, but the last 5 missing: stale (5 > 3 allowed).
        let mut bars = daily(&(0..25).map(|i| 20.0 + f64::from(i)).collect::<Vec<_>>());
        bars.truncate(20);
        bars[3].close = -1.0; // non-positive
        bars[6].high = bars[6].low - 1.0; // high below low
        bars.remove(10); // a gap
        let dup = bars[12];
        bars.push(dup); // a duplicate
        data.bars.lock().unwrap().insert("BAD".into(), bars);
        let r = enrich(&dir, &data, &options(&["BAD"], now())).await;
        let job = &r.jobs[0];
        // Quality issues are recorded, not failures.
        assert_eq!(job.status, JobStatus::Succeeded, "{job:#?}");
        assert_eq!(job.bars_fetched, 20);
        assert_eq!(job.bars_quarantined, 3);
        assert_eq!(job.bars_added, 17);
        let s = store(&dir);
        let issues = s.enrich().list_issues(job.job_id).unwrap();
        let count = |k| issues.iter().filter(|i| i.kind == k).count();
        assert_eq!(count(QualityCheck::NonPositive), 1);
        assert_eq!(count(QualityCheck::Ohlc), 1);
        assert_eq!(count(QualityCheck::Duplicate), 1);
        // The removed session, and the two quarantined bars' sessions.
        assert_eq!(count(QualityCheck::Gap), 3, "{issues:#?}");
        assert_eq!(count(QualityCheck::Stale), 1);
        assert_eq!(job.quality_issues, issues.len() as u64);
        // Good bars only in `bars`; the bad ones apart.
        let good = s
            .enrich()
            .bars_since("BAD", Timeframe::D1, now() - TimeDelta::days(400))
            .unwrap();
        assert_eq!(good.len(), 17);
        assert!(good.iter().all(|b| b.close > 0.0 && b.high >= b.low));
        assert_eq!(s.enrich().list_bar_spans("BAD").unwrap()[0].quarantined, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_fetches_are_retried_then_given_up_with_the_last_error() {
        let dir = tempfile::tempdir().unwrap();
        let data = Arc::new(Data::default());
        data.bars
            .lock()
            .unwrap()
            .insert("FLAKY".into(), daily(&[10.0, 11.0, 12.0]));
        {
            let mut f = data.failures.lock().unwrap();
            f.insert("DOWN".into(), u32::MAX);
            f.insert("FLAKY".into(), 2);
        }
        let started = tokio::time::Instant::now();
        let r = enrich(&dir, &data, &options(&["DOWN", "FLAKY"], now())).await;
        assert_eq!(r.status, RunStatus::Partial);
        let down = &r.jobs[0];
        assert_eq!(down.status, JobStatus::Failed);
        // max_retries 2: three tries.
        assert_eq!(down.attempts, 3);
        assert!(
            down.error.as_deref().unwrap().contains("temporary failure"),
            "{down:?}"
        );
        let flaky = &r.jobs[1];
        assert_eq!((flaky.status, flaky.attempts), (JobStatus::Succeeded, 3));
        assert_eq!(flaky.bars_added, 3);
        assert_eq!(r.retries, 4);
        assert_eq!(r.provider_calls, 6);
        // Backoff of 10 then 20 ms between the tries.
        assert!(started.elapsed() >= std::time::Duration::from_millis(30));
        let s = store(&dir);
        let job = s.enrich().latest_job("DOWN").unwrap().unwrap();
        assert_eq!((job.status, job.attempts), (JobStatus::Failed, 3));
        let run = &s.enrich().list_runs(None).unwrap()[0];
        assert_eq!((run.succeeded, run.failed, run.retries), (1, 1, 4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_paused_enrichment_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        store(&dir)
            .enrich_mut()
            .set_pause(true, Some("vendor outage"), now())
            .unwrap();
        let data = Arc::new(Data::default());
        let out = run(
            &Location::Sqlite(dir.path().join("optctl.db")),
            Box::new(Fake(data.clone())),
            policy(),
            &options(&["AAPL"], now()),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
        match out {
            Outcome::Paused(p) => assert_eq!(p.reason.as_deref(), Some("vendor outage")),
            Outcome::Ran(r) => panic!("ran while paused: {r:?}"),
        }
        assert!(data.calls.lock().unwrap().is_empty());
        assert!(store(&dir).enrich().list_runs(None).unwrap().is_empty());
    }
}
