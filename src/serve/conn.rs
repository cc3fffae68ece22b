//! The connections of `optctl serve`: the accept loop, one thread per connection that
//! reads its requests (HTTP/1.1 keep-alive and pipelining; the head parsed by
//! `httparse`), and the writing of the answers. What an answer says is decided in
//! mod.rs (`State::respond`); this file only moves bytes.
//!
//! Every accepted connection gets its own thread at once, started by the accept loop.
//! A browser keeps up to six connections to a server open between requests, for
//! minutes, so a connection that had to wait for a free thread from a pool could wait
//! for as long as the others stay open: its requests would be read by no one while the
//! server logged answers to all the others. That is how the dashboard used to stay at
//! "Loading…": tiny_http 0.12's pool, when several connections arrived at once, could
//! leave one queued behind the open ones (it counted threads it had already woken as
//! idle). `--threads` bounds how many requests are answered at once, not how many
//! connections are read.
//!
//! What keeps clients from holding every thread, file descriptor or unbounded memory:
//! at most `max_connections` are open (one more gets a 503 and is closed unread), an
//! idle connection closes after `idle_timeout`, a request head must arrive within that
//! and within [`HEAD_TIMEOUT`] of its first byte (else 408), a head is read up to
//! [`MAX_HEAD_BYTES`] (then 414 or 431), and a client that stops reading an answer is
//! dropped after [`WRITE_TIMEOUT`].

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::Scope;
use std::time::{Duration, Instant};

use super::State;
use super::http::ApiError;

/// A request head must be whole this long after its first byte.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that stops reading an answer is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest request head (request line and headers) read: more than the URL and header
/// limits together (`MAX_URL_BYTES`, `MAX_HEADER_BYTES`), so that within it the answer
/// can say which one was exceeded.
const MAX_HEAD_BYTES: usize = 28 * 1024;
/// Most header fields in a request.
const MAX_HEADERS: usize = 128;
/// How long, and for how many bytes, a closing connection reads what the client is
/// still sending, so that unread bytes do not turn the close into a reset before the
/// client has the answer. Bounded: a client that keeps sending is then reset.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 64 * 1024;
/// How often the accept loop looks at the stop flag while no one connects.
const ACCEPT_POLL: Duration = Duration::from_millis(100);

/// A request head as read from the wire; it borrows the connection's buffer.
pub(crate) struct Incoming<'a> {
    pub(crate) method: &'a str,
    /// The request target as sent: path and query, not decoded.
    pub(crate) target: &'a str,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    minor: u8,
    headers: &'a [httparse::Header<'a>],
}

impl<'a> Incoming<'a> {
    /// The first header of that name (case-insensitive), if its value is text.
    pub(crate) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    }

    pub(crate) fn headers(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + '_ {
        self.headers.iter().map(|h| (h.name, h.value))
    }

    /// The declared body length (`Content-Length`), when there is exactly one.
    pub(crate) fn body_length(&self) -> Option<usize> {
        self.header("Content-Length")
            .and_then(|v| v.trim().parse().ok())
    }

    /// Whether the headers say how long the body is in a way this server follows: at
    /// most one `Content-Length` (repeats with the same value allowed), a number.
    fn framing(&self) -> Result<Framing, &'static str> {
        let mut length: Option<u64> = None;
        let mut chunked = false;
        for h in self.headers {
            if h.name.eq_ignore_ascii_case("Transfer-Encoding") {
                chunked = true;
            } else if h.name.eq_ignore_ascii_case("Content-Length") {
                let v = std::str::from_utf8(h.value)
                    .ok()
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or("Content-Length is not a number")?;
                if length.is_some_and(|l| l != v) {
                    return Err("two different Content-Length headers");
                }
                length = Some(v);
            }
        }
        Ok(match (chunked, length) {
            // A body this server does not read to its end: answer, then close.
            (true, _) => Framing::Unread,
            (false, None | Some(0)) => Framing::None,
            (false, Some(n)) => Framing::Length(n),
        })
    }

    /// Whether the client lets the connection stay open after this request.
    fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.header("Connection")
                .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        };
        if self.minor == 0 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }
}

/// How a request's body is delimited.
enum Framing {
    None,
    Length(u64),
    /// Chunked, or otherwise not read by this server.
    Unread,
}

/// What `State::respond` decided, ready to be written.
pub(crate) struct Answer {
    /// The metrics row (route index, or the "unmatched" row).
    pub(crate) row: usize,
    pub(crate) status: u16,
    /// Header lines, `Name: value\r\n` each, without the status line and Date.
    pub(crate) headers: String,
    pub(crate) body: Arc<[u8]>,
}

