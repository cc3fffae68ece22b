//! The scan run: fetch chains concurrently (bounded), price them, and hand each to one
//! writer thread that computes features against stored history, runs the detectors,
//! applies the cooldown and stores the ticker in its own transaction (with the
//! notification outbox rows of its alerts).
//!
//! The scan row goes `running` -> `succeeded` / `partial` / `failed`. A run that dies
//! leaves every finished ticker committed and its row `running`, which the next run
//! marks `interrupted` (the caller holds the job lock, see `crate::lock`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use super::config::PricingConfig;
use super::detectors::{self, DetectorsConfig};
use super::features::{self, ChainContext};
use super::price::{Priced, price_chain};
use crate::market::{Calendar, ChainSnapshot, Symbol};
use crate::notice::{Item, Route};
use crate::progress::Progress;
use crate::provider::{ChainProvider, Counted};
use crate::store::Store;
use crate::store::alerts::NewAlert;
use crate::store::chains::TickerWrite;
use crate::store::outbox::SourceKind;
use crate::store::scans::{ScanStatus, ScanTotals, TickerError};
use crate::{Error, Result};

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub tickers: Vec<Symbol>,
    pub concurrency: usize,
    pub as_of: DateTime<Utc>,
    pub min_iv_observations: usize,
    pub keep_chain_days: u32,
    /// Also save each fetched snapshot here (for the `files` provider to replay).
    pub save_snapshots: Option<PathBuf>,
    pub detectors: DetectorsConfig,
    /// The rates and dividend yields the forwards fall back to.
    pub pricing: PricingConfig,
    /// Which notification channels take which alerts; each stored alert is queued for its
    /// channels in the transaction that stores it.
    pub notify: Arc<dyn Route>,
    /// The part of the watchlist `tickers` is (`scan --shard`), recorded on the scan row;
    /// `None` for a whole scan. The caller has already kept only that part's tickers.
    pub shard: Option<super::Shard>,
}

/// One ticker's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct TickerSummary {
    pub ticker: String,
    pub spot: f64,
    pub contracts: u64,
    pub contracts_priced: u64,
    pub atm_iv_30d: Option<f64>,
    pub alerts: u64,
    /// Each expiry's forward, discount factor and how they were found.
    pub expiries: Vec<crate::store::chains::ExpiryRow>,
}

/// What a scan did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scan_id: i64,
    pub status: ScanStatus,
    pub as_of: DateTime<Utc>,
    pub provider: String,
    /// The part of the watchlist this scan took ("2/4"); null for a whole scan.
    pub shard: Option<String>,
    pub tickers_requested: u64,
    pub tickers_ok: u64,
    pub tickers_failed: u64,
    pub contracts: u64,
    pub alerts: u64,
    pub alerts_by_detector: BTreeMap<String, u64>,
    /// Alerts found but held back by the cooldown.
    pub alerts_in_cooldown: u64,
    /// Alerts found but held back as repeats: the same detector and contract (or
    /// ticker) already alerted this session and its number has not grown by
    /// `[detectors] repeat_factor`.
    pub alerts_repeated: u64,
    pub provider_calls: u64,
    pub duration_ms: u64,
    /// Earlier scans found `running` from a dead process and marked `interrupted`.
    pub recovered_interrupted: Vec<i64>,
    pub chain_rows_pruned: u64,
    pub tickers: Vec<TickerSummary>,
    pub errors: Vec<TickerError>,
}

/// The notification of a scan alert.
fn alert_item(a: &NewAlert) -> Item {
    Item {
        ticker: a.ticker.clone(),
        name: a.detector.clone(),
        category: None,
        contract: a.contract.clone(),
        direction: None,
        score: a.score,
        data: a.alert_data.clone(),
        created_at: a.created_at,
    }
}

enum Fetched {
    Ok(Box<ChainSnapshot>, Box<Priced>),
    Err(String, String),
}

/// The trading day an observation belongs to: NYSE's trading day of `t`, the latest
/// session that has opened (`Calendar::trading_day`). A weekend, holiday or pre-open
/// scan belongs to the previous session, whose closing chain it sees.
pub fn trading_day(t: DateTime<Utc>) -> NaiveDate {
    Calendar::nyse().trading_day(t)
}

