//! The store: the only place optctl writes SQL. SQLite in the data home is the store
//! users get by default; every family also runs on PostgreSQL behind the same handles
//! ([`db`]: one connection type, SQL written once; docs/ARCHITECTURE.md, "Store
//! backends").
//!
//! Two doors: [`Store::open`] for writers (creates, migrates) and [`Store::open_read_only`]
//! for readers (never migrates). Every connection runs in WAL mode with a busy timeout, so
//! `scan`, `export` and readers run at the same time without "database is locked".
//!
//! Each table family has its own module and its own handle; all of a family's SQL is in
//! its module, behind the handle, so a second backend replaces one module at a time:
//! `scans` ([`Store::scans`]), `chains` (snapshots, features, IV history), `alerts`,
//! `excel` (process-excel's stocks, ticks and run metadata), `control` (serve's
//! control audit and the workbook loop's shared state and heartbeat), `resilience` (circuit
//! breakers and rate limiters shared by every process), `enrich` (bars, indicators,
//! enrich runs, jobs, quality issues, the pause flag), `outbox` (notifications waiting to
//! be sent), `scheduler` (the strategy schedulers' cache, runs, signals, comparisons,
//! migration). `store.<family>()` borrows the store to read; `store.<family>_mut()`
//! borrows it mutably and also writes, each write one transaction. Verbs are the same
//! in every family: `begin_*`/`finish_*` for a run's lifecycle, `record_*`/`queue_*`
//! to write, `list_*` for rows, `latest_*` for the newest, `get*` for one by id,
//! `count_*`, `prune`.
//!
//! Layering (arrows point down): the store imports nothing but `crate::market` and
//! itself. It owns the types of what it persists: rows, write structs, filters, and the
//! status and vocabulary enums its columns hold (`ScanStatus`, `scheduler::Phase`,
//! `enrich::QualityCheck`, ...); shared market-domain values live in `crate::market`.
//! The rule for everyone else: an area (scan, export, serve, enrich, excel, scheduler,
//! notify, resilience) uses the store's handles and types directly, and re-exports the
//! rows and statuses it reports (`scan::ScanStatus`, `excel::RunStatus`,
//! `enrich::RunRow`, `scheduler::Category`, ...). `src/cli` names only [`Store`], [`ts`]
//! and those area re-exports, never `store::<family>::...`.

pub mod alerts;
pub mod chains;
pub mod control;
pub mod copy;
pub(crate) mod db;
pub mod enrich;
pub mod excel;
pub mod location;
mod migrations;
pub mod outbox;
pub(crate) mod partitions;
pub mod resilience;
pub mod scans;
pub mod scheduler;
pub mod stats;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use db::{Conn, Db};
pub use location::Location;
use migrations::MIGRATIONS;