/// Counts how many requests are being answered, so that at most `--threads` are at a
/// time however many connections are open.
pub(crate) struct Slots {
    state: Mutex<SlotState>,
    freed: Condvar,
}

struct SlotState {
    free: usize,
    /// Threads waiting in [`Slots::take`]: a slot given back wakes one only then (a
    /// wake-up is a system call, and most of the time no one waits).
    waiting: usize,
}

impl Slots {
    pub(crate) fn new(n: usize) -> Slots {
        Slots {
            state: Mutex::new(SlotState {
                free: n.max(1),
                waiting: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// Waits for a free slot; it is given back when the guard drops.
    pub(crate) fn take(&self) -> SlotGuard<'_> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while st.free == 0 {
            st.waiting += 1;
            st = self.freed.wait(st).unwrap_or_else(|p| p.into_inner());
            st.waiting -= 1;
        }
        st.free -= 1;
        SlotGuard(self)
    }
}

pub(crate) struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        st.free += 1;
        if st.waiting > 0 {
            self.0.freed.notify_one();
        }
    }
}

/// The open connections, so that a stop can end their reads.
#[derive(Default)]
pub(crate) struct Open {
    conns: Mutex<(u64, HashMap<u64, Arc<TcpStream>>)>,
}

impl Open {
    /// Registers a connection; None when `max` are open already.
    fn add(&self, s: &Arc<TcpStream>, max: usize) -> Option<u64> {
        let mut g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if g.1.len() >= max {
            return None;
        }
        g.0 += 1;
        let id = g.0;
        g.1.insert(id, Arc::clone(s));
        Some(id)
    }

    fn remove(&self, id: u64) {
        self.conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .remove(&id);
    }

    /// How many connections are open now.
    pub(crate) fn count(&self) -> usize {
        self.conns.lock().unwrap_or_else(|p| p.into_inner()).1.len()
    }

    /// Ends every connection's wait for its next request. An answer being written
    /// is finished first: only the reading side is shut.
    fn close_all(&self) {
        for s in self
            .conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .values()
        {
            let _ = s.shutdown(Shutdown::Read);
        }
    }
}

/// Accepts connections until `stop` is set, each on its own scoped thread, then ends
/// the reads of those still open (the scope waits for their threads).
pub(crate) fn accept_loop<'scope>(
    s: &'scope Scope<'scope, '_>,
    listener: &TcpListener,
    state: &'scope State,
    stop: &AtomicBool,
) {
    // Linux applies a listening socket's receive timeout to accept(): a blocking
    // accept that still looks at the stop flag ten times a second.
    let _ = socket2::SockRef::from(listener).set_read_timeout(Some(ACCEPT_POLL));
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock
                        | ErrorKind::TimedOut
                        | ErrorKind::Interrupted
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::ConnectionReset
                ) =>
            {
                continue;
            }
            Err(e) => {
                // Out of file descriptors or memory: the ones in use are freed as
                // connections close, so wait a little and go on accepting.
                if !failing {
                    tracing::warn!("accepting a connection failed: {e}; retrying");
                    failing = true;
                }
                std::thread::sleep(ACCEPT_POLL);
                continue;
            }
        };
        if std::mem::take(&mut failing) {
            tracing::info!("accepting connections again");
        }
        let stream = Arc::new(stream);
        let Some(id) = state.open.add(&stream, state.opts.max_connections) else {
            refuse_busy(state, &stream);
            continue;
        };
        let spawned = std::thread::Builder::new()
            .name("serve-conn".into())
            .spawn_scoped(s, {
                let stream = Arc::clone(&stream);
                move || {
                    serve_connection(state, &stream);
                    state.open.remove(id);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("no thread for a new connection: {e}");
            state.open.remove(id);
            refuse_busy(state, &stream);
        }
    }
    state.open.close_all();
}

/// Answers a connection there is no room for with a 503 and closes it, unread.
fn refuse_busy(state: &State, stream: &TcpStream) {
    let max = state.opts.max_connections;
    let e = ApiError::new(
        503,
        "too_many_connections",
        format!("the server has {max} connections open (serve.max_connections); try again shortly"),
    );
    let mut answer = state.error_answer(e);
    answer.headers.push_str("Retry-After: 1\r\n");
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = write_answer(stream, &answer, false, Some("close"));
    let _ = stream.shutdown(Shutdown::Write);
    state
        .metrics
        .record(answer.row, answer.status, Duration::ZERO);
}

