//! Resilience for calls to outside sources: retry, circuit breaker, rate limiter and
//! bulkhead, usable on their own or together through a [`Guard`].
//!
//! optctl runs as short processes from cron, so what must outlive a run — a breaker's
//! state, a rate limit's tokens — lives in the store (`store::resilience`) with wall-clock
//! times, and concurrent processes share it. (resilience4j, governor and tower keep this
//! state in memory.) The in-process parts are the retry loop (backon) and the bulkhead.
//!
//! - [`retry`]: exponential backoff with jitter; only [`Retryable`] errors; Retry-After.
//! - [`breaker`]: failure rate over a sliding window, open, half-open, closed; persisted.
//! - [`limiter`]: token bucket, persisted and debited atomically across processes.
//! - [`bulkhead`]: a bound on concurrent calls, and a timeout per call.
//!
//! Time comes from a [`Clock`]: the system clock, or one that starts at a command's
//! `--as-of` and runs on from there, or a manual one that tests move by hand.

pub mod breaker;
pub mod bulkhead;
pub mod connect;
pub mod limiter;
pub mod retry;
pub mod throttle;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::provider;
use crate::store::Store;
use crate::store::resilience::{BreakerRow, BreakerState, WindowStats};

pub use breaker::{Admission, Breaker, BreakerConfig, CallOutcome, Transition};
pub use bulkhead::{Bulkhead, BulkheadConfig};
pub use connect::Connector;
pub use limiter::{Acquired, LimiterConfig, RateLimiter};
pub use retry::{RetryPolicy, Retryable, retry, retry_notify};
pub use throttle::StoreThrottle;

