//! process-excel's tables: `excel_stocks` (latest state per stock), `excel_ticks`
//! (every changed state, per run) and `processing_metadata` (one row per run).
//! The processing itself is in `excel::process`.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

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

    fn from_row(r: &Row<'_>) -> rusqlite::Result<(StockRow, String, Option<String>)> {
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

fn fingerprint(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<Fingerprint>> {
    let path: Option<String> = r.get(at)?;
    Ok(match path {
        None => None,
        Some(p) => Some(Fingerprint {
            path: p.into(),
            size: r.get::<_, Option<i64>>(at + 1)?.unwrap_or(0) as u64,
            mtime_ns: r.get::<_, Option<i64>>(at + 2)?.unwrap_or(0),
            hash: r.get::<_, Option<String>>(at + 3)?.unwrap_or_default(),
        }),
    })
}

fn run_row(r: &Row<'_>) -> rusqlite::Result<(RunRow, String, String, String, String)> {
    Ok((
        RunRow {
            id: r.get(0)?,
            run_at: DateTime::<Utc>::MIN_UTC,
            status: RunStatus::Failed,
            historical: fingerprint(r, 3)?,
            live: fingerprint(r, 7)?,
            historical_rows: r.get::<_, i64>(11)? as u64,
            live_rows: r.get::<_, i64>(12)? as u64,
            stocks: r.get::<_, i64>(13)? as u64,
            updated: r.get::<_, i64>(14)? as u64,
            skipped: r.get::<_, i64>(15)? as u64,
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
        super::optional(self.0.conn().query_row(
            "SELECT historical_path, historical_size, historical_mtime_ns, historical_hash,
                    live_path, live_size, live_mtime_ns, live_hash, settings_key
             FROM processing_metadata WHERE status != 'failed' ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                let h = fingerprint(r, 0)?;
                let l = fingerprint(r, 4)?;
                Ok(h.zip(l)
                    .map(|(h, l)| (h, l, r.get::<_, String>(8).unwrap_or_default())))
            },
        ))
        .map(Option::flatten)
    }

    /// The latest state of every stock (optionally one buildup class), by symbol.
    pub fn list_stocks(&self, buildup: Option<Buildup>) -> Result<Vec<StockRow>> {
        let sql = format!(
            "SELECT {STOCK_COLUMNS} FROM excel_stocks
             WHERE ?1 IS NULL OR buildup = ?1 ORDER BY symbol"
        );
        let mut stmt = self.0.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([buildup.map(Buildup::as_str)], StockRow::from_row)?;
        rows.map(|r| finish_stock(r?)).collect()
    }

    /// Stored runs, newest first; only those with `status` when given.
    pub fn list_runs(&self, status: Option<RunStatus>, limit: u64) -> Result<Vec<RunRow>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM processing_metadata
             WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2"
        );
        let mut stmt = self.0.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                status.map(RunStatus::as_str),
                limit.min(i64::MAX as u64) as i64
            ],
            run_row,
        )?;
        rows.map(|r| finish_run(r?)).collect()
    }

    /// The latest run that read the workbooks (processed or partial).
    pub fn latest_processed(&self) -> Result<Option<RunRow>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM processing_metadata
             WHERE status IN ('processed', 'partial') ORDER BY id DESC LIMIT 1"
        );
        match super::optional(self.0.conn().query_row(&sql, [], run_row))? {
            Some(raw) => Ok(Some(finish_run(raw)?)),
            None => Ok(None),
        }
    }

    /// The kept history summary, if it was made under `key` (else empty).
    pub fn history_cache(&self, key: &str) -> Result<Vec<HistorySummary>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT symbol, prev_close, prev_oi, avg_volume FROM excel_history_cache WHERE key = ?1",
        )?;
        let rows = stmt.query_map([key], |r| {
            Ok(HistorySummary {
                symbol: r.get(0)?,
                prev_close: r.get(1)?,
                prev_oi: r.get(2)?,
                avg_volume: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How the historical workbook behind the summary kept under `key` was read; `None`
    /// when none is kept under that key (then the summary is not reused either).
    pub fn history_columns(&self, key: &str) -> Result<Option<ColumnMapping>> {
        let json: Option<String> = super::optional(self.0.conn().query_row(
            "SELECT columns FROM excel_history_columns WHERE key = ?1",
            [key],
            |r| r.get(0),
        ))?;
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
        let json: Option<String> = super::optional(self.0.conn().query_row(
            "SELECT columns FROM processing_metadata WHERE status != 'failed'
             ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        ))?;
        match json {
            None => Ok(RunColumns::default()),
            Some(j) => serde_json::from_str(&j).map_err(|e| corrupt("columns", &e.to_string())),
        }
    }

    /// Runs recorded in all, and since `since`.
    pub fn run_counts(&self, since: DateTime<Utc>) -> Result<RunCounts> {
        Ok(self.0.conn().query_row(
            "SELECT count(*), count(*) FILTER (WHERE run_at >= ?1) FROM processing_metadata",
            [ts(since)],
            |r| {
                Ok(RunCounts {
                    total: r.get::<_, i64>(0)? as u64,
                    since: r.get::<_, i64>(1)? as u64,
                })
            },
        )?)
    }

    /// Tick history of one stock, oldest first.
    pub fn list_ticks(&self, symbol: &str) -> Result<Vec<Tick>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT at, ltp, oi, buildup FROM excel_ticks WHERE symbol = ?1 ORDER BY at, run_id",
        )?;
        let rows = stmt.query_map([symbol], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.map(|r| {
            let (at, ltp, oi, buildup) = r?;
            Ok(Tick {
                at: parse_ts(&at, "excel_ticks", "at")?,
                ltp,
                oi,
                buildup,
            })
        })
        .collect()
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
        self.0.write(|tx| {
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
            tx.execute(
                "INSERT INTO processing_metadata (run_at, status, historical_path, historical_size,
                    historical_mtime_ns, historical_hash, live_path, live_size, live_mtime_ns,
                    live_hash, settings_key, historical_rows, live_rows, stocks, updated, skipped,
                    skipped_rows, error, duration_ms, columns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, 0, ?19)",
                params![
                    at,
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
                    skipped_json,
                    run.error,
                    columns_json
                ],
            )?;
            let id = tx.last_insert_rowid();
            let mut upsert = tx.prepare_cached(&format!(
                "INSERT OR REPLACE INTO excel_stocks ({STOCK_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22)"
            ))?;
            let mut tick = tx.prepare_cached(
                "INSERT INTO excel_ticks (run_id, symbol, at, ltp, volume, oi, change_pct,
                    oi_change_pct, buildup) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for s in changed {
                let m = &s.metrics;
                let buildup = m.buildup.map(Buildup::as_str);
                upsert.execute(params![
                    s.symbol,
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
                    s.last_update,
                    m.change,
                    m.change_pct,
                    m.oi_change,
                    m.oi_change_pct,
                    m.volume_ratio,
                    m.range_position,
                    buildup,
                    at,
                    id
                ])?;
                tick.execute(params![
                    id,
                    s.symbol,
                    at,
                    s.ltp,
                    s.volume,
                    s.oi,
                    m.change_pct,
                    m.oi_change_pct,
                    buildup
                ])?;
            }
            if let Some(cache) = history {
                tx.execute("DELETE FROM excel_history_cache", [])?;
                tx.execute("DELETE FROM excel_history_columns", [])?;
                tx.execute(
                    "INSERT INTO excel_history_columns (key, columns) VALUES (?1, ?2)",
                    params![
                        cache.key,
                        serde_json::to_string(cache.columns).unwrap_or_else(|_| "{}".into())
                    ],
                )?;
                let mut ins = tx.prepare_cached(
                    "INSERT INTO excel_history_cache (symbol, key, prev_close, prev_oi, avg_volume)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for h in cache.summaries {
                    ins.execute(params![
                        h.symbol,
                        cache.key,
                        h.prev_close,
                        h.prev_oi,
                        h.avg_volume
                    ])?;
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
        let runs = self
            .0
            .conn()
            .prepare(
                "SELECT id FROM processing_metadata WHERE run_at < ?1 AND id NOT IN
                     (SELECT id FROM processing_metadata ORDER BY run_at DESC, id DESC LIMIT ?2)
                 ORDER BY id",
            )?
            .query_map(params![ts(before), i64::from(keep_last)], |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut next = 0;
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            let tx = tx.sqlite()?;
            let mut ticks = tx.prepare_cached(
                "DELETE FROM excel_ticks WHERE run_id = ?1 AND symbol IN
                     (SELECT symbol FROM excel_ticks WHERE run_id = ?1 LIMIT ?2)",
            )?;
            let mut run = tx.prepare_cached("DELETE FROM processing_metadata WHERE id = ?1")?;
            let mut left = limit;
            while left > 0 && next < runs.len() {
                let n = ticks.execute(params![runs[next], left as i64])?;
                left -= n;
                if left > 0 {
                    // Fewer ticks than asked for: the run's last ones are gone.
                    left -= run.execute([runs[next]])?;
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
    use crate::store::tests::temp_store;

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

    #[test]
    fn excel_prune_batches_are_bounded_and_keep_the_newest_runs() {
        let (_dir, mut store) = temp_store();
        // 40 runs of 300 ticks, a minute apart on 2026-11-02, then 2 runs on 2026-11-23.
        let mut ids = Vec::new();
        for i in 0..42 {
            let at = if i < 40 {
                format!("2026-11-02T04:{i:02}:00Z")
            } else {
                format!("2026-11-23T04:{i:02}:00Z")
            };
            let id = store
                .write(|tx| {
                    tx.execute(
                        "INSERT INTO processing_metadata (run_at, status, duration_ms)
                         VALUES (?1, 'processed', 0)",
                        [&at],
                    )?;
                    let id = tx.last_insert_rowid();
                    tx.execute(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
                         INSERT INTO excel_ticks (run_id, symbol, at, ltp, oi)
                         SELECT ?1, printf('S%03d', i), ?2, 1.0, 1 FROM n",
                        params![id, at],
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
        assert_eq!(stats.rows, 39 * 301);
        assert!(stats.largest_batch <= 1000, "{stats:?}");
        assert!(stats.batches >= 39 * 301 / 1000, "{stats:?}");
        let runs = store.excel().list_runs(None, 100).unwrap();
        let mut left: Vec<i64> = runs.iter().map(|r| r.id).collect();
        left.sort();
        assert_eq!(left, [ids[39], ids[40], ids[41]]);
        let ticks: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM excel_ticks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ticks, 3 * 300);
    }

    #[test]
    fn runs_stocks_and_ticks_round_trip_and_prune() {
        let (_dir, mut store) = temp_store();
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
        assert_eq!(counts, RunCounts { total: 1, since: 1 });
    }
}
