//! Copying a whole store into another (`optctl store copy`): a SQLite home into a
//! PostgreSQL database, or back. Both stores are at this optctl's schema version (they
//! were opened, so migrated), and the target must be empty.
//!
//! Every table is copied in full, parents before the tables whose rows point at them,
//! in pages ordered by primary key, each page written with [`Conn::copy_rows`] (binary
//! `COPY` on PostgreSQL). The source is read in one snapshot; the target is written in
//! one transaction, so a copy that fails (or is killed) leaves the target as empty as
//! it was. Then each table's rows are counted on both sides: a copy whose counts differ
//! is an error. Ids are copied as they are; on PostgreSQL the identity columns then
//! continue after the largest id copied.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::db::{Conn, FromCol, Value, params};
use super::{Error, Result, Store};

/// Rows read and written at a time.
const PAGE_ROWS: usize = 5_000;

/// One table's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCopy {
    pub table: String,
    /// Rows in the source, and in the target after the copy (equal, or the copy fails).
    pub rows: u64,
}

/// A column value of any of the store's types, read as it is.
impl FromCol for Value<'static> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        use rusqlite::types::ValueRef;
        Ok(match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(v) => Value::Int(v),
            ValueRef::Real(v) => Value::Real(v),
            ValueRef::Text(t) => Value::Text(Cow::Owned(String::from_utf8_lossy(t).into_owned())),
            ValueRef::Blob(_) => {
                return Err(rusqlite::Error::InvalidColumnType(
                    i,
                    "a blob".into(),
                    rusqlite::types::Type::Blob,
                ));
            }
        })
    }

    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        use postgres::types::Type;
        let ty = row.columns().get(i).map(|c| c.type_().clone());
        let v = match ty {
            Some(Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL) => {
                <Option<i64>>::pg(row, i)?.map(Value::Int)
            }
            Some(Type::FLOAT8 | Type::FLOAT4) => <Option<f64>>::pg(row, i)?.map(Value::Real),
            _ => <Option<String>>::pg(row, i)?.map(|s| Value::Text(Cow::Owned(s))),
        };
        Ok(v.unwrap_or(Value::Null))
    }
}

impl Store {
    /// Copies every row of this store into `target`, which must be empty; returns each
    /// table's row count, verified on both sides. `progress` hears each table as it is
    /// done.
    pub fn copy_into(
        &self,
        target: &mut Store,
        mut progress: impl FnMut(&TableCopy),
    ) -> Result<Vec<TableCopy>> {
        let tables = tables_in_order(target.db())?;
        let source_columns: BTreeMap<String, Vec<String>> = tables_in_order(self.db())?
            .into_iter()
            .map(|t| (t.name, t.columns))
            .collect();
        for t in &tables {
            let n = count(target.db(), &t.name)?;
            if n > 0 {
                return Err(Error::CopyTarget(format!(
                    "{} is not empty ({} has {n} rows); copy into a new database",
                    target.path().display(),
                    t.name
                )));
            }
        }
        let copied = self.read_snapshot(|source| {
            target.transaction(|tx| {
                let mut done = Vec::with_capacity(tables.len());
                for t in &tables {
                    let have = source_columns.get(&t.name).ok_or_else(|| {
                        Error::CopyTarget(format!("{}: the source has no such table", t.name))
                    })?;
                    let rows = copy_table(source.db(), tx, t, have)?;
                    let (from, to) = (count(source.db(), &t.name)?, count(tx, &t.name)?);
                    if from != to || rows != to {
                        return Err(Error::CopyTarget(format!(
                            "{}: {from} rows in the source, {rows} copied, {to} in the target",
                            t.name
                        )));
                    }
                    if tx.is_pg() && t.columns.iter().any(|c| c == "id") {
                        // Identity columns continue after the ids copied.
                        tx.query_one(
                            &format!(
                                "SELECT setval(pg_get_serial_sequence('{0}', 'id'),
                                               coalesce(max(id), 0) + 1, false) FROM {0}",
                                t.name
                            ),
                            params![],
                            |_| Ok(()),
                        )?; // NULL, and nothing done, where no sequence is behind it
                    }
                    let c = TableCopy {
                        table: t.name.clone(),
                        rows: to,
                    };
                    progress(&c);
                    done.push(c);
                }
                Ok(done)
            })
        })??;
        Ok(copied)
    }
}

/// A table to copy: its columns, and the primary key its pages are ordered by.
#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<String>,
    key: Vec<String>,
}

fn quoted(cols: &[String]) -> Vec<String> {
    cols.iter().map(|c| format!("\"{c}\"")).collect()
}

