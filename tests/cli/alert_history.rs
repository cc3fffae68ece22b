//! `GET /alerts/history`: alerts beyond the export window, read from the store a page at
//! a time. Three scans (ten days, three days and an hour ago) with planted anomalies;
//! the export holds only the last 24 hours, `since=7d` holds the last two scans'.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::harness::Home;
use crate::serve::{Server, get};

const PLANTED: &str = r#"
[provider.sim]
anomaly_rate = 0.0
plant = [
  { ticker = "MSFT", kind = "volume_burst", from = "2020-01-01T00:00:00Z" },
  { ticker = "NVDA", kind = "volume_burst", from = "2020-01-01T00:00:00Z" },
]
"#;

fn ids(v: &Value) -> Vec<i64> {
    v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn serve_alert_history_pages_through_a_week_from_the_store() {
    let home = Home::new();
    home.write_config(PLANTED);
    let now = Utc::now();
    let at = |hours: i64| {
        (now - chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    for as_of in [at(240), at(72), at(1)] {
        for args in [
            vec![
                "-q",
                "scan",
                "--tickers",
                "AAPL,MSFT,NVDA",
                "--as-of",
                &as_of,
            ],
            vec!["-q", "export", "--as-of", &as_of],
        ] {
            home.cmd(args)
                .timeout(Duration::from_secs(120))
                .assert()
                .success();
        }
    }
    let server = Server::start(&home, &[]);

    let exported = get(&server, "/alerts?limit=1000").json();
    let history = get(&server, "/alerts/history?since=7d&limit=1000").json();
    let week_ago = now - chrono::Duration::days(7);
    let scans: BTreeSet<i64> = history["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let created: DateTime<Utc> = a["created_at"].as_str().unwrap().parse().unwrap();
            assert!(created >= week_ago, "older than 7 days: {a}");
            a["scan_id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(
        scans,
        BTreeSet::from([2, 3]),
        "the last two scans' alerts, not the first's: {history}"
    );
    // The export (24 h) holds the last scan's alerts only; the history holds them too.
    let in_export: BTreeSet<i64> = ids(&exported).into_iter().collect();
    let in_history: BTreeSet<i64> = ids(&history).into_iter().collect();
    assert!(!in_export.is_empty(), "{exported}");
    assert!(in_export.is_subset(&in_history));
    assert!(in_history.len() > in_export.len());
    assert_eq!(history["has_more"], false);
    assert_eq!(
        history["alert_count"].as_u64().unwrap() as usize,
        in_history.len()
    );
    // Newest first.
    let created: Vec<&str> = history["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");

    // Pages of 3 put together are the whole list, in order; the last says no more.
    let all = ids(&history);
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let page = get(
            &server,
            &format!("/alerts/history?since=7d&limit=3&offset={offset}"),
        )
        .json();
        assert_eq!(page["offset"], offset);
        paged.extend(ids(&page));
        offset += 3;
        if page["has_more"] == false {
            break;
        }
        assert_eq!(page["alert_count"], 3);
    }
    assert_eq!(paged, all);

    // since=30d reaches the first scan too; filters apply.
    let month = get(&server, "/alerts/history?since=30d&limit=1000").json();
    assert!(
        month["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["scan_id"] == 1)
    );
    let msft = get(&server, "/alerts/history?since=7d&ticker=msft&limit=1000").json();
    assert!(!ids(&msft).is_empty());
    assert!(
        msft["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["ticker"] == "MSFT")
    );

    // Bad parameters are 400s naming the parameter.
    for (q, name) in [
        ("since=soon", "since"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("detector=Bad!", "detector"),
    ] {
        let r = get(&server, &format!("/alerts/history?{q}"));
        assert_eq!(r.status, 400, "{q}");
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.starts_with(name), "{q}: {message}");
    }
}
