//! A tiny HTTP/1.1 server on 127.0.0.1 that serves recorded provider responses
//! (`fixtures/providers/`) to the binary under test, remembers every request, and can
//! misbehave on purpose (hang, cut a body short). One thread per connection,
//! `Connection: close`; it stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
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
    seen: Vec<Seen>,
}

pub struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(routes: Vec<Route>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            routes: routes.into_iter().map(|r| (r, 0)).collect(),
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !sp.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (st, sp) = (st.clone(), sp.clone());
                        std::thread::spawn(move || serve(stream, &st, &sp));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`: what a `base_url` is set to.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
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
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let route = {
        let mut st = state.lock().unwrap();
        st.seen.push(Seen {
            target: target.clone(),
            headers,
        });
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
    };
    let route = route.unwrap_or_else(|| Route::bytes(path, 404, r#"{"error":"no such route"}"#));
    let mut stream = reader.into_inner();
    let (body, send) = match &route.body {
        Body::Hang => {
            let until = Instant::now() + Duration::from_secs(10);
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        Body::Bytes(b) => (b.clone(), b.len()),
        Body::CutAt(b, n) => (b.clone(), (*n).min(b.len())),
    };
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\nDate: Mon, 23 Nov 2026 15:00:00 GMT\r\n",
        route.status,
        body.len()
    );
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
