//! What the database holds: rows and bytes per table, and the oldest row's time where a
//! table has one (`optctl store stats`).

use serde::Serialize;

use std::collections::HashMap;

use super::db::params;
use super::{Result, Store};

/// One table's share of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStats {
    pub table: String,
    pub rows: u64,
    /// Bytes of the table's pages and its indexes' (SQLite's `dbstat`; on PostgreSQL
    /// `pg_total_relation_size`, TOAST included).
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
        let db = self.db();
        // Each table with its bytes, its indexes included.
        let tables: Vec<(String, i64)> = if self.is_postgres() {
            // A partitioned table counts its partitions' bytes; the store's own version
            // row (`optctl_schema`, SQLite's `user_version`) is not a table of data.
            db.query(
                "SELECT c.relname::text, CASE c.relkind
                            WHEN 'p' THEN (SELECT coalesce(sum(pg_total_relation_size(p.relid)), 0)
                                           FROM pg_partition_tree(c.oid) AS p)::bigint
                            ELSE pg_total_relation_size(c.oid) END
                 FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                   AND NOT c.relispartition AND c.relname <> 'optctl_schema'
                 ORDER BY 1",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
        } else {
            let bytes: HashMap<String, i64> = db
                .query(
                    "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat AS d
                     LEFT JOIN sqlite_master AS m ON m.name = d.name GROUP BY 1",
                    params![],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .into_iter()
                .collect();
            db.query(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                   AND name NOT LIKE 'sqlite_%' ORDER BY name",
                params![],
                |r| r.get::<String>(0),
            )?
            .into_iter()
            .map(|t| {
                let b = bytes.get(&t).copied().unwrap_or(0);
                (t, b)
            })
            .collect()
        };
        let mut out = Vec::with_capacity(tables.len());
        for (table, bytes) in tables {
            let rows: i64 = db.query_one(
                &format!("SELECT count(*) FROM \"{table}\""),
                params![],
                |r| r.get(0),
            )?;
            let oldest: Option<String> = match DATED.iter().find(|(t, _)| *t == table) {
                Some((_, col)) if col.starts_with('(') => db.query_one(
                    // The oldest scan that still has chains.
                    "SELECT min(as_of) FROM scans WHERE id = (SELECT min(scan_id) FROM chain_snapshots)",
                    params![],
                    |r| r.get(0),
                )?,
                Some((_, col)) => db.query_one(
                    &format!("SELECT min({col}) FROM \"{table}\""),
                    params![],
                    |r| r.get(0),
                )?,
                None => None,
            };
            out.push(TableStats {
                bytes: bytes.max(0) as u64,
                table,
                rows: rows.max(0) as u64,
                oldest,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Right;
    use crate::store::chains::TickerWrite;
    use crate::store::chains::tests::{contract, features};
    use crate::store::tests::backends;

    /// Two scans, the older one's chain rows pruned: every table is listed once by name
    /// with its rows and bytes, and chains are dated by the oldest scan still keeping
    /// some, on each backend; both backends list the same tables.
    #[test]
    fn tables_are_counted_sized_and_dated_on_every_backend() {
        let mut names: Option<Vec<String>> = None;
        for mut s in backends() {
            let backend = s.backend();
            let mut scans = Vec::new();
            for (at, day) in [
                ("2026-11-22T15:00:00Z", "2026-11-22"),
                ("2026-11-23T15:00:00Z", "2026-11-23"),
            ] {
                let at = at.parse().unwrap();
                let scan = s.scans_mut().begin(at, at, "sim", 1, None).unwrap();
                let contracts = [
                    contract(
                        "AAPL261218C00190000",
                        "2026-12-18",
                        190.0,
                        Right::Call,
                        true,
                    ),
                    contract(
                        "AAPL261218P00190000",
                        "2026-12-18",
                        190.0,
                        Right::Put,
                        false,
                    ),
                ];
                s.chains_mut()
                    .record_ticker(&TickerWrite {
                        scan_id: scan,
                        features: &features("AAPL", &crate::store::ts(at), Some(0.3)),
                        contracts: &contracts,
                        expiries: &[],
                        alerts: &[],
                        alert_outbox: &[],
                        iv_day: day.parse().unwrap(),
                    })
                    .unwrap();
                scans.push(scan);
            }
            s.db()
                .execute(
                    "DELETE FROM chain_snapshots WHERE scan_id = ?1",
                    params![scans[0]],
                )
                .unwrap();

            let stats = s.table_stats().unwrap();
            let listed: Vec<String> = stats.iter().map(|t| t.table.clone()).collect();
            let mut sorted = listed.clone();
            sorted.sort();
            assert_eq!(listed, sorted, "{backend}: by name");
            assert!(
                listed
                    .iter()
                    .all(|t| !t.starts_with("sqlite_") && t != "optctl_schema"),
                "{backend}: {listed:?}"
            );
            match &names {
                None => names = Some(listed),
                Some(first) => assert_eq!(&listed, first, "{backend}"),
            }
            let of = |name: &str| stats.iter().find(|t| t.table == name).unwrap().clone();
            let chain = of("chain_snapshots");
            assert_eq!(chain.rows, 2, "{backend}");
            assert!(chain.bytes > 0, "{backend}");
            assert_eq!(
                chain.oldest.as_deref(),
                Some("2026-11-23T15:00:00Z"),
                "{backend}: the oldest scan still keeping chains"
            );
            let scans_row = of("scans");
            assert_eq!(
                (scans_row.rows, scans_row.oldest.as_deref()),
                (2, Some("2026-11-22T15:00:00Z")),
                "{backend}"
            );
            let iv = of("iv_history");
            assert_eq!(
                (iv.rows, iv.oldest.as_deref()),
                (2, Some("2026-11-22")),
                "{backend}"
            );
            let alerts = of("alerts");
            assert_eq!((alerts.rows, alerts.oldest), (0, None), "{backend}");
            assert_eq!(of("features").rows, 2, "{backend}");
            for t in &stats {
                assert!(t.rows == 0 || t.bytes > 0, "{backend}: {t:?}");
            }
        }
    }
}
