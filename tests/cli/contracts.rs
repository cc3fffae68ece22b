//! Contracts: every `--json` document and every JSON route of `optctl serve`,
//! snapshotted (`tests/cli/snapshots/cli__contracts__*.snap`), so that a change to a
//! field's name, type, order or value shows up in review.
//!
//! Everything runs on the fixed clock (`OPTCTL_NOW`) and the deterministic simulator, so
//! values are stable. Only what really varies from run to run is redacted, each at its
//! own path: durations and elapsed milliseconds, process ids, wall-clock timestamps
//! (scan rows and everything `serve` judges by its own clock), file mtimes, and figures
//! that follow from them (a token bucket's refill, a hash over a wall-clock field). Temp
//! paths are replaced with `[tmp]` and the binary's path with `[optctl]`. Big lists (a
//! chain's contracts, 204 stocks) are snapshotted as their length, first and last items.

use std::path::Path;

use serde_json::{Value, json};

use crate::harness::servers::{Route, Server as Receiver};
use crate::harness::{Home, describe, parse_json};
use crate::serve::{Server, get};

/// Calm market (no random anomalies) with a volume burst planted on AAPL: one scan of
/// SPY and AAPL raises a handful of unusual_activity alerts.
const MARKET: &str = r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-01T00:00:00Z" }]
"#;

const TICKERS: &str = "SPY,AAPL";

/// What a redacted value is replaced with.
const VARIES: &str = "[varies]";

/// Snapshots `value` under `name` after replacing temp paths, with each selector in
/// `redact` (insta's selector syntax) replaced by `[varies]`.
fn snap(name: &str, home: &Home, value: &Value, redact: &[&str]) {
    snap_replacing(name, home, value, redact, &[]);
}

/// [`snap`], also writing each `(text, placeholder)` of `replace` as its placeholder
/// (a test server's address).
fn snap_replacing(
    name: &str,
    home: &Home,
    value: &Value,
    redact: &[&str],
    replace: &[(&str, &str)],
) {
    let value = replace_in(&scrub(value, home), replace);
    let mut settings = insta::Settings::clone_current();
    for selector in redact {
        settings.add_redaction(selector, VARIES);
    }
    settings.bind(|| insta::assert_json_snapshot!(name, value));
}

/// [`snap`] for output that names the backend (the store's place, doctor's checks): on
/// PostgreSQL (`OPTCTL_TEST_PG_CLI=1`) its own snapshot, `<name>@postgres`.
fn snap_backend(name: &str, home: &Home, value: &Value, redact: &[&str]) {
    let mut settings = insta::Settings::clone_current();
    if home.store_url().is_some() {
        settings.set_snapshot_suffix("postgres");
    }
    settings.bind(|| snap(name, home, value, redact));
}

