//! `optctl enrich`: runs on the simulated market, incremental fetches, failures and
//! retries, the circuit breaker across processes, 429s, the bulkhead timeout, pause and
//! resume, health, the job lock, and reading it all back. (The data-quality checks and the
//! indicator values are tested against a provider serving hand-made bars, in
//! `src/enrich/run.rs`; the two-process rate limit in `src/resilience/limiter.rs`.)

use std::process::Stdio;
use std::time::{Duration, Instant};

use predicates::str::contains;
use serde_json::Value;

use crate::harness::{Home, describe, parse_json};

/// Retries without real waiting.
const FAST: &str = "[resilience.retry]\ninitial_delay_ms = 1\nmax_delay_ms = 5\njitter = false\n";

fn codes(health: &Value) -> Vec<String> {
    health["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn default_run_enriches_the_universe_and_reads_it_back() {
    let home = Home::new();
    let r = home.json(["enrich", "run", "--json"]);
    assert_eq!(r["status"], "succeeded", "{r}");
    assert_eq!(r["symbols"], 19);
    assert_eq!(r["succeeded"], 19);
    assert_eq!(r["provider"], "sim");
    // 19 symbols x 3 timeframes, one call each.
    assert_eq!(r["provider_calls"], 57);
    assert_eq!(r["quality_issues"], 0, "the simulator's bars are clean");
    let added = r["bars_added"].as_i64().unwrap();
    assert_eq!(added, home.count("SELECT count(*) FROM bars"));
    assert_eq!(home.count("SELECT count(*) FROM indicators"), 57);
    let classes: Vec<&str> = r["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["asset_class"].as_str().unwrap())
        .collect();
    assert!(
        ["stock", "etf", "index"]
            .iter()
            .all(|c| classes.contains(c))
    );

    let job = home.json(["enrich", "job-status", "aapl", "--json"]);
    assert_eq!(job["symbol"], "AAPL");
    assert_eq!(job["job"]["status"], "succeeded");
    assert_eq!(job["fetches"].as_array().unwrap().len(), 3);
    let daily = job["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["timeframe"] == "1d")
        .unwrap();
    // 400 days hold enough sessions for SMA 200 and a 52-week range.
    for key in [
        "sma_200",
        "ema_26",
        "rsi_14",
        "macd_signal",
        "atr_14",
        "rv_60",
        "high_52w",
    ] {
        assert!(daily[key].is_f64(), "{key}: {daily}");
    }
    assert!(daily["low_52w"].as_f64() <= daily["close"].as_f64());
    // The daily close is the close the option chains are priced from (Friday's).
    assert_eq!(daily["time"], "2026-11-20T14:30:00Z");

    let status = home.json(["enrich", "status", "--json"]);
    assert_eq!(status["last_run"]["id"], 1);
    assert_eq!(status["last_success"]["status"], "succeeded");
    assert!(status["running"].is_null());
    assert_eq!(status["paused"]["paused"], false);
    let history = home.json(["enrich", "history", "--json"]);
    assert_eq!(history["runs"].as_array().unwrap().len(), 1);
    let health = home.json(["enrich", "health", "--json"]);
    assert_eq!(health["status"], "healthy", "{health}");

    // The tables for people.
    let out = home.cmd(["enrich", "history"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("succeeded") && text.contains("19"), "{text}");
}

#[test]
fn flags_narrow_the_universe() {
    let home = Home::new();
    let r = home.json([
        "enrich",
        "run",
        "--asset-class",
        "etf",
        "--timeframes",
        "1d",
        "--json",
    ]);
    assert_eq!(r["symbols"], 6);
    assert!(
        r["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["asset_class"] == "etf")
    );
    // A symbol outside the universe is enriched as the class named (default stock).
    let r = home.json([
        "enrich",
        "run",
        "--symbols",
        "spy,zzz",
        "--symbols",
        "SPY",
        "--timeframes",
        "1d",
        "--json",
    ]);
    let jobs: Vec<(String, String)> = r["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["symbol"].as_str().unwrap().into(),
                j["asset_class"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        jobs,
        [("SPY".into(), "etf".into()), ("ZZZ".into(), "stock".into())]
    );
    home.cmd(["enrich", "run", "--symbols", "a b"])
        .assert()
        .code(2)
        .stderr(contains("not a symbol"));
    home.cmd(["enrich", "run", "--timeframes", "15m"])
        .assert()
        .code(2)
        .stderr(contains("expected 1m, 5m, 1h or 1d"));
    home.cmd(["enrich", "run", "--asset-class", "bond"])
        .assert()
        .code(2);
}

#[test]
fn a_second_run_fetches_only_the_new_bars() {
    let home = Home::new();
    let first = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d,5m",
        "--json",
    ]);
    let fetch = |r: &Value, tf: &str| {
        r["jobs"][0]["fetches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["timeframe"] == tf)
            .unwrap()
            .clone()
    };
    // Monday 10:00 New York, 10 days of lookback: 5m bars from Friday the 13th at 10:00
    // (72), the week of the 16th (5 x 78) and Monday's first six.
    assert_eq!(fetch(&first, "5m")["bars_added"], 72 + 5 * 78 + 6);
    let daily_before = home.count("SELECT count(*) FROM bars WHERE timeframe = '1d'");

    // Tuesday after the close: Monday's and Tuesday's bars are new.
    let later = "2026-11-24T22:00:00Z";
    let second = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d,5m",
        "--as-of",
        later,
        "--json",
    ]);
    let d = fetch(&second, "1d");
    // From the third newest stored bar (overlap_bars = 3): Wednesday the 18th.
    assert_eq!(d["range_from"], "2026-11-18T14:30:00Z");
    assert_eq!(
        (d["bars_fetched"].as_i64(), d["bars_added"].as_i64()),
        (Some(5), Some(2))
    );
    assert_eq!(d["bars_revised"], 0);
    let m = fetch(&second, "5m");
    assert_eq!(m["range_from"], "2026-11-23T14:45:00Z");
    assert_eq!(m["bars_added"], 72 + 78);
    assert_eq!(m["bars_fetched"], 3 + 72 + 78);
    assert_eq!(
        home.count("SELECT count(*) FROM bars WHERE timeframe = '1d'"),
        daily_before + 2
    );
    // Nothing new: nothing added, the same bars stored.
    let third = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d,5m",
        "--as-of",
        later,
        "--json",
    ]);
    assert_eq!(third["bars_added"], 0);
    assert_eq!(fetch(&third, "1d")["bars_fetched"], 3);
}

#[test]
fn failing_symbols_give_exit_3_and_no_success_exit_1() {
    let home = Home::new();
    home.write_config(&format!("{FAST}[provider.sim]\nfail_tickers = [\"BAD\"]\n"));
    home.cmd([
        "enrich",
        "run",
        "--symbols",
        "AAPL,BAD",
        "--timeframes",
        "1d",
    ])
    .assert()
    .code(0)
    .stderr(contains("enrich run 1: 1 of 2 symbols failed: BAD: "));
    let job = home.json(["enrich", "job-status", "BAD", "--json"]);
    assert_eq!(job["job"]["status"], "failed");
    // max_retries 3: four tries.
    assert_eq!(job["job"]["attempts"], 4);
    assert!(
        job["job"]["last_error"]
            .as_str()
            .unwrap()
            .contains("injected failure"),
        "{job}"
    );
    assert_eq!(
        home.json(["enrich", "history", "--json"])["runs"][0]["status"],
        "partial"
    );
    home.cmd([
        "enrich",
        "run",
        "--symbols",
        "BAD",
        "--timeframes",
        "1d",
        "--max-retries",
        "1",
    ])
    .assert()
    .code(1)
    .stderr(contains("no symbol succeeded"));
    let job = home.json(["enrich", "job-status", "BAD", "--json"]);
    assert_eq!(job["job"]["attempts"], 2);
    // The good symbol of the first run kept its bars.
    assert!(home.count("SELECT count(*) FROM bars WHERE symbol = 'AAPL'") > 200);
}

/// The breaker opened by one process refuses calls in the next one, a minute later, and
/// closes in a third once its recovery timeout has passed and the trial calls succeed.
#[test]
fn the_breaker_opened_by_one_run_stays_open_for_the_next_process() {
    let home = Home::new();
    let breaker = "[resilience.breaker]\nmin_calls = 4\nopen_seconds = 600\nhalf_open_calls = 2\n";
    home.write_config(&format!(
        "{FAST}{breaker}[provider.sim]\nfailure_rate = 1.0\n"
    ));
    let args = [
        "enrich",
        "run",
        "--symbols",
        "AAPL,MSFT,SPY",
        "--timeframes",
        "1d",
        "--concurrency",
        "1",
    ];
    let out = home.cmd(args).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let r = parse_json(&out);
    // AAPL's four failures open the breaker; the others are not even tried.
    assert_eq!(r["jobs"][0]["status"], "failed");
    assert_eq!(r["jobs"][0]["attempts"], 4);
    assert_eq!(r["jobs"][1]["status"], "skipped");
    assert_eq!(r["jobs"][2]["status"], "skipped");
    assert_eq!(r["provider_calls"], 4);
    let res = home.json(["enrich", "resilience", "--json"]);
    assert_eq!(res["breakers"][0]["name"], "sim");
    assert_eq!(res["breakers"][0]["state"], "open");
    assert_eq!(res["breakers"][0]["times_opened"], 1);

    // The provider is fine again, but a run a minute later does not call it.
    home.write_config(&format!("{FAST}{breaker}"));
    let minute = "2026-11-23T15:01:00Z";
    let out = home
        .cmd(args)
        .args(["--as-of", minute, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("circuit breaker open until 2026-11-23T15:10:00Z"),
        "{}",
        describe(&out)
    );
    let r = parse_json(&out);
    assert_eq!(r["skipped"], 3);
    assert_eq!(r["provider_calls"], 0);
    let health = home.json(["enrich", "health", "--as-of", minute, "--json"]);
    assert!(
        codes(&health).contains(&"breaker_open".to_string()),
        "{health}"
    );

    // After the recovery timeout: trial calls succeed and close it.
    let later = "2026-11-23T15:11:00Z";
    let out = home
        .cmd(args)
        .args(["--as-of", later, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["status"], "succeeded", "{r}");
    let res = home.json(["enrich", "resilience", "--as-of", later, "--json"]);
    assert_eq!(res["breakers"][0]["state"], "closed");
    assert_eq!(res["breakers"][0]["times_opened"], 1);
}

#[test]
fn rate_limited_calls_wait_out_the_retry_after_and_succeed() {
    let home = Home::new();
    home.write_config(&format!(
        "{FAST}[provider.sim]\nthrottle_rate = 0.5\nretry_after_ms = 20\n"
    ));
    let r = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL,MSFT,SPY",
        "--timeframes",
        "1d,1h",
        "--max-retries",
        "12",
        "--json",
    ]);
    assert_eq!(r["status"], "succeeded", "{r}");
    let retries = r["retries"].as_u64().unwrap();
    assert!(retries > 0, "half the calls were answered 429");
    assert_eq!(r["provider_calls"].as_u64().unwrap(), 6 + retries);
    let res = home.json(["enrich", "resilience", "--json"]);
    // 429s are the limiter's business, not failures of the provider.
    assert_eq!(res["breakers"][0]["window"]["failures"], 0, "{res}");
    assert_eq!(res["breakers"][0]["state"], "closed");
}

#[test]
fn a_call_past_the_bulkhead_timeout_is_abandoned_and_retried() {
    let home = Home::new();
    home.write_config(&format!(
        "{FAST}[provider.sim]\nlatency_ms = 400\n[resilience.bulkhead]\ntimeout_ms = 50\n"
    ));
    home.cmd([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d",
        "--max-retries",
        "1",
    ])
    .assert()
    .code(1)
    .stderr(contains("timed out after 50 ms"));
    let job = home.json(["enrich", "job-status", "AAPL", "--json"]);
    assert_eq!(job["job"]["attempts"], 2);
    assert_eq!(job["fetches"][0]["status"], "failed");
    assert_eq!(home.count("SELECT count(*) FROM bars"), 0);
}

#[test]
fn a_paused_enrichment_does_nothing_until_resumed() {
    let home = Home::new();
    home.cmd(["enrich", "pause", "--reason", "vendor outage"])
        .assert()
        .success()
        .stdout(contains("enrichment paused: vendor outage"));
    let status = home.json(["enrich", "status", "--json"]);
    assert_eq!(status["paused"]["paused"], true);
    assert_eq!(status["paused"]["reason"], "vendor outage");
    home.cmd(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
        .assert()
        .code(0)
        .stderr(contains("enrichment is paused: vendor outage"));
    let r = home.json(["enrich", "run", "--json"]);
    assert_eq!(r["status"], "paused");
    assert_eq!(home.count("SELECT count(*) FROM enrich_runs"), 0);
    assert_eq!(home.count("SELECT count(*) FROM bars"), 0);
    let health = home.json(["enrich", "health", "--json"]);
    assert!(codes(&health).contains(&"paused".to_string()), "{health}");

    home.cmd(["enrich", "resume"])
        .assert()
        .success()
        .stdout(contains("enrichment resumed"));
    let r = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d",
        "--json",
    ]);
    assert_eq!(r["status"], "succeeded");
    home.cmd(["enrich", "resume"])
        .assert()
        .success()
        .stdout(contains("was not paused"));
}

