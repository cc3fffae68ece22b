//! `optctl notify` and the notifications `scan` sends: a capture server on 127.0.0.1
//! stands in for Telegram, Slack, Discord, ntfy and webhooks, records every request and
//! answers as the test scripts it (success, 5xx, 429, 401, or no answer at all).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use predicates::str::contains;
use serde_json::Value;
use sha2::Sha256;

use crate::harness::servers::{self, Route};
use crate::harness::{Home, NOW, describe};

/// One request the capture server received.
#[derive(Debug, Clone)]
struct Captured {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// How the capture server answers the next request.
#[derive(Clone)]
enum Reply {
    /// Status, headers, body.
    Answer(u16, Vec<(&'static str, String)>, String),
    /// Take the request and never answer (the sender hangs until killed).
    Hold,
    /// 500 with the request path in the body, as a careless server might.
    EchoPath,
}

/// A scripted receiver on 127.0.0.1 (the harness's [`servers::Server`]); answers 200 once
/// the script runs out.
struct Capture {
    base: String,
    server: servers::Server,
}

impl Capture {
    fn start() -> Capture {
        let server = servers::Server::receiver();
        Capture {
            base: server.url(),
            server,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn push(&self, r: Reply) {
        self.server.push(match r {
            Reply::Answer(status, headers, body) => headers
                .iter()
                .fold(Route::text(status, &body), |route, (k, v)| {
                    route.header(k, v)
                }),
            Reply::Hold => Route::hold(),
            Reply::EchoPath => Route::echo_path(),
        });
    }

    fn requests(&self) -> Vec<Captured> {
        self.server
            .seen()
            .into_iter()
            .map(|s| Captured {
                path: s.target,
                headers: s.headers,
                body: s.body,
            })
            .collect()
    }

    fn at(&self, path_prefix: &str) -> Vec<Captured> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .collect()
    }

    /// Waits until `n` requests have arrived.
    fn wait_for(&self, n: usize) {
        let start = Instant::now();
        while self.requests().len() < n {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "only {} requests arrived",
                self.requests().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A planted volume burst on AAPL: one scan raises several unusual_activity alerts.
const MARKET: &str = r#"
[provider.sim]
anomaly_rate = 0.0
plant = [{ ticker = "AAPL", kind = "volume_burst", from = "2026-11-01T00:00:00Z" }]
"#;

fn scan(home: &Home, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--json", "--tickers", "AAPL,SPY"];
    args.extend_from_slice(extra);
    home.json(args)
}

fn alert_keys(home: &Home) -> BTreeSet<String> {
    home.rows("SELECT id FROM alerts")
        .into_iter()
        .map(|r| format!("alert-{}", r[0].as_deref().unwrap()))
        .collect()
}

fn outbox(home: &Home, channel: &str, status: &str) -> i64 {
    home.count(&format!(
        "SELECT count(*) FROM notify_outbox WHERE channel = '{channel}' AND status = '{status}'"
    ))
}

/// The alert keys a webhook request carried.
fn item_keys(r: &Captured) -> BTreeSet<String> {
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["idempotency_key"].as_str().unwrap().to_string())
        .collect()
}

fn webhook_config(cap: &Capture, extra: &str) -> String {
    format!(
        "{MARKET}\n[notify]\nmax_batch = 100\n[notify.channels.hook]\nkind = \"webhook\"\nurl = \"{}\"\n{extra}\n",
        cap.url("/hook")
    )
}

fn hmac_hex(key: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn scan_sends_each_channel_kind_in_its_own_format() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&format!(
        r#"{MARKET}
[serve]
public_url = "https://dash.example.com"
[notify]
max_batch = 100
[notify.channels.tg]
kind = "telegram"
url = "{base}"
chat_id = "-100200300"
token = "123456:TEST-TOKEN"
[notify.channels.hook]
kind = "webhook"
url = "{base}/hook"
secret = "shared-key"
[notify.channels.team]
kind = "slack"
url = "{base}/slack/T0/B0/XYZ"
[notify.channels.chat]
kind = "discord"
url = "{base}/discord/1/abc"
[notify.channels.phone]
kind = "ntfy"
url = "{base}/ntfy/alerts-topic"
token = "tk_ntfytoken"
"#,
        base = cap.base
    ));
    let report = scan(&home, &[]);
    let keys = alert_keys(&home);
    assert!(keys.len() >= 2, "the planted burst raises alerts: {report}");
    assert_eq!(report["notify"]["messages_sent"], 5, "{report}");
    assert_eq!(cap.requests().len(), 5, "one message per channel");

    let tg = &cap.at("/bot")[0];
    assert_eq!(tg.path, "/bot123456:TEST-TOKEN/sendMessage");
    let body = tg.json();
    assert_eq!(body["chat_id"], "-100200300");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "optctl: {} alerts\nAAPL unusual_activity",
            keys.len()
        )),
        "{text}"
    );
    assert!(text.contains("vol/OI"), "{text}");
    assert!(
        text.ends_with("https://dash.example.com/#ticker=AAPL"),
        "{text}"
    );
    assert_eq!(body["disable_web_page_preview"], true);

    let hook = &cap.at("/hook")[0];
    let body = hook.json();
    assert_eq!(item_keys(hook), keys, "every alert, each with its own key");
    let key = hook.header("Idempotency-Key").unwrap();
    assert!(key.starts_with("batch-"), "{key}");
    assert_eq!(body["idempotency_key"], key);
    assert_eq!(body["count"], keys.len());
    assert_eq!(body["items"][0]["kind"], "alert");
    assert_eq!(body["items"][0]["ticker"], "AAPL");
    assert_eq!(body["items"][0]["name"], "unusual_activity");
    assert!(body["items"][0]["data"]["vol_oi_ratio"].is_number());
    assert_eq!(
        hook.header("X-Optctl-Signature-256").unwrap(),
        format!("sha256={}", hmac_hex("shared-key", &hook.body)),
        "the signature is the HMAC-SHA256 of the exact body"
    );
    assert_eq!(hook.header("Content-Type"), Some("application/json"));

    let slack = &cap.at("/slack/T0/B0/XYZ")[0];
    let body = slack.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("AAPL unusual_activity")
    );
    assert_eq!(slack.header("Idempotency-Key"), Some(key));

