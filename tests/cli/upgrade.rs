//! Upgrade: a database made by an older optctl (schema version 4, `fixtures/db/`, see
//! `fixtures/README.md`) opens with today's binary, migrates to today's schema, and
//! still answers with what the old version stored.

use std::path::Path;

use serde_json::json;

use crate::harness::Home;

/// The schema version of the fixture (`PRAGMA user_version`).
const OLD_VERSION: i64 = 4;

fn user_version(home: &Home) -> i64 {
    home.count("PRAGMA user_version")
}

/// A home holding a copy of the old database.
fn old_home() -> Home {
    let home = Home::new();
    std::fs::create_dir_all(home.home()).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/db/optctl-v4.db");
    std::fs::copy(src, home.db_path()).unwrap();
    assert_eq!(
        user_version(&home),
        OLD_VERSION,
        "the fixture is the old schema"
    );
    home
}

#[test]
fn a_database_from_an_older_optctl_migrates_and_keeps_its_data() {
    if crate::harness::sqlite_only("the old store is a SQLite file from an older optctl") {
        return;
    }
    // Today's schema version: what a fresh home gets.
    let fresh = Home::new();
    fresh.json(["scan", "--json", "--no-notify", "--tickers", "SPY"]);
    let today = user_version(&fresh);
    assert!(today > OLD_VERSION, "today's schema is {today}");

    let home = old_home();
    home.write_config(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [{ ticker = \"AAPL\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }]\n",
    );
    // A writing command migrates and stores next to the old data.
    let scan = home.json(["scan", "--json", "--no-notify", "--tickers", "AAPL,SPY"]);
    assert_eq!(scan["status"], "succeeded", "{scan}");
    assert_eq!(scan["scan_id"], 2, "ids continue after the old scan");
    assert_eq!(user_version(&home), today);

    // The old scan, exactly as the old version stored it.
    let scans = home.json(["scans", "--json"]);
    assert_eq!(scans["scan_count"], 2, "{scans}");
    assert_eq!(
        scans["scans"][1],
        json!({
            "id": 1,
            "started_at": "2026-12-04T21:05:26Z",
            "as_of": "2026-11-20T15:00:00Z",
            "finished_at": "2026-12-04T21:05:26Z",
            "status": "succeeded",
            "provider": "sim",
            "tickers_requested": 2,
            "tickers_ok": 2,
            "tickers_failed": 0,
            "contracts": 2000,
            "alerts": 1,
            "provider_calls": 2,
            "duration_ms": 47,
            "errors": [],
            // Scans before `scan --shard` existed were whole scans.
            "shard": null,
        })
    );
    // Its alert, with the numbers that fired it.
    let alerts = home.json(["alerts", "--json", "--scan", "1"]);
    assert_eq!(
        alerts,
        json!({"alert_count": 1, "alerts": [{
            "id": 1,
            "scan_id": 1,
            "ticker": "AAPL",
            "detector_name": "pcr_extreme",
            "contract": null,
            "score": 100.0,
            "alert_data": {"call_volume": 2311, "pcr_volume": 0.0, "put_volume": 7, "side": "low"},
            "created_at": "2026-11-20T15:00:00Z",
        }]})
    );
    // New alerts get new ids; the old one is still listed among all alerts.
    let all = home.json(["alerts", "--json", "--limit", "500"]);
    let ids: Vec<i64> = all["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&1), "{ids:?}");
    assert_eq!(
        all["alert_count"],
        1 + scan["alerts"].as_u64().unwrap(),
        "{all}"
    );
    // The new scan reads the old one's IV history (one earlier day).
    let features = home.count("SELECT count(*) FROM iv_history WHERE day = '2026-11-20'");
    assert_eq!(features, 2, "the old scan's daily IV of AAPL and SPY");

    // What the old process-excel run stored.
    let history = home.json(["process-excel", "history", "--json"]);
    assert_eq!(history["count"], 1, "{history}");
    let run = &history["runs"][0];
    assert_eq!(run["run_at"], "2026-11-23T09:00:00Z");
    assert_eq!(run["status"], "processed");
    assert_eq!(run["stocks"], 204);
    assert_eq!(run["historical_rows"], 5100);
    let status = home.json(["process-excel", "status", "--json"]);
    assert_eq!(status["stocks"], 204, "{status}");
    assert_eq!(status["runs_total"], 1);

    // What the old enrich run stored.
    let enrich = home.json(["enrich", "history", "--json"]);
    let runs = enrich["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{enrich}");
    assert_eq!(runs[0]["as_of"], "2026-11-20T15:00:00Z");
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["bars_added"], 285);
    let job = home.json(["enrich", "job-status", "spy", "--json"]);
    assert_eq!(job["job"]["status"], "succeeded", "{job}");
    assert_eq!(
        home.count("SELECT count(*) FROM bars WHERE symbol = 'SPY'"),
        285
    );
}

/// A reader is the first command to open the old file: it answers from the old data too.
#[test]
fn readers_answer_from_an_old_database() {
    if crate::harness::sqlite_only("the old store is a SQLite file from an older optctl") {
        return;
    }
    let home = old_home();
    let scans = home.json(["scans", "--json"]);
    assert_eq!(scans["scan_count"], 1, "{scans}");
    assert_eq!(scans["scans"][0]["as_of"], "2026-11-20T15:00:00Z");
    let alerts = home.json(["alerts", "--json", "--since", "2026-11-20T00:00:00Z"]);
    assert_eq!(alerts["alert_count"], 1, "{alerts}");
    assert_eq!(alerts["alerts"][0]["detector_name"], "pcr_extreme");
    // Readers leave the file as it is: the next writer migrates it.
    assert_eq!(user_version(&home), OLD_VERSION);
}
