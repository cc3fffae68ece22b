//! `optctl serve`'s control routes end to end: the token they always need, the audit
//! rows, an enrichment trigger that shows in `enrich history`, the workbook loop stopped,
//! started and slowed down through the database, `/monitoring/health` when the loop
//! dies in session, and the scheduler's test scan and cache.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::Home;
use crate::serve::{Reply, Server, agent, get, get_with};

const CONTROL: &str = "c0ntrol-T0ken";
/// Monday 2026-11-23 10:30 in Mumbai: the workbook market ([market_hours]) is open.
const IN_SESSION: &str = "2026-11-23T05:00:00Z";

/// A control request: `method` with the bearer `token` (if any) and a body.
fn send(server: &Server, method: &str, path: &str, token: Option<&str>, body: &str) -> Reply {
    let a = agent();
    let url = server.url(path);
    let auth = token.map(|t| format!("Bearer {t}"));
    let call = match method {
        "POST" => {
            let mut rq = a.post(&url).header("Content-Type", "application/json");
            if let Some(v) = &auth {
                rq = rq.header("Authorization", v);
            }
            rq.send(body)
        }
        "PUT" => {
            let mut rq = a.put(&url).header("Content-Type", "application/json");
            if let Some(v) = &auth {
                rq = rq.header("Authorization", v);
            }
            rq.send(body)
        }
        _ => unreachable!("{method}"),
    };
    let mut resp = call.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Reply {
        status: resp.status().as_u16(),
        headers,
        body: resp.body_mut().read_to_vec().unwrap(),
    }
}

fn post(server: &Server, path: &str, body: &str) -> Reply {
    send(server, "POST", path, Some(CONTROL), body)
}

