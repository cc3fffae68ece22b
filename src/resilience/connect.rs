//! [`Connector`]: the one way a command gets a data source. It builds the source named in
//! `[provider]` with every HTTP request paced by the persisted limiter ([`StoreThrottle`],
//! shared by every process), and gives the `[resilience]` policy and [`Guard`] (retry,
//! breaker, call limiter, bulkhead) that the source's calls go through. `scan`, `enrich`,
//! the schedulers and `fetch` all come here, so no command spends a quota the others do
//! not see.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{Clock, Guard, Policy, ResilienceConfig, StoreThrottle};
use crate::provider::{self, BarProvider, ChainProvider, Hooks, ProviderConfig, Source};

/// Builds sources from the config, for one run.
#[derive(Clone)]
pub struct Connector {
    providers: ProviderConfig,
    resilience: ResilienceConfig,
    db: crate::store::Location,
    /// The HTTP cache, in the data home.
    cache: PathBuf,
    clock: Clock,
}

impl Connector {
    /// Sources of `providers`, paced through the store of `home`, on a clock that starts at
    /// `as_of` (the run's `--as-of`).
    pub fn new(
        providers: &ProviderConfig,
        resilience: &ResilienceConfig,
        home: &crate::home::Home,
        as_of: DateTime<Utc>,
    ) -> Connector {
        Connector {
            providers: providers.clone(),
            resilience: resilience.clone(),
            db: home.store().clone(),
            cache: home.join("cache"),
            clock: Clock::starting_at(as_of),
        }
    }

    /// The `[provider]` settings sources are built from.
    pub fn providers(&self) -> &ProviderConfig {
        &self.providers
    }

    /// The hooks every request of `source` goes through: the persisted limiter for a
    /// real HTTP source; nothing for the simulator and replay, which send no requests.
    pub fn hooks(&self, source: Source) -> crate::Result<Hooks> {
        if !source.is_http() {
            return Ok(Hooks::default());
        }
        let throttle = StoreThrottle::open(&self.db, self.clock.clone(), &self.resilience)?;
        Ok(Hooks {
            throttle,
            cache: Some(self.cache.clone()),
            ..Hooks::default()
        })
    }

    /// The chain source `source`, paced.
    pub fn chains(&self, source: Source) -> crate::Result<Box<dyn ChainProvider>> {
        let mut cfg = self.providers.clone();
        cfg.name = source;
        provider::build_with(&cfg, &self.hooks(source)?)
    }

    /// The bar source `source`, paced.
    pub fn bars(&self, source: Source) -> crate::Result<Box<dyn BarProvider>> {
        provider::build_bars_with(source, &self.providers, &self.hooks(source)?)
    }

    /// Checks that `source` can be built (settings, keys, folders) without opening the
    /// store: a usage error comes before any lock is taken.
    pub fn check_bars(&self, source: Source) -> crate::Result<()> {
        provider::build_bars(source, &self.providers).map(drop)
    }

    /// The `[resilience]` policy of `source`: the defaults with its overrides.
    pub fn policy(&self, source: Source) -> crate::Result<Policy> {
        self.resilience
            .policy(source.as_str())
            .map_err(crate::Error::Usage)
    }

    /// The guard around `source`'s calls, with `policy`, on its own store connection.
    pub fn guard(&self, source: Source, policy: Policy) -> crate::Result<Guard> {
        Ok(Guard::open(
            &self.db,
            source.as_str(),
            policy,
            self.clock.clone(),
        )?)
    }

    /// The run's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}
