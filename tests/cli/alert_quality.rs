//! Alerts worth reading over a simulated month, and the small things a newcomer trips on:
//! range-checked thresholds, dates as people write them, a closed stdout, market hours.

use std::collections::{HashMap, HashSet};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::America::New_York;

use crate::harness::{Home, describe};

/// 10:00 and 14:30 New York on `day`, in UTC.
fn scan_times(day: NaiveDate) -> [DateTime<Utc>; 2] {
    [(10, 0), (14, 30)].map(|(h, m)| {
        day.and_hms_opt(h, m, 0)
            .unwrap()
            .and_local_timezone(New_York)
            .unwrap()
            .with_timezone(&Utc)
    })
}

/// The default watchlist on the simulated market, scanned twice each weekday from
/// 2026-11-02 to 2026-11-27 (Thanksgiving included: a holiday is scanned like a cron
/// line would, and belongs to the session before it).
fn simulated_month() -> (Home, Vec<serde_json::Value>) {
    let home = Home::new();
    let mut day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    while day <= NaiveDate::from_ymd_opt(2026, 11, 27).unwrap() {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for t in scan_times(day) {
                let out = home
                    .cmd(["scan", "-q", "--no-notify", "--as-of", &t.to_rfc3339()])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", describe(&out));
            }
        }
        day += Duration::days(1);
    }
    let alerts = home.json(["alerts", "--json", "--limit", "100000"])["alerts"]
        .as_array()
        .unwrap()
        .clone();
    (home, alerts)
}