/// The JSON error's code and message, after checking the status.
fn error(r: &Reply, status: u16, code: &str) -> String {
    let v = r.json();
    assert_eq!(r.status, status, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    v["error"]["message"].as_str().unwrap().to_string()
}

fn control_home() -> Home {
    let home = Home::new();
    home.write_config(&format!("[serve]\ncontrol_token = \"{CONTROL}\"\n"));
    home
}

fn audit_rows(home: &Home) -> Vec<(String, String, String, String, i64)> {
    home.rows("SELECT client, token_id, method, route, status FROM control_audit ORDER BY id")
        .into_iter()
        .map(|r| {
            let t = |i: usize| r[i].clone().unwrap_or_default();
            (t(0), t(1), t(2), t(3), t(4).parse().unwrap())
        })
        .collect()
}

/// Polls `f` until it returns Some, for at most `limit`.
fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn control_routes_are_refused_when_the_server_has_no_token() {
    let home = Home::new();
    let server = Server::start(&home, &[]);
    // Loopback, no token: the data routes are open, the control routes are not.
    assert_eq!(get(&server, "/api/v1/background/status").status, 503); // no database yet
    let msg = error(
        &send(&server, "POST", "/api/v1/background/stop", None, ""),
        403,
        "control_disabled",
    );
    assert!(msg.contains("control_token"), "{msg}");
    let msg = error(
        &send(
            &server,
            "POST",
            "/api/v1/enrichment/pause",
            Some("anything"),
            "",
        ),
        403,
        "control_disabled",
    );
    assert!(msg.contains("--token"), "{msg}");
    assert!(!home.store_exists(), "a refused request wrote nothing");
    // Each refusal leaves a line in serve's log saying who tried what.
    let log = server.stderr();
    for route in ["/api/v1/background/stop", "/api/v1/enrichment/pause"] {
        assert!(
            log.contains(&format!(
                "refused POST {route} from 127.0.0.1: this server has no control token"
            )),
            "{log}"
        );
    }
}

#[test]
fn control_routes_need_their_token_read_json_bodies_and_are_audited() {
    let home = control_home();
    let server = Server::start(&home, &["--token", "data-T0ken"]);
    // Without a token, with the wrong one, with the data token: 401.
    for token in [None, Some("wrong"), Some("data-T0ken")] {
        let r = send(&server, "POST", "/api/v1/enrichment/pause", token, "{}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        let msg = error(&r, 401, "unauthorized");
        assert!(msg.contains("control token"), "{msg}");
    }
    let refused = "refused POST /api/v1/enrichment/pause from 127.0.0.1: no valid control token";
    assert_eq!(
        server.stderr().matches(refused).count(),
        3,
        "{}",
        server.stderr()
    );
    // The control token does not open the data routes either.
    let r = get_with(
        &agent(),
        &server.url("/api/v1/enrichment/history"),
        &[("Authorization", &format!("Bearer {CONTROL}"))],
    );
    assert_eq!(r.status, 401);

    let r = post(
        &server,
        "/api/v1/enrichment/pause",
        r#"{"reason": "provider maintenance"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(r.json()["paused"], true);
    assert!(r.header("x-audit-id").is_some());
    let status = home.json(["enrich", "status", "--json"]);
    assert_eq!(status["paused"]["paused"], true, "{status}");
    assert_eq!(status["paused"]["reason"], "provider maintenance");
    // A trigger while paused is a 409 that says how to go on.
    let msg = error(
        &post(&server, "/api/v1/enrichment/trigger", "{}"),
        409,
        "paused",
    );
    assert!(msg.contains("resume"), "{msg}");
    let r = post(&server, "/api/v1/enrichment/resume", "");
    assert_eq!(r.json()["paused"], false);
    let status = home.json(["enrich", "status", "--json"]);
    assert_eq!(status["paused"]["paused"], false);

    // Bad bodies name the field.
    let msg = error(
        &post(
            &server,
            "/api/v1/enrichment/trigger",
            r#"{"symbols": ["AAPL", 7]}"#,
        ),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("symbols[1]:"), "{msg}");
    let msg = error(
        &post(
            &server,
            "/api/v1/enrichment/trigger",
            r#"{"symbols": ["../etc"]}"#,
        ),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("symbols[0]:"), "{msg}");
    let msg = error(
        &post(
            &server,
            "/api/v1/enrichment/trigger",
            r#"{"asset_class": "bond"}"#,
        ),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("asset_class[0]:"), "{msg}");
    let msg = error(
        &post(&server, "/api/v1/enrichment/pause", r#"{"reason": "x""#),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("body: not valid JSON"), "{msg}");
    let msg = error(
        &post(&server, "/api/v1/enrichment/pause", r#"{"why": "x"}"#),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("why: unknown field"), "{msg}");
    let msg = error(
        &send(
            &server,
            "PUT",
            "/api/v1/background/interval/0",
            Some(CONTROL),
            "",
        ),
        400,
        "bad_request",
    );
    assert!(msg.starts_with("seconds:"), "{msg}");
    // Bodies are small.
    let big = format!(r#"{{"reason": "{}"}}"#, "x".repeat(5000));
    error(
        &post(&server, "/api/v1/enrichment/pause", &big),
        413,
        "payload_too_large",
    );
    // The wrong method names the right one.
    let r = send(&server, "PUT", "/api/v1/background/stop", Some(CONTROL), "");
    assert_eq!(r.header("allow"), Some("POST"));
    error(&r, 405, "method_not_allowed");

    // Who, what and the answer of every request that showed the control token and
    // reached its route; nothing from those refused at the door.
    let rows = audit_rows(&home);
    let statuses: Vec<i64> = rows.iter().map(|r| r.4).collect();
    assert_eq!(
        statuses,
        [200, 409, 200, 400, 400, 400, 400, 400, 400],
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.0 == "127.0.0.1"), "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.1.starts_with("control:") && !r.1.contains(CONTROL)),
        "{rows:?}"
    );
    assert_eq!(rows[0].2, "POST");
    assert_eq!(rows[0].3, "/api/v1/enrichment/pause");
    assert_eq!(rows[8].2, "PUT");
    assert_eq!(rows[8].3, "/api/v1/background/interval/0");
    let first = home.rows("SELECT request, result FROM control_audit ORDER BY id LIMIT 1");
    let (request, result) = (first[0][0].clone().unwrap(), first[0][1].clone().unwrap());
    assert!(request.contains("provider maintenance"), "{request}");
    assert!(result.contains("\"paused\":true"), "{result}");
}

/// Without `[serve] control_token` the serve token opens the control routes too.
#[test]
fn control_routes_fall_back_to_the_serve_token() {
    let home = Home::new();
    let server = Server::start(&home, &["--token", "data-T0ken"]);
    let r = send(
        &server,
        "POST",
        "/api/scheduler/cache/clear",
        Some("data-T0ken"),
        "",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), json!({"cleared": 0}));
    let rows = audit_rows(&home);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.starts_with("serve:"), "{rows:?}");
}

#[test]
fn control_trigger_starts_an_enrich_run_that_shows_in_history() {
    let home = control_home();
    let server = Server::start(&home, &[]);
    let r = post(
        &server,
        "/api/v1/enrichment/trigger",
        r#"{"symbols": ["aapl", "SPY"], "timeframes": ["1d"]}"#,
    );
    let v = r.json();
    assert_eq!(r.status, 202, "{v}");
    assert_eq!(v["status"], "started");
    let run_id = v["run_id"].as_i64().unwrap_or_else(|| panic!("{v}"));
    assert!(
        v["command"]
            .as_str()
            .unwrap()
            .contains("--symbols AAPL,SPY"),
        "{v}"
    );
    // The CLI ran it: it is in `enrich history`, finished, with both symbols.
    let run = wait_for(Duration::from_secs(60), "the run to finish", || {
        let h = home.json(["enrich", "history", "--json"]);
        h["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == run_id && r["status"] != "running")
            .cloned()
    });
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["symbols"], 2);
    assert_eq!(run["timeframes"], json!(["1d"]));
    assert_eq!(run["pid"], v["pid"]);

    // Another run holding the job lock: 409, nothing started. The finished run's process
    // holds the lock until it exits, a moment after it records its end.
    let lock_path = home.home().join("locks/enrich.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap();
    wait_for(
        Duration::from_secs(30),
        "the run's process to let go of the lock",
        || lock.try_lock().ok(),
    );
    let msg = error(
        &post(&server, "/api/v1/enrichment/trigger", "{}"),
        409,
        "already_running",
    );
    assert!(msg.contains("enrich"), "{msg}");
    drop(lock);
    let h = home.json(["enrich", "history", "--json"]);
    assert_eq!(h["runs"].as_array().unwrap().len(), 1, "{h}");
    let statuses: Vec<i64> = audit_rows(&home).iter().map(|r| r.4).collect();
    assert_eq!(statuses, [202, 409]);
}

/// Copies the sample workbooks into the home.
fn workbooks(home: &Home) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/excel");
    let dir = home.home().join("excel");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Historical.xlsx", "Live.xlsx"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
}

/// A `process-excel --watch` loop, killed when dropped.
struct Loop(Child);

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_loop(home: &Home) -> Loop {
    let mut child = home
        .std_cmd(["process-excel", "--watch", "--interval", "1", "--json"])
        .env("OPTCTL_NOW", IN_SESSION)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Drain its lines so it never blocks on a full pipe.
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(out).lines() {});
    Loop(child)
}

fn status(server: &Server) -> Value {
    let r = get(server, "/api/v1/background/status");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[test]
fn control_stop_idles_the_watch_loop_the_interval_is_picked_up_and_health_sees_it_die() {
    let home = control_home();
    workbooks(&home);
    let server = {
        let mut c = home.std_cmd(["serve", "--port", "0", "--threads", "2"]);
        c.env("OPTCTL_NOW", IN_SESSION);
        crate::serve::Server::from_command(c, &home)
    };
    let mut watch = start_loop(&home);
    let s = wait_for(Duration::from_secs(30), "the loop's first ticks", || {
        let r = get(&server, "/api/v1/background/status");
        if r.status != 200 {
            return None; // no database before the loop's first tick
        }
        let s = r.json();
        (s["is_running"] == true && s["runs_total"].as_u64() >= Some(2)).then_some(s)
    });
    assert_eq!(s["process_interval"], 1, "{s}");
    assert_eq!(s["background"]["pid"], watch.0.id(), "{s}");
    let h = get(&server, "/monitoring/health");
    assert_eq!(h.status, 200, "{}", h.json());
    assert_eq!(h.json()["status"], "healthy");
    assert_eq!(h.json()["workbooks"]["market"]["open"], true);

    // Stop: within one tick the loop records no more runs, but keeps beating.
    let r = post(&server, "/api/v1/background/stop", "");
    assert_eq!(r.json()["paused"], true);
    std::thread::sleep(Duration::from_millis(1500));
    let before = status(&server);
    std::thread::sleep(Duration::from_millis(2500));
    let after = status(&server);
    assert_eq!(before["runs_total"], after["runs_total"], "{after}");
    assert_eq!(after["is_running"], true, "an idle loop is still alive");
    assert_ne!(
        before["background"]["last_tick_at"], after["background"]["last_tick_at"],
        "the heartbeat goes on while stopped"
    );
    assert_eq!(get(&server, "/monitoring/health").status, 200);
    // A refresh asked for while stopped is left to the loop (it holds the lock), which
    // runs once, forced, and stays stopped.
    let r = post(&server, "/api/v1/process/refresh", "");
    assert_eq!(r.status, 202, "{}", r.json());
    assert_eq!(r.json()["status"], "queued");
    let refreshed = wait_for(
        Duration::from_secs(15),
        "the loop to run the refresh",
        || {
            let s = status(&server);
            (s["runs_total"].as_u64() == after["runs_total"].as_u64().map(|n| n + 1)).then_some(s)
        },
    );
    assert_eq!(
        refreshed["last_run"]["status"], "processed",
        "forced: {refreshed}"
    );
    assert!(refreshed["background"]["refresh_requested_at"].is_null());
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        status(&server)["runs_total"],
        refreshed["runs_total"],
        "still stopped"
    );
    let after = refreshed;

    // Start again, and slow it down: the new interval is picked up by the loop.
    post(&server, "/api/v1/background/start", "");
    wait_for(Duration::from_secs(15), "runs to resume", || {
        (status(&server)["runs_total"].as_u64() > after["runs_total"].as_u64()).then_some(())
    });
    let r = send(
        &server,
        "PUT",
        "/api/v1/background/interval/2",
        Some(CONTROL),
        "",
    );
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(r.json()["process_interval"], 2);
    wait_for(
        Duration::from_secs(15),
        "the loop to tick every 2 s",
        || (status(&server)["background"]["beat_interval"] == 2).then_some(()),
    );

    // The loop dies in session: health turns unhealthy once its heartbeat is stale.
    watch.0.kill().unwrap();
    watch.0.wait().unwrap();
    let h = wait_for(
        Duration::from_secs(40),
        "health to see the dead loop",
        || {
            let h = get(&server, "/monitoring/health");
            (h.status == 503).then(|| h.json())
        },
    );
    assert_eq!(h["status"], "unhealthy", "{h}");
    assert!(h["issues"][0].as_str().unwrap().contains("--watch"), "{h}");
    assert_eq!(status(&server)["is_running"], false);

    // With no loop, a refresh runs one `process-excel --force`.
    let runs = status(&server)["runs_total"].as_u64().unwrap();
    let r = post(&server, "/api/v1/process/refresh", "");
    assert_eq!(r.status, 202, "{}", r.json());
    assert_eq!(r.json()["status"], "started");
    wait_for(Duration::from_secs(30), "the forced run", || {
        (status(&server)["runs_total"].as_u64().unwrap() > runs).then_some(())
    });
    let history = get(&server, "/api/v1/stocks/processing-history?limit=1").json();
    let forced = &history["runs"][0]["status"];
    assert!(forced == "processed" || forced == "partial", "{history}");
    // A single run counts as the workbooks processed: healthy again.
    let h = get(&server, "/monitoring/health");
    assert_eq!(h.status, 200, "{}", h.json());
    drop(watch);
}

#[test]
fn control_scheduler_test_scan_cache_clear_and_metrics() {
    let home = Home::new();
    home.write_config(&format!(
        "{}\n[serve]\ncontrol_token = \"{CONTROL}\"\n",
        crate::compare::SMALL.replace("latency_ms = 40", "latency_ms = 0")
    ));
    let server = Server::start(&home, &[]);
    let bad = post(
        &server,
        "/api/scheduler/test/unified-scan?categories=swing",
        "",
    );
    assert!(error(&bad, 400, "bad_request").starts_with("categories:"));
    let r = post(
        &server,
        "/api/scheduler/test/unified-scan?categories=day_trading,short_term",
        "",
    );
    assert_eq!(r.status, 202, "{}", r.json());
    let latest = wait_for(Duration::from_secs(60), "the compare run", || {
        let v = get(&server, "/api/scheduler/stats/comparison?source=compare").json();
        (v["count"] == 1).then(|| v["latest"].clone())
    });
    assert_eq!(latest["categories"], json!(["day_trading", "short_term"]));

    let est = get(&server, "/api/scheduler/api-calls/estimate").json();
    assert_eq!(est["latest_compare"]["id"], latest["id"], "{est}");
    assert!(est["latest_compare"]["legacy_calls"].as_f64().unwrap() > 0.0);
    let metrics = get(&server, "/api/dashboard/scheduler-metrics").json();
    let entries = metrics["cache"]["entries"].as_u64().unwrap();
    assert!(entries > 0, "the compare run filled the cache: {metrics}");

    let r = post(&server, "/api/scheduler/cache/clear", "");
    assert_eq!(r.json(), json!({"cleared": entries}));
    let metrics = get(&server, "/api/dashboard/scheduler-metrics").json();
    assert_eq!(metrics["cache"]["entries"], 0);
    // The CLI does the same.
    assert_eq!(
        home.json(["migrate-scheduler", "cache", "clear", "--json"]),
        json!({"cleared": 0})
    );
}
