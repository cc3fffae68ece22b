//! The control routes (POST/PUT under `/api/...`) and the routes that watch the jobs
//! they steer (`/monitoring/health`, the scheduler estimate and metrics).
//!
//! A control route either changes state in the store (enrichment's pause flag, the
//! workbook loop's paused flag and interval, the scheduler's cache), which the jobs read
//! at their next run or tick, so nothing needs supervising; or starts a job as a child
//! `optctl` process (the same binary, data home and config), so the command line stays
//! the one implementation, and answers 202 at once. Every control request that showed
//! the right token is audited (`store::control`). The token check and the body read are
//! in `serve` (mod.rs).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::handlers::{open_store_if_any, store_busy};
use super::http::{ApiError, Body, Reply};
use super::readers::Reader;
use super::{Request, State};
use crate::lock::JobLock;
use crate::market::{AssetClass, Symbol, Timeframe};
use crate::scheduler::{Category, SchedulerKind};
use crate::store::Store;
use crate::store::control::AuditWrite;

/// How long a trigger waits for the child's enrich run to be recorded, to answer with
/// its id (the child records it within milliseconds of starting).
const RUN_ID_WAIT: Duration = Duration::from_secs(5);
/// The longest and shortest interval the workbook loop may be given, seconds.
const MAX_INTERVAL: u64 = 3600;
/// Bytes of the answer kept in the audit row.
const AUDIT_RESULT_BYTES: usize = 2048;

/// What a control request asked, for its audit row.
pub(crate) struct Asked {
    pub(crate) client: String,
    pub(crate) token_id: String,
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) body: Bytes,
}

/// A short fingerprint of a token (FNV-1a, 24 bits): tells tokens apart in the audit
/// after a rotation, without keeping anything that helps guess one.
pub(crate) fn fingerprint(token: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in token.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{:06x}", h >> 8)
}

/// Writes the audit row of an answered control request and returns the answer. A
/// failed audit write is logged: the action it records has already happened.
pub(crate) fn audit(state: &State, asked: &Asked, reply: Reply) -> Reply {
    let result = match &reply.body {
        Body::Fresh { bytes, .. } => {
            let text = String::from_utf8_lossy(bytes);
            let mut end = text.len().min(AUDIT_RESULT_BYTES);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }
        _ => String::new(),
    };
    let request = if asked.body.is_empty() {
        "{}".to_string()
    } else {
        String::from_utf8_lossy(&asked.body).into_owned()
    };
    let write = AuditWrite {
        at: state.now(),
        client: &asked.client,
        token_id: &asked.token_id,
        method: &asked.method,
        route: &asked.target,
        request: &request,
        status: reply.status,
        result: &result,
    };
    let keep = chrono::TimeDelta::days(i64::from(state.opts.audit_keep_days));
    let recorded = state.home.store().open().and_then(|mut s| {
        let id = s.control_mut().record_audit(&write)?;
        s.control_mut().prune_audit(write.at - keep)?;
        Ok(id)
    });
    match recorded {
        Ok(id) => reply.with_header("X-Audit-Id", id.to_string()),
        Err(e) => {
            tracing::warn!(
                "could not audit {} {} from {}: {}",
                asked.method,
                asked.target,
                asked.client,
                e.with_causes()
            );
            reply
        }
    }
}

/// A control request's JSON body: an object (or nothing, which is `{}`), with only the
/// fields the route knows. Every error names the field.
#[derive(Debug)]
struct Fields(Map<String, Value>);