    let discord = &cap.at("/discord/1/abc")[0].json();
    assert!(discord["content"].as_str().unwrap().starts_with("optctl: "));
    assert_eq!(discord["allowed_mentions"]["parse"], serde_json::json!([]));

    let ntfy = &cap.at("/ntfy/alerts-topic")[0];
    assert_eq!(
        ntfy.header("Title").unwrap(),
        format!("optctl: {} alerts", keys.len())
    );
    assert_eq!(ntfy.header("Authorization"), Some("Bearer tk_ntfytoken"));
    assert_eq!(
        ntfy.header("Click"),
        Some("https://dash.example.com/#ticker=AAPL")
    );
    assert!(
        ntfy.body.starts_with("AAPL unusual_activity"),
        "{}",
        ntfy.body
    );

    // Everything is marked sent; a drain now has nothing to do.
    for ch in ["tg", "hook", "team", "chat", "phone"] {
        assert_eq!(outbox(&home, ch, "sent"), keys.len() as i64, "{ch}");
    }
    let again = home.json(["notify", "--json"]);
    assert_eq!(again["messages_sent"], 0, "{again}");
    assert_eq!(cap.requests().len(), 5);
}

#[test]
fn routing_rules_choose_the_channels() {
    let cap = Capture::start();
    let home = Home::new();
    let ch = |name: &str, rules: &str| {
        format!(
            "[notify.channels.{name}]\nkind = \"webhook\"\nurl = \"{}\"\n{rules}\n",
            cap.url(&format!("/{name}"))
        )
    };
    home.write_config(&format!(
        "{MARKET}\n{}{}{}{}{}{}",
        ch("uoa", "detectors = [\"unusual_activity\"]"),
        ch("other", "detectors = [\"iv_spike\", \"oi_surge\"]"),
        ch("spy", "tickers = [\"spy\"]"),
        ch("aapl", "tickers = [\"aapl\"]\nmin_score = 0"),
        ch("signals", "sources = [\"signals\"]"),
        ch("off", "enabled = false"),
    ));
    scan(&home, &["--no-notify"]);
    assert!(cap.requests().is_empty(), "--no-notify sends nothing");
    let count = |sql: &str| home.count(sql);
    let uoa = count("SELECT count(*) FROM alerts WHERE detector = 'unusual_activity'");
    let aapl = count("SELECT count(*) FROM alerts WHERE ticker = 'AAPL'");
    let spy = count("SELECT count(*) FROM alerts WHERE ticker = 'SPY'");
    let other = count("SELECT count(*) FROM alerts WHERE detector IN ('iv_spike', 'oi_surge')");
    assert!(uoa >= 1);
    assert_eq!(outbox(&home, "uoa", "queued"), uoa);
    assert_eq!(outbox(&home, "other", "queued"), other);
    assert_eq!(outbox(&home, "aapl", "queued"), aapl);
    assert_eq!(outbox(&home, "spy", "queued"), spy);
    assert_eq!(outbox(&home, "signals", "queued"), 0);
    assert_eq!(outbox(&home, "off", "queued"), 0);
    // Every queued row belongs to an alert stored in the same scan.
    assert_eq!(
        count(
            "SELECT count(*) FROM notify_outbox o LEFT JOIN alerts a ON a.id = o.source_id
             WHERE a.id IS NULL"
        ),
        0
    );
    let status = home.json(["notify", "status", "--json"]);
    let names: Vec<&str> = status["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aapl", "off", "other", "signals", "spy", "uoa"]);
    let uoa_status = &status["channels"][5];
    assert_eq!(uoa_status["queued"], uoa);
    assert_eq!(uoa_status["due"], uoa);
    home.cmd(["notify"]).assert().success();
    assert_eq!(cap.at("/uoa").len(), 1);
    assert_eq!(cap.at("/off").len(), 0);
}

