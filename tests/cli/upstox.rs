//! The Upstox source against its documented answers served from 127.0.0.1: the daily
//! instrument list (symbols to keys, expiries, lot sizes) downloaded once and cached in
//! the data home, bars under optctl's symbol in NSE sessions, a chain for `scan` with
//! Upstox's own IV, an expired token (exit 2, nothing stored), and a 429 honoured.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::servers::{Route, Server};
use crate::harness::{Home, day_trading, describe, parse_json};

const TOKEN: &str = "up_test_eyJ0eXAiOiJKV1Qi";
const INSTRUMENTS: &str = "/market-quote/instruments/exchange/complete.json.gz";
const EXPIRED: &str = r#"{"status":"error","errors":[{"errorCode":"UDAPI100050","message":"Invalid token used to access API","propertyPath":null,"invalidValue":null,"error_code":"UDAPI100050","property_path":null,"invalid_value":null}]}"#;

fn config(server: &Server) -> String {
    let u = server.url();
    format!(
        "[provider]\nname = \"upstox\"\n[provider.upstox]\nbase_url = \"{u}\"\nassets_url = \"{u}\"\nmax_expirations = 1\n"
    )
}

fn instruments() -> Route {
    Route::fixture(INSTRUMENTS, "upstox/complete.json").header("Content-Type", "application/gzip")
}

/// `optctl ARGS --json` (split on white space) with the token set: its exit code and JSON.
fn run(home: &Home, args: &str, code: i32) -> (Value, String) {
    let out = home
        .cmd(args.split_whitespace().chain(["--json"]))
        .env("OPTCTL_UPSTOX_ACCESS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = if code == 0 {
        parse_json(&out)
    } else {
        Value::Null
    };
    (json, stderr)
}

