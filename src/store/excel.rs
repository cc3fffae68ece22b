//! process-excel's tables: `excel_stocks` (latest state per stock), `excel_ticks`
//! (every changed state, per run) and `processing_metadata` (one row per run).
//! The processing itself is in `excel::process`.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::db::{Row, params, upsert_sql};
use super::{Result, Store, parse_ts, ts};
use crate::market::{Buildup, Metrics};

/// Size, modification time and content hash of a workbook: equal fingerprints mean the
/// file has not changed since it was last processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub path: PathBuf,
    /// Bytes.
    pub size: u64,
    /// Nanoseconds since the Unix epoch (0 where the file system has no mtime).
    pub mtime_ns: i64,
    /// CRC-32 of the content, 8 hex digits: catches a rewrite that kept size and mtime.
    pub hash: String,
}

/// A row that was skipped, and why: file, sheet, row, column and what was expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedRow {
    pub file: PathBuf,
    pub sheet: String,
    /// 1-based row number as Excel shows it.
    pub row: u32,
    /// The column header and letter (`LTP (B)`), when one cell is to blame.
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for SkippedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: sheet {}, row {}",
            self.file.display(),
            self.sheet,
            self.row
        )?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// How the header row of one workbook was read in a run: which column each field came
/// from, which headers were ignored, and what the user should fix.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnMapping {
    pub sheet: String,
    /// 1-based row of the headers, as Excel shows it.
    pub header_row: u32,
    /// The fields found, in the workbook's field order.
    pub mapped: Vec<MappedColumn>,
    /// Optional fields with no column (stored empty), by field name.
    pub missing: Vec<String>,
    /// Headers that match no field, with their column letter (`Lot Size (L)`).
    pub ignored: Vec<String>,
    /// A header that looks like a misspelt known name, or an optional field with no
    /// column, each with the nearest known name: printed on every run until fixed.
    pub warnings: Vec<String>,
}

/// One field and the header it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappedColumn {
    /// Field name, as in `[excel.columns.*]` (`prev_close`).
    pub field: String,
    /// The header as written in the workbook.
    pub header: String,
    /// Column letter (`F`).
    pub column: String,
    /// Mapped by `[excel.columns.*]` rather than by a built-in alias.
    pub configured: bool,
}

/// The header mappings of a run's two workbooks (absent for one that was not read).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunColumns {
    pub historical: Option<ColumnMapping>,
    pub live: Option<ColumnMapping>,
}

impl RunColumns {
    /// Every warning, historical first.
    pub fn warnings(&self) -> impl Iterator<Item = &String> {
        self.historical
            .iter()
            .chain(&self.live)
            .flat_map(|m| &m.warnings)
    }
}

/// How a process-excel run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Both workbooks read, every row usable.
    Processed,
    /// Read and stored, but some rows were skipped.
    Partial,
    /// Neither workbook changed since the last run: nothing read.
    Unchanged,
    /// Unusable input: nothing stored but this row.
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Processed => "processed",
            RunStatus::Partial => "partial",
            RunStatus::Unchanged => "unchanged",
            RunStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "processed" => RunStatus::Processed,
            "partial" => RunStatus::Partial,
            "unchanged" => RunStatus::Unchanged,
            "failed" => RunStatus::Failed,
            other => return Err(corrupt("status", other)),
        })
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn corrupt(column: &'static str, detail: &str) -> super::Error {
    super::Error::Corrupt {
        table: "processing_metadata",
        column,
        detail: detail.to_string(),
    }
}

/// The stored state of one stock: its live row and the metrics computed from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockRow {
    pub symbol: String,
    /// Last traded price, rupees.
    pub ltp: f64,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    /// Previous close (from the live row, else the last historical close), rupees.
    pub prev_close: Option<f64>,
    pub volume: Option<i64>,
    /// Open interest, contracts.
    pub oi: i64,
    /// The previous trading day's OI, from the historical workbook.
    pub prev_oi: Option<i64>,
    /// Average daily volume over `excel.volume_avg_days` days.
    pub avg_volume: Option<f64>,
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    pub last_update: Option<String>,
    /// Change, OI change, volume ratio, range position and buildup class
    /// (flattened: the same keys in JSON).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The run that last changed this stock, and its time.
    pub updated_at: DateTime<Utc>,
    pub run_id: i64,
}

impl StockRow {
    /// Same data, whatever run wrote it.
    pub fn same_values(&self, other: &StockRow) -> bool {
        let mut a = self.clone();
        a.updated_at = other.updated_at;
        a.run_id = other.run_id;
        a == *other
    }

