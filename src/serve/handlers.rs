//! The route handlers: each reads the current exports (never the disk, never a path
//! from the request) and returns a [`Reply`]. The route table that maps paths to these
//! is `serve::ROUTES`; the cached, pre-rendered data is in `serve::cache`.

use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Request;
use super::cache::{self, AlertList, Exported, Slot};
use super::chains::ChainDoc;
use super::http::{ApiError, Body, Rendered, Reply};
use super::readers::Reader;
use crate::market::{Right, Symbol};
use crate::store::Store;
use crate::store::alerts::AlertRow;
use crate::store::scans::ScanStatus;

/// Query parameters of `/alerts`.
pub(crate) const ALERT_PARAMS: &[&str] = &["min_score", "limit", "detector", "ticker", "since"];
/// Query parameters of `/alerts/ticker/{ticker}` (the ticker is in the path).
pub(crate) const TICKER_ALERT_PARAMS: &[&str] = &["min_score", "limit", "detector", "since"];
/// Query parameters of `/options/{ticker}/snapshot`.
pub(crate) const SNAPSHOT_PARAMS: &[&str] = &["expiry", "right", "min_strike", "max_strike"];

/// Alerts returned by `/alerts` when no `limit` is given, and the most a client may ask.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

/// The data of a loaded export, or a 503 saying why there is none.
fn loaded<'a, T>(slot: &'a Slot<T>, name: &str) -> Result<&'a Arc<T>, ApiError> {
    slot.data.as_ref().ok_or_else(|| {
        ApiError::new(
            503,
            "export_missing",
            slot.error
                .clone()
                .unwrap_or_else(|| format!("{name} is not loaded yet")),
        )
    })
}

/// Before the first export (the file is not there, and nothing was loaded): the
/// route's usual envelope, empty (`fields`), with `export_timestamp: null` and an
/// `errors` entry saying no export exists yet, as the old API answered (a dashboard
/// shows "nothing yet", not a failure). A file that is there but unusable stays a 503.
fn data_or_empty<'a, T>(
    req: &Request<'_>,
    slot: &'a Slot<T>,
    name: &str,
    fields: impl FnOnce() -> serde_json::Value,
) -> Result<Result<&'a Arc<T>, Reply>, ApiError> {
    match loaded(slot, name) {
        Ok(data) => Ok(Ok(data)),
        Err(e) => {
            if slot.data.is_some() || req.state.cache.dir().join(name).exists() {
                return Err(e);
            }
            let mut body = serde_json::json!({
                "export_timestamp": null,
                "errors": [format!("no export exists yet ({name}): run `optctl scan` and `optctl export`")],
            });
            if let (Some(b), serde_json::Value::Object(f)) = (body.as_object_mut(), fields()) {
                b.extend(f);
            }
            Ok(Err(Reply::fresh_json(200, &body)))
        }
    }
}

/// Unwraps [`data_or_empty`]: the data, or returns the empty envelope.
macro_rules! or_empty {
    ($req:expr, $slot:expr, $name:expr, $fields:tt) => {
        // The empty envelope is built only when it is the answer: every answer from
        // a loaded export would otherwise build and drop a JSON map.
        match data_or_empty($req, $slot, $name, || serde_json::json!($fields))? {
            Ok(data) => data,
            Err(reply) => return Ok(reply),
        }
    };
}

/// A ticker from the path or query, read as a [`Symbol`] (normalised: `brk-b` is
/// `BRK.B`, `^VIX` is `VIX`). Anything else (`../`, `%00`) is a 400, so no request text
/// ever reaches a lookup that could mean something else.
fn ticker(name: &str, raw: &str) -> Result<String, ApiError> {
    Symbol::parse(raw)
        .map(|s| s.to_string())
        .map_err(|e| ApiError::bad_param(name, e))
}

fn finite(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a number")),
    }
}

