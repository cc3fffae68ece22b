//! Notifications: new alerts (and strategy signals) delivered to Telegram, webhooks,
//! Slack, Discord and ntfy through a transactional outbox.
//!
//! - `route`: which channels take which item; `scan` queues an outbox row per matching
//!   channel in the transaction that stores the alert (`store::outbox`).
//! - [`drain`]: for each channel, claim a batch of due rows, send one message, then mark
//!   the rows sent, due again later (retryable failures, with backoff), or failed.
//! - `format` builds each channel's request, `send` does the HTTP, `policy` holds the
//!   backoff schedule and the rate limit, `channel` resolves secrets and scrubs them.
//!
//! Delivery is at least once: a process killed between a send and its mark sends the
//! same batch again, under the same idempotency key.

pub mod channel;
pub mod config;
pub mod format;
pub mod policy;
pub mod route;
pub mod send;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use config::NotifyConfig;
pub use route::{Item, Router};

use crate::resilience::{Acquired, Clock, RateLimiter};
use crate::store::Store;
use crate::store::outbox::{ChannelCounts, OutboxBatch};
use crate::{Error, Result};
use channel::Channel;
use format::{Entry, Message};
use send::Delivery;

/// What a drain, a test or a status look needs besides the config.
#[derive(Debug, Clone)]
pub struct Options {
    /// "Now" (`--as-of`): what is due, quiet hours, backoff.
    pub now: DateTime<Utc>,
    /// Only this channel.
    pub channel: Option<String>,
    /// The dashboard base URL for links (`[notify] public_url`, else `[serve] public_url`).
    pub public_url: Option<String>,
}

/// One channel's part of a drain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelReport {
    pub channel: String,
    pub kind: String,
    /// Messages delivered, and the alerts and signals in them.
    pub messages_sent: u64,
    pub items_sent: u64,
    /// Items whose send failed and that wait for a later attempt.
    pub retrying: u64,
    /// Items marked failed for good in this drain.
    pub failed: u64,
    /// Quiet hours: nothing was sent; queued items go out after this.
    pub quiet_until: Option<DateTime<Utc>>,
    /// The rate limit stopped this drain; the rest waits for the next one.
    pub rate_limited: bool,
    /// A problem with the channel itself (a secret's environment variable is unset).
    pub error: Option<String>,
    /// Why sends failed (secrets scrubbed).
    pub errors: Vec<String>,
}

/// What a drain did.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DrainReport {
    pub messages_sent: u64,
    pub items_sent: u64,
    pub retrying: u64,
    pub failed: u64,
    pub channels: Vec<ChannelReport>,
}

impl DrainReport {
    /// True when nothing failed, waits for a retry, or could not be tried.
    pub fn clean(&self) -> bool {
        self.channels
            .iter()
            .all(|c| c.retrying == 0 && c.failed == 0 && c.error.is_none())
    }
}

/// The channels `opts.channel` names (all enabled ones without it).
fn selected<'a>(
    cfg: &'a NotifyConfig,
    only: Option<&str>,
) -> Result<Vec<(&'a String, &'a config::ChannelConfig)>> {
    if let Some(name) = only
        && !cfg.channels.contains_key(name)
    {
        let known: Vec<&str> = cfg.channels.keys().map(String::as_str).collect();
        return Err(Error::Usage(format!(
            "no channel {name:?} in [notify.channels]{}",
            if known.is_empty() {
                String::new()
            } else {
                format!(" (configured: {})", known.join(", "))
            }
        )));
    }
    Ok(cfg
        .channels
        .iter()
        .filter(|(n, c)| only.map_or(c.enabled, |o| o == n.as_str()))
        .collect())
}

