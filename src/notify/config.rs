//! `[notify]` in the config file: the channels, their routing rules, and the secrets
//! they carry. Secrets never leave this module in clear text except to build a request:
//! [`Secret`] prints as `[redacted]` in `Debug`, in `config show` (TOML and JSON) and in
//! every message that passes through [`Secrets::scrub`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::resilience::{LimiterConfig, RetryPolicy};

/// What `config show` prints in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// A secret value from the config file (a bot token, a webhook URL, an HMAC key).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The clear text, for building a request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A URL that may carry a credential in its path or query (Slack and Discord webhook
/// URLs, ntfy topics): shown as its origin only (`https://hooks.slack.com/[redacted]`).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(s: impl Into<String>) -> Self {
        SecretUrl(s.into())
    }

    /// The clear text, for building a request only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with everything after the host replaced by `[redacted]`.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

/// `scheme://host[:port]` of `url`, plus `/[redacted]` when it has a path or query.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    // user:password@host keeps only the host.
    let host = rest[..cut].rsplit('@').next().unwrap_or("");
    let tail = rest[cut..].trim_start_matches('/');
    let prefix = if scheme.is_empty() {
        host.to_string()
    } else {
        format!("{scheme}://{host}")
    };
    if tail.is_empty() {
        prefix
    } else {
        format!("{prefix}/{REDACTED}")
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// `[notify]`: where new alerts and signals are delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Base URL of the dashboard for links in messages (else `[serve] public_url`).
    pub public_url: Option<String>,
    /// Seconds one request may take; a timeout is retried later.
    pub timeout_seconds: u64,
    /// When a failed message is tried again (`[notify.retry]`).
    pub retry: OutboxRetry,
    /// At most this many alerts or signals in one message.
    pub max_batch: usize,
    /// The channels, by name (`[notify.channels.desk]`).
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Sent and failed outbox rows older than this many days are deleted at the end of
    /// each drain (queued ones never); 0 keeps them all.
    pub keep_sent_days: u32,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            public_url: None,
            timeout_seconds: 10,
            retry: OutboxRetry::default(),
            max_batch: 10,
            channels: BTreeMap::new(),
            keep_sent_days: 30,
        }
    }
}

/// The message formats optctl speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// Telegram Bot API `sendMessage`.
    Telegram,
    /// A JSON POST of the items, optionally signed with HMAC-SHA256.
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// A Discord webhook.
    Discord,
    /// An ntfy topic URL.
    Ntfy,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Telegram => "telegram",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Ntfy => "ntfy",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where alerts come from: the scan's detectors, or the schedulers' strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Alerts,
    Signals,
}

/// One channel: where it sends, and which alerts and signals it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelConfig {
    pub kind: ChannelKind,
    /// A disabled channel gets nothing queued and sends nothing.
    pub enabled: bool,
    /// Telegram: the Bot API base (default `https://api.telegram.org`). Others: the
    /// webhook or topic URL (a secret: it is shown as its host only).
    pub url: Option<SecretUrl>,
    /// Read the URL from this environment variable instead.
    pub url_env: Option<String>,
    /// Telegram: the chat (`-1001234567890` or `@channelname`).
    pub chat_id: Option<String>,
    /// Telegram: the bot token. ntfy: an access token (sent as `Authorization: Bearer`).
    pub token: Option<Secret>,
    /// Read the token from this environment variable instead.
    pub token_env: Option<String>,
    /// Webhook: the HMAC-SHA256 key that signs each body.
    pub secret: Option<Secret>,
    /// Read the signing key from this environment variable instead.
    pub secret_env: Option<String>,
    /// Webhook: the header that carries `sha256=<hex HMAC of the body>`.
    pub signature_header: String,
    /// Which sources this channel takes (default both).
    pub sources: Vec<Source>,
    /// Only these detectors (empty: all).
    pub detectors: Vec<String>,
    /// Only these strategies (empty: all).
    pub strategies: Vec<String>,
    /// Only these strategy categories, for signals (empty: all).
    pub categories: Vec<String>,
    /// Only these tickers (empty: all).
    pub tickers: Vec<String>,
    /// Only alerts and signals scoring at least this (0-100).
    pub min_score: f64,
    /// No messages inside this daily window; what is queued goes out when it ends.
    pub quiet_hours: Option<QuietHours>,
    /// How fast this channel may send (Telegram allows one message a second per chat).
    /// Shared by every process through the store.
    pub rate_limit: RateLimit,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            kind: ChannelKind::Webhook,
            enabled: true,
            url: None,
            url_env: None,
            chat_id: None,
            token: None,
            token_env: None,
            secret: None,
            secret_env: None,
            signature_header: "X-Optctl-Signature-256".into(),
            sources: vec![Source::Alerts, Source::Signals],
            detectors: Vec::new(),
            strategies: Vec::new(),
            categories: Vec::new(),
            tickers: Vec::new(),
            min_score: 0.0,
            quiet_hours: None,
            rate_limit: RateLimit::default(),
        }
    }
}