/// `GET /health`: whether the exports are there and how old, whether the store opens,
/// and what the last background check of the store found.
pub(crate) fn health(req: &Request<'_>) -> Result<Reply, ApiError> {
    #[derive(Serialize)]
    struct FileHealth {
        loaded: bool,
        export_timestamp: Option<DateTime<Utc>>,
        age_seconds: Option<f64>,
        loaded_at: Option<DateTime<Utc>>,
        error: Option<String>,
    }
    fn file<T: Exported>(slot: &Slot<T>, now: DateTime<Utc>) -> FileHealth {
        let ts = slot.data.as_ref().map(|d| d.export_timestamp());
        FileHealth {
            loaded: slot.data.is_some(),
            export_timestamp: ts,
            age_seconds: ts.map(|t| (now - t).num_milliseconds() as f64 / 1000.0),
            loaded_at: slot.loaded_at,
            error: slot.error.clone(),
        }
    }
    let now = Utc::now();
    let e = &req.exports;
    let files = serde_json::json!({
        cache::ALERTS: file(&e.alerts, now),
        cache::CHAINS: file(&e.chains, now),
        cache::SCANS: file(&e.scans, now),
        cache::FEATURES: file(&e.features, now),
        cache::MANIFEST: file(&e.manifest, now),
    });
    let db = req.state.home.store();
    let store_failed = req
        .state
        .readers
        .open(db, req.state.opts.store_busy_timeout)
        .and_then(|s| s.user_version())
        .err();
    // A writer holding the lock past the busy timeout: answer now, with a 503 that
    // says when to ask again, rather than wait.
    let busy = store_failed.as_ref().is_some_and(|e| e.is_busy());
    let store_error = store_failed.map(|e| e.to_string());
    let check = req.state.store_check.last();
    let exports_ok = [
        e.alerts.error.is_none() && e.alerts.data.is_some(),
        e.chains.error.is_none() && e.chains.data.is_some(),
        e.scans.error.is_none() && e.scans.data.is_some(),
        e.features.error.is_none() && e.features.data.is_some(),
        e.manifest.error.is_none() && e.manifest.data.is_some(),
    ]
    .iter()
    .all(|ok| *ok);
    let last_scan = e
        .scans
        .data
        .as_ref()
        .and_then(|s| s.latest_scan.as_ref())
        .map(|s| serde_json::json!({"id": s.id, "status": s.status, "as_of": s.as_of}));
    // Ready once an export was loaded; before the first one the data routes answer
    // empty lists.
    let ready = e.alerts.data.is_some() && e.scans.data.is_some() && e.chains.data.is_some();
    let body = serde_json::json!({
        "status": if !ready { "not_ready" } else if exports_ok && store_error.is_none() && check.ok != Some(false) { "ok" } else { "degraded" },
        "ready": ready,
        "uptime_seconds": req.state.started.elapsed().as_secs(),
        "store": {"reachable": store_error.is_none(), "path": db.to_string(), "error": store_error, "check": check},
        "exports": {"dir": req.state.cache.dir(), "files": files},
        "last_scan": last_scan,
    });
    Ok(Reply::fresh_json(if busy { 503 } else { 200 }, &body))
}

