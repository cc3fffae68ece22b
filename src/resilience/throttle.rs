//! The persisted rate limiter as the real sources' request throttle.
//!
//! Every HTTP request a source sends first takes a token from the bucket `http:<source>`
//! in the store, so a scan, an enrich run and an `optctl fetch` running at the same time
//! share the source's pace instead of each spending it in full. The pace is the
//! source's documented default ([`provider::default_rate`]) unless the config sets
//! `[resilience.providers.NAME.limiter]`. A 429 with Retry-After holds the bucket for
//! every process until then.
//!
//! This bucket counts HTTP requests (a Yahoo chain is 2 + one per expiration); the
//! [`super::Guard`] around enrich's calls counts provider calls in its own bucket, named
//! after the provider, at `[resilience.limiter]`'s generous default.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::{Clock, LimiterConfig, RateLimiter, ResilienceConfig};
use crate::provider::{self, RateSpec, Throttle};
use crate::store::Store;

/// Longest a request waits for its token before failing as rate limited (retryable).
const MAX_WAIT_MS: u64 = 120_000;

/// A [`Throttle`] over the store's token buckets.
pub struct StoreThrottle {
    store: Mutex<Store>,
    clock: Clock,
    /// Limiter settings set in the config, per source.
    configured: BTreeMap<String, LimiterConfig>,
}

impl StoreThrottle {
    /// Opens its own connection to the store at `db`: the throttle debits buckets while
    /// the command's writer works on its own connection.
    /// A bad `[resilience.providers.NAME]` table is a usage error; a store that cannot
    /// be opened (locked, too new) keeps its own error, and so its exit code.
    pub fn open(
        db: &crate::store::Location,
        clock: Clock,
        cfg: &ResilienceConfig,
    ) -> crate::Result<Arc<Self>> {
        let mut configured = BTreeMap::new();
        for (name, table) in &cfg.providers {
            if table.contains_key("limiter") {
                let policy = cfg.policy(name).map_err(crate::Error::Usage)?;
                configured.insert(name.clone(), policy.limiter);
            }
        }
        let store = db.open()?;
        Ok(Arc::new(StoreThrottle {
            store: Mutex::new(store),
            clock,
            configured,
        }))
    }

    /// The limiter of `source` at its configured pace, else at `rate`.
    fn limiter(&self, source: &str, rate: RateSpec) -> RateLimiter {
        let cfg = self
            .configured
            .get(source)
            .cloned()
            .unwrap_or_else(|| limiter_config(rate));
        RateLimiter::new(format!("http:{source}"), cfg)
    }
}

/// A source's documented pace as a bucket: `requests` per `per`, all of them at once at
/// most.
pub fn limiter_config(rate: RateSpec) -> LimiterConfig {
    LimiterConfig {
        calls: rate.requests,
        per_seconds: rate.per.as_secs().max(1),
        burst: rate.requests.max(1),
        max_wait_ms: MAX_WAIT_MS,
    }
}

#[async_trait]
impl Throttle for StoreThrottle {
    async fn acquire(
        &self,
        source: &str,
        symbol: &str,
        rate: RateSpec,
    ) -> Result<(), provider::Error> {
        match self
            .limiter(source, rate)
            .acquire(&self.store, &self.clock, 1)
            .await
        {
            Ok(_) => Ok(()),
            Err(super::Error::QuotaExhausted { wait, .. }) => Err(provider::Error::RateLimited {
                provider: source.into(),
                symbol: symbol.into(),
                retry_after: Some(wait),
            }),
            Err(e) => Err(provider::Error::Unavailable {
                provider: source.into(),
                symbol: symbol.into(),
                detail: format!("rate limiter: {e}"),
            }),
        }
    }

    fn back_off(&self, source: &str, wait: Duration) {
        let Some(rate) = source
            .parse::<provider::Source>()
            .ok()
            .and_then(provider::default_rate)
        else {
            return;
        };
        let until = self.clock.now() + chrono::TimeDelta::from_std(wait).unwrap_or_default();
        let limiter = self.limiter(source, rate);
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = limiter.hold_until(&mut store, &self.clock, until) {
            tracing::warn!("{source}: cannot record the Retry-After in the rate limiter: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::{TimeZone, Utc};

    use super::*;

    fn throttle(dir: &Path, clock: Clock, cfg: &ResilienceConfig) -> Arc<StoreThrottle> {
        let db = crate::store::Location::Sqlite(dir.join("optctl.db"));
        StoreThrottle::open(&db, clock, cfg).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn requests_share_the_sources_pace_across_throttles() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let clock = Clock::manual(t0);
        let cfg = ResilienceConfig::default();
        // Two throttles on one store stand for two processes.
        let (a, b) = (
            throttle(dir.path(), clock.clone(), &cfg),
            throttle(dir.path(), clock.clone(), &cfg),
        );
        let rate = RateSpec::per_minute(5);
        for i in 0..5 {
            let t = if i % 2 == 0 { &a } else { &b };
            t.acquire("polygon", "AAPL", rate).await.unwrap();
        }
        // The sixth request within the minute would wait 12 s: with the manual clock
        // standing still the wait never ends, so a short max_wait shows it.
        let limiter = a.limiter("polygon", rate);
        let mut store = a.store.lock().unwrap();
        let answer = limiter.try_acquire(&mut store, &clock, 1).unwrap();
        assert!(
            matches!(answer, super::super::Acquired::Wait(d) if d >= Duration::from_secs(11)),
            "{answer:?}"
        );
    }

    #[tokio::test]
    async fn a_configured_limiter_wins_and_retry_after_holds_every_process() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let clock = Clock::manual(t0);
        let cfg: ResilienceConfig = toml::from_str(
            "[providers.cboe.limiter]\ncalls = 2\nper_seconds = 60\nburst = 2\nmax_wait_ms = 0\n",
        )
        .unwrap();
        let a = throttle(dir.path(), clock.clone(), &cfg);
        let rate = provider::default_rate(provider::Source::Cboe).unwrap();
        a.acquire("cboe", "SPY", rate).await.unwrap();
        a.acquire("cboe", "SPY", rate).await.unwrap();
        let err = a.acquire("cboe", "SPY", rate).await.unwrap_err();
        assert!(
            matches!(err, provider::Error::RateLimited { .. }) && err.is_retryable(),
            "{err}"
        );

        // Yahoo at its default pace; a 429 with Retry-After 30 s empties its bucket for
        // another process too.
        let yahoo = provider::default_rate(provider::Source::Yahoo).unwrap();
        let b = throttle(dir.path(), clock.clone(), &ResilienceConfig::default());
        b.back_off("yahoo", Duration::from_secs(30));
        let limiter = a.limiter("yahoo", yahoo);
        let answer = limiter
            .try_acquire(&mut a.store.lock().unwrap(), &clock, 1)
            .unwrap();
        assert!(
            matches!(answer, super::super::Acquired::Wait(d) if d >= Duration::from_secs(29)),
            "{answer:?}"
        );
    }
}
