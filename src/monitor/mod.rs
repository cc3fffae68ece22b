//! Dead-man's-switch pings (healthchecks.io-style push monitors): a job calls
//! `<url>/start` when it begins, `<url>` when it succeeds, `<url>/fail` (with the error
//! text as the body) when it fails, and `<url>/<exit code>` for the other non-zero exits
//! (3 partial, 75 another run holds the lock). A ping never fails the job, and all the
//! pings of one run share [`RUN_PING_BUDGET`] (2 s): `/start` may use half of it, the
//! final ping what `/start` left. Each ping is tried twice at most within its share, and
//! its failure is only logged as a warning.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub mod logfile;

/// The job this process runs and its run's id, for the lifecycle events raised below
/// the job that cannot know them (a breaker opening in a shared guard): the binary sets
/// the job, a job sets its run id once it has one (scan, enrich run).
static CURRENT_RUN: std::sync::Mutex<(&str, i64)> = std::sync::Mutex::new(("", 0));

/// Names the job this process runs (`""` for commands that are not jobs).
pub fn set_current_job(job: &'static str) {
    CURRENT_RUN.lock().unwrap_or_else(|p| p.into_inner()).0 = job;
}

/// Records the id of the run this process is in.
pub fn set_current_run_id(run_id: i64) {
    CURRENT_RUN.lock().unwrap_or_else(|p| p.into_inner()).1 = run_id;
}

/// The job and run id set above (`""` and 0 when unset).
pub fn current_run() -> (&'static str, i64) {
    *CURRENT_RUN.lock().unwrap_or_else(|p| p.into_inner())
}

/// `[log]`: how log lines look and where they go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// Log to this file instead of stderr (relative: to the data home), appended to by
    /// every process and rotated by size ([`logfile`]).
    pub file: Option<std::path::PathBuf>,
    /// Rotate the file when it reaches this many bytes.
    pub max_bytes: u64,
    /// Rotated files kept: `<file>.1` (the newest) … `<file>.<keep>`.
    pub keep: u32,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            format: LogFormat::Text,
            file: None,
            max_bytes: logfile::DEFAULT_MAX_BYTES,
            keep: logfile::DEFAULT_KEEP,
        }
    }
}

impl LogConfig {
    /// The log file, a relative `file` taken from the data home `home`.
    pub fn file_in(&self, home: &std::path::Path) -> Option<std::path::PathBuf> {
        self.file.as_ref().map(|f| home.join(f))
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.max_bytes < 1024 {
            return Err(format!(
                "log.max_bytes: {} is too small to hold a log line (at least 1024)",
                self.max_bytes
            ));
        }
        if self.file.as_ref().is_some_and(|f| f.as_os_str().is_empty()) {
            return Err("log.file: empty path".into());
        }
        Ok(())
    }
}

/// Human text lines, or one JSON object per line with the named lifecycle events
/// (target `optctl::event`; the README lists them with their fields). Failure events
/// are warnings, the others info.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The jobs that ping, as `[monitor.jobs]` names them.
pub const JOBS: [&str; 6] = [
    "scan",
    "export",
    "enrich",
    "process-excel",
    "migrate-scheduler",
    "notify",
];

/// The most time the pings of one run add to it, all attempts of `/start` and of the
/// final ping together: a receiver that hangs never holds a job up for longer.
pub const RUN_PING_BUDGET: Duration = Duration::from_secs(2);
/// The part of [`RUN_PING_BUDGET`] `/start` may use: the final ping, which tells the
/// monitor how the run ended, always keeps at least the other half.
pub const START_PING_SHARE: Duration = Duration::from_secs(1);
/// The most of the error text a `/fail` ping carries.
pub const MAX_BODY: usize = 10 * 1024;

/// `[monitor]`: where the jobs ping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// The ping URL of every job that has none of its own in `jobs`. Shown redacted
    /// (`config show`): whoever has a ping URL can ping it.
    #[serde(serialize_with = "ser_redacted_opt")]
    pub ping_url: Option<String>,
    /// A job's own ping URL, by job name (`scan`, `export`, `enrich`, `process-excel`,
    /// `migrate-scheduler`, `notify`).
    #[serde(serialize_with = "ser_redacted_map")]
    pub jobs: BTreeMap<String, String>,
}

fn redacted(u: &str) -> String {
    match reqwest::Url::parse(u) {
        Ok(url) => redact(&url),
        Err(_) => "[redacted]".into(),
    }
}

fn ser_redacted_opt<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    v.as_deref().map(redacted).serialize(s)
}

fn ser_redacted_map<S: serde::Serializer>(
    v: &BTreeMap<String, String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    v.iter()
        .map(|(k, u)| (k, redacted(u)))
        .collect::<BTreeMap<_, _>>()
        .serialize(s)
}

