//! The trading session: time zone, open and close, trading weekdays and holidays.
//! `process-excel --market-hours-only` and `optctl market-hours` ask it whether the
//! market is open at a given instant and when it next opens.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::MarketHoursConfig;

/// A configured session. Open means `open <= local time < close` on a trading day.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketHours {
    pub tz: Tz,
    pub open: NaiveTime,
    pub close: NaiveTime,
    pub weekdays: Vec<Weekday>,
    pub holidays: BTreeSet<NaiveDate>,
}

/// Why the market is open or closed at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Open,
    BeforeOpen,
    AfterClose,
    /// Not one of the trading weekdays.
    Weekend,
    Holiday,
}

/// The answer to "is the market open now?", as `optctl market-hours` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketStatus {
    pub open: bool,
    pub state: SessionState,
    /// The instant asked about, UTC.
    pub now: DateTime<Utc>,
    pub timezone: String,
    /// The same instant on the exchange's clock (RFC 3339 with offset).
    pub local_time: String,
    /// When the current session closes (only while open).
    pub closes_at: Option<DateTime<Utc>>,
    /// `closes_at` on the exchange's clock.
    pub closes_at_local: Option<String>,
    /// The next session's open after `now` (None when no weekday is a trading day).
    pub next_open: Option<DateTime<Utc>>,
    /// `next_open` on the exchange's clock.
    pub next_open_local: Option<String>,
}

impl MarketStatus {
    /// "market closed (weekend); next open 2026-11-23 09:15 IST".
    pub fn describe(&self) -> String {
        let why = match self.state {
            SessionState::Open => {
                return format!(
                    "market open until {}",
                    self.closes_at_local.as_deref().unwrap_or("the close")
                );
            }
            SessionState::BeforeOpen => "before the open",
            SessionState::AfterClose => "after the close",
            SessionState::Weekend => "not a trading day",
            SessionState::Holiday => "holiday",
        };
        match &self.next_open_local {
            Some(n) => format!("market closed ({why}); next open {n}"),
            None => format!("market closed ({why}); no trading day configured"),
        }
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .ok()
}

impl MarketHours {
    /// Checks a config section; the error names the key (without the section).
    pub fn check_config(c: &MarketHoursConfig) -> Result<(), String> {
        Tz::from_str(&c.timezone).map_err(|_| {
            format!(
                "timezone: unknown time zone {:?}, expected an IANA name like \"Asia/Kolkata\"",
                c.timezone
            )
        })?;
        let open = parse_time(&c.open)
            .ok_or_else(|| format!("open: {:?} is not a time like \"09:15\"", c.open))?;
        let close = parse_time(&c.close)
            .ok_or_else(|| format!("close: {:?} is not a time like \"15:30\"", c.close))?;
        if close <= open {
            return Err(format!("close: {} is not after open {}", c.close, c.open));
        }
        for d in &c.weekdays {
            Weekday::from_str(d).map_err(|_| {
                format!("weekdays: {d:?} is not a weekday, expected Mon, Tue, ... Sun")
            })?;
        }
        Ok(())
    }

    /// Builds the session from config, reading the holidays file (relative to `home`).
    pub fn from_config(c: &MarketHoursConfig, home: &Path) -> crate::Result<MarketHours> {
        Self::check_config(c).map_err(|e| crate::Error::BadInput(format!("market_hours.{e}")))?;
        let mut holidays: BTreeSet<NaiveDate> = c.holidays.iter().copied().collect();
        if let Some(file) = &c.holidays_file {
            let path = home.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
            holidays.extend(parse_holidays(&text).map_err(|(line, s)| {
                crate::Error::BadInput(format!(
                    "{}: line {line}: {s:?} is not a date like 2026-11-24, 24-11-2026 or 24-Nov-2026",
                    path.display()
                ))
            })?);
        }
        Ok(MarketHours {
            tz: Tz::from_str(&c.timezone).unwrap_or(chrono_tz::Asia::Kolkata),
            open: parse_time(&c.open).unwrap_or(NaiveTime::MIN),
            close: parse_time(&c.close).unwrap_or(NaiveTime::MIN),
            weekdays: c
                .weekdays
                .iter()
                .filter_map(|d| Weekday::from_str(d).ok())
                .collect(),
            holidays,
        })
    }