/// `[notify.retry]`: the backoff between attempts at one message, kept in the outbox
/// between runs. The n-th retry waits `initial_delay_seconds * multiplier^(n-1)`, at most
/// `max_delay_seconds`, plus a random 0-100% with `jitter`; a longer Retry-After from the
/// receiver is waited instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxRetry {
    pub initial_delay_seconds: u64,
    pub multiplier: f64,
    pub max_delay_seconds: u64,
    /// Attempts in all, the first included, before a message is marked failed.
    pub max_attempts: u32,
    pub jitter: bool,
    /// A Retry-After longer than this marks the message failed instead of waiting.
    pub max_retry_after_seconds: u64,
}

impl Default for OutboxRetry {
    fn default() -> Self {
        OutboxRetry {
            initial_delay_seconds: 30,
            multiplier: 2.0,
            max_delay_seconds: 3600,
            max_attempts: 8,
            jitter: true,
            max_retry_after_seconds: 24 * 3600,
        }
    }
}

impl OutboxRetry {
    /// The shared retry policy with these values.
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            initial_delay_ms: self.initial_delay_seconds.saturating_mul(1000),
            multiplier: self.multiplier,
            max_delay_ms: self.max_delay_seconds.saturating_mul(1000),
            max_attempts: self.max_attempts,
            jitter: self.jitter,
            max_retry_after_ms: self.max_retry_after_seconds.saturating_mul(1000),
            jitter_seed: None,
        }
    }
}

/// A channel's rate limit: `calls` messages per `per_seconds`, `burst` at once. A wait
/// of up to `max_wait_ms` happens in the drain; a longer one leaves the rest queued for
/// the next drain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimit {
    /// 0: no limit.
    pub calls: u32,
    pub per_seconds: u64,
    pub burst: u32,
    pub max_wait_ms: u64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            calls: 20,
            per_seconds: 60,
            burst: 5,
            max_wait_ms: 5000,
        }
    }
}

impl RateLimit {
    /// The shared limiter's settings.
    pub fn limiter(&self) -> LimiterConfig {
        LimiterConfig {
            calls: self.calls,
            per_seconds: self.per_seconds,
            burst: self.burst,
            max_wait_ms: self.max_wait_ms,
        }
    }
}

/// A daily window in a time zone: `start` inclusive, `end` exclusive; `22:00`-`07:00`
/// wraps midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`, local time.
    pub start: crate::market::LocalTime,
    /// `HH:MM`, local time.
    pub end: crate::market::LocalTime,
    /// IANA name (`America/New_York`).
    pub timezone: crate::market::TimeZone,
}

/// The Telegram Bot API base when `url` is not set.
pub const TELEGRAM_API: &str = "https://api.telegram.org";