/// `value` with the test's temp folder written `[tmp]`, the binary's path `[optctl]`
/// and a PostgreSQL store's URL (its database is the test's own) `[store]`.
fn scrub(value: &Value, home: &Home) -> Value {
    let root = home.root().to_string_lossy().to_string();
    let bin = env!("CARGO_BIN_EXE_optctl");
    match value {
        Value::String(s) => {
            let s = s.replace(bin, "[optctl]").replace(&root, "[tmp]");
            Value::String(match home.store_shown() {
                Some(url) => s.replace(url, "[store]"),
                None => s,
            })
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub(v, home)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), scrub(v, home)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn replace_in(value: &Value, replace: &[(&str, &str)]) -> Value {
    match value {
        Value::String(s) => Value::String(
            replace
                .iter()
                .fold(s.clone(), |s, (from, to)| s.replace(from, to)),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| replace_in(v, replace)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), replace_in(v, replace)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A long list as its length, first and last items.
fn trimmed(list: &Value) -> Value {
    let items = list.as_array().expect("a list");
    json!({
        "len": items.len(),
        "first": items.first(),
        "last": items.last(),
    })
}

/// `value` with the list at `key` trimmed.
fn trim_at(value: &Value, key: &str) -> Value {
    let mut v = value.clone();
    v[key] = trimmed(&value[key]);
    v
}

/// Runs a command that prints one JSON document and exits with `code`.
fn json_exit(home: &Home, args: &[&str], code: i32) -> Value {
    let out = home.cmd(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    parse_json(&out)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A home with MARKET's config and one scan of TICKERS; returns the scan's report.
fn scanned() -> (Home, Value) {
    let home = Home::new();
    home.write_config(MARKET);
    let scan = home.json(["scan", "--json", "--no-notify", "--tickers", TICKERS]);
    (home, scan)
}

/// Copies the broker workbooks of `fixtures/excel` to `<home>/excel/`.
fn copy_workbooks(home: &Home) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/excel");
    let dir = home.home().join("excel");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Historical.xlsx", "Live.xlsx"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
}

/// A stored scan row: its start and end come from the wall clock, not `--as-of`.
const SCAN_ROW_VARIES: [&str; 3] = ["started_at", "finished_at", "duration_ms"];

fn scan_rows(prefix: &str) -> Vec<String> {
    SCAN_ROW_VARIES
        .iter()
        .map(|k| format!("{prefix}.{k}"))
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn contracts_scan_scans_alerts() {
    let (home, scan) = scanned();
    assert!(scan["alerts"].as_u64().unwrap() >= 1, "{scan}");
    snap("scan", &home, &scan, &[".duration_ms"]);
    let scans = home.json(["scans", "--json"]);
    snap("scans", &home, &scans, &strs(&scan_rows(".scans[]")));
    let alerts = home.json(["alerts", "--json"]);
    snap("alerts", &home, &alerts, &[]);
    let filtered = home.json([
        "alerts",
        "--json",
        "--ticker",
        "aapl",
        "--min-score",
        "60",
        "--limit",
        "2",
    ]);
    snap("alerts-filtered", &home, &filtered, &[]);
}

#[test]
fn contracts_chain_show_screen() {
    let (home, _) = scanned();
    // Alert ids follow the order tickers finish in.
    let chain = home.json([
        "chain",
        "--json",
        "AAPL",
        "--expiry",
        "2026-12-18",
        "--strikes",
        "2",
    ]);
    snap("chain", &home, &chain, &[".alerts[].id"]);
    let show = home.json(["show", "--json", "AAPL"]);
    let show = trim_at(&show, "term_structure");
    snap("show", &home, &show, &[".alerts[].id"]);
    let screen = home.json(["screen", "--json", "pcr_volume > 1.5", "--sort", "-iv_rank"]);
    snap("screen", &home, &screen, &[]);
}

#[test]
fn contracts_store_stats_and_prune() {
    let (home, _) = scanned();
    let stats = home.json(["store", "stats", "--json"]);
    snap_backend("store-stats", &home, &stats, &[".bytes", ".tables[].bytes"]);
    let prune = home.json(["store", "prune", "--json"]);
    snap("store-prune", &home, &prune, &[]);
}

#[test]
fn contracts_export_and_its_files() {
    let (home, _) = scanned();
    let report = home.json(["export", "--json"]);
    // scans.json holds the scan row's wall-clock times: its hashes and sizes (and so the
    // archive's) follow them.
    snap(
        "export",
        &home,
        &report,
        &[
            ".duration_ms",
            ".files[2].sha256",
            ".files[2].bytes",
            ".files[2].content_sha256",
            ".files[2].archive_bytes",
            ".archive_bytes_written",
            ".archive_bytes_total",
        ],
    );
    assert_eq!(report["files"][2]["name"], "scans.json");
    let dir = home.home().join("exports");
    snap(
        "export-alerts.json",
        &home,
        &read_json(&dir.join("alerts.json")),
        &[],
    );
    snap(
        "export-scans.json",
        &home,
        &read_json(&dir.join("scans.json")),
        &strs(&scan_rows(".scans[]")),
    );
    snap(
        "export-features.json",
        &home,
        &read_json(&dir.join("features.json")),
        &[],
    );
    let manifest = read_json(&dir.join("manifest.json"));
    assert_eq!(manifest["files"][2]["name"], "scans.json");
    snap(
        "export-manifest.json",
        &home,
        &manifest,
        &[
            ".files[2].sha256",
            ".files[2].bytes",
            ".files[2].content_sha256",
        ],
    );
    let chains = read_json(&dir.join("chains.json"));
    let mut projected = chains.clone();
    for c in projected["chains"].as_array_mut().unwrap() {
        let contracts = trimmed(&c["contracts"]);
        c["contracts"] = contracts;
    }
    snap("export-chains.json-trimmed", &home, &projected, &[]);
}

#[test]
fn contracts_config_show() {
    let home = Home::new();
    snap(
        "config-show",
        &home,
        &home.json(["config", "show", "--json"]),
        &[],
    );
}

#[test]
fn contracts_market_hours() {
    let home = Home::new();
    snap(
        "market-hours-closed",
        &home,
        &home.json(["market-hours", "--market", "workbooks", "--json"]),
        &[],
    );
    // 10:30 in Mumbai on the same Monday.
    snap(
        "market-hours-open",
        &home,
        &home.json([
            "market-hours",
            "--market",
            "workbooks",
            "--json",
            "--as-of",
            "2026-11-23T05:00:00Z",
        ]),
        &[],
    );
    // The default: the watchlist's market, New York's 10:00.
    snap(
        "market-hours-watchlist",
        &home,
        &home.json(["market-hours", "--json"]),
        &[],
    );
}

#[test]
fn contracts_quant_iv() {
    let home = Home::new();
    let one = home.json([
        "quant", "iv", "--json", "--right", "call", "--spot", "100", "--strike", "105", "--expiry",
        "0.25", "--rate", "0.05", "--price", "2.5",
    ]);
    snap("quant-iv", &home, &one, &[]);
    // A CSV streamed from stdin with --json is answered as NDJSON: one object per row.
    let out = home
        .cmd(["quant", "iv", "--json"])
        .write_stdin(
            "right,spot,strike,t_years,rate,div,price\ncall,100,105,0.25,0.05,0,2.5\nput,100,95,0.5,0.05,0,1.0\n",
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    insta::assert_snapshot!("quant-iv-csv", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn contracts_fetch_sim() {
    let home = Home::new();
    let chain = home.json(["fetch", "--json", "--provider", "sim", "--ticker", "SPY"]);
    snap("fetch-chain", &home, &chain, &[".duration_ms"]);
    let bars = home.json([
        "fetch",
        "--json",
        "--provider",
        "sim",
        "--ticker",
        "SPY",
        "--bars",
        "1d",
    ]);
    snap("fetch-bars", &home, &bars, &[".duration_ms"]);
}

/// Where process-excel documents vary: its run time and the copied workbooks' mtimes.
const EXCEL_RUN_VARIES: [&str; 3] = [".duration_ms", ".historical.mtime_ns", ".live.mtime_ns"];

fn excel_run_varies(prefix: &str) -> Vec<String> {
    EXCEL_RUN_VARIES
        .iter()
        .map(|k| format!("{prefix}{k}"))
        .collect()
}

#[test]
fn contracts_process_excel() {
    let home = Home::new();
    copy_workbooks(&home);
    let run = home.json(["process-excel", "--json"]);
    snap("process-excel", &home, &run, &strs(&excel_run_varies("")));
    // Nothing changed since: the run is recorded as such.
    let again = home.json(["process-excel", "--json"]);
    snap(
        "process-excel-unchanged",
        &home,
        &again,
        &strs(&excel_run_varies("")),
    );
    let status = home.json(["process-excel", "status", "--json"]);
    let mut redact = excel_run_varies(".last_run");
    redact.extend(excel_run_varies(".last_processed"));
    snap("process-excel-status", &home, &status, &strs(&redact));
    let history = home.json(["process-excel", "history", "--json"]);
    snap(
        "process-excel-history",
        &home,
        &history,
        &strs(&excel_run_varies(".runs[]")),
    );
}

/// Where enrich documents vary: elapsed times, pids, the moments fetches finished (the
/// clock plus elapsed time), and the rate limiter's refill.
const ENRICH_VARIES: [&str; 12] = [
    ".**.duration_ms",
    ".**.fetch_ms",
    ".**.compute_ms",
    ".**.calls_ms",
    ".**.pid",
    // A run's end is its start (the fixed clock) plus how long it took.
    ".**.finished_at",
    ".**.last_success_at",
    ".**.avg_response_ms",
    ".**.quota.remaining",
    ".**.limiters[].available",
    ".**.limiters[].updated",
    ".**.breakers[].changed_at",
];

#[test]
fn contracts_enrich() {
    let home = Home::new();
    let run = home.json(["enrich", "run", "--json", "--symbols", "AAPL,SPY"]);
    snap("enrich-run", &home, &run, &ENRICH_VARIES);
    for (name, args) in [
        ("enrich-status", &["enrich", "status", "--json"][..]),
        ("enrich-history", &["enrich", "history", "--json"]),
        ("enrich-metrics", &["enrich", "metrics", "--json"]),
        ("enrich-health", &["enrich", "health", "--json"]),
        ("enrich-resilience", &["enrich", "resilience", "--json"]),
    ] {
        snap(name, &home, &home.json(args), &ENRICH_VARIES);
    }
    let job = home.json(["enrich", "job-status", "spy", "--json"]);
    snap("enrich-job-status", &home, &job, &ENRICH_VARIES);
    let paused = home.json([
        "enrich",
        "pause",
        "--json",
        "--reason",
        "provider maintenance",
    ]);
    snap("enrich-pause", &home, &paused, &[]);
    let refused = json_exit(&home, &["enrich", "run", "--json", "--symbols", "AAPL"], 0);
    snap("enrich-run-paused", &home, &refused, &ENRICH_VARIES);
    let resumed = home.json(["enrich", "resume", "--json"]);
    snap("enrich-resume", &home, &resumed, &[]);
}

/// The timing side of a comparison: durations, and the figures and verdicts made from them.
const COMPARE_VARIES: [&str; 12] = [
    ".legacy.duration_ms",
    ".legacy.duration_ms_per_run",
    ".unified.duration_ms",
    ".unified.duration_ms_per_run",
    ".time_reduction_pct",
    ".noise_floor_pct",
    ".legacy_repeat_ms_per_run",
    ".time_difference_significant",
    ".criteria[1].actual",
    ".criteria[1].holds",
    ".criteria[1].detail",
    ".criteria_hold",
];

#[test]
fn contracts_compare() {
    let home = Home::new();
    let out = home.cmd(["compare", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let report = parse_json(&out);
    assert_eq!(report["criteria"][1]["name"], "time_reduced", "{report}");
    snap("compare", &home, &report, &COMPARE_VARIES);
}

/// The next step's time criterion is measured on this run's timings.
const NEXT_STEP_TIMING: [&str; 3] = [
    ".next.criteria[2].actual",
    ".next.criteria[2].holds",
    ".next.criteria[2].detail",
];

#[test]
fn contracts_migrate_scheduler() {
    let home = Home::new();
    let ms = |args: &[&str]| {
        let mut a = vec!["migrate-scheduler"];
        a.extend_from_slice(args);
        a.push("--json");
        home.json(a)
    };
    snap("migrate-scheduler-status", &home, &ms(&["status"]), &[]);
    snap("migrate-scheduler-crontab", &home, &ms(&["crontab"]), &[]);
    snap("migrate-scheduler-advance", &home, &ms(&["advance"]), &[]);
    let run = ms(&["run", "--no-notify"]);
    snap(
        "migrate-scheduler-run",
        &home,
        &run,
        &[".**.duration_ms", ".**.legacy_ms", ".**.unified_ms"],
    );
    let status = ms(&["status"]);
    assert_eq!(status["next"]["criteria"][2]["name"], "time_reduced");
    snap(
        "migrate-scheduler-status-parallel",
        &home,
        &status,
        &NEXT_STEP_TIMING,
    );
    snap("migrate-scheduler-rollback", &home, &ms(&["rollback"]), &[]);
    snap("migrate-scheduler-log", &home, &ms(&["log"]), &[]);
}

#[test]
fn contracts_notify() {
    let receiver = Receiver::start(vec![
        Route::bytes("/hook", 200, "ok"),
        Route::bytes("/down", 503, "unavailable"),
    ]);
    let home = Home::new();
    home.write_config(&format!(
        "{MARKET}\n[notify]\nmax_batch = 100\n\
         [notify.channels.hook]\nkind = \"webhook\"\nurl = \"{url}/hook\"\n\
         [notify.channels.down]\nkind = \"webhook\"\nurl = \"{url}/down\"\n",
        url = receiver.url()
    ));
    home.json(["scan", "--json", "--no-notify", "--tickers", TICKERS]);
    let redact = [".**.duration_ms", ".**.elapsed_ms"];
    let url = receiver.url();
    let at = [(url.as_str(), "[receiver]")];
    let queued = home.json(["notify", "status", "--json"]);
    snap_replacing("notify-status-queued", &home, &queued, &redact, &at);
    // One channel answers 503: the run is a partial success.
    let sent = json_exit(&home, &["notify", "--json"], 3);
    snap_replacing("notify", &home, &sent, &redact, &at);
    let status = home.json(["notify", "status", "--json"]);
    snap_replacing("notify-status", &home, &status, &redact, &at);
    let test = home.json(["notify", "test", "hook", "--json"]);
    snap_replacing("notify-test", &home, &test, &redact, &at);
    let retry = json_exit(
        &home,
        &["notify", "retry", "--json", "--channel", "down"],
        3,
    );
    snap_replacing("notify-retry", &home, &retry, &redact, &at);
}

/// A home with every kind of data `serve` reads: a scan and its export, a process-excel
/// run, an enrich run, a comparison and a scheduler tick.
fn full_home() -> Home {
    let (home, _) = scanned();
    home.json(["export", "--json"]);
    copy_workbooks(&home);
    home.json(["process-excel", "--json"]);
    home.json(["enrich", "run", "--json", "--symbols", "AAPL,SPY"]);
    home.json(["compare", "--json"]);
    home.json(["migrate-scheduler", "advance", "--json"]);
    home.json(["migrate-scheduler", "run", "--json", "--no-notify"]);
    home
}

/// `serve` answers by the wall clock: what it judges by "now" varies.
const SERVE_CLOCK_VARIES: [&str; 4] = [".**.now", ".**.local_time", ".**.as_of", ".**.since"];

#[test]
fn contracts_serve_routes() {
    let home = full_home();
    let server = Server::start(&home, &[]);
    let fetch = |path: &str| {
        let r = get(&server, path);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(
            r.header("content-type")
                .unwrap_or("")
                .starts_with("application/json"),
            "{path}"
        );
        r.json()
    };
    let name = |path: &str| {
        format!(
            "serve{}",
            path.replace(['/', '?', '=', '&'], "-")
                .trim_end_matches('-')
        )
    };
    let (one_row, rows) = (scan_rows(".scan"), scan_rows(".scans[]"));
    let (scan_row, scan_rows_list) = (strs(&one_row), strs(&rows));
    let excel_rows = excel_run_varies(".runs[]");
    let plain: [(&str, &[&str]); 9] = [
        ("/alerts/latest", &[]),
        ("/alerts", &[]),
        ("/alerts?ticker=AAPL&min_score=60&limit=2", &[]),
        ("/alerts/ticker/aapl", &[]),
        ("/scans/latest", &scan_row),
        ("/scans", &scan_rows_list),
        ("/tickers", &[]),
        ("/features/SPY/latest", &[]),
        ("/api/v1/stocks/processing-history", &[]),
    ];
    for (path, redact) in plain {
        let mut r = strs(&excel_rows);
        r.extend_from_slice(redact);
        snap(&name(path), &home, &fetch(path), &r);
    }

    let snapshot = fetch("/options/SPY/snapshot");
    snap(
        "serve-options-SPY-snapshot-trimmed",
        &home,
        &trim_at(&snapshot, "contracts"),
        &[],
    );
    let stocks = fetch("/api/v1/stocks?buildup=long_buildup");
    snap(
        "serve-api-v1-stocks-long_buildup-trimmed",
        &home,
        &trim_at(&stocks, "stocks"),
        &[],
    );

    // Judged by the wall clock: whether the market is open now and today's runs.
    let (last, processed) = (
        excel_run_varies(".last_run"),
        excel_run_varies(".last_processed"),
    );
    let mut r = strs(&last);
    r.extend(strs(&processed));
    r.extend_from_slice(&SERVE_CLOCK_VARIES);
    r.extend_from_slice(&[
        ".market.open",
        ".market.state",
        ".market.closes_at",
        ".market.closes_at_local",
        ".market.next_open",
        ".market.next_open_local",
        ".runs_today",
    ]);
    snap(
        "serve-api-v1-background-status",
        &home,
        &fetch("/api/v1/background/status"),
        &r,
    );

    // Enrichment: health and metrics are judged over the last 24 hours of the wall clock.
    let mut enrich: Vec<&str> = ENRICH_VARIES.to_vec();
    enrich.extend_from_slice(&SERVE_CLOCK_VARIES);
    // compare and the scheduler tick share the limiter: how often they waited varies.
    enrich.push(".**.limiters[].waits");
    let mut judged = enrich.clone();
    judged.extend_from_slice(&[
        ".**.health.status",
        ".**.health.issues",
        ".**.health.failure_rate_24h",
        ".**.metrics",
    ]);
    snap(
        "serve-api-v1-enrichment-dashboard-overview",
        &home,
        &fetch("/api/v1/enrichment/dashboard/overview"),
        &judged,
    );
    let health = fetch("/api/v1/enrichment/dashboard/health");
    let mut h = enrich.clone();
    h.extend_from_slice(&[".status", ".issues", ".failure_rate_24h"]);
    snap(
        "serve-api-v1-enrichment-dashboard-health",
        &home,
        &health,
        &h,
    );
    let metrics = fetch("/api/v1/enrichment/dashboard/metrics");
    // Every count is over the wall clock's last 24 hours: only the shape is stable.
    snap(
        "serve-api-v1-enrichment-dashboard-metrics-keys",
        &home,
        &keys_of(&metrics),
        &[],
    );
    snap(
        "serve-api-v1-enrichment-dashboard-job-status-SPY",
        &home,
        &fetch("/api/v1/enrichment/dashboard/job-status/spy"),
        &enrich,
    );
    snap(
        "serve-api-v1-enrichment-history",
        &home,
        &fetch("/api/v1/enrichment/history"),
        &enrich,
    );

    let sched_varies = [
        ".**.legacy_ms",
        ".**.unified_ms",
        ".**.noise_floor_pct",
        ".**.duration_ms",
    ];
    let status = fetch("/api/scheduler/status");
    assert_eq!(status["next"]["criteria"][2]["name"], "time_reduced");
    snap(
        "serve-api-scheduler-status",
        &home,
        &status,
        &NEXT_STEP_TIMING,
    );
    snap(
        "serve-api-scheduler-stats-comparison",
        &home,
        &fetch("/api/scheduler/stats/comparison"),
        &sched_varies,
    );
    let mut cache = SERVE_CLOCK_VARIES.to_vec();
    // Valid entries and the last 24 hours are judged by the wall clock.
    cache.extend_from_slice(&[".valid", ".by_timeframe.*.valid", ".last_24h"]);
    snap(
        "serve-api-scheduler-cache-stats",
        &home,
        &fetch("/api/scheduler/cache/stats"),
        &cache,
    );

    // The server's clock (--as-of and the time since it started) judges the last 24
    // hours and the session.
    let mut est = SERVE_CLOCK_VARIES.to_vec();
    est.extend_from_slice(&[".**.last_tick"]);
    snap(
        "serve-api-scheduler-api-calls-estimate",
        &home,
        &fetch("/api/scheduler/api-calls/estimate"),
        &est,
    );
    snap(
        "serve-api-dashboard-scheduler-metrics",
        &home,
        &fetch("/api/dashboard/scheduler-metrics"),
        &est,
    );
    let mut mon = SERVE_CLOCK_VARIES.to_vec();
    mon.extend_from_slice(&[".workbooks.last_processed", ".workbooks.age_seconds"]);
    snap(
        "serve-monitoring-health",
        &home,
        &fetch("/monitoring/health"),
        &mon,
    );

    // The store is checked in the background once the server starts: wait for it, so
    // the snapshot shows the check's shape, not whether it has finished yet.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let health = loop {
        let h = fetch("/health");
        if !h["store"]["check"]["checked_at"].is_null() || std::time::Instant::now() > until {
            break h;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    snap("serve-health-keys", &home, &keys_of(&health), &[]);

    // Errors: one JSON shape for every refusal.
    for (path, status) in [
        ("/nope", 404),
        ("/alerts?limit=0", 400),
        ("/features/ZZZZ/latest", 404),
    ] {
        let r = get(&server, path);
        assert_eq!(r.status, status, "{path}");
        snap(&format!("{}-error", name(path)), &home, &r.json(), &[]);
    }
}

/// The shape of a document whose values are all judged by the wall clock: every key
/// (recursively), every array as its first element's shape.
fn keys_of(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), keys_of(v))).collect())
        }
        Value::Array(items) => Value::Array(items.first().map(keys_of).into_iter().collect()),
        // A figure over an empty window is null: both are numbers here.
        Value::Null | Value::Number(_) => json!("number|null"),
        Value::Bool(_) => json!("bool"),
        Value::String(_) => json!("string"),
    }
}

#[test]
fn contracts_doctor() {
    let (home, _) = scanned();
    let mut report = home.json(["doctor", "--json", "--offline"]);
    // Free space and whether serve's port is taken depend on the machine.
    for c in report["checks"].as_array_mut().unwrap() {
        if c["name"] == "disk" || c["name"] == "serve port" {
            for k in ["status", "detail", "fix"] {
                c[k] = json!(VARIES);
            }
        }
    }
    snap_backend("doctor", &home, &report, &[]);
}

/// The control routes' answers, and a data route before the first export.
#[test]
fn contracts_control_routes() {
    let home = Home::new();
    home.write_config("[serve]\ncontrol_token = \"c0ntrol\"\n");
    let server = Server::start(&home, &[]);
    snap(
        "serve-alerts-latest-before-export",
        &home,
        &get(&server, "/alerts/latest").json(),
        &[],
    );
    let agent = crate::serve::agent();
    let call = |method: &str, path: &str, body: &str| {
        let url = server.url(path);
        let mut resp = match method {
            "PUT" => agent
                .put(&url)
                .header("Authorization", "Bearer c0ntrol")
                .send(body),
            _ => agent
                .post(&url)
                .header("Authorization", "Bearer c0ntrol")
                .send(body),
        }
        .unwrap();
        let v: Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
        v
    };
    let clock = [".**.changed_at", ".**.now"];
    snap(
        "serve-control-enrichment-pause",
        &home,
        &call(
            "POST",
            "/api/v1/enrichment/pause",
            r#"{"reason": "maintenance"}"#,
        ),
        &clock,
    );
    snap(
        "serve-control-background-interval",
        &home,
        &call("PUT", "/api/v1/background/interval/12", ""),
        &clock,
    );
    snap(
        "serve-control-bad-body-error",
        &home,
        &call("POST", "/api/v1/background/stop", r#"{"force": true}"#),
        &[],
    );
}
