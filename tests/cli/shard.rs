//! `optctl scan --shard K/N`: N hosts scan one watchlist in parallel, each a stable part.

use std::collections::BTreeSet;

use predicates::str::contains;
use serde_json::Value;

use crate::harness::{Home, describe};

/// Eight names; part 1/2 is QQQ, NVDA, META, JPM; 2/2 SPY, AAPL, MSFT, TSLA; 1/3 SPY;
/// 2/3 AAPL, JPM; 3/3 the other five (FNV-1a 64 of the symbol modulo N).
pub(crate) const TICKERS: &str = "AAPL,MSFT,NVDA,SPY,QQQ,META,JPM,TSLA";

/// Anomalies planted from the last round on: a state detector (iv_spike against the
/// previous scans), oi_surge (against the previous scan's open interest) and a volume
/// burst (against the same time on earlier days) each have something to find.
pub(crate) const PLANTED: &str = r#"
[provider.sim]
plant = [
    { ticker = "AAPL", kind = "iv_jump", from = "2026-11-20T14:30:00Z" },
    { ticker = "QQQ", kind = "iv_jump", from = "2026-11-20T14:30:00Z" },
    { ticker = "MSFT", kind = "oi_surge", from = "2026-11-20T14:30:00Z" },
    { ticker = "NVDA", kind = "volume_burst", from = "2026-11-20T14:30:00Z" },
]
"#;

/// 10:00 New York on four trading days.
pub(crate) const ROUNDS: [&str; 4] = [
    "2026-11-17T15:00:00Z",
    "2026-11-18T15:00:00Z",
    "2026-11-19T15:00:00Z",
    "2026-11-20T15:00:00Z",
];

fn scan(home: &Home, as_of: &str, shard: Option<&str>) -> Value {
    let mut args = vec!["scan", "--json", "--tickers", TICKERS, "--as-of", as_of];
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    home.json(args)
}

