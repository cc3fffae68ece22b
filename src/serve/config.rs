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
    /// Requests answered at once (each connection is read on its own thread); 0 = one
    /// per CPU core.
    pub threads: usize,
    /// `Access-Control-Allow-Origin` for browser dashboards; None sends no CORS headers.
    pub cors_origin: Option<String>,
    /// `Cache-Control: max-age` of export documents, seconds.
    pub max_age_seconds: u32,
    /// How often the dashboard page (`GET /`) re-reads the routes, seconds.
    pub refresh_secs: u32,
    /// The dashboard warns when the exports are older than this, seconds.
    pub stale_after_secs: u64,
    /// Open connections at once; one more gets a 503 and is closed.
    pub max_connections: usize,
    /// An idle keep-alive connection is closed after this many seconds; a request
    /// head that stalls this long gets a 408.
    pub idle_timeout_seconds: u64,
    /// Where people reach this dashboard (`https://dash.example.com`): notifications
    /// link to it. None: messages carry no link.
    pub public_url: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8061,
            threads: 0,
            cors_origin: None,
            max_age_seconds: 5,
            refresh_secs: 15,
            stale_after_secs: 1800,
            max_connections: 256,
            idle_timeout_seconds: 30,
            public_url: None,
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
            ("serve.idle_timeout_seconds", self.idle_timeout_seconds),
        ] {
            if v == 0 {
                return Err(format!("{key}: must be at least 1"));
            }
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
