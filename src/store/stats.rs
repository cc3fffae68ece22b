//! What the database holds: rows and bytes per table, and the oldest row's time where a
//! table has one (`optctl store stats`).

use serde::Serialize;

use super::{Result, Store};

/// One table's share of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStats {
    pub table: String,
    pub rows: u64,
    /// Bytes of the table's pages and its indexes' (SQLite's `dbstat`).
    pub bytes: u64,
    /// The oldest row's time, for tables whose rows are dated.
    pub oldest: Option<String>,
}

/// The column that dates a table's rows, for the tables that grow with time.
const DATED: &[(&str, &str)] = &[
    ("scans", "as_of"),
    (
        "chain_snapshots",
        "(SELECT min(as_of) FROM scans WHERE id = scan_id)",
    ),
    (
        "chain_expiries",
        "(SELECT min(as_of) FROM scans WHERE id = scan_id)",
    ),
    ("features", "as_of"),
    ("iv_history", "day"),
    ("alerts", "created_at"),
    ("processing_metadata", "run_at"),
    ("control_audit", "at"),
    ("excel_ticks", "at"),
    ("bars", "time"),
    ("enrich_runs", "as_of"),
    ("enrich_jobs", "queued_at"),
    ("enrich_fetches", "finished_at"),
    ("quarantined_bars", "time"),
    ("enrich_quality", "created_at"),
    ("notify_outbox", "created_at"),
    ("scheduler_runs", "tick_at"),
    ("scheduler_signals", "created_at"),
    ("scheduler_comparisons", "created_at"),
    ("scheduler_audit", "at"),
    ("scheduler_bar_cache", "fetched_to"),
];

impl Store {
    /// Every table, by name.
    pub fn table_stats(&self) -> Result<Vec<TableStats>> {
        let conn = self.conn();
        let tables = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                   AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Bytes per table, its indexes included.
        let bytes: std::collections::HashMap<String, i64> = conn
            .prepare(
                "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat AS d
                 LEFT JOIN sqlite_master AS m ON m.name = d.name GROUP BY 1",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(tables.len());
        for table in tables {
            let rows: i64 =
                conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                    r.get(0)
                })?;
            let oldest = match DATED.iter().find(|(t, _)| *t == table) {
                Some((_, col)) if col.starts_with('(') => conn.query_row(
                    // The oldest scan that still has chains.
                    "SELECT min(as_of) FROM scans WHERE id = (SELECT min(scan_id) FROM chain_snapshots)",
                    [],
                    |r| r.get(0),
                )?,
                Some((_, col)) => conn.query_row(
                    &format!("SELECT min({col}) FROM \"{table}\""),
                    [],
                    |r| r.get(0),
                )?,
                None => None,
            };
            out.push(TableStats {
                bytes: bytes.get(&table).copied().unwrap_or(0).max(0) as u64,
                table,
                rows: rows.max(0) as u64,
                oldest,
            });
        }
        Ok(out)
    }
}
