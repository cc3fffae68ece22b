//! The connections of `optctl serve`: the accept loop, the limits on who may hold a
//! connection, and each connection's deadlines. HTTP/1.1 itself (request heads,
//! keep-alive, pipelining, body framing) is hyper's `server::conn::http1`; what an
//! answer says is decided in mod.rs (`State::respond`).
//!
//! Every connection is a task, not a thread, served to its end by the answering thread
//! that accepted it (each has a runtime of its own and accepts from the same listening
//! socket, as nginx's workers do): a connection waiting
//! for its next request costs a file descriptor and a few kilobytes, so thousands of
//! idle keep-alive connections (browsers keep six per tab, for minutes) lock no one
//! out. What keeps clients from holding the server:
//! - at most `max_connections` open in all and `max_connections_per_client` from one
//!   address (one more gets a 503 with `Retry-After` and is closed unread);
//! - an idle connection closes after `idle_timeout`; a request head must be whole
//!   within `header_timeout` of its first byte (else 408), the whole request, body
//!   included, within `request_timeout` (else 408, see `State::respond`);
//! - an answer must be written whole within `write_timeout` of being handed over, in
//!   all, however the client trickles its reads: then the connection is dropped. A stop
//!   waits for answers being written no longer than that;
//! - a request without the token is answered 401 and its connection closed.
//!
//! The deadlines are kept by a watchdog per connection that sleeps until the next one
//! and re-reads the connection's state ([`Conn`]) when it wakes; a change wakes it
//! early only when it brings a deadline before the one the watchdog sleeps until, so a
//! keep-alive client's requests (each of which moves every deadline later) cost no
//! wake-up. The socket is wrapped ([`Io`]) so the watchdog sees when bytes arrive and
//! when a write would block.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{
    AtomicBool, AtomicU64, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use super::State;
use super::http::ApiError;
use super::sealed::Sealed;

/// Longest request head (request line and headers) hyper buffers: more than the URL
/// and header limits together (`MAX_URL_BYTES`, `MAX_HEADER_BYTES`), so that within it
/// the answer can say which one was exceeded. Past it, hyper answers 431 and closes.
const MAX_HEAD_BYTES: usize = 28 * 1024;
/// How long, and for how many bytes, a connection the server closes reads what the
/// client is still sending, so that unread bytes do not turn the close into a reset
/// before the client has the answer.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 64 * 1024;
/// How often the accept loop looks at the stop flag while no one connects.
const ACCEPT_POLL: Duration = Duration::from_millis(100);

/// The open connections: how many in all and from each client address.
#[derive(Default)]
pub(crate) struct Open {
    total: AtomicUsize,
    by_client: Mutex<HashMap<IpAddr, usize>>,
}

/// A place among the open connections, given back when dropped.
pub(crate) struct Admitted {
    open: Arc<Open>,
    client: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut by = self
            .open
            .by_client
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = by.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                by.remove(&self.client);
            }
        }
        self.open.total.fetch_sub(1, Relaxed);
    }
}

impl Open {
    /// Takes a place for a connection from `client`, or says which limit is full.
    fn admit(
        self: &Arc<Self>,
        client: IpAddr,
        max_total: usize,
        max_per_client: usize,
    ) -> Result<Admitted, ApiError> {
        let mut by = self.by_client.lock().unwrap_or_else(|p| p.into_inner());
        if self.total.load(Relaxed) >= max_total {
            return Err(ApiError::new(
                503,
                "too_many_connections",
                format!(
                    "the server has {max_total} connections open (serve.max_connections); try again shortly"
                ),
            ));
        }
        let n = by.entry(client).or_insert(0);
        if *n >= max_per_client {
            if *n == 0 {
                by.remove(&client);
            }
            return Err(ApiError::new(
                503,
                "too_many_connections",
                format!(
                    "{client} has {max_per_client} connections open (serve.max_connections_per_client); close some or try again shortly"
                ),
            ));
        }
        *n += 1;
        self.total.fetch_add(1, Relaxed);
        Ok(Admitted {
            open: Arc::clone(self),
            client,
        })
    }