/// `GET /metrics`: Prometheus text format.
pub(crate) fn metrics(req: &Request<'_>) -> Result<Reply, ApiError> {
    let mut out = String::with_capacity(4096);
    req.state.metrics.render(&mut out);
    single(
        &mut out,
        "optctl_http_open_connections",
        "gauge",
        "Client connections open now (idle ones close after serve.idle_timeout_seconds).",
        req.state.open.count(),
    );
    let now = Utc::now();
    let e = &req.exports;
    out.push_str("# HELP optctl_export_age_seconds Seconds since the loaded export file was written (its export_timestamp).\n");
    out.push_str("# TYPE optctl_export_age_seconds gauge\n");
    let ages: [(&str, Option<DateTime<Utc>>); 5] = [
        (
            cache::ALERTS,
            e.alerts.data.as_ref().map(|d| d.export_timestamp()),
        ),
        (
            cache::CHAINS,
            e.chains.data.as_ref().map(|d| d.export_timestamp()),
        ),
        (
            cache::SCANS,
            e.scans.data.as_ref().map(|d| d.export_timestamp()),
        ),
        (
            cache::FEATURES,
            e.features.data.as_ref().map(|d| d.export_timestamp()),
        ),
        (
            cache::MANIFEST,
            e.manifest.data.as_ref().map(|d| d.export_timestamp()),
        ),
    ];
    for (name, ts) in ages {
        if let Some(ts) = ts {
            let age = (now - ts).num_milliseconds() as f64 / 1000.0;
            let _ = writeln!(out, "optctl_export_age_seconds{{file=\"{name}\"}} {age}");
        }
    }
    out.push_str("# HELP optctl_export_loaded Whether the export file is loaded (1) or missing/unparsable (0).\n");
    out.push_str("# TYPE optctl_export_loaded gauge\n");
    for (name, ts) in ages {
        let _ = writeln!(
            out,
            "optctl_export_loaded{{file=\"{name}\"}} {}",
            u8::from(ts.is_some())
        );
    }
    single(
        &mut out,
        "optctl_export_reloads_total",
        "counter",
        "Export files (re)loaded since start.",
        req.state.cache.reloads(),
    );
    let last = e.scans.data.as_ref().and_then(|s| s.latest_scan.as_ref());
    if let Some(scan) = last {
        out.push_str("# HELP optctl_last_scan_status Status of the newest exported scan (1 for its status).\n");
        out.push_str("# TYPE optctl_last_scan_status gauge\n");
        for s in [
            ScanStatus::Running,
            ScanStatus::Succeeded,
            ScanStatus::Partial,
            ScanStatus::Failed,
            ScanStatus::Interrupted,
        ] {
            let _ = writeln!(
                out,
                "optctl_last_scan_status{{status=\"{s}\"}} {}",
                u8::from(s == scan.status)
            );
        }
        single(
            &mut out,
            "optctl_last_scan_id",
            "gauge",
            "Id of the newest exported scan.",
            scan.id,
        );
        single(
            &mut out,
            "optctl_last_scan_timestamp_seconds",
            "gauge",
            "As-of time of the newest exported scan.",
            scan.as_of.timestamp(),
        );
    }
    out.push_str("# HELP optctl_filtered_answers_total Filtered answers (?min_strike=, ?min_score=...) found rendered (hit) or rendered anew (miss).\n");
    out.push_str("# TYPE optctl_filtered_answers_total counter\n");
    for (result, n) in [
        ("hit", &req.state.filtered.hits),
        ("miss", &req.state.filtered.misses),
    ] {
        let _ = writeln!(
            out,
            "optctl_filtered_answers_total{{result=\"{result}\"}} {}",
            n.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    let snaps = &req.state.cache.snapshots;
    out.push_str("# HELP optctl_snapshot_cache_requests_total Unfiltered snapshot bodies found in memory (hit) or read from their chain file (miss).\n");
    out.push_str("# TYPE optctl_snapshot_cache_requests_total counter\n");
    for (result, n) in [("hit", &snaps.hits), ("miss", &snaps.misses)] {
        let _ = writeln!(
            out,
            "optctl_snapshot_cache_requests_total{{result=\"{result}\"}} {}",
            n.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    single(
        &mut out,
        "optctl_snapshot_cache_evictions_total",
        "counter",
        "Chain file bodies dropped from memory to stay under serve.snapshot_cache_bytes.",
        snaps.evictions.load(std::sync::atomic::Ordering::Relaxed),
    );
    single(
        &mut out,
        "optctl_snapshot_cache_bytes",
        "gauge",
        "Bytes of chain file bodies in memory now (plain and gzip).",
        snaps.bytes(),
    );
    single(
        &mut out,
        "optctl_snapshot_cache_limit_bytes",
        "gauge",
        "serve.snapshot_cache_bytes.",
        snaps.cap(),
    );
    single(
        &mut out,
        "optctl_snapshot_cache_entries",
        "gauge",
        "Tickers whose chain body is in memory now.",
        snaps.len(),
    );
    single(
        &mut out,
        "optctl_uptime_seconds",
        "gauge",
        "Seconds since the server started.",
        req.state.started.elapsed().as_secs(),
    );
    Ok(Reply {
        status: 200,
        body: Body::Fresh {
            bytes: out.into_bytes(),
            content_type: "text/plain; version=0.0.4; charset=utf-8",
        },
        headers: Vec::new(),
    })
}

/// Appends one metric without labels: its HELP and TYPE lines, then its value.
fn single(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
    );
}

/// `GET /alerts/latest`: the alerts of the newest scan id in alerts.json (pre-rendered).
pub(crate) fn alerts_latest(req: &Request<'_>) -> Result<Reply, ApiError> {
    let alerts =
        or_empty!(req, &req.exports.alerts, cache::ALERTS, {"alert_count": 0, "alerts": []});
    // Scans split over hosts (`scan --shard`): the latest alerts are every part's.
    let round = req
        .exports
        .scans
        .data
        .as_deref()
        .map_or(&[][..], |s| s.round.as_slice());
    if round.len() < 2 {
        return Ok(Reply::shared(&alerts.latest));
    }
    let render = || {
        let list = AlertList {
            export_timestamp: alerts.export_timestamp,
            scan_id: round.iter().copied().max(),
            scan_ids: round,
            alert_count: 0,
            alerts: alerts
                .alerts
                .iter()
                .filter(|a| round.contains(&a.scan_id))
                .collect(),
        }
        .counted();
        Rendered::precompressed(&list)
    };
    Ok(Reply::shared(&req.state.filtered.get_or_render(
        req.exports.generation,
        "alerts_latest".to_string(),
        render,
    )))
}

/// `GET /alerts?min_score=&limit=&detector=&ticker=&since=`: newest first.
pub(crate) fn alerts(req: &Request<'_>) -> Result<Reply, ApiError> {
    let ticker = req
        .query
        .get("ticker")
        .map(|t| ticker("ticker", t))
        .transpose()?;
    filtered_alerts(req, ticker)
}

/// `GET /alerts/ticker/{ticker}`: one ticker's alerts, newest first (same filters).
pub(crate) fn alerts_for_ticker(req: &Request<'_>) -> Result<Reply, ApiError> {
    let t = ticker("ticker", req.capture("ticker"))?;
    filtered_alerts(req, Some(t))
}

fn filtered_alerts(req: &Request<'_>, ticker: Option<String>) -> Result<Reply, ApiError> {
    let q = &req.query;
    let min_score = q.parse_with("min_score", finite)?;
    let limit = q
        .parse_with("limit", |s| match s.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(format!(
                "{s:?}: expected a whole number from 1 to {MAX_LIMIT}"
            )),
        })?
        .unwrap_or(DEFAULT_LIMIT);
    let detector = q.parse_with("detector", |s| {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            Ok(s.to_string())
        } else {
            Err(format!(
                "{s:?} is not a detector name like unusual_activity"
            ))
        }
    })?;
    let since = q.parse_with("since", |s| crate::time::parse_since(s, Utc::now()))?;
    let data = or_empty!(req, &req.exports.alerts, cache::ALERTS, {"alert_count": 0, "alerts": []});
    let render = || {
        let keep = |a: &&AlertRow| {
            ticker
                .as_deref()
                .is_none_or(|t| a.ticker.eq_ignore_ascii_case(t))
                && detector.as_deref().is_none_or(|d| a.detector_name == d)
                && min_score.is_none_or(|m| a.score >= m)
                && since.is_none_or(|s| a.created_at >= s)
        };
        let list = AlertList {
            export_timestamp: data.export_timestamp,
            scan_id: None,
            scan_ids: &[],
            alert_count: 0,
            alerts: data.alerts.iter().filter(keep).take(limit).collect(),
        }
        .counted();
        Rendered::new(&list)
    };
    // `since` may be relative to now (`since=2h`): such an answer is not kept.
    if q.has("since") {
        return Ok(Reply::shared(&Arc::new(render())));
    }
    let key = format!(
        "alerts\0{}\0{}",
        ticker.as_deref().unwrap_or(""),
        q.normalized()
    );
    Ok(Reply::shared(&req.state.filtered.get_or_render(
        req.exports.generation,
        key,
        render,
    )))
}

/// `GET /options/{ticker}/snapshot?expiry=&right=&min_strike=&max_strike=`: the latest
/// chain; without filters the ticker's chain file as exported (from the bounded cache
/// of `serve::chains`), with filters that body filtered and kept per export.
pub(crate) fn options_snapshot(req: &Request<'_>) -> Result<Reply, ApiError> {
    let t = ticker("ticker", req.capture("ticker"))?;
    let q = &req.query;
    let expiry = q.parse_with("expiry", |s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| format!("{s:?} is not a date like 2026-12-18"))
    })?;
    let right = q.parse_with("right", |s| match s.to_ascii_lowercase().as_str() {
        "call" | "c" => Ok(Right::Call),
        "put" | "p" => Ok(Right::Put),
        _ => Err(format!("{s:?}: expected call or put")),
    })?;
    let min_strike = q.parse_with("min_strike", finite)?;
    let max_strike = q.parse_with("max_strike", finite)?;
    if let (Some(lo), Some(hi)) = (min_strike, max_strike)
        && lo > hi
    {
        return Err(ApiError::bad_param(
            "max_strike",
            format!("{hi} is below min_strike {lo}"),
        ));
    }
    let chains = or_empty!(req, &req.exports.chains, cache::CHAINS,
        {"ticker": t, "contract_count": 0, "contracts": []});
    let Some(file) = chains.files.get(&t) else {
        return Err(ApiError::not_found(format!(
            "no chain for {t} in {}",
            cache::CHAINS
        )));
    };
    let body = req
        .state
        .cache
        .snapshots
        .get(chains, &t, file)
        .map_err(|e| {
            ApiError::new(
                503,
                "export_missing",
                format!("{}: cannot read: {}; run `optctl export`", e.file, e.error),
            )
        })?;
    if expiry.is_none() && right.is_none() && min_strike.is_none() && max_strike.is_none() {
        return Ok(Reply::shared(&body));
    }
    // Rendered once per export version, body and filter, then shared: a client that
    // asks the same filter again gets the same bytes, ETag and gzip copy.
    let key = format!("snapshot\0{t}\0{}\0{}", body.etag(), q.normalized());
    let rendered = req
        .state
        .filtered
        .try_get_or_render(req.exports.generation, key, || {
            let doc: ChainDoc = serde_json::from_slice(body.json()).map_err(|e| {
                ApiError::new(
                    503,
                    "export_missing",
                    format!("{}: not a valid export: {e}", chains.shown(file)),
                )
            })?;
            let export_timestamp = doc.export_timestamp;
            let chain = doc.into_chain();
            Ok(Rendered::new(&chain.snapshot(export_timestamp, |c| {
                expiry.is_none_or(|e| c.expiry == e)
                    && right.is_none_or(|r| c.right == r)
                    && min_strike.is_none_or(|m| c.strike >= m)
                    && max_strike.is_none_or(|m| c.strike <= m)
            })))
        })?;
    Ok(Reply::shared(&rendered))
}

