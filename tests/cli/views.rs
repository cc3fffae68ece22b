//! The terminal views: `optctl chain`, `optctl show` and `optctl screen` over stored
//! scans of the simulator at fixed times, their tables snapshotted
//! (`tests/cli/snapshots/cli__views__*.snap`), their numbers checked against the
//! stored rows, and their errors.

use predicates::str::contains;
use serde_json::Value;

use crate::harness::{Home, describe};

/// Calm market with a volume burst planted on AAPL (an unusual_activity alert on one
/// contract), IV rank reported from 2 daily observations so a three-scan history has it.
const MARKET: &str = r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-01T00:00:00Z" }]

[scan]
min_iv_observations = 2
"#;

/// A month ago, a week ago, now.
const SCANS: [&str; 3] = [
    "2026-10-23T15:00:00Z",
    "2026-11-16T15:00:00Z",
    "2026-11-23T15:00:00Z",
];

/// A home with three scans of SPY and AAPL, SPY enriched.
fn history() -> Home {
    let home = Home::new();
    home.write_config(MARKET);
    for at in SCANS {
        home.cmd([
            "scan",
            "-q",
            "--no-notify",
            "--tickers",
            "SPY,AAPL",
            "--as-of",
            at,
        ])
        .assert()
        .success();
    }
    home.cmd(["enrich", "run", "-q", "--symbols", "SPY"])
        .assert()
        .success();
    home
}

