//! `files`: replays chain snapshots saved in optctl's own JSON format (the serde form of
//! [`ChainSnapshot`]), so a scan can be re-run on exactly what an earlier one saw, and
//! raw responses of the HTTP sources saved by `optctl fetch --save` (see
//! `provider::capture`), parsed by the very code that parses them live.
//! [`save_snapshot`] records snapshots; the simulator that usually produced them is
//! `provider::sim`.
//!
//! Layout under the provider's folder, ticker upper case:
//! - `<TICKER>/<%Y%m%dT%H%M%SZ>.json`: a history, as written by [`save_snapshot`]. A request
//!   gets the snapshot with the latest `as_of` at or before the requested instant. When every
//!   snapshot is later, the answer is [`Error::UnknownSymbol`] (with a warning naming the
//!   earliest one), never a later snapshot: replaying data from after the requested time
//!   would leak the future into a backtest.
//! - `<TICKER>/<time>-<provider>-chain/capture.json` (+ the response bodies): a raw chain
//!   capture, a member of the same history at its `fetched_at`.
//! - `<TICKER>/<time>-<provider>-bars-<tf>/capture.json`: raw bars. A bars request is
//!   answered from the latest capture of that timeframe whose range covers it (else the
//!   latest of that timeframe), keeping only the bars in the range asked for.
//! - `<TICKER>.json`: one fixed snapshot, served for any instant (a hand-made fixture).
//!
//! The folder wins when both exist. File names in a folder that are not timestamps are
//! read to learn their `as_of`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::capture::{self, Capture, Kind};
use super::{BarProvider, ChainProvider, Error, Hooks};
use crate::market::{Bar, ChainSnapshot, Timeframe};

const PROVIDER: &str = "files";
/// File stem of a saved snapshot: its `as_of` in UTC, to the second.
const STEM_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// How much of a broken file an error message quotes, bytes.
const QUOTE_BYTES: usize = 80;

/// Replays snapshots from a folder (see the module docs for the layout).
#[derive(Debug, Clone)]
pub struct FilesProvider {
    dir: PathBuf,
}

