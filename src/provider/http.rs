//! The request path every real market-data source shares: a [`Client`] bound to one
//! source and its configured base URL sends each GET through the [`Throttle`] hook, then a
//! [`Transport`] (reqwest over rustls in production, a recorder for `optctl fetch --save`, a
//! replayer for `files`), and classifies the answer into [`Error`]'s classes.
//!
//! Parsing of each source's payloads lives in its own module (`provider::cboe`, ...);
//! serde helpers and time conversions shared by them in `provider::wire`; recording and
//! replaying raw responses in `provider::capture`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

pub use reqwest::Url;

use super::Error;

/// How many requests a source accepts per span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateSpec {
    /// Requests allowed per `per`.
    pub requests: u32,
    /// The span, as a [`Duration`].
    #[serde(serialize_with = "serialize_secs")]
    pub per: Duration,
}

fn serialize_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl RateSpec {
    /// `n` requests per second.
    pub const fn per_second(n: u32) -> Self {
        RateSpec {
            requests: n,
            per: Duration::from_secs(1),
        }
    }

    /// `n` requests per minute.
    pub const fn per_minute(n: u32) -> Self {
        RateSpec {
            requests: n,
            per: Duration::from_secs(60),
        }
    }

    /// The steady spacing between two requests at this rate.
    pub fn interval(&self) -> Duration {
        self.per / self.requests.max(1)
    }
}

impl std::fmt::Display for RateSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.per.as_secs() {
            1 => write!(f, "{}/s", self.requests),
            60 => write!(f, "{}/min", self.requests),
            s => write!(f, "{}/{s}s", self.requests),
        }
    }
}

/// The hook called before every HTTP request a source sends, so one limiter (persisted,
/// shared across processes) can pace all of them. The default, [`NoThrottle`], lets
/// everything through.
#[async_trait]
pub trait Throttle: Send + Sync {
    /// Returns when `provider` may send one more request at `rate` (its configured or
    /// default rate). An error (typically [`Error::RateLimited`]) cancels the request.
    async fn acquire(&self, provider: &str, symbol: &str, rate: RateSpec) -> Result<(), Error>;

    /// Called when `provider` answered 429 with a `Retry-After` of `wait`, so the limiter
    /// can hold every process back for that long.
    fn back_off(&self, _provider: &str, _wait: Duration) {}
}

/// A [`Throttle`] that never waits.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoThrottle;

#[async_trait]
impl Throttle for NoThrottle {
    async fn acquire(&self, _: &str, _: &str, _: RateSpec) -> Result<(), Error> {
        Ok(())
    }
}

/// One GET: the full URL on the configured base, extra headers, and what it is for.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    pub headers: HeaderMap,
    /// Short label for logs and saved file names (`options`, `expirations`, ...).
    pub what: &'static str,
    /// The ticker or symbol the request serves (for error messages).
    pub symbol: String,
    /// The source's name (for error messages).
    pub provider: &'static str,
}

impl Request {
    /// Path and query, the part a recording is keyed by (never holds a secret: keys and
    /// tokens travel in headers).
    pub fn key(&self) -> String {
        path_and_query(&self.url)
    }
}

/// The path and query of `url` (`/v7/finance/options/AAPL?date=1`).
pub fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// A response as received: any status, headers, the (decompressed) body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// When it arrived (the `Date` header when the server sent one, else the local clock).
    pub received_at: DateTime<Utc>,
}

impl Response {
    /// The `Set-Cookie` pairs (`name=value`, attributes dropped).
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(|p| p.trim().to_string())
            .filter(|p| p.contains('=') && !p.starts_with('='))
            .collect()
    }
}

/// Sends requests. Errors are already classified (connection failures and timeouts are
/// [`Error::Unavailable`]); any HTTP status is an `Ok` response.
#[async_trait]
pub trait Transport: Send + Sync {
    async fn send(&self, req: &Request) -> Result<Response, Error>;
}

