//! Reading enrichment back: status, history, metrics, health and one symbol's job, as
//! `optctl enrich ...` prints them and `serve` returns them. Read-only: every function
//! takes the store as it is (or none, before the first run) and the time to judge by.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{AssetClass, EnrichConfig, parse_schedule};
use crate::resilience::{self, LimiterStatus, ResilienceConfig};
use crate::store::Store;
use crate::store::enrich::{
    BarSpan, FetchRow, FetchStats, IndicatorRow, IssueRow, JobRow, JobStats, PauseState, RunRow,
    RunStatus,
};
use crate::store::resilience::BreakerState;
use crate::{Error, Result};

/// What the readers need from the config.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub enrich: EnrichConfig,
    pub resilience: ResilienceConfig,
}

impl Settings {
    pub fn new(enrich: &EnrichConfig, resilience: &ResilienceConfig) -> Settings {
        Settings {
            enrich: enrich.clone(),
            resilience: resilience.clone(),
        }
    }
}

/// The store if it has enrich data (None before the first run).
fn usable(store: Option<&Store>) -> Result<Option<&Store>> {
    match store {
        Some(s) if s.enrich().has_tables()? => Ok(Some(s)),
        _ => Ok(None),
    }
}

/// A run still marked running.
#[derive(Debug, Clone, Serialize)]
pub struct Running {
    pub run_id: i64,
    pub started_at: DateTime<Utc>,
    pub pid: u32,
    /// Whether its process is alive (None where it cannot be told).
    pub process_alive: Option<bool>,
    pub symbols: u64,
    pub jobs_queued: u64,
    pub jobs_running: u64,
    pub jobs_done: u64,
}

/// `optctl enrich status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub as_of: DateTime<Utc>,
    pub provider: String,
    pub running: Option<Running>,
    pub paused: PauseState,
    pub last_run: Option<RunRow>,
    /// The newest run that stored something (succeeded or partial).
    pub last_success: Option<RunRow>,
    /// The configured cron line, and when it next fires after `as_of` (UTC).
    pub schedule: Option<String>,
    pub next_run: Option<DateTime<Utc>>,
}

fn process_alive(pid: u32) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    proc.is_dir().then(|| proc.join(pid.to_string()).exists())
}

/// Running? The last run, the last success, paused?, the next expected run.
pub fn status(store: Option<&Store>, set: &Settings, now: DateTime<Utc>) -> Result<Status> {
    let next_run = match &set.enrich.schedule {
        Some(s) => Some(
            parse_schedule(s)
                .map_err(|e| Error::BadInput(format!("enrich.schedule: {e}")))?
                .find_next_occurrence(&now, false)
                .map_err(|e| Error::BadInput(format!("enrich.schedule {s:?}: {e}")))?,
        ),
        None => None,
    };
    let mut out = Status {
        as_of: now,
        provider: set.enrich.provider.to_string(),
        running: None,
        paused: PauseState {
            paused: false,
            reason: None,
            changed_at: None,
        },
        last_run: None,
        last_success: None,
        schedule: set.enrich.schedule.clone(),
        next_run,
    };
    let Some(store) = usable(store)? else {
        return Ok(out);
    };
    out.paused = store.enrich().pause()?;
    if let Some(r) = store.enrich().latest_run(&[RunStatus::Running])? {
        let (queued, running, done) = store.enrich().job_progress(r.id)?;
        out.running = Some(Running {
            run_id: r.id,
            started_at: r.started_at,
            pid: r.pid,
            process_alive: process_alive(r.pid),
            symbols: r.symbols,
            jobs_queued: queued,
            jobs_running: running,
            jobs_done: done,
        });
    }
    out.last_run = store.enrich().list_runs(Some(1))?.pop();
    out.last_success = store
        .enrich()
        .latest_run(&[RunStatus::Succeeded, RunStatus::Partial])?;
    Ok(out)
}

/// `optctl enrich history`.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub runs: Vec<RunRow>,
}

/// The newest `limit` runs.
pub fn history(store: Option<&Store>, limit: u64) -> Result<History> {
    let runs = match usable(store)? {
        Some(s) => s.enrich().list_runs(Some(limit))?,
        None => Vec::new(),
    };
    Ok(History { runs })
}

/// The provider's quota as the rate limiter holds it.
#[derive(Debug, Clone, Serialize)]
pub struct Quota {
    pub provider: String,
    /// Calls that could be made now (None: no limit).
    pub remaining: Option<f64>,
    pub calls: u32,
    pub per_seconds: u64,
    pub burst: u32,
    pub blocked_until: Option<DateTime<Utc>>,
}

impl Quota {
    fn from(l: &LimiterStatus) -> Quota {
        Quota {
            provider: l.name.clone(),
            remaining: l.available.map(|v| (v * 100.0).floor() / 100.0),
            calls: l.config.calls,
            per_seconds: l.config.per_seconds,
            burst: l.config.burst,
            blocked_until: l.blocked_until,
        }
    }
}

