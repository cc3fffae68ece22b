//! Several hosts on one PostgreSQL store: optctl processes with data homes of their own,
//! running at the same time against one database. They run when `OPTCTL_TEST_PG` names a
//! server (see `postgres.rs`), each test on databases of its own.

use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::pg::PgDb;
use crate::harness::{Home, describe, parse_json};

// The watchlist, planted anomalies and rounds of the one-host shard test.
use crate::shard::{PLANTED, ROUNDS, TICKERS};

/// Starts `optctl <args>` from `home` on the store `url`, its output captured.
fn spawn(home: &Home, url: &str, args: &[&str]) -> Child {
    home.std_cmd(args)
        .env("OPTCTL_STORE", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `optctl <args>` from `home` on the store `url` to its end.
fn run(home: &Home, url: &str, args: &[&str]) -> Output {
    spawn(home, url, args).wait_with_output().unwrap()
}

/// Every row of `table` in the database as JSON text, without the columns in `skip`,
/// sorted.
fn rows(db: &PgDb, table: &str, skip: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = db
        .client()
        .query(&format!("SELECT row_to_json(t)::text FROM {table} t"), &[])
        .unwrap()
        .iter()
        .map(|r| {
            let mut v: serde_json::Map<String, Value> =
                serde_json::from_str(r.get::<_, &str>(0)).unwrap();
            for s in skip {
                v.remove(*s);
            }
            Value::Object(v).to_string()
        })
        .collect();
    out.sort();
    out
}

/// One integer from SQL.
fn count(db: &PgDb, sql: &str) -> i64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

/// Two hosts scan the two halves of the watchlist at the same time into one database;
/// what they store is, row for row, what one whole scan stores in another database:
/// chains, expiries, features, IV history and alerts (including those of the detectors
/// that read a ticker's earlier scans). Neither part is refused by the other's lock.
#[test]
fn two_hosts_scanning_the_two_shards_at_once_store_what_one_whole_scan_stores() {
    let (Some(shared), Some(single)) = (PgDb::create(), PgDb::create()) else {
        return;
    };
    let (a, b, whole) = (Home::sqlite(), Home::sqlite(), Home::sqlite());
    for home in [&a, &b, &whole] {
        home.write_config(PLANTED);
    }
    let mut parts_alerts = 0;
    for as_of in ROUNDS {
        let scan = |shard: &'static str| {
            let mut args = vec!["scan", "--json", "--tickers", TICKERS, "--as-of", as_of];
            if !shard.is_empty() {
                args.extend(["--shard", shard]);
            }
            args
        };
        // Both parts started, then both waited for: they overlap (the first round even
        // creates the schema from two processes at once).
        let first = spawn(&a, &shared.url, &scan("1/2"));
        let second = spawn(&b, &shared.url, &scan("2/2"));
        let (first, second) = (
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        );
        let mut seen = Vec::new();
        for (out, shard) in [(&first, "1/2"), (&second, "2/2")] {
            assert_eq!(out.status.code(), Some(0), "{shard}: {}", describe(out));
            let r = parse_json(out);
            assert_eq!(r["shard"], shard);
            assert_eq!(r["status"], "succeeded", "{r}");
            parts_alerts += r["alerts"].as_u64().unwrap();
            for t in r["tickers"].as_array().unwrap() {
                seen.push(t["ticker"].as_str().unwrap().to_string());
            }
        }
        seen.sort();
        let mut all: Vec<&str> = TICKERS.split(',').collect();
        all.sort();
        assert_eq!(seen, all, "the parts of {as_of} cover the watchlist once");

        let out = run(&whole, &single.url, &scan(""));
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    assert!(parts_alerts > 0, "the planted anomalies raise alerts");
    for home in [&a, &b, &whole] {
        assert!(
            !home.db_path().exists(),
            "nothing went to a home's own file"
        );
    }
    assert_eq!(
        count(
            &shared,
            "SELECT count(*) FROM scans WHERE status = 'succeeded'"
        ),
        8
    );
    for (table, skip) in [
        ("chain_snapshots", &["scan_id"][..]),
        ("chain_expiries", &["scan_id"]),
        ("features", &["scan_id"]),
        ("iv_history", &[]),
        ("alerts", &["id", "scan_id"]),
    ] {
        let (parts, one) = (rows(&shared, table, skip), rows(&single, table, skip));
        assert!(!parts.is_empty(), "{table} is empty");
        assert_eq!(parts.len(), one.len(), "{table}: row count");
        if let Some(i) = (0..parts.len()).find(|&i| parts[i] != one[i]) {
            panic!("{table} differs:\nshards: {}\nwhole:  {}", parts[i], one[i]);
        }
    }
    // The history-reading detectors found the other rounds' rows of both hosts.
    let fired: Vec<String> = shared
        .client()
        .query(
            "SELECT DISTINCT ticker || ' ' || detector FROM alerts \
             WHERE created_at = '2026-11-20T15:00:00Z' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for expected in ["AAPL iv_spike", "MSFT oi_surge", "NVDA volume_spike"] {
        assert!(
            fired.iter().any(|f| f == expected),
            "{expected} not in {fired:?}"
        );
    }
}

/// `optctl enrich` on two hosts: while host A's run holds the job (a slow provider keeps
/// it going), host B's run exits 75 and touches nothing; once A's run has ended, B's runs.
#[test]
fn an_enrich_run_on_one_host_refuses_the_same_job_on_another_until_it_ends() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let (a, b) = (Home::sqlite(), Home::sqlite());
    a.write_config("[provider.sim]\nlatency_ms = 3000\n");
    let enrich = ["enrich", "run", "--symbols", "AAPL", "--timeframes", "1d"];
    let slow = spawn(&a, &db.url, &enrich);
    // B sees A's run as running in the shared store.
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let out = run(&b, &db.url, &["enrich", "status", "--json"]);
        if out.status.success() && !parse_json(&out)["running"].is_null() {
            break;
        }
        assert!(Instant::now() < until, "A's run never showed as running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = run(&b, &db.url, &enrich);
    assert_eq!(out.status.code(), Some(75), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another `optctl enrich` is running") && err.contains("advisory lock"),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM enrich_runs"), 1);

    let slow = slow.wait_with_output().unwrap();
    assert_eq!(slow.status.code(), Some(0), "{}", describe(&slow));
    let out = run(&b, &db.url, &enrich);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM enrich_runs WHERE status = 'succeeded'"
        ),
        2
    );
    for home in [&a, &b] {
        assert!(!home.db_path().exists());
    }
}

