//! The trading calendar enrichment checks bars against: the New York session, 09:30-16:00
//! on weekdays, less configured holidays. Five-minute bars open at 09:30 ... 15:55 (78 a
//! session), hourly bars at 09:30 ... 15:30 (7, the last one 30 minutes long), a daily
//! bar at 09:30 (`BarProvider`'s convention: a daily bar is timed at the session open).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;

use crate::market::Timeframe;

/// Sessions: weekdays that are not holidays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
}

fn ny(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    New_York
        .from_local_datetime(&date.and_time(t))
        .earliest()
        .expect("09:30-16:00 exists in New York on every day")
        .with_timezone(&Utc)
}

impl Calendar {
    pub fn new(holidays: &[NaiveDate]) -> Self {
        Calendar {
            holidays: holidays.iter().copied().collect(),
        }
    }

    /// Whether New York has a session on `date`.
    pub fn is_session(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The bar opens of one session, oldest first (empty on a day without one).
    pub fn opens_on(&self, tf: Timeframe, date: NaiveDate) -> Vec<DateTime<Utc>> {
        if !self.is_session(date) {
            return Vec::new();
        }
        let open = ny(date, 9, 30);
        match tf {
            Timeframe::M5 => (0..78).map(|k| open + TimeDelta::minutes(5 * k)).collect(),
            Timeframe::H1 => (0..7).map(|k| open + TimeDelta::hours(k)).collect(),
            Timeframe::D1 => vec![open],
        }
    }

    /// When the bar that opened at `open` closes: 5 minutes or an hour later, never past
    /// the 16:00 close; a daily bar at the close.
    pub fn close_of(&self, tf: Timeframe, open: DateTime<Utc>) -> DateTime<Utc> {
        let session_close = ny(open.with_timezone(&New_York).date_naive(), 16, 0);
        match tf {
            Timeframe::M5 => open + TimeDelta::minutes(5),
            Timeframe::H1 => (open + TimeDelta::hours(1)).min(session_close),
            Timeframe::D1 => session_close,
        }
    }

    /// Every bar open in `[from, to]` (both included), oldest first.
    pub fn opens_between(
        &self,
        tf: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        if to < from {
            return Vec::new();
        }
        let mut day = from.with_timezone(&New_York).date_naive();
        let last = to.with_timezone(&New_York).date_naive();
        let mut out = Vec::new();
        while day <= last {
            out.extend(
                self.opens_on(tf, day)
                    .into_iter()
                    .filter(|t| *t >= from && *t <= to),
            );
            day = day.succ_opt().expect("a date before the end of time");
        }
        out
    }

    /// The newest bar that has closed by `at`: what a source should have by then. Looks
    /// back at most 30 days (a longer run of holidays is not a calendar).
    pub fn last_closed(&self, tf: Timeframe, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut day = at.with_timezone(&New_York).date_naive();
        for _ in 0..30 {
            if let Some(t) = self
                .opens_on(tf, day)
                .into_iter()
                .rev()
                .find(|t| self.close_of(tf, *t) <= at)
            {
                return Some(t);
            }
            day = day.pred_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn sessions_and_bar_times() {
        let cal = Calendar::new(&[date(2026, 11, 26)]);
        // Monday 23 Nov 2026: EST, 09:30 New York = 14:30 UTC.
        let mon = date(2026, 11, 23);
        let m5 = cal.opens_on(Timeframe::M5, mon);
        assert_eq!(m5.len(), 78);
        assert_eq!(m5[0], ny(mon, 9, 30));
        assert_eq!(m5[0].to_rfc3339(), "2026-11-23T14:30:00+00:00");
        assert_eq!(m5[77], ny(mon, 15, 55));
        let h1 = cal.opens_on(Timeframe::H1, mon);
        assert_eq!(h1.len(), 7);
        assert_eq!(cal.close_of(Timeframe::H1, h1[6]), ny(mon, 16, 0));
        assert_eq!(cal.close_of(Timeframe::H1, h1[5]), ny(mon, 15, 30));
        assert_eq!(cal.opens_on(Timeframe::D1, mon), vec![ny(mon, 9, 30)]);
        // Weekends and holidays have none.
        assert!(cal.opens_on(Timeframe::D1, date(2026, 11, 22)).is_empty());
        assert!(cal.opens_on(Timeframe::D1, date(2026, 11, 26)).is_empty());
        // Summer time: 09:30 New York = 13:30 UTC.
        assert_eq!(
            cal.opens_on(Timeframe::D1, date(2026, 7, 1))[0].to_rfc3339(),
            "2026-07-01T13:30:00+00:00"
        );
    }

    #[test]
    fn opens_between_and_the_last_closed_bar() {
        let cal = Calendar::new(&[date(2026, 11, 26)]);
        let d = cal.opens_between(
            Timeframe::D1,
            ny(date(2026, 11, 20), 9, 30),
            ny(date(2026, 11, 30), 9, 30),
        );
        // Fri 20, Mon 23, Tue 24, Wed 25, (Thu 26 holiday), Fri 27, Mon 30.
        assert_eq!(d.len(), 6);
        // Monday 10:07 New York: the last closed 5m bar opened at 10:00; the last daily
        // bar that closed is Friday's; no hourly bar has closed today.
        let at = ny(date(2026, 11, 23), 10, 7);
        assert_eq!(
            cal.last_closed(Timeframe::M5, at),
            Some(ny(date(2026, 11, 23), 10, 0))
        );
        assert_eq!(
            cal.last_closed(Timeframe::D1, at),
            Some(ny(date(2026, 11, 20), 9, 30))
        );
        assert_eq!(
            cal.last_closed(Timeframe::H1, at),
            Some(ny(date(2026, 11, 20), 15, 30))
        );
        // Friday after the holiday, before the open: Wednesday's bars.
        assert_eq!(
            cal.last_closed(Timeframe::D1, ny(date(2026, 11, 27), 8, 0)),
            Some(ny(date(2026, 11, 25), 9, 30))
        );
    }
}
