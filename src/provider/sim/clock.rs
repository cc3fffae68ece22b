//! The simulator's clock on the trading calendar: trading-day indices, where an instant
//! falls in its session, and the live expirations.

use std::sync::OnceLock;

use chrono::NaiveTime;

use super::*;
use crate::market::Calendar;

/// The simulator's calendar: NYSE's regular session, 09:30-16:00 New York, on weekdays.
/// Exchange holidays and early closes are not modelled: a holiday would shift every later
/// trading-day index, and with it every simulated number.
pub(super) fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::nyse().regular_only())
}

/// The session calendar of a ticker on `exchange`: NYSE's (above) or NSE's regular
/// session, 09:15-15:30 Asia/Kolkata on weekdays, holidays not modelled either.
pub(super) fn calendar_of(exchange: Exchange) -> &'static Calendar {
    static NSE: OnceLock<Calendar> = OnceLock::new();
    match exchange {
        Exchange::Us => calendar(),
        Exchange::Nse => NSE.get_or_init(|| Calendar::nse().regular_only()),
    }
}

/// Seconds after local midnight.
fn secs(t: NaiveTime) -> f64 {
    f64::from(t.num_seconds_from_midnight())
}

/// Day 0 of the trading-day count: Monday 2020-01-06.
pub(super) fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 6).expect("valid date")
}

/// Index of the last weekday on or before `date`, and whether `date` is itself a weekday.
pub(super) fn trading_index(date: NaiveDate) -> (i64, bool) {
    let days = (date - epoch()).num_days();
    let (week, dow) = (days.div_euclid(7), days.rem_euclid(7));
    if dow < 5 {
        (week * 5 + dow, true)
    } else {
        (week * 5 + 4, false)
    }
}

pub(super) fn trading_date(index: i64) -> NaiveDate {
    epoch() + TimeDelta::days(index.div_euclid(5) * 7 + index.rem_euclid(5))
}

/// Where an instant falls in the trading calendar.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    /// Session day: the latest trading day whose session has opened.
    pub(super) day: i64,
    /// Its date.
    pub(super) date: NaiveDate,
    /// Elapsed share of that session, 0..=1; 1 once it has closed.
    pub(super) frac: f64,
}

impl Clock {
    /// Where `t` falls on `cal`'s session.
    pub(super) fn on(cal: &Calendar, t: DateTime<Utc>) -> Clock {
        let (open, close) = (secs(cal.open_time()), secs(cal.close_time()));
        let local = t.with_timezone(&cal.tz());
        let (index, weekday) = trading_index(local.date_naive());
        let secs = f64::from(local.num_seconds_from_midnight())
            + f64::from(local.nanosecond().min(999_999_999)) * 1e-9;
        let (day, frac) = if !weekday || secs >= close {
            (index, 1.0)
        } else if secs < open {
            (index - 1, 1.0)
        } else {
            (index, (secs - open) / (close - open))
        };
        Clock {
            day,
            date: trading_date(day),
            frac,
        }
    }
}

/// Kinds of expiration; the order decides which kind a shared date keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Series {
    Monthly,
    Leap,
    Weekly,
}

impl Series {
    /// Relative number of strikes listed: longer series cover a wider range.
    pub(super) fn strike_weight(self) -> f64 {
        match self {
            Series::Weekly => 1.0,
            Series::Monthly => 1.25,
            Series::Leap => 1.5,
        }
    }

    /// Open interest gathers in the standard monthlies (log-points).
    pub(super) fn oi_bias(self) -> f64 {
        match self {
            Series::Weekly => -0.3,
            Series::Monthly | Series::Leap => 0.4,
        }
    }
}

/// Live expirations at `as_of` of `root` on `exchange`.
///
/// US: the next 6 weekly Fridays, the next 6 monthly third Fridays and the January LEAPs
/// of the next two years, deduplicated and sorted. Always >= 11. NSE: the next 3 monthly
/// expiries (the month's last Tuesday), and for an index also the next 6 weekly Tuesdays.
pub(super) fn expirations(
    as_of: DateTime<Utc>,
    exchange: Exchange,
    root: &str,
) -> Vec<(NaiveDate, Series)> {
    let cal = calendar_of(exchange);
    let today = cal.local_date(as_of);
    // The time left, not the date, decides: a contract priced at t = 0 would be NaN.
    let live = |d: &NaiveDate| years_between(as_of, expiry_instant_of(exchange, root, *d)) > 0.0;
    if exchange == Exchange::Nse {
        return nse_expirations(today, root, live);
    }
    let mut out = Vec::with_capacity(16);
    let to_friday =
        (Weekday::Fri.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    let friday = today + TimeDelta::days(i64::from(to_friday));
    out.extend(
        (0..7)
            .map(|w| friday + TimeDelta::weeks(w))
            .filter(live)
            .take(6)
            .map(|d| (d, Series::Weekly)),
    );
    let month0 = today.year() * 12 + today.month0() as i32;
    out.extend(
        (month0..month0 + 8)
            .map(|m| cal.monthly_expiration(m.div_euclid(12), m.rem_euclid(12) as u32 + 1))
            .filter(live)
            .take(6)
            .map(|d| (d, Series::Monthly)),
    );
    for year in [today.year() + 1, today.year() + 2] {
        let d = cal.monthly_expiration(year, 1);
        if live(&d) {
            out.push((d, Series::Leap));
        }
    }
    out.sort();
    out.dedup_by_key(|(d, _)| *d);
    out
}

/// NSE's expiries: monthly on the month's last Tuesday; weekly Tuesdays for an index.
fn nse_expirations(
    today: NaiveDate,
    root: &str,
    live: impl Fn(&NaiveDate) -> bool,
) -> Vec<(NaiveDate, Series)> {
    let to_tuesday =
        (Weekday::Tue.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    let tuesday = today + TimeDelta::days(i64::from(to_tuesday));
    let mut out = Vec::with_capacity(10);
    if crate::market::Symbol::parse(root).is_ok_and(|s| s.is_index()) {
        out.extend(
            (0..7)
                .map(|w| tuesday + TimeDelta::weeks(w))
                .filter(&live)
                .take(6)
                .map(|d| (d, Series::Weekly)),
        );
    }
    let month0 = today.year() * 12 + today.month0() as i32;
    out.extend(
        (month0..month0 + 5)
            .map(|m| {
                let (y, m) = (m.div_euclid(12), m.rem_euclid(12) as u32 + 1);
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)
                }
                .expect("valid date");
                let last = next - TimeDelta::days(1);
                let back = (last.weekday().num_days_from_monday() + 7
                    - Weekday::Tue.num_days_from_monday())
                    % 7;
                last - TimeDelta::days(i64::from(back))
            })
            .filter(&live)
            .take(3)
            .map(|d| (d, Series::Monthly)),
    );
    out.sort();
    out.dedup_by_key(|(d, _)| *d);
    out
}