#[test]
fn quiet_hours_hold_messages_until_the_window_ends_in_its_time_zone() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&webhook_config(
        &cap,
        "quiet_hours = { start = \"22:00\", end = \"07:00\", timezone = \"America/New_York\" }",
    ));
    // 03:30 UTC on the 24th is 22:30 on the 23rd in New York: quiet.
    let r = scan(&home, &["--as-of", "2026-11-24T03:30:00Z"]);
    assert_eq!(
        r["notify"]["channels"][0]["quiet_until"], "2026-11-24T12:00:00Z",
        "{r}"
    );
    assert!(cap.requests().is_empty());
    let queued = outbox(&home, "hook", "queued");
    assert!(queued >= 1);
    let status = home.json([
        "notify",
        "status",
        "--json",
        "--as-of",
        "2026-11-24T03:30:00Z",
    ]);
    assert_eq!(status["channels"][0]["quiet_until"], "2026-11-24T12:00:00Z");
    // 06:59 New York: still quiet.
    let r = home.json(["notify", "--json", "--as-of", "2026-11-24T11:59:59Z"]);
    assert_eq!(r["messages_sent"], 0, "{r}");
    assert!(cap.requests().is_empty());
    // 07:00 New York: everything held goes out in one message.
    let r = home.json(["notify", "--json", "--as-of", "2026-11-24T12:00:00Z"]);
    assert_eq!(r["messages_sent"], 1, "{r}");
    assert_eq!(r["items_sent"], queued);
    assert_eq!(outbox(&home, "hook", "sent"), queued);

    // 21:59 New York (02:59 UTC, already the 24th in UTC) is not quiet: sent at once.
    let cap2 = Capture::start();
    let evening = Home::new();
    evening.write_config(&webhook_config(
        &cap2,
        "quiet_hours = { start = \"22:00\", end = \"07:00\", timezone = \"America/New_York\" }",
    ));
    let r = scan(&evening, &["--as-of", "2026-11-24T02:59:00Z"]);
    assert_eq!(r["notify"]["messages_sent"], 1, "{r}");
    assert_eq!(cap2.requests().len(), 1);
}

