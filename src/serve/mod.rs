//! `optctl serve`: an HTTP API over the export files, and the control routes.
//!
//! This file holds the route table ([`ROUTES`]), the options, and what each request is
//! answered: size limits, `Host`, auth, method and route checks, then ETag/gzip/CORS on
//! the way out. HTTP/1.1 is hyper's, on single-threaded tokio runtimes, one per
//! answering thread, each accepting from the one listening socket; connections
//! (accepting, limits, deadlines) are in `conn`, handlers in `handlers`, the export
//! cache (parse, pre-render, reload, filtered answers) in `cache`, response plumbing in
//! `http`, counters in `metrics`. The routes answered from the exports run on the
//! answering threads; the routes that read the database run on a small blocking pool
//! of their own, with a short busy timeout, so a locked database never holds the others up. The
//! server opens the store for writing only for a control route (`control`: token,
//! JSON body, audit row), and never serves a file by path.

mod cache;
mod chains;
mod config;
mod conn;
mod control;
mod dashboard;
mod handlers;
mod history;
pub(crate) mod http;
mod metrics;
mod readers;
mod sealed;
mod store_check;

pub use config::ServeConfig;

use std::net::{IpAddr, SocketAddr};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

use cache::{Cache, Exports, Filtered};
use http::{ApiError, Body, Query, Rendered, Reply};
use metrics::Metrics;

/// A handler: builds the answer from the request's captures, query and the exports.
pub(crate) type Handler = fn(&Request<'_>) -> Result<Reply, ApiError>;

/// One route: a path pattern (`{name}` captures one segment), the query parameters
/// it accepts (anything else is a 400), its handler, whether it is served without the
/// `--token` (only the dashboard page, which holds no data), whether it reads the
/// database (then it runs on the store's blocking pool), and its method: GET (with
/// HEAD) for the data routes, POST or PUT for the control routes.
pub(crate) struct Route {
    pub(crate) pattern: &'static str,
    pub(crate) params: &'static [&'static str],
    pub(crate) handler: Handler,
    pub(crate) public: bool,
    pub(crate) store: bool,
    pub(crate) method: &'static str,
}

impl Route {
    /// A control route: it changes something, needs the control token always, reads a
    /// JSON body, and is audited.
    pub(crate) fn control(&self) -> bool {
        self.method != "GET"
    }
}

