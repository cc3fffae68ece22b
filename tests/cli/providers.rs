//! The real market-data sources end to end: `optctl scan` against recorded responses
//! served from 127.0.0.1, every error class, and keys kept out of output and logs.
//! `optctl enrich run` on a bar source is at the end. (`optctl fetch` and replay are in
//! `fetch.rs`.)

use predicates::str::contains;
use serde_json::Value;

use crate::harness::servers::{Route, Server, fixture_bytes};
use crate::harness::{Home, describe, parse_json};

const POLYGON_KEY: &str = "pk_test_9f8e7d6c5b4a";
const TRADIER_TOKEN: &str = "tr_test_Zx81Qw77Lm";

/// Runs a scan, expecting `code`; returns its JSON report.
fn scan(home: &Home, tickers: &str, code: i32) -> Value {
    let out = home
        .cmd(["scan", "--json", "--tickers", tickers])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    parse_json(&out)
}

/// One stored contract: bid, ask, volume, open interest, iv, underlying price.
fn stored(home: &Home, symbol: &str) -> (f64, f64, i64, i64, Option<f64>, f64) {
    let rows = home.rows(&format!(
        "SELECT bid, ask, volume, open_interest, iv, underlying_price FROM chain_snapshots WHERE symbol = '{symbol}'"
    ));
    let r = rows
        .first()
        .unwrap_or_else(|| panic!("{symbol} not stored"));
    let f = |i: usize| -> f64 { r[i].as_deref().unwrap().parse().unwrap() };
    let n = |i: usize| -> i64 { r[i].as_deref().unwrap().parse().unwrap() };
    let iv = r[4].as_deref().map(|v| v.parse().unwrap());
    (f(0), f(1), n(2), n(3), iv, f(5))
}

/// The unusual-activity alerts stored: (contract, alert_data).
fn unusual(home: &Home) -> Vec<(String, Value)> {
    home.rows("SELECT contract, alert_data FROM alerts WHERE detector = 'unusual_activity' ORDER BY contract")
        .into_iter()
        .map(|r| {
            let data = r[1].clone().unwrap();
            (r[0].clone().unwrap(), serde_json::from_str(&data).unwrap())
        })
        .collect()
}

fn cboe_routes() -> Vec<Route> {
    vec![Route::fixture(
        "/api/global/delayed_quotes/options/CLX.json",
        "cboe/CLX.json",
    )]
}

#[test]
fn cboe_chains_scan_end_to_end() {
    let server = Server::start(cboe_routes());
    let home = Home::new();
    home.write_config(&format!(
        "[provider]\nname = \"cboe\"\n[provider.cboe]\nbase_url = \"{}\"\n",
        server.url()
    ));
    let r = scan(&home, "CLX", 0);
    assert_eq!(r["provider"], "cboe");
    assert_eq!(r["tickers_ok"], 1);
    // 26 rows: one without an OCC symbol and one null are skipped.
    assert_eq!(r["contracts"], 24);
    assert_eq!(r["alerts_by_detector"]["unusual_activity"], 1);
    assert_eq!(r["tickers"][0]["spot"], 95.55);
    let (bid, ask, volume, oi, iv, spot) = stored(&home, "CLX261218C00100000");
    assert_eq!((bid, ask, volume, oi, spot), (1.3, 1.35, 2400, 800, 95.55));
    // optctl's own IV from the mid, close to the one the CDN published (0.2855).
    let iv = iv.expect("priced");
    assert!((iv - 0.2855).abs() < 0.02, "{iv}");
    // The digit root is stored as its own contract.
    stored(&home, "CLX1261218C00095000");
    let alerts = unusual(&home);
    assert_eq!(alerts[0].0, "CLX261218C00100000");
    assert_eq!(alerts[0].1["premium"], 2400.0 * 1.325 * 100.0);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].header("user-agent").unwrap().starts_with("optctl/"),
        "{seen:?}"
    );
    assert!(seen[0].header("accept-encoding").unwrap().contains("gzip"));
}

