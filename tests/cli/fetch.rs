//! `optctl fetch`: chains and bars from the HTTP sources (served from 127.0.0.1), saved raw
//! with `--save`, and replayed by the `files` provider with the server gone.

use predicates::str::contains;
use serde_json::Value;

use crate::harness::servers::{Route, Server, fixture_bytes};
use crate::harness::{Home, describe, parse_json};

const POLYGON_KEY: &str = "pk_test_9f8e7d6c5b4a";

/// `optctl fetch --json ARGS` (split on white space), which must succeed.
fn fetch(home: &Home, args: &str) -> Value {
    let out = home
        .cmd(
            ["fetch", "--json"]
                .into_iter()
                .chain(args.split_whitespace()),
        )
        .env("OPTCTL_POLYGON_API_KEY", POLYGON_KEY)
        .env("OPTCTL_TRADIER_TOKEN", "tr_test_token")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    parse_json(&out)
}

fn sources_config(server: &Server) -> String {
    let u = server.url();
    format!(
        "[provider.yahoo]\nbase_url = \"{u}\"\ncookie_url = \"{u}\"\n\
         [provider.polygon]\nbase_url = \"{u}\"\n[provider.tradier]\nbase_url = \"{u}\"\n"
    )
}

#[test]
fn nse_symbols_fetch_yahoo_ns_bars_in_ist_sessions_under_optctls_symbol() {
    let server = Server::start(vec![
        Route::bytes("/", 404, "")
            .header("Content-Type", "text/plain")
            .header("Set-Cookie", "A3=d=AQAB; Path=/"),
        Route::bytes("/v1/test/getcrumb", 200, "crumb42").header("Content-Type", "text/plain"),
        Route::fixture(
            "/v8/finance/chart/RELIANCE.NS",
            "yahoo/chart-RELIANCE.NS-5m.json",
        ),
        Route::fixture(
            "/v8/finance/chart/TATAMOTORS.BO",
            "yahoo/chart-RELIANCE.NS-5m.json",
        ),
    ]);
    let home = Home::new();
    let u = server.url();
    home.write_config(&format!(
        "[provider.yahoo]\nbase_url = \"{u}\"\ncookie_url = \"{u}\"\nmarket = \"nse\"\n\
         [provider.yahoo.tickers]\nTATAMOTORS = \"TATAMOTORS.BO\"\n"
    ));
    let r = fetch(
        &home,
        "--provider yahoo --ticker reliance --bars 5m --from 2026-11-23 --to 2026-11-26",
    );
    let chart = &server.seen()[2];
    assert!(
        chart.path().ends_with("/v8/finance/chart/RELIANCE.NS"),
        "{}",
        chart.target
    );
    assert!(chart.target.contains("interval=5m"), "{}", chart.target);
    // 12 rows: the forming candle, the 15:30 closing print and the holiday row go.
    assert_eq!(r["bars"]["count"], 9);
    assert_eq!(r["ticker"], "RELIANCE");
    assert_eq!(r["bars"]["first"]["time"], "2026-11-23T03:45:00Z");
    assert_eq!(r["bars"]["last"]["time"], "2026-11-25T03:45:00Z");
    // A per-symbol override wins over the market.
    fetch(
        &home,
        "--provider yahoo --ticker TATAMOTORS --bars 5m --from 2026-11-23 --to 2026-11-26",
    );
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.path().ends_with("/v8/finance/chart/TATAMOTORS.BO")),
        "{:?}",
        server
            .seen()
            .iter()
            .map(|s| s.target.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn yahoo_daily_bars_are_fetched_saved_and_replayed_offline() {
    let server = Server::start(vec![
        Route::bytes("/", 404, "")
            .header("Content-Type", "text/plain")
            .header("Set-Cookie", "A3=d=AQAB; Path=/"),
        Route::bytes("/v1/test/getcrumb", 200, "crumb42").header("Content-Type", "text/plain"),
        Route::fixture("/v8/finance/chart/AAPL", "yahoo/chart-AAPL-1d.json"),
    ]);
    let home = Home::new();
    home.write_config(&sources_config(&server));
    let dir = home.root().join("captures");
    let d = dir.to_str().unwrap();
    let r = fetch(
        &home,
        &format!(
            "--provider yahoo --ticker aapl --bars 1d --from 2026-11-16 --to 2026-11-21 --save {d}"
        ),
    );
    assert_eq!(r["kind"], "bars");
    assert_eq!(r["requests"], 3);
    // Five timestamps, the last still forming (nulls): four bars.
    assert_eq!(r["bars"]["count"], 4);
    assert_eq!(r["bars"]["first"]["time"], "2026-11-16T14:30:00Z");
    assert_eq!(r["bars"]["first"]["open"], 170.05999755859375);
    assert_eq!(r["bars"]["last"]["close"], 172.4499969482422);
    let chart = &server.seen()[2];
    assert!(chart.target.contains("interval=1d"), "{}", chart.target);
    assert!(
        chart.target.contains("period1=1794787200"),
        "{}",
        chart.target
    );

    // The capture: a sidecar naming provider, kind, ticker, time, and the bytes as received.
    let folder = std::path::PathBuf::from(r["saved"].as_str().unwrap());
    assert!(folder.starts_with(dir.join("AAPL")), "{}", folder.display());
    let sidecar: Value =
        serde_json::from_slice(&std::fs::read(folder.join("capture.json")).unwrap()).unwrap();
    assert_eq!(sidecar["format"], "optctl-capture/1");
    assert_eq!(sidecar["provider"], "yahoo");
    assert_eq!(sidecar["kind"], "bars");
    assert_eq!(sidecar["ticker"], "AAPL");
    assert_eq!(sidecar["timeframe"], "1d");
    let files: Vec<&str> = sidecar["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["01-session.txt", "02-crumb.txt", "03-chart.json"]);
    assert_eq!(
        std::fs::read(folder.join("03-chart.json")).unwrap(),
        fixture_bytes("yahoo/chart-AAPL-1d.json")
    );

    // Replayed with the server gone, through the same parser, clipped to the new range.
    drop(server);
    let again = fetch(
        &home,
        &format!(
            "--provider files --files-dir {d} --ticker AAPL --bars 1d --from 2026-11-17 --to 2026-11-21"
        ),
    );
    assert_eq!(again["bars"]["count"], 3);
    assert_eq!(again["bars"]["first"]["time"], "2026-11-17T14:30:00Z");
    assert_eq!(again["bars"]["last"], r["bars"]["last"]);
    assert_eq!(again["requests"], 0);
    // No capture of other bars: unknown.
    let args = format!("fetch --provider files --files-dir {d} --ticker AAPL --bars 5m");
    home.cmd(args.split_whitespace())
        .assert()
        .code(1)
        .stderr(contains("files: unknown symbol AAPL"));
}

#[test]
fn a_polygon_chain_is_saved_without_the_key_and_scanned_from_the_capture() {
    let snap = "/v3/snapshot/options/AAPL";
    let server = Server::start(vec![
        Route::fixture(snap, "polygon/snapshot-AAPL-2.json").when_query("cursor="),
        Route::fixture(snap, "polygon/snapshot-AAPL-1.json"),
    ]);
    let home = Home::new();
    home.write_config(&sources_config(&server));
    let dir = home.root().join("captures");
    let d = dir.to_str().unwrap();
    let r = fetch(
        &home,
        &format!("--provider polygon --ticker AAPL --save {d}"),
    );
    assert_eq!(r["kind"], "chain");
    assert_eq!(r["requests"], 2);
    assert_eq!(r["chain"]["contracts"], 24);
    assert_eq!(r["chain"]["spot"], 172.5);
    assert_eq!(
        r["chain"]["expirations"],
        serde_json::json!(["2026-12-18", "2027-01-15"])
    );
    assert_eq!(r["pace"]["requests"], 5);
    assert_eq!(r["pace"]["per"], 60);
    let folder = std::path::PathBuf::from(r["saved"].as_str().unwrap());
    for entry in std::fs::read_dir(&folder).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(POLYGON_KEY),
            "a saved file holds the key"
        );
    }
    let sidecar = std::fs::read_to_string(folder.join("capture.json")).unwrap();
    assert!(sidecar.contains("\"api_key\": \"[redacted]\""), "{sidecar}");
    drop(server);

    // A scan replays the capture with no network and no key.
    let out = home
        .cmd([
            "scan",
            "--json",
            "--provider",
            "files",
            "--files-dir",
            d,
            "--tickers",
            "AAPL",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let scan = parse_json(&out);
    assert_eq!(scan["provider"], "files");
    assert_eq!(scan["contracts"], 24);
    assert_eq!(scan["alerts_by_detector"]["unusual_activity"], 1);
}

#[test]
fn tradier_and_polygon_bars_through_fetch() {
    let server = Server::start(vec![
        Route::fixture("/v1/markets/history", "tradier/history-AAPL.json"),
        Route::fixture("/v1/markets/timesales", "tradier/timesales-AAPL-15min.json"),
        Route::fixture(
            "/v2/aggs/ticker/AAPL/range/1/day/1794873600000/1795219200000",
            "polygon/aggs-AAPL-1d.json",
        ),
    ]);
    let home = Home::new();
    home.write_config(&sources_config(&server));
    let daily = fetch(
        &home,
        "--provider tradier --ticker AAPL --bars 1d --from 2026-11-17 --to 2026-11-21",
    );
    assert_eq!(daily["bars"]["count"], 4);
    assert_eq!(daily["bars"]["first"]["time"], "2026-11-17T14:30:00Z");
    let seen = server.seen();
    assert!(
        seen[0]
            .target
            .contains("interval=daily&start=2026-11-16&end=2026-11-20"),
        "{}",
        seen[0].target
    );

    // Six 15-minute bars from 09:30: one session hour and the start of the next.
    let hourly = fetch(
        &home,
        "--provider tradier --ticker AAPL --bars 1h --from 2026-11-20T14:30:00Z --to 2026-11-20T21:00:00Z",
    );
    assert_eq!(hourly["bars"]["count"], 2);
    assert_eq!(hourly["bars"]["first"]["time"], "2026-11-20T14:30:00Z");
    assert_eq!(
        hourly["bars"]["first"]["volume"],
        100000 + 101000 + 102000 + 103000
    );
    assert_eq!(hourly["bars"]["last"]["time"], "2026-11-20T15:30:00Z");
    assert!(server.seen()[1].target.contains("interval=15min"));

    let aggs = fetch(
        &home,
        "--provider polygon --ticker AAPL --bars 1d --from 2026-11-18 --to 2026-11-21",
    );
    assert_eq!(aggs["bars"]["count"], 3);
    assert_eq!(aggs["bars"]["first"]["time"], "2026-11-18T14:30:00Z");
    assert_eq!(aggs["bars"]["first"]["volume"], 95595226);
}

#[test]
fn fetch_refuses_what_cannot_work() {
    let home = Home::new();
    let run = |args: &str| home.cmd(args.split_whitespace()).assert();
    run("fetch --provider sim --ticker AAPL --save x")
        .code(2)
        .stderr(contains("provider sim sends none"));
    run("fetch --provider cboe --ticker AAPL --bars 1d")
        .code(2)
        .stderr(contains("provider \"cboe\" has no bars"));
    // --from belongs to --bars.
    run("fetch --ticker AAPL --from 2026-11-01").code(2);
    // Without --save the simulator answers too: a quick look at a chain.
    let r = home.json(["fetch", "--json", "--provider", "sim", "--ticker", "AAPL"]);
    assert!(r["chain"]["contracts"].as_u64().unwrap() > 100);
    assert_eq!(r["saved"], Value::Null);
}

/// `fetch` spends the same persisted quota as scan and enrich: with a quota of one
/// request an hour for the source, a second fetch (another process) is refused as rate
/// limited and never reaches the server.
#[test]
fn fetch_is_paced_by_the_shared_limiter() {
    let server = Server::start(vec![Route::fixture(
        "/v1/markets/history",
        "tradier/history-AAPL.json",
    )]);
    let home = Home::new();
    home.write_config(&format!(
        "{}[resilience.providers.tradier.limiter]\ncalls = 1\nper_seconds = 3600\nburst = 1\nmax_wait_ms = 1\n",
        sources_config(&server)
    ));
    let args = "--provider tradier --ticker AAPL --bars 1d --from 2026-11-17 --to 2026-11-21";
    assert_eq!(fetch(&home, args)["bars"]["count"], 4);
    home.cmd(["fetch"].into_iter().chain(args.split_whitespace()))
        .env("OPTCTL_TRADIER_TOKEN", "tr_test_token")
        .assert()
        .code(1)
        .stderr(contains("rate limited"));
    assert_eq!(server.seen().len(), 1, "the refused fetch sent a request");
}

#[test]
fn yahoo_minute_bars_come_seven_days_a_request_and_not_from_beyond_thirty_days() {
    let server = Server::start(vec![
        Route::bytes("/", 404, "")
            .header("Content-Type", "text/plain")
            .header("Set-Cookie", "A3=d=AQAB; Path=/"),
        Route::bytes("/v1/test/getcrumb", 200, "crumb42").header("Content-Type", "text/plain"),
        Route::fixture(
            "/v8/finance/chart/RELIANCE.NS",
            "yahoo/chart-RELIANCE.NS-5m.json",
        ),
    ]);
    let home = Home::new();
    let u = server.url();
    home.write_config(&format!(
        "[provider.yahoo]\nbase_url = \"{u}\"\ncookie_url = \"{u}\"\nmarket = \"nse\"\n"
    ));
    // Yahoo counts its 30 days from today, so the ranges are too.
    let day = |back: i64| {
        (chrono::Utc::now() - chrono::TimeDelta::days(back))
            .format("%Y-%m-%d")
            .to_string()
    };
    fetch(
        &home,
        &format!(
            "--provider yahoo --ticker RELIANCE --bars 1m --from {} --to {}",
            day(12),
            day(2)
        ),
    );
    let charts: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.path().starts_with("/v8/finance/chart/"))
        .map(|s| s.target.clone())
        .collect();
    // Ten days: 7 + 3, end to end.
    assert_eq!(charts.len(), 2, "{charts:?}");
    assert!(
        charts.iter().all(|t| t.contains("interval=1m")),
        "{charts:?}"
    );
    let param = |t: &str, key: &str| -> i64 {
        let at = t.find(&format!("{key}=")).unwrap() + key.len() + 1;
        t[at..].split('&').next().unwrap().parse().unwrap()
    };
    assert_eq!(
        param(&charts[0], "period2") - param(&charts[0], "period1"),
        7 * 86_400
    );
    assert_eq!(param(&charts[0], "period2"), param(&charts[1], "period1"));
    assert_eq!(
        param(&charts[1], "period2") - param(&charts[0], "period1"),
        10 * 86_400
    );

    // Wholly older than 30 days: a clear error before any request, exit 2, nothing kept.
    let save = home.root().join("captures");
    let out = home
        .cmd([
            "fetch",
            "--provider",
            "yahoo",
            "--ticker",
            "RELIANCE",
            "--bars",
            "1m",
            "--from",
            &day(60),
            "--to",
            &day(40),
            "--save",
            save.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("yahoo: no 1m bars of RELIANCE before")
            && err.contains("Yahoo keeps 1-minute bars for the last 30 days"),
        "{err}"
    );
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|s| s.path().starts_with("/v8/finance/chart/"))
            .count(),
        2,
        "no request for the old range"
    );
    assert!(!save.exists(), "no capture of a refused range");
}