/// Runs one scan. The caller holds the scan job lock.
/// The ticker a provider answered with, in optctl's spelling; an answer that is not a
/// symbol, or names another one than was asked for, is a malformed answer.
fn answered_symbol(
    provider: &str,
    asked: &str,
    answered: &str,
) -> std::result::Result<String, crate::provider::Error> {
    match Symbol::parse(answered) {
        Ok(s) if s.as_str() == asked => Ok(s.to_string()),
        Ok(s) => Err(crate::provider::Error::malformed(
            provider,
            asked,
            format!("answered for {s}"),
        )),
        Err(e) => Err(crate::provider::Error::malformed(
            provider,
            asked,
            e.to_string(),
        )),
    }
}

pub async fn run(
    mut store: Store,
    provider: Box<dyn ChainProvider>,
    opts: &Options,
    progress: Arc<dyn Progress>,
) -> Result<Report> {
    // Each ticker once, in the order given: a duplicate would only fail on the stored
    // chain's key and turn a good scan into a partial one.
    let mut tickers: Vec<String> = Vec::with_capacity(opts.tickers.len());
    for t in &opts.tickers {
        let t = t.to_string();
        if !tickers.contains(&t) {
            tickers.push(t);
        }
    }
    if tickers.is_empty() {
        return Err(Error::Usage(
            "no tickers to scan: the watchlist is empty".into(),
        ));
    }
    let started = Instant::now();
    let started_at = Utc::now();
    let shard = opts.shard.map(|s| s.to_string());
    let recovered = store
        .scans_mut()
        .mark_interrupted(started_at, shard.as_deref())?;
    for id in &recovered {
        tracing::warn!("scan {id} was left running by a process that died; marked interrupted");
    }
    let provider = Arc::new(Counted::new(provider));
    let provider_name = provider.name().to_string();
    let scan_id = store.scans_mut().begin(
        started_at,
        opts.as_of,
        &provider_name,
        tickers.len() as u64,
        shard.as_deref(),
    )?;
    crate::monitor::set_current_run_id(scan_id);
    tracing::info!(
        target: "optctl::event",
        event = "scan_started",
        job = "scan",
        run_id = scan_id,
        scan_id,
        provider = %provider_name,
        tickers = tickers.len(),
        shard = shard.as_deref().unwrap_or("all"),
        "scan {scan_id} started"
    );
    progress.start(tickers.len() as u64);

    let (tx, rx) = mpsc::channel::<Fetched>(64);
    // On PostgreSQL, tickers are stored over several connections at once (each ticker
    // still one transaction): a connection's time is mostly waiting for the server. On
    // SQLite one writer, as its one write lock allows.
    let mut stores = vec![store];
    if stores[0].is_postgres() {
        for _ in 1..PG_WRITERS {
            match stores[0].connect_again() {
                Ok(Some(s)) => stores.push(s),
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(
                        "a second connection to the store failed, storing over one: {}",
                        crate::error::report(&e)
                    );
                    break;
                }
            }
        }
    }
    let rx = Arc::new(std::sync::Mutex::new(rx));
    let writers: Vec<_> = stores
        .into_iter()
        .map(|store| {
            let (rx, writer_opts, writer_progress) = (rx.clone(), opts.clone(), progress.clone());
            std::thread::spawn(move || {
                let mut w = Writer::new(store, scan_id, writer_opts);
                loop {
                    // One writer waits on the channel at a time; the lock is released
                    // as soon as it has an item.
                    let item = rx.lock().unwrap_or_else(|e| e.into_inner()).blocking_recv();
                    let Some(item) = item else { break };
                    let (ticker, ok) = w.accept(item);
                    writer_progress.advance(&ticker, ok);
                }
                w
            })
        })
        .collect();

    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let pricing = Arc::new(opts.pricing.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for ticker in &tickers {
        let (sem, provider, tx) = (sem.clone(), provider.clone(), tx.clone());
        let pricing = pricing.clone();
        let ticker = ticker.clone();
        let as_of = opts.as_of;
        let save = opts.save_snapshots.clone();
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await.expect("semaphore never closed");
            let answer = provider.chain(&ticker, as_of).await.and_then(|mut snap| {
                snap.ticker = answered_symbol(provider.name(), &ticker, &snap.ticker)?;
                Ok(snap)
            });
            let item = match answer {
                Ok(snap) => {
                    if let Some(dir) = &save
                        && let Err(e) = crate::provider::files::save_snapshot(dir, &snap)
                    {
                        tracing::warn!("{ticker}: cannot save snapshot in {}: {e}", dir.display());
                    }
                    let priced = price_chain(&snap, &pricing);
                    Fetched::Ok(Box::new(snap), Box::new(priced))
                }
                Err(e) => Fetched::Err(ticker, e.to_string()),
            };
            let _ = tx.send(item).await;
        });
    }
    drop(tx);
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            tracing::error!("a fetch task panicked: {e}");
        }
    }
    let joined = tokio::task::spawn_blocking(move || {
        writers.into_iter().map(|w| w.join()).collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::Failed(format!("scan writer did not finish: {e}")))?;
    let mut done = joined.into_iter().map(|j| {
        j.map_err(|p| {
            // A part of the store not yet on PostgreSQL: its error, not a crash.
            if p.is::<crate::store::NotPortedPanic>() {
                Error::from(crate::store::Error::NotPorted)
            } else {
                Error::Failed("scan writer panicked".into())
            }
        })
    });
    let mut w = done.next().expect("at least one writer")?;
    for other in done {
        w.absorb(other?);
    }
    progress.finish();

    let totals = ScanTotals {
        tickers_ok: w.tickers.len() as u64,
        tickers_failed: w.errors.len() as u64,
        contracts: w.tickers.iter().map(|t| t.contracts).sum(),
        alerts: w.by_detector.values().sum(),
        provider_calls: provider.calls(),
        duration_ms: started.elapsed().as_millis() as u64,
        errors: w.errors.clone(),
    };
    let status = match (totals.tickers_ok, totals.tickers_failed) {
        (_, 0) => ScanStatus::Succeeded,
        (0, _) => ScanStatus::Failed,
        _ => ScanStatus::Partial,
    };
    // One small update records how the run ended, before a long prune starts: the scan
    // is whole and final first. If even that fails (a full disk), say so: the row stays
    // `running` until the next scan marks it interrupted.
    if let Err(e) = w
        .store
        .scans_mut()
        .finish(scan_id, status, Utc::now(), &totals)
    {
        return Err(Error::Failed(format!(
            "scan {scan_id} ended {status} ({} of {} tickers failed) but could not record it: \
             {}; the next scan marks it interrupted",
            totals.tickers_failed,
            tickers.len(),
            crate::error::report(&e)
        )));
    }
    tracing::info!(
        target: "optctl::event",
        event = "scan_finished",
        job = "scan",
        run_id = scan_id,
        scan_id,
        status = %status,
        tickers_ok = totals.tickers_ok,
        tickers_failed = totals.tickers_failed,
        contracts = totals.contracts,
        alerts = totals.alerts,
        provider_calls = totals.provider_calls,
        duration_ms = totals.duration_ms,
        "scan {scan_id} finished {status}"
    );
    let pruned = prune_chains(&mut w.store, scan_id, opts.as_of, opts.keep_chain_days)?;
    w.tickers.sort_by(|a, b| a.ticker.cmp(&b.ticker));
    Ok(Report {
        scan_id,
        status,
        as_of: opts.as_of,
        provider: provider_name,
        shard,
        tickers_requested: tickers.len() as u64,
        tickers_ok: totals.tickers_ok,
        tickers_failed: totals.tickers_failed,
        contracts: totals.contracts,
        alerts: totals.alerts,
        alerts_by_detector: w.by_detector,
        alerts_in_cooldown: w.cooled,
        alerts_repeated: w.repeated,
        provider_calls: totals.provider_calls,
        duration_ms: started.elapsed().as_millis() as u64,
        recovered_interrupted: recovered,
        chain_rows_pruned: pruned,
        tickers: w.tickers,
        errors: w.errors,
    })
}

