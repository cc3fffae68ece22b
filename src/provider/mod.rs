//! Where market data comes from. A [`ChainProvider`] returns a [`ChainSnapshot`] for a
//! ticker; a [`BarProvider`] returns OHLCV [`Bar`]s for a symbol and [`Timeframe`]. Every
//! call goes through [`Counted`], so the number of provider calls is known to the scan
//! report, the enrichment metrics, the scheduler comparison and API quotas.
//!
//! The embedded simulator lives in `provider::sim`, replay of saved snapshots and raw
//! responses in `provider::files`. The real HTTP sources are `provider::cboe`, `yahoo`,
//! `polygon`, `tradier`, `nse`, `kite` and `upstox`; their shared request path (client,
//! throttle hook,
//! error classification) is `provider::http`, wire-format helpers `provider::wire`, and
//! the raw-response captures of `optctl fetch --save` `provider::capture`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::market::{Bar, ChainSnapshot, Timeframe};

pub mod capture;
pub mod cboe;
pub mod config;
pub mod fetch;
pub mod files;
pub mod http;
pub mod kite;
pub mod nse;
pub mod polygon;
pub mod sim;
pub mod source;
pub mod tradier;
pub mod upstox;
pub mod wire;
pub mod yahoo;

pub use config::{FilesConfig, ProviderConfig};
pub use http::{NoThrottle, RateSpec, Throttle};
pub use source::Source;

/// A provider failure, classified so callers know whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source does not know this symbol. Not retryable.
    #[error("{provider}: unknown symbol {symbol}")]
    UnknownSymbol { provider: String, symbol: String },
    /// The source asked us to slow down. Retryable after `retry_after` when given.
    #[error("{provider}: rate limited while fetching {symbol}{}", retry_hint(.retry_after))]
    RateLimited {
        provider: String,
        symbol: String,
        retry_after: Option<Duration>,
    },
    /// Timeout, 5xx, connection reset, or an injected failure. Retryable.
    #[error("{provider}: temporary failure fetching {symbol}: {detail}")]
    Unavailable {
        provider: String,
        symbol: String,
        detail: String,
    },
    /// The payload is not what the source documents. Not retryable.
    #[error("malformed response from {provider} for {symbol}: {detail}")]
    Malformed {
        provider: String,
        symbol: String,
        detail: String,
    },
    /// The source keeps no bars of this timeframe that far back (Yahoo's 1-minute bars:
    /// the last 30 days). Not retryable: the range is the caller's to change.
    #[error("{provider}: no {timeframe} bars of {symbol} before {limit}: {detail}")]
    OutOfRange {
        provider: String,
        symbol: String,
        timeframe: crate::market::Timeframe,
        limit: DateTime<Utc>,
        detail: String,
    },
    /// A key or token was refused. Not retryable.
    #[error("{provider}: authentication failed: {detail}")]
    Auth { provider: String, detail: String },
    /// A local file could not be read.
    /// (The cause is part of the message, not a `source`: provider errors are stored
    /// and reported as text per ticker.)
    #[error("{provider}: cannot read {}: {cause}", .path.display())]
    Io {
        provider: String,
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" (retry after {} s)", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
    /// [`Error::UnknownSymbol`] of `symbol` at `provider`.
    /// `raw` as a [`Symbol`](crate::market::Symbol), or [`Error::UnknownSymbol`]: no
    /// source has an answer for text outside the grammar.
    pub fn symbol(provider: &str, raw: &str) -> Result<crate::market::Symbol, Error> {
        crate::market::Symbol::parse(raw).map_err(|_| Error::unknown(provider, raw))
    }

    pub fn unknown(provider: &str, symbol: &str) -> Error {
        Error::UnknownSymbol {
            provider: provider.to_string(),
            symbol: symbol.to_string(),
        }
    }

    /// [`Error::Malformed`]: `provider`'s answer for `symbol` is not what it documents.
    pub fn malformed(provider: &str, symbol: &str, detail: impl Into<String>) -> Error {
        Error::Malformed {
            provider: provider.to_string(),
            symbol: symbol.to_string(),
            detail: detail.into(),
        }
    }

    /// Whether the same call may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Unavailable { .. })
    }
}

