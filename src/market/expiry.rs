//! NSE's F&O expiry rules: which weekday each underlying's monthly and weekly contracts
//! expire on, as dated data (`holidays/nse-expiries.txt`: NSE has moved them several
//! times), and the expiry dates they give on NSE's calendar, an expiry on a trading
//! holiday moving to the previous trading day. Exercise styles are in
//! [`super::Exercise`] (every NSE option is European); the expiry instant (15:30 IST) in
//! [`super::expiry_instant_of`]. A leaf module, like `calendar`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::Calendar;

/// An F&O series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Series {
    /// One expiry a month, on the month's last expiry weekday.
    Monthly,
    /// One expiry a week.
    Weekly,
}

/// One root's rules for one series: (effective date, weekday or none), by date.
type Dated = Vec<(NaiveDate, Option<Weekday>)>;

/// The dated expiry weekdays of an exchange's underlyings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpiryRules {
    /// (root, series) → (effective date, weekday or none), sorted by date. Root `*` is
    /// every underlying without rules of its own.
    rules: BTreeMap<(String, Series), Dated>,
}

/// Parses an expiry rules file (see `holidays/nse-expiries.txt`). Err is (line number,
/// text).
pub fn parse_expiry_rules(text: &str) -> Result<ExpiryRules, (usize, String)> {
    let mut out = ExpiryRules::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = || (n + 1, line.to_string());
        let w: Vec<&str> = line.split_whitespace().collect();
        let [date, root, series, day] = w[..] else {
            return Err(bad());
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
        let series = match series {
            "monthly" => Series::Monthly,
            "weekly" => Series::Weekly,
            _ => return Err(bad()),
        };
        let day = match day {
            "none" => None,
            d => Some(d.parse::<Weekday>().map_err(|_| bad())?),
        };
        let list = out
            .rules
            .entry((root.to_ascii_uppercase(), series))
            .or_default();
        list.push((date, day));
        list.sort_by_key(|(d, _)| *d);
    }
    Ok(out)
}

