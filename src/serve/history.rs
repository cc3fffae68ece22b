//! `GET /alerts/history`: alerts older than the export window, read from the store
//! (read-only, opened per request) a page at a time. `/alerts` serves the export, which
//! holds only `[export] alerts_since` (24 h by default); the dashboard pages back
//! through this route for a week or more.
//!
//! Its own file, wired with one line of the route table, so the route does not depend
//! on how the server reads requests.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Request;
use super::http::{ApiError, Reply};
use crate::market::Symbol;
use crate::store::alerts::{AlertFilter, AlertRow};

/// Query parameters of `/alerts/history`.
pub(crate) const PARAMS: &[&str] = &[
    "since",
    "limit",
    "offset",
    "ticker",
    "detector",
    "min_score",
];

/// The window when `since` is not given.
const DEFAULT_SINCE: &str = "7d";
/// A page when `limit` is not given, and the largest page a client may ask for.
const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1_000;
/// The deepest a page may start: paging reads the rows before the page, so this bounds
/// one request's work.
const MAX_OFFSET: u64 = 100_000;

#[derive(Serialize)]
struct Page {
    /// The start of the window (alerts created at or after it).
    since: DateTime<Utc>,
    offset: u64,
    limit: u64,
    /// Alerts on this page.
    alert_count: usize,
    /// Whether a page follows (ask again with `offset + limit`).
    has_more: bool,
    /// Newest first (then highest score).
    alerts: Vec<AlertRow>,
}

fn whole(s: &str, lo: u64, hi: u64) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("{s:?}: expected a whole number from {lo} to {hi}")),
    }
}

/// `GET /alerts/history?since=7d&limit=100&offset=0[&ticker=&detector=&min_score=]`.
pub(crate) fn alerts_history(req: &Request<'_>) -> Result<Reply, ApiError> {
    let q = &req.query;
    let now = Utc::now();
    let since = q
        .parse_with("since", |s| crate::time::parse_since(s, now))?
        .unwrap_or_else(|| crate::time::parse_since(DEFAULT_SINCE, now).expect("7d is a span"));
    let limit = q
        .parse_with("limit", |s| whole(s, 1, MAX_LIMIT))?
        .unwrap_or(DEFAULT_LIMIT);
    let offset = q
        .parse_with("offset", |s| whole(s, 0, MAX_OFFSET))?
        .unwrap_or(0);
    let ticker = q.parse_with("ticker", |s| {
        Symbol::parse(s)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    })?;
    let detector = q.parse_with("detector", |s| {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            Ok(s.to_string())
        } else {
            Err(format!(
                "{s:?} is not a detector name like unusual_activity"
            ))
        }
    })?;
    let min_score = q.parse_with("min_score", |s| match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a number")),
    })?;
    let store = super::handlers::open_store(req)?;
    // One row past the page says whether another page follows.
    let filter = AlertFilter {
        ticker,
        detector,
        min_score,
        since: Some(since),
        limit: Some(offset + limit + 1),
        ..AlertFilter::default()
    };
    let mut rows = store
        .alerts()
        .list(&filter)
        .map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
    let has_more = rows.len() as u64 > offset + limit;
    let alerts: Vec<AlertRow> = rows
        .drain(..)
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(Reply::fresh_json(
        200,
        &Page {
            since,
            offset,
            limit,
            alert_count: alerts.len(),
            has_more,
            alerts,
        },
    ))
}