/// Why reading a request head stopped.
enum HeadError {
    /// The client closed the connection, went quiet, or the socket failed: nothing to
    /// answer.
    Gone,
    /// A head that cannot be answered normally: this error, then close.
    Bad(ApiError),
}

/// Reads requests off one connection and answers them in order until the client
/// closes it, asks to close, sends something this server cannot go on after, or stays
/// idle for the idle timeout.
fn serve_connection(state: &State, stream: &TcpStream) {
    let mut conn = Reader {
        stream,
        idle: state.opts.idle_timeout,
        timeout: None,
    };
    if stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
        return;
    }
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let len = match conn.read_head(&mut buf) {
            Ok(n) => n,
            Err(HeadError::Gone) => return,
            Err(HeadError::Bad(e)) => {
                let answer = state.error_answer(e);
                let sent = write_answer(stream, &answer, false, Some("close"));
                state
                    .metrics
                    .record(answer.row, answer.status, Duration::ZERO);
                if sent.is_ok() {
                    linger(stream);
                }
                return;
            }
        };
        let started = Instant::now();
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        // `read_head` parsed these bytes already; this only borrows the parts.
        if !matches!(req.parse(&buf[..len]), Ok(httparse::Status::Complete(_))) {
            return;
        }
        let rq = Incoming {
            method: req.method.unwrap_or(""),
            target: req.path.unwrap_or(""),
            minor: req.version.unwrap_or(1),
            headers: req.headers,
        };
        let head_only = rq.method == "HEAD";
        let (framing, bad_framing) = match rq.framing() {
            Ok(f) => (f, None),
            Err(why) => (Framing::Unread, Some(why)),
        };
        let answer = match bad_framing {
            Some(why) => state.error_answer(ApiError::new(400, "bad_request", why)),
            None => state.respond(&rq),
        };
        // The connection goes on only if the body can be skipped without waiting for
        // a client that may be waiting for us (`Expect: 100-continue`).
        let expects = rq.header("Expect").is_some();
        let mut keep = rq.keep_alive() && bad_framing.is_none();
        let minor = rq.minor;
        let skip = match framing {
            Framing::None => Some(0),
            Framing::Length(n) if !expects && n <= super::MAX_BODY_BYTES as u64 => Some(n),
            Framing::Length(_) | Framing::Unread => None,
        };
        buf.drain(..len);
        match skip {
            Some(n) => {
                if conn.skip_body(&mut buf, n).is_err() {
                    return;
                }
            }
            None => keep = false,
        }
        // HTTP/1.1 stays open unless told; HTTP/1.0 only when it asked to.
        let connection = match (keep, minor) {
            (false, _) => Some("close"),
            (true, 0) => Some("keep-alive"),
            (true, _) => None,
        };
        let sent = write_answer(stream, &answer, head_only, connection);
        state
            .metrics
            .record(answer.row, answer.status, started.elapsed());
        if sent.is_err() {
            return;
        }
        if !keep {
            linger(stream);
            return;
        }
    }
}

/// The reading side of a connection, with the read timeout it has now.
struct Reader<'a> {
    stream: &'a TcpStream,
    /// How long a connection may wait between requests (`serve.idle_timeout_seconds`).
    idle: Duration,
    timeout: Option<Duration>,
}

