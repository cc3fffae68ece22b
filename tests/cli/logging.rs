//! The log: `--log-file` / `[log] file` (appended to by several processes, rotated by
//! size), the JSON lifecycle events of each job, and what `-q` leaves in a JSON log.

use std::path::{Path, PathBuf};

use crate::harness::Home;

/// The JSON log's lines, each parsed (what a command reports itself stays text).
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

fn rotated(path: &Path, n: u32) -> PathBuf {
    PathBuf::from(format!("{}.{n}", path.display()))
}

/// `[provider.sim]` failing `T0` … `T<n-1>`, and the ticker list with SPY first.
fn failing(n: usize) -> (String, String) {
    let names: Vec<String> = (0..n).map(|i| format!("T{i}")).collect();
    let quoted: Vec<String> = names.iter().map(|t| format!("{t:?}")).collect();
    (
        format!("[provider.sim]\nfail_tickers = [{}]\n", quoted.join(", ")),
        format!("SPY,{}", names.join(",")),
    )
}

#[test]
fn a_log_file_shared_by_two_processes_rotates_without_losing_or_splitting_a_line() {
    let (a, b) = (Home::new(), Home::new());
    let (cfg, tickers) = failing(150);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/optctl.log");
    for h in [&a, &b] {
        h.write_config(&format!(
            "{cfg}[log]\nformat = \"json\"\nmax_bytes = 4096\nkeep = 100\n"
        ));
    }
    // Two scans at once, each logging 150 ticker_failed events to the same file.
    let children: Vec<_> = [&a, &b]
        .iter()
        .map(|h| {
            h.std_cmd([
                "--log-file",
                log.to_str().unwrap(),
                "scan",
                "--tickers",
                &tickers,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("\"event\""),
            "with a log file the log is not on stderr: {stderr}"
        );
        assert!(stderr.contains("150 of 151 tickers failed"), "{stderr}");
    }
    assert!(rotated(&log, 1).exists(), "the size cap was reached");
    let mut files = vec![log.clone()];
    let mut n = 1;
    while rotated(&log, n).exists() {
        files.push(rotated(&log, n));
        n += 1;
    }
    assert!(files.len() > 5, "{files:?}");
    let mut failed = Vec::new();
    let mut finished = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Every line parses: none was split or mixed with another.
        for l in json_lines(&text) {
            match l["event"].as_str() {
                Some("ticker_failed") => failed.push(l["ticker"].as_str().unwrap().to_string()),
                Some("scan_finished") => finished += 1,
                _ => {}
            }
        }
        assert_eq!(
            text.lines().filter(|l| !l.starts_with('{')).count(),
            0,
            "{f:?}"
        );
    }
    assert_eq!(finished, 2);
    failed.sort();
    let mut want: Vec<String> = (0..150)
        .flat_map(|i| [format!("T{i}"), format!("T{i}")])
        .collect();
    want.sort();
    assert_eq!(failed, want, "every line of both processes, once");
}

#[test]
fn a_log_file_in_the_config_lives_in_the_home_and_keeps_keep_rotated_files() {
    let home = Home::new();
    let (cfg, tickers) = failing(60);
    home.write_config(&format!(
        "{cfg}[log]\nfile = \"optctl.log\"\nmax_bytes = 2048\nkeep = 2\n"
    ));
    for _ in 0..3 {
        home.cmd(["-v", "scan", "--tickers", &tickers])
            .assert()
            .success();
    }
    let log = home.home().join("optctl.log");
    assert!(log.exists());
    assert!(rotated(&log, 1).exists() && rotated(&log, 2).exists());
    assert!(!rotated(&log, 3).exists(), "keep = 2");
    for f in [&log, &rotated(&log, 1), &rotated(&log, 2)] {
        let len = std::fs::metadata(f).unwrap().len();
        // At the cap, plus the one line that reached it.
        assert!(len < 2048 + 400, "{f:?}: {len}");
    }
    // Text lines in a file carry their time.
    let text = std::fs::read_to_string(&log).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("20"), "{first}");
    // The newest lines are the ones kept: each file starts later than the one it
    // replaced (`.2` oldest). (Tickers fail concurrently, so which ticker's line comes
    // last is not fixed.)
    let starts: Vec<String> = [rotated(&log, 2), rotated(&log, 1), log.clone()]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.lines().next().unwrap()[..27].to_string()
        })
        .collect();
    assert!(
        starts[0] <= starts[1] && starts[1] <= starts[2],
        "{starts:?}"
    );
}