/// Why a guarded call did not return a value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The provider answered with an error (retryable or not, see [`Retryable`]).
    #[error(transparent)]
    Provider(#[from] provider::Error),
    /// The breaker refuses calls until `until`.
    #[error("{name}: circuit breaker open until {} (too many failed calls); not calling", until.format("%Y-%m-%dT%H:%M:%SZ"))]
    CircuitOpen { name: String, until: DateTime<Utc> },
    /// The breaker is half-open and all its trial calls are under way: worth retrying
    /// shortly, when they have told whether the provider recovered.
    #[error("{name}: circuit breaker half-open, its trial calls are under way")]
    TrialsUnderWay { name: String },
    /// The rate limiter would make the call wait longer than it may: `waited` already
    /// plus `wait` more.
    #[error("{name}: rate limit reached: the next call is allowed in {:.1} s{}, more than the {:.1} s a call may wait", wait.as_secs_f64(), waited_note(*waited), max_wait.as_secs_f64())]
    QuotaExhausted {
        name: String,
        wait: Duration,
        waited: Duration,
        max_wait: Duration,
    },
    /// The call ran past the bulkhead's timeout.
    #[error("{name}: call timed out after {} ms", after.as_millis())]
    Timeout { name: String, after: Duration },
    /// A request that can never be met (more tokens than the burst).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

fn waited_note(waited: Duration) -> String {
    if waited.is_zero() {
        String::new()
    } else {
        format!(" after {:.1} s already waited", waited.as_secs_f64())
    }
}

impl Retryable for Error {
    fn is_retryable(&self) -> bool {
        match self {
            Error::Provider(e) => e.is_retryable(),
            Error::Timeout { .. } | Error::TrialsUnderWay { .. } => true,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Provider(e) => Retryable::retry_after(e),
            _ => None,
        }
    }
}

/// What a provider error says about the provider's health, for its breaker: an unknown
/// symbol is the caller's mistake and a 429 is our pace (the limiter's business), not a
/// sick provider.
pub fn outcome_of(e: &provider::Error) -> CallOutcome {
    match e {
        provider::Error::UnknownSymbol { .. } | provider::Error::RateLimited { .. } => {
            CallOutcome::Neutral
        }
        other => CallOutcome::Failure(other.to_string()),
    }
}

/// Where "now" comes from. Reads are truncated to the millisecond, as the store keeps
/// them.
///
/// A clock also keeps, per piece of shared state (a breaker, a bucket), how far this
/// process must run ahead of its own reading to never be behind a time stored by another
/// process: see [`Clock::shared_now`].
#[derive(Debug, Clone)]
pub struct Clock(Arc<ClockInner>);

#[derive(Debug)]
struct ClockInner {
    kind: ClockKind,
    /// Per shared state: how far ahead of [`Clock::now`] this process reads its time.
    skews: Mutex<BTreeMap<String, chrono::Duration>>,
}

#[derive(Debug)]
enum ClockKind {
    /// `origin` plus the time elapsed since `started` (tokio's clock, so tests with paused
    /// time see it move as their sleeps end).
    Running {
        origin: DateTime<Utc>,
        started: tokio::time::Instant,
    },
    /// Moves only when told to.
    Manual(Mutex<DateTime<Utc>>),
}

impl Clock {
    fn new(kind: ClockKind) -> Clock {
        Clock(Arc::new(ClockInner {
            kind,
            skews: Mutex::new(BTreeMap::new()),
        }))
    }

    /// The wall clock.
    pub fn system() -> Clock {
        Clock::starting_at(Utc::now())
    }

    /// A clock that reads `origin` now and runs on in real time: a command's `--as-of`.
    pub fn starting_at(origin: DateTime<Utc>) -> Clock {
        Clock::new(ClockKind::Running {
            origin,
            started: tokio::time::Instant::now(),
        })
    }

    /// A clock that stands still at `at` until [`Clock::advance`] (tests).
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock::new(ClockKind::Manual(Mutex::new(at)))
    }

    /// The current instant, to the millisecond.
    pub fn now(&self) -> DateTime<Utc> {
        let t = match &self.0.kind {
            ClockKind::Running { origin, started } => {
                *origin
                    + chrono::Duration::from_std(started.elapsed())
                        .unwrap_or(chrono::Duration::zero())
            }
            ClockKind::Manual(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        };
        DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
    }

    /// Moves a manual clock by `d` (backwards when negative, as a wall clock stepped back);
    /// a running clock is not moved.
    pub fn advance(&self, d: chrono::Duration) {
        if let ClockKind::Manual(at) = &self.0.kind {
            let mut at = at.lock().unwrap_or_else(|p| p.into_inner());
            *at += d;
        }
    }

    /// "Now" for the state `key` shared with other processes through the store, which
    /// last wrote a time of `stored`.
    ///
    /// Processes' clocks disagree (NTP steps, a resumed VM, a command's `--as-of`), and a
    /// time stored by a process whose clock is ahead is in the future for this one. Such a
    /// time is taken as this process's now: the process moves its time for `key` forward
    /// to it and keeps that shift, so from there its time for `key` runs on at the pace of
    /// its own clock. So shared state only ever sees time move forward, never faster than
    /// real time (a process only catches up with a time already stored, never passes it),
    /// and never stands still while a process runs (its own clock keeps moving it).
    pub fn shared_now(&self, key: &str, stored: Option<DateTime<Utc>>) -> DateTime<Utc> {
        let now = self.now();
        let mut skews = self.0.skews.lock().unwrap_or_else(|p| p.into_inner());
        let skew = skews
            .entry(key.to_string())
            .or_insert(chrono::Duration::zero());
        let mut t = now + *skew;
        if let Some(stored) = stored
            && stored > t
        {
            *skew += stored - t;
            t = stored;
        }
        t
    }

    /// How far ahead of [`Clock::now`] this process reads the time of `key` (zero until
    /// [`Clock::shared_now`] has met a later stored time).
    pub fn skew(&self, key: &str) -> chrono::Duration {
        let skews = self.0.skews.lock().unwrap_or_else(|p| p.into_inner());
        skews.get(key).copied().unwrap_or(chrono::Duration::zero())
    }
}

/// Locks a shared store connection (a poisoned lock still holds a usable connection:
/// every write is its own transaction).
pub(crate) fn lock(store: &Mutex<Store>) -> Result<MutexGuard<'_, Store>, Error> {
    Ok(store.lock().unwrap_or_else(|p| p.into_inner()))
}