/// A source of option chains.
#[async_trait]
pub trait ChainProvider: Send + Sync {
    /// Short name used in messages, config and stored scans (`sim`, `files`, ...).
    fn name(&self) -> &str;

    /// The chain for `ticker` as it stood at `as_of`.
    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error>;
}

/// A source of OHLCV bars.
#[async_trait]
pub trait BarProvider: Send + Sync {
    /// Short name used in messages, config, jobs and breaker state (`sim`, `yahoo`, ...).
    fn name(&self) -> &str;

    /// Bars of `symbol` at `timeframe` that opened in `[from, to)`, oldest first, one per
    /// open time. Sources may include the bar still in progress at `to`; the simulator
    /// returns only bars that have closed by `to`. An empty list is not an error (a
    /// holiday, a range before listing).
    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error>;

    /// [`BarProvider::bars`] of `symbol` as listed on `listing`, the market the caller
    /// trades it on (the strategy schedulers' `[scheduler] market`). A source that serves
    /// one market only, or knows each symbol's market, ignores it.
    async fn bars_on(
        &self,
        listing: crate::market::Listing,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let _ = listing;
        self.bars(symbol, timeframe, from, to).await
    }
}

/// Wraps a provider and counts its calls and failures.
pub struct Counted<P: ?Sized> {
    calls: AtomicU64,
    failures: AtomicU64,
    inner: Box<P>,
}

impl<P: ?Sized> Counted<P> {
    pub fn new(inner: Box<P>) -> Self {
        Counted {
            calls: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            inner,
        }
    }

    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Calls that returned an error.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl<P: ChainProvider + ?Sized> ChainProvider for Counted<P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let result = self.inner.chain(ticker, as_of).await;
        if result.is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

#[async_trait]
impl<P: BarProvider + ?Sized> BarProvider for Counted<P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let result = self.inner.bars(symbol, timeframe, from, to).await;
        if result.is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    async fn bars_on(
        &self,
        listing: crate::market::Listing,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let result = self
            .inner
            .bars_on(listing, symbol, timeframe, from, to)
            .await;
        if result.is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

/// What the caller can plug into every HTTP source's request path.
///
/// The persisted limiter plugs in as `throttle`: an implementation of [`Throttle`] whose
/// `acquire(provider, symbol, rate)` takes a token from the provider's bucket (waiting or
/// refusing with [`Error::RateLimited`]) and whose `back_off` holds the bucket after a
/// 429's Retry-After; the commands pass it with [`build_with`] / [`build_bars_with`]
/// instead of [`build`] / [`build_bars`]. `rate` is the source's [`default_rate`]; the
/// limiter's own config may override it.
#[derive(Clone)]
pub struct Hooks {
    /// Awaited before every HTTP request (see above). Default: [`NoThrottle`].
    pub throttle: Arc<dyn Throttle>,
    /// Replaces the production HTTP transport (replay, tests).
    pub transport: Option<Arc<dyn http::Transport>>,
    /// Keeps a copy of every response (`optctl fetch --save`).
    pub recording: Option<Arc<capture::Recording>>,
    /// The data home's folder for downloaded reference files a source reuses across
    /// runs (Upstox's daily instrument list); `None` keeps them in memory only.
    pub cache: Option<std::path::PathBuf>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            throttle: Arc::new(NoThrottle),
            transport: None,
            recording: None,
            cache: None,
        }
    }
}

/// What a source that needs a key or token calls it, and where it is set.
pub(crate) struct KeySetting {
    /// `"an API key"`, `"an access token"`.
    pub what: &'static str,
    /// The environment variable that holds it.
    pub env: &'static str,
    /// The config key that holds it (`token` in `[provider.tradier]`).
    pub key: &'static str,
}