fn yahoo_routes() -> Vec<Route> {
    let opt = "/v7/finance/options/AAPL";
    vec![
        Route::bytes("/", 404, "<html>not here</html>")
            .header("Content-Type", "text/html")
            .header("Set-Cookie", "A3=d=AQABBKx9&S=AQAAAk; Expires=Tue, 23 Nov 2027 15:00:00 GMT; Domain=.yahoo.com; Path=/; Secure")
            .header("Set-Cookie", "A1S=d=AQABBKx9; Path=/"),
        Route::bytes("/v1/test/getcrumb", 200, "Pq8.rDx3/vA").header("Content-Type", "text/plain"),
        Route::fixture(opt, "yahoo/options-AAPL-1799971200.json").when_query("date=1799971200"),
        Route::fixture(opt, "yahoo/options-AAPL-1802995200.json").when_query("date=1802995200"),
        Route::fixture(opt, "yahoo/options-AAPL.json"),
    ]
}

fn yahoo_config(server: &Server) -> String {
    format!(
        "[provider]\nname = \"yahoo\"\n[provider.yahoo]\nbase_url = \"{0}\"\ncookie_url = \"{0}\"\n",
        server.url()
    )
}

#[test]
fn yahoo_chains_scan_end_to_end_through_the_cookie_and_crumb() {
    let server = Server::start(yahoo_routes());
    let home = Home::new();
    home.write_config(&yahoo_config(&server));
    let r = scan(&home, "AAPL", 0);
    // Three expirations of 12, 12 and 12 + 2 quirky rows (one bad symbol skipped).
    assert_eq!(r["contracts"], 38);
    assert_eq!(r["tickers"][0]["spot"], 172.79);
    assert_eq!(r["alerts_by_detector"]["unusual_activity"], 1);
    assert_eq!(unusual(&home)[0].0, "AAPL261218C00175000");
    let (_, _, volume, oi, iv, _) = stored(&home, "AAPL270219P00160000");
    assert!(volume > 0 && oi > 0 && iv.is_some());
    // `volume` and `bid` omitted: stored as 0, no IV from a one-sided quote.
    let (bid, _, volume, _, iv, _) = stored(&home, "AAPL261218C00207500");
    assert_eq!((bid, volume, iv), (0.0, 0, None));
    let seen = server.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path()).collect();
    assert_eq!(
        paths,
        [
            "/",
            "/v1/test/getcrumb",
            "/v7/finance/options/AAPL",
            "/v7/finance/options/AAPL",
            "/v7/finance/options/AAPL"
        ]
    );
    for s in &seen[1..] {
        assert!(
            s.header("cookie")
                .unwrap()
                .contains("A3=d=AQABBKx9&S=AQAAAk"),
            "{s:?}"
        );
        assert!(s.header("user-agent").unwrap().starts_with("Mozilla/5.0"));
    }
    for s in &seen[2..] {
        assert!(s.target.contains("crumb=Pq8.rDx3%2FvA"), "{}", s.target);
    }
}

