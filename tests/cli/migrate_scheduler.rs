//! `optctl migrate-scheduler`: the state machine end to end (each phase, refusal with
//! reasons, force with a reason, partial and full rollback), `run` in each phase, the
//! lock, the crontab and the audit log.

use predicates::str::contains;
use serde_json::Value;

use crate::compare::{SMALL, T0, hindalco_fails};
use crate::harness::{Home, describe, parse_json};

fn home() -> Home {
    let home = Home::new();
    home.write_config(&format!("{SMALL}\n[scheduler.criteria]\nmin_ticks = 3\n"));
    home
}

/// `T0` plus `m` minutes.
fn at(m: i64) -> String {
    let t: chrono::DateTime<chrono::Utc> = T0.parse().unwrap();
    (t + chrono::TimeDelta::minutes(m))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn tick(home: &Home, m: i64) -> Value {
    home.json(["migrate-scheduler", "run", "--json", "--as-of", &at(m)])
}

fn status(home: &Home) -> Value {
    home.json(["migrate-scheduler", "status", "--json"])
}

fn advance(home: &Home, extra: &[&str]) -> std::process::Output {
    let mut c = home.cmd(["migrate-scheduler", "advance", "--json"]);
    c.args(extra).env("USER", "ops");
    c.output().unwrap()
}

fn force(home: &Home, reason: &str) {
    let out = advance(home, &["--force", "--reason", reason]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// (scheduler, role, categories) of the runs of the tick at `t`.
fn runs_at(home: &Home, t: &str) -> Vec<(String, String, String)> {
    home.rows(&format!(
        "SELECT scheduler, role, categories FROM scheduler_runs WHERE tick_at = '{t}' ORDER BY id"
    ))
    .into_iter()
    .map(|r| {
        let t = |i: usize| r[i].clone().unwrap();
        (t(0), t(1), t(2))
    })
    .collect()
}

fn run(s: &str, role: &str, cats: &str) -> (String, String, String) {
    (s.to_string(), role.to_string(), cats.to_string())
}

const ALL: &str = r#"["day_trading","short_selling","short_term"]"#;

#[test]
fn run_in_each_phase_uses_the_right_scheduler() {
    // The default categories (more symbols, so more setups), no latency.
    let home = Home::new();
    home.write_config("[scheduler.criteria]\nmin_ticks = 3\n");
    // legacy: legacy only, no comparison.
    let r = tick(&home, 0);
    assert_eq!(r["phase"], "legacy");
    assert!(r["comparison"].is_null());
    assert_eq!(runs_at(&home, &at(0)), [run("legacy", "used", ALL)]);
    let used_first = r["new_signals"].as_u64().unwrap();
    assert!(used_first > 0);
    assert_eq!(r["signals"].as_array().unwrap().len() as u64, used_first);

    // parallel: both, legacy's signals used, a comparison stored.
    advance(&home, &[]);
    let r = tick(&home, 5);
    assert_eq!(r["phase"], "parallel");
    assert_eq!(
        runs_at(&home, &at(5)),
        [run("legacy", "used", ALL), run("unified", "shadow", ALL)]
    );
    assert_eq!(r["comparison"]["match_pct"], 100.0);
    // The report names the stored runs.
    let ids: Vec<i64> = r["run_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    for id in ids {
        let t = home
            .value(&format!(
                "SELECT tick_at FROM scheduler_runs WHERE id = {id}"
            ))
            .unwrap();
        assert_eq!(t, at(5));
    }
    assert_eq!(
        home.count("SELECT count(*) FROM scheduler_comparisons WHERE source = 'run'"),
        1
    );

    // cutover with day_trading moved: it runs on unified only, the rest on both. Three
    // hours on, both sides have new setups.
    force(&home, "test: move day_trading");
    let r = tick(&home, 180);
    assert_eq!(r["phase"], "cutover");
    let rest = r#"["short_selling","short_term"]"#;
    assert_eq!(
        runs_at(&home, &at(180)),
        [
            run("legacy", "used", rest),
            run("unified", "shadow", rest),
            run("unified", "used", r#"["day_trading"]"#)
        ]
    );
    assert_eq!(
        r["comparison"]["categories"],
        serde_json::json!(["short_selling", "short_term"])
    );
    // Setups first used in this tick: day_trading's from unified, the rest from legacy.
    let firsts: Vec<(String, String)> = home
        .rows(&format!(
            "SELECT category, scheduler FROM scheduler_signals WHERE used = 1 AND created_at = '{}'",
            at(180)
        ))
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
    assert!(firsts.iter().any(|(c, _)| c == "day_trading"), "{firsts:?}");
    assert!(firsts.iter().any(|(c, _)| c != "day_trading"), "{firsts:?}");
    for (cat, from) in &firsts {
        let want = if cat == "day_trading" {
            "unified"
        } else {
            "legacy"
        };
        assert_eq!(from, want, "{cat}");
    }
    assert_eq!(r["new_signals"].as_u64().unwrap() as usize, firsts.len());

    // unified: every category on unified, legacy no longer runs.
    force(&home, "test: move short_selling");
    force(&home, "test: move short_term");
    assert_eq!(status(&home)["phase"], "unified");
    let r = tick(&home, 185);
    assert_eq!(runs_at(&home, &at(185)), [run("unified", "used", ALL)]);
    assert!(r["comparison"].is_null());

    // cleanup: the same, for good.
    force(&home, "test: finish");
    tick(&home, 190);
    assert_eq!(runs_at(&home, &at(190)), [run("unified", "used", ALL)]);

    // A shadow run's signals are stored but never used; each setup is used once.
    assert_eq!(
        home.count("SELECT count(*) FROM scheduler_signals s JOIN scheduler_runs r ON r.id = s.run_id WHERE r.role = 'shadow' AND s.used = 1"),
        0
    );
    assert_eq!(
        home.count("SELECT count(*) FROM (SELECT symbol, category, strategy, direction, bar_time FROM scheduler_signals WHERE used = 1 GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) AS repeated"),
        0
    );
}

#[test]
fn advance_is_refused_with_the_failing_criteria_and_forced_with_a_reason() {
    let home = home();
    // legacy -> parallel needs nothing: legacy's signals stay in use.
    let out = advance(&home, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(parse_json(&out)["to_phase"], "parallel");

    // parallel -> cutover needs evidence: refused, nothing changes.
    let out = advance(&home, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["applied"], false);
    assert_eq!(r["to_phase"], "cutover");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("advance refused (parallel -> cutover)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("0 ticks compared since the last step (needs >= 3)"),
        "{stderr}"
    );
    assert!(stderr.contains("no legacy calls recorded yet"), "{stderr}");
    assert_eq!(status(&home)["phase"], "parallel");
    assert_eq!(home.count("SELECT count(*) FROM scheduler_audit"), 1);

    // --force needs a reason.
    home.cmd(["migrate-scheduler", "advance", "--force"])
        .assert()
        .code(2)
        .stderr(contains("--reason"));
    force(&home, "parity checked by hand in staging");
    let s = status(&home);
    assert_eq!(s["phase"], "cutover");
    assert_eq!(s["moved"], serde_json::json!(["day_trading"]));
    let log = home.json(["migrate-scheduler", "log", "--json"]);
    let last = &log.as_array().unwrap()[1];
    assert_eq!(last["forced"], true);
    assert_eq!(last["reason"], "parity checked by hand in staging");
    assert_eq!(last["actor"], "ops");
    assert_eq!(last["from_phase"], "parallel");
    assert_eq!(last["moved_after"], serde_json::json!(["day_trading"]));
    let failed: Vec<&str> = last["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["holds"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"ticks"), "{failed:?}");
    let table = home.cmd(["migrate-scheduler", "log"]).output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("parity checked by hand"));
}

#[test]
fn criteria_met_by_real_ticks_move_every_category_over() {
    let home = home();
    advance(&home, &[]);
    let mut m = 0;
    for (want_phase, want_moved) in [
        ("cutover", vec!["day_trading"]),
        ("cutover", vec!["day_trading", "short_selling"]),
        (
            "unified",
            vec!["day_trading", "short_selling", "short_term"],
        ),
        (
            "cleanup",
            vec!["day_trading", "short_selling", "short_term"],
        ),
    ] {
        for _ in 0..3 {
            tick(&home, m);
            m += 5;
        }
        let s = status(&home);
        assert_eq!(s["ticks_this_step"], 3);
        assert_eq!(s["next"]["allowed"], true, "{:#}", s["next"]);
        let out = advance(&home, &[]);
        assert!(out.status.success(), "{}", describe(&out));
        let r = parse_json(&out);
        assert_eq!(r["to_phase"], want_phase);
        assert_eq!(r["moved_after"], serde_json::json!(want_moved));
        assert_eq!(r["forced"], false);
    }
    assert!(status(&home)["next"].is_null());
    home.cmd(["migrate-scheduler", "advance"])
        .assert()
        .code(2)
        .stderr(contains("the migration is finished"));
    let log = home.json(["migrate-scheduler", "log", "--json"]);
    assert_eq!(log.as_array().unwrap().len(), 5);
    // The parallel step was judged on its ticks: every criterion held.
    let parallel = &log[1]["criteria"];
    let names: Vec<&str> = parallel
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ticks",
            "calls_reduced",
            "time_reduced",
            "cache_hit_rate",
            "signal_parity",
            "error_rate"
        ]
    );
    assert!(
        parallel
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["holds"] == true)
    );
}

#[test]
fn rollback_partial_one_step_and_full_always_logged() {
    let home = home();
    home.cmd(["migrate-scheduler", "rollback"])
        .assert()
        .code(2)
        .stderr(contains("nothing to roll back"));
    advance(&home, &[]);
    force(&home, "a");
    force(&home, "b");
    assert_eq!(
        status(&home)["moved"],
        serde_json::json!(["day_trading", "short_selling"])
    );

    // Partial: one category back.
    home.cmd([
        "migrate-scheduler",
        "rollback",
        "--category",
        "day_trading",
        "--reason",
        "odd fills",
    ])
    .assert()
    .success();
    let s = status(&home);
    assert_eq!(
        (s["phase"].as_str(), &s["moved"]),
        (Some("cutover"), &serde_json::json!(["short_selling"]))
    );
    let dt = &s["categories"][0];
    assert_eq!(dt["signals_from"], "legacy");
    assert_eq!(dt["runs_on"], serde_json::json!(["legacy", "unified"]));
    home.cmd(["migrate-scheduler", "rollback", "--category", "short_term"])
        .assert()
        .code(2)
        .stderr(contains("short_term runs on the legacy scheduler already"));

    // One step back: the last moved category; none left means parallel.
    home.cmd(["migrate-scheduler", "rollback"])
        .assert()
        .success();
    assert_eq!(status(&home)["phase"], "parallel");

    // Full: straight back to legacy from unified.
    force(&home, "c");
    force(&home, "d");
    force(&home, "e");
    assert_eq!(status(&home)["phase"], "unified");
    home.cmd(["migrate-scheduler", "rollback", "--all"])
        .assert()
        .success();
    let s = status(&home);
    assert_eq!(
        (s["phase"].as_str(), s["moved"].as_array().unwrap().len()),
        (Some("legacy"), 0)
    );

    let log = home.json(["migrate-scheduler", "log", "--json"]);
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["to_phase"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("advance", "parallel"),
            ("advance", "cutover"),
            ("advance", "cutover"),
            ("rollback", "cutover"),
            ("rollback", "parallel"),
            ("advance", "cutover"),
            ("advance", "cutover"),
            ("advance", "unified"),
            ("rollback", "legacy"),
        ]
    );
    assert_eq!(log[3]["reason"], "odd fills");
    assert_eq!(log[3]["moved_after"], serde_json::json!(["short_selling"]));
}

#[test]
fn run_holds_a_lock_and_skips_outside_market_hours() {
    let home = home();
    // 22:00 in Kolkata: after the NSE close ([scheduler] market). Nothing is opened or
    // stored.
    home.cmd([
        "migrate-scheduler",
        "run",
        "--market-hours-only",
        "--as-of",
        "2026-11-23T16:30:00Z",
    ])
    .assert()
    .code(0)
    .stderr(contains("skipped: market closed (after the close)"));
    assert!(!home.store_exists());

    let dir = home.home().join("locks");
    std::fs::create_dir_all(&dir).unwrap();
    let held = std::fs::File::create(dir.join("migrate-scheduler run.lock")).unwrap();
    held.try_lock().unwrap();
    home.cmd(["migrate-scheduler", "run", "--as-of", T0])
        .assert()
        .code(75)
        .stderr(contains(
            "another `optctl migrate-scheduler run` is running",
        ));
    assert!(!home.store_exists(), "a refused tick touches nothing");
    drop(held);
    home.cmd(["migrate-scheduler", "run", "--as-of", T0])
        .assert()
        .success();
}

#[test]
fn a_tick_where_symbols_fail_is_partial() {
    let home = hindalco_fails();
    let out = home
        .cmd(["migrate-scheduler", "run", "--json", "--as-of", T0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["symbols_failed"], 2);
    assert!(
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["symbol"] == "HINDALCO")
    );
    // The other symbols' signals are stored.
    assert!(home.count("SELECT count(*) FROM scheduler_signals WHERE used = 1") > 0);
}

#[test]
fn crontab_follows_the_phase_and_status_works_before_any_run() {
    let home = home();
    let s = status(&home);
    assert_eq!(s["phase"], "legacy");
    assert_eq!(s["next"]["allowed"], true);
    assert!(!home.store_exists(), "status never creates the database");
    let lines = |home: &Home| -> Vec<String> {
        let out = home.cmd(["migrate-scheduler", "crontab"]).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from)
            .collect()
    };
    let legacy = lines(&home);
    assert_eq!(legacy.len(), 1, "{legacy:?}");
    let job = &legacy[0];
    assert!(job.starts_with("*/5 * * * 1-5  "), "{job}");
    assert!(
        job.ends_with(" -q migrate-scheduler run --market-hours-only"),
        "{job}"
    );
    assert!(
        job.contains(&format!("--home {}", home.home().display())),
        "{job}"
    );
    advance(&home, &[]);
    let parallel = lines(&home);
    assert_eq!(parallel.len(), 2);
    assert!(
        parallel[1].starts_with("0 18 * * 1-5  ")
            && parallel[1].ends_with("migrate-scheduler status")
    );
    let json = home.json(["migrate-scheduler", "crontab", "--json"]);
    assert_eq!(json["phase"], "parallel");
}

#[test]
fn quiet_run_prints_nothing_on_success() {
    let home = home();
    crate::cron::assert_silent(
        &home
            .cmd(["-q", "migrate-scheduler", "run", "--as-of", T0])
            .output()
            .unwrap(),
    );
    let s = home.json(["migrate-scheduler", "status", "--json"]);
    assert!(s["last_tick"].is_string(), "the tick ran: {s}");
}
