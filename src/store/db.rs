//! The backend-neutral connection: the few operations the store's families need, on
//! SQLite (the embedded default) or PostgreSQL, with the SQL written once.
//!
//! A family written on [`Conn`] runs on both backends:
//! - SQL uses SQLite's placeholders (`?1`, `?2`, ... or bare `?`); on PostgreSQL they are
//!   rewritten to `$1..$n` once per statement and the prepared statement is cached, as
//!   rusqlite's `prepare_cached` does on SQLite.
//! - Parameters are [`Value`]s (`params![...]` builds the slice); rows are read by
//!   index with typed getters ([`Row::get`]).
//! - The dialect points are helpers: [`upsert_sql`] (`INSERT OR REPLACE` becomes
//!   `ON CONFLICT ... DO UPDATE`, which SQLite also speaks), [`Conn::insert_id`]
//!   (`last_insert_rowid` or `RETURNING id`), [`Conn::lock`] (an advisory transaction
//!   lock on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers),
//!   [`Conn::skip_locked`] (`FOR UPDATE SKIP LOCKED`).
//!
//! Every family is written on [`Conn`]; only the SQLite store's own set-up (pragmas,
//! migrations, error numbers) uses rusqlite directly ([`super::Store::conn`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::{Error, Result};

/// One statement parameter: the types the store writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value<'_> {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}

impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Int(v.into())
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Cow::Owned(v))
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<'a, T: Clone + Into<Value<'a>>> From<&Option<T>> for Value<'a> {
    fn from(v: &Option<T>) -> Self {
        v.clone().map_or(Value::Null, Into::into)
    }
}

/// `params![a, b, ...]`: a `&[Value]` for [`Conn`]'s operations.
macro_rules! params {
    () => { &[] as &[$crate::store::db::Value<'_>] };
    ($($p:expr),+ $(,)?) => { &[$($crate::store::db::Value::from($p)),+] as &[$crate::store::db::Value<'_>] };
}
pub(crate) use params;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl PgToSql for Value<'_> {
    /// Sends the value as the type the server inferred for the parameter: an integer
    /// to any integer column (or a boolean, or a float), a float to either float, text
    /// to text.
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => Err(format!("a real number cannot be sent as {ty}").into()),
            },
            Value::Text(s) if *ty == Type::DATE => {
                // A `YYYY-MM-DD` day (chain_snapshots.day): PostgreSQL's binary date is
                // the days since 2000-01-01.
                let day: chrono::NaiveDate = s.parse().map_err(|e| format!("day {s:?}: {e}"))?;
                let days = (day - PG_EPOCH).num_days();
                out.extend_from_slice(&i32::try_from(days)?.to_be_bytes());
                Ok(IsNull::No)
            }
            Value::Text(s) => s.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Day 0 of PostgreSQL's binary `date`.
const PG_EPOCH: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();

/// A PostgreSQL `date` read as `YYYY-MM-DD` text (the one date column,
/// chain_snapshots.day; the store's other times are text already).
struct PgDay(String);

impl<'a> postgres::types::FromSql<'a> for PgDay {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let days = i32::from_be_bytes(raw.try_into()?);
        let day = PG_EPOCH
            .checked_add_signed(chrono::TimeDelta::days(days.into()))
            .ok_or_else(|| format!("date {days} days from 2000-01-01 is out of range"))?;
        Ok(PgDay(day.to_string()))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
}

/// A column value read by index: implemented for the types the store reads.
pub trait FromCol: Sized {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    fn pg(row: &postgres::Row, i: usize) -> Result<Self>;
}

fn pg_err(row: &postgres::Row, i: usize, detail: impl std::fmt::Display) -> Error {
    let name = row.columns().get(i).map_or("?", |c| c.name());
    Error::Column {
        column: format!("{i} ({name})"),
        detail: detail.to_string(),
    }
}

fn pg_i64(row: &postgres::Row, i: usize) -> Result<Option<i64>> {
    let ty = row
        .columns()
        .get(i)
        .map(|c| c.type_().clone())
        .ok_or_else(|| pg_err(row, i, "no such column"))?;
    let got = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i),
        Type::INT4 => row.try_get::<_, Option<i32>>(i).map(|v| v.map(i64::from)),
        Type::INT2 => row.try_get::<_, Option<i16>>(i).map(|v| v.map(i64::from)),
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map(|v| v.map(i64::from)),
        other => return Err(pg_err(row, i, format!("{other} is not an integer"))),
    };
    got.map_err(|e| pg_err(row, i, e))
}

fn pg_f64(row: &postgres::Row, i: usize) -> Result<Option<f64>> {
    let ty = row
        .columns()
        .get(i)
        .map(|c| c.type_().clone())
        .ok_or_else(|| pg_err(row, i, "no such column"))?;
    match ty {
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)
            .map_err(|e| pg_err(row, i, e)),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)
            .map(|v| v.map(f64::from))
            .map_err(|e| pg_err(row, i, e)),
        _ => Ok(pg_i64(row, i)?.map(|v| v as f64)),
    }
}

