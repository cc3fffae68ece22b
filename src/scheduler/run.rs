//! The two schedulers.
//!
//! - [`legacy`]: as the old system ran: category after category, symbol after symbol,
//!   each with its own calls for each timeframe, one call at a time, nothing shared.
//! - [`unified`]: the union of (symbol, timeframe) over the categories, each looked up
//!   in the [`SymbolCache`] and fetched at most once, `concurrency` calls at a time; then
//!   every category analysed in parallel (one thread each) over the same bars.
//!
//! Both ask for the same ranges (`scheduler::fetch_range`) and analyse with the same
//! functions (`strategies::analyse`), so on the same data they find the same signals.
//! Both call the provider through the same [`Fetcher`]: with a resilience `Guard`, a
//! retryable failure is retried with backoff and every attempt counts as a call. A
//! series that still fails fails the symbols that needed it and is reported; the run
//! goes on.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::cache::{Entry, Key, SymbolCache};
use super::strategies::{self, Bars};
use super::{Category, SchedulerConfig, SchedulerKind, Signal, fetch_range};
use crate::market::{Bar, Listing, Timeframe};
use crate::progress::Progress;
use crate::provider::BarProvider;
use crate::resilience::{Guard, Retryable};
use crate::store::outbox::OutboxEntry;
use crate::store::scheduler::{Role, RunWrite};

/// How the schedulers reach the provider.
#[derive(Clone)]
pub struct Fetcher {
    pub provider: Arc<dyn BarProvider>,
    /// Retry, breaker, limiter and bulkhead around every call (`[resilience]`); None
    /// calls the provider straight (tests).
    pub guard: Option<Arc<Guard>>,
}

impl Fetcher {
    /// Calls the provider straight, without a guard.
    pub fn plain(provider: Arc<dyn BarProvider>) -> Fetcher {
        Fetcher {
            provider,
            guard: None,
        }
    }

    /// The bar source `source` from `connector`, guarded by its `[resilience]` policy.
    pub fn connect(
        connector: &crate::resilience::Connector,
        source: crate::provider::Source,
    ) -> crate::Result<Fetcher> {
        let provider: Arc<dyn BarProvider> = connector.bars(source)?.into();
        let guard = connector.guard(source, connector.policy(source)?)?;
        Ok(Fetcher {
            provider,
            guard: Some(Arc::new(guard)),
        })
    }

    pub fn name(&self) -> &str {
        self.provider.name()
    }

    /// The series of `symbol` on `market` at `tf` for the scheduler's range at `as_of`:
    /// the one place both schedulers call the provider. Bars outside `market`'s sessions
    /// are dropped (a holiday row, a closing print), so every strategy reads the market's
    /// own sessions. Returns the calls made (retries included) and the bars or the error
    /// that stopped them.
    async fn fetch(
        &self,
        market: Listing,
        symbol: &str,
        tf: Timeframe,
        as_of: DateTime<Utc>,
    ) -> (u64, Result<Vec<Bar>, FetchError>) {
        let (from, to) = fetch_range(tf, as_of);
        let calls = AtomicU64::new(0);
        let call = || {
            calls.fetch_add(1, Ordering::Relaxed);
            self.provider.bars_on(market, symbol, tf, from, to)
        };
        let failed = |error: String, retryable: bool| FetchError {
            symbol: symbol.to_string(),
            timeframe: tf,
            error,
            retryable,
        };
        let result = match &self.guard {
            Some(g) => g
                .call(call)
                .await
                .map_err(|e| failed(e.to_string(), e.is_retryable())),
            None => call()
                .await
                .map_err(|e| failed(e.to_string(), e.is_retryable())),
        };
        let cal = market.calendar();
        let result = result.map(|mut bars| {
            let before = bars.len();
            bars.retain(|b| tf.in_session(cal, b.time));
            if bars.len() < before {
                tracing::debug!(
                    "{symbol} {tf}: dropped {} bars outside the {market} sessions",
                    before - bars.len()
                );
            }
            bars
        });
        (calls.load(Ordering::Relaxed), result)
    }
}

/// What one scheduler run is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub categories: &'a [Category],
    pub cfg: &'a SchedulerConfig,
    pub as_of: DateTime<Utc>,
}

/// A series that could not be fetched (after retries, where the error allowed them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchError {
    pub symbol: String,
    pub timeframe: Timeframe,
    pub error: String,
    /// Whether the source said trying again later could help (timeout, 5xx, 429).
    pub retryable: bool,
}

