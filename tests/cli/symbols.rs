//! One ticker grammar everywhere: every command, file and config key accepts and refuses
//! the same symbols, normalises them the same way (`brk-b` is `BRK.B`), and refuses a
//! bad one as a usage error (exit 2) naming it, before anything is stored.

use predicates::str::contains;

use crate::harness::{Home, describe, parse_json};
use crate::serve::{Server, get};

/// A calm simulated market: no random anomalies.
const CALM: &str = "[provider.sim]\nanomaly_rate = 0.0\n";

/// Symbols outside the grammar: a `;`, a space inside, a quote, two separators in a row,
/// a caret before something that is no index, a `/` that is no class suffix.
const BAD: &[&str] = &["bad;sym", "A B", "\"AAPL\"", "BRK..B", "^AAPL", "AB/CD"];

#[test]
fn scan_takes_us_classes_and_nse_names_in_any_spelling() {
    let home = Home::new();
    home.write_config(CALM);
    let r = home.json(["scan", "--tickers", "brk-b,M&M,BRK/B,3mindia", "--json"]);
    assert_eq!(r["status"], "succeeded", "{r}");
    assert_eq!(
        r["tickers_requested"], 3,
        "BRK-B and BRK/B are one symbol: {r}"
    );
    let scanned: Vec<&str> = r["tickers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ticker"].as_str().unwrap())
        .collect();
    assert_eq!(scanned, ["3MINDIA", "BRK.B", "M&M"]);
    assert_eq!(
        home.count("SELECT count(*) FROM features WHERE ticker IN ('BRK.B', 'M&M', '3MINDIA')"),
        3
    );
    // The stored spelling is what alerts --ticker finds, however it is typed.
    home.cmd(["alerts", "--ticker", "brk/b", "--json"])
        .assert()
        .success();
}

#[test]
fn a_bad_ticker_is_exit_2_naming_it_before_anything_is_stored() {
    let home = Home::new();
    home.write_config(CALM);
    home.cmd(["scan", "--tickers", "AAPL,bad;sym"])
        .assert()
        .code(2)
        .stderr(contains("bad;sym"))
        .stderr(contains("not a symbol"));
    assert!(!home.store_exists(), "a refused scan opened the store");
}

#[test]
fn every_flag_refuses_the_same_symbols() {
    let home = Home::new();
    home.write_config(CALM);
    for bad in BAD {
        for args in [
            vec!["scan", "--tickers", bad],
            vec!["fetch", "--provider", "sim", "--ticker", bad],
            vec!["alerts", "--ticker", bad],
            vec!["enrich", "run", "--symbols", bad],
            vec!["enrich", "job-status", bad],
        ] {
            let out = home.cmd(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&format!("{bad:?} is not a symbol")),
                "{args:?}: {stderr}"
            );
        }
    }
    assert!(!home.store_exists(), "a refused command opened the store");
}

#[test]
fn every_flag_normalises_the_same_way() {
    let home = Home::new();
    home.write_config(CALM);
    let out = home
        .cmd(["fetch", "--provider", "sim", "--ticker", "brk-b", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(parse_json(&out)["ticker"], "BRK.B");
    let out = home
        .cmd(["fetch", "--provider", "sim", "--ticker", "^SPX", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(parse_json(&out)["ticker"], "SPX");
    let r = home.json([
        "enrich",
        "run",
        "--symbols",
        "brk-b,m&m,BAJAJ-AUTO",
        "--timeframes",
        "1d",
        "--json",
    ]);
    let mut jobs: Vec<&str> = r["jobs"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|j| j["symbol"].as_str().unwrap())
        .collect();
    jobs.sort_unstable();
    assert_eq!(jobs, ["BAJAJ-AUTO", "BRK.B", "M&M"]);
    let s = home.json(["enrich", "job-status", "BRK/B", "--json"]);
    assert_eq!(s["job"]["symbol"], "BRK.B", "{s}");
}

#[test]
fn watchlist_files_and_config_use_the_same_grammar() {
    let home = Home::new();
    home.write_config(CALM);
    let list = home.root().join("watchlist.txt");
    std::fs::write(&list, "# mine\nbrk-b, M&M\nBRK.B\n").unwrap();
    let r = home.json(["scan", "--watchlist", list.to_str().unwrap(), "--json"]);
    assert_eq!(r["tickers_requested"], 2, "{r}");
    // (White space separates a watchlist's tickers, so "A B" is two good ones there.)
    for bad in BAD.iter().filter(|b| !b.contains(' ')) {
        std::fs::write(&list, format!("AAPL\n{bad}\n")).unwrap();
        let out = home
            .cmd(["scan", "--watchlist", list.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("line 2") && stderr.contains(&format!("{bad:?} is not a symbol")),
            "{stderr}"
        );
    }

    // The same refusal from each config key, naming the symbol; `config show` reads them.
    let fresh = Home::new();
    for section in [
        "[watchlist]\ntickers",
        "[enrich.symbols]\nstock",
        "[scheduler.categories.day_trading]\nsymbols",
    ] {
        fresh.write_config(&format!("{section} = [\"AAPL\", \"bad;sym\"]\n"));
        fresh
            .cmd(["config", "show"])
            .assert()
            .code(2)
            .stderr(contains("bad;sym"))
            .stderr(contains("not a symbol"));
        fresh.write_config(&format!("{section} = [\"brk-b\", \"M&M\", \"^NSEI\"]\n"));
        let shown = fresh.cmd(["config", "show", "--json"]).output().unwrap();
        assert!(shown.status.success(), "{section}: {}", describe(&shown));
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(
            text.contains("\"BRK.B\"") && text.contains("\"M&M\"") && text.contains("\"NIFTY\""),
            "{section}: {text}"
        );
    }
}

#[test]
fn serve_paths_use_the_same_grammar() {
    let home = Home::new();
    home.write_config(CALM);
    home.cmd(["scan", "--tickers", "BRK.B,M&M"])
        .assert()
        .success();
    let out = home.cmd(["export"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let server = Server::start(&home, &[]);
    for (path, want) in [
        ("/options/brk-b/snapshot", "BRK.B"),
        ("/options/BRK.B/snapshot", "BRK.B"),
        ("/options/M&M/snapshot", "M&M"),
        ("/options/m%26m/snapshot", "M&M"),
    ] {
        let r = get(&server, path);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["ticker"], want, "{path}");
    }
    for bad in ["bad;sym", "BRK..B", "%5EAAPL"] {
        let r = get(&server, &format!("/options/{bad}/snapshot"));
        let v = r.json();
        assert_eq!(r.status, 400, "{bad}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("is not a symbol"), "{bad}: {msg}");
    }
}