fn not_null<T>(row: &postgres::Row, i: usize, v: Option<T>) -> Result<T> {
    v.ok_or_else(|| pg_err(row, i, "unexpected NULL"))
}

impl FromCol for i64 {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        not_null(row, i, pg_i64(row, i)?)
    }
}

impl FromCol for Option<i64> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        pg_i64(row, i)
    }
}

impl FromCol for f64 {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        not_null(row, i, pg_f64(row, i)?)
    }
}

impl FromCol for Option<f64> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        pg_f64(row, i)
    }
}

impl FromCol for Option<String> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        if row.columns().get(i).map(|c| c.type_()) == Some(&Type::DATE) {
            return row
                .try_get::<_, Option<PgDay>>(i)
                .map(|d| d.map(|d| d.0))
                .map_err(|e| pg_err(row, i, e));
        }
        row.try_get::<_, Option<String>>(i)
            .map_err(|e| pg_err(row, i, e))
    }
}

impl FromCol for String {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        let v = <Option<String>>::pg(row, i)?;
        not_null(row, i, v)
    }
}

/// One result row, read by column index.
pub enum Row<'a, 's> {
    Sqlite(&'a rusqlite::Row<'s>),
    Pg(&'a postgres::Row),
}

impl Row<'_, '_> {
    /// Column `i` (from 0) as `T`.
    pub fn get<T: FromCol>(&self, i: usize) -> Result<T> {
        match self {
            Row::Sqlite(r) => Ok(T::sqlite(r, i)?),
            Row::Pg(r) => T::pg(r, i),
        }
    }
}

/// A PostgreSQL connection and its prepared statements, by the SQL as written.
pub struct PgConn {
    /// Dropped by hand ([`PgConn`]'s `Drop`): closing it may not run inside a runtime.
    client: std::mem::ManuallyDrop<RefCell<postgres::Client>>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// What it connected with, to open another connection to the same database.
    config: postgres::Config,
}

impl PgConn {
    pub fn new(client: postgres::Client, config: postgres::Config) -> Self {
        PgConn {
            client: std::mem::ManuallyDrop::new(RefCell::new(client)),
            statements: RefCell::new(HashMap::new()),
            config,
        }
    }

    /// The settings this connection was opened with.
    pub(crate) fn config(&self) -> &postgres::Config {
        &self.config
    }

