//! `optctl serve`: a read-only HTTP API over the export files.
//!
//! This file holds the route table ([`ROUTES`]), the options, and what each request is
//! answered: size limits, auth, method and route checks, then ETag/gzip/CORS on the way
//! out. Connections (accepting, keep-alive, reading heads, writing answers) are in
//! `conn`, handlers in `handlers`, the export cache (parse, pre-render, reload) in
//! `cache`, response plumbing in `http`, counters in `metrics`. The server never opens the
//! store for writing and never serves a file by path: every body comes from the cache.

mod cache;
mod config;
mod conn;
mod dashboard;
mod handlers;
mod history;
pub(crate) mod http;
mod metrics;
mod store_check;

pub use config::ServeConfig;

use std::net::{IpAddr, SocketAddr, TcpListener};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::fmt::Write as _;

use cache::{Cache, Exports};
use conn::{Answer, Incoming};
use http::{ApiError, Body, Query, Rendered, Reply};
use metrics::Metrics;

/// A handler: builds the answer from the request's captures, query and the exports.
pub(crate) type Handler = fn(&Request<'_>) -> Result<Reply, ApiError>;

/// One route: a GET path pattern (`{name}` captures one segment), the query parameters
/// it accepts (anything else is a 400), its handler, and whether it is served without
/// the `--token` (only the dashboard page, which holds no data).
pub(crate) struct Route {
    pub(crate) pattern: &'static str,
    pub(crate) params: &'static [&'static str],
    pub(crate) handler: Handler,
    pub(crate) public: bool,
}

/// A data route: needs the token when the server has one.
const fn get(pattern: &'static str, params: &'static [&'static str], handler: Handler) -> Route {
    Route {
        pattern,
        params,
        handler,
        public: false,
    }
}

/// A route served without the token. Only for bodies with no data in them: the page's
/// script fetches the data routes with the token the user gives it.
const fn public(pattern: &'static str, handler: Handler) -> Route {
    Route {
        pattern,
        params: &[],
        handler,
        public: true,
    }
}

/// Every route the server answers, one line each: a new endpoint is a handler in
/// `handlers` plus one line here. The pattern is also the `route` label in /metrics.
/// First match wins, so a literal must come before a capture in the same position.
pub(crate) const ROUTES: &[Route] = &[
    public("/", handlers::dashboard),
    get("/health", &[], handlers::health),
    get("/metrics", &[], handlers::metrics),
    get("/alerts/latest", &[], handlers::alerts_latest),
    get("/alerts", handlers::ALERT_PARAMS, handlers::alerts),
    get("/alerts/history", history::PARAMS, history::alerts_history),
    get(
        "/alerts/ticker/{ticker}",
        handlers::TICKER_ALERT_PARAMS,
        handlers::alerts_for_ticker,
    ),
    get(
        "/options/{ticker}/snapshot",
        handlers::SNAPSHOT_PARAMS,
        handlers::options_snapshot,
    ),
    get("/scans/latest", &[], handlers::scans_latest),
    get("/scans", &[], handlers::scans),
    get("/tickers", &[], handlers::tickers),
    get("/features/{ticker}/latest", &[], handlers::features_latest),
    // process-excel: read from the store, not the exports (the processor has no export).
    get("/api/v1/background/status", &[], handlers::excel_status),
    get("/api/v1/stocks", &["buildup"], handlers::excel_stocks),
    get(
        "/api/v1/stocks/processing-history",
        &["limit"],
        handlers::excel_history,
    ),
    // enrich: read from the store.
    get(
        "/api/v1/enrichment/dashboard/overview",
        &[],
        handlers::enrich_overview,
    ),
    get(
        "/api/v1/enrichment/dashboard/health",
        &[],
        handlers::enrich_health,
    ),
    get(
        "/api/v1/enrichment/dashboard/metrics",
        &[],
        handlers::enrich_metrics,
    ),
    get(
        "/api/v1/enrichment/dashboard/job-status/{symbol}",
        &[],
        handlers::enrich_job_status,
    ),
    get(
        "/api/v1/enrichment/history",
        &["limit"],
        handlers::enrich_history,
    ),
    // strategy schedulers: read from the store (compare, migrate-scheduler run).
    get("/api/scheduler/status", &[], handlers::scheduler_status),
    get(
        "/api/scheduler/stats/comparison",
        &["limit", "source"],
        handlers::scheduler_comparisons,
    ),
    get(
        "/api/scheduler/cache/stats",
        &[],
        handlers::scheduler_cache_stats,
    ),
];

/// The metrics label of requests that matched no route.
const UNMATCHED: &str = "unmatched";
/// Longest request target accepted (414 beyond).
const MAX_URL_BYTES: usize = 8 * 1024;
/// Most header bytes accepted, names plus values (431 beyond).
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest request body accepted (413 beyond); no route reads a body.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// How `optctl serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on; 127.0.0.1 unless told otherwise.
    pub bind: IpAddr,
    /// Port; 0 picks a free one (the bound address is passed to `on_listening`).
    pub port: u16,
    /// How many requests are answered at once (every connection is read by its own
    /// thread; this many of them compute an answer at a time).
    pub threads: usize,
    /// When set, every request but the dashboard page needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Serve a non-loopback address without a token anyway.
    pub allow_no_token: bool,
    /// Value of `Access-Control-Allow-Origin`; None sends no CORS headers.
    pub cors_origin: Option<String>,
    /// `Cache-Control: max-age` of export documents, seconds.
    pub max_age: u32,
    /// The market session `/api/v1/background/status` reports on (`[market_hours]`).
    pub market_hours: crate::market::Calendar,
    /// What the `/api/v1/enrichment/...` routes judge by (`[enrich]`, `[resilience]`).
    pub enrich: crate::enrich::report::Settings,
    /// How often the dashboard page re-reads the routes, seconds (at least 1).
    pub refresh_secs: u32,
    /// Exports older than this many seconds get a "stale" banner on the dashboard.
    pub stale_after_secs: u64,
    /// The schedulers' settings `/api/scheduler/status` judges the criteria with.
    pub scheduler: crate::scheduler::SchedulerConfig,
    /// Open connections at once; one more gets a 503 and is closed (each open
    /// connection holds a thread and a file descriptor).
    pub max_connections: usize,
    /// A keep-alive connection idle this long is closed; a request head that stalls
    /// this long gets a 408.
    pub idle_timeout: Duration,
}

