//! HTTP plumbing shared by the handlers: response bodies rendered once and shared,
//! ETags, gzip, the JSON error shape, and query-string parsing.
//! The route table and the request loop are in `serve` (mod.rs); handlers in `handlers`.

use std::hash::Hasher;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde::Serialize;

use super::sealed::Sealed;

/// Bodies smaller than this go out uncompressed: gzip's header would eat the gain.
pub(crate) const GZIP_MIN_BYTES: usize = 256;

/// A body rendered once (at load time for the hot routes, at start for the dashboard
/// page) and shared by every response that sends it, with its ETag and a gzip copy made
/// at most once. Mostly JSON; the page's HTML uses it too.
#[derive(Debug)]
pub(crate) struct Rendered {
    json: Bytes,
    etag: String,
    /// The gzip variant's tag: a strong ETag names one representation (RFC 9110 §8.8.3).
    gzip_etag: String,
    gzip: OnceLock<Option<Bytes>>,
    /// The sealed memory files the bodies are in, when they are (chain files), so the
    /// connection sends them with `sendfile`.
    sealed: Vec<Arc<Sealed>>,
}

impl Rendered {
    /// Serializes `value`; the ETag is a hash of the bytes, so equal bodies share a tag
    /// across reloads and restarts (a client's cached copy stays valid when an export
    /// rewrote the same data).
    pub(crate) fn new<T: Serialize + ?Sized>(value: &T) -> Rendered {
        Rendered::from_bytes(serde_json::to_vec(value).expect("JSON of in-memory rows"))
    }

    /// Wraps bytes that are already rendered (JSON, or the page's HTML).
    pub(crate) fn from_bytes(json: Vec<u8>) -> Rendered {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        h.write(&json);
        let tag = format!("{:016x}-{:x}", h.finish(), json.len());
        Rendered {
            etag: format!("\"{tag}\""),
            gzip_etag: format!("\"{tag}-gz\""),
            json: json.into(),
            gzip: OnceLock::new(),
            sealed: Vec::new(),
        }
    }

    /// Bytes with their tags given (a file whose SHA-256 names it), and their gzip
    /// copy with its own tag when there is one; no gzip copy is then made here.
    pub(crate) fn with_tags(json: Bytes, etag: String, gzip: Option<(Bytes, String)>) -> Rendered {
        let (gz, gzip_etag) = match gzip {
            Some((bytes, tag)) => (Some(bytes), tag),
            None => (None, String::new()),
        };
        Rendered {
            json,
            etag,
            gzip_etag,
            gzip: OnceLock::from(gz),
            sealed: Vec::new(),
        }
    }

    /// Says that the bodies are (slices of) `sealed`, for [`Rendered::sealed_for`].
    pub(crate) fn in_sealed(mut self, sealed: Vec<Arc<Sealed>>) -> Rendered {
        self.sealed = sealed;
        self
    }

    /// Whether the files the bodies are sent from still hold what was read (an export
    /// file written in place by hand does not).
    pub(crate) fn files_unchanged(&self) -> bool {
        self.sealed.iter().all(|s| s.unchanged())
    }

    /// The sealed memory file `body` (this document's plain or gzip bytes) is in, if any.
    pub(crate) fn sealed_for(&self, body: &Bytes) -> Option<&Arc<Sealed>> {
        self.sealed.iter().find(|s| s.offset_of(body).is_some())
    }

    /// Renders and compresses now, so the first client does not pay for it.
    pub(crate) fn precompressed<T: Serialize + ?Sized>(value: &T) -> Rendered {
        let r = Rendered::new(value);
        r.gzip();
        r
    }

    pub(crate) fn json(&self) -> &Bytes {
        &self.json
    }

    pub(crate) fn etag(&self) -> &str {
        &self.etag
    }

    pub(crate) fn gzip_etag(&self) -> &str {
        &self.gzip_etag
    }

    /// The gzip copy, compressed on first use; None for bodies too small to be worth it.
    pub(crate) fn gzip(&self) -> Option<&Bytes> {
        self.gzip
            .get_or_init(|| (self.json.len() >= GZIP_MIN_BYTES).then(|| gzip(&self.json).into()))
            .as_ref()
    }
}

/// Compresses with the default level: hot bodies are compressed once per reload, so
/// the smaller output is worth the extra time.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    enc.write_all(bytes).expect("gzip to memory");
    enc.finish().expect("gzip to memory")
}

/// A response as a handler gives it, before `finish` adds ETag, gzip and the rest.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Body,
    /// Extra headers (`Allow`, `WWW-Authenticate`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// What a reply carries.
