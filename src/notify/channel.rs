//! A channel ready to send: its config with the secrets read (from the file or the
//! environment), and [`Channel::scrub`], which every error text passes through before it
//! is logged, stored or printed.

use super::config::{ChannelConfig, ChannelKind, REDACTED, TELEGRAM_API};
use super::route::Quiet;

/// A configured channel with its secrets resolved.
#[derive(Clone)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    /// The full URL (Telegram: the Bot API base). May hold a credential.
    pub url: String,
    pub chat_id: Option<String>,
    pub token: Option<String>,
    pub secret: Option<String>,
    pub signature_header: String,
    pub quiet: Option<Quiet>,
    pub rate_limit: super::config::RateLimit,
    /// Every secret string, for [`Channel::scrub`].
    secrets: Vec<String>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Channel({} {})", self.kind, self.name)
    }
}

fn read(
    name: &str,
    field: &str,
    value: Option<&str>,
    env_var: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    if let Some(v) = value {
        return Ok(Some(v.to_string()));
    }
    match env_var {
        None => Ok(None),
        Some(var) => match env(var).filter(|v| !v.trim().is_empty()) {
            Some(v) => Ok(Some(v.trim().to_string())),
            None => Err(format!(
                "notify.channels.{name}.{field}_env: environment variable {var} is not set"
            )),
        },
    }
}

impl Channel {
    /// Resolves `c`, reading `*_env` variables through `env`.
    pub fn resolve(
        name: &str,
        c: &ChannelConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Channel, String> {
        let url = read(
            name,
            "url",
            c.url.as_ref().map(|u| u.expose()),
            c.url_env.as_deref(),
            env,
        )?;
        let token = read(
            name,
            "token",
            c.token.as_ref().map(|t| t.expose()),
            c.token_env.as_deref(),
            env,
        )?;
        let secret = read(
            name,
            "secret",
            c.secret.as_ref().map(|t| t.expose()),
            c.secret_env.as_deref(),
            env,
        )?;
        let url = match (c.kind, url) {
            (_, Some(u)) => u,
            (ChannelKind::Telegram, None) => TELEGRAM_API.to_string(),
            (k, None) => {
                return Err(format!(
                    "notify.channels.{name}.url: a {k} channel needs url"
                ));
            }
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "notify.channels.{name}.url: {} must start with http:// or https://",
                super::config::redact_url(&url)
            ));
        }
        let mut secrets: Vec<String> = token.iter().chain(secret.iter()).cloned().collect();
        if c.kind != ChannelKind::Telegram {
            // The URL itself is the credential of Slack and Discord webhooks and ntfy
            // topics: scrub it, and its path on its own.
            secrets.push(url.clone());
            if let Some((_, rest)) = url.split_once("://")
                && let Some(i) = rest.find('/')
                && rest.len() - i > 1
            {
                secrets.push(rest[i..].to_string());
            }
        }
        // Short values would scrub innocent text; a real credential is longer.
        secrets.retain(|s| s.len() >= 4);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Ok(Channel {
            name: name.to_string(),
            kind: c.kind,
            url,
            chat_id: c.chat_id.clone(),
            token,
            secret,
            signature_header: c.signature_header.clone(),
            quiet: c.quiet_hours.as_ref().map(Quiet::new),
            rate_limit: c.rate_limit.clone(),
            secrets,
        })
    }

    /// Resolves `c` from the process environment.
    pub fn from_env(name: &str, c: &ChannelConfig) -> Result<Channel, String> {
        Channel::resolve(name, c, &|v| std::env::var(v).ok())
    }

    /// `text` with every secret of this channel replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> ChannelConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn secrets_come_from_the_file_or_the_environment_and_are_scrubbed() {
        let c = cfg("kind = \"telegram\"\nchat_id = \"42\"\ntoken_env = \"TG\"\n");
        let env = |v: &str| (v == "TG").then(|| "123456:ABCDEF".to_string());
        let ch = Channel::resolve("desk", &c, &env).unwrap();
        assert_eq!(ch.url, TELEGRAM_API);
        assert_eq!(ch.token.as_deref(), Some("123456:ABCDEF"));
        assert_eq!(
            ch.scrub("error for url (https://api.telegram.org/bot123456:ABCDEF/sendMessage)"),
            "error for url (https://api.telegram.org/bot[redacted]/sendMessage)"
        );
        let err = Channel::resolve("desk", &c, &|_| None).unwrap_err();
        assert_eq!(
            err,
            "notify.channels.desk.token_env: environment variable TG is not set"
        );

        let s = cfg("kind = \"slack\"\nurl = \"https://hooks.slack.com/services/T0/B0/XYZ\"\n");
        let ch = Channel::resolve("s", &s, &|_| None).unwrap();
        assert_eq!(
            ch.scrub(
                "POST https://hooks.slack.com/services/T0/B0/XYZ failed; path /services/T0/B0/XYZ"
            ),
            "POST [redacted] failed; path [redacted]"
        );
    }
}
