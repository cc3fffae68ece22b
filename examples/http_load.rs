//! A keep-alive HTTP/1.1 load client whose own cost does not grow with the answer's size:
//! it reads each answer's head into a small buffer and drops the rest of the body inside
//! the kernel (`recv` with `MSG_TRUNC | MSG_WAITALL`: the bytes are consumed, never copied
//! out). `benches/serve_scale.sh` uses it beside `wrk` for the large answers: on a machine
//! whose client and servers share two cores, wrk's own copying of a 394 KB chain takes
//! more CPU than either server spends sending it, so wrk's latencies there measure wrk.
//! A client on another host costs the server's machine nothing; this one costs it little.
//!
//!     http_load URL [--conns 32] [--secs 10] [--pace-ms 0] [--header 'Name: value']...
//!
//! One thread per connection, each sending `GET` and waiting for the whole answer before
//! the next (as wrk does), and with `--pace-ms N` waiting N ms between an answer and its
//! next request (wrk's `delay()`). Only `http://127.0.0.1:PORT/...` URLs. Answers must
//! carry `Content-Length` (both optctl serve and nginx's static files do). Prints one line:
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
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("http_load: {msg}");
    std::process::exit(1);
}

fn parse_args() -> Opts {
    let mut args = std::env::args().skip(1);
    let (mut url, mut conns, mut secs, mut pace, mut headers) = (None, 32, 10, 0, String::new());
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--conns" => conns = value("--conns").parse().unwrap_or_else(|e| fail(e)),
            "--secs" => secs = value("--secs").parse().unwrap_or_else(|e| fail(e)),
            "--pace-ms" => pace = value("--pace-ms").parse().unwrap_or_else(|e| fail(e)),
            "--header" => {
                headers.push_str(&value("--header"));
                headers.push_str("\r\n");
            }
            "-h" | "--help" => {
                println!(
                    "http_load URL [--conns 32] [--secs 10] [--pace-ms 0] [--header 'Name: value']..."
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
    let threads: Vec<_> = (0..o.conns)
        .map(|_| {
            let (request, stop, pace, addr) = (request.clone(), stop.clone(), o.pace, o.addr);
            std::thread::spawn(move || -> Result<(Vec<u32>, u64), String> {
                let mut s = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
                s.set_nodelay(true).ok();
                let (mut micros, mut non_2xx, mut buf) = (Vec::new(), 0, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let status = exchange(&mut s, &request, &mut buf)?;
                    micros.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    if !(200..400).contains(&status) {
                        non_2xx += 1;
                    }
                    if !pace.is_zero() {
                        std::thread::sleep(pace);
                    }
                }
                Ok((micros, non_2xx))
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(o.secs));
    stop.store(true, Ordering::Relaxed);
    let (mut all, mut non_2xx) = (Vec::new(), 0);
    for t in threads {
        match t.join().expect("load thread") {
            Ok((m, n)) => {
                all.extend(m);
                non_2xx += n;
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
