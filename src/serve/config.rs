//! `[serve]`: the settings of `optctl serve`; its flags override them.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Deserializer, Serialize};

/// Settings of `optctl serve`; its flags override them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to listen on. Anything but loopback needs a token (or --allow-no-token).
    #[serde(deserialize_with = "ip_address")]
    pub bind: IpAddr,
    pub port: u16,
    /// Threads that answer requests (connections are tasks on them, so an idle one
    /// costs no thread); 0 = one per CPU core.
    pub threads: usize,
    /// `Access-Control-Allow-Origin` for browser dashboards; None sends no CORS headers.
    pub cors_origin: Option<String>,
    /// `Cache-Control: max-age` of export documents, seconds.
    pub max_age_seconds: u32,
    /// Most bytes of per-ticker chain bodies (plain and gzip) kept in memory for
    /// `/options/{ticker}/snapshot`; the least recently asked go first. 0 reads every
    /// answer from its file.
    pub snapshot_cache_bytes: usize,
    /// How often the dashboard page (`GET /`) re-reads the routes, seconds.
    pub refresh_secs: u32,
    /// The dashboard warns when the exports are older than this, seconds.
    pub stale_after_secs: u64,
    /// Open connections at once, from everyone; one more gets a 503 and is closed.
    pub max_connections: usize,
    /// Open connections at once from one client address; one more gets a 503.
    pub max_connections_per_client: usize,
    /// An idle keep-alive connection is closed after this many seconds.
    pub idle_timeout_seconds: u64,
    /// A request head must be whole this many seconds after its first byte (else 408).
    pub header_timeout_seconds: u64,
    /// A request, head and body, must be whole this many seconds after its first
    /// byte (else 408).
    pub request_timeout_seconds: u64,
    /// An answer must be written whole within this many seconds, in all; a client
    /// that reads slower is dropped. Also how long a stop waits for such clients.
    pub write_timeout_seconds: u64,
    /// Largest request body accepted, bytes (413 beyond); no route reads one.
    pub max_body_bytes: usize,
    /// `Host` names accepted besides the loopback names and addresses and the address
    /// the client connected to (`dash.example.com`); any other gets a 421, so a web page
    /// cannot read this API through a DNS name that points at it.
    pub allowed_hosts: Vec<String>,
    /// Requests that read the database (`/health`, `/api/...`) answered at once, each
    /// on its own thread, apart from the requests answered from the exports.
    pub store_readers: usize,
    /// How long a database read waits for a writer's lock before the answer is a 503
    /// with `Retry-After`, milliseconds.
    pub store_busy_timeout_ms: u64,
    /// Where people reach this dashboard (`https://dash.example.com`): notifications
    /// link to it. None: messages carry no link.
    pub public_url: Option<String>,
    /// The bearer token of the control routes (POST/PUT: trigger enrichment, stop the
    /// workbook loop...). None: the serve token (`--token`); with neither the control
    /// routes are refused, even on loopback.
    pub control_token: Option<String>,
    /// Largest JSON body a control route accepts, bytes (413 beyond).
    pub control_max_body_bytes: usize,
    /// Days the audit rows of control requests are kept (pruned by serve as it writes
    /// them, and by `optctl store prune`).
    pub audit_keep_days: u32,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8061,
            threads: 0,
            cors_origin: None,
            max_age_seconds: 5,
            snapshot_cache_bytes: 64 << 20,
            refresh_secs: 15,
            stale_after_secs: 1800,
            max_connections: 4096,
            max_connections_per_client: 64,
            idle_timeout_seconds: 30,
            header_timeout_seconds: 10,
            request_timeout_seconds: 20,
            write_timeout_seconds: 10,
            max_body_bytes: 64 * 1024,
            allowed_hosts: Vec::new(),
            store_readers: 2,
            store_busy_timeout_ms: 1000,
            public_url: None,
            control_token: None,
            control_max_body_bytes: 4096,
            audit_keep_days: 90,
        }
    }
}

impl ServeConfig {
    /// Checks the values a type cannot; messages name the key.
    pub fn validate(&self) -> Result<(), String> {
        for (key, v) in [
            ("serve.refresh_secs", u64::from(self.refresh_secs)),
            ("serve.stale_after_secs", self.stale_after_secs),
            ("serve.max_connections", self.max_connections as u64),
            (
                "serve.max_connections_per_client",
                self.max_connections_per_client as u64,
            ),
            ("serve.idle_timeout_seconds", self.idle_timeout_seconds),
            ("serve.header_timeout_seconds", self.header_timeout_seconds),
            (
                "serve.request_timeout_seconds",
                self.request_timeout_seconds,
            ),
            ("serve.write_timeout_seconds", self.write_timeout_seconds),
            ("serve.store_readers", self.store_readers as u64),
            ("serve.store_busy_timeout_ms", self.store_busy_timeout_ms),
            ("serve.audit_keep_days", u64::from(self.audit_keep_days)),
            (
                "serve.control_max_body_bytes",
                self.control_max_body_bytes as u64,
            ),
        ] {
            if v == 0 {
                return Err(format!("{key}: must be at least 1"));
            }
        }
        if self.request_timeout_seconds < self.header_timeout_seconds {
            return Err(format!(
                "serve.request_timeout_seconds: {} is shorter than serve.header_timeout_seconds ({}); the whole request includes its head",
                self.request_timeout_seconds, self.header_timeout_seconds
            ));
        }
        for h in &self.allowed_hosts {
            if h.is_empty()
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            {
                return Err(format!(
                    "serve.allowed_hosts: {h:?} is not a host name like dash.example.com"
                ));
            }
        }
        if let Some(t) = &self.control_token
            && (t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(
                "serve.control_token: must be non-empty printable ASCII without spaces".into(),
            );
        }
        if let Some(u) = &self.public_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(format!(
                "serve.public_url: {u:?} must start with http:// or https://"
            ));
        }
        Ok(())
    }
}

/// `bind = "127.0.0.1"`: an IP address, with a message that shows the form.
fn ip_address<'de, D: Deserializer<'de>>(d: D) -> Result<IpAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!("{text:?} is not an IP address like 127.0.0.1"))
    })
}
