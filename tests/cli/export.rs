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

/// An export file or archive copy, gzipped (`.gz`) or not.
pub fn read_any(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        serde_json::from_slice(&text).unwrap()
    } else {
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// Scans AAPL, SPY and TSLA at `day`T14:55Z, so the export after it has new data.
fn scan_on(home: &Home, day: &str) {
    home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL,SPY,TSLA",
        "--as-of",
        &format!("{day}T14:55:00Z"),
    ]);
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
    let home = Home::new();
    home.write_config(CALM);
    let archive = home.home().join("exports/archive");
    // Uncompressed on request, gzipped by default; each export follows a scan, so its
    // data changed and it archives.
    scan_on(&home, "2026-11-01");
    home.json([
        "export",
        "--json",
        "--no-compress",
        "--as-of",
        "2026-11-01T15:00:00Z",
    ]);
    scan_on(&home, "2026-11-10");
    home.json([
        "export",
        "--json",
        "--no-compress",
        "--as-of",
        "2026-11-10T15:00:00Z",
    ]);
    scan_on(&home, "2026-11-20");
    home.json(["export", "--json", "--as-of", "2026-11-20T15:00:00Z"]);
    assert!(archive.join("scans-20261101T150000Z.json").exists());
    let gz = archive.join("chains-20261120T150000Z.json.gz");
    assert_eq!(read_any(&gz)["chain_count"], 3);
    assert_eq!(
        read_any(&gz)["chains"],
        read(&home.home().join("exports/chains.json"))["chains"]
    );
    // Ten days of retention at 2026-11-23 counts back from the newest set before it
    // (2026-11-20): it removes the 2026-11-01 copies of the files with four copies only
    // (2026-11-10 is 10 days old, and each file keeps its 3 newest archives anyway).
    // alerts.json never changed (no alerts), so its one copy is from 2026-11-01.
    scan_on(&home, "2026-11-23");
    let r = home.json([
        "export",
        "--json",
        "--keep-days",
        "10",
        "--as-of",
        "2026-11-23T15:00:00Z",
    ]);
    assert_eq!(r["archives_removed"], 3, "{r}");
    assert!(!archive.join("scans-20261101T150000Z.json").exists());
    assert!(archive.join("scans-20261110T150000Z.json").exists());
    assert!(archive.join("alerts-20261101T150000Z.json").exists());
    assert!(!archive.join("alerts-20261110T150000Z.json").exists());
    assert!(gz.exists());
    scan_on(&home, "2026-11-24");
    home.json([
        "export",
        "--json",
        "--no-archive",
        "--as-of",
        "2026-11-24T15:00:00Z",
    ]);
    assert!(!archive.join("scans-20261124T150000Z.json.gz").exists());
}