/// `PRAGMA application_id` of an optctl database ("OPTC").
const APPLICATION_ID: i32 = 0x4f50_5443;
/// How long a writer waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);
/// Rows one prune transaction deletes at most. Deleting old rows is the one write that
/// can grow without bound (15 million chain rows after a long weekend); in batches of
/// this size each transaction holds the write lock for a few tens of milliseconds.
pub const PRUNE_BATCH_ROWS: usize = 10_000;
/// The pause between two prune batches, with the write lock released. Longer than the
/// longest sleep of SQLite's busy handler (100 ms), so every writer waiting for the lock
/// polls at least once while it is free and gets in before the next batch.
pub const PRUNE_PAUSE: Duration = Duration::from_millis(120);

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open database {}", .path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "database {} has schema version {found}, newer than this optctl understands ({supported}); upgrade optctl",
        .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{} is not an optctl database (application_id {found:#x})", .path.display())]
    NotOptctl { path: PathBuf, found: i32 },
    #[error("database {} does not exist yet; run `optctl scan` first", .path.display())]
    Missing { path: PathBuf },
    /// A PostgreSQL database without optctl's tables: as a missing SQLite file, the
    /// store does not exist until a writing command creates it.
    #[error("{target} holds no optctl store yet; run `optctl scan` first")]
    Empty { target: String },
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    /// SQLite could not write: the file system holding the database has no space left.
    #[error("the disk holding {} is full", .path.display())]
    DiskFull { path: PathBuf },
    /// A reader could not open the database; `need` says what this user lacks.
    #[error("cannot read database {}: {need}", .path.display())]
    Unreadable { path: PathBuf, need: String },
    #[error("PostgreSQL error")]
    Postgres(#[from] postgres::Error),
    #[error("cannot connect to PostgreSQL ({target})")]
    PgOpen {
        target: String,
        #[source]
        source: postgres::Error,
    },
    #[error("cannot read column {column}: {detail}")]
    Column { column: String, detail: String },
    /// `store copy` cannot go on: the target is not empty, or the counts differ.
    #[error("cannot copy the store: {0}")]
    CopyTarget(String),
    /// SQLite's own set-up (pragmas, migrations), asked of a PostgreSQL store.
    #[error("this part of the store does not run on PostgreSQL yet")]
    NotPorted,
    /// Chain rows for a scan the store does not have.
    #[error("cannot store chains of scan {0}: the store has no such scan")]
    NoScan(i64),
    #[error("corrupt stored value in {table}.{column}: {detail}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        detail: String,
    },
}

impl Error {
    /// Whether this is SQLite's "database is locked" (busy timeout reached).
    /// Whether the store does not exist yet: no SQLite file, or a PostgreSQL database
    /// without optctl's tables ([`Location::open_read`]).
    pub fn is_no_store(&self) -> bool {
        matches!(self, Error::Missing { .. } | Error::Empty { .. })
    }

    pub fn is_busy(&self) -> bool {
        let e = match self {
            Error::Sqlite(e) | Error::Open { source: e, .. } => e,
            _ => return false,
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }

    /// The error and its causes on one line (`database error: database disk image is
    /// malformed: ...`), for messages kept in files and reports.
    pub fn with_causes(&self) -> String {
        crate::error::report(self)
    }

    /// Whether SQLite found the file damaged ("database disk image is malformed", or
    /// not a database at all).
    pub fn is_corrupt(&self) -> bool {
        let e = match self {
            Error::Sqlite(e) | Error::Open { source: e, .. } => e,
            _ => return false,
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        )
    }

    /// Whether this is SQLite's "database or disk is full" (`SQLITE_FULL`).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::DiskFull { .. } => true,
            Error::Sqlite(e) | Error::Open { source: e, .. } => {
                e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
            }
            _ => false,
        }
    }
}

impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        let kind = if e.is_busy() {
            crate::error::Kind::Busy
        } else if e.is_disk_full() && !matches!(e, Error::DiskFull { .. }) {
            crate::error::Kind::DiskFull
        } else {
            crate::error::Kind::Failure
        };
        crate::Error::area(kind, e)
    }
}

/// What a family not yet written on [`Conn`] unwinds with when it is reached on a
/// PostgreSQL store ([`Store::conn`]); [`catching_not_ported`] turns it into
/// [`Error::NotPorted`].
#[derive(Debug)]
pub struct NotPortedPanic;

