//! `optctl export`: the files, archives, retention, part failures, atomicity and
//! consistency while scans run.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use predicates::str::contains;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::{Home, describe};

const CALM: &str = "[provider.sim]\nanomaly_rate = 0.0\n";

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A home with two scans, the second of which raised alerts.
fn scanned() -> Home {
    let home = Home::new();
    home.write_config(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [{ ticker = \"AAPL\", kind = \"volume_burst\", from = \"2026-11-23T14:30:00Z\" }]\n",
    );
    home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL,SPY,TSLA",
        "--as-of",
        "2026-11-23T14:00:00Z",
    ]);
    home.json(["scan", "--json", "--tickers", "AAPL,SPY,TSLA"]);
    home
}

#[test]
fn writes_four_files_and_a_manifest_that_describes_them() {
    let home = scanned();
    let r = home.json(["export", "--json"]);
    let dir = home.home().join("exports");
    let alerts = read(&dir.join("alerts.json"));
    assert_eq!(alerts["export_timestamp"], "2026-11-23T15:00:00Z");
    assert!(alerts["alert_count"].as_u64().unwrap() >= 1);
    assert_eq!(
        alerts["alert_count"].as_u64().unwrap() as usize,
        alerts["alerts"].as_array().unwrap().len()
    );
    assert_eq!(alerts["alerts"][0]["ticker"], "AAPL");
    assert_eq!(alerts["errors"], serde_json::json!([]));
    let chains = read(&dir.join("chains.json"));
    assert_eq!(chains["chain_count"], 3);
    let aapl = &chains["chains"][0];
    assert_eq!(aapl["ticker"], "AAPL");
    assert_eq!(aapl["scan_id"], 2, "the newest chain");
    assert_eq!(
        aapl["contracts"].as_array().unwrap().len() as i64,
        home.count("SELECT count(*) FROM chain_snapshots WHERE scan_id = 2 AND ticker = 'AAPL'")
    );
    let scans = read(&dir.join("scans.json"));
    assert_eq!(scans["scan_count"], 2);
    assert_eq!(scans["scans"][0]["id"], 2, "newest first");
    let features = read(&dir.join("features.json"));
    assert_eq!(features["feature_count"], 3);
    assert!(
        features["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["as_of"] == "2026-11-23T15:00:00Z")
    );
    let manifest = read(&dir.join("manifest.json"));
    assert_eq!(manifest["files"].as_array().unwrap().len(), 4);
    for f in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(dir.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64);
        let sha: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"], sha.as_str(), "{}", f["name"]);
    }
    assert_eq!(r["files"].as_array().unwrap().len(), 4);
    // No temp files are left next to the exports.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn only_and_alert_filters() {
    let home = scanned();
    home.json([
        "export",
        "--json",
        "--only",
        "alerts,scans",
        "--alerts-limit",
        "1",
    ]);
    let dir = home.home().join("exports");
    assert!(!dir.join("chains.json").exists());
    assert_eq!(read(&dir.join("alerts.json"))["alert_count"], 1);
    assert_eq!(
        read(&dir.join("manifest.json"))["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Alerts older than the span are left out.
    home.json([
        "export",
        "--json",
        "--only",
        "alerts",
        "--alerts-since",
        "10m",
        "--as-of",
        "2026-11-23T16:00:00Z",
    ]);
    assert_eq!(read(&dir.join("alerts.json"))["alert_count"], 0);
    home.cmd(["export", "--only", "trades"])
        .assert()
        .code(2)
        .stderr(contains("trades"));
    home.cmd(["export", "--alerts-since", "soon"])
        .assert()
        .code(2);
}

#[test]
fn archives_compression_and_retention() {
    let home = scanned();
    let archive = home.home().join("exports/archive");
    home.json(["export", "--json", "--as-of", "2026-11-01T15:00:00Z"]);
    home.json(["export", "--json", "--as-of", "2026-11-10T15:00:00Z"]);
    home.json([
        "export",
        "--json",
        "--compress",
        "--as-of",
        "2026-11-20T15:00:00Z",
    ]);
    assert!(archive.join("alerts-20261101T150000Z.json").exists());
    let gz = archive.join("chains-20261120T150000Z.json.gz");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()),
        &mut text,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["chain_count"],
        3
    );
    // Ten days of retention at 2026-11-23 counts back from the newest set before it
    // (2026-11-20): it removes the 2026-11-01 set only (2026-11-10 is 10 days old, and
    // each file keeps its 3 newest archives anyway).
    let r = home.json(["export", "--json", "--keep-days", "10"]);
    assert_eq!(r["archives_removed"], 4);
    assert!(!archive.join("alerts-20261101T150000Z.json").exists());
    assert!(archive.join("alerts-20261110T150000Z.json").exists());
    assert!(gz.exists());
    home.json([
        "export",
        "--json",
        "--no-archive",
        "--as-of",
        "2026-11-23T16:00:00Z",
    ]);
    assert!(!archive.join("alerts-20261123T160000Z.json").exists());
}