#[test]
fn an_unwritable_log_file_falls_back_to_stderr_and_says_so_once() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let bad = blocker.join("optctl.log");
    let out = home
        .cmd(["--log-format", "json", "--log-file", bad.to_str().unwrap()])
        .args(["scan", "--tickers", "SPY"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("cannot write the log file").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains(r#""event":"scan_finished""#),
        "the log lines: {stderr}"
    );
}

#[test]
fn a_too_small_max_bytes_is_named() {
    let home = Home::new();
    home.write_config("[log]\nmax_bytes = 10\n");
    home.cmd(["scan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("log.max_bytes"));
}

/// The JSON log a command wrote on stderr (`--log-format json`); the command must exit
/// with `code`.
fn events_of(home: &Home, args: &[&str], code: i32) -> Vec<serde_json::Value> {
    let out = home
        .cmd(["--log-format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        crate::harness::describe(&out)
    );
    json_lines(&String::from_utf8_lossy(&out.stderr))
}

/// The records of `name`, at least one.
fn event<'a>(lines: &'a [serde_json::Value], name: &str) -> Vec<&'a serde_json::Value> {
    let found: Vec<_> = lines.iter().filter(|l| l["event"] == name).collect();
    assert!(!found.is_empty(), "no {name} in {lines:#?}");
    found
}

/// Retries without real waiting.
const FAST: &str = "[resilience.retry]\ninitial_delay_ms = 1\nmax_delay_ms = 5\njitter = false\n";

#[test]
fn enrich_run_logs_each_job_started_retrying_succeeded_and_failed() {
    let home = Home::new();
    home.write_config(&format!("{FAST}[provider.sim]\nfail_tickers = [\"BAD\"]\n"));
    let lines = events_of(
        &home,
        &[
            "enrich",
            "run",
            "--symbols",
            "AAPL,BAD",
            "--timeframes",
            "1d",
        ],
        0,
    );
    let started = event(&lines, "enrichment_job_started");
    assert_eq!(started.len(), 2);
    for s in &started {
        assert_eq!((&s["job"], &s["run_id"]), (&"enrich".into(), &1.into()));
        assert!(s["job_id"].as_i64().unwrap() > 0);
    }
    let ok = event(&lines, "enrichment_job_succeeded");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["symbol"], "AAPL");
    assert_eq!(ok[0]["run_id"], 1);
    assert!(ok[0]["bars_added"].as_u64().unwrap() > 200, "{}", ok[0]);
    assert_eq!(ok[0]["attempts"], 1);
    // max_retries 3: three retries, then the failure.
    let retrying = event(&lines, "enrichment_job_retrying");
    assert_eq!(retrying.len(), 3);
    assert!(
        retrying
            .iter()
            .all(|r| r["symbol"] == "BAD" && r["timeframe"] == "1d")
    );
    assert_eq!(retrying[0]["attempt"], 1);
    assert!(
        retrying[0]["error"]
            .as_str()
            .unwrap()
            .contains("injected failure")
    );
    let failed = event(&lines, "enrichment_job_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["symbol"], "BAD");
    assert_eq!(failed[0]["status"], "failed");
    assert_eq!(failed[0]["attempts"], 4);
    assert_eq!(failed[0]["level"], "WARN");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("injected failure")
    );
}

#[test]
fn a_failing_provider_logs_breaker_opened_with_the_job_and_run() {
    let home = Home::new();
    home.write_config(&format!(
        "{FAST}[resilience.breaker]\nmin_calls = 4\nopen_seconds = 600\n[provider.sim]\nfailure_rate = 1.0\n"
    ));
    let lines = events_of(
        &home,
        &[
            "enrich",
            "run",
            "--symbols",
            "AAPL,MSFT",
            "--timeframes",
            "1d",
            "--concurrency",
            "1",
        ],
        1,
    );
    let opened = event(&lines, "breaker_opened");
    assert_eq!(opened.len(), 1);
    let b = opened[0];
    assert_eq!(b["job"], "enrich");
    assert_eq!(b["run_id"], 1);
    assert_eq!(b["breaker"], "sim");
    assert_eq!(b["open_seconds"], 600);
    // 600 s after the failing calls (the clock runs from --as-of at real speed).
    assert!(
        b["open_until"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23T15:10:0"),
        "{b}"
    );
    // The job the breaker skipped is a failed job too.
    let failed = event(&lines, "enrichment_job_failed");
    assert!(
        failed.iter().any(|f| f["status"] == "skipped"),
        "{failed:?}"
    );
}

#[test]
fn process_excel_logs_an_excel_tick_per_run() {
    let home = Home::new();
    home.copy_excel_fixtures();
    let lines = events_of(&home, &["process-excel"], 0);
    let t = event(&lines, "excel_tick");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["job"], "process-excel");
    assert_eq!(t[0]["run_id"], 1);
    assert_eq!(t[0]["status"], "processed");
    assert_eq!(t[0]["stocks"], 204);
    assert_eq!(t[0]["updated"], 204);
    assert_eq!(t[0]["skipped"], 0);
    let lines = events_of(&home, &["process-excel"], 0);
    let t = event(&lines, "excel_tick");
    assert_eq!(
        (&t[0]["run_id"], &t[0]["status"]),
        (&2.into(), &"unchanged".into())
    );
    // A run that cannot read its input is a failed tick, logged as a warning.
    std::fs::remove_file(home.home().join("excel/Live.xlsx")).unwrap();
    let lines = events_of(&home, &["process-excel"], 2);
    let t = event(&lines, "excel_tick");
    assert_eq!(t[0]["status"], "failed");
    assert_eq!(t[0]["run_id"], 3);
    assert_eq!(t[0]["level"], "WARN");
    assert!(
        t[0]["error"].as_str().unwrap().contains("Live.xlsx"),
        "{}",
        t[0]
    );
}

#[test]
fn migrate_scheduler_run_logs_a_scheduler_tick() {
    let home = Home::new();
    home.write_config(crate::compare::SMALL);
    let lines = events_of(
        &home,
        &["migrate-scheduler", "run", "--as-of", crate::compare::T0],
        0,
    );
    let t = event(&lines, "scheduler_tick");
    assert_eq!(t.len(), 1);
    let t = t[0];
    assert_eq!(t["job"], "migrate-scheduler");
    let stored: i64 = home.count("SELECT min(id) FROM scheduler_runs");
    assert_eq!(t["run_id"], stored);
    assert_eq!(t["phase"], "legacy");
    assert!(t["symbols"].as_u64().unwrap() > 0, "{t}");
    assert_eq!(t["symbols_failed"], 0);
    assert!(t["provider_calls"].as_u64().unwrap() > 0, "{t}");
    assert_eq!(
        t["signals"].as_i64().unwrap(),
        home.count("SELECT count(*) FROM scheduler_signals")
    );
}

#[test]
fn notifications_sent_and_refused_are_logged_with_the_scan_that_sent_them() {
    use crate::harness::servers::{Route, Server};
    let ok = Server::receiver();
    let refusing = Server::start(vec![Route::bytes("/bad", 400, "bad payload")]);
    let home = Home::new();
    home.write_config(&format!(
        r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-01T00:00:00Z" }}]
[notify.channels.hook]
kind = "webhook"
url = "{}/hook"
[notify.channels.bad]
kind = "webhook"
url = "{}/bad"
"#,
        ok.url(),
        refusing.url()
    ));
    let lines = events_of(&home, &["scan", "--tickers", "AAPL,SPY"], 0);
    let sent = event(&lines, "notification_sent");
    assert_eq!(sent[0]["channel"], "hook");
    assert_eq!(sent[0]["job"], "scan");
    assert_eq!(sent[0]["run_id"], 1);
    assert_eq!(sent[0]["attempt"], 1);
    let items: i64 = sent.iter().map(|s| s["items"].as_i64().unwrap()).sum();
    assert_eq!(items, home.count("SELECT count(*) FROM alerts"));
    assert!(items > 0);
    let failed = event(&lines, "notification_failed");
    assert_eq!(failed[0]["channel"], "bad");
    assert_eq!(failed[0]["retrying"], false);
    assert_eq!(failed[0]["level"], "WARN");
    assert!(
        failed[0]["error"].as_str().unwrap().contains("400"),
        "{}",
        failed[0]
    );

    // `optctl notify retry --failed` sends them again: its own job.
    let lines = events_of(&home, &["notify", "retry", "--failed"], 3);
    let failed = event(&lines, "notification_failed");
    assert_eq!(failed[0]["job"], "notify");
    assert_eq!(failed[0]["attempt"], 1);
}

#[test]
fn quiet_json_logs_keep_errors_and_failure_events_only() {
    let home = Home::new();
    home.write_config("[provider.sim]\nfail_tickers = [\"QQQ\"]\n");
    let out = home
        .cmd(["-q", "--log-format", "json", "scan", "--tickers", "SPY,QQQ"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines = json_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert_eq!(lines[0]["event"], "ticker_failed");
    assert_eq!(lines[0]["ticker"], "QQQ");
    // The line -q always keeps, naming what failed.
    assert!(stderr.contains("1 of 2 tickers failed"), "{stderr}");

    // A run where nothing failed: not a line.
    home.cmd(["-q", "--log-format", "json", "scan", "--tickers", "SPY"])
        .assert()
        .success()
        .stdout("")
        .stderr("");

    // A run that fails: its failure events and error records, nothing else.
    home.write_config(&format!(
        "{FAST}[resilience.breaker]\nmin_calls = 4\n[provider.sim]\nfailure_rate = 1.0\n"
    ));
    let out = home
        .cmd(["-q", "--log-format", "json"])
        .args(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
        .output()
        .unwrap();
    let lines = json_lines(&String::from_utf8_lossy(&out.stderr));
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l["level"] == "ERROR" || (l["level"] == "WARN" && l["event"].is_string()),
            "not an error or a failure event: {l}"
        );
    }
    assert!(lines.iter().any(|l| l["event"] == "enrichment_job_failed"));
    assert!(
        lines
            .iter()
            .all(|l| l["event"] != "enrichment_job_retrying")
    );
}

/// The README's table of JSON events is the list the code emits: every `event = "..."`
/// of the library is in it, and every event in it is emitted somewhere.
#[test]
fn the_readme_lists_exactly_the_events_the_code_emits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut emitted = std::collections::BTreeSet::new();
    let mut dirs = vec![root.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for piece in text.split("event = \"").skip(1) {
                    emitted.insert(piece.split('"').next().unwrap().to_string());
                }
            }
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("#### JSON logs")
        .nth(1)
        .expect("a JSON logs section")
        .split("\n#")
        .next()
        .unwrap();
    let listed: std::collections::BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l.split('`').next().unwrap().to_string())
        .collect();
    assert!(emitted.len() >= 13, "{emitted:?}");
    assert_eq!(listed, emitted);
}