/// A data route answered from the exports: needs the token when the server has one.
const fn get(pattern: &'static str, params: &'static [&'static str], handler: Handler) -> Route {
    Route {
        pattern,
        params,
        handler,
        public: false,
        store: false,
        method: "GET",
    }
}

/// A data route that reads the database: on the store's pool, with its busy timeout.
const fn db(pattern: &'static str, params: &'static [&'static str], handler: Handler) -> Route {
    Route {
        pattern,
        params,
        handler,
        public: false,
        store: true,
        method: "GET",
    }
}

/// A control route (POST or PUT): on the store's pool, behind the control token, with
/// a JSON body and an audit row.
const fn control(
    method: &'static str,
    pattern: &'static str,
    params: &'static [&'static str],
    handler: Handler,
) -> Route {
    Route {
        pattern,
        params,
        handler,
        public: false,
        store: true,
        method,
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
        store: false,
        method: "GET",
    }
}

/// Every route the server answers, one line each: a new endpoint is a handler in
/// `handlers` plus one line here. The pattern is also the `route` label in /metrics.
/// First match wins, so a literal must come before a capture in the same position.
pub(crate) const ROUTES: &[Route] = &[
    public("/", handlers::dashboard),
    db("/health", &[], handlers::health),
    get("/metrics", &[], handlers::metrics),
    get("/alerts/latest", &[], handlers::alerts_latest),
    get("/alerts", handlers::ALERT_PARAMS, handlers::alerts),
    db("/alerts/history", history::PARAMS, history::alerts_history),
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
    db("/api/v1/background/status", &[], handlers::excel_status),
    db("/api/v1/stocks", &["buildup"], handlers::excel_stocks),
    db(
        "/api/v1/stocks/processing-history",
        &["limit"],
        handlers::excel_history,
    ),
    // enrich: read from the store.
    db(
        "/api/v1/enrichment/dashboard/overview",
        &[],
        handlers::enrich_overview,
    ),
    db(
        "/api/v1/enrichment/dashboard/health",
        &[],
        handlers::enrich_health,
    ),
    db(
        "/api/v1/enrichment/dashboard/metrics",
        &[],
        handlers::enrich_metrics,
    ),
    db(
        "/api/v1/enrichment/dashboard/job-status/{symbol}",
        &[],
        handlers::enrich_job_status,
    ),
    db(
        "/api/v1/enrichment/history",
        &["limit"],
        handlers::enrich_history,
    ),
    // strategy schedulers: read from the store (compare, migrate-scheduler run).
    db("/api/scheduler/status", &[], handlers::scheduler_status),
    db(
        "/api/scheduler/stats/comparison",
        &["limit", "source"],
        handlers::scheduler_comparisons,
    ),
    db(
        "/api/scheduler/cache/stats",
        &[],
        handlers::scheduler_cache_stats,
    ),
    db(
        "/api/scheduler/api-calls/estimate",
        &[],
        control::scheduler_estimate,
    ),
    db(
        "/api/dashboard/scheduler-metrics",
        &[],
        control::scheduler_metrics,
    ),
    db("/monitoring/health", &[], control::monitoring_health),
    // Control routes: they change state or start a job (a child `optctl` process, so
    // the CLI stays the one implementation), always need the control token, and are
    // audited in the store.
    control(
        "POST",
        "/api/v1/enrichment/trigger",
        &[],
        control::enrich_trigger,
    ),
    control(
        "POST",
        "/api/v1/enrichment/pause",
        &[],
        control::enrich_pause,
    ),
    control(
        "POST",
        "/api/v1/enrichment/resume",
        &[],
        control::enrich_resume,
    ),
    control(
        "POST",
        "/api/v1/process/refresh",
        &[],
        control::excel_refresh,
    ),
    control("POST", "/api/v1/background/start", &[], control::loop_start),
    control("POST", "/api/v1/background/stop", &[], control::loop_stop),
    control(
        "PUT",
        "/api/v1/background/interval/{seconds}",
        &[],
        control::loop_interval,
    ),
    control(
        "POST",
        "/api/scheduler/test/unified-scan",
        &["categories"],
        control::scheduler_test_scan,
    ),
    control(
        "POST",
        "/api/scheduler/cache/clear",
        &[],
        control::scheduler_cache_clear,
    ),
];

/// The metrics label of requests that matched no route.
const UNMATCHED: &str = "unmatched";
/// Longest request target accepted (414 beyond).
const MAX_URL_BYTES: usize = 8 * 1024;
/// Most header bytes accepted, names plus values (431 beyond).
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// How `optctl serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on; 127.0.0.1 unless told otherwise.
    pub bind: IpAddr,
    /// Port; 0 picks a free one (the bound address is passed to `on_listening`).
    pub port: u16,
    /// Threads that answer requests (connections are tasks on them).
    pub threads: usize,
    /// When set, every request but the dashboard page needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// The token of the control routes (`[serve] control_token`); None: `token`. With
    /// neither, the control routes are refused.
    pub control_token: Option<String>,
    /// Largest JSON body a control route accepts (413 beyond).
    pub control_max_body_bytes: usize,
    /// Days the control audit rows are kept.
    pub audit_keep_days: u32,
    /// The config file the jobs the control routes start are given (`--config`).
    pub config: Option<std::path::PathBuf>,
    /// The server's clock at start (`--as-of`, else now); it runs on with the wall
    /// clock. `/monitoring/health` and the workbook routes judge the session by it.
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// Serve a non-loopback address without a token anyway.
    pub allow_no_token: bool,
    /// Value of `Access-Control-Allow-Origin`; None sends no CORS headers.
    pub cors_origin: Option<String>,
    /// `Cache-Control: max-age` of export documents, seconds.
    pub max_age: u32,
    /// Most bytes of per-ticker chain bodies kept in memory (the least recently asked
    /// go first); 0 reads every snapshot from its file.
    pub snapshot_cache_bytes: usize,
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
    /// Open connections at once; one more gets a 503 and is closed.
    pub max_connections: usize,
    /// Open connections at once from one client address; one more gets a 503.
    pub max_connections_per_client: usize,
    /// A keep-alive connection idle this long is closed; a request head with no byte
    /// for this long gets a 408.
    pub idle_timeout: Duration,
    /// A request head must be whole this long after its first byte (else 408).
    pub header_timeout: Duration,
    /// A request, body included, must be whole this long after its first byte.
    pub request_timeout: Duration,
    /// An answer must be written whole within this long, in all.
    pub write_timeout: Duration,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// `Host` names accepted besides loopback names and addresses and the address the
    /// client connected to.
    pub allowed_hosts: Vec<String>,
    /// Requests that read the database answered at once (the store's blocking pool).
    pub store_readers: usize,
    /// How long a database read waits for a writer's lock before a 503.
    pub store_busy_timeout: Duration,
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
        for (key, d) in [
            ("serve.idle_timeout_seconds", self.idle_timeout),
            ("serve.header_timeout_seconds", self.header_timeout),
            ("serve.request_timeout_seconds", self.request_timeout),
            ("serve.write_timeout_seconds", self.write_timeout),
            ("serve.store_busy_timeout_ms", self.store_busy_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::BadOption(format!("{key}: must be at least 1")));
            }
        }
        if self.max_connections_per_client == 0 || self.store_readers == 0 {
            return Err(Error::BadOption(
                "serve.max_connections_per_client and serve.store_readers: must be at least 1"
                    .into(),
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
        if let Some(t) = &self.control_token
            && (t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::BadOption(
                "serve.control_token: must be non-empty printable ASCII without spaces".into(),
            ));
        }
        if self.control_max_body_bytes == 0 {
            return Err(Error::BadOption(
                "serve.control_max_body_bytes: must be at least 1".into(),
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
    /// The connections open now, in all and per client.
    pub(crate) open: Arc<conn::Open>,
    /// The background `PRAGMA quick_check` of the store.
    pub(crate) store_check: store_check::StoreCheck,
    /// Bounds the requests that read the database to `store_readers` at once.
    store_pool: Arc<tokio::sync::Semaphore>,
    /// Their store handles, kept between requests on PostgreSQL.
    pub(crate) readers: readers::Readers,
    /// Held while a control route checks a job's lock and starts it, so two triggers at
    /// once cannot both start one.
    pub(crate) starting: std::sync::Mutex<()>,
    /// Filtered answers (`?min_strike=`...) of the current exports, most recent kept.
    pub(crate) filtered: Filtered,
    pub(crate) opts: Options,
    /// Headers built once.
    cache_control: HeaderValue,
    cors: Vec<(HeaderName, HeaderValue)>,
}

/// One request as a handler sees it.
pub(crate) struct Request<'a> {
    pub(crate) captures: Vec<(&'static str, String)>,
    pub(crate) query: Query,
    pub(crate) exports: Arc<Exports>,
    pub(crate) state: &'a State,
    /// The request body (control routes only; empty otherwise).
    pub(crate) body: Bytes,
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
    let listener = conn::listen(addr).map_err(|source| Error::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    conn::raise_fd_limit(opts.max_connections + 64 + sealed::MAX_SEALED);
    chains::map_large_bodies();
    // One single-threaded runtime per answering thread, each accepting from the one
    // listening socket, as nginx's workers do: a connection stays on the thread that
    // accepted it, its requests never cross threads and no work is stolen.
    let runtimes = (0..opts.threads)
        .map(|_| {
            tokio::runtime::Builder::new_current_thread()
                // The store's pool; one more for the odd blocking call of the runtime itself.
                .max_blocking_threads(opts.store_readers + 1)
                .thread_name("serve")
                .enable_all()
                .build()
        })
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|source| Error::Bind { addr, source })?;
    let mut labels: Vec<&'static str> = ROUTES.iter().map(|r| r.pattern).collect();
    labels.push(UNMATCHED);
    let mut cors = Vec::new();
    if let Some(origin) = &opts.cors_origin {
        // `check` allows only visible ASCII here, so the value is a valid header.
        if let Ok(v) = HeaderValue::from_str(origin) {
            cors.push((header::ACCESS_CONTROL_ALLOW_ORIGIN, v));
            cors.push((
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("ETag"),
            ));
            if origin != "*" {
                cors.push((header::VARY, HeaderValue::from_static("Origin")));
            }
        }
    }
    let state = Arc::new(State {
        home: home.clone(),
        cache: Cache::new(home.exports(), opts.snapshot_cache_bytes),
        metrics: Metrics::new(labels),
        started: Instant::now(),
        page: dashboard::Page::new(&dashboard::Settings {
            refresh_secs: opts.refresh_secs,
            stale_after_secs: opts.stale_after_secs,
            token: opts.token.is_some(),
        }),
        open: Arc::default(),
        store_check: store_check::StoreCheck::new(home.store().clone()),
        store_pool: Arc::new(tokio::sync::Semaphore::new(opts.store_readers)),
        readers: readers::Readers::new(opts.store_readers),
        starting: std::sync::Mutex::new(()),
        filtered: Filtered::default(),
        cache_control: HeaderValue::from_str(&format!("max-age={}", opts.max_age))
            .unwrap_or(HeaderValue::from_static("no-cache")),
        cors,
        opts: opts.clone(),
    });
    let listeners = runtimes
        .iter()
        .map(|runtime| {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener.try_clone()?)
        })
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|source| Error::Bind { addr, source })?;
    drop(listener);
    on_listening(local);
    tracing::info!("listening on http://{local}");

    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (st, done) = (&*state, &done);
        s.spawn(move || st.cache.watch(done));
        s.spawn(move || st.store_check.run(done));
        let answering: Vec<_> = runtimes
            .into_iter()
            .zip(listeners)
            .map(|(runtime, listener)| {
                let state = Arc::clone(&state);
                s.spawn(move || {
                    runtime.block_on(conn::accept_loop(state, listener, stop));
                    // What is left (a connection past its write deadline) is dropped,
                    // not waited for.
                    runtime.shutdown_timeout(Duration::from_millis(100));
                })
            })
            .collect();
        for t in answering {
            let _ = t.join();
        }
        done.store(true, Ordering::Relaxed);
    });
    tracing::info!("stopped");
    Ok(())
}