/// `GET /scans/latest`: the newest scan in scans.json (pre-rendered).
pub(crate) fn scans_latest(req: &Request<'_>) -> Result<Reply, ApiError> {
    let scans = or_empty!(req, &req.exports.scans, cache::SCANS, {"scan": null});
    if scans.latest_scan.is_none() {
        return Err(ApiError::not_found(format!(
            "{} has no scans",
            cache::SCANS
        )));
    }
    Ok(Reply::shared(&scans.latest))
}

/// `GET /scans`: every scan in scans.json, newest first (pre-rendered).
pub(crate) fn scans(req: &Request<'_>) -> Result<Reply, ApiError> {
    let scans = or_empty!(req, &req.exports.scans, cache::SCANS, {"scan_count": 0, "scans": []});
    Ok(Reply::shared(&scans.list))
}

/// `GET /tickers`: the tickers with a chain file in the manifest, with spot and
/// contract count (pre-rendered), so a client knows what `/options/{ticker}/snapshot`
/// has.
pub(crate) fn tickers(req: &Request<'_>) -> Result<Reply, ApiError> {
    let chains = or_empty!(req, &req.exports.chains, cache::CHAINS,
        {"ticker_count": 0, "tickers": []});
    Ok(Reply::shared(&chains.tickers))
}