    fn is_trading_day(&self, d: NaiveDate) -> bool {
        self.weekdays.contains(&d.weekday()) && !self.holidays.contains(&d)
    }

    /// The instant `t` on `day`, local time. A time skipped by a DST change resolves
    /// to the hour after; a repeated one to its first occurrence.
    fn at(&self, day: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
        let naive = day.and_time(t);
        match self.tz.from_local_datetime(&naive).earliest() {
            Some(x) => x.with_timezone(&Utc),
            None => self
                .tz
                .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
                .map_or_else(|| naive.and_utc(), |x| x.with_timezone(&Utc)),
        }
    }

    /// Whether the market is open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status(now).open
    }

    /// The full answer at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> MarketStatus {
        let local = now.with_timezone(&self.tz);
        let today = local.date_naive();
        let time = local.time();
        let state = if !self.weekdays.contains(&today.weekday()) {
            SessionState::Weekend
        } else if self.holidays.contains(&today) {
            SessionState::Holiday
        } else if time < self.open {
            SessionState::BeforeOpen
        } else if time >= self.close {
            SessionState::AfterClose
        } else {
            SessionState::Open
        };
        let open = state == SessionState::Open;
        // The next open strictly after now: today's if it is still ahead, else the
        // first trading day after today. A year ahead covers any holiday list.
        let next_open = (0..=370u64)
            .filter_map(|n| today.checked_add_days(Days::new(n)))
            .filter(|d| self.is_trading_day(*d))
            .map(|d| self.at(d, self.open))
            .find(|t| *t > now);
        MarketStatus {
            open,
            state,
            now,
            timezone: self.tz.name().to_string(),
            local_time: local.to_rfc3339(),
            closes_at: open.then(|| self.at(today, self.close)),
            closes_at_local: open.then(|| self.local(self.at(today, self.close))),
            next_open,
            next_open_local: next_open.map(|t| self.local(t)),
        }
    }

    /// `2026-11-23 15:30 IST`.
    fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// The exchange's calendar date at `now` (the "today" of the live workbook).
    pub fn trading_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }
}