/// Every row of `table` as text, without the columns in `skip` (ids that differ between
/// homes), sorted.
fn rows(home: &Home, table: &str, skip: &[&str]) -> Vec<String> {
    let names = home.columns(table);
    let mut out: Vec<String> = home
        .rows(&format!(
            "SELECT {} FROM {table}",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into_iter()
        .map(|r| {
            let mut line = Vec::new();
            for (name, v) in names.iter().zip(r) {
                if !skip.contains(&name.as_str()) {
                    line.push(format!("{name}={v:?}"));
                }
            }
            line.join(" ")
        })
        .collect();
    out.sort();
    out
}

/// The export's `name` with the ids of scans and alerts left out.
fn exported(home: &Home, name: &str) -> Value {
    let bytes = std::fs::read(home.home().join("exports").join(name)).unwrap();
    let mut v: Value = serde_json::from_slice(&bytes).unwrap();
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("id");
                m.remove("scan_id");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// The shard scans of one home store what whole scans store in another, row for row:
/// chains, expiries, features, IV history and alerts, including the alerts of detectors
/// that compare a ticker with its earlier scans, which another shard row (or a whole
/// scan, or a split into a different N) stored.
#[test]
fn shard_scans_store_what_a_whole_scan_stores() {
    let (parts, whole) = (Home::new(), Home::new());
    parts.write_config(PLANTED);
    whole.write_config(PLANTED);
    let splits: [&[&str]; 4] = [
        &["1/3", "2/3", "3/3"],
        &["2/2", "1/2"],
        &[],
        &["1/2", "2/2"],
    ];
    let mut parts_alerts = 0;
    for (as_of, split) in ROUNDS.iter().zip(splits) {
        let w = scan(&whole, as_of, None);
        assert_eq!(w["shard"], Value::Null);
        assert_eq!(w["tickers_requested"], 8);
        if split.is_empty() {
            // A whole scan between shard rounds: the next round reads its rows too.
            scan(&parts, as_of, None);
            continue;
        }
        let mut seen = BTreeSet::new();
        for s in split {
            let r = scan(&parts, as_of, Some(s));
            assert_eq!(r["shard"], *s);
            assert_eq!(r["status"], "succeeded");
            for t in r["tickers"].as_array().unwrap() {
                let t = t["ticker"].as_str().unwrap().to_string();
                assert!(seen.insert(t.clone()), "{t} scanned by two parts");
            }
            parts_alerts += r["alerts"].as_u64().unwrap();
        }
        let all: BTreeSet<String> = TICKERS.split(',').map(String::from).collect();
        assert_eq!(seen, all, "the parts of {as_of} cover the watchlist");
    }
    assert!(
        parts_alerts > 0,
        "the planted anomalies raise alerts in the shard scans"
    );
    for (table, skip) in [
        ("chain_snapshots", &["scan_id"][..]),
        ("chain_expiries", &["scan_id"]),
        ("features", &["scan_id"]),
        ("iv_history", &["scan_id"]),
        ("alerts", &["id", "scan_id"]),
    ] {
        let (a, b) = (rows(&parts, table, skip), rows(&whole, table, skip));
        assert!(!a.is_empty(), "{table} is empty");
        assert_eq!(a.len(), b.len(), "{table}: row count");
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            panic!("{table} differs:\nshards: {}\nwhole:  {}", a[i], b[i]);
        }
    }
    // The detectors that read history found it across shard rows: the planted anomalies
    // raised each one on the last round.
    let fired: Vec<String> = parts
        .rows(
            "SELECT DISTINCT ticker || ' ' || detector FROM alerts \
             WHERE created_at = '2026-11-20T15:00:00Z' ORDER BY 1",
        )
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    for (ticker, detector) in [
        ("AAPL", "iv_spike"),
        ("MSFT", "oi_surge"),
        ("NVDA", "volume_spike"),
    ] {
        assert!(
            fired.contains(&format!("{ticker} {detector}")),
            "{ticker} {detector} not in {fired:?}"
        );
    }
    // The export after shard scans is the export after whole scans, every ticker in it.
    for home in [&parts, &whole] {
        home.json(["export", "--json", "--as-of", "2026-11-20T15:05:00Z"]);
    }
    let alerts = exported(&whole, "alerts.json");
    assert!(
        alerts["alerts"].as_array().is_some_and(|a| !a.is_empty()),
        "the last round's alerts are exported: {alerts}"
    );
    for name in ["chains.json", "features.json", "alerts.json"] {
        assert_eq!(
            exported(&parts, name),
            exported(&whole, name),
            "{name} differs"
        );
    }
    // serve's latest alerts are the whole round's: every part's newest scan.
    let latest = |home: &Home| -> (Value, Vec<String>) {
        let server = crate::serve::Server::start(home, &[]);
        let body = crate::serve::get(&server, "/alerts/latest").json();
        let mut alerts: Vec<String> = body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("{} {} {}", a["ticker"], a["detector"], a["score"]))
            .collect();
        alerts.sort();
        (body, alerts)
    };
    let ((parts_body, parts_alerts), (whole_body, whole_alerts)) = (latest(&parts), latest(&whole));
    assert!(!whole_alerts.is_empty());
    assert_eq!(parts_alerts, whole_alerts);
    assert_eq!(
        parts_body["scan_ids"].as_array().map(Vec::len),
        Some(2),
        "{parts_body}"
    );
    assert!(whole_body.get("scan_ids").is_none(), "{whole_body}");
    let chains = exported(&parts, "chains.json");
    let tickers: BTreeSet<&str> = chains["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ticker"].as_str().unwrap())
        .collect();
    assert_eq!(tickers, TICKERS.split(',').collect::<BTreeSet<_>>());
    // Each scan row says which part it took (newest first); a whole scan none.
    let scans = parts.json(["scans", "--json"]);
    let shards: Vec<Value> = scans["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shard"].clone())
        .collect();
    let expected: Vec<Value> = [
        Some("2/2"),
        Some("1/2"),
        None,
        Some("1/2"),
        Some("2/2"),
        Some("3/3"),
        Some("2/3"),
        Some("1/3"),
    ]
    .into_iter()
    .map(|s| s.map_or(Value::Null, Value::from))
    .collect();
    assert_eq!(shards, expected);
    let table = parts.cmd(["scans"]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("shard") && text.contains("3/3"), "{text}");
}