/// `GET /`: the dashboard page (no data in it; its script reads the routes above).
pub(crate) fn dashboard(req: &Request<'_>) -> Result<Reply, ApiError> {
    let page = &req.state.page;
    Ok(Reply {
        status: 200,
        body: Body::Page(Arc::clone(&page.body)),
        headers: page.headers.clone(),
    })
}

/// `GET /features/{ticker}/latest`: the ticker's latest features (pre-rendered).
pub(crate) fn features_latest(req: &Request<'_>) -> Result<Reply, ApiError> {
    let t = ticker("ticker", req.capture("ticker"))?;
    let features = or_empty!(req, &req.exports.features, cache::FEATURES,
        {"features": null});
    features
        .rendered
        .get(&t)
        .map(Reply::shared)
        .ok_or_else(|| ApiError::not_found(format!("no features for {t} in {}", cache::FEATURES)))
}

/// The 503 of a database a writer holds locked past `store_busy_timeout_ms` (the
/// answer also says `Retry-After`).
pub(crate) fn store_busy() -> ApiError {
    ApiError::new(
        503,
        "store_busy",
        "the database is busy (a writer holds its lock); try again shortly",
    )
}

/// The 503 of a request that waited `store_busy_timeout_ms` for one of the
/// `store_readers` database readers: the same code as [`store_busy`] (clients retry
/// either after `Retry-After`), its own reason.
pub(crate) fn readers_full() -> ApiError {
    ApiError::new(
        503,
        "store_busy",
        "every database reader is in use (serve.store_readers); try again shortly",
    )
}