#[test]
fn many_alerts_are_batched_and_the_rate_limit_holds_the_rest() {
    let cap = Capture::start();
    let home = Home::new();
    // Three bursts: six alerts.
    let market = MARKET.replace(
        "plant = [",
        "plant = [{ ticker = \"MSFT\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }, \
                  { ticker = \"NVDA\", kind = \"volume_burst\", from = \"2026-11-01T00:00:00Z\" }, ",
    );
    home.write_config(&format!(
        "{market}\n[notify]\nmax_batch = 2\n[notify.channels.hook]\nkind = \"webhook\"\nurl = \"{}\"\nrate_limit = {{ calls = 1, per_seconds = 60, burst = 2 }}\n",
        cap.url("/hook")
    ));
    home.json([
        "scan",
        "--json",
        "--tickers",
        "AAPL,MSFT,NVDA",
        "--no-notify",
    ]);
    let keys = alert_keys(&home);
    assert!(
        keys.len() >= 5,
        "need 5 alerts for 3 messages, got {}",
        keys.len()
    );
    let out = home.cmd(["notify", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["messages_sent"], 2, "the burst of 2: {r}");
    assert_eq!(r["items_sent"], 4);
    assert_eq!(r["channels"][0]["rate_limited"], true);
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2);
    let first = item_keys(&reqs[0]);
    let second = item_keys(&reqs[1]);
    assert_eq!((first.len(), second.len()), (2, 2));
    assert!(first.is_disjoint(&second));
    assert_eq!(outbox(&home, "hook", "queued"), keys.len() as i64 - 4);
    assert_eq!(outbox(&home, "hook", "sent"), 4);
    // The bucket lives in the store: the next process finds it empty too ...
    let r = home.json(["notify", "--json"]);
    assert_eq!(r["messages_sent"], 0, "{r}");
    assert_eq!(r["channels"][0]["rate_limited"], true);
    // ... and a minute later it holds one token again: one more message.
    let r = home.json(["notify", "--json", "--as-of", "2026-11-23T15:01:00Z"]);
    assert_eq!(r["messages_sent"], 1, "{r}");
    assert_eq!(cap.requests().len(), 3);
    let status = home.json(["notify", "status", "--json"]);
    assert_eq!(status["channels"][0]["sent"], 6.min(keys.len()));
}

#[test]
fn server_errors_and_429_retry_later_with_the_same_key() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&webhook_config(&cap, ""));
    scan(&home, &["--no-notify"]);
    let keys = alert_keys(&home);
    cap.push(Reply::Answer(503, vec![], "maintenance".into()));
    cap.push(Reply::Answer(
        429,
        vec![("Retry-After", "120".into())],
        "slow down".into(),
    ));

    // 503: stays queued, exit 3, backoff 30 s plus up to 100% jitter.
    home.cmd(["notify"])
        .assert()
        .code(3)
        .stdout(contains("HTTP 503"));
    assert_eq!(outbox(&home, "hook", "queued"), keys.len() as i64);
    let next = home
        .value("SELECT min(next_attempt_at) FROM notify_outbox")
        .unwrap();
    let next: chrono::DateTime<chrono::Utc> = next.parse().unwrap();
    let now: chrono::DateTime<chrono::Utc> = NOW.parse().unwrap();
    let wait = (next - now).num_seconds();
    assert!((30..=60).contains(&wait), "backoff {wait} s");
    let status = home.json(["notify", "status", "--json"]);
    let hook = &status["channels"][0];
    assert_eq!(hook["queued"], keys.len());
    assert_eq!(hook["due"], 0);
    assert_eq!(
        hook["last_error"],
        "HTTP 503 Service Unavailable: maintenance"
    );

    // Not due yet: nothing is sent.
    let r = home.json(["notify", "--json"]);
    assert_eq!(r["messages_sent"], 0);
    assert_eq!(cap.requests().len(), 1);

    // After the backoff: 429 with Retry-After 120 s.
    home.cmd(["notify", "--as-of", "2026-11-23T15:01:00Z"])
        .assert()
        .code(3);
    let next = home
        .value("SELECT min(next_attempt_at) FROM notify_outbox")
        .unwrap();
    assert_eq!(next, "2026-11-23T15:03:00Z", "Retry-After is honoured");
    let r = home.json(["notify", "--json", "--as-of", "2026-11-23T15:02:59Z"]);
    assert_eq!(r["messages_sent"], 0);

    // Then it goes through: three requests, one key, the same alerts.
    let r = home.json(["notify", "--json", "--as-of", "2026-11-23T15:03:00Z"]);
    assert_eq!(r["messages_sent"], 1, "{r}");
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 3);
    let key = reqs[0].header("Idempotency-Key").unwrap().to_string();
    for rq in &reqs {
        assert_eq!(rq.header("Idempotency-Key"), Some(key.as_str()));
        assert_eq!(item_keys(rq), keys);
    }
    assert_eq!(outbox(&home, "hook", "sent"), keys.len() as i64);
    let attempts = home.count("SELECT max(attempts) FROM notify_outbox");
    assert_eq!(attempts, 3);
}