/// Parses a holidays file: one date per line, anything after the date ignored, `#`
/// comments. Err is (line number, text).
pub fn parse_holidays(text: &str) -> Result<Vec<NaiveDate>, (usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        // "24-Nov-2026  Guru Nanak Jayanti", "2026-11-24,Guru Nanak Jayanti"
        let first = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .next()
            .unwrap_or(line);
        match super::workbook::parse_date_text(first) {
            Some(d) => out.push(d),
            None => return Err((n + 1, line.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nse() -> MarketHours {
        let c = MarketHoursConfig {
            holidays: vec![NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()],
            ..MarketHoursConfig::default()
        };
        MarketHours::from_config(&c, Path::new("/nonexistent")).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        crate::time::parse_instant(s).unwrap()
    }

    #[test]
    fn open_is_inclusive_and_close_exclusive() {
        let h = nse();
        // Monday 2026-11-23, IST = UTC+05:30.
        let s = h.status(utc("2026-11-23T09:14:59+05:30"));
        assert_eq!(s.state, SessionState::BeforeOpen);
        assert_eq!(s.next_open, Some(utc("2026-11-23T09:15:00+05:30")));
        assert!(h.is_open(utc("2026-11-23T09:15:00+05:30")));
        let s = h.status(utc("2026-11-23T15:29:59+05:30"));
        assert!(s.open);
        assert_eq!(s.closes_at, Some(utc("2026-11-23T10:00:00Z")));
        let s = h.status(utc("2026-11-23T15:30:00+05:30"));
        assert_eq!(s.state, SessionState::AfterClose);
        // Tuesday the 24th is a holiday: next open is Wednesday.
        assert_eq!(s.next_open, Some(utc("2026-11-25T09:15:00+05:30")));
        assert!(
            s.describe().contains("next open 2026-11-25 09:15 IST"),
            "{}",
            s.describe()
        );
    }

    #[test]
    fn weekend_and_holiday() {
        let h = nse();
        let s = h.status(utc("2026-11-28T11:00:00+05:30")); // Saturday
        assert_eq!(s.state, SessionState::Weekend);
        assert_eq!(s.next_open, Some(utc("2026-11-30T09:15:00+05:30")));
        let s = h.status(utc("2026-11-24T11:00:00+05:30"));
        assert_eq!(s.state, SessionState::Holiday);
        assert!(!s.open);
    }

    #[test]
    fn the_exchange_clock_decides_not_utc() {
        let h = nse();
        // 04:00 UTC Monday is 09:30 IST: open. 23:00 UTC Sunday is 04:30 IST Monday: closed.
        assert!(h.is_open(utc("2026-11-23T04:00:00Z")));
        let s = h.status(utc("2026-11-22T23:00:00Z"));
        assert_eq!(s.state, SessionState::BeforeOpen);
        assert_eq!(
            h.trading_date(utc("2026-11-22T23:00:00Z")).to_string(),
            "2026-11-23"
        );
    }

    #[test]
    fn another_time_zone_with_dst() {
        let c = MarketHoursConfig {
            timezone: "America/New_York".into(),
            open: "09:30".into(),
            close: "16:00".into(),
            ..MarketHoursConfig::default()
        };
        let h = MarketHours::from_config(&c, Path::new("/")).unwrap();
        // EST (UTC-5) in November, EDT (UTC-4) in July.
        assert!(h.is_open(utc("2026-11-23T14:30:00Z")));
        assert!(!h.is_open(utc("2026-11-23T14:29:59Z")));
        assert!(h.is_open(utc("2026-07-06T13:30:00Z")));
        assert!(!h.is_open(utc("2026-07-06T20:00:00Z")));
        let s = h.status(utc("2026-11-23T21:00:00Z"));
        assert_eq!(s.next_open, Some(utc("2026-11-24T14:30:00Z")));
        assert_eq!(s.timezone, "America/New_York");
    }

    #[test]
    fn bad_config_names_the_key() {
        let c = MarketHoursConfig {
            timezone: "Mars/Olympus".into(),
            ..MarketHoursConfig::default()
        };
        assert!(
            MarketHours::check_config(&c)
                .unwrap_err()
                .starts_with("timezone")
        );
        let c = MarketHoursConfig {
            close: "09:00".into(),
            ..MarketHoursConfig::default()
        };
        assert!(
            MarketHours::check_config(&c)
                .unwrap_err()
                .starts_with("close")
        );
        let c = MarketHoursConfig {
            weekdays: vec!["Funday".into()],
            ..MarketHoursConfig::default()
        };
        assert!(
            MarketHours::check_config(&c)
                .unwrap_err()
                .starts_with("weekdays")
        );
        let mut c = MarketHoursConfig::default();
        c.weekdays.clear();
        let h = MarketHours::from_config(&c, Path::new("/")).unwrap();
        let s = h.status(utc("2026-11-23T05:00:00Z"));
        assert_eq!(s.next_open, None);
        assert!(s.describe().contains("no trading day"));
    }

    #[test]
    fn holiday_files() {
        let text =
            "# NSE 2026\n2026-01-26 Republic Day\n24-Nov-2026, Guru Nanak Jayanti\n\n25-12-2026\n";
        let days = parse_holidays(text).unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[1].to_string(), "2026-11-24");
        assert_eq!(parse_holidays("2026-01-26\nsoon\n").unwrap_err().0, 2);
    }
}