/// The home's store, read-only, with serve's short busy timeout (a kept connection on
/// PostgreSQL, [`super::readers`]); a home with no store yet is a 503 that says what
/// to run.
pub(crate) fn open_store<'a>(req: &Request<'a>) -> Result<Reader<'a>, ApiError> {
    req.state
        .readers
        .open(req.state.home.store(), req.state.opts.store_busy_timeout)
        .map_err(unavailable)
}

/// The 503 of a store that could not be opened: busy, or why not.
fn unavailable(e: crate::store::Error) -> ApiError {
    if e.is_busy() {
        store_busy()
    } else {
        ApiError::new(503, "store_unavailable", e.to_string())
    }
}

/// [`open_store`], with None when there is no store yet (no SQLite file, or a
/// PostgreSQL database without optctl's tables): for the routes that then answer "nothing
/// yet" rather than fail.
pub(crate) fn open_store_if_any<'a>(req: &Request<'a>) -> Result<Option<Reader<'a>>, ApiError> {
    let at = req.state.home.store();
    // SQLite: a missing file needs no open to be seen.
    if at.sqlite_path().is_some_and(|p| !p.exists()) {
        return Ok(None);
    }
    match req
        .state
        .readers
        .open(at, req.state.opts.store_busy_timeout)
    {
        Ok(r) => Ok(Some(r)),
        Err(e) if e.is_no_store() => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

fn internal(e: crate::Error) -> ApiError {
    let busy = matches!(&e, crate::Error::DatabaseLocked { .. })
        || matches!(&e, crate::Error::Area(a) if a.kind == crate::error::Kind::Busy);
    if busy {
        return store_busy();
    }
    ApiError::new(500, "internal", e.to_string())
}

/// `GET /api/v1/background/status`: is the market open, the processor's last run and
/// last error (the same report as `optctl process-excel status --json`).
pub(crate) fn excel_status(req: &Request<'_>) -> Result<Reply, ApiError> {
    let store = open_store(req)?;
    let status =
        crate::excel::processor_status(&store, &req.state.opts.market_hours, req.state.now())
            .map_err(internal)?;
    Ok(Reply::fresh_json(200, &status))
}

/// `GET /api/v1/stocks[?buildup=long_buildup]`: the latest state of every stock from
/// the broker workbooks, optionally one buildup class.
pub(crate) fn excel_stocks(req: &Request<'_>) -> Result<Reply, ApiError> {
    let buildup = req
        .query
        .parse_with("buildup", |s| s.parse::<crate::excel::buildup::Buildup>())?;
    let report = crate::excel::latest_stocks(&*open_store(req)?, buildup).map_err(internal)?;
    Ok(Reply::fresh_json(200, &report))
}

/// The `limit` query parameter of the store routes: 1 to `MAX_LIMIT`, default
/// `DEFAULT_LIMIT`.
fn limit(req: &Request<'_>) -> Result<u64, ApiError> {
    Ok(req
        .query
        .parse_with("limit", |s| match s.parse::<u64>() {
            Ok(n) if (1..=MAX_LIMIT as u64).contains(&n) => Ok(n),
            _ => Err(format!(
                "{s:?}: expected a whole number from 1 to {MAX_LIMIT}"
            )),
        })?
        .unwrap_or(DEFAULT_LIMIT as u64))
}

/// `GET /api/v1/stocks/processing-history[?limit=N]`: the newest process-excel runs.
pub(crate) fn excel_history(req: &Request<'_>) -> Result<Reply, ApiError> {
    let limit = limit(req)?;
    let report = crate::excel::processing_history(&*open_store(req)?, limit).map_err(internal)?;
    Ok(Reply::fresh_json(200, &report))
}

/// Answers one enrichment report read at the current time.
fn enrich_report<T: Serialize>(
    req: &Request<'_>,
    report: fn(Option<&Store>, &crate::enrich::report::Settings, DateTime<Utc>) -> crate::Result<T>,
) -> Result<Reply, ApiError> {
    let store = open_store_if_any(req)?;
    let body = report(store.as_deref(), &req.state.opts.enrich, Utc::now()).map_err(internal)?;
    Ok(Reply::fresh_json(200, &body))
}

/// `GET /api/v1/enrichment/dashboard/overview`: status, health, 24 h metrics, the
/// provider's breaker and limiter, and the last run's jobs.
pub(crate) fn enrich_overview(req: &Request<'_>) -> Result<Reply, ApiError> {
    enrich_report(req, crate::enrich::report::overview)
}

/// `GET /api/v1/enrichment/dashboard/health`: healthy, degraded or unhealthy, with the issues
/// (the same report as `optctl enrich health --json`).
pub(crate) fn enrich_health(req: &Request<'_>) -> Result<Reply, ApiError> {
    enrich_report(req, crate::enrich::report::health)
}

/// `GET /api/v1/enrichment/dashboard/metrics`: success rates, response time, quota and data
/// quality over the last 24 hours.
pub(crate) fn enrich_metrics(req: &Request<'_>) -> Result<Reply, ApiError> {
    enrich_report(req, crate::enrich::report::metrics)
}

/// `GET /api/v1/enrichment/dashboard/job-status/{symbol}`: the symbol's newest job; 404 when it
/// was never enriched.
pub(crate) fn enrich_job_status(req: &Request<'_>) -> Result<Reply, ApiError> {
    let symbol = ticker("symbol", req.capture("symbol"))?;
    let store = open_store_if_any(req)?;
    match crate::enrich::report::job_status(store.as_deref(), &req.state.opts.enrich, &symbol)
        .map_err(internal)?
    {
        Some(body) => Ok(Reply::fresh_json(200, &body)),
        None => Err(ApiError::not_found(format!(
            "no enrich job for {symbol}: it has not been enriched yet"
        ))),
    }
}

/// `GET /api/v1/enrichment/history[?limit=N]`: the newest enrich runs.
pub(crate) fn enrich_history(req: &Request<'_>) -> Result<Reply, ApiError> {
    let limit = limit(req)?;
    let store = open_store_if_any(req)?;
    let body = crate::enrich::report::history(store.as_deref(), limit).map_err(internal)?;
    Ok(Reply::fresh_json(200, &body))
}

/// The store for the scheduler routes, or None when there is no database yet or no optctl
/// with the scheduler has written it (then nothing is recorded: the migration is at
/// legacy); a 503 when the file is there but unusable.
fn scheduler_store<'a>(req: &Request<'a>) -> Result<Option<Reader<'a>>, ApiError> {
    let Some(store) = open_store_if_any(req)? else {
        return Ok(None);
    };
    let ready = store
        .scheduler()
        .has_tables()
        .map_err(|e| internal(e.into()))?;
    Ok(ready.then_some(store))
}

