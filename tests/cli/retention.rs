//! Seven weeks of the README's cron cadence, compressed to one run of each job a day:
//! the database stops growing once the data is older than the retention settings.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};

use crate::harness::servers::Server;
use crate::harness::{Home, describe};

/// Rows per table.
fn rows(home: &Home) -> BTreeMap<String, u64> {
    let stats = home.json(["store", "stats", "--json"]);
    stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["rows"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn seven_weeks_of_cron_stay_within_the_retention_bounds() {
    let receiver = Server::receiver();
    let home = Home::new();
    home.write_config(&format!(
        r#"
[provider.sim]
anomaly_rate = 0.0
[scan]
keep_chain_days = 5
[enrich]
keep_days = 10
[enrich.lookback_days]
"1d" = 5
[scheduler]
keep_days = 10
[notify]
keep_sent_days = 10
[notify.channels.hook]
kind = "webhook"
url = "{}/hook"
"#,
        receiver.url()
    ));
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 15, 0, 0).unwrap();
    let mut at_day = BTreeMap::new();
    for day in 0..50 {
        let at = (start + Duration::days(day)).to_rfc3339();
        for args in [
            vec!["-q", "scan", "--tickers", "SPY,AAPL"],
            vec!["-q", "notify"],
            vec![
                "-q",
                "enrich",
                "run",
                "--symbols",
                "AAPL",
                "--timeframes",
                "1d",
            ],
            vec!["-q", "migrate-scheduler", "run"],
        ] {
            let out = home
                .std_cmd(args.iter().copied().chain(["--as-of", at.as_str()]))
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 3)),
                "{args:?} at {at}: {}",
                describe(&out)
            );
        }
        if day == 24 || day == 49 {
            at_day.insert(day, rows(&home));
        }
    }
    let (first, second) = (&at_day[&24], &at_day[&49]);
    // Kept by design, a row or two per scan and ticker: the scan history (scans,
    // features, alerts) and the daily IV that IV rank reads a year of.
    const KEPT: [&str; 4] = ["scans", "features", "alerts", "iv_history"];
    for (table, &later) in second {
        let earlier = first[table];
        if KEPT.contains(&table.as_str()) {
            assert!(later <= 4 * 50, "{table}: {later} rows after 50 days");
            continue;
        }
        assert!(
            later <= earlier + earlier / 5 + 5,
            "{table}: {earlier} rows after 25 days, {later} after 50: {first:?} {second:?}"
        );
    }
    // Retention ran in every family that has rows to age out.
    for table in [
        "chain_snapshots",
        "enrich_runs",
        "notify_outbox",
        "scheduler_runs",
    ] {
        assert!(first[table] > 0, "{table}: {first:?}");
    }
}