impl Hooks {
    /// The request path of source `name`: its base URL checked, its default rate, the
    /// throttle, and the transport.
    pub(crate) fn client(
        &self,
        name: &'static str,
        base_url: &str,
        rate: RateSpec,
        http_cfg: &http::HttpConfig,
        user_agent: &str,
    ) -> Result<http::Client, crate::Error> {
        let base = http::parse_base_url(&format!("provider.{name}.base_url"), base_url)
            .map_err(crate::Error::Usage)?;
        let mut transport: Arc<dyn http::Transport> = match &self.transport {
            Some(t) => t.clone(),
            None => Arc::new(http::HttpTransport::new(http_cfg, user_agent)?),
        };
        if let Some(log) = &self.recording {
            transport = Arc::new(capture::Recorder::new(transport, log.clone()));
        }
        Ok(http::Client::new(
            name,
            base,
            rate,
            transport,
            self.throttle.clone(),
        ))
    }

    /// [`Hooks::client`] for a source that sends `secret` as a bearer token, with the
    /// `Authorization` header to send. No secret is a usage error naming both settings.
    pub(crate) fn bearer_client(
        &self,
        name: &'static str,
        base_url: &str,
        rate: RateSpec,
        http_cfg: &http::HttpConfig,
        secret: Option<&http::Secret>,
        setting: &KeySetting,
    ) -> Result<(http::Client, reqwest::header::HeaderMap), crate::Error> {
        let KeySetting { what, env, key } = setting;
        let secret = secret.ok_or_else(|| {
            crate::Error::Usage(format!(
                "provider {name} needs {what}: set {env} or [provider.{name}] {key} in the config"
            ))
        })?;
        let client = self
            .client(name, base_url, rate, http_cfg, http::USER_AGENT)?
            .with_secret(Some(secret));
        let value = http::bearer(secret)
            .map_err(|e| crate::Error::Usage(format!("provider.{name}.{key}: {e}")))?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, value);
        Ok((client, headers))
    }
}

/// The request rate source `name` declares as its default (what its documentation or
/// public experience allows); `None` for providers that make no requests (`sim`, `files`).
/// Every HTTP request of the source hands it to [`Throttle::acquire`].
pub fn default_rate(source: Source) -> Option<RateSpec> {
    match source {
        Source::Cboe => Some(cboe::DEFAULT_RATE),
        Source::Yahoo => Some(yahoo::DEFAULT_RATE),
        Source::Polygon => Some(polygon::DEFAULT_RATE),
        Source::Tradier => Some(tradier::DEFAULT_RATE),
        Source::Nse => Some(nse::DEFAULT_RATE),
        Source::Kite => Some(kite::DEFAULT_RATE),
        Source::Upstox => Some(upstox::DEFAULT_RATE),
        Source::Sim | Source::Files => None,
    }
}

/// Builds the chain provider named in `cfg`.
pub fn build(cfg: &ProviderConfig) -> Result<Box<dyn ChainProvider>, crate::Error> {
    build_with(cfg, &Hooks::default())
}

/// Builds the chain provider named in `cfg`, with `hooks` in its request path.
pub fn build_with(
    cfg: &ProviderConfig,
    hooks: &Hooks,
) -> Result<Box<dyn ChainProvider>, crate::Error> {
    let h = &cfg.http;
    Ok(match cfg.name {
        Source::Sim => Box::new(sim::SimProvider::new(cfg.sim.clone())),
        Source::Files => Box::new(files_provider(cfg)?),
        Source::Cboe => Box::new(cboe::Cboe::new(&cfg.cboe, h, hooks)?),
        Source::Yahoo => Box::new(yahoo::Yahoo::new(&cfg.yahoo, h, hooks)?),
        Source::Polygon => Box::new(polygon::Polygon::new(&cfg.polygon, h, hooks)?),
        Source::Tradier => Box::new(tradier::Tradier::new(&cfg.tradier, h, hooks)?),
        Source::Nse => Box::new(nse::Nse::new(&cfg.nse, h, hooks)?),
        Source::Kite => Box::new(kite::Kite::new(&cfg.kite, h, hooks)?),
        Source::Upstox => Box::new(upstox::Upstox::new(&cfg.upstox, h, hooks)?),
    })
}

