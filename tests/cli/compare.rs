//! `optctl compare`: both schedulers on the same data, the stored comparison, the
//! persisted cache across processes, `--check` exit codes.

use predicates::str::contains;
use serde_json::Value;

use crate::harness::{Home, describe, parse_json};

/// 11:30 IST (06:00 UTC) on Monday: two hours and a quarter of the NSE session the
/// default categories' names trade have gone by, so there are setups.
pub const T0: &str = "2026-11-23T06:00:00Z";

/// Overlapping categories: day_trading {TCS, INFY, SBIN} and short_selling {INFY, SBIN,
/// HINDALCO} read 5m and daily bars, short_term {TCS, HINDALCO} daily bars. Legacy makes
/// 3*2 + 3*2 + 2 = 14 calls; the unified scheduler needs 4 distinct 5m series and 4
/// distinct daily ones. 40 ms per call makes the timing difference real.
pub const SMALL: &str = r#"
[provider.sim]
latency_ms = 40

[scheduler.categories.day_trading]
symbols = ["TCS", "INFY", "SBIN"]

[scheduler.categories.short_selling]
symbols = ["INFY", "SBIN", "HINDALCO"]

[scheduler.categories.short_term]
symbols = ["TCS", "HINDALCO"]
"#;

/// SMALL without latency, where every call for HINDALCO fails (no retries).
pub fn hindalco_fails() -> Home {
    let home = Home::new();
    home.write_config(&format!(
        "{}\n[resilience.retry]\nmax_attempts = 1\n",
        SMALL.replace(
            "latency_ms = 40",
            "latency_ms = 0\nfail_tickers = [\"HINDALCO\"]"
        )
    ));
    home
}

pub fn small_home() -> Home {
    let home = Home::new();
    home.write_config(SMALL);
    home
}

fn compare(home: &Home, at: &str, extra: &[&str]) -> Value {
    let mut args = vec!["compare", "--json", "--as-of", at];
    args.extend_from_slice(extra);
    home.json(args)
}

