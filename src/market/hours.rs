//! `[market_hours]`: the session `process-excel --market-hours-only`, `optctl
//! market-hours --market workbooks`, `serve` and the scheduler's printed crontab use,
//! turned into a [`Calendar`].

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, HolidayData, nse_holidays, nyse_holidays};

/// Whose built-in holidays (and early closes) `[market_hours]` starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// NSE's published trading holidays.
    #[default]
    Nse,
    /// NYSE's holidays and 13:00 early closes.
    Nyse,
    /// None: only the configured holidays.
    None,
}

/// The trading session `--market-hours-only` and `optctl market-hours` use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketHoursConfig {
    /// Built-in holidays merged with `holidays` and `holidays_file`: `nse`, `nyse` or
    /// `none`. Unset, the time zone decides: Asia/Kolkata (the default) `nse`,
    /// America/New_York `nyse`, any other `none`. The session keys below are not taken
    /// from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// IANA time zone of the exchange.
    pub timezone: TimeZone,
    /// Session open, local time `HH:MM` (inclusive).
    pub open: LocalTime,
    /// Session close, local time `HH:MM` (exclusive: at 15:30:00 the market is closed).
    pub close: LocalTime,
    /// Trading weekdays (`Mon` .. `Sun`).
    pub weekdays: Vec<Day>,
    /// Holidays (`YYYY-MM-DD`), besides the preset's and those in `holidays_file`.
    pub holidays: Vec<NaiveDate>,
    /// A file of holidays, one date per line (`2026-11-24`, `24-11-2026` or
    /// `24-Nov-2026`, text after the date ignored, `#` comments); relative to the data home.
    pub holidays_file: Option<PathBuf>,
}

impl Default for MarketHoursConfig {
    fn default() -> Self {
        MarketHoursConfig {
            preset: None,
            timezone: TimeZone(chrono_tz::Asia::Kolkata),
            open: LocalTime(NaiveTime::from_hms_opt(9, 15, 0).expect("09:15")),
            close: LocalTime(NaiveTime::from_hms_opt(15, 30, 0).expect("15:30")),
            weekdays: [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .into_iter()
            .map(Day)
            .collect(),
            holidays: Vec::new(),
            holidays_file: None,
        }
    }
}

/// An IANA time zone, read from its name (`Asia/Kolkata`) and written back as it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(pub Tz);

impl FromStr for TimeZone {
    type Err = String;

    fn from_str(s: &str) -> Result<TimeZone, String> {
        Tz::from_str(s.trim()).map(TimeZone).map_err(|_| {
            format!("unknown time zone {s:?}, expected an IANA name like \"Asia/Kolkata\"")
        })
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;

    fn try_from(s: String) -> Result<TimeZone, String> {
        s.parse()
    }
}

impl From<TimeZone> for String {
    fn from(t: TimeZone) -> String {
        t.0.name().to_string()
    }
}

impl std::fmt::Display for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

/// A local time of day, `HH:MM` (or `HH:MM:SS`), written back as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalTime(pub NaiveTime);

impl FromStr for LocalTime {
    type Err = String;

    fn from_str(s: &str) -> Result<LocalTime, String> {
        NaiveTime::parse_from_str(s.trim(), "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
            .map(LocalTime)
            .map_err(|_| format!("{s:?} is not a time like \"09:15\""))
    }
}

impl TryFrom<String> for LocalTime {
    type Error = String;