/// Chain retention at `as_of`: the chains of scans more than `keep_days` before the
/// newest scan other than `except` (the current one; 0 for none), each ticker's
/// [`crate::time::KEEP_LAST`] newest kept. 0 days keeps all. Returns the rows deleted.
pub fn prune_chains(
    store: &mut Store,
    except: i64,
    as_of: DateTime<Utc>,
    keep_days: u32,
) -> Result<u64> {
    if keep_days == 0 {
        return Ok(0);
    }
    let newest = store.scans().newest_as_of_except(except)?;
    let before = crate::time::retention_cutoff(as_of, newest, Duration::days(i64::from(keep_days)));
    let stats = store.scans_mut().prune(before, crate::time::KEEP_LAST)?;
    tracing::debug!(
        rows = stats.rows,
        batches = stats.batches,
        longest_batch_ms = stats.longest_batch_ms,
        "pruned chains of scans before {before}"
    );
    Ok(stats.rows)
}

/// Midnight at the start of `day` in New York, as UTC.
/// How far into its trading day's session `t` is: 0 at the open, 1 at the close (early
/// close included) and after it, until the next open. An instant before a day's open
/// belongs to the session before ([`Calendar::trading_day`]), so it reads 1.
pub fn session_elapsed(cal: &Calendar, t: DateTime<Utc>) -> f64 {
    let s = cal.hours_on(cal.trading_day(t));
    let length = (s.close - s.open).num_seconds().max(1) as f64;
    ((t - s.open).num_seconds() as f64 / length).clamp(0.0, 1.0)
}

