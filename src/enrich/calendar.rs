//! The bar calendar enrichment checks bars against: NYSE's calendar
//! (`market::calendar::Calendar::nyse`, its holidays and 13:00 early closes) plus the
//! holidays of `[enrich] holidays`. Five-minute bars open at 09:30 ... 15:55 New York (78
//! a session), hourly bars at 09:30 ... 15:30 (7, the last one 30 minutes long), a daily
//! bar at 09:30 (`BarProvider`'s convention: a daily bar is timed at the session open).
//! An early close ends the day's bars sooner (13:00: 42 five-minute bars, 4 hourly).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::market::Timeframe;
use crate::market::calendar::Calendar as Exchange;

/// Sessions: NYSE trading days less the extra holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    exchange: Exchange,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new(&[])
    }
}

impl Calendar {
    /// NYSE's calendar with `holidays` as extra closures.
    pub fn new(holidays: &[NaiveDate]) -> Self {
        Calendar {
            exchange: Exchange::nyse()
                .clone()
                .with_holidays(holidays.iter().copied()),
        }
    }

    /// Whether New York has a session on `date`.
    pub fn is_session(&self, date: NaiveDate) -> bool {
        self.exchange.is_trading_day(date)
    }

    /// The bar opens of one session, oldest first (empty on a day without one).
    pub fn opens_on(&self, tf: Timeframe, date: NaiveDate) -> Vec<DateTime<Utc>> {
        let Some(session) = self.exchange.session(date) else {
            return Vec::new();
        };
        let step = match tf {
            Timeframe::M1 => TimeDelta::minutes(1),
            Timeframe::M5 => TimeDelta::minutes(5),
            Timeframe::H1 => TimeDelta::hours(1),
            Timeframe::D1 => return vec![session.open],
        };
        std::iter::successors(Some(session.open), |t| Some(*t + step))
            .take_while(|t| *t < session.close)
            .collect()
    }

    /// When the bar that opened at `open` closes: 1 or 5 minutes or an hour later, never past
    /// the session's close; a daily bar at the close.
    pub fn close_of(&self, tf: Timeframe, open: DateTime<Utc>) -> DateTime<Utc> {
        let session_close = self.exchange.hours_on(self.exchange.local_date(open)).close;
        match tf {
            Timeframe::M1 | Timeframe::M5 => open + tf.duration(),
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
        let mut day = self.exchange.local_date(from);
        let last = self.exchange.local_date(to);
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
        let mut day = self.exchange.local_date(at);
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

    fn ny(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        let nyse = Exchange::nyse();
        nyse.at(date, chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap())
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

    #[test]
    fn nyse_holidays_and_early_closes_apply_without_configuring_them() {
        let cal = Calendar::new(&[]);
        // Thanksgiving 2026 has no session; the Friday after ends at 13:00.
        assert!(!cal.is_session(date(2026, 11, 26)));
        let fri = date(2026, 11, 27);
        let m5 = cal.opens_on(Timeframe::M5, fri);
        assert_eq!((m5.len(), m5[41]), (42, ny(fri, 12, 55)));
        let h1 = cal.opens_on(Timeframe::H1, fri);
        assert_eq!(h1.len(), 4);
        assert_eq!(cal.close_of(Timeframe::H1, h1[3]), ny(fri, 13, 0));
        assert_eq!(cal.close_of(Timeframe::D1, ny(fri, 9, 30)), ny(fri, 13, 0));
        // The daily bars of Thanksgiving week: Wednesday, then Friday.
        let d = cal.opens_between(Timeframe::D1, ny(date(2026, 11, 25), 0, 0), ny(fri, 23, 0));
        assert_eq!(d, vec![ny(date(2026, 11, 25), 9, 30), ny(fri, 9, 30)]);
    }
}
