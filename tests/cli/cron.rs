//! Running from cron: with `-q` a job that succeeds prints nothing at all (cron mails
//! whatever a job prints), a partial run keeps `optctl scan && optctl export` going and
//! names what failed on stderr, and `--strict` keeps exit 3 for scripts that want it.

use std::process::Output;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::harness::{Home, describe};

/// Asserts a finished command succeeded and printed nothing on stdout or stderr.
pub fn assert_silent(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", describe(out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "-q must print nothing on success: {}",
        describe(out)
    );
}

/// Runs `script` in `sh` with the environment `Home` gives optctl, `$OPTCTL` naming the
/// binary: what a crontab line does.
fn shell(home: &Home, script: &str) -> Output {
    let base = home.std_cmd(["--version"]);
    let mut sh = std::process::Command::new("sh");
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.env("OPTCTL", env!("CARGO_BIN_EXE_optctl"))
        .args(["-c", script])
        .output()
        .unwrap()
}

#[test]
fn quiet_scan_export_and_enrich_print_nothing_on_success() {
    let home = Home::new();
    home.write_config("[provider.sim]\nanomaly_rate = 0.0\n");
    // The README's cron line, run as cron runs it.
    assert_silent(&shell(&home, r#""$OPTCTL" -q scan && "$OPTCTL" -q export"#));
    assert!(home.home().join("exports/alerts.json").exists());
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE status = 'succeeded'"),
        1
    );
    assert_silent(
        &home
            .cmd([
                "-q",
                "enrich",
                "run",
                "--symbols",
                "AAPL",
                "--timeframes",
                "1d",
            ])
            .output()
            .unwrap(),
    );
    // A command that shows something still shows it with -q.
    let out = home.cmd(["-q", "scans"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("succeeded"),
        "{}",
        describe(&out)
    );
}

#[test]
fn quiet_still_prints_the_json_document_asked_for() {
    let home = Home::new();
    let out = home
        .cmd(["-q", "scan", "--json", "--tickers", "AAPL"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let r = crate::harness::parse_json(&out);
    assert_eq!(r["status"], "succeeded");
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

const ONE_OF_TWENTY_FAILS: &str = "[provider.sim]\nanomaly_rate = 0.0\nfail_tickers = [\"AAPL\"]\n";

#[test]
fn scan_and_export_exports_when_one_of_twenty_tickers_fails() {
    let home = Home::new();
    home.write_config(ONE_OF_TWENTY_FAILS);
    let out = shell(&home, r#""$OPTCTL" -q scan && "$OPTCTL" -q export"#);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("optctl: scan 1: 1 of 20 tickers failed: AAPL: "),
        "the failure goes to stderr even with -q, for cron to mail: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // The export ran after the partial scan and published its 19 chains.
    let chains: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.home().join("exports/chains.json")).unwrap())
            .unwrap();
    assert_eq!(chains["chain_count"], 19);

    // `optctl scans` names the failed ticker of the partial run.
    home.cmd(["scans"])
        .assert()
        .success()
        .stdout(contains("partial").and(contains("AAPL")));
}

#[test]
fn strict_keeps_exit_3_for_a_partial_scan() {
    let home = Home::new();
    home.write_config(ONE_OF_TWENTY_FAILS);
    home.cmd(["-q", "scan", "--strict"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(contains("1 of 20 tickers failed: AAPL"));
    home.write_config(&format!("{ONE_OF_TWENTY_FAILS}[scan]\nstrict = true\n"));
    home.cmd(["-q", "scan"])
        .assert()
        .code(3)
        .stderr(contains("1 of 20 tickers failed: AAPL"));
    // Nothing stored at all stays a failure, strict or not.
    home.write_config("[provider.sim]\nfailure_rate = 1.0\n");
    home.cmd(["-q", "scan", "--tickers", "AAPL,MSFT"])
        .assert()
        .code(1)
        .stderr(contains("all 2 tickers failed"));
}

#[test]
fn a_partial_enrich_run_exits_0_naming_the_symbol_and_3_with_strict() {
    let home = Home::new();
    home.write_config("[provider.sim]\nfail_tickers = [\"TSLA\"]\n");
    let args = [
        "-q",
        "enrich",
        "run",
        "--symbols",
        "AAPL,TSLA",
        "--timeframes",
        "1d",
        "--max-retries",
        "0",
    ];
    let out = home.cmd(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 of 2 symbols failed: TSLA"), "{err}");
    let mut strict = args.to_vec();
    strict.push("--strict");
    home.cmd(strict)
        .assert()
        .code(3)
        .stderr(contains("1 of 2 symbols failed: TSLA"));
}