#[test]
fn upstox_bars_come_under_optctls_symbol_in_ist_sessions_with_instruments_cached_once() {
    let server = Server::start(vec![
        instruments(),
        Route::fixture(
            "/v2/historical-candle/NSE_EQ%7CINE002A01018/day/2026-11-27/2026-11-20",
            "upstox/candles-RELIANCE-day.json",
        ),
        Route::fixture(
            "/v2/historical-candle/NSE_EQ%7CINE002A01018/30minute/2026-11-25/2026-11-23",
            "upstox/candles-RELIANCE-30minute.json",
        ),
    ]);
    let home = Home::new();
    home.write_config(&config(&server));
    let (r, _) = run(
        &home,
        "fetch --provider upstox --ticker reliance --bars 1d --from 2026-11-20 --to 2026-11-27T10:00:00Z",
        0,
    );
    assert_eq!(r["ticker"], "RELIANCE");
    // Five trading days: the weekend and 24 November (an NSE holiday) have none.
    assert_eq!(r["bars"]["count"], 5);
    assert_eq!(r["bars"]["first"]["time"], "2026-11-20T03:45:00Z");
    assert_eq!(r["bars"]["last"]["time"], "2026-11-27T03:45:00Z");
    assert_eq!(r["bars"]["last"]["close"], 1560.4);

    let seen = server.seen();
    assert_eq!(seen[0].path(), INSTRUMENTS);
    // The token goes to the API only, never to the assets host.
    assert_eq!(seen[0].header("authorization"), None);
    let candles = &seen[1];
    assert_eq!(
        candles.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(candles.header("accept"), Some("application/json"));

    // Hours from 30-minute candles, aligned to the 09:15 open; the holiday's row goes.
    let (r, _) = run(
        &home,
        "fetch --provider upstox --ticker RELIANCE --bars 1h --from 2026-11-23T03:45:00Z --to 2026-11-25T10:00:00Z",
        0,
    );
    assert_eq!(r["bars"]["count"], 4);
    assert_eq!(r["bars"]["first"]["time"], "2026-11-23T03:45:00Z");
    assert_eq!(r["bars"]["first"]["volume"], 2_000_000);
    assert_eq!(r["bars"]["last"]["time"], "2026-11-25T03:45:00Z");

    // The instrument list was downloaded once and kept for the day.
    let fetched = server
        .seen()
        .iter()
        .filter(|s| s.path() == INSTRUMENTS)
        .count();
    assert_eq!(fetched, 1);
    let cached: Vec<String> =
        std::fs::read_dir(home.db_path().with_file_name("cache").join("upstox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert!(cached[0].starts_with("instruments-"), "{cached:?}");

    // A symbol the list does not know is an unknown symbol, said as such.
    let out = home
        .cmd([
            "fetch",
            "--provider",
            "upstox",
            "--ticker",
            "ZZZZ",
            "--bars",
            "1d",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-28",
        ])
        .env("OPTCTL_UPSTOX_ACCESS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("upstox: unknown symbol ZZZZ"), "{err}");
}

#[test]
fn an_instrument_list_that_does_not_parse_is_not_kept() {
    let html = "<!DOCTYPE html><html><body>Service Unavailable</body></html>";
    let server = Server::start(vec![
        Route::bytes(INSTRUMENTS, 200, html)
            .header("Content-Type", "text/html")
            .times(1),
        instruments(),
        Route::fixture(
            "/v2/historical-candle/NSE_EQ%7CINE002A01018/day/2026-11-27/2026-11-20",
            "upstox/candles-RELIANCE-day.json",
        ),
    ]);
    let home = Home::new();
    home.write_config(&config(&server));
    let args = "fetch --provider upstox --ticker RELIANCE --bars 1d --from 2026-11-20 --to 2026-11-27T10:00:00Z";
    let (_, err) = run(&home, args, 1);
    assert!(
        err.contains("malformed response from upstox for RELIANCE: expected JSON for instruments, got an HTML page"),
        "{err}"
    );
    assert!(
        !home
            .db_path()
            .with_file_name("cache")
            .join("upstox")
            .exists()
    );
    // The next run downloads it again.
    let (r, _) = run(&home, args, 0);
    assert_eq!(r["bars"]["count"], 5);
}

#[test]
fn an_upstox_chain_scans_with_the_lot_size_and_upstoxs_own_iv() {
    let server = Server::start(vec![
        instruments(),
        Route::fixture(
            "/v2/option/chain",
            "upstox/option-chain-NIFTY-2026-12-29.json",
        )
        .when_query("expiry_date=2026-12-29"),
    ]);
    let home = Home::new();
    home.write_config(&config(&server));
    let (r, _) = run(
        &home,
        "fetch --provider upstox --ticker nifty --as-of 2026-11-23T05:00:00Z",
        0,
    );
    let c = &r["chain"];
    assert_eq!(c["spot"], 26010.35);
    // The multiplier is the expiry's lot size from the instrument list.
    assert_eq!(c["multiplier"], 75.0);
    assert_eq!(c["contracts"], 6);
    assert_eq!(c["expirations"], serde_json::json!(["2026-12-29"]));
    // The deep call's IV 0 means "not computed".
    assert_eq!(c["with_source_iv"], 5);
    let chain = server
        .seen()
        .into_iter()
        .find(|s| s.path() == "/v2/option/chain")
        .unwrap();
    assert!(
        chain
            .target
            .contains("instrument_key=NSE_INDEX%7CNifty+50&expiry_date=2026-12-29"),
        "{}",
        chain.target
    );

    let (r, _) = run(
        &home,
        "scan --tickers NIFTY --as-of 2026-11-23T05:00:00Z",
        0,
    );
    assert_eq!(r["tickers_ok"], 1, "{r}");
    let row = home.rows(
        "SELECT open_interest, vendor_iv FROM chain_snapshots WHERE symbol = 'NIFTY261229P25500000'",
    );
    let oi: i64 = row[0][0].as_deref().unwrap().parse().unwrap();
    let vendor_iv: f64 = row[0][1].as_deref().unwrap().parse().unwrap();
    // 5,636,475 units are 75,153 lots; Upstox's 14.62% is kept beside optctl's IV.
    assert_eq!(oi, 75153);
    assert!((vendor_iv - 0.1462).abs() < 1e-9, "{vendor_iv}");
}

#[test]
fn an_expired_upstox_token_is_exit_2_naming_the_variable_and_stores_nothing() {
    let server = Server::start(vec![
        instruments(),
        Route::bytes("/v2/option/chain", 401, EXPIRED),
    ]);
    let home = Home::new();
    home.write_config(&config(&server));
    let save = home.root().join("captures");
    let (_, err) = run(
        &home,
        &format!(
            "fetch --provider upstox --ticker NIFTY --as-of 2026-11-23T05:00:00Z --save {}",
            save.display()
        ),
        2,
    );
    assert!(
        err.contains("upstox: authentication failed: HTTP 401 fetching NIFTY: the access token was refused: Upstox tokens expire every day at 03:30 IST; log in again and set OPTCTL_UPSTOX_ACCESS_TOKEN"),
        "{err}"
    );
    // Upstox's own words ride along.
    assert!(err.contains("UDAPI100050"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    assert!(!save.exists(), "nothing is saved");

    // A scan stores no contract.
    let (_, err) = run(
        &home,
        "scan --tickers NIFTY --as-of 2026-11-23T05:00:00Z",
        1,
    );
    assert!(err.contains("OPTCTL_UPSTOX_ACCESS_TOKEN"), "{err}");
    let stored = home.count("SELECT count(*) FROM chain_snapshots");
    assert_eq!(stored, 0);

    // No token at all: a usage error naming both places to set it.
    let out = home
        .cmd(["fetch", "--provider", "upstox", "--ticker", "NIFTY"])
        .env_remove("OPTCTL_UPSTOX_ACCESS_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("set OPTCTL_UPSTOX_ACCESS_TOKEN or [provider.upstox] access_token"),
        "{err}"
    );
}

#[test]
fn an_upstox_429_is_waited_out_and_the_bars_are_stored() {
    let candles = "/v2/historical-candle/NSE_EQ%7CINE002A01018/day/2026-11-27/2026-11-20";
    let server = Server::start(vec![
        instruments(),
        Route::bytes(
            candles,
            429,
            r#"{"status":"error","errors":[{"errorCode":"UDAPI10005","message":"Too Many Request Sent"}]}"#,
        )
        .header("Retry-After", "1")
        .times(1),
        Route::fixture(candles, "upstox/candles-RELIANCE-day.json"),
    ]);
    let home = Home::new();
    home.write_config(&format!(
        "{}[enrich]\nprovider = \"upstox\"\n[enrich.lookback_days]\n\"1d\" = 7\n",
        config(&server)
    ));
    let started = Instant::now();
    let (r, _) = run(
        &home,
        "enrich run --symbols RELIANCE --timeframes 1d --as-of 2026-11-27T10:00:00Z",
        0,
    );
    assert_eq!(r["retries"], 1, "{r}");
    assert_eq!(r["provider_calls"], 2, "{r}");
    let asked = server.seen().iter().filter(|s| s.path() == candles).count();
    assert_eq!(asked, 2, "asked again after the 429");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let stored = home.count("SELECT count(*) FROM bars WHERE symbol = 'RELIANCE'");
    // 23, 25, 26 and 27 November: the 20th opened before the range (10:00 UTC that day).
    assert_eq!(stored, 4, "{r}");
}

/// Upstox's candles answer of `rows` (IST `YYYY-mm-ddTHH:MM`, close, volume, oi), newest
/// first as Upstox sends them.
fn candles(rows: &[(&str, f64, u64, u64)]) -> Vec<u8> {
    let c: Vec<Value> = rows
        .iter()
        .rev()
        .map(|(t, close, v, oi)| {
            serde_json::json!([
                format!("{t}:00+05:30"),
                close - 1.0,
                close + 2.0,
                close - 2.0,
                close,
                v,
                oi
            ])
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"status": "success", "data": {"candles": c}})).unwrap()
}

#[test]
fn an_upstox_future_is_found_by_its_trading_symbol_or_the_config_and_its_bars_keep_oi() {
    // December's NIFTY future (`NSE_FO|49229` in the instrument list), by minute.
    let minutes = candles(&[
        ("2026-11-23T09:15", 26010.0, 8250, 13_600_050),
        ("2026-11-23T09:16", 26015.0, 6000, 13_601_400),
        ("2026-11-23T09:17", 26012.5, 4500, 13_602_075),
        // The close print, outside the session.
        ("2026-11-23T15:30", 26012.5, 0, 13_602_075),
    ]);
    let fut = "/v2/historical-candle/NSE_FO%7C49229/1minute/2026-11-23/2026-11-23";
    // January's, named in the config only (the day's list does not have it yet).
    let jan = "/v2/historical-candle/NSE_FO%7C61200/1minute/2026-11-23/2026-11-23";
    let server = Server::start(vec![
        instruments(),
        Route::bytes(fut, 200, minutes.clone()),
        Route::bytes(jan, 200, minutes),
    ]);
    let home = Home::new();
    home.write_config(&format!(
        "{}[provider.upstox.instruments]\nNIFTYJANFUT = \"NSE_FO|61200\"\n",
        config(&server)
    ));
    let range = "--from 2026-11-23T03:45:00Z --to 2026-11-23T10:00:00Z";
    for ticker in ["NIFTY26DECFUT", "NIFTYJANFUT"] {
        let (r, _) = run(
            &home,
            &format!("fetch --provider upstox --ticker {ticker} --bars 1m {range}"),
            0,
        );
        assert_eq!(r["ticker"], ticker);
        assert_eq!(r["bars"]["count"], 3, "{r:#}");
        assert_eq!(r["bars"]["first"]["time"], "2026-11-23T03:45:00Z");
        assert_eq!(r["bars"]["last"]["time"], "2026-11-23T03:47:00Z");
        // Units of the underlying, as Upstox sends them.
        assert_eq!(r["bars"]["last"]["open_interest"], 13_602_075.0, "{r:#}");
    }
    let asked: Vec<String> = server.seen().iter().map(|s| s.path().to_string()).collect();
    assert!(
        asked.iter().any(|p| p == fut) && asked.iter().any(|p| p == jan),
        "{asked:?}"
    );

    // A malformed key in the config is named before any request.
    home.write_config(&format!(
        "{}[provider.upstox.instruments]\nNIFTYJANFUT = \"61200\"\n",
        config(&server)
    ));
    let (_, err) = run(
        &home,
        &format!("fetch --provider upstox --ticker NIFTYJANFUT --bars 1m {range}"),
        2,
    );
    assert!(
        err.contains("provider.upstox.instruments.NIFTYJANFUT: \"61200\" is not an instrument key"),
        "{err}"
    );
}

#[test]
fn upstox_bars_compare_in_ist_sessions_with_parity() {
    // The scenario's 5-minute bars come as Upstox's 1-minute candles, one at each
    // 5-minute open (each bucket merges one candle), its daily bars as daily candles.
    let answer = |bars: Vec<day_trading::Bar>| -> Vec<u8> {
        let c: Vec<Value> = bars
            .iter()
            .rev()
            .map(|b| {
                serde_json::json!([
                    b.0.format("%Y-%m-%dT%H:%M:00+05:30").to_string(),
                    b.1,
                    b.2,
                    b.3,
                    b.4,
                    b.5,
                    0
                ])
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({"status": "success", "data": {"candles": c}}))
            .unwrap()
    };
    let key = "NSE_EQ%7CINE002A01018";
    // Both schedulers ask the same ranges (4 days of 5-minute bars, 120 of daily ones).
    let server = Server::start(vec![
        instruments(),
        Route::bytes(
            &format!("/v2/historical-candle/{key}/1minute/2026-11-25/2026-11-21"),
            200,
            answer(day_trading::five_minutes()),
        ),
        Route::bytes(
            &format!("/v2/historical-candle/{key}/day/2026-11-25/2026-07-28"),
            200,
            answer(day_trading::daily()),
        ),
    ]);
    let home = Home::new();
    let u = server.url();
    home.write_config(&format!(
        "[provider.upstox]\nbase_url = \"{u}\"\nassets_url = \"{u}\"\n\
         [scheduler]\nprovider = \"upstox\"\n\
         [scheduler.categories.day_trading]\nsymbols = [\"RELIANCE\"]\n"
    ));
    let (r, _) = run(
        &home,
        &format!(
            "compare --as-of {} --categories day_trading",
            day_trading::AS_OF
        ),
        0,
    );
    day_trading::assert_ist_signals_with_parity(&r, "upstox");
    // The instrument list was downloaded once for both schedulers.
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|s| s.path() == INSTRUMENTS)
            .count(),
        1
    );
}