/// The split is pinned: a change of hash function moves tickers between hosts, so it
/// must fail here (FNV-1a 64 of the symbol modulo N, computed outside optctl).
#[test]
fn the_split_is_fixed_and_an_empty_part_scans_nothing() {
    let home = Home::new();
    home.write_config("[provider.sim]\nanomaly_rate = 0.0\n");
    let tickers = |r: &Value| -> Vec<String> {
        r["tickers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["ticker"].as_str().unwrap().to_string())
            .collect()
    };
    let r = scan(&home, ROUNDS[0], Some("1/2"));
    assert_eq!(tickers(&r), ["JPM", "META", "NVDA", "QQQ"]);
    assert_eq!(r["tickers_requested"], 4);
    let r = scan(&home, ROUNDS[0], Some("2/3"));
    assert_eq!(tickers(&r), ["AAPL", "JPM"]);
    assert_eq!(
        home.count("SELECT count(*) FROM scans WHERE shard = '2/3'"),
        1
    );
    // The text report names the part.
    let out = home
        .cmd(["scan", "--tickers", TICKERS, "--shard", "1/3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shard 1/3"));

    // AAPL and MSFT both fall in part 2 of 2: part 1 has nothing to scan.
    let before = home.count("SELECT count(*) FROM scans");
    home.cmd(["scan", "--tickers", "AAPL,MSFT", "--shard", "1/2"])
        .assert()
        .success()
        .stderr(contains("shard 1/2 holds none of the 2 ticker(s)"));
    assert_eq!(
        home.count("SELECT count(*) FROM scans"),
        before,
        "no scan row"
    );
    let r = home.json(["scan", "--json", "--tickers", "AAPL,MSFT", "--shard", "1/2"]);
    assert_eq!(r["status"], "skipped");
    assert_eq!(r["shard"], "1/2");
}

#[test]
fn a_bad_shard_exits_2_naming_the_flag_and_the_rule() {
    let home = Home::new();
    for bad in ["0/2", "3/2", "1/0", "a/b", "2"] {
        let out = home
            .cmd(["scan", "--tickers", "AAPL", "--shard", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--shard"), "{bad}: {stderr}");
        assert!(stderr.contains("1 <= K <= N"), "{bad}: {stderr}");
    }
    assert!(!home.store_exists(), "a refused scan touches nothing");
    // An empty watchlist is the usage error it is without --shard, not an empty part.
    home.write_config("[watchlist]\ntickers = []\n");
    home.cmd(["scan", "--shard", "1/2"])
        .assert()
        .code(2)
        .stderr(contains("the watchlist is empty"));
}

/// `[scan] shard` in a host's config is its part, as the flag; the flag wins.
#[test]
fn the_config_names_a_hosts_part() {
    let home = Home::new();
    home.write_config("[provider.sim]\nanomaly_rate = 0.0\n\n[scan]\nshard = \"2/3\"\n");
    let r = scan(&home, ROUNDS[0], None);
    assert_eq!(r["shard"], "2/3");
    assert_eq!(r["tickers_requested"], 2, "AAPL and JPM");
    let r = scan(&home, ROUNDS[1], Some("1/3"));
    assert_eq!(r["shard"], "1/3");
    assert_eq!(r["tickers"][0]["ticker"], "SPY");

    home.write_config("[scan]\nshard = \"3/2\"\n");
    let out = home.cmd(["scan", "--tickers", "AAPL"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scan.shard") && stderr.contains("1 <= K <= N"),
        "{stderr}"
    );
}