/// Waits (30 s at most) until `sql` counts at least one row; if it never does, kills
/// `child` and fails saying `what` never happened.
fn wait_for(db: &PgDb, child: &mut Child, what: &str, sql: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let n = db
            .client()
            .query_one(sql, &[])
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if n >= 1 {
            return;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} never happened");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A scan on PostgreSQL killed (SIGKILL) half-way through storing a ticker leaves no
/// partial ticker: each stored one has its features row, all its contracts and its
/// expiries, and nothing is left of the ticker it was writing. The next scan, from another
/// host, marks the killed one interrupted.
#[test]
fn a_scan_killed_while_storing_a_ticker_on_postgres_leaves_only_whole_tickers() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let (a, b) = (Home::sqlite(), Home::sqlite());
    a.write_config("[provider.sim]\nanomaly_rate = 0.0\nlatency_ms = 100\n");
    let mut scan = a
        .std_cmd([
            "scan",
            "--concurrency",
            "1",
            "--tickers",
            "A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P",
        ])
        .env("OPTCTL_STORE", &db.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(
        &db,
        &mut scan,
        "the scan storing two tickers",
        "SELECT count(*) FROM features HAVING count(*) >= 2",
    );
    // Hold the scan inside its next ticker's transaction: its chain rows are written,
    // then its features row waits for this lock. Kill it there.
    let mut locker = db.client();
    locker
        .batch_execute("BEGIN; LOCK TABLE features IN SHARE MODE")
        .unwrap();
    let stored = count(&db, "SELECT count(*) FROM features");
    wait_for(
        &db,
        &mut scan,
        "the scan waiting to store its features row",
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
         WHERE c.relname = 'features' AND NOT l.granted",
    );
    scan.kill().unwrap(); // SIGKILL
    scan.wait().unwrap();
    drop(locker);
    // The server ends the dead process's sessions (rolling back what it had begun).
    wait_for(
        &db,
        &mut scan,
        "the killed scan's sessions ending",
        "SELECT count(*) FROM (SELECT 1) one WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid())",
    );

    assert_eq!(
        count(&db, "SELECT count(*) FROM scans WHERE status = 'running'"),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM features"), stored);
    // Each stored ticker is whole: its contracts, and its expiries.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM features f WHERE contracts <> (SELECT count(*) FROM \
             chain_snapshots c WHERE c.scan_id = f.scan_id AND c.ticker = f.ticker) \
             OR NOT EXISTS (SELECT 1 FROM chain_expiries e \
             WHERE e.scan_id = f.scan_id AND e.ticker = f.ticker)"
        ),
        0
    );
    // The expiries are those of its contracts, no more and no fewer.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM ( \
             (SELECT DISTINCT scan_id, ticker, expiry FROM chain_snapshots \
              EXCEPT SELECT scan_id, ticker, expiry FROM chain_expiries) \
             UNION ALL \
             (SELECT scan_id, ticker, expiry FROM chain_expiries \
              EXCEPT SELECT DISTINCT scan_id, ticker, expiry FROM chain_snapshots)) d"
        ),
        0
    );
    // Nothing of the ticker it was writing, nor of any ticker without its features row.
    for table in ["chain_snapshots", "chain_expiries"] {
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT count(*) FROM {table} c WHERE NOT EXISTS (SELECT 1 FROM \
                     features f WHERE f.scan_id = c.scan_id AND f.ticker = c.ticker)"
                )
            ),
            0,
            "{table}"
        );
    }

    // The next scan (from another host) finds the dead run and marks it interrupted.
    let out = run(&b, &db.url, &["scan", "--tickers", "AAPL", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["recovered_interrupted"], serde_json::json!([1]), "{r}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM scans WHERE status = 'interrupted'"
        ),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM scans WHERE status = 'running'"),
        0
    );
    // What the killed scan committed is still there.
    assert_eq!(
        count(&db, "SELECT count(*) FROM features WHERE scan_id = 1"),
        stored
    );
}