impl FilesProvider {
    /// A provider reading from `dir`. Nothing is read until a chain is asked for.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FilesProvider { dir: dir.into() }
    }

    /// The folder snapshots are read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot of `ticker` (any case) for `as_of`, read synchronously.
    ///
    /// Errors: [`Error::UnknownSymbol`] when there is no file for the ticker (or none at or
    /// before `as_of` in its folder), [`Error::Io`] when a file or folder cannot be read,
    /// [`Error::Malformed`] when a file is not a snapshot of this ticker.
    /// Raw-response captures are replayed by [`ChainProvider::chain`] only: here they are
    /// [`Error::Malformed`], naming the folder.
    pub fn snapshot(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        match self.locate(ticker, as_of)? {
            Located::Snapshot(path) => load(&path, Error::symbol(PROVIDER, ticker)?.as_str()),
            Located::Capture(folder, _) => Err(Error::Malformed {
                provider: PROVIDER.into(),
                symbol: ticker.into(),
                detail: format!(
                    "{} holds raw responses: replay them through the provider",
                    folder.display()
                ),
            }),
        }
    }

    /// Which saved file or capture answers `ticker` at `as_of`.
    fn locate(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<Located, Error> {
        let upper = Error::symbol(PROVIDER, ticker)?.to_string();
        let unknown = || Error::UnknownSymbol {
            provider: PROVIDER.into(),
            symbol: ticker.into(),
        };
        if !is_safe_name(&upper) {
            return Err(unknown());
        }
        match self.pick_from_history(&upper, as_of)? {
            History::Found(found) => return Ok(found),
            History::AllLater { earliest } => {
                // UnknownSymbol alone would read as "never heard of it": say why.
                tracing::warn!(
                    folder = %self.dir.join(&upper).display(),
                    %earliest,
                    "files: every snapshot of {upper} is later than {as_of}"
                );
                return Err(unknown());
            }
            History::Absent => {}
        }
        let single = self.dir.join(format!("{upper}.json"));
        if single.is_file() {
            Ok(Located::Snapshot(single))
        } else {
            Err(unknown())
        }
    }

    fn pick_from_history(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<History, Error> {
        let folder = self.dir.join(ticker);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(History::Absent);
            }
            Err(e) => return Err(io_error(&folder, e)),
        };
        let mut best: Option<(DateTime<Utc>, Located)> = None;
        let mut earliest: Option<DateTime<Utc>> = None;
        for entry in entries {
            let path = entry.map_err(|e| io_error(&folder, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if path.join(capture::SIDECAR).is_file() && !name.starts_with('.') {
                let cap = read_capture(&path, ticker)?;
                if cap.kind != Kind::Chain {
                    continue;
                }
                let taken = cap.fetched_at;
                earliest = Some(earliest.map_or(taken, |e| e.min(taken)));
                if taken <= as_of && best.as_ref().is_none_or(|(b, _)| taken > *b) {
                    best = Some((taken, Located::Capture(path, Box::new(cap))));
                }
                continue;
            }
            // Dot-files include save_snapshot's temporary files.
            let Some(stem) = name
                .strip_suffix(".json")
                .filter(|_| !name.starts_with('.'))
            else {
                continue;
            };
            let taken = match NaiveDateTime::parse_from_str(stem, STEM_FORMAT) {
                Ok(t) => t.and_utc(),
                Err(_) => load(&path, ticker)?.as_of,
            };
            earliest = Some(earliest.map_or(taken, |e| e.min(taken)));
            if taken <= as_of && best.as_ref().is_none_or(|(b, _)| taken > *b) {
                best = Some((taken, Located::Snapshot(path)));
            }
        }
        Ok(match (best, earliest) {
            (Some((_, found)), _) => History::Found(found),
            (None, Some(earliest)) => History::AllLater { earliest },
            (None, None) => History::Absent,
        })
    }
}

#[async_trait]
impl ChainProvider for FilesProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        // Reading and parsing a ~1000-contract file takes about a millisecond: keep it off
        // the async workers so concurrent scans of other tickers are not stalled.
        let this = self.clone();
        let upper = Error::symbol(PROVIDER, ticker)?.to_string();
        let t = upper.clone();
        let found = blocking(ticker, move || match this.locate(&t, as_of)? {
            Located::Snapshot(path) => load(&path, &t).map(Loaded::Snapshot),
            Located::Capture(folder, cap) => {
                load_replay(&folder, *cap, &t).map(|(cap, hooks)| Loaded::Replay(cap, hooks))
            }
        })
        .await?;
        match found {
            Loaded::Snapshot(snap) => Ok(snap),
            Loaded::Replay(cap, hooks) => {
                let cfg = replay_config(&cap, &upper)?;
                let source =
                    super::build_with(&cfg, &hooks).map_err(|e| replay_error(&upper, e))?;
                source.chain(&upper, as_of).await
            }
        }
    }
}

#[async_trait]
impl BarProvider for FilesProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    /// Replays the bars capture of `symbol` at `timeframe` (see the module docs);
    /// [`Error::UnknownSymbol`] when there is none.
    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let this = self.clone();
        let upper = Error::symbol(PROVIDER, symbol)?.to_string();
        let t = upper.clone();
        let (cap, hooks) = blocking(symbol, move || {
            let (folder, cap) = this.locate_bars(&t, timeframe, from, to)?;
            load_replay(&folder, cap, &t)
        })
        .await?;
        let cfg = replay_config(&cap, &upper)?;
        let source =
            super::build_bars_with(cfg.name, &cfg, &hooks).map_err(|e| replay_error(&upper, e))?;
        source.bars(&upper, timeframe, from, to).await
    }
}