#[derive(Debug)]
pub(crate) enum Body {
    /// A cacheable JSON document: gets an ETag, Cache-Control and gzip.
    Json(Arc<Rendered>),
    /// The dashboard page: HTML with an ETag and gzip like a JSON document, but
    /// revalidated on every load (`no-cache`) so a new optctl's page is seen at once.
    Page(Arc<Rendered>),
    /// Text that must not be cached (errors, /health, /metrics).
    Fresh {
        bytes: Vec<u8>,
        content_type: &'static str,
    },
    /// No body (204, 304).
    Empty,
}

impl Reply {
    /// 200 with a shared, pre-rendered document.
    pub(crate) fn shared(r: &Arc<Rendered>) -> Reply {
        Reply {
            status: 200,
            body: Body::Json(Arc::clone(r)),
            headers: Vec::new(),
        }
    }

    /// A document that changes on every request: never cached, no ETag.
    pub(crate) fn fresh_json<T: Serialize + ?Sized>(status: u16, value: &T) -> Reply {
        Reply {
            status,
            body: Body::Fresh {
                bytes: serde_json::to_vec(value).expect("JSON of in-memory values"),
                content_type: "application/json",
            },
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// An error answer: `{"error": {"code": ..., "message": ...}}` with its status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 naming the query parameter (or path part) that is wrong.
    pub(crate) fn bad_param(name: &str, detail: impl std::fmt::Display) -> ApiError {
        ApiError::new(400, "bad_request", format!("{name}: {detail}"))
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, "not_found", message)
    }

    pub(crate) fn into_reply(self) -> Reply {
        Reply::fresh_json(
            self.status,
            &serde_json::json!({"error": {"code": self.code, "message": self.message}}),
        )
    }
}

/// The current time as an HTTP date (`Mon, 23 Nov 2026 15:00:00 GMT`), formatted at
/// most once a second per thread.
pub(crate) fn now_http_date() -> std::rc::Rc<str> {
    use std::cell::RefCell;
    use std::time::{SystemTime, UNIX_EPOCH};
    thread_local! {
        static CACHE: RefCell<(u64, std::rc::Rc<str>)> = RefCell::new((u64::MAX, "".into()));
    }
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != secs {
            let t: chrono::DateTime<chrono::Utc> = now.into();
            *c = (
                secs,
                t.format("%a, %d %b %Y %H:%M:%S GMT").to_string().into(),
            );
        }
        std::rc::Rc::clone(&c.1)
    })
}

/// Whether an `Accept-Encoding` value accepts gzip (`gzip` or `*`, q not 0).
pub(crate) fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        if !(name.eq_ignore_ascii_case("gzip") || name == "*") {
            return false;
        }
        parts.all(|p| {
            let p = p.trim();
            match p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                Some(q) => q.trim().parse::<f32>().map_or(true, |q| q > 0.0),
                None => true,
            }
        })
    })
}

/// Whether any `Authorization` value (every header line, every comma-separated
/// credential in it) is `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1).
pub(crate) fn bearer_matches<'a>(values: impl Iterator<Item = &'a [u8]>, token: &str) -> bool {
    let mut ok = false;
    for value in values {
        for credential in value.split(|&b| b == b',') {
            let credential = credential.trim_ascii();
            let Some(space) = credential.iter().position(|&b| b == b' ') else {
                continue;
            };
            let (scheme, given) = credential.split_at(space);
            if scheme.eq_ignore_ascii_case(b"bearer") {
                // No early exit: every credential is compared in constant time.
                ok |= constant_time_eq(given.trim_ascii(), token.as_bytes());
            }
        }
    }
    ok
}

/// Whether an `If-None-Match` value names `etag` (or is `*`). Weak tags (`W/"..."`)
/// match too: a GET may use weak comparison (RFC 9110 §13.1.2).
pub(crate) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
    })
}

/// Constant-time equality, so the time a wrong token takes says nothing about how much
/// of it was right. Only the length can leak, and the length of a token is no secret.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the optimiser from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