/// Two scans see comparable running volumes when their sessions are at most this share
/// apart (0.05 of a 6.5-hour session is about 20 minutes).
const SAME_SESSION_SHARE: f64 = 0.05;

/// The like-for-like volume baseline of a scan at `as_of`: for each earlier trading day
/// of `cal` among `scans` (instant, total volume; any order), the volume of the scan
/// whose share of the session elapsed ([`session_elapsed`]) is nearest `as_of`'s, if it
/// is within [`SAME_SESSION_SHARE`]; newest day first, at most `days`. A scan after the
/// close (share 1) compares with full sessions only; a 15:30 scan never with a morning.
pub fn same_session_volumes(
    cal: &Calendar,
    as_of: DateTime<Utc>,
    scans: &[(DateTime<Utc>, u64)],
    days: usize,
) -> Vec<u64> {
    let today = cal.trading_day(as_of);
    let share = session_elapsed(cal, as_of);
    let mut best: BTreeMap<NaiveDate, (f64, u64)> = BTreeMap::new();
    for &(at, volume) in scans {
        let day = cal.trading_day(at);
        if day >= today {
            continue;
        }
        let gap = (session_elapsed(cal, at) - share).abs();
        if gap > SAME_SESSION_SHARE + 1e-9 {
            continue;
        }
        let slot = best.entry(day).or_insert((f64::INFINITY, 0));
        // The nearest share wins; on a tie, the later scan (the later entry).
        if gap <= slot.0 {
            *slot = (gap, volume);
        }
    }
    best.values().rev().take(days).map(|&(_, v)| v).collect()
}

/// How many connections a scan stores tickers over on PostgreSQL.
const PG_WRITERS: usize = 2;

/// A writer: owns a store connection for the whole scan (one on SQLite,
/// [`PG_WRITERS`] on PostgreSQL, each taking the next fetched ticker).
struct Writer {
    store: Store,
    scan_id: i64,
    opts: Options,
    tickers: Vec<TickerSummary>,
    errors: Vec<TickerError>,
    by_detector: BTreeMap<String, u64>,
    cooled: u64,
    repeated: u64,
}

impl Writer {
    fn new(store: Store, scan_id: i64, opts: Options) -> Self {
        Writer {
            store,
            scan_id,
            opts,
            tickers: Vec::new(),
            errors: Vec::new(),
            by_detector: BTreeMap::new(),
            cooled: 0,
            repeated: 0,
        }
    }

    /// Takes in what another writer of the same scan stored and counted (its store,
    /// a second connection, is closed).
    fn absorb(&mut self, other: Writer) {
        self.tickers.extend(other.tickers);
        self.errors.extend(other.errors);
        for (detector, n) in other.by_detector {
            *self.by_detector.entry(detector).or_default() += n;
        }
        self.cooled += other.cooled;
        self.repeated += other.repeated;
    }

    /// Stores or records one fetched ticker; returns its name and whether it was stored.
    fn accept(&mut self, item: Fetched) -> (String, bool) {
        match item {
            Fetched::Err(ticker, error) => {
                tracing::warn!("{ticker}: {error}");
                ticker_failed(self.scan_id, &ticker, &error);
                self.errors.push(TickerError {
                    ticker: ticker.clone(),
                    error,
                });
                (ticker, false)
            }
            Fetched::Ok(snap, priced) => {
                let ticker = snap.ticker.clone();
                match self.store_one(&snap, &priced) {
                    Ok(()) => (ticker, true),
                    Err(e) => {
                        let error = crate::error::report(&e);
                        tracing::warn!("{ticker}: {error}");
                        ticker_failed(self.scan_id, &ticker, &error);
                        self.errors.push(TickerError {
                            ticker: ticker.clone(),
                            error,
                        });
                        (ticker, false)
                    }
                }
            }
        }
    }