/// What is read from the source for a column of the target that the source's table
/// does not have: a SQLite source's chain rows have no `day` (PostgreSQL partitions
/// them by it): it is the UTC day of their scan's `as_of`.
fn derived(table: &str, column: &str) -> Option<&'static str> {
    match (table, column) {
        ("chain_snapshots", "day") => Some(
            "(SELECT substr(s.as_of, 1, 10) FROM scans s WHERE s.id = chain_snapshots.scan_id)",
        ),
        _ => None,
    }
}

/// Copies one table in pages ordered by its key (as far as the source has the key's
/// columns); returns the rows written. `have` is the source table's columns; the
/// target's columns the source lacks are [`derived`], and the source's columns the
/// target lacks (a PostgreSQL source's `day`, into SQLite) are left behind. Chain rows
/// going into PostgreSQL get their days' partitions first.
fn copy_table(source: Conn<'_>, target: Conn<'_>, t: &Table, have: &[String]) -> Result<u64> {
    let cols = quoted(&t.columns);
    let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let select = t
        .columns
        .iter()
        .zip(&cols)
        .map(|(c, q)| {
            if have.contains(c) {
                Ok(q.clone())
            } else {
                derived(&t.name, c).map(str::to_string).ok_or_else(|| {
                    Error::CopyTarget(format!("{}.{c}: the source has no such column", t.name))
                })
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let source_key: Vec<String> = t.key.iter().filter(|k| have.contains(k)).cloned().collect();
    let key = quoted(&source_key);
    let key_at: Vec<usize> = source_key
        .iter()
        .map(|k| {
            t.columns
                .iter()
                .position(|c| c == k)
                .expect("key columns are columns")
        })
        .collect();
    let day_at = (target.is_pg() && t.name == "chain_snapshots")
        .then(|| t.columns.iter().position(|c| c == "day"))
        .flatten();
    let mut days = std::collections::BTreeSet::new();
    let mut written = 0;
    let mut after: Option<Vec<Value<'static>>> = None;
    loop {
        let (filter, args) = match &after {
            None => (String::new(), Vec::new()),
            Some(last) => {
                let marks: Vec<String> = (1..=last.len()).map(|i| format!("?{i}")).collect();
                (
                    format!("WHERE ({}) > ({})", key.join(", "), marks.join(", ")),
                    last.clone(),
                )
            }
        };
        let order = if key.is_empty() {
            String::new()
        } else {
            format!("ORDER BY {}", key.join(", "))
        };
        let limit = if key.is_empty() {
            String::new()
        } else {
            format!("LIMIT {PAGE_ROWS}")
        };
        let rows = source.query(
            &format!(
                "SELECT {} FROM {} {filter} {order} {limit}",
                select.join(", "),
                t.name
            ),
            &args,
            |r| {
                (0..cols.len())
                    .map(|i| r.get::<Value<'static>>(i))
                    .collect::<Result<Vec<_>>>()
            },
        )?;
        if let Some(at) = day_at {
            for r in &rows {
                let day = match &r[at] {
                    Value::Text(d) => d.parse::<chrono::NaiveDate>().ok(),
                    _ => None,
                };
                let day = day.ok_or_else(|| {
                    Error::CopyTarget(format!(
                        "chain_snapshots.day: {:?} is not a day (a chain row without its scan?)",
                        r[at]
                    ))
                })?;
                if days.insert(day) {
                    super::partitions::ensure(target, day)?;
                }
            }
        }
        written += target.copy_rows(&t.name, &col_refs, &rows)?;
        // A table without a key is read whole, in one page.
        if key.is_empty() || rows.len() < PAGE_ROWS {
            return Ok(written);
        }
        let last = rows.last().expect("a full page");
        after = Some(key_at.iter().map(|&i| last[i].clone()).collect());
    }
}

fn count(db: Conn<'_>, table: &str) -> Result<u64> {
    db.query_one(&format!("SELECT count(*) FROM {table}"), params![], |r| {
        Ok(r.get::<i64>(0)?.max(0) as u64)
    })
}

/// The store's tables (not the backend's own, nor the schema version's), each after
/// the tables its foreign keys point at, with their columns and primary keys.
fn tables_in_order(db: Conn<'_>) -> Result<Vec<Table>> {
    let (names_sql, parents_sql, columns_sql) = if db.is_pg() {
        (
            "SELECT c.relname::text FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
               AND NOT c.relispartition AND c.relname <> 'optctl_schema'
             ORDER BY 1",
            "SELECT ccu.table_name::text FROM information_schema.table_constraints tc
             JOIN information_schema.constraint_column_usage ccu
               ON ccu.constraint_name = tc.constraint_name
              AND ccu.constraint_schema = tc.constraint_schema
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()
               AND tc.table_name::text = ?1 AND ccu.table_name::text <> ?1",
            // name, position in the primary key (0: not in it), in column order
            "SELECT a.attname::text,
                    coalesce((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                              WHERE k.attnum = a.attnum), 0)::bigint
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary
             WHERE n.nspname = current_schema() AND c.relname::text = ?1
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
        )
    } else {
        (
            "SELECT name FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
            "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1) WHERE \"table\" <> ?1",
            "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid",
        )
    };
    let names = db.query(names_sql, params![], |r| r.get::<String>(0))?;
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut tables = BTreeMap::new();
    for name in names {
        parents.insert(
            name.clone(),
            db.query(parents_sql, params![name.as_str()], |r| r.get::<String>(0))?,
        );
        let cols = db.query(columns_sql, params![name.as_str()], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })?;
        let mut key: Vec<(i64, String)> = cols
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(c, pk)| (*pk, c.clone()))
            .collect();
        key.sort();
        tables.insert(
            name.clone(),
            Table {
                name,
                columns: cols.into_iter().map(|(c, _)| c).collect(),
                key: key.into_iter().map(|(_, c)| c).collect(),
            },
        );
    }
    // Parents first: repeatedly take the tables whose parents are all placed.
    let mut out = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|n| parents[*n].iter().all(|p| !tables.contains_key(p)))
            .cloned()
            .collect();
        if ready.is_empty() {
            // A cycle of foreign keys: none in optctl's schema; copy in name order.
            out.extend(std::mem::take(&mut tables).into_values());
            break;
        }
        for n in ready {
            out.extend(tables.remove(&n));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    /// A source with rows in parent and child tables, and more bars (a three-column
    /// key, no rowid) than one page holds.
    fn fill(s: &mut Store) {
        s.transaction(|tx| {
            for id in 1..=3i64 {
                // Scans of two days (on PostgreSQL, two partitions of chain rows).
                let at = format!("2026-11-2{}T23:30:00Z", 2 + id / 2);
                tx.execute(
                    "INSERT INTO scans (id, started_at, as_of, status, provider, pid, tickers_requested)
                     VALUES (?1, ?2, ?2, 'succeeded', 'sim', 7, 2)",
                    params![id, at],
                )?;
                let chain: Vec<Vec<Value<'_>>> = (0..7_000)
                    .map(|i| {
                        vec![
                            Value::Int(id),
                            Value::from(if i < 3_000 { "AAPL" } else { "MSFT" }),
                            Value::from(format!("S{i:05}")),
                            Value::from("2026-12-18"),
                            Value::Real(100.0 + f64::from(i) / 8.0),
                            Value::from(if i % 2 == 0 { "call" } else { "put" }),
                            Value::Real(0.1 + 0.2),
                            Value::Real(1.0 / 3.0),
                            Value::Real(2.675),
                            Value::Int(i64::from(i) * 1_000_003),
                            Value::Int(7),
                            if i % 3 == 0 { Value::Null } else { Value::Real(5e-324) },
                            Value::Real(187.25),
                        ]
                    })
                    .collect();
                tx.copy_rows(
                    "chain_snapshots",
                    &["scan_id", "ticker", "symbol", "expiry", "strike", "\"right\"", "bid", "ask", "last", "volume", "open_interest", "iv", "underlying_price"],
                    &chain,
                )?;
                tx.execute(
                    "INSERT INTO alerts (scan_id, ticker, detector, contract, score, alert_data, created_at)
                     VALUES (?1, 'AAPL', 'iv_spike', NULL, ?2, '{\"why\": \"it''s \\\\ odd\"}', '2026-11-23T15:00:01Z')",
                    params![id, 0.1 + 0.2 * id as f64],
                )?;
            }
            let mut bars = Vec::new();
            for (sym, n) in [("AAPL", 4_000), ("MSFT", 3_500)] {
                for i in 0..n {
                    bars.push(vec![
                        Value::from(sym),
                        Value::from("5m"),
                        Value::from(format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + i / 288, (i / 12) % 24, (i % 12) * 5)),
                        Value::Real(100.0 + i as f64 / 3.0),
                        Value::Real(101.0),
                        Value::Real(99.0),
                        Value::Real(f64::MIN_POSITIVE),
                        Value::Int(i64::from(i) * 1_000_003),
                        Value::Int(1),
                        if i % 2 == 0 { Value::Null } else { Value::Real(5e-324) },
                    ]);
                }
            }
            tx.copy_rows(
                "bars",
                &["symbol", "timeframe", "time", "open", "high", "low", "close", "volume", "run_id", "open_interest"],
                &bars,
            )?;
            Ok(())
        })
        .unwrap();
    }

    /// Every table's rows, in key order, as read; without PostgreSQL's chain `day`
    /// (checked by [`days_follow_scans`]), so both backends compare.
    fn contents(s: &Store) -> BTreeMap<String, Vec<Vec<Value<'static>>>> {
        let db = s.db();
        tables_in_order(db)
            .unwrap()
            .into_iter()
            .map(|mut t| {
                if t.name == "chain_snapshots" {
                    t.columns.retain(|c| c != "day");
                    t.key.retain(|c| c != "day");
                }
                let cols = quoted(&t.columns).join(", ");
                let order = if t.key.is_empty() {
                    String::new()
                } else {
                    format!("ORDER BY {}", quoted(&t.key).join(", "))
                };
                let rows = db
                    .query(
                        &format!("SELECT {cols} FROM {} {order}", t.name),
                        params![],
                        |r| {
                            (0..t.columns.len())
                                .map(|i| r.get::<Value<'static>>(i))
                                .collect::<Result<Vec<_>>>()
                        },
                    )
                    .unwrap();
                (t.name, rows)
            })
            .collect()
    }

    /// On PostgreSQL: every chain row's day is its scan's UTC day, and it sits in that
    /// day's partition, none in the DEFAULT one.
    fn days_follow_scans(pg: &Store) {
        let wrong: i64 = pg
            .db()
            .query_one(
                "SELECT count(*) FROM chain_snapshots c JOIN scans s ON s.id = c.scan_id
                 WHERE c.day <> left(s.as_of, 10)::date
                    OR c.tableoid::regclass::text <> 'chain_snapshots_d' || to_char(c.day, 'YYYYMMDD')",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(wrong, 0);
        let days: Vec<String> = super::super::partitions::days(pg.db())
            .unwrap()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(days, ["2026-11-22", "2026-11-23"]);
    }

    #[test]
    fn a_store_copies_whole_into_an_empty_one_on_either_backend_and_not_into_a_used_one() {
        let mut sqlite = backends().remove(0);
        fill(&mut sqlite);
        let want = contents(&sqlite);
        assert_eq!(want["bars"].len(), 7_500);

        let mut target = backends().remove(0);
        let mut heard = Vec::new();
        let report = sqlite
            .copy_into(&mut target, |t| heard.push(t.table.clone()))
            .unwrap();
        assert_eq!(contents(&target), want, "sqlite into sqlite");
        let rows = |name: &str| report.iter().find(|t| t.table == name).unwrap().rows;
        assert_eq!((rows("scans"), rows("alerts"), rows("bars")), (3, 3, 7_500));
        assert_eq!(rows("chain_snapshots"), 3 * 7_000);
        let at = |name: &str| heard.iter().position(|t| t == name).unwrap();
        assert!(at("scans") < at("alerts"), "parents first: {heard:?}");
        assert_eq!(heard.len(), want.len(), "every table");

        // Into PostgreSQL, and from there back into SQLite, when there is a server.
        if let Some(mut pg) = backends().into_iter().find(|s| s.is_postgres()) {
            sqlite.copy_into(&mut pg, |_| {}).unwrap();
            assert_eq!(contents(&pg), want, "sqlite into postgres");
            days_follow_scans(&pg);
            // New rows take ids after the copied ones.
            let id = pg
                .transaction(|tx| {
                    tx.insert_id(
                        "INSERT INTO scans (started_at, as_of, status, provider, pid, tickers_requested)
                         VALUES ('2026-11-24T15:00:00Z', '2026-11-24T15:00:00Z', 'running', 'sim', 8, 1)",
                        params![],
                    )
                })
                .unwrap();
            assert_eq!(id, 4);
            let mut back = backends().remove(0);
            pg.copy_into(&mut back, |_| {}).unwrap();
            assert_eq!(contents(&back), contents(&pg), "postgres into sqlite");
            // And PostgreSQL into PostgreSQL, days and all.
            let mut again = backends().pop().unwrap();
            pg.copy_into(&mut again, |_| {}).unwrap();
            assert_eq!(contents(&again), contents(&pg), "postgres into postgres");
            days_follow_scans(&again);
        }

        // A target with rows is refused, named, and left as it was.
        let err = sqlite.copy_into(&mut target, |_| {}).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, Error::CopyTarget(_))
                && msg.contains("is not empty")
                && msg.contains(" rows"),
            "{msg}"
        );
        assert_eq!(contents(&target), want);
    }
}