/// Sends what is due in the outbox, channel by channel.
pub async fn drain(store: &mut Store, cfg: &NotifyConfig, opts: &Options) -> Result<DrainReport> {
    let timeout = Duration::from_secs(cfg.timeout_seconds);
    let client = send::client(timeout).map_err(Error::Failed)?;
    let mut report = DrainReport::default();
    for (name, c) in selected(cfg, opts.channel.as_deref())? {
        let mut r = ChannelReport {
            channel: name.clone(),
            kind: c.kind.to_string(),
            messages_sent: 0,
            items_sent: 0,
            retrying: 0,
            failed: 0,
            quiet_until: None,
            rate_limited: false,
            error: None,
            errors: Vec::new(),
        };
        match Channel::from_env(name, c) {
            Err(e) => {
                tracing::warn!("{e}; its messages stay queued");
                r.error = Some(e);
            }
            Ok(ch) => {
                drain_channel(store, cfg, opts, &ch, &client, &mut r).await?;
            }
        }
        report.messages_sent += r.messages_sent;
        report.items_sent += r.items_sent;
        report.retrying += r.retrying;
        report.failed += r.failed;
        report.channels.push(r);
    }
    prune(store, cfg, opts.now)?;
    Ok(report)
}

/// Retention at `now`: sent and failed outbox rows queued more than `[notify]
/// keep_sent_days` before the newest row; queued ones are never deleted. Returns the rows
/// deleted.
pub fn prune(store: &mut Store, cfg: &NotifyConfig, now: DateTime<Utc>) -> Result<u64> {
    if cfg.keep_sent_days == 0 {
        return Ok(0);
    }
    let newest = store.outbox().newest_created_at()?;
    let before = crate::time::retention_cutoff(
        now,
        newest,
        chrono::Duration::days(i64::from(cfg.keep_sent_days)),
    );
    let stats = store.outbox_mut().prune(before)?;
    tracing::debug!(
        rows = stats.rows,
        batches = stats.batches,
        "pruned sent and failed notifications queued before {before}"
    );
    Ok(stats.rows)
}