#[test]
fn a_refused_token_fails_for_good_until_retried() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&format!(
        "{MARKET}\n[notify.channels.desk]\nkind = \"telegram\"\nurl = \"{}\"\nchat_id = \"42\"\ntoken = \"999:BAD\"\n",
        cap.base
    ));
    cap.push(Reply::Answer(
        401,
        vec![("Content-Type", "application/json".into())],
        r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#.into(),
    ));
    let out = home
        .cmd(["scan", "--json", "--tickers", "AAPL,SPY"])
        .output()
        .unwrap();
    // The scan itself succeeded: a notification problem does not fail it.
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("notify desk: HTTP 401 Unauthorized: Unauthorized"),
        "{stderr}"
    );
    let n = alert_keys(&home).len() as i64;
    assert_eq!(outbox(&home, "desk", "failed"), n);
    let status = home.json(["notify", "status", "--json"]);
    assert_eq!(status["channels"][0]["failed"], n);
    assert_eq!(status["channels"][0]["target"], "chat 42");
    assert_eq!(
        status["channels"][0]["last_error"],
        "HTTP 401 Unauthorized: Unauthorized"
    );
    // A plain drain leaves failed messages alone.
    let r = home.json(["notify", "--json"]);
    assert_eq!(r["messages_sent"], 0);
    // retry without --failed does not touch them either; with it they go out.
    let r = home.json(["notify", "retry", "--json"]);
    assert_eq!(r["requeued_failed"], 0);
    assert_eq!(r["drain"]["messages_sent"], 0);
    let r = home.json(["notify", "retry", "--failed", "--json"]);
    assert_eq!(r["requeued_failed"], n);
    assert_eq!(r["drain"]["messages_sent"], 1, "{r}");
    assert_eq!(outbox(&home, "desk", "sent"), n);
    assert_eq!(cap.requests().len(), 2);
}

#[test]
fn a_send_killed_before_its_mark_is_sent_again_with_the_same_key() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&webhook_config(&cap, ""));
    scan(&home, &["--no-notify"]);
    let keys = alert_keys(&home);
    // The receiver takes the request and holds the answer: `notify` is mid-send.
    cap.push(Reply::Hold);
    let mut child = home.std_cmd(["notify"]).spawn().unwrap();
    cap.wait_for(1);
    child.kill().unwrap(); // SIGKILL: no chance to mark anything
    child.wait().unwrap();
    assert_eq!(
        outbox(&home, "hook", "queued"),
        keys.len() as i64,
        "nothing lost"
    );
    assert_eq!(outbox(&home, "hook", "sent"), 0);
    if home.store_url().is_none() {
        assert_eq!(
            home.db()
                .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .unwrap(),
            "ok"
        );
    }

    // The next drain sends the same message again: same key, same alerts.
    let r = home.json(["notify", "--json"]);
    assert_eq!(r["messages_sent"], 1, "{r}");
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].header("Idempotency-Key"),
        reqs[1].header("Idempotency-Key")
    );
    assert_eq!(item_keys(&reqs[0]), keys);
    assert_eq!(item_keys(&reqs[1]), keys);
    assert_eq!(outbox(&home, "hook", "sent"), keys.len() as i64);
    // And never again.
    home.json(["notify", "--json"]);
    assert_eq!(cap.requests().len(), 2);
}

