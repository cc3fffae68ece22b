//! Soak test with faults: every optctl job at once on one data home, under HTTP load,
//! with a random one of them SIGKILLed every few seconds. Run it through
//! `scripts/soak.sh --seconds N` (which builds optctl and the workbook variants first):
//!
//!     soak --bin target/debug/optctl --variants DIR --seconds 60 [--conns 32] [--json FILE]
//!          [--old-scans N] [--full-disk auto|on|off] [--store URL [--keep-db]]
//!
//! The store is the data home's SQLite file; with `--store postgres://user@host/db` it is a
//! PostgreSQL database of the soak's own, `optctl_soak_<pid>_<time>`, created on that
//! server (the URL's database is only where the soak connects to create it) and given to
//! every optctl process as `OPTCTL_STORE`; it is dropped at the end unless `--keep-db`.
//!
//! Loops, each restarting its process as soon as it ends (or is killed):
//! - `optctl scan` then `optctl export` (a scan's id is remembered once it reported success);
//!   once, after the third scan started, a scan and an export dated a year ahead (`--as-of`), as a
//!   mistyped date or a clock set ahead would make them;
//! - `optctl process-excel` on workbooks that another thread keeps rewriting in place,
//!   sometimes leaving them half-written for a moment, as Excel or a feed would;
//! - `optctl enrich run` with injected provider latency, failures and 429s, every other
//!   run with its clock an hour behind (`--as-of`), sharing the persisted limiter and breaker;
//! - `optctl migrate-scheduler run`;
//! - `optctl serve`, under `--conns` keep-alive clients on its main routes (127.0.0.1 only).
//!
//! A killer thread SIGKILLs a random running optctl process every 2-4 s, sparing the next
//! run of a job whose last two were killed (so every job can complete one). At the end it
//! checks, prints, and exits non-zero unless every target holds: no "database is locked"
//! (SQLITE_BUSY) failure (on PostgreSQL: no deadlock, serialization, lock-timeout or
//! too-many-clients failure, and no deadlock in the server's own count), no served
//! response that was not complete valid JSON (outside the moment serve itself was
//! killed), no export file that did not parse, no committed scan or excel run missing
//! afterwards, no committed scan's chain rows and no archive made before the
//! future-dated scan and export missing (retention must not eat them), `PRAGMA
//! integrity_check` = ok (on PostgreSQL: `amcheck`'s index and heap checks, when the
//! server lets the soak create the extension), no scan left `running` after the next
//! scan's recovery; with each job's runs, kills and peak RSS.
//!
//! Before the jobs start, the store gets old chain rows (`--old-scans N` scans of
//! ~20,000 rows dated 30+ days back; by default as many as `--seconds`, at most 100),
//! written through optctl's own store code, that the run's scans prune in bounded
//! batches while the other jobs write: their count must fall during the run and none be
//! left after the recovery scan.
//!
//! Then the nearly-full disk (`--full-disk auto|on|off`; auto runs it as root, and
//! under `CI` a missed target if it cannot): see `full_disk`. It fills a tmpfs under a
//! SQLite store, so it is skipped, saying why, with `--store`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the data home's config points the jobs.
const CONFIG: &str = r#"
[watchlist]
tickers = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA",
           "AMD", "NFLX", "JPM", "BAC", "XOM", "DIS", "BA", "INTC", "COIN", "PLTR"]

[provider.sim]
anomaly_rate = 0.1
failure_rate = 0.05
throttle_rate = 0.05
retry_after_ms = 50
latency_ms = 5

[excel]
lock_file_check = false
"#;

/// Routes the load clients cycle through.
const ROUTES: &[&str] = &[
    "/health",
    "/alerts/latest",
    "/scans/latest",
    "/alerts?min_score=0.5",
    "/features/AAPL/latest",
    "/api/v1/stocks",
    "/api/v1/background/status",
];

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// xorshift64*: enough randomness for picking victims and delays.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        Rng(now_ms() ^ (u64::from(std::process::id()) << 32) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What happened to one job.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct JobStats {
    runs: u64,
    ok: u64,
    partial: u64,
    skipped_or_locked: u64,
    failed: u64,
    killed: u64,
    /// Killed after the run had recorded its end (a scan in its prune): its work is in.
    killed_after_end: u64,
    /// The job's latest runs that were killed before they recorded their end, in a row.
    killed_in_a_row: u64,
    busy_failures: u64,
    peak_rss_kb: u64,
    last_failure: Option<String>,
}

#[derive(Default)]
struct Shared {
    /// The PostgreSQL URL every optctl process gets as `OPTCTL_STORE`; None: the home's
    /// SQLite file.
    store_url: Option<String>,
    jobs: Mutex<BTreeMap<&'static str, JobStats>>,
    /// The pid of each job's latest process.
    last_pid: Mutex<BTreeMap<&'static str, u32>>,
    /// Running optctl processes the killer may pick: pid -> job.
    running: Mutex<BTreeMap<u32, &'static str>>,
    /// Rows that a job reported as committed, by table: each must still be there at the end.
    committed: Mutex<BTreeMap<&'static str, Vec<i64>>>,
    /// (scan id, contracts) of every committed scan: its chain rows must all be there at
    /// the end (the soak is far shorter than chain retention).
    scan_contracts: Mutex<Vec<(i64, i64)>>,
    /// Archive names that existed before the future-dated export: all must remain.
    archives_before_future: Mutex<Option<Vec<String>>>,
    /// Whether the future-dated scan and export each completed.
    future_scan_done: AtomicBool,
    future_export_done: AtomicBool,
    served_ok: AtomicU64,
    served_other_status: AtomicU64,
    /// The other statuses by status and error code ("503 store_busy").
    other_statuses: Mutex<BTreeMap<String, u64>>,
    served_invalid: AtomicU64,
    served_cut_by_kill: AtomicU64,
    connect_failures: AtomicU64,
    /// Keep-alive connections found closed before a request was answered.
    reconnects: AtomicU64,
    export_reads: AtomicU64,
    export_parse_failures: AtomicU64,
    workbook_writes: AtomicU64,
    workbook_half_writes: AtomicU64,
    /// When serve was last killed (ms since the epoch).
    serve_killed_at: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn commit(&self, table: &'static str, ids: impl IntoIterator<Item = i64>) {
        self.committed
            .lock()
            .unwrap()
            .entry(table)
            .or_default()
            .extend(ids);
    }

    fn job(&self, name: &'static str, f: impl FnOnce(&mut JobStats)) {
        f(self.jobs.lock().unwrap().entry(name).or_default());
    }
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

struct Opts {
    bin: PathBuf,
    variants: PathBuf,
    seconds: u64,
    conns: usize,
    json: Option<PathBuf>,
    /// Old scans (of ~20,000 chain rows each) seeded for the run's scans to prune;
    /// by default as many as `seconds`, at most 100.
    old_scans: i64,
    /// The nearly-full-disk part: "auto" runs it as root (and under `CI` insists on it),
    /// "on" insists, "off" skips it.
    full_disk: String,
    /// A PostgreSQL URL: the server to run on (`--store`).
    store: Option<String>,
    /// Keep the soak's PostgreSQL database at the end (`--keep-db`).
    keep_db: bool,
}

fn parse_args() -> Opts {
    let mut o = Opts {
        bin: PathBuf::from("target/debug/optctl"),
        variants: PathBuf::new(),
        seconds: 60,
        conns: 32,
        json: None,
        old_scans: -1,
        full_disk: "auto".into(),
        store: None,
        keep_db: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--bin" => o.bin = val().into(),
            "--variants" => o.variants = val().into(),
            "--seconds" => o.seconds = val().parse().expect("--seconds N"),
            "--conns" => o.conns = val().parse().expect("--conns N"),
            "--json" => o.json = Some(val().into()),
            "--old-scans" => o.old_scans = val().parse().expect("--old-scans N"),
            "--full-disk" => o.full_disk = val(),
            "--store" => o.store = Some(val()),
            "--keep-db" => o.keep_db = true,
            other => panic!("unknown argument {other}"),
        }
    }
    if o.old_scans < 0 {
        // ~20,000 rows each: about 1.2 million rows for a 60 s soak, 2 million from 100 s
        // on (the debug build prunes about 35,000 rows a second under the soak's load).
        o.old_scans = (o.seconds as i64).clamp(10, 100);
    }
    assert!(
        o.variants.is_dir(),
        "--variants DIR: folders of Historical.xlsx + Live.xlsx"
    );
    o
}

