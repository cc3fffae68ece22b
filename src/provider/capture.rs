//! Raw responses saved by `optctl fetch --save DIR` and replayed by the `files` provider:
//! record today, replay tomorrow through the very same parsing code.
//!
//! One capture is one `chain` or `bars` call of one source, in its own folder:
//!
//! ```text
//! DIR/<TICKER>/<fetched %Y%m%dT%H%M%SZ>-<provider>-<chain|bars-1d|...>/
//!     capture.json          the sidecar: provider, kind, ticker, time, settings, responses
//!     01-session.txt        each response body, bytes as received (after gzip)
//!     02-options.json
//! ```
//!
//! Replay answers each request with the saved response of the same path and query, else
//! the next unused one in the order they were recorded (a bars capture replays for any
//! range: the source keeps only the bars in the range asked for).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::Error;
use super::http::{Request, Response, Transport};
use crate::market::Timeframe;

/// The sidecar's file name.
pub const SIDECAR: &str = "capture.json";
/// The sidecar's `format` value.
pub const FORMAT: &str = "optctl-capture/1";

/// What a capture holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Chain,
    Bars,
}

/// The sidecar of one capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    /// Always [`FORMAT`].
    pub format: String,
    pub provider: String,
    pub kind: Kind,
    /// The ticker asked for, upper case.
    pub ticker: String,
    /// When the call started (UTC).
    pub fetched_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<Timeframe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// The source's config section at the time (secrets redacted), so replay asks for
    /// the same pages (`max_expirations`, `api`, ...).
    pub settings: serde_json::Value,
    pub responses: Vec<Entry>,
}

/// One saved response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Body file name, next to the sidecar.
    pub file: String,
    /// What the request was for (`options`, `expirations`, ...).
    pub what: String,
    /// Path and query of the request (no host: replay does not care where it came from).
    pub request: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// The responses a [`Recorder`] kept, in order; one recording can serve several
/// transports (a source's client and its cookie warm-up).
#[derive(Debug, Default)]
pub struct Recording(Mutex<Vec<(Entry, Vec<u8>)>>);

