//! A keep-alive HTTP/1.1 load client whose own cost does not grow with the answer's size:
//! it reads each answer's head into a small buffer and drops the rest of the body inside
//! the kernel (`recv` with `MSG_TRUNC | MSG_WAITALL`: the bytes are consumed, never copied
//! out). `benches/serve_scale.sh` uses it beside `wrk` for the large answers: on a machine
//! whose client and servers share two cores, wrk's own copying of a 394 KB chain takes
//! more CPU than either server spends sending it, so wrk's latencies there measure wrk.
//! A client on another host costs the server's machine nothing; this one costs it little.
//!
//!     http_load URL [--conns 32] [--secs 10] [--pace-ms 0] [--threads 0] [--header 'Name: value']...
//!
//! One thread per connection, each sending `GET` and waiting for the whole answer before
//! the next (as wrk does), and with `--pace-ms N` waiting N ms between an answer and its
//! next request (wrk's `delay()`). With `--threads T` the connections are shared out
//! among T threads instead, each waiting on all of its connections at once (epoll), as
//! wrk's threads do: 32 blocking threads on 2 cores pay a context switch for every
//! answer they wait for, which costs the machine more than some servers' whole answer.
//! Only `http://127.0.0.1:PORT/...` URLs. Answers must carry `Content-Length` (both
//! optctl serve and nginx's static files do). Prints one line:
//!
//!     <req/s> <p50 ms> <p99 ms> <non-2xx> <requests> <max ms>
//!
//! and exits 1 with a message on the first I/O error or malformed answer.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Opts {
    addr: SocketAddr,
    path: String,
    conns: usize,
    secs: u64,
    pace: Duration,
    headers: String,
    /// 0: one blocking thread per connection; else this many threads, each an epoll
    /// loop over its share of the connections (as wrk's threads are).
    threads: usize,
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("http_load: {msg}");
    std::process::exit(1);
}

fn parse_args() -> Opts {
    let mut args = std::env::args().skip(1);
    let (mut url, mut conns, mut secs, mut pace, mut headers) = (None, 32, 10, 0, String::new());
    let mut threads = 0;
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--conns" => conns = value("--conns").parse().unwrap_or_else(|e| fail(e)),
            "--secs" => secs = value("--secs").parse().unwrap_or_else(|e| fail(e)),
            "--pace-ms" => pace = value("--pace-ms").parse().unwrap_or_else(|e| fail(e)),
            "--threads" => threads = value("--threads").parse().unwrap_or_else(|e| fail(e)),
            "--header" => {
                headers.push_str(&value("--header"));
                headers.push_str("\r\n");
            }
            "-h" | "--help" => {
                println!(
                    "http_load URL [--conns 32] [--secs 10] [--pace-ms 0] [--threads 0] [--header 'Name: value']..."
                );
                std::process::exit(0);
            }
            _ if url.is_none() => url = Some(a),
            _ => fail(format!("unexpected argument {a:?}")),
        }
    }
    let url = url.unwrap_or_else(|| fail("which URL? (http://127.0.0.1:PORT/path)"));
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| fail(format!("{url}: only http://127.0.0.1:PORT/... URLs")));
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| fail(format!("{url}: bad port {port:?}")));
    Opts {
        addr: ([127, 0, 0, 1], port).into(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        conns,
        secs,
        pace: Duration::from_millis(pace),
        headers,
        threads,
    }
}

/// The end of the head (after "\r\n\r\n"), the status and the Content-Length.
fn parse_head(buf: &[u8]) -> Option<Result<(usize, u16, usize), String>> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let Some(status) = status else {
        return Some(Err(format!("bad status line in {:?}", head)));
    };
    let length = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    });
    match length {
        Some(length) => Some(Ok((end, status, length))),
        None => Some(Err(format!("no Content-Length in {head:?}"))),
    }
}