/// Timeouts and identity of the production client (`[provider.http]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Longest a whole request may take, body included, seconds.
    pub timeout_seconds: f64,
    /// Longest to wait for a connection (TCP + TLS), seconds.
    pub connect_timeout_seconds: f64,
    /// Longest to wait between two reads of a response, seconds.
    pub read_timeout_seconds: f64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout_seconds: 30.0,
            connect_timeout_seconds: 10.0,
            read_timeout_seconds: 20.0,
        }
    }
}

impl HttpConfig {
    /// Checks every timeout is a positive number of seconds.
    pub fn check(&self) -> Result<(), String> {
        for (key, v) in [
            ("timeout_seconds", self.timeout_seconds),
            ("connect_timeout_seconds", self.connect_timeout_seconds),
            ("read_timeout_seconds", self.read_timeout_seconds),
        ] {
            if !(v > 0.0 && v.is_finite() && v <= 86_400.0) {
                return Err(format!(
                    "provider.http.{key}: must be a positive number of seconds, got {v}"
                ));
            }
        }
        Ok(())
    }
}

/// The User-Agent optctl sends to sources that accept a plain client.
pub const USER_AGENT: &str = concat!("optctl/", env!("CARGO_PKG_VERSION"));
/// A browser-like User-Agent for sources that refuse non-browser clients (Yahoo, NSE).
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/// The production transport: reqwest with rustls (no system OpenSSL), gzip, a
/// User-Agent and connect, read and total timeouts.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    timeout: Duration,
}

impl HttpTransport {
    /// A client sending `user_agent`, with the timeouts of `cfg`.
    pub fn new(cfg: &HttpConfig, user_agent: &str) -> Result<Self, crate::Error> {
        let secs = Duration::from_secs_f64;
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(secs(cfg.timeout_seconds))
            .connect_timeout(secs(cfg.connect_timeout_seconds))
            .read_timeout(secs(cfg.read_timeout_seconds))
            .gzip(true)
            .build()
            .map_err(|e| crate::Error::Failed(format!("cannot set up the HTTP client: {e}")))?;
        Ok(HttpTransport {
            client,
            timeout: secs(cfg.timeout_seconds),
        })
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, req: &Request) -> Result<Response, Error> {
        let target = format!(
            "{}{}",
            req.url.host_str().unwrap_or(""),
            req.url.port().map(|p| format!(":{p}")).unwrap_or_default()
        );
        let unavailable = |e: reqwest::Error| Error::Unavailable {
            provider: req.provider.into(),
            symbol: req.symbol.clone(),
            detail: describe_reqwest(e, &target, req.what, self.timeout),
        };
        tracing::debug!(provider = req.provider, what = req.what, "GET {}", req.url);
        let resp = self
            .client
            .get(req.url.clone())
            .headers(req.headers.clone())
            .send()
            .await
            .map_err(unavailable)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(unavailable)?.to_vec();
        let received_at = headers
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| DateTime::parse_from_rfc2822(s).ok())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        tracing::debug!(
            provider = req.provider,
            what = req.what,
            status,
            bytes = body.len(),
            "response"
        );
        Ok(Response {
            status,
            headers,
            body,
            received_at,
        })
    }
}

/// One line naming what went wrong, without the URL (its query can hold a session crumb).
fn describe_reqwest(e: reqwest::Error, target: &str, what: &str, timeout: Duration) -> String {
    let e = e.without_url();
    let mut causes = Vec::new();
    let mut cur = std::error::Error::source(&e);
    while let Some(c) = cur {
        let s = c.to_string();
        if !causes.contains(&s) {
            causes.push(s);
        }
        cur = c.source();
    }
    let cause = if causes.is_empty() {
        String::new()
    } else {
        format!(": {}", causes.join(": "))
    };
    if e.is_timeout() {
        format!(
            "{what} request to {target} timed out (limit {} s){cause}",
            timeout.as_secs_f64()
        )
    } else if e.is_connect() {
        format!("cannot connect to {target}{cause}")
    } else if e.is_body() || e.is_decode() {
        format!("the {what} response from {target} was cut off{cause}")
    } else {
        format!("{what} request to {target} failed: {e}{cause}")
    }
}