/// Builds the bar provider `name` from `cfg`.
pub fn build_bars(
    name: Source,
    cfg: &ProviderConfig,
) -> Result<Box<dyn BarProvider>, crate::Error> {
    build_bars_with(name, cfg, &Hooks::default())
}

/// Builds the bar provider `name` from `cfg`, with `hooks` in its request path.
pub fn build_bars_with(
    name: Source,
    cfg: &ProviderConfig,
    hooks: &Hooks,
) -> Result<Box<dyn BarProvider>, crate::Error> {
    let h = &cfg.http;
    Ok(match name {
        Source::Sim => Box::new(sim::SimProvider::new(cfg.sim.clone())),
        Source::Files => Box::new(files_provider(cfg)?),
        Source::Yahoo => Box::new(yahoo::Yahoo::new(&cfg.yahoo, h, hooks)?),
        Source::Polygon => Box::new(polygon::Polygon::new(&cfg.polygon, h, hooks)?),
        Source::Tradier => Box::new(tradier::Tradier::new(&cfg.tradier, h, hooks)?),
        Source::Kite => Box::new(kite::Kite::new(&cfg.kite, h, hooks)?),
        Source::Upstox => Box::new(upstox::Upstox::new(&cfg.upstox, h, hooks)?),
        Source::Cboe | Source::Nse => {
            return Err(crate::Error::Usage(format!(
                "provider \"{name}\" has no bars: expected one of {}",
                Source::names(Source::has_bars)
            )));
        }
    })
}

fn files_provider(cfg: &ProviderConfig) -> Result<files::FilesProvider, crate::Error> {
    match &cfg.files.dir {
        Some(dir) if dir.is_dir() => Ok(files::FilesProvider::new(dir.clone())),
        Some(dir) => Err(crate::Error::Usage(format!(
            "provider files: {} is not a folder of snapshots",
            dir.display()
        ))),
        None => Err(crate::Error::Usage(
            "provider files needs a folder: set [provider.files] dir in the config or pass --files-dir DIR"
                .into(),
        )),
    }
}

/// The config section of HTTP source `name` as JSON (secrets redacted), as saved in a
/// capture so that replay asks for the same pages.
pub fn settings(name: Source, cfg: &ProviderConfig) -> serde_json::Value {
    let value = match name {
        Source::Cboe => serde_json::to_value(&cfg.cboe),
        Source::Yahoo => serde_json::to_value(&cfg.yahoo),
        Source::Polygon => serde_json::to_value(&cfg.polygon),
        Source::Tradier => serde_json::to_value(&cfg.tradier),
        Source::Nse => serde_json::to_value(&cfg.nse),
        Source::Kite => serde_json::to_value(&cfg.kite),
        Source::Upstox => serde_json::to_value(&cfg.upstox),
        Source::Sim | Source::Files => Ok(serde_json::Value::Null),
    };
    value.unwrap_or(serde_json::Value::Null)
}