/// An export dated a year ahead (a mistyped `--as-of`, or a clock set ahead) keeps the
/// archives before it: retention counts back from the newest archive, not from the
/// future. Exporting back in time again never removes what is dated after it.
#[test]
fn an_export_dated_in_the_future_keeps_the_earlier_archives() {
    let home = scanned();
    let archive = home.home().join("exports/archive");
    let days = [
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
        "2026-11-23",
    ];
    for day in days {
        home.json(["export", "--json", "--as-of", &format!("{day}T15:00:00Z")]);
    }
    let r = home.json(["export", "--json", "--as-of", "2027-11-23T15:00:00Z"]);
    assert_eq!(r["archives_removed"], 0, "{r}");
    let r = home.json([
        "export",
        "--json",
        "--keep-days",
        "1",
        "--as-of",
        "2026-11-19T15:00:00Z",
    ]);
    assert_eq!(r["archives_removed"], 0, "{r}");
    for day in days {
        let name = format!("alerts-{}T150000Z.json", day.replace('-', ""));
        assert!(archive.join(&name).exists(), "{name} was removed");
    }
    assert!(archive.join("alerts-20271123T150000Z.json").exists());
}

#[test]
fn a_failing_part_is_recorded_and_the_others_are_written() {
    let home = scanned();
    home.db()
        .execute("UPDATE alerts SET alert_data = 'not json'", [])
        .unwrap();
    home.db()
        .execute(
            "UPDATE chain_snapshots SET expiry = 'someday' WHERE ticker = 'SPY' AND scan_id = 2",
            [],
        )
        .unwrap();
    let out = home.cmd(["export", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let dir = home.home().join("exports");
    let alerts = read(&dir.join("alerts.json"));
    assert_eq!(alerts["alert_count"], 0);
    assert!(
        alerts["errors"][0].as_str().unwrap().contains("alert_data"),
        "{}",
        alerts["errors"]
    );
    let chains = read(&dir.join("chains.json"));
    assert_eq!(chains["chain_count"], 2, "AAPL and TSLA still exported");
    assert!(
        chains["errors"][0].as_str().unwrap().starts_with("SPY: "),
        "{}",
        chains["errors"]
    );
    assert_eq!(read(&dir.join("scans.json"))["scan_count"], 2);
    assert_eq!(
        read(&dir.join("manifest.json"))["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("chains.json: SPY"));
}

#[test]
fn before_any_scan_and_while_another_export_runs() {
    let home = Home::new();
    home.cmd(["export"])
        .assert()
        .code(1)
        .stderr(contains("run `optctl scan` first"));
    let home = scanned();
    let locks = home.home().join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    let held = std::fs::File::create(locks.join("export.lock")).unwrap();
    held.try_lock().unwrap();
    home.cmd(["export"])
        .assert()
        .code(75)
        .stderr(contains("another `optctl export` is running"));
    drop(held);
    home.cmd(["export", "-q"]).assert().success();
}

/// Scans commit in one process while exports loop in another and readers parse the files
/// without pause: no reader ever sees a torn file, and every export's files agree with
/// each other (all read in one transaction).
#[test]
fn readers_never_see_a_torn_file_and_each_export_is_one_moment() {
    let home = Arc::new(Home::new());
    home.write_config(CALM);
    home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL,SPY,TSLA,MSFT",
        "--as-of",
        "2026-11-23T14:00:00Z",
    ]);
    home.json(["export", "--json", "--as-of", "2026-11-23T14:00:01Z"]);
    let done = Arc::new(AtomicBool::new(false));
    let (reads, torn) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (home, done, reads, torn) =
                (home.clone(), done.clone(), reads.clone(), torn.clone());
            std::thread::spawn(move || {
                let dir = home.home().join("exports");
                while !done.load(Ordering::Relaxed) {
                    for name in [
                        "alerts.json",
                        "chains.json",
                        "scans.json",
                        "features.json",
                        "manifest.json",
                    ] {
                        let bytes = std::fs::read(dir.join(name)).unwrap();
                        if serde_json::from_slice::<Value>(&bytes).is_err() {
                            torn.fetch_add(1, Ordering::Relaxed);
                        }
                        reads.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let scanner = {
        let home = home.clone();
        std::thread::spawn(move || {
            for i in 1..=6 {
                let at = format!("2026-11-23T{:02}:00:00Z", 14 + i);
                home.json([
                    "scan",
                    "--json",
                    "--tickers",
                    "AAPL,SPY,TSLA,MSFT",
                    "--as-of",
                    &at,
                ]);
            }
        })
    };
    let mut exports = 0;
    while !scanner.is_finished() || exports < 5 {
        exports += 1;
        let at = format!("2026-11-23T21:00:{:02}Z", exports % 60);
        home.json(["export", "--json", "--as-of", &at]);
    }
    scanner.join().unwrap();
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 50, "readers ran");
    assert_eq!(torn.load(Ordering::Relaxed), 0, "a reader saw a torn file");
    // Every archived export set agrees with itself: each feature row and each chain
    // belongs to a scan listed in the same export's scans.json.
    let archive = home.home().join("exports/archive");
    let mut checked = 0;
    for e in std::fs::read_dir(&archive).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stamp) = name.strip_prefix("scans-") else {
            continue;
        };
        let scans = read(&archive.join(&name));
        let ids: HashSet<i64> = scans["scans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        let times: HashSet<&str> = scans["scans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["as_of"].as_str().unwrap())
            .collect();
        let features = read(&archive.join(format!("features-{stamp}")));
        for f in features["features"].as_array().unwrap() {
            assert!(
                times.contains(f["as_of"].as_str().unwrap()),
                "{stamp}: features of a scan missing from scans.json"
            );
        }
        let chains = read(&archive.join(format!("chains-{stamp}")));
        for c in chains["chains"].as_array().unwrap() {
            assert!(
                ids.contains(&c["scan_id"].as_i64().unwrap()),
                "{stamp}: chain of a scan missing from scans.json"
            );
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked} export sets checked");
}