impl Reader<'_> {
    /// Sets the read timeout, with a system call only when it changes.
    fn set_timeout(&mut self, t: Duration) -> std::io::Result<()> {
        // A zero timeout means none to the OS: wait at least a millisecond.
        let t = t.max(Duration::from_millis(1));
        if self.timeout != Some(t) {
            self.stream.set_read_timeout(Some(t))?;
            self.timeout = Some(t);
        }
        Ok(())
    }

    /// Reads until `buf` starts with a whole request head and returns its length.
    /// Between requests it waits up to the idle timeout and then ends quietly; once a
    /// head has begun, the rest must come within the idle timeout and within
    /// [`HEAD_TIMEOUT`] of the first byte, else 408.
    fn read_head(&mut self, buf: &mut Vec<u8>) -> Result<usize, HeadError> {
        let mut chunk = [0u8; 8192];
        let mut began = (!buf.is_empty()).then(Instant::now);
        loop {
            if !buf.is_empty() {
                if let Some(n) = parse_head(buf)? {
                    return Ok(n);
                }
                if buf.len() >= MAX_HEAD_BYTES {
                    return Err(HeadError::Bad(too_long(buf)));
                }
            }
            let wait = match began {
                None => self.idle,
                Some(t) => {
                    let left = HEAD_TIMEOUT.saturating_sub(t.elapsed());
                    if left.is_zero() {
                        return Err(HeadError::Bad(self.head_timeout()));
                    }
                    self.idle.min(left)
                }
            };
            if self.set_timeout(wait).is_err() {
                return Err(HeadError::Gone);
            }
            // Never more than the head limit, so a head that never ends is not buffered.
            let room = (MAX_HEAD_BYTES - buf.len().min(MAX_HEAD_BYTES)).clamp(1, chunk.len());
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => return Err(HeadError::Gone),
                Ok(n) => {
                    began.get_or_insert_with(Instant::now);
                    buf.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e)
                    if began.is_some()
                        && matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    return Err(HeadError::Bad(self.head_timeout()));
                }
                // Idle between requests, reset, or shut by a stop.
                Err(_) => return Err(HeadError::Gone),
            }
        }
    }

    /// The 408 for a head that did not arrive in time.
    fn head_timeout(&self) -> ApiError {
        ApiError::new(
            408,
            "request_timeout",
            format!(
                "the request head did not arrive in time (within {} s idle, {} s in all)",
                self.idle.as_secs(),
                HEAD_TIMEOUT.as_secs()
            ),
        )
    }

    /// Reads and drops `n` body bytes, those already in `buf` first.
    fn skip_body(&mut self, buf: &mut Vec<u8>, n: u64) -> std::io::Result<()> {
        let have = (buf.len() as u64).min(n) as usize;
        buf.drain(..have);
        let rest = n - have as u64;
        if rest > 0 {
            self.set_timeout(self.idle)?;
            let copied = std::io::copy(&mut self.stream.take(rest), &mut std::io::sink())?;
            if copied < rest {
                return Err(ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }
}

/// Whether `buf` starts with a whole request head: its length, None when it needs more,
/// or the error that ends the connection.
fn parse_head(buf: &[u8]) -> Result<Option<usize>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut headers).parse(buf) {
        Ok(httparse::Status::Complete(n)) => Ok(Some(n)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::Bad(ApiError::new(
            431,
            "headers_too_large",
            format!("more than {MAX_HEADERS} header fields"),
        ))),
        Err(httparse::Error::Version) => Err(HeadError::Bad(ApiError::new(
            505,
            "http_version_not_supported",
            "this server speaks HTTP/1.0 and HTTP/1.1",
        ))),
        Err(e) => Err(HeadError::Bad(ApiError::new(
            400,
            "bad_request",
            format!("malformed request: {e}"),
        ))),
    }
}

/// The error for a head past [`MAX_HEAD_BYTES`]: the request line (414) or the headers
/// (431), whichever did not end.
fn too_long(buf: &[u8]) -> ApiError {
    if buf.windows(2).any(|w| w == b"\r\n") {
        ApiError::new(
            431,
            "headers_too_large",
            format!("the request head is longer than {MAX_HEAD_BYTES} bytes"),
        )
    } else {
        ApiError::new(
            414,
            "uri_too_long",
            format!("the request line is longer than {MAX_HEAD_BYTES} bytes"),
        )
    }
}

/// Writes one answer: status line, headers, and the body unless `head_only` (or a
/// status that has none), with a `Connection` header when one is given.
fn write_answer(
    mut stream: &TcpStream,
    a: &Answer,
    head_only: bool,
    connection: Option<&str>,
) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let mut head = String::with_capacity(a.headers.len() + 128);
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\nServer: optctl\r\nDate: {}\r\n{}",
        a.status,
        super::reason(a.status),
        super::http::now_http_date(),
        a.headers
    );
    if let Some(c) = connection {
        let _ = write!(head, "Connection: {c}\r\n");
    }
    head.push_str("\r\n");
    let body: &[u8] = if head_only { &[] } else { &a.body };
    // One write for the whole answer where it can: with TCP_NODELAY, two writes are
    // two packets and two wake-ups of the client.
    if body.len() <= 64 * 1024 {
        let mut out = head.into_bytes();
        out.extend_from_slice(body);
        stream.write_all(&out)?;
    } else {
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Closes gracefully: no more writes, then reads what the client still sends (at most
/// [`LINGER_BYTES`] for at most [`LINGER`]) so the answer is not lost to a reset.
fn linger(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let until = Instant::now() + LINGER;
    let mut chunk = [0u8; 8192];
    let mut read = 0;
    while Instant::now() < until && read < LINGER_BYTES {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => read += n,
        }
    }
}