/// Drops `n` bytes of the stream inside the kernel.
fn discard(s: &TcpStream, mut n: usize) -> std::io::Result<()> {
    while n > 0 {
        // SAFETY: with MSG_TRUNC a TCP socket consumes up to `n` bytes without writing
        // to the buffer, so a null pointer is never written through.
        let got = unsafe {
            libc::recv(
                s.as_raw_fd(),
                std::ptr::null_mut(),
                n,
                libc::MSG_TRUNC | libc::MSG_WAITALL,
            )
        };
        match got {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n if n < 0 => {
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            got => n -= got as usize,
        }
    }
    Ok(())
}

/// One answer: returns its status. `buf` keeps bytes read past it (none with one request
/// in flight, but kept honest).
fn exchange(s: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> Result<u16, String> {
    use std::io::Read;
    s.write_all(request).map_err(|e| format!("send: {e}"))?;
    let mut chunk = [0u8; 4096];
    let (end, status, length) = loop {
        if let Some(head) = parse_head(buf) {
            break head?;
        }
        let n = s.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let have = buf.len() - end;
    if have >= length {
        buf.drain(..end + length);
    } else {
        buf.clear();
        discard(s, length - have).map_err(|e| format!("body: {e}"))?;
    }
    Ok(status)
}

/// The answers one thread saw: each one's time in microseconds, and how many were not
/// 2xx or 3xx.
#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    non_2xx: u64,
}

impl Tally {
    /// An answer with `status` to a request sent at `sent`.
    fn add(&mut self, sent: Instant, status: u16) {
        self.micros
            .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if !(200..400).contains(&status) {
            self.non_2xx += 1;
        }
    }
}

/// One connection of [`event_loop`]: where it is in its exchange.
struct Conn {
    s: TcpStream,
    /// When the request in flight was sent; None while paced.
    sent: Option<Instant>,
    /// The answer's head read so far.
    buf: Vec<u8>,
    /// Body bytes still to drop, once the head was read.
    body: Option<usize>,
    status: u16,
    /// A paced connection's next request, due then.
    due: Option<Instant>,
}

impl Conn {
    /// Sends the request (small: the socket, empty of it, takes it whole).
    fn ask(&mut self, request: &[u8]) -> Result<(), String> {
        (&self.s)
            .write_all(request)
            .map_err(|e| format!("send: {e}"))?;
        self.sent = Some(Instant::now());
        self.due = None;
        Ok(())
    }
}

/// `n` connections served by one thread: each sends `GET`, waits for the whole answer
/// (head read, body dropped in the kernel as it comes), then asks again (after `pace`).
fn event_loop(
    addr: SocketAddr,
    n: usize,
    request: &[u8],
    pace: Duration,
    stop: &AtomicBool,
) -> Result<Tally, String> {
    use std::io::Read;
    // SAFETY: epoll_create1 takes no pointers.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if ep < 0 {
        return Err(format!("epoll: {}", std::io::Error::last_os_error()));
    }
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let s = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
        s.set_nodelay(true).ok();
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: i as u64,
        };
        // SAFETY: an open epoll descriptor, an open socket and a valid event.
        if unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, s.as_raw_fd(), &mut ev) } != 0 {
            return Err(format!("epoll_ctl: {}", std::io::Error::last_os_error()));
        }
        conns.push(Conn {
            s,
            sent: None,
            buf: Vec::new(),
            body: None,
            status: 0,
            due: Some(Instant::now()),
        });
    }
    let mut tally = Tally::default();
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; n.max(1)];
    let mut chunk = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        // Requests due (all at the start; after that only paced ones wait here).
        let now = Instant::now();
        let mut next_due: Option<Instant> = None;
        for c in conns.iter_mut() {
            match c.due {
                Some(d) if d <= now => c.ask(request)?,
                Some(d) => next_due = Some(next_due.map_or(d, |x: Instant| x.min(d))),
                None => {}
            }
        }
        // Wake at least every 100 ms to see the stop flag.
        let wait = next_due.map_or(Duration::from_millis(100), |d| {
            d.saturating_duration_since(Instant::now())
                .min(Duration::from_millis(100))
        });
        // Whole milliseconds, rounded up: not a spin until a paced request is due.
        let wait_ms = wait.as_micros().div_ceil(1000) as i32;
        // SAFETY: the event buffer is valid for `events.len()` entries.
        let got =
            unsafe { libc::epoll_wait(ep, events.as_mut_ptr(), events.len() as i32, wait_ms) };
        if got < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("epoll_wait: {e}"));
        }
        for ev in &events[..got as usize] {
            let c = &mut conns[ev.u64 as usize];
            if c.sent.is_none() {
                return Err("the server sent bytes or closed with no request in flight".into());
            }
            loop {
                if c.body.is_none() {
                    match (&c.s).read(&mut chunk) {
                        Ok(0) => return Err("the server closed the connection".into()),
                        Ok(k) => c.buf.extend_from_slice(&chunk[..k]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(format!("read: {e}")),
                    }
                    if let Some(head) = parse_head(&c.buf) {
                        let (end, status, length) = head?;
                        let have = c.buf.len() - end;
                        if have > length {
                            return Err("bytes past the answer with one request in flight".into());
                        }
                        c.status = status;
                        c.body = Some(length - have);
                        c.buf.clear();
                    }
                }
                if let Some(left) = c.body {
                    if left > 0 {
                        // SAFETY: with MSG_TRUNC a TCP socket consumes up to `left`
                        // bytes without writing to the buffer.
                        let k = unsafe {
                            libc::recv(
                                c.s.as_raw_fd(),
                                std::ptr::null_mut(),
                                left,
                                libc::MSG_TRUNC | libc::MSG_DONTWAIT,
                            )
                        };
                        match k {
                            0 => return Err("the server closed the connection".into()),
                            k if k < 0 => {
                                let e = std::io::Error::last_os_error();
                                if e.kind() == std::io::ErrorKind::WouldBlock {
                                    break;
                                }
                                return Err(format!("body: {e}"));
                            }
                            k => c.body = Some(left - k as usize),
                        }
                    }
                    if c.body == Some(0) {
                        tally.add(c.sent.take().expect("a request in flight"), c.status);
                        c.body = None;
                        if pace.is_zero() {
                            c.ask(request)?;
                        } else {
                            c.due = Some(Instant::now() + pace);
                        }
                        break;
                    }
                }
            }
        }
    }
    // SAFETY: the epoll descriptor made above, closed once.
    unsafe { libc::close(ep) };
    Ok(tally)
}

