//! PostgreSQL's chain rows, partitioned by day (migration 15): `chain_snapshots` is
//! `PARTITION BY RANGE (day)`, `day` the UTC day of the scan's `as_of`, with one
//! partition per day (`chain_snapshots_d20261205`) and a DEFAULT partition
//! (`chain_snapshots_default`) for a row whose day has none.
//!
//! A day's partition is made when the first chain of that day is written
//! ([`Store::chain_day`], once per scan). Hosts writing the same new day at once make
//! it once: the check and the creation run under one advisory transaction lock. The
//! new partition is created as a table of its own, any rows of its day found in the
//! DEFAULT partition are moved into it, and then it is attached; so a row that reached
//! the DEFAULT partition (written while its day's partition was being dropped by a
//! prune) never stops its day from getting a partition again. Attaching takes a lock
//! on the chain table that lets other hosts' writes go on.
//!
//! Retention drops a day partition whose every chain is to be pruned
//! (`Scans::prune`), under the same advisory lock.

use chrono::NaiveDate;

use super::db::{Conn, params};
use super::{Error, Result, Store, parse_ts};

/// The partition that takes rows whose day has no partition of its own.
pub(crate) const DEFAULT_PARTITION: &str = "chain_snapshots_default";

/// The advisory lock behind every change to the set of partitions.
pub(crate) const LOCK: &str = "optctl chain_snapshots partitions";

/// How long dropping a day partition waits for its locks before leaving the day to the
/// batched deletes.
pub(crate) const DROP_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

const PREFIX: &str = "chain_snapshots_d";

/// The name of `day`'s partition: `chain_snapshots_d20261205`.
pub(crate) fn name(day: NaiveDate) -> String {
    format!("{PREFIX}{}", day.format("%Y%m%d"))
}