impl FilesProvider {
    /// The bars capture answering `ticker` at `timeframe` for `[from, to)`.
    fn locate_bars(
        &self,
        ticker: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(PathBuf, Capture), Error> {
        let unknown = || Error::UnknownSymbol {
            provider: PROVIDER.into(),
            symbol: ticker.into(),
        };
        if !is_safe_name(ticker) {
            return Err(unknown());
        }
        let folder = self.dir.join(ticker);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(unknown()),
            Err(e) => return Err(io_error(&folder, e)),
        };
        // (covers the range, fetched_at): the best sorts last.
        let mut best: Option<((bool, DateTime<Utc>), PathBuf, Capture)> = None;
        for entry in entries {
            let path = entry.map_err(|e| io_error(&folder, e))?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| n.starts_with('.'));
            if hidden || !path.join(capture::SIDECAR).is_file() {
                continue;
            }
            let cap = read_capture(&path, ticker)?;
            if cap.kind != Kind::Bars || cap.timeframe != Some(timeframe) {
                continue;
            }
            let covers = cap.from.is_some_and(|f| f <= from) && cap.to.is_some_and(|t| t >= to);
            let rank = (covers, cap.fetched_at);
            if best.as_ref().is_none_or(|(r, _, _)| rank > *r) {
                best = Some((rank, path, cap));
            }
        }
        best.map(|(_, p, c)| (p, c)).ok_or_else(unknown)
    }
}

/// What a blocking lookup found: a snapshot, or a capture ready to replay.
enum Loaded {
    Snapshot(ChainSnapshot),
    Replay(Box<Capture>, Hooks),
}

/// Runs file work off the async workers.
async fn blocking<T: Send + 'static>(
    symbol: &str,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(Error::Unavailable {
            provider: PROVIDER.into(),
            symbol: symbol.into(),
            detail: format!("read cancelled: {e}"),
        }),
    }
}

/// Reads a capture's sidecar, checking it is a capture of `ticker`.
fn read_capture(folder: &Path, ticker: &str) -> Result<Capture, Error> {
    let malformed = |detail: String| Error::Malformed {
        provider: PROVIDER.into(),
        symbol: ticker.into(),
        detail,
    };
    let cap = capture::read_sidecar(folder).map_err(malformed)?;
    if !cap.ticker.eq_ignore_ascii_case(ticker) {
        return Err(malformed(format!(
            "{}: a capture of {:?}, expected {ticker}",
            folder.join(capture::SIDECAR).display(),
            cap.ticker
        )));
    }
    Ok(cap)
}

/// Loads a capture's bodies into a replaying transport.
fn load_replay(folder: &Path, cap: Capture, ticker: &str) -> Result<(Box<Capture>, Hooks), Error> {
    let replay = capture::Replay::load(folder, &cap).map_err(|detail| Error::Malformed {
        provider: PROVIDER.into(),
        symbol: ticker.into(),
        detail,
    })?;
    let hooks = Hooks {
        transport: Some(std::sync::Arc::new(replay)),
        ..Hooks::default()
    };
    Ok((Box::new(cap), hooks))
}

fn replay_config(cap: &Capture, ticker: &str) -> Result<super::ProviderConfig, Error> {
    super::config_from_settings(&cap.provider, &cap.settings).map_err(|e| Error::Malformed {
        provider: PROVIDER.into(),
        symbol: ticker.into(),
        detail: format!(
            "capture of {ticker} from {}: its settings do not fit: {e}",
            cap.provider
        ),
    })
}

fn replay_error(ticker: &str, e: crate::Error) -> Error {
    Error::Malformed {
        provider: PROVIDER.into(),
        symbol: ticker.into(),
        detail: format!("cannot replay the capture: {e}"),
    }
}

/// A saved snapshot, or a raw-response capture with its sidecar.
enum Located {
    Snapshot(PathBuf),
    Capture(PathBuf, Box<Capture>),
}

/// What a ticker's history folder offers for one request.
enum History {
    Found(Located),
    AllLater { earliest: DateTime<Utc> },
    Absent,
}