#[test]
fn yahoo_renews_a_refused_crumb_once() {
    let mut routes = yahoo_routes();
    let refused = r#"{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}"#;
    routes.insert(
        2,
        Route::bytes("/v7/finance/options/AAPL", 401, refused).times(1),
    );
    let server = Server::start(routes);
    let home = Home::new();
    home.write_config(&format!("{}max_expirations = 1\n", yahoo_config(&server)));
    let r = scan(&home, "AAPL", 0);
    assert_eq!(r["contracts"], 14);
    let crumbs = server
        .seen()
        .iter()
        .filter(|s| s.path() == "/v1/test/getcrumb")
        .count();
    assert_eq!(crumbs, 2, "one handshake, one renewal");

    // Refused again after the renewal: an authentication error, not retried forever.
    let server = Server::start(vec![
        Route::bytes("/", 404, ""),
        Route::bytes("/v1/test/getcrumb", 200, "Pq8"),
        Route::bytes("/v7/finance/options/AAPL", 401, refused),
    ]);
    let home = Home::new();
    home.write_config(&yahoo_config(&server));
    let out = home.cmd(["scan", "--tickers", "AAPL"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("yahoo: authentication failed: HTTP 401"),
        "{err}"
    );
    assert!(err.contains("Invalid Crumb"), "{err}");
}

fn polygon_routes() -> Vec<Route> {
    let snap = "/v3/snapshot/options/AAPL";
    vec![
        Route::fixture(snap, "polygon/snapshot-AAPL-2.json").when_query("cursor=YXA9MTIm"),
        Route::fixture(snap, "polygon/snapshot-AAPL-1.json"),
    ]
}

fn polygon_config(server: &Server) -> String {
    format!(
        "[provider]\nname = \"polygon\"\n[provider.polygon]\nbase_url = \"{}\"\n",
        server.url()
    )
}

#[test]
fn polygon_chains_scan_end_to_end_across_pages() {
    let server = Server::start(polygon_routes());
    let home = Home::new();
    home.write_config(&polygon_config(&server));
    let out = home
        .cmd(["scan", "--json", "--tickers", "AAPL", "-vv"])
        .env("OPTCTL_POLYGON_API_KEY", POLYGON_KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["contracts"], 24);
    assert_eq!(r["tickers"][0]["spot"], 172.5);
    assert_eq!(r["alerts_by_detector"]["unusual_activity"], 1);
    let (bid, ask, _, oi, _, _) = stored(&home, "AAPL261218C00150000");
    assert_eq!((bid, ask, oi), (22.75, 23.7, 7049));
    // No quote: stored with bid and ask 0 and the day's close as last, and no IV.
    let (bid, ask, _, _, iv, _) = stored(&home, "AAPL270115P00160000");
    assert_eq!((bid, ask, iv), (0.0, 0.0, None));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    // next_url named api.polygon.io: it was followed on the configured base instead.
    assert!(
        seen[1]
            .target
            .starts_with("/v3/snapshot/options/AAPL?cursor=YXA9MTIm"),
        "{}",
        seen[1].target
    );
    for s in &seen {
        assert_eq!(
            s.header("authorization"),
            Some(format!("Bearer {POLYGON_KEY}").as_str())
        );
        assert!(
            !s.target.contains(POLYGON_KEY),
            "the key never goes in a URL"
        );
    }
    // Debug logs name the requests but never the key.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GET http://127.0.0.1"), "{stderr}");
    assert!(!stderr.contains(POLYGON_KEY), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(POLYGON_KEY));
}

/// Every file under `dir` (recursively) whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            found.push(path);
        }
    }
    found
}

