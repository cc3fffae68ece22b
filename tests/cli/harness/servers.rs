//! The test servers, all on 127.0.0.1 and one accept loop ([`listen`]):
//!
//! - [`Server`]: a tiny HTTP/1.1 server that answers from a route table (recorded
//!   provider responses from `fixtures/providers/`) or from a script of answers given
//!   one request at a time (notification receivers), remembers every request with its
//!   body, and can misbehave on purpose (hang, hold, cut a body short, echo the path).
//!   One thread per connection, `Connection: close`.
//! - [`StallingProxy`]: passes requests through to another server, or holds them
//!   unanswered while told to stall.
//!
//! Each stops when dropped.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a route answers with.
#[derive(Clone)]
pub enum Body {
    Bytes(Vec<u8>),
    /// Accepts the request and never answers (until the server stops, at most 10 s).
    Hang,
    /// Announces the full length but sends only the first `n` bytes, then closes.
    CutAt(Vec<u8>, usize),
    /// Takes the request and never answers, until the server stops: a receiver the
    /// sender waits on until it is killed.
    Hold,
    /// 500 with the request's path and query in the body, as a careless server might.
    EchoPath,
}

/// One route: a path, optionally a piece its query must contain, and the answer.
#[derive(Clone)]
pub struct Route {
    path: String,
    query_contains: Option<String>,
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    /// Answer this many times at most, then let later routes answer.
    times: Option<usize>,
}

impl Route {
    /// `200` with the bytes of `fixtures/providers/<fixture>`.
    pub fn fixture(path: &str, fixture: &str) -> Route {
        Route::bytes(path, 200, fixture_bytes(fixture))
    }

    pub fn bytes(path: &str, status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route {
            path: path.to_string(),
            query_contains: None,
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Bytes(body.into()),
            times: None,
        }
    }

    pub fn hang(path: &str) -> Route {
        Route {
            body: Body::Hang,
            ..Route::bytes(path, 200, "")
        }
    }

    /// A plain-text answer to any path: what a scripted receiver sends.
    pub fn text(status: u16, body: &str) -> Route {
        Route::bytes("", status, body.as_bytes())
            .header("Content-Type", "text/plain; charset=UTF-8")
    }

    /// Holds any request unanswered until the server stops.
    pub fn hold() -> Route {
        Route {
            body: Body::Hold,
            ..Route::text(200, "")
        }
    }

    /// Answers any request with a 500 naming its path.
    pub fn echo_path() -> Route {
        Route {
            body: Body::EchoPath,
            ..Route::text(500, "")
        }
    }

    pub fn cut(path: &str, body: impl Into<Vec<u8>>, at: usize) -> Route {
        Route {
            body: Body::CutAt(body.into(), at),
            ..Route::bytes(path, 200, "")
        }
    }

    /// Only when the query string contains `piece`.
    pub fn when_query(mut self, piece: &str) -> Route {
        self.query_contains = Some(piece.to_string());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        if name.eq_ignore_ascii_case("content-type") {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        }
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn times(mut self, n: usize) -> Route {
        self.times = Some(n);
        self
    }
}

/// The bytes of `fixtures/providers/<name>`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/providers")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The request body (by Content-Length), as text.
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

struct State {
    routes: Vec<(Route, usize)>,
    /// Answers given in order, one per request, before the routes are looked at.
    script: VecDeque<Route>,
    /// What a request no route matches gets.
    fallback: Route,
    seen: Vec<Seen>,
}

pub struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
    /// Stops accepting, and ends held requests, when the server is dropped.
    _listener: Listener,
}