#[test]
fn secrets_stay_out_of_logs_errors_and_config_show() {
    let cap = Capture::start();
    let home = Home::new();
    let secrets = [
        "777:TG-SECRET-TOKEN",
        "HMAC-SECRET-KEY",
        "SLACKSECRETPATH",
        "tk_NTFY-SECRET",
    ];
    home.write_config(&format!(
        r#"{MARKET}
[notify.channels.desk]
kind = "telegram"
url = "{base}"
chat_id = "42"
token = "{}"
[notify.channels.hook]
kind = "webhook"
url = "{base}/hook"
secret = "{}"
[notify.channels.team]
kind = "slack"
url = "{base}/services/T0/B0/{}"
[notify.channels.phone]
kind = "ntfy"
url = "{base}/topic"
token_env = "OPTCTL_TEST_NTFY_TOKEN"
"#,
        secrets[0],
        secrets[1],
        secrets[2],
        base = cap.base
    ));
    // Every channel's server fails and echoes the path (with the token in it).
    for _ in 0..4 {
        cap.push(Reply::EchoPath);
    }
    let check = |what: &str, text: &str| {
        for s in secrets {
            assert!(!text.contains(s), "{what} shows {s}:\n{text}");
        }
    };
    let run = |args: &[&str]| {
        let out = home
            .std_cmd(args)
            .env("OPTCTL_TEST_NTFY_TOKEN", secrets[3])
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let scan_out = run(&["-vv", "scan", "--tickers", "AAPL", "--json"]);
    check("scan -vv", &scan_out);
    assert!(
        scan_out.contains("[redacted]"),
        "the echoed path is scrubbed: {scan_out}"
    );
    assert_eq!(cap.requests().len(), 4);
    // The secrets did reach the servers.
    assert_eq!(
        cap.at("/bot")[0].path,
        format!("/bot{}/sendMessage", secrets[0])
    );
    assert_eq!(
        cap.at("/topic")[0].header("Authorization"),
        Some(format!("Bearer {}", secrets[3]).as_str())
    );
    check(
        "notify -vv",
        &run(&["-vv", "notify", "--as-of", "2026-11-23T16:00:00Z"]),
    );
    check("notify status", &run(&["notify", "status"]));
    check(
        "notify status --json",
        &run(&["notify", "status", "--json"]),
    );
    check("config show", &run(&["config", "show"]));
    check("config show --json", &run(&["config", "show", "--json"]));
    check("notify test", &run(&["-vv", "notify", "test", "desk"]));
    let errors: Vec<String> = home
        .rows("SELECT coalesce(last_error, '') FROM notify_outbox")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    check("stored errors", &errors.join("\n"));
    assert!(run(&["config", "show"]).contains("token = \"[redacted]\""));
    // Without the variable the channel reports which one is missing and keeps its queue.
    let out = home.cmd(["notify", "--channel", "phone"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("environment variable OPTCTL_TEST_NTFY_TOKEN is not set"),
        "{}",
        describe(&out)
    );
}

#[test]
fn notify_test_sends_one_message_and_reports_refusals() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&webhook_config(&cap, ""));
    let r = home.json(["notify", "test", "hook", "--json"]);
    assert_eq!(r["delivered"], true);
    assert_eq!(r["idempotency_key"], "test-1795446000");
    let rq = &cap.requests()[0];
    let body = rq.json();
    assert_eq!(body["items"][0]["kind"], "test");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("notifications work")
    );
    cap.push(Reply::Answer(404, vec![], "no such hook".into()));
    home.cmd(["notify", "test", "hook"])
        .assert()
        .code(1)
        .stderr(contains(
            "test message to hook not delivered: HTTP 404 Not Found: no such hook",
        ));
    home.cmd(["notify", "test", "nope"])
        .assert()
        .code(2)
        .stderr(contains(
            "no channel \"nope\" in [notify.channels] (configured: hook)",
        ));
    // Nothing reachable: a connection error, said plainly.
    home.write_config(
        "[notify.channels.gone]
kind = \"slack\"
url = \"http://127.0.0.1:9/x\"
",
    );
    home.cmd(["notify", "test", "gone"])
        .assert()
        .code(1)
        .stderr(contains("cannot connect"));
}

#[test]
fn bad_channel_config_is_a_usage_error_naming_the_key() {
    let home = Home::new();
    home.write_config("[notify.channels.desk]\nkind = \"telegram\"\ntoken = \"x\"\n");
    home.cmd(["notify"])
        .assert()
        .code(2)
        .stderr(contains("notify.channels.desk.chat_id"));
    home.write_config("");
    home.cmd(["notify"])
        .assert()
        .success()
        .stderr(contains("no notification channels configured"));
    home.cmd(["notify", "status"]).assert().success();
}