impl Fields {
    fn parse(body: &[u8], known: &[&str]) -> Result<Fields, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Fields(Map::new()));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_param("body", format!("not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiError::bad_param("body", "expected a JSON object"));
        };
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ApiError::bad_param(
                k,
                if known.is_empty() {
                    "unknown field: this route takes no fields".to_string()
                } else {
                    format!("unknown field; expected one of {}", known.join(", "))
                },
            ));
        }
        Ok(Fields(map))
    }

    /// An optional string field.
    fn text(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::bad_param(name, "expected a string")),
        }
    }

    /// An optional list of strings (a single string is a list of one; a string with
    /// commas is split).
    fn list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let split = |s: &str| {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(split(s)),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    match v {
                        Value::String(s) => out.extend(split(s)),
                        _ => {
                            return Err(ApiError::bad_param(
                                &format!("{name}[{i}]"),
                                "expected a string",
                            ));
                        }
                    }
                }
                Ok(out)
            }
            Some(_) => Err(ApiError::bad_param(name, "expected a list of strings")),
        }
    }
}

/// Parses each item of a list field, naming `field[i]` in the error.
fn parse_each<T>(
    name: &str,
    items: &[String],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| parse(s).map_err(|e| ApiError::bad_param(&format!("{name}[{i}]"), e)))
        .collect()
}

/// The store opened for writing (migrated if this optctl is newer); a busy database
/// is a 503.
fn writer(req: &Request<'_>) -> Result<Store, ApiError> {
    req.state.home.store().open().map_err(store_error)
}

fn store_error(e: crate::store::Error) -> ApiError {
    if e.is_busy() {
        store_busy()
    } else {
        ApiError::new(500, "store_failed", e.with_causes())
    }
}

fn failed(e: crate::Error) -> ApiError {
    let busy = matches!(&e, crate::Error::DatabaseLocked { .. })
        || matches!(&e, crate::Error::Area(a) if a.kind == crate::error::Kind::Busy);
    if busy {
        store_busy()
    } else {
        ApiError::new(500, "internal", crate::error::report(&e))
    }
}

/// Whether another run of `job` holds its lock now.
fn running(req: &Request<'_>, job: &str) -> Result<bool, ApiError> {
    match JobLock::acquire(&req.state.home, job) {
        Ok(_held_and_dropped) => Ok(false),
        Err(crate::Error::Locked { .. }) => Ok(true),
        Err(e) => Err(failed(e)),
    }
}

/// Starts `optctl <args>` as a child: this binary, with this server's data home,
/// config file and clock, quiet; its output goes nowhere (the job records what it did
/// in the store, and logs where [log] says). A thread reaps it when it ends.
fn start_job(req: &Request<'_>, args: &[String]) -> Result<u32, ApiError> {
    let exe = std::env::current_exe().map_err(|e| {
        ApiError::new(
            500,
            "cannot_start",
            format!("cannot find the optctl binary to run: {e}"),
        )
    })?;
    let mut cmd = Command::new(exe);
    cmd.arg("--home").arg(req.state.home.root());
    if let Some(config) = &req.state.opts.config {
        cmd.arg("--config").arg(config);
    }
    cmd.arg("--as-of")
        .arg(
            req.state
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .arg("-q")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| {
        ApiError::new(
            500,
            "cannot_start",
            format!("cannot start `optctl {}`: {e}", args.join(" ")),
        )
    })?;
    let pid = child.id();
    let _ = std::thread::Builder::new()
        .name("serve-child".into())
        .spawn(move || child.wait());
    Ok(pid)
}

