//! `optctl doctor` and `optctl generate systemd`: what a cron or systemd user relies on.

use serde_json::Value;

use crate::harness::servers::{Route, Server};
use crate::harness::{Home, describe, parse_json};

/// Runs `doctor --json` plus `extra`, expects `code`, returns the report.
fn doctor(home: &Home, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["doctor", "--json"];
    args.extend_from_slice(extra);
    let out = home.cmd(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    parse_json(&out)
}

/// The check named `name`.
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {report:#}"))
}

fn status<'a>(report: &'a Value, name: &str) -> &'a str {
    check(report, name)["status"].as_str().unwrap()
}

fn scanned() -> Home {
    let home = Home::new();
    home.cmd(["-q", "scan"]).assert().success();
    home
}

/// A 127.0.0.1 port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_healthy_home_after_a_scan_passes_and_prints_its_cron_lines() {
    let home = scanned();
    let report = doctor(&home, &[], 0);
    assert_eq!(report["healthy"], true);
    for name in [
        "config",
        "home",
        "schema",
        "database",
        "clock",
        "provider sim",
    ] {
        assert_eq!(status(&report, name), "ok", "{name}: {report:#}");
    }
    // The workbooks are optional: a warning, not a failure.
    assert_eq!(status(&report, "excel live"), "warn");
    let bin = std::fs::canonicalize(env!("CARGO_BIN_EXE_optctl")).unwrap();
    let lines: Vec<&str> = report["crontab"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let scan = lines
        .iter()
        .find(|l| l.contains(" -q scan"))
        .expect("a scan line");
    assert!(scan.starts_with("*/10 * * * 1-5"), "{scan}");
    assert!(
        scan.contains(&format!(
            "{} --home {}",
            bin.display(),
            home.home().display()
        )),
        "{scan}"
    );
    assert!(
        scan.contains("&& ") && scan.ends_with("-q export"),
        "{scan}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("30 1 * * *") && l.ends_with("-q enrich run"))
    );

    // The text form says the same, one line a check.
    let out = home.cmd(["doctor"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("ok    database")),
        "{text}"
    );
    assert!(text.contains("-q enrich run"), "{text}");
}

#[test]
fn doctor_writes_nothing_to_a_home_that_does_not_exist() {
    let home = Home::new();
    let report = doctor(&home, &[], 1);
    assert_eq!(status(&report, "home"), "fail");
    if home.store_url().is_some() {
        // The server answers; its database has no optctl tables yet, and gets none.
        assert_eq!(status(&report, "database"), "ok");
        assert_eq!(status(&report, "schema"), "warn");
        assert!(!home.store_exists(), "doctor created tables");
    } else {
        assert_eq!(status(&report, "database"), "warn");
    }
    assert!(!home.home().exists(), "doctor created the home");
}

#[test]
fn a_broken_config_is_named_and_fails_with_exit_1() {
    let home = scanned();
    home.write_config("[provider]\nname = 42\n");
    let out = home.cmd(["doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("fail  config"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("config.toml"), "{line}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("config"));
    // The checks that need no config still ran.
    let report = doctor(&home, &[], 1);
    assert_eq!(status(&report, "database"), "ok");
}

#[test]
fn a_database_from_a_newer_optctl_fails_and_is_not_touched() {
    if crate::harness::sqlite_only("sets the SQLite user_version pragma") {
        return;
    }
    let home = scanned();
    home.db().pragma_update(None, "user_version", 999).unwrap();
    let report = doctor(&home, &[], 1);
    let db = check(&report, "database");
    assert_eq!(db["status"], "fail");
    assert!(db["detail"].as_str().unwrap().contains("999"), "{db}");
    assert!(
        db["fix"].as_str().unwrap().contains("upgrade optctl"),
        "{db}"
    );
    assert_eq!(home.count("PRAGMA user_version"), 999);
}

#[test]
fn resilience_state_from_the_future_is_a_clock_failure() {
    let home = scanned();
    // Written by a clock two days ahead of the test's "now".
    let later = chrono::DateTime::parse_from_rfc3339("2026-11-25T15:00:00Z")
        .unwrap()
        .timestamp_millis();
    home.exec(&format!(
        "INSERT INTO rate_limits (name, tokens, updated_ms) VALUES ('cboe', 1.0, {later})"
    ));
    let report = doctor(&home, &[], 1);
    let clock = check(&report, "clock");
    assert_eq!(clock["status"], "fail", "{clock}");
    assert!(
        clock["detail"].as_str().unwrap().contains("limiter cboe"),
        "{clock}"
    );
    assert!(clock["detail"].as_str().unwrap().contains("2 d"), "{clock}");
}

#[test]
fn an_unreachable_provider_fails_and_offline_skips_it() {
    let home = scanned();
    let port = closed_port();
    home.write_config(&format!(
        "[provider]\nname = \"cboe\"\n[provider.cboe]\nbase_url = \"http://127.0.0.1:{port}\"\n"
    ));
    let report = doctor(&home, &[], 1);
    let p = check(&report, "provider cboe");
    assert_eq!(p["status"], "fail", "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains(&port.to_string()),
        "{p}"
    );
    let report = doctor(&home, &["--offline"], 0);
    assert_eq!(status(&report, "provider cboe"), "skip");
}

#[test]
fn a_provider_that_answers_is_reachable() {
    let home = scanned();
    let server = Server::start(vec![Route::text(404, "not here")]);
    home.write_config(&format!(
        "[provider]\nname = \"cboe\"\n[provider.cboe]\nbase_url = \"{}\"\n",
        server.url()
    ));
    let report = doctor(&home, &[], 0);
    let p = check(&report, "provider cboe");
    assert_eq!(p["status"], "ok", "{p}");
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_missing_key_fails_and_a_present_one_is_never_printed() {
    let home = scanned();
    home.write_config("[provider]\nname = \"polygon\"\n");
    let report = doctor(&home, &["--offline"], 1);
    let key = check(&report, "key polygon");
    assert_eq!(key["status"], "fail");
    assert!(
        key["fix"]
            .as_str()
            .unwrap()
            .contains("OPTCTL_POLYGON_API_KEY")
    );

    let out = home
        .cmd(["doctor", "--offline"])
        .env("OPTCTL_POLYGON_API_KEY", "sekrit-key-123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("ok    key polygon"), "{all}");
    assert!(!all.contains("sekrit"), "{all}");
}

#[test]
fn send_test_reaches_every_channel() {
    let home = scanned();
    let receiver = Server::receiver();
    home.write_config(&format!(
        "[notify.channels.hook]\nkind = \"webhook\"\nurl = \"{}/hook\"\n",
        receiver.url()
    ));
    let report = doctor(&home, &[], 0);
    assert!(
        check(&report, "notify")["detail"]
            .as_str()
            .unwrap()
            .contains("1 channel")
    );
    assert!(receiver.seen().is_empty(), "sent without --send-test");
    let report = doctor(&home, &["--send-test"], 0);
    assert_eq!(status(&report, "notify test hook"), "ok");
    assert_eq!(receiver.seen().len(), 1);
}

/// `[section]` headers and `key=value` lines of a unit file.
fn sections(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.to_string(), Vec::new()));
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not key=value: {line:?}"));
        out.last_mut()
            .expect("a key before any section")
            .1
            .push((k.to_string(), v.to_string()));
    }
    out
}