/// `optctl notify` started at once on three hosts, all draining one PostgreSQL outbox into
/// one webhook: each queued alert reaches the receiver exactly once, and a host that finds
/// another's drain going exits 75 (the drain is one job across hosts).
#[test]
fn notify_racing_on_three_hosts_sends_each_queued_alert_exactly_once() {
    let Some(db) = PgDb::create() else {
        return;
    };
    let receiver = crate::harness::servers::Server::receiver();
    let config = format!(
        "[provider.sim]\nanomaly_rate = 0.0\nplant = [\
         {{ ticker = \"AAPL\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }}, \
         {{ ticker = \"MSFT\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }}]\n\
         [notify]\nmax_batch = 1\n[notify.channels.hook]\nkind = \"webhook\"\nurl = \"{}/hook\"\n\
         rate_limit = {{ calls = 100, per_seconds = 1, burst = 100 }}\n",
        receiver.url()
    );
    let hosts = [Home::sqlite(), Home::sqlite(), Home::sqlite()];
    for home in &hosts {
        home.write_config(&config);
    }
    let out = run(
        &hosts[0],
        &db.url,
        &["scan", "--tickers", "AAPL,MSFT", "--no-notify", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let mut keys: Vec<String> = db
        .client()
        .query("SELECT id FROM alerts ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| format!("alert-{}", r.get::<_, i64>(0)))
        .collect();
    assert!(keys.len() >= 3, "{keys:?}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notify_outbox WHERE status = 'queued'"
        ),
        keys.len() as i64
    );

    let drains: Vec<Child> = hosts
        .iter()
        .map(|h| spawn(h, &db.url, &["notify", "--json"]))
        .collect();
    let mut drained = 0;
    for d in drains {
        let out = d.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => drained += 1,
            Some(75) => assert!(
                String::from_utf8_lossy(&out.stderr).contains("another `optctl notify` is running"),
                "{}",
                describe(&out)
            ),
            _ => panic!("{}", describe(&out)),
        }
    }
    assert!(drained >= 1, "no drain ran");
    // Whatever a refused host left is sent by the next drain, from any host.
    for home in &hosts {
        let out = run(home, &db.url, &["notify", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }

    let mut sent: Vec<String> = receiver
        .seen()
        .iter()
        .flat_map(|r| {
            assert_eq!(r.path(), "/hook");
            let body: Value = serde_json::from_str(&r.body).unwrap();
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["idempotency_key"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    sent.sort();
    keys.sort();
    assert_eq!(sent, keys, "each alert once");
    assert_eq!(receiver.seen().len(), keys.len(), "one message per alert");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notify_outbox WHERE status <> 'sent'"
        ),
        0
    );
}

/// The provider's rate limit is one quota for every host on the store: four `optctl
/// fetch` processes from four data homes, started at once against one (recorded) Tradier
/// with a quota of two requests an hour, send two requests between them; the other two
/// are refused as rate limited without a request.
#[test]
fn hosts_fetching_at_once_share_one_provider_quota() {
    use crate::harness::servers::{Route, Server};
    let Some(db) = PgDb::create() else {
        return;
    };
    let server = Server::start(vec![Route::fixture(
        "/v1/markets/history",
        "tradier/history-AAPL.json",
    )]);
    let config = format!(
        "[provider.tradier]\nbase_url = \"{}\"\n\
         [resilience.providers.tradier.limiter]\ncalls = 2\nper_seconds = 3600\nburst = 2\nmax_wait_ms = 1\n",
        server.url()
    );
    let hosts = [
        Home::sqlite(),
        Home::sqlite(),
        Home::sqlite(),
        Home::sqlite(),
    ];
    let fetches: Vec<Child> = hosts
        .iter()
        .map(|h| {
            h.write_config(&config);
            h.std_cmd([
                "fetch",
                "--json",
                "--provider",
                "tradier",
                "--ticker",
                "AAPL",
                "--bars",
                "1d",
                "--from",
                "2026-11-17",
                "--to",
                "2026-11-21",
            ])
            .env("OPTCTL_STORE", &db.url)
            .env("OPTCTL_TRADIER_TOKEN", "tr_test_token")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let (mut fetched, mut refused) = (0, 0);
    for f in fetches {
        let out = f.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => {
                assert_eq!(parse_json(&out)["bars"]["count"], 4);
                fetched += 1;
            }
            Some(1) if String::from_utf8_lossy(&out.stderr).contains("rate limited") => {
                refused += 1
            }
            _ => panic!("{}", describe(&out)),
        }
    }
    assert_eq!((fetched, refused), (2, 2));
    assert_eq!(server.seen().len(), 2, "requests beyond the quota");
    // The quota is kept in the shared database, not in the homes.
    assert_eq!(
        count(
            &db,
            "SELECT granted FROM rate_limits WHERE name = 'http:tradier'"
        ),
        2
    );
    for home in &hosts {
        assert!(!home.db_path().exists());
    }
}
