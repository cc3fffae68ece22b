//! Load benchmark of `optctl serve`: N keep-alive connections hammer one route.
//!
//!   cargo bench --bench serve_load
//!
//! Starts the optctl binary (built by cargo for this bench) on 127.0.0.1 with a fresh
//! data home filled by a real `optctl scan` + `optctl export`, then opens `CONNS`
//! connections, each on its own thread sending `GET PATH` over HTTP/1.1 keep-alive, one
//! request at a time, for `SECS` seconds after a one-second warm-up. Prints requests per
//! second, latency percentiles and errors (any status but 200, any I/O failure).
//! Only ever connects to 127.0.0.1. Environment knobs (all optional):
//!
//!   SERVE_BENCH_SECS=10  SERVE_BENCH_CONNS=32  SERVE_BENCH_PATH=/alerts/latest
//!   SERVE_BENCH_THREADS=0 (server --threads; 0 = one per core)  SERVE_BENCH_GZIP=1 (Accept-Encoding: gzip)
//!   SERVE_BENCH_TICKERS=100 (tickers scanned)  SERVE_BENCH_SCANS=1 (scan + export in a
//!   loop during the measurement, as cron would)  SERVE_BENCH_NICE=10 (run those
//!   scans and exports under `nice -n 10`)  SERVE_BENCH_IDLE=10000 (first open that
//!   many idle keep-alive connections and hold them through the run; then also time
//!   200 fresh connections, each connect + one request + close, while they are held)
//!
//! Client and server share the machine's cores, so the figures are a floor.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn optctl(home: &Path) -> Command {
    optctl_niced(home, 0)
}

/// An optctl command, under `nice -n NICE` when NICE > 0.
fn optctl_niced(home: &Path, nice: u32) -> Command {
    let bin = env!("CARGO_BIN_EXE_optctl");
    let mut c = if nice > 0 {
        let mut c = Command::new("nice");
        c.args(["-n", &nice.to_string(), bin]);
        c
    } else {
        Command::new(bin)
    };
    c.env("OPTCTL_HOME", home)
        .env("XDG_CONFIG_HOME", home.join("cfg"))
        .env_remove("OPTCTL_CONFIG")
        .env_remove("OPTCTL_NOW")
        .env_remove("RUST_LOG")
        .arg("-q");
    c
}

fn run_ok(mut c: Command) {
    let out = c.output().expect("run optctl");
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "{:?}: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its status.
fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).map_err(std::io::Error::other)?;
            let status: u16 = head
                .get(9..12)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
            let len: usize = head
                .split("\r\n")
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .ok_or_else(|| std::io::Error::other("no Content-Length"))?;
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

struct ClientResult {
    latencies_us: Vec<u32>,
    errors: u64,
    bytes: usize,
}