async fn drain_channel(
    store: &mut Store,
    cfg: &NotifyConfig,
    opts: &Options,
    ch: &Channel,
    client: &reqwest::Client,
    r: &mut ChannelReport,
) -> Result<()> {
    let now = opts.now;
    let clock = Clock::starting_at(now);
    let limiter = policy::limiter(ch);
    if let Some(until) = ch.quiet.and_then(|q| q.until(now)) {
        tracing::info!("{}: quiet hours until {until}; nothing sent", ch.name);
        r.quiet_until = Some(until);
        return Ok(());
    }
    while let Some(batch) = store
        .outbox_mut()
        .claim_batch(&ch.name, now, cfg.max_batch)?
    {
        let Some(message) = message(store, ch, &batch, opts.public_url.as_deref())? else {
            continue;
        };
        if !take_token(store, &limiter, &clock).await? {
            tracing::info!(
                "{}: rate limit ({} per {} s) reached; the rest waits for the next drain",
                ch.name,
                ch.rate_limit.calls,
                ch.rate_limit.per_seconds
            );
            r.rate_limited = true;
            return Ok(());
        }
        let ids: Vec<i64> = batch.ids();
        let n = ids.len() as u64;
        store.outbox_mut().begin_attempt(&ids, now)?;
        let attempt = batch.attempts() + 1;
        let req = format::request(ch, &message, now);
        match send::send(client, &req, Duration::from_secs(cfg.timeout_seconds)).await {
            Delivery::Sent => {
                store.outbox_mut().mark_sent(&ids, now)?;
                tracing::info!("{}: sent {} ({n} items)", ch.name, message.key);
                notification_event(ch, &message.key, n, attempt, None, false);
                r.messages_sent += 1;
                r.items_sent += n;
            }
            Delivery::Retry { after, reason } => {
                let reason = ch.scrub(&reason);
                let max_after = Duration::from_secs(cfg.retry.max_retry_after_seconds);
                let wait = match (policy::retry_delay(&cfg.retry, attempt, &batch.key), after) {
                    (None, _) => Err(format!("gave up after {attempt} attempts: {reason}")),
                    (Some(_), Some(a)) if a > max_after => Err(format!(
                        "asked to wait {} s (Retry-After), more than notify.retry.max_retry_after_seconds: {reason}",
                        a.as_secs()
                    )),
                    (Some(backoff), after) => Ok(after.map_or(backoff, |a| a.max(backoff))),
                };
                match wait {
                    Err(why) => {
                        tracing::warn!("{}: {}: {why}", ch.name, message.key);
                        notification_event(ch, &message.key, n, attempt, Some(&why), false);
                        store.outbox_mut().mark_failed(&ids, &why)?;
                        r.failed += n;
                        r.errors.push(why);
                    }
                    Ok(wait) => {
                        // The store keeps whole seconds: round up, never retry early.
                        let next =
                            now + chrono::Duration::seconds(wait.as_secs_f64().ceil() as i64);
                        tracing::warn!(
                            "{}: {} not delivered ({reason}); attempt {attempt} of {}, next at {}",
                            ch.name,
                            message.key,
                            cfg.retry.max_attempts,
                            crate::store::ts(next)
                        );
                        notification_event(ch, &message.key, n, attempt, Some(&reason), true);
                        store.outbox_mut().mark_retry(&ids, next, &reason)?;
                        if after.is_some() {
                            // The receiver asked every sender to hold off: so does the bucket.
                            limiter.hold_until(store, &clock, next)?;
                        }
                        r.retrying += n;
                        r.errors.push(reason);
                    }
                }
                // The receiver is struggling: leave the rest for the next drain.
                return Ok(());
            }
            Delivery::Failed { reason, auth } => {
                let reason = ch.scrub(&reason);
                tracing::warn!("{}: {} refused: {reason}", ch.name, message.key);
                notification_event(ch, &message.key, n, attempt, Some(&reason), false);
                store.outbox_mut().mark_failed(&ids, &reason)?;
                r.failed += n;
                r.errors.push(reason);
                if auth {
                    // Bad credentials fail every message alike: stop here.
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// The `notification_sent` event (`error` None), or `notification_failed` (a warning;
/// `retrying`: it stays queued for a later attempt).
fn notification_event(
    ch: &Channel,
    key: &str,
    items: u64,
    attempt: u32,
    error: Option<&str>,
    retrying: bool,
) {
    let (job, run_id) = crate::monitor::current_run();
    let job = if job.is_empty() { "notify" } else { job };
    match error {
        None => tracing::info!(
            target: "optctl::event",
            event = "notification_sent",
            job,
            run_id,
            channel = %ch.name,
            kind = %ch.kind,
            key,
            items,
            attempt,
            "notification {key} sent to {}",
            ch.name
        ),
        Some(error) => tracing::warn!(
            target: "optctl::event",
            event = "notification_failed",
            job,
            run_id,
            channel = %ch.name,
            kind = %ch.kind,
            key,
            items,
            attempt,
            retrying,
            error,
            "notification {key} to {} failed",
            ch.name
        ),
    }
}

/// Takes one message's token from the channel's bucket, waiting up to the limit's
/// `max_wait_ms`; false when the wait would be longer.
async fn take_token(store: &mut Store, limiter: &RateLimiter, clock: &Clock) -> Result<bool> {
    let max_wait = Duration::from_millis(limiter.config().max_wait_ms);
    let mut waited = Duration::ZERO;
    loop {
        match limiter.try_acquire(store, clock, 1)? {
            Acquired::Granted { .. } => return Ok(true),
            Acquired::Wait(d) if waited + d > max_wait => return Ok(false),
            Acquired::Wait(d) => {
                tokio::time::sleep(d).await;
                waited += d;
            }
        }
    }
}

/// The message of `batch`; rows whose stored payload cannot be read are marked failed
/// (None when none is left).
fn message(
    store: &mut Store,
    ch: &Channel,
    batch: &OutboxBatch,
    public_url: Option<&str>,
) -> Result<Option<Message>> {
    let mut entries = Vec::with_capacity(batch.rows.len());
    for row in &batch.rows {
        match serde_json::from_str::<Item>(&row.payload) {
            Ok(item) => entries.push(Entry {
                kind: row.source_kind.as_str(),
                id: row.source_id,
                key: row.idempotency_key.clone(),
                item,
            }),
            Err(e) => {
                let why = format!(
                    "stored payload of {} is unreadable: {e}",
                    row.idempotency_key
                );
                tracing::warn!("{}: {why}", ch.name);
                store.outbox_mut().mark_failed(&[row.id], &why)?;
            }
        }
    }
    if entries.is_empty() {
        return Ok(None);
    }
    Ok(Some(Message {
        key: batch.key.clone(),
        link: format::link(public_url, &entries),
        entries,
    }))
}

/// What `notify test` did.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub channel: String,
    pub kind: String,
    pub delivered: bool,
    pub idempotency_key: String,
    pub error: Option<String>,
}

/// Sends a test message to one channel now, outside the outbox (no routing, quiet hours
/// or rate limit).
pub async fn send_test(cfg: &NotifyConfig, name: &str, opts: &Options) -> Result<TestReport> {
    let Some((_, c)) = selected(cfg, Some(name))?.into_iter().next() else {
        return Err(Error::Usage(format!("no channel {name:?}")));
    };
    let ch = Channel::from_env(name, c).map_err(Error::Usage)?;
    let key = format!("test-{}", opts.now.timestamp());
    let entry = Entry {
        kind: "test",
        id: 0,
        key: key.clone(),
        item: Item {
            ticker: String::new(),
            name: format!(
                "test message to channel {name} ({}): notifications work",
                c.kind
            ),
            category: None,
            contract: None,
            direction: None,
            score: 0.0,
            data: serde_json::json!({}),
            created_at: opts.now,
        },
    };
    let message = Message {
        key: key.clone(),
        link: format::link(opts.public_url.as_deref(), std::slice::from_ref(&entry)),
        entries: vec![entry],
    };
    let timeout = Duration::from_secs(cfg.timeout_seconds);
    let client = send::client(timeout).map_err(Error::Failed)?;
    let req = format::request(&ch, &message, opts.now);
    let error = match send::send(&client, &req, timeout).await {
        Delivery::Sent => None,
        Delivery::Retry { reason, .. } | Delivery::Failed { reason, .. } => Some(ch.scrub(&reason)),
    };
    Ok(TestReport {
        channel: name.to_string(),
        kind: c.kind.to_string(),
        delivered: error.is_none(),
        idempotency_key: key,
        error,
    })
}

/// One channel in `notify status`: its outbox counts and where it sends.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelStatus {
    /// The channel's name, counts, next attempt and last error.
    #[serde(flatten)]
    pub counts: ChannelCounts,
    /// None for a channel that has outbox rows but is no longer configured.
    pub kind: Option<String>,
    pub enabled: bool,
    /// Where it sends, without secrets: the chat id, or the URL's host.
    pub target: Option<String>,
    pub quiet_until: Option<DateTime<Utc>>,
}

/// `notify status`: every configured channel, and any channel with outbox rows.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub as_of: DateTime<Utc>,
    pub channels: Vec<ChannelStatus>,
}

/// Counts per channel from the outbox (`store` None: no database yet).
pub fn status(
    store: Option<&Store>,
    cfg: &NotifyConfig,
    now: DateTime<Utc>,
) -> Result<StatusReport> {
    let counts = match store {
        Some(s) => s.outbox().counts(now)?,
        None => Vec::new(),
    };
    let mut out: Vec<ChannelStatus> = Vec::new();
    for (name, c) in &cfg.channels {
        let target = match c.kind {
            config::ChannelKind::Telegram => c.chat_id.as_ref().map(|id| format!("chat {id}")),
            _ => c
                .url
                .as_ref()
                .map(|u| u.redacted())
                .or_else(|| c.url_env.as_ref().map(|v| format!("${v}"))),
        };
        out.push(ChannelStatus {
            counts: ChannelCounts {
                channel: name.clone(),
                ..Default::default()
            },
            kind: Some(c.kind.to_string()),
            enabled: c.enabled,
            target,
            quiet_until: c
                .quiet_hours
                .as_ref()
                .map(route::Quiet::new)
                .and_then(|q| q.until(now)),
        });
    }
    for k in counts {
        match out.iter_mut().find(|s| s.counts.channel == k.channel) {
            Some(s) => s.counts = k,
            None => out.push(ChannelStatus {
                counts: k,
                kind: None,
                enabled: false,
                target: None,
                quiet_until: None,
            }),
        }
    }
    Ok(StatusReport {
        as_of: now,
        channels: out,
    })
}