#[test]
fn a_simulated_month_of_alerts_is_worth_reading() {
    let (_home, mut alerts) = simulated_month();
    alerts.reverse(); // oldest first
    assert!(
        alerts.len() >= 30,
        "too few alerts to judge: {}",
        alerts.len()
    );
    // A repeat: the same ticker, detector and contract already alerted in the same
    // session (New York trading day). The rule lets one through only when its number
    // grew by half, which should be rare.
    let mut seen: HashSet<(String, String, String, NaiveDate)> = HashSet::new();
    let mut repeats = 0;
    for a in &alerts {
        let at: DateTime<Utc> = a["created_at"].as_str().unwrap().parse().unwrap();
        let key = (
            a["ticker"].as_str().unwrap().to_string(),
            a["detector_name"].as_str().unwrap().to_string(),
            a["contract"].as_str().unwrap_or("").to_string(),
            at.with_timezone(&New_York).date_naive(),
        );
        if !seen.insert(key) {
            repeats += 1;
        }
    }
    let repeat_rate = repeats as f64 / alerts.len() as f64;
    assert!(
        repeat_rate < 0.10,
        "{repeats} of {} alerts repeat one of the same session",
        alerts.len()
    );
    // State detectors never alert on two consecutive scans of a ticker.
    let mut last_scan: HashMap<(String, String), i64> = HashMap::new();
    for a in &alerts {
        let name = a["detector_name"].as_str().unwrap();
        if name != "iv_rank_extreme" && name != "pcr_extreme" {
            continue;
        }
        let key = (a["ticker"].as_str().unwrap().to_string(), name.to_string());
        let scan = a["scan_id"].as_i64().unwrap();
        if let Some(before) = last_scan.insert(key.clone(), scan) {
            assert_ne!(before + 1, scan, "{key:?} alerted on consecutive scans");
        }
    }
    // Scores spread: few at exactly 100, and the quartiles apart.
    let mut scores: Vec<f64> = alerts
        .iter()
        .map(|a| a["score"].as_f64().unwrap())
        .collect();
    scores.sort_by(f64::total_cmp);
    let at_100 = scores.iter().filter(|s| **s >= 100.0).count() as f64 / scores.len() as f64;
    let q = |p: f64| scores[((scores.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "{} alerts, {repeats} repeats, {:.0}% at 100, quartiles {} {} {}",
        scores.len(),
        at_100 * 100.0,
        q(0.25),
        q(0.5),
        q(0.75)
    );
    assert!(at_100 <= 0.20, "{:.0}% of scores are 100", at_100 * 100.0);
    assert!(q(0.5) < 100.0, "median score 100: {scores:?}");
    assert!(
        q(0.75) - q(0.25) >= 10.0,
        "quartiles {} and {} too close: {scores:?}",
        q(0.25),
        q(0.75)
    );
    assert!(q(0.25) < 80.0, "lower quartile {}: {scores:?}", q(0.25));
}

/// Runs `args` with stdout a pipe whose reading end is already closed.
fn run_into_closed_pipe(home: &Home, args: &[&str]) -> std::process::Output {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    home.std_cmd(args)
        .stdout(Stdio::from(write))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let home = Home::new();
    for t in [
        "2026-11-19T15:00:00Z",
        "2026-11-20T15:00:00Z",
        "2026-11-23T15:00:00Z",
    ] {
        home.cmd(["scan", "-q", "--as-of", t]).assert().success();
    }
    for args in [
        &["alerts", "--limit", "1000"][..],
        &["alerts", "--json", "--limit", "1000"],
        &["scans"],
        &["scans", "--json"],
        &["config", "show"],
        &["--help"],
        &["scan", "--as-of", "2026-11-23T16:00:00Z"],
        &["scan", "--json", "--as-of", "2026-11-23T17:00:00Z"],
    ] {
        let out = run_into_closed_pipe(&home, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("Broken pipe") && !stderr.contains("error"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn thresholds_given_in_percent_are_refused_with_the_key_and_range() {
    let home = Home::new();
    home.write_config("[detectors.iv_rank_extreme]\nhigh = 95\n");
    let out = home.cmd(["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("detectors.iv_rank_extreme.high")
            && err.contains("95")
            && err.contains("0 to 1")
            && err.contains("0.95 is 95%"),
        "{err}"
    );
    assert!(!home.store_exists(), "a refused config stored nothing");
    home.write_config("[provider.sim]\nrate = 4.5\n");
    let out = home.cmd(["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("provider.sim.rate: 4.5"));
}

#[test]
fn dates_are_taken_as_people_write_them() {
    let home = Home::new();
    // A date alone is 16:00 New York, the close (21:00 UTC in December).
    let r = home.json([
        "scan",
        "--json",
        "--tickers",
        "SPY",
        "--as-of",
        "2026-12-01",
    ]);
    assert_eq!(r["as_of"], "2026-12-01T21:00:00Z");
    // An expiry date is the contract's expiry instant, counted from --as-of.
    let iv = |expiry: &str| {
        home.json([
            "quant",
            "iv",
            "--json",
            "--as-of",
            "2026-12-01",
            "--right",
            "c",
            "--spot",
            "100",
            "--strike",
            "100",
            "--expiry",
            expiry,
            "--price",
            "3",
        ])["iv"]
            .as_f64()
            .unwrap()
    };
    let years = (17.0 / 365.0).to_string(); // Dec 1 16:00 to Dec 18 16:00 New York
    assert!((iv("2026-12-18") - iv(&years)).abs() < 1e-9);
    let out = home
        .cmd([
            "quant",
            "iv",
            "--as-of",
            "2026-12-19",
            "--right",
            "c",
            "--spot",
            "100",
        ])
        .args(["--strike", "100", "--expiry", "2026-12-18", "--price", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expired"));
}

#[test]
fn scan_market_hours_only_follows_the_market_calendar() {
    let home = Home::new();
    // Saturday, Thanksgiving, and 03:00 New York on a Monday: closed.
    for t in [
        "2026-12-05T15:00:00Z",
        "2026-11-26T15:00:00Z",
        "2026-11-23T08:00:00Z",
    ] {
        let out = home
            .cmd(["scan", "--market-hours-only", "--as-of", t])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(out.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("skipped: market closed"),
            "{}",
            describe(&out)
        );
        let quiet = home
            .cmd(["scan", "-q", "--market-hours-only", "--as-of", t])
            .output()
            .unwrap();
        assert!(quiet.status.success() && quiet.stderr.is_empty() && quiet.stdout.is_empty());
    }
    assert!(!home.store_exists(), "a closed market scanned nothing");
    // The config key does the same; during the session it scans.
    home.write_config("[scan]\nmarket_hours_only = true\n");
    let out = home
        .cmd(["scan", "--as-of", "2026-12-05T15:00:00Z"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped"));
    let r = home.json([
        "scan",
        "--json",
        "--tickers",
        "SPY",
        "--as-of",
        "2026-11-23T15:00:00Z",
    ]);
    assert_eq!(r["tickers_ok"], 1);
}

#[test]
fn scan_says_its_data_is_simulated_unless_quiet() {
    let home = Home::new();
    let out = home.cmd(["scan", "--tickers", "SPY"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulated data"));
    let out = home
        .cmd([
            "scan",
            "-q",
            "--tickers",
            "SPY",
            "--as-of",
            "2026-11-23T16:00:00Z",
        ])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

#[test]
fn alerts_show_their_numbers_and_say_why_there_are_none() {
    let home = Home::new();
    home.cmd(["scan", "-q", "--tickers", "SPY"])
        .assert()
        .success();
    let out = home.cmd(["alerts"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no alerts yet: 1 scan over 1 trading day")
            && err.contains("volume_spike 3 earlier trading days")
            && err.contains("iv_rank_extreme 20 days of IV"),
        "{err}"
    );
    // A filter that matches nothing says just that.
    let out = home.cmd(["alerts", "--ticker", "QQQ"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no alerts match"));

    // Planted unusual activity shows as its notification line.
    let home = Home::new();
    home.write_config(
        r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-23T14:00:00Z" }]
"#,
    );
    home.cmd(["scan", "-q", "--tickers", "AAPL"])
        .assert()
        .success();
    let out = home
        .cmd(["alerts", "--detector", "unusual_activity"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("vol/OI ") && table.contains(" · volume ") && table.contains("premium $"),
        "{table}"
    );
    let json = home.json(["alerts", "--json", "--detector", "unusual_activity"]);
    assert!(json["alerts"][0]["alert_data"]["vol_oi_ratio"].is_number());
}

#[test]
fn scan_market_hours_only_gates_each_ticker_by_its_own_market() {
    let home = Home::new();
    // 10:30 IST on a Monday: NSE is open, New York is at midnight.
    let out = home
        .cmd([
            "scan",
            "--json",
            "--market-hours-only",
            "--tickers",
            "SPY,NIFTY",
            "--as-of",
            "2026-11-23T05:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["tickers_requested"], 1, "{r}");
    assert_eq!(r["tickers"][0]["ticker"], "NIFTY", "{r}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("skipped 1 ticker(s) whose market is closed: SPY"),
        "{err}"
    );
    // 10:00 New York the same day: 20:30 IST, NSE has closed.
    let r = home.json([
        "scan",
        "--json",
        "--market-hours-only",
        "--tickers",
        "SPY,NIFTY",
        "--as-of",
        "2026-11-23T15:00:00Z",
    ]);
    assert_eq!(r["tickers_requested"], 1, "{r}");
    assert_eq!(r["tickers"][0]["ticker"], "SPY", "{r}");
    // Both closed (Saturday): nothing is scanned, the next open is named.
    let out = home
        .cmd([
            "scan",
            "--market-hours-only",
            "--tickers",
            "SPY,NIFTY",
            "--as-of",
            "2026-11-28T12:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipped: market closed"), "{err}");
    // NSE opens first (Monday 09:15 IST is Sunday night in New York).
    assert!(err.contains("IST"), "{err}");
}

#[test]
fn an_nse_name_repeats_its_contract_alerts_per_nse_session() {
    // Thanksgiving 2026 closes NYSE on Thursday 11-26 while NSE trades Thursday and
    // Friday. Scanned at 10:30 IST both days, NIFTY's contract alerts belong to two NSE
    // sessions, so the same contract may alert again on Friday; by New York's calendar
    // both runs fell in Wednesday's session and Friday's repeats were dropped.
    let home = Home::new();
    home.write_config(
        r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{ ticker = "NIFTY", kind = "volume_burst", from = "2026-11-20T00:00:00Z" }]
"#,
    );
    let keys = |as_of: &str| {
        home.cmd(["scan", "-q", "--tickers", "NIFTY", "--as-of", as_of])
            .assert()
            .success();
        let j = home.json(["alerts", "--json", "--since", "30d", "--limit", "1000"]);
        j["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["created_at"].as_str().unwrap_or("") >= as_of)
            .filter(|a| a["contract"].is_string())
            .map(|a| format!("{} {}", a["detector_name"], a["contract"]))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let thursday = keys("2026-11-26T05:00:00Z");
    let friday = keys("2026-11-27T05:00:00Z");
    assert!(!thursday.is_empty(), "the planted burst alerts on Thursday");
    assert!(
        thursday.intersection(&friday).next().is_some(),
        "Friday is a new NSE session: {thursday:?} vs {friday:?}"
    );
}
