//! `optctl serve`: a real server on 127.0.0.1 (port 0) driven by a real HTTP client:
//! every route, filters, the ETag/304 flow, gzip, errors, token, bind refusal, signals,
//! reloads, and reads while scans and exports run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use predicates::str::contains;
use serde_json::{Value, json};

use crate::harness::Home;

/// A running `optctl serve`, stopped (SIGKILL) when dropped if a test did not stop it.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
    stderr: std::path::PathBuf,
}

impl Server {
    pub(crate) fn start(home: &Home, extra: &[&str]) -> Server {
        let mut c = home.std_cmd(["serve", "--port", "0", "--threads", "4"]);
        c.args(extra);
        Server::from_command(c, home)
    }

    /// Starts a `serve` command prepared by the caller (its own environment).
    pub(crate) fn from_command(mut c: std::process::Command, home: &Home) -> Server {
        let n = std::fs::read_dir(home.root()).map_or(0, |d| d.count());
        let stderr = home.root().join(format!("serve-{n}.err"));
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            panic!(
                "serve did not start: stdout {line:?}, stderr {}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        };
        Server {
            addr: addr.parse().unwrap(),
            child,
            stderr,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `signal` (TERM, INT) and waits for the exit.
    fn stop(mut self, signal: &str) -> ExitStatus {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success());
        let until = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < until, "serve did not stop on SIG{signal}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-case names) and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the `{"error": {"code", "message"}}` shape and returns the message.
    fn error(&self, status: u16, code: &str) -> String {
        let v = self.json();
        assert_eq!(self.status, status, "{v}");
        assert_eq!(v["error"]["code"], code, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

pub(crate) fn get_with(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut rq = agent.get(url);
    for (k, v) in headers {
        rq = rq.header(*k, *v);
    }
    let mut resp = rq.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Reply {
        status: resp.status().as_u16(),
        headers,
        body: resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .unwrap(),
    }
}

pub(crate) fn get(server: &Server, path: &str) -> Reply {
    get_with(&agent(), &server.url(path), &[])
}

/// Sends raw bytes and reads one response (by Content-Length), for requests a client
/// library would not send.
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    raw_on(&mut s, request)
}

/// [`raw`] on an open connection, to check that keep-alive survives a request.
fn raw_on(s: &mut TcpStream, request: &[u8]) -> Reply {
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut lines = head.split("\r\n");
            let status: u16 = lines
                .next()
                .unwrap()
                .split(' ')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            if buf.len() >= end + 4 + len {
                return Reply {
                    status,
                    headers,
                    body: buf[end + 4..end + 4 + len].to_vec(),
                };
            }
        }
        let n = s.read(&mut chunk).unwrap();
        assert!(
            n > 0,
            "connection closed mid-response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Writes `value` as `<home>/exports/<name>` the way `optctl export` does: a temp file
/// in the same folder, then a rename.
fn write_export(home: &Home, name: &str, value: &Value) {
    let dir = home.home().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec(value).unwrap()).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

/// Writes `chains` the way `optctl export` does: chains.json for older readers, then
/// each ticker's `chains/<TICKER>.json` and its gzip copy (the copy first), then
/// manifest.json listing them, last. Returns the manifest's `chains` entries.
fn write_chains(home: &Home, at: &str, chains: &[Value]) -> Value {
    write_export(
        home,
        "chains.json",
        &json!({"export_timestamp": at, "chain_count": chains.len(), "errors": [], "chains": chains}),
    );
    let entries: Vec<Value> = chains
        .iter()
        .map(|c| write_chain_file(home, at, c))
        .collect();
    write_export(
        home,
        "manifest.json",
        &json!({"export_timestamp": at, "errors": [], "chains": entries, "files": [
            {"name": "alerts.json", "count": 3, "bytes": 1, "sha256": "00"}]}),
    );
    Value::Array(entries)
}

/// The SHA-256 of `bytes`, in hex.
fn sha256_hex(bytes: &[u8]) -> String {
    optctl::export::atomic::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// Writes one ticker's chain file and its gzip copy (temp file, then rename, the gzip
/// copy first) and returns its manifest entry.
fn write_chain_file(home: &Home, at: &str, c: &Value) -> Value {
    let dir = home.home().join("exports/chains");
    std::fs::create_dir_all(&dir).unwrap();
    let ticker = c["ticker"].as_str().unwrap();
    let doc = json!({"export_timestamp": at, "ticker": ticker, "scan_id": c["scan_id"],
        "as_of": c["as_of"], "spot": c["spot"],
        "contract_count": c["contracts"].as_array().unwrap().len(), "contracts": c["contracts"]});
    let body = serde_json::to_vec(&doc).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&body).unwrap();
    let gz = gz.finish().unwrap();
    let name = format!("{ticker}.json");
    for (file, bytes) in [(format!("{name}.gz"), &gz), (name.clone(), &body)] {
        let tmp = dir.join(format!(".{file}.tmp"));
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, dir.join(&file)).unwrap();
    }
    let (sha, gz_sha) = (sha256_hex(&body), sha256_hex(&gz));
    json!({"ticker": ticker, "name": format!("chains/{name}"), "bytes": body.len(),
        "sha256": sha, "etag": format!("\"{}\"", &sha[..32]),
        "gzip": {"name": format!("chains/{name}.gz"), "bytes": gz.len(), "sha256": gz_sha,
                 "etag": format!("\"{}\"", &gz_sha[..32])},
        "scan_id": doc["scan_id"], "as_of": doc["as_of"], "spot": doc["spot"],
        "contract_count": doc["contract_count"]})
}

fn contract(symbol: &str, expiry: &str, strike: f64, right: &str) -> Value {
    json!({"symbol": symbol, "expiry": expiry, "strike": strike, "right": right,
           "bid": 1.2, "ask": 1.3, "last": 1.25, "volume": 1200, "open_interest": 800,
           "iv": 0.31, "delta": 0.4, "gamma": 0.02, "theta": -0.05, "vega": 0.2})
}

fn features(ticker: &str, spot: f64) -> Value {
    json!({"ticker": ticker, "as_of": "2026-11-23T15:00:00Z", "spot": spot,
           "atm_iv_front": 0.3, "atm_iv_30d": 0.29, "term_slope": 0.01, "rr25": -0.02,
           "call_volume": 5000, "put_volume": 4000, "call_oi": 20000, "put_oi": 18000,
           "pcr_volume": 0.8, "pcr_oi": 0.9, "max_pain": 185.0, "expected_move": 6.1,
           "iv_rank": null, "iv_percentile": null, "iv_history_n": 3, "contracts": 4})
}

fn scan(id: i64, status: &str, as_of: &str) -> Value {
    json!({"id": id, "started_at": as_of, "as_of": as_of, "finished_at": as_of,
           "status": status, "provider": "sim", "tickers_requested": 2, "tickers_ok": 2,
           "tickers_failed": 0, "contracts": 5, "alerts": 2, "provider_calls": 2,
           "duration_ms": 120, "errors": []})
}

/// A small, fully known set of export files, in the exact format of `optctl export`.
fn write_sample_exports(home: &Home) {
    let at = "2026-11-23T15:00:05Z";
    write_export(
        home,
        "alerts.json",
        &json!({"export_timestamp": at, "alert_count": 3, "errors": [], "alerts": [
            {"id": 12, "scan_id": 3, "ticker": "AAPL", "detector_name": "unusual_activity",
             "contract": "AAPL261218P00185000", "score": 72.5, "alert_data": {"vol_oi": 3.1},
             "created_at": "2026-11-23T15:00:00Z"},
            {"id": 11, "scan_id": 3, "ticker": "MSFT", "detector_name": "iv_spike",
             "contract": null, "score": 55.0, "alert_data": {}, "created_at": "2026-11-23T15:00:00Z"},
            {"id": 5, "scan_id": 2, "ticker": "AAPL", "detector_name": "volume_spike",
             "contract": null, "score": 90.0, "alert_data": {"ratio": 4.0},
             "created_at": "2026-11-23T14:50:00Z"}]}),
    );
    write_export(
        home,
        "scans.json",
        &json!({"export_timestamp": at, "scan_count": 2, "errors": [], "scans": [
            scan(3, "partial", "2026-11-23T15:00:00Z"),
            scan(2, "succeeded", "2026-11-23T14:50:00Z")]}),
    );
    write_export(
        home,
        "features.json",
        &json!({"export_timestamp": at, "feature_count": 2, "errors": [],
                "features": [features("AAPL", 187.2), features("MSFT", 410.0)]}),
    );
    write_chains(
        home,
        at,
        &[
            json!({"ticker": "AAPL", "scan_id": 3, "as_of": "2026-11-23T15:00:00Z", "spot": 187.2,
             "contracts": [
                contract("AAPL261218C00180000", "2026-12-18", 180.0, "call"),
                contract("AAPL261218P00180000", "2026-12-18", 180.0, "put"),
                contract("AAPL261218C00190000", "2026-12-18", 190.0, "call"),
                contract("AAPL270115P00190000", "2027-01-15", 190.0, "put")]}),
            json!({"ticker": "MSFT", "scan_id": 3, "as_of": "2026-11-23T15:00:00Z", "spot": 410.0,
             "contracts": [contract("MSFT261218C00400000", "2026-12-18", 400.0, "call")]}),
        ],
    );
}

fn served() -> (Home, Server) {
    let home = Home::new();
    write_sample_exports(&home);
    let server = Server::start(&home, &[]);
    (home, server)
}

fn tickers(v: &Value) -> Vec<String> {
    v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}#{}", a["ticker"].as_str().unwrap(), a["id"]))
        .collect()
}

#[test]
fn serve_alert_routes_and_filters() {
    let (_home, server) = served();
    let latest = get(&server, "/alerts/latest");
    assert_eq!(latest.status, 200);
    assert_eq!(latest.header("content-type"), Some("application/json"));
    let v = latest.json();
    assert_eq!(v["scan_id"], 3, "the newest scan id in alerts.json");
    assert_eq!(v["alert_count"], 2);
    assert_eq!(tickers(&v), ["AAPL#12", "MSFT#11"]);
    assert_eq!(v["alerts"][0]["contract"], "AAPL261218P00185000");
    assert_eq!(v["alerts"][0]["alert_data"]["vol_oi"], 3.1);
    assert_eq!(v["export_timestamp"], "2026-11-23T15:00:05Z");

    let all = get(&server, "/alerts").json();
    assert_eq!(tickers(&all), ["AAPL#12", "MSFT#11", "AAPL#5"]);
    assert_eq!(all["alert_count"], 3);
    for (query, want) in [
        ("min_score=60", vec!["AAPL#12", "AAPL#5"]),
        ("limit=1", vec!["AAPL#12"]),
        ("detector=iv_spike", vec!["MSFT#11"]),
        ("ticker=aapl", vec!["AAPL#12", "AAPL#5"]),
        ("since=2026-11-23T14:55:00Z", vec!["AAPL#12", "MSFT#11"]),
        ("ticker=AAPL&min_score=80&limit=5", vec!["AAPL#5"]),
        ("ticker=NVDA", vec![]),
    ] {
        let r = get(&server, &format!("/alerts?{query}"));
        assert_eq!(r.status, 200, "{query}");
        assert_eq!(tickers(&r.json()), want, "{query}");
    }
    let aapl = get(&server, "/alerts/ticker/aapl").json();
    assert_eq!(tickers(&aapl), ["AAPL#12", "AAPL#5"]);
    let aapl = get(&server, "/alerts/ticker/AAPL?min_score=80").json();
    assert_eq!(tickers(&aapl), ["AAPL#5"]);
    assert_eq!(get(&server, "/alerts/ticker/ZZZZ").json()["alert_count"], 0);
}

#[test]
fn serve_snapshot_scan_and_feature_routes() {
    let (_home, server) = served();
    let snap = get(&server, "/options/aapl/snapshot").json();
    assert_eq!(snap["ticker"], "AAPL");
    assert_eq!(snap["scan_id"], 3);
    assert_eq!(snap["spot"], 187.2);
    assert_eq!(snap["contract_count"], 4);
    assert_eq!(snap["contracts"][0]["symbol"], "AAPL261218C00180000");
    assert_eq!(snap["contracts"][0]["iv"], 0.31);
    let symbols = |q: &str| -> Vec<String> {
        let v = get(&server, &format!("/options/AAPL/snapshot?{q}")).json();
        assert_eq!(
            v["contract_count"].as_u64().unwrap() as usize,
            v["contracts"].as_array().unwrap().len()
        );
        v["contracts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["symbol"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(symbols("expiry=2027-01-15"), ["AAPL270115P00190000"]);
    assert_eq!(
        symbols("right=put"),
        ["AAPL261218P00180000", "AAPL270115P00190000"]
    );
    assert_eq!(
        symbols("min_strike=185&max_strike=190"),
        ["AAPL261218C00190000", "AAPL270115P00190000"]
    );
    assert_eq!(
        symbols("expiry=2026-12-18&right=call&max_strike=185"),
        ["AAPL261218C00180000"]
    );
    assert!(symbols("min_strike=500").is_empty());
    get(&server, "/options/NVDA/snapshot").error(404, "not_found");

    let scan = get(&server, "/scans/latest").json();
    assert_eq!(scan["scan"]["id"], 3);
    assert_eq!(scan["scan"]["status"], "partial");
    assert_eq!(scan["export_timestamp"], "2026-11-23T15:00:05Z");

    let f = get(&server, "/features/msft/latest").json();
    assert_eq!(f["features"]["ticker"], "MSFT");
    assert_eq!(f["features"]["spot"], 410.0);
    assert_eq!(f["features"]["iv_rank"], Value::Null);
    get(&server, "/features/NVDA/latest").error(404, "not_found");
}

#[test]
fn serve_health_and_metrics() {
    let (home, server) = served();
    let h = get(&server, "/health");
    assert_eq!(h.status, 200);
    assert_eq!(h.header("cache-control"), Some("no-store"));
    let v = h.json();
    assert_eq!(v["status"], "degraded", "no database yet: {v}");
    assert_eq!(v["store"]["reachable"], false);
    for f in [
        "alerts.json",
        "chains/",
        "scans.json",
        "features.json",
        "manifest.json",
    ] {
        let file = &v["exports"]["files"][f];
        assert_eq!(file["loaded"], true, "{f}: {v}");
        assert_eq!(file["export_timestamp"], "2026-11-23T15:00:05Z");
        assert!(file["age_seconds"].is_number(), "{f}: {v}");
    }
    assert_eq!(v["last_scan"]["id"], 3);
    assert_eq!(v["last_scan"]["status"], "partial");

    // A scan creates the store: now it is reachable.
    home.json(["scan", "--json", "--tickers", "AAPL"]);
    let v = get(&server, "/health").json();
    assert_eq!(v["store"]["reachable"], true, "{v}");
    assert_eq!(v["status"], "ok", "{v}");

    get(&server, "/alerts/latest");
    get(&server, "/nope");
    get(&server, "/alerts?limit=0");
    let m = get(&server, "/metrics");
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let text = String::from_utf8(m.body).unwrap();
    for want in [
        "optctl_http_requests_total{route=\"/alerts/latest\",status=\"200\"} 1\n",
        "optctl_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n",
        "optctl_http_requests_total{route=\"/alerts\",status=\"400\"} 1\n",
        "optctl_http_requests_total{route=\"/health\",status=\"200\"} 2\n",
        "# TYPE optctl_http_request_duration_seconds histogram\n",
        "optctl_http_request_duration_seconds_bucket{route=\"/alerts/latest\",le=\"+Inf\"} 1\n",
        "optctl_http_request_duration_seconds_count{route=\"/alerts/latest\"} 1\n",
        "optctl_export_age_seconds{file=\"alerts.json\"} ",
        "optctl_export_loaded{file=\"chains/\"} 1\n",
        "optctl_last_scan_status{status=\"partial\"} 1\n",
        "optctl_last_scan_status{status=\"succeeded\"} 0\n",
        "optctl_last_scan_id 3\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn serve_etag_304_and_gzip() {
    let (_home, server) = served();
    let a = agent();
    let url = server.url("/alerts/latest");
    let first = get_with(&a, &url, &[]);
    let etag = first.header("etag").unwrap().to_string();
    assert_eq!(first.header("cache-control"), Some("max-age=5"));
    assert_eq!(first.header("content-encoding"), None);
    let again = get_with(&a, &url, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let other = get_with(&a, &url, &[("If-None-Match", "\"stale\"")]);
    assert_eq!(other.status, 200);

    // Filtered, per-request bodies get tags too.
    let url = server.url("/alerts?ticker=AAPL");
    let f = get_with(&a, &url, &[]);
    let tag = f.header("etag").unwrap().to_string();
    assert_eq!(get_with(&a, &url, &[("If-None-Match", &tag)]).status, 304);

    // gzip when asked: the same document, compressed, under its own tag.
    for path in [
        "/alerts/latest",
        "/options/AAPL/snapshot",
        "/alerts?limit=3",
    ] {
        let plain = get_with(&a, &server.url(path), &[]);
        let gz = get_with(&a, &server.url(path), &[("Accept-Encoding", "gzip, br")]);
        assert_eq!(gz.status, 200, "{path}");
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_end(&mut body)
            .unwrap();
        assert_eq!(body, plain.body, "{path}");
        assert_ne!(gz.header("etag"), plain.header("etag"));
        let tag = gz.header("etag").unwrap();
        let not_modified = get_with(
            &a,
            &server.url(path),
            &[("Accept-Encoding", "gzip"), ("If-None-Match", tag)],
        );
        assert_eq!(not_modified.status, 304, "{path}");
    }
    let refused = get_with(
        &a,
        &server.url("/alerts/latest"),
        &[("Accept-Encoding", "gzip;q=0")],
    );
    assert_eq!(refused.header("content-encoding"), None);
    // Errors are never cached.
    let e = get(&server, "/nope");
    assert_eq!(e.header("cache-control"), Some("no-store"));
    assert_eq!(e.header("etag"), None);
}

#[test]
fn serve_reloads_a_changed_export_and_keeps_the_old_one_if_the_new_is_bad() {
    let (home, server) = served();
    assert_eq!(get(&server, "/scans/latest").json()["scan"]["id"], 3);
    let before = get(&server, "/alerts/latest")
        .header("etag")
        .unwrap()
        .to_string();
    write_export(
        &home,
        "scans.json",
        &json!({"export_timestamp": "2026-11-23T15:10:05Z", "scan_count": 1, "errors": [],
                "scans": [scan(4, "succeeded", "2026-11-23T15:10:00Z")]}),
    );
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let v = get(&server, "/scans/latest").json();
        if v["scan"]["id"] == 4 {
            assert_eq!(v["scan"]["status"], "succeeded");
            break;
        }
        assert!(Instant::now() < until, "scans.json was not reloaded: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The other files did not change, and neither did their bodies.
    assert_eq!(
        get(&server, "/alerts/latest").header("etag"),
        Some(before.as_str())
    );

    // A broken file (hand-edited, half-copied) keeps the last good version served.
    let dir = home.home().join("exports");
    std::fs::write(dir.join(".tmp"), "{\"export_timestamp\": \"2026-").unwrap();
    std::fs::rename(dir.join(".tmp"), dir.join("scans.json")).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let h = get(&server, "/health").json();
        let err = &h["exports"]["files"]["scans.json"]["error"];
        if err.is_string() {
            assert!(err.as_str().unwrap().contains("not a valid export"), "{h}");
            assert_eq!(h["status"], "degraded");
            break;
        }
        assert!(Instant::now() < until, "bad scans.json not noticed: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(&server, "/scans/latest").json()["scan"]["id"], 4);
}

/// Before the first export the data routes answer as the old API did: 200, the usual
/// envelope with nothing in it, and an `errors` entry that says why; `/health` says the
/// server is not ready. An export file that is there but unusable stays a 503.
#[test]
fn serve_without_exports_says_so() {
    let home = Home::new();
    let server = Server::start(&home, &[]);
    for (path, count, list) in [
        ("/alerts/latest", "alert_count", "alerts"),
        ("/alerts?min_score=50", "alert_count", "alerts"),
        ("/alerts/ticker/AAPL", "alert_count", "alerts"),
        ("/options/AAPL/snapshot", "contract_count", "contracts"),
        ("/scans", "scan_count", "scans"),
        ("/tickers", "ticker_count", "tickers"),
    ] {
        let r = get(&server, path);
        let v = r.json();
        assert_eq!(r.status, 200, "{path}: {v}");
        assert_eq!(v[count], 0, "{path}: {v}");
        assert_eq!(v[list], json!([]), "{path}: {v}");
        assert!(v["export_timestamp"].is_null(), "{path}: {v}");
        let e = v["errors"][0].as_str().unwrap();
        assert!(
            e.contains("no export exists yet") && e.contains("optctl export"),
            "{path}: {e}"
        );
    }
    let v = get(&server, "/scans/latest").json();
    assert!(v["scan"].is_null() && v["errors"][0].is_string(), "{v}");
    let v = get(&server, "/features/AAPL/latest").json();
    assert!(v["features"].is_null() && v["errors"][0].is_string(), "{v}");
    // Parameters are still checked.
    get(&server, "/alerts?limit=0").error(400, "bad_request");
    let h = get(&server, "/health").json();
    assert_eq!(h["status"], "not_ready");
    assert_eq!(h["ready"], false);
    assert_eq!(h["exports"]["files"]["alerts.json"]["loaded"], false);
    // A file that is there but unusable is not "nothing yet".
    std::fs::create_dir_all(home.home().join("exports")).unwrap();
    std::fs::write(home.home().join("exports/scans.json"), "{not json").unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while get(&server, "/scans").status != 503 {
        assert!(
            Instant::now() < until,
            "a bad scans.json was served as empty"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    get(&server, "/scans").error(503, "export_missing");
    std::fs::remove_file(home.home().join("exports/scans.json")).unwrap();
    // Then an export appears and is picked up.
    write_sample_exports(&home);
    let until = Instant::now() + Duration::from_secs(10);
    while get(&server, "/alerts/latest").json()["alert_count"] != 2 {
        assert!(Instant::now() < until, "exports never loaded");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_bad_requests_get_json_errors() {
    let (_home, server) = served();
    let msg = get(&server, "/nope").error(404, "not_found");
    assert!(msg.contains("/nope"), "{msg}");
    get(&server, "/alerts/").error(404, "not_found");
    get(&server, "//").error(404, "not_found");
    get(&server, "/index.html").error(404, "not_found");
    for (query, param) in [
        ("/alerts?min_score=high", "min_score"),
        ("/alerts?min_score=NaN", "min_score"),
        ("/alerts?limit=0", "limit"),
        ("/alerts?limit=-3", "limit"),
        ("/alerts?limit=100000", "limit"),
        ("/alerts?detector=Bad-Name", "detector"),
        ("/alerts?ticker=AA%2FPL", "ticker"),
        ("/alerts?since=yesterday", "since"),
        ("/alerts?min_scor=5", "min_scor"),
        ("/alerts?limit=1&limit=2", "limit"),
        ("/alerts/latest?x=1", "x"),
        ("/alerts/ticker/AAPL?ticker=MSFT", "ticker"),
        ("/options/AAPL/snapshot?expiry=12/18/2026", "expiry"),
        ("/options/AAPL/snapshot?right=straddle", "right"),
        ("/options/AAPL/snapshot?min_strike=abc", "min_strike"),
        (
            "/options/AAPL/snapshot?min_strike=200&max_strike=100",
            "max_strike",
        ),
        ("/options/AAPL/snapshot?expiry=%ZZ", "expiry"),
    ] {
        let msg = get(&server, query).error(400, "bad_request");
        assert!(msg.starts_with(&format!("{param}:")), "{query}: {msg}");
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = raw(
            server.addr,
            format!(
                "{method} /alerts/latest HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
            )
            .as_bytes(),
        );
        r.error(405, "method_not_allowed");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
    }
    // A request with a body is answered, and the connection stays usable.
    let mut conn = TcpStream::connect(server.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    raw_on(
        &mut conn,
        b"POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc",
    )
    .error(405, "method_not_allowed");
    let r = raw_on(
        &mut conn,
        b"GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(r.json()["alert_count"], 2);
    let r = raw_on(&mut conn, b"GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n");
    r.error(404, "not_found");
    assert_eq!(
        raw_on(
            &mut conn,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .status,
        200
    );

    // HEAD: the headers of a GET, no body.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"HEAD /alerts/latest HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut head = String::new();
    s.read_to_string(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "no body: {head}");

    // Oversized: a body (413), a target (414), headers (431).
    let r = raw(
        server.addr,
        b"GET /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\n",
    );
    r.error(413, "payload_too_large");
    let long = format!(
        "GET /alerts?ticker={} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "A".repeat(9000)
    );
    raw(server.addr, long.as_bytes()).error(414, "uri_too_long");
    let big = format!(
        "GET /alerts HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    raw(server.addr, big.as_bytes()).error(431, "headers_too_large");

    // No path reaches outside the exports: there are no file routes, and a ticker is
    // checked before any look-up.
    for path in [
        "/options/..%2f..%2f..%2fetc%2fpasswd/snapshot",
        "/alerts/ticker/..%2f..%2foptctl.db",
        "/features/..%2fexports%2falerts.json/latest",
        "/options/%2e%2e/snapshot",
        "/options/AAPL%00/snapshot",
    ] {
        let r = raw(
            server.addr,
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
        );
        let msg = r.error(400, "bad_request");
        assert!(msg.starts_with("ticker:"), "{path}: {msg}");
    }
    for path in [
        "/../../etc/passwd",
        "/exports/alerts.json",
        "/alerts.json",
        "/%2e%2e/exports/alerts.json",
        "/alerts/latest/../../optctl.db",
    ] {
        let r = raw(
            server.addr,
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
        );
        r.error(404, "not_found");
    }
    // The server is still fine after all that.
    assert_eq!(get(&server, "/alerts/latest").status, 200);
}

/// A browser opens several connections at once (up to six per server) and keeps them
/// open between requests, for minutes. Every one must be read at once however many
/// others stay open: a connection left waiting for a thread that an open one holds is
/// never answered, and the dashboard stayed at "Loading…" that way. The burst is sent
/// to fresh servers, where a pool of threads would be at its smallest.
#[test]
fn serve_answers_every_connection_of_a_burst_while_the_others_stay_open() {
    const BURST: usize = 8;
    let home = Home::new();
    write_sample_exports(&home);
    for round in 0..4 {
        let server = Server::start(&home, &[]);
        let gate = Arc::new(std::sync::Barrier::new(BURST));
        let burst: Vec<_> = (0..BURST)
            .map(|_| {
                let gate = Arc::clone(&gate);
                let addr = server.addr;
                std::thread::spawn(move || {
                    gate.wait();
                    let mut s = TcpStream::connect(addr).unwrap();
                    // Only a deadline for a server that never answers.
                    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                    let r = raw_on(&mut s, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    (s, r.status)
                })
            })
            .collect();
        let mut open = Vec::new();
        for (i, t) in burst.into_iter().enumerate() {
            let (s, status) = t.join().unwrap_or_else(|_| {
                panic!("round {round}: connection {i} of {BURST} opened at once got no answer")
            });
            assert_eq!(status, 200);
            open.push(s);
        }
        // With all of those open and idle: a new connection is answered, and so is a
        // second request on each of them.
        assert_eq!(get(&server, "/alerts/latest").status, 200);
        for s in &mut open {
            let r = raw_on(s, b"GET /scans/latest HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assert_eq!(r.status, 200);
        }
        let metrics = String::from_utf8(get(&server, "/metrics").body).unwrap();
        let gauge: usize = metrics
            .lines()
            .find_map(|l| l.strip_prefix("optctl_http_open_connections "))
            .unwrap_or_else(|| panic!("no open-connections gauge:\n{metrics}"))
            .parse()
            .unwrap();
        assert!(
            gauge >= BURST,
            "{gauge} open connections counted, {BURST} are"
        );
    }
}

/// A head that trickles in, a byte at a time faster than the idle timeout, still has
/// to be whole within 10 s of its first byte: the server answers 408 and closes long
/// before this 40 s head would be done.
#[test]
fn serve_a_trickled_request_head_gets_a_408() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\nidle_timeout_seconds = 2\n");
    let server = Server::start(&home, &[]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    let head = format!("GET /health HTTP/1.1\r\nX-Slow: {}\r\n\r\n", "a".repeat(60));
    let mut answered = false;
    for b in head.bytes() {
        if s.write_all(&[b]).is_err() {
            answered = true;
            break;
        }
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut peek = [0u8; 1];
        match s.peek(&mut peek) {
            Ok(_) => {
                answered = true;
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                answered = true;
                break;
            }
        }
    }
    assert!(answered, "the whole trickled head was read");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let text = read_to_close(&mut s);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
}

/// On a keep-alive connection already answered: a head that arrives in pieces is read
/// whole and answered, and one that trickles in is still cut at the header deadline,
/// counted from its own first byte (the connection's deadlines move with each request).
#[test]
fn serve_a_keep_alive_connection_reads_heads_in_pieces_and_keeps_its_deadlines() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\nheader_timeout_seconds = 1\nidle_timeout_seconds = 5\n");
    let server = Server::start(&home, &[]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let first = raw_on(
        &mut s,
        b"GET /alerts/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert_eq!(first.status, 200);
    // The next head in three writes, each read on its own.
    for piece in [
        "GET /alerts/la",
        "test HTTP/1.1\r\nHost: 12",
        "7.0.0.1\r\n\r\n",
    ] {
        s.write_all(piece.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = raw_on(&mut s, b"");
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    // Then a head trickled a byte every 100 ms, 3.6 s long in all: the 1 s header
    // deadline ends it with a 408 before it is whole, not the 5 s idle one after.
    let head = format!("GET /health HTTP/1.1\r\nX-Slow: {}\r\n\r\n", "a".repeat(2));
    let mut answered = false;
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    for b in head.bytes() {
        if s.write_all(&[b]).is_err() {
            answered = true;
            break;
        }
        let mut peek = [0u8; 1];
        match s.peek(&mut peek) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            _ => {
                answered = true;
                break;
            }
        }
    }
    assert!(answered, "the whole trickled head was read");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let text = read_to_close(&mut s);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
}

/// Reads from `s` until the server closes the connection.
fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).to_string()
}

/// HTTP/1.x as clients send it: pipelined requests, HTTP/1.0 with and without
/// keep-alive, bare line feeds, and heads the server cannot go on after (each answered
/// with a JSON error, then the connection closed).
#[test]
fn serve_speaks_http_1_on_the_wire() {
    let (_home, server) = served();
    let connect = || {
        let s = TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    };
    // Two requests in one write: two answers, in order, then the close asked for.
    let mut s = connect();
    s.write_all(
        b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n\
          GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let both = read_to_close(&mut s);
    assert_eq!(both.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{both}");
    let (health, alerts) = (
        both.find("uptime_seconds").unwrap(),
        both.find("alert_count").unwrap(),
    );
    assert!(health < alerts, "answers out of order: {both}");
    assert!(
        both.to_ascii_lowercase().contains("connection: close\r\n"),
        "{both}"
    );

    // HTTP/1.0 closes unless it asks for keep-alive.
    let mut s = connect();
    s.write_all(b"GET /health HTTP/1.0\r\n\r\n").unwrap();
    let one = read_to_close(&mut s);
    // Answered in the client's version, as hyper does for HTTP/1.0 clients.
    assert!(one.starts_with("HTTP/1.0 200 OK\r\n"), "{one}");
    let mut s = connect();
    let r = raw_on(
        &mut s,
        b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    );
    assert_eq!(r.header("connection"), Some("keep-alive"));
    assert_eq!(
        raw_on(
            &mut s,
            b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        )
        .status,
        200
    );

    // Lines ended by a bare LF are read too.
    let mut s = connect();
    assert_eq!(
        raw_on(&mut s, b"GET /health HTTP/1.1\nHost: localhost\n\n").status,
        200
    );

    // Heads the server cannot go on after: an error, then the connection closes. Heads
    // HTTP/1.1 cannot frame (a malformed request line, another version, a bad or
    // doubled Content-Length) are answered by hyper's parser itself, without a body;
    // the rest with the JSON error.
    for (request, status, code) in [
        (&b"NONSENSE\r\n\r\n"[..], 400, None),
        (b"GET /health HTTP/2.0\r\n\r\n", 400, None),
        (b"GET /health HTTP/1.1 extra\r\n\r\n", 400, None),
        (
            b"GET /health HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
            400,
            None,
        ),
        (
            b"GET /health HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            400,
            None,
        ),
        (
            b"POST /alerts HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            405,
            Some("method_not_allowed"),
        ),
    ] {
        let mut s = connect();
        s.write_all(request).unwrap();
        let text = read_to_close(&mut s);
        let what = String::from_utf8_lossy(request);
        assert!(
            text.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {text}"
        );
        assert!(
            text.to_ascii_lowercase().contains("connection: close\r\n"),
            "{what}: {text}"
        );
        if let Some(code) = code {
            let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
            let v: Value =
                serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
            assert_eq!(v["error"]["code"], code, "{what}");
        }
    }
    // Still serving.
    assert_eq!(get(&server, "/health").status, 200);
}

#[test]
fn serve_token_is_required_when_set() {
    let home = Home::new();
    write_sample_exports(&home);
    let server = Server::start(&home, &["--token", "s3cret-T0ken"]);
    let a = agent();
    for path in ["/alerts/latest", "/health", "/metrics", "/nope"] {
        let url = server.url(path);
        let r = get_with(&a, &url, &[]);
        r.error(401, "unauthorized");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        get_with(&a, &url, &[("Authorization", "Bearer wrong")]).error(401, "unauthorized");
        get_with(&a, &url, &[("Authorization", "Bearer s3cret-T0ke")]).error(401, "unauthorized");
        get_with(&a, &url, &[("Authorization", "Basic s3cret-T0ken")]).error(401, "unauthorized");
    }
    let ok = get_with(
        &a,
        &server.url("/alerts/latest"),
        &[("Authorization", "Bearer s3cret-T0ken")],
    );
    assert_eq!(ok.status, 200);
    // The token can come from the environment instead of the command line (ps shows flags).
    drop(server);
    let mut c = home.std_cmd(["serve", "--port", "0"]);
    c.env("OPTCTL_SERVE_TOKEN", "from-env");
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    get_with(&a, &format!("{base}/health"), &[]).error(401, "unauthorized");
    let r = get_with(
        &a,
        &format!("{base}/health"),
        &[("Authorization", "Bearer from-env")],
    );
    assert_eq!(r.status, 200);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn serve_refuses_a_public_address_without_a_token() {
    let home = Home::new();
    home.cmd(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("refusing to serve on 0.0.0.0 without a token"))
        .stderr(contains("--allow-no-token"));
    home.write_config("[serve]\nbind = \"0.0.0.0\"\n");
    home.cmd(["serve", "--port", "0"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("without a token"));
    home.cmd(["serve", "--port", "0", "--token", ""])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("--token"));
    // An explicit override starts it.
    let server = Server::start(&home, &["--allow-no-token"]);
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    assert_eq!(server.stop("TERM").code(), Some(0));
}

#[test]
fn serve_stops_cleanly_on_sigterm_and_sigint() {
    let (home, server) = served();
    assert_eq!(get(&server, "/alerts/latest").status, 200);
    let status = server.stop("TERM");
    assert_eq!(status.code(), Some(0), "SIGTERM: {status}");
    let server = Server::start(&home, &[]);
    // A keep-alive connection left open must not hold the exit.
    let _idle = TcpStream::connect(server.addr).unwrap();
    assert_eq!(get(&server, "/health").status, 200);
    let stderr_path = server.stderr.clone();
    let status = server.stop("INT");
    assert_eq!(status.code(), Some(0), "SIGINT: {status}");
    let err = std::fs::read_to_string(stderr_path).unwrap();
    assert!(err.contains("stopped"), "{err}");
}

#[test]
fn serve_cors_origin_and_preflight() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\ncors_origin = \"https://dash.example.com\"\n");
    let server = Server::start(&home, &["--token", "t"]);
    let r = get_with(
        &agent(),
        &server.url("/alerts/latest"),
        &[
            ("Authorization", "Bearer t"),
            ("Origin", "https://dash.example.com"),
        ],
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://dash.example.com")
    );
    assert_eq!(r.header("access-control-expose-headers"), Some("ETag"));
    // The browser's preflight carries no token.
    let pre = raw(
        server.addr,
        b"OPTIONS /alerts/latest HTTP/1.1\r\nHost: localhost\r\nOrigin: https://dash.example.com\r\nAccess-Control-Request-Headers: authorization\r\n\r\n",
    );
    assert_eq!(pre.status, 204);
    assert!(
        pre.header("access-control-allow-headers")
            .unwrap()
            .contains("Authorization")
    );
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://dash.example.com")
    );
    // Without a CORS origin there are no CORS headers and OPTIONS is just another method.
    drop(server);
    home.write_config("");
    let server = Server::start(&home, &[]);
    let r = get(&server, "/alerts/latest");
    assert_eq!(r.header("access-control-allow-origin"), None);
    raw(
        server.addr,
        b"OPTIONS /alerts HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    .error(405, "method_not_allowed");
}

/// Scans and exports run in a loop while clients read: no request fails, no body is
/// torn (every one parses), and no client ever sees an older scan after a newer one.
#[test]
fn serve_reads_never_fail_or_tear_while_scans_and_exports_run() {
    let home = Home::new();
    home.write_config("[provider.sim]\nanomaly_rate = 0.2\n");
    let tickers = "AAPL,SPY,TSLA,MSFT,NVDA";
    let minute = |i: u32| format!("2026-11-23T{:02}:{:02}:00Z", 15 + i / 6, (i % 6) * 10);
    home.json([
        "scan",
        "--json",
        "--tickers",
        tickers,
        "--as-of",
        &minute(0),
    ]);
    home.cmd(["export", "--as-of", &minute(0)])
        .assert()
        .success();
    let server = Server::start(&home, &[]);

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let torn = Arc::new(AtomicU64::new(0));
    let paths = [
        "/alerts/latest",
        "/scans/latest",
        "/options/AAPL/snapshot",
        "/options/TSLA/snapshot?right=put&min_strike=1",
        "/features/NVDA/latest",
        "/alerts?limit=20",
        "/health",
    ];
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (stop, ok, failed, torn) = (stop.clone(), ok.clone(), failed.clone(), torn.clone());
            let base = server.url("");
            std::thread::spawn(move || {
                let a = agent();
                let mut last_scan = 0;
                let mut i = c;
                let mut problems = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let path = paths[i % paths.len()];
                    i += 1;
                    let gz = if i % 3 == 0 { "gzip" } else { "identity" };
                    let r = match a
                        .get(format!("{base}{path}"))
                        .header("Accept-Encoding", gz)
                        .call()
                    {
                        Ok(mut r) => {
                            let status = r.status().as_u16();
                            let enc = r
                                .headers()
                                .get("content-encoding")
                                .map(|v| v.to_str().unwrap_or("").to_string());
                            r.body_mut()
                                .with_config()
                                .limit(1 << 30)
                                .read_to_vec()
                                .map(|b| (status, enc, b))
                        }
                        Err(e) => Err(e),
                    };
                    let (status, enc, body) = match r {
                        Ok(x) => x,
                        Err(e) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            problems.push(format!("{path}: {e}"));
                            continue;
                        }
                    };
                    let body = if enc.as_deref() == Some("gzip") {
                        let mut out = Vec::new();
                        match flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out) {
                            Ok(_) => out,
                            Err(_) => {
                                torn.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                        }
                    } else {
                        body
                    };
                    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
                        torn.fetch_add(1, Ordering::Relaxed);
                        problems.push(format!("{path}: torn body of {} bytes", body.len()));
                        continue;
                    };
                    if status != 200 {
                        failed.fetch_add(1, Ordering::Relaxed);
                        problems.push(format!("{path}: {status} {v}"));
                        continue;
                    }
                    if path == "/scans/latest" {
                        let id = v["scan"]["id"].as_i64().unwrap();
                        if id < last_scan {
                            problems.push(format!("scan {id} after scan {last_scan}"));
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        last_scan = id;
                    }
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                (last_scan, problems)
            })
        })
        .collect();

    let rounds = 6;
    for i in 1..=rounds {
        let at = minute(i);
        home.cmd(["-q", "scan", "--tickers", tickers, "--as-of", &at])
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
        home.cmd(["-q", "export", "--as-of", &at])
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
    }
    // The last export is picked up while the clients still read, then they stop.
    let until = Instant::now() + Duration::from_secs(20);
    while get(&server, "/scans/latest").json()["scan"]["id"] != 1 + rounds as i64 {
        assert!(Instant::now() < until, "the last export was never loaded");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    let mut newest = 0;
    let mut problems = Vec::new();
    for c in clients {
        let (last, p) = c.join().unwrap();
        newest = newest.max(last);
        problems.extend(p);
    }
    let (ok, failed, torn) = (
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        torn.load(Ordering::Relaxed),
    );
    eprintln!("serve under scan+export: {ok} ok, {failed} failed, {torn} torn");
    assert_eq!((failed, torn), (0, 0), "{problems:#?}");
    assert!(ok > 100, "only {ok} requests answered");
    assert!(newest > 1, "clients saw new scans");
    assert!(server.stderr().is_empty() || !server.stderr().contains("panicked"));
}

#[test]
fn serve_answers_from_a_real_export() {
    let home = Home::new();
    home.json(["scan", "--json", "--tickers", "AAPL,SPY"]);
    home.cmd(["export"]).assert().success();
    let chains: Value =
        serde_json::from_slice(&std::fs::read(home.home().join("exports/chains.json")).unwrap())
            .unwrap();
    let server = Server::start(&home, &[]);
    let snap = get(&server, "/options/SPY/snapshot").json();
    let exported = chains["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ticker"] == "SPY")
        .unwrap();
    assert_eq!(
        snap["contracts"], exported["contracts"],
        "contracts pass through unchanged"
    );
    assert_eq!(snap["spot"], exported["spot"]);
    let h = get(&server, "/health").json();
    assert_eq!(h["status"], "ok", "{h}");
    assert_eq!(get(&server, "/scans/latest").json()["scan"]["id"], 1);
    assert_eq!(
        get(&server, "/features/AAPL/latest").json()["features"]["ticker"],
        "AAPL"
    );
}

/// The process-excel routes answer from the store: status, the latest stocks (all, or one
/// buildup class) and the run history, with the same 400s as every other route.
#[test]
fn serve_process_excel_routes() {
    let home = Home::new();
    let server = Server::start(&home, &[]);
    // No database yet: a clear 503, not a crash.
    let none = get(&server, "/api/v1/stocks");
    assert_eq!(none.status, 503, "{}", String::from_utf8_lossy(&none.body));
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/excel");
    let dir = home.home().join("excel");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Historical.xlsx", "Live.xlsx"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    home.json(["process-excel", "--json"]);

    let status = get(&server, "/api/v1/background/status").json();
    assert_eq!(status["stocks"], 204, "{status}");
    assert_eq!(status["runs_total"], 1);
    assert!(status["market"].is_object(), "{status}");
    assert!(status["last_error"].is_null());

    let all = get(&server, "/api/v1/stocks").json();
    assert_eq!(all["count"], 204);
    let longs = get(&server, "/api/v1/stocks?buildup=long_buildup").json();
    let n = longs["count"].as_u64().unwrap();
    assert!(n > 0 && n < 204, "{n}");
    assert!(
        longs["stocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["buildup"] == "long_buildup")
    );
    let bad = get(&server, "/api/v1/stocks?buildup=sideways");
    assert!(bad.error(400, "bad_request").contains("buildup"));

    let history = get(&server, "/api/v1/stocks/processing-history?limit=5").json();
    assert_eq!(history["count"], 1);
    let bad = get(&server, "/api/v1/stocks/processing-history?limit=0");
    assert!(bad.error(400, "bad_request").contains("limit"));
    let unknown = get(&server, "/api/v1/stocks?sort=desc");
    assert_eq!(unknown.status, 400, "unknown parameters are refused");
}

/// The enrichment routes answer from the store: before any run (empty reports, 404 for a
/// job), then after one, with the same 400s as every other route. The run uses the wall
/// clock (no fixed --as-of), since the server judges health and metrics by it.
#[test]
fn serve_enrichment_routes() {
    let home = Home::new();
    let server = Server::start(&home, &[]);
    let overview = get(&server, "/api/v1/enrichment/dashboard/overview").json();
    assert_eq!(overview["health"]["status"], "unhealthy", "{overview}");
    assert!(overview["status"]["last_run"].is_null());
    let none = get(&server, "/api/v1/enrichment/dashboard/job-status/AAPL");
    assert!(none.error(404, "not_found").contains("AAPL"));
    assert_eq!(
        get(&server, "/api/v1/enrichment/history").json()["runs"],
        json!([])
    );

    let out = home
        .cmd([
            "enrich",
            "run",
            "--symbols",
            "AAPL,SPY",
            "--timeframes",
            "1d",
        ])
        .env_remove("OPTCTL_NOW")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::harness::describe(&out));

    let overview = get(&server, "/api/v1/enrichment/dashboard/overview").json();
    assert_eq!(overview["status"]["last_run"]["id"], 1, "{overview}");
    assert_eq!(overview["health"]["status"], "healthy", "{overview}");
    assert_eq!(overview["metrics"]["fetch"]["fetches"], 2);
    assert_eq!(overview["resilience"]["breakers"][0]["state"], "closed");
    assert_eq!(overview["last_run_jobs"].as_array().unwrap().len(), 2);
    let health = get(&server, "/api/v1/enrichment/dashboard/health").json();
    assert_eq!(health["status"], "healthy");
    let metrics = get(&server, "/api/v1/enrichment/dashboard/metrics").json();
    assert_eq!(metrics["fetch_success_rate"], 1.0);
    assert_eq!(metrics["quota"]["provider"], "sim");
    let job = get(&server, "/api/v1/enrichment/dashboard/job-status/aapl").json();
    assert_eq!(job["symbol"], "AAPL");
    assert_eq!(job["job"]["status"], "succeeded");
    assert_eq!(job["indicators"][0]["timeframe"], "1d");
    assert!(job["indicators"][0]["sma_200"].is_f64(), "{job}");
    let bad = get(&server, "/api/v1/enrichment/dashboard/job-status/..%2Fetc");
    assert!(bad.error(400, "bad_request").contains("symbol"));
    let history = get(&server, "/api/v1/enrichment/history?limit=1").json();
    assert_eq!(history["runs"].as_array().unwrap().len(), 1);
    assert_eq!(history["runs"][0]["status"], "succeeded");
    let bad = get(&server, "/api/v1/enrichment/history?limit=0");
    assert!(bad.error(400, "bad_request").contains("limit"));
    let unknown = get(&server, "/api/v1/enrichment/dashboard/health?verbose=1");
    assert_eq!(unknown.status, 400, "unknown parameters are refused");
}

/// `/scans` lists every exported scan newest first; `/tickers` the chain files the
/// manifest lists.
#[test]
fn serve_scan_list_and_tickers() {
    let (home, server) = served();
    let scans = get(&server, "/scans");
    assert_eq!(scans.status, 200);
    assert!(scans.header("etag").is_some());
    let v = scans.json();
    assert_eq!(v["scan_count"], 2);
    assert_eq!(v["scans"][0]["id"], 3);
    assert_eq!(v["scans"][0]["status"], "partial");
    assert_eq!(v["scans"][1]["id"], 2);
    assert_eq!(v["export_timestamp"], "2026-11-23T15:00:05Z");

    let t = get(&server, "/tickers").json();
    assert_eq!(t["ticker_count"], 2);
    assert_eq!(
        t["tickers"],
        json!([
            {"ticker": "AAPL", "scan_id": 3, "as_of": "2026-11-23T15:00:00Z", "spot": 187.2, "contracts": 4},
            {"ticker": "MSFT", "scan_id": 3, "as_of": "2026-11-23T15:00:00Z", "spot": 410.0, "contracts": 1}
        ])
    );
    get(&server, "/scans?limit=1").error(400, "bad_request");

    // An export written in another order still lists newest first.
    write_export(
        &home,
        "scans.json",
        &json!({"export_timestamp": "2026-11-23T15:10:05Z", "scan_count": 2, "errors": [],
                "scans": [scan(2, "succeeded", "2026-11-23T14:50:00Z"),
                          scan(4, "failed", "2026-11-23T15:10:00Z")]}),
    );
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let v = get(&server, "/scans").json();
        if v["export_timestamp"] == "2026-11-23T15:10:05Z" {
            let ids: Vec<_> = v["scans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone())
                .collect();
            assert_eq!(ids, [json!(4), json!(2)]);
            break;
        }
        assert!(Instant::now() < until, "scans.json was not reloaded: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let empty = Home::new();
    let server = Server::start(&empty, &[]);
    for path in ["/scans", "/tickers"] {
        let v = get(&server, path).json();
        assert!(
            v["errors"][0]
                .as_str()
                .unwrap()
                .contains("no export exists yet"),
            "{v}"
        );
    }
}

/// The sha256-... source of a CSP for `text`, as a browser computes it.
fn csp_hash(text: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text between `open` and the next `close`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    &text[start..start + text[start..].find(close).unwrap()]
}

/// `GET /` is the dashboard page: HTML, revalidated with an ETag, served without the
/// token (it holds no data) while every data route, and every unknown path, still needs it.
#[test]
fn serve_dashboard_page_is_public_but_data_routes_still_need_the_token() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\nrefresh_secs = 9\nstale_after_secs = 600\n");
    let server = Server::start(&home, &["--token", "s3cret-T0ken"]);
    let a = agent();
    let page = get_with(&a, &server.url("/"), &[]);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html:.200}");
    assert!(
        html.contains(r#"data-auth="bearer""#),
        "the page is told to ask for the token"
    );
    assert!(
        html.contains(r#"data-refresh-secs="9""#),
        "[serve] refresh_secs reaches the page"
    );
    assert!(html.contains(r#"data-stale-after-secs="600""#));
    for data in ["AAPL", "MSFT", "unusual_activity", "s3cret"] {
        assert!(
            !html.contains(data),
            "the public page holds no data: {data}"
        );
    }
    // The policy allows exactly the inline script and style, and fetches to this origin.
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!(
            "script-src {}",
            csp_hash(between(&html, "<script>", "</script>"))
        )),
        "{csp}"
    );
    assert!(
        csp.contains(&format!(
            "style-src {}",
            csp_hash(between(&html, "<style>", "</style>"))
        )),
        "{csp}"
    );
    assert!(
        csp.contains("connect-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );

    // Revalidation: the same page is a 304, and so is its gzip variant.
    let etag = page.header("etag").unwrap().to_string();
    let again = get_with(&a, &server.url("/"), &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let gz = get_with(&a, &server.url("/"), &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(gz.body.len() < html.len() / 2);
    // A wrong token does not matter to the page either.
    let wrong = get_with(&a, &server.url("/"), &[("Authorization", "Bearer nope")]);
    assert_eq!(wrong.status, 200);
    let head = a.head(server.url("/")).call().unwrap();
    assert_eq!(head.status(), 200);

    // Everything else still needs it: the data routes, near-misses of "/", and paths
    // that do not exist (a 401 before a 404 says nothing about which routes exist).
    for path in [
        "/alerts/latest",
        "/alerts?limit=1000",
        "/scans",
        "/tickers",
        "/options/AAPL/snapshot",
        "/features/AAPL/latest",
        "/health",
        "/metrics",
        "/api/v1/stocks",
        "/index.html",
        "//",
        "/%2F",
        "/api/v1/enrichment/dashboard/overview",
    ] {
        let r = get_with(&a, &server.url(path), &[]);
        r.error(401, "unauthorized");
    }
    let r = raw(
        server.addr,
        b"GET /?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    r.error(400, "bad_request"); // the page takes no query parameters
    let r = raw(
        server.addr,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
    );
    r.error(405, "method_not_allowed");
    let ok = get_with(
        &a,
        &server.url("/tickers"),
        &[("Authorization", "Bearer s3cret-T0ken")],
    );
    assert_eq!(ok.status, 200);

    // Without --token the page says so, and the flag beats the config.
    drop(server);
    let server = Server::start(&home, &["--refresh-secs", "2"]);
    let html = String::from_utf8(get(&server, "/").body).unwrap();
    assert!(html.contains(r#"data-auth="none""#));
    assert!(html.contains(r#"data-refresh-secs="2""#));
    home.cmd(["serve", "--port", "0", "--refresh-secs", "0"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("--refresh-secs"));
    home.write_config("[serve]\nrefresh_secs = 0\n");
    home.cmd(["serve", "--port", "0"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("serve.refresh_secs"));
}

/// The scheduler routes answer from the store: the migration's status, the comparisons
/// (newest with its full report), and the symbol cache.
#[test]
fn serve_scheduler_routes() {
    use crate::compare::{SMALL, T0};
    let home = Home::new();
    home.write_config(&SMALL.replace("latency_ms = 40", "latency_ms = 0"));
    let server = Server::start(&home, &[]);
    // No database yet: the initial state and empty lists, as `migrate-scheduler status`.
    assert_eq!(
        get(&server, "/api/scheduler/status").json()["phase"],
        "legacy"
    );
    assert_eq!(
        get(&server, "/api/scheduler/stats/comparison").json()["count"],
        0
    );
    assert_eq!(
        get(&server, "/api/scheduler/cache/stats").json()["entries"],
        0
    );

    home.json(["migrate-scheduler", "advance", "--json"]);
    home.json(["migrate-scheduler", "run", "--json", "--as-of", T0]);
    let compared = home.json(["compare", "--json", "--as-of", T0]);

    let status = get(&server, "/api/scheduler/status").json();
    assert_eq!(status["phase"], "parallel", "{status}");
    assert_eq!(status["ticks_this_step"], 1);
    assert_eq!(status["categories"].as_array().unwrap().len(), 3);
    assert_eq!(status["next"]["phase"], "cutover");
    assert_eq!(status["next"]["allowed"], false, "one tick is not enough");

    let stats = get(&server, "/api/scheduler/stats/comparison").json();
    assert_eq!(stats["count"], 2);
    assert_eq!(stats["latest"]["id"], compared["comparison_id"]);
    assert_eq!(stats["latest"]["source"], "compare");
    assert_eq!(stats["latest"]["report"]["parity"]["match_pct"], 100.0);
    assert!(
        stats["comparisons"][1].get("report").is_none(),
        "summaries only"
    );
    let runs = get(
        &server,
        "/api/scheduler/stats/comparison?source=run&limit=5",
    )
    .json();
    assert_eq!(runs["count"], 1);
    assert_eq!(runs["latest"]["source"], "run");
    assert_eq!(runs["latest"]["legacy_calls"], 14.0);
    let bad = get(&server, "/api/scheduler/stats/comparison?source=cron");
    assert!(bad.error(400, "bad_request").contains("source"));

    let cache = get(&server, "/api/scheduler/cache/stats").json();
    assert_eq!(cache["entries"], 8, "{cache}");
    assert_eq!(cache["by_timeframe"]["5m"]["entries"], 4);
    assert_eq!(cache["by_timeframe"]["1d"]["entries"], 4);
    assert!(cache["bytes"].as_u64().unwrap() > 0);
    assert_eq!(cache["last_tick"]["lookups"], 14);
    assert_eq!(cache["last_tick"]["cache_misses"], 8);
}

/// Reads until the server closes the connection (or `limit` passes), returning what came.
fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let until = Instant::now() + limit;
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while Instant::now() < until {
        match s.read(&mut chunk) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // A reset also means the server let go of the connection.
            Err(_) => return (got, true),
        }
    }
    (got, false)
}

#[test]
fn serve_bounds_connections_idle_clients_and_request_heads() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\nmax_connections = 4\nidle_timeout_seconds = 1\n");
    let server = Server::start(&home, &[]);
    let connect = || {
        let s = TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    };

    // Four connections fill the server; a fifth is told to come back, with a JSON error,
    // and closed without holding anything.
    let mut open: Vec<TcpStream> = (0..4).map(|_| connect()).collect();
    let r = raw_on(
        &mut open[0],
        b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(r.status, 200);
    let mut fifth = connect();
    let (busy, closed) = read_until_closed(&mut fifth, Duration::from_secs(10));
    let busy = String::from_utf8_lossy(&busy).to_string();
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    assert!(busy.contains("Retry-After: 1\r\n"), "{busy}");
    assert!(busy.contains("\"too_many_connections\""), "{busy}");
    assert!(closed, "the refused connection was closed");
    // Letting one go frees its place.
    drop(open.pop());
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let mut s = connect();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (got, _) = read_until_closed(&mut s, Duration::from_secs(10));
        if got.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < until, "{}", String::from_utf8_lossy(&got));
        std::thread::sleep(Duration::from_millis(50));
    }

    // An idle keep-alive connection is closed quietly after idle_timeout_seconds: the
    // three held above are all gone, and so is their hold on the limit.
    for s in &mut open {
        let (got, closed) = read_until_closed(s, Duration::from_secs(10));
        assert!(closed, "an idle connection stayed open");
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    }
    // A request head that stalls half-way gets a 408.
    let mut slow = connect();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let (got, closed) = read_until_closed(&mut slow, Duration::from_secs(10));
    assert!(
        got.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert!(closed);

    // A header line or a request line that never ends is cut off at the head limit
    // with a 431 (hyper's answer once its head buffer is full), long before the client
    // is done sending.
    for (line_start, status) in [
        ("GET /health HTTP/1.1\r\nX-Endless: ", "431"),
        ("GET /", "431"),
    ] {
        let mut s = connect();
        s.write_all(line_start.as_bytes()).unwrap();
        let filler = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        // The server stops reading once past the limit: writes fail or stall then.
        s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
        while sent < 16 << 20 && s.write_all(&filler).is_ok() {
            sent += filler.len();
        }
        assert!(sent < 16 << 20, "the server read 16 MB of one request head");
        let (got, _) = read_until_closed(&mut s, Duration::from_secs(10));
        let got = String::from_utf8_lossy(&got).to_string();
        assert!(got.starts_with(&format!("HTTP/1.1 {status}")), "{got}");
    }

    // After all that, the server answers as before.
    assert_eq!(get(&server, "/alerts/latest").status, 200);
}

/// A connection from `ip` (any 127.x address: Linux answers the whole loopback range)
/// to the server, so that tests can play several client addresses.
fn connect_from(ip: &str, addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let from: SocketAddr = format!("{ip}:0").parse().unwrap();
    s.bind(&from.into()).unwrap();
    s.connect(&addr.into()).unwrap();
    let s: TcpStream = s.into();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Issue 18, finding 1: one client without the token must not lock token holders out,
/// neither by holding silent connections nor by keep-alive requests answered 401.
#[test]
fn serve_clients_without_the_token_cannot_lock_out_token_holders() {
    let home = Home::new();
    write_sample_exports(&home);
    let server = Server::start(&home, &["--token", "t0k"]);
    // 300 silent connections from one address: past its per-client limit (64) the
    // rest are refused, with a 503 that says which limit.
    let mut silent = Vec::new();
    let mut refused = 0;
    for _ in 0..300 {
        let mut s = connect_from("127.0.0.2", server.addr);
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut b = [0u8; 64];
        match s.read(&mut b) {
            Ok(n) if n > 0 && b.starts_with(b"HTTP/1.1 503") => refused += 1,
            _ => silent.push(s),
        }
    }
    assert!(
        refused > 0,
        "no connection of 300 from one address was refused"
    );
    assert!(
        silent.len() <= 64 + 8,
        "{} connections held from one address",
        silent.len()
    );
    // 100 keep-alive clients from another address ask without the token: each gets
    // its 401 and its connection is closed.
    let mut unauthorized = Vec::new();
    for _ in 0..60 {
        let mut s = connect_from("127.0.0.3", server.addr);
        let r = raw_on(
            &mut s,
            b"GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\n\r\n",
        );
        r.error(401, "unauthorized");
        assert_eq!(r.header("connection"), Some("close"));
        unauthorized.push(s);
    }
    for s in &mut unauthorized {
        let (_, closed) = read_until_closed(s, Duration::from_secs(10));
        assert!(closed, "a connection stayed open after its 401");
    }
    // A token holder is answered all the while.
    for _ in 0..3 {
        let r = get_with(
            &agent(),
            &server.url("/alerts/latest"),
            &[("Authorization", "Bearer t0k")],
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    drop(silent);
}

/// A served home (one scan of SPY, exported; `serve` settings added to its config)
/// whose SQLite store another connection then holds locked for writing, until the
/// returned connection rolls back or is dropped.
fn served_with_the_store_locked(serve: &str) -> (Home, Server, rusqlite::Connection) {
    let home = Home::new();
    home.cmd(["scan", "--tickers", "SPY"]).assert().success();
    home.cmd(["export"]).assert().success();
    if !serve.is_empty() {
        home.write_config(&format!("[serve]\n{serve}"));
    }
    let server = Server::start(&home, &[]);
    assert_eq!(get(&server, "/health").status, 200);
    let holder = rusqlite::Connection::open(home.db_path()).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; DELETE FROM alerts; ")
        .unwrap();
    (home, server, holder)
}

/// A client may send its request and then close its sending side (`shutdown(SHUT_WR)`,
/// as `nc -N` and some HTTP/1.0 clients do) while the answer is still being made: it
/// gets the answer, not a connection closed unanswered.
#[test]
fn serve_answers_a_client_that_closed_its_sending_side() {
    if crate::harness::sqlite_only("holds the SQLite file lock") {
        return;
    }
    // The store locked, so that the answer waits for it.
    let (_home, server, holder) = served_with_the_store_locked("store_busy_timeout_ms = 5000\n");
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.shutdown(std::net::Shutdown::Write).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    let r = raw_on(&mut s, b"");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// Issue 18, finding 3: with the database locked by a writer, the routes that read it
/// answer a quick 503 with Retry-After, and the routes answered from the exports are
/// not held up behind them.
#[test]
fn serve_a_locked_database_is_a_503_and_does_not_hold_up_the_exports() {
    if crate::harness::sqlite_only("holds the SQLite file lock") {
        return;
    }
    let (_home, server, holder) = served_with_the_store_locked("");
    let readers: Vec<_> = (0..6)
        .map(|i| {
            let url = server.url(if i % 2 == 0 {
                "/health"
            } else {
                "/api/v1/enrichment/history"
            });
            std::thread::spawn(move || get_with(&agent(), &url, &[]))
        })
        .collect();
    for _ in 0..5 {
        let r = get(&server, "/alerts/latest");
        assert_eq!(r.status, 200);
    }
    for t in readers {
        let r = t.join().unwrap();
        assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    let r = get(&server, "/api/v1/enrichment/history");
    let msg = r.error(503, "store_busy");
    assert!(msg.contains("busy"), "{msg}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(get(&server, "/health").status, 200);
}

/// Issue 18, finding 4: a `Host` this server does not answer to (a DNS name pointed at
/// the machine by a web page) gets a 421; loopback names, the address connected to
/// and `[serve] allowed_hosts` pass.
#[test]
fn serve_answers_only_the_hosts_it_is_reached_by() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config("[serve]\nallowed_hosts = [\"dash.example.com\"]\n");
    let server = Server::start(&home, &[]);
    let port = server.addr.port();
    for host in [
        "attacker.example".to_string(),
        format!("rebind.attacker.example:{port}"),
        "10.1.2.3".to_string(),
        "notlocalhost".to_string(),
        "localhost.attacker.example".to_string(),
    ] {
        let r = raw(
            server.addr,
            format!("GET /alerts/latest HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        let msg = r.error(421, "misdirected_request");
        assert!(msg.contains("allowed_hosts"), "{msg}");
    }
    // An absolute-form target names the host too.
    raw(
        server.addr,
        b"GET http://attacker.example/alerts/latest HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    .error(421, "misdirected_request");
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "DASH.example.com".to_string(),
        format!("Dash.LOCALHOST:{port}"),
    ] {
        let r = raw(
            server.addr,
            format!("GET /alerts/latest HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 200, "{host}");
    }
}

/// Issue 18, finding 5: a filtered answer is rendered (and compressed) once per export
/// version, then shared like the pre-rendered ones.
#[test]
fn serve_filtered_answers_are_rendered_once_per_export() {
    let (home, server) = served();
    let metric = |server: &Server, result: &str| -> u64 {
        let m = String::from_utf8(get(server, "/metrics").body).unwrap();
        let line = format!("optctl_filtered_answers_total{{result=\"{result}\"}} ");
        m.lines()
            .find_map(|l| l.strip_prefix(line.as_str()))
            .unwrap_or_else(|| panic!("no {line} in\n{m}"))
            .parse()
            .unwrap()
    };
    let gz = [("Accept-Encoding", "gzip")];
    let a = get_with(
        &agent(),
        &server.url("/options/AAPL/snapshot?min_strike=185&right=call"),
        &gz,
    );
    assert_eq!(a.status, 200);
    // The same filter in another order is the same answer.
    let b = get_with(
        &agent(),
        &server.url("/options/AAPL/snapshot?right=call&min_strike=185"),
        &gz,
    );
    assert_eq!(a.header("etag"), b.header("etag"));
    assert_eq!(a.body, b.body);
    get(&server, "/alerts?min_score=60");
    get(&server, "/alerts?min_score=60");
    assert_eq!(metric(&server, "miss"), 2);
    assert_eq!(metric(&server, "hit"), 2);
    // A new export: rendered anew, with the new data.
    let mut alerts: Value =
        serde_json::from_slice(&std::fs::read(home.home().join("exports/alerts.json")).unwrap())
            .unwrap();
    alerts["alerts"][0]["score"] = json!(99.0);
    alerts["export_timestamp"] = json!("2026-11-23T15:10:05Z");
    write_export(&home, "alerts.json", &alerts);
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let v = get(&server, "/alerts?min_score=60").json();
        if v["alerts"][0]["score"] == 99.0 {
            break;
        }
        assert!(
            Instant::now() < until,
            "the filtered answer was not renewed: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Issue 18, finding 6: a request whose declared body never comes, or trickles in,
/// gets a 408 within the whole-request deadline and the connection closes.
#[test]
fn serve_a_missing_or_trickled_body_gets_a_408_within_the_request_deadline() {
    let home = Home::new();
    write_sample_exports(&home);
    home.write_config(
        "[serve]\nheader_timeout_seconds = 1\nrequest_timeout_seconds = 2\nidle_timeout_seconds = 30\n",
    );
    let server = Server::start(&home, &[]);
    // Declared, never sent.
    let mut s = connect_from("127.0.0.1", server.addr);
    s.write_all(
        b"GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc",
    )
    .unwrap();
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(10));
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
    assert!(closed);
    // Trickled: a byte every 200 ms would take 20 s for these 100 bytes.
    let mut s = connect_from("127.0.0.1", server.addr);
    s.write_all(b"POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    let mut answered = false;
    for _ in 0..100 {
        if s.write_all(b"x").is_err() {
            answered = true;
            break;
        }
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut peek = [0u8; 1];
        match s.peek(&mut peek) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            _ => {
                answered = true;
                break;
            }
        }
    }
    assert!(answered, "the whole trickled body was read");
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(10));
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    // A body that does come is read and the connection goes on.
    let mut s = connect_from("127.0.0.1", server.addr);
    raw_on(
        &mut s,
        b"POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc",
    )
    .error(405, "method_not_allowed");
    assert_eq!(
        raw_on(
            &mut s,
            b"GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .status,
        200
    );
}

/// A chain export with one ticker of `n` contracts: a snapshot of several megabytes.
fn write_big_chain(home: &Home, n: usize) {
    let contracts: Vec<Value> = (0..n)
        .map(|i| {
            let strike = 100.0 + i as f64 * 0.5;
            contract(
                &format!("BIG261218C{:08}", (strike * 1000.0) as u64),
                "2026-12-18",
                strike,
                "call",
            )
        })
        .collect();
    write_chains(
        home,
        "2026-11-23T15:00:05Z",
        &[
            json!({"ticker": "BIG", "scan_id": 3, "as_of": "2026-11-23T15:00:00Z",
                  "spot": 150.0, "contracts": contracts}),
        ],
    );
}

/// Reads a few bytes every 100 ms until the server closes the connection or `limit`
/// passes; returns whether it closed and how much came.
fn trickle_read(s: &mut TcpStream, limit: Duration) -> (bool, usize) {
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let until = Instant::now() + limit;
    let mut total = 0;
    let mut chunk = [0u8; 2048];
    while Instant::now() < until {
        match s.read(&mut chunk) {
            Ok(0) => return (true, total),
            Ok(n) => total += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return (true, total),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (false, total)
}

/// A client that takes small sips of the answer from a socket with a small window.
fn slow_reader(addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    s.set_recv_buffer_size(4096).unwrap();
    s.connect(&addr.into()).unwrap();
    let mut s: TcpStream = s.into();
    s.write_all(b"GET /options/BIG/snapshot HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    s
}

/// Issue 18, finding 7: the write deadline is for the whole answer, not each partial
/// write: a client that keeps reading a little is dropped when it passes, and a stop
/// waits for such a client no longer than that.
#[test]
fn serve_a_slow_reader_is_dropped_at_the_whole_write_deadline_and_does_not_hold_a_stop() {
    let home = Home::new();
    write_sample_exports(&home);
    write_big_chain(&home, 40_000);
    home.write_config("[serve]\nwrite_timeout_seconds = 2\n");
    let server = Server::start(&home, &[]);
    let size = get(&server, "/options/BIG/snapshot").body.len();
    assert!(
        size > 8 << 20,
        "{size} bytes: too small to fill the socket buffers"
    );
    let mut s = slow_reader(server.addr);
    let (closed, read) = trickle_read(&mut s, Duration::from_secs(15));
    assert!(
        closed,
        "a trickling reader held its answer 15 s ({read} bytes read)"
    );
    assert!(read < size, "the whole answer was read ({read} bytes)");

    // A stop with such a reader connected ends within the write deadline.
    let mut s = slow_reader(server.addr);
    let sipping = std::thread::spawn(move || trickle_read(&mut s, Duration::from_secs(30)));
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let status = server.stop("TERM");
    assert_eq!(status.code(), Some(0));
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "the stop waited {took:?} for a slow reader"
    );
    let (closed, _) = sipping.join().unwrap();
    assert!(closed);
}

/// Issue 18, finding 8: HTTP conformance.
#[test]
fn serve_conformance_of_validators_credentials_targets_and_escapes() {
    let (_home, server) = served();
    // The plain body's ETag does not validate the gzip copy, nor the reverse.
    let plain = get(&server, "/alerts/latest");
    let plain_tag = plain.header("etag").unwrap().to_string();
    let gz = get_with(
        &agent(),
        &server.url("/alerts/latest"),
        &[("Accept-Encoding", "gzip")],
    );
    let gz_tag = gz.header("etag").unwrap().to_string();
    assert_ne!(plain_tag, gz_tag);
    for (encoding, tag, status) in [
        ("gzip", &plain_tag, 200),
        ("gzip", &gz_tag, 304),
        ("identity", &gz_tag, 200),
        ("identity", &plain_tag, 304),
    ] {
        let r = get_with(
            &agent(),
            &server.url("/alerts/latest"),
            &[("Accept-Encoding", encoding), ("If-None-Match", tag)],
        );
        assert_eq!(r.status, status, "{encoding} with {tag}");
    }
    // Every If-None-Match line counts.
    let r = raw(
        server.addr,
        format!(
            "GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: \"other\"\r\nIf-None-Match: \"x\", {plain_tag}\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 304);
    // Absolute-form targets are routed.
    let r = raw(
        server.addr,
        b"GET http://localhost/alerts/latest HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["alert_count"], 2);
    // A malformed request line is a bad request, not a version problem.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"GET /health HTTP/1.1 trailing\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let text = read_to_close(&mut s);
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    // `%+5` is no escape.
    let msg = get(&server, "/alerts?ticker=%+5").error(400, "bad_request");
    assert!(msg.contains("percent-escape"), "{msg}");
    // JSON errors say what they are, to browsers too.
    let r = get(&server, "/nope");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("content-type"), Some("application/json"));

    // Credentials: every Authorization line and list, and the scheme in any case.
    let home = Home::new();
    write_sample_exports(&home);
    let server = Server::start(&home, &["--token", "t0k"]);
    for auth in [
        "Authorization: bearer t0k\r\n",
        "Authorization: BEARER t0k\r\n",
        "Authorization: Basic dXNlcjpwdw==\r\nAuthorization: Bearer t0k\r\n",
        "Authorization: Basic dXNlcjpwdw==, Bearer t0k\r\n",
    ] {
        let r = raw(
            server.addr,
            format!("GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\n{auth}\r\n").as_bytes(),
        );
        assert_eq!(r.status, 200, "{auth}");
    }
    let r = raw(
        server.addr,
        b"GET /alerts/latest HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic t0k\r\n\r\n",
    );
    r.error(401, "unauthorized");
}

/// Issue 18, at scale: a snapshot is its ticker's chain file as exported, under the
/// manifest's ETag, and its gzip copy is the export's `.gz` as is; chains.json is not
/// read at all.
#[test]
fn serve_snapshots_are_the_exported_chain_files() {
    let home = Home::new();
    write_sample_exports(&home);
    let dir = home.home().join("exports");
    std::fs::remove_file(dir.join("chains.json")).unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ticker"] == "AAPL")
        .unwrap()
        .clone();
    let server = Server::start(&home, &[]);
    let a = agent();
    let url = server.url("/options/aapl/snapshot");
    let plain = get_with(&a, &url, &[]);
    assert_eq!(plain.status, 200);
    assert_eq!(
        plain.body,
        std::fs::read(dir.join("chains/AAPL.json")).unwrap()
    );
    assert_eq!(plain.header("etag"), entry["etag"].as_str());
    let gz = get_with(&a, &url, &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gz.body,
        std::fs::read(dir.join("chains/AAPL.json.gz")).unwrap()
    );
    assert_eq!(gz.header("etag"), entry["gzip"]["etag"].as_str());
    let tag = entry["etag"].as_str().unwrap();
    assert_eq!(get_with(&a, &url, &[("If-None-Match", tag)]).status, 304);
    // Filters read the same file.
    let puts = get(&server, "/options/AAPL/snapshot?right=put").json();
    assert_eq!(puts["contract_count"], 2);
    assert_eq!(puts["export_timestamp"], "2026-11-23T15:00:05Z");
    let t = get(&server, "/tickers").json();
    assert_eq!(t["ticker_count"], 2, "{t}");

    // A chain file gone from under the manifest: a 503 naming it, not a crash.
    std::fs::remove_file(dir.join("chains/MSFT.json")).unwrap();
    let msg = get(&server, "/options/MSFT/snapshot").error(503, "export_missing");
    assert!(msg.contains("chains/MSFT.json"), "{msg}");
    assert_eq!(get(&server, "/alerts/latest").status, 200);
}

/// The chain of version `v`: every number that differs between versions says `v`, so
/// a body that mixes two versions is seen at once.
fn versioned_chain(ticker: &str, v: u32) -> Value {
    let contracts: Vec<Value> = (0..200)
        .map(|i| {
            let mut c = contract(
                &format!("{ticker}261218C{:08}", 100_000 + i * 500),
                "2026-12-18",
                100.0 + f64::from(i) * 0.5,
                if i % 2 == 0 { "call" } else { "put" },
            );
            c["bid"] = json!(f64::from(v));
            c
        })
        .collect();
    json!({"ticker": ticker, "scan_id": v, "as_of": "2026-11-23T15:00:00Z",
           "spot": f64::from(v), "contracts": contracts})
}

/// Issue 18, at scale: exports land while clients read; every answer is one version
/// whole, and its ETag names its body (one tag is never seen with two bodies, and an
/// unfiltered body's tag is the SHA-256 of the bytes sent).
#[test]
fn serve_a_reload_while_clients_read_never_mixes_versions() {
    const TICKERS: [&str; 3] = ["AAPL", "MSFT", "TSLA"];
    const VERSIONS: u32 = 25;
    let home = Home::new();
    write_sample_exports(&home);
    let at = |v: u32| format!("2026-11-23T15:{:02}:05Z", v % 60);
    let chains = |v: u32| -> Vec<Value> { TICKERS.iter().map(|t| versioned_chain(t, v)).collect() };
    write_chains(&home, &at(1), &chains(1));
    // A cache of about two bodies: readers also go through misses and evictions.
    home.write_config("[serve]\nsnapshot_cache_bytes = 120000\n");
    let server = Server::start(&home, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let base = server.url("");
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let (stop, base) = (stop.clone(), base.clone());
            std::thread::spawn(move || {
                let a = agent();
                let mut seen: std::collections::HashMap<String, String> = Default::default();
                let mut versions = std::collections::BTreeSet::new();
                let mut i = r;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let t = TICKERS[i % TICKERS.len()];
                    let filtered = i % 5 == 0;
                    let gzip = i % 2 == 0;
                    let path = if filtered {
                        format!("/options/{t}/snapshot?right=put")
                    } else {
                        format!("/options/{t}/snapshot")
                    };
                    let enc = if gzip { "gzip" } else { "identity" };
                    let reply = get_with(&a, &format!("{base}{path}"), &[("Accept-Encoding", enc)]);
                    assert_eq!(
                        reply.status,
                        200,
                        "{path}: {}",
                        String::from_utf8_lossy(&reply.body)
                    );
                    let tag = reply.header("etag").unwrap().to_string();
                    let compressed = reply.header("content-encoding") == Some("gzip");
                    let body = if compressed {
                        let mut out = Vec::new();
                        flate2::read::GzDecoder::new(&reply.body[..])
                            .read_to_end(&mut out)
                            .unwrap();
                        out
                    } else {
                        reply.body.clone()
                    };
                    let doc: Value = serde_json::from_slice(&body).unwrap();
                    let v = doc["scan_id"].as_u64().unwrap();
                    assert_eq!(doc["spot"], json!(v as f64), "{path}");
                    let contracts = doc["contracts"].as_array().unwrap();
                    assert_eq!(contracts.len(), if filtered { 100 } else { 200 });
                    assert_eq!(doc["contract_count"], contracts.len());
                    assert!(
                        contracts.iter().all(|c| c["bid"] == json!(v as f64)),
                        "{path}: a body mixing versions (scan {v})"
                    );
                    if !filtered {
                        let sent = sha256_hex(&reply.body);
                        let of_body = sha256_hex(&body);
                        assert!(
                            tag == format!("\"{}\"", &sent[..32])
                                || (compressed && tag == format!("\"{}-gz\"", &of_body[..32])),
                            "{path}: tag {tag} does not name the bytes sent"
                        );
                    }
                    let key = format!("{tag} {enc}");
                    let digest = sha256_hex(&reply.body);
                    if let Some(before) = seen.insert(key, digest.clone()) {
                        assert_eq!(before, digest, "{path}: tag {tag} named two bodies");
                    }
                    versions.insert(v);
                }
                versions.len()
            })
        })
        .collect();
    for v in 2..=VERSIONS {
        std::thread::sleep(Duration::from_millis(60));
        write_chains(&home, &at(v), &chains(v));
    }
    // The last version is served once its manifest is seen.
    let until = Instant::now() + Duration::from_secs(10);
    while get(&server, "/options/TSLA/snapshot").json()["scan_id"] != VERSIONS {
        assert!(Instant::now() < until, "the last export was not picked up");
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        let versions = r.join().unwrap();
        assert!(versions > 1, "a reader saw only {versions} version(s)");
    }
    let m = String::from_utf8(get(&server, "/metrics").body).unwrap();
    let value = |name: &str| -> u64 {
        m.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in\n{m}"))
            .parse()
            .unwrap()
    };
    assert!(value("optctl_snapshot_cache_bytes") <= 120_000);
    assert_eq!(value("optctl_snapshot_cache_limit_bytes"), 120_000);
}