#[test]
fn health_states() {
    let home = Home::new();
    // A breaker that never opens here: this is about the failure rate.
    home.write_config(&format!(
        "{FAST}[resilience.breaker]\nmin_calls = 1000\n[provider.sim]\nfail_tickers = [\"BAD\"]\n"
    ));
    // Nothing has run: unhealthy.
    let h = home.json(["enrich", "health", "--json"]);
    assert_eq!(h["status"], "unhealthy");
    assert_eq!(codes(&h), ["never_succeeded"]);
    // A clean run: healthy.
    home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL,MSFT",
        "--timeframes",
        "1d",
        "--json",
    ]);
    let h = home.json(["enrich", "health", "--json"]);
    assert_eq!(h["status"], "healthy", "{h}");
    assert!(h["issues"].as_array().unwrap().is_empty());
    // One job of five failed in the last 24 h (20%): degraded.
    home.cmd([
        "enrich",
        "run",
        "--symbols",
        "AAPL,MSFT,BAD",
        "--timeframes",
        "1d",
        "--strict",
    ])
    .assert()
    .code(3);
    let h = home.json(["enrich", "health", "--json"]);
    assert_eq!(h["status"], "degraded", "{h}");
    assert_eq!(codes(&h), ["failure_rate_high"]);
    assert_eq!(h["failure_rate_24h"], 0.2);
    // More than a day later with no run since: unhealthy.
    let h = home.json([
        "enrich",
        "health",
        "--as-of",
        "2026-11-24T18:00:00Z",
        "--json",
    ]);
    assert_eq!(h["status"], "unhealthy", "{h}");
    assert_eq!(codes(&h), ["last_success_old"]);
    // Half the jobs failing: unhealthy.
    for _ in 0..3 {
        home.cmd(["enrich", "run", "--symbols", "BAD", "--timeframes", "1d"])
            .assert()
            .code(1);
    }
    let h = home.json(["enrich", "health", "--json"]);
    assert_eq!(h["status"], "unhealthy", "{h}");
    assert_eq!(codes(&h), ["failure_rate_high"]);
    assert_eq!(h["failure_rate_24h"], 0.5);
    assert_eq!(h["breaker"], "closed");
}