    fn from_row(r: &Row<'_, '_>) -> Result<(StockRow, String, Option<String>)> {
        Ok((
            StockRow {
                symbol: r.get(0)?,
                ltp: r.get(1)?,
                open: r.get(2)?,
                high: r.get(3)?,
                low: r.get(4)?,
                prev_close: r.get(5)?,
                volume: r.get(6)?,
                oi: r.get(7)?,
                prev_oi: r.get(8)?,
                avg_volume: r.get(9)?,
                bid: r.get(10)?,
                ask: r.get(11)?,
                last_update: r.get(12)?,
                metrics: Metrics {
                    change: r.get(13)?,
                    change_pct: r.get(14)?,
                    oi_change: r.get(15)?,
                    oi_change_pct: r.get(16)?,
                    volume_ratio: r.get(17)?,
                    range_position: r.get(18)?,
                    buildup: None,
                },
                updated_at: DateTime::<Utc>::MIN_UTC,
                run_id: r.get(21)?,
            },
            r.get(20)?,
            r.get(19)?,
        ))
    }
}

const STOCK_COLUMNS: &str = "symbol, ltp, open, high, low, prev_close, volume, oi, prev_oi, \
     avg_volume, bid, ask, last_update, change, change_pct, oi_change, oi_change_pct, \
     volume_ratio, range_position, buildup, updated_at, run_id";

/// Replaces a stock's stored state (every column but the key): an upsert on `symbol`.
static STOCK_UPSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let columns: Vec<&str> = STOCK_COLUMNS.split(',').map(str::trim).collect();
    upsert_sql("excel_stocks", &columns, &["symbol"])
});

/// What a run records.
#[derive(Debug)]
pub struct NewRun<'a> {
    pub run_at: DateTime<Utc>,
    pub status: RunStatus,
    pub historical: Option<&'a Fingerprint>,
    pub live: Option<&'a Fingerprint>,
    /// Everything besides the files that changes the result (trading date, thresholds,
    /// sheets, column map): a run with other settings is not "unchanged".
    pub settings_key: &'a str,
    pub historical_rows: usize,
    pub live_rows: usize,
    pub stocks: usize,
    pub skipped: &'a [SkippedRow],
    pub error: Option<String>,
    /// Which header each field was read from.
    pub columns: &'a RunColumns,
    /// When the run began; the recorded duration ends just before commit.
    pub started: Instant,
}

/// One stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub run_at: DateTime<Utc>,
    pub status: RunStatus,
    pub historical: Option<Fingerprint>,
    pub live: Option<Fingerprint>,
    pub historical_rows: u64,
    pub live_rows: u64,
    pub stocks: u64,
    pub updated: u64,
    pub skipped: u64,
    /// The first [`MAX_SKIPPED_STORED`] skipped rows.
    pub skipped_rows: Vec<SkippedRow>,
    pub error: Option<String>,
    /// Milliseconds.
    pub duration_ms: f64,
    /// Which header each field was read from (empty for runs made before optctl kept
    /// it, and for failed runs).
    pub columns: RunColumns,
}

/// Skipped rows kept per run: enough to find the problem, bounded for a file of junk.
pub const MAX_SKIPPED_STORED: usize = 50;

const RUN_COLUMNS: &str = "id, run_at, status, historical_path, historical_size, \
     historical_mtime_ns, historical_hash, live_path, live_size, live_mtime_ns, live_hash, \
     historical_rows, live_rows, stocks, updated, skipped, skipped_rows, error, duration_ms, \
     columns";

fn fingerprint(r: &Row<'_, '_>, at: usize) -> Result<Option<Fingerprint>> {
    let path: Option<String> = r.get(at)?;
    Ok(match path {
        None => None,
        Some(p) => Some(Fingerprint {
            path: p.into(),
            size: r.get::<Option<i64>>(at + 1)?.unwrap_or(0) as u64,
            mtime_ns: r.get::<Option<i64>>(at + 2)?.unwrap_or(0),
            hash: r.get::<Option<String>>(at + 3)?.unwrap_or_default(),
        }),
    })
}

fn run_row(r: &Row<'_, '_>) -> Result<(RunRow, String, String, String, String)> {
    Ok((
        RunRow {
            id: r.get(0)?,
            run_at: DateTime::<Utc>::MIN_UTC,
            status: RunStatus::Failed,
            historical: fingerprint(r, 3)?,
            live: fingerprint(r, 7)?,
            historical_rows: r.get::<i64>(11)? as u64,
            live_rows: r.get::<i64>(12)? as u64,
            stocks: r.get::<i64>(13)? as u64,
            updated: r.get::<i64>(14)? as u64,
            skipped: r.get::<i64>(15)? as u64,
            skipped_rows: Vec::new(),
            error: r.get(17)?,
            duration_ms: r.get(18)?,
            columns: RunColumns::default(),
        },
        r.get(1)?,
        r.get(2)?,
        r.get(16)?,
        r.get(19)?,
    ))
}