/// `optctl enrich metrics`: the last 24 hours.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub as_of: DateTime<Utc>,
    pub since: DateTime<Utc>,
    pub runs: u64,
    pub jobs: JobStats,
    /// Fetches (one per symbol and timeframe) that succeeded, of those tried (skipped
    /// ones, refused by an open breaker, count as not succeeded).
    pub fetch_success_rate: Option<f64>,
    /// Indicator computations that succeeded, of those tried.
    pub compute_success_rate: Option<f64>,
    /// Mean time of one provider call, ms.
    pub avg_response_ms: Option<f64>,
    pub fetch: FetchStats,
    pub quota: Quota,
    /// Quality issues found, per check.
    pub quality: BTreeMap<String, u64>,
}

fn rate(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Success rates, response time, quota, quality counts over the 24 hours before `now`.
pub fn metrics(store: Option<&Store>, set: &Settings, now: DateTime<Utc>) -> Result<Metrics> {
    let since = now - TimeDelta::hours(24);
    let provider = set.enrich.provider.as_str();
    let (runs, jobs, fetch, quality, limiters) = match usable(store)? {
        Some(s) => (
            s.enrich().count_runs_since(since)?,
            s.enrich().job_stats(since)?,
            s.enrich().fetch_stats(since)?,
            s.enrich().quality_counts(since)?,
            resilience::report(s, &set.resilience, &[provider], now)?.limiters,
        ),
        None => (
            0,
            JobStats::default(),
            FetchStats::default(),
            super::QualityCheck::ALL.iter().map(|c| (*c, 0)).collect(),
            empty_limiters(set, provider, now)?,
        ),
    };
    let quota = limiters
        .iter()
        .find(|l| l.name == provider)
        .map(Quota::from)
        .unwrap_or(Quota {
            provider: provider.to_string(),
            remaining: None,
            calls: 0,
            per_seconds: 0,
            burst: 0,
            blocked_until: None,
        });
    Ok(Metrics {
        as_of: now,
        since,
        runs,
        jobs,
        fetch_success_rate: rate(fetch.fetches_ok, fetch.fetches),
        compute_success_rate: rate(fetch.computes_ok, fetch.computes),
        avg_response_ms: (fetch.calls > 0).then(|| fetch.calls_ms / fetch.calls as f64),
        fetch,
        quota,
        quality: quality
            .into_iter()
            .map(|(k, n)| (k.as_str().to_string(), n))
            .collect(),
    })
}

/// The limiter of `provider` as it stands with nothing stored (a full bucket).
fn empty_limiters(
    set: &Settings,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Vec<LimiterStatus>> {
    let policy = set.resilience.policy(provider).map_err(Error::BadInput)?;
    let l = resilience::RateLimiter::new(provider, policy.limiter.clone());
    Ok(vec![LimiterStatus {
        name: provider.to_string(),
        available: l.available(None, now),
        blocked_until: None,
        granted: 0,
        waits: 0,
        updated: None,
        config: policy.limiter,
    }])
}

/// Overall health, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthState {
    Healthy,
    Degraded,
    Unhealthy,
}

/// One thing found wrong.
#[derive(Debug, Clone, Serialize)]
pub struct HealthIssue {
    pub level: HealthState,
    /// Stable name for scripts: `never_succeeded`, `last_success_old`,
    /// `failure_rate_high`, `breaker_open`, `paused`.
    pub code: &'static str,
    pub message: String,
}

/// `optctl enrich health`.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub status: HealthState,
    pub as_of: DateTime<Utc>,
    pub issues: Vec<HealthIssue>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Jobs that failed or were skipped in the last 24 hours, of all that ended.
    pub failure_rate_24h: Option<f64>,
    pub breaker: BreakerState,
    pub paused: bool,
}