impl ExpiryRules {
    /// NSE's rules, parsed once.
    pub fn nse() -> &'static ExpiryRules {
        static RULES: OnceLock<ExpiryRules> = OnceLock::new();
        RULES.get_or_init(|| {
            parse_expiry_rules(include_str!("holidays/nse-expiries.txt"))
                .unwrap_or_else(|(line, s)| panic!("holidays/nse-expiries.txt line {line}: {s:?}"))
        })
    }

    /// The weekday `root`'s `series` expires on by the rule in force on `on`; None when
    /// the series does not exist then (no weekly, or a date before the data).
    pub fn weekday(&self, root: &str, series: Series, on: NaiveDate) -> Option<Weekday> {
        let own = self.rules.get(&(root.to_string(), series));
        let has_own = self.rules.keys().any(|(r, _)| r == root);
        // An underlying with rules of its own never falls back to the stocks' `*`.
        let list = match own {
            Some(l) => l,
            None if has_own => return None,
            None => self.rules.get(&("*".to_string(), series))?,
        };
        list.iter()
            .rev()
            .find(|(from, _)| *from <= on)
            .and_then(|(_, d)| *d)
    }

    /// `root`'s monthly expiry of `month` (1..=12) in `year` on `cal`: the last expiry
    /// weekday of the month by the rule in force on its first day, moved back to a
    /// trading day. None when no rule covers the month.
    pub fn monthly(&self, cal: &Calendar, root: &str, year: i32, month: u32) -> Option<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let day = self.weekday(root, Series::Monthly, first)?;
        let next = first.checked_add_months(chrono::Months::new(1))?;
        let last = (1..=7)
            .filter_map(|n| next.checked_sub_days(Days::new(n)))
            .find(|d| d.weekday() == day)?;
        Some(cal.trading_day_on_or_before(last))
    }

    /// `root`'s weekly expiries scheduled in `[from, to]` on `cal`, each moved back to a
    /// trading day, oldest first. The week of a monthly expiry has no weekly of its own
    /// on another day ("every week, excluding the expiry week of the monthly contract":
    /// BANKNIFTY's Wednesday weeklies beside its Thursday monthlies until March 2024);
    /// where both fall on the same day it is listed once.
    pub fn weeklies(
        &self,
        cal: &Calendar,
        root: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.weekday(root, Series::Weekly, *d) == Some(d.weekday()))
            .filter(|d| {
                self.monthly(cal, root, d.year(), d.month())
                    .is_none_or(|m| m.iso_week() != d.iso_week() || m == *d)
            })
            .map(|d| cal.trading_day_on_or_before(d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn monthlies_follow_the_rule_of_their_month() {
        let (r, c) = (ExpiryRules::nse(), Calendar::nse());
        // 2024: last Thursday for NIFTY and the stocks.
        assert_eq!(r.monthly(c, "NIFTY", 2024, 10), Some(d(2024, 10, 31)));
        assert_eq!(r.monthly(c, "RELIANCE", 2024, 10), Some(d(2024, 10, 31)));
        // Bank Nifty on Wednesdays from March 2024; Christmas 2024 moves it to Tuesday.
        assert_eq!(r.monthly(c, "BANKNIFTY", 2024, 2), Some(d(2024, 2, 29)));
        assert_eq!(r.monthly(c, "BANKNIFTY", 2024, 3), Some(d(2024, 3, 27)));
        assert_eq!(r.monthly(c, "BANKNIFTY", 2024, 12), Some(d(2024, 12, 24)));
        // FINNIFTY last Tuesday, MIDCPNIFTY last Monday, then Thursday from 2025.
        assert_eq!(r.monthly(c, "FINNIFTY", 2024, 10), Some(d(2024, 10, 29)));
        assert_eq!(r.monthly(c, "MIDCPNIFTY", 2024, 10), Some(d(2024, 10, 28)));
        assert_eq!(r.monthly(c, "BANKNIFTY", 2025, 1), Some(d(2025, 1, 30)));
        assert_eq!(r.monthly(c, "FINNIFTY", 2025, 1), Some(d(2025, 1, 30)));
        assert_eq!(r.monthly(c, "MIDCPNIFTY", 2025, 1), Some(d(2025, 1, 30)));
        // NIFTYNXT50 on the last Friday until 2025, then with the others.
        assert_eq!(r.monthly(c, "NIFTYNXT50", 2024, 10), Some(d(2024, 10, 25)));
        assert_eq!(r.monthly(c, "NIFTYNXT50", 2025, 2), Some(d(2025, 2, 27)));
        // The Monday move of April 2025 (NSE FAOP66938) was put off and never held.
        assert_eq!(r.monthly(c, "NIFTY", 2025, 4), Some(d(2025, 4, 24)));
        // August 2025 still Thursday, September on the last Tuesday.
        assert_eq!(r.monthly(c, "NIFTY", 2025, 8), Some(d(2025, 8, 28)));
        assert_eq!(r.monthly(c, "TCS", 2025, 8), Some(d(2025, 8, 28)));
        assert_eq!(r.monthly(c, "NIFTY", 2025, 9), Some(d(2025, 9, 30)));
        assert_eq!(r.monthly(c, "TCS", 2025, 9), Some(d(2025, 9, 30)));
        assert_eq!(r.monthly(c, "NIFTY", 2026, 12), Some(d(2026, 12, 29)));
        // Holidays move an expiry to the trading day before: 24 Nov 2026 (Guru Nanak
        // Jayanti) and 31 Mar 2026 (Mahavir Jayanti) are Tuesdays.
        assert_eq!(r.monthly(c, "NIFTY", 2026, 11), Some(d(2026, 11, 23)));
        assert_eq!(r.monthly(c, "RELIANCE", 2026, 3), Some(d(2026, 3, 30)));
        // Before the data: no rule.
        assert_eq!(r.monthly(c, "NIFTY", 2023, 12), None);
    }

    #[test]
    fn weeklies_change_day_stop_and_move_off_holidays() {
        let (r, c) = (ExpiryRules::nse(), Calendar::nse());
        // NIFTY: Thursdays; Independence Day 2024 (Thursday) moves one to Wednesday.
        assert_eq!(
            r.weeklies(c, "NIFTY", d(2024, 8, 5), d(2024, 8, 25)),
            [d(2024, 8, 8), d(2024, 8, 14), d(2024, 8, 22)]
        );
        // The switch to Tuesday: Thursday 28 Aug 2025, then Tuesday 2 Sep.
        assert_eq!(
            r.weeklies(c, "NIFTY", d(2025, 8, 25), d(2025, 9, 10)),
            [d(2025, 8, 28), d(2025, 9, 2), d(2025, 9, 9)]
        );
        // Diwali on Tuesday 21 Oct 2025: Monday the 20th.
        assert_eq!(
            r.weeklies(c, "NIFTY", d(2025, 10, 19), d(2025, 10, 25)),
            [d(2025, 10, 20)]
        );
        // BANKNIFTY: Wednesdays, but not in the week of its Thursday monthly (25 Jan
        // 2024) while that was on Thursday; from March 2024 both on Wednesday.
        assert_eq!(
            r.weeklies(c, "BANKNIFTY", d(2024, 1, 1), d(2024, 1, 31)),
            [
                d(2024, 1, 3),
                d(2024, 1, 10),
                d(2024, 1, 17),
                d(2024, 1, 31)
            ]
        );
        assert_eq!(r.monthly(c, "BANKNIFTY", 2024, 1), Some(d(2024, 1, 25)));
        assert_eq!(
            r.weeklies(c, "BANKNIFTY", d(2024, 3, 18), d(2024, 4, 7)),
            [d(2024, 3, 20), d(2024, 3, 27), d(2024, 4, 3)]
        );
        // After the move to Tuesday: 30 Sep 2025 is weekly and monthly at once, and the
        // NIFTY weekly that would have been Thursday 2 Oct (Gandhi Jayanti) is Tuesday 7.
        assert_eq!(
            r.weeklies(c, "NIFTY", d(2025, 9, 29), d(2025, 10, 15)),
            [d(2025, 9, 30), d(2025, 10, 7), d(2025, 10, 14)]
        );
        // BANKNIFTY's weeklies end on 13 Nov 2024; FINNIFTY's on the 19th.
        assert_eq!(
            r.weeklies(c, "BANKNIFTY", d(2024, 11, 4), d(2024, 12, 31)),
            [d(2024, 11, 6), d(2024, 11, 13)]
        );
        assert_eq!(
            r.weeklies(c, "FINNIFTY", d(2024, 11, 11), d(2024, 12, 31)),
            [d(2024, 11, 12), d(2024, 11, 19)]
        );
        assert_eq!(
            r.weeklies(c, "MIDCPNIFTY", d(2024, 11, 11), d(2024, 12, 31)),
            [d(2024, 11, 11), d(2024, 11, 18)]
        );
        // Stocks have no weeklies; an index with its own rules never takes the stocks'.
        assert!(
            r.weeklies(c, "RELIANCE", d(2026, 1, 1), d(2026, 2, 1))
                .is_empty()
        );
        assert_eq!(r.weekday("NIFTYNXT50", Series::Weekly, d(2026, 1, 5)), None);
    }

    #[test]
    fn bad_rule_lines_name_the_line() {
        assert_eq!(
            parse_expiry_rules("# c\n2024-01-01 NIFTY weekly Thu\n2024-01-01 NIFTY daily Thu\n")
                .unwrap_err()
                .0,
            3
        );
        assert!(parse_expiry_rules("2024-01-01 NIFTY weekly Thursday").is_ok());
        assert!(parse_expiry_rules("2024-01-01 NIFTY weekly").is_err());
        assert!(parse_expiry_rules("2024-13-01 NIFTY weekly Thu").is_err());
    }
}
