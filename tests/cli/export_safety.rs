//! `optctl export` when things go wrong: a killed export (its temp files, and the set a
//! reader sees until the next export), a damaged database (the previous file is kept,
//! the manifest says why, exit 3), and `serve`'s `/health` on a damaged store.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::{Home, describe};
use crate::serve::{Server, get};

const CALM: &str = "[provider.sim]\nanomaly_rate = 0.0\n";

const FILES: [&str; 4] = ["alerts.json", "chains.json", "scans.json", "features.json"];

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// What a reader does to know it holds one export's set: every file the manifest lists
/// has the manifest's size and SHA-256. Returns the files that do not match.
fn mismatched(dir: &Path) -> Vec<String> {
    let manifest = read(&dir.join("manifest.json"));
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let bytes = std::fs::read(dir.join(f["name"].as_str().unwrap())).unwrap();
            f["sha256"] != sha256(&bytes).as_str() || f["bytes"] != bytes.len() as u64
        })
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

/// A home with one scan of AAPL, SPY and TSLA that raised alerts.
fn scanned() -> Home {
    let home = Home::new();
    home.write_config(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [{ ticker = \"AAPL\", kind = \"volume_burst\", from = \"2026-11-23T14:30:00Z\" }]\n",
    );
    home.json(["scan", "--json", "--tickers", "AAPL,SPY,TSLA"]);
    home
}

/// [`scanned`], exported once at 15:00:00.
fn exported() -> Home {
    let home = scanned();
    home.json(["export", "--json"]);
    home
}

/// Overwrites the root page of `table` with garbage, the database closed, so reading
/// that table fails while the other tables still read.
fn damage(home: &Home, table: &str) {
    let (root, page_size): (u64, u64) = {
        let db = home.db();
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        (
            db.query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap(),
            db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
        )
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(home.db_path())
        .unwrap();
    f.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
    let garbage: Vec<u8> = (0..page_size).map(|i| (i * 151 % 251) as u8).collect();
    f.write_all(&garbage).unwrap();
    f.sync_all().unwrap();
    drop(f);
    let db = home.db();
    // Every row of the table, not an index's count.
    let rows = |t: &str| -> rusqlite::Result<usize> {
        let mut stmt = db.prepare(&format!("SELECT * FROM {t}"))?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while rows.next()?.is_some() {
            n += 1;
        }
        Ok(n)
    };
    assert!(rows(table).is_err(), "{table} still reads");
    assert!(rows("scans").unwrap() > 0, "scans no longer read");
}

#[test]
fn leftover_temp_files_are_removed_by_the_next_export_and_nothing_else() {
    let home = exported();
    let dir = home.home().join("exports");
    let archive = dir.join("archive");
    // What killed exports leave: temp files of every export file, an hour old or fresh
    // (a kill a moment ago), and of a compressed archive copy.
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut planted = vec![];
    for (folder, name, old) in [
        (&dir, ".chains.json.a1B2c3.tmp", true),
        (&dir, ".chains.json.Zz9Yy8.tmp", false),
        (&dir, ".alerts.json.q0W9e8.tmp", true),
        (&dir, ".manifest.json.r7T6y5.tmp", false),
        (
            &archive,
            ".chains-20261123T140000Z.json.gz.u4I3o2.tmp",
            true,
        ),
        (&dir.join("chains"), ".AAPL.json.gz.p0O9i8.tmp", true),
    ] {
        let p = folder.join(name);
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(3 << 20).unwrap();
        if old {
            f.set_modified(an_hour_ago).unwrap();
        }
        planted.push(p);
    }
    // Files that are not an export's temp files stay.
    for p in [dir.join(".keep"), dir.join("notes.tmp"), dir.join(".x.tmp")] {
        std::fs::write(&p, "mine").unwrap();
    }
    let r = home.json(["export", "--json", "--as-of", "2026-11-23T15:05:00Z"]);
    assert_eq!(r["temp_files_removed"], 6, "{r}");
    for p in &planted {
        assert!(!p.exists(), "{} left", p.display());
    }
    assert_eq!(
        names(&dir),
        [
            ".keep",
            ".x.tmp",
            "alerts.json",
            "archive",
            "chains",
            "chains.json",
            "features.json",
            "manifest.json",
            "notes.tmp",
            "scans.json"
        ]
    );
    assert!(names(&archive).iter().all(|n| !n.starts_with('.')));
    assert_eq!(mismatched(&dir), Vec::<String>::new());
    assert_eq!(read(&dir.join("chains.json"))["chain_count"], 3);
}

/// SIGKILL an export while it streams chains.json: the files a reader sees are still one
/// export's set (the manifest's hashes match every file), because no file is renamed
/// into place before every file is written. The next export removes the temp files the
/// killed one left.
#[test]
fn a_killed_export_leaves_a_whole_set_and_its_temp_files_go_with_the_next_export() {
    let home = Home::new();
    home.write_config(CALM);
    let tickers: Vec<String> = (0..24)
        .map(|i| format!("K{}{}", (b'A' + i / 5) as char, (b'A' + i % 5) as char))
        .collect();
    home.json(["scan", "--json", "--tickers", &tickers.join(",")]);
    let dir = home.home().join("exports");
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts <= 10, "never caught an export writing chains.json");
        home.json(["export", "--json", "--as-of", "2026-11-23T15:00:00Z"]);
        let before = std::fs::read(dir.join("manifest.json")).unwrap();
        let mut child = home
            .std_cmd(["export", "-q", "--as-of", "2026-11-23T15:10:00Z"])
            .spawn()
            .unwrap();
        let temp = |prefix: &str| names(&dir).iter().any(|n| n.starts_with(prefix));
        let until = Instant::now() + Duration::from_secs(60);
        while !temp(".chains.json.") && child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < until, "export did not start");
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill();
        child.wait().unwrap();
        // Judge only kills that hit while chains.json was being written: its temp file
        // is left and the one of scans.json (written next) was never made.
        let mid_chains = temp(".chains.json.") && !temp(".scans.json.");
        if !mid_chains {
            continue;
        }
        assert_eq!(
            mismatched(&dir),
            Vec::<String>::new(),
            "a reader sees files of two exports under one manifest (attempt {attempts})"
        );
        assert_eq!(std::fs::read(dir.join("manifest.json")).unwrap(), before);
        for f in FILES {
            assert_eq!(
                read(&dir.join(f))["export_timestamp"],
                "2026-11-23T15:00:00Z",
                "{f}"
            );
        }
        break;
    }
    let r = home.json(["export", "--json", "--as-of", "2026-11-23T15:20:00Z"]);
    assert!(r["temp_files_removed"].as_u64().unwrap() >= 1, "{r}");
    assert!(
        names(&dir).iter().all(|n| !n.starts_with('.')),
        "{:?}",
        names(&dir)
    );
    assert_eq!(mismatched(&dir), Vec::<String>::new());
    assert_eq!(
        read(&dir.join("manifest.json"))["export_timestamp"],
        "2026-11-23T15:20:00Z"
    );
}