/// The day of a day partition's name; None for another name.
fn day_of(name: &str) -> Option<NaiveDate> {
    let digits = name.strip_prefix(PREFIX)?;
    if digits.len() != 8 {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// Whether the table `name` exists in the store's schema.
fn exists(db: Conn<'_>, name: &str) -> Result<bool> {
    let n: i64 = db.query_one(
        "SELECT count(*) FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname::text = ?1",
        params![name],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Inside a write transaction on PostgreSQL: makes sure `day` has its partition,
/// creating it (and moving in its day's rows from the DEFAULT partition) if not.
pub(crate) fn ensure(tx: Conn<'_>, day: NaiveDate) -> Result<()> {
    tx.lock(LOCK)?;
    let table = name(day);
    if exists(tx, &table)? {
        return Ok(());
    }
    let next = day.succ_opt().unwrap_or(day);
    tx.batch(&format!(
        "CREATE TABLE {table} (LIKE chain_snapshots INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
         WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE day = DATE '{day}' RETURNING *)
         INSERT INTO {table} SELECT * FROM moved;
         ALTER TABLE chain_snapshots ATTACH PARTITION {table} FOR VALUES FROM ('{day}') TO ('{next}')"
    ))
}

/// The day partitions of `chain_snapshots` there are, oldest first.
pub(crate) fn days(db: Conn<'_>) -> Result<Vec<NaiveDate>> {
    let names = db.query(
        "SELECT c.relname::text FROM pg_catalog.pg_inherits i
         JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
         JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
         JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace
         WHERE n.nspname = current_schema() AND p.relname = 'chain_snapshots'",
        params![],
        |r| r.get::<String>(0),
    )?;
    let mut days: Vec<NaiveDate> = names.iter().filter_map(|n| day_of(n)).collect();
    days.sort();
    Ok(days)
}

impl Store {
    /// PostgreSQL: the day scan `scan_id`'s chain rows go in (the UTC day of its
    /// `as_of`), with that day's partition made if it was not there. Asked of the
    /// server once per scan; then remembered.
    pub(crate) fn chain_day(&mut self, scan_id: i64) -> Result<NaiveDate> {
        if let Some(day) = self.chain_days.get(&scan_id) {
            return Ok(*day);
        }
        let as_of: Option<String> = self.db().query_opt(
            "SELECT as_of FROM scans WHERE id = ?1",
            params![scan_id],
            |r| r.get(0),
        )?;
        let as_of = as_of.ok_or(Error::NoScan(scan_id))?;
        let day = parse_ts(&as_of, "scans", "as_of")?.date_naive();
        self.transaction(|tx| ensure(tx, day))?;
        self.chain_days.insert(scan_id, day);
        Ok(day)
    }

    /// Forgets which days have partitions (after a prune dropped some).
    pub(crate) fn forget_chain_days(&mut self) {
        self.chain_days.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Right;
    use crate::store::chains::TickerWrite;
    use crate::store::chains::tests::{contract, features};
    use crate::store::tests::{PgTestDb, hosts_on_postgres};

    fn t(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    /// Writes one chain of `ticker` (two contracts) for `scan`, taken at `at`.
    fn write_chain(store: &mut Store, scan: i64, ticker: &str, at: &str) {
        let contracts = [
            contract("X261218C00190000", "2026-12-18", 190.0, Right::Call, true),
            contract("X261218P00190000", "2026-12-18", 190.0, Right::Put, false),
        ];
        store
            .chains_mut()
            .record_ticker(&TickerWrite {
                scan_id: scan,
                features: &features(ticker, at, Some(0.3)),
                contracts: &contracts,
                expiries: &[],
                alerts: &[],
                alert_outbox: &[],
                iv_day: t(at).date_naive(),
            })
            .unwrap();
    }

    /// `(partition, scan, ticker, day)` of every chain row, in order.
    fn placed(store: &Store) -> Vec<(String, i64, String, String)> {
        store
            .db()
            .query(
                "SELECT tableoid::regclass::text, scan_id, ticker, day::text FROM chain_snapshots
                 ORDER BY scan_id, ticker, symbol",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    }

    /// Hosts writing the first chains of the same new day at once make its partition
    /// once; every row lands in it, none in the DEFAULT partition.
    #[test]
    fn hosts_writing_a_new_day_at_once_make_its_partition_once() {
        let hosts = 4;
        let Some((db, scans)) = hosts_on_postgres(hosts, |i, store, start| {
            let at = format!("2026-12-05T1{i}:00:00Z");
            let scan = store
                .scans_mut()
                .begin(t(&at), t(&at), "sim", 1, None)
                .unwrap();
            start.wait();
            write_chain(store, scan, &format!("T{i}"), &at);
            scan
        }) else {
            return;
        };
        let store = Store::open_postgres(&db.config).unwrap();
        assert_eq!(days(store.db()).unwrap(), ["2026-12-05".parse().unwrap()]);
        let rows = placed(&store);
        assert_eq!(rows.len(), 2 * hosts, "{rows:?}");
        for (table, scan, ticker, day) in &rows {
            assert_eq!(table, "chain_snapshots_d20261205", "{rows:?}");
            assert_eq!(day, "2026-12-05");
            let i = scans.iter().position(|s| s == scan).unwrap();
            assert_eq!(ticker, &format!("T{i}"));
        }
    }

    /// A day's rows that reached the DEFAULT partition (their day had no partition when
    /// they were written) move into the day's partition when it is made.
    #[test]
    fn rows_in_the_default_partition_move_into_their_new_day() {
        let Some(db) = PgTestDb::create() else {
            return;
        };
        let mut store = Store::open_postgres(&db.config).unwrap();
        let at = "2026-12-06T15:00:00Z";
        let scan = store
            .scans_mut()
            .begin(t(at), t(at), "sim", 2, None)
            .unwrap();
        store
            .db()
            .execute(
                "INSERT INTO chain_snapshots (scan_id, ticker, symbol, expiry, strike, \"right\",
                     bid, ask, last, volume, open_interest, underlying_price, day)
                 VALUES (?1, 'EARLY', 'E1', '2026-12-18', 190, 'call', 1, 1.1, 1.05, 10, 100, 187,
                         CAST('2026-12-06' AS date))",
                params![scan],
            )
            .unwrap();
        assert_eq!(placed(&store)[0].0, DEFAULT_PARTITION);
        write_chain(&mut store, scan, "LATE", at);
        let rows = placed(&store);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(
            rows.iter().all(|r| r.0 == "chain_snapshots_d20261206"),
            "{rows:?}"
        );
    }

    /// A store migrated from version 14 keeps every chain row, each now in the
    /// partition of its scan's UTC day, and reads back as before.
    #[test]
    fn chains_stored_before_version_15_move_into_their_days() {
        let Some(db) = PgTestDb::create() else {
            return;
        };
        let mut client = db.config.connect(postgres::NoTls).unwrap();
        client
            .batch_execute(
                "CREATE TABLE optctl_schema (id INTEGER PRIMARY KEY CHECK (id = 1),
                     application_id BIGINT NOT NULL, version BIGINT NOT NULL)",
            )
            .unwrap();
        for m in &crate::store::migrations::MIGRATIONS[..14] {
            client.batch_execute(m.postgres).unwrap();
        }
        client
            .execute(
                "INSERT INTO optctl_schema VALUES (1, $1, 14)",
                &[&i64::from(crate::store::APPLICATION_ID)],
            )
            .unwrap();
        client
            .batch_execute(
                "INSERT INTO scans (id, started_at, as_of, status, provider, pid, tickers_requested)
                 VALUES (1, '2026-12-04T23:30:00Z', '2026-12-04T23:30:00Z', 'succeeded', 'sim', 1, 1),
                        (2, '2026-12-05T00:10:00Z', '2026-12-05T00:10:00Z', 'succeeded', 'sim', 1, 1);
                 INSERT INTO chain_snapshots (scan_id, ticker, symbol, expiry, strike, \"right\",
                     bid, ask, last, volume, open_interest, underlying_price, rho, model, gex)
                 VALUES (1, 'AAPL', 'A1', '2026-12-18', 190, 'call', 1, 1.1, 1.05, 10, 100, 187,
                         0.01, 'black76', -5.5),
                        (1, 'AAPL', 'A2', '2026-12-18', 195, 'put', 2, 2.2, 2.1, 20, 200, 187,
                         NULL, NULL, NULL),
                        (2, 'AAPL', 'A1', '2026-12-18', 190, 'call', 3, 3.3, 3.2, 30, 300, 188,
                         0.02, 'american', 1.25);",
            )
            .unwrap();
        drop(client);
        let store = Store::open_postgres(&db.config).unwrap();
        assert_eq!(store.user_version().unwrap(), 15);
        let rows = placed(&store);
        let want = [
            ("chain_snapshots_d20261204", 1, "2026-12-04"),
            ("chain_snapshots_d20261204", 1, "2026-12-04"),
            ("chain_snapshots_d20261205", 2, "2026-12-05"),
        ];
        let got: Vec<(&str, i64, &str)> = rows
            .iter()
            .map(|(p, s, _, d)| (p.as_str(), *s, d.as_str()))
            .collect();
        assert_eq!(got, want);
        let chain = store.chains().get(1, "AAPL").unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(
            (chain[0].rho, chain[0].model.as_deref(), chain[0].gex),
            (Some(0.01), Some("black76"), Some(-5.5))
        );
        assert_eq!((chain[1].strike, chain[1].open_interest), (195.0, 200));
        assert_eq!(store.chains().get(2, "AAPL").unwrap()[0].bid, 3.0);
    }

    #[test]
    fn partition_names_carry_their_day() {
        let day: NaiveDate = "2026-12-05".parse().unwrap();
        assert_eq!(name(day), "chain_snapshots_d20261205");
        assert_eq!(day_of(&name(day)), Some(day));
        assert_eq!(day_of(DEFAULT_PARTITION), None);
        assert_eq!(day_of("chain_snapshots_d2026120"), None);
        assert_eq!(day_of("chain_snapshots_d20261305"), None);
    }
}