fn finish_run(raw: (RunRow, String, String, String, String)) -> Result<RunRow> {
    let (mut row, at, status, skipped, columns) = raw;
    row.columns = serde_json::from_str(&columns).map_err(|e| corrupt("columns", &e.to_string()))?;
    row.run_at = parse_ts(&at, "processing_metadata", "run_at")?;
    row.status = RunStatus::parse(&status)?;
    row.skipped_rows =
        serde_json::from_str(&skipped).map_err(|e| corrupt("skipped_rows", &e.to_string()))?;
    Ok(row)
}

fn finish_stock(raw: (StockRow, String, Option<String>)) -> Result<StockRow> {
    let (mut row, at, buildup) = raw;
    row.updated_at = parse_ts(&at, "excel_stocks", "updated_at")?;
    row.metrics.buildup = match buildup {
        None => None,
        Some(b) => Some(b.parse().map_err(|e: String| super::Error::Corrupt {
            table: "excel_stocks",
            column: "buildup",
            detail: e,
        })?),
    };
    Ok(row)
}

/// One stock's previous day and average volume, from the historical workbook.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct HistorySummary {
    pub symbol: String,
    /// The last close before the trading date, rupees.
    pub prev_close: Option<f64>,
    /// The OI at that close, contracts.
    pub prev_oi: Option<i64>,
    /// Mean daily volume over the lookback days.
    pub avg_volume: Option<f64>,
}

/// A history summary to keep for the next runs, under the key that identifies the
/// workbook and settings it came from.
#[derive(Debug)]
pub struct HistoryCache<'a> {
    pub key: &'a str,
    pub summaries: &'a [HistorySummary],
    /// How the historical workbook's headers were read, for the runs that reuse it.
    pub columns: &'a ColumnMapping,
}

/// One stored change of one stock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub at: DateTime<Utc>,
    /// Rupees.
    pub ltp: f64,
    /// Contracts.
    pub oi: i64,
    pub buildup: Option<String>,
}

/// Counts of runs for `process-excel status`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RunCounts {
    pub total: u64,
    pub since: u64,
}

/// The `excel` family: `Store::excel()` reads, `Store::excel_mut()` also writes.
pub struct Excel<S>(pub(super) S);

impl<S: Deref<Target = Store>> Excel<S> {
    /// The files and settings of the latest run that read them (not a failed one):
    /// what "unchanged" is measured against.
    pub fn latest_inputs(&self) -> Result<Option<(Fingerprint, Fingerprint, String)>> {
        self.0
            .db()
            .query_opt(
                "SELECT historical_path, historical_size, historical_mtime_ns, historical_hash,
                        live_path, live_size, live_mtime_ns, live_hash, settings_key
                 FROM processing_metadata WHERE status != 'failed' ORDER BY id DESC LIMIT 1",
                params![],
                |r| {
                    let h = fingerprint(r, 0)?;
                    let l = fingerprint(r, 4)?;
                    let key = r.get::<Option<String>>(8)?.unwrap_or_default();
                    Ok(h.zip(l).map(|(h, l)| (h, l, key)))
                },
            )
            .map(Option::flatten)
    }

    /// The latest state of every stock (optionally one buildup class), by symbol.
    pub fn list_stocks(&self, buildup: Option<Buildup>) -> Result<Vec<StockRow>> {
        let sql = format!(
            "SELECT {STOCK_COLUMNS} FROM excel_stocks
             WHERE CAST(?1 AS TEXT) IS NULL OR buildup = ?1 ORDER BY symbol"
        );
        self.0
            .db()
            .query(&sql, params![buildup.map(Buildup::as_str)], |r| {
                finish_stock(StockRow::from_row(r)?)
            })
    }