#[test]
fn the_key_never_reaches_the_store_the_exports_or_the_logs() {
    // One page answers, one ticker is refused with the key echoed back: both the
    // stored results and the stored error must be free of it.
    let echo =
        format!(r#"{{"status":"ERROR","request_id":"x","error":"Unknown API Key {POLYGON_KEY}"}}"#);
    let mut routes = polygon_routes();
    routes.push(Route::bytes("/v3/snapshot/options/MSFT", 403, echo));
    let server = Server::start(routes);
    let home = Home::new();
    home.write_config(&polygon_config(&server));
    let run = |args: &[&str]| {
        let out = home
            .cmd(args)
            .env("OPTCTL_POLYGON_API_KEY", POLYGON_KEY)
            .output()
            .unwrap();
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(POLYGON_KEY),
                "{args:?}: {}",
                describe(&out)
            );
        }
        out
    };
    let out = run(&["-vv", "scan", "--strict", "--tickers", "AAPL,MSFT"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    run(&["export"]);
    run(&["scans", "--json"]);
    run(&["config", "show", "--json"]);
    assert!(home.home().join("exports").join("alerts.json").is_file());
    // The search does find what is there: the refusal, scrubbed, is stored.
    assert!(!files_containing(home.root(), "Unknown API Key [redacted]").is_empty());
    assert_eq!(
        files_containing(home.root(), POLYGON_KEY),
        Vec::<std::path::PathBuf>::new()
    );
}

fn tradier_routes() -> Vec<Route> {
    let chains = "/v1/markets/options/chains";
    vec![
        Route::fixture("/v1/markets/quotes", "tradier/quote-VXX.json"),
        Route::fixture(
            "/v1/markets/options/expirations",
            "tradier/expirations-VXX.json",
        ),
        Route::fixture(chains, "tradier/chain-VXX-2026-12-18.json")
            .when_query("expiration=2026-12-18"),
        Route::fixture(chains, "tradier/chain-VXX-2027-01-15.json")
            .when_query("expiration=2027-01-15"),
    ]
}

#[test]
fn tradier_chains_scan_end_to_end() {
    let server = Server::start(tradier_routes());
    let home = Home::new();
    home.write_config(&format!(
        "[provider]\nname = \"tradier\"\n[provider.tradier]\nbase_url = \"{}\"\ntoken = \"{TRADIER_TOKEN}\"\n",
        server.url()
    ));
    let r = scan(&home, "VXX", 0);
    // Ten contracts in a list, one sent as a single object.
    assert_eq!(r["contracts"], 11);
    assert_eq!(r["tickers"][0]["spot"], 18.2);
    assert_eq!(r["alerts_by_detector"]["unusual_activity"], 1);
    assert_eq!(unusual(&home)[0].0, "VXX261218C00019000");
    stored(&home, "VXX270115C00020000");
    let (_, _, volume, oi, _, _) = stored(&home, "VXX261218P00016000");
    assert_eq!((volume, oi), (0, 10));
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert!(seen[1].target.contains("includeAllRoots=true"));
    assert!(seen[2].target.contains("greeks=true"));
    for s in &seen {
        assert_eq!(
            s.header("authorization"),
            Some(format!("Bearer {TRADIER_TOKEN}").as_str())
        );
        assert_eq!(s.header("accept"), Some("application/json"));
    }
}

/// The recorded answers served as if years later: the quotes keep their own time.
fn dated_years_later(routes: Vec<Route>) -> Vec<Route> {
    routes
        .into_iter()
        .map(|r| r.header("Date", "Thu, 23 Nov 2034 15:00:00 GMT"))
        .collect()
}

/// Contracts of the last scan with an IV, and all of them.
fn priced_count(home: &Home) -> (i64, i64) {
    let r = home.rows("SELECT COUNT(iv), COUNT(*) FROM chain_snapshots");
    let n = |i: usize| -> i64 { r[0][i].as_deref().unwrap().parse().unwrap() };
    (n(0), n(1))
}

#[test]
fn recorded_chains_replayed_years_later_price_on_their_own_clock() {
    // Each source's answer is dated 2034, eight years after its quotes were taken (and
    // after every expiry in them): time to expiry runs from the quotes' own time, so
    // the IVs come out as on the day of the recording.
    let tradier = Server::start(dated_years_later(tradier_routes()));
    let polygon = Server::start(dated_years_later(polygon_routes()));
    let yahoo = Server::start(dated_years_later(yahoo_routes()));
    let cases = [
        (
            "VXX",
            format!(
                "[provider]\nname = \"tradier\"\n[provider.tradier]\nbase_url = \"{}\"\ntoken = \"{TRADIER_TOKEN}\"\n",
                tradier.url()
            ),
        ),
        ("AAPL", polygon_config(&polygon)),
        ("AAPL", yahoo_config(&yahoo)),
    ];
    for (ticker, config) in cases {
        let home = Home::new();
        home.write_config(&config);
        let out = home
            .cmd(["scan", "--json", "--tickers", ticker])
            .env("OPTCTL_POLYGON_API_KEY", POLYGON_KEY)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let r = parse_json(&out);
        let (priced, all) = priced_count(&home);
        assert!(
            priced > 0 && priced * 2 >= all,
            "{config}: {priced} of {all} contracts priced"
        );
        assert_eq!(r["tickers"][0]["contracts_priced"], priced, "{config}");
    }
}

fn nse_session() -> Route {
    Route::bytes(
        "/option-chain",
        200,
        "<!DOCTYPE html><html><title>Option Chain</title></html>",
    )
    .header("Content-Type", "text/html")
    .header("Set-Cookie", "nsit=Xk2p9; Path=/; HttpOnly")
    .header("Set-Cookie", "nseappid=eyJ0eXAi; Path=/; HttpOnly")
}

fn nse_config(server: &Server, extra: &str) -> String {
    format!(
        "[provider]\nname = \"nse\"\n[provider.nse]\nbase_url = \"{}\"\nlot_sizes = {{ NIFTY = 75 }}\n{extra}",
        server.url()
    )
}

/// IV-history days of NSE tickers are NSE trading days, whatever NYSE does.
#[test]
fn nse_iv_history_days_follow_the_nse_calendar() {
    let server = Server::start(vec![
        nse_session(),
        Route::fixture("/api/option-chain-indices", "nse/legacy-NIFTY.json"),
    ]);
    let day_of = |as_of: &str| -> String {
        let home = Home::new();
        home.write_config(&nse_config(&server, "api = \"legacy\"\n"));
        let out = home
            .cmd(["scan", "--json", "--tickers", "NIFTY", "--as-of", as_of])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let days: Vec<String> = home
            .rows("SELECT day FROM iv_history WHERE ticker = 'NIFTY' ORDER BY day")
            .into_iter()
            .map(|r| r[0].clone().unwrap())
            .collect();
        days.join(",")
    };
    // Monday 10:30 IST: NSE trades (New York is still on Sunday night).
    assert_eq!(day_of("2026-11-23T05:00:00Z"), "2026-11-23");
    // Tuesday 2026-11-24 is an NSE holiday (Guru Nanak Jayanti) while NYSE trades.
    assert_eq!(day_of("2026-11-24T16:00:00Z"), "2026-11-23");
    // A Monday 02:00 UTC cron run (07:30 IST, before the open) belongs to Friday.
    assert_eq!(day_of("2026-11-30T02:00:00Z"), "2026-11-27");
}

#[test]
fn nse_v3_chains_scan_end_to_end_with_the_lot_size() {
    let v3 = "/api/option-chain-v3";
    let server = Server::start(vec![
        nse_session(),
        Route::fixture(
            "/api/option-chain-contract-info",
            "nse/contract-info-NIFTY.json",
        ),
        Route::fixture(v3, "nse/v3-NIFTY-29-Dec-2026.json").when_query("expiry=29-Dec-2026"),
        Route::fixture(v3, "nse/v3-NIFTY-26-Jan-2027.json").when_query("expiry=26-Jan-2027"),
    ]);
    let home = Home::new();
    home.write_config(&nse_config(&server, ""));
    let r = scan(&home, "NIFTY", 0);
    assert_eq!(r["contracts"], 13);
    assert_eq!(r["tickers"][0]["spot"], 26010.35);
    let (bid, ask, _, _, _, _) = stored(&home, "NIFTY261229P25500000");
    assert_eq!((bid, ask), (186.45, 194.1));
    let alerts = unusual(&home);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "NIFTY261229C26500000");
    // The premium uses the lot size as the multiplier.
    let mid = alerts[0].1["mid"].as_f64().unwrap();
    let premium = alerts[0].1["premium"].as_f64().unwrap();
    assert!(
        (premium - 250000.0 * mid * 75.0).abs() < 250000.0 * 0.01 * 75.0,
        "{premium}"
    );
    let seen = server.seen();
    assert_eq!(seen[0].path(), "/option-chain");
    assert!(
        seen[2].target.contains("type=Indices"),
        "{}",
        seen[2].target
    );
    for s in &seen[1..] {
        assert_eq!(s.header("cookie"), Some("nsit=Xk2p9; nseappid=eyJ0eXAi"));
        assert_eq!(
            s.header("referer"),
            Some(format!("{}/option-chain", server.url()).as_str())
        );
    }
}