/// Writes `snap` to `<dir>/<TICKER>/<as_of as %Y%m%dT%H%M%SZ>.json` and returns that path.
///
/// The file is written under a temporary dot-name in the same folder and then renamed, so
/// a reader never sees half a snapshot. A snapshot with the same ticker and second is
/// replaced. Not fsynced: a crash can lose the newest file but never leaves a torn one.
/// Errors with `InvalidInput` when the ticker cannot be a file name (empty, leading dot,
/// path separators).
pub fn save_snapshot(dir: &Path, snap: &ChainSnapshot) -> io::Result<PathBuf> {
    static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);
    let ticker = snap.ticker.to_ascii_uppercase();
    if !is_safe_name(&ticker) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("ticker {:?} cannot be used as a file name", snap.ticker),
        ));
    }
    let folder = dir.join(&ticker);
    std::fs::create_dir_all(&folder)?;
    let name = format!("{}.json", snap.as_of.format(STEM_FORMAT));
    let path = folder.join(&name);
    let temp = folder.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&temp)?);
        serde_json::to_writer(&mut out, snap)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&temp, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp); // best effort; the write error is what matters
    }
    written.map(|()| path)
}

/// Reads and checks one snapshot file.
fn load(path: &Path, ticker: &str) -> Result<ChainSnapshot, Error> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    let malformed = |detail: String| Error::Malformed {
        provider: PROVIDER.into(),
        symbol: ticker.into(),
        detail,
    };
    let snap: ChainSnapshot = serde_json::from_slice(&bytes).map_err(|e| {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTE_BYTES)]);
        malformed(format!(
            "{}: not a chain snapshot: {e}; the file starts with {head:?}",
            path.display()
        ))
    })?;
    if !snap.ticker.eq_ignore_ascii_case(ticker) {
        return Err(malformed(format!(
            "{}: holds a snapshot of {:?}, expected {ticker}",
            path.display(),
            snap.ticker
        )));
    }
    Ok(snap)
}

fn io_error(path: &Path, cause: io::Error) -> Error {
    Error::Io {
        provider: PROVIDER.into(),
        path: path.to_path_buf(),
        cause,
    }
}