/// An API key or token: never shown by `Debug`, `Display` or `Serialize` (so neither
/// `optctl config show` nor a log line nor a saved capture can leak it).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

/// What a secret looks like wherever it is printed.
pub const REDACTED: &str = "[redacted]";

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The value itself, for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A `Bearer` authorization header value, marked sensitive so the HTTP stack never logs it.
pub fn bearer(secret: &Secret) -> Result<HeaderValue, String> {
    let mut v = HeaderValue::from_str(&format!("Bearer {}", secret.expose()))
        .map_err(|_| "the key contains characters a header cannot carry".to_string())?;
    v.set_sensitive(true);
    Ok(v)
}

/// The request path of one source: base URL, rate, throttle, transport, secrets to scrub.
#[derive(Clone)]
pub struct Client {
    provider: &'static str,
    base: Url,
    rate: RateSpec,
    transport: Arc<dyn Transport>,
    throttle: Arc<dyn Throttle>,
    secrets: Vec<String>,
}

impl Client {
    /// A client for `provider` at `base` (scheme, host and port).
    pub fn new(
        provider: &'static str,
        base: Url,
        rate: RateSpec,
        transport: Arc<dyn Transport>,
        throttle: Arc<dyn Throttle>,
    ) -> Self {
        Client {
            provider,
            base,
            rate,
            transport,
            throttle,
            secrets: Vec::new(),
        }
    }

    /// Adds a secret that must never appear in an error message (a body echoing it back).
    pub fn with_secret(mut self, secret: Option<&Secret>) -> Self {
        if let Some(s) = secret.filter(|s| s.expose().len() >= 4) {
            self.secrets.push(s.expose().to_string());
        }
        self
    }

    pub fn provider(&self) -> &'static str {
        self.provider
    }

    pub fn rate(&self) -> RateSpec {
        self.rate
    }

    /// `base` + the path `segments` (each percent-encoded) + `query`.
    pub fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        url_on(&self.base, segments, query)
    }

    /// A request of `what` for `symbol` to `url`, with `headers`.
    pub fn request(
        &self,
        what: &'static str,
        symbol: &str,
        url: Url,
        headers: HeaderMap,
    ) -> Request {
        Request {
            url,
            headers,
            what,
            symbol: symbol.to_string(),
            provider: self.provider,
        }
    }

    /// Sends one request through the throttle and the transport; any status is `Ok`.
    pub async fn send(&self, req: &Request) -> Result<Response, Error> {
        self.throttle
            .acquire(self.provider, &req.symbol, self.rate)
            .await?;
        self.transport.send(req).await.map_err(|e| self.scrub(e))
    }

    /// Sends one request and classifies any non-2xx status ([`classify`]); `auth_hint`
    /// tells the user how to fix a refused key.
    pub async fn get(&self, req: &Request, auth_hint: &str) -> Result<Response, Error> {
        let resp = self.send(req).await?;
        self.check(req, &resp, auth_hint)?;
        Ok(resp)
    }

    /// [`classify`] with this client's secrets scrubbed and the throttle told of a 429.
    pub fn check(&self, req: &Request, resp: &Response, auth_hint: &str) -> Result<(), Error> {
        let result = classify(self.provider, &req.symbol, resp, auth_hint, Utc::now());
        if let Err(Error::RateLimited {
            retry_after: Some(wait),
            ..
        }) = &result
        {
            self.throttle.back_off(self.provider, *wait);
        }
        result.map_err(|e| self.scrub(e))
    }

    /// Replaces every secret in an error's text with [`REDACTED`].
    pub fn scrub(&self, e: Error) -> Error {
        if self.secrets.is_empty() {
            return e;
        }
        let clean = |s: String| {
            self.secrets
                .iter()
                .fold(s, |acc, secret| acc.replace(secret.as_str(), REDACTED))
        };
        match e {
            Error::Unavailable {
                provider,
                symbol,
                detail,
            } => Error::Unavailable {
                provider,
                symbol,
                detail: clean(detail),
            },
            Error::Malformed {
                provider,
                symbol,
                detail,
            } => Error::Malformed {
                provider,
                symbol,
                detail: clean(detail),
            },
            Error::Auth { provider, detail } => Error::Auth {
                provider,
                detail: clean(detail),
            },
            other => other,
        }
    }
}