/// An optctl command on the data home `home`, its store the PostgreSQL database `store`
/// names (else the home's SQLite file, whatever the environment says).
fn optctl(bin: &Path, home: &Path, store: Option<&str>) -> Command {
    let mut c = Command::new(bin);
    c.env("OPTCTL_HOME", home)
        .env("XDG_CONFIG_HOME", home.join("cfg"))
        .env_remove("OPTCTL_CONFIG")
        .env_remove("OPTCTL_NOW")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    match store {
        Some(url) => c.env("OPTCTL_STORE", url),
        None => c.env_remove("OPTCTL_STORE"),
    };
    c
}

/// VmHWM (peak resident set) of a live process, kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Whether a job's stderr tells of a failure to get at the store under contention:
/// SQLite's "database is locked"; on PostgreSQL (`pg`), a deadlock, a serialization
/// failure, a lock or statement timeout, or no connection slot left.
fn is_busy(stderr: &str, pg: bool) -> bool {
    let s = stderr.to_ascii_lowercase();
    if pg {
        return [
            "deadlock detected",
            "could not serialize access",
            "lock timeout",
            "could not obtain lock",
            "statement timeout",
            "too many clients",
            "remaining connection slots",
        ]
        .iter()
        .any(|p| s.contains(p));
    }
    s.contains("database is locked") || s.contains("sqlite_busy") || s.contains("database busy")
}

/// Runs one optctl process of `job` to its end, registered for the killer, sampling its
/// peak RSS. Returns stdout when it exited 0 or 3.
fn run_job(
    shared: &Shared,
    bin: &Path,
    home: &Path,
    job: &'static str,
    args: &[&str],
) -> Option<String> {
    let logs = home.join("soak-logs");
    let out_path = logs.join(format!("{job}.out"));
    let err_path = logs.join(format!("{job}.err"));
    let mut child: Child = optctl(bin, home, shared.store_url.as_deref())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("log file"))
        .stderr(std::fs::File::create(&err_path).expect("log file"))
        .spawn()
        .expect("start optctl");
    let pid = child.id();
    shared.last_pid.lock().unwrap().insert(job, pid);
    shared.running.lock().unwrap().insert(pid, job);
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        match child.try_wait().expect("wait") {
            Some(status) => break status,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    shared.running.lock().unwrap().remove(&pid);
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let busy = is_busy(&stderr, shared.store_url.is_some());
    let mut ok = None;
    shared.job(job, |s| {
        s.runs += 1;
        s.peak_rss_kb = s.peak_rss_kb.max(peak);
        if status.signal() != Some(9) {
            s.killed_in_a_row = 0;
        }
        match (status.signal(), status.code()) {
            (Some(9), _) => {
                s.killed += 1;
                s.killed_in_a_row += 1;
            }
            (_, Some(0)) => {
                s.ok += 1;
                ok = Some(stdout);
            }
            (_, Some(3)) => {
                s.partial += 1;
                ok = Some(stdout);
            }
            (_, Some(75)) => s.skipped_or_locked += 1,
            _ => {
                s.failed += 1;
                if busy {
                    s.busy_failures += 1;
                }
                s.last_failure = Some(format!(
                    "{status}: {}",
                    stderr
                        .lines()
                        .last()
                        .unwrap_or("")
                        .chars()
                        .take(300)
                        .collect::<String>()
                ));
            }
        }
        // A partial run may still have met a busy database on some ticker.
        if status.code() == Some(3) && busy {
            s.busy_failures += 1;
        }
    });
    ok
}

/// The numbers in the array `key` of a JSON document (none when it is not there).
fn json_ids(stdout: &str, key: &str) -> Vec<i64> {
    serde_json::from_str::<serde_json::Value>(stdout)
        .ok()
        .and_then(|v| {
            v.get(key)?
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_i64()).collect())
        })
        .unwrap_or_default()
}

fn json_id(stdout: &str, key: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(stdout)
        .ok()?
        .get(key)?
        .as_i64()
}

/// Remembers a scan that reported success: its row and its chain rows must remain.
fn commit_scan(shared: &Shared, stdout: &str) {
    if let Some(id) = json_id(stdout, "scan_id") {
        shared.commit("scans", [id]);
        let contracts = json_id(stdout, "contracts").unwrap_or(0);
        shared.scan_contracts.lock().unwrap().push((id, contracts));
    }
}

/// Where the soak's store is: the data home's SQLite file, or a PostgreSQL database the
/// soak created for the run (`--store`).
enum SoakStore {
    Sqlite(PathBuf),
    Postgres(Box<PgDb>),
}

/// A PostgreSQL database of the soak's own on the server `--store` names, dropped with
/// this value unless `keep`.
struct PgDb {
    /// The server as `--store` names it: its database is where the soak connects to
    /// create and drop its own.
    server: postgres::Config,
    /// The soak's database.
    config: postgres::Config,
    name: String,
    /// `--store` naming the soak's database instead: what every optctl process gets.
    url: String,
    keep: bool,
}

/// A PostgreSQL error with its causes ("db error: ERROR: ..."), on one line, for
/// messages.
fn pg_error(e: &postgres::Error) -> String {
    let mut s = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    // The server's DETAIL and HINT come on lines of their own.
    s.replace('\n', " ")
}

/// SQL written with SQLite's `?N` placeholders, as PostgreSQL takes it (`$N`).
fn pg_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

impl PgDb {
    /// Creates `optctl_soak_<pid>_<unix time>` on the server `url` names.
    fn create(url: &str, keep: bool) -> Result<PgDb, String> {
        let location = optctl::store::location::Location::from_arg(url)
            .map_err(|e| format!("--store: {e}"))?;
        let server = location
            .postgres_config()
            .ok_or("--store: not a PostgreSQL URL: write postgres://user@host:5432/database")?
            .clone();
        if server.get_ssl_mode() == postgres::config::SslMode::Require {
            // Its own connections (create, drop, checks) are plain-text ones.
            return Err("--store: the soak does not connect over TLS (sslmode=require)".into());
        }
        let name = format!("optctl_soak_{}_{}", std::process::id(), now_ms() / 1000);
        let mut parsed =
            reqwest::Url::parse(url.trim()).map_err(|e| format!("--store: bad URL: {e}"))?;
        parsed.set_path(&format!("/{name}"));
        let mut config = server.clone();
        config.dbname(&name);
        let mut client = server
            .connect(postgres::NoTls)
            .map_err(|e| format!("cannot connect to {location}: {}", pg_error(&e)))?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("cannot create database {name}: {}", pg_error(&e)))?;
        Ok(PgDb {
            server,
            config,
            name,
            url: parsed.to_string(),
            keep,
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let shown = optctl::store::location::url_without_password(&self.url);
        if self.keep {
            println!("soak: the database {shown} is kept (--keep-db)");
            return;
        }
        let dropped = self.server.connect(postgres::NoTls).and_then(|mut c| {
            c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
        });
        match dropped {
            Ok(()) => println!("soak: dropped the database {}", self.name),
            Err(e) => eprintln!(
                "soak: could not drop the database {shown}: {}",
                pg_error(&e)
            ),
        }
    }
}

/// A connection of the soak's own to its store, for the checks (read-only on SQLite).
enum Reader {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl SoakStore {
    fn is_pg(&self) -> bool {
        matches!(self, SoakStore::Postgres(_))
    }

    /// The URL the optctl processes get as `OPTCTL_STORE` (None: the home's file).
    fn url(&self) -> Option<String> {
        match self {
            SoakStore::Sqlite(_) => None,
            SoakStore::Postgres(db) => Some(db.url.clone()),
        }
    }

    fn read(&self) -> Result<Reader, String> {
        match self {
            SoakStore::Sqlite(path) => rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map(Reader::Sqlite)
            .map_err(|e| format!("open {}: {e}", path.display())),
            SoakStore::Postgres(db) => db
                .config
                .connect(postgres::NoTls)
                .map(|c| Reader::Postgres(Box::new(c)))
                .map_err(|e| format!("connect to {}: {}", db.name, pg_error(&e))),
        }
    }

    /// The store through optctl's own code (created and migrated by then).
    fn open(&self) -> optctl::store::Store {
        let opened = match self {
            SoakStore::Sqlite(path) => optctl::store::Store::open(path),
            SoakStore::Postgres(db) => optctl::store::Store::open_postgres(&db.config),
        };
        opened.unwrap_or_else(|e| panic!("open the store: {}", e.with_causes()))
    }

