//! The dashboard page (`GET /`) in a real browser: `optctl serve` over a real scan and
//! export, opened in headless Chromium (Debian's `chromium`, driven over the DevTools
//! protocol). The page must show what the JSON routes return: the alerts table, the
//! smile chart and the chain of a ticker; its filters and sorting must work; a new
//! export must show up by itself, without losing the filters; with `--token` it must
//! ask once; and a server that stops answering must show as an error, never as a page
//! stuck on "Loading…". Screenshots go to target/test-artifacts/dashboard*.png.
//!
//! They need chromium, so plain `cargo test` lists them as ignored; they run with
//! `cargo test --test cli dashboard -- --ignored` (`.ci/run` installs chromium and does
//! so), and fail when chromium is missing: they never pass without running.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

use crate::harness::Home;
use crate::harness::servers::StallingProxy;
use crate::serve::{Server, agent, get, get_with};

/// The browser: a test that needs it fails when it is not installed.
fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
        .expect(
            "chromium is not installed, and the dashboard's browser tests need it: \
             apt-get install -y chromium (.ci/run does this)",
        )
}

/// Headless Chromium with a fresh profile and nothing that reaches for the network on
/// its own (this machine's network is closed; background fetches only cause trouble).
fn launch(path: PathBuf, profile: &Path) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-gpu",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let opts = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        user_data_dir: Some(profile.to_path_buf()),
        window_size: Some((1280, 900)),
        args,
        // The test waits for refreshes; the default 30 s idle limit is close to that.
        idle_browser_timeout: Duration::from_secs(300),
        ..LaunchOptions::default()
    };
    Browser::new(opts).expect("start headless chromium")
}

/// A fresh browser (its profile folder, kept until the test ends) with `url` open.
fn open(chromium: PathBuf, url: &str) -> (tempfile::TempDir, Browser, Arc<Tab>) {
    let profile = tempfile::tempdir().unwrap();
    let browser = launch(chromium, profile.path());
    let tab = browser.new_tab().unwrap();
    // The 20 s default is short on a loaded 2-core machine; this is only a deadline.
    tab.set_default_timeout(Duration::from_secs(120));
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    (profile, browser, tab)
}

/// Evaluates `expr` (a function body) in the page and returns its value through JSON,
/// or why it has none (a script error, or a page still loading).
fn try_js(tab: &Tab, expr: &str) -> Result<Value, String> {
    let wrapped = format!("JSON.stringify((() => {{ {expr} }})())");
    let r = tab.evaluate(&wrapped, false).map_err(|e| e.to_string())?;
    match r.value {
        Some(Value::String(s)) => serde_json::from_str(&s).map_err(|e| e.to_string()),
        other => Err(format!("no value ({other:?}, {:?})", r.description)),
    }
}