/// The most `/`-separated segments a route pattern has (the empty one before the
/// first `/` included); a longer path matches no route.
const MAX_SEGMENTS: usize = 8;

/// One segment of a route pattern: a literal, or a capture's name (`{ticker}`).
#[derive(Clone, Copy, PartialEq)]
enum Segment {
    Literal(&'static str),
    Capture(&'static str),
}

/// The route patterns split into segments once, in [`ROUTES`]' order.
static PATTERNS: std::sync::LazyLock<Vec<Vec<Segment>>> = std::sync::LazyLock::new(|| {
    ROUTES
        .iter()
        .map(|r| {
            r.pattern
                .split('/')
                .map(
                    |p| match p.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                        Some(name) => Segment::Capture(name),
                        None => Segment::Literal(p),
                    },
                )
                .collect()
        })
        .collect()
});

/// Finds the route for `path`, the first in [`ROUTES`] that matches: its index and
/// captures. The path is split once and compared segment by segment with the patterns
/// of its length (every request does this, so nothing is allocated until a route
/// matches).
fn find_route(path: &str) -> Option<(usize, Vec<(&'static str, String)>)> {
    let mut segs = [""; MAX_SEGMENTS];
    let mut n = 0;
    for s in path.split('/') {
        *segs.get_mut(n)? = s;
        n += 1;
    }
    let segs = &segs[..n];
    let (i, pattern) = PATTERNS.iter().enumerate().find(|(_, p)| {
        p.len() == n
            && p.iter().zip(segs).all(|(p, s)| match p {
                Segment::Literal(l) => l == s,
                Segment::Capture(_) => !s.is_empty(),
            })
    })?;
    let captures = pattern
        .iter()
        .zip(segs)
        .filter_map(|(p, s)| match p {
            // A capture that does not decode still matches: the handler's validation
            // then names it in a 400, better than a bare 404.
            Segment::Capture(name) => Some((
                *name,
                http::percent_decode(s).unwrap_or_else(|| s.to_string()),
            )),
            Segment::Literal(_) => None,
        })
        .collect();
    Some((i, captures))
}

/// What [`State::decide`] found: an answer, or a route's handler to run.
enum Decision {
    Done(usize, Reply),
    Run {
        route: usize,
        captures: Vec<(&'static str, String)>,
        query: Query,
        /// Which token a control request showed (for its audit row).
        token_id: Option<String>,
    },
}

/// Why a request body was not read whole.
enum Unread {
    TooLarge,
    Late,
    Broken,
}

/// The response type hyper writes.
pub(crate) type Response = hyper::Response<Full<Bytes>>;

impl State {
    /// Answers one request: decides, runs the handler (a database route on the store's
    /// pool), reads and drops any body within the limits, then adds the headers.
    pub(crate) async fn respond(
        self: &Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
        conn: &conn::Conn,
    ) -> Response {
        let began = conn.request_began();
        let started = Instant::now();
        let (parts, mut body) = req.into_parts();
        let deadline = began + self.opts.request_timeout;
        let (row, mut reply) = match self.decide(&parts, conn.local) {
            Decision::Done(row, reply) => {
                // Refused control requests leave a line in the log (who tried what); the
                // audit table holds what was done, and a client without a token cannot
                // make the server write to the store.
                if ROUTES.get(row).is_some_and(Route::control) && matches!(reply.status, 401 | 403)
                {
                    tracing::warn!(
                        "refused {} {} from {}: {}",
                        parts.method,
                        parts.uri.path(),
                        conn.peer,
                        if reply.status == 401 {
                            "no valid control token"
                        } else {
                            "this server has no control token"
                        }
                    );
                }
                (row, reply)
            }
            Decision::Run {
                route,
                captures,
                query,
                token_id: Some(token_id),
            } => {
                // A control route reads its JSON body first, whole, within its own
                // small limit.
                let max = self.opts.control_max_body_bytes;
                let read = read_body(&mut body, max, deadline, true).await;
                match read {
                    Ok(bytes) => {
                        let asked = control::Asked {
                            client: conn.peer.to_string(),
                            token_id,
                            method: parts.method.to_string(),
                            target: parts
                                .uri
                                .path_and_query()
                                .map_or_else(|| parts.uri.path().to_string(), |p| p.to_string()),
                            body: bytes,
                        };
                        (route, self.run_control(route, captures, query, asked).await)
                    }
                    Err(Unread::TooLarge) => (
                        route,
                        ApiError::new(
                            413,
                            "payload_too_large",
                            format!(
                                "control request bodies are limited to {max} bytes (serve.control_max_body_bytes)"
                            ),
                        )
                        .into_reply(),
                    ),
                    Err(Unread::Late) => (route, self.late().into_reply()),
                    Err(Unread::Broken) => (
                        route,
                        ApiError::new(400, "bad_request", "the request body broke off").into_reply(),
                    ),
                }
            }
            Decision::Run {
                route,
                captures,
                query,
                token_id: None,
            } => (route, self.run_route(route, captures, query).await),
        };
        // A client without the token gets its 401 and the connection closes: it cannot
        // keep places open that token holders need.
        let mut close = matches!(reply.status, 401 | 403 | 408 | 413 | 421);
        if !close && !hyper::body::Body::is_end_stream(&body) {
            match read_body(&mut body, self.opts.max_body_bytes, deadline, false).await {
                Ok(_) => {}
                Err(Unread::TooLarge) => {
                    reply = self.too_large().into_reply();
                    close = true;
                }
                Err(Unread::Late) => {
                    reply = self.late().into_reply();
                    close = true;
                }
                Err(Unread::Broken) => close = true,
            }
        }
        let (status, response, sealed) = self.finish(reply, Some(&parts.headers), close);
        self.metrics.record(row, status, started.elapsed());
        conn.send_from(sealed.as_ref());
        conn.answered();
        response
    }

    fn late(&self) -> ApiError {
        ApiError::new(
            408,
            "request_timeout",
            format!(
                "the request body did not arrive in time (the whole request within {} s)",
                self.opts.request_timeout.as_secs()
            ),
        )
    }

    fn too_large(&self) -> ApiError {
        ApiError::new(
            413,
            "payload_too_large",
            format!(
                "request bodies are limited to {} bytes (serve.max_body_bytes); only the control routes read one",
                self.opts.max_body_bytes
            ),
        )
    }

    /// Runs a route's handler: on this thread for the routes answered from the
    /// exports, on the store's pool for those that read the database (a 503 with
    /// `Retry-After` when the pool stays full for the busy timeout).
    async fn run_route(
        self: &Arc<Self>,
        route: usize,
        captures: Vec<(&'static str, String)>,
        query: Query,
    ) -> Reply {
        let handler = ROUTES[route].handler;
        if !ROUTES[route].store {
            let req = Request {
                captures,
                query,
                exports: self.cache.get(),
                state: self,
                body: Bytes::new(),
            };
            return handler(&req).unwrap_or_else(ApiError::into_reply);
        }
        let permit = match tokio::time::timeout(
            self.opts.store_busy_timeout,
            Arc::clone(&self.store_pool).acquire_owned(),
        )
        .await
        {
            Ok(Ok(p)) => p,
            _ => return handlers::readers_full().into_reply(),
        };
        let state = Arc::clone(self);
        let ran = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let req = Request {
                captures,
                query,
                exports: state.cache.get(),
                state: &state,
                body: Bytes::new(),
            };
            handler(&req)
        })
        .await;
        match ran {
            Ok(r) => r.unwrap_or_else(ApiError::into_reply),
            Err(e) => {
                ApiError::new(500, "internal", format!("the handler failed: {e}")).into_reply()
            }
        }
    }

    /// Runs a control route on the store's pool (a 503 when the pool stays full), then
    /// writes its audit row: who (client address, token id), when, what, and the answer.
    async fn run_control(
        self: &Arc<Self>,
        route: usize,
        captures: Vec<(&'static str, String)>,
        query: Query,
        asked: control::Asked,
    ) -> Reply {
        let handler = ROUTES[route].handler;
        let permit = match tokio::time::timeout(
            self.opts.store_busy_timeout,
            Arc::clone(&self.store_pool).acquire_owned(),
        )
        .await
        {
            Ok(Ok(p)) => p,
            _ => return handlers::readers_full().into_reply(),
        };
        let state = Arc::clone(self);
        let ran = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let req = Request {
                captures,
                query,
                exports: state.cache.get(),
                state: &state,
                body: asked.body.clone(),
            };
            let reply = handler(&req).unwrap_or_else(ApiError::into_reply);
            control::audit(&state, &asked, reply)
        })
        .await;
        ran.unwrap_or_else(|e| {
            ApiError::new(500, "internal", format!("the handler failed: {e}")).into_reply()
        })
    }

    /// The server's clock: `--as-of` (else the start) advanced by the wall clock.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.opts.as_of + chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default()
    }

