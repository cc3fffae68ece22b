//! `optctl config` and config-file errors.

use predicates::str::contains;

use crate::harness::Home;

#[test]
fn init_writes_a_commented_file_that_show_reads_back() {
    let home = Home::new();
    home.cmd(["config", "init"])
        .assert()
        .success()
        .stderr(contains("wrote"));
    let text = std::fs::read_to_string(home.config_path()).unwrap();
    assert!(text.contains("# optctl configuration"));
    home.cmd(["config", "init"])
        .assert()
        .code(2)
        .stderr(contains("--force"));
    home.cmd(["config", "init", "--force"]).assert().success();
    let shown = home.json(["config", "show", "--json"]);
    assert_eq!(shown["provider"]["name"], "sim");
    assert_eq!(shown["watchlist"]["tickers"].as_array().unwrap().len(), 20);
}

#[test]
fn show_merges_the_file_over_defaults() {
    let home = Home::new();
    home.write_config("[watchlist]\ntickers = [\"NVDA\"]\n[detectors]\ncooldown_minutes = 30\n");
    let out = home.cmd(["config", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tickers = [\"NVDA\"]"), "{text}");
    assert!(text.contains("cooldown_minutes = 30"), "{text}");
    assert!(text.contains("min_vol_oi_ratio = 1.25"), "{text}");
}

#[test]
fn a_bad_config_file_is_exit_2_naming_the_key_and_the_file() {
    let home = Home::new();
    home.write_config("[scan]\nconcurency = 4\n");
    home.cmd(["scan"])
        .assert()
        .code(2)
        .stderr(contains("concurency"))
        .stderr(contains("config.toml"))
        .stderr(contains("line 2"));
    home.write_config("[detectors.unusual_activity]\nmin_volume = \"lots\"\n");
    home.cmd(["config", "show"])
        .assert()
        .code(2)
        .stderr(contains("min_volume"));
    home.write_config("this is not toml");
    home.cmd(["scan"])
        .assert()
        .code(2)
        .stderr(contains("config.toml"));
}

#[test]
fn a_named_config_file_must_exist() {
    let home = Home::new();
    home.cmd(["scan", "--config", "/nonexistent/optctl.toml"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/optctl.toml"));
    // The environment variable counts as naming it.
    home.cmd(["config", "show"])
        .env("OPTCTL_CONFIG", "/nonexistent/env.toml")
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/env.toml"));
}