/// The four settings of one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    pub limiter: LimiterConfig,
    pub bulkhead: BulkheadConfig,
}

impl Policy {
    /// Checks every value; the message names the section and field.
    pub fn validate(&self) -> Result<(), String> {
        self.retry.validate().map_err(|e| format!("retry.{e}"))?;
        self.breaker
            .validate()
            .map_err(|e| format!("breaker.{e}"))?;
        self.limiter
            .validate()
            .map_err(|e| format!("limiter.{e}"))?;
        self.bulkhead
            .validate()
            .map_err(|e| format!("bulkhead.{e}"))?;
        Ok(())
    }
}

/// `[resilience]`: the defaults for every provider, and per provider the keys that
/// differ (`[resilience.providers.yahoo.limiter] calls = 2000` with `per_seconds = 3600`):
/// a provider's policy is the defaults with its keys laid over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ResilienceConfig {
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    pub limiter: LimiterConfig,
    pub bulkhead: BulkheadConfig,
    /// Per provider name: the keys that differ from the defaults above.
    pub providers: BTreeMap<String, toml::Table>,
}

impl ResilienceConfig {
    /// The defaults, as one policy.
    pub fn defaults(&self) -> Policy {
        Policy {
            retry: self.retry.clone(),
            breaker: self.breaker.clone(),
            limiter: self.limiter.clone(),
            bulkhead: self.bulkhead.clone(),
        }
    }

    /// The policy of provider `name`: the defaults with its overrides laid over them.
    /// The message of a bad override names the provider and the key.
    pub fn policy(&self, name: &str) -> Result<Policy, String> {
        let defaults = self.defaults();
        let Some(over) = self.providers.get(name) else {
            return Ok(defaults);
        };
        let prefix = format!("resilience.providers.{name}");
        let mut table = toml::Table::try_from(&defaults).map_err(|e| format!("{prefix}: {e}"))?;
        merge(&mut table, over);
        let policy: Policy = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| format!("{prefix}: {}", e.message()))?;
        policy.validate().map_err(|e| format!("{prefix}.{e}"))?;
        Ok(policy)
    }

    /// Checks the defaults and every provider's overrides.
    pub fn validate(&self) -> Result<(), String> {
        self.defaults()
            .validate()
            .map_err(|e| format!("resilience.{e}"))?;
        for name in self.providers.keys() {
            self.policy(name)?;
        }
        Ok(())
    }
}

fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Retry, breaker, limiter and bulkhead around every call to one provider. Shared by the
/// tasks of a run (`&Guard` is enough); holds its own store connection.
pub struct Guard {
    name: String,
    policy: Policy,
    store: Mutex<Store>,
    clock: Clock,
    breaker: Breaker,
    limiter: RateLimiter,
    bulkhead: Bulkhead,
}

impl Guard {
    /// A guard for provider `name` keeping its state in `store`.
    pub fn new(store: Store, name: &str, policy: Policy, clock: Clock) -> Guard {
        Guard {
            name: name.to_string(),
            breaker: Breaker::new(name, policy.breaker.clone()),
            limiter: RateLimiter::new(name, policy.limiter.clone()),
            bulkhead: Bulkhead::new(name, &policy.bulkhead),
            policy,
            store: Mutex::new(store),
            clock,
        }
    }