    /// Whether the request names this server: a loopback name or address, the address
    /// the client connected to, the bind address, or one of `allowed_hosts`. No `Host`
    /// (HTTP/1.0) passes. An absolute-form target's authority counts over `Host`.
    fn host_allowed(
        &self,
        parts: &hyper::http::request::Parts,
        local: IpAddr,
    ) -> Result<(), String> {
        let host = match parts.uri.authority() {
            Some(a) => a.host(),
            None => match parts.headers.get(header::HOST) {
                None => return Ok(()),
                Some(h) => strip_port(
                    h.to_str()
                        .map_err(|_| "a Host that is not text".to_string())?,
                ),
            },
        };
        let name = host.trim_end_matches('.');
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        let ok = name.eq_ignore_ascii_case("localhost")
            || name.len() >= ".localhost".len()
                && name.as_bytes()[name.len() - ".localhost".len()..]
                    .eq_ignore_ascii_case(b".localhost")
            || bare
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback() || ip == local || ip == self.opts.bind)
            || self
                .opts
                .allowed_hosts
                .iter()
                .any(|a| a.trim_end_matches('.').eq_ignore_ascii_case(name));
        if ok { Ok(()) } else { Err(host.to_string()) }
    }

    /// The control token check: the id of the token shown (`control:` or `serve:` and a
    /// fingerprint), a 401 without the right one, a 403 when the server has none.
    fn control_token(&self, parts: &hyper::http::request::Parts) -> Result<String, ApiError> {
        let (token, which) = match (&self.opts.control_token, &self.opts.token) {
            (Some(t), _) => (t, "control"),
            (None, Some(t)) => (t, "serve"),
            (None, None) => {
                return Err(ApiError::new(
                    403,
                    "control_disabled",
                    "control routes are off: this server has no token. Set [serve] control_token in the config (or start serve with --token); they always need one, even on loopback",
                ));
            }
        };
        let given = parts
            .headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .map(HeaderValue::as_bytes);
        if !http::bearer_matches(given, token) {
            return Err(ApiError::new(
                401,
                "unauthorized",
                format!(
                    "control routes need `Authorization: Bearer <token>` with the {which} token"
                ),
            ));
        }
        Ok(format!("{which}:{}", control::fingerprint(token)))
    }

    /// Decides the answer: limits, Host, then preflight, auth, method, route, query;
    /// the handler itself is run by [`State::run_route`].
    fn decide(&self, parts: &hyper::http::request::Parts, local: IpAddr) -> Decision {
        let unmatched = ROUTES.len();
        let done = |e: ApiError| Decision::Done(unmatched, e.into_reply());
        let target_len = parts.uri.path_and_query().map_or(0, |p| p.as_str().len())
            + parts.uri.authority().map_or(0, |a| a.as_str().len());
        if target_len > MAX_URL_BYTES {
            return done(ApiError::new(
                414,
                "uri_too_long",
                format!("the request target is longer than {MAX_URL_BYTES} bytes"),
            ));
        }
        let header_bytes: usize = parts
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum();
        if header_bytes > MAX_HEADER_BYTES {
            return done(ApiError::new(
                431,
                "headers_too_large",
                format!("request headers exceed {MAX_HEADER_BYTES} bytes"),
            ));
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.opts.max_body_bytes as u64) {
            return done(self.too_large());
        }
        if let Err(host) = self.host_allowed(parts, local) {
            return done(ApiError::new(
                421,
                "misdirected_request",
                format!(
                    "this server does not answer to the host {host:?}; add it to [serve] allowed_hosts if it is yours"
                ),
            ));
        }
        let path = parts.uri.path();
        let raw_query = parts.uri.query().unwrap_or("");
        let found = find_route(path);
        let row = found.as_ref().map_or(unmatched, |(i, _)| *i);
        let method = parts.method.as_str();

        // Browsers send a preflight without credentials before a request that carries
        // an Authorization header: it must pass without the token.
        if method == "OPTIONS" && self.opts.cors_origin.is_some() {
            return Decision::Done(
                row,
                Reply {
                    status: 204,
                    body: Body::Empty,
                    headers: vec![
                        (
                            "Access-Control-Allow-Methods",
                            "GET, HEAD, POST, PUT, OPTIONS".into(),
                        ),
                        (
                            "Access-Control-Allow-Headers",
                            "Authorization, If-None-Match, Content-Type".into(),
                        ),
                        ("Access-Control-Max-Age", "600".into()),
                    ],
                },
            );
        }
        if let Some((i, _)) = found.as_ref().filter(|(i, _)| ROUTES[*i].control()) {
            let route = &ROUTES[*i];
            let token_id = match self.control_token(parts) {
                Ok(id) => id,
                Err(e) => {
                    let reply = e.into_reply();
                    let reply = if reply.status == 401 {
                        reply.with_header("WWW-Authenticate", "Bearer")
                    } else {
                        reply
                    };
                    return Decision::Done(*i, reply);
                }
            };
            if method != route.method {
                let e = ApiError::new(
                    405,
                    "method_not_allowed",
                    format!("{method} is not allowed here: {} only", route.method),
                );
                return Decision::Done(*i, e.into_reply().with_header("Allow", route.method));
            }
            let Some((i, captures)) = found else {
                unreachable!("found above")
            };
            return match Query::parse(raw_query).and_then(|q| {
                q.check_known(route.params)?;
                Ok(q)
            }) {
                Ok(query) => Decision::Run {
                    route: i,
                    captures,
                    query,
                    token_id: Some(token_id),
                },
                Err(e) => Decision::Done(i, e.into_reply()),
            };
        }
        // The page is the one public route; every other path, matched or not, needs the
        // token, so an unknown path says nothing to a client without one.
        let public = found.as_ref().is_some_and(|(i, _)| ROUTES[*i].public);
        if let Some(token) = self.opts.token.as_ref().filter(|_| !public) {
            let given = parts
                .headers
                .get_all(header::AUTHORIZATION)
                .iter()
                .map(HeaderValue::as_bytes);
            if !http::bearer_matches(given, token) {
                let e = ApiError::new(
                    401,
                    "unauthorized",
                    "this server needs `Authorization: Bearer <token>`",
                );
                return Decision::Done(
                    row,
                    e.into_reply().with_header("WWW-Authenticate", "Bearer"),
                );
            }
        }
        if !matches!(method, "GET" | "HEAD") {
            let allow = if self.opts.cors_origin.is_some() {
                "GET, HEAD, OPTIONS"
            } else {
                "GET, HEAD"
            };
            let e = ApiError::new(
                405,
                "method_not_allowed",
                format!("{method} is not allowed: this API is read-only ({allow})"),
            );
            return Decision::Done(row, e.into_reply().with_header("Allow", allow));
        }
        let Some((i, captures)) = found else {
            return Decision::Done(
                row,
                ApiError::not_found(format!("no route {path}")).into_reply(),
            );
        };
        let route = &ROUTES[i];
        match Query::parse(raw_query).and_then(|q| {
            q.check_known(route.params)?;
            Ok(q)
        }) {
            Ok(query) => Decision::Run {
                route: i,
                captures,
                query,
                token_id: None,
            },
            Err(e) => Decision::Done(row, e.into_reply()),
        }
    }

    /// Decides the headers of a reply: ETag and 304, gzip, cache, CORS, and
    /// `Connection: close` when asked. Returns the status actually sent, the
    /// response, and the sealed memory file its body is in (when it is one, for the
    /// connection to send it from).
    fn finish(
        &self,
        reply: Reply,
        rq: Option<&HeaderMap>,
        close: bool,
    ) -> (u16, Response, Option<Arc<sealed::Sealed>>) {
        let mut h = HeaderMap::with_capacity(12);
        h.insert(header::SERVER, HeaderValue::from_static("optctl"));
        // Every body is what its Content-Type says, JSON errors included: no browser
        // may guess otherwise.
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        for (name, value) in &self.cors {
            h.append(name.clone(), value.clone());
        }
        for (name, value) in &reply.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                h.append(n, v);
            }
        }
        let mut status = reply.status;
        let mut sealed = None;
        let body: Bytes = match reply.body {
            Body::Empty => Bytes::new(),
            Body::Fresh {
                bytes,
                content_type,
            } => {
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                bytes.into()
            }
            Body::Json(r) => {
                h.insert(header::CACHE_CONTROL, self.cache_control.clone());
                let body = Self::conditional(&mut h, &mut status, &r, rq, "application/json");
                sealed = r.sealed_for(&body).cloned();
                body
            }
            Body::Page(r) => {
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                Self::conditional(&mut h, &mut status, &r, rq, "text/html; charset=utf-8")
            }
        };
        if status == 503 && !h.contains_key(header::RETRY_AFTER) {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if close {
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        // 204 and 304 have no body and no length (RFC 9110 §8.6); hyper writes the
        // Content-Length of the others from the body, never chunked.
        let mut response = hyper::Response::new(Full::new(body));
        *response.status_mut() =
            hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        *response.headers_mut() = h;
        (status, response, sealed)
    }

    /// The ETag, 304 and gzip part of [`State::finish`] for a rendered body: writes
    /// `Vary`, `ETag` and (unless 304) the type and encoding, and returns the bytes.
    /// A 304 only for the tag of the representation this request would get: the plain
    /// body's tag does not validate a gzip copy, nor the reverse.
    fn conditional(
        h: &mut HeaderMap,
        status: &mut u16,
        r: &Rendered,
        rq: Option<&HeaderMap>,
        content_type: &'static str,
    ) -> Bytes {
        h.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        let values = |name: HeaderName| {
            rq.into_iter()
                .flat_map(move |m| m.get_all(name.clone()).into_iter())
                .filter_map(|v| v.to_str().ok())
        };
        let gz = values(header::ACCEPT_ENCODING)
            .any(http::accepts_gzip)
            .then(|| r.gzip())
            .flatten();
        let etag = if gz.is_some() {
            r.gzip_etag()
        } else {
            r.etag()
        };
        if let Ok(v) = HeaderValue::from_str(etag) {
            h.insert(header::ETAG, v);
        }
        if values(header::IF_NONE_MATCH).any(|v| http::etag_matches(v, etag)) {
            *status = 304;
            return Bytes::new();
        }
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        match gz {
            Some(gz) => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                gz.clone()
            }
            None => r.json().clone(),
        }
    }
}

