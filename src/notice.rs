//! What a job hands the notification sink: an [`Item`] (one alert or signal as a
//! notification carries it), the [`SourceKind`] it comes from, and a [`Route`] that says
//! which channels take it. Jobs queue [`OutboxEntry`]s through a `Route` and never see
//! the channels themselves; the notification sink implements `Route` from its config.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a queued notification comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A scan alert (`alerts.id`).
    Alert,
    /// A strategy signal from a scheduler.
    Signal,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Alert => "alert",
            SourceKind::Signal => "signal",
        }
    }

    /// The idempotency key of one alert or signal: `alert-17`, `signal-3`.
    pub fn key(self, id: i64) -> String {
        format!("{}-{id}", self.as_str())
    }
}

/// The channels one alert or signal goes to, and what the message needs to say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub channels: Vec<String>,
    /// JSON of an [`Item`].
    pub payload: String,
}

/// One alert or signal as a notification carries it (the outbox `payload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub ticker: String,
    /// The detector (alerts) or strategy (signals).
    pub name: String,
    /// The strategy category of a signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The OCC symbol, for alerts about one contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// A signal's direction (`long`, `short`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// 0..100.
    pub score: f64,
    /// The numbers that fired it.
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Which channels take which items.
pub trait Route: std::fmt::Debug + Send + Sync {
    /// True when no channel is configured: nothing to queue.
    fn is_empty(&self) -> bool;

    /// The names of the channels that take `item` from `source`.
    fn channels_for(&self, source: SourceKind, item: &Item) -> Vec<String>;

    /// The outbox entry for `item` (None when no channel takes it).
    fn entry(&self, source: SourceKind, item: &Item) -> Option<OutboxEntry> {
        let channels = self.channels_for(source, item);
        if channels.is_empty() {
            return None;
        }
        Some(OutboxEntry {
            channels,
            payload: serde_json::to_string(item).unwrap_or_else(|_| "{}".into()),
        })
    }
}