    /// Stored runs, newest first; only those with `status` when given.
    pub fn list_runs(&self, status: Option<RunStatus>, limit: u64) -> Result<Vec<RunRow>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM processing_metadata
             WHERE CAST(?1 AS TEXT) IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2"
        );
        self.0.db().query(
            &sql,
            params![
                status.map(RunStatus::as_str),
                limit.min(i64::MAX as u64) as i64
            ],
            |r| finish_run(run_row(r)?),
        )
    }

    /// The latest run that read the workbooks (processed or partial).
    pub fn latest_processed(&self) -> Result<Option<RunRow>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM processing_metadata
             WHERE status IN ('processed', 'partial') ORDER BY id DESC LIMIT 1"
        );
        self.0
            .db()
            .query_opt(&sql, params![], |r| finish_run(run_row(r)?))
    }

    /// The kept history summary, if it was made under `key` (else empty).
    pub fn history_cache(&self, key: &str) -> Result<Vec<HistorySummary>> {
        self.0.db().query(
            "SELECT symbol, prev_close, prev_oi, avg_volume FROM excel_history_cache WHERE key = ?1",
            params![key],
            |r| {
                Ok(HistorySummary {
                    symbol: r.get(0)?,
                    prev_close: r.get(1)?,
                    prev_oi: r.get(2)?,
                    avg_volume: r.get(3)?,
                })
            },
        )
    }

    /// How the historical workbook behind the summary kept under `key` was read; `None`
    /// when none is kept under that key (then the summary is not reused either).
    pub fn history_columns(&self, key: &str) -> Result<Option<ColumnMapping>> {
        let json: Option<String> = self.0.db().query_opt(
            "SELECT columns FROM excel_history_columns WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| super::Error::Corrupt {
                table: "excel_history_columns",
                column: "columns",
                detail: e.to_string(),
            })
        })
        .transpose()
    }

    /// The header mappings of the latest run that read the workbooks or found them
    /// unchanged (not a failed one): what an unchanged run reports again.
    pub fn latest_columns(&self) -> Result<RunColumns> {
        let json: Option<String> = self.0.db().query_opt(
            "SELECT columns FROM processing_metadata WHERE status != 'failed'
             ORDER BY id DESC LIMIT 1",
            params![],
            |r| r.get(0),
        )?;
        match json {
            None => Ok(RunColumns::default()),
            Some(j) => serde_json::from_str(&j).map_err(|e| corrupt("columns", &e.to_string())),
        }
    }

    /// Runs recorded in all, and since `since`.
    pub fn run_counts(&self, since: DateTime<Utc>) -> Result<RunCounts> {
        self.0.db().query_one(
            "SELECT count(*), count(*) FILTER (WHERE run_at >= ?1) FROM processing_metadata",
            params![ts(since)],
            |r| {
                Ok(RunCounts {
                    total: r.get::<i64>(0)? as u64,
                    since: r.get::<i64>(1)? as u64,
                })
            },
        )
    }

    /// Tick history of one stock, oldest first.
    pub fn list_ticks(&self, symbol: &str) -> Result<Vec<Tick>> {
        self.0.db().query(
            "SELECT at, ltp, oi, buildup FROM excel_ticks WHERE symbol = ?1 ORDER BY at, run_id",
            params![symbol],
            |r| {
                Ok(Tick {
                    at: parse_ts(&r.get::<String>(0)?, "excel_ticks", "at")?,
                    ltp: r.get(1)?,
                    oi: r.get(2)?,
                    buildup: r.get(3)?,
                })
            },
        )
    }
}