#[test]
fn nse_legacy_chains_scan_end_to_end_and_an_empty_answer_rewarms() {
    let server = Server::start(vec![
        nse_session(),
        Route::bytes("/api/option-chain-indices", 200, "{}").times(1),
        Route::fixture("/api/option-chain-indices", "nse/legacy-NIFTY.json"),
    ]);
    let home = Home::new();
    home.write_config(&nse_config(&server, "api = \"legacy\"\n"));
    let r = scan(&home, "NIFTY", 0);
    // 14 legs in 8 rows; the row with an impossible expiry is skipped.
    assert_eq!(r["contracts"], 13);
    let warmups = server
        .seen()
        .iter()
        .filter(|s| s.path() == "/option-chain")
        .count();
    assert_eq!(warmups, 2, "the empty {{}} warmed a fresh cookie");
}

#[test]
fn every_error_class_reaches_the_scan_report() {
    let html = "<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body>Reference #18.2f</body></html>";
    let clx = String::from_utf8(fixture_bytes("cboe/CLX.json")).unwrap();
    let base = "/api/global/delayed_quotes/options";
    let mut routes = cboe_routes();
    routes.extend([
        Route::bytes(
            &format!("{base}/NOPE.json"),
            404,
            "<Error><Code>NoSuchKey</Code></Error>",
        ),
        Route::bytes(
            &format!("{base}/GONE.json"),
            403,
            "<Error><Code>AccessDenied</Code></Error>",
        ),
        Route::bytes(&format!("{base}/SLOW.json"), 429, "").header("Retry-After", "7"),
        Route::bytes(&format!("{base}/DOWN.json"), 500, "upstream connect error"),
        Route::bytes(&format!("{base}/PAGE.json"), 200, html).header("Content-Type", "text/html"),
        Route::bytes(&format!("{base}/HALF.json"), 200, &clx[..900]),
        Route::cut(&format!("{base}/CUT.json"), clx.clone(), 500),
        Route::hang(&format!("{base}/HANG.json")),
    ]);
    let server = Server::start(routes);
    let home = Home::new();
    home.write_config(&format!(
        "[provider]\nname = \"cboe\"\n[provider.cboe]\nbase_url = \"{}\"\n[provider.http]\ntimeout_seconds = 1.5\n",
        server.url()
    ));
    let r = scan(&home, "CLX,NOPE,GONE,SLOW,DOWN,PAGE,HALF,CUT,HANG", 0);
    assert_eq!(r["tickers_ok"], 1);
    let errors: std::collections::BTreeMap<String, String> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ticker"].as_str().unwrap().into(),
                e["error"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = [
        ("NOPE", "cboe: unknown symbol NOPE"),
        ("GONE", "cboe: unknown symbol GONE"),
        (
            "SLOW",
            "cboe: rate limited while fetching SLOW (retry after 7 s)",
        ),
        (
            "DOWN",
            "cboe: temporary failure fetching DOWN: HTTP 500; it said \"upstream connect error\"",
        ),
        (
            "PAGE",
            "malformed response from cboe for PAGE: expected JSON for option chain, got an HTML page starting \"<!DOCTYPE html> <html><head><title>Access Denied",
        ),
        (
            "HALF",
            "malformed response from cboe for HALF: the option chain JSON is truncated (900 bytes",
        ),
        (
            "CUT",
            "cboe: temporary failure fetching CUT: the options response from 127.0.0.1:",
        ),
        (
            "HANG",
            "cboe: temporary failure fetching HANG: options request to 127.0.0.1:",
        ),
    ];
    for (ticker, start) in expect {
        let got = &errors[ticker];
        assert!(got.starts_with(start), "{ticker}: {got}");
    }
    assert!(errors["CUT"].contains("cut off"), "{}", errors["CUT"]);
    assert!(errors["HANG"].contains("timed out"), "{}", errors["HANG"]);
    for e in errors.values() {
        assert!(!e.contains("backtrace") && !e.contains('\n'), "{e}");
    }
}

#[test]
fn nothing_listening_is_a_temporary_failure() {
    // Bind and drop: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = Home::new();
    home.write_config(&format!(
        "[provider]\nname = \"cboe\"\n[provider.cboe]\nbase_url = \"http://127.0.0.1:{port}\"\n"
    ));
    home.cmd(["scan", "--tickers", "CLX"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "cboe: temporary failure fetching CLX: cannot connect to 127.0.0.1:{port}"
        )));
}