/// A parsed query string; handlers take parameters by name and parse them.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `a=1&b=x%20y`. A malformed escape is a 400 naming the parameter.
    ///
    /// Linear in the length of the query: names seen are kept in a hash set, so a query
    /// of thousands of distinct names costs no more than reading it.
    pub(crate) fn parse(raw: &str) -> Result<Query, ApiError> {
        let mut pairs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = percent_decode(k).ok_or_else(|| {
                ApiError::bad_param("query", format!("bad percent-escape in {k:?}"))
            })?;
            let value =
                percent_decode(v).ok_or_else(|| ApiError::bad_param(&key, "bad percent-escape"))?;
            if !seen.insert(key.clone()) {
                return Err(ApiError::bad_param(&key, "given more than once"));
            }
            pairs.push((key, value));
        }
        Ok(Query { pairs })
    }

    /// Refuses a parameter the route does not take, so a typo (`min_scor`) is an error
    /// instead of a silently ignored filter.
    pub(crate) fn check_known(&self, known: &[&str]) -> Result<(), ApiError> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            None => Ok(()),
            Some((k, _)) if known.is_empty() => Err(ApiError::bad_param(
                k,
                "unknown query parameter; this route takes none",
            )),
            Some((k, _)) => Err(ApiError::bad_param(
                k,
                format!(
                    "unknown query parameter; expected one of {}",
                    known.join(", ")
                ),
            )),
        }
    }

    /// The parameters in name order, as one string: the same filter spelt in another
    /// order is the same key in the filtered-answer cache.
    pub(crate) fn normalized(&self) -> String {
        let mut pairs: Vec<_> = self.pairs.iter().collect();
        pairs.sort();
        let mut out = String::new();
        for (k, v) in pairs {
            out.push_str(k);
            out.push('=');
            out.push_str(v);
            out.push('&');
        }
        out
    }

    /// Whether `name` was given.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The raw value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parses `name` with `parse`; a failure is a 400 naming `name`.
    pub(crate) fn parse_with<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|v| parse(v).map_err(|e| ApiError::bad_param(name, e)))
            .transpose()
    }
}

/// Decodes `%XX` escapes and `+` (a space in query strings); None on a bad escape or
/// bytes that are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                // Two hex digits exactly: `from_str_radix` alone would take `+5`.
                let hi = hex_digit(*b.get(i + 1)?)?;
                let lo = hex_digit(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let d = now_http_date();
        assert!(d.ends_with(" GMT") && d.len() == 29, "{d}");
    }

    #[test]
    fn gzip_negotiation() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("br, gzip;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip(""));
    }

    #[test]
    fn etags_match_lists_weak_and_star() {
        assert!(etag_matches("\"a\"", "\"a\""));
        assert!(etag_matches("\"x\", W/\"a\"", "\"a\""));
        assert!(etag_matches("*", "\"a\""));
        assert!(!etag_matches("\"b\"", "\"a\""));
    }

    #[test]
    fn bearer_credentials_in_any_line_or_list_and_any_case() {
        let ok = |lines: &[&str]| bearer_matches(lines.iter().map(|l| l.as_bytes()), "t0k");
        assert!(ok(&["Bearer t0k"]));
        assert!(ok(&["bearer t0k"]));
        assert!(ok(&["BEARER  t0k "]));
        assert!(ok(&["Basic abc", "Bearer t0k"]));
        assert!(ok(&["Basic abc, Bearer t0k"]));
        assert!(!ok(&["Bearer t0", "Basic t0k"]));
        assert!(!ok(&["Bearert0k"]));
        assert!(!ok(&[]));
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }

    #[test]
    fn query_parsing_names_the_parameter() {
        let q = Query::parse("ticker=AAPL&min_score=50&x=a%20b+c").unwrap();
        assert_eq!(q.get("ticker"), Some("AAPL"));
        assert_eq!(q.get("x"), Some("a b c"));
        let e = q.check_known(&["ticker", "min_score"]).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.starts_with("x: unknown"), "{}", e.message);
        let e = Query::parse("a=%zz").unwrap_err();
        assert!(e.message.starts_with("a:"), "{}", e.message);
        assert!(Query::parse("a=%+5").is_err(), "a sign is no hex digit");
        assert!(Query::parse("a=%-5").is_err());
        assert_eq!(Query::parse("a=%2b").unwrap().get("a"), Some("+"));
        let e = Query::parse("a=1&a=2").unwrap_err();
        assert!(e.message.contains("more than once"));
        let e = q
            .parse_with("min_score", |_| Err::<f64, _>("nope".into()))
            .unwrap_err();
        assert_eq!(e.message, "min_score: nope");
    }

    /// The repeated-name check is a hash set: 40,000 distinct names parse in one pass
    /// (comparing each name with every earlier one took seconds here).
    #[test]
    fn query_parsing_is_linear_in_the_number_of_names() {
        let raw: String = (0..40_000).map(|i| format!("n{i}=1&")).collect();
        let started = std::time::Instant::now();
        let q = Query::parse(&raw).unwrap();
        assert_eq!(q.get("n39999"), Some("1"));
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
        let dup = format!("{raw}n7=2");
        assert!(Query::parse(&dup).unwrap_err().message.starts_with("n7:"));
    }

    #[test]
    fn rendered_bodies_share_tags_and_compress_once() {
        let big = vec![7u32; 500];
        let a = Rendered::new(&big);
        let b = Rendered::new(&big);
        assert_eq!(a.etag(), b.etag());
        let gz = a.gzip().unwrap().clone();
        assert_eq!(gz.as_ptr(), a.gzip().unwrap().as_ptr(), "compressed once");
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), &a.json()[..]);
        assert!(Rendered::new(&1).gzip().is_none());
    }
}