impl MonitorConfig {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(u) = &self.ping_url {
            check_url(u).map_err(|e| format!("monitor.ping_url: {e}"))?;
        }
        for (job, u) in &self.jobs {
            if !JOBS.contains(&job.as_str()) {
                return Err(format!(
                    "monitor.jobs.{job}: no such job (one of {})",
                    JOBS.join(", ")
                ));
            }
            check_url(u).map_err(|e| format!("monitor.jobs.{job}: {e}"))?;
        }
        Ok(())
    }

    /// The URL `job` pings: its own, else `ping_url`.
    pub fn url_for(&self, job: &str) -> Option<&str> {
        self.jobs
            .get(job)
            .or(self.ping_url.as_ref())
            .map(String::as_str)
    }
}

/// An http(s) URL with a host.
pub fn check_url(u: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(u).map_err(|e| format!("{u:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{u:?} must be an http:// or https:// URL"));
    }
    if url.cannot_be_a_base() {
        return Err(format!("{u:?} cannot take a path"));
    }
    Ok(url)
}

/// What a ping says.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// The run began: `<url>/start`.
    Start,
    /// The run succeeded: `<url>`.
    Success,
    /// The run failed (exit 1 or 2): `<url>/fail`, the error text as the body.
    Fail(String),
    /// Another non-zero exit (3, 75): `<url>/<code>`.
    Exit(u8),
}

impl Signal {
    /// The URL this signal goes to.
    pub fn url(&self, base: &reqwest::Url) -> reqwest::Url {
        let mut url = base.clone();
        let suffix = match self {
            Signal::Start => Some("start".to_string()),
            Signal::Success => None,
            Signal::Fail(_) => Some("fail".to_string()),
            Signal::Exit(code) => Some(code.to_string()),
        };
        if let Some(s) = suffix
            && let Ok(mut segs) = url.path_segments_mut()
        {
            segs.pop_if_empty().push(&s);
        }
        url
    }

    fn body(&self) -> String {
        match self {
            Signal::Fail(text) => bounded(text, MAX_BODY).to_string(),
            _ => String::new(),
        }
    }
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn bounded(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Sends one ping: a POST, tried again once if the first attempt fails, all within
/// `budget` (DNS, connecting, TLS and the answer included). The error says why the last
/// attempt failed.
pub async fn ping(base: &reqwest::Url, signal: &Signal, budget: Duration) -> Result<(), String> {
    let deadline = Instant::now() + budget;
    let client = reqwest::Client::builder()
        .user_agent(concat!("optctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let url = signal.url(base);
    let body = signal.body();
    let mut last = String::new();
    for attempt in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        // The first attempt leaves time for the second.
        let timeout = if attempt == 0 { left / 2 } else { left };
        let sent = client
            .post(url.clone())
            .timeout(timeout)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => last = format!("answered {}", r.status()),
            Err(e) if e.is_timeout() => last = format!("no answer within {timeout:.1?}"),
            Err(e) => last = without_url(e),
        }
    }
    Err(last)
}

/// The error without its URL (a ping URL is a secret: whoever has it can ping).
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(c) = src {
        s.push_str(&format!(": {c}"));
        src = c.source();
    }
    s
}

/// The URL as a log may show it: scheme and host only.
pub fn redact(url: &reqwest::Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default())
        + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
        + if url.path().len() > 1 {
            "/[redacted]"
        } else {
            ""
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_urls() {
        let base = check_url("https://hc-ping.com/abc-123").unwrap();
        assert_eq!(
            Signal::Start.url(&base).as_str(),
            "https://hc-ping.com/abc-123/start"
        );
        assert_eq!(
            Signal::Success.url(&base).as_str(),
            "https://hc-ping.com/abc-123"
        );
        assert_eq!(
            Signal::Fail("x".into()).url(&base).as_str(),
            "https://hc-ping.com/abc-123/fail"
        );
        assert_eq!(
            Signal::Exit(3).url(&base).as_str(),
            "https://hc-ping.com/abc-123/3"
        );
        let slash = check_url("https://hc-ping.com/abc/").unwrap();
        assert_eq!(
            Signal::Start.url(&slash).as_str(),
            "https://hc-ping.com/abc/start"
        );
    }

    #[test]
    fn fail_body_is_bounded_at_a_char_boundary() {
        let text = "é".repeat(MAX_BODY);
        let body = Signal::Fail(text).body();
        assert!(body.len() <= MAX_BODY && body.len() >= MAX_BODY - 1);
    }

    #[test]
    fn urls_serialize_redacted() {
        let mut c = MonitorConfig {
            ping_url: Some("https://hc-ping.com/secret-uuid".into()),
            ..Default::default()
        };
        c.jobs
            .insert("scan".into(), "http://127.0.0.1:8000/other".into());
        let j = serde_json::to_string(&c).unwrap();
        assert!(!j.contains("secret-uuid") && !j.contains("other"), "{j}");
        assert!(j.contains("https://hc-ping.com/[redacted]"), "{j}");
    }

    #[test]
    fn unknown_job_and_bad_url_are_named() {
        let mut c = MonitorConfig::default();
        c.jobs.insert("scna".into(), "http://x/y".into());
        assert!(c.validate().unwrap_err().contains("monitor.jobs.scna"));
        let c = MonitorConfig {
            ping_url: Some("ftp://x".into()),
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().contains("monitor.ping_url"));
    }
}