fn client(addr: SocketAddr, request: Arc<Vec<u8>>, warm: Instant, end: Instant) -> ClientResult {
    let mut r = ClientResult {
        latencies_us: Vec::with_capacity(1 << 16),
        errors: 0,
        bytes: 0,
    };
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut stream: Option<TcpStream> = None;
    while Instant::now() < end {
        let s = match stream.as_mut() {
            Some(s) => s,
            None => match TcpStream::connect(addr) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    stream.insert(s)
                }
                Err(_) => {
                    r.errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let t0 = Instant::now();
        let result = s
            .write_all(&request)
            .and_then(|_| read_response(s, &mut buf));
        let took = t0.elapsed();
        let measured = t0 >= warm;
        match result {
            Ok(200) => {
                if measured {
                    r.latencies_us
                        .push(took.as_micros().min(u32::MAX as u128) as u32);
                    r.bytes = buf.len();
                }
            }
            Ok(_) | Err(_) => {
                if measured {
                    r.errors += 1;
                }
                stream = None;
            }
        }
    }
    r
}

fn main() {
    // `cargo bench` passes --bench; a filter argument selects nothing here.
    let secs: u64 = env("SERVE_BENCH_SECS", 10);
    let conns: usize = env("SERVE_BENCH_CONNS", 32);
    let path: String = env("SERVE_BENCH_PATH", "/alerts/latest".to_string());
    let threads: usize = env("SERVE_BENCH_THREADS", 0);
    let gzip: bool = env("SERVE_BENCH_GZIP", 0u8) == 1;
    let tickers: usize = env("SERVE_BENCH_TICKERS", 100);
    let with_scans: bool = env("SERVE_BENCH_SCANS", 0u8) == 1;
    let nice: u32 = env("SERVE_BENCH_NICE", 0);
    let idle: usize = env("SERVE_BENCH_IDLE", 0);

    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path().to_path_buf();
    std::fs::create_dir_all(home.join("cfg/optctl")).unwrap();
    // Anomalies on a tenth of the tickers, so /alerts/latest has a realistic body.
    std::fs::write(
        home.join("cfg/optctl/config.toml"),
        format!(
            "[provider.sim]\nanomaly_rate = 0.1\n[serve]\nmax_connections = {0}\nmax_connections_per_client = {0}\nidle_timeout_seconds = 600\n",
            idle + conns + 1000
        ),
    )
    .unwrap();
    let list: Vec<String> = (0..tickers).map(|i| format!("T{i:04}")).collect();
    let list = list.join(",");
    let t0 = "2026-11-23T15:00:00Z";
    let mut scan = optctl(&home);
    scan.args(["scan", "--tickers", &list, "--as-of", t0]);
    run_ok(scan);
    let mut export = optctl(&home);
    export.args(["export", "--as-of", t0]);
    run_ok(export);

    let mut server = optctl(&home)
        .args(["serve", "--port", "0", "--threads", &threads.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start optctl serve");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("serve said {line:?}"))
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());

    let accept = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    let request =
        Arc::new(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{accept}\r\n").into_bytes());

    // Idle keep-alive connections held through the run, each having asked once.
    let mut held = Vec::with_capacity(idle);
    for i in 0..idle {
        let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("idle connection {i}: {e}"));
        s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        held.push(s);
    }
    for s in &mut held {
        let mut buf = [0u8; 4096];
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let n = s.read(&mut buf).unwrap_or(0);
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "an idle connection was refused"
        );
    }
    if idle > 0 {
        println!("  holding {idle} idle keep-alive connections");
    }

    // Optional background writer: scans and exports in a loop, as cron would run them.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = with_scans.then(|| {
        let (stop, home, list) = (stop.clone(), home.clone(), list.clone());
        std::thread::spawn(move || {
            let mut rounds = 0u32;
            while !stop.load(Ordering::Relaxed) {
                rounds += 1;
                let at = chrono_like(rounds);
                let mut scan = optctl_niced(&home, nice);
                scan.args(["scan", "--tickers", &list, "--as-of", &at]);
                run_ok(scan);
                let mut export = optctl_niced(&home, nice);
                export.args(["export", "--as-of", &at]);
                run_ok(export);
            }
            rounds
        })
    });

    let start = Instant::now();
    let warm = start + Duration::from_secs(1);
    let end = warm + Duration::from_secs(secs);
    let handles: Vec<_> = (0..conns)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || client(addr, request, warm, end))
        })
        .collect();
    let results: Vec<ClientResult> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    stop.store(true, Ordering::Relaxed);
    let rounds = writer.map(|w| w.join().unwrap());

    let mut lat: Vec<u32> = results
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let errors: u64 = results.iter().map(|r| r.errors).sum();
    let bytes = results.iter().map(|r| r.bytes).max().unwrap_or(0);
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i] as f64 / 1000.0
    };
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "serve_load: GET {path} gzip={gzip}, {conns} keep-alive connections, {secs} s (+1 s warm-up), server --threads {}, {tickers} tickers scanned, cores {nproc}",
        if threads == 0 {
            "0 (one per core)".to_string()
        } else {
            threads.to_string()
        }
    );
    println!("  response: {bytes} bytes (headers + body)");
    println!(
        "  {:.0} req/s ({} requests), errors {errors}",
        lat.len() as f64 / secs as f64,
        lat.len()
    );
    println!(
        "  latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(0.999),
        lat.last().map_or(f64::NAN, |&m| m as f64 / 1000.0)
    );
    if let Some(rounds) = rounds {
        println!("  scan + export rounds during the run: {rounds} (nice {nice})");
    }
    if idle > 0 {
        // A fresh client while the idle ones are held: connect, ask, read, close.
        let mut fresh: Vec<u32> = (0..200)
            .map(|_| {
                let t = Instant::now();
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(
                    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .unwrap();
                let mut out = Vec::new();
                s.read_to_end(&mut out).unwrap();
                assert!(out.starts_with(b"HTTP/1.1 200"));
                t.elapsed().as_micros() as u32
            })
            .collect();
        fresh.sort_unstable();
        println!(
            "  fresh connections with {idle} idle held, ms: p50 {:.3}  p99 {:.3}  max {:.3}",
            fresh[99] as f64 / 1000.0,
            fresh[197] as f64 / 1000.0,
            fresh[199] as f64 / 1000.0
        );
        let still = held
            .iter()
            .filter(|s| {
                s.set_nonblocking(true).unwrap();
                let mut b = [0u8; 1];
                matches!(s.peek(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
            })
            .count();
        println!("  idle connections still open at the end: {still} of {idle}");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let status = server.wait().unwrap();
    println!("  server exit: {status}");
    let _ = std::fs::remove_dir_all(&home);
}

/// The as-of time of background round `n`: ten minutes apart from 15:10Z.
fn chrono_like(n: u32) -> String {
    let minutes = 15 * 60 + 10 * n;
    format!(
        "2026-11-{:02}T{:02}:{:02}:00Z",
        23 + minutes / (24 * 60),
        (minutes / 60) % 24,
        minutes % 60
    )
}
