//! One process-excel run: fingerprint both workbooks, stop early when neither changed,
//! else read them, compute every stock's metrics, and store the stocks that changed,
//! their ticks and the run's metadata in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::buildup::{self, Buildup, Inputs, Thresholds};
use super::config::{ExcelColumns, ExcelConfig};
use super::workbook::{self, Fingerprint, HistoricalRow, LiveRow, SkippedRow};
use crate::market::Calendar;
use crate::store::Store;
use crate::store::excel::{HistoryCache, HistorySummary, NewRun, RunColumns, RunStatus, StockRow};

/// The default waits between tries of a workbook caught mid-save: 3 tries within 1 s,
/// short of a `--watch` tick (6 s) and long enough for Excel to finish a typical save.
pub const RETRY_DELAYS: [std::time::Duration; 2] = [
    std::time::Duration::from_millis(250),
    std::time::Duration::from_millis(750),
];

/// What a run reads and how it computes.
#[derive(Debug, Clone)]
pub struct Options {
    pub historical: PathBuf,
    pub live: PathBuf,
    /// Sheet names; `None` = the first sheet.
    pub historical_sheet: Option<String>,
    pub live_sheet: Option<String>,
    pub columns: ExcelColumns,
    /// Headers that are known not to be needed (`[excel] ignore_headers`): no warning.
    pub ignore_headers: Vec<String>,
    pub thresholds: Thresholds,
    /// Trading days averaged for the volume ratio.
    pub volume_avg_days: usize,
    /// Runs and ticks older than this many days are deleted (0 keeps all).
    pub keep_days: u32,
    /// Refuse a workbook while Excel's `~$` owner file is next to it (`[excel]
    /// lock_file_check`).
    pub check_owner_file: bool,
    /// Waits before trying again, within this run, when a workbook looks caught
    /// mid-save (torn zip, bad CRC, cut XML, 0 bytes, size changing): one more try per
    /// entry. [`RETRY_DELAYS`] by default.
    pub retry_delays: Vec<std::time::Duration>,
    /// Process even when neither workbook changed.
    pub force: bool,
    /// The run's time (`--as-of`).
    pub now: DateTime<Utc>,
    /// The exchange's date at `now`: history before it is "previous days".
    pub trading_date: NaiveDate,
}

impl Options {
    /// Options from the config: `[excel]` paths resolved against `home`
    /// (`<home>/excel/Historical.xlsx` and `Live.xlsx` by default).
    pub fn from_config(
        x: &ExcelConfig,
        home: &Path,
        hours: &Calendar,
        now: DateTime<Utc>,
    ) -> Options {
        let path = |p: &Option<PathBuf>, default: &str| match p {
            Some(p) => home.join(p),
            None => home.join("excel").join(default),
        };
        Options {
            historical: path(&x.historical, "Historical.xlsx"),
            live: path(&x.live, "Live.xlsx"),
            historical_sheet: x.historical_sheet.clone(),
            live_sheet: x.live_sheet.clone(),
            columns: x.columns.clone(),
            ignore_headers: x.ignore_headers.clone(),
            thresholds: Thresholds {
                price_pct: x.price_threshold_pct,
                oi_pct: x.oi_threshold_pct,
            },
            volume_avg_days: x.volume_avg_days,
            keep_days: x.keep_days,
            check_owner_file: x.lock_file_check,
            retry_delays: RETRY_DELAYS.to_vec(),
            force: false,
            now,
            trading_date: hours.local_date(now),
        }
    }

    /// What the history summary depends on: the historical file and how it is read.
    fn history_key(&self, f: &Fingerprint) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{:?}|{:?}",
            f.path.display(),
            f.size,
            f.mtime_ns,
            f.hash,
            self.trading_date,
            self.volume_avg_days,
            self.historical_sheet,
            self.columns.historical
        )
    }

    /// Everything besides the files that changes the result.
    fn settings_key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{:?}|{:?}|{:?}",
            self.trading_date,
            self.thresholds.price_pct,
            self.thresholds.oi_pct,
            self.volume_avg_days,
            self.historical_sheet,
            self.live_sheet,
            self.columns
        )
    }
}

