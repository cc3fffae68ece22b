//! `optctl scan`, `optctl scans` and `optctl alerts`.

use std::time::{Duration, Instant};

use predicates::str::contains;

use crate::harness::{Home, describe};

/// A calm simulated market: no random anomalies.
const CALM: &str = "[provider.sim]\nanomaly_rate = 0.0\n";

#[test]
fn default_scan_creates_home_and_stores_a_scan() {
    let home = Home::new();
    let out = home.cmd(["scan"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("succeeded"), "{stdout}");
    assert!(stdout.contains("AAPL"), "{stdout}");
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'succeeded'"),
        1
    );
    assert_eq!(home.count("SELECT count(*) FROM features"), 20);
    // Each chain is realistic: hundreds of contracts, and every two-sided out-of-the-money
    // quote near the money (within 10% of spot, more than a day out), whose price is all
    // time value, has an IV and greeks. (In-the-money quotes whose rounded mid falls
    // under the no-arbitrage bound rightly get none.)
    assert!(home.count("SELECT min(contracts) FROM features") >= 400);
    let near = "FROM chain_snapshots WHERE bid > 0 AND abs(strike / underlying_price - 1) < 0.1 \
                AND expiry > '2026-11-24' AND ((\"right\" = 'call' AND strike >= underlying_price) \
                OR (\"right\" = 'put' AND strike <= underlying_price))";
    assert!(home.count(&format!("SELECT count(*) {near}")) > 500);
    assert_eq!(
        home.count(&format!(
            "SELECT count(*) {near} AND (iv IS NULL OR delta IS NULL OR vega IS NULL)"
        )),
        0
    );
}

#[test]
fn json_report_counts_tickers_contracts_and_calls() {
    let home = Home::new();
    home.write_config(CALM);
    // A ticker named twice is scanned once.
    let r = home.json(["scan", "--tickers", "aapl,MSFT,AAPL", "--json"]);
    assert_eq!(r["tickers_requested"], 2);
    assert_eq!(r["status"], "succeeded");
    assert_eq!(r["tickers_ok"], 2);
    assert_eq!(r["provider_calls"], 2);
    assert_eq!(r["tickers"][0]["ticker"], "AAPL");
    let contracts = r["contracts"].as_u64().unwrap();
    assert_eq!(
        contracts as i64,
        home.count("SELECT count(*) FROM chain_snapshots")
    );
    let iv30 = r["tickers"][0]["atm_iv_30d"].as_f64().unwrap();
    assert!((0.05..1.5).contains(&iv30), "{iv30}");
}

#[test]
fn one_failing_ticker_exits_0_names_it_and_keeps_the_rest() {
    let home = Home::new();
    home.write_config("[provider.sim]\nanomaly_rate = 0.0\nfail_tickers = [\"BAD\"]\n");
    home.cmd(["scan", "--tickers", "AAPL,BAD,MSFT"])
        .assert()
        .code(0)
        .stderr(contains("optctl: scan 1: 1 of 3 tickers failed: BAD: "));
    let scans = home.json(["scans", "--json"]);
    assert_eq!(scans["scans"][0]["status"], "partial");
    assert_eq!(scans["scans"][0]["tickers_ok"], 2);
    assert_eq!(scans["scans"][0]["errors"][0]["ticker"], "BAD");
    assert_eq!(home.count("SELECT count(*) FROM features"), 2);
}

#[test]
fn all_failing_gives_exit_1() {
    let home = Home::new();
    home.write_config("[provider.sim]\nfailure_rate = 1.0\n");
    home.cmd(["scan", "--tickers", "AAPL,MSFT"])
        .assert()
        .code(1)
        .stderr(contains("all 2 tickers failed"));
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'failed'"),
        1
    );
}