/// Why the server would not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "refusing to serve on {bind} without a token: anyone who can reach that address could read your alerts and chains. Pass --token T (or set $OPTCTL_SERVE_TOKEN), bind 127.0.0.1, or pass --allow-no-token if the network is trusted"
    )]
    NoToken { bind: IpAddr },
    #[error("{0}")]
    BadOption(String),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether this is the user's flags (exit 2) rather than the machine (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::NoToken { .. } | Error::BadOption(_))
    }
}

impl Options {
    /// Checks the combination of flags before anything is bound.
    pub fn check(&self) -> Result<(), Error> {
        if self.threads == 0 {
            return Err(Error::BadOption("--threads: must be at least 1".into()));
        }
        if self.max_connections == 0 {
            return Err(Error::BadOption(
                "--max-connections: must be at least 1".into(),
            ));
        }
        if self.idle_timeout.is_zero() {
            return Err(Error::BadOption(
                "serve.idle_timeout_seconds: must be at least 1".into(),
            ));
        }
        if self.refresh_secs == 0 {
            return Err(Error::BadOption(
                "--refresh-secs: must be at least 1 (the dashboard reads every route each time)"
                    .into(),
            ));
        }
        if self.stale_after_secs == 0 {
            return Err(Error::BadOption(
                "serve.stale_after_secs: must be at least 1".into(),
            ));
        }
        if let Some(t) = &self.token
            && (t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::BadOption(
                "--token: must be non-empty printable ASCII without spaces".into(),
            ));
        }
        if let Some(o) = &self.cors_origin
            && (o.is_empty() || !o.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::BadOption(format!(
                "cors origin {o:?}: must be an origin like https://dash.example.com or *"
            )));
        }
        if !self.bind.is_loopback() && self.token.is_none() && !self.allow_no_token {
            return Err(Error::NoToken { bind: self.bind });
        }
        Ok(())
    }
}

/// What the server shares between its threads.
pub(crate) struct State {
    pub(crate) home: crate::home::Home,
    pub(crate) cache: Cache,
    pub(crate) metrics: Metrics,
    pub(crate) started: Instant,
    /// The dashboard page, assembled once with this server's settings.
    pub(crate) page: dashboard::Page,
    /// The connections open now.
    pub(crate) open: conn::Open,
    /// The background `PRAGMA quick_check` of the store.
    pub(crate) store_check: store_check::StoreCheck,
    /// Bounds the requests answered at once to `--threads`.
    slots: conn::Slots,
    opts: Options,
    /// Header lines built once (`Name: value\r\n`).
    cache_control: String,
    cors: String,
}