fn js(tab: &Tab, expr: &str) -> Value {
    try_js(tab, expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// The text of the element matched by the CSS `selector`.
fn text(tab: &Tab, selector: &str) -> String {
    let v = js(
        tab,
        &format!("return document.querySelector({selector:?}).textContent;"),
    );
    v.as_str().unwrap().to_string()
}

/// Polls `expr` until it is true. The deadline only keeps a broken page from hanging
/// the suite; nothing here measures time.
fn wait_for(tab: &Tab, expr: &str, what: &str) {
    let until = Instant::now() + Duration::from_secs(90);
    while try_js(tab, expr) != Ok(Value::Bool(true)) {
        if Instant::now() > until {
            let state = js(
                tab,
                "return {updated: document.getElementById('updated').textContent, \
                 banners: document.getElementById('banners').textContent, \
                 token_error: document.getElementById('token-error').textContent, \
                 token_input: document.getElementById('token-input').value, \
                 token_stored: sessionStorage.getItem('optctl.token'), \
                 refreshes: document.documentElement.dataset.refreshes};",
            );
            panic!("the page never showed {what}: {state}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The page's refresh count (`data-refreshes`, set after each complete refresh).
fn refreshes(tab: &Tab) -> u64 {
    try_js(
        tab,
        "return Number(document.documentElement.dataset.refreshes || 0);",
    )
    .ok()
    .and_then(|v| v.as_u64())
    .unwrap_or(0)
}

/// Waits for `n` more complete refreshes.
fn wait_refreshes(tab: &Tab, n: u64) {
    let target = refreshes(tab) + n;
    wait_for(
        tab,
        &format!("return Number(document.documentElement.dataset.refreshes || 0) >= {target};"),
        &format!("refresh #{target}"),
    );
}

/// The alerts table as shown: id, ticker, detector, score of each row, top to bottom.
fn shown_alerts(tab: &Tab) -> Vec<(i64, String, String, f64)> {
    let rows = js(
        tab,
        "return [...document.querySelectorAll('#alerts-table tbody tr[data-id]')].map(tr => ({
            id: Number(tr.dataset.id),
            ticker: tr.cells[1].textContent,
            detector: tr.cells[2].textContent,
            score: Number(tr.dataset.score),
            pill: tr.cells[0].textContent,
        }));",
    );
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let score = r["score"].as_f64().unwrap();
            let pill: f64 = r["pill"].as_str().unwrap().parse().unwrap();
            assert!(
                (pill - score).abs() <= 0.051,
                "score cell shows the score: {r}"
            );
            (
                r["id"].as_i64().unwrap(),
                r["ticker"].as_str().unwrap().to_string(),
                r["detector"].as_str().unwrap().to_string(),
                score,
            )
        })
        .collect()
}

/// The alerts the API returns that pass `keep`, as (id, ticker, detector, score).
fn api_alerts(api: &Value, keep: impl Fn(&Value) -> bool) -> BTreeSet<(i64, String, String)> {
    api["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| keep(a))
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["ticker"].as_str().unwrap().to_string(),
                a["detector_name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(rows: &[(i64, String, String, f64)]) -> BTreeSet<(i64, String, String)> {
    rows.iter()
        .map(|(id, t, d, _)| (*id, t.clone(), d.clone()))
        .collect()
}

/// Asserts the table holds exactly the API's alerts that pass `keep`, highest score first.
fn assert_alerts_match(tab: &Tab, api: &Value, keep: impl Fn(&Value) -> bool, what: &str) {
    let shown = shown_alerts(tab);
    assert_eq!(ids(&shown), api_alerts(api, keep), "{what}");
    assert!(
        shown.windows(2).all(|w| w[0].3 >= w[1].3),
        "{what}: not sorted by score: {shown:?}"
    );
}

/// The smile the page should draw for one expiry: the out-of-the-money IV at each
/// strike (puts below spot, calls at and above; the other side where that has none).
fn expected_smile(snapshot: &Value, expiry: &str) -> Vec<(f64, f64)> {
    let spot = snapshot["spot"].as_f64().unwrap();
    let mut by_strike: std::collections::BTreeMap<u64, (f64, Option<f64>, Option<f64>)> =
        Default::default();
    for c in snapshot["contracts"].as_array().unwrap() {
        if c["expiry"] != expiry {
            continue;
        }
        let strike = c["strike"].as_f64().unwrap();
        let iv = c["iv"].as_f64().filter(|v| *v > 0.0);
        let e = by_strike
            .entry(strike.to_bits())
            .or_insert((strike, None, None));
        if c["right"] == "put" {
            e.2 = iv;
        } else {
            e.1 = iv;
        }
    }
    let mut out: Vec<(f64, f64)> = by_strike
        .values()
        .filter_map(|&(strike, call, put)| {
            let iv = if strike < spot {
                put.or(call)
            } else {
                call.or(put)
            };
            iv.map(|iv| (strike, iv))
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Sets a form control's value the way a user's choice would, firing `change`.
fn choose(tab: &Tab, id: &str, value: &str) {
    js(
        tab,
        &format!(
            "const el = document.getElementById({id:?}); el.value = {value:?}; \
             el.dispatchEvent(new Event('change', {{bubbles: true}})); return el.value;"
        ),
    );
}

fn artifacts() -> PathBuf {
    // target/debug/optctl -> target/test-artifacts
    let target = Path::new(env!("CARGO_BIN_EXE_optctl"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf();
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A PNG of the whole page (not only the window).
fn screenshot(tab: &Tab, path: &Path) {
    let size = js(
        tab,
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];",
    );
    let png = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Page::Viewport {
                x: 0.0,
                y: 0.0,
                width: size[0].as_f64().unwrap(),
                height: size[1].as_f64().unwrap(),
                scale: 1.0,
            }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .unwrap()
        .data;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(png)
        .unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(path, bytes).unwrap();
    eprintln!("dashboard screenshot: {}", path.display());
}

const TICKERS: &str = "AAPL,MSFT,NVDA,QQQ";
/// The tickers of the alert-history fixture, each with a planted volume burst.
const BURST_TICKERS: &str = "MSFT,NVDA,AAPL,AMD,TSLA,AMZN,META,GOOGL,NFLX,JPM";
/// Planted anomalies, so that one scan has alerts from two detectors, one on a contract.
const PLANTED: &str = r#"
[provider.sim]
anomaly_rate = 0.0
plant = [
  { ticker = "MSFT", kind = "volume_burst", from = "2026-11-01T00:00:00Z" },
  { ticker = "NVDA", kind = "volume_burst", from = "2026-11-01T00:00:00Z" },
  { ticker = "QQQ", kind = "iv_jump", from = "2026-11-01T00:00:00Z" },
]
"#;
/// The first scan: long before the wall clock, so its export is stale. A Thursday, so
/// the nearest weekly expiry (Friday) is a day away and the smile leaves it out.
const FIRST: &str = "2026-11-19T15:00:00Z";

/// Days from `as_of` to an expiry's close (20:00 UTC), as the page counts them.
fn days_to(expiry: &str, as_of: &str) -> f64 {
    let close: chrono::DateTime<chrono::Utc> = format!("{expiry}T20:00:00Z").parse().unwrap();
    let at: chrono::DateTime<chrono::Utc> = as_of.parse().unwrap();
    (close - at).num_seconds() as f64 / 86400.0
}

fn scan_and_export(home: &Home, as_of: &str) {
    home.cmd(["-q", "scan", "--tickers", TICKERS, "--as-of", as_of])
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    home.cmd(["-q", "export", "--as-of", as_of])
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
}

/// A home with one scan as of `as_of` (with the planted anomalies) and its export,
/// served with the page refreshing every second and `extra` flags.
fn served(as_of: &str, extra: &[&str]) -> (Home, Server) {
    let home = Home::new();
    home.write_config(PLANTED);
    scan_and_export(&home, as_of);
    let args: Vec<&str> = ["--refresh-secs", "1"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let server = Server::start(&home, &args);
    (home, server)
}

#[test]
#[ignore = "needs chromium"]
fn dashboard_shows_the_api_data_filters_and_refreshes_in_a_browser() {
    let chromium = chromium();
    let (home, server) = served(FIRST, &[]);
    let alerts = get(&server, "/alerts?limit=1000").json();
    let detectors: BTreeSet<&str> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detector_name"].as_str().unwrap())
        .collect();
    assert!(
        detectors.len() >= 2,
        "the fixture needs two detectors: {alerts}"
    );

    let (_profile, _browser, tab) = open(chromium, &server.url("/"));
    wait_refreshes(&tab, 1);

    // The alerts table holds what /alerts returns, highest score first.
    assert_alerts_match(&tab, &alerts, |_| true, "all alerts");
    let count = text(&tab, "#alerts-count");
    let n = alerts["alert_count"].as_u64().unwrap();
    assert!(count.starts_with(&format!("{n} of {n} alerts")), "{count}");
    // The colour scale: the score pill has a background from the score.
    let bg = js(
        &tab,
        "const p = document.querySelector('#alerts-table .score'); return getComputedStyle(p).backgroundColor;",
    );
    assert!(bg.as_str().unwrap().starts_with("rgb("), "{bg}");
    // The numbers that fired an alert: on hover (title) and on expand.
    let first_id = shown_alerts(&tab)[0].0;
    let fired = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == first_id)
        .unwrap()["alert_data"]
        .clone();
    let key = fired.as_object().unwrap().keys().next().unwrap().clone();
    let title = js(
        &tab,
        &format!(
            "return document.querySelector('#alerts-table tr[data-id=\"{first_id}\"]').title;"
        ),
    );
    assert!(
        title.as_str().unwrap().contains(&format!("{key}: ")),
        "{title}"
    );
    tab.find_element(&format!(
        "#alerts-table tr[data-id=\"{first_id}\"] button.expand"
    ))
    .unwrap()
    .click()
    .unwrap();
    let details = js(
        &tab,
        &format!(
            "const d = document.getElementById('alert-{first_id}'); \
             return d ? d.textContent : null;"
        ),
    );
    let label = {
        let s = key.replace('_', " ");
        s[..1].to_uppercase() + &s[1..]
    };
    assert!(
        details.as_str().unwrap().contains(&label),
        "{details} lacks {label}"
    );
    assert_eq!(
        js(
            &tab,
            &format!(
                "return document.querySelector('#alerts-table tr[data-id=\"{first_id}\"] button.expand').getAttribute('aria-expanded');"
            )
        ),
        "true"
    );

    // Exports a week old: the stale banner says so.
    let banners = text(&tab, "#banners");
    assert!(banners.contains("Exports are stale"), "{banners}");
    screenshot(&tab, &artifacts().join("dashboard-stale.png"));

    // The ticker view: the top alert's ticker, its smile and chain from the snapshot.
    let ticker = js(&tab, "return document.getElementById('t-ticker').value;");
    let ticker = ticker.as_str().unwrap().to_string();
    let best = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["score"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    let top: BTreeSet<&str> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["score"].as_f64() == Some(best))
        .map(|a| a["ticker"].as_str().unwrap())
        .collect();
    assert!(
        top.contains(ticker.as_str()),
        "the view opens on a top alert's ticker: {ticker} not in {top:?}"
    );
    wait_for(
        &tab,
        "return !!document.querySelector('#smile-svg circle');",
        "the smile chart",
    );
    let snapshot = get(&server, &format!("/options/{ticker}/snapshot")).json();
    let expiry = js(&tab, "return document.getElementById('t-expiry').value;");
    let expiry = expiry.as_str().unwrap().to_string();
    let mut expiries: Vec<&str> = snapshot["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["expiry"].as_str().unwrap())
        .collect();
    expiries.sort();
    expiries.dedup();
    // The nearest expiry is a day away (a 0- or 1-day smile would flatten the others):
    // the page opens on the nearest with 3 days or more, and leaves the short ones out
    // of the smile until asked.
    let as_of = snapshot["as_of"].as_str().unwrap();
    let short: Vec<&str> = expiries
        .iter()
        .copied()
        .filter(|e| days_to(e, as_of) < 3.0)
        .collect();
    assert!(
        !short.is_empty(),
        "the fixture needs a short expiry: {expiries:?}"
    );
    let long: Vec<&str> = expiries
        .iter()
        .copied()
        .filter(|e| days_to(e, as_of) >= 3.0)
        .collect();
    assert_eq!(
        expiry, long[0],
        "the nearest expiry with 3 days left is selected first"
    );
    let smile_of = |e: &str| -> Vec<(f64, f64)> {
        let pts = js(
            &tab,
            &format!(
                "return [...document.querySelectorAll('#smile-svg g[data-series=\"{e}\"] circle')]\
                 .map(c => [Number(c.dataset.strike), Number(c.dataset.iv)]);"
            ),
        );
        pts.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect()
    };
    let front = expected_smile(&snapshot, &expiry);
    assert!(front.len() > 5, "a real smile has points: {front:?}");
    assert_eq!(smile_of(&expiry), front, "smile of {ticker} {expiry}");
    let series = js(
        &tab,
        "return [...document.querySelectorAll('#smile-svg g[data-series]')].map(g => g.dataset.series);",
    );
    let series_of = |series: &Value| -> Vec<String> {
        series
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    // (The selected series is drawn last, on top: compare as sets.)
    let mut want: Vec<String> = long.iter().take(6).map(|e| e.to_string()).collect();
    let mut got = series_of(&series);
    got.sort();
    want.sort();
    assert_eq!(got, want, "the smile without the short expiries");
    // The toggle brings them back.
    assert_eq!(
        js(
            &tab,
            "return !document.getElementById('smile-short-label').hidden;"
        ),
        true
    );
    tab.find_element("#smile-short").unwrap().click().unwrap();
    let with_short = js(
        &tab,
        "return [...document.querySelectorAll('#smile-svg g[data-series]')].map(g => g.dataset.series);",
    );
    let mut want: Vec<String> = expiries.iter().take(6).map(|e| e.to_string()).collect();
    if !want.contains(&expiry) {
        want.push(expiry.clone());
    }
    let mut got = series_of(&with_short);
    got.sort();
    want.sort();
    assert_eq!(got, want, "the smile with the short expiries");
    assert_eq!(smile_of(short[0]), expected_smile(&snapshot, short[0]));
    tab.find_element("#smile-short").unwrap().click().unwrap();
    let term = js(
        &tab,
        "return document.querySelectorAll('#term-svg circle').length;",
    );
    assert_eq!(
        term.as_u64().unwrap() as usize,
        expiries.len(),
        "a term point per expiry"
    );
    // The chain table: one row per strike of the expiry, calls left and puts right.
    let strikes = js(
        &tab,
        "return [...document.querySelectorAll('#chain-table tbody tr[data-strike]')].map(r => Number(r.dataset.strike));",
    );
    let mut want: Vec<f64> = snapshot["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["expiry"] == expiry.as_str())
        .map(|c| c["strike"].as_f64().unwrap())
        .collect();
    want.sort_by(f64::total_cmp);
    want.dedup();
    let got: Vec<f64> = strikes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(got, want, "chain strikes of {ticker} {expiry}");
    // Another expiry redraws the table and highlights that expiry's smile.
    let other = expiries[1];
    choose(&tab, "t-expiry", other);
    assert_eq!(smile_of(other), expected_smile(&snapshot, other));
    let highlighted = js(
        &tab,
        "return document.querySelector('#smile-svg g.selected').dataset.series;",
    );
    assert_eq!(highlighted, other);
    // An alert on a contract marks its row in the chain (the unusual_activity ones).
    let flagged = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["contract"].is_string() && a["ticker"] == ticker.as_str())
        .map(|a| a["contract"].as_str().unwrap().to_string());
    let expiry_of = |symbol: &str| {
        snapshot["contracts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["symbol"] == symbol)
            .map(|c| c["expiry"].as_str().unwrap().to_string())
    };
    if let Some(contract) = flagged {
        let exp = expiry_of(&contract).unwrap();
        choose(&tab, "t-expiry", &exp);
        let marked: BTreeSet<String> = js(
            &tab,
            "return [...document.querySelectorAll('#chain-table tr[data-unusual]')].map(r => r.dataset.unusual);",
        )
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v.as_str().unwrap().split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
        let want: BTreeSet<String> = alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["ticker"] == ticker.as_str())
            .filter_map(|a| a["contract"].as_str())
            .filter(|c| expiry_of(c).as_deref() == Some(exp.as_str()))
            .map(str::to_string)
            .collect();
        assert!(want.contains(&contract));
        assert_eq!(marked, want, "rows marked for their alerts");
    } else {
        panic!("the fixture needs an alert on a contract of {ticker}: {alerts}");
    }
    // The features come from /features/{ticker}/latest.
    let features = get(&server, &format!("/features/{ticker}/latest")).json();
    let shown = text(&tab, "#features");
    let spot = features["features"]["spot"].as_f64().unwrap();
    assert!(shown.contains(&format!("Spot{spot:.2}")), "{shown}");

    // Sorting: by ticker, then back.
    tab.find_element("#alerts-table th[data-sort=ticker] button")
        .unwrap()
        .click()
        .unwrap();
    let sorted = shown_alerts(&tab);
    assert!(sorted.windows(2).all(|w| w[0].1 <= w[1].1), "{sorted:?}");
    assert_eq!(
        js(
            &tab,
            "return document.querySelector('#alerts-table th[data-sort=ticker]').getAttribute('aria-sort');"
        ),
        "ascending"
    );
    tab.find_element("#alerts-table th[data-sort=score] button")
        .unwrap()
        .click()
        .unwrap();

    // Filters: a detector, then a ticker typed in, then a minimum score.
    let detector = "unusual_activity";
    assert!(detectors.contains(detector), "{detectors:?}");
    choose(&tab, "f-detector", detector);
    assert_alerts_match(
        &tab,
        &alerts,
        |a| a["detector_name"] == detector,
        "detector filter",
    );
    let one = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["detector_name"] == detector)
        .unwrap()["ticker"]
        .as_str()
        .unwrap()
        .to_string();
    tab.find_element("#f-ticker")
        .unwrap()
        .click()
        .unwrap()
        .type_into(&one.to_lowercase())
        .unwrap();
    let both = |a: &Value| a["detector_name"] == detector && a["ticker"] == one.as_str();
    assert_alerts_match(&tab, &alerts, both, "detector + ticker filter");
    assert!(!shown_alerts(&tab).is_empty());
    choose(&tab, "f-min-score", "101");
    assert!(shown_alerts(&tab).is_empty(), "no score is above 100");
    let empty = text(&tab, "#alerts-table tbody");
    assert!(empty.contains("No alert matches"), "{empty}");
    choose(&tab, "f-min-score", "0");

    // A new scan and export, later: the page picks it up by itself, keeps the filters,
    // and the stale banner goes. The wall clock's now is later than FIRST and makes a
    // fresh export whatever day the test runs.
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    scan_and_export(&home, &now);
    wait_for(
        &tab,
        "return !!document.querySelector('#scans-table tr[data-scan=\"2\"]');",
        "scan #2 in the scans table",
    );
    wait_for(
        &tab,
        "return document.getElementById('ticker-meta').textContent.includes('scan #2');",
        "the ticker's chain from scan #2",
    );
    wait_refreshes(&tab, 1);
    let fresh = get(&server, "/alerts?limit=1000").json();
    assert_ne!(fresh["export_timestamp"], alerts["export_timestamp"]);
    assert_eq!(
        js(
            &tab,
            "return [document.getElementById('f-detector').value, document.getElementById('f-ticker').value];"
        ),
        serde_json::json!([detector, one.to_lowercase()]),
        "the filters survive a refresh"
    );
    assert_alerts_match(&tab, &fresh, both, "filters applied to the new export");
    let scans = get(&server, "/scans").json();
    let statuses = js(
        &tab,
        "return [...document.querySelectorAll('#scans-table tr[data-scan]')].map(r => [Number(r.dataset.scan), r.dataset.status]);",
    );
    let want: Vec<Value> = scans["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!([s["id"], s["status"]]))
        .collect();
    assert_eq!(statuses, Value::Array(want));
    let banners = text(&tab, "#banners");
    assert!(!banners.contains("stale"), "{banners}");
    // When alerts tie for the top score the page may open another of them after the
    // refresh: compare against the ticker it shows now.
    let shown = js(&tab, "return document.getElementById('t-ticker').value;");
    let shown = shown.as_str().unwrap().to_string();
    let snapshot = get(&server, &format!("/options/{shown}/snapshot")).json();
    let expiry = js(&tab, "return document.getElementById('t-expiry').value;");
    let expiry = expiry.as_str().unwrap().to_string();
    assert_eq!(
        smile_of(&expiry),
        expected_smile(&snapshot, &expiry),
        "new smile"
    );

    // Clearing the filters shows every alert of the new export.
    tab.find_element("#alert-filters button[type=reset]")
        .unwrap()
        .click()
        .unwrap();
    let n = fresh["alert_count"].as_u64().unwrap();
    wait_for(
        &tab,
        &format!(
            "return document.getElementById('f-detector').value === '' && \
             document.getElementById('f-ticker').value === '' && \
             document.getElementById('alerts-count').textContent.startsWith('{n} of {n} alerts');"
        ),
        "cleared filters",
    );
    assert_alerts_match(&tab, &fresh, |_| true, "all alerts of the new export");

    // Unchanged documents were revalidated with their ETags: the server answered 304s.
    wait_refreshes(&tab, 2);
    let metrics = String::from_utf8(get(&server, "/metrics").body).unwrap();
    for route in [
        "/alerts",
        "/scans",
        "/tickers",
        "/options/{ticker}/snapshot",
    ] {
        let line = format!("optctl_http_requests_total{{route=\"{route}\",status=\"304\"}} ");
        assert!(metrics.contains(&line), "no 304 on {route}:\n{metrics}");
    }
    // The operations panels stay hidden until their job has run: no workbook processed,
    // no enrichment run, no scheduler comparison here, though their routes answer.
    assert_eq!(
        get(&server, "/api/v1/enrichment/history?limit=20").json()["runs"],
        serde_json::json!([])
    );
    assert_eq!(
        get(&server, "/api/scheduler/stats/comparison").json()["count"],
        0
    );
    assert_eq!(
        js(
            &tab,
            "return ['enrichment', 'excel', 'scheduler'].map(id => document.getElementById(id).hidden) \
             .concat(['enrichment', 'scheduler'].map(id => document.getElementById(id).dataset.ranJob));"
        ),
        serde_json::json!([true, true, true, "no", "no"])
    );

    screenshot(&tab, &artifacts().join("dashboard.png"));
    // A phone-width look, for whoever reads the artifacts.
    tab.call_method(
        headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride {
            width: 390,
            height: 844,
            device_scale_factor: 1.0,
            mobile: true,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        },
    )
    .unwrap();
    let overflow = js(
        &tab,
        "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
    );
    assert_eq!(
        overflow, true,
        "the page fits a phone's width (tables scroll inside)"
    );
    screenshot(&tab, &artifacts().join("dashboard-phone.png"));

    // A notification's link (`/#ticker=X`) opens the ticker it names: on a fresh load,
    // and when only the fragment changes.
    let shown = text(&tab, "#ticker-name");
    let names = js(
        &tab,
        "return Array.from(document.getElementById('t-ticker').options).map(o => o.value);",
    );
    let names: Vec<String> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let other = names
        .iter()
        .find(|n| **n != shown)
        .expect("two tickers")
        .clone();
    tab.navigate_to("about:blank").unwrap();
    tab.navigate_to(&server.url(&format!("/#ticker={}", other.to_lowercase())))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_for(
        &tab,
        &format!("return document.getElementById('ticker-name').textContent === {other:?};"),
        "the ticker named in the link",
    );
    js(
        &tab,
        &format!("location.hash = '#ticker={shown}'; return true;"),
    );
    wait_for(
        &tab,
        &format!("return document.getElementById('ticker-name').textContent === {shown:?};"),
        "the ticker named in the changed fragment",
    );
}

/// With `--token`, the page asks once, keeps the token for the tab, and sends it.
#[test]
#[ignore = "needs chromium"]
fn dashboard_asks_for_the_token_once_and_sends_it() {
    let chromium = chromium();
    let (_home, server) = served(crate::harness::NOW, &["--token", "t0ken-42"]);
    let (_profile, _browser, tab) = open(chromium, &server.url("/"));
    wait_for(
        &tab,
        "return !document.getElementById('token-form').hidden;",
        "the token form",
    );
    assert!(shown_alerts(&tab).is_empty(), "no data before the token");
    // A wrong token is refused, and the form says so.
    tab.find_element("#token-input")
        .unwrap()
        .click()
        .unwrap()
        .type_into("wrong")
        .unwrap();
    tab.press_key("Enter").unwrap();
    wait_for(
        &tab,
        "return document.getElementById('token-error').textContent.includes('refused');",
        "the refusal",
    );
    tab.find_element("#token-input")
        .unwrap()
        .click()
        .unwrap()
        .type_into("t0ken-42")
        .unwrap();
    tab.press_key("Enter").unwrap();
    wait_refreshes(&tab, 1);
    let api = get_with(
        &agent(),
        &server.url("/alerts?limit=1000"),
        &[("Authorization", "Bearer t0ken-42")],
    )
    .json();
    assert_eq!(
        js(&tab, "return document.getElementById('token-form').hidden;"),
        true
    );
    assert_alerts_match(&tab, &api, |_| true, "alerts with the token");
    assert!(
        js(
            &tab,
            "return document.querySelectorAll('#scans-table tr[data-scan]').length;"
        )
        .as_u64()
        .unwrap()
            > 0
    );
    // A reload keeps the token for this tab: no question asked again.
    tab.reload(false, None)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_refreshes(&tab, 1);
    assert_eq!(
        js(&tab, "return document.getElementById('token-form').hidden;"),
        true
    );
    assert_alerts_match(&tab, &api, |_| true, "alerts after a reload");
}

/// A server that accepts requests and never answers them must show as an error within
/// the page's fetch timeout (10 s at the least), not as a page stuck at "Loading…"; and
/// the page must recover by itself once answers come again.
#[test]
#[ignore = "needs chromium"]
fn dashboard_shows_a_server_that_does_not_answer_and_recovers() {
    let chromium = chromium();
    let (_home, server) = served(crate::harness::NOW, &[]);
    let alerts = get(&server, "/alerts?limit=1000").json();
    let proxy = StallingProxy::start(server.addr);
    let (_profile, _browser, tab) = open(chromium, &proxy.url("/"));

    // The first refresh's requests are never answered: the page gives up on them and
    // says so in the header, a banner and the alerts table.
    wait_for(
        &tab,
        "return document.getElementById('updated').textContent.startsWith('Last try');",
        "'Last try' after requests that got no answer",
    );
    let banners = text(&tab, "#banners");
    assert!(
        banners.contains("Cannot reach optctl serve") && banners.contains("no answer in 10 s"),
        "{banners}"
    );
    let table = text(&tab, "#alerts-table tbody");
    assert!(table.contains("no answer in 10 s"), "{table}");
    assert!(shown_alerts(&tab).is_empty());

    // Answers again: the next refresh draws the data and the banner goes.
    proxy.set_stall(false);
    wait_for(
        &tab,
        "return document.getElementById('updated').textContent.startsWith('Updated') && \
         !document.getElementById('banners').textContent.includes('Cannot reach');",
        "the page recovered",
    );
    assert_alerts_match(
        &tab,
        &alerts,
        |_| true,
        "alerts after the server answered again",
    );
}

/// The chain's row for each strike of `expiry` in `snapshot`: (strike, call OI, put OI).
fn oi_by_strike(snapshot: &Value, expiry: &str) -> Vec<(f64, f64, f64)> {
    let mut by: std::collections::BTreeMap<u64, (f64, f64, f64)> = Default::default();
    for c in snapshot["contracts"].as_array().unwrap() {
        if c["expiry"] != expiry {
            continue;
        }
        let k = c["strike"].as_f64().unwrap();
        let oi = c["open_interest"].as_f64().unwrap();
        let e = by.entry(k.to_bits()).or_insert((k, 0.0, 0.0));
        if c["right"] == "put" {
            e.2 = oi;
        } else {
            e.1 = oi;
        }
    }
    let mut v: Vec<_> = by.into_values().collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Whether the element matched by `selector` lies inside #chain-scroll's visible box.
fn in_chain_view(tab: &Tab, selector: &str) -> bool {
    js(
        tab,
        &format!(
            "const box = document.getElementById('chain-scroll').getBoundingClientRect(); \
             const r = document.querySelector({selector:?}).getBoundingClientRect(); \
             return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;"
        ),
    ) == Value::Bool(true)
}

/// Twenty-two scans over the last three days: the scans table pages, the alerts of the
/// last seven days page from the store, the simulated data has its badge, an alert's
/// link opens its contract highlighted, the chain starts at the money and shows all
/// greeks on demand, the OI chart marks max pain and the walls, and times follow the
/// chosen zone across a reload.
#[test]
#[ignore = "needs chromium"]
fn dashboard_pages_links_alerts_and_follows_the_chosen_zone() {
    let chromium = chromium();
    let home = Home::new();
    // Volume bursts on ten names: alerts repeat at most once per contract and session,
    // so it takes that many to fill more than one 50-alert page of history in a week.
    let bursts: String = BURST_TICKERS
        .split(',')
        .map(|t| {
            format!(
                "  {{ ticker = \"{t}\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }},\n"
            )
        })
        .collect();
    home.write_config(&format!(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [\n{bursts}]\n"
    ));
    // Every 7 hours back over 6.4 days: at least four NYSE sessions whatever today's
    // weekday (every 3 hours covered three on a Saturday: 48 alerts, one page).
    let now = chrono::Utc::now();
    for k in (1..=22).rev() {
        let as_of = (now - chrono::Duration::hours(7 * k))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        home.cmd(["-q", "scan", "--tickers", BURST_TICKERS, "--as-of", &as_of])
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
    }
    home.cmd(["-q", "export"])
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    let server = Server::start(&home, &["--refresh-secs", "2"]);
    let scans = get(&server, "/scans").json();
    let scan_ids: Vec<i64> = scans["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(scan_ids.len(), 22, "{scans}");
    assert_eq!(scans["scans"][0]["provider"], "sim");

    let (profile, browser, tab) = open(chromium.clone(), &server.url("/"));
    wait_refreshes(&tab, 1);

    // The badge: the newest scan's provider is the simulator.
    assert_eq!(
        js(&tab, "return !document.getElementById('sim-badge').hidden;"),
        true
    );
    assert_eq!(text(&tab, "#sim-badge"), "Simulated data");

    // The scans table: 20 a page, newest first, and the rest on the next.
    let shown_scans = |tab: &Tab| -> Vec<i64> {
        js(
            tab,
            "return [...document.querySelectorAll('#scans-table tr[data-scan]')].map(r => Number(r.dataset.scan));",
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
    };
    assert_eq!(shown_scans(&tab), scan_ids[..20]);
    assert!(text(&tab, "#scans-page").starts_with("Scans 1–20 of 22"));
    tab.find_element("#scans-next").unwrap().click().unwrap();
    assert_eq!(shown_scans(&tab), scan_ids[20..]);
    assert_eq!(
        js(
            &tab,
            "return document.getElementById('scans-next').disabled;"
        ),
        true
    );
    tab.find_element("#scans-prev").unwrap().click().unwrap();
    assert_eq!(shown_scans(&tab), scan_ids[..20]);

    // The chain starts at the money: the at-spot row is in the table's view.
    wait_for(
        &tab,
        "return !!document.querySelector('#chain-table tr.at-spot');",
        "the chain",
    );
    assert!(
        js(
            &tab,
            "return document.getElementById('chain-scroll').scrollTop > 0;"
        ) == true,
        "the chain is scrolled to the money"
    );
    assert!(in_chain_view(&tab, "#chain-table tr.at-spot"));

    // The greeks toggle adds gamma, theta and vega on both sides.
    let heads = |tab: &Tab| -> Vec<String> {
        js(
            tab,
            "return [...document.querySelector('#chain-table thead').rows[1].cells].map(c => c.textContent);",
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
    };
    assert_eq!(heads(&tab).len(), 13);
    assert!(!heads(&tab).contains(&"Gamma".to_string()));
    tab.find_element("#chain-greeks").unwrap().click().unwrap();
    let with = heads(&tab);
    assert_eq!(with.len(), 19, "{with:?}");
    for g in ["Gamma", "Theta", "Vega"] {
        assert_eq!(
            with.iter().filter(|h| *h == g).count(),
            2,
            "{g} in {with:?}"
        );
    }
    let ticker = text(&tab, "#ticker-name");
    let snapshot = get(&server, &format!("/options/{ticker}/snapshot")).json();
    let expiry = js(&tab, "return document.getElementById('t-expiry').value;");
    let expiry = expiry.as_str().unwrap().to_string();
    let strike = js(
        &tab,
        "return Number(document.querySelector('#chain-table tr.at-spot').dataset.strike);",
    )
    .as_f64()
    .unwrap();
    let call = snapshot["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["expiry"] == expiry.as_str() && c["strike"] == strike && c["right"] == "call")
        .unwrap();
    let gamma: f64 = js(
        &tab,
        "return document.querySelector('#chain-table tr.at-spot td[data-col=gamma]').textContent;",
    )
    .as_str()
    .unwrap()
    .parse()
    .unwrap();
    let want = call["gamma"].as_f64().unwrap();
    assert!(
        (gamma - want).abs() <= 0.0005 + want.abs() * 0.01,
        "gamma {gamma} vs {want}"
    );

    // The OI chart: max pain and the walls of the selected expiry.
    let oi = oi_by_strike(&snapshot, &expiry);
    let pain = oi
        .iter()
        .map(|&(at, _, _)| {
            let pay: f64 = oi
                .iter()
                .map(|&(k, c, p)| (at - k).max(0.0) * c + (k - at).max(0.0) * p)
                .sum();
            (pay, at)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
        .1;
    let wall = |pick: fn(&(f64, f64, f64)) -> f64| {
        oi.iter()
            .fold(oi[0], |a, b| if pick(b) > pick(&a) { *b } else { a })
            .0
    };
    let marks = js(
        &tab,
        "const d = document.getElementById('oi').dataset; \
         return [Number(d.maxPain), Number(d.callWall), Number(d.putWall), \
                 document.querySelectorAll('#oi-svg rect.oi-call').length];",
    );
    let marks: Vec<f64> = marks
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        marks,
        [pain, wall(|r| r.1), wall(|r| r.2), oi.len() as f64],
        "max pain, call wall, put wall, bars"
    );

    // Gamma exposure by strike under it: one bar per strike of the expiry, the sum of its
    // contracts' `gex` from the snapshot, calls' exposure up and puts' down.
    let mut want: std::collections::BTreeMap<u64, f64> = Default::default();
    for c in snapshot["contracts"].as_array().unwrap() {
        if c["expiry"] == expiry.as_str()
            && let Some(g) = c["gex"].as_f64()
        {
            *want
                .entry(c["strike"].as_f64().unwrap().to_bits())
                .or_default() += g;
        }
    }
    assert!(want.len() > 5, "the snapshot carries gex: {}", want.len());
    let bars = js(
        &tab,
        "return [...document.querySelectorAll('#oi-svg rect.gex-pos, #oi-svg rect.gex-neg')]          .map((r) => [Number(r.dataset.strike), Number(r.dataset.gex), r.classList.contains('gex-pos')]);",
    );
    let bars = bars.as_array().unwrap();
    assert_eq!(bars.len(), want.len(), "one GEX bar per strike");
    for b in bars {
        let (k, v, up) = (
            b[0].as_f64().unwrap(),
            b[1].as_f64().unwrap(),
            b[2].as_bool().unwrap(),
        );
        let w = want[&k.to_bits()];
        assert!(
            (v - w).abs() <= 1e-6 * w.abs().max(1.0),
            "strike {k}: {v} vs {w}"
        );
        assert_eq!(up, w >= 0.0, "strike {k}: {w}");
    }
    assert!(text(&tab, "#oi-meta").contains("GEX by strike"));

    // Seven days of alerts from the store, a page of 50 at a time.
    let page0 = get(&server, "/alerts/history?since=7d&limit=50&offset=0").json();
    let page1 = get(&server, "/alerts/history?since=7d&limit=50&offset=50").json();
    assert_eq!(
        page0["has_more"], true,
        "the fixture needs two pages: {page0}"
    );
    let shown_ids =
        |tab: &Tab| -> BTreeSet<i64> { shown_alerts(tab).into_iter().map(|r| r.0).collect() };
    let api_ids = |v: &Value| -> BTreeSet<i64> {
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    choose(&tab, "alerts-window", "7d");
    wait_for(
        &tab,
        "return document.getElementById('alerts-count').textContent.includes('from the store');",
        "the store's alerts",
    );
    assert_eq!(shown_ids(&tab), api_ids(&page0));
    assert!(text(&tab, "#alerts-count").contains("alerts 1–50 of the last 7 days"));
    tab.find_element("#alerts-next").unwrap().click().unwrap();
    wait_for(
        &tab,
        "return document.getElementById('alerts-page').textContent === 'Page 2';",
        "page 2",
    );
    assert_eq!(shown_ids(&tab), api_ids(&page1));
    tab.find_element("#alerts-prev").unwrap().click().unwrap();
    wait_for(
        &tab,
        "return document.getElementById('alerts-page').textContent === 'Page 1';",
        "page 1",
    );
    assert_eq!(shown_ids(&tab), api_ids(&page0));
    choose(&tab, "alerts-window", "export");
    wait_for(
        &tab,
        "return document.getElementById('alerts-pager').hidden;",
        "the export's alerts",
    );

    // An alert's link opens its ticker at the alerted expiry, the contract highlighted
    // and in view.
    let alerts = get(&server, "/alerts?limit=1000").json();
    let alert = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["contract"].is_string() && a["ticker"] != ticker.as_str())
        .or_else(|| {
            alerts["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["contract"].is_string())
        })
        .expect("an alert on a contract")
        .clone();
    let (a_ticker, contract) = (
        alert["ticker"].as_str().unwrap().to_string(),
        alert["contract"].as_str().unwrap().to_string(),
    );
    let a_snapshot = get(&server, &format!("/options/{a_ticker}/snapshot")).json();
    let a_contract = a_snapshot["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["symbol"] == contract.as_str())
        .unwrap()
        .clone();
    let a_expiry = a_contract["expiry"].as_str().unwrap().to_string();
    let check_linked = |tab: &Tab, how: &str| {
        wait_for(
            tab,
            &format!(
                "const r = document.querySelector('#chain-table tr.linked'); \
                 return document.getElementById('ticker-name').textContent === {a_ticker:?} && \
                 document.getElementById('t-expiry').value === {a_expiry:?} && \
                 r !== null && r.dataset.linked === {contract:?};"
            ),
            how,
        );
        assert_eq!(
            js(
                tab,
                "return document.querySelectorAll('#chain-table tr.linked').length;"
            ),
            1
        );
        assert_eq!(
            js(
                tab,
                "return Number(document.querySelector('#chain-table tr.linked').dataset.strike);"
            )
            .as_f64(),
            a_contract["strike"].as_f64()
        );
        assert!(
            in_chain_view(tab, "#chain-table tr.linked"),
            "{how}: row in view"
        );
    };
    let id = alert["id"].as_i64().unwrap();
    tab.find_element(&format!("#alerts-table tr[data-id=\"{id}\"] a.link"))
        .unwrap()
        .click()
        .unwrap();
    check_linked(&tab, "the alert's contract after its link (hashchange)");
    let hash = js(&tab, "return location.hash;");
    assert!(
        hash.as_str()
            .unwrap()
            .contains(&format!("expiry={a_expiry}")),
        "{hash}"
    );

    // Times in the chosen zone, remembered across a reload (and read on load: a link).
    let as_of: chrono::DateTime<chrono::Utc> = scans["scans"][0]["as_of"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let first_time = |tab: &Tab| text(tab, "#scans-table tr[data-scan] td time");
    assert_eq!(
        first_time(&tab),
        format!("{} UTC", as_of.format("%Y-%m-%d %H:%M"))
    );
    choose(&tab, "tz", "Asia/Kolkata");
    let kolkata = format!(
        "{} IST",
        as_of
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .format("%Y-%m-%d %H:%M")
    );
    wait_for(
        &tab,
        &format!(
            "return document.querySelector('#scans-table tr[data-scan] td time').textContent === {kolkata:?};"
        ),
        "scan times in Kolkata",
    );
    assert!(text(&tab, "#alerts-table tbody").contains(" IST"));
    assert!(!text(&tab, "#alerts-table tbody").contains(" UTC"));
    let link = server.url(&format!(
        "/#ticker={a_ticker}&expiry={a_expiry}&contract={contract}"
    ));
    tab.navigate_to("about:blank").unwrap();
    tab.navigate_to(&link)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_refreshes(&tab, 1);
    assert_eq!(first_time(&tab), kolkata, "the zone is remembered");
    assert_eq!(
        js(&tab, "return document.getElementById('tz').value;"),
        "Asia/Kolkata"
    );
    check_linked(&tab, "the alert's contract from a link on load");
    choose(&tab, "tz", "America/New_York");
    let new_york = format!(
        "{} ET",
        as_of
            .with_timezone(&chrono_tz::America::New_York)
            .format("%Y-%m-%d %H:%M")
    );
    wait_for(
        &tab,
        &format!(
            "return document.querySelector('#scans-table tr[data-scan] td time').textContent === {new_york:?};"
        ),
        "scan times in New York",
    );
    screenshot(&tab, &artifacts().join("dashboard-linked.png"));
    drop((tab, browser, profile));
}

/// Clicks the control button whose `data-control` is `control` and waits for its answer
/// (`data-control` on the page: done, failed or refused).
fn click_control(tab: &Tab, control: &str) -> String {
    js(
        tab,
        &format!(
            "document.documentElement.dataset.control = ''; \
             document.querySelector('#control-buttons button[data-control=\"{control}\"]').click(); \
             return true;"
        ),
    );
    wait_for(
        tab,
        "return ['done', 'failed', 'refused'].includes(document.documentElement.dataset.control);",
        control,
    );
    js(
        tab,
        "return document.documentElement.dataset.control + ' ' + \
         document.getElementById('control-result').textContent;",
    )
    .as_str()
    .unwrap()
    .to_string()
}

fn unlock_controls(tab: &Tab, token: &str) {
    js(
        tab,
        &format!(
            "document.getElementById('control-token').value = '{token}'; \
             document.getElementById('control-token-form').requestSubmit(); return true;"
        ),
    );
    wait_for(
        tab,
        "return !document.getElementById('control-buttons').hidden;",
        "the control buttons",
    );
}

/// The control buttons appear once a control token is entered, act through the control
/// routes (the state they change is what the CLI reads), say what came of it, and a
/// refused token locks them again.
#[test]
#[ignore = "needs chromium"]
fn dashboard_controls_act_once_a_control_token_is_entered() {
    let chromium = chromium();
    let home = Home::new();
    home.write_config(&format!(
        "{PLANTED}\n[serve]\ncontrol_token = \"c0ntrol-99\"\n"
    ));
    scan_and_export(&home, crate::harness::NOW);
    let server = Server::start(&home, &["--refresh-secs", "1"]);
    let (_profile, _browser, tab) = open(chromium, &server.url("/"));
    wait_refreshes(&tab, 1);
    assert_eq!(
        js(
            &tab,
            "return document.getElementById('control-buttons').hidden;"
        ),
        true,
        "no buttons before a control token"
    );

    // A wrong token: the server refuses it and the buttons lock again.
    unlock_controls(&tab, "wrong");
    let said = click_control(&tab, "POST /api/v1/background/stop");
    assert!(
        said.starts_with("refused") && said.contains("control token"),
        "{said}"
    );
    assert_eq!(
        js(
            &tab,
            "return document.getElementById('control-buttons').hidden;"
        ),
        true
    );

    unlock_controls(&tab, "c0ntrol-99");
    assert_eq!(
        js(
            &tab,
            "return document.getElementById('control-token-form').offsetParent === null;"
        ),
        true,
        "the token field goes away once the controls are unlocked"
    );
    let said = click_control(&tab, "POST /api/v1/background/stop");
    assert!(said.starts_with("done") && said.contains("200"), "{said}");
    let status = home.json(["process-excel", "status", "--json"]);
    assert_eq!(status["background"]["paused"], true, "{status}");

    js(
        &tab,
        "document.getElementById('c-reason').value = 'vendor outage'; return true;",
    );
    let said = click_control(&tab, "POST /api/v1/enrichment/pause");
    assert!(said.starts_with("done"), "{said}");
    let enrich = home.json(["enrich", "status", "--json"]);
    assert_eq!(enrich["paused"]["reason"], "vendor outage", "{enrich}");
    // A trigger while paused: the page shows the server's reason.
    let said = click_control(&tab, "POST /api/v1/enrichment/trigger");
    assert!(
        said.starts_with("failed") && said.contains("paused"),
        "{said}"
    );

    js(
        &tab,
        "document.getElementById('c-interval').value = '12'; return true;",
    );
    let said = click_control(&tab, "PUT /api/v1/background/interval/");
    assert!(said.starts_with("done"), "{said}");
    let status = home.json(["process-excel", "status", "--json"]);
    assert_eq!(status["process_interval"], 12, "{status}");

    for control in [
        "POST /api/scheduler/cache/clear",
        "POST /api/v1/enrichment/resume",
        "POST /api/v1/background/start",
    ] {
        let said = click_control(&tab, control);
        assert!(said.starts_with("done"), "{control}: {said}");
    }
    let status = home.json(["process-excel", "status", "--json"]);
    assert_eq!(status["background"]["paused"], false);
    assert_eq!(
        home.json(["enrich", "status", "--json"])["paused"]["paused"],
        false
    );
    screenshot(&tab, &artifacts().join("dashboard-controls.png"));
    // Every click that showed the control token is audited; the refused one is not.
    assert_eq!(
        home.count("SELECT count(*) FROM control_audit WHERE token_id LIKE 'control:%'"),
        7
    );
    assert_eq!(home.count("SELECT count(*) FROM control_audit"), 7);
}