/// A config whose section for `name` is `settings` (from a capture): what replay builds
/// the source from. Saved secrets read back as the redaction marker, which replay never
/// sends anywhere.
pub(crate) fn config_from_settings(
    name: &str,
    settings: &serde_json::Value,
) -> Result<ProviderConfig, String> {
    fn section<T: serde::de::DeserializeOwned + Default>(
        v: &serde_json::Value,
    ) -> Result<T, String> {
        if v.is_null() {
            return Ok(T::default());
        }
        serde_json::from_value(v.clone()).map_err(|e| e.to_string())
    }
    let source: Source = name.parse()?;
    let mut cfg = ProviderConfig {
        name: source,
        ..Default::default()
    };
    match source {
        Source::Cboe => cfg.cboe = section(settings)?,
        Source::Yahoo => cfg.yahoo = section(settings)?,
        Source::Polygon => cfg.polygon = section(settings)?,
        Source::Tradier => cfg.tradier = section(settings)?,
        Source::Nse => cfg.nse = section(settings)?,
        Source::Kite => cfg.kite = section(settings)?,
        Source::Upstox => cfg.upstox = section(settings)?,
        Source::Sim | Source::Files => return Err(format!("{name:?} is not an HTTP source")),
    }
    let placeholder = || Some(http::Secret::new(http::REDACTED));
    cfg.polygon.api_key = cfg.polygon.api_key.or_else(placeholder);
    cfg.tradier.token = cfg.tradier.token.or_else(placeholder);
    cfg.kite.api_key = cfg.kite.api_key.or_else(placeholder);
    cfg.kite.access_token = cfg.kite.access_token.or_else(placeholder);
    cfg.upstox.access_token = cfg.upstox.access_token.or_else(placeholder);
    Ok(cfg)
}