impl NotifyConfig {
    /// Checks every channel; the message names the key (`notify.channels.desk.chat_id`).
    pub fn validate(&self) -> Result<(), String> {
        if self.max_batch == 0 {
            return Err("notify.max_batch: must be at least 1".into());
        }
        self.retry
            .policy()
            .validate()
            .map_err(|e| format!("notify.retry.{}", e.replace("_ms", "_seconds")))?;
        if self.timeout_seconds == 0 {
            return Err("notify.timeout_seconds: must be at least 1".into());
        }
        if let Some(u) = &self.public_url {
            check_http_url(u).map_err(|e| format!("notify.public_url: {e}"))?;
        }
        for (name, c) in &self.channels {
            let key = format!("notify.channels.{name}");
            if name.is_empty()
                || !name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                return Err(format!(
                    "{key}: a channel name is letters, digits, '-' and '_'"
                ));
            }
            c.validate().map_err(|e| format!("{key}.{e}"))?;
        }
        Ok(())
    }
}

/// A routing list names only things that exist: a typo would silently match nothing.
fn known(field: &str, list: &[String], names: &[&str]) -> Result<(), String> {
    match list
        .iter()
        .find(|v| !names.iter().any(|n| n.eq_ignore_ascii_case(v)))
    {
        Some(v) => Err(format!(
            "{field}: unknown name {v:?}: expected one of {}",
            names.join(", ")
        )),
        None => Ok(()),
    }
}

fn check_http_url(u: &str) -> Result<(), String> {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| format!("{} must start with http:// or https://", redact_url(u)))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{} has no host", redact_url(u)));
    }
    Ok(())
}