/// A second run while one is going exits 75; a run killed half-way is marked interrupted
/// by the next.
#[test]
fn overlapping_runs_are_refused_and_a_killed_run_is_recovered() {
    let home = Home::new();
    home.write_config("[provider.sim]\nlatency_ms = 3000\n");
    let mut slow = home
        .std_cmd(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let out = home.cmd(["enrich", "status", "--json"]).output().unwrap();
        if out.status.success() && !parse_json(&out)["running"].is_null() {
            break;
        }
        assert!(
            Instant::now() < until,
            "the slow run never showed as running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    home.cmd(["enrich", "run", "--symbols", "MSFT", "--timeframes", "1d"])
        .assert()
        .code(75)
        .stderr(contains("another `optctl enrich` is running"));
    slow.kill().unwrap();
    slow.wait().unwrap();
    let status = home.json(["enrich", "status", "--json"]);
    assert_eq!(status["running"]["run_id"], 1);
    assert_eq!(status["running"]["process_alive"], false);

    home.write_config("");
    let r = home.json([
        "enrich",
        "run",
        "--symbols",
        "AAPL",
        "--timeframes",
        "1d",
        "--json",
    ]);
    assert_eq!(r["recovered_interrupted"], serde_json::json!([1]));
    let runs = home.json(["enrich", "history", "--json"]);
    assert_eq!(runs["runs"][1]["status"], "interrupted");
    assert_eq!(
        home.count("SELECT count(*) FROM enrich_jobs WHERE run_id = 1 AND status = 'failed'"),
        1
    );
}

#[test]
fn status_shows_the_next_cron_run_and_unknown_jobs_are_exit_2() {
    let home = Home::new();
    home.write_config("[enrich]\nschedule = \"30 1 * * *\"\n");
    let s = home.json(["enrich", "status", "--json"]);
    assert_eq!(s["next_run"], "2026-11-24T01:30:00Z");
    assert!(s["last_run"].is_null());
    home.cmd(["enrich", "job-status", "ZZZ"])
        .assert()
        .code(2)
        .stderr(contains("no enrich job for ZZZ"));
    home.write_config("[enrich]\nschedule = \"30 25 * * *\"\n");
    home.cmd(["enrich", "status"])
        .assert()
        .code(2)
        .stderr(contains("enrich.schedule"));
}

#[test]
fn metrics_report_success_rates_response_time_and_quota() {
    let home = Home::new();
    home.write_config(&format!(
        "{FAST}[provider.sim]\nfail_tickers = [\"BAD\"]\nlatency_ms = 20\n"
    ));
    home.cmd([
        "enrich",
        "run",
        "--symbols",
        "AAPL,BAD",
        "--timeframes",
        "1d",
    ])
    .assert()
    .code(0);
    let m = home.json(["enrich", "metrics", "--json"]);
    assert_eq!(m["runs"], 1);
    assert_eq!(m["fetch"]["fetches"], 2);
    assert_eq!(m["fetch_success_rate"], 0.5);
    assert_eq!(m["compute_success_rate"], 1.0);
    // 1 + 4 calls of at least 20 ms each.
    assert_eq!(m["fetch"]["calls"], 5);
    assert!(m["avg_response_ms"].as_f64().unwrap() >= 20.0, "{m}");
    assert_eq!(m["quota"]["provider"], "sim");
    assert_eq!(m["quota"]["burst"], 100);
    let left = m["quota"]["remaining"].as_f64().unwrap();
    assert!((95.0..=100.0).contains(&left), "{left}");
    assert_eq!(m["quality"]["gap"], 0);
    assert_eq!(m["jobs"]["failed"], 1);
}

/// A run with a past `--as-of` after a run at the real time shares the provider's quota
/// with it: it takes the tokens the first run left and then gets more at the configured
/// pace, rather than waiting for its clock to reach the time the first run wrote.
#[test]
fn a_past_as_of_run_after_a_real_time_run_is_not_held_by_the_limiter() {
    let home = Home::new();
    // 57 calls a run at 30 a second: the first run spends the bucket, the second gets
    // its tokens at that pace.
    home.write_config(&format!(
        "{FAST}\n[resilience.limiter]\ncalls = 30\nper_seconds = 1\nburst = 30\nmax_wait_ms = 2000\n"
    ));
    let r = home.json(["enrich", "run", "--json"]);
    assert_eq!(r["status"], "succeeded", "{r}");
    let waits = || home.count("SELECT waits FROM rate_limits WHERE name = 'sim'");
    let before = waits();
    let started = Instant::now();
    let r = home.json(["enrich", "run", "--as-of", "2026-11-22T15:00:00Z", "--json"]);
    assert_eq!(r["status"], "succeeded", "{r}");
    assert_eq!(r["succeeded"], 19, "{r}");
    assert_eq!(r["provider_calls"], 57, "{r}");
    // A few waits per call while concurrent calls take turns (a stalled limiter waited
    // some 60 times a call, every 33 ms until max_wait_ms, and then failed the run).
    assert!(
        waits() - before <= 6 * 57,
        "{} limiter waits",
        waits() - before
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn one_minute_bars_are_stored_and_their_indicators_computed() {
    let home = Home::new();
    let out = home
        .cmd([
            "enrich",
            "run",
            "--symbols",
            "AAPL",
            "--timeframes",
            "1m",
            "--as-of",
            "2026-11-23T22:00:00Z",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(parse_json(&out)["status"], "succeeded");
    // The lookback's 5 days back from Monday night (22:00 UTC on Wednesday the 18th):
    // Thursday, Friday and Monday, 390 minutes a New York session.
    assert_eq!(
        home.count("SELECT count(*) FROM bars WHERE symbol = 'AAPL' AND timeframe = '1m'"),
        3 * 390
    );
    assert_eq!(
        home.count(
            "SELECT count(*) FROM indicators WHERE symbol = 'AAPL' AND timeframe = '1m'
             AND sma_200 IS NOT NULL"
        ),
        1
    );
}