    fn try_from(s: String) -> Result<LocalTime, String> {
        s.parse()
    }
}

impl From<LocalTime> for String {
    fn from(t: LocalTime) -> String {
        t.to_string()
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

/// A weekday, `Mon` .. `Sun` (any case, or the full name), written back as `Mon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(pub Weekday);

impl FromStr for Day {
    type Err = String;

    fn from_str(s: &str) -> Result<Day, String> {
        Weekday::from_str(s.trim())
            .map(Day)
            .map_err(|_| format!("{s:?} is not a weekday, expected Mon, Tue, ... Sun"))
    }
}

impl TryFrom<String> for Day {
    type Error = String;

    fn try_from(s: String) -> Result<Day, String> {
        s.parse()
    }
}

impl From<Day> for String {
    fn from(d: Day) -> String {
        d.0.to_string()
    }
}

impl MarketHoursConfig {
    /// Checks the section; the error names the key (without the section).
    pub fn check(&self) -> Result<(), String> {
        // The zone, the times and the weekdays are typed when the file is read; what
        // is left is how they relate.
        if self.close <= self.open {
            return Err(format!(
                "close: {} is not after open {}",
                self.close, self.open
            ));
        }
        Ok(())
    }

    /// The preset in force: the configured one, else the time zone's.
    pub fn effective_preset(&self) -> Preset {
        self.preset.unwrap_or(match self.timezone.0.name() {
            "Asia/Kolkata" | "Asia/Calcutta" => Preset::Nse,
            "America/New_York" | "US/Eastern" => Preset::Nyse,
            _ => Preset::None,
        })
    }

    /// The preset's built-in list (empty for `none`).
    fn preset_data(&self) -> HolidayData {
        match self.effective_preset() {
            Preset::Nse => nse_holidays().clone(),
            Preset::Nyse => nyse_holidays().clone(),
            Preset::None => HolidayData::default(),
        }
    }

    /// The calendar: the configured session, the preset's holidays and early closes, the
    /// configured holidays and the holidays file (read relative to `home`).
    pub fn calendar(&self, home: &Path) -> crate::Result<Calendar> {
        self.check()
            .map_err(|e| crate::Error::BadInput(format!("market_hours.{e}")))?;
        let mut extra: Vec<NaiveDate> = self.holidays.clone();
        if let Some(file) = &self.holidays_file {
            let path = home.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
            extra.extend(parse_holidays(&text).map_err(|(line, s)| {
                crate::Error::BadInput(format!(
                    "{}: line {line}: {s:?} is not a date like 2026-11-24, 24-11-2026 or 24-Nov-2026",
                    path.display()
                ))
            })?);
        }
        let weekdays: Vec<Weekday> = self.weekdays.iter().map(|d| d.0).collect();
        Ok(Calendar::new(self.timezone.0, self.open.0, self.close.0)
            .with_weekdays(&weekdays)
            .with_data(&self.preset_data())
            .with_holidays(extra))
    }
}

/// One date in a holidays file: `2026-11-24`, `24-11-2026`, `24/11/2026`, `24.11.2026`,
/// `24-Nov-2026` or `2026/11/24` (a `T...` time after it ignored).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.split('T').next().unwrap_or(s);
    let formats = [
        "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%b-%Y", "%Y/%m/%d",
    ];
    [s, head].iter().find_map(|t| {
        formats
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
    })
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
        match parse_date(first) {
            Some(d) => out.push(d),
            None => return Err((n + 1, line.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::calendar::SessionState;
    use chrono::{DateTime, Utc};

    fn utc(s: &str) -> DateTime<Utc> {
        crate::time::parse_instant(s).unwrap()
    }

    fn nse() -> Calendar {
        let c = MarketHoursConfig {
            holidays: vec![NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()],
            ..MarketHoursConfig::default()
        };
        c.calendar(Path::new("/nonexistent")).unwrap()
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
            h.local_date(utc("2026-11-22T23:00:00Z")).to_string(),
            "2026-11-23"
        );
    }

    #[test]
    fn presets_merge_with_configured_holidays() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("h.txt"), "2026-12-31 year end\n").unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Default: NSE's built-in list (Holi, 2026-03-03) plus the configured ones.
        let c = MarketHoursConfig {
            holidays: vec![day(2026, 12, 30)],
            holidays_file: Some("h.txt".into()),
            ..MarketHoursConfig::default()
        };
        let cal = c.calendar(home.path()).unwrap();
        for d in [day(2026, 3, 3), day(2026, 12, 30), day(2026, 12, 31)] {
            assert!(!cal.is_trading_day(d), "{d}");
        }
        let none = MarketHoursConfig {
            preset: Some(Preset::None),
            ..c.clone()
        }
        .calendar(home.path())
        .unwrap();
        assert!(none.is_trading_day(day(2026, 3, 3)));
        assert!(!none.is_trading_day(day(2026, 12, 31)));
        // New York: the NYSE preset by the time zone, or named; the same calendar as
        // Calendar::nyse().
        let toml = "timezone = \"America/New_York\"\nopen = \"09:30\"\nclose = \"16:00\"\n";
        let ny: MarketHoursConfig = toml::from_str(toml).unwrap();
        assert_eq!(ny.effective_preset(), Preset::Nyse);
        assert_eq!(&ny.calendar(home.path()).unwrap(), Calendar::nyse());
        let named: MarketHoursConfig =
            toml::from_str(&format!("preset = \"nyse\"\n{toml}")).unwrap();
        assert_eq!(&named.calendar(home.path()).unwrap(), Calendar::nyse());
        // Another zone has no built-in holidays unless a preset is named.
        let tokyo: MarketHoursConfig = toml::from_str("timezone = \"Asia/Tokyo\"").unwrap();
        assert_eq!(tokyo.effective_preset(), Preset::None);
        assert!(toml::from_str::<MarketHoursConfig>("preset = \"lse\"").is_err());
    }

    #[test]
    fn another_time_zone_with_dst() {
        let c: MarketHoursConfig =
            toml::from_str("timezone = \"America/New_York\"\nopen = \"09:30\"\nclose = \"16:00\"")
                .unwrap();
        let h = c.calendar(Path::new("/")).unwrap();
        // EST (UTC-5) in November, EDT (UTC-4) in July.
        assert!(h.is_open(utc("2026-11-23T14:30:00Z")));
        assert!(!h.is_open(utc("2026-11-23T14:29:59Z")));
        assert!(h.is_open(utc("2026-07-06T13:30:00Z")));
        assert!(!h.is_open(utc("2026-07-06T20:00:00Z")));
        let s = h.status(utc("2026-11-23T21:00:00Z"));
        assert_eq!(s.next_open, Some(utc("2026-11-24T14:30:00Z")));
        assert_eq!(s.timezone, "America/New_York");
        // NYSE's holidays by the time zone: Wednesday's close -> Friday over Thanksgiving.
        let s = h.status(utc("2026-11-25T21:00:00Z"));
        assert_eq!(s.next_open, Some(utc("2026-11-27T14:30:00Z")));
    }

    #[test]
    fn bad_config_names_the_key() {
        // A bad zone, time or weekday cannot be read at all: the message names the key
        // (TOML's line and column) and what was expected.
        let err = |text: &str| {
            toml::from_str::<MarketHoursConfig>(text)
                .unwrap_err()
                .to_string()
        };
        let e = err("timezone = \"Mars/Olympus\"");
        assert!(
            e.contains("timezone") && e.contains("unknown time zone"),
            "{e}"
        );
        let e = err("open = \"9h15\"");
        assert!(e.contains("open") && e.contains("not a time"), "{e}");
        let e = err("weekdays = [\"Funday\"]");
        assert!(e.contains("weekdays") && e.contains("not a weekday"), "{e}");
        let c: MarketHoursConfig = toml::from_str("close = \"09:00\"").unwrap();
        assert!(c.check().unwrap_err().starts_with("close"));
        // What is read is written back the same way (`config show`).
        let shown = toml::to_string(&MarketHoursConfig::default()).unwrap();
        assert!(shown.contains("timezone = \"Asia/Kolkata\""), "{shown}");
        assert!(shown.contains("open = \"09:15\""), "{shown}");
        assert!(shown.contains("\"Mon\""), "{shown}");
        let mut c = MarketHoursConfig::default();
        c.weekdays.clear();
        let h = c.calendar(Path::new("/")).unwrap();
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