fn stdout(home: &Home, args: &[&str]) -> String {
    let out = home.cmd(args).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail with `code`; returns its stderr.
fn fails(home: &Home, args: &[&str], code: i32) -> String {
    let out = home.cmd(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn chain_shows_one_expiry_around_the_money_with_alerted_contracts_marked() {
    let home = history();
    // The planted burst alerted one AAPL put of the December monthly.
    let alerted = home.json(["alerts", "--json", "--detector", "unusual_activity"]);
    let contract = alerted["alerts"][0]["contract"]
        .as_str()
        .unwrap()
        .to_string();
    let table = stdout(
        &home,
        &["chain", "aapl", "--expiry", "2026-12-18", "--strikes", "4"],
    );
    insta::assert_snapshot!("chain-aapl-monthly", table);
    let marked: Vec<&str> = table
        .lines()
        .filter(|l| l.trim_end().ends_with('*'))
        .collect();
    assert_eq!(marked.len(), 1, "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("* put ")
                && l.contains(&format!(" {contract}: unusual_activity"))),
        "{table}"
    );

    // Default: the nearest expiry with at least 3 days left, 10 strikes; the alert on a
    // contract not shown is pointed to.
    let v = home.json(["chain", "AAPL", "--json"]);
    assert_eq!(v["expiry"], "2026-11-27");
    assert_eq!(v["days"], 4);
    assert_eq!(v["strike_count"], 10);
    assert_eq!(v["scan_id"], 3);
    let forward = v["forward"].as_f64().unwrap();
    let strikes: Vec<f64> = v["strikes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["strike"].as_f64().unwrap())
        .collect();
    // The ten strikes nearest the forward, in order.
    let all: Vec<f64> = {
        home.rows(
            "SELECT DISTINCT strike FROM chain_snapshots
             WHERE scan_id = 3 AND ticker = 'AAPL' AND expiry = '2026-11-27' ORDER BY strike",
        )
        .into_iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect()
    };
    let mut nearest = all.clone();
    nearest.sort_by(|a, b| (a - forward).abs().total_cmp(&(b - forward).abs()));
    nearest.truncate(10);
    nearest.sort_by(f64::total_cmp);
    assert_eq!(strikes, nearest);
    let text = stdout(&home, &["chain", "AAPL"]);
    assert!(
        text.contains("1 more alert(s) of scan 3 on contracts not shown"),
        "{text}"
    );

    // --greeks adds gamma, theta and vega on both sides.
    let greeks = stdout(&home, &["chain", "SPY", "--greeks", "--strikes", "3"]);
    insta::assert_snapshot!("chain-spy-greeks", greeks);
    let header = greeks.lines().nth(2).unwrap();
    for g in ["gamma", "theta", "vega"] {
        assert_eq!(header.matches(g).count(), 2, "{header}");
    }

    // --dte picks the nearest expiry; --delta keeps the strikes in the band.
    let v = home.json([
        "chain", "SPY", "--json", "--dte", "30", "--delta", "0.3..0.7",
    ]);
    assert_eq!(v["expiry"], "2026-12-25");
    let rows = v["strikes"].as_array().unwrap();
    assert!(rows.len() >= 3, "{v}");
    for r in rows {
        let d = r["call"]["delta"].as_f64().unwrap();
        assert!((0.3..=0.7).contains(&d), "{r}");
    }

    // --scan reads an older chain.
    let v = home.json(["chain", "SPY", "--json", "--scan", "2"]);
    assert_eq!(v["scan_id"], 2);
    assert_eq!(v["as_of"], SCANS[1]);
}

#[test]
fn chain_csv_is_one_line_per_contract() {
    let home = history();
    let csv = stdout(
        &home,
        &[
            "chain",
            "AAPL",
            "--expiry",
            "2026-12-18",
            "--strikes",
            "4",
            "--csv",
        ],
    );
    insta::assert_snapshot!("chain-aapl-csv", csv);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("ticker,expiry,strike,right,symbol,bid,ask")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows.iter().filter(|l| l.ends_with(",true")).count(), 1);
}

#[test]
fn chain_errors_say_what_exists() {
    let home = Home::new();
    home.write_config(MARKET);
    let e = fails(&home, &["chain", "SPY"], 1);
    assert!(e.contains("run `optctl scan` first"), "{e}");
    // A database without scans (enrich created it).
    home.cmd(["enrich", "run", "-q", "--symbols", "SPY"])
        .assert()
        .success();
    let e = fails(&home, &["chain", "SPY"], 1);
    assert!(
        e.contains("no scan has stored a chain yet: run `optctl scan` first"),
        "{e}"
    );
    let e = fails(&home, &["screen"], 1);
    assert!(e.contains("run `optctl scan` first"), "{e}");

    home.cmd(["scan", "-q", "--no-notify", "--tickers", "SPY,AAPL"])
        .assert()
        .success();
    let e = fails(&home, &["chain", "MSFT"], 2);
    assert!(
        e.contains("MSFT: no stored chain in any kept scan; the latest scan (1) has AAPL, SPY"),
        "{e}"
    );
    let e = fails(&home, &["show", "MSFT"], 2);
    assert!(e.contains("the latest scan (1) has AAPL, SPY"), "{e}");
    let e = fails(&home, &["chain", "SPY", "--scan", "7"], 2);
    assert!(e.contains("scan 7 keeps no chains"), "{e}");
    let e = fails(&home, &["chain", "SPY", "--expiry", "2026-11-28"], 2);
    assert!(
        e.contains("no expiry 2026-11-28 in scan 1; its expiries are 2026-11-27, 2026-12-04, "),
        "{e}"
    );
    let e = fails(&home, &["chain", "SPY", "--delta", "0.9..0.1"], 2);
    assert!(e.contains("low first"), "{e}");
    let e = fails(&home, &["chain", "SPY", "--csv", "--json"], 2);
    assert!(e.contains("pick one"), "{e}");
    home.cmd(["chain", "SPY", "--strikes", "3", "--delta", "0.25"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

#[test]
fn show_pairs_iv_with_its_history_and_realized_vol() {
    let home = history();
    let text = stdout(&home, &["show", "SPY"]);
    insta::assert_snapshot!("show-spy", text);
    let v = home.json(["show", "SPY", "--json"]);
    let now = v["iv30"]["now"].as_f64().unwrap();
    assert_eq!(v["iv30"]["week_ago"]["as_of"], SCANS[1]);
    assert_eq!(v["iv30"]["month_ago"]["as_of"], SCANS[0]);
    assert_eq!(v["iv_rank"]["observations"], 2);
    assert!(v["iv_rank"]["rank"].is_number(), "{v}");
    // IV30 − HV20 is the stored feature minus enrich's stored realized vol.
    let hv20: f64 = home
        .value("SELECT rv_20 FROM indicators WHERE symbol = 'SPY' AND timeframe = '1d'")
        .unwrap()
        .parse()
        .unwrap();
    let diff = v["realized_vol"]["iv30_minus_hv20"].as_f64().unwrap();
    assert!(
        (diff - (now - hv20)).abs() < 1e-12,
        "{diff} vs {now} - {hv20}"
    );
    // One row per stored expiry, nearest first; the smile is of the December monthly.
    let term = v["term_structure"].as_array().unwrap();
    let expiries = home.count(
        "SELECT count(DISTINCT expiry) FROM chain_snapshots WHERE scan_id = 3 AND ticker = 'SPY'",
    );
    assert_eq!(term.len() as i64, expiries);
    assert_eq!(v["smile"]["expiry"], "2026-12-18");
    assert!(
        term.iter()
            .all(|e| e["expected_move"].as_f64().unwrap() > 0.0)
    );
    // Every stored feature column is shown, whatever its name.
    for k in v["features"].as_object().unwrap().keys() {
        if k != "ticker" && k != "as_of" {
            assert!(text.contains(&format!("\n {k} ")), "{k} missing:\n{text}");
        }
    }

    // Not enriched: said so; its alerts are listed.
    let text = stdout(&home, &["show", "aapl"]);
    insta::assert_snapshot!("show-aapl", text);
    assert!(
        text.contains("not enriched (optctl enrich run --symbols AAPL)"),
        "{text}"
    );
    assert!(text.contains("unusual_activity"), "{text}");
    let v = home.json(["show", "AAPL", "--json"]);
    assert_eq!(v["realized_vol"], Value::Null);
}

#[test]
fn screen_filters_sorts_and_explains_its_fields() {
    let home = history();
    // AAPL's planted put burst: a put/call volume ratio far above 1.5.
    let v = home.json(["screen", "--json", "pcr_volume > 1.5"]);
    let tickers = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ticker"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(tickers(&v), ["AAPL"]);
    assert_eq!(v["screened"], 2);
    // ANDed: AAPL's 30-day IV is below 30%.
    let v = home.json(["screen", "--json", "pcr_volume>1.5", "atm_iv_30d > 30%"]);
    assert_eq!(v["count"], 0);
    // Sorted by the stored values, highest first, whichever ticker that is.
    let iv = |v: &Value| -> Vec<f64> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["atm_iv_30d"].as_f64().unwrap())
            .collect()
    };
    let v = home.json(["screen", "--json", "--sort", "-atm_iv_30d"]);
    let ivs = iv(&v);
    assert_eq!(ivs.len(), 2);
    assert!(ivs[0] > ivs[1], "{ivs:?}");
    let highest = tickers(&v)[0].clone();
    let v = home.json(["screen", "--json", "--sort", "atm_iv_30d"]);
    assert!(iv(&v)[0] < iv(&v)[1]);
    let v = home.json([
        "screen",
        "--json",
        "--sort",
        "atm_iv_30d",
        "--desc",
        "--limit",
        "1",
    ]);
    assert_eq!(tickers(&v), [highest]);
    // Realized-vol fields exist for every row, null where not enriched.
    let v = home.json(["screen", "--json", "iv_hv20 > -10"]);
    assert_eq!(tickers(&v), ["SPY"]);

    let table = stdout(&home, &["screen", "iv_rank >= 0", "--sort", "-pcr_volume"]);
    insta::assert_snapshot!("screen-table", table);
    let csv = stdout(&home, &["screen", "--csv", "--sort", "ticker"]);
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("ticker,as_of,"), "{header}");
    assert!(header.contains(",iv_hv20,"), "{header}");
    assert_eq!(csv.lines().count(), 3, "{csv}");

    let e = fails(&home, &["screen", "iv_rnak > 0.9"], 2);
    assert!(
        e.contains("unknown field \"iv_rnak\"; the fields are: "),
        "{e}"
    );
    assert!(e.contains("iv_rank") && e.contains("pcr_volume"), "{e}");
    let e = fails(&home, &["screen", "iv_rank = 0.9"], 2);
    assert!(e.contains("expected FIELD OP NUMBER"), "{e}");
    let e = fails(&home, &["screen", "iv_rank > high"], 2);
    assert!(e.contains("\"high\" is not a number"), "{e}");
    let e = fails(&home, &["screen", "--sort", "-nope"], 2);
    assert!(
        e.contains("--sort: unknown field \"nope\"; the fields are: ticker, as_of, "),
        "{e}"
    );
}

#[test]
fn screen_covers_the_watchlist_unless_all() {
    let home = history();
    home.write_config(&format!(
        "{MARKET}\n[watchlist]\ntickers = [\"SPY\", \"QQQ\"]\n"
    ));
    let v = home.json(["screen", "--json"]);
    assert_eq!(v["count"], 1);
    assert_eq!(v["rows"][0]["ticker"], "SPY");
    let v = home.json(["screen", "--json", "--all"]);
    assert_eq!(v["count"], 2);
}

#[test]
fn enrich_can_follow_the_watchlist_so_every_scanned_ticker_has_realized_vol() {
    let home = Home::new();
    home.write_config(&format!(
        "{MARKET}\n[watchlist]\ntickers = [\"SPY\", \"AAPL\"]\n\n[enrich]\nsymbols = \"watchlist\"\ntimeframes = [\"1d\"]\n"
    ));
    home.cmd(["scan", "-q", "--no-notify"]).assert().success();
    let run = home.json(["enrich", "run", "--json"]);
    assert_eq!(run["symbols"], 2, "{run}");
    let v = home.json(["screen", "--json", "--sort", "ticker"]);
    for row in v["rows"].as_array().unwrap() {
        assert!(row["hv20"].is_number(), "{row}");
        assert!(row["iv_hv20"].is_number(), "{row}");
    }
    let shown = home.json(["config", "show", "--json"]);
    assert_eq!(shown["enrich"]["symbols"], "watchlist", "{shown}");
}
