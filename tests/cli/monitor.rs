//! Dead-man's-switch pings (`[monitor]`, `--ping`): a receiver on 127.0.0.1 records what
//! each job sends, in order; a receiver that never answers must not hold the job up.

use std::time::{Duration, Instant};

use crate::harness::Home;
use crate::harness::servers::{Route, Server};

fn paths(server: &Server) -> Vec<String> {
    server.seen().iter().map(|s| s.path().to_string()).collect()
}

#[test]
fn a_scan_that_succeeds_pings_start_then_success() {
    let home = Home::new();
    let rx = Server::receiver();
    home.write_config(&format!("[monitor]\nping_url = \"{}/hc/abc\"\n", rx.url()));
    home.cmd(["-q", "scan", "--tickers", "SPY"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(paths(&rx), ["/hc/abc/start", "/hc/abc"]);
}

#[test]
fn a_failed_scan_pings_fail_with_the_error_text() {
    let home = Home::new();
    let rx = Server::receiver();
    home.write_config("[provider.sim]\nfail_tickers = [\"SPY\"]\n");
    let out = home
        .cmd(["-q", "--ping", &format!("{}/hc/abc", rx.url())])
        .args(["scan", "--tickers", "SPY"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let seen = rx.seen();
    let got: Vec<&str> = seen.iter().map(|s| s.path()).collect();
    assert_eq!(got, ["/hc/abc/start", "/hc/abc/fail"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(seen[1].body.contains("SPY"), "body: {}", seen[1].body);
    assert!(
        stderr.contains(seen[1].body.trim()),
        "the body is the error the job printed: {stderr} / {}",
        seen[1].body
    );
}

#[test]
fn a_partial_strict_scan_pings_its_exit_code() {
    let home = Home::new();
    let rx = Server::receiver();
    home.write_config(&format!(
        "[provider.sim]\nfail_tickers = [\"SPY\"]\n[monitor]\nping_url = \"{}/p\"\n",
        rx.url()
    ));
    home.cmd(["-q", "scan", "--strict", "--tickers", "SPY,QQQ"])
        .assert()
        .code(3);
    assert_eq!(paths(&rx), ["/p/start", "/p/3"]);
}

#[test]
fn a_job_url_overrides_ping_url_and_the_flag_overrides_both() {
    let home = Home::new();
    let rx = Server::receiver();
    let u = rx.url();
    home.write_config(&format!(
        "[monitor]\nping_url = \"{u}/all\"\n[monitor.jobs]\nexport = \"{u}/export\"\n"
    ));
    home.cmd(["-q", "scan", "--tickers", "SPY"])
        .assert()
        .success();
    home.cmd(["-q", "export"]).assert().success();
    home.cmd(["-q", "--ping", &format!("{u}/flag"), "export"])
        .assert()
        .success();
    // Commands that only show something do not ping.
    home.cmd(["-q", "scans"]).assert().success();
    assert_eq!(
        paths(&rx),
        [
            "/all/start",
            "/all",
            "/export/start",
            "/export",
            "/flag/start",
            "/flag"
        ]
    );
}

#[test]
fn a_receiver_that_never_answers_delays_the_job_by_the_run_ping_budget_at_most() {
    let home = Home::new();
    let rx = Server::start(vec![Route::hang("/h/start"), Route::hang("/h")]);
    // The same scan without a ping, for what the job itself takes here and now.
    let t = Instant::now();
    home.cmd(["scan", "--tickers", "SPY"]).assert().success();
    let alone = t.elapsed();
    home.write_config(&format!("[monitor]\nping_url = \"{}/h\"\n", rx.url()));
    let t = Instant::now();
    let out = home
        .cmd(["scan", "--tickers", "SPY"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .get_output()
        .clone();
    let took = t.elapsed();
    // The bound is RUN_PING_BUDGET (2 s) for /start and the final ping together; the
    // slack is for a busy machine (a bound, not a benchmark). Before the shared budget
    // this took 10 s more than the scan.
    let added = took.saturating_sub(alone);
    assert!(
        added < Duration::from_millis(2_000 + 1_500),
        "the pings added {added:?} (scan alone {alone:?}, with pings {took:?})"
    );
    assert!(
        took >= Duration::from_millis(1_500),
        "both pings waited their share: {took:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("monitor ping"), "{stderr}");
    assert!(
        !stderr.contains("/h"),
        "the ping URL is not logged: {stderr}"
    );
    // Tried twice each, within the share.
    assert_eq!(paths(&rx), ["/h/start", "/h/start", "/h", "/h"]);
    // With -q the failed ping says nothing.
    home.cmd(["-q", "scan", "--tickers", "SPY"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .stderr("");
}

#[test]
fn a_start_ping_that_answers_leaves_the_final_ping_the_rest_of_the_budget() {
    let home = Home::new();
    // /start answers at once; the final ping hangs: it may use all that is left (about
    // 2 s), and the receiver sees both of its attempts.
    let rx = Server::start(vec![Route::bytes("/h/start", 200, "ok"), Route::hang("/h")]);
    home.write_config(&format!("[monitor]\nping_url = \"{}/h\"\n", rx.url()));
    let t = Instant::now();
    home.cmd(["-q", "scan", "--tickers", "SPY"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1_500), "took {took:?}");
    assert_eq!(paths(&rx), ["/h/start", "/h", "/h"]);
}

#[test]
fn a_bad_ping_url_is_bad_usage() {
    let home = Home::new();
    home.cmd(["--ping", "ftp://x", "scan"]).assert().code(2);
    home.write_config("[monitor.jobs]\nscna = \"http://127.0.0.1:9/x\"\n");
    home.cmd(["scan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("monitor.jobs.scna"));
}

/// The JSON log's lines on stderr, each parsed. What a command reports itself (the
/// partial-run summary, `optctl: error: ...`, export's summary) stays text.
fn json_lines(stderr: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn log_format_json_prints_one_object_per_line_with_the_scan_events() {
    let home = Home::new();
    home.write_config("[provider.sim]\nfail_tickers = [\"QQQ\"]\n");
    let out = home
        .cmd(["--log-format", "json", "scan", "--tickers", "SPY,QQQ"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&out.stderr);
    let event = |name: &str| {
        lines
            .iter()
            .find(|l| l["event"] == name)
            .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
            .clone()
    };
    let started = event("scan_started");
    let finished = event("scan_finished");
    let failed = event("ticker_failed");
    assert_eq!(started["scan_id"], 1);
    assert_eq!(started["run_id"], 1, "the field every job's events share");
    assert_eq!(failed["run_id"], 1);
    assert_eq!(finished["scan_id"], 1);
    assert_eq!(finished["status"], "partial");
    assert_eq!(finished["tickers_ok"], 1);
    assert_eq!(finished["tickers_failed"], 1);
    assert_eq!(failed["ticker"], "QQQ");
    assert_eq!(failed["scan_id"], 1);

    // [log] format = "json" does the same; the export names each file it wrote.
    home.write_config("[log]\nformat = \"json\"\n");
    let out = home.cmd(["export"]).assert().success().get_output().clone();
    let lines = json_lines(&out.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "export_written" && l["file"].is_string()),
        "{lines:?}"
    );
}

#[test]
fn text_logs_leave_the_events_out() {
    let home = Home::new();
    let out = home
        .cmd(["-v", "scan", "--tickers", "SPY"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("scan_started"), "{stderr}");
}