#[test]
fn watchlist_file_and_unknown_symbols() {
    let home = Home::new();
    home.write_config(CALM);
    let list = home.root().join("list.txt");
    std::fs::write(&list, "# my names\nAAPL\nNOT;A;TICKER\n").unwrap();
    let out = home
        .cmd(["scan", "--watchlist", list.to_str().unwrap()])
        .output()
        .unwrap();
    // The file itself is rejected: "NOT;A;TICKER" has a character tickers never have.
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("watchlist") && err.contains("list.txt") && err.contains("line 3"),
        "{}",
        describe(&out)
    );
    // A missing file is named as the watchlist it is, not as a config file.
    let out = home
        .cmd(["scan", "--watchlist", "/nonexistent/list.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot read watchlist /nonexistent/list.txt"),
        "{}",
        describe(&out)
    );
    std::fs::write(&list, "AAPL, SPY\n").unwrap();
    let r = home.json(["scan", "--json", "--watchlist", list.to_str().unwrap()]);
    assert_eq!(r["tickers_ok"], 2);
}

/// Starts a scan that takes a few seconds (injected provider latency).
#[allow(
    clippy::zombie_processes,
    reason = "the caller kills and waits for the returned child"
)]
fn slow_scan(home: &Home) -> std::process::Child {
    home.write_config("[provider.sim]\nanomaly_rate = 0.0\nlatency_ms = 400\n");
    // `std_cmd`: the home's environment, its store (PostgreSQL in that mode) included.
    let mut cmd = home.std_cmd([
        "scan",
        "--concurrency",
        "1",
        "--tickers",
        "A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P",
    ]);
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    // Wait until it has recorded its running scan and stored at least one ticker.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stored = home
            .try_count("SELECT count(*) FROM features")
            .is_some_and(|n| n >= 1);
        if stored {
            return child;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the slow scan never stored a ticker");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_second_scan_while_one_runs_exits_75_and_touches_nothing() {
    let home = Home::new();
    let mut first = slow_scan(&home);
    home.cmd(["scan", "--tickers", "AAPL"])
        .assert()
        .code(75)
        .stderr(contains("another `optctl scan` is running"));
    assert_eq!(home.count("SELECT count(*) FROM scans"), 1);
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn a_killed_scan_is_marked_interrupted_and_the_database_stays_consistent() {
    let home = Home::new();
    let mut first = slow_scan(&home);
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'running'"),
        1
    );
    let stored_before: i64 = home.count("SELECT count(*) FROM features");
    assert!(stored_before >= 1);
    // Every stored ticker is whole: its features row and all its contracts.
    assert_eq!(
        home.count("SELECT count(*) FROM features f WHERE contracts != (SELECT count(*) FROM chain_snapshots c WHERE c.scan_id = f.scan_id AND c.ticker = f.ticker)"),
        0
    );
    home.write_config(CALM);
    let r = home.json(["scan", "--tickers", "AAPL", "--json"]);
    assert_eq!(r["recovered_interrupted"].as_array().unwrap().len(), 1);
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'interrupted'"),
        1
    );
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'running'"),
        0
    );
    if home.store_url().is_none() {
        let ok: String = home
            .db()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
    // What the killed scan committed is still there.
    assert!(home.count("SELECT count(*) FROM features") > stored_before);
}