/// An export whose data did not change since the last one archives nothing and says so;
/// the next change archives again, and the manifest names the archive of each file.
#[test]
fn an_export_of_unchanged_data_archives_nothing() {
    let home = Home::new();
    home.write_config(CALM);
    let archive = home.home().join("exports/archive");
    scan_on(&home, "2026-11-23");
    let first = home.json(["export", "--json", "--as-of", "2026-11-23T15:00:00Z"]);
    assert_eq!(first["archived"], true, "{first}");
    let written = first["archive_bytes_written"].as_u64().unwrap();
    assert!(written > 0);
    assert_eq!(first["archive_bytes_total"].as_u64().unwrap(), written);
    let on_disk: u64 = std::fs::read_dir(&archive)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(on_disk, written);
    // Five minutes later, nothing new: no copy, the same archives named.
    let again = home.json(["export", "--json", "--as-of", "2026-11-23T15:05:00Z"]);
    assert_eq!(again["archived"], false, "{again}");
    assert_eq!(again["archive_bytes_written"], 0);
    assert_eq!(again["archive_bytes_total"].as_u64().unwrap(), written);
    for (a, b) in first["files"]
        .as_array()
        .unwrap()
        .iter()
        .zip(again["files"].as_array().unwrap())
    {
        assert_eq!(a["content_sha256"], b["content_sha256"]);
        assert_ne!(a["sha256"], b["sha256"], "the timestamp inside changed");
        assert_eq!(a["archive"], b["archive"]);
        assert_eq!(b["archived"], false);
    }
    assert_eq!(std::fs::read_dir(&archive).unwrap().count(), 4);
    let out = home
        .cmd(["export", "--as-of", "2026-11-23T15:06:00Z"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("nothing changed since the last archive, nothing archived"),
        "{}",
        describe(&out)
    );
    // A new scan changes chains, scans and features; alerts.json stays as it was.
    scan_on(&home, "2026-11-24");
    let next = home.json(["export", "--json", "--as-of", "2026-11-24T15:00:00Z"]);
    assert_eq!(next["archived"], true);
    let manifest = read(&home.home().join("exports/manifest.json"));
    for f in next["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["archived"], name != "alerts.json", "{name}");
        let listed = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap();
        let path = archive.join(listed["archive"].as_str().unwrap());
        assert_eq!(f["archive"], path.to_str().unwrap());
        // The named archive holds this export's data.
        let exported = read(&home.home().join("exports").join(name));
        let kind = name.trim_end_matches(".json");
        assert_eq!(read_any(&path)[kind], exported[kind], "{name}");
    }
    // A deleted archive is written again even though the data did not change.
    std::fs::remove_file(archive.join("alerts-20261123T150000Z.json.gz")).unwrap();
    let r = home.json(["export", "--json", "--as-of", "2026-11-24T15:05:00Z"]);
    assert!(
        archive.join("alerts-20261124T150500Z.json.gz").exists(),
        "{r}"
    );
    assert_eq!(r["archived"], true);
}

/// `keep_bytes` caps the archive folder: the oldest copies go first, each file's newest
/// stays.
#[test]
fn the_archive_stays_within_keep_bytes() {
    let home = Home::new();
    // One export's chains archive of this watchlist is ~410 KB (each contract carries
    // the source's IV and its gamma exposure): the cap holds one, not two.
    home.write_config(&format!("{CALM}[export]\nkeep_bytes = 600000\n"));
    let archive = home.home().join("exports/archive");
    let mut removed = 0;
    for day in 16..=20 {
        let day = format!("2026-11-{day}");
        scan_on(&home, &day);
        let r = home.json(["export", "--json", "--as-of", &format!("{day}T15:00:00Z")]);
        let on_disk: u64 = std::fs::read_dir(&archive)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert_eq!(r["archive_bytes_total"].as_u64().unwrap(), on_disk);
        assert!(on_disk <= 600_000, "{on_disk} bytes in the archive: {r}");
        removed += r["archives_removed"].as_u64().unwrap();
    }
    assert!(
        removed > 0,
        "the cap removed nothing: make the scans bigger"
    );
    // The newest chains archive is the last export's.
    assert!(archive.join("chains-20261120T150000Z.json.gz").exists());
    // --keep-bytes 0 lifts the cap for one run: nothing more is removed.
    scan_on(&home, "2026-11-21");
    let r = home.json([
        "export",
        "--json",
        "--keep-bytes",
        "0",
        "--as-of",
        "2026-11-21T15:00:00Z",
    ]);
    assert_eq!(r["archives_removed"], 0, "{r}");
}

/// Each ticker's chain in its own file (and a gzip copy) under chains/, exactly as
/// chains.json holds it, listed in the manifest with its size, SHA-256 and ETag; the
/// files of a ticker no longer exported go once the manifest no longer lists them.
#[test]
fn one_chain_file_per_ticker_listed_in_the_manifest() {
    let home = scanned();
    let dir = home.home().join("exports");
    std::fs::create_dir_all(dir.join("chains")).unwrap();
    // A ticker a previous export held (it left the watchlist), and a file that is not
    // a chain file.
    std::fs::write(dir.join("chains/OLD.json"), "{}").unwrap();
    std::fs::write(dir.join("chains/OLD.json.gz"), "x").unwrap();
    std::fs::write(dir.join("chains/README.txt"), "mine").unwrap();
    let r = home.json(["export", "--json"]);
    assert_eq!(r["chain_files"], 3, "{r}");
    assert_eq!(r["chain_files_removed"], 2, "{r}");
    assert!(!dir.join("chains/OLD.json").exists());
    assert!(dir.join("chains/README.txt").exists());
    let manifest = read(&dir.join("manifest.json"));
    let chains = read(&dir.join("chains.json"));
    let listed = manifest["chains"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for c in chains["chains"].as_array().unwrap() {
        let ticker = c["ticker"].as_str().unwrap();
        let entry = listed.iter().find(|e| e["ticker"] == ticker).unwrap();
        assert_eq!(entry["name"], format!("chains/{ticker}.json"));
        let path = dir.join(entry["name"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(entry["bytes"], bytes.len() as u64);
        let sha = optctl::export::atomic::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        assert_eq!(entry["sha256"], sha);
        assert_eq!(entry["etag"], format!("\"{}\"", &sha[..32]));
        let doc = read(&path);
        assert_eq!(doc["export_timestamp"], chains["export_timestamp"]);
        for k in ["ticker", "scan_id", "as_of", "spot", "contracts"] {
            assert_eq!(doc[k], c[k], "{ticker}: {k}");
        }
        assert_eq!(
            doc["contract_count"],
            c["contracts"].as_array().unwrap().len()
        );
        // What serve's /tickers lists, from the manifest alone.
        for k in ["scan_id", "as_of", "spot", "contract_count"] {
            assert_eq!(entry[k], doc[k], "{ticker}: manifest {k}");
        }
        let gz = dir.join(entry["gzip"]["name"].as_str().unwrap());
        assert_eq!(read_any(&gz), doc);
        assert_eq!(
            entry["gzip"]["bytes"],
            std::fs::metadata(&gz).unwrap().len()
        );
        assert_ne!(entry["gzip"]["etag"], entry["etag"]);
    }
    // An export of other files only lists the per-ticker files of before, untouched.
    let before = std::fs::read(dir.join("chains/AAPL.json")).unwrap();
    home.json(["export", "--json", "--only", "alerts"]);
    let again = read(&dir.join("manifest.json"));
    assert_eq!(again["chains"], manifest["chains"]);
    assert_eq!(std::fs::read(dir.join("chains/AAPL.json")).unwrap(), before);
}

/// A ticker name is a file name only in its normal spelling: nothing can leave the
/// folder.
#[test]
fn chain_file_names_come_from_valid_symbols_only() {
    use optctl::export::chain_file_name;
    assert_eq!(chain_file_name("BRK.B").unwrap(), "BRK.B.json");
    assert_eq!(chain_file_name("M&M").unwrap(), "M&M.json");
    for bad in [
        "../etc",
        "A/B",
        ".hidden",
        "",
        "brk.b",
        "AAPL ",
        "A..B",
        "TOOLONGNAMEOFATICKER",
    ] {
        assert!(chain_file_name(bad).is_err(), "{bad:?}");
    }
}

/// An export dated a year ahead (a mistyped `--as-of`, or a clock set ahead) keeps the
/// archives before it: retention counts back from the newest archive, not from the
/// future. Exporting back in time again never removes what is dated after it.
#[test]
fn an_export_dated_in_the_future_keeps_the_earlier_archives() {
    let home = Home::new();
    home.write_config(CALM);
    let archive = home.home().join("exports/archive");
    let days = [
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
        "2026-11-23",
    ];
    for day in days {
        // A scan before each export, so each export has new data to archive.
        scan_on(&home, day);
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
        let name = format!("scans-{}T150000Z.json.gz", day.replace('-', ""));
        assert!(archive.join(&name).exists(), "{name} was removed");
    }
}

#[test]
fn a_failing_part_is_recorded_and_the_others_are_written() {
    let home = scanned();
    home.exec("UPDATE alerts SET alert_data = 'not json'");
    home.exec("UPDATE chain_snapshots SET expiry = 'someday' WHERE ticker = 'SPY' AND scan_id = 2");
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
                        "chains/AAPL.json",
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
    let mut sets = Vec::new();
    while !scanner.is_finished() || exports < 5 {
        exports += 1;
        let at = format!("2026-11-23T21:00:{:02}Z", exports % 60);
        sets.push(home.json(["export", "--json", "--as-of", &at]));
    }
    scanner.join().unwrap();
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 50, "readers ran");
    assert_eq!(torn.load(Ordering::Relaxed), 0, "a reader saw a torn file");
    // Every export's archived set agrees with itself: each feature row and each chain
    // belongs to a scan listed in the same export's scans.json. An export of unchanged
    // data names the earlier archives that hold its data.
    let mut checked = 0;
    for set in &sets {
        let archive_of = |name: &str| {
            let f = set["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == name)
                .unwrap();
            read_any(Path::new(f["archive"].as_str().unwrap()))
        };
        let stamp = set["export_timestamp"].as_str().unwrap();
        let scans = archive_of("scans.json");
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
        let features = archive_of("features.json");
        for f in features["features"].as_array().unwrap() {
            assert!(
                times.contains(f["as_of"].as_str().unwrap()),
                "{stamp}: features of a scan missing from scans.json"
            );
        }
        let chains = archive_of("chains.json");
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
