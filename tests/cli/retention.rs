//! Seven weeks of the README's cron cadence, compressed to one run of each job a day:
//! the database stops growing once the data is older than the retention settings; and a
//! large prune under concurrent readers and writers.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};

use crate::harness::servers::Server;
use crate::harness::{Home, describe, table_rows};

/// Rows per table.
fn rows(home: &Home) -> BTreeMap<String, u64> {
    table_rows(&home.json(["store", "stats", "--json"]))
        .into_iter()
        .collect()
}

#[test]
fn seven_weeks_of_cron_stay_within_the_retention_bounds() {
    let receiver = Server::receiver();
    let home = Home::new();
    home.write_config(&format!(
        r#"
[provider.sim]
anomaly_rate = 0.0
[scan]
keep_chain_days = 5
[enrich]
keep_days = 10
[enrich.lookback_days]
"1d" = 5
[scheduler]
keep_days = 10
[notify]
keep_sent_days = 10
[notify.channels.hook]
kind = "webhook"
url = "{}/hook"
"#,
        receiver.url()
    ));
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 15, 0, 0).unwrap();
    let mut at_day = BTreeMap::new();
    for day in 0..50 {
        let at = (start + Duration::days(day)).to_rfc3339();
        for args in [
            vec!["-q", "scan", "--tickers", "SPY,AAPL"],
            vec!["-q", "notify"],
            vec![
                "-q",
                "enrich",
                "run",
                "--symbols",
                "AAPL",
                "--timeframes",
                "1d",
            ],
            vec!["-q", "migrate-scheduler", "run"],
        ] {
            let out = home
                .std_cmd(args.iter().copied().chain(["--as-of", at.as_str()]))
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 3)),
                "{args:?} at {at}: {}",
                describe(&out)
            );
        }
        if day == 24 || day == 49 {
            at_day.insert(day, rows(&home));
        }
    }
    let (first, second) = (&at_day[&24], &at_day[&49]);
    // Kept by design, a row or two per scan and ticker: the scan history (scans,
    // features, alerts) and the daily IV that IV rank reads a year of.
    const KEPT: [&str; 4] = ["scans", "features", "alerts", "iv_history"];
    for (table, &later) in second {
        let earlier = first[table];
        if KEPT.contains(&table.as_str()) {
            assert!(later <= 4 * 50, "{table}: {later} rows after 50 days");
            continue;
        }
        assert!(
            later <= earlier + earlier / 5 + 5,
            "{table}: {earlier} rows after 25 days, {later} after 50: {first:?} {second:?}"
        );
    }
    // Retention ran in every family that has rows to age out.
    for table in [
        "chain_snapshots",
        "enrich_runs",
        "notify_outbox",
        "scheduler_runs",
    ] {
        assert!(first[table] > 0, "{table}: {first:?}");
    }
}