/// The ids of the signals acted on in `category`, as idempotency keys.
fn used_signal_keys(home: &Home, category: &str) -> BTreeSet<String> {
    home.rows(&format!(
        "SELECT id FROM scheduler_signals WHERE used = 1 AND category = '{category}'"
    ))
    .into_iter()
    .map(|r| format!("signal-{}", r[0].as_deref().unwrap()))
    .collect()
}

#[test]
fn scheduler_ticks_queue_each_new_signal_once_and_send_it() {
    let cap = Capture::start();
    let home = Home::new();
    let t0: chrono::DateTime<chrono::Utc> = crate::compare::T0.parse().unwrap();
    let at = |m: i64| {
        (t0 + chrono::TimeDelta::minutes(m))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    // The default categories; one channel takes day_trading signals only, another
    // takes alerts only.
    home.write_config(&format!(
        "[notify]\nmax_batch = 100\n\
         [notify.channels.desk]\nkind = \"webhook\"\nurl = \"{}\"\nsources = [\"signals\"]\ncategories = [\"day_trading\"]\n\
         [notify.channels.alerts]\nkind = \"webhook\"\nurl = \"{}\"\nsources = [\"alerts\"]\n",
        cap.url("/desk"),
        cap.url("/alerts"),
    ));
    let tick = |m: i64, extra: &[&str]| {
        let mut args = vec!["migrate-scheduler", "run", "--json"];
        args.extend_from_slice(extra);
        let t = at(m);
        args.extend_from_slice(&["--as-of", &t]);
        home.json(args)
    };

    // --no-notify: the tick queues in its own transaction and sends nothing.
    let r = tick(0, &["--no-notify"]);
    assert!(r["new_signals"].as_u64().unwrap() > 0, "{r}");
    assert!(r.get("notify").is_none(), "{r}");
    let first = used_signal_keys(&home, "day_trading");
    assert!(
        !first.is_empty(),
        "the default day_trading list has setups at T0"
    );
    assert_eq!(outbox(&home, "desk", "queued"), first.len() as i64);
    assert_eq!(outbox(&home, "alerts", "queued"), 0);
    assert!(cap.requests().is_empty());

    // (The harness clock is before T0: the drain runs at the tick's time.)
    home.cmd(["notify", "--as-of", &at(1)]).assert().success();
    let sent: BTreeSet<String> = cap.at("/desk").iter().flat_map(item_keys).collect();
    assert_eq!(sent, first);
    let items: Vec<Value> = cap
        .at("/desk")
        .iter()
        .flat_map(|r| r.json()["items"].as_array().unwrap().clone())
        .collect();
    for i in &items {
        assert_eq!(i["kind"], "signal");
        assert_eq!(i["category"], "day_trading");
        assert!(
            ["long", "short"].contains(&i["direction"].as_str().unwrap()),
            "{i}"
        );
        assert!(i["data"]["price"].as_f64().unwrap() > 0.0, "{i}");
    }

    // Three hours on, the next tick sends its new setups itself; nothing goes twice,
    // and a tick that finds the same setups again queues nothing.
    let r = tick(180, &[]);
    let all = used_signal_keys(&home, "day_trading");
    assert!(all.len() > first.len(), "new day_trading setups by then");
    assert_eq!(
        r["notify"]["items_sent"].as_u64().unwrap() as usize,
        all.len() - first.len()
    );
    tick(180, &[]);
    let mut keys: Vec<String> = cap.at("/desk").iter().flat_map(item_keys).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a key went out twice");
    assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), all);
    assert!(cap.at("/alerts").is_empty());
}

#[test]
fn quiet_notify_prints_nothing_when_it_sends() {
    let cap = Capture::start();
    let home = Home::new();
    home.write_config(&webhook_config(&cap, ""));
    scan(&home, &["--no-notify"]);
    assert!(cap.requests().is_empty());
    crate::cron::assert_silent(&home.cmd(["-q", "notify"]).output().unwrap());
    assert_eq!(cap.requests().len(), 1, "the queued alerts were sent");
}