#[test]
fn same_seed_and_time_give_the_same_scan() {
    let (a, b) = (Home::new(), Home::new());
    for h in [&a, &b] {
        h.write_config(CALM);
        h.json(["scan", "--tickers", "AAPL,TSLA", "--json"]);
    }
    let sql = "SELECT symbol, bid, ask, volume, open_interest, iv FROM chain_snapshots ORDER BY ticker, symbol";
    let dump = |h: &Home| h.rows(sql);
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn saved_snapshots_replay_through_the_files_provider() {
    let rec = Home::new();
    rec.write_config(CALM);
    let dir = rec.root().join("snaps");
    rec.json([
        "scan",
        "--tickers",
        "AAPL,SPY",
        "--json",
        "--save-snapshots",
        dir.to_str().unwrap(),
    ]);
    let replay = Home::new();
    let r = replay.json([
        "scan",
        "--tickers",
        "AAPL,SPY",
        "--json",
        "--provider",
        "files",
        "--files-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r["provider"], "files");
    assert_eq!(r["tickers_ok"], 2);
    let sql = "SELECT ticker, spot, atm_iv_30d, contracts FROM features ORDER BY ticker";
    let (rec_f, rep_f) = (rec.rows(sql), replay.rows(sql));
    assert_eq!(rec_f, rep_f);
    // A ticker with no saved snapshot fails alone.
    replay
        .cmd([
            "scan",
            "--tickers",
            "AAPL,MSFT",
            "--provider",
            "files",
            "--files-dir",
            dir.to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stderr(contains("1 of 2 tickers failed: MSFT"));
}

#[test]
fn files_provider_without_a_folder_is_a_usage_error() {
    let home = Home::new();
    home.cmd(["scan", "--provider", "files"])
        .assert()
        .code(2)
        .stderr(contains("--files-dir"));
}

/// Four calm scans on consecutive trading days, then anomalies planted on the last day.
#[test]
fn planted_anomalies_fire_their_detectors_and_a_calm_market_stays_quiet() {
    let home = Home::new();
    let config = |min_iv_observations: u32| {
        format!(
            r#"
[scan]
min_iv_observations = {min_iv_observations}
[provider.sim]
anomaly_rate = 0.0
plant = [
  {{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-23T14:00:00Z" }},
  {{ ticker = "MSFT", kind = "iv_jump", from = "2026-11-23T14:00:00Z" }},
  {{ ticker = "TSLA", kind = "oi_surge", from = "2026-11-23T14:00:00Z" }},
]
"#
        )
    };
    // IV rank stays off (default minimum of 20 days) while history builds ...
    home.write_config(&config(20));
    let tickers = "AAPL,MSFT,TSLA,SPY";
    for day in ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"] {
        let r = home.json([
            "scan",
            "--json",
            "--tickers",
            tickers,
            "--as-of",
            &format!("{day}T15:00:00Z"),
        ]);
        assert_eq!(
            r["alerts"], 0,
            "calm day {day} raised alerts: {}",
            r["alerts_by_detector"]
        );
    }
    // ... and is reported from 4 days on, so the IV jump sets a new high.
    home.write_config(&config(4));
    let r = home.json(["scan", "--json", "--tickers", tickers]);
    let alerts = home.json(["alerts", "--json", "--scan", &r["scan_id"].to_string()]);
    let fired: Vec<(String, String)> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["ticker"].as_str().unwrap().to_string(),
                a["detector_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (ticker, detector) in [
        ("AAPL", "unusual_activity"),
        ("AAPL", "volume_spike"),
        ("MSFT", "iv_spike"),
        ("MSFT", "iv_rank_extreme"),
        ("TSLA", "oi_surge"),
    ] {
        assert!(
            fired.contains(&(ticker.into(), detector.into())),
            "{ticker} {detector} missing from {fired:?}"
        );
    }
    // SPY had no anomaly. With only 4 days of history its IV rank may sit at an end of
    // its range by chance, so that detector is the one SPY may raise.
    assert!(
        !fired
            .iter()
            .any(|(t, d)| t == "SPY" && d != "iv_rank_extreme"),
        "SPY is calm: {fired:?}"
    );
    let msft_rank = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ticker"] == "MSFT" && a["detector_name"] == "iv_rank_extreme")
        .unwrap();
    assert_eq!(msft_rank["alert_data"]["side"], "high");
    assert_eq!(msft_rank["alert_data"]["iv_rank"], 1.0);
    for a in alerts["alerts"].as_array().unwrap() {
        let score = a["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score));
        assert!(a["alert_data"].is_object());
    }
    // Ten minutes later the anomalies are still there, but the cooldown holds them back.
    let again = home.json([
        "scan",
        "--json",
        "--tickers",
        tickers,
        "--as-of",
        "2026-11-23T15:10:00Z",
    ]);
    assert!(
        again["alerts_in_cooldown"].as_u64().unwrap() >= 1,
        "{again}"
    );
    let repeat = home.json([
        "alerts",
        "--json",
        "--scan",
        &again["scan_id"].to_string(),
        "--detector",
        "unusual_activity",
    ]);
    assert_eq!(repeat["alert_count"], 0, "{repeat}");
}

#[test]
fn alerts_and_scans_filters() {
    let home = Home::new();
    home.write_config(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [{ ticker = \"AAPL\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }]\n",
    );
    home.json(["scan", "--json", "--tickers", "AAPL,SPY"]);
    let all = home.json(["alerts", "--json"]);
    assert!(all["alert_count"].as_u64().unwrap() >= 1);
    let none = home.json(["alerts", "--json", "--ticker", "spy"]);
    assert_eq!(none["alert_count"], 0);
    let high = home.json(["alerts", "--json", "--min-score", "100.0"]);
    assert!(high["alert_count"].as_u64().unwrap() <= all["alert_count"].as_u64().unwrap());
    let old = home.json(["alerts", "--json", "--since", "2026-11-24T00:00:00Z"]);
    assert_eq!(old["alert_count"], 0);
    let one = home.json(["alerts", "--json", "--limit", "1"]);
    assert_eq!(one["alert_count"], 1);
    home.cmd(["alerts", "--since", "yesterday"])
        .assert()
        .code(2)
        .stderr(contains("--since"));
    home.cmd(["alerts", "--detector", "nope"]).assert().code(2);
    let scans = home.json(["scans", "--json", "--status", "succeeded"]);
    assert_eq!(scans["scan_count"], 1);
    let out = home.cmd(["alerts"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("AAPL"));
}

#[test]
fn reading_before_any_scan_says_what_to_do() {
    let home = Home::new();
    home.cmd(["alerts"])
        .assert()
        .code(1)
        .stderr(contains("run `optctl scan` first"));
    home.cmd(["scans", "--json"]).assert().code(1).stdout("");
}

/// Option volume grows through the session: scans at the open and near the close of calm
/// days must not look like spikes against each other.
#[test]
fn volume_building_through_a_calm_session_is_not_a_spike() {
    let home = Home::new();
    home.write_config(CALM);
    let tickers = "AAPL,MSFT,SPY,QQQ,TSLA,NVDA";
    for day in [
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-23",
    ] {
        for time in ["14:40", "16:30", "18:30", "20:50"] {
            let r = home.json([
                "scan",
                "--json",
                "--tickers",
                tickers,
                "--as-of",
                &format!("{day}T{time}:00Z"),
            ]);
            assert_eq!(r["alerts"], 0, "{day} {time}: {}", r["alerts_by_detector"]);
        }
    }
    // The baseline was really there: three or more earlier days at each hour.
    let volumes: Vec<i64> = {
        home.rows("SELECT call_volume + put_volume FROM features WHERE ticker = 'AAPL' AND as_of LIKE '2026-11-20%' ORDER BY as_of")
            .into_iter()
            .map(|r| r[0].as_deref().unwrap().parse().unwrap())
            .collect()
    };
    assert!(
        volumes.windows(2).all(|w| w[0] < w[1]),
        "volume accumulates: {volumes:?}"
    );
    assert!(
        volumes[3] as f64 > 2.5 * volumes[0] as f64,
        "close vs open volume: {volumes:?}"
    );
}

/// A scan outside the session records its IV under the session it sees: a Monday 02:00
/// UTC cron run (Sunday evening in New York) belongs to Friday's trading day, so IV
/// history never gets a Sunday.
#[test]
fn a_sunday_night_scan_records_its_iv_under_friday() {
    let home = Home::new();
    for at in ["2026-11-20T20:30:00Z", "2026-11-23T02:00:00Z"] {
        let r = home.json(["scan", "--json", "--tickers", "AAPL", "--as-of", at]);
        assert_eq!(r["errors"].as_array().map(Vec::len), Some(0), "{r}");
    }
    let days: Vec<String> = home
        .rows("SELECT day FROM iv_history WHERE ticker = 'AAPL' ORDER BY day")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-20"]);
}

/// The chains stored per scan, by `as_of`.
fn chains_by_as_of(home: &Home) -> Vec<(String, i64)> {
    home.rows(
        "SELECT scans.as_of, count(chain_snapshots.scan_id) FROM scans
         LEFT JOIN chain_snapshots ON chain_snapshots.scan_id = scans.id
         GROUP BY scans.id, scans.as_of ORDER BY scans.as_of",
    )
    .into_iter()
    .map(|r| {
        (
            r[0].clone().unwrap(),
            r[1].as_deref().unwrap().parse().unwrap(),
        )
    })
    .collect()
}

/// A scan dated a year ahead (a mistyped `--as-of`, or a clock set ahead) keeps every
/// chain stored before it: retention counts back from the newest stored scan, not from
/// the future.
#[test]
fn a_scan_dated_in_the_future_keeps_the_earlier_chains() {
    let home = Home::new();
    home.write_config(CALM);
    for at in [
        "2026-11-19T15:00:00Z",
        "2026-11-19T18:00:00Z",
        "2026-11-20T15:00:00Z",
        "2026-11-20T18:00:00Z",
        "2026-11-23T15:00:00Z",
    ] {
        home.json(["scan", "--json", "--tickers", "AAPL,MSFT", "--as-of", at]);
    }
    let before = chains_by_as_of(&home);
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");
    let r = home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL,MSFT",
        "--as-of",
        "2027-11-23T15:00:00Z",
    ]);
    assert_eq!(r["chain_rows_pruned"], 0, "{r}");
    let after = chains_by_as_of(&home);
    assert_eq!(&after[..5], &before[..], "earlier chains were pruned");
    // The next scan at the right time keeps the future one too: it is dated after it.
    home.json(["scan", "--json", "--tickers", "AAPL,MSFT"]);
    assert!(chains_by_as_of(&home).iter().all(|(_, n)| *n > 0));
}

/// A scan back in time (`--as-of` in the past) deletes nothing dated after it.
#[test]
fn a_past_as_of_scan_deletes_nothing_dated_after_it() {
    let home = Home::new();
    home.write_config(CALM);
    for at in [
        "2026-11-16T15:00:00Z",
        "2026-11-20T15:00:00Z",
        "2026-11-23T15:00:00Z",
    ] {
        home.json(["scan", "--json", "--tickers", "AAPL", "--as-of", at]);
    }
    let before = chains_by_as_of(&home);
    home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL",
        "--as-of",
        "2026-10-01T15:00:00Z",
    ]);
    let after = chains_by_as_of(&home);
    assert_eq!(
        &after[1..],
        &before[..],
        "chains after 2026-10-01 were pruned"
    );
}

/// However old, each ticker's three newest stored chains stay: a ticker dropped from
/// the watchlist a month ago still has its last chains.
#[test]
fn each_ticker_keeps_its_three_newest_chains() {
    let home = Home::new();
    home.write_config(CALM);
    for at in [
        "2026-10-01T15:00:00Z",
        "2026-10-02T15:00:00Z",
        "2026-10-05T15:00:00Z",
        "2026-10-20T15:00:00Z",
    ] {
        home.json(["scan", "--json", "--tickers", "AAPL", "--as-of", at]);
    }
    for at in ["2026-11-20T15:00:00Z", "2026-11-23T15:00:00Z"] {
        home.json(["scan", "--json", "--tickers", "MSFT", "--as-of", at]);
    }
    let kept: Vec<i64> = chains_by_as_of(&home).iter().map(|(_, n)| *n).collect();
    assert_eq!(kept[0], 0, "the oldest AAPL chain goes: {kept:?}");
    assert!(kept[1..].iter().all(|n| *n > 0), "{kept:?}");
}

/// Twenty calm tickers scanned every morning for a week, then once in the afternoon:
/// the afternoon's running volume is no spike against mornings, and a morning scan
/// compares with mornings.
#[test]
fn volume_spike_compares_the_same_point_of_the_session() {
    let home = Home::new();
    home.write_config(CALM);
    let tickers: Vec<String> = (1..=20).map(|i| format!("CALM{i}")).collect();
    let tickers = tickers.join(",");
    let spikes = |as_of: &str| {
        let r = home.json(["scan", "--json", "--tickers", &tickers, "--as-of", as_of]);
        r["alerts_by_detector"]["volume_spike"]
            .as_u64()
            .unwrap_or(0)
    };
    // 10:00 New York (EST) on five trading days.
    for day in 16..=20 {
        assert_eq!(spikes(&format!("2026-11-{day}T15:00:00Z")), 0);
    }
    // 15:30 New York on Monday: five and a half hours more volume than every baseline.
    assert_eq!(spikes("2026-11-23T20:30:00Z"), 0, "afternoon vs mornings");
    // After Monday's close: a full session against no full session.
    assert_eq!(spikes("2026-11-23T22:00:00Z"), 0, "evening vs mornings");
    // Tuesday 10:00 has five like-for-like mornings and a calm market.
    assert_eq!(spikes("2026-11-24T15:00:00Z"), 0, "morning vs mornings");
}