    /// A guard with its own connection to the store at `db`.
    pub fn open(
        db: &crate::store::Location,
        name: &str,
        policy: Policy,
        clock: Clock,
    ) -> Result<Guard, Error> {
        Ok(Guard::new(db.open()?, name, policy, clock))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Calls `op` through the breaker, the limiter and the bulkhead, retrying as the
    /// policy says. `op` makes a new attempt each time it is called.
    pub async fn call<T, F, Fut>(&self, op: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, provider::Error>>,
    {
        self.call_notify(op, |_, _| {}).await
    }

    /// [`Guard::call`], calling `notify(error, delay)` before each retry.
    pub async fn call_notify<T, F, Fut, N>(&self, op: F, notify: N) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, provider::Error>>,
        N: FnMut(&Error, Duration),
    {
        retry_notify(&self.policy.retry, || self.attempt(op()), notify).await
    }

    async fn attempt<T>(
        &self,
        call: impl Future<Output = Result<T, provider::Error>>,
    ) -> Result<T, Error> {
        let (admission, transition) = self.breaker.check(&mut *lock(&self.store)?, &self.clock)?;
        self.log(transition);
        if let Err(e) = self.limiter.acquire(&self.store, &self.clock, 1).await {
            // The trial place (if any) goes back: this call never reached the provider.
            self.record(admission, &CallOutcome::Neutral);
            return Err(e);
        }
        let result = match self.bulkhead.run(call).await {
            Ok(r) => r.map_err(Error::Provider),
            Err(e) => Err(e),
        };
        let outcome = match &result {
            Ok(_) => CallOutcome::Success,
            Err(Error::Provider(e)) => outcome_of(e),
            Err(e) => CallOutcome::Failure(e.to_string()),
        };
        if let Err(Error::Provider(provider::Error::RateLimited {
            retry_after: Some(after),
            ..
        })) = &result
        {
            // Every caller of this provider, in every process, waits it out.
            let until = self.clock.now() + chrono::Duration::from_std(*after).unwrap_or_default();
            if let Err(e) = lock(&self.store)
                .and_then(|mut s| self.limiter.hold_until(&mut s, &self.clock, until))
            {
                tracing::warn!("{}: cannot record Retry-After: {e}", self.name);
            }
        }
        self.record(admission, &outcome);
        result
    }

    /// Records an outcome; a store failure here is logged, not returned, so a value
    /// already fetched is not thrown away.
    fn record(&self, admission: Admission, outcome: &CallOutcome) {
        let r = lock(&self.store)
            .and_then(|mut s| self.breaker.record(&mut s, &self.clock, admission, outcome));
        match r {
            Ok(t) => self.log(t),
            Err(e) => tracing::warn!("{}: cannot record the call in its breaker: {e}", self.name),
        }
    }

    fn log(&self, t: Option<Transition>) {
        match t {
            Some(Transition::Opened { until }) => {
                tracing::warn!(
                    "{}: circuit breaker opened until {} after too many failures",
                    self.name,
                    crate::store::ts(until)
                );
                let (job, run_id) = crate::monitor::current_run();
                tracing::warn!(
                    target: "optctl::event",
                    event = "breaker_opened",
                    job,
                    run_id,
                    breaker = %self.name,
                    open_until = %crate::store::ts(until),
                    failure_rate = self.policy.breaker.failure_rate,
                    window_seconds = self.policy.breaker.window_seconds,
                    open_seconds = self.policy.breaker.open_seconds,
                    "circuit breaker {} opened",
                    self.name
                );
            }
            Some(Transition::HalfOpened) => {
                tracing::info!("{}: circuit breaker half-open: trial calls", self.name)
            }
            Some(Transition::Closed) => {
                tracing::info!(
                    "{}: circuit breaker closed: the provider recovered",
                    self.name
                )
            }
            None => {}
        }
    }
}

/// One breaker as `optctl ... resilience` and the dashboard show it.
#[derive(Debug, Clone, Serialize)]
pub struct BreakerStatus {
    pub name: String,
    /// The stored state; an open breaker past `open_until` lets the next call through
    /// as a trial (`trial_ready`).
    pub state: BreakerState,
    pub trial_ready: bool,
    pub changed_at: DateTime<Utc>,
    pub open_until: Option<DateTime<Utc>>,
    pub window: WindowStats,
    pub failure_rate: f64,
    pub times_opened: u64,
    pub last_failure: Option<String>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub config: BreakerConfig,
}

/// One rate limiter as shown.
#[derive(Debug, Clone, Serialize)]
pub struct LimiterStatus {
    pub name: String,
    /// Calls that could be made right now (None: no limit).
    pub available: Option<f64>,
    pub blocked_until: Option<DateTime<Utc>>,
    pub granted: u64,
    pub waits: u64,
    pub updated: Option<DateTime<Utc>>,
    pub config: LimiterConfig,
}

/// Every breaker and limiter in the store, plus those of `also` (configured providers
/// that have not been called yet).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: DateTime<Utc>,
    pub breakers: Vec<BreakerStatus>,
    pub limiters: Vec<LimiterStatus>,
}

/// Reads the state of every breaker and limiter at `now`.
pub fn report(
    store: &Store,
    cfg: &ResilienceConfig,
    also: &[&str],
    now: DateTime<Utc>,
) -> crate::Result<Report> {
    let policy = |name: &str| cfg.policy(name).unwrap_or_else(|_| cfg.defaults());
    let mut rows = store.resilience().list_breakers()?;
    for name in also {
        if !rows.iter().any(|r| r.name == *name) {
            rows.push(BreakerRow::closed(name, now));
        }
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let mut breakers = Vec::with_capacity(rows.len());
    for r in rows {
        let p = policy(&r.name);
        let from = now - chrono::Duration::seconds(p.breaker.window_seconds as i64);
        let window = store
            .resilience()
            .breaker_window(&r.name, from.max(r.changed_at))?;
        breakers.push(BreakerStatus {
            trial_ready: r.state == BreakerState::Open && r.open_until.is_some_and(|u| u <= now),
            failure_rate: window.failure_rate(),
            window,
            name: r.name,
            state: r.state,
            changed_at: r.changed_at,
            open_until: r.open_until,
            times_opened: r.times_opened,
            last_failure: r.last_failure,
            last_failure_at: r.last_failure_at,
            config: p.breaker,
        });
    }
    let stored = store.resilience().list_limiters()?;
    let mut names: Vec<String> = stored.iter().map(|r| r.name.clone()).collect();
    names.extend(also.iter().map(|s| s.to_string()));
    names.sort();
    names.dedup();
    let limiters = names
        .into_iter()
        .map(|name| {
            let p = policy(&name);
            let row = stored.iter().find(|r| r.name == name);
            let l = RateLimiter::new(&name, p.limiter.clone());
            LimiterStatus {
                available: l.available(row, now),
                blocked_until: row.and_then(|r| r.blocked_until).filter(|b| *b > now),
                granted: row.map_or(0, |r| r.granted),
                waits: row.map_or(0, |r| r.waits),
                updated: row.map(|r| r.updated),
                config: p.limiter,
                name,
            }
        })
        .collect();
    Ok(Report {
        as_of: now,
        breakers,
        limiters,
    })
}

/// A call refused or abandoned fails the work (exit 1); a store it could not use
/// because another process held it past the busy timeout is said as such.
impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        let kind = match &e {
            Error::Store(s) if s.is_busy() => crate::error::Kind::Busy,
            Error::Store(s)
                if s.is_disk_full() && !matches!(s, crate::store::Error::DiskFull { .. }) =>
            {
                crate::error::Kind::DiskFull
            }
            _ => crate::error::Kind::Failure,
        };
        crate::Error::area(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_store;
    use chrono::TimeZone;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 1, 30, 0).unwrap()
    }