#[test]
fn both_schedulers_find_the_same_signals_with_fewer_calls() {
    let home = small_home();
    let r = compare(&home, T0, &[]);
    let p = &r["parity"];
    assert!(r["legacy"]["signals"].as_u64().unwrap() > 0, "{r:#}");
    assert_eq!(p["legacy_signals"], p["unified_signals"]);
    assert_eq!(p["matching"], p["legacy_signals"]);
    assert_eq!(
        (p["only_legacy"].as_u64(), p["only_unified"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(p["match_pct"], 100.0);
    assert_eq!(p["differences"].as_array().unwrap().len(), 0);
    // The result is the control's: legacy's signals.
    assert_eq!(
        r["signals"].as_array().unwrap().len() as u64,
        r["legacy"]["signals"].as_u64().unwrap()
    );
    assert_eq!(r["legacy"]["provider_calls"], 14.0);
    assert_eq!(r["unified"]["provider_calls"], 8.0);
    assert_eq!(r["lookups"], 14);
    assert_eq!(r["cache_hits"], 6);
    assert_eq!(r["cache_warm"], false);
    let reduction = r["call_reduction_pct"].as_f64().unwrap();
    assert!((reduction - 100.0 * 6.0 / 14.0).abs() < 1e-9, "{reduction}");
    // 14 sequential calls of 40 ms against 8 concurrent ones.
    assert!(r["time_reduction_pct"].as_f64().unwrap() > 50.0, "{r:#}");
    assert!(r["noise_floor_pct"].as_f64().is_some());
    // The projection: 75 ticks of the default NSE session at 5 minutes.
    let d = &r["projected"];
    assert_eq!(d["ticks"], 75);
    assert_eq!(d["legacy_calls"], 14 * 75);
    assert!(d["unified_calls"].as_u64().unwrap() < 8 * 75);
    // Stored, with the series fetched.
    let id = r["comparison_id"].as_i64().unwrap();
    assert_eq!(
        home.count(&format!(
            "SELECT count(*) FROM scheduler_comparisons WHERE id = {id} AND source = 'compare'"
        )),
        1
    );
    assert_eq!(home.count("SELECT count(*) FROM scheduler_bar_cache"), 8);
}

#[test]
fn the_order_alternates_and_runs_report_medians() {
    let home = small_home();
    let r = compare(&home, T0, &["--runs", "3", "--categories", "short_term"]);
    assert_eq!(r["runs"], 3);
    assert_eq!(
        r["first"],
        serde_json::json!(["legacy", "unified", "legacy"])
    );
    assert_eq!(r["categories"], serde_json::json!(["short_term"]));
    for side in ["legacy", "unified"] {
        let times: Vec<f64> = r[side]["duration_ms_per_run"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(
            r[side]["duration_ms"].as_f64().unwrap(),
            sorted[1],
            "{side}: {times:?}"
        );
    }
    // Every unified run starts from the same (empty) stored cache.
    assert_eq!(r["unified"]["calls_per_run"], serde_json::json!([2, 2, 2]));
    assert_eq!(r["legacy_repeat_ms_per_run"].as_array().unwrap().len(), 3);
    assert_eq!(r["legacy"]["provider_calls"], 2.0);
}

#[test]
fn the_cache_persists_across_processes_until_its_ttl_or_the_next_close() {
    let home = small_home();
    compare(&home, T0, &[]);
    // Five minutes later, another process: the daily series (8 lookups) come from the
    // store; a new 5m bar can have closed, so the 4 5m series are fetched again.
    let r = compare(&home, "2026-11-23T06:05:00Z", &[]);
    assert_eq!(r["cache_warm"], true);
    assert_eq!(r["cache_stored_series"], 4);
    assert_eq!(r["unified"]["provider_calls"], 4.0);
    assert_eq!(r["cache_hits"], 10);
    assert_eq!(
        r["parity"]["match_pct"], 100.0,
        "a hit serves what a fresh call would"
    );
    // At 06:30 a daily bar can have closed (half hours): everything is fetched.
    let r = compare(&home, "2026-11-23T06:30:00Z", &[]);
    assert_eq!(r["unified"]["provider_calls"], 8.0);
    // A TTL shorter than the grid expires entries first.
    home.write_config(&format!("{SMALL}\n[scheduler]\ncache_ttl_minutes = 10\n"));
    let r = compare(&home, "2026-11-23T06:31:00Z", &[]);
    assert_eq!(
        r["unified"]["provider_calls"], 0.0,
        "everything from 06:30 still serves"
    );
    let r = compare(&home, "2026-11-23T06:39:00Z", &[]);
    assert_eq!(
        r["unified"]["provider_calls"], 4.0,
        "daily still within 10 minutes"
    );
    let r = compare(&home, "2026-11-23T06:42:00Z", &[]);
    assert_eq!(
        r["unified"]["provider_calls"], 8.0,
        "daily expired by the TTL"
    );
}

#[test]
fn check_exit_codes() {
    let home = small_home();
    // Calls and hit rate are judged on the projected day; time, parity, errors as measured.
    let out = home
        .cmd(["compare", "--check", "--as-of", T0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    for row in [
        "signals",
        "provider calls",
        "time",
        "cache hit rate",
        "failed calls",
        "calls per day",
    ] {
        assert!(table.contains(row), "{row} missing: {table}");
    }
    home.write_config(&format!(
        "{SMALL}\n[scheduler.criteria]\nmin_call_reduction_pct = 99.0\n"
    ));
    home.cmd(["compare", "--check", "--as-of", T0])
        .assert()
        .code(1)
        .stderr(contains("success criteria do not hold"))
        .stderr(contains("provider calls reduced"))
        .stderr(contains("needs >= 99%"));
    // Without --check the same comparison is not a failure.
    home.cmd(["compare", "--as-of", T0]).assert().code(0);
}

#[test]
fn failed_symbols_are_a_partial_comparison() {
    let home = hindalco_fails();
    let out = home
        .cmd(["compare", "--json", "--as-of", T0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let r = parse_json(&out);
    // HINDALCO is in short_selling and short_term.
    assert_eq!(r["legacy"]["symbols_failed"], 2);
    assert_eq!(r["unified"]["symbols_failed"], 2);
    assert_eq!(r["parity"]["match_pct"], 100.0);
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .all(|e| e["symbol"] == "HINDALCO" && e["retryable"] == true)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("HINDALCO"));
}

#[test]
fn bad_categories_and_config_are_usage_errors() {
    let home = small_home();
    home.cmd(["compare", "--categories", "swing"])
        .assert()
        .code(2)
        .stderr(contains(
            "expected day_trading, short_selling or short_term",
        ));
    home.cmd(["compare", "--runs", "0"]).assert().code(2);
    home.write_config("[scheduler]\ncadence_minutes = 7\n");
    home.cmd(["compare"])
        .assert()
        .code(2)
        .stderr(contains("scheduler.cadence_minutes"));
    home.write_config("[scheduler]\ncutover_order = [\"day_trading\"]\n");
    home.cmd(["compare"])
        .assert()
        .code(2)
        .stderr(contains("cutover_order"));
}

/// The signals' bar times of a compare report, each checked to fall inside Wednesday
/// 2026-11-25's NSE session (09:15-15:30 IST = 03:45-10:00 UTC) before `until`.
fn assert_in_wednesdays_ist_session(r: &Value, until: &str) -> usize {
    let signals = r["signals"].as_array().unwrap();
    for s in signals {
        let t = s["bar_time"].as_str().unwrap();
        assert!(
            ("2026-11-25T03:45:00Z"..until).contains(&t),
            "a signal outside the IST session: {s}"
        );
    }
    signals.len()
}

#[test]
fn an_ist_tick_on_the_simulator_reads_nse_sessions() {
    // 06:00 UTC is 11:30 IST on Wednesday, after Tuesday's holiday (Guru Nanak Jayanti):
    // the default day_trading names are NSE's, so the latest session is Wednesday's
    // morning, not New York's Tuesday.
    let home = Home::new();
    let r = compare(
        &home,
        "2026-11-25T06:00:00Z",
        &["--categories", "day_trading"],
    );
    let n = assert_in_wednesdays_ist_session(&r, "2026-11-25T06:00:00Z");
    assert!(n > 0, "{r:#}");
    let p = &r["parity"];
    assert_eq!(p["matching"], p["legacy_signals"]);
    assert_eq!(p["match_pct"], 100.0);
    // The projected day is NSE's: 75 five-minute ticks from 09:15 to 15:25 IST.
    assert_eq!(r["projected"]["ticks"], 75);
}

/// One chart row: IST date and time `YYYY-MM-DD HH:MM`, open, high, low, close, volume.
type Row<'a> = (&'a str, f64, f64, f64, f64, u64);

/// A Yahoo v8 chart answer for an NSE listing (the shape of
/// fixtures/providers/yahoo/chart-RELIANCE.NS-5m.json) with `rows` of (IST date and
/// time, open, high, low, close, volume).
fn ns_chart(symbol: &str, granularity: &str, rows: &[Row]) -> Vec<u8> {
    let ts: Vec<i64> = rows
        .iter()
        .map(|r| {
            chrono::NaiveDateTime::parse_from_str(r.0, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_utc()
                .timestamp()
                - 19800
        })
        .collect();
    let col = |f: &dyn Fn(&Row) -> Value| -> Vec<Value> { rows.iter().map(f).collect() };
    serde_json::to_vec(&serde_json::json!({"chart": {"result": [{
        "meta": {"currency": "INR", "symbol": symbol, "exchangeName": "NSI",
                 "fullExchangeName": "NSE", "instrumentType": "EQUITY", "gmtoffset": 19800,
                 "timezone": "IST", "exchangeTimezoneName": "Asia/Kolkata",
                 "dataGranularity": granularity, "range": ""},
        "timestamp": ts,
        "indicators": {"quote": [{
            "open": col(&|r| r.1.into()), "high": col(&|r| r.2.into()),
            "low": col(&|r| r.3.into()), "close": col(&|r| r.4.into()),
            "volume": col(&|r| r.5.into())}]}}], "error": null}}))
    .unwrap()
}

#[test]
fn yahoo_ns_bars_compare_in_ist_sessions_with_parity() {
    use crate::harness::day_trading;
    use crate::harness::servers::{Route, Server};
    // The shared scenario; Yahoo stamps a daily bar at the 09:15 open, not midnight.
    let text =
        |bars: Vec<day_trading::Bar>, shift: i64| -> Vec<(String, f64, f64, f64, f64, u64)> {
            bars.into_iter()
                .map(|b| {
                    let t = b.0 + chrono::TimeDelta::minutes(shift);
                    (
                        t.format("%Y-%m-%d %H:%M").to_string(),
                        b.1,
                        b.2,
                        b.3,
                        b.4,
                        b.5,
                    )
                })
                .collect()
        };
    let (daily, five) = (
        text(day_trading::daily(), 9 * 60 + 15),
        text(day_trading::five_minutes(), 0),
    );
    let daily: Vec<Row> = daily
        .iter()
        .map(|r| (r.0.as_str(), r.1, r.2, r.3, r.4, r.5))
        .collect();
    let five: Vec<Row> = five
        .iter()
        .map(|r| (r.0.as_str(), r.1, r.2, r.3, r.4, r.5))
        .collect();
    let path = "/v8/finance/chart/RELIANCE.NS";
    let server = Server::start(vec![
        Route::bytes("/", 404, "").header("Set-Cookie", "A3=d=AQAB; Path=/"),
        Route::bytes("/v1/test/getcrumb", 200, "crumb42").header("Content-Type", "text/plain"),
        Route::bytes(path, 200, ns_chart("RELIANCE.NS", "5m", &five))
            .header("Content-Type", "application/json")
            .when_query("interval=5m"),
        Route::bytes(path, 200, ns_chart("RELIANCE.NS", "1d", &daily))
            .header("Content-Type", "application/json")
            .when_query("interval=1d"),
    ]);
    let home = Home::new();
    home.write_config(&format!(
        "[provider.yahoo]\nbase_url = \"{0}\"\ncookie_url = \"{0}\"\n\
         [scheduler]\nprovider = \"yahoo\"\n\
         [scheduler.categories.day_trading]\nsymbols = [\"RELIANCE\"]\n",
        server.url()
    ));
    let r = compare(&home, day_trading::AS_OF, &["--categories", "day_trading"]);
    // The scheduler's market (nse) maps RELIANCE to Yahoo's RELIANCE.NS.
    let charts: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.path().starts_with("/v8/"))
        .map(|s| s.path().to_string())
        .collect();
    assert!(
        !charts.is_empty() && charts.iter().all(|p| p == path),
        "{charts:?}"
    );
    day_trading::assert_ist_signals_with_parity(&r, "yahoo");
}
