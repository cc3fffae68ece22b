//! `--help` of every command, snapshotted so help-text changes show up in review.

use crate::harness::Home;

fn help(args: &[&str]) -> String {
    let home = Home::new();
    let out = home.cmd(args).arg("--help").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_texts() {
    for cmd in [
        &[][..],
        &["scan"],
        &["scans"],
        &["export"],
        &["fetch"],
        &["serve"],
        &["alerts"],
        &["chain"],
        &["show"],
        &["screen"],
        &["config"],
        &["config", "show"],
        &["config", "init"],
        &["doctor"],
        &["enrich"],
        &["enrich", "run"],
        &["enrich", "status"],
        &["enrich", "history"],
        &["enrich", "metrics"],
        &["enrich", "health"],
        &["enrich", "job-status"],
        &["enrich", "pause"],
        &["enrich", "resume"],
        &["enrich", "resilience"],
        &["quant", "iv"],
        &["process-excel"],
        &["process-excel", "status"],
        &["process-excel", "history"],
        &["market-hours"],
        &["notify"],
        &["notify", "test"],
        &["notify", "status"],
        &["notify", "retry"],
        &["compare"],
        &["migrate-scheduler"],
        &["migrate-scheduler", "status"],
        &["migrate-scheduler", "advance"],
        &["migrate-scheduler", "rollback"],
        &["migrate-scheduler", "run"],
        &["migrate-scheduler", "crontab"],
        &["migrate-scheduler", "log"],
    ] {
        let name = if cmd.is_empty() {
            "optctl".to_string()
        } else {
            format!("optctl-{}", cmd.join("-"))
        };
        insta::assert_snapshot!(name, help(cmd));
    }
}

#[test]
fn hidden_and_unbuilt_commands_stay_out_of_help() {
    let top = help(&[]);
    assert!(!top.contains("generate"), "generate is hidden");
    for listed in [
        "scan",
        "scans",
        "alerts",
        "chain",
        "show",
        "screen",
        "config",
        "enrich",
        "export",
        "fetch",
        "quant",
        "process-excel",
        "market-hours",
        "notify",
        "serve",
        "compare",
        "migrate-scheduler",
    ] {
        assert!(top.contains(listed), "{listed} missing from --help");
    }
}