/// `base` + the path `segments` (each percent-encoded) + `query`.
pub fn url_on(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.clear().extend(segments);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url
}

/// Checks a configured base URL: http(s), a host, an optional port, and nothing else
/// (the source appends its own documented path).
pub fn parse_base_url(key: &str, value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("{key}: {value:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{key}: {value:?} must start with https:// or http://"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{key}: {value:?} has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{key}: {value:?} must be scheme, host and port only (like \"https://example.com:8443\"); optctl appends the path"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{key}: put credentials in the key or token setting, not in the URL"
        ));
    }
    Ok(url)
}

/// How much of a body an error message quotes.
pub const QUOTE_BYTES: usize = 120;

/// The start of `body` as printable text, for error messages.
pub fn head(body: &[u8]) -> String {
    let cut = &body[..body.len().min(QUOTE_BYTES)];
    let text = String::from_utf8_lossy(cut);
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > QUOTE_BYTES {
        format!("{text:?}...")
    } else {
        format!("{text:?}")
    }
}

/// Maps a non-2xx status onto the error classes (2xx is `Ok`):
///
/// | status | class |
/// | --- | --- |
/// | 401, 403 | [`Error::Auth`], with `auth_hint` saying which setting holds the key |
/// | 400, 404, 410, 422 | [`Error::UnknownSymbol`] |
/// | 429 | [`Error::RateLimited`], `Retry-After` in seconds or as an HTTP date |
/// | 408, 5xx | [`Error::Unavailable`] |
/// | anything else | [`Error::Malformed`] naming the status and the body's start |
pub fn classify(
    provider: &str,
    symbol: &str,
    resp: &Response,
    auth_hint: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let status = resp.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let (provider, symbol) = (provider.to_string(), symbol.to_string());
    let said = if resp.body.is_empty() {
        String::new()
    } else {
        format!("; it said {}", head(&resp.body))
    };
    Err(match status {
        401 | 403 => Error::Auth {
            provider,
            detail: format!("HTTP {status} fetching {symbol}: {auth_hint}{said}"),
        },
        400 | 404 | 410 | 422 => {
            tracing::debug!("{provider}: HTTP {status} for {symbol}{said}");
            Error::UnknownSymbol { provider, symbol }
        }
        429 => Error::RateLimited {
            provider,
            symbol,
            retry_after: resp
                .headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, now)),
        },
        408 | 500..=599 => Error::Unavailable {
            provider,
            symbol,
            detail: format!("HTTP {status}{said}"),
        },
        _ => Error::Malformed {
            provider,
            symbol,
            detail: format!("unexpected HTTP {status}{said}"),
        },
    })
}

