//! Exit codes for bad usage, and output that nobody reads.

use std::io::Read;
use std::process::Stdio;

use predicates::str::contains;

use crate::harness::Home;

#[test]
fn bad_usage_is_exit_2() {
    let home = Home::new();
    home.cmd(["scan", "--concurrency", "0"]).assert().code(2);
    home.cmd(["scan", "--tickers", "A", "--watchlist", "w.txt"])
        .assert()
        .code(2);
    home.cmd(["nope"]).assert().code(2);
    home.cmd(["scans", "--as-of", "tomorrow"])
        .assert()
        .code(2)
        .stderr(contains("RFC 3339"));
}

/// `optctl quant iv < big.csv | head -c1`: the reader goes away; optctl stops quietly
/// with exit 0 instead of printing a broken-pipe error.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let home = Home::new();
    let csv = home.root().join("big.csv");
    let mut s = String::from("right,spot,strike,t_years,rate,div,price\n");
    for i in 0..200_000 {
        s.push_str(&format!(
            "call,100,{},0.5,0.01,0,{}\n",
            90 + i % 20,
            5 + i % 7
        ));
    }
    std::fs::write(&csv, s).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_optctl"))
        .env("OPTCTL_HOME", home.home())
        .args(["quant", "iv", "--input", csv.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe is dropped
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error"));
}

/// A writer that holds the database past the busy timeout (a long prune, a stuck
/// process) makes every writing command fail with exit 1 and a message naming the
/// locked file, whichever layer met the lock: the store itself, the persisted limiter
/// or the resilience guard. Nothing is half-written.
#[test]
fn a_locked_database_is_exit_1_naming_the_file_in_every_writing_command() {
    if crate::harness::sqlite_only("holds the SQLite file lock") {
        return;
    }
    let home = Home::new();
    home.cmd(["scan", "--tickers", "SPY"]).assert().success();
    let db = home.db_path();
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["scan", "--tickers", "SPY"],
        vec!["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"],
        vec!["compare", "--categories", "short_term"],
        vec!["notify"],
    ];
    let runs: Vec<_> = commands
        .iter()
        .map(|args| {
            home.std_cmd(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let want = format!("database {} is locked", db.display());
    for (args, child) in commands.iter().zip(runs) {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(&want), "{args:?}: {stderr}");
    }
    holder.execute_batch("ROLLBACK").unwrap();
    let scans = home.json(["scans", "--json"]);
    assert_eq!(scans["scans"].as_array().unwrap().len(), 1, "{scans}");
}
