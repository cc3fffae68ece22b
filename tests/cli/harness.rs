//! `Home`: a temporary data home, config dir and clock for one test.

pub mod day_trading;
pub mod pg;
pub mod servers;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The fixed "now" of every test: Monday 2026-11-23 10:00 New York.
pub const NOW: &str = "2026-11-23T15:00:00Z";

/// Whether the suite runs against PostgreSQL: `OPTCTL_TEST_PG_CLI=1` and
/// `OPTCTL_TEST_PG` naming a server. Then every [`Home`] has a database of its own there
/// and every command it runs gets `OPTCTL_STORE` pointing at it.
pub fn pg_mode() -> bool {
    std::env::var("OPTCTL_TEST_PG_CLI").is_ok_and(|v| v == "1")
        && std::env::var("OPTCTL_TEST_PG").is_ok_and(|v| !v.is_empty())
}

/// For a test that is about the SQLite file itself (its bytes, WAL, permissions,
/// pragmas): true, with a note naming the reason, when the suite runs against
/// PostgreSQL, so the test returns early there: `if sqlite_only("why") { return; }`.
pub fn sqlite_only(why: &str) -> bool {
    let skip = pg_mode();
    if skip {
        eprintln!("note: skipped on PostgreSQL (SQLite-only: {why})");
    }
    skip
}

pub struct Home {
    dir: tempfile::TempDir,
    /// The store of this home when the suite runs against PostgreSQL.
    pg: Option<pg::PgDb>,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            pg: if pg_mode() { pg::PgDb::create() } else { None },
        }
    }

    /// A home whose store is always the SQLite file, whatever the suite's mode: for the
    /// tests of how the store is chosen (`--store`, `$OPTCTL_STORE`, `[store] url`).
    pub fn sqlite() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            pg: None,
        }
    }

    /// The `postgres://` URL of this home's store, when it is in PostgreSQL.
    pub fn store_url(&self) -> Option<&str> {
        self.pg.as_ref().map(|d| d.url.as_str())
    }

    /// The store's URL as optctl prints it (no password), in PostgreSQL mode.
    pub fn store_shown(&self) -> Option<&str> {
        self.pg.as_ref().map(|d| d.shown.as_str())
    }

    /// The data home (`$OPTCTL_HOME`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Where the default config file lives for this test.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("xdg-config/optctl/config.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.home().join("optctl.db")
    }

    /// Writes the config file at the default location.
    pub fn write_config(&self, toml: &str) {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, toml).unwrap();
    }

    /// An `optctl` command with this home, no colour, and the fixed clock.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::from_std(self.std_cmd(args))
    }

    /// The same as [`Home::cmd`] as a plain `std` command, for processes a test starts
    /// and talks to while they run (`optctl serve`).
    pub fn std_cmd<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_optctl"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("OPTCTL_") || k == "RUST_LOG" {
                c.env_remove(k);
            }
        }
        c.env("OPTCTL_HOME", self.home())
            .env("OPTCTL_NOW", NOW)
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .args(args);
        if let Some(url) = self.store_url() {
            c.env("OPTCTL_STORE", url);
        }
        c
    }

    /// Runs a command that must succeed and print one JSON document.
    pub fn json<I, S>(&self, args: I) -> serde_json::Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = self.cmd(args).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        parse_json(&out)
    }

    /// Whether optctl has created (opened) this home's store: the SQLite file exists,
    /// or the PostgreSQL database has tables. What "a refused command touched
    /// nothing" is asserted with.
    pub fn store_exists(&self) -> bool {
        match &self.pg {
            Some(_) => {
                self.count(
                    "SELECT count(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema()",
                ) > 0
            }
            None => self.db_path().exists(),
        }
    }

    /// Opens the SQLite database for assertions. SQLite-only: on PostgreSQL use
    /// [`Home::count`], [`Home::rows`] or [`Home::exec`].
    pub fn db(&self) -> rusqlite::Connection {
        assert!(
            self.pg.is_none(),
            "home.db() opens the SQLite file, but this home's store is in PostgreSQL: \
             use home.count/rows/exec, or mark the test sqlite_only"
        );
        rusqlite::Connection::open(self.db_path()).unwrap()
    }

    /// One integer from SQL (written so that both SQLite and PostgreSQL accept it).
    pub fn count(&self, sql: &str) -> i64 {
        let v = self.rows(sql);
        let cell = v
            .first()
            .and_then(|r| r.first())
            .unwrap_or_else(|| panic!("no row from {sql}"));
        let text = cell.as_deref().unwrap_or_else(|| panic!("NULL from {sql}"));
        text.parse()
            .unwrap_or_else(|e| panic!("{text:?} from {sql} is not an integer: {e}"))
    }

    /// Every row of a query, each value as text (NULL as `None`), from whichever store
    /// this home has. Integers read as decimal digits on both; reals may print
    /// differently (`1.0` in SQLite, `1` in PostgreSQL), so compare those by parsing.
    pub fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        self.try_rows(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The column names of `table`, in order.
    pub fn columns(&self, table: &str) -> Vec<String> {
        let sql = match &self.pg {
            Some(_) => format!(
                "SELECT column_name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}' \
                 ORDER BY ordinal_position"
            ),
            None => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        };
        self.rows(&sql)
            .into_iter()
            .map(|r| r[0].clone().unwrap())
            .collect()
    }

    /// The first value of the first row, as text (`None` for NULL).
    pub fn value(&self, sql: &str) -> Option<String> {
        let rows = self.rows(sql);
        let row = rows.first().unwrap_or_else(|| panic!("no row from {sql}"));
        row.first().cloned().flatten()
    }

    /// One integer from SQL, or `None` while the store (or the table) is not there yet:
    /// for polling a store a running command is filling.
    pub fn try_count(&self, sql: &str) -> Option<i64> {
        if !self.store_exists() {
            return None;
        }
        let rows = self.try_rows(sql).ok()?;
        rows.first()?.first()?.as_deref()?.parse().ok()
    }

    fn try_rows(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        match &self.pg {
            Some(db) => Ok(db
                .client()
                .simple_query(sql)
                .map_err(|e| match e.as_db_error() {
                    Some(d) => format!("{}: {}", d.code().code(), d.message()),
                    None => e.to_string(),
                })?
                .into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                    }
                    _ => None,
                })
                .collect()),
            None => {
                use rusqlite::types::ValueRef;
                let db = self.db();
                let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                ValueRef::Null => None,
                                ValueRef::Integer(v) => Some(v.to_string()),
                                ValueRef::Real(v) => Some(v.to_string()),
                                ValueRef::Text(t) | ValueRef::Blob(t) => {
                                    Some(String::from_utf8_lossy(t).to_string())
                                }
                            })
                        })
                        .collect()
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
                .map_err(|e| e.to_string())
            }
        }
    }

    /// Runs SQL that changes the store behind optctl's back (a fault a test plants).
    pub fn exec(&self, sql: &str) {
        match &self.pg {
            Some(db) => db
                .client()
                .batch_execute(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            None => self
                .db()
                .execute_batch(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }
}

pub fn parse_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

/// `(table, rows)` of each table in an `optctl store stats --json` document.
pub fn table_rows(stats: &serde_json::Value) -> Vec<(String, u64)> {
    stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["rows"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Status, stdout and stderr of a finished command, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