impl Recording {
    /// The responses recorded so far, in order, leaving the recording empty.
    pub fn take(&self) -> Vec<(Entry, Vec<u8>)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A transport that passes requests on and keeps a copy of every response.
pub struct Recorder {
    inner: Arc<dyn Transport>,
    log: Arc<Recording>,
}

impl Recorder {
    pub fn new(inner: Arc<dyn Transport>, log: Arc<Recording>) -> Self {
        Recorder { inner, log }
    }
}

#[async_trait]
impl Transport for Recorder {
    async fn send(&self, req: &Request) -> Result<Response, Error> {
        let resp = self.inner.send(req).await?;
        let header = |name| {
            resp.headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(header::CONTENT_TYPE);
        let mut log = self.log.0.lock().unwrap_or_else(|e| e.into_inner());
        let ext = extension(content_type.as_deref(), &resp.body);
        let entry = Entry {
            file: format!("{:02}-{}.{ext}", log.len() + 1, req.what),
            what: req.what.to_string(),
            request: req.key(),
            status: resp.status,
            content_type,
            retry_after: header(header::RETRY_AFTER),
            received_at: resp.received_at,
        };
        log.push((entry, resp.body.clone()));
        Ok(resp)
    }
}

fn extension(content_type: Option<&str>, body: &[u8]) -> &'static str {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let start = body.trim_ascii_start().first().copied();
    if ct.contains("json") || matches!(start, Some(b'{' | b'[')) {
        "json"
    } else if ct.contains("html") || start == Some(b'<') {
        "html"
    } else {
        "txt"
    }
}

/// Writes a capture folder under `dir/<TICKER>/` and returns its path. The folder is
/// written under a temporary dot-name and renamed, so replay never sees half a capture.
pub fn write(dir: &Path, meta: &Capture, bodies: &[Vec<u8>]) -> std::io::Result<PathBuf> {
    let ticker = meta.ticker.to_ascii_uppercase();
    if ticker.is_empty() || ticker.starts_with('.') || ticker.contains(['/', '\\', '\0']) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("ticker {:?} cannot be used as a folder name", meta.ticker),
        ));
    }
    let parent = dir.join(&ticker);
    std::fs::create_dir_all(&parent)?;
    let kind = match (meta.kind, meta.timeframe) {
        (Kind::Chain, _) => "chain".to_string(),
        (Kind::Bars, Some(tf)) => format!("bars-{tf}"),
        (Kind::Bars, None) => "bars".to_string(),
    };
    let name = format!(
        "{}-{}-{kind}",
        meta.fetched_at.format("%Y%m%dT%H%M%SZ"),
        meta.provider
    );
    let dest = parent.join(&name);
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let written = (|| {
        std::fs::create_dir(&temp)?;
        for (entry, body) in meta.responses.iter().zip(bodies) {
            std::fs::write(temp.join(&entry.file), body)?;
        }
        let sidecar = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
        std::fs::write(temp.join(SIDECAR), sidecar)?;
        if dest.exists() {
            std::fs::remove_dir_all(&dest)?;
        }
        std::fs::rename(&temp, &dest)
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    written.map(|()| dest)
}

/// Reads a capture's sidecar. Errors name the file and what is wrong.
pub fn read_sidecar(folder: &Path) -> Result<Capture, String> {
    let path = folder.join(SIDECAR);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let meta: Capture = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a capture sidecar: {e}", path.display()))?;
    if meta.format != FORMAT {
        return Err(format!(
            "{}: format {:?}, expected {FORMAT:?}",
            path.display(),
            meta.format
        ));
    }
    Ok(meta)
}

/// A transport answering from a capture's saved responses.
pub struct Replay {
    folder: PathBuf,
    responses: Vec<(Entry, Vec<u8>)>,
    used: Mutex<Vec<bool>>,
}

impl Replay {
    /// Loads every body of the capture in `folder` (described by `meta`).
    pub fn load(folder: &Path, meta: &Capture) -> Result<Replay, String> {
        let mut responses = Vec::with_capacity(meta.responses.len());
        for entry in &meta.responses {
            if entry.file.contains(['/', '\\']) || entry.file.starts_with('.') {
                return Err(format!(
                    "{}: response file {:?} must be a plain name in the folder",
                    folder.join(SIDECAR).display(),
                    entry.file
                ));
            }
            let path = folder.join(&entry.file);
            let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            responses.push((entry.clone(), body));
        }
        let used = Mutex::new(vec![false; responses.len()]);
        Ok(Replay {
            folder: folder.to_path_buf(),
            responses,
            used,
        })
    }
}

#[async_trait]
impl Transport for Replay {
    async fn send(&self, req: &Request) -> Result<Response, Error> {
        let key = req.key();
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let pick = self
            .responses
            .iter()
            .position(|(e, _)| e.request == key)
            .or_else(|| used.iter().position(|u| !u));
        let Some(i) = pick else {
            return Err(Error::Malformed {
                provider: req.provider.into(),
                symbol: req.symbol.clone(),
                detail: format!(
                    "the capture in {} has no response for GET {key}",
                    self.folder.display()
                ),
            });
        };
        used[i] = true;
        let (entry, body) = &self.responses[i];
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (header::CONTENT_TYPE, &entry.content_type),
            (header::RETRY_AFTER, &entry.retry_after),
        ] {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, v);
            }
        }
        Ok(Response {
            status: entry.status,
            headers,
            body: body.clone(),
            received_at: entry.received_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::http::Url;

    /// Answers `/a` with JSON and anything else with text, counting calls.
    struct Fake;
    #[async_trait]
    impl Transport for Fake {
        async fn send(&self, req: &Request) -> Result<Response, Error> {
            let json = req.url.path() == "/a";
            let mut headers = HeaderMap::new();
            if json {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            Ok(Response {
                status: 200,
                headers,
                body: if json {
                    br#"{"a":1}"#.to_vec()
                } else {
                    format!("crumb for {}", req.key()).into_bytes()
                },
                received_at: DateTime::parse_from_rfc3339("2026-11-23T15:00:00Z")
                    .unwrap()
                    .with_timezone(&Utc),
            })
        }
    }

    fn req(path: &str) -> Request {
        Request {
            url: Url::parse(&format!("http://127.0.0.1:1{path}")).unwrap(),
            headers: HeaderMap::new(),
            what: if path.starts_with("/a") { "a" } else { "b" },
            symbol: "AAPL".into(),
            provider: "yahoo",
        }
    }

    #[tokio::test]
    async fn recorded_responses_replay_by_request_then_in_order() {
        let recording = Arc::new(Recording::default());
        let rec = Recorder::new(Arc::new(Fake), recording.clone());
        rec.send(&req("/b?x=1")).await.unwrap();
        rec.send(&req("/a")).await.unwrap();
        let log = recording.take();
        assert_eq!(log[0].0.file, "01-b.txt");
        assert_eq!(log[1].0.file, "02-a.json");
        let meta = Capture {
            format: FORMAT.into(),
            provider: "yahoo".into(),
            kind: Kind::Bars,
            ticker: "aapl".into(),
            fetched_at: log[0].0.received_at,
            timeframe: Some(Timeframe::D1),
            from: None,
            to: None,
            settings: serde_json::json!({}),
            responses: log.iter().map(|(e, _)| e.clone()).collect(),
        };
        let bodies: Vec<_> = log.into_iter().map(|(_, b)| b).collect();
        let dir = tempfile::tempdir().unwrap();
        let folder = write(dir.path(), &meta, &bodies).unwrap();
        assert_eq!(
            folder,
            dir.path()
                .join("AAPL")
                .join("20261123T150000Z-yahoo-bars-1d")
        );
        let back = read_sidecar(&folder).unwrap();
        assert_eq!(back, meta);
        let replay = Replay::load(&folder, &back).unwrap();
        // Same request: the same response, whatever the order.
        let a = replay.send(&req("/a")).await.unwrap();
        assert_eq!(a.body, br#"{"a":1}"#);
        assert_eq!(
            a.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        // Another query: the next unused response in recorded order.
        let b = replay.send(&req("/b?x=2")).await.unwrap();
        assert_eq!(b.body, b"crumb for /b?x=1");
        let e = replay.send(&req("/c")).await.unwrap_err();
        assert!(e.to_string().contains("has no response for GET /c"), "{e}");
    }

    #[test]
    fn a_broken_sidecar_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SIDECAR), "{\"format\": 1}").unwrap();
        let e = read_sidecar(dir.path()).unwrap_err();
        assert!(e.contains("capture.json: not a capture sidecar"), "{e}");
    }
}