impl<S: DerefMut<Target = Store>> Excel<S> {
    /// Records one run in one transaction: its metadata row and the changed stocks
    /// (upserted and appended to the tick history, stamped with this run). Returns the
    /// run id. Old runs go separately, in batches: [`Excel::prune`].
    pub fn record_run(
        &mut self,
        run: &NewRun<'_>,
        changed: &[StockRow],
        history: Option<HistoryCache<'_>>,
    ) -> Result<i64> {
        let stored: Vec<&SkippedRow> = run.skipped.iter().take(MAX_SKIPPED_STORED).collect();
        let skipped_json = serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into());
        let columns_json = serde_json::to_string(run.columns).unwrap_or_else(|_| "{}".into());
        let at = ts(run.run_at);
        self.0.transaction(|tx| {
            // One run's write at a time, as SQLite's writer lock gives: hosts sharing a
            // PostgreSQL store would otherwise both delete-then-insert the history
            // summary (the same symbols: a duplicate key) and could upsert the same
            // stocks in different orders (a deadlock).
            tx.lock("excel_run")?;
            let fp = |f: Option<&Fingerprint>| {
                (
                    f.map(|f| f.path.to_string_lossy().into_owned()),
                    f.map(|f| f.size as i64),
                    f.map(|f| f.mtime_ns),
                    f.map(|f| f.hash.clone()),
                )
            };
            let (hp, hs, hm, hh) = fp(run.historical);
            let (lp, ls, lm, lh) = fp(run.live);
            let id = tx.insert_id(
                "INSERT INTO processing_metadata (run_at, status, historical_path, historical_size,
                    historical_mtime_ns, historical_hash, live_path, live_size, live_mtime_ns,
                    live_hash, settings_key, historical_rows, live_rows, stocks, updated, skipped,
                    skipped_rows, error, duration_ms, columns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, 0, ?19)",
                params![
                    &at,
                    run.status.as_str(),
                    hp,
                    hs,
                    hm,
                    hh,
                    lp,
                    ls,
                    lm,
                    lh,
                    run.settings_key,
                    run.historical_rows as i64,
                    run.live_rows as i64,
                    run.stocks as i64,
                    changed.len() as i64,
                    run.skipped.len() as i64,
                    &skipped_json,
                    &run.error,
                    &columns_json
                ],
            )?;
            // Only the stocks that changed come here (the caller compares with the
            // stored state); each statement is prepared once and cached, in this one
            // transaction.
            let upsert = &*STOCK_UPSERT;
            for s in changed {
                let m = &s.metrics;
                let buildup = m.buildup.map(Buildup::as_str);
                tx.execute(
                    upsert,
                    params![
                        &s.symbol,
                        s.ltp,
                        s.open,
                        s.high,
                        s.low,
                        s.prev_close,
                        s.volume,
                        s.oi,
                        s.prev_oi,
                        s.avg_volume,
                        s.bid,
                        s.ask,
                        &s.last_update,
                        m.change,
                        m.change_pct,
                        m.oi_change,
                        m.oi_change_pct,
                        m.volume_ratio,
                        m.range_position,
                        buildup,
                        &at,
                        id
                    ],
                )?;
                tx.execute(
                    "INSERT INTO excel_ticks (run_id, symbol, at, ltp, volume, oi, change_pct,
                        oi_change_pct, buildup) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        &s.symbol,
                        &at,
                        s.ltp,
                        s.volume,
                        s.oi,
                        m.change_pct,
                        m.oi_change_pct,
                        buildup
                    ],
                )?;
            }
            if let Some(cache) = history {
                tx.execute("DELETE FROM excel_history_cache", params![])?;
                tx.execute("DELETE FROM excel_history_columns", params![])?;
                tx.execute(
                    "INSERT INTO excel_history_columns (key, columns) VALUES (?1, ?2)",
                    params![
                        cache.key,
                        serde_json::to_string(cache.columns).unwrap_or_else(|_| "{}".into())
                    ],
                )?;
                for h in cache.summaries {
                    tx.execute(
                        "INSERT INTO excel_history_cache (symbol, key, prev_close, prev_oi,
                             avg_volume)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![&h.symbol, cache.key, h.prev_close, h.prev_oi, h.avg_volume],
                    )?;
                }
            }
            tx.execute(
                "UPDATE processing_metadata SET duration_ms = ?2 WHERE id = ?1",
                params![id, run.started.elapsed().as_secs_f64() * 1000.0],
            )?;
            Ok(id)
        })
    }

    /// Deletes the runs made before `before`, and their ticks, except the `keep_last`
    /// newest runs, which are kept however old. The stocks' latest state is not touched.
    ///
    /// Deletes in transactions of at most [`super::PRUNE_BATCH_ROWS`] rows, releasing
    /// the write lock for [`super::PRUNE_PAUSE`] between them: a run's ticks first, by
    /// their key `(run_id, symbol)`, then the run's row.
    pub fn prune(&mut self, before: DateTime<Utc>, keep_last: u32) -> Result<super::PruneStats> {
        self.prune_with(
            before,
            keep_last,
            super::PRUNE_BATCH_ROWS,
            super::PRUNE_PAUSE,
        )
    }

    pub(crate) fn prune_with(
        &mut self,
        before: DateTime<Utc>,
        keep_last: u32,
        limit: usize,
        pause: std::time::Duration,
    ) -> Result<super::PruneStats> {
        let runs = self.0.db().query(
            "SELECT id FROM processing_metadata WHERE run_at < ?1 AND id NOT IN
                 (SELECT id FROM processing_metadata ORDER BY run_at DESC, id DESC LIMIT ?2)
             ORDER BY id",
            params![ts(before), i64::from(keep_last)],
            |r| r.get::<i64>(0),
        )?;
        let mut next = 0;
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            let mut left = limit;
            while left > 0 && next < runs.len() {
                let n = tx.execute(
                    "DELETE FROM excel_ticks WHERE run_id = ?1 AND symbol IN
                         (SELECT symbol FROM excel_ticks WHERE run_id = ?1 LIMIT ?2)",
                    params![runs[next], left as i64],
                )?;
                left -= n;
                if left > 0 {
                    // Fewer ticks than asked for: the run's last ones are gone.
                    left -= tx.execute(
                        "DELETE FROM processing_metadata WHERE id = ?1",
                        params![runs[next]],
                    )?;
                    next += 1;
                }
            }
            Ok(limit - left)
        })
    }
}