/// `GET /api/scheduler/status`: the migration's phase, where each category runs and the
/// criteria of the next step (the same report as `optctl migrate-scheduler status --json`).
pub(crate) fn scheduler_status(req: &Request<'_>) -> Result<Reply, ApiError> {
    let store = scheduler_store(req)?;
    let status = crate::scheduler::migration::status(store.as_deref(), &req.state.opts.scheduler)
        .map_err(internal)?;
    Ok(Reply::fresh_json(200, &status))
}

/// `GET /api/scheduler/stats/comparison[?limit=N&source=run|compare]`: the newest
/// comparison with its full report, and the newest `limit` (default 100) as summaries.
pub(crate) fn scheduler_comparisons(req: &Request<'_>) -> Result<Reply, ApiError> {
    use crate::store::scheduler::{ComparisonFilter, Source};
    let q = &req.query;
    let limit = limit(req)?;
    let source = q.parse_with("source", |s| match s {
        "run" => Ok(Source::Run),
        "compare" => Ok(Source::Compare),
        _ => Err(format!("{s:?}: expected run or compare")),
    })?;
    let (latest, rows) = match scheduler_store(req)? {
        None => (None, Vec::new()),
        Some(store) => {
            let read = |limit, with_report| {
                store
                    .scheduler()
                    .list_comparisons(ComparisonFilter {
                        step: None,
                        source,
                        limit,
                        with_report,
                    })
                    .map_err(|e| internal(e.into()))
            };
            // One snapshot: a comparison committed between the two reads must not give
            // a count of one with no latest.
            let (latest, rows) = store
                .read_snapshot(|_| Ok::<_, ApiError>((read(1, true)?.pop(), read(limit, false)?)))
                .map_err(|e| internal(e.into()))??;
            (latest, rows)
        }
    };
    let body = serde_json::json!({
        "count": rows.len(),
        "latest": latest,
        "comparisons": rows,
    });
    Ok(Reply::fresh_json(200, &body))
}