    /// Runs `f` on the client. The sync client drives its own runtime, which cannot
    /// start inside another's. Called from async code (the rate limiter awaits between
    /// store calls; enrich writes bars from its tasks): on the commands' multi-threaded
    /// runtime, `f` runs in place with the worker handed over as a blocking thread
    /// (`block_in_place`, no thread started); on a single-threaded one, on a scoped
    /// thread of its own.
    fn with_client<T: Send>(&self, f: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        let mut client = self.client.borrow_mut();
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return f(&mut client);
        };
        if rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
            return tokio::task::block_in_place(|| f(&mut client));
        }
        let client = &mut *client;
        std::thread::scope(|s| {
            s.spawn(move || f(client))
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.borrow().get(sql) {
            return Ok(st.clone());
        }
        let rewritten = placeholders(sql);
        let st = self.with_client(|c| c.prepare(&rewritten))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), st.clone());
        Ok(st)
    }

    fn query(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<postgres::Row>> {
        let st = self.statement(sql)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.with_client(|c| c.query(&st, &refs))?)
    }

    fn execute(&self, sql: &str, params: &[Value<'_>]) -> Result<u64> {
        let st = self.statement(sql)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.with_client(|c| c.execute(&st, &refs))?)
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.with_client(|c| c.batch_execute(sql))?)
    }

    /// Whether the client knows its connection is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.client.try_borrow().map_or(true, |c| c.is_closed())
    }
}

/// The sync client closes its connection on its own runtime, which cannot run inside
/// another's: a store dropped in async code (`enrich run` opens one inside the command's
/// runtime) closes its connection on a scoped thread, as [`PgConn::with_client`] runs
/// statements there.
impl Drop for PgConn {
    fn drop(&mut self) {
        // SAFETY: `client` is taken once, here, and never used again: `self` is being
        // dropped and no other code runs on it after this.
        let client = unsafe { std::mem::ManuallyDrop::take(&mut self.client) };
        if tokio::runtime::Handle::try_current().is_err() {
            return drop(client);
        }
        std::thread::scope(|s| {
            s.spawn(move || drop(client));
        });
    }
}

/// The store's connection: SQLite or PostgreSQL.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