fn values(units: &[(String, Vec<(String, String)>)], section: &str, key: &str) -> Vec<String> {
    units
        .iter()
        .filter(|(s, _)| s == section)
        .flat_map(|(_, kv)| kv.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()))
        .collect()
}

#[test]
fn generate_systemd_writes_units_that_run_this_optctl() {
    let home = Home::new();
    let dir = home.root().join("units");
    let config = home.root().join("etc/optctl.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "").unwrap();
    home.cmd([
        "--config",
        config.to_str().unwrap(),
        "generate",
        "systemd",
        "--out",
        dir.to_str().unwrap(),
    ])
    .assert()
    .success();
    let bin = std::fs::canonicalize(env!("CARGO_BIN_EXE_optctl")).unwrap();
    let mut prefix = format!(
        "{} --home {} --config {}",
        bin.display(),
        home.home().display(),
        config.display()
    );
    // A store given in the environment is written into the units, quoted, without its
    // password (a server that wants one gets it from ~/.pgpass or $PGPASSWORD).
    if let Some(url) = home.store_shown() {
        prefix.push_str(&format!(" --store '{url}'"));
    }
    let expect = [
        ("optctl-serve.service", vec!["serve"]),
        (
            "optctl-excel.service",
            vec!["-q process-excel --watch --market-hours-only"],
        ),
        ("optctl-scan.service", vec!["-q scan", "-q export"]),
        ("optctl-export.service", vec!["-q export"]),
        ("optctl-enrich.service", vec!["-q enrich run"]),
    ];
    for (name, commands) in &expect {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let unit = sections(&text);
        let exec = values(&unit, "Service", "ExecStart");
        let want: Vec<String> = commands.iter().map(|c| format!("{prefix} {c}")).collect();
        assert_eq!(exec, want, "{name}");
        assert_eq!(
            values(&unit, "Service", "NoNewPrivileges"),
            ["yes"],
            "{name}"
        );
        let rw = values(&unit, "Service", "ReadWritePaths");
        assert_eq!(rw, [home.home().display().to_string()], "{name}");
        if name.contains("serve") || name.contains("excel") {
            assert_eq!(
                values(&unit, "Service", "Restart"),
                ["on-failure"],
                "{name}"
            );
        }
    }
    for (timer, when) in [
        ("optctl-scan.timer", "Mon..Fri *-*-* *:00/10:00 UTC"),
        ("optctl-export.timer", "Mon..Fri *-*-* *:00/5:00 UTC"),
        ("optctl-enrich.timer", "*-*-* 01:30:00 UTC"),
    ] {
        let unit = sections(&std::fs::read_to_string(dir.join(timer)).unwrap());
        assert_eq!(values(&unit, "Timer", "OnCalendar"), [when], "{timer}");
    }

    // Without --out, the same units on stdout.
    let out = home.cmd(["generate", "systemd"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("# optctl-enrich.timer"), "{text}");

    // systemd's own parser, where the machine has it.
    let Ok(analyze) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("systemd-analyze not found: skipping its check");
        return;
    };
    if !analyze.status.success() {
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let verify = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn the_log_file_is_checked_when_one_is_configured() {
    let home = scanned();
    let report = doctor(&home, &["--offline"], 0);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "log file"),
        "no [log] file, no check"
    );
    home.write_config("[log]\nfile = \"logs/optctl.log\"\n");
    let report = doctor(&home, &["--offline"], 0);
    assert_eq!(status(&report, "log file"), "ok");
    let detail = check(&report, "log file")["detail"].as_str().unwrap();
    assert!(detail.contains("logs/optctl.log"), "{detail}");
    // A file where its folder should be: the first job could not log.
    std::fs::write(home.home().join("logs"), "").unwrap();
    let report = doctor(&home, &["--offline"], 1);
    assert_eq!(status(&report, "log file"), "fail");
    assert!(check(&report, "log file")["fix"].is_string());
}