/// One bad page in a table: the file read from it keeps its previous version byte for
/// byte, the others are written and archived, the manifest lists the error and still
/// describes every file on disk, exit 3.
#[test]
fn a_damaged_table_keeps_the_previous_file_and_the_manifest_says_so() {
    if crate::harness::sqlite_only("damages pages of the SQLite file") {
        return;
    }
    for (table, file) in [
        ("alerts", "alerts.json"),
        ("chain_snapshots", "chains.json"),
    ] {
        let home = exported();
        let dir = home.home().join("exports");
        let previous = std::fs::read(dir.join(file)).unwrap();
        let old = serde_json::from_slice::<Value>(&previous).unwrap();
        assert!(old["errors"].as_array().unwrap().is_empty(), "{old}");
        damage(&home, table);
        let out = home
            .cmd(["export", "--json", "--as-of", "2026-11-23T15:10:00Z"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{table}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(file), "{table}: {stderr}");
        assert_eq!(
            std::fs::read(dir.join(file)).unwrap(),
            previous,
            "{table}: {file} was replaced"
        );
        let manifest = read(&dir.join("manifest.json"));
        assert_eq!(manifest["export_timestamp"], "2026-11-23T15:10:00Z");
        let errors = manifest["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{table}: {manifest}");
        let e = errors[0].as_str().unwrap();
        assert!(e.starts_with(&format!("{file}: ")), "{e}");
        assert!(e.contains("malformed"), "{e}");
        assert!(e.contains("previous version kept"), "{e}");
        // The manifest describes the four files as they are on disk, the kept one too.
        assert_eq!(manifest["files"].as_array().unwrap().len(), 4, "{manifest}");
        assert_eq!(mismatched(&dir), Vec::<String>::new(), "{table}");
        let kept = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == file)
            .unwrap();
        assert_eq!(
            kept["count"],
            old[if file == "alerts.json" {
                "alert_count"
            } else {
                "chain_count"
            }]
        );
        // The other files are new, and their archives (written now, or earlier when
        // their data did not change) hold their data; the kept one gets no archive copy.
        let r = crate::harness::parse_json(&out);
        for f in FILES {
            let doc = read(&dir.join(f));
            let reported = r["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == f)
                .unwrap();
            let archived = dir
                .join("archive")
                .join(f.replace(".json", "-20261123T151000Z.json.gz"));
            if f == file {
                assert_eq!(doc["export_timestamp"], "2026-11-23T15:00:00Z");
                assert!(!archived.exists(), "{}", archived.display());
                assert_eq!(reported["archived"], false);
            } else {
                assert_eq!(doc["export_timestamp"], "2026-11-23T15:10:00Z", "{f}");
                assert!(doc["errors"].as_array().unwrap().is_empty(), "{f}: {doc}");
                let copy = crate::export::read_any(std::path::Path::new(
                    reported["archive"].as_str().unwrap(),
                ));
                let kind = f.trim_end_matches(".json");
                assert_eq!(copy[kind], doc[kind], "{f}");
            }
        }
        let reported = r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == file)
            .unwrap();
        assert_eq!(reported["kept_previous"], true, "{r}");
        if file == "chains.json" {
            assert_eq!(read(&dir.join(file))["chain_count"], 3);
        }
    }
}