impl Db {
    /// A borrowed view to run statements on.
    pub fn conn(&self) -> Conn<'_> {
        match self {
            Db::Sqlite(c) => Conn::Sqlite(c),
            Db::Postgres(p) => Conn::Pg(p),
        }
    }

    /// Runs `f` in one write transaction, committing on `Ok` and rolling back on `Err`:
    /// `BEGIN IMMEDIATE` on SQLite (writers serialised from the start), `BEGIN` on
    /// PostgreSQL (read committed; a family takes [`Conn::lock`] or row locks where it
    /// reads, changes and writes back).
    pub fn transaction<T>(&self, f: impl FnOnce(Conn<'_>) -> Result<T>) -> Result<T> {
        match self {
            Db::Sqlite(c) => {
                let tx = rusqlite::Transaction::new_unchecked(
                    c,
                    rusqlite::TransactionBehavior::Immediate,
                )?;
                let out = f(Conn::Sqlite(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Db::Postgres(p) => {
                p.batch("BEGIN")?;
                match f(Conn::Pg(p)) {
                    Ok(out) => {
                        p.batch("COMMIT")?;
                        Ok(out)
                    }
                    Err(e) => {
                        let _ = p.batch("ROLLBACK");
                        Err(e)
                    }
                }
            }
        }
    }
}

/// A borrowed connection (or a transaction on it).
#[derive(Clone, Copy)]
pub enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a PgConn),
}

impl<'a> Conn<'a> {
    /// Whether this is PostgreSQL.
    pub fn is_pg(self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// Runs one statement; the rows it changed.
    pub fn execute(self, sql: &str, params: &[Value<'_>]) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => Ok(c
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(params))?),
            Conn::Pg(p) => Ok(p.execute(sql, params)? as usize),
        }
    }

    /// Every row of a query, each through `f`.
    pub fn query<T>(
        self,
        sql: &str,
        params: &[Value<'_>],
        mut f: impl FnMut(&Row<'_, '_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Sqlite(r))?);
                }
                Ok(out)
            }
            Conn::Pg(p) => p
                .query(sql, params)?
                .iter()
                .map(|r| f(&Row::Pg(r)))
                .collect(),
        }
    }

    /// The first row of a query through `f`; None when there is none.
    pub fn query_opt<T>(
        self,
        sql: &str,
        params: &[Value<'_>],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::Sqlite(r))?)),
                    None => Ok(None),
                }
            }
            Conn::Pg(p) => p
                .query(sql, params)?
                .first()
                .map(|r| f(&Row::Pg(r)))
                .transpose(),
        }
    }

    /// The one row of a query that always returns one (an aggregate), through `f`.
    pub fn query_one<T>(
        self,
        sql: &str,
        params: &[Value<'_>],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or(Error::Column {
            column: "-".into(),
            detail: format!("no row from {sql}"),
        })
    }

    /// Runs an `INSERT` into a table keyed by `id` and returns the new row's id:
    /// `last_insert_rowid()` on SQLite, `RETURNING id` on PostgreSQL.
    pub fn insert_id(self, sql: &str, params: &[Value<'_>]) -> Result<i64> {
        match self {
            Conn::Sqlite(c) => {
                c.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(params))?;
                Ok(c.last_insert_rowid())
            }
            Conn::Pg(p) => {
                let sql = format!("{sql} RETURNING id");
                let rows = p.query(&sql, params)?;
                let row = rows.first().ok_or(Error::Column {
                    column: "id".into(),
                    detail: "INSERT returned no id".into(),
                })?;
                i64::pg(row, 0)
            }
        }
    }

    /// Runs several statements without parameters.
    pub fn batch(self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(p) => p.batch(sql),
        }
    }

    /// Inside a write transaction: waits for, and holds until the transaction ends, the
    /// lock named `key`, so a read-modify-write of the rows it names cannot interleave
    /// with another host's. PostgreSQL: `pg_advisory_xact_lock`. SQLite: nothing to do,
    /// `BEGIN IMMEDIATE` already holds the database's one write lock.
    pub fn lock(self, key: &str) -> Result<()> {
        match self {
            Conn::Sqlite(_) => Ok(()),
            Conn::Pg(p) => {
                p.query("SELECT pg_advisory_xact_lock(hashtext(?1))", params![key])?;
                Ok(())
            }
        }
    }

    /// What ends a `SELECT` that claims rows for this transaction, skipping rows
    /// another transaction holds: `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on
    /// SQLite, whose writer holds the whole database.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Conn::Sqlite(_) => "",
            Conn::Pg(_) => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Whether the table `name` exists in the store's database (a database older than
    /// this optctl, opened read-only, lacks the newer tables): `sqlite_master` on
    /// SQLite, `pg_tables` in the current schema on PostgreSQL.
    pub fn has_table(self, name: &str) -> Result<bool> {
        let sql = match self {
            Conn::Sqlite(_) => {
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
            }
            Conn::Pg(_) => {
                "SELECT count(*) FROM pg_catalog.pg_tables
                 WHERE schemaname = current_schema() AND tablename::text = ?1"
            }
        };
        Ok(self.query_one(sql, params![name], |r| r.get::<i64>(0))? > 0)
    }

    /// Inserts `rows` into `table`, each row one value per column of `columns`, inside
    /// the caller's transaction: the way to write many rows at once (a chain's
    /// contracts). SQLite: one cached prepared `INSERT` run per row. PostgreSQL: one
    /// binary `COPY .. FROM STDIN`, one round trip for all the rows; the columns' types
    /// come from the table itself (a cached `SELECT .. LIMIT 0`). Quote a column named
    /// like a keyword (`"right"`). Returns the rows written.
    pub fn copy_rows(self, table: &str, columns: &[&str], rows: &[Vec<Value<'_>>]) -> Result<u64> {
        if let Some(bad) = rows.iter().find(|r| r.len() != columns.len()) {
            return Err(Error::Column {
                column: columns.join(", "),
                detail: format!("a row of {} values for {table}", bad.len()),
            });
        }
        if rows.is_empty() {
            return Ok(0);
        }
        let list = columns.join(", ");
        match self {
            Conn::Sqlite(c) => {
                let values: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let mut st = c.prepare_cached(&format!(
                    "INSERT INTO {table} ({list}) VALUES ({})",
                    values.join(", ")
                ))?;
                for r in rows {
                    st.execute(rusqlite::params_from_iter(r))?;
                }
                Ok(rows.len() as u64)
            }
            Conn::Pg(p) => {
                let types: Vec<Type> = p
                    .statement(&format!("SELECT {list} FROM {table} LIMIT 0"))?
                    .columns()
                    .iter()
                    .map(|c| c.type_().clone())
                    .collect();
                let copy = format!("COPY {table} ({list}) FROM STDIN (FORMAT binary)");
                let written = p.with_client(|c| {
                    let mut w =
                        postgres::binary_copy::BinaryCopyInWriter::new(c.copy_in(&copy)?, &types);
                    let mut refs: Vec<&(dyn PgToSql + Sync)> = Vec::with_capacity(types.len());
                    for r in rows {
                        refs.clear();
                        refs.extend(r.iter().map(|v| v as &(dyn PgToSql + Sync)));
                        w.write(&refs)?;
                    }
                    w.finish()
                })?;
                Ok(written)
            }
        }
    }
}

