//! `optctl store copy`: a whole store into an empty one, SQLite or PostgreSQL, counts
//! checked.

use predicates::str::contains;
use serde_json::Value;

use crate::harness::pg::PgDb;
use crate::harness::{Home, table_rows};

/// A home with two scans (alerts planted), an enrich run and an export behind it.
fn filled() -> Home {
    let home = Home::sqlite();
    home.write_config("[provider.sim]\nanomaly_rate = 0.3\n");
    for at in ["2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z"] {
        home.cmd(["scan", "--as-of", at]).assert().success();
    }
    home.cmd(["enrich", "run", "--symbols", "AAPL,SPY"])
        .assert()
        .success();
    home.cmd(["export"]).assert().success();
    home
}

/// Each table's rows, as `store stats` counts them.
fn counts(home: &Home, store: Option<&str>) -> Vec<(String, u64)> {
    let mut args = vec!["store", "stats", "--json"];
    if let Some(s) = store {
        args.extend(["--store", s]);
    }
    table_rows(&home.json(args))
}

fn scans(home: &Home, store: Option<&str>) -> Value {
    let mut args = vec!["scans", "--json"];
    if let Some(s) = store {
        args.extend(["--store", s]);
    }
    home.json(args)["scans"].clone()
}

#[test]
fn a_home_copies_into_a_new_sqlite_file_and_back_and_not_over_rows() {
    let a = filled();
    let want = counts(&a, None);
    assert!(
        want.iter()
            .any(|(t, n)| t == "chain_snapshots" && *n > 1000),
        "{want:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let file = file.to_str().unwrap();
    let r = a.json(["store", "copy", "--to", file, "--json"]);
    let rows: u64 = want.iter().map(|(_, n)| n).sum();
    assert_eq!(r["rows"], rows, "{r}");

    // A new home takes the copy in, and reads as the first.
    let b = Home::sqlite();
    b.cmd(["store", "copy", "--from", file])
        .assert()
        .success()
        .stdout(contains("counts checked"));
    assert_eq!(counts(&b, None), want);
    assert_eq!(scans(&b, None), scans(&a, None));
    // Not over rows, and the target keeps its own.
    b.cmd(["store", "copy", "--from", file])
        .assert()
        .code(1)
        .stderr(contains("is not empty"));
    assert_eq!(counts(&b, None), want);
    // One of --to and --from, naming a store that is there.
    b.cmd(["store", "copy"]).assert().code(2);
    b.cmd(["store", "copy", "--to", file, "--from", file])
        .assert()
        .code(2);
    b.cmd(["store", "copy", "--from", "/nonexistent/optctl.db"])
        .assert()
        .code(2)
        .stderr(contains("does not exist"));
}

#[test]
fn a_sqlite_home_moves_into_postgres_and_back_row_for_row() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let a = filled();
    let want = counts(&a, None);
    a.cmd(["store", "copy", "--to", &db.url]).assert().success();
    assert_eq!(counts(&a, Some(&db.url)), want);
    assert_eq!(scans(&a, Some(&db.url)), scans(&a, None));
    // The PostgreSQL store goes on where the SQLite one stopped.
    a.cmd([
        "--store",
        &db.url,
        "scan",
        "--as-of",
        "2026-11-20T15:20:00Z",
    ])
    .assert()
    .success();
    let on_pg = scans(&a, Some(&db.url));
    assert_eq!(on_pg.as_array().unwrap().len(), 3);
    assert_eq!(on_pg[0]["id"], 3, "ids continue after the copied ones");
    // And back into a new SQLite home.
    let c = Home::sqlite();
    c.cmd(["store", "copy", "--from", &db.url])
        .assert()
        .success();
    assert_eq!(counts(&c, None), counts(&a, Some(&db.url)));
    assert_eq!(scans(&c, None), on_pg);
}
