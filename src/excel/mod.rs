//! process-excel: broker workbooks in, OI buildup per stock out.
//!
//! `workbook` reads and maps columns, `buildup` is the math, `hours` the trading
//! session, `process` one run. The functions below are the read side (status, latest
//! stocks, run history) as serializable reports, shared by `optctl process-excel
//! status|history` and the future `serve` routes. SQL lives in `store::excel`.

pub mod buildup;
pub mod config;
pub mod process;
pub mod workbook;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::market::{Calendar, MarketStatus};
use crate::store::Store;
/// The workbook loop's stored state and heartbeat (`store::control`).
pub use crate::store::control::{Beat, LoopRow};
/// The run rows and statuses the store keeps, as process-excel reports them.
pub use crate::store::excel::{ColumnMapping, MappedColumn, RunColumns, RunRow, RunStatus};
use crate::store::excel::{RunCounts, StockRow};
use buildup::Buildup;

pub use config::{ExcelColumns, ExcelConfig};
pub use workbook::Error;

/// The processor at a glance (`process-excel status`, `GET /api/v1/background/status`).
#[derive(Debug, Clone, Serialize)]
pub struct ProcessorStatus {
    pub market: MarketStatus,
    /// Runs recorded in all, and since the start of today on the exchange's clock.
    pub runs_total: u64,
    pub runs_today: u64,
    /// Stocks stored.
    pub stocks: u64,
    pub last_run: Option<RunRow>,
    /// The latest run that read the workbooks (processed or partial).
    pub last_processed: Option<RunRow>,
    /// The latest failed run.
    pub last_error: Option<RunRow>,
    /// Which header each field was read from in the latest run that was not a failure,
    /// and the warnings about headers that matched nothing.
    pub columns: RunColumns,
    /// A `process-excel --watch` loop is alive: its heartbeat is fresh and it did not
    /// stop.
    pub is_running: bool,
    /// Seconds between the loop's ticks: set over HTTP, else the loop's `--interval`.
    pub process_interval: Option<u64>,
    /// The loop in detail.
    pub background: LoopStatus,
}

/// Seconds between `--watch` ticks when none is known (the flag's default).
pub const DEFAULT_INTERVAL_SECONDS: u64 = 6;
/// A heartbeat is stale after this many intervals...
const STALE_INTERVALS: u64 = 3;
/// ...and never sooner than this many seconds.
const STALE_MIN_SECONDS: u64 = 10;

/// The workbook loop as judged at one instant.
#[derive(Debug, Clone, Serialize)]
pub struct LoopStatus {
    /// The loop is alive (fresh heartbeat, not stopped).
    pub is_running: bool,
    /// Stopped over HTTP (`POST /api/v1/background/stop`): it ticks but does no work.
    pub paused: bool,
    pub process_interval: Option<u64>,
    /// Seconds since the last heartbeat (None: never).
    pub heartbeat_age_seconds: Option<f64>,
    /// A heartbeat older than this is stale: the loop died or hangs.
    pub stale_after_seconds: u64,
    #[serde(flatten)]
    pub stored: LoopRow,
}

impl LoopStatus {
    /// Judges the stored loop at `now`.
    pub fn judge(stored: LoopRow, now: DateTime<Utc>) -> LoopStatus {
        let interval = stored.interval_seconds.or(stored.beat_interval);
        let stale_after = (STALE_INTERVALS
            * stored
                .beat_interval
                .or(interval)
                .unwrap_or(DEFAULT_INTERVAL_SECONDS))
        .max(STALE_MIN_SECONDS);
        let age = stored
            .last_tick_at
            .map(|t| (now - t).num_milliseconds() as f64 / 1000.0);
        LoopStatus {
            is_running: stored.pid.is_some()
                && stored.stopped_at.is_none()
                && age.is_some_and(|a| a <= stale_after as f64),
            paused: stored.paused,
            process_interval: interval,
            heartbeat_age_seconds: age,
            stale_after_seconds: stale_after,
            stored,
        }
    }
}

/// Reads and judges the loop at `now`.
pub fn loop_status(store: &Store, now: DateTime<Utc>) -> crate::Result<LoopStatus> {
    Ok(LoopStatus::judge(store.control().workbook_loop()?, now))
}

impl ProcessorStatus {
    /// Before the first run (no database yet): the market, and no runs.
    pub fn empty(market: MarketStatus) -> ProcessorStatus {
        ProcessorStatus {
            market,
            runs_total: 0,
            runs_today: 0,
            stocks: 0,
            last_run: None,
            last_processed: None,
            last_error: None,
            columns: RunColumns::default(),
            is_running: false,
            process_interval: None,
            background: LoopStatus::judge(LoopRow::default(), Utc::now()),
        }
    }
}

