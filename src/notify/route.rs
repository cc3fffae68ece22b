//! What a notification is about ([`Item`]) and which channels take it ([`Router`]):
//! the sources, detectors or strategies, categories, tickers and minimum score of each
//! channel, and its quiet hours. Routing happens when the alert or signal is stored;
//! quiet hours are checked when the outbox is drained.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::config::{ChannelConfig, NotifyConfig, QuietHours, Source};
pub use crate::notice::Item;
use crate::notice::{Route, SourceKind};

/// Which channels take which items.
#[derive(Debug, Clone, Default)]
pub struct Router {
    channels: Vec<(String, ChannelConfig)>,
}

impl Router {
    /// The enabled channels of `cfg`.
    pub fn new(cfg: &NotifyConfig) -> Router {
        Router {
            channels: cfg
                .channels
                .iter()
                .filter(|(_, c)| c.enabled)
                .map(|(n, c)| (n.clone(), c.clone()))
                .collect(),
        }
    }
}

impl Route for Router {
    fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    fn channels_for(&self, source: SourceKind, item: &Item) -> Vec<String> {
        self.channels
            .iter()
            .filter(|(_, c)| accepts(c, source, item))
            .map(|(n, _)| n.clone())
            .collect()
    }
}

fn eq_any(list: &[String], v: &str) -> bool {
    list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case(v))
}

/// Whether channel `c` takes `item` from `source`.
pub fn accepts(c: &ChannelConfig, source: SourceKind, item: &Item) -> bool {
    let (wanted, names) = match source {
        SourceKind::Alert => (Source::Alerts, &c.detectors),
        SourceKind::Signal => (Source::Signals, &c.strategies),
    };
    if !c.enabled || !c.sources.contains(&wanted) {
        return false;
    }
    if !eq_any(names, &item.name) || !eq_any(&c.tickers, &item.ticker) {
        return false;
    }
    if source == SourceKind::Signal
        && !c.categories.is_empty()
        && !item
            .category
            .as_deref()
            .is_some_and(|cat| eq_any(&c.categories, cat))
    {
        return false;
    }
    item.score >= c.min_score
}

/// Quiet hours resolved to a time zone.
#[derive(Debug, Clone, Copy)]
pub struct Quiet {
    start: NaiveTime,
    end: NaiveTime,
    tz: Tz,
}

impl Quiet {
    /// The window of `q`, typed when the config was read.
    pub fn new(q: &QuietHours) -> Quiet {
        Quiet {
            start: q.start.0,
            end: q.end.0,
            tz: q.timezone.0,
        }
    }

    fn inside(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When the window that `now` is in ends; None when `now` is outside it.
    pub fn until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&self.tz);
        if !self.inside(local.time()) {
            return None;
        }
        let mut day = local.date_naive();
        if local.time() >= self.end {
            day = day.succ_opt()?;
        }
        // On a DST gap the end time may not exist that day: take the first instant after.
        let naive = day.and_time(self.end);
        let end = match self.tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => t,
            chrono::LocalResult::Ambiguous(t, _) => t,
            chrono::LocalResult::None => self
                .tz
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()?,
        };
        Some(end.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(ticker: &str, name: &str, score: f64) -> Item {
        Item {
            ticker: ticker.into(),
            name: name.into(),
            category: None,
            contract: None,
            direction: None,
            score,
            data: serde_json::json!({}),
            created_at: Utc::now(),
        }
    }

    fn channel(extra: &str) -> ChannelConfig {
        toml::from_str(&format!(
            "kind = \"webhook\"\nurl = \"https://h/x\"\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn routing_rules() {
        let all = channel("");
        assert!(accepts(
            &all,
            SourceKind::Alert,
            &item("AAPL", "iv_spike", 1.0)
        ));
        let c = channel(
            "detectors = [\"unusual_activity\"]\ntickers = [\"aapl\", \"MSFT\"]\nmin_score = 60\n",
        );
        assert!(accepts(
            &c,
            SourceKind::Alert,
            &item("AAPL", "unusual_activity", 60.0)
        ));
        assert!(!accepts(
            &c,
            SourceKind::Alert,
            &item("AAPL", "unusual_activity", 59.9)
        ));
        assert!(!accepts(
            &c,
            SourceKind::Alert,
            &item("TSLA", "unusual_activity", 90.0)
        ));
        assert!(!accepts(
            &c,
            SourceKind::Alert,
            &item("MSFT", "iv_spike", 90.0)
        ));
        // The detectors list is about alerts; signals are filtered by strategy.
        assert!(accepts(
            &c,
            SourceKind::Signal,
            &item("MSFT", "opening_range_breakout", 90.0)
        ));
        let s = channel(
            "sources = [\"signals\"]\nstrategies = [\"opening_range_breakout\"]\ncategories = [\"day_trading\"]\n",
        );
        assert!(!accepts(
            &s,
            SourceKind::Alert,
            &item("MSFT", "iv_spike", 90.0)
        ));
        let mut sig = item("RELIANCE", "opening_range_breakout", 70.0);
        assert!(!accepts(&s, SourceKind::Signal, &sig), "no category");
        sig.category = Some("day_trading".into());
        assert!(accepts(&s, SourceKind::Signal, &sig));
        sig.category = Some("short_term".into());
        assert!(!accepts(&s, SourceKind::Signal, &sig));
        let off = channel("enabled = false");
        assert!(!accepts(
            &off,
            SourceKind::Alert,
            &item("AAPL", "iv_spike", 99.0)
        ));
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight_in_their_own_time_zone() {
        let q = Quiet::new(&QuietHours {
            start: "22:00".parse().unwrap(),
            end: "07:00".parse().unwrap(),
            timezone: "America/New_York".parse().unwrap(),
        });
        // 21:59 New York is still the evening (02:59 UTC, already the next UTC day).
        assert_eq!(q.until(at("2026-11-24T02:59:00Z")), None);
        // 22:00 New York: quiet until 07:00 New York the next morning = 12:00 UTC.
        assert_eq!(
            q.until(at("2026-11-24T03:00:00Z")),
            Some(at("2026-11-24T12:00:00Z"))
        );
        // After local midnight, the same night's end.
        assert_eq!(
            q.until(at("2026-11-24T06:30:00Z")),
            Some(at("2026-11-24T12:00:00Z"))
        );
        assert_eq!(q.until(at("2026-11-24T12:00:00Z")), None);
        // The night DST ends (2026-11-01) the window is 10 hours long: 07:00 EST = 12:00 UTC.
        assert_eq!(
            q.until(at("2026-11-01T02:30:00Z")),
            Some(at("2026-11-01T12:00:00Z"))
        );
        // A window that does not wrap.
        let day = Quiet::new(&QuietHours {
            start: "12:00".parse().unwrap(),
            end: "13:00".parse().unwrap(),
            timezone: "Asia/Kolkata".parse().unwrap(),
        });
        assert_eq!(
            day.until(at("2026-11-23T06:45:00Z")),
            Some(at("2026-11-23T07:30:00Z"))
        );
        assert_eq!(day.until(at("2026-11-23T07:30:00Z")), None);
    }
}