/// `INSERT OR REPLACE` for a table whose key is `key`, written as an upsert both
/// backends speak: `INSERT INTO t (c1, ..) VALUES (?1, ..) ON CONFLICT (key) DO UPDATE
/// SET c = excluded.c, ..` for every column not in the key.
pub fn upsert_sql(table: &str, columns: &[&str], key: &[&str]) -> String {
    let values: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let set: Vec<String> = columns
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        columns.join(", "),
        values.join(", "),
        key.join(", "),
        set.join(", ")
    )
}

/// SQLite's placeholders (`?N`, or bare `?` numbered in order) as PostgreSQL's `$N`,
/// leaving quoted text and identifiers alone.
pub fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 0;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_dollars_outside_quotes() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE (?1 IS NULL OR b = ?1) AND c = ?12"),
            "SELECT a FROM t WHERE ($1 IS NULL OR b = $1) AND c = $12"
        );
        assert_eq!(
            placeholders("INSERT INTO t VALUES (?, ?, '?', \"a?\")"),
            "INSERT INTO t VALUES ($1, $2, '?', \"a?\")"
        );
        assert_eq!(
            placeholders("SELECT 'it''s ?' , ?"),
            "SELECT 'it''s ?' , $1"
        );
    }

    #[test]
    fn statements_run_from_async_code_on_either_runtime() {
        for s in crate::store::tests::backends() {
            for multi in [true, false] {
                let rt = if multi {
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                } else {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                }
                .unwrap();
                let got = rt.block_on(async {
                    tokio::task::yield_now().await;
                    s.db()
                        .query_one("SELECT 40 + ?1", params![2i64], |r| r.get::<i64>(0))
                });
                assert_eq!(got.unwrap(), 42, "{} multi-threaded {multi}", s.backend());
            }
        }
    }

    #[test]
    fn values_round_trip_and_ids_come_back_on_every_backend() {
        for s in crate::store::tests::backends() {
            let db = s.db();
            let id = if s.is_postgres() {
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            } else {
                "INTEGER PRIMARY KEY"
            };
            db.batch(&format!(
                "CREATE TEMP TABLE v (id {id}, i BIGINT, r DOUBLE PRECISION, t TEXT)"
            ))
            .unwrap();
            let sql = "INSERT INTO v (i, r, t) VALUES (?1, ?2, ?3)";
            let a = db
                .insert_id(sql, params![i64::MAX, 0.1 + 0.2, "it's ?1 'quoted'"])
                .unwrap();
            let b = db
                .insert_id(sql, params![true, None::<f64>, None::<String>])
                .unwrap();
            assert!(b > a, "{}: {a} {b}", s.backend());
            let rows = db
                .query(
                    "SELECT i, r, t FROM v WHERE id >= ?1 ORDER BY id",
                    params![a],
                    |r| {
                        Ok((
                            r.get::<i64>(0)?,
                            r.get::<Option<f64>>(1)?,
                            r.get::<Option<String>>(2)?,
                        ))
                    },
                )
                .unwrap();
            assert_eq!(
                rows,
                vec![
                    (
                        i64::MAX,
                        Some(0.1 + 0.2),
                        Some("it's ?1 'quoted'".to_string())
                    ),
                    (1, None, None),
                ],
                "{}",
                s.backend()
            );
            let none = db
                .query_opt("SELECT i FROM v WHERE id = ?1", params![-1i64], |r| {
                    r.get::<i64>(0)
                })
                .unwrap();
            assert_eq!(none, None);
            let err = db
                .query_one("SELECT t FROM v WHERE id = ?1", params![b], |r| {
                    r.get::<String>(0)
                })
                .unwrap_err();
            let text = err.with_causes().to_lowercase();
            assert!(text.contains("null"), "{}: {text}", s.backend());
        }
    }

    /// `copy_rows` (a binary COPY on PostgreSQL, prepared INSERTs on SQLite) writes
    /// NULLs, integers, floats to the bit and text as given, inside the caller's
    /// transaction; a row of the wrong width is refused before anything is written.
    #[test]
    fn copied_rows_read_back_exactly_on_every_backend() {
        for mut s in crate::store::tests::backends() {
            let backend = s.backend();
            s.db()
                .batch("CREATE TABLE c (k BIGINT PRIMARY KEY, r DOUBLE PRECISION, t TEXT)")
                .unwrap();
            let rows = vec![
                vec![
                    Value::Int(1),
                    Value::Real(0.1 + 0.2),
                    Value::from("it's \"x\""),
                ],
                vec![Value::Int(2), Value::Null, Value::Null],
                vec![Value::Int(3), Value::Int(7), Value::from("")],
                vec![Value::Int(4), Value::Real(5.0e-324), Value::from("\\N\t\n")],
            ];
            let n = s
                .transaction(|tx| tx.copy_rows("c", &["k", "r", "t"], &rows))
                .unwrap();
            assert_eq!(n, 4, "{backend}");
            let short = vec![vec![Value::Int(5), Value::Real(1.0)]];
            let err = s
                .transaction(|tx| tx.copy_rows("c", &["k", "r", "t"], &short))
                .unwrap_err();
            assert!(matches!(err, Error::Column { .. }), "{backend}: {err}");
            let dup = vec![vec![Value::Int(6), Value::Null, Value::Null]; 2];
            assert!(
                s.transaction(|tx| tx.copy_rows("c", &["k", "r", "t"], &dup))
                    .is_err(),
                "{backend}"
            );
            let got = s
                .db()
                .query("SELECT k, r, t FROM c ORDER BY k", params![], |r| {
                    Ok((
                        r.get::<i64>(0)?,
                        r.get::<Option<f64>>(1)?.map(f64::to_bits),
                        r.get::<Option<String>>(2)?,
                    ))
                })
                .unwrap();
            assert_eq!(
                got,
                vec![
                    (1, Some((0.1f64 + 0.2).to_bits()), Some("it's \"x\"".into())),
                    (2, None, None),
                    (3, Some(7.0f64.to_bits()), Some(String::new())),
                    (4, Some(5.0e-324f64.to_bits()), Some("\\N\t\n".into())),
                ],
                "{backend}"
            );
        }
    }

    #[test]
    fn upsert_updates_every_column_but_the_key() {
        assert_eq!(
            upsert_sql("rate_limits", &["name", "tokens", "granted"], &["name"]),
            "INSERT INTO rate_limits (name, tokens, granted) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, granted = excluded.granted"
        );
    }
}