/// Whether a ticker can name a file or folder without escaping the provider's folder.
fn is_safe_name(ticker: &str) -> bool {
    !ticker.is_empty() && !ticker.starts_with('.') && !ticker.contains(['/', '\\', '\0'])
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::market::{OptionQuote, Right};
    use crate::provider::sim::{SimConfig, SimProvider};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    /// A one-contract snapshot whose `spot` tells snapshots apart.
    fn tiny(ticker: &str, as_of: DateTime<Utc>, spot: f64) -> ChainSnapshot {
        ChainSnapshot {
            ticker: ticker.into(),
            as_of,
            spot,
            rate: 0.04,
            dividend_yield: 0.0,
            multiplier: 100.0,
            exchange: Default::default(),
            exercise: None,
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts: vec![OptionQuote {
                symbol: "AAPL260116C00200000".into(),
                expiry: NaiveDate::from_ymd_opt(2026, 1, 16).unwrap(),
                strike: 200.0,
                right: Right::Call,
                bid: 1.25,
                ask: 1.3,
                last: 1.27,
                volume: 10,
                open_interest: 200,
                source_iv: Some(0.25),
                source_greeks: Default::default(),
                quoted_at: None,
            }],
        }
    }

    #[test]
    fn saved_snapshots_replay() {
        let dir = tempfile::tempdir().unwrap();
        let as_of = utc(2026, 3, 10, 15, 0);
        let snap = SimProvider::new(SimConfig::default())
            .snapshot("NVDA", as_of)
            .unwrap();
        let path = save_snapshot(dir.path(), &snap).unwrap();
        assert_eq!(path, dir.path().join("NVDA").join("20260310T150000Z.json"));
        let files = FilesProvider::new(dir.path());
        let back = files.snapshot("nvda", as_of).unwrap();
        assert_eq!(back.ticker, snap.ticker);
        assert_eq!(back.as_of, snap.as_of);
        assert_eq!(back.contracts.len(), snap.contracts.len());
        // serde_json parses floats to within an ulp, not always bit for bit.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
        assert!(close(back.spot, snap.spot));
        for (a, b) in back.contracts.iter().zip(&snap.contracts) {
            assert_eq!(
                (&a.symbol, a.volume, a.open_interest),
                (&b.symbol, b.volume, b.open_interest)
            );
            assert!(close(a.bid, b.bid) && close(a.ask, b.ask) && close(a.last, b.last));
            assert!(close(a.source_iv.unwrap(), b.source_iv.unwrap()));
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("NVDA"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn picks_the_latest_snapshot_at_or_before_as_of() {
        let dir = tempfile::tempdir().unwrap();
        for (hour, spot) in [(14, 1.0), (15, 2.0), (16, 3.0)] {
            save_snapshot(dir.path(), &tiny("AAPL", utc(2026, 3, 10, hour, 0), spot)).unwrap();
        }
        let files = FilesProvider::new(dir.path());
        let spot_at = |t| files.snapshot("AAPL", t).map(|s| s.spot);
        assert_eq!(spot_at(utc(2026, 3, 10, 15, 30)).unwrap(), 2.0);
        assert_eq!(spot_at(utc(2026, 3, 10, 15, 0)).unwrap(), 2.0);
        assert_eq!(spot_at(utc(2026, 3, 11, 9, 0)).unwrap(), 3.0);
        // Before the first snapshot: an error, never data from the future.
        assert!(matches!(
            spot_at(utc(2026, 3, 10, 13, 59)),
            Err(Error::UnknownSymbol { .. })
        ));
        // A file whose name is not a timestamp is read for its as_of.
        std::fs::write(
            dir.path().join("AAPL").join("manual.json"),
            serde_json::to_vec(&tiny("AAPL", utc(2026, 3, 10, 15, 45), 9.0)).unwrap(),
        )
        .unwrap();
        assert_eq!(spot_at(utc(2026, 3, 10, 15, 50)).unwrap(), 9.0);
    }

    #[test]
    fn a_single_file_serves_every_instant_and_a_history_wins() {
        let dir = tempfile::tempdir().unwrap();
        let fixed = tiny("SPY", utc(2026, 3, 10, 15, 0), 5.0);
        std::fs::write(
            dir.path().join("SPY.json"),
            serde_json::to_vec(&fixed).unwrap(),
        )
        .unwrap();
        let files = FilesProvider::new(dir.path());
        assert_eq!(files.snapshot("SPY", utc(2020, 1, 1, 0, 0)).unwrap(), fixed);
        save_snapshot(dir.path(), &tiny("SPY", utc(2026, 3, 9, 15, 0), 6.0)).unwrap();
        assert_eq!(
            files.snapshot("SPY", utc(2026, 3, 10, 0, 0)).unwrap().spot,
            6.0
        );
    }

    #[test]
    fn bad_json_names_the_file_the_position_and_the_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("BAD.json"),
            "{\"ticker\": \"BAD\",\n \"as_of\": oops}",
        )
        .unwrap();
        let err = FilesProvider::new(dir.path())
            .snapshot("BAD", utc(2026, 3, 10, 15, 0))
            .unwrap_err();
        let Error::Malformed { detail, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(detail.contains("BAD.json"), "{detail}");
        assert!(detail.contains("line 2 column"), "{detail}");
        assert!(detail.contains(r#"{\"ticker\": \"BAD\",\n"#), "{detail}");
        assert!(!err.is_retryable());
    }

    #[test]
    fn a_snapshot_of_another_ticker_is_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let other = tiny("MSFT", utc(2026, 3, 10, 15, 0), 1.0);
        std::fs::write(
            dir.path().join("AAPL.json"),
            serde_json::to_vec(&other).unwrap(),
        )
        .unwrap();
        let err = FilesProvider::new(dir.path())
            .snapshot("AAPL", utc(2026, 3, 10, 15, 0))
            .unwrap_err();
        assert!(
            matches!(&err, Error::Malformed { detail, .. } if detail.contains("\"MSFT\"")),
            "{err}"
        );
    }

    #[test]
    fn missing_and_unsafe_tickers_are_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let files = FilesProvider::new(dir.path());
        for ticker in ["NOPE", "", "../etc", ".hidden", "A/B"] {
            assert!(
                matches!(
                    files.snapshot(ticker, utc(2026, 3, 10, 15, 0)),
                    Err(Error::UnknownSymbol { .. })
                ),
                "{ticker:?}"
            );
        }
        let unsafe_snap = tiny("../X", utc(2026, 3, 10, 15, 0), 1.0);
        let err = save_snapshot(dir.path(), &unsafe_snap).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    /// Writes a CBOE chain capture of CLX fetched at `at`.
    fn cboe_capture(dir: &Path, at: DateTime<Utc>) -> PathBuf {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/providers/cboe/CLX.json"
        ))
        .unwrap();
        let meta = Capture {
            format: capture::FORMAT.into(),
            provider: "cboe".into(),
            kind: Kind::Chain,
            ticker: "CLX".into(),
            fetched_at: at,
            timeframe: None,
            from: None,
            to: None,
            settings: serde_json::json!({"base_url": "https://cdn.cboe.com", "risk_free_rate": 0.05}),
            responses: vec![capture::Entry {
                file: "01-options.json".into(),
                what: "options".into(),
                request: "/api/global/delayed_quotes/options/CLX.json".into(),
                status: 200,
                content_type: Some("application/json".into()),
                retry_after: None,
                received_at: at,
            }],
        };
        capture::write(dir, &meta, &[body]).unwrap()
    }

    #[tokio::test]
    async fn raw_captures_join_the_history_and_replay_through_the_source_parser() {
        let dir = tempfile::tempdir().unwrap();
        save_snapshot(dir.path(), &tiny("CLX", utc(2026, 11, 23, 14, 0), 1.0)).unwrap();
        let folder = cboe_capture(dir.path(), utc(2026, 11, 23, 15, 0));
        let files = FilesProvider::new(dir.path());
        let early = files.chain("clx", utc(2026, 11, 23, 14, 30)).await.unwrap();
        assert_eq!(early.spot, 1.0);
        let late = files.chain("CLX", utc(2026, 11, 23, 15, 30)).await.unwrap();
        assert_eq!(late.spot, 95.55);
        assert_eq!(late.contracts.len(), 24);
        // The saved settings are the ones replayed with.
        assert_eq!(late.rate, 0.05);
        // The synchronous door serves optctl's own snapshots only.
        let e = files
            .snapshot("CLX", utc(2026, 11, 23, 15, 30))
            .unwrap_err();
        assert!(e.to_string().contains("holds raw responses"), "{e}");
        // A missing body file is named.
        std::fs::remove_file(folder.join("01-options.json")).unwrap();
        let e = files
            .chain("CLX", utc(2026, 11, 23, 15, 30))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("01-options.json"), "{e}");
        // No bars were captured.
        let e = files
            .bars(
                "CLX",
                Timeframe::D1,
                utc(2026, 11, 1, 0, 0),
                utc(2026, 11, 20, 0, 0),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, Error::UnknownSymbol { .. }), "{e}");
    }

    #[tokio::test]
    async fn replays_through_the_provider_trait() {
        let dir = tempfile::tempdir().unwrap();
        let snap = tiny("QQQ", utc(2026, 3, 10, 15, 0), 4.0);
        save_snapshot(dir.path(), &snap).unwrap();
        let files = FilesProvider::new(dir.path());
        assert_eq!(ChainProvider::name(&files), "files");
        let got = files.chain("QQQ", utc(2026, 3, 10, 16, 0)).await.unwrap();
        assert_eq!(got, snap);
        let err = files
            .chain("IWM", utc(2026, 3, 10, 16, 0))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UnknownSymbol { .. }), "{err}");
    }
}