/// A provider's failure fails the work: exit 1. A refused key or an expired token is the
/// user's to fix (a new key, today's token), not a failure that trying again mends: bad
/// input, exit 2, like a missing one; so is a range the source keeps no bars for.
impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        let kind = match e {
            Error::Auth { .. } | Error::OutOfRange { .. } => crate::error::Kind::BadInput,
            _ => crate::error::Kind::Failure,
        };
        crate::Error::area(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `fixtures/providers/` files by path (and a piece of the query), counting.
    struct Fixtures(Vec<(&'static str, &'static str, &'static str)>);

    #[async_trait]
    impl http::Transport for Fixtures {
        async fn send(&self, req: &http::Request) -> Result<http::Response, Error> {
            let query = req.url.query().unwrap_or("");
            let hit = self
                .0
                .iter()
                .find(|(path, piece, _)| req.url.path() == *path && query.contains(piece));
            let (status, body) = match hit {
                Some((_, _, "")) => (200, b"crumb".to_vec()),
                Some((_, _, file)) => (
                    200,
                    std::fs::read(format!(
                        "{}/fixtures/providers/{file}",
                        env!("CARGO_MANIFEST_DIR")
                    ))
                    .unwrap(),
                ),
                None => (404, Vec::new()),
            };
            Ok(http::Response {
                status,
                headers: Default::default(),
                body,
                received_at: Utc::now(),
            })
        }
    }

    fn hooks(routes: Vec<(&'static str, &'static str, &'static str)>) -> Hooks {
        Hooks {
            transport: Some(Arc::new(Fixtures(routes))),
            ..Hooks::default()
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn keyed() -> ProviderConfig {
        let mut cfg = ProviderConfig::default();
        cfg.polygon.api_key = Some(http::Secret::new("k"));
        cfg.tradier.token = Some(http::Secret::new("t"));
        cfg
    }

    #[tokio::test]
    async fn bar_sources_answer_through_the_trait_and_are_counted() {
        let cases = [
            (
                "yahoo",
                hooks(vec![
                    ("/", "", ""),
                    ("/v1/test/getcrumb", "", ""),
                    (
                        "/v8/finance/chart/AAPL",
                        "interval=1d",
                        "yahoo/chart-AAPL-1d.json",
                    ),
                ]),
                4,
            ),
            (
                "polygon",
                hooks(vec![(
                    "/v2/aggs/ticker/AAPL/range/1/day/1794700800000/1795219200000",
                    "limit=50000",
                    "polygon/aggs-AAPL-1d.json",
                )]),
                3,
            ),
            (
                "tradier",
                hooks(vec![(
                    "/v1/markets/history",
                    "symbol=AAPL",
                    "tradier/history-AAPL.json",
                )]),
                5,
            ),
        ];
        for (name, hooks, want) in cases {
            let source =
                Counted::new(build_bars_with(name.parse().unwrap(), &keyed(), &hooks).unwrap());
            let bars = source
                .bars(
                    "aapl",
                    Timeframe::D1,
                    utc("2026-11-16T00:00:00Z"),
                    utc("2026-11-21T00:00:00Z"),
                )
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(bars.len(), want, "{name}");
            assert!(bars.windows(2).all(|w| w[0].time < w[1].time), "{name}");
            // Every daily bar opens at 09:30 New York (14:30 UTC in November).
            assert!(
                bars.iter()
                    .all(|b| b.time.format("%H:%M").to_string() == "14:30"),
                "{name}: {bars:?}"
            );
            assert_eq!((source.calls(), source.failures()), (1, 0), "{name}");
            let err = source
                .bars(
                    "ZZZZ",
                    Timeframe::D1,
                    utc("2026-11-16T00:00:00Z"),
                    utc("2026-11-21T00:00:00Z"),
                )
                .await
                .unwrap_err();
            assert!(matches!(err, Error::UnknownSymbol { .. }), "{name}: {err}");
            assert_eq!(source.failures(), 1, "{name}");
        }
        assert!(build_bars(Source::Cboe, &keyed()).is_err());
        assert!(build_bars(Source::Nse, &keyed()).is_err());
    }

    /// Counts acquisitions and remembers the rate asked for.
    #[derive(Default)]
    struct Tally(std::sync::Mutex<Vec<(String, RateSpec)>>);

    #[async_trait]
    impl Throttle for Tally {
        async fn acquire(&self, provider: &str, _: &str, rate: RateSpec) -> Result<(), Error> {
            self.0.lock().unwrap().push((provider.to_string(), rate));
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_throttle_sees_every_request_at_the_default_rate() {
        let tally = Arc::new(Tally::default());
        let mut cfg = keyed();
        cfg.name = Source::Yahoo;
        let hooks = Hooks {
            throttle: tally.clone(),
            ..hooks(vec![
                ("/", "", ""),
                ("/v1/test/getcrumb", "", ""),
                (
                    "/v7/finance/options/AAPL",
                    "date=1799971200",
                    "yahoo/options-AAPL-1799971200.json",
                ),
                (
                    "/v7/finance/options/AAPL",
                    "date=1802995200",
                    "yahoo/options-AAPL-1802995200.json",
                ),
                ("/v7/finance/options/AAPL", "", "yahoo/options-AAPL.json"),
            ])
        };
        let snap = build_with(&cfg, &hooks)
            .unwrap()
            .chain("AAPL", Utc::now())
            .await
            .unwrap();
        assert_eq!(snap.contracts.len(), 38);
        let seen = tally.0.lock().unwrap();
        // Cookie, crumb, and one page per expiration.
        assert_eq!(seen.len(), 5);
        assert!(
            seen.iter()
                .all(|(p, r)| p == "yahoo" && *r == yahoo::DEFAULT_RATE)
        );
        assert_eq!(default_rate(Source::Polygon), Some(RateSpec::per_minute(5)));
        assert_eq!(default_rate(Source::Sim), None);
    }

    #[test]
    fn retryable_classes() {
        let p = || "sim".to_string();
        let s = || "AAPL".to_string();
        assert!(
            Error::RateLimited {
                provider: p(),
                symbol: s(),
                retry_after: Some(Duration::from_secs(3))
            }
            .is_retryable()
        );
        assert!(
            Error::Unavailable {
                provider: p(),
                symbol: s(),
                detail: "timeout".into()
            }
            .is_retryable()
        );
        assert!(
            !Error::UnknownSymbol {
                provider: p(),
                symbol: s()
            }
            .is_retryable()
        );
        assert!(
            !Error::Malformed {
                provider: p(),
                symbol: s(),
                detail: "x".into()
            }
            .is_retryable()
        );
        let msg = Error::RateLimited {
            provider: p(),
            symbol: s(),
            retry_after: Some(Duration::from_secs(3)),
        }
        .to_string();
        assert_eq!(
            msg,
            "sim: rate limited while fetching AAPL (retry after 3 s)"
        );
    }
}