thread_local! {
    /// Whether this thread runs inside [`catching_not_ported`].
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a whole command), so that a family that does not run on PostgreSQL yet ends
/// it with [`Error::NotPorted`] instead of a panic. Such an unwind prints nothing on the
/// thread that catches it, and one line (not a panic message) on another thread (a
/// worker: its caller reports what became of it); any other panic goes on as before.
pub fn catching_not_ported<T>(f: impl FnOnce() -> T) -> Result<T> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<NotPortedPanic>() {
                previous(info);
            } else if !CATCHING.get() {
                let thread = std::thread::current();
                eprintln!(
                    "optctl: thread {}: {}",
                    thread.name().unwrap_or("unnamed"),
                    Error::NotPorted
                );
            }
        }));
    });
    let outer = CATCHING.replace(true);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.set(outer);
    match caught {
        Ok(out) => Ok(out),
        Err(payload) if payload.is::<NotPortedPanic>() => Err(Error::NotPorted),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Result alias for store functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a batched prune did.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PruneStats {
    /// Rows removed in all: deleted in batches, plus those of dropped partitions.
    pub rows: u64,
    /// Delete transactions committed.
    pub batches: u64,
    /// The most rows one delete transaction deleted.
    pub largest_batch: u64,
    /// The longest one transaction held the write lock (a delete batch's, or a
    /// partition drop's), milliseconds.
    pub longest_batch_ms: f64,
    /// PostgreSQL's chains: day partitions dropped whole (each counted before it went).
    pub partitions_dropped: u64,
    /// Of `rows`, those that went with the dropped partitions.
    pub dropped_rows: u64,
}

/// The schema version this optctl writes (`PRAGMA user_version` after every migration).
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// An open database.
pub struct Store {
    db: Db,
    path: PathBuf,
    /// PostgreSQL: the chain day of each scan this store has written chains of, its
    /// day partition known to exist ([`partitions`]), so that is checked once per scan
    /// and day, not per ticker.
    chain_days: std::collections::HashMap<i64, chrono::NaiveDate>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` for writing and applies pending
    /// migrations. Refuses a database written by a newer optctl.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            // A missing folder would surface as an unhelpful "unable to open database file".
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            path: path.to_path_buf(),
            chain_days: Default::default(),
        };
        store
            .configure()
            .and_then(|()| store.check_identity())
            .and_then(|()| store.migrate())
            .map_err(|e| store.fault(e))?;
        Ok(store)
    }

    /// Opens an existing database read-only. Never migrates; an older schema is an error
    /// that tells the user to run a writing command first.
    ///
    /// It needs to read the database and its `-wal` and `-shm` files, nothing more:
    /// writers keep those two files in place when they close, and SQLite opens them
    /// read-only when this user may not write them (its documented read-only WAL mode:
    /// with no writer holding the `-shm`, it reads the `-wal` into private memory). So a
    /// home this user can only read works, even while a writer runs. When the two files
    /// are missing and cannot be created here, the error names them and says what to do.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_read_only_waiting(path, BUSY_TIMEOUT)
    }

    /// [`Store::open_read_only`] with its own busy timeout: how long each statement
    /// waits for a writer's lock before it fails as busy ([`Error::is_busy`]). For a
    /// reader that would rather answer "busy, try again" than wait (serve).
    pub fn open_read_only_waiting(path: &Path, busy: Duration) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Missing {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| {
            reader_fault(
                path,
                Error::Open {
                    path: path.to_path_buf(),
                    source,
                },
            )
        })?;
        conn.busy_timeout(busy)?;
        let store = Store {
            db: Db::Sqlite(conn),
            path: path.to_path_buf(),
            chain_days: Default::default(),
        };
        let version = store
            .check_identity()
            .and_then(|()| store.user_version())
            .map_err(|e| reader_fault(path, store.fault(e)))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::TooNew {
                path: store.path.clone(),
                found: version,
                supported: MIGRATIONS.len() as i64,
            });
        }
        Ok(store)
    }

    /// Opens (creating its tables if needed) an optctl store in the PostgreSQL database
    /// `config` names, and applies pending migrations under an advisory lock, so hosts
    /// opening the same database at once migrate it once (docs/ARCHITECTURE.md, "Store
    /// backends").
    pub fn open_postgres(config: &postgres::Config) -> Result<Store> {
        let store = Store::connect_postgres(config)?;
        store.migrate_postgres()?;
        Ok(store)
    }

    /// A connection to the database `config` names, as a store, before any schema check.
    fn connect_postgres(config: &postgres::Config) -> Result<Store> {
        let target = location::describe(config);
        let client = location::connect(config).map_err(|source| Error::PgOpen {
            target: target.clone(),
            source,
        })?;
        Ok(Store {
            db: Db::Postgres(Box::new(db::PgConn::new(client, config.clone()))),
            path: PathBuf::from(&target),
            chain_days: Default::default(),
        })
    }

    /// Opens the optctl store in the PostgreSQL database `config` names without creating
    /// or migrating anything (for `doctor`): None when it has no optctl tables yet.
    /// Refuses a schema newer than this optctl, or another application's table.
    pub fn open_postgres_unmigrated(config: &postgres::Config) -> Result<Option<Store>> {
        let store = Store::connect_postgres(config)?;
        let tables: i64 = store.db().query_one(
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'optctl_schema'",
            db::params![],
            |r| r.get(0),
        )?;
        if tables == 0 {
            return Ok(None);
        }
        let (app, version) = store
            .db()
            .query_opt(
                "SELECT application_id, version FROM optctl_schema WHERE id = 1",
                db::params![],
                |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)),
            )?
            .unwrap_or((i64::from(APPLICATION_ID), 0));
        if app != i64::from(APPLICATION_ID) {
            return Err(Error::NotOptctl {
                path: store.path.clone(),
                found: app as i32,
            });
        }
        if version > schema_version() {
            return Err(Error::TooNew {
                path: store.path.clone(),
                found: version,
                supported: schema_version(),
            });
        }
        Ok(Some(store))
    }

    /// PostgreSQL's migrations: one transaction holding `pg_advisory_xact_lock`, the
    /// version in `optctl_schema` (PostgreSQL has no `user_version`).
    fn migrate_postgres(&self) -> Result<()> {
        let supported = MIGRATIONS.len() as i64;
        self.db.transaction(|tx| {
            tx.query_one(
                "SELECT pg_advisory_xact_lock(?1)",
                db::params![i64::from(APPLICATION_ID)],
                |_| Ok(()),
            )?;
            tx.batch(
                "CREATE TABLE IF NOT EXISTS optctl_schema (
                     id             INTEGER PRIMARY KEY CHECK (id = 1),
                     application_id BIGINT  NOT NULL,
                     version        BIGINT  NOT NULL
                 )",
            )?;
            let found = tx.query_opt(
                "SELECT application_id, version FROM optctl_schema WHERE id = 1",
                db::params![],
                |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)),
            )?;
            let (app, version) = found.unwrap_or((i64::from(APPLICATION_ID), 0));
            if app != i64::from(APPLICATION_ID) {
                return Err(Error::NotOptctl {
                    path: self.path.clone(),
                    found: app as i32,
                });
            }
            if version > supported {
                return Err(Error::TooNew {
                    path: self.path.clone(),
                    found: version,
                    supported,
                });
            }
            for m in MIGRATIONS.iter().skip(version as usize) {
                tx.batch(m.postgres)?;
            }
            tx.execute(
                &db::upsert_sql(
                    "optctl_schema",
                    &["id", "application_id", "version"],
                    &["id"],
                ),
                db::params![1i64, i64::from(APPLICATION_ID), supported],
            )?;
            Ok(())
        })
    }

    /// Names the file-system fault behind `e`: a full disk (`SQLITE_FULL`, or an I/O
    /// error whose system error is "no space left on device", as when SQLite cannot grow
    /// the `-shm` file) becomes [`Error::DiskFull`] naming the database.
    fn fault(&self, e: Error) -> Error {
        let code = match &e {
            Error::Sqlite(s) | Error::Open { source: s, .. } => s.sqlite_error_code(),
            _ => return e,
        };
        let full = match code {
            Some(rusqlite::ErrorCode::DiskFull) => true,
            Some(rusqlite::ErrorCode::SystemIoFailure) => self.system_errno() == ENOSPC,
            _ => false,
        };
        if full {
            Error::DiskFull {
                path: self.path.clone(),
            }
        } else {
            e
        }
    }

    /// The operating system's error number behind the connection's last failure.
    fn system_errno(&self) -> i32 {
        // SAFETY: the handle is this open connection's and stays valid for the call;
        // sqlite3_system_errno only reads the connection's last error number.
        unsafe { rusqlite::ffi::sqlite3_system_errno(self.conn().handle()) }
    }

    /// Keeps the `-wal` and `-shm` files when the last connection closes (the WAL is
    /// emptied, not removed), so that a reader who may not create files in the data home
    /// still finds them (see [`Store::open_read_only`]).
    fn keep_wal_files(&self) -> Result<()> {
        let mut on: std::ffi::c_int = 1;
        // SAFETY: the handle is this open connection's; "main" is a NUL-terminated
        // schema name; SQLITE_FCNTL_PERSIST_WAL reads and writes one int through the
        // pointer, which outlives the call.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_file_control(
                self.conn().handle(),
                c"main".as_ptr(),
                rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
                (&mut on as *mut std::ffi::c_int).cast(),
            )
        };
        if rc != rusqlite::ffi::SQLITE_OK {
            return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), None).into());
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Schema version (`PRAGMA user_version`; on PostgreSQL, `optctl_schema.version`).
    pub fn user_version(&self) -> Result<i64> {
        match &self.db {
            Db::Sqlite(c) => Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?),
            Db::Postgres(_) => self.db.conn().query_one(
                "SELECT version FROM optctl_schema WHERE id = 1",
                db::params![],
                |r| r.get(0),
            ),
        }
    }

    fn configure(&self) -> Result<()> {
        // Pragmas outside any transaction: journal_mode cannot change inside one.
        self.conn().busy_timeout(BUSY_TIMEOUT)?;
        self.conn()
            .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        self.keep_wal_files()?;
        // Bounds the WAL a checkpoint leaves behind; the last writer to close empties it.
        self.conn()
            .query_row("PRAGMA journal_size_limit = 67108864", [], |_| Ok(()))?;
        self.conn().pragma_update(None, "synchronous", "NORMAL")?;
        self.conn().pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    fn check_identity(&self) -> Result<()> {
        let id: i32 = self
            .conn()
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if id != 0 && id != APPLICATION_ID {
            return Err(Error::NotOptctl {
                path: self.path.clone(),
                found: id,
            });
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .sqlite_mut()?
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(Error::TooNew {
                path,
                found: version,
                supported,
            });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m.sqlite)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes old rows in bounded transactions: calls `batch(tx, limit)` in one
    /// `BEGIN IMMEDIATE` transaction after another, each deleting at most `limit` rows,
    /// with the lock released for `pause` in between, until a batch deletes fewer than
    /// `limit` (there is nothing left). Each batch commits on its own, so a prune stopped
    /// half-way (killed, or an error) leaves whole rows and resumes at the next run.
    pub(crate) fn prune_in_batches(
        &mut self,
        limit: usize,
        pause: Duration,
        mut batch: impl FnMut(Conn<'_>, usize) -> Result<usize>,
    ) -> Result<PruneStats> {
        let mut stats = PruneStats::default();
        loop {
            if stats.batches > 0 {
                std::thread::sleep(pause);
            }
            let started = std::time::Instant::now();
            let n = self.transaction(|tx| batch(tx, limit))?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            stats.batches += 1;
            stats.rows += n as u64;
            stats.largest_batch = stats.largest_batch.max(n as u64);
            stats.longest_batch_ms = stats.longest_batch_ms.max(ms);
            if n < limit {
                return Ok(stats);
            }
        }
    }

    /// The newest `column` time of `table` among its rows other than `except` (the run
    /// asking): what retention counts back from. `table` and `column` are the callers'
    /// constants, never user text.
    pub(crate) fn newest_except(
        &self,
        table: &'static str,
        column: &'static str,
        except: i64,
    ) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<String> = self.db.conn().query_one(
            &format!("SELECT max({column}) FROM {table} WHERE id != ?1"),
            db::params![except],
            |r| r.get(0),
        )?;
        newest.map(|s| parse_ts(&s, table, column)).transpose()
    }

    /// Runs `f` inside one read transaction, so every query in it sees the same
    /// committed state even while writers commit (WAL snapshot isolation).
    pub fn read_snapshot<T>(&self, f: impl FnOnce(&Store) -> T) -> Result<T> {
        if let Db::Postgres(p) = &self.db {
            p.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            let out = f(self);
            let _ = p.batch("ROLLBACK");
            return Ok(out);
        }
        let tx = self.conn().unchecked_transaction()?;
        // The snapshot starts at the first read, not at BEGIN: take it now.
        tx.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        let out = f(self);
        // Nothing was written, so ending the snapshot cannot lose anything; after a read
        // hit a damaged page, SQLite reports that error again here, and it must not
        // discard what the other reads got (`f` has seen and handled its own errors).
        let _ = tx.rollback();
        Ok(out)
    }

    /// `PRAGMA quick_check`: the problems found (at most 20), none on a healthy file.
    /// Reads every page but skips the index-content checks of `integrity_check`.
    pub fn quick_check(&self) -> Result<Vec<String>> {
        if self.is_postgres() {
            // PostgreSQL checks its own pages; what can be asked here is that it answers.
            self.db()
                .query_one("SELECT 1", db::params![], |r| r.get::<i64>(0))?;
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare("PRAGMA quick_check(20)")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// `PRAGMA integrity_check`: `"ok"` on a healthy file.
    pub fn integrity_check(&self) -> Result<String> {
        if self.is_postgres() {
            return self.quick_check().map(|_| "ok".to_string());
        }
        Ok(self
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// The SQLite connection, for what only SQLite has (its pragmas, migrations and
    /// error numbers); only called on a SQLite store.
    pub(crate) fn conn(&self) -> &Connection {
        match &self.db {
            Db::Sqlite(c) => c,
            // Unwinds to `run_catching_not_ported`, which turns it into the error.
            Db::Postgres(_) => std::panic::panic_any(NotPortedPanic),
        }
    }

    fn sqlite_mut(&mut self) -> Result<&mut Connection> {
        match &mut self.db {
            Db::Sqlite(c) => Ok(c),
            Db::Postgres(_) => Err(Error::NotPorted),
        }
    }

    /// The backend-neutral connection, for reads outside a transaction.
    pub(crate) fn db(&self) -> Conn<'_> {
        self.db.conn()
    }

    /// Runs `f` in one write transaction on either backend ([`Db::transaction`]),
    /// committing on `Ok`.
    pub(crate) fn transaction<T>(&mut self, f: impl FnOnce(Conn<'_>) -> Result<T>) -> Result<T> {
        let written = self.db.transaction(f);
        written.map_err(|e| self.fault(e))
    }

    /// Another connection to this PostgreSQL store, for a second writer (its schema is
    /// this one's: nothing is checked or migrated again); None on SQLite, whose one
    /// write lock makes a second writer pointless.
    pub fn connect_again(&self) -> Result<Option<Store>> {
        match &self.db {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(p) => Store::connect_postgres(p.config()).map(Some),
        }
    }

    /// Whether this store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Whether this PostgreSQL connection is known to be gone (the server closed it, or
    /// a statement found it broken); never for SQLite. A connection the server closed
    /// while idle is known only once a statement tried it.
    pub fn is_closed(&self) -> bool {
        match &self.db {
            Db::Sqlite(_) => false,
            Db::Postgres(p) => p.is_closed(),
        }
    }
}

/// One handle per table family. A handle borrows the store: `store.scans()` reads
/// (`&Store`), `store.scans_mut()` also writes (`&mut Store`, each write one
/// transaction). Every family's SQL is in its own module, behind its handle.
impl Store {
    /// The `scans` family, to read.
    pub fn scans(&self) -> scans::Scans<&Store> {
        scans::Scans(self)
    }

    /// The `scans` family, to read and write.
    pub fn scans_mut(&mut self) -> scans::Scans<&mut Store> {
        scans::Scans(self)
    }

    /// The `chains` family, to read.
    pub fn chains(&self) -> chains::Chains<&Store> {
        chains::Chains(self)
    }

    /// The `chains` family, to read and write.
    pub fn chains_mut(&mut self) -> chains::Chains<&mut Store> {
        chains::Chains(self)
    }

    /// The `alerts` family, to read.
    pub fn alerts(&self) -> alerts::Alerts<&Store> {
        alerts::Alerts(self)
    }

    /// The `alerts` family, to read and write.
    pub fn alerts_mut(&mut self) -> alerts::Alerts<&mut Store> {
        alerts::Alerts(self)
    }

    /// The `control` family (control audit, the workbook loop's state), to read.
    pub fn control(&self) -> control::Control<&Store> {
        control::Control(self)
    }

    /// The `control` family, to read and write.
    pub fn control_mut(&mut self) -> control::Control<&mut Store> {
        control::Control(self)
    }

    /// The `enrich` family, to read.
    pub fn enrich(&self) -> enrich::Enrich<&Store> {
        enrich::Enrich(self)
    }

    /// The `enrich` family, to read and write.
    pub fn enrich_mut(&mut self) -> enrich::Enrich<&mut Store> {
        enrich::Enrich(self)
    }

    /// The `excel` family, to read.
    pub fn excel(&self) -> excel::Excel<&Store> {
        excel::Excel(self)
    }

    /// The `excel` family, to read and write.
    pub fn excel_mut(&mut self) -> excel::Excel<&mut Store> {
        excel::Excel(self)
    }

    /// The `outbox` family, to read.
    pub fn outbox(&self) -> outbox::Outbox<&Store> {
        outbox::Outbox(self)
    }

    /// The `outbox` family, to read and write.
    pub fn outbox_mut(&mut self) -> outbox::Outbox<&mut Store> {
        outbox::Outbox(self)
    }

    /// The `resilience` family, to read.
    pub fn resilience(&self) -> resilience::Resilience<&Store> {
        resilience::Resilience(self)
    }

    /// The `resilience` family, to read and write.
    pub fn resilience_mut(&mut self) -> resilience::Resilience<&mut Store> {
        resilience::Resilience(self)
    }

    /// The `scheduler` family, to read.
    pub fn scheduler(&self) -> scheduler::Scheduler<&Store> {
        scheduler::Scheduler(self)
    }

    /// The `scheduler` family, to read and write.
    pub fn scheduler_mut(&mut self) -> scheduler::Scheduler<&mut Store> {
        scheduler::Scheduler(self)
    }
}

/// "No space left on device" (the same number on Linux and macOS).
const ENOSPC: i32 = 28;

/// What a reader that failed to open `db` lacks, when the file system says so: read
/// access to the database or its `-wal`/`-shm` files, or the right to create those two
/// files beside it. Otherwise `e`, naming the database.
fn reader_fault(db: &Path, e: Error) -> Error {
    let source = match e {
        Error::Sqlite(s) | Error::Open { source: s, .. }
            if matches!(
                s.sqlite_error_code(),
                Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
            ) =>
        {
            s
        }
        other => return other,
    };
    let unreadable = |need: String| Error::Unreadable {
        path: db.to_path_buf(),
        need,
    };
    if let Err(e) = std::fs::File::open(db) {
        return unreadable(format!("this user cannot read it ({e})"));
    }
    let mut missing = Vec::new();
    for suffix in ["-wal", "-shm"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        match std::fs::File::open(&side) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(side),
            Err(e) => {
                return unreadable(format!("this user cannot read {} ({e})", side.display()));
            }
        }
    }
    let dir = db.parent().unwrap_or(Path::new("."));
    if !missing.is_empty() && tempfile::tempfile_in(dir).is_err() {
        let names: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
        return unreadable(format!(
            "SQLite needs {files} beside it and this user cannot create files in {dir}; run \
             `optctl scans` once as a user who may write to {dir} (the files are then kept \
             for readers), or let this user write to {dir}",
            files = names.join(" and "),
            dir = dir.display()
        ));
    }
    Error::Open {
        path: db.to_path_buf(),
        source,
    }
}

/// Formats an instant the way the store keeps it: `2026-11-23T14:30:00Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses a stored timestamp written by [`ts`].
pub(crate) fn parse_ts(
    s: &str,
    table: &'static str,
    column: &'static str,
) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        .map(|n| n.and_utc())
        .map_err(|e| Error::Corrupt {
            table,
            column,
            detail: format!("{s:?}: {e}"),
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("optctl.db")).unwrap();
        (dir, store)
    }

    /// A store for one test, and what holds its data: a temporary folder (SQLite) or a
    /// database of its own on the test server (PostgreSQL), dropped after the store.
    pub(crate) struct TestStore {
        pub store: Store,
        _home: TestHome,
    }

    enum TestHome {
        Dir(#[allow(dead_code)] tempfile::TempDir),
        Pg(#[allow(dead_code)] Box<PgTestDb>),
    }

    impl std::ops::Deref for TestStore {
        type Target = Store;
        fn deref(&self) -> &Store {
            &self.store
        }
    }

    impl std::ops::DerefMut for TestStore {
        fn deref_mut(&mut self) -> &mut Store {
            &mut self.store
        }
    }

    impl TestStore {
        /// The backend's name, for assertion messages.
        pub(crate) fn backend(&self) -> &'static str {
            match self._home {
                TestHome::Dir(_) => "sqlite",
                TestHome::Pg(_) => "postgres",
            }
        }
    }

    /// A database of its own on the `OPTCTL_TEST_PG` server, dropped with this value.
    pub(crate) struct PgTestDb {
        admin: postgres::Config,
        pub(crate) config: postgres::Config,
        pub(crate) name: String,
    }

    impl PgTestDb {
        /// A fresh, empty database on the server `OPTCTL_TEST_PG` names (a libpq
        /// connection string or URL, e.g. `host=127.0.0.1 user=postgres`); None when
        /// the variable is unset, with a note saying the PostgreSQL run was skipped.
        pub(crate) fn create() -> Option<PgTestDb> {
            let Ok(server) = std::env::var("OPTCTL_TEST_PG") else {
                eprintln!(
                    "note: OPTCTL_TEST_PG is not set, so this store test ran on SQLite only \
                     (set it to a server, e.g. OPTCTL_TEST_PG='host=127.0.0.1 user=postgres')"
                );
                return None;
            };
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos();
            let name = format!("optctl_test_{}_{n}_{nanos}", std::process::id());
            let admin: postgres::Config = server
                .parse()
                .unwrap_or_else(|e| panic!("OPTCTL_TEST_PG={server:?}: {e}"));
            let mut client = admin
                .connect(postgres::NoTls)
                .unwrap_or_else(|e| panic!("OPTCTL_TEST_PG={server:?}: cannot connect: {e}"));
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let mut config = admin.clone();
            config.dbname(&name);
            Some(PgTestDb {
                admin,
                config,
                name,
            })
        }
    }

    impl Drop for PgTestDb {
        fn drop(&mut self) {
            if let Ok(mut c) = self.admin.connect(postgres::NoTls) {
                let _ = c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    /// `hosts` hosts on one fresh PostgreSQL test database, each a thread with its own
    /// connection, running `host(i, store, start)` at once (`start` is a barrier all of
    /// them reach, as often as `host` waits on it); their results in order, and the
    /// database to check afterwards. None without `OPTCTL_TEST_PG`.
    pub(crate) fn hosts_on_postgres<T: Send + 'static>(
        hosts: usize,
        host: impl Fn(usize, &mut Store, &std::sync::Barrier) -> T + Send + Sync + 'static,
    ) -> Option<(PgTestDb, Vec<T>)> {
        let db = PgTestDb::create()?;
        Store::open_postgres(&db.config).unwrap();
        let start = std::sync::Arc::new(std::sync::Barrier::new(hosts));
        let host = std::sync::Arc::new(host);
        let threads: Vec<_> = (0..hosts)
            .map(|i| {
                let (config, start, host) = (db.config.clone(), start.clone(), host.clone());
                std::thread::spawn(move || {
                    let mut store = Store::open_postgres(&config).unwrap();
                    host(i, &mut store, &start)
                })
            })
            .collect();
        let got = threads.into_iter().map(|h| h.join().unwrap()).collect();
        Some((db, got))
    }

    /// The stores a test of a ported family runs on: SQLite always, and PostgreSQL
    /// as well when `OPTCTL_TEST_PG` names a server.
    pub(crate) fn backends() -> Vec<TestStore> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("optctl.db")).unwrap();
        let mut out = vec![TestStore {
            store,
            _home: TestHome::Dir(dir),
        }];
        if let Some(db) = PgTestDb::create() {
            let store = Store::open_postgres(&db.config).unwrap();
            out.push(TestStore {
                store,
                _home: TestHome::Pg(Box::new(db)),
            });
        }
        out
    }

    #[test]
    fn migrates_once_and_reopens() {
        let (dir, store) = temp_store();
        assert_eq!(store.user_version().unwrap(), MIGRATIONS.len() as i64);
        drop(store);
        let again = Store::open(&dir.path().join("optctl.db")).unwrap();
        assert_eq!(again.user_version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = again
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(again.integrity_check().unwrap(), "ok");
    }

    /// The PostgreSQL migrations make the same tables with the same columns as the
    /// SQLite ones, record the version, and refuse a newer schema.
    #[test]
    fn postgres_migrations_make_the_sqlite_schema() {
        let Some(db) = PgTestDb::create() else {
            return;
        };
        let pg = Store::open_postgres(&db.config).unwrap();
        assert_eq!(pg.user_version().unwrap(), schema_version());
        let (_dir, lite) = temp_store();
        let lite_columns: std::collections::BTreeSet<(String, String)> = lite
            .db()
            .query(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table'",
                db::params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
            .into_iter()
            .collect();
        // Tables, not the partitions of one (chain_snapshots' days).
        let mut pg_columns: std::collections::BTreeSet<(String, String)> = pg
            .db()
            .query(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
                 JOIN pg_catalog.pg_class k
                   ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
                 WHERE c.table_schema = 'public' AND c.table_name <> 'optctl_schema'
                   AND NOT k.relispartition",
                db::params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
            .into_iter()
            .collect();
        assert!(lite_columns.len() > 100, "{}", lite_columns.len());
        // The one column only PostgreSQL has: the day its chain rows are partitioned by.
        assert!(pg_columns.remove(&("chain_snapshots".into(), "day".into())));
        assert_eq!(pg_columns, lite_columns);
        drop(pg);
        let again = Store::open_postgres(&db.config).unwrap();
        assert_eq!(again.user_version().unwrap(), schema_version());
        again
            .db()
            .execute("UPDATE optctl_schema SET version = 999", db::params![])
            .unwrap();
        drop(again);
        let err = Store::open_postgres(&db.config).err().unwrap();
        assert!(matches!(err, Error::TooNew { found: 999, .. }), "{err}");
    }

    /// A family not yet written on `Conn`, reached on PostgreSQL, ends the command with
    /// `NotPorted`, not a crash; other panics still unwind.
    #[test]
    fn an_unported_family_on_postgres_is_an_error_not_a_crash() {
        let Some(db) = PgTestDb::create() else {
            return;
        };
        let store = Store::open_postgres(&db.config).unwrap();
        let err = catching_not_ported(|| {
            let _ = store.conn();
        })
        .unwrap_err();
        assert!(matches!(err, Error::NotPorted), "{err}");
        assert_eq!(catching_not_ported(|| 7).unwrap(), 7);
        let other = std::panic::catch_unwind(|| catching_not_ported(|| panic!("a bug")));
        assert!(other.is_err());
    }

    /// Four hosts opening one new PostgreSQL database at the same moment: the advisory
    /// lock lets one migrate and the others find it done.
    #[test]
    fn hosts_migrating_one_postgres_database_at_once_all_succeed() {
        let Some(db) = PgTestDb::create() else {
            return;
        };
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let hosts: Vec<_> = (0..4)
            .map(|_| {
                let (config, start) = (db.config.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open_postgres(&config)
                        .and_then(|s| s.user_version())
                        .map_err(|e| e.with_causes())
                })
            })
            .collect();
        for h in hosts {
            assert_eq!(h.join().unwrap(), Ok(schema_version()));
        }
    }

    #[test]
    fn refuses_a_newer_schema() {
        let (dir, store) = temp_store();
        store
            .conn()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        drop(store);
        let path = dir.path().join("optctl.db");
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::TooNew { found: 999, .. }), "{err}");
        assert!(err.to_string().contains("upgrade optctl"));
        let err = Store::open_read_only(&path).err().unwrap();
        assert!(matches!(err, Error::TooNew { .. }));
    }

    #[test]
    fn refuses_a_foreign_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "application_id", 42).unwrap();
        drop(c);
        assert!(matches!(
            Store::open(&path),
            Err(Error::NotOptctl { found: 42, .. })
        ));
    }

    #[test]
    fn read_only_needs_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = Store::open_read_only(&dir.path().join("none.db"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("run `optctl scan` first"));
    }
}