    /// How many connections are open now.
    pub(crate) fn count(&self) -> usize {
        self.total.load(Relaxed)
    }
}

/// One connection's state as the watchdog reads it. Times are milliseconds since the
/// server started, plus one (0 means "not set").
pub(crate) struct Conn {
    base: Instant,
    /// The address the client connected to (the `Host` check accepts it).
    pub(crate) local: IpAddr,
    /// The client's address (control requests are audited with it).
    pub(crate) peer: IpAddr,
    /// The first byte of the request head being read.
    head_started: AtomicU64,
    last_read: AtomicU64,
    /// A request is being answered (`State::respond` runs).
    in_request: AtomicBool,
    /// An answer was handed to hyper then and may still be being written.
    answered_at: AtomicU64,
    /// Since when the connection waits for its next request.
    idle_since: AtomicU64,
    /// The last write found the client's receive window full.
    write_blocked: AtomicBool,
    /// When the watchdog will next look by itself ([`NOT_ARMED`]: only when woken; 0:
    /// it is reading the state now, so any change wakes it).
    armed: AtomicU64,
    deadlines: Deadlines,
    /// The sealed memory file of the last answer's body, which [`Io`] sends from with
    /// `sendfile`. Weak: a body dropped from the cache is not kept alive by the idle
    /// connections that sent it.
    sealed: Mutex<Weak<Sealed>>,
    wake: Notify,
}

/// [`Conn::armed`] while the watchdog waits without a deadline.
const NOT_ARMED: u64 = u64::MAX;

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

impl Conn {
    fn new(base: Instant, local: IpAddr, peer: IpAddr, deadlines: Deadlines) -> Conn {
        let c = Conn {
            base,
            local,
            peer,
            head_started: AtomicU64::new(0),
            last_read: AtomicU64::new(0),
            in_request: AtomicBool::new(false),
            answered_at: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            write_blocked: AtomicBool::new(false),
            armed: AtomicU64::new(0),
            deadlines,
            sealed: Mutex::new(Weak::new()),
            wake: Notify::new(),
        };
        c.idle_since.store(c.now(), Relaxed);
        c
    }

    fn now(&self) -> u64 {
        self.base.elapsed().as_millis() as u64 + 1
    }

    fn instant(&self, at: u64) -> Instant {
        self.base + Duration::from_millis(at.saturating_sub(1))
    }

    /// Wakes the watchdog if it sleeps past `at`, a deadline the state (stored before)
    /// now has. Sequentially consistent with the watchdog's own `armed` store and state
    /// loads: either it reads the new state or this reads the `armed` it set before.
    fn deadline_at(&self, at: u64) {
        if self.armed.load(SeqCst) > at {
            self.wake.notify_one();
        }
    }

    /// Bytes came in: the first of a request head starts its clock.
    fn on_read(&self) {
        let now = self.now();
        self.last_read.store(now, Relaxed);
        if !self.in_request.load(Relaxed) && self.head_started.load(Relaxed) == 0 {
            self.head_started.store(now, SeqCst);
            let d = &self.deadlines;
            self.deadline_at(now + ms(d.header).min(ms(d.idle)));
        }
    }

    /// A request head was read whole: returns when its first byte came, the start of
    /// its whole-request deadline. No deadline of the watchdog's runs meanwhile (the
    /// request's own is kept by `State::respond`): a watchdog that wakes finds it so.
    pub(crate) fn request_began(&self) -> Instant {
        self.in_request.store(true, SeqCst);
        let at = self.head_started.swap(0, SeqCst);
        if at == 0 {
            // A pipelined head read along with the request before it.
            Instant::now()
        } else {
            self.instant(at)
        }
    }

