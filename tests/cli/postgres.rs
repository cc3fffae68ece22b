//! The store in PostgreSQL: `--store`, `$OPTCTL_STORE` and `[store] url`. The tests that
//! need a server run when `OPTCTL_TEST_PG` names one (e.g. `host=127.0.0.1
//! user=postgres`), each on a database of its own; the others always run.

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

use crate::harness::pg::PgDb;
use crate::harness::{Home, describe, parse_json};

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {report}"))
}

#[test]
fn a_bad_store_url_is_exit_2_naming_where_it_came_from() {
    let home = Home::sqlite();
    home.cmd(["--store", "db.example:5432/optctl", "scans"])
        .assert()
        .code(2)
        .stderr(contains("--store (or $OPTCTL_STORE): not a PostgreSQL URL"));
    home.cmd(["scans"])
        .env("OPTCTL_STORE", "postgres://ann@db.example:notaport/optctl")
        .assert()
        .code(2)
        .stderr(contains("$OPTCTL_STORE").and(contains("bad PostgreSQL URL")));
    home.write_config("[store]\nurl = \"mysql://ann@db.example/optctl\"\n");
    home.cmd(["config", "show"])
        .assert()
        .code(2)
        .stderr(contains("store.url: not a PostgreSQL URL"));
    // Nothing was created on the way.
    assert!(!home.db_path().exists());
}

#[test]
fn a_store_that_cannot_be_reached_names_host_and_database_never_the_password() {
    let home = Home::sqlite();
    let out = home
        .cmd(["scans"])
        .env("OPTCTL_STORE", "postgres://ann:s3cret@127.0.0.1:1/trades")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot connect to PostgreSQL (postgres://ann@127.0.0.1:1/trades)"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    // The config shows the URL with the password masked.
    home.write_config("[store]\nurl = \"postgres://ann:s3cret@db.example/trades\"\n");
    home.cmd(["config", "show"]).assert().success().stdout(
        contains("postgres://ann:********@db.example/trades").and(contains("s3cret").not()),
    );
}

#[test]
fn doctor_on_postgres_says_where_and_checks_the_schema_without_migrating() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let home = Home::sqlite();
    std::fs::create_dir_all(home.home()).unwrap();
    let doctor = |home: &Home| {
        let out = home
            .cmd(["doctor", "--offline", "--json"])
            .env("OPTCTL_STORE", &db.url)
            .output()
            .unwrap();
        parse_json(&out)
    };
    let r = doctor(&home);
    let database = check(&r, "database");
    assert_eq!(database["status"], "ok", "{r}");
    // The URL as shown: without `postgres://` and without any password in it.
    let rest = db.url.trim_start_matches("postgres://");
    let (user, at) = rest.split_once('@').unwrap();
    let shown = format!("{}@{at}", user.split(':').next().unwrap());
    assert!(
        database["detail"].as_str().unwrap().contains(&shown),
        "{database}"
    );
    assert_eq!(check(&r, "schema")["status"], "warn", "{r}");
    assert_eq!(check(&r, "schema")["detail"], "no optctl tables yet");
    // doctor created nothing.
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);

    // A reading command finds no store there and creates none; a writing one creates
    // the tables there, not in the data home.
    home.cmd(["--store", &db.url, "scans"])
        .assert()
        .code(1)
        .stderr(contains("holds no optctl store yet"));
    assert_eq!(check(&doctor(&home), "schema")["status"], "warn");
    home.cmd(["--store", &db.url, "scan", "--tickers", "AAPL"])
        .assert()
        .success();
    assert!(!home.db_path().exists());
    let r = doctor(&home);
    assert_eq!(check(&r, "schema")["status"], "ok", "{r}");
    assert!(
        check(&r, "schema")["detail"]
            .as_str()
            .unwrap()
            .ends_with("(current)"),
        "{r}"
    );
    // The cron lines carry the store.
    let crontab = r["crontab"].to_string();
    assert!(crontab.contains("--store"), "{crontab}");
}

/// Flag over environment over config: each level names a different database, and only
/// the winner's is used.
#[test]
fn the_flag_wins_over_the_environment_which_wins_over_the_config() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let home = Home::sqlite();
    let unreachable = "postgres://ann@127.0.0.1:1/nowhere";
    home.write_config(&format!("[store]\nurl = \"{unreachable}\"\n"));
    // The config alone: its (unreachable) database.
    home.cmd(["scans"])
        .assert()
        .code(1)
        .stderr(contains("127.0.0.1:1/nowhere"));
    // The environment over the config.
    home.cmd(["scan", "--tickers", "AAPL", "--json"])
        .env("OPTCTL_STORE", &db.url)
        .assert()
        .success();
    // The flag over the environment.
    home.cmd(["--store", unreachable, "scans"])
        .env("OPTCTL_STORE", &db.url)
        .assert()
        .code(1)
        .stderr(contains("127.0.0.1:1/nowhere"));
    assert!(!home.db_path().exists());
}

/// Two data homes (two hosts) on one database: the status commands of both read the
/// same store, and a job whose lock another host holds in that database exits 75.
#[test]
fn two_homes_share_one_postgres_store_and_its_job_locks() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let (a, b) = (Home::sqlite(), Home::sqlite());
    for home in [&a, &b] {
        let out = home
            .cmd(["notify", "status", "--json"])
            .env("OPTCTL_STORE", &db.url)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        assert!(!home.db_path().exists());
    }
    // Another host runs `optctl enrich`: it holds the job's advisory lock.
    let mut other_host = db.client();
    let taken: bool = other_host
        .query_one(
            "SELECT pg_try_advisory_lock(1330664515, hashtext('enrich'))",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(taken);
    for home in [&a, &b] {
        home.cmd(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
            .env("OPTCTL_STORE", &db.url)
            .assert()
            .code(75)
            .stderr(
                contains("another `optctl enrich` is running")
                    .and(contains("advisory lock \"enrich\"")),
            );
    }
    // Released (the other host's run ended): the lock no longer refuses it.
    drop(other_host);
    let out = a
        .cmd(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
        .env("OPTCTL_STORE", &db.url)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(75), "{}", describe(&out));
}

/// Commands that reach a part of the store not yet on PostgreSQL end with that error
/// (exit 1), never a crash; the rest work.
#[test]
fn a_part_of_the_store_not_yet_on_postgres_is_a_clear_error_not_a_crash() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let home = Home::sqlite();
    let commands: [&[&str]; 6] = [
        &["scan", "--tickers", "SPY"],
        &["export"],
        &["store", "stats"],
        &["process-excel", "status"],
        &["migrate-scheduler", "status"],
        &["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"],
    ];
    for args in commands {
        let out = home
            .cmd(args)
            .env("OPTCTL_STORE", &db.url)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {}", describe(&out));
        match out.status.code() {
            Some(0) => {}
            Some(1) => assert!(
                err.contains("does not run on PostgreSQL yet"),
                "{args:?}: {}",
                describe(&out)
            ),
            _ => panic!("{args:?}: {}", describe(&out)),
        }
    }
}

/// A URL that asks for TLS (`sslmode=require`) gets it: the command runs.
#[test]
fn a_url_asking_for_tls_connects_over_tls() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let home = Home::sqlite();
    let url = format!("{}?sslmode=require", db.url);
    for args in [&["scan", "--tickers", "AAPL"][..], &["scans", "--json"]] {
        let out = home.cmd(["--store", &url]).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
    }
    assert!(!home.db_path().exists());
}