impl Server {
    /// Answers from `routes`; anything else gets a JSON 404.
    pub fn start(routes: Vec<Route>) -> Server {
        Server::with_fallback(
            routes,
            Route::bytes("", 404, r#"{"error":"no such route"}"#),
        )
    }

    /// A receiver: answers what [`Server::push`] scripts, in order, then `200 ok`.
    pub fn receiver() -> Server {
        Server::with_fallback(Vec::new(), Route::text(200, "ok"))
    }

    fn with_fallback(routes: Vec<Route>, fallback: Route) -> Server {
        let state = Arc::new(Mutex::new(State {
            routes: routes.into_iter().map(|r| (r, 0)).collect(),
            script: VecDeque::new(),
            fallback,
            seen: Vec::new(),
        }));
        let st = state.clone();
        let listener = listen(move |stream, stop| serve(stream, &st, stop));
        Server {
            port: listener.addr.port(),
            state,
            _listener: listener,
        }
    }

    /// `http://127.0.0.1:<port>`: what a `base_url` is set to.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next request, whatever its path, gets `answer` (after earlier pushes).
    pub fn push(&self, answer: Route) {
        self.state.lock().unwrap().script.push_back(answer);
    }

    /// Every request seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

/// An accept loop on 127.0.0.1 (port 0): each connection on its own thread, until
/// dropped (at most 10 minutes, should a test leak it).
struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn listen(handle: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> Listener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let sp = stop.clone();
    let handle = Arc::new(handle);
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(600);
        while !sp.load(Ordering::SeqCst) && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let (sp, handle) = (sp.clone(), handle.clone());
                    std::thread::spawn(move || handle(stream, &sp));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Listener {
        addr,
        stop,
        thread: Some(thread),
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let route = {
        let mut st = state.lock().unwrap();
        st.seen.push(Seen {
            target: target.clone(),
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        });
        if let Some(next) = st.script.pop_front() {
            Some(next)
        } else {
            let hit = st.routes.iter_mut().find(|(r, used)| {
                r.path == path
                    && r.query_contains
                        .as_deref()
                        .is_none_or(|q| query.contains(q))
                    && r.times.is_none_or(|n| *used < n)
            });
            hit.map(|(r, used)| {
                *used += 1;
                r.clone()
            })
            .or_else(|| Some(st.fallback.clone()))
        }
    };
    let route = route.expect("a fallback answers");
    let mut stream = reader.into_inner();
    let (body, send) = match &route.body {
        Body::Hang => {
            let until = Instant::now() + Duration::from_secs(10);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        Body::Hold => {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        Body::EchoPath => {
            let b = format!("no route for {target}").into_bytes();
            let n = b.len();
            (b, n)
        }
        Body::Bytes(b) => (b.clone(), b.len()),
        Body::CutAt(b, n) => (b.clone(), (*n).min(b.len())),
    };
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        route.status,
        body.len()
    );
    // The recordings' day, unless the route dates its answer itself (a replay years on).
    if !route
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("date"))
    {
        head.push_str("Date: Mon, 23 Nov 2026 15:00:00 GMT\r\n");
    }
    for (n, v) in &route.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body[..send]);
    let _ = stream.flush();
    // Let the client read everything before the close.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.read(&mut [0u8; 64]);
}

/// Stands between the browser and `optctl serve`: passes every request through, except
/// that while `stall` is set it never answers the data routes (the page itself still
/// loads). A server that accepts a request and then goes quiet, as a hung one would.
pub struct StallingProxy {
    stall: Arc<AtomicBool>,
    listener: Listener,
}

impl StallingProxy {
    pub fn start(upstream: SocketAddr) -> StallingProxy {
        let stall = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&stall);
        let listener = listen(move |conn, _| Self::one(conn, upstream, &flag));
        StallingProxy { stall, listener }
    }

    /// Ends (or starts again) the stall.
    pub fn set_stall(&self, on: bool) {
        self.stall.store(on, Ordering::SeqCst);
    }

    /// One request per connection: read its head, then stall or forward it with
    /// `Connection: close` and copy the answer back until the server closes.
    fn one(mut conn: TcpStream, upstream: SocketAddr, stall: &AtomicBool) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match conn.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let head = String::from_utf8_lossy(&head).to_string();
        let path = head.split(' ').nth(1).unwrap_or("").to_string();
        if path != "/" && stall.load(Ordering::SeqCst) {
            // Hold the connection, answer nothing, until the stall ends.
            while stall.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
            return;
        }
        let mut forwarded: String = head
            .trim_end()
            .split("\r\n")
            .filter(|l| {
                !l.to_ascii_lowercase().starts_with("connection:")
                    && !l.to_ascii_lowercase().starts_with("keep-alive:")
            })
            .map(|l| format!("{l}\r\n"))
            .collect();
        forwarded.push_str("Connection: close\r\n\r\n");
        let Ok(mut up) = TcpStream::connect(upstream) else {
            return;
        };
        if up.write_all(forwarded.as_bytes()).is_err() {
            return;
        }
        let _ = std::io::copy(&mut up, &mut conn);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.listener.addr)
    }
}