/// Reads a request body to its end, at most `max` bytes and until `deadline`, keeping
/// it when `keep` (a control route's JSON) or dropping it (the data routes read no
/// body, but the connection can only go on after it).
async fn read_body(
    body: &mut hyper::body::Incoming,
    max: usize,
    deadline: Instant,
    keep: bool,
) -> Result<Bytes, Unread> {
    let read = async {
        let mut got = 0usize;
        let mut kept = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| Unread::Broken)?;
            if let Some(data) = frame.data_ref() {
                got += data.len();
                if got > max {
                    return Err(Unread::TooLarge);
                }
                if keep {
                    kept.extend_from_slice(data);
                }
            }
        }
        Ok(Bytes::from(kept))
    };
    tokio::time::timeout_at(deadline.into(), read)
        .await
        .unwrap_or(Err(Unread::Late))
}

/// `host:port` → `host`; `[::1]:80` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
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
        202 => "Accepted",
        403 => "Forbidden",
        409 => "Conflict",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
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
    fn no_route_pattern_is_longer_than_a_path_is_split_into() {
        for p in PATTERNS.iter() {
            assert!(p.len() <= MAX_SEGMENTS, "{} segments", p.len());
        }
        let longest = ROUTES
            .iter()
            .max_by_key(|r| r.pattern.split('/').count())
            .unwrap();
        assert!(find_route(longest.pattern.replace(['{', '}'], "").as_str()).is_some());
        assert!(find_route("/a/b/c/d/e/f/g/h/i/j").is_none());
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
            control_token: None,
            control_max_body_bytes: 4096,
            audit_keep_days: 90,
            config: None,
            as_of: chrono::Utc::now(),
            allow_no_token: false,
            cors_origin: None,
            max_age: 5,
            snapshot_cache_bytes: 1 << 20,
            refresh_secs: 15,
            stale_after_secs: 1800,
            market_hours: crate::market::MarketHoursConfig::default()
                .calendar(std::path::Path::new("."))
                .unwrap(),
            enrich: Default::default(),
            scheduler: Default::default(),
            max_connections: 256,
            max_connections_per_client: 64,
            idle_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(20),
            write_timeout: Duration::from_secs(10),
            max_body_bytes: 65536,
            allowed_hosts: Vec::new(),
            store_readers: 2,
            store_busy_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn ports_are_stripped_from_hosts() {
        assert_eq!(strip_port("localhost:8061"), "localhost");
        assert_eq!(strip_port("[::1]:8061"), "[::1]");
        assert_eq!(strip_port("[::1]"), "[::1]");
        assert_eq!(strip_port("dash.example.com"), "dash.example.com");
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