/// What a run did; `--json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run_id: i64,
    pub status: RunStatus,
    pub run_at: DateTime<Utc>,
    pub trading_date: NaiveDate,
    pub historical: Fingerprint,
    pub live: Fingerprint,
    /// Data rows read from each workbook (0 when unchanged, or for the historical
    /// workbook when its summary was reused).
    pub historical_rows: usize,
    /// The historical workbook was unchanged: its stored per-stock summary was used.
    pub historical_cached: bool,
    pub live_rows: usize,
    /// Stocks computed (usable live rows).
    pub stocks: usize,
    /// Stocks whose state changed and was written.
    pub updated: usize,
    pub skipped: Vec<SkippedRow>,
    /// Stocks per buildup class (`unknown` where the previous close or OI is missing).
    pub buildup: BTreeMap<String, usize>,
    /// Which header each field was read from, per workbook, and the warnings about
    /// headers that matched nothing (an unchanged run repeats the last run's).
    pub columns: RunColumns,
    /// Tries it took to read whole workbooks (more than 1 when one was caught mid-save).
    pub tries: u32,
    /// Whole run, milliseconds.
    pub duration_ms: f64,
}

impl Report {
    /// "106/204 updated" or "unchanged since the last run".
    pub fn summary(&self) -> String {
        match self.status {
            RunStatus::Unchanged => "workbooks unchanged since the last run; nothing read".into(),
            _ => format!(
                "{}/{} updated, {} skipped",
                self.updated,
                self.stocks,
                self.skipped.len()
            ),
        }
    }
}

/// Runs once. Unusable input is recorded as a failed run and returned as the error
/// (exit 2); skipped rows make the run `partial` (exit 3). A workbook caught mid-save
/// is tried again after each of `o.retry_delays` before the run gives up; nothing is
/// written before both workbooks were read whole. Each run ends with an `excel_tick`
/// event (a warning when it failed or skipped rows).
pub fn run(store: &mut Store, o: &Options) -> crate::Result<Report> {
    let report = run_once(store, o)?;
    let r = &report;
    macro_rules! tick {
        ($level:ident) => {
            tracing::$level!(
                target: "optctl::event",
                event = "excel_tick",
                job = "process-excel",
                run_id = r.run_id,
                status = %r.status,
                historical_rows = r.historical_rows,
                historical_cached = r.historical_cached,
                live_rows = r.live_rows,
                stocks = r.stocks,
                updated = r.updated,
                skipped = r.skipped.len(),
                duration_ms = r.duration_ms.round() as u64,
                "processing run {} {}",
                r.run_id,
                r.status
            )
        };
    }
    if r.skipped.is_empty() {
        tick!(info);
    } else {
        tick!(warn);
    }
    Ok(report)
}

fn run_once(store: &mut Store, o: &Options) -> crate::Result<Report> {
    let started = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let failure = match attempt(store, o, started) {
            Ok(mut report) => {
                report.tries = tries;
                return Ok(report);
            }
            Err(Failure::Store(e)) => return Err(e),
            Err(Failure::Input(f)) => f,
        };
        let (h, l, mut e) = *failure;
        if e.is_retryable()
            && let Some(wait) = o.retry_delays.get(tries as usize - 1)
        {
            tracing::info!("{e}; trying again in {} ms", wait.as_millis());
            std::thread::sleep(*wait);
            continue;
        }
        if tries > 1
            && let workbook::Error::Busy { reason, .. } = &mut e
        {
            reason.push_str(&format!(
                ", still after {tries} tries over {:.1} s",
                started.elapsed().as_secs_f64()
            ));
        }
        let run = NewRun {
            run_at: o.now,
            status: RunStatus::Failed,
            historical: h.as_ref(),
            live: l.as_ref(),
            settings_key: &o.settings_key(),
            historical_rows: 0,
            live_rows: 0,
            stocks: 0,
            skipped: &[],
            error: Some(e.to_string()),
            columns: &RunColumns::default(),
            started,
        };
        let recorded = store.excel_mut().record_run(&run, &[], None);
        tracing::warn!(
            target: "optctl::event",
            event = "excel_tick",
            job = "process-excel",
            run_id = recorded.as_ref().copied().unwrap_or_default(),
            status = %RunStatus::Failed,
            error = %e,
            tries,
            duration_ms = started.elapsed().as_millis() as u64,
            "processing run failed"
        );
        // The input error is what the user must fix; say the store failed too.
        if let Err(s) = recorded {
            tracing::error!("cannot record the failed run: {s}");
        }
        return Err(e.into());
    }
}

/// Why an attempt failed: unusable input (with the fingerprints read so far), to be
/// recorded as a failed run or tried again, or the store.
enum Failure {
    Input(Box<(Option<Fingerprint>, Option<Fingerprint>, workbook::Error)>),
    Store(crate::Error),
}