/// What a scheduler run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub scheduler: SchedulerKind,
    pub categories: Vec<Category>,
    /// Sorted by category, symbol, bar time, strategy, direction.
    pub signals: Vec<Signal>,
    /// Calls that reached the provider, retries included.
    pub provider_calls: u64,
    /// Series that could not be fetched (after retries).
    pub failed_calls: u64,
    /// Series the categories asked for: one per (category, symbol, timeframe).
    pub lookups: u64,
    /// Lookups served without a call of their own (stored series, or fetched for another
    /// category in this run). Always 0 for legacy.
    pub cache_hits: u64,
    /// Lookups that needed a call.
    pub cache_misses: u64,
    /// (category, symbol) pairs analysed, and those that could not be (a call failed).
    pub symbols: u64,
    pub symbols_failed: u64,
    /// Wall time of the run: cache reads, calls, analysis.
    pub duration_ms: f64,
    pub errors: Vec<FetchError>,
}

impl RunReport {
    fn new(kind: SchedulerKind, job: &Job<'_>) -> RunReport {
        RunReport {
            scheduler: kind,
            categories: job.categories.to_vec(),
            signals: Vec::new(),
            provider_calls: 0,
            failed_calls: 0,
            lookups: 0,
            cache_hits: 0,
            cache_misses: 0,
            symbols: 0,
            symbols_failed: 0,
            duration_ms: 0.0,
            errors: Vec::new(),
        }
    }

    fn finish(&mut self, started: Instant) {
        self.signals.sort_by(|a, b| {
            (a.category, &a.symbol, a.bar_time, &a.strategy, a.direction).cmp(&(
                b.category,
                &b.symbol,
                b.bar_time,
                &b.strategy,
                b.direction,
            ))
        });
        self.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    }

    /// The run as the store keeps it, in `role`, with the notifications of its signals.
    pub fn write<'a>(&'a self, role: Role, outbox: &'a [Option<OutboxEntry>]) -> RunWrite<'a> {
        RunWrite {
            scheduler: self.scheduler,
            role,
            categories: &self.categories,
            signals: &self.signals,
            provider_calls: self.provider_calls,
            failed_calls: self.failed_calls,
            lookups: self.lookups,
            cache_hits: self.cache_hits,
            cache_misses: self.cache_misses,
            symbols: self.symbols,
            symbols_failed: self.symbols_failed,
            duration_ms: self.duration_ms,
            errors_json: serde_json::to_string(&self.errors).unwrap_or_else(|_| "null".into()),
            outbox,
        }
    }

    /// Whether every symbol failed (and there were symbols).
    pub fn all_failed(&self) -> bool {
        self.symbols > 0 && self.symbols_failed == self.symbols
    }
}