/// With no previous file to keep, the file is written with the error inside (so a
/// reader finds it and the reason), and the run is still partial.
#[test]
fn a_damaged_table_with_no_previous_file_writes_the_error() {
    if crate::harness::sqlite_only("damages pages of the SQLite file") {
        return;
    }
    let home = scanned();
    damage(&home, "alerts");
    let out = home.cmd(["export", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let dir = home.home().join("exports");
    let alerts = read(&dir.join("alerts.json"));
    assert_eq!(alerts["alert_count"], 0);
    assert!(alerts["errors"][0].as_str().unwrap().contains("malformed"));
    assert_eq!(read(&dir.join("chains.json"))["chain_count"], 3);
    assert_eq!(mismatched(&dir), Vec::<String>::new());
}

/// `serve` checks the store (`PRAGMA quick_check`) in the background and `/health` says
/// when it is damaged, with SQLite's message, instead of `ok`.
#[test]
fn serve_health_reports_a_damaged_store() {
    if crate::harness::sqlite_only("damages pages of the SQLite file") {
        return;
    }
    let home = exported();
    let server = Server::start(&home, &[]);
    let checked = |server: &Server| {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let v = get(server, "/health").json();
            if !v["store"]["check"]["checked_at"].is_null() {
                return v;
            }
            assert!(Instant::now() < until, "the store was never checked: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let v = checked(&server);
    assert_eq!(v["status"], "ok", "{v}");
    assert_eq!(v["store"]["check"]["ok"], true, "{v}");
    drop(server);

    damage(&home, "alerts");
    let server = Server::start(&home, &[]);
    let v = checked(&server);
    assert_eq!(v["status"], "degraded", "{v}");
    assert_eq!(v["store"]["check"]["ok"], false, "{v}");
    let message = v["store"]["check"]["message"].as_str().unwrap();
    assert!(!message.is_empty() && message != "ok", "{v}");
}
