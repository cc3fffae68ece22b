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
    assert!(
        text.contains("T59")
            || std::fs::read_to_string(rotated(&log, 1))
                .unwrap()
                .contains("T59")
    );
}

#[test]
fn an_unwritable_log_file_falls_back_to_stderr_and_says_so() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let bad = blocker.join("optctl.log");
    let out = home
        .cmd([
            "-v",
            "--log-file",
            bad.to_str().unwrap(),
            "scan",
            "--tickers",
            "SPY",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open the log file"), "{stderr}");
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