    /// Total option volume of `ticker` at the same point of the session on up to `days`
    /// earlier trading days of its market that have such a scan, newest first (see
    /// [`same_session_volumes`]).
    fn same_time_volumes(&self, ticker: &str, cal: &Calendar, days: u32) -> Result<Vec<u64>> {
        let as_of = self.opts.as_of;
        let today = cal.trading_day(as_of);
        // Look back far enough to cover weekends and a few holidays.
        let from = cal.open_on(today - Duration::days(days as i64 * 7 / 5 + 5));
        let scans = self
            .store
            .chains()
            .volumes_between(ticker, from, cal.open_on(today))?;
        Ok(same_session_volumes(cal, as_of, &scans, days as usize))
    }

    fn store_one(&mut self, snap: &ChainSnapshot, priced: &Priced) -> Result<()> {
        let expiries = &priced.expiries;
        let priced = &priced.contracts[..];
        let as_of = self.opts.as_of;
        let ticker = snap.ticker.as_str();
        // History days are trading days of the ticker's own market: a weekend, holiday or
        // pre-open run belongs to the last session that traded there.
        let cal = snap.exchange.calendar();
        let day = cal.trading_day(as_of);
        let year_ago = day - Duration::days(365);
        let iv_hist = self.store.chains().iv_history(ticker, year_ago, day)?;
        let ctx = ChainContext {
            ticker,
            as_of,
            quoted_at: snap.as_of,
            exchange: snap.exchange,
            spot: snap.spot,
            rate: snap.rate,
            dividend_yield: snap.dividend_yield,
            multiplier: snap.multiplier,
            vendor_iv30: snap.source_iv30,
            expiries,
        };
        let feats = features::compute(&ctx, priced, &iv_hist, self.opts.min_iv_observations);
        let d = &self.opts.detectors;
        // At least the previous scan: the state detectors compare against it.
        let lookback = d
            .iv_spike
            .lookback_scans
            .max(d.skew_shift.lookback_scans)
            .max(1);
        let history = self
            .store
            .chains()
            .recent_features(ticker, as_of, lookback)?;
        let same_time_volumes = if d.volume_spike.enabled {
            self.same_time_volumes(ticker, cal, d.volume_spike.lookback_days)?
        } else {
            Vec::new()
        };
        let previous_oi = if d.oi_surge.enabled {
            self.store.chains().previous_open_interest(ticker, as_of)?
        } else {
            Default::default()
        };
        let hits = detectors::run(
            d,
            &detectors::Input {
                as_of,
                multiplier: snap.multiplier,
                features: &feats,
                contracts: priced,
                history: &history,
                same_time_volumes: &same_time_volumes,
                previous_oi: &previous_oi,
            },
        );
        // The repeat rules (see `DetectorsConfig`): never within the cooldown; a
        // non-state detector once per session unless its number grew by repeat_factor.
        // `cal` is the chain's own market (above): a US and an NSE name scanned together
        // each keep their own session.
        let session_start = cal.open_on(cal.trading_day(as_of));
        let cooldown_start = as_of - Duration::minutes(d.cooldown_minutes as i64);
        let earlier = if hits.is_empty() {
            Default::default()
        } else {
            self.store
                .alerts()
                .latest_by_key(ticker, session_start.min(cooldown_start), as_of)?
        };
        let mut alerts = Vec::with_capacity(hits.len());
        for h in hits {
            let key = (
                h.detector.to_string(),
                h.contract.clone().unwrap_or_default(),
            );
            if let Some((at, data)) = earlier.get(&key) {
                if *at >= cooldown_start {
                    self.cooled += 1;
                    continue;
                }
                let state = detectors::STATE_DETECTORS.contains(&h.detector);
                if !state && *at >= session_start {
                    let grew = match (
                        detectors::magnitude(h.detector, data),
                        detectors::magnitude(h.detector, &h.data),
                    ) {
                        (Some(before), Some(now)) => now >= before * d.repeat_factor,
                        _ => false,
                    };
                    if !grew {
                        self.repeated += 1;
                        continue;
                    }
                }
            }
            alerts.push(NewAlert {
                ticker: ticker.to_string(),
                detector: h.detector.to_string(),
                contract: h.contract,
                score: (h.score * 10.0).round() / 10.0,
                alert_data: h.data,
                created_at: as_of,
            });
        }
        let alert_outbox: Vec<_> = alerts
            .iter()
            .map(|a| self.opts.notify.entry(SourceKind::Alert, &alert_item(a)))
            .collect();
        self.store.chains_mut().record_ticker(&TickerWrite {
            scan_id: self.scan_id,
            features: &feats,
            contracts: priced,
            expiries,
            alerts: &alerts,
            alert_outbox: &alert_outbox,
            iv_day: day,
        })?;
        for a in &alerts {
            *self.by_detector.entry(a.detector.clone()).or_default() += 1;
        }
        self.tickers.push(TickerSummary {
            ticker: ticker.to_string(),
            spot: snap.spot,
            contracts: priced.len() as u64,
            contracts_priced: priced.iter().filter(|c| c.iv.is_some()).count() as u64,
            atm_iv_30d: feats.atm_iv_30d,
            alerts: alerts.len() as u64,
            expiries: expiries.clone(),
        });
        Ok(())
    }
}