impl<S: Deref<Target = Store>> Excel<S> {
    /// When the newest run other than `except` (the current one) was made.
    pub fn newest_run_at_except(&self, except: i64) -> Result<Option<DateTime<Utc>>> {
        self.0
            .newest_except("processing_metadata", "run_at", except)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    fn stock(symbol: &str, ltp: f64) -> StockRow {
        StockRow {
            symbol: symbol.into(),
            ltp,
            open: None,
            high: Some(ltp + 1.0),
            low: None,
            prev_close: Some(100.0),
            volume: Some(10),
            oi: 1000,
            prev_oi: Some(900),
            avg_volume: None,
            bid: None,
            ask: None,
            last_update: Some("14:29:57".into()),
            metrics: Metrics {
                change_pct: Some(1.0),
                oi_change_pct: Some(11.1),
                buildup: Some(Buildup::LongBuildup),
                ..Metrics::default()
            },
            updated_at: DateTime::<Utc>::MIN_UTC,
            run_id: 0,
        }
    }

    fn run<'a>(at: &str, fp: &'a Fingerprint) -> NewRun<'a> {
        NewRun {
            run_at: crate::time::parse_instant(at).unwrap(),
            status: RunStatus::Processed,
            historical: Some(fp),
            live: Some(fp),
            settings_key: "k",
            historical_rows: 1,
            live_rows: 2,
            stocks: 2,
            skipped: &[],
            error: None,
            columns: &NO_COLUMNS,
            started: Instant::now(),
        }
    }

    static NO_COLUMNS: RunColumns = RunColumns {
        historical: None,
        live: None,
    };

    /// What the next process-excel run reads back: a changed stock's whole state is
    /// replaced (every column, stamped with the new run), an unchanged one keeps its
    /// run; the run's skipped rows and header mappings, the inputs "unchanged" is
    /// measured against, and a history summary replaced by a newer workbook's.
    #[test]
    fn a_second_run_replaces_only_the_changed_stocks_and_reads_back_its_metadata() {
        for mut store in backends() {
            let b = store.backend();
            let fp = Fingerprint {
                path: "/x/Live.xlsx".into(),
                size: 10,
                mtime_ns: 1_700_000_000_123_456_789,
                hash: "abcd0123".into(),
            };
            let summary = |symbol: &str| HistorySummary {
                symbol: symbol.into(),
                prev_close: Some(100.0),
                prev_oi: Some(900),
                avg_volume: Some(12.5),
            };
            let mapping = ColumnMapping {
                sheet: "Historical".into(),
                header_row: 2,
                warnings: vec!["\"OI Chg\" looks like \"oi_change\"".into()],
                ..ColumnMapping::default()
            };
            let first = store
                .excel_mut()
                .record_run(
                    &run("2026-11-23T04:00:00Z", &fp),
                    &[stock("TCS", 101.0), stock("INFY", 99.0)],
                    Some(HistoryCache {
                        key: "h1",
                        summaries: &[summary("TCS"), summary("INFY")],
                        columns: &mapping,
                    }),
                )
                .unwrap();
            let mut tcs = stock("TCS", 103.5);
            tcs.open = Some(101.0);
            tcs.volume = None;
            tcs.oi = 1200;
            tcs.last_update = None;
            tcs.metrics = Metrics {
                change: Some(3.5),
                change_pct: Some(3.5),
                oi_change: Some(300),
                oi_change_pct: Some(33.3),
                volume_ratio: None,
                range_position: Some(0.75),
                buildup: Some(Buildup::ShortBuildup),
            };
            let skipped = [SkippedRow {
                file: "/x/Live.xlsx".into(),
                sheet: "Live".into(),
                row: 7,
                column: Some("LTP (B)".into()),
                reason: "not a number".into(),
            }];
            let columns = RunColumns {
                historical: Some(mapping.clone()),
                live: Some(ColumnMapping {
                    sheet: "Live".into(),
                    header_row: 1,
                    ..ColumnMapping::default()
                }),
            };
            let mut second = run("2026-11-23T04:00:05Z", &fp);
            second.status = RunStatus::Partial;
            second.settings_key = "k2";
            second.skipped = &skipped;
            second.columns = &columns;
            let id = store
                .excel_mut()
                .record_run(
                    &second,
                    std::slice::from_ref(&tcs),
                    Some(HistoryCache {
                        key: "h2",
                        summaries: &[summary("TCS")],
                        columns: &mapping,
                    }),
                )
                .unwrap();

            let stocks = store.excel().list_stocks(None).unwrap();
            assert_eq!(stocks.len(), 2, "{b}");
            assert_eq!(
                (stocks[0].symbol.as_str(), stocks[0].run_id),
                ("INFY", first),
                "{b}"
            );
            assert!(
                stocks[0].same_values(&stock("INFY", 99.0)),
                "{b}: {:?}",
                stocks[0]
            );
            assert_eq!(stocks[1].run_id, id, "{b}");
            assert_eq!(
                stocks[1].updated_at,
                crate::time::parse_instant("2026-11-23T04:00:05Z").unwrap(),
                "{b}"
            );
            assert!(stocks[1].same_values(&tcs), "{b}: {:?}", stocks[1]);
            let short = store
                .excel()
                .list_stocks(Some(Buildup::ShortBuildup))
                .unwrap();
            assert_eq!(short.len(), 1, "{b}");
            assert_eq!(short[0].symbol, "TCS", "{b}");

            let ticks = store.excel().list_ticks("TCS").unwrap();
            let got: Vec<(f64, i64, Option<&str>)> = ticks
                .iter()
                .map(|t| (t.ltp, t.oi, t.buildup.as_deref()))
                .collect();
            assert_eq!(
                got,
                [
                    (101.0, 1000, Some("long_buildup")),
                    (103.5, 1200, Some("short_buildup"))
                ],
                "{b}"
            );

            let latest = store.excel().latest_processed().unwrap().unwrap();
            assert_eq!(latest.id, id, "{b}");
            assert_eq!(latest.status, RunStatus::Partial, "{b}");
            assert_eq!((latest.updated, latest.skipped), (1, 1), "{b}");
            assert_eq!(latest.skipped_rows, skipped, "{b}");
            assert_eq!(latest.columns, columns, "{b}");
            assert_eq!(latest.live, Some(fp.clone()), "{b}");
            assert!(latest.duration_ms >= 0.0, "{b}");
            assert_eq!(store.excel().latest_columns().unwrap(), columns, "{b}");
            let (_, _, key) = store.excel().latest_inputs().unwrap().unwrap();
            assert_eq!(key, "k2", "{b}");
            let partial = store
                .excel()
                .list_runs(Some(RunStatus::Partial), 10)
                .unwrap();
            assert_eq!(
                partial.iter().map(|r| r.id).collect::<Vec<_>>(),
                [id],
                "{b}"
            );
            assert_eq!(store.excel().list_runs(None, 1).unwrap()[0].id, id, "{b}");

            assert_eq!(store.excel().history_cache("h1").unwrap(), [], "{b}");
            assert_eq!(
                store.excel().history_cache("h2").unwrap(),
                [summary("TCS")],
                "{b}"
            );
            assert_eq!(store.excel().history_columns("h1").unwrap(), None, "{b}");
            assert_eq!(
                store.excel().history_columns("h2").unwrap(),
                Some(mapping.clone()),
                "{b}"
            );
        }
    }

    /// process-excel on several hosts sharing one PostgreSQL store: runs recorded at
    /// the same moment, each replacing the 200-stock history summary (no stock changed,
    /// so no stock row orders them), all succeed and leave one whole summary. (SQLite's
    /// writer lock serialises them already.)
    #[test]
    fn hosts_recording_runs_at_once_on_one_postgres_store_all_succeed() {
        const HOSTS: usize = 4;
        let Some((db, got)) = crate::store::tests::hosts_on_postgres(HOSTS, |i, store, start| {
            let fp = Fingerprint {
                path: "/x/Live.xlsx".into(),
                size: 10,
                mtime_ns: 5,
                hash: "abcd0123".into(),
            };
            let key = format!("h{i}");
            let summaries: Vec<HistorySummary> = (0..200)
                .map(|s| HistorySummary {
                    symbol: format!("S{s}"),
                    prev_close: Some(100.0 + i as f64),
                    ..HistorySummary::default()
                })
                .collect();
            start.wait();
            store
                .excel_mut()
                .record_run(
                    &run("2026-11-23T04:00:00Z", &fp),
                    &[],
                    Some(HistoryCache {
                        key: &key,
                        summaries: &summaries,
                        columns: &ColumnMapping::default(),
                    }),
                )
                .map_err(|e| e.with_causes())
        }) else {
            return;
        };
        for r in got {
            r.unwrap();
        }
        let store = Store::open_postgres(&db.config).unwrap();
        assert_eq!(store.excel().list_runs(None, 10).unwrap().len(), HOSTS);
        let kept: Vec<usize> = (0..HOSTS)
            .map(|i| store.excel().history_cache(&format!("h{i}")).unwrap().len())
            .collect();
        assert_eq!(
            kept.iter().sum::<usize>(),
            200,
            "one whole summary: {kept:?}"
        );
        assert!(kept.contains(&200), "{kept:?}");
    }

    #[test]
    fn excel_prune_batches_are_bounded_and_keep_the_newest_runs() {
        for mut store in backends() {
            let b = store.backend();
            // 40 runs of 300 ticks, a minute apart on 2026-11-02, then 2 runs on 2026-11-23.
            let mut ids = Vec::new();
            for i in 0..42 {
                let at = if i < 40 {
                    format!("2026-11-02T04:{i:02}:00Z")
                } else {
                    format!("2026-11-23T04:{i:02}:00Z")
                };
                let id = store
                .transaction(|tx| {
                    let id = tx.insert_id(
                        "INSERT INTO processing_metadata (run_at, status, duration_ms)
                         VALUES (?1, 'processed', 0)",
                        params![&at],
                    )?;
                    tx.execute(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
                         INSERT INTO excel_ticks (run_id, symbol, at, ltp, oi)
                         SELECT CAST(?1 AS BIGINT), 'S' || CAST(i AS TEXT), CAST(?2 AS TEXT), 1.0, 1
                         FROM n",
                        params![id, &at],
                    )?;
                    Ok(id)
                })
                .unwrap();
                ids.push(id);
            }
            let before = crate::time::parse_instant("2026-11-20T00:00:00Z").unwrap();
            let stats = store
                .excel_mut()
                .prune_with(before, 3, 1000, std::time::Duration::ZERO)
                .unwrap();
            // Runs 0..39 are old; the 3 newest (two of 2026-11-23 and the last of 2026-11-02)
            // stay: 39 runs and their ticks go.
            assert_eq!(stats.rows, 39 * 301, "{b}");
            assert!(stats.largest_batch <= 1000, "{b}: {stats:?}");
            assert!(stats.batches >= 39 * 301 / 1000, "{b}: {stats:?}");
            let runs = store.excel().list_runs(None, 100).unwrap();
            let mut left: Vec<i64> = runs.iter().map(|r| r.id).collect();
            left.sort();
            assert_eq!(left, [ids[39], ids[40], ids[41]], "{b}");
            let ticks: i64 = store
                .db()
                .query_one("SELECT count(*) FROM excel_ticks", params![], |r| r.get(0))
                .unwrap();
            assert_eq!(ticks, 3 * 300, "{b}");
        }
    }

    #[test]
    fn runs_stocks_and_ticks_round_trip_and_prune() {
        for mut store in backends() {
            let b = store.backend();
            assert_eq!(store.excel().latest_inputs().unwrap(), None);
            let fp = Fingerprint {
                path: "/x/Live.xlsx".into(),
                size: 10,
                mtime_ns: 5,
                hash: "abcd0123".into(),
            };
            let id = store
                .excel_mut()
                .record_run(
                    &run("2026-11-20T04:00:00Z", &fp),
                    &[stock("TCS", 101.0), stock("INFY", 99.0)],
                    Some(HistoryCache {
                        key: "h1",
                        summaries: &[HistorySummary {
                            symbol: "TCS".into(),
                            prev_close: Some(100.0),
                            ..HistorySummary::default()
                        }],
                        columns: &ColumnMapping {
                            sheet: "Historical".into(),
                            header_row: 1,
                            ..ColumnMapping::default()
                        },
                    }),
                )
                .unwrap();
            let stocks = store.excel().list_stocks(None).unwrap();
            assert_eq!(stocks.len(), 2);
            assert_eq!(
                store.excel().history_cache("h1").unwrap()[0].prev_close,
                Some(100.0)
            );
            assert_eq!(store.excel().history_cache("h2").unwrap(), []);
            assert_eq!(
                store.excel().history_columns("h1").unwrap().unwrap().sheet,
                "Historical"
            );
            assert_eq!(store.excel().history_columns("h2").unwrap(), None);
            assert_eq!(stocks[0].symbol, "INFY");
            assert_eq!(stocks[0].run_id, id);
            assert!(stocks[1].same_values(&stock("TCS", 101.0)));
            assert_eq!(
                store.excel().list_stocks(Some(Buildup::Neutral)).unwrap(),
                []
            );
            let (h, _, key) = store.excel().latest_inputs().unwrap().unwrap();
            assert_eq!((h, key.as_str()), (fp.clone(), "k"));

            let id2 = store
                .excel_mut()
                .record_run(
                    &run("2026-11-23T04:00:00Z", &fp),
                    &[stock("TCS", 102.0)],
                    None,
                )
                .unwrap();
            let pruned = store
                .excel_mut()
                .prune(
                    crate::time::parse_instant("2026-11-22T00:00:00Z").unwrap(),
                    1,
                )
                .unwrap();
            assert_eq!(pruned.rows, 3, "the run and its two ticks");
            // The first run and its ticks are pruned; the stocks it wrote stay.
            let runs = store.excel().list_runs(None, 10).unwrap();
            assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [id2]);
            assert_eq!(runs[0].updated, 1);
            assert_eq!(store.excel().list_ticks("INFY").unwrap().len(), 0);
            assert_eq!(store.excel().list_ticks("TCS").unwrap()[0].ltp, 102.0);
            assert_eq!(store.excel().list_stocks(None).unwrap().len(), 2);
            let counts = store
                .excel()
                .run_counts(crate::time::parse_instant("2026-11-23T00:00:00Z").unwrap())
                .unwrap();
            assert_eq!(counts, RunCounts { total: 1, since: 1 }, "{b}");
        }
    }
}