/// One request as a handler sees it.
pub(crate) struct Request<'a> {
    pub(crate) captures: Vec<(&'static str, String)>,
    pub(crate) query: Query,
    pub(crate) exports: Arc<Exports>,
    pub(crate) state: &'a State,
}

impl Request<'_> {
    /// A `{name}` capture of the route pattern (percent-decoded).
    pub(crate) fn capture(&self, name: &str) -> &str {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Binds, then answers requests until `stop` is set (the CLI sets it on SIGINT and
/// SIGTERM). `on_listening` gets the bound address once the socket accepts connections.
pub fn run(
    opts: &Options,
    home: &crate::home::Home,
    stop: &AtomicBool,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    opts.check()?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = listen(addr).map_err(|source| Error::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    let mut labels: Vec<&'static str> = ROUTES.iter().map(|r| r.pattern).collect();
    labels.push(UNMATCHED);
    let mut cors = String::new();
    if let Some(origin) = &opts.cors_origin {
        // `check` allows only visible ASCII here, so no header can be injected.
        cors.push_str(&format!(
            "Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Expose-Headers: ETag\r\n"
        ));
        if origin != "*" {
            cors.push_str("Vary: Origin\r\n");
        }
    }
    let state = State {
        home: home.clone(),
        cache: Cache::new(home.exports()),
        metrics: Metrics::new(labels),
        started: Instant::now(),
        page: dashboard::Page::new(&dashboard::Settings {
            refresh_secs: opts.refresh_secs,
            stale_after_secs: opts.stale_after_secs,
            token: opts.token.is_some(),
        }),
        open: conn::Open::default(),
        store_check: store_check::StoreCheck::new(home.db()),
        slots: conn::Slots::new(opts.threads),
        cache_control: format!("Cache-Control: max-age={}\r\n", opts.max_age),
        cors,
        opts: opts.clone(),
    };
    on_listening(local);
    tracing::info!("listening on http://{local}");

    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (state, done) = (&state, &done);
        s.spawn(move || state.cache.watch(done));
        s.spawn(move || state.store_check.run(done));
        conn::accept_loop(s, &listener, state, stop);
        // The accept loop ended the connections' reads; the scope waits for them.
        done.store(true, Ordering::Relaxed);
    });
    tracing::info!("stopped");
    Ok(())
}

/// A listening socket with TCP_NODELAY, which Linux copies to accepted sockets: a
/// large body goes out in a second write, and Nagle plus delayed ACKs would hold it for
/// up to 40 ms on a keep-alive connection.
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Matches `path` against a pattern, returning the captures.
fn match_route(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut caps = Vec::new();
    let mut p = pattern.split('/');
    let mut s = path.split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return Some(caps),
            (Some(pp), Some(ss)) => {
                if let Some(name) = pp.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    if ss.is_empty() {
                        return None;
                    }
                    // A capture that does not decode still matches: the handler's
                    // validation then names it in a 400, better than a bare 404.
                    let v = http::percent_decode(ss).unwrap_or_else(|| ss.to_string());
                    caps.push((name, v));
                } else if pp != ss {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Finds the route for `path`: its index and captures.
fn find_route(path: &str) -> Option<(usize, Vec<(&'static str, String)>)> {
    ROUTES
        .iter()
        .enumerate()
        .find_map(|(i, r)| match_route(r.pattern, path).map(|c| (i, c)))
}

impl State {
    /// The answer to one request, with at most `--threads` computed at a time.
    fn respond(&self, rq: &Incoming<'_>) -> Answer {
        let _slot = self.slots.take();
        let (row, reply) = self.answer(rq);
        let (status, headers, body) = self.finish(reply, Some(rq));
        Answer {
            row,
            status,
            headers,
            body,
        }
    }

    /// The answer to a request that could not be read (no route, no data).
    fn error_answer(&self, e: ApiError) -> Answer {
        let (status, headers, body) = self.finish(e.into_reply(), None);
        Answer {
            row: ROUTES.len(),
            status,
            headers,
            body,
        }
    }

    /// Decides the answer: limits, then preflight, auth, method, route, query, handler.
    fn answer(&self, rq: &Incoming<'_>) -> (usize, Reply) {
        let unmatched = ROUTES.len();
        let url = rq.target;
        if url.len() > MAX_URL_BYTES {
            let e = ApiError::new(
                414,
                "uri_too_long",
                format!("the request target is longer than {MAX_URL_BYTES} bytes"),
            );
            return (unmatched, e.into_reply());
        }
        let header_bytes: usize = rq.headers().map(|(k, v)| k.len() + v.len() + 4).sum();
        if header_bytes > MAX_HEADER_BYTES {
            let e = ApiError::new(
                431,
                "headers_too_large",
                format!("request headers exceed {MAX_HEADER_BYTES} bytes"),
            );
            return (unmatched, e.into_reply());
        }
        if rq.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
            let e = ApiError::new(
                413,
                "payload_too_large",
                format!(
                    "request bodies are limited to {MAX_BODY_BYTES} bytes, and no route reads one"
                ),
            );
            return (unmatched, e.into_reply());
        }
        let (path, raw_query) = url.split_once('?').unwrap_or((url, ""));
        let found = find_route(path);
        let row = found.as_ref().map_or(unmatched, |(i, _)| *i);

        // Browsers send a preflight without credentials before a request that carries
        // an Authorization header: it must pass without the token.
        if rq.method == "OPTIONS" && self.opts.cors_origin.is_some() {
            return (
                row,
                Reply {
                    status: 204,
                    body: Body::Empty,
                    headers: vec![
                        ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS".into()),
                        (
                            "Access-Control-Allow-Headers",
                            "Authorization, If-None-Match".into(),
                        ),
                        ("Access-Control-Max-Age", "600".into()),
                    ],
                },
            );
        }
        // The page is the one public route; every other path, matched or not, needs the
        // token, so an unknown path says nothing to a client without one.
        let public = found.as_ref().is_some_and(|(i, _)| ROUTES[*i].public);
        if let Some(token) = self.opts.token.as_ref().filter(|_| !public) {
            let given = rq
                .header("Authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            if !given.is_some_and(|g| http::constant_time_eq(g.as_bytes(), token.as_bytes())) {
                let e = ApiError::new(
                    401,
                    "unauthorized",
                    "this server needs `Authorization: Bearer <token>`",
                );
                return (
                    row,
                    e.into_reply().with_header("WWW-Authenticate", "Bearer"),
                );
            }
        }
        if !matches!(rq.method, "GET" | "HEAD") {
            let allow = if self.opts.cors_origin.is_some() {
                "GET, HEAD, OPTIONS"
            } else {
                "GET, HEAD"
            };
            let e = ApiError::new(
                405,
                "method_not_allowed",
                format!(
                    "{} is not allowed: this API is read-only ({allow})",
                    rq.method
                ),
            );
            return (row, e.into_reply().with_header("Allow", allow));
        }
        let Some((i, captures)) = found else {
            let e = ApiError::not_found(format!("no route {path}"));
            return (row, e.into_reply());
        };
        let route = &ROUTES[i];
        let query = match Query::parse(raw_query).and_then(|q| {
            q.check_known(route.params)?;
            Ok(q)
        }) {
            Ok(q) => q,
            Err(e) => return (row, e.into_reply()),
        };
        let req = Request {
            captures,
            query,
            exports: self.cache.get(),
            state: self,
        };
        match (route.handler)(&req) {
            Ok(reply) => (row, reply),
            Err(e) => (row, e.into_reply()),
        }
    }

    /// Decides the headers of a reply: ETag and 304, gzip, cache and CORS. Returns the
    /// status actually sent, the header lines (`Name: value\r\n` each; no status line,
    /// no Date) and the body.
    fn finish(&self, reply: Reply, rq: Option<&Incoming<'_>>) -> (u16, String, Arc<[u8]>) {
        let mut h = String::with_capacity(384);
        h.push_str(&self.cors);
        for (name, value) in &reply.headers {
            let _ = write!(h, "{name}: {value}\r\n");
        }
        let mut status = reply.status;
        let body: Arc<[u8]> = match reply.body {
            Body::Empty => Arc::from(&[][..]),
            Body::Fresh {
                bytes,
                content_type,
            } => {
                let _ = write!(
                    h,
                    "Content-Type: {content_type}\r\nCache-Control: no-store\r\n"
                );
                bytes.into()
            }
            Body::Json(r) => {
                h.push_str(&self.cache_control);
                Self::conditional(&mut h, &mut status, &r, rq, "application/json")
            }
            Body::Page(r) => {
                h.push_str("Cache-Control: no-cache\r\n");
                Self::conditional(&mut h, &mut status, &r, rq, "text/html; charset=utf-8")
            }
        };
        // 204 and 304 have no body and no length (RFC 9110 §8.6); everything else is
        // delimited by Content-Length, never chunked: the body is already in memory.
        if !matches!(status, 204 | 304) {
            let _ = write!(h, "Content-Length: {}\r\n", body.len());
        }
        (status, h, body)
    }

    /// The ETag, 304 and gzip part of [`State::finish`] for a rendered body: writes
    /// `Vary`, `ETag` and (unless 304) the type and encoding, and returns the bytes.
    fn conditional(
        h: &mut String,
        status: &mut u16,
        r: &Rendered,
        rq: Option<&Incoming<'_>>,
        content_type: &str,
    ) -> Arc<[u8]> {
        h.push_str("Vary: Accept-Encoding\r\n");
        let header = |name| rq.and_then(|r| r.header(name));
        let gz = header("Accept-Encoding")
            .filter(|v| http::accepts_gzip(v))
            .and_then(|_| r.gzip());
        let etag = if gz.is_some() {
            r.gzip_etag()
        } else {
            r.etag()
        };
        let _ = write!(h, "ETag: {etag}\r\n");
        let not_modified = header("If-None-Match").is_some_and(|v| {
            http::etag_matches(v, r.etag()) || http::etag_matches(v, r.gzip_etag())
        });
        if not_modified {
            *status = 304;
            return Arc::from(&[][..]);
        }
        let _ = write!(h, "Content-Type: {content_type}\r\n");
        match gz {
            Some(gz) => {
                h.push_str("Content-Encoding: gzip\r\n");
                Arc::clone(gz)
            }
            None => Arc::clone(r.json()),
        }
    }
}

/// The reason phrase of the statuses this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// A serve option that cannot work is bad usage (exit 2); anything else fails (exit 1).
impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        let kind = if e.is_usage() {
            crate::error::Kind::BadInput
        } else {
            crate::error::Kind::Failure
        };
        crate::Error::area(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_literals_before_captures_and_decode_captures() {
        let (i, caps) = find_route("/alerts/latest").unwrap();
        assert_eq!(ROUTES[i].pattern, "/alerts/latest");
        assert!(caps.is_empty());
        let (i, caps) = find_route("/options/aapl/snapshot").unwrap();
        assert_eq!(ROUTES[i].pattern, "/options/{ticker}/snapshot");
        assert_eq!(caps, [("ticker", "aapl".to_string())]);
        let (_, caps) = find_route("/alerts/ticker/..%2f..%2fetc").unwrap();
        assert_eq!(caps[0].1, "../../etc");
        assert!(find_route("/alerts/").is_none());
        assert!(find_route("/options//snapshot").is_none());
        assert!(find_route("/options/AAPL/snapshot/x").is_none());
        let (i, _) = find_route("/").unwrap();
        assert!(ROUTES[i].public);
        assert!(find_route("//").is_none());
        assert!(find_route("/index.html").is_none());
    }

    #[test]
    fn only_the_page_is_public() {
        let public: Vec<_> = ROUTES
            .iter()
            .filter(|r| r.public)
            .map(|r| r.pattern)
            .collect();
        assert_eq!(
            public,
            ["/"],
            "a public route serves data without the token"
        );
    }

    #[test]
    fn every_route_pattern_is_unique_and_rooted() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert!(r.pattern.starts_with('/'), "{}", r.pattern);
            assert!(
                ROUTES[..i].iter().all(|o| o.pattern != r.pattern),
                "{} twice",
                r.pattern
            );
        }
    }

    fn opts() -> Options {
        Options {
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            threads: 2,
            token: None,
            allow_no_token: false,
            cors_origin: None,
            max_age: 5,
            refresh_secs: 15,
            stale_after_secs: 1800,
            market_hours: crate::market::MarketHoursConfig::default()
                .calendar(std::path::Path::new("."))
                .unwrap(),
            enrich: Default::default(),
            scheduler: Default::default(),
            max_connections: 256,
            idle_timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn non_loopback_needs_a_token_or_an_explicit_override() {
        assert!(opts().check().is_ok());
        let open = Options {
            bind: "0.0.0.0".parse().unwrap(),
            ..opts()
        };
        let e = open.check().unwrap_err();
        assert!(e.is_usage());
        assert!(e.to_string().contains("--token"), "{e}");
        assert!(
            Options {
                token: Some("t0k".into()),
                ..open.clone()
            }
            .check()
            .is_ok()
        );
        assert!(
            Options {
                allow_no_token: true,
                ..open
            }
            .check()
            .is_ok()
        );
        assert!(
            Options {
                token: Some(String::new()),
                ..opts()
            }
            .check()
            .is_err()
        );
    }
}
