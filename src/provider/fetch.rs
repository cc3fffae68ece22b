//! `optctl fetch`: one chain or one bar range from one provider, recorded on the way so
//! the raw responses can be saved as a capture (`provider::capture`) for `files` to
//! replay. The command line is `cli::fetch`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::capture::{self, Capture, Kind, Recording};
use super::{Hooks, ProviderConfig, RateSpec, Source};
use crate::market::{Bar, ChainSnapshot, Symbol, Timeframe};
use crate::{Error, Result};

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Options {
    pub provider: Source,
    pub ticker: Symbol,
    /// `Some` = bars at this timeframe over `[from, to)`; `None` = the chain.
    pub bars: Option<Timeframe>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// "Now" (`--as-of`): the chain is asked for at this instant, and a capture is filed
    /// under it, so replay at or after it finds it.
    pub as_of: DateTime<Utc>,
    /// Save the raw responses under this folder.
    pub save: Option<PathBuf>,
}

/// What a fetch got.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub provider: Source,
    pub kind: Kind,
    pub ticker: String,
    /// HTTP requests sent (0 for `sim` and `files`).
    pub requests: u64,
    /// Response bytes received.
    pub bytes: u64,
    /// The capture folder written, with `--save`.
    pub saved: Option<PathBuf>,
    /// The source's default pace (see `provider::default_rate`).
    pub pace: Option<RateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bars: Option<BarsSummary>,
    pub duration_ms: u64,
}

/// A fetched chain in brief.
#[derive(Debug, Clone, Serialize)]
pub struct ChainSummary {
    pub as_of: DateTime<Utc>,
    pub spot: f64,
    pub multiplier: f64,
    pub contracts: u64,
    pub expirations: Vec<NaiveDate>,
    /// Contracts with a two-sided quote (optctl prices these).
    pub quoted: u64,
    /// Contracts carrying the source's own IV.
    pub with_source_iv: u64,
}

/// Fetched bars in brief.
#[derive(Debug, Clone, Serialize)]
pub struct BarsSummary {
    pub timeframe: Timeframe,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub count: u64,
    pub first: Option<Bar>,
    pub last: Option<Bar>,
}

/// Fetches as `opts` says through `hooks`, recording every HTTP response. Provider errors come back as [`Error::Provider`]; nothing is
/// saved then.
pub async fn run(cfg: &ProviderConfig, opts: &Options, hooks: &Hooks) -> Result<Report> {
    let name = opts.provider;
    let http_source = name.is_http();
    if opts.save.is_some() && !http_source {
        return Err(Error::Usage(format!(
            "--save keeps raw HTTP responses; provider {name} sends none (use one of {})",
            Source::names(Source::is_http)
        )));
    }
    let ticker = opts.ticker.to_string();
    let started = Instant::now();
    let recording = http_source.then(|| Arc::new(Recording::default()));
    let hooks = Hooks {
        recording: recording.clone(),
        ..hooks.clone()
    };
    let mut provider_cfg = cfg.clone();
    provider_cfg.name = name;
    let (kind, chain, bars) = match opts.bars {
        None => {
            let p = super::build_with(&provider_cfg, &hooks)?;
            let snap = p.chain(&ticker, opts.as_of).await?;
            (Kind::Chain, Some(summarize_chain(&snap)), None)
        }
        Some(tf) => {
            let p = super::build_bars_with(name, &provider_cfg, &hooks)?;
            let bars = p.bars(&ticker, tf, opts.from, opts.to).await?;
            let summary = BarsSummary {
                timeframe: tf,
                from: opts.from,
                to: opts.to,
                count: bars.len() as u64,
                first: bars.first().copied(),
                last: bars.last().copied(),
            };
            (Kind::Bars, None, Some(summary))
        }
    };
    let log = recording.map(|r| r.take()).unwrap_or_default();
    let requests = log.len() as u64;
    let bytes = log.iter().map(|(_, b)| b.len() as u64).sum();
    let saved = match &opts.save {
        Some(dir) => {
            let meta = Capture {
                format: capture::FORMAT.into(),
                provider: name.as_str().to_string(),
                kind,
                ticker: ticker.clone(),
                fetched_at: opts.as_of,
                timeframe: opts.bars,
                from: opts.bars.map(|_| opts.from),
                to: opts.bars.map(|_| opts.to),
                settings: super::settings(name, cfg),
                responses: log.iter().map(|(e, _)| e.clone()).collect(),
            };
            let bodies: Vec<Vec<u8>> = log.into_iter().map(|(_, b)| b).collect();
            Some(capture::write(dir, &meta, &bodies).map_err(|e| Error::io(dir, e))?)
        }
        None => None,
    };
    Ok(Report {
        provider: name,
        kind,
        ticker,
        requests,
        bytes,
        saved,
        pace: super::default_rate(name),
        chain,
        bars,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

fn summarize_chain(snap: &ChainSnapshot) -> ChainSummary {
    let mut expirations: Vec<NaiveDate> = snap.contracts.iter().map(|c| c.expiry).collect();
    expirations.sort_unstable();
    expirations.dedup();
    ChainSummary {
        as_of: snap.as_of,
        spot: snap.spot,
        multiplier: snap.multiplier,
        contracts: snap.contracts.len() as u64,
        expirations,
        quoted: snap.contracts.iter().filter(|c| c.mid().is_some()).count() as u64,
        with_source_iv: snap
            .contracts
            .iter()
            .filter(|c| c.source_iv.is_some())
            .count() as u64,
    }
}