/// A `Retry-After` value: delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026
/// 07:28:00 GMT`, which counts from `now`; a past date is zero). `None` when unreadable.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        Response {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
            received_at: Utc::now(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap()
    }

    fn class(r: &Response) -> Error {
        classify("polygon", "AAPL", r, "set OPTCTL_POLYGON_API_KEY", now()).unwrap_err()
    }

    #[test]
    fn statuses_map_onto_the_error_classes() {
        assert!(classify("p", "A", &resp(200, &[], "{}"), "", now()).is_ok());
        assert!(classify("p", "A", &resp(204, &[], ""), "", now()).is_ok());
        for status in [401, 403] {
            let e = class(&resp(status, &[], "{\"error\":\"Unknown API Key\"}"));
            let msg = e.to_string();
            assert!(matches!(e, Error::Auth { .. }), "{e:?}");
            assert!(msg.contains("OPTCTL_POLYGON_API_KEY"), "{msg}");
            assert!(msg.contains("Unknown API Key"), "{msg}");
            assert!(!e.is_retryable());
        }
        for status in [400, 404, 410, 422] {
            assert!(matches!(
                class(&resp(status, &[], "")),
                Error::UnknownSymbol { .. }
            ));
        }
        for status in [408, 500, 502, 503, 504] {
            let e = class(&resp(status, &[], "upstream down"));
            assert!(e.is_retryable(), "{status}");
            assert!(e.to_string().contains(&format!("HTTP {status}")), "{e}");
        }
        let e = class(&resp(418, &[], "teapot"));
        assert!(matches!(e, Error::Malformed { .. }) && !e.is_retryable());
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let e = class(&resp(429, &[("Retry-After", "7")], ""));
        assert!(matches!(
            e,
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(7)
        ));
        assert!(e.is_retryable());
        let e = class(&resp(
            429,
            &[("Retry-After", "Mon, 23 Nov 2026 15:01:30 GMT")],
            "",
        ));
        assert!(matches!(
            e,
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(90)
        ));
        let e = class(&resp(429, &[], ""));
        assert!(matches!(
            e,
            Error::RateLimited {
                retry_after: None,
                ..
            }
        ));
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 14:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn base_urls_are_scheme_host_and_port_only() {
        assert!(parse_base_url("k", "https://cdn.cboe.com").is_ok());
        assert!(parse_base_url("k", "http://127.0.0.1:8080/").is_ok());
        for bad in [
            "cdn.cboe.com",
            "ftp://x.com",
            "https://x.com/api",
            "https://x.com?a=1",
            "https://user:pw@x.com",
        ] {
            let e = parse_base_url("provider.cboe.base_url", bad).unwrap_err();
            assert!(e.starts_with("provider.cboe.base_url"), "{e}");
        }
    }

    #[test]
    fn urls_encode_each_segment_and_the_query() {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let u = url_on(
            &base,
            &["v8", "finance", "chart", "BRK B/C"],
            &[("symbol", "M&M")],
        );
        assert_eq!(
            path_and_query(&u),
            "/v8/finance/chart/BRK%20B%2FC?symbol=M%26M"
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("pk_live_123456");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"[redacted]\"");
        assert!(bearer(&s).unwrap().is_sensitive());
        let client = Client::new(
            "polygon",
            Url::parse("http://127.0.0.1:9").unwrap(),
            RateSpec::per_minute(5),
            Arc::new(NoTransport),
            Arc::new(NoThrottle),
        )
        .with_secret(Some(&s));
        let e = client.scrub(Error::Auth {
            provider: "polygon".into(),
            detail: "key pk_live_123456 refused".into(),
        });
        assert_eq!(
            e.to_string(),
            "polygon: authentication failed: key [redacted] refused"
        );
    }

    #[test]
    fn cookies_keep_name_and_value_only() {
        let r = resp(
            404,
            &[
                (
                    "Set-Cookie",
                    "A3=d=AQAB&S=x; Expires=Tue, 1 Dec 2027; Domain=.yahoo.com",
                ),
                ("Set-Cookie", "nsit=abc; Path=/; HttpOnly"),
                ("Set-Cookie", "=broken"),
            ],
            "",
        );
        assert_eq!(r.cookies(), ["A3=d=AQAB&S=x", "nsit=abc"]);
    }

    #[test]
    fn rates_print_per_unit() {
        assert_eq!(RateSpec::per_minute(5).to_string(), "5/min");
        assert_eq!(RateSpec::per_second(2).to_string(), "2/s");
        assert_eq!(
            RateSpec::per_minute(120).interval(),
            Duration::from_millis(500)
        );
    }

    /// Answers one connection with `reply` (or holds it open when `None`).
    fn one_shot(reply: Option<Vec<u8>>) -> Url {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/x", listener.local_addr().unwrap())).unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            match reply {
                Some(r) => {
                    let _ = s.write_all(&r);
                }
                None => std::thread::sleep(Duration::from_secs(3)),
            }
        });
        url
    }

    fn get(url: Url, cfg: &HttpConfig) -> Request {
        let _ = cfg;
        Request {
            url,
            headers: HeaderMap::new(),
            what: "chain",
            symbol: "CLX".into(),
            provider: "cboe",
        }
    }

    #[tokio::test]
    async fn the_transport_unzips_and_dates_responses() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(br#"{"zipped":true}"#).unwrap();
        let body = gz.finish().unwrap();
        let mut reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nDate: Mon, 23 Nov 2026 15:00:00 GMT\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        reply.extend(body);
        let cfg = HttpConfig::default();
        let t = HttpTransport::new(&cfg, USER_AGENT).unwrap();
        let resp = t.send(&get(one_shot(Some(reply)), &cfg)).await.unwrap();
        assert_eq!(resp.body, br#"{"zipped":true}"#);
        assert_eq!(resp.received_at.to_rfc3339(), "2026-11-23T15:00:00+00:00");
    }

    #[tokio::test]
    async fn a_silent_server_times_out_as_a_temporary_failure() {
        let cfg = HttpConfig {
            timeout_seconds: 0.3,
            ..HttpConfig::default()
        };
        let t = HttpTransport::new(&cfg, USER_AGENT).unwrap();
        let e = t.send(&get(one_shot(None), &cfg)).await.unwrap_err();
        assert!(e.is_retryable(), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("timed out (limit 0.3 s)"), "{msg}");
    }

    struct NoTransport;
    #[async_trait]
    impl Transport for NoTransport {
        async fn send(&self, req: &Request) -> Result<Response, Error> {
            Err(Error::Unavailable {
                provider: req.provider.into(),
                symbol: req.symbol.clone(),
                detail: "no transport".into(),
            })
        }
    }

    /// Counts acquisitions and refuses the third.
    struct Budget(std::sync::Mutex<u32>);
    #[async_trait]
    impl Throttle for Budget {
        async fn acquire(&self, provider: &str, symbol: &str, rate: RateSpec) -> Result<(), Error> {
            let mut n = self.0.lock().unwrap();
            *n += 1;
            assert_eq!(rate, RateSpec::per_minute(5));
            if *n > 2 {
                return Err(Error::RateLimited {
                    provider: provider.into(),
                    symbol: symbol.into(),
                    retry_after: Some(Duration::from_secs(12)),
                });
            }
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_request_goes_through_the_throttle_first() {
        let budget = Arc::new(Budget(std::sync::Mutex::new(0)));
        let client = Client::new(
            "polygon",
            Url::parse("http://127.0.0.1:9").unwrap(),
            RateSpec::per_minute(5),
            Arc::new(NoTransport),
            budget.clone(),
        );
        let req = client.request("x", "AAPL", client.url(&["x"], &[]), HeaderMap::new());
        for _ in 0..2 {
            // Let through: the transport is reached (and fails).
            let e = client.send(&req).await.unwrap_err();
            assert!(e.to_string().contains("no transport"), "{e}");
        }
        // Refused by the throttle: the transport is never reached.
        let e = client.send(&req).await.unwrap_err();
        assert!(matches!(e, Error::RateLimited { .. }), "{e}");
        assert_eq!(*budget.0.lock().unwrap(), 3);
    }
}