/// Healthy, degraded or unhealthy, with the reasons.
pub fn health(store: Option<&Store>, set: &Settings, now: DateTime<Utc>) -> Result<Health> {
    let h = &set.enrich.health;
    let provider = set.enrich.provider.as_str();
    let store = usable(store)?;
    let mut issues = Vec::new();
    let mut issue = |level, code, message: String| {
        issues.push(HealthIssue {
            level,
            code,
            message,
        })
    };
    let last_success = match store {
        Some(s) => s
            .enrich()
            .latest_run(&[RunStatus::Succeeded, RunStatus::Partial])?,
        None => None,
    };
    let last_success_at = last_success
        .as_ref()
        .map(|r| r.finished_at.unwrap_or(r.started_at));
    match last_success_at {
        None => issue(
            HealthState::Unhealthy,
            "never_succeeded",
            "no enrich run has stored anything yet: run `optctl enrich run`".into(),
        ),
        Some(t) if now - t > TimeDelta::hours(h.max_success_age_hours as i64) => issue(
            HealthState::Unhealthy,
            "last_success_old",
            format!(
                "the last successful run finished at {}, {:.1} h ago (more than {} h)",
                crate::store::ts(t),
                (now - t).num_minutes() as f64 / 60.0,
                h.max_success_age_hours
            ),
        ),
        Some(_) => {}
    }
    let jobs = match store {
        Some(s) => s.enrich().job_stats(now - TimeDelta::hours(24))?,
        None => JobStats::default(),
    };
    let bad = jobs.failed + jobs.skipped;
    let failure_rate = rate(bad, bad + jobs.succeeded);
    if let Some(r) = failure_rate {
        let msg = || {
            format!(
                "{bad} of {} jobs in the last 24 h failed or were skipped ({:.0}%)",
                bad + jobs.succeeded,
                r * 100.0
            )
        };
        if r >= h.unhealthy_failure_rate {
            issue(HealthState::Unhealthy, "failure_rate_high", msg());
        } else if r >= h.degraded_failure_rate {
            issue(HealthState::Degraded, "failure_rate_high", msg());
        }
    }
    let mut breaker = BreakerState::Closed;
    if let Some(s) = store {
        let report = resilience::report(s, &set.resilience, &[provider], now)?;
        if let Some(b) = report.breakers.iter().find(|b| b.name == provider) {
            breaker = b.state;
            match b.state {
                BreakerState::Open if !b.trial_ready => issue(
                    HealthState::Degraded,
                    "breaker_open",
                    format!(
                        "the {provider} circuit breaker is open until {} ({})",
                        b.open_until.map_or("-".into(), crate::store::ts),
                        b.last_failure.as_deref().unwrap_or("too many failures")
                    ),
                ),
                BreakerState::Open | BreakerState::HalfOpen => issue(
                    HealthState::Degraded,
                    "breaker_open",
                    format!("the {provider} circuit breaker is letting trial calls through"),
                ),
                BreakerState::Closed => {}
            }
        }
    }
    let paused = match store {
        Some(s) => s.enrich().pause()?,
        None => PauseState {
            paused: false,
            reason: None,
            changed_at: None,
        },
    };
    if paused.paused {
        issue(
            HealthState::Degraded,
            "paused",
            format!(
                "enrichment is paused{}",
                paused
                    .reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(": {r}"))
            ),
        );
    }
    Ok(Health {
        status: issues
            .iter()
            .map(|i| i.level)
            .max()
            .unwrap_or(HealthState::Healthy),
        as_of: now,
        issues,
        last_success_at,
        failure_rate_24h: failure_rate,
        breaker,
        paused: paused.paused,
    })
}

/// `optctl enrich job-status SYMBOL`: the symbol's newest job and what is stored.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub symbol: String,
    /// Its class in the configured universe (None: not in it any more).
    pub asset_class: Option<AssetClass>,
    pub job: JobRow,
    pub run: Option<RunRow>,
    pub fetches: Vec<FetchRow>,
    pub issues: Vec<IssueRow>,
    pub bars: Vec<BarSpan>,
    pub indicators: Vec<IndicatorRow>,
}

/// The newest job of `symbol` (any case), or None when it was never enriched.
pub fn job_status(
    store: Option<&Store>,
    set: &Settings,
    symbol: &str,
) -> Result<Option<JobStatus>> {
    let Some(store) = usable(store)? else {
        return Ok(None);
    };
    // Any spelling Symbol reads; text that is no symbol was never enriched.
    let Ok(symbol) = crate::market::Symbol::parse(symbol) else {
        return Ok(None);
    };
    let symbol = symbol.to_string();
    let Some(job) = store.enrich().latest_job(&symbol)? else {
        return Ok(None);
    };
    let run = store.enrich().get_run(job.run_id)?;
    Ok(Some(JobStatus {
        asset_class: set.enrich.symbols.class_of(&symbol),
        fetches: store.enrich().list_fetches(job.id)?,
        issues: store.enrich().list_issues(job.id)?,
        bars: store.enrich().list_bar_spans(&symbol)?,
        indicators: store.enrich().list_indicators(&symbol)?,
        symbol,
        job,
        run,
    }))
}

/// The dashboard's overview: status, health, metrics and the provider's guards at once.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub status: Status,
    pub health: Health,
    pub metrics: Metrics,
    pub resilience: resilience::Report,
    /// The jobs of the last run.
    pub last_run_jobs: Vec<JobRow>,
}

/// Everything the dashboard's first screen shows.
pub fn overview(store: Option<&Store>, set: &Settings, now: DateTime<Utc>) -> Result<Overview> {
    let provider = set.enrich.provider.as_str();
    let (res, jobs) = match usable(store)? {
        Some(s) => {
            let run = s.enrich().list_runs(Some(1))?.pop();
            (
                resilience::report(s, &set.resilience, &[provider], now)?,
                match run {
                    Some(r) => s.enrich().list_jobs(r.id)?,
                    None => Vec::new(),
                },
            )
        }
        None => (
            resilience::Report {
                as_of: now,
                breakers: Vec::new(),
                limiters: empty_limiters(set, provider, now)?,
            },
            Vec::new(),
        ),
    };
    Ok(Overview {
        status: status(store, set, now)?,
        health: health(store, set, now)?,
        metrics: metrics(store, set, now)?,
        resilience: res,
        last_run_jobs: jobs,
    })
}