    /// Runs one writing statement (`?N` placeholders, each an integer) that reads the
    /// same on both backends; returns the rows it changed.
    fn execute(&self, sql: &str, params: &[i64]) -> Result<u64, String> {
        match self {
            SoakStore::Sqlite(path) => {
                let db = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                db.busy_timeout(Duration::from_secs(10))
                    .map_err(|e| e.to_string())?;
                db.execute(sql, rusqlite::params_from_iter(params))
                    .map(|n| n as u64)
                    .map_err(|e| e.to_string())
            }
            SoakStore::Postgres(db) => {
                let mut c = db
                    .config
                    .connect(postgres::NoTls)
                    .map_err(|e| pg_error(&e))?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                c.execute(&pg_sql(sql), &refs).map_err(|e| pg_error(&e))
            }
        }
    }
}

impl Reader {
    /// The integer columns of the first row of `sql` (`?N` placeholders, each an
    /// integer); None when it returns no row.
    fn ints(&mut self, sql: &str, params: &[i64]) -> Result<Option<Vec<Option<i64>>>, String> {
        match self {
            Reader::Sqlite(db) => {
                let mut stmt = db.prepare_cached(sql).map_err(|e| e.to_string())?;
                let n = stmt.column_count();
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params))
                    .map_err(|e| e.to_string())?;
                match rows.next().map_err(|e| e.to_string())? {
                    Some(r) => (0..n)
                        .map(|i| r.get::<_, Option<i64>>(i))
                        .collect::<rusqlite::Result<_>>()
                        .map(Some)
                        .map_err(|e| e.to_string()),
                    None => Ok(None),
                }
            }
            Reader::Postgres(c) => {
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                match c.query_opt(&pg_sql(sql), &refs).map_err(|e| pg_error(&e))? {
                    Some(r) => (0..r.len())
                        .map(|i| r.try_get::<_, Option<i64>>(i))
                        .collect::<Result<_, _>>()
                        .map(Some)
                        .map_err(|e| pg_error(&e)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The integer `sql` returns (a count), 0 for none.
    fn int(&mut self, sql: &str, params: &[i64]) -> Result<i64, String> {
        Ok(self
            .ints(sql, params)?
            .and_then(|r| r.into_iter().next().flatten())
            .unwrap_or(0))
    }

    /// The store's own consistency check: "ok", or what it found. SQLite: `PRAGMA
    /// integrity_check`. PostgreSQL: `amcheck`'s `bt_index_check` (with every heap
    /// tuple looked up in the index) on each B-tree index and `verify_heapam` on each
    /// table of the schema; Err(why) when the server cannot run them (amcheck is a
    /// contrib extension, and creating it takes a superuser).
    fn integrity(&mut self) -> Result<String, String> {
        let c = match self {
            Reader::Sqlite(db) => {
                return Ok(db
                    .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                    .expect("integrity_check"));
            }
            Reader::Postgres(c) => c,
        };
        c.batch_execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            .map_err(|e| format!("amcheck cannot be created here: {}", pg_error(&e)))?;
        let relations = |c: &mut postgres::Client, kinds: &str| -> Result<Vec<String>, String> {
            c.query(
                "SELECT c.oid::regclass::text FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_am am ON am.oid = c.relam
                 WHERE n.nspname = current_schema() AND c.relpersistence = 'p'
                   AND position(c.relkind::text IN $1) > 0
                   AND (c.relkind <> 'i' OR am.amname = 'btree')
                 ORDER BY 1",
                &[&kinds],
            )
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .map_err(|e| pg_error(&e))
        };
        let mut problems = Vec::new();
        for index in relations(c, "i")? {
            if let Err(e) = c.execute("SELECT bt_index_check($1::text::regclass, true)", &[&index])
            {
                problems.push(format!("{index}: {}", pg_error(&e)));
            }
        }
        for table in relations(c, "r")? {
            let found = c.query(
                "SELECT blkno, offnum, msg FROM verify_heapam($1::text::regclass) LIMIT 3",
                &[&table],
            );
            match found {
                Ok(rows) => problems.extend(rows.iter().map(|r| {
                    let (blk, off, msg): (i64, Option<i32>, String) =
                        (r.get(0), r.get(1), r.get(2));
                    format!("{table} block {blk} item {off:?}: {msg}")
                })),
                Err(e) => problems.push(format!("{table}: {}", pg_error(&e))),
            }
        }
        Ok(if problems.is_empty() {
            "ok".to_string()
        } else {
            problems.join("; ")
        })
    }
}

/// Old chain rows put into the home before the run for the scans' retention to prune.
struct OldChains {
    /// The seeded scan ids: `lo..=hi`.
    lo: i64,
    hi: i64,
    rows: i64,
    took: Duration,
    /// Of `took`, the real scan whose chains they copy.
    scan_took: Duration,
}

/// Makes the store hold `scans` old scans' worth of chain rows, each a copy of one real
/// scan's chains dated 30 days and more before now (an hour apart), well behind the
/// retention cutoff (`keep_chain_days`, 5): one real scan, then each old scan written
/// through optctl's own store code (`Scans::begin`, `Chains::record_ticker` per ticker,
/// `Scans::finish`), so the rows are written as optctl writes them on either backend,
/// whatever columns the chain table grows. The old
/// scans' features rows then go (and their features carry no 30-day IV, so they add no
/// IV history): retention keeps each ticker's three newest scans by their features,
/// and the old chains must all be prunable, as they are in a home whose old scans are
/// long past. The first scan of the run prunes them, in bounded batches, while the
/// other jobs write.
fn seed_old_chains(
    shared: &Shared,
    bin: &Path,
    home: &Path,
    store: &SoakStore,
    scans: i64,
) -> OldChains {
    use optctl::store::chains::TickerWrite;
    use optctl::store::scans::{ScanStatus, ScanTotals};

    let started = Instant::now();
    let out = optctl(bin, home, shared.store_url.as_deref())
        .args(["--json", "scan"])
        .output()
        .expect("seed scan");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = json_id(&stdout, "scan_id").unwrap_or_else(|| {
        panic!(
            "the seed scan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    commit_scan(shared, &stdout);
    let scan_took = started.elapsed();
    let fail = |what: &str, e: optctl::store::Error| -> ! {
        panic!("seeding old chains: {what}: {}", e.with_causes())
    };
    let mut db = store.open();
    let tickers = db
        .chains()
        .tickers_in_scan(first)
        .unwrap_or_else(|e| fail("tickers", e));
    // (features, contracts) of each ticker in the seed scan, the only one yet. The copies
    // keep the quote, IV and first greeks, not rho, model, the source's own figures or
    // gex, nor the expiries' forwards: the rows the prune deletes are as wide as they
    // have been since the soak seeded them, so its pace (and so how many scans a 60 s
    // soak starts) stays what CI has measured.
    let chains: Vec<_> = tickers
        .iter()
        .map(|t| {
            let mut features = db
                .chains()
                .latest_features_of(t)
                .unwrap_or_else(|e| fail("features", e))
                .expect("a stored chain has features");
            features.atm_iv_30d = None;
            let mut contracts: Vec<_> = db
                .chains()
                .get(first, t)
                .unwrap_or_else(|e| fail("chain", e))
                .into_iter()
                .map(|c| optctl::store::chains::ContractRow {
                    rho: None,
                    model: None,
                    vendor_iv: None,
                    vendor_delta: None,
                    vendor_gamma: None,
                    vendor_theo: None,
                    gex: None,
                    ..c
                })
                .collect();
            // In key order (scan, ticker, symbol), so the table's pages fill as
            // densely as one ordered INSERT fills them.
            contracts.sort_by(|a, b| a.symbol.cmp(&b.symbol));
            (features, contracts)
        })
        .collect();
    let contracts: u64 = chains.iter().map(|(_, c)| c.len() as u64).sum();
    let base = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap()
        - chrono::Duration::days(30);
    let mut ids = Vec::new();
    for i in 1..=scans {
        let t = base - chrono::Duration::hours(scans - i);
        let id = db
            .scans_mut()
            .begin(t, t, "sim", tickers.len() as u64, None)
            .unwrap_or_else(|e| fail("begin", e));
        for (features, contracts) in &chains {
            let features = optctl::store::chains::FeatureRow {
                as_of: t,
                ..features.clone()
            };
            db.chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: id,
                    features: &features,
                    contracts,
                    expiries: &[],
                    alerts: &[],
                    alert_outbox: &[],
                    iv_day: t.date_naive(),
                })
                .unwrap_or_else(|e| fail("chain rows", e));
        }
        let totals = ScanTotals {
            tickers_ok: tickers.len() as u64,
            contracts,
            ..ScanTotals::default()
        };
        db.scans_mut()
            .finish(id, ScanStatus::Succeeded, t, &totals)
            .unwrap_or_else(|e| fail("finish", e));
        ids.push(id);
    }
    drop(db);
    let (lo, hi) = (ids[0], ids[ids.len() - 1]);
    store
        .execute(
            "DELETE FROM features WHERE scan_id BETWEEN ?1 AND ?2",
            &[lo, hi],
        )
        .unwrap_or_else(|e| panic!("seeding old chains: features: {e}"));
    OldChains {
        lo,
        hi,
        rows: contracts as i64 * scans,
        took: started.elapsed(),
        scan_took,
    }
}

/// Chain rows of the seeded old scans still stored.
fn old_chain_rows(store: &SoakStore, old: &OldChains) -> i64 {
    store
        .read()
        .and_then(|mut db| {
            db.int(
                "SELECT count(*) FROM chain_snapshots WHERE scan_id BETWEEN ?1 AND ?2",
                &[old.lo, old.hi],
            )
        })
        .unwrap_or_else(|e| panic!("count old chain rows: {e}"))
}

/// Size of the tmpfs the nearly-full-disk part mounts as its data home.
const FULL_DISK_MB: u64 = 64;

/// A tmpfs mounted by the soak: unmounted when dropped, whatever happened.
struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Busy (a process we started still has a file open): detach it now.
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// Whether this process runs as root (effective uid 0).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// Free bytes on the file system holding `dir` (`df`).
fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Default)]
struct FullDiskFigures {
    scans: u64,
    scans_committed: u64,
    scans_said_full: u64,
    scans_failed_otherwise: u64,
    exports: u64,
    exports_ok: u64,
    exports_said_full: u64,
    filler_mb: u64,
    killed_scan: Option<i64>,
    killed_scan_status: String,
    committed_before_full: usize,
    committed_before_full_missing: usize,
    left_running: i64,
    integrity: String,
    scans_json_ok: bool,
    last_full_message: String,
    last_export_failure: String,
    /// Scan rows `running` while the disk was still full: a scan that could not record
    /// its end leaves its row to the next scan.
    running_while_full: i64,
    recovery_code: Option<i32>,
    /// What the recovery scan wrote to stderr when it did not exit 0.
    recovery_said: String,
}

/// The nearly-full disk: a `FULL_DISK_MB` tmpfs as a data home of its own, most of it
/// taken by a filler file once the first scan and export are stored; then scans and
/// exports until a scan meets the full disk, and three rounds more; the first scan after
/// the filler is SIGKILLed mid-run. Then readers and `integrity_check` on the full disk;
/// then the filler goes and one more scan marks what is left `running`. Unmounted in
/// all cases.
fn full_disk(bin: &Path, dir: &Path) -> Result<FullDiskFigures, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mounted = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={FULL_DISK_MB}m"),
            "tmpfs",
        ])
        .arg(dir)
        .output()
        .map_err(|e| format!("mount: {e}"))?;
    if !mounted.status.success() {
        return Err(format!(
            "mount -t tmpfs failed: {}",
            String::from_utf8_lossy(&mounted.stderr).trim()
        ));
    }
    let _mount = Tmpfs(dir.to_path_buf());
    let home = dir;
    std::fs::create_dir_all(home.join("cfg/optctl")).unwrap();
    std::fs::write(home.join("cfg/optctl/config.toml"), CONFIG).unwrap();
    let mut f = FullDiskFigures::default();
    // (scan id, contracts) of scans committed before any scan met the full disk.
    let mut before_full: Vec<(i64, i64)> = Vec::new();
    let mut rounds_after_full = None;
    for round in 0..40 {
        if rounds_after_full.is_some_and(|n: u32| n >= 3) {
            break;
        }
        if round == 1 {
            // Leave room for about one more scan and export.
            let keep = 6 * 1024 * 1024;
            let fill = free_bytes(home).saturating_sub(keep);
            let chunk = vec![0x55u8; 1 << 20];
            let mut file = std::fs::File::create(home.join("filler")).unwrap();
            let mut written = 0;
            while written < fill {
                let n = chunk.len().min((fill - written) as usize);
                if file.write_all(&chunk[..n]).is_err() {
                    break;
                }
                written += n as u64;
            }
            f.filler_mb = written >> 20;
        }
        // Right after the filler, with room for the scan's row but not for its chains.
        if round == 1 {
            f.killed_scan = kill_scan_mid_run(bin, home);
            f.scans += 1;
        } else {
            let out = optctl(bin, home, None)
                .args(["--json", "scan"])
                .output()
                .expect("scan");
            f.scans += 1;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let full = stderr.contains("is full");
            if full {
                f.scans_said_full += 1;
                if let Some(l) = stderr.lines().rev().find(|l| l.contains("is full")) {
                    f.last_full_message = l.chars().take(200).collect();
                }
            }
            match (out.status.code(), json_id(&stdout, "scan_id")) {
                (Some(0 | 3), Some(id)) => {
                    f.scans_committed += 1;
                    if f.scans_said_full == 0 {
                        before_full.push((id, json_id(&stdout, "contracts").unwrap_or(0)));
                    }
                }
                _ if full => {}
                _ => f.scans_failed_otherwise += 1,
            }
        }
        let out = optctl(bin, home, None)
            .args(["export"])
            .output()
            .expect("export");
        f.exports += 1;
        if matches!(out.status.code(), Some(0 | 3)) {
            f.exports_ok += 1;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("is full") {
            f.exports_said_full += 1;
        }
        if !out.status.success() {
            f.last_export_failure = stderr
                .lines()
                .last()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
        }
        if f.scans_said_full > 0 {
            rounds_after_full = Some(rounds_after_full.map_or(0, |n| n + 1));
        }
    }
    let scans = optctl(bin, home, None)
        .args(["--json", "scans"])
        .output()
        .expect("optctl scans");
    f.scans_json_ok = scans.status.success()
        && serde_json::from_slice::<serde_json::Value>(&scans.stdout).is_ok();
    let db = rusqlite::Connection::open_with_flags(
        home.join("optctl.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .map_err(|e| format!("open the full home's store: {e}"))?;
    f.integrity = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| e.to_string());
    let running = "SELECT count(*) FROM scans WHERE status = 'running'";
    f.running_while_full = db.query_row(running, [], |r| r.get(0)).unwrap_or(-1);
    // Space freed, as a user would: the next scan marks what is left `running`.
    // Several tickers, as in the main recovery: the simulator fails 5% of chains on
    // purpose, and a one-ticker scan whose chain failed stores nothing and exits 1.
    std::fs::remove_file(home.join("filler")).unwrap();
    let recovery = optctl(bin, home, None)
        .args(["-q", "scan", "--tickers", "SPY,QQQ,IWM,AAPL,MSFT"])
        .stdout(Stdio::null())
        .output()
        .expect("recovery scan");
    f.recovery_code = recovery.status.code();
    if f.recovery_code != Some(0) {
        f.recovery_said = String::from_utf8_lossy(&recovery.stderr)
            .trim()
            .chars()
            .take(400)
            .collect();
    }
    f.left_running = db
        .query_row(
            "SELECT count(*) FROM scans WHERE status = 'running'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    if let Some(id) = f.killed_scan {
        f.killed_scan_status = db
            .query_row("SELECT status FROM scans WHERE id = ?1", [id], |r| r.get(0))
            .unwrap_or_else(|_| "missing".into());
    }
    f.committed_before_full = before_full.len();
    f.committed_before_full_missing = before_full
        .iter()
        .filter(|(id, contracts)| {
            db.query_row(
                "SELECT count(*) FROM chain_snapshots WHERE scan_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0)
                < *contracts
        })
        .count();
    drop(db);
    Ok(f)
}

/// Starts a scan and SIGKILLs it once its row is `running`; returns that row's id.
fn kill_scan_mid_run(bin: &Path, home: &Path) -> Option<i64> {
    let mut child = optctl(bin, home, None)
        .args(["-q", "scan"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scan");
    let until = Instant::now() + Duration::from_secs(5);
    let mut id = None;
    while id.is_none() && Instant::now() < until {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        id = rusqlite::Connection::open_with_flags(
            home.join("optctl.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()
        .and_then(|db| {
            db.query_row(
                "SELECT max(id) FROM scans WHERE status = 'running'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .ok()
            .flatten()
        });
        if id.is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    id
}

/// A scan killed after it recorded its end (in its prune, which the next scan goes on
/// with) has committed: its row and chain rows must remain like a reported one's.
fn commit_scan_killed_in_prune(shared: &Shared, store: &SoakStore) {
    let Some(pid) = shared.last_pid.lock().unwrap().get("scan").copied() else {
        return;
    };
    let Ok(mut db) = store.read() else {
        return;
    };
    let row = db.ints(
        "SELECT id, contracts FROM scans WHERE id = (SELECT max(id) FROM scans WHERE pid = ?1)
         AND status IN ('succeeded', 'partial')",
        &[i64::from(pid)],
    );
    if let Ok(Some(row)) = row
        && let [Some(id), Some(contracts)] = row[..]
    {
        shared.commit("scans", [id]);
        shared.scan_contracts.lock().unwrap().push((id, contracts));
        shared.job("scan", |s| {
            if s.killed > 0 {
                s.killed_after_end += 1;
                s.killed_in_a_row = 0;
            }
        });
    }
}

/// One scan and one export dated a year ahead, each retried until it completes (the
/// killer leaves them alone: see `killer`). Before the export, notes the archives there
/// are.
fn future_dated_runs(shared: &Shared, bin: &Path, home: &Path) {
    let ahead = (chrono::Utc::now() + chrono::Duration::days(364))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    if !shared.future_scan_done.load(Ordering::Relaxed)
        && let Some(out) = run_job(
            shared,
            bin,
            home,
            "future-scan",
            &["--json", "--as-of", &ahead, "scan"],
        )
    {
        commit_scan(shared, &out);
        shared.future_scan_done.store(true, Ordering::Relaxed);
    }
    if !shared.future_export_done.load(Ordering::Relaxed) {
        let mut before = shared.archives_before_future.lock().unwrap();
        if before.is_none() {
            let mut names: Vec<String> = std::fs::read_dir(home.join("exports/archive"))
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        .filter(|n| !n.starts_with('.'))
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            *before = Some(names);
        }
        drop(before);
        if run_job(
            shared,
            bin,
            home,
            "future-export",
            &["--as-of", &ahead, "export"],
        )
        .is_some()
        {
            shared.future_export_done.store(true, Ordering::Relaxed);
        }
    }
}

fn job_loop(shared: &Shared, pause: Duration, mut body: impl FnMut()) {
    while !shared.stopped() {
        body();
        std::thread::sleep(pause);
    }
}

/// Rewrites Live.xlsx (and now and then Historical.xlsx) in place from the variants,
/// sometimes stopping half-way for a moment as a slow writer would.
fn workbook_writer(shared: &Shared, home: &Path, variants: &[PathBuf]) {
    let mut rng = Rng::seeded();
    let dir = home.join("excel");
    while !shared.stopped() {
        let v = &variants[rng.below(variants.len() as u64) as usize];
        let name = if rng.below(10) == 0 {
            "Historical.xlsx"
        } else {
            "Live.xlsx"
        };
        let bytes = std::fs::read(v.join(name)).expect("variant workbook");
        let target = dir.join(name);
        let mut f = std::fs::File::create(&target).expect("rewrite workbook");
        if rng.below(4) == 0 {
            let cut = bytes.len() / 2;
            f.write_all(&bytes[..cut]).unwrap();
            f.flush().unwrap();
            shared.workbook_half_writes.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(150));
            f.write_all(&bytes[cut..]).unwrap();
        } else {
            f.write_all(&bytes).unwrap();
        }
        shared.workbook_writes.fetch_add(1, Ordering::Relaxed);
        drop(f);
        std::thread::sleep(Duration::from_millis(400 + rng.below(600)));
    }
}

/// Parses every export file now and then: a reader must never see a torn file.
fn export_reader(shared: &Shared, home: &Path) {
    let dir = home.join("exports");
    while !shared.stopped() {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "json") {
                    let Ok(bytes) = std::fs::read(&p) else {
                        continue;
                    };
                    shared.export_reads.fetch_add(1, Ordering::Relaxed);
                    if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() {
                        shared.export_parse_failures.fetch_add(1, Ordering::Relaxed);
                        eprintln!(
                            "soak: {} did not parse ({} bytes)",
                            p.display(),
                            bytes.len()
                        );
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Keeps `optctl serve` running on `port`, restarting it when it dies.
fn serve_supervisor(shared: &Shared, bin: &Path, home: &Path, port: u16) {
    let port = port.to_string();
    while !shared.stopped() {
        run_job(
            shared,
            bin,
            home,
            "serve",
            &["serve", "--port", &port, "--threads", "2"],
        );
        if !shared.stopped() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

enum Response {
    Complete {
        status: u16,
        body: Vec<u8>,
    },
    /// The connection closed before any byte of the response: a keep-alive connection
    /// the server had closed. HTTP clients retry those on a new connection.
    Closed,
    /// The connection died part-way through the response: a torn response.
    Cut,
}

/// Sends one GET and reads the response.
fn get(s: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> Response {
    buf.clear();
    match read_response(s, path, buf) {
        Ok(r) => r,
        Err(_) if buf.is_empty() => Response::Closed,
        Err(_) => Response::Cut,
    }
}

fn read_response(s: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> std::io::Result<Response> {
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let len: Option<usize> = head.split("\r\n").find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            });
            let Some(len) = len else {
                return Ok(Response::Complete {
                    status,
                    body: Vec::new(),
                });
            };
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk)?;
                if n == 0 {
                    return Ok(Response::Cut);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(Response::Complete {
                status,
                body: buf[end + 4..end + 4 + len].to_vec(),
            });
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Ok(if buf.is_empty() {
                Response::Closed
            } else {
                Response::Cut
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn load_client(shared: &Shared, addr: SocketAddr, offset: usize) {
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::new();
    let mut i = offset;
    while !shared.stopped() {
        let s = match stream.as_mut() {
            Some(s) => s,
            None => match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(s) => {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    stream.insert(s)
                }
                Err(_) => {
                    shared.connect_failures.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            },
        };
        let path = ROUTES[i % ROUTES.len()];
        i += 1;
        let killed_recently =
            || now_ms().saturating_sub(shared.serve_killed_at.load(Ordering::Relaxed)) < 2000;
        match get(s, path, &mut buf) {
            Response::Complete { status, body } => {
                let json = serde_json::from_slice::<serde_json::Value>(&body).ok();
                if json.is_none() {
                    shared.served_invalid.fetch_add(1, Ordering::Relaxed);
                    eprintln!(
                        "soak: GET {path} -> {status} with a body that is not JSON: {:?}",
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    );
                } else if status == 200 || status == 304 {
                    shared.served_ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    // 404/503 before the first export: still a complete JSON error.
                    shared.served_other_status.fetch_add(1, Ordering::Relaxed);
                    let code = json
                        .as_ref()
                        .and_then(|v| v.pointer("/error/code")?.as_str())
                        .unwrap_or("-");
                    *shared
                        .other_statuses
                        .lock()
                        .unwrap()
                        .entry(format!("{status} {code}"))
                        .or_default() += 1;
                }
            }
            Response::Closed => {
                stream = None;
                shared.reconnects.fetch_add(1, Ordering::Relaxed);
            }
            Response::Cut => {
                stream = None;
                if killed_recently() {
                    shared.served_cut_by_kill.fetch_add(1, Ordering::Relaxed);
                } else {
                    shared.served_invalid.fetch_add(1, Ordering::Relaxed);
                    eprintln!("soak: GET {path}: response cut while serve was running");
                }
            }
        }
    }
}

/// Kills in a row after which the killer leaves a job's next run alone.
const SPARE_AFTER_KILLS: u64 = 2;

fn killer(shared: &Shared, kills: &AtomicU64) {
    let mut rng = Rng::seeded();
    while !shared.stopped() {
        std::thread::sleep(Duration::from_millis(2000 + rng.below(2000)));
        if shared.stopped() {
            break;
        }
        let running: Vec<(u32, &str)> = shared
            .running
            .lock()
            .unwrap()
            .iter()
            .map(|(p, j)| (*p, *j))
            .collect();
        let victims: Vec<(u32, &str)> = {
            let jobs = shared.jobs.lock().unwrap();
            let spared = |job: &str| {
                jobs.get(job)
                    .is_some_and(|s| s.killed_in_a_row >= SPARE_AFTER_KILLS)
            };
            running
                .into_iter()
                // The future-dated runs run once and whole: a second one, after a killed
                // first, would count retention back from the first one's time, as a clock
                // that stays a year ahead would (and age the soak's data out).
                .filter(|(_, j)| !j.starts_with("future-"))
                // A job whose last runs were all killed gets one to its end, so that
                // "every job completed a run" measures the jobs, not the dice: in a
                // 60 s soak a slow job (an export after a pruning scan) runs 3 times.
                // Not serve: it runs until the soak stops it, and that stop is its end.
                .filter(|(_, j)| *j == "serve" || !spared(j))
                .collect()
        };
        if victims.is_empty() {
            continue;
        }
        let (pid, job) = victims[rng.below(victims.len() as u64) as usize];
        if job == "serve" {
            shared.serve_killed_at.store(now_ms(), Ordering::Relaxed);
        }
        // A pid we started; at worst it has just exited and kill finds nothing.
        let killed = Command::new("kill").args(["-9", &pid.to_string()]).status();
        if killed.is_ok_and(|s| s.success()) {
            kills.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_listening(addr: SocketAddr) {
    let until = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < until,
            "optctl serve did not start on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether the binary has a subcommand (the soak grows with optctl).
fn has_command(bin: &Path, name: &str) -> bool {
    Command::new(bin)
        .args([name, "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    let o = parse_args();
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    for d in ["cfg/optctl", "excel", "soak-logs"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    std::fs::write(home.join("cfg/optctl/config.toml"), CONFIG).unwrap();
    let mut variants: Vec<PathBuf> = std::fs::read_dir(&o.variants)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Live.xlsx").is_file())
        .collect();
    variants.sort();
    assert!(
        !variants.is_empty(),
        "no workbook variants in {}",
        o.variants.display()
    );
    for name in ["Historical.xlsx", "Live.xlsx"] {
        std::fs::copy(variants[0].join(name), home.join("excel").join(name)).unwrap();
    }

    let store = Arc::new(match &o.store {
        None => SoakStore::Sqlite(home.join("optctl.db")),
        Some(url) => {
            let db = PgDb::create(url, o.keep_db).unwrap_or_else(|e| {
                eprintln!("soak: {e}");
                std::process::exit(2);
            });
            println!(
                "soak: store: PostgreSQL database {} ({} at the end)",
                optctl::store::location::url_without_password(&db.url),
                if o.keep_db { "kept" } else { "dropped" }
            );
            SoakStore::Postgres(Box::new(db))
        }
    });
    let shared = Arc::new(Shared {
        store_url: store.url(),
        ..Shared::default()
    });
    let old =
        (o.old_scans > 0).then(|| seed_old_chains(&shared, &o.bin, &home, &store, o.old_scans));
    if let Some(old) = &old {
        println!(
            "soak: seeded {} old chain rows ({} scans dated 30+ days back) in {:.1} s (the scan they copy {:.1} s)",
            old.rows,
            o.old_scans,
            old.took.as_secs_f64(),
            old.scan_took.as_secs_f64()
        );
    }
    let kills = Arc::new(AtomicU64::new(0));
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let bin = o.bin.clone();
    let mut threads = Vec::new();
    let mut spawn = |f: Box<dyn FnOnce() + Send>| threads.push(std::thread::spawn(f));

    {
        let (sh, bin, home) = (shared.clone(), bin.clone(), home.clone());
        spawn(Box::new(move || serve_supervisor(&sh, &bin, &home, port)));
    }
    wait_listening(addr);
    {
        let (sh, bin, home, store) = (shared.clone(), bin.clone(), home.clone(), store.clone());
        spawn(Box::new(move || {
            // Scans started: while the old chain rows are pruned, scans take long and
            // many are killed mid-prune, so the future-dated runs go after the third
            // scan started, not the third completed.
            let mut scans = 0;
            job_loop(&sh, Duration::from_millis(500), || {
                if let Some(out) = run_job(&sh, &bin, &home, "scan", &["--json", "scan"]) {
                    commit_scan(&sh, &out);
                } else {
                    commit_scan_killed_in_prune(&sh, &store);
                }
                scans += 1;
                run_job(&sh, &bin, &home, "export", &["export"]);
                if scans >= 3 {
                    future_dated_runs(&sh, &bin, &home);
                }
            })
        }));
    }
    {
        let (sh, bin, home) = (shared.clone(), bin.clone(), home.clone());
        spawn(Box::new(move || {
            job_loop(&sh, Duration::from_millis(300), || {
                if let Some(out) = run_job(
                    &sh,
                    &bin,
                    &home,
                    "process-excel",
                    &["--json", "process-excel"],
                ) && let Some(id) = json_id(&out, "run_id")
                {
                    sh.commit("processing_metadata", [id]);
                }
            })
        }));
    }
    if has_command(&bin, "enrich") {
        let (sh, bin, home) = (shared.clone(), bin.clone(), home.clone());
        spawn(Box::new(move || {
            // Every other run's clock is an hour behind the wall clock (`--as-of`), as a
            // host whose clock NTP stepped back would be: it shares the persisted limiter
            // and breaker with the runs on the right time and must neither stall nor fail.
            let mut n = 0u64;
            job_loop(&sh, Duration::from_millis(500), || {
                n += 1;
                let behind = (chrono::Utc::now() - chrono::Duration::hours(1))
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                let (job, args): (&'static str, Vec<&str>) = if n.is_multiple_of(2) {
                    (
                        "enrich-skewed",
                        vec!["--json", "--as-of", &behind, "enrich", "run"],
                    )
                } else {
                    ("enrich", vec!["--json", "enrich", "run"])
                };
                if let Some(out) = run_job(&sh, &bin, &home, job, &args)
                    && let Some(id) = json_id(&out, "run_id")
                {
                    sh.commit("enrich_runs", [id]);
                }
            })
        }));
    }
    if has_command(&bin, "migrate-scheduler") {
        let (sh, bin, home) = (shared.clone(), bin.clone(), home.clone());
        spawn(Box::new(move || {
            job_loop(&sh, Duration::from_millis(500), || {
                if let Some(out) = run_job(
                    &sh,
                    &bin,
                    &home,
                    "migrate-scheduler",
                    &["--json", "migrate-scheduler", "run"],
                ) {
                    sh.commit("scheduler_runs", json_ids(&out, "run_ids"));
                }
            })
        }));
    }
    {
        let (sh, home) = (shared.clone(), home.clone());
        spawn(Box::new(move || workbook_writer(&sh, &home, &variants)));
    }
    {
        let (sh, home) = (shared.clone(), home.clone());
        spawn(Box::new(move || export_reader(&sh, &home)));
    }
    for c in 0..o.conns {
        let sh = shared.clone();
        spawn(Box::new(move || load_client(&sh, addr, c)));
    }
    {
        let (sh, k) = (shared.clone(), kills.clone());
        spawn(Box::new(move || killer(&sh, &k)));
    }

    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(o.seconds) {
        std::thread::sleep(Duration::from_millis(200));
    }
    shared.stop.store(true, Ordering::Relaxed);
    // serve only ends when asked: a polite TERM to whatever serve is running.
    for (pid, job) in shared.running.lock().unwrap().iter() {
        if *job == "serve" {
            // (It may have just been killed by the killer: no message for that.)
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
    for t in threads {
        t.join().expect("soak thread");
    }

    // Recovery: the next scan marks what the killed ones left `running` (and finishes
    // the prune of the old chain rows if kills interrupted it).
    let left_at_end = old.as_ref().map(|old| old_chain_rows(&store, old));
    let recovery_started = Instant::now();
    // Several tickers: the soak's simulator fails 5% of chains on purpose, and a run
    // that stored something exits 0.
    let recovery = optctl(&bin, &home, shared.store_url.as_deref())
        .args(["-q", "scan", "--tickers", "SPY,QQQ,IWM,AAPL,MSFT"])
        .output()
        .expect("recovery scan");
    let prune = old.map(|old| PruneFigures {
        seeded: old.rows,
        left_at_end: left_at_end.unwrap_or(0),
        left_after_recovery: old_chain_rows(&store, &old),
        recovery_secs: recovery_started.elapsed().as_secs_f64(),
    });
    if recovery.status.code() != Some(0) {
        let err = String::from_utf8_lossy(&recovery.stderr);
        println!("soak: the recovery scan said: {}", err.trim());
    }
    let report = check(
        &shared,
        &store,
        &home,
        kills.load(Ordering::Relaxed),
        started.elapsed(),
        &o,
        &Recovery {
            code: recovery.status.code(),
            prune,
        },
    );
    let mut report = report;
    full_disk_part(
        &o,
        &bin,
        &tmp.path().join("full-disk"),
        store.is_pg(),
        &mut report,
    );
    if let Some(p) = &o.json {
        std::fs::write(p, serde_json::to_vec_pretty(&report.json).unwrap()).unwrap();
    }
    // Every thread has ended: the database (if any) is dropped here, unless --keep-db.
    drop(Arc::into_inner(store));
    if !report.failures.is_empty() {
        eprintln!("soak: FAILED: {}", report.failures.join("; "));
        eprintln!("soak: logs kept in {}", home.join("soak-logs").display());
        let _ = tmp.keep();
        std::process::exit(1);
    }
    println!("soak: all targets met");
}

/// The recovery scan after the run: its exit code, and what became of the old chain
/// rows (when there were any).
struct Recovery {
    code: Option<i32>,
    prune: Option<PruneFigures>,
}

/// What became of the seeded old chain rows.
struct PruneFigures {
    seeded: i64,
    /// Still stored when the jobs stopped (a kill may interrupt a prune; the next scan
    /// goes on with it).
    left_at_end: i64,
    /// Still stored after the recovery scan.
    left_after_recovery: i64,
    recovery_secs: f64,
}

/// Runs the nearly-full-disk part as `--full-disk` says, printing its figures and
/// targets and adding them to `report`.
/// On PostgreSQL (`pg`) it is skipped, saying why: it is about a SQLite file on a full
/// tmpfs.
fn full_disk_part(o: &Opts, bin: &Path, dir: &Path, pg: bool, report: &mut Report) {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let must = !pg && (o.full_disk == "on" || (o.full_disk == "auto" && ci));
    let skip = match o.full_disk.as_str() {
        _ if pg => Some(
            "it fills a tmpfs under the SQLite store; the PostgreSQL server's disk is not the soak's to fill"
                .to_string(),
        ),
        "off" => Some("--full-disk off".to_string()),
        _ if !is_root() => Some("it needs root to mount a tmpfs".to_string()),
        _ => None,
    };
    let outcome = match skip {
        Some(why) => Err(why),
        None => full_disk(bin, dir),
    };
    let f = match outcome {
        Ok(f) => f,
        Err(why) => {
            let must = must && o.full_disk != "off";
            println!(
                "soak: nearly-full disk ({FULL_DISK_MB} MB tmpfs) {}: {why}",
                if must { "COULD NOT RUN" } else { "SKIPPED" }
            );
            if must {
                report
                    .failures
                    .push(format!("nearly-full disk could not run: {why}"));
            }
            report.json["full_disk"] = serde_json::json!({ "skipped": why });
            return;
        }
    };
    println!(
        "soak: nearly-full disk ({FULL_DISK_MB} MB tmpfs as a second data home, {} MB of it a filler file)",
        f.filler_mb
    );
    println!(
        "  scans {} ({} committed, {} said \"is full\", {} failed otherwise, 1 SIGKILLed mid-run), exports {} ({} ok, {} said \"is full\")",
        f.scans,
        f.scans_committed,
        f.scans_said_full,
        f.scans_failed_otherwise,
        f.exports,
        f.exports_ok,
        f.exports_said_full
    );
    if !f.last_full_message.is_empty() {
        println!("  a scan said: {}", f.last_full_message);
    }
    if !f.last_export_failure.is_empty() {
        println!("  an export said: {}", f.last_export_failure);
    }
    if !f.recovery_said.is_empty() {
        println!("  the recovery scan said: {}", f.recovery_said);
    }
    let mut target = |name: &str, got: String, ok: bool| {
        println!(
            "  {:<56} {:>10}  {}",
            name,
            got,
            if ok { "ok" } else { "MISSED" }
        );
        if !ok {
            report.failures.push(format!("full disk: {name}: {got}"));
        }
    };
    target(
        "scans that said the disk is full (at least 1)",
        f.scans_said_full.to_string(),
        f.scans_said_full > 0,
    );
    target(
        "committed before the disk filled, missing (target 0)",
        format!(
            "{}/{}",
            f.committed_before_full_missing, f.committed_before_full
        ),
        f.committed_before_full > 0 && f.committed_before_full_missing == 0,
    );
    target(
        "scan killed mid-run, then marked (interrupted)",
        f.killed_scan_status.clone(),
        f.killed_scan.is_some() && f.killed_scan_status == "interrupted",
    );
    target(
        "scans running while the disk was full (at most 1)",
        f.running_while_full.to_string(),
        (0..=1).contains(&f.running_while_full),
    );
    target(
        "space freed: recovery scan exit (0)",
        format!("{:?}", f.recovery_code),
        f.recovery_code == Some(0),
    );
    target(
        "then scans left running (target 0)",
        f.left_running.to_string(),
        f.left_running == 0,
    );
    target(
        "PRAGMA integrity_check on the full disk (ok)",
        f.integrity.clone(),
        f.integrity == "ok",
    );
    target(
        "optctl scans --json on the full disk works",
        f.scans_json_ok.to_string(),
        f.scans_json_ok,
    );
    report.json["full_disk"] = serde_json::json!({
        "tmpfs_mb": FULL_DISK_MB,
        "filler_mb": f.filler_mb,
        "scans": f.scans,
        "scans_committed": f.scans_committed,
        "scans_said_full": f.scans_said_full,
        "scans_failed_otherwise": f.scans_failed_otherwise,
        "exports": f.exports,
        "exports_ok": f.exports_ok,
        "exports_said_full": f.exports_said_full,
        "committed_before_full": f.committed_before_full,
        "committed_before_full_missing": f.committed_before_full_missing,
        "killed_scan_status": f.killed_scan_status,
        "scans_running_while_full": f.running_while_full,
        "recovery_scan_exit": f.recovery_code,
        "scans_left_running": f.left_running,
        "integrity_check": f.integrity,
        "scans_json_ok": f.scans_json_ok,
    });
}

struct Report {
    json: serde_json::Value,
    failures: Vec<String>,
}

fn check(
    shared: &Shared,
    store: &SoakStore,
    home: &Path,
    kills: u64,
    took: Duration,
    o: &Opts,
    recovery: &Recovery,
) -> Report {
    let (recovery_code, prune) = (recovery.code, recovery.prune.as_ref());
    let mut db = store
        .read()
        .unwrap_or_else(|e| panic!("open the store: {e}"));
    // SQLite: PRAGMA integrity_check; PostgreSQL: amcheck, Err(why) where it cannot run.
    let integrity = db.integrity();
    // The server's own counts for the soak's database (PostgreSQL only): sessions
    // opened, sessions whose client vanished (SIGKILLed processes), deadlocks it broke,
    // transactions rolled back.
    let pg_stats = if store.is_pg() {
        let row = db
            .ints(
                "SELECT sessions, sessions_abandoned, deadlocks, xact_rollback
                 FROM pg_stat_database WHERE datname = current_database()",
                &[],
            )
            .unwrap_or_else(|e| panic!("read pg_stat_database: {e}"))
            .unwrap_or_default();
        let at = |i: usize| row.get(i).copied().flatten().unwrap_or(0);
        Some((at(0), at(1), at(2), at(3)))
    } else {
        None
    };
    let running = db
        .int("SELECT count(*) FROM scans WHERE status = 'running'", &[])
        .unwrap_or_else(|e| panic!("count running scans: {e}"));
    let mut missing = |table: &str, ids: &[i64]| -> i64 {
        let sql = format!("SELECT count(*) FROM {table} WHERE id = ?1");
        ids.iter()
            .filter(|id| db.int(&sql, &[**id]).unwrap_or(0) == 0)
            .count() as i64
    };
    // (table, committed, missing)
    let committed: Vec<(&str, usize, i64)> = shared
        .committed
        .lock()
        .unwrap()
        .iter()
        .map(|(table, ids)| (*table, ids.len(), missing(table, ids)))
        .collect();
    // Committed scans whose chain rows are not all there.
    let chains_missing = {
        let scans = shared.scan_contracts.lock().unwrap();
        let missing = scans
            .iter()
            .filter(|(id, contracts)| {
                db.int(
                    "SELECT count(*) FROM chain_snapshots WHERE scan_id = ?1",
                    &[*id],
                )
                .unwrap_or(0)
                    < *contracts
            })
            .count();
        (missing, scans.len())
    };
    let archives_missing = {
        let before = shared.archives_before_future.lock().unwrap();
        let before = before.as_deref().unwrap_or_default();
        let dir = home.join("exports/archive");
        let missing = before.iter().filter(|n| !dir.join(n).exists()).count();
        (missing, before.len())
    };
    let future_ran = shared.future_scan_done.load(Ordering::Relaxed)
        && shared.future_export_done.load(Ordering::Relaxed);
    let jobs = shared.jobs.lock().unwrap().clone();
    let busy: u64 = jobs.values().map(|j| j.busy_failures).sum();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "soak: {:.0} s on {cores} cores, {} load connections, {kills} SIGKILLs",
        took.as_secs_f64(),
        o.conns
    );
    println!(
        "  {:<18} {:>6} {:>6} {:>8} {:>8} {:>7} {:>7} {:>6} {:>10}",
        "job", "runs", "ok", "partial", "skipped", "failed", "killed", "busy", "peak RSS"
    );
    println!(
        "  (killed: of which after the run had recorded its end, e.g. a scan in its prune: \"+N\")"
    );
    for (name, j) in &jobs {
        println!(
            "  {:<18} {:>6} {:>6} {:>8} {:>8} {:>7} {:>7} {:>6} {:>7} MB",
            name,
            j.runs,
            j.ok,
            j.partial,
            j.skipped_or_locked,
            j.failed,
            if j.killed_after_end > 0 {
                format!("{}+{}", j.killed - j.killed_after_end, j.killed_after_end)
            } else {
                j.killed.to_string()
            },
            j.busy_failures,
            j.peak_rss_kb / 1024
        );
        if let Some(f) = &j.last_failure {
            println!("    last failure: {f}");
        }
    }
    println!(
        "  served: {} ok, {} other status (valid JSON), {} cut by a serve kill, {} connect failures, {} closed keep-alive connections",
        load(&shared.served_ok),
        load(&shared.served_other_status),
        load(&shared.served_cut_by_kill),
        load(&shared.connect_failures),
        load(&shared.reconnects)
    );
    let other_statuses = shared.other_statuses.lock().unwrap().clone();
    if !other_statuses.is_empty() {
        let list: Vec<String> = other_statuses
            .iter()
            .map(|(code, n)| format!("{n} {code}"))
            .collect();
        println!("  other statuses: {}", list.join(", "));
    }
    println!(
        "  workbooks rewritten {} ({} left half-written for 150 ms); export files parsed {}",
        load(&shared.workbook_writes),
        load(&shared.workbook_half_writes),
        load(&shared.export_reads)
    );
    if let Some(p) = prune {
        println!(
            "  old chain rows: {} seeded; {} pruned during the run, {} by the recovery scan ({:.1} s), {} left",
            p.seeded,
            p.seeded - p.left_at_end,
            p.left_at_end - p.left_after_recovery,
            p.recovery_secs,
            p.left_after_recovery
        );
    }
    if let Some((sessions, abandoned, _, rollbacks)) = pg_stats {
        println!(
            "  PostgreSQL: {sessions} sessions opened on the soak's database ({abandoned} abandoned by a killed process), {rollbacks} transactions rolled back"
        );
    }

    let mut failures = Vec::new();
    let mut target = |name: &str, got: String, ok: bool| {
        println!(
            "  {:<56} {:>10}  {}",
            name,
            got,
            if ok { "ok" } else { "MISSED" }
        );
        if !ok {
            failures.push(format!("{name}: {got}"));
        }
    };
    target(
        if store.is_pg() {
            "deadlock/serialization/lock-timeout failures (target 0)"
        } else {
            "database-is-locked failures (target 0)"
        },
        busy.to_string(),
        busy == 0,
    );
    if let Some((_, _, deadlocks, _)) = pg_stats {
        target(
            "deadlocks the server detected (target 0)",
            deadlocks.to_string(),
            deadlocks == 0,
        );
    }
    let invalid = load(&shared.served_invalid);
    target(
        "served responses not complete JSON (target 0)",
        invalid.to_string(),
        invalid == 0,
    );
    let bad_exports = load(&shared.export_parse_failures);
    target(
        "export files that did not parse (target 0)",
        bad_exports.to_string(),
        bad_exports == 0,
    );
    for (table, n, missing) in &committed {
        target(
            &format!("committed {table} rows missing (target 0)"),
            format!("{missing}/{n}"),
            *missing == 0,
        );
    }
    target(
        "future-dated scan and export completed",
        future_ran.to_string(),
        future_ran,
    );
    target(
        "committed scans missing chain rows (target 0)",
        format!("{}/{}", chains_missing.0, chains_missing.1),
        chains_missing.0 == 0,
    );
    target(
        "archives made before the future export missing (target 0)",
        format!("{}/{}", archives_missing.0, archives_missing.1),
        archives_missing.0 == 0,
    );
    if let Some(p) = prune {
        target(
            "old chain rows pruned during the run (target > 0)",
            format!("{}/{}", p.seeded - p.left_at_end, p.seeded),
            p.left_at_end < p.seeded,
        );
        target(
            "old chain rows left after the recovery scan (target 0)",
            p.left_after_recovery.to_string(),
            p.left_after_recovery == 0,
        );
    }
    match &integrity {
        Ok(found) if store.is_pg() => target(
            "amcheck: B-tree indexes and heaps (ok)",
            found.clone(),
            found == "ok",
        ),
        Ok(found) => target("PRAGMA integrity_check (ok)", found.clone(), found == "ok"),
        Err(why) => println!("  amcheck: not applicable: {why}"),
    }
    target(
        "scans left running (target 0)",
        running.to_string(),
        running == 0,
    );
    target(
        "recovery scan exit (0)",
        format!("{recovery_code:?}"),
        recovery_code == Some(0),
    );
    let every_job_ran = jobs
        .values()
        .all(|j| j.ok + j.partial + j.killed_after_end > 0);
    target(
        "every job completed a run",
        every_job_ran.to_string(),
        every_job_ran && !jobs.is_empty(),
    );
    target(
        "processes killed (at least 1)",
        kills.to_string(),
        kills > 0,
    );

    let json = serde_json::json!({
        "seconds": took.as_secs_f64(),
        "cores": cores,
        "connections": o.conns,
        "kills": kills,
        "jobs": jobs,
        "served": {
            "ok": load(&shared.served_ok),
            "other_status": load(&shared.served_other_status),
            "other_status_by_code": other_statuses,
            "invalid": invalid,
            "cut_by_kill": load(&shared.served_cut_by_kill),
            "connect_failures": load(&shared.connect_failures),
            "closed_keep_alive": load(&shared.reconnects),
        },
        "export_reads": load(&shared.export_reads),
        "export_parse_failures": bad_exports,
        "committed": committed
            .iter()
            .map(|(table, n, missing)| (table.to_string(), serde_json::json!({"committed": n, "missing": missing})))
            .collect::<serde_json::Map<_, _>>(),
        "future_dated_runs_completed": future_ran,
        "scans_missing_chain_rows": chains_missing.0,
        "archives_missing_after_future_export": archives_missing.0,
        "store": if store.is_pg() { "postgres" } else { "sqlite" },
        "integrity_check": match &integrity {
            Ok(found) => found.clone(),
            Err(why) => format!("not run: {why}"),
        },
        "scans_left_running": running,
        "postgres": pg_stats.map(|(sessions, abandoned, deadlocks, rollbacks)| serde_json::json!({
            "sessions": sessions,
            "sessions_abandoned": abandoned,
            "deadlocks": deadlocks,
            "transactions_rolled_back": rollbacks,
        })),
        "old_chain_rows": prune.map(|p| serde_json::json!({
            "seeded": p.seeded,
            "pruned_during_run": p.seeded - p.left_at_end,
            "pruned_by_recovery_scan": p.left_at_end - p.left_after_recovery,
            "left": p.left_after_recovery,
        })),
        "failures": failures,
    });
    Report { json, failures }
}