fn main() {
    let o = parse_args();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
        o.path, o.headers
    )
    .into_bytes();
    let request = Arc::new(request);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = if o.threads > 0 {
        (0..o.threads.min(o.conns))
            .map(|i| {
                // Connections i, i + T, i + 2T, ...: the share of thread i.
                let n = (o.conns - i).div_ceil(o.threads);
                let (request, stop, pace, addr) = (request.clone(), stop.clone(), o.pace, o.addr);
                std::thread::spawn(move || event_loop(addr, n, &request, pace, &stop))
            })
            .collect()
    } else {
        (0..o.conns)
            .map(|_| {
                let (request, stop, pace, addr) = (request.clone(), stop.clone(), o.pace, o.addr);
                std::thread::spawn(move || -> Result<Tally, String> {
                    let mut s = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
                    s.set_nodelay(true).ok();
                    let (mut tally, mut buf) = (Tally::default(), Vec::new());
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        let status = exchange(&mut s, &request, &mut buf)?;
                        tally.add(t, status);
                        if !pace.is_zero() {
                            std::thread::sleep(pace);
                        }
                    }
                    Ok(tally)
                })
            })
            .collect()
    };
    std::thread::sleep(Duration::from_secs(o.secs));
    stop.store(true, Ordering::Relaxed);
    let (mut all, mut non_2xx) = (Vec::new(), 0);
    for t in threads {
        match t.join().expect("load thread") {
            Ok(t) => {
                all.extend(t.micros);
                non_2xx += t.non_2xx;
            }
            Err(e) => fail(e),
        }
    }
    let took = started.elapsed().as_secs_f64();
    if all.is_empty() {
        fail("no answer in the run");
    }
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)] as f64 / 1000.0;
    println!(
        "{:.0} {:.3} {:.3} {} {} {:.3}",
        all.len() as f64 / took,
        pct(0.50),
        pct(0.99),
        non_2xx,
        all.len(),
        *all.last().unwrap() as f64 / 1000.0
    );
}