impl<E: Into<crate::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::Store(e.into())
    }
}

fn attempt(store: &mut Store, o: &Options, started: Instant) -> Result<Report, Failure> {
    let settings = o.settings_key();
    let fail = |h: Option<&Fingerprint>, l: Option<&Fingerprint>, e: workbook::Error| {
        Failure::Input(Box::new((h.cloned(), l.cloned(), e)))
    };
    let hist = match workbook::load(&o.historical, o.check_owner_file) {
        Ok(x) => x,
        Err(e) => return Err(fail(None, None, e)),
    };
    let live = match workbook::load(&o.live, o.check_owner_file) {
        Ok(x) => x,
        Err(e) => return Err(fail(Some(&hist.fingerprint), None, e)),
    };
    let hfp = hist.fingerprint.clone();
    let lfp = live.fingerprint.clone();
    let mut report = Report {
        run_id: 0,
        status: RunStatus::Unchanged,
        run_at: o.now,
        trading_date: o.trading_date,
        historical: hfp.clone(),
        live: lfp.clone(),
        historical_rows: 0,
        historical_cached: false,
        live_rows: 0,
        stocks: 0,
        updated: 0,
        skipped: Vec::new(),
        buildup: BTreeMap::new(),
        columns: RunColumns::default(),
        tries: 1,
        duration_ms: 0.0,
    };
    // An unchanged run reports the header mappings (and their warnings) of the run it
    // repeats; a store from before they were kept reads the workbooks once more.
    let unchanged = if o.force
        || store.excel().latest_inputs()? != Some((hfp.clone(), lfp.clone(), settings.clone()))
    {
        None
    } else {
        Some(store.excel().latest_columns()?).filter(|c| c.live.is_some())
    };
    if let Some(columns) = unchanged {
        report.columns = columns;
        let last = store.excel().latest_processed()?;
        report.stocks = last.as_ref().map_or(0, |r| r.stocks as usize);
        report.run_id = store.excel_mut().record_run(
            &NewRun {
                run_at: o.now,
                status: RunStatus::Unchanged,
                historical: Some(&hfp),
                live: Some(&lfp),
                settings_key: &settings,
                historical_rows: 0,
                live_rows: 0,
                stocks: report.stocks,
                skipped: &[],
                error: None,
                columns: &report.columns,
                started,
            },
            &[],
            None,
        )?;
        report.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        return Ok(report);
    }
    // Historical.xlsx changes once a day, Live.xlsx every few seconds: reuse the
    // history summary while the historical workbook and its settings are the same.
    let history_key = o.history_key(&hfp);
    let cached = if o.force {
        None
    } else {
        let summaries = store.excel().history_cache(&history_key)?;
        let columns = store.excel().history_columns(&history_key)?;
        columns
            .filter(|_| !summaries.is_empty())
            .map(|c| (summaries, c))
    };
    let mut fresh = None;
    let history: HashMap<String, HistorySummary> = if let Some((summaries, columns)) = cached {
        report.historical_cached = true;
        report.columns.historical = Some(columns);
        summaries
            .into_iter()
            .map(|s| (s.symbol.clone(), s))
            .collect()
    } else {
        let h = match workbook::read_historical(
            &hist,
            o.historical_sheet.as_deref(),
            &o.columns.historical,
            &o.ignore_headers,
        ) {
            Ok(x) => x,
            Err(e) => return Err(fail(Some(&hfp), Some(&lfp), e)),
        };
        let summaries = summarize(&h.rows, o.trading_date, o.volume_avg_days);
        report.historical_rows = h.rows_read;
        // A history with bad rows is read again each run, so its rows keep being reported.
        if h.skipped.is_empty() {
            fresh = Some(summaries.clone());
        }
        report.skipped = h.skipped;
        report.columns.historical = Some(h.columns);
        summaries
            .into_iter()
            .map(|s| (s.symbol.clone(), s))
            .collect()
    };
    let l = match workbook::read_live(
        &live,
        o.live_sheet.as_deref(),
        &o.columns.live,
        &o.ignore_headers,
    ) {
        Ok(x) => x,
        Err(e) => return Err(fail(Some(&hfp), Some(&lfp), e)),
    };
    let stored: HashMap<String, StockRow> = store
        .excel()
        .list_stocks(None)?
        .into_iter()
        .map(|s| (s.symbol.clone(), s))
        .collect();
    let mut changed = Vec::new();
    for row in &l.rows {
        let s = compute(row, history.get(&row.symbol), o);
        let key = s.metrics.buildup.map_or("unknown", Buildup::as_str);
        *report.buildup.entry(key.to_string()).or_default() += 1;
        if stored.get(&s.symbol).is_none_or(|old| !old.same_values(&s)) {
            changed.push(s);
        }
    }
    report.live_rows = l.rows_read;
    report.stocks = l.rows.len();
    report.updated = changed.len();
    report.skipped.extend(l.skipped);
    report.columns.live = Some(l.columns);
    report.status = if report.skipped.is_empty() {
        RunStatus::Processed
    } else {
        RunStatus::Partial
    };
    report.run_id = store.excel_mut().record_run(
        &NewRun {
            run_at: o.now,
            status: report.status,
            historical: Some(&hfp),
            live: Some(&lfp),
            settings_key: &settings,
            historical_rows: report.historical_rows,
            live_rows: report.live_rows,
            stocks: report.stocks,
            skipped: &report.skipped,
            error: None,
            columns: &report.columns,
            started,
        },
        &changed,
        fresh
            .as_deref()
            .zip(report.columns.historical.as_ref())
            .map(|(summaries, columns)| HistoryCache {
                key: &history_key,
                summaries,
                columns,
            }),
    )?;
    prune(store, report.run_id, o.now, o.keep_days)?;
    report.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(report)
}