/// Status as of `now`. Works on a read-only store.
pub fn processor_status(
    store: &Store,
    hours: &Calendar,
    now: DateTime<Utc>,
) -> crate::Result<ProcessorStatus> {
    let today = hours.local_date(now);
    let midnight = hours
        .tz()
        .from_local_datetime(&today.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc));
    let RunCounts { total, since } = store.excel().run_counts(midnight)?;
    let background = loop_status(store, now)?;
    Ok(ProcessorStatus {
        is_running: background.is_running,
        process_interval: background.process_interval,
        background,
        market: hours.status(now),
        runs_total: total,
        runs_today: since,
        stocks: store.excel().list_stocks(None)?.len() as u64,
        last_run: store.excel().list_runs(None, 1)?.into_iter().next(),
        last_processed: store.excel().latest_processed()?,
        last_error: store
            .excel()
            .list_runs(Some(RunStatus::Failed), 1)?
            .into_iter()
            .next(),
        columns: store.excel().latest_columns()?,
    })
}

/// The latest state per stock (`GET /api/v1/stocks?buildup=`).
#[derive(Debug, Clone, Serialize)]
pub struct StocksReport {
    pub buildup: Option<Buildup>,
    pub count: usize,
    pub stocks: Vec<StockRow>,
}

/// Every stored stock, or those of one buildup class, by symbol.
pub fn latest_stocks(store: &Store, buildup: Option<Buildup>) -> crate::Result<StocksReport> {
    let stocks = store.excel().list_stocks(buildup)?;
    Ok(StocksReport {
        buildup,
        count: stocks.len(),
        stocks,
    })
}

/// Recent runs (`process-excel history`, `GET /api/v1/stocks/processing-history`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryReport {
    pub count: usize,
    pub runs: Vec<RunRow>,
}

/// The latest `limit` runs, newest first.
pub fn processing_history(store: &Store, limit: u64) -> crate::Result<HistoryReport> {
    let runs = store.excel().list_runs(None, limit)?;
    Ok(HistoryReport {
        count: runs.len(),
        runs,
    })
}

#[cfg(test)]
mod loop_tests {
    use super::*;

