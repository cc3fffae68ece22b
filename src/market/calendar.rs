//! The trading calendar: an exchange's time zone, regular session, trading weekdays,
//! holidays and early closes, and the questions every area asks of it (is the market
//! open, which trading day does an instant belong to, when is the next open, which day
//! is a month's expiration).
//!
//! Two presets carry the exchanges' published holiday lists, checked in as data
//! (`holidays/nyse.txt`, `holidays/nse.txt`): [`Calendar::nyse`] and [`Calendar::nse`].
//! A leaf module: std, chrono, chrono-tz and serde only.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Serialize;

/// One trading day's session: open (inclusive) and close (exclusive), UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The exchange-local date of the session.
    pub date: NaiveDate,
    pub open: DateTime<Utc>,
    pub close: DateTime<Utc>,
}

impl Session {
    /// Whether `t` falls in `[open, close)`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.open <= t && t < self.close
    }
}

/// An exchange's calendar. The market is open on a trading day (a trading weekday that
/// is not a holiday) from `open` (inclusive) to `close` (exclusive) local time, or to
/// the early close listed for that date.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    tz: Tz,
    open: NaiveTime,
    close: NaiveTime,
    /// Indexed by `Weekday::num_days_from_monday`.
    weekdays: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    early_closes: BTreeMap<NaiveDate, NaiveTime>,
}

/// How far the searches for a trading day look (a year covers any holiday list).
const SEARCH_DAYS: u64 = 370;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

/// The third Friday of a month (`month` in 1..=12).
pub fn third_friday(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("month in 1..=12");
    let to_friday =
        (Weekday::Fri.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
    first + TimeDelta::days(i64::from(to_friday) + 14)
}

/// The built-in list of an exchange: full-day closures and early closes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HolidayData {
    pub holidays: BTreeSet<NaiveDate>,
    pub early_closes: BTreeMap<NaiveDate, NaiveTime>,
}

/// Parses a holiday data file: `YYYY-MM-DD` a line, optionally followed by `HH:MM` (an
/// early close at that time), then any text; `#` comments. Err is (line number, text).
pub fn parse_holiday_data(text: &str) -> Result<HolidayData, (usize, String)> {
    let mut out = HolidayData::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let date = words
            .next()
            .and_then(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
            .ok_or_else(|| (n + 1, line.to_string()))?;
        match words
            .next()
            .and_then(|w| NaiveTime::parse_from_str(w, "%H:%M").ok())
        {
            Some(t) => {
                out.early_closes.insert(date, t);
            }
            None => {
                out.holidays.insert(date);
            }
        }
    }
    Ok(out)
}

fn builtin(text: &str, name: &str) -> HolidayData {
    parse_holiday_data(text)
        .unwrap_or_else(|(line, s)| panic!("holidays/{name}.txt line {line}: {s:?}"))
}

/// NYSE's published closures and early closes, parsed once.
pub fn nyse_holidays() -> &'static HolidayData {
    static DATA: OnceLock<HolidayData> = OnceLock::new();
    DATA.get_or_init(|| builtin(include_str!("holidays/nyse.txt"), "nyse"))
}

/// NSE's published trading holidays, parsed once.
pub fn nse_holidays() -> &'static HolidayData {
    static DATA: OnceLock<HolidayData> = OnceLock::new();
    DATA.get_or_init(|| builtin(include_str!("holidays/nse.txt"), "nse"))
}

impl Calendar {
    /// A calendar trading Monday to Friday from `open` to `close` in `tz`, without
    /// holidays.
    pub fn new(tz: Tz, open: NaiveTime, close: NaiveTime) -> Calendar {
        Calendar {
            tz,
            open,
            close,
            weekdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
            early_closes: BTreeMap::new(),
        }
    }