#[test]
fn a_refused_key_names_its_setting_and_never_prints_it() {
    // The server echoes the key back, as some APIs do.
    let echo =
        format!(r#"{{"status":"ERROR","request_id":"x","error":"Unknown API Key {POLYGON_KEY}"}}"#);
    let server = Server::start(vec![Route::bytes("/v3/snapshot/options/AAPL", 401, echo)]);
    let home = Home::new();
    home.write_config(&format!(
        "{}api_key = \"{POLYGON_KEY}\"\n",
        polygon_config(&server)
    ));
    let out = home
        .cmd(["scan", "--tickers", "AAPL", "-vv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("polygon: authentication failed: HTTP 401 fetching AAPL: check the API key (set OPTCTL_POLYGON_API_KEY or [provider.polygon] api_key)"), "{err}");
    assert!(err.contains("Unknown API Key [redacted]"), "{err}");
    assert!(!err.contains(POLYGON_KEY), "{err}");

    let server = Server::start(vec![
        Route::bytes("/v1/markets/quotes", 401, "Invalid Access Token")
            .header("Content-Type", "text/plain"),
    ]);
    let home = Home::new();
    home.write_config(&format!(
        "[provider]\nname = \"tradier\"\n[provider.tradier]\nbase_url = \"{}\"\n",
        server.url()
    ));
    let out = home
        .cmd(["scan", "--tickers", "VXX"])
        .env("OPTCTL_TRADIER_TOKEN", TRADIER_TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tradier: authentication failed: HTTP 401 fetching VXX: check the access token (set OPTCTL_TRADIER_TOKEN"), "{err}");
    assert!(err.contains("\"Invalid Access Token\""), "{err}");
    assert!(!err.contains(TRADIER_TOKEN), "{err}");
}

#[test]
fn a_missing_key_is_a_usage_error_naming_both_settings() {
    let home = Home::new();
    home.write_config("[provider]\nname = \"polygon\"\n");
    home.cmd(["scan", "--tickers", "AAPL"])
        .assert()
        .code(2)
        .stderr(contains("provider polygon needs an API key: set OPTCTL_POLYGON_API_KEY or [provider.polygon] api_key"));
    home.cmd(["scan", "--tickers", "VXX", "--provider", "tradier"])
        .assert()
        .code(2)
        .stderr(contains("OPTCTL_TRADIER_TOKEN"));
}

#[test]
fn config_show_redacts_keys_from_the_file_and_the_environment() {
    let home = Home::new();
    home.write_config(&format!(
        "[provider.polygon]\napi_key = \"{POLYGON_KEY}\"\n"
    ));
    for args in [&["config", "show"][..], &["config", "show", "--json"]] {
        let out = home
            .cmd(args)
            .env("OPTCTL_TRADIER_TOKEN", TRADIER_TOKEN)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(POLYGON_KEY), "{text}");
        assert!(!text.contains(TRADIER_TOKEN), "{text}");
        assert_eq!(text.matches("[redacted]").count(), 2, "{text}");
    }
    let shown = home.json(["config", "show", "--json"]);
    assert_eq!(shown["provider"]["polygon"]["api_key"], "[redacted]");
    assert_eq!(shown["provider"]["tradier"]["token"], Value::Null);
}

#[test]
fn config_checks_provider_names_and_base_urls() {
    let home = Home::new();
    home.write_config("[provider]\nname = \"bloomberg\"\n");
    home.cmd(["config", "show"])
        .assert()
        .code(2)
        .stderr(contains("line 2"))
        .stderr(contains("unknown provider \"bloomberg\", expected one of: sim, files, cboe, yahoo, polygon, tradier, nse"));
    home.write_config("[provider.cboe]\nbase_url = \"https://cdn.cboe.com/api/global\"\n");
    home.cmd(["config", "show"])
        .assert()
        .code(2)
        .stderr(contains("provider.cboe.base_url"))
        .stderr(contains("scheme, host and port only"));
    home.write_config("[provider.nse]\napi = \"v4\"\n");
    home.cmd(["config", "show"])
        .assert()
        .code(2)
        .stderr(contains("api"));
}

/// `optctl enrich run` on a real bar source: Yahoo's v8 chart, served from 127.0.0.1,
/// through the cookie and crumb, stored as bars with indicators.
#[test]
fn yahoo_bars_enrich_end_to_end() {
    let mut routes = yahoo_routes();
    routes.push(Route::fixture(
        "/v8/finance/chart/AAPL",
        "yahoo/chart-AAPL-1d.json",
    ));
    let server = Server::start(routes);
    let home = Home::new();
    home.write_config(&format!(
        "{}[enrich]\nprovider = \"yahoo\"\n",
        yahoo_config(&server)
    ));
    let out = home
        .cmd(["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let fixture: Value =
        serde_json::from_slice(&fixture_bytes("yahoo/chart-AAPL-1d.json")).unwrap();
    let quote = &fixture["chart"]["result"][0]["indicators"]["quote"][0];
    let closes: Vec<f64> = quote["close"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let stored: Vec<f64> = home
        .rows("SELECT close FROM bars WHERE symbol = 'AAPL' AND timeframe = '1d' ORDER BY time")
        .into_iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(stored, closes, "every non-null bar of the chart, in order");
    let last_close: f64 = home
        .value("SELECT close FROM indicators WHERE symbol = 'AAPL' AND timeframe = '1d'")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(last_close, *closes.last().unwrap());
    let chart = server
        .seen()
        .into_iter()
        .find(|r| r.target.starts_with("/v8/finance/chart/AAPL"))
        .expect("the chart was asked for");
    assert!(chart.target.contains("interval=1d"), "{}", chart.target);
}