/// The symbols of `category`: upper case, each once, in the configured order.
pub fn symbols(cfg: &SchedulerConfig, category: Category) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in cfg.categories.symbols(category) {
        let s = s.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Every (symbol, timeframe) the categories ask for, with how many of them ask.
pub fn requests(cfg: &SchedulerConfig, categories: &[Category]) -> BTreeMap<Key, u64> {
    let mut out = BTreeMap::new();
    for &c in categories {
        for s in symbols(cfg, c) {
            for &tf in c.timeframes() {
                *out.entry((s.clone(), tf)).or_insert(0) += 1;
            }
        }
    }
    out
}

/// The legacy scheduler: categories one after another, each symbol with its own calls.
pub async fn legacy(fetcher: &Fetcher, job: &Job<'_>, progress: &dyn Progress) -> RunReport {
    let started = Instant::now();
    let mut r = RunReport::new(SchedulerKind::Legacy, job);
    for &category in job.categories {
        for symbol in symbols(job.cfg, category) {
            r.symbols += 1;
            let mut got: Vec<(Timeframe, Vec<Bar>)> = Vec::new();
            let mut failed = false;
            for &tf in category.timeframes() {
                r.lookups += 1;
                r.cache_misses += 1;
                let (calls, result) = fetcher.fetch(job.cfg.market, &symbol, tf, job.as_of).await;
                r.provider_calls += calls;
                match result {
                    Ok(bars) => {
                        progress.advance(&symbol, true);
                        got.push((tf, bars));
                    }
                    Err(e) => {
                        progress.advance(&symbol, false);
                        r.failed_calls += 1;
                        r.errors.push(e);
                        // The old scheduler gave up on a symbol at its first failed call.
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                r.symbols_failed += 1;
                continue;
            }
            let mut bars = Bars::default();
            for (tf, b) in &got {
                bars.set(*tf, b);
            }
            r.signals.extend(strategies::analyse(
                category,
                &symbol,
                bars,
                &job.cfg.categories,
            ));
        }
    }
    r.finish(started);
    r
}

/// The unified scheduler: each (symbol, timeframe) once, through the cache, with bounded
/// concurrency; then the categories in parallel. Fetched series are added to `cache`.
pub async fn unified(
    fetcher: &Fetcher,
    job: &Job<'_>,
    cache: &mut SymbolCache,
    progress: &dyn Progress,
) -> RunReport {
    let started = Instant::now();
    let mut r = RunReport::new(SchedulerKind::Unified, job);
    let wanted = requests(job.cfg, job.categories);
    let mut series: HashMap<Key, Result<Arc<Vec<Bar>>, FetchError>> = HashMap::new();
    let mut misses: Vec<Key> = Vec::new();
    for (key, &asked) in &wanted {
        r.lookups += asked;
        let (from, to) = fetch_range(key.1, job.as_of);
        match cache.get(key, from, to) {
            Some(bars) => {
                r.cache_hits += asked;
                series.insert(key.clone(), Ok(bars));
                progress.advance(&key.0, true);
            }
            None => {
                // One call serves every category that asks for this series.
                r.cache_misses += 1;
                r.cache_hits += asked - 1;
                misses.push(key.clone());
            }
        }
    }

    let gate = Arc::new(Semaphore::new(job.cfg.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for key in misses {
        let (fetcher, gate, as_of) = (fetcher.clone(), gate.clone(), job.as_of);
        let market = job.cfg.market;
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let (calls, result) = fetcher.fetch(market, &key.0, key.1, as_of).await;
            (key, calls, result)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (key, calls, result) = match done {
            Ok(x) => x,
            // A fetch task panicked: a bug, not a provider failure; say so loudly.
            Err(e) => {
                tracing::error!("a unified fetch task failed: {e}");
                continue;
            }
        };
        r.provider_calls += calls;
        match result {
            Ok(bars) => {
                progress.advance(&key.0, true);
                let bars = Arc::new(bars);
                let (from, to) = fetch_range(key.1, job.as_of);
                cache.put(
                    key.clone(),
                    Entry {
                        from,
                        fetched_to: to,
                        bars: bars.clone(),
                    },
                );
                series.insert(key, Ok(bars));
            }
            Err(e) => {
                progress.advance(&key.0, false);
                r.failed_calls += 1;
                r.errors.push(e.clone());
                series.insert(key, Err(e));
            }
        }
    }
    r.errors
        .sort_by(|a, b| (&a.symbol, a.timeframe).cmp(&(&b.symbol, b.timeframe)));

    // Every category over the same bars, in parallel.
    let per_category: Vec<(u64, u64, Vec<Signal>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = job
            .categories
            .iter()
            .map(|&category| {
                let series = &series;
                scope.spawn(move || analyse_category(category, job.cfg, series))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for (n, failed, signals) in per_category {
        r.symbols += n;
        r.symbols_failed += failed;
        r.signals.extend(signals);
    }
    r.finish(started);
    r
}

/// (symbols, symbols failed, signals) of one category over the fetched series.
fn analyse_category(
    category: Category,
    cfg: &SchedulerConfig,
    series: &HashMap<Key, Result<Arc<Vec<Bar>>, FetchError>>,
) -> (u64, u64, Vec<Signal>) {
    let (mut n, mut failed, mut out) = (0, 0, Vec::new());
    for symbol in symbols(cfg, category) {
        n += 1;
        let mut bars = Bars::default();
        let mut ok = true;
        for &tf in category.timeframes() {
            match series.get(&(symbol.clone(), tf)) {
                Some(Ok(b)) => bars.set(tf, b),
                _ => ok = false,
            }
        }
        if ok {
            out.extend(strategies::analyse(
                category,
                &symbol,
                bars,
                &cfg.categories,
            ));
        } else {
            failed += 1;
        }
    }
    (n, failed, out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use crate::provider::Counted;
    use crate::provider::sim::{SimConfig, SimProvider};
    use chrono::TimeDelta;

    pub(crate) fn now() -> DateTime<Utc> {
        // Monday 2026-11-23 11:30 New York: two hours of the session traded.
        "2026-11-23T16:30:00Z".parse().unwrap()
    }

    #[tokio::test]
    async fn both_schedulers_find_the_same_signals_with_fewer_calls() {
        let cfg = SchedulerConfig::default();
        let job = Job {
            categories: &Category::ALL,
            cfg: &cfg,
            as_of: now(),
        };
        let sim = SimProvider::new(SimConfig::default());
        let old = legacy(&Fetcher::plain(Arc::new(sim.clone())), &job, &NoProgress).await;
        let counted = Arc::new(Counted::new(Box::new(sim.clone()) as Box<dyn BarProvider>));
        let fetcher = Fetcher::plain(counted.clone());
        let mut cache = SymbolCache::empty(TimeDelta::minutes(30));
        let new = unified(&fetcher, &job, &mut cache, &NoProgress).await;
        assert!(
            !old.signals.is_empty(),
            "the default categories find setups"
        );
        assert_eq!(old.signals, new.signals);
        // The overlapping defaults: 12 + 10 + 15 symbols, 59 series asked for, but only
        // 15 distinct 5m series and 24 distinct daily ones.
        assert_eq!(old.provider_calls, 12 * 2 + 10 * 2 + 15);
        assert_eq!(old.lookups, 59);
        assert_eq!(new.lookups, 59);
        assert_eq!(new.provider_calls, 15 + 24);
        assert_eq!(
            counted.calls(),
            new.provider_calls,
            "the count is of real calls"
        );
        assert_eq!(new.cache_misses, 39);
        assert_eq!(new.cache_hits, 59 - 39);
        assert_eq!(cache.fetched().count(), 39);
        // A second run in the same tick is served wholly by the cache.
        let again = unified(&fetcher, &job, &mut cache, &NoProgress).await;
        assert_eq!(again.provider_calls, 0);
        assert_eq!(again.cache_hits, 59);
        assert_eq!(again.signals, old.signals);
        assert_eq!(counted.calls(), 39);
    }

    #[tokio::test]
    async fn a_failing_symbol_fails_only_the_categories_that_need_it() {
        let cfg = SchedulerConfig::default();
        let job = Job {
            categories: &Category::ALL,
            cfg: &cfg,
            as_of: now(),
        };
        // SBIN is in day_trading and short_selling, not short_term.
        let sim = SimProvider::new(SimConfig {
            fail_tickers: vec!["SBIN".into()],
            ..SimConfig::default()
        });
        let fetcher = Fetcher::plain(Arc::new(sim));
        let old = legacy(&fetcher, &job, &NoProgress).await;
        let mut cache = SymbolCache::empty(TimeDelta::minutes(30));
        let new = unified(&fetcher, &job, &mut cache, &NoProgress).await;
        assert_eq!(old.symbols_failed, 2);
        assert_eq!(new.symbols_failed, 2);
        assert_eq!(old.symbols, 37);
        // Legacy stops a symbol at its first failure: one call per category.
        assert_eq!(old.failed_calls, 2);
        // Unified calls for each SBIN series once: 5m and 1d.
        assert_eq!(new.failed_calls, 2);
        assert!(new.errors.iter().all(|e| e.symbol == "SBIN" && e.retryable));
        assert!(old.signals.iter().all(|s| s.symbol != "SBIN"));
        assert_eq!(old.signals, new.signals);
        assert!(
            !cache.fetched().any(|(k, _)| k.0 == "SBIN"),
            "failures are not cached"
        );
    }

    #[tokio::test]
    async fn the_guard_retries_failed_calls_and_every_attempt_counts() {
        use crate::resilience::{Clock, Policy};
        let cfg = SchedulerConfig::default();
        let job = Job {
            categories: &Category::ALL,
            cfg: &cfg,
            as_of: now(),
        };
        let flaky = SimProvider::new(SimConfig {
            failure_rate: 0.3,
            ..SimConfig::default()
        });
        let mut policy = Policy::default();
        policy.retry.initial_delay_ms = 1;
        policy.retry.max_delay_ms = 2;
        policy.retry.jitter = false;
        policy.retry.max_attempts = 12;
        policy.limiter.calls = 0;
        policy.breaker.min_calls = 10_000;
        let (_dir, store) = crate::store::tests::temp_store();
        let guard = Guard::new(store, "sim", policy, Clock::starting_at(now()));
        let fetcher = Fetcher {
            provider: Arc::new(flaky),
            guard: Some(Arc::new(guard)),
        };
        let mut cache = SymbolCache::empty(TimeDelta::minutes(30));
        let new = unified(&fetcher, &job, &mut cache, &NoProgress).await;
        // 30% of attempts fail and are retried: every series arrives, at a cost.
        assert_eq!(new.failed_calls, 0, "{:?}", new.errors);
        assert_eq!(new.cache_misses, 39);
        assert!(new.provider_calls > 39, "{} calls", new.provider_calls);
        let clean = legacy(
            &Fetcher::plain(Arc::new(SimProvider::new(SimConfig::default()))),
            &job,
            &NoProgress,
        )
        .await;
        assert_eq!(new.signals, clean.signals);
    }
}