    /// The New York Stock Exchange: America/New_York, 09:30-16:00, Monday to Friday,
    /// NYSE's holidays and 13:00 early closes.
    pub fn nyse() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            Calendar::new(chrono_tz::America::New_York, hm(9, 30), hm(16, 0))
                .with_data(nyse_holidays())
        })
    }

    /// The National Stock Exchange of India: Asia/Kolkata, 09:15-15:30, Monday to
    /// Friday, NSE's trading holidays.
    pub fn nse() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            Calendar::new(chrono_tz::Asia::Kolkata, hm(9, 15), hm(15, 30)).with_data(nse_holidays())
        })
    }

    /// Only these weekdays trade.
    pub fn with_weekdays(mut self, days: &[Weekday]) -> Calendar {
        self.weekdays = [false; 7];
        for d in days {
            self.weekdays[d.num_days_from_monday() as usize] = true;
        }
        self
    }

    /// Adds full-day closures.
    pub fn with_holidays(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        self.holidays.extend(days);
        self
    }

    /// Adds early closes (date, local close time).
    pub fn with_early_closes(
        mut self,
        days: impl IntoIterator<Item = (NaiveDate, NaiveTime)>,
    ) -> Calendar {
        self.early_closes.extend(days);
        self
    }

    /// Adds a built-in list's closures and early closes.
    pub fn with_data(self, data: &HolidayData) -> Calendar {
        self.with_holidays(data.holidays.iter().copied())
            .with_early_closes(data.early_closes.iter().map(|(d, t)| (*d, *t)))
    }

    /// The same session and weekdays without any holiday or early close.
    pub fn regular_only(&self) -> Calendar {
        Calendar {
            holidays: BTreeSet::new(),
            early_closes: BTreeMap::new(),
            ..self.clone()
        }
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The regular open, local time.
    pub fn open_time(&self) -> NaiveTime {
        self.open
    }

    /// The regular close, local time (an early close may end a day sooner).
    pub fn close_time(&self) -> NaiveTime {
        self.close
    }

    /// The trading weekdays, Monday first.
    pub fn weekdays(&self) -> Vec<Weekday> {
        (0..7u8)
            .filter(|i| self.weekdays[*i as usize])
            .filter_map(|i| Weekday::try_from(i).ok())
            .collect()
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    pub fn early_closes(&self) -> &BTreeMap<NaiveDate, NaiveTime> {
        &self.early_closes
    }

    pub fn is_trading_weekday(&self, day: Weekday) -> bool {
        self.weekdays[day.num_days_from_monday() as usize]
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether `date` has a session: a trading weekday that is not a holiday.
    pub fn is_trading_day(&self, date: NaiveDate) -> bool {
        self.is_trading_weekday(date.weekday()) && !self.is_holiday(date)
    }

    /// The local close on `date`: the early close if one is listed, else the regular one.
    pub fn close_on(&self, date: NaiveDate) -> NaiveTime {
        self.early_closes.get(&date).copied().unwrap_or(self.close)
    }

    /// The local wall time `time` on `date` as an instant. A time skipped by a DST change
    /// resolves to the hour after; a repeated one to its first occurrence.
    pub fn at(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        match self.tz.from_local_datetime(&naive).earliest() {
            Some(x) => x.with_timezone(&Utc),
            None => self
                .tz
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
                .map_or_else(|| naive.and_utc(), |x| x.with_timezone(&Utc)),
        }
    }

    /// The exchange's calendar date at `t` (whether or not it trades).
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The regular open on `date`, whether or not the date trades (where a daily bar of
    /// that date is timed).
    pub fn open_on(&self, date: NaiveDate) -> DateTime<Utc> {
        self.at(date, self.open)
    }

    /// The open and close `date` would have (its early close if listed), whether or not
    /// the date trades.
    pub fn hours_on(&self, date: NaiveDate) -> Session {
        Session {
            date,
            open: self.at(date, self.open),
            close: self.at(date, self.close_on(date)),
        }
    }

    /// The session of `date`; None when the date does not trade.
    pub fn session(&self, date: NaiveDate) -> Option<Session> {
        self.is_trading_day(date).then(|| self.hours_on(date))
    }

    /// Whether the market is open at `t`.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.session(self.local_date(t))
            .is_some_and(|s| s.contains(t))
    }

    /// The trading day `t` belongs to: the latest trading day whose session has opened
    /// at or before `t`. During a session that is the session's date; after the close,
    /// the same date until the next open. Before the open of a trading day, over a
    /// weekend or on a holiday, it is the previous trading day: a Sunday-night or
    /// holiday run belongs to the last session that traded. With no trading day in the
    /// year before `t` (no trading weekday configured), the local date.
    pub fn trading_day(&self, t: DateTime<Utc>) -> NaiveDate {
        let today = self.local_date(t);
        (0..=SEARCH_DAYS)
            .filter_map(|n| today.checked_sub_days(Days::new(n)))
            .find(|d| self.is_trading_day(*d) && self.open_on(*d) <= t)
            .unwrap_or(today)
    }

    /// The first open strictly after `t`; None when no weekday trades.
    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_date(t);
        (0..=SEARCH_DAYS)
            .filter_map(|n| today.checked_add_days(Days::new(n)))
            .filter(|d| self.is_trading_day(*d))
            .map(|d| self.open_on(d))
            .find(|o| *o > t)
    }

    /// The latest close at or before `t` (at the close instant the market is closed);
    /// None when no weekday trades.
    pub fn previous_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_date(t);
        (0..=SEARCH_DAYS)
            .filter_map(|n| today.checked_sub_days(Days::new(n)))
            .filter_map(|d| self.session(d))
            .map(|s| s.close)
            .find(|c| *c <= t)
    }

    /// The latest trading day on or before `date` (`date` itself when it trades): where
    /// an expiration scheduled on a holiday moves. `date` when none is found within a
    /// year.
    pub fn trading_day_on_or_before(&self, date: NaiveDate) -> NaiveDate {
        (0..=SEARCH_DAYS)
            .filter_map(|n| date.checked_sub_days(Days::new(n)))
            .find(|d| self.is_trading_day(*d))
            .unwrap_or(date)
    }

    /// The standard monthly expiration of a month: its third Friday, or the trading day
    /// before it when that Friday is a holiday (April 2025: Good Friday the 18th, so
    /// Thursday the 17th).
    pub fn monthly_expiration(&self, year: i32, month: u32) -> NaiveDate {
        self.trading_day_on_or_before(third_friday(year, month))
    }

    /// The full answer to "is the market open at `now`?".
    pub fn status(&self, now: DateTime<Utc>) -> MarketStatus {
        let local = now.with_timezone(&self.tz);
        let today = local.date_naive();
        let time = local.time();
        let state = if !self.is_trading_weekday(today.weekday()) {
            SessionState::Weekend
        } else if self.is_holiday(today) {
            SessionState::Holiday
        } else if time < self.open {
            SessionState::BeforeOpen
        } else if time >= self.close_on(today) {
            SessionState::AfterClose
        } else {
            SessionState::Open
        };
        let open = state == SessionState::Open;
        let closes_at = open.then(|| self.at(today, self.close_on(today)));
        let next_open = self.next_open(now);
        MarketStatus {
            open,
            state,
            now,
            timezone: self.tz.name().to_string(),
            local_time: local.to_rfc3339(),
            closes_at,
            closes_at_local: closes_at.map(|t| self.local_text(t)),
            next_open,
            next_open_local: next_open.map(|t| self.local_text(t)),
        }
    }

    /// `2026-11-23 15:30 IST`.
    fn local_text(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn holiday_files_parse_and_cover_every_year() {
        let nyse = nyse_holidays();
        let nse = nse_holidays();
        for (name, data, years) in [("nyse", nyse, 2024..=2027), ("nse", nse, 2024..=2026)] {
            for y in years {
                let n = data.holidays.iter().filter(|d| d.year() == y).count();
                assert!(n >= 9, "{name} {y}: {n} holidays");
            }
            // Only weekdays are listed: a weekend date would be a typo.
            for d in data.holidays.iter().chain(data.early_closes.keys()) {
                assert!(d.weekday().num_days_from_monday() < 5, "{name} {d}");
                assert!(!(data.holidays.contains(d) && data.early_closes.contains_key(d)));
            }
        }
        // NYSE: ten holidays a year; 2025 adds the day of mourning. 2027 NSE is not
        // published yet.
        let per_year = |y| nyse.holidays.iter().filter(|d| d.year() == y).count();
        assert_eq!([2024, 2025, 2026, 2027].map(per_year), [10, 11, 10, 10]);
        assert!(nse.holidays.iter().all(|d| d.year() <= 2026));
        assert!(nyse.early_closes.values().all(|t| *t == hm(13, 0)));
        assert_eq!(nyse.early_closes.len(), 3 + 3 + 2 + 1);
        assert!(parse_holiday_data("2026-01-01\nsoon\n").unwrap_err().0 == 2);
    }

    #[test]
    fn observance_rules_and_special_closures() {
        let c = Calendar::nyse();
        // July 4 2026 is a Saturday: Friday the 3rd closes. 2027: Sunday, Monday the 5th.
        assert!(!c.is_trading_day(date(2026, 7, 3)));
        assert!(!c.is_trading_day(date(2027, 7, 5)));
        // Christmas 2027 is a Saturday: Friday the 24th closes; Juneteenth too.
        assert!(!c.is_trading_day(date(2027, 12, 24)));
        assert!(!c.is_trading_day(date(2027, 6, 18)));
        // The day of mourning.
        assert!(!c.is_trading_day(date(2025, 1, 9)));
        assert!(c.is_trading_day(date(2025, 1, 8)));
        let nse = Calendar::nse();
        assert!(!nse.is_trading_day(date(2026, 11, 24)));
        assert!(!nse.is_trading_day(date(2025, 10, 21)));
        assert!(nse.is_trading_day(date(2026, 11, 23)));
    }

    #[test]
    fn sessions_across_us_dst_changes() {
        let c = Calendar::nyse();
        // Friday before the March 2026 change (EST, UTC-5) and Monday after (EDT, UTC-4).
        let fri = c.session(date(2026, 3, 6)).unwrap();
        assert_eq!(fri.open, utc("2026-03-06T14:30:00Z"));
        assert_eq!(fri.close, utc("2026-03-06T21:00:00Z"));
        let mon = c.session(date(2026, 3, 9)).unwrap();
        assert_eq!(mon.open, utc("2026-03-09T13:30:00Z"));
        // Sunday 2026-03-08 02:00 does not exist in New York; a session never sits there
        // but `at` still answers (the hour after).
        assert_eq!(
            c.at(date(2026, 3, 8), hm(2, 30)),
            utc("2026-03-08T07:30:00Z")
        );
        // November: back to EST on Sunday the 1st.
        assert_eq!(
            c.session(date(2026, 10, 30)).unwrap().open,
            utc("2026-10-30T13:30:00Z")
        );
        assert_eq!(
            c.session(date(2026, 11, 2)).unwrap().open,
            utc("2026-11-02T14:30:00Z")
        );
        // Next open over the change weekend: Friday after the close -> Monday 13:30Z.
        assert_eq!(
            c.next_open(utc("2026-03-06T21:00:00Z")),
            Some(utc("2026-03-09T13:30:00Z"))
        );
        assert_eq!(
            c.previous_close(utc("2026-11-02T14:00:00Z")),
            Some(utc("2026-10-30T20:00:00Z"))
        );
        // India keeps UTC+05:30 all year.
        let nse = Calendar::nse();
        for d in [date(2026, 3, 9), date(2026, 11, 2), date(2026, 7, 6)] {
            let s = nse.session(d).unwrap();
            assert_eq!(s.open.format("%H:%M").to_string(), "03:45");
            assert_eq!(s.close.format("%H:%M").to_string(), "10:00");
        }
    }

    #[test]
    fn open_close_and_early_closes() {
        let c = Calendar::nyse();
        assert!(c.is_open(utc("2026-11-23T14:30:00Z")));
        assert!(!c.is_open(utc("2026-11-23T14:29:59Z")));
        assert!(!c.is_open(utc("2026-11-23T21:00:00Z")));
        // Thanksgiving: closed all day; the Friday after closes at 13:00 (18:00Z).
        assert!(!c.is_open(utc("2026-11-26T15:00:00Z")));
        let fri = c.session(date(2026, 11, 27)).unwrap();
        assert_eq!(fri.close, utc("2026-11-27T18:00:00Z"));
        assert!(c.is_open(utc("2026-11-27T17:59:59Z")));
        assert!(!c.is_open(utc("2026-11-27T18:00:00Z")));
        let s = c.status(utc("2026-11-27T18:30:00Z"));
        assert_eq!(s.state, SessionState::AfterClose);
        assert_eq!(s.next_open, Some(utc("2026-11-30T14:30:00Z")));
        let s = c.status(utc("2026-11-27T15:00:00Z"));
        assert_eq!(s.closes_at, Some(utc("2026-11-27T18:00:00Z")));
        assert_eq!(s.closes_at_local.as_deref(), Some("2026-11-27 13:00 EST"));
        assert_eq!(
            c.status(utc("2026-11-26T15:00:00Z")).state,
            SessionState::Holiday
        );
        // Christmas Eve 2025 (Wednesday) closes early; July 3 2025 too.
        assert_eq!(c.close_on(date(2025, 12, 24)), hm(13, 0));
        assert_eq!(
            c.session(date(2025, 7, 3)).unwrap().close,
            utc("2025-07-03T17:00:00Z")
        );
        assert_eq!(
            c.previous_close(utc("2026-11-30T12:00:00Z")),
            Some(utc("2026-11-27T18:00:00Z"))
        );
    }

    #[test]
    fn the_trading_day_of_an_instant() {
        let c = Calendar::nyse();
        // Monday 2026-11-23 02:00 UTC is Sunday 21:00 in New York: Friday's session.
        assert_eq!(
            c.trading_day(utc("2026-11-23T02:00:00Z")),
            date(2026, 11, 20)
        );
        // Saturday and Monday before the open: still Friday.
        assert_eq!(
            c.trading_day(utc("2026-11-21T15:00:00Z")),
            date(2026, 11, 20)
        );
        assert_eq!(
            c.trading_day(utc("2026-11-23T14:29:59Z")),
            date(2026, 11, 20)
        );
        // At the open, during and after the session: Monday.
        assert_eq!(
            c.trading_day(utc("2026-11-23T14:30:00Z")),
            date(2026, 11, 23)
        );
        assert_eq!(
            c.trading_day(utc("2026-11-24T03:00:00Z")),
            date(2026, 11, 23)
        );
        // Thanksgiving belongs to Wednesday; the early-close Friday to itself.
        assert_eq!(
            c.trading_day(utc("2026-11-26T18:00:00Z")),
            date(2026, 11, 25)
        );
        assert_eq!(
            c.trading_day(utc("2026-11-27T20:00:00Z")),
            date(2026, 11, 27)
        );
        // NSE: 23:00 UTC Sunday is 04:30 IST Monday, before the open: Friday.
        assert_eq!(
            Calendar::nse().trading_day(utc("2026-11-22T23:00:00Z")),
            date(2026, 11, 20)
        );
    }

    #[test]
    fn next_open_over_a_holiday_weekend() {
        let c = Calendar::nyse();
        // Good Friday 2026 (April 3) then the weekend: Thursday's close -> Monday 6th.
        assert_eq!(
            c.next_open(utc("2026-04-02T20:00:00Z")),
            Some(utc("2026-04-06T13:30:00Z"))
        );
        // Independence Day observed on Friday 2026-07-03.
        assert_eq!(
            c.next_open(utc("2026-07-02T21:00:00Z")),
            Some(utc("2026-07-06T13:30:00Z"))
        );
        // Memorial Day: Friday -> Tuesday.
        let s = c.status(utc("2026-05-25T15:00:00Z"));
        assert_eq!(s.state, SessionState::Holiday);
        assert_eq!(s.next_open, Some(utc("2026-05-26T13:30:00Z")));
        // Strictly after: at an open, the next one is the following day's.
        assert_eq!(
            c.next_open(utc("2026-05-26T13:30:00Z")),
            Some(utc("2026-05-27T13:30:00Z"))
        );
        let none = Calendar::new(chrono_tz::UTC, hm(9, 0), hm(17, 0)).with_weekdays(&[]);
        assert_eq!(none.next_open(utc("2026-05-26T13:30:00Z")), None);
        assert_eq!(none.previous_close(utc("2026-05-26T13:30:00Z")), None);
        assert!(
            none.status(utc("2026-05-26T13:30:00Z"))
                .describe()
                .contains("no trading day")
        );
    }

    #[test]
    fn monthly_expirations_move_off_holidays() {
        let c = Calendar::nyse();
        // April 2025: the third Friday is Good Friday the 18th -> Thursday the 17th.
        assert_eq!(third_friday(2025, 4), date(2025, 4, 18));
        assert_eq!(c.monthly_expiration(2025, 4), date(2025, 4, 17));
        // Other months keep the third Friday.
        assert_eq!(c.monthly_expiration(2025, 5), date(2025, 5, 16));
        assert_eq!(c.monthly_expiration(2026, 1), date(2026, 1, 16));
        // Juneteenth 2026 is the third Friday of June: Thursday the 18th.
        assert_eq!(c.monthly_expiration(2026, 6), date(2026, 6, 18));
        // Without holidays the third Friday stands.
        assert_eq!(
            c.regular_only().monthly_expiration(2025, 4),
            date(2025, 4, 18)
        );
        // Weeklies: a Friday holiday moves to Thursday, a trading Friday stays.
        assert_eq!(
            c.trading_day_on_or_before(date(2026, 4, 3)),
            date(2026, 4, 2)
        );
        assert_eq!(
            c.trading_day_on_or_before(date(2026, 4, 10)),
            date(2026, 4, 10)
        );
    }

    #[test]
    fn nse_status_is_on_the_exchange_clock() {
        let c = Calendar::nse();
        let s = c.status(utc("2026-11-23T03:44:59Z"));
        assert_eq!(s.state, SessionState::BeforeOpen);
        assert_eq!(s.next_open, Some(utc("2026-11-23T03:45:00Z")));
        let s = c.status(utc("2026-11-23T10:00:00Z"));
        assert_eq!(s.state, SessionState::AfterClose);
        // Tuesday the 24th is Guru Nanak Jayanti: next open Wednesday.
        assert!(
            s.describe().contains("next open 2026-11-25 09:15 IST"),
            "{}",
            s.describe()
        );
        assert_eq!(
            c.status(utc("2026-11-28T05:30:00Z")).state,
            SessionState::Weekend
        );
    }
}
