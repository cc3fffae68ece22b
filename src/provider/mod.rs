//! Where market data comes from. A [`ChainProvider`] returns a [`ChainSnapshot`] for a
//! ticker; a [`BarProvider`] returns OHLCV [`Bar`]s for a symbol and [`Timeframe`]. Every
//! call goes through [`Counted`], so the number of provider calls is known to the scan
//! report, the enrichment metrics, the scheduler comparison and API quotas.
//!
//! The embedded simulator lives in `provider::sim`, saved-snapshot replay in `provider::files`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::market::{Bar, ChainSnapshot, Timeframe};

pub mod files;
pub mod sim;

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
    /// A key or token was refused. Not retryable.
    #[error("{provider}: authentication failed: {detail}")]
    Auth { provider: String, detail: String },
    /// A local file could not be read.
    #[error("{provider}: cannot read {}: {source}", .path.display())]
    Io {
        provider: String,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" (retry after {} s)", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
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
}

/// Builds the bar provider called `name`, with its settings from `cfg`.
pub fn build_bars(
    name: &str,
    cfg: &crate::config::ProviderConfig,
) -> Result<Box<dyn BarProvider>, crate::Error> {
    match name {
        "sim" => Ok(Box::new(sim::SimProvider::new(cfg.sim.clone()))),
        other => Err(crate::Error::Usage(format!(
            "unknown bar provider {other:?}: expected sim"
        ))),
    }
}

/// Builds the chain provider named in `cfg`.
pub fn build(cfg: &crate::config::ProviderConfig) -> Result<Box<dyn ChainProvider>, crate::Error> {
    match cfg.name.as_str() {
        "sim" => Ok(Box::new(sim::SimProvider::new(cfg.sim.clone()))),
        "files" => match &cfg.files.dir {
            Some(dir) if dir.is_dir() => Ok(Box::new(files::FilesProvider::new(dir.clone()))),
            Some(dir) => Err(crate::Error::Usage(format!(
                "provider files: {} is not a folder of snapshots",
                dir.display()
            ))),
            None => Err(crate::Error::Usage(
                "provider files needs a folder: set [provider.files] dir in the config or pass --files-dir DIR"
                    .into(),
            )),
        },
        other => Err(crate::Error::Usage(format!(
            "unknown provider {other:?}: expected sim or files"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