/// `POST /api/v1/enrichment/trigger` `{"symbols": [...], "asset_class": "stock",
/// "timeframes": [...]}` (all optional): starts `optctl enrich run` with them. 202 with
/// the run id; 409 when a run holds the lock or enrichment is paused.
pub(crate) fn enrich_trigger(req: &Request<'_>) -> Result<Reply, ApiError> {
    let f = Fields::parse(&req.body, &["symbols", "asset_class", "timeframes"])?;
    let symbols = parse_each("symbols", &f.list("symbols")?, |s| {
        Symbol::parse(s).map_err(|e| e.to_string())
    })?;
    let classes = parse_each("asset_class", &f.list("asset_class")?, |s| {
        s.parse::<AssetClass>().map_err(|e| e.to_string())
    })?;
    let timeframes = parse_each("timeframes", &f.list("timeframes")?, |s| {
        s.parse::<Timeframe>().map_err(|e| e.to_string())
    })?;
    let _one_at_a_time = req.state.starting.lock().unwrap_or_else(|p| p.into_inner());
    let store = writer(req)?;
    let pause = store.enrich().pause().map_err(store_error)?;
    if pause.paused {
        return Err(ApiError::new(
            409,
            "paused",
            format!(
                "enrichment is paused{}; POST /api/v1/enrichment/resume first",
                pause
                    .reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(" ({r})"))
            ),
        ));
    }
    if running(req, "enrich")? {
        return Err(ApiError::new(
            409,
            "already_running",
            "an enrich run is going on (it holds the enrich lock); try again when it ends",
        ));
    }
    let mut args = vec!["enrich".to_string(), "run".to_string()];
    let join = |v: Vec<String>| v.join(",");
    if !symbols.is_empty() {
        args.push("--symbols".into());
        args.push(join(symbols.iter().map(Symbol::to_string).collect()));
    }
    if !classes.is_empty() {
        args.push("--asset-class".into());
        args.push(join(classes.iter().map(ToString::to_string).collect()));
    }
    if !timeframes.is_empty() {
        args.push("--timeframes".into());
        args.push(join(timeframes.iter().map(ToString::to_string).collect()));
    }
    let pid = start_job(req, &args)?;
    // The child records its run as soon as it has the lock; its id is what the
    // caller follows in /api/v1/enrichment/history.
    let waited = Instant::now();
    let mut run_id = None;
    while waited.elapsed() < RUN_ID_WAIT {
        let found = store
            .enrich()
            .list_runs(Some(5))
            .map_err(store_error)?
            .into_iter()
            .find(|r| r.pid == pid);
        if let Some(r) = found {
            run_id = Some(r.id);
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let body = json!({
        "status": "started",
        "run_id": run_id,
        "pid": pid,
        "command": format!("optctl {}", args.join(" ")),
        "history": "/api/v1/enrichment/history",
    });
    Ok(Reply::fresh_json(202, &body))
}

/// `POST /api/v1/enrichment/pause` `{"reason": "..."}`: what `optctl enrich pause` does.
pub(crate) fn enrich_pause(req: &Request<'_>) -> Result<Reply, ApiError> {
    let f = Fields::parse(&req.body, &["reason"])?;
    let reason = f.text("reason")?;
    let mut store = writer(req)?;
    store
        .enrich_mut()
        .set_pause(true, reason, req.state.now())
        .map_err(store_error)?;
    let state = store.enrich().pause().map_err(store_error)?;
    Ok(Reply::fresh_json(200, &state))
}

/// `POST /api/v1/enrichment/resume`: what `optctl enrich resume` does.
pub(crate) fn enrich_resume(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let mut store = writer(req)?;
    store
        .enrich_mut()
        .set_pause(false, None, req.state.now())
        .map_err(store_error)?;
    let state = store.enrich().pause().map_err(store_error)?;
    Ok(Reply::fresh_json(200, &state))
}

/// The workbook loop as the control routes answer it.
fn loop_reply(req: &Request<'_>, store: &Store, status: u16) -> Result<Reply, ApiError> {
    let l = crate::excel::loop_status(store, req.state.now()).map_err(failed)?;
    Ok(Reply::fresh_json(status, &l))
}

/// `POST /api/v1/process/refresh`: one `process-excel --force`. With a `--watch` loop
/// running (it holds the lock), the loop does it at its next tick instead.
pub(crate) fn excel_refresh(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let _one_at_a_time = req.state.starting.lock().unwrap_or_else(|p| p.into_inner());
    let mut store = writer(req)?;
    if running(req, "process-excel")? {
        let now = req.state.now();
        let l = crate::excel::loop_status(&store, now).map_err(failed)?;
        if !l.is_running {
            return Err(ApiError::new(
                409,
                "already_running",
                "a process-excel run is going on (it holds the lock); try again when it ends",
            ));
        }
        store
            .control_mut()
            .request_refresh(now)
            .map_err(store_error)?;
        let body = json!({
            "status": "queued",
            "detail": "the running --watch loop processes the workbooks at its next tick",
            "pid": l.stored.pid,
        });
        return Ok(Reply::fresh_json(202, &body));
    }
    let args = vec!["process-excel".to_string(), "--force".to_string()];
    let pid = start_job(req, &args)?;
    let body = json!({
        "status": "started",
        "pid": pid,
        "command": "optctl process-excel --force",
        "history": "/api/v1/stocks/processing-history",
    });
    Ok(Reply::fresh_json(202, &body))
}

/// `POST /api/v1/background/start`: the workbook loop works again from its next tick.
pub(crate) fn loop_start(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let mut store = writer(req)?;
    store
        .control_mut()
        .set_loop_paused(false, req.state.now())
        .map_err(store_error)?;
    loop_reply(req, &store, 200)
}

/// `POST /api/v1/background/stop`: the workbook loop stays idle (it keeps ticking and
/// beating, and does no work) until started again.
pub(crate) fn loop_stop(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let mut store = writer(req)?;
    store
        .control_mut()
        .set_loop_paused(true, req.state.now())
        .map_err(store_error)?;
    loop_reply(req, &store, 200)
}

/// `PUT /api/v1/background/interval/{seconds}`: the seconds between the loop's ticks,
/// 1 to 3600, from its next tick.
pub(crate) fn loop_interval(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let raw = req.capture("seconds");
    let seconds = match raw.parse::<u64>() {
        Ok(n) if (1..=MAX_INTERVAL).contains(&n) => n,
        _ => {
            return Err(ApiError::bad_param(
                "seconds",
                format!("{raw:?}: expected a whole number of seconds from 1 to {MAX_INTERVAL}"),
            ));
        }
    };
    let mut store = writer(req)?;
    store
        .control_mut()
        .set_loop_interval(seconds, req.state.now())
        .map_err(store_error)?;
    loop_reply(req, &store, 200)
}

/// `POST /api/scheduler/test/unified-scan?categories=a,b`: one `optctl compare` run
/// of those categories (all without); its report lands in
/// `/api/scheduler/stats/comparison?source=compare`.
pub(crate) fn scheduler_test_scan(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let categories: Vec<Category> = match req.query.get("categories") {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<Category>()
                    .map_err(|e| ApiError::bad_param("categories", e))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut args = vec!["compare".to_string()];
    if !categories.is_empty() {
        args.push("--categories".into());
        args.push(
            categories
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let pid = start_job(req, &args)?;
    let body = json!({
        "status": "started",
        "pid": pid,
        "command": format!("optctl {}", args.join(" ")),
        "results": "/api/scheduler/stats/comparison?source=compare",
    });
    Ok(Reply::fresh_json(202, &body))
}

/// `POST /api/scheduler/cache/clear`: empties the symbol cache (what `optctl
/// migrate-scheduler cache clear` does).
pub(crate) fn scheduler_cache_clear(req: &Request<'_>) -> Result<Reply, ApiError> {
    Fields::parse(&req.body, &[])?;
    let mut store = writer(req)?;
    let cleared = store.scheduler_mut().clear_cache().map_err(store_error)?;
    Ok(Reply::fresh_json(200, &json!({ "cleared": cleared })))
}

/// The store for the read routes below, or None before there is a database.
fn reader<'a>(req: &Request<'a>) -> Result<Option<Reader<'a>>, ApiError> {
    let Some(store) = open_store_if_any(req)? else {
        return Ok(None);
    };
    let ready = store
        .scheduler()
        .has_tables()
        .map_err(|e| failed(e.into()))?;
    Ok(ready.then_some(store))
}

/// Provider calls of one scheduler over a window.
fn calls(
    store: Option<&Store>,
    kind: SchedulerKind,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let t = match store {
        Some(s) => s
            .scheduler()
            .run_totals(kind, None, None, Some(since), Some(until))
            .map_err(|e| failed(e.into()))?,
        None => Default::default(),
    };
    let per_run = (t.runs > 0).then(|| t.provider_calls as f64 / t.runs as f64);
    Ok(json!({
        "runs": t.runs,
        "provider_calls": t.provider_calls,
        "failed_calls": t.failed_calls,
        "calls_per_run": per_run,
        "lookups": t.lookups,
        "cache_hits": t.cache_hits,
        "hit_rate_pct": t.hit_rate_pct,
        "last_tick": t.last_tick,
    }))
}

/// `GET /api/scheduler/api-calls/estimate`: provider calls per run of each scheduler
/// over the last 24 hours of recorded runs, and what the unified one saves; the newest
/// `compare` measurement beside it.
pub(crate) fn scheduler_estimate(req: &Request<'_>) -> Result<Reply, ApiError> {
    use crate::store::scheduler::{ComparisonFilter, Source};
    let now = req.state.now();
    let since = now - chrono::TimeDelta::hours(24);
    let store = reader(req)?;
    let legacy = calls(store.as_deref(), SchedulerKind::Legacy, since, now)?;
    let unified = calls(store.as_deref(), SchedulerKind::Unified, since, now)?;
    let saving = match (
        legacy["calls_per_run"].as_f64(),
        unified["calls_per_run"].as_f64(),
    ) {
        (Some(l), Some(u)) if l > 0.0 => Some(100.0 * (l - u) / l),
        _ => None,
    };
    let latest = match &store {
        Some(s) => s
            .scheduler()
            .list_comparisons(ComparisonFilter {
                step: None,
                source: Some(Source::Compare),
                limit: 1,
                with_report: false,
            })
            .map_err(|e| failed(e.into()))?
            .pop()
            .map(|c| {
                json!({
                    "id": c.id,
                    "created_at": c.created_at,
                    "categories": c.categories,
                    "legacy_calls": c.legacy_calls,
                    "unified_calls": c.unified_calls,
                })
            }),
        None => None,
    };
    let body = json!({
        "now": now,
        "window_hours": 24,
        "legacy": legacy,
        "unified": unified,
        "unified_saving_pct": saving,
        "latest_compare": latest,
    });
    Ok(Reply::fresh_json(200, &body))
}

/// `GET /api/dashboard/scheduler-metrics`: the migration's phase, each scheduler's
/// runs and calls over the last 24 hours, and the symbol cache, in one answer.
pub(crate) fn scheduler_metrics(req: &Request<'_>) -> Result<Reply, ApiError> {
    let now = req.state.now();
    let since = now - chrono::TimeDelta::hours(24);
    let store = reader(req)?;
    let (state, cache, comparisons) = match &store {
        Some(s) => (
            Some(s.scheduler().state().map_err(|e| failed(e.into()))?),
            s.scheduler()
                .cache_stats(now)
                .map_err(|e| failed(e.into()))?,
            s.scheduler()
                .count_tick_comparisons()
                .map_err(|e| failed(e.into()))?,
        ),
        None => (None, crate::store::scheduler::CacheStats::empty(now), 0),
    };
    let body = json!({
        "now": now,
        "migration": state,
        "window_hours": 24,
        "legacy": calls(store.as_deref(), SchedulerKind::Legacy, since, now)?,
        "unified": calls(store.as_deref(), SchedulerKind::Unified, since, now)?,
        "cache": {
            "entries": cache.entries,
            "valid": cache.valid,
            "bars": cache.bars,
            "bytes": cache.bytes,
            "newest_fetch": cache.newest_fetch,
        },
        "tick_comparisons": comparisons,
    });
    Ok(Reply::fresh_json(200, &body))
}

/// `GET /monitoring/health`: healthy unless the workbook market is open and nothing
/// processed the workbooks lately (the `--watch` loop's heartbeat, or a single run,
/// older than the loop's stale limit); 503 then, so a plain HTTP check sees it.
pub(crate) fn monitoring_health(req: &Request<'_>) -> Result<Reply, ApiError> {
    let now = req.state.now();
    let market = req.state.opts.market_hours.status(now);
    let store = open_store_if_any(req)?;
    let (background, last_run) = match &store {
        Some(s) => (
            crate::excel::loop_status(s, now).map_err(failed)?,
            s.excel()
                .list_runs(None, 1)
                .map_err(|e| failed(e.into()))?
                .pop()
                .map(|r| r.run_at),
        ),
        None => (
            crate::excel::LoopStatus::judge(Default::default(), now),
            None,
        ),
    };
    let beat = background
        .stored
        .last_tick_at
        .filter(|_| background.stored.stopped_at.is_none());
    let last_activity = beat.into_iter().chain(last_run).max();
    let age = last_activity.map(|t| (now - t).num_milliseconds() as f64 / 1000.0);
    let fresh = age.is_some_and(|a| a <= background.stale_after_seconds as f64);
    let (status, issue) = if !market.open || fresh {
        ("healthy", None)
    } else {
        (
            "unhealthy",
            Some(match age {
                Some(a) => format!(
                    "the workbook market is open and the workbooks were last processed {a:.0} s ago (stale after {} s): is `process-excel --watch` running?",
                    background.stale_after_seconds
                ),
                None => "the workbook market is open and the workbooks were never processed: is `process-excel --watch` running?".to_string(),
            }),
        )
    };
    let body = json!({
        "status": status,
        "now": now,
        "issues": issue.into_iter().collect::<Vec<_>>(),
        "workbooks": {
            "market": market,
            "last_processed": last_activity,
            "age_seconds": age,
            "background": background,
        },
    });
    Ok(Reply::fresh_json(
        if status == "healthy" { 200 } else { 503 },
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_the_field_that_is_wrong() {
        let known = &["symbols", "reason"];
        assert!(Fields::parse(b"", known).unwrap().0.is_empty());
        assert!(Fields::parse(b"  \n", known).unwrap().0.is_empty());
        let e = Fields::parse(b"{\"symbols\": [", known).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message.starts_with("body: not valid JSON"),
            "{}",
            e.message
        );
        let e = Fields::parse(b"[1]", known).unwrap_err();
        assert!(e.message.starts_with("body:"), "{}", e.message);
        let e = Fields::parse(b"{\"symbol\": \"AAPL\"}", known).unwrap_err();
        assert!(
            e.message.starts_with("symbol: unknown field"),
            "{}",
            e.message
        );
        let f = Fields::parse(b"{\"symbols\": [\"AAPL\", 3]}", known).unwrap();
        let e = f.list("symbols").unwrap_err();
        assert!(e.message.starts_with("symbols[1]:"), "{}", e.message);
        let f = Fields::parse(b"{\"symbols\": \"AAPL, msft\", \"reason\": 4}", known).unwrap();
        assert_eq!(f.list("symbols").unwrap(), ["AAPL", "msft"]);
        assert!(f.text("reason").unwrap_err().message.starts_with("reason:"));
    }

    #[test]
    fn fingerprints_tell_tokens_apart_and_keep_them_out() {
        let a = fingerprint("s3cret-T0ken");
        assert_eq!(a.len(), 6);
        assert_eq!(a, fingerprint("s3cret-T0ken"));
        assert_ne!(a, fingerprint("s3cret-T0kem"));
        assert!(!a.contains("s3cret"));
    }
}