/// `optctl store prune` deleting a quarter of a million chain rows in batches while
/// another process keeps reading (`optctl scans`) and writing (`optctl scan`) the same
/// database: neither ever sees "database is locked", and the prune finishes.
#[test]
fn a_large_prune_never_locks_out_a_concurrent_reader_or_writer() {
    let home = Home::new();
    home.write_config("[scan]\nkeep_chain_days = 5\n");
    // One old scan of four tickers (~4,000 chain rows), then 60 copies of it.
    home.cmd([
        "-q",
        "--as-of",
        "2026-09-01T15:00:00Z",
        "scan",
        "--tickers",
        "SPY,QQQ,IWM,AAPL",
    ])
    .assert()
    .success();
    let copy_scan = "INSERT INTO scans (started_at, as_of, finished_at, status, provider, pid,
                                        tickers_requested, tickers_ok, contracts)
                     SELECT started_at, as_of, finished_at, status, provider, pid,
                            tickers_requested, tickers_ok, contracts FROM scans WHERE id = 1;\n";
    // On PostgreSQL a chain row also has its day (the copies share scan 1's).
    let day = if home.store_url().is_some() {
        ", day"
    } else {
        ""
    };
    home.exec(&format!(
        "BEGIN;
         {}
         INSERT INTO chain_snapshots (scan_id, ticker, symbol, expiry, strike, \"right\",
                bid, ask, last, volume, open_interest, iv, delta, gamma, theta, vega,
                underlying_price, rho, model{day})
         SELECT s.id, c.ticker, c.symbol, c.expiry, c.strike, c.\"right\",
                c.bid, c.ask, c.last, c.volume, c.open_interest, c.iv, c.delta, c.gamma,
                c.theta, c.vega, c.underlying_price, c.rho, c.model{day}
         FROM scans s JOIN chain_snapshots c ON c.scan_id = 1 WHERE s.id > 1;
         COMMIT;",
        copy_scan.repeat(60)
    ));
    // Retention counts back from the newest scan: one today (scan 62).
    home.cmd(["-q", "scan", "--tickers", "SPY"])
        .assert()
        .success();
    let before = home.count("SELECT count(*) FROM chain_snapshots");
    assert!(before > 200_000, "{before}");

    let prune = home
        .std_cmd(["store", "prune", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = prune.id();
    let running = || std::path::Path::new(&format!("/proc/{pid}")).exists() && !zombie(pid);
    // A reader and a writer, each in a loop of its own, for as long as the prune runs.
    let loop_while_pruning = |args: &[&str]| {
        let mut n = 0;
        while running() {
            let out = home.cmd(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
            assert!(
                out.status.success() && !stderr.contains("locked") && !stderr.contains("busy"),
                "{args:?} during the prune: {}",
                describe(&out)
            );
            n += 1;
        }
        n
    };
    let (reads, writes) = std::thread::scope(|s| {
        let r = s.spawn(|| loop_while_pruning(&["scans", "--json"]));
        let w = s.spawn(|| loop_while_pruning(&["-q", "scan", "--tickers", "SPY"]));
        (r.join().unwrap(), w.join().unwrap())
    });
    let out = prune.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every old copy past each ticker's 3 newest scans went (the scans' own end-of-run
    // prunes took part of them), and the scans written meanwhile are whole.
    let chains = report["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "chains")
        .unwrap()["rows"]
        .as_i64()
        .unwrap();
    assert!(chains > 10_000, "store prune deleted {chains} chain rows");
    let per_scan = home.count("SELECT contracts FROM scans WHERE id = 1");
    let old = home.count("SELECT count(*) FROM chain_snapshots WHERE scan_id <= 61");
    assert!(old <= 3 * per_scan, "{old} old rows left");
    assert_eq!(
        home.count("SELECT count(*) FROM chain_snapshots WHERE scan_id > 61"),
        home.count("SELECT sum(contracts) FROM scans WHERE id > 61"),
        "the scans written during the prune are kept whole"
    );
    // A scan that starts during the prune also prunes at its end, so the two prunes
    // run together too: the writer may manage only one scan while the prune lasts.
    assert!(
        reads >= 5 && writes >= 1,
        "{reads} reads, {writes} writes during the prune"
    );
}

/// Whether process `pid` has exited but not been waited for.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

/// The README's cron lines over a simulated trading week, Monday to Friday: `*/10` scan +
/// export and `*/5` export. To keep the run short, each day is the first hour of the
/// session (14:30–15:25 UTC, 6 scans and 12 exports) and the watchlist 5 tickers instead
/// of the default 20, with `keep_bytes` scaled down to match (3 MB, about six scans'
/// archives). The archive folder never holds more than the cap, the cap removed old
/// copies, and an export that follows no scan archives only the files whose data changed
/// (chains, scans and features never do between scans; alerts.json only when an alert
/// ages out of its 24 h window).
#[test]
fn a_week_of_the_readme_cron_keeps_the_archive_within_its_cap() {
    const CAP: u64 = 3_000_000;
    let home = Home::new();
    home.write_config(&format!("[export]\nkeep_bytes = {CAP}\n"));
    let archive = home.home().join("exports/archive");
    let monday = Utc.with_ymd_and_hms(2026, 11, 30, 14, 30, 0).unwrap();
    let (mut removed, mut lone, mut lone_unarchived) = (0, 0, 0);
    let mut previous: Option<serde_json::Value> = None;
    for day in 0..5 {
        for step in 0..12 {
            let at = (monday + Duration::days(day) + Duration::minutes(5 * step)).to_rfc3339();
            let scanned = step % 2 == 0;
            if scanned {
                let out = home
                    .std_cmd([
                        "-q",
                        "scan",
                        "--tickers",
                        "AAPL,SPY,TSLA,NVDA,MSFT",
                        "--as-of",
                        &at,
                    ])
                    .output()
                    .unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "scan at {at}: {}",
                    describe(&out)
                );
            }
            let r = home.json(["export", "--json", "--as-of", &at]);
            let on_disk: u64 = std::fs::read_dir(&archive)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum();
            assert!(on_disk <= CAP, "{at}: {on_disk} bytes in the archive");
            assert_eq!(r["archive_bytes_total"].as_u64().unwrap(), on_disk, "{at}");
            removed += r["archives_removed"].as_u64().unwrap();
            let files = r["files"].as_array().unwrap();
            if scanned {
                let chains = files.iter().find(|f| f["name"] == "chains.json").unwrap();
                assert_eq!(chains["archived"], true, "{at}: a new scan's chains");
            } else if let Some(prev) = &previous {
                lone += 1;
                let mut changed = false;
                for f in files {
                    let before = prev["files"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|p| p["name"] == f["name"])
                        .unwrap();
                    let same = before["content_sha256"] == f["content_sha256"];
                    assert_eq!(f["archived"], !same, "{at}: {}", f["name"]);
                    if f["name"] != "alerts.json" {
                        assert!(same, "{at}: {} changed without a scan", f["name"]);
                    }
                    changed |= !same;
                }
                assert_eq!(r["archived"], changed, "{at}");
                if !changed {
                    lone_unarchived += 1;
                    assert_eq!(r["archive_bytes_written"], 0, "{at}");
                }
            }
            previous = Some(r);
        }
    }
    assert_eq!(lone, 30);
    assert!(
        lone_unarchived > 0,
        "no export without a scan archived nothing"
    );
    assert!(
        removed > 0,
        "the cap never removed anything: raise the week's volume"
    );
}