    #[test]
    fn a_loop_is_running_while_its_heartbeat_is_fresh_and_it_did_not_stop() {
        let at: DateTime<Utc> = "2026-11-23T05:00:00Z".parse().unwrap();
        let beat = LoopRow {
            pid: Some(7),
            beat_interval: Some(2),
            last_tick_at: Some(at),
            ..LoopRow::default()
        };
        let secs = chrono::TimeDelta::seconds;
        // 3 intervals, but never under 10 s.
        let s = LoopStatus::judge(beat.clone(), at + secs(10));
        assert!(s.is_running);
        assert_eq!(s.stale_after_seconds, 10);
        assert!(!LoopStatus::judge(beat.clone(), at + secs(11)).is_running);
        let slow = LoopRow {
            beat_interval: Some(300),
            ..beat.clone()
        };
        assert!(LoopStatus::judge(slow, at + secs(600)).is_running);
        let stopped = LoopRow {
            stopped_at: Some(at),
            ..beat.clone()
        };
        assert!(!LoopStatus::judge(stopped, at).is_running);
        // The interval set over HTTP is reported before the loop ticks with it.
        let set = LoopRow {
            interval_seconds: Some(12),
            ..beat
        };
        assert_eq!(LoopStatus::judge(set, at).process_interval, Some(12));
        assert!(!LoopStatus::judge(LoopRow::default(), at).is_running);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rust_xlsxwriter::Workbook;

    use super::*;
    use crate::config::Config;
    use crate::store::tests::temp_store;

    fn book(path: &Path, rows: &[&[&str]]) {
        let mut b = Workbook::new();
        let ws = b.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) => ws.write(r as u32, c as u16, n).unwrap(),
                    Err(_) => ws.write(r as u32, c as u16, *v).unwrap(),
                };
            }
        }
        b.save(path).unwrap();
    }

    fn pair(home: &Path) {
        std::fs::create_dir_all(home.join("excel")).unwrap();
        book(
            &home.join("excel/Historical.xlsx"),
            &[
                &["Symbol", "Date", "Close", "Volume", "OI"],
                &["TCS", "2026-11-20", "100", "10", "1000"],
            ],
        );
        book(
            &home.join("excel/Live.xlsx"),
            &[&["Symbol", "LTP", "OI"], &["TCS", "101", "1100"]],
        );
    }

    /// A workbook caught mid-save is tried again within the run: one that becomes whole
    /// meanwhile is processed; one that stays torn fails after the last try, naming the
    /// file and the tries, with nothing stored but the failed run.
    #[test]
    fn a_torn_workbook_is_tried_again_within_the_run() {
        let (dir, mut store) = temp_store();
        let home = dir.path().to_path_buf();
        pair(&home);
        let live = home.join("excel/Live.xlsx");
        let good = std::fs::read(&live).unwrap();
        let hours = Config::default().market_hours.calendar(&home).unwrap();
        let now = crate::time::parse_instant("2026-11-23T05:00:00Z").unwrap();
        let mut opts = process::Options::from_config(&Default::default(), &home, &hours, now);
        opts.retry_delays = vec![std::time::Duration::from_millis(100); 2];

        std::fs::write(&live, &good[..good.len() - 100]).unwrap();
        let e = process::run(&mut store, &opts).unwrap_err().to_string();
        assert!(
            e.contains("Live.xlsx: its zip directory does not check"),
            "{e}"
        );
        assert!(e.contains("still after 3 tries over"), "{e}");
        assert_eq!(latest_stocks(&store, None).unwrap().count, 0);
        let runs = processing_history(&store, 5).unwrap().runs;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, RunStatus::Failed);

        // Rewritten (as Excel does: a new file renamed over the old one) between tries.
        opts.retry_delays = vec![std::time::Duration::from_millis(1500)];
        let writer = {
            let live = live.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(500));
                let tmp = live.with_extension("tmp");
                std::fs::write(&tmp, &good).unwrap();
                std::fs::rename(&tmp, &live).unwrap();
            })
        };
        let report = process::run(&mut store, &opts).unwrap();
        writer.join().unwrap();
        assert_eq!(report.tries, 2);
        assert_eq!(report.status, RunStatus::Processed);
        assert_eq!(report.summary(), "1/1 updated, 0 skipped");
    }

    /// The read side the serve routes will call: status, stocks by class, history.
    #[test]
    fn reports_for_the_serve_routes() {
        let (dir, mut store) = temp_store();
        let home = dir.path();
        std::fs::create_dir_all(home.join("excel")).unwrap();
        book(
            &home.join("excel/Historical.xlsx"),
            &[
                &["Symbol", "Date", "Close", "Volume", "OI"],
                &["TCS", "2026-11-20", "100", "10", "1000"],
                &["INFY", "2026-11-20", "100", "10", "1000"],
            ],
        );
        book(
            &home.join("excel/Live.xlsx"),
            &[
                &["Symbol", "LTP", "OI"],
                &["TCS", "101", "1100"],
                &["INFY", "99", "1100"],
            ],
        );
        let hours = Config::default().market_hours.calendar(home).unwrap();
        let now = crate::time::parse_instant("2026-11-23T05:00:00Z").unwrap();
        let opts = process::Options::from_config(&Default::default(), home, &hours, now);
        let report = process::run(&mut store, &opts).unwrap();
        assert_eq!(report.summary(), "2/2 updated, 0 skipped");

        let all = latest_stocks(&store, None).unwrap();
        assert_eq!(all.count, 2);
        let long = latest_stocks(&store, Some(Buildup::LongBuildup)).unwrap();
        assert_eq!(long.stocks.len(), 1);
        assert_eq!(long.stocks[0].symbol, "TCS");
        // The metrics are flat in JSON, beside the live fields.
        let json = serde_json::to_value(&long).unwrap();
        assert_eq!(json["stocks"][0]["buildup"], "long_buildup");
        assert_eq!(json["stocks"][0]["change_pct"], 1.0);
        assert_eq!(json["stocks"][0]["ltp"], 101.0);
        let short = latest_stocks(&store, Some(Buildup::ShortBuildup)).unwrap();
        assert_eq!(short.stocks[0].symbol, "INFY");

        let status = processor_status(&store, &hours, now).unwrap();
        assert!(status.market.open);
        assert_eq!(
            (status.runs_total, status.runs_today, status.stocks),
            (1, 1, 2)
        );
        assert_eq!(status.last_processed.unwrap().updated, 2);
        let json = serde_json::to_value(processing_history(&store, 5).unwrap()).unwrap();
        assert_eq!(json["runs"][0]["status"], "processed");
        assert_eq!(json["runs"][0]["live"]["size"], report.live.size);
    }
}