/// `GET /api/scheduler/cache/stats`: what the symbol cache holds now (entries, valid
/// ones, bars, bytes, per timeframe) and the unified scheduler's hits and misses in the
/// last tick and the last 24 hours.
pub(crate) fn scheduler_cache_stats(req: &Request<'_>) -> Result<Reply, ApiError> {
    let now = Utc::now();
    let stats = match scheduler_store(req)? {
        Some(store) => store
            .scheduler()
            .cache_stats(now)
            .map_err(|e| internal(e.into()))?,
        None => crate::store::scheduler::CacheStats::empty(now),
    };
    Ok(Reply::fresh_json(200, &stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_are_validated_and_upper_cased() {
        assert_eq!(ticker("ticker", "brk.b").unwrap(), "BRK.B");
        assert_eq!(ticker("ticker", "^VIX").unwrap(), "VIX");
        assert_eq!(ticker("ticker", "brk-b").unwrap(), "BRK.B");
        assert_eq!(ticker("ticker", "M&M").unwrap(), "M&M");
        for bad in [
            "",
            "..",
            ".x",
            "A..B",
            "../etc",
            "a/bc",
            "AAPL\0",
            "x".repeat(17).as_str(),
        ] {
            let e = ticker("ticker", bad).unwrap_err();
            assert_eq!(e.status, 400);
            assert!(e.message.starts_with("ticker:"), "{}", e.message);
        }
    }
}