    fn unavailable() -> provider::Error {
        provider::Error::Unavailable {
            provider: "sim".into(),
            symbol: "AAPL".into(),
            detail: "injected".into(),
        }
    }

    fn policy() -> Policy {
        Policy {
            retry: RetryPolicy {
                initial_delay_ms: 100,
                max_delay_ms: 1_000,
                max_attempts: 3,
                jitter: false,
                ..RetryPolicy::default()
            },
            breaker: BreakerConfig {
                min_calls: 4,
                open_seconds: 60,
                half_open_calls: 1,
                ..BreakerConfig::default()
            },
            limiter: LimiterConfig {
                calls: 100,
                per_seconds: 1,
                burst: 100,
                max_wait_ms: 10_000,
            },
            bulkhead: BulkheadConfig {
                max_concurrent: 2,
                timeout_ms: 500,
            },
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_guard_retries_then_its_breaker_opens_and_stops_calling() {
        let (_dir, store) = temp_store();
        let guard = Guard::new(store, "sim", policy(), Clock::starting_at(t0()));
        let calls = AtomicU32::new(0);
        let op = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(unavailable())
        };
        // Three attempts, three failures: below min_calls, still closed.
        assert!(matches!(guard.call(op).await, Err(Error::Provider(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // The 4th failure opens the breaker, and the retry stops there: an open breaker
        // is not worth retrying.
        assert!(matches!(
            guard.call(op).await,
            Err(Error::CircuitOpen { .. })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert!(matches!(
            guard.call(op).await,
            Err(Error::CircuitOpen { .. })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 4, "no call while open");
        // After the recovery timeout a trial call that succeeds closes it.
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(guard.call(|| async { Ok(9) }).await.unwrap(), 9);
        let rows = lock(&guard.store)
            .unwrap()
            .resilience()
            .list_breakers()
            .unwrap();
        assert_eq!(rows[0].state, BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn callers_that_find_the_trials_under_way_wait_for_them_instead_of_failing() {
        let (_dir, store) = temp_store();
        let guard = Guard::new(store, "sim", policy(), Clock::starting_at(t0()));
        for _ in 0..2 {
            let _ = guard.call(|| async { Err::<(), _>(unavailable()) }).await;
        }
        assert!(matches!(
            guard.call(|| async { Ok(()) }).await,
            Err(Error::CircuitOpen { .. })
        ));
        tokio::time::advance(Duration::from_secs(61)).await;
        // Three callers at once; one trial place (half_open_calls = 1). The trial takes
        // 50 ms; the other two are told to wait, retry after 100 ms and find it closed.
        let calls = AtomicU32::new(0);
        let op = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, provider::Error>(())
        };
        let (a, b, c) = tokio::join!(guard.call(op), guard.call(op), guard.call(op));
        a.unwrap();
        b.unwrap();
        c.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let rows = lock(&guard.store)
            .unwrap()
            .resilience()
            .list_breakers()
            .unwrap();
        assert_eq!(rows[0].state, BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn a_guard_times_out_slow_calls_and_retries_them() {
        let (_dir, store) = temp_store();
        let guard = Guard::new(store, "sim", policy(), Clock::starting_at(t0()));
        let calls = AtomicU32::new(0);
        let start = tokio::time::Instant::now();
        let r = guard
            .call(|| async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n == 0 {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                Ok(n)
            })
            .await;
        assert_eq!(r.unwrap(), 1);
        // 500 ms timeout, 100 ms backoff, then the quick second attempt.
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_the_limiter_for_every_caller() {
        let (_dir, store) = temp_store();
        let once = Policy {
            retry: RetryPolicy {
                max_attempts: 1,
                ..policy().retry
            },
            ..policy()
        };
        let guard = Guard::new(store, "sim", once, Clock::starting_at(t0()));
        let r = guard
            .call(|| async {
                Err::<(), _>(provider::Error::RateLimited {
                    provider: "sim".into(),
                    symbol: "AAPL".into(),
                    retry_after: Some(Duration::from_secs(2)),
                })
            })
            .await;
        assert!(matches!(r, Err(Error::Provider(_))));
        {
            let s = lock(&guard.store).unwrap();
            let row = &s.resilience().list_limiters().unwrap()[0];
            assert_eq!(row.blocked_until, Some(t0() + chrono::Duration::seconds(2)));
            // A 429 is not a breaker failure.
            assert_eq!(
                s.resilience().breaker_window("sim", t0()).unwrap().failures,
                0
            );
        }
        // The next call, a different one, waits the Retry-After out too.
        let start = tokio::time::Instant::now();
        guard.call(|| async { Ok(()) }).await.unwrap();
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn provider_overrides_lay_over_the_defaults() {
        let cfg: ResilienceConfig = toml::from_str(
            "[limiter]\ncalls = 50\n[providers.polygon.limiter]\ncalls = 5\nper_seconds = 60\n\
             [providers.polygon.retry]\nmax_attempts = 2\n",
        )
        .unwrap();
        cfg.validate().unwrap();
        let p = cfg.policy("polygon").unwrap();
        assert_eq!(p.limiter.calls, 5);
        assert_eq!(p.limiter.per_seconds, 60);
        assert_eq!(p.limiter.burst, LimiterConfig::default().burst);
        assert_eq!(p.retry.max_attempts, 2);
        assert_eq!(p.retry.initial_delay_ms, 500);
        assert_eq!(cfg.policy("sim").unwrap().limiter.calls, 50);
        let bad: ResilienceConfig =
            toml::from_str("[providers.yahoo.breaker]\nfailure_rat = 0.2\n").unwrap();
        let e = bad.validate().unwrap_err();
        assert!(e.contains("resilience.providers.yahoo"), "{e}");
        assert!(e.contains("failure_rat"), "{e}");
        let bad: ResilienceConfig =
            toml::from_str("[providers.yahoo.retry]\nmax_attempts = 0\n").unwrap();
        let e = bad.validate().unwrap_err();
        assert!(
            e.starts_with("resilience.providers.yahoo.retry.max_attempts"),
            "{e}"
        );
    }

    #[test]
    fn the_report_shows_stored_and_configured_names() {
        let (_dir, mut store) = temp_store();
        let clock = Clock::manual(t0());
        let cfg = ResilienceConfig::default();
        let b = Breaker::new("sim", cfg.breaker.clone());
        for _ in 0..10 {
            let (a, _) = b.check(&mut store, &clock).unwrap();
            b.record(&mut store, &clock, a, &CallOutcome::Failure("x".into()))
                .unwrap();
        }
        let l = RateLimiter::new("sim", cfg.limiter.clone());
        l.try_acquire(&mut store, &clock, 1).unwrap();
        let r = report(&store, &cfg, &["sim", "yahoo"], t0()).unwrap();
        assert_eq!(r.breakers.len(), 2);
        assert_eq!(r.breakers[0].name, "sim");
        assert_eq!(r.breakers[0].state, BreakerState::Open);
        assert!(!r.breakers[0].trial_ready);
        assert_eq!(r.breakers[1].state, BreakerState::Closed);
        assert_eq!(r.limiters[0].available, Some(99.0));
        assert_eq!(r.limiters[1].available, Some(100.0));
        let later = report(&store, &cfg, &[], t0() + chrono::Duration::seconds(60)).unwrap();
        assert!(later.breakers[0].trial_ready);
    }

    #[test]
    fn the_running_clock_starts_at_its_origin_and_moves_on() {
        let c = Clock::starting_at(t0());
        let a = c.now();
        assert!(a >= t0() && a < t0() + chrono::Duration::seconds(5));
        c.advance(chrono::Duration::days(1));
        assert!(c.now() < t0() + chrono::Duration::seconds(5));
        let m = Clock::manual(t0() + chrono::Duration::nanoseconds(1_500_000));
        assert_eq!(m.now(), t0() + chrono::Duration::milliseconds(1));
    }
}