    /// The body of the answer about to be handed to hyper is (a part of) `sealed`.
    pub(crate) fn send_from(&self, sealed: Option<&Arc<Sealed>>) {
        let mut s = self.sealed.lock().unwrap_or_else(|p| p.into_inner());
        *s = sealed.map_or_else(Weak::new, Arc::downgrade);
    }

    /// The answer was handed to hyper: its write deadline starts.
    pub(crate) fn answered(&self) {
        let now = self.now();
        self.answered_at.store(now, SeqCst);
        self.idle_since.store(now, SeqCst);
        self.in_request.store(false, SeqCst);
        let d = &self.deadlines;
        self.deadline_at(now + ms(d.write).min(ms(d.idle)));
    }
}

/// The deadlines of a connection, from the options.
#[derive(Clone, Copy)]
pub(crate) struct Deadlines {
    pub(crate) idle: Duration,
    pub(crate) header: Duration,
    pub(crate) write: Duration,
}

/// Which deadline passed.
#[derive(Debug, PartialEq)]
enum Expired {
    /// No request for the idle timeout: close quietly.
    Idle,
    /// A request head that did not come whole in time: 408, then close.
    Head,
    /// An answer not written whole in time: drop the connection.
    Write,
}

/// Sleeps until a deadline of `c` passes, re-reading its state when it wakes: at the
/// earliest deadline it saw, or earlier when a change brought a nearer one.
async fn watchdog(c: &Conn) -> Expired {
    let d = c.deadlines;
    let sleep = tokio::time::sleep_until(Instant::now().into());
    tokio::pin!(sleep);
    loop {
        let notified = c.wake.notified();
        tokio::pin!(notified);
        // Registered, and `armed` cleared, before the state is read: a change after
        // this wakes us.
        notified.as_mut().enable();
        c.armed.store(0, SeqCst);
        let now = c.now();
        let mut next: Option<u64> = None;
        if !c.in_request.load(SeqCst) {
            let answered = c.answered_at.load(SeqCst);
            if answered != 0 {
                let at = answered + ms(d.write);
                if now >= at {
                    if c.write_blocked.load(Relaxed) {
                        return Expired::Write;
                    }
                    // Written (a write that did not block leaves hyper nothing to
                    // wait for): the write deadline is over.
                    let _ = c
                        .answered_at
                        .compare_exchange(answered, 0, Relaxed, Relaxed);
                } else {
                    next = Some(at);
                }
            }
            let head = c.head_started.load(SeqCst);
            if head != 0 {
                let at = (head + ms(d.header)).min(c.last_read.load(Relaxed) + ms(d.idle));
                if now >= at {
                    return Expired::Head;
                }
                next = Some(next.map_or(at, |n| n.min(at)));
            } else if !c.write_blocked.load(Relaxed) {
                let at = c.idle_since.load(SeqCst) + ms(d.idle);
                if now >= at {
                    return Expired::Idle;
                }
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        c.armed.store(next.unwrap_or(NOT_ARMED), SeqCst);
        match next {
            None => notified.await,
            Some(at) => {
                let at = c.instant(at).into();
                if sleep.deadline() != at {
                    sleep.as_mut().reset(at);
                }
                tokio::select! {
                    _ = notified => {}
                    _ = sleep.as_mut() => {}
                }
            }
        }
    }
}

/// The socket as hyper reads and writes it, telling the connection's [`Conn`] when
/// bytes arrive and whether writes block. The stream is shared so that the watchdog
/// can still answer 408 on it once hyper's connection is dropped.
struct Io {
    stream: Arc<TcpStream>,
    conn: Arc<Conn>,
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            // Read into hyper's buffer as it is, uninitialized: zeroing its 8 KiB first
            // (`initialize_unfilled`) cost more than the rest of an answer's reading.
            // SAFETY: recv only writes bytes into it, and only the `n` it wrote are
            // marked filled below.
            let unfilled = unsafe { buf.unfilled_mut() };
            let room = unfilled.len();
            let mut got = None;
            // A read that did not fill the buffer emptied the socket (epoll is edge
            // triggered): its readiness is cleared as for a read that would block (the
            // closure's WouldBlock), so that hyper, asking for the next request once
            // this one is answered, parks at once instead of making a read that finds
            // nothing. Tokio's own `TcpStream::poll_read` does the same; the stream is
            // shared here, so its `try_io` does it.
            let r = self.stream.try_io(tokio::io::Interest::READABLE, || {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&*self.stream);
                // SAFETY: recv into a valid buffer of `room` bytes.
                let n = unsafe { libc::recv(fd, unfilled.as_mut_ptr().cast(), room, 0) };
                if n < 0 {
                    return Err(io::Error::last_os_error());
                }
                let n = n as usize;
                got = Some(n);
                if n > 0 && n < room {
                    Err(io::ErrorKind::WouldBlock.into())
                } else {
                    Ok(())
                }
            });
            match (got, r) {
                (Some(n), _) => {
                    // SAFETY: recv wrote these `n` bytes.
                    unsafe { buf.assume_init(n) };
                    buf.advance(n);
                    if n > 0 {
                        self.conn.on_read();
                    }
                    return Poll::Ready(Ok(()));
                }
                // The readiness was stale; `try_io` cleared it.
                (None, Err(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                (None, Err(e)) => return Poll::Ready(Err(e)),
                (None, Ok(())) => unreachable!("a read that succeeded sets `got`"),
            }
        }
    }
}

impl Io {
    /// The sealed memory file of the answer being written, while it is alive.
    fn sealed_body(&self) -> Option<Arc<Sealed>> {
        self.conn
            .sealed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .upgrade()
    }

    fn poll_write_with(
        &self,
        cx: &mut Context<'_>,
        write: impl Fn(&TcpStream) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            match self.stream.poll_write_ready(cx) {
                Poll::Pending => {
                    self.conn.write_blocked.store(true, Relaxed);
                    return Poll::Pending;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            match write(&self.stream) {
                Ok(n) => {
                    self.conn.write_blocked.store(false, Relaxed);
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |s| s.try_write(buf))
    }

    /// Hyper hands over the head and the body together. A body in a sealed memory
    /// file goes out with `sendfile`, uncopied, and the head before it with `MSG_MORE`,
    /// so that the kernel sends the two as one stream of full segments.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        #[cfg(target_os = "linux")]
        if let Some(sealed) = self.sealed_body()
            && let Some(first) = bufs.iter().position(|b| !b.is_empty())
        {
            use std::os::fd::AsRawFd;
            if let Some(offset) = sealed.offset_of(&bufs[first]) {
                let (fd, len) = (self.stream.as_raw_fd(), bufs[first].len());
                return self.poll_write_with(cx, |s| {
                    s.try_io(tokio::io::Interest::WRITABLE, || {
                        sealed.send_to(fd, offset, len)
                    })
                });
            }
            if let Some(n) = bufs[first..]
                .iter()
                .position(|b| sealed.offset_of(b).is_some())
            {
                let head = &bufs[..first + n];
                return self.poll_write_with(cx, |s| {
                    s.try_io(tokio::io::Interest::WRITABLE, || {
                        socket2::SockRef::from(s).send_vectored_with_flags(head, libc::MSG_MORE)
                    })
                });
            }
        }
        self.poll_write_with(cx, |s| s.try_write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let sock = socket2::SockRef::from(&*self.stream);
        Poll::Ready(match sock.shutdown(std::net::Shutdown::Write) {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            r => r,
        })
    }
}

/// Accepts connections until `stop` is set, each as its own task; then tells the open
/// ones to finish (an idle one closes at once, one being answered after its answer)
/// and waits for them at most the write timeout.
pub(crate) async fn accept_loop(
    state: Arc<State>,
    listener: TcpListener,
    stop: &std::sync::atomic::AtomicBool,
) {
    let (stopping, stop_rx) = watch::channel(false);
    let mut failing = false;
    while !stop.load(Relaxed) {
        let (stream, peer) = match tokio::time::timeout(ACCEPT_POLL, listener.accept()).await {
            Err(_) => continue,
            Ok(Ok(accepted)) => accepted,
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                ) =>
            {
                continue;
            }
            Ok(Err(e)) => {
                // Out of file descriptors or memory: the ones in use are freed as
                // connections close, so wait a little and go on accepting.
                if !failing {
                    tracing::warn!("accepting a connection failed: {e}; retrying");
                    failing = true;
                }
                tokio::time::sleep(ACCEPT_POLL).await;
                continue;
            }
        };
        if std::mem::take(&mut failing) {
            tracing::info!("accepting connections again");
        }
        let opts = &state.opts;
        match state.open.admit(
            peer.ip(),
            opts.max_connections,
            opts.max_connections_per_client,
        ) {
            Ok(admitted) => {
                tokio::spawn(serve_connection(
                    Arc::clone(&state),
                    stream,
                    admitted,
                    stop_rx.clone(),
                ));
            }
            Err(e) => {
                tokio::spawn(refuse(Arc::clone(&state), stream, e));
            }
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    // Answers being written get the write timeout; a client slower than that is cut.
    let until = Instant::now() + state.opts.write_timeout + Duration::from_millis(500);
    while state.open.count() > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Answers a connection there is no room for with a 503 and closes it, unread.
async fn refuse(state: Arc<State>, mut stream: TcpStream, e: ApiError) {
    let status = e.status;
    let bytes = raw_error(e);
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&bytes).await?;
        stream.shutdown().await
    })
    .await;
    state
        .metrics
        .record(super::ROUTES.len(), status, Duration::ZERO);
}

/// An error answer written by hand, for when hyper has no request to answer (a full
/// server, a head that did not arrive in time): the JSON error, then close.
fn raw_error(e: ApiError) -> Vec<u8> {
    let status = e.status;
    let retry = if status == 503 {
        "Retry-After: 1\r\n"
    } else {
        ""
    };
    let reply = e.into_reply();
    let body = match reply.body {
        super::http::Body::Fresh { bytes, .. } => bytes,
        _ => Vec::new(),
    };
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nServer: optctl\r\nDate: {}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{retry}Content-Length: {}\r\nConnection: close\r\n\r\n",
        super::reason(status),
        super::http::now_http_date(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Serves one connection with hyper until it ends, a deadline passes, or the server
/// stops.
async fn serve_connection(
    state: Arc<State>,
    stream: TcpStream,
    _admitted: Admitted,
    mut stop: watch::Receiver<bool>,
) {
    let (local, peer) = match (stream.local_addr(), stream.peer_addr()) {
        (Ok(a), Ok(p)) => (a.ip(), p.ip()),
        _ => return,
    };
    let stream = Arc::new(stream);
    let deadlines = Deadlines {
        idle: state.opts.idle_timeout,
        header: state.opts.header_timeout,
        write: state.opts.write_timeout,
    };
    let conn = Arc::new(Conn::new(state.started, local, peer, deadlines));
    let io = Io {
        stream: Arc::clone(&stream),
        conn: Arc::clone(&conn),
    };
    let service = {
        let (state, conn) = (Arc::clone(&state), Arc::clone(&conn));
        hyper::service::service_fn(move |req| {
            let (state, conn) = (Arc::clone(&state), Arc::clone(&conn));
            async move { Ok::<_, Infallible>(state.respond(req, &conn).await) }
        })
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    // Header names go out as hyper keeps them, in lower case, as HTTP/2 sends them:
    // names are case-insensitive (RFC 9110), and title-casing them cost a tenth of
    // serve's instructions per answer.
    http.max_buf_size(MAX_HEAD_BYTES)
        // At most 100 header fields in a request (hyper's default; 431 past it), which
        // hyper parses into arrays on the stack: a limit set here, even the same,
        // makes it allocate and fill two arrays for every request head it reads.
        // The header deadline is the watchdog's, which answers 408 in JSON.
        .header_read_timeout(None)
        // A client that closes its sending side after its request still gets the
        // answer. And hyper no longer reads while an answer is being made to see
        // whether the client left: that read took a fresh read buffer on every
        // request (the old one still held the request's head), an 8 KiB allocation
        // an answer. A client that left is found when its answer is written.
        .half_close(true);
    let mut served = Box::pin(http.serve_connection(hyper_util::rt::TokioIo::new(io), service));
    let mut stopping = *stop.borrow();
    if stopping {
        served.as_mut().graceful_shutdown();
    }
    let expired = loop {
        tokio::select! {
            _ = served.as_mut() => break None,
            e = watchdog(&conn) => break Some(e),
            r = stop.changed(), if !stopping => {
                stopping = true;
                if r.is_ok() {
                    served.as_mut().graceful_shutdown();
                }
            }
        }
    };
    // Hyper's connection (and its handle on the socket) goes first.
    drop(served);
    match expired {
        None | Some(Expired::Idle) => {}
        Some(Expired::Write) => {
            // Reset, not close: a close would leave the kernel sending what its buffer
            // holds to the slow client, megabytes at the client's pace.
            let _ = socket2::SockRef::from(&*stream).set_linger(Some(Duration::ZERO));
            tracing::debug!("dropped a client that did not read its answer in time");
        }
        Some(Expired::Head) => {
            let e = ApiError::new(
                408,
                "request_timeout",
                format!(
                    "the request head did not arrive in time (within {} s of its first byte, {} s between bytes)",
                    deadlines.header.as_secs(),
                    deadlines.idle.as_secs()
                ),
            );
            state
                .metrics
                .record(super::ROUTES.len(), 408, Duration::ZERO);
            if let Ok(stream) = Arc::try_unwrap(stream) {
                answer_and_close(stream, &raw_error(e)).await;
            }
        }
    }
}

/// Writes `bytes` (within a second), then closes gracefully: no more writes, and what
/// the client still sends is read (at most [`LINGER_BYTES`] for at most [`LINGER`]) so
/// the answer is not lost to a reset.
async fn answer_and_close(mut stream: TcpStream, bytes: &[u8]) {
    let written = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(bytes).await?;
        stream.shutdown().await
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        return;
    }
    let _ = tokio::time::timeout(LINGER, async {
        let mut chunk = [0u8; 8192];
        let mut read = 0;
        while read < LINGER_BYTES {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
    })
    .await;
}

/// A listening socket for tokio with TCP_NODELAY, which Linux copies to accepted
/// sockets: a large body goes out in a second write, and Nagle plus delayed ACKs would
/// hold it for up to 40 ms on a keep-alive connection.
pub(crate) fn listen(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Raises the soft limit on open files towards the hard one so `max_connections` can
/// be held (many systems start processes at 1024).
pub(crate) fn raise_fd_limit(want: usize) {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        let want = (want as libc::rlim_t).min(lim.rlim_max);
        if lim.rlim_cur < want {
            lim.rlim_cur = want;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_limited_in_all_and_per_client() {
        let open = Arc::new(Open::default());
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let a1 = open.admit(a, 3, 2).unwrap();
        let _a2 = open.admit(a, 3, 2).unwrap();
        let e = open.admit(a, 3, 2).err().unwrap();
        assert!(
            e.message.contains("max_connections_per_client"),
            "{}",
            e.message
        );
        let _b1 = open.admit(b, 3, 2).unwrap();
        let e = open.admit(b, 3, 2).err().unwrap();
        assert!(
            e.message.contains("serve.max_connections)"),
            "{}",
            e.message
        );
        assert_eq!(open.count(), 3);
        drop(a1);
        assert_eq!(open.count(), 2);
        assert!(open.admit(a, 3, 2).is_ok());
    }
}