impl ChannelConfig {
    fn validate(&self) -> Result<(), String> {
        use ChannelKind::*;
        let k = self.kind;
        for (field, set) in [
            ("url", self.url.is_some() && self.url_env.is_some()),
            ("token", self.token.is_some() && self.token_env.is_some()),
            ("secret", self.secret.is_some() && self.secret_env.is_some()),
        ] {
            if set {
                return Err(format!("{field}: set {field} or {field}_env, not both"));
            }
        }
        let has_url = self.url.is_some() || self.url_env.is_some();
        let has_token = self.token.is_some() || self.token_env.is_some();
        let has_secret = self.secret.is_some() || self.secret_env.is_some();
        if k != Telegram && !has_url {
            return Err(format!("url: a {k} channel needs url (or url_env)"));
        }
        if k == Telegram {
            if self.chat_id.as_deref().is_none_or(|c| c.trim().is_empty()) {
                return Err("chat_id: a telegram channel needs chat_id".into());
            }
            if !has_token {
                return Err("token: a telegram channel needs token (or token_env)".into());
            }
        } else if self.chat_id.is_some() {
            return Err(format!(
                "chat_id: only telegram channels take chat_id, not {k}"
            ));
        }
        if has_token && !matches!(k, Telegram | Ntfy) {
            return Err(format!(
                "token: only telegram and ntfy channels take a token, not {k}"
            ));
        }
        if has_secret && k != Webhook {
            return Err(format!("secret: only webhook channels are signed, not {k}"));
        }
        if let Some(u) = &self.url {
            check_http_url(u.expose()).map_err(|e| format!("url: {e}"))?;
        }
        if self.signature_header.trim().is_empty()
            || !self
                .signature_header
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "signature_header: {:?} is not a header name",
                self.signature_header
            ));
        }
        known("detectors", &self.detectors, crate::scan::detectors::NAMES)?;
        known(
            "strategies",
            &self.strategies,
            crate::scheduler::strategies::NAMES,
        )?;
        for c in &self.categories {
            c.parse::<crate::scheduler::Category>()
                .map_err(|e| format!("categories: {e}"))?;
        }
        if !(0.0..=100.0).contains(&self.min_score) {
            return Err(format!(
                "min_score: must be between 0 and 100, got {}",
                self.min_score
            ));
        }
        self.rate_limit
            .limiter()
            .validate()
            .map_err(|e| format!("rate_limit.{e}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<NotifyConfig, String> {
        let c: NotifyConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn urls_are_redacted_to_their_origin() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T0/B0/xyz"),
            "https://hooks.slack.com/[redacted]"
        );
        assert_eq!(
            redact_url("https://user:pw@ntfy.sh:8443/topic?x=1"),
            "https://ntfy.sh:8443/[redacted]"
        );
        assert_eq!(
            redact_url("https://api.telegram.org"),
            "https://api.telegram.org"
        );
        assert_eq!(redact_url("http://127.0.0.1:9/"), "http://127.0.0.1:9");
    }

    #[test]
    fn secrets_never_print() {
        let c = parse(
            r#"
[channels.desk]
kind = "telegram"
chat_id = "42"
token = "123:SECRET"
[channels.hook]
kind = "webhook"
url = "https://example.com/hook/SECRETPATH"
secret = "SECRETKEY"
"#,
        )
        .unwrap();
        let shown = format!(
            "{c:?}{}{}",
            toml::to_string(&c).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
        for s in ["123:SECRET", "SECRETPATH", "SECRETKEY"] {
            assert!(!shown.contains(s), "{s} leaked: {shown}");
        }
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn routing_lists_name_real_detectors_strategies_and_categories() {
        let ch = |rules: &str| {
            parse(&format!(
                "[channels.d]\nkind = \"ntfy\"\nurl = \"https://ntfy.sh/t\"\n{rules}\n"
            ))
        };
        assert!(ch("detectors = [\"Unusual_Activity\"]\nstrategies = [\"opening_range_breakout\"]\ncategories = [\"day-trading\"]").is_ok());
        let err = ch("strategies = [\"orb\"]").unwrap_err();
        assert!(
            err.starts_with("notify.channels.d.strategies: unknown name \"orb\""),
            "{err}"
        );
        assert!(err.contains("opening_range_breakout"), "{err}");
        let err = ch("detectors = [\"uoa\"]").unwrap_err();
        assert!(
            err.contains("notify.channels.d.detectors") && err.contains("unusual_activity"),
            "{err}"
        );
        let err = ch("categories = [\"swing\"]").unwrap_err();
        assert!(
            err.contains("notify.channels.d.categories: unknown category"),
            "{err}"
        );
    }

    #[test]
    fn each_kind_needs_its_fields() {
        let err = parse("[channels.t]\nkind = \"telegram\"\ntoken = \"x\"\n").unwrap_err();
        assert!(err.contains("notify.channels.t.chat_id"), "{err}");
        let err = parse("[channels.s]\nkind = \"slack\"\n").unwrap_err();
        assert!(err.contains("notify.channels.s.url"), "{err}");
        let err = parse("[channels.s]\nkind = \"slack\"\nurl = \"https://h/x\"\nsecret = \"k\"\n")
            .unwrap_err();
        assert!(err.contains("secret: only webhook"), "{err}");
        let err = parse("[channels.w]\nkind = \"webhook\"\nurl = \"ftp://h/x\"\n").unwrap_err();
        assert!(err.contains("http://"), "{err}");
        let err = parse(
            "[channels.w]\nkind = \"webhook\"\nurl = \"https://h\"\nquiet_hours = { start = \"25:00\", end = \"07:00\", timezone = \"UTC\" }\n",
        )
        .unwrap_err();
        assert!(
            err.contains("quiet_hours") && err.contains("not a time"),
            "{err}"
        );
        let err = parse(
            "[channels.w]\nkind = \"webhook\"\nurl = \"https://h\"\nquiet_hours = { start = \"22:00\", end = \"07:00\", timezone = \"Mars/Base\" }\n",
        )
        .unwrap_err();
        assert!(
            err.contains("timezone") && err.contains("unknown time zone"),
            "{err}"
        );
        let err = parse("[channels.w]\nkind = \"webhook\"\nurl = \"https://h\"\nurl_env = \"X\"\n")
            .unwrap_err();
        assert!(err.contains("not both"), "{err}");
        let err =
            parse("[channels.\"a b\"]\nkind = \"webhook\"\nurl = \"https://h\"\n").unwrap_err();
        assert!(err.contains("channel name"), "{err}");
        assert!(parse("[channels.w]\nkind = \"pager\"\nurl = \"https://h\"\n").is_err());
    }
}