/// The `ticker_failed` event (the JSON log; the text log has the warning above it).
fn ticker_failed(scan_id: i64, ticker: &str, error: &str) {
    tracing::warn!(
        target: "optctl::event",
        event = "ticker_failed",
        job = "scan",
        run_id = scan_id,
        scan_id,
        ticker,
        error,
        "{ticker} failed"
    );
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};

    use super::*;

    fn ny(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        Calendar::nyse().at(date, NaiveTime::from_hms_opt(h, m, 0).unwrap())
    }

    /// Scans on Nov 16-20 2026 at `h:m` New York, volume `v` each.
    fn history(h: u32, m: u32, v: u64) -> Vec<(DateTime<Utc>, u64)> {
        (16..=20).map(|d| (ny(d, h, m), v)).collect()
    }

    #[test]
    fn session_share_runs_from_open_to_close_and_holds_after() {
        let nyse = Calendar::nyse();
        assert_eq!(session_elapsed(nyse, ny(23, 9, 30)), 0.0);
        assert!((session_elapsed(nyse, ny(23, 12, 45)) - 0.5).abs() < 1e-9);
        assert_eq!(session_elapsed(nyse, ny(23, 17, 0)), 1.0);
        // Before Tuesday's open it is still Monday's finished session.
        assert_eq!(session_elapsed(nyse, ny(24, 8, 0)), 1.0);
        // The day after Thanksgiving closes at 13:00: 11:15 is half-way.
        assert!((session_elapsed(nyse, ny(27, 11, 15)) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_later_scan_never_compares_with_earlier_mornings() {
        let nyse = Calendar::nyse();
        // History scanned at 10:00; today's scan at 15:30 has no like-for-like day.
        let morning = history(10, 0, 1_000);
        assert!(same_session_volumes(nyse, ny(23, 15, 30), &morning, 10).is_empty());
        // Nor does an evening scan (a full session) compare with partial days.
        assert!(same_session_volumes(nyse, ny(23, 18, 0), &morning, 10).is_empty());
        // A morning scan does, day by day, newest first.
        let mut both = morning.clone();
        both.extend(history(15, 30, 9_000));
        both[4].1 = 1_500;
        assert_eq!(
            same_session_volumes(nyse, ny(23, 10, 5), &both, 10),
            [1_500, 1_000, 1_000, 1_000, 1_000]
        );
        assert_eq!(
            same_session_volumes(nyse, ny(23, 15, 30), &both, 3),
            [9_000, 9_000, 9_000]
        );
        // After the close, the full sessions: scans after earlier closes (or before the
        // next open) are full days.
        let evenings: Vec<_> = (17..=21)
            .map(|d| (Utc.with_ymd_and_hms(2026, 11, d, 13, 0, 0).unwrap(), 20_000))
            .collect();
        assert_eq!(
            same_session_volumes(nyse, ny(23, 16, 30), &evenings, 10),
            [20_000; 5]
        );
    }
}