/// Retention at `now`: processing runs (with their ticks) more than `keep_days` before
/// the newest run other than `except` (the current one; 0 for none), the
/// [`crate::time::KEEP_LAST`] newest kept. 0 days keeps all. Returns the rows deleted.
pub fn prune(
    store: &mut Store,
    except: i64,
    now: DateTime<Utc>,
    keep_days: u32,
) -> crate::Result<u64> {
    if keep_days == 0 {
        return Ok(0);
    }
    let newest = store.excel().newest_run_at_except(except)?;
    let before = crate::time::retention_cutoff(now, newest, Duration::days(i64::from(keep_days)));
    Ok(store
        .excel_mut()
        .prune(before, crate::time::KEEP_LAST)?
        .rows)
}

/// Each symbol's previous day (the last one *before* the trading date: some feeds
/// append today's row while the session runs) and its average volume over the last
/// `avg_days` days before it.
fn summarize(rows: &[HistoricalRow], today: NaiveDate, avg_days: usize) -> Vec<HistorySummary> {
    let mut by_symbol: HashMap<&str, Vec<&HistoricalRow>> = HashMap::new();
    for r in rows.iter().filter(|r| r.date < today) {
        by_symbol.entry(r.symbol.as_str()).or_default().push(r);
    }
    let mut out: Vec<HistorySummary> = by_symbol
        .into_iter()
        .map(|(symbol, mut days)| {
            days.sort_by_key(|r| r.date);
            let prev = days.last();
            let recent = &days[days.len().saturating_sub(avg_days)..];
            let volumes: Vec<i64> = recent.iter().filter_map(|d| d.volume).collect();
            HistorySummary {
                symbol: symbol.to_string(),
                prev_close: prev.map(|d| d.close),
                prev_oi: prev.map(|d| d.oi),
                avg_volume: (!volumes.is_empty())
                    .then(|| volumes.iter().sum::<i64>() as f64 / volumes.len() as f64),
            }
        })
        .collect();
    out.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    out
}

fn compute(row: &LiveRow, history: Option<&HistorySummary>, o: &Options) -> StockRow {
    let avg_volume = history.and_then(|h| h.avg_volume);
    let prev_close = row.prev_close.or(history.and_then(|h| h.prev_close));
    let inputs = Inputs {
        ltp: row.ltp,
        prev_close,
        oi: row.oi,
        prev_oi: history.and_then(|h| h.prev_oi),
        volume: row.volume,
        avg_volume,
        high: row.high,
        low: row.low,
    };
    StockRow {
        symbol: row.symbol.clone(),
        ltp: row.ltp,
        open: row.open,
        high: row.high,
        low: row.low,
        prev_close,
        volume: row.volume,
        oi: row.oi,
        prev_oi: inputs.prev_oi,
        avg_volume,
        bid: row.bid,
        ask: row.ask,
        last_update: row.last_update.clone(),
        metrics: buildup::metrics(&inputs, &o.thresholds),
        updated_at: o.now,
        run_id: 0,
    }
}
