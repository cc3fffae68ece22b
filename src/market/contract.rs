//! What a contract is beyond its quote: the market it trades on (whose calendar sets its
//! sessions and its expiry instant), its exercise style, how it settles, and the
//! dividends its underlying pays before it expires.
//!
//! Expiry instants, the rule `quant` and `scan` price with:
//! - US options (`Exchange::Us`, NYSE's calendar): the close of the expiration day, 16:00
//!   New York, or the early close (13:00) on a day NYSE closes early. AM-settled contracts
//!   stop at the open (09:30 New York) of that day, when their settlement value is fixed:
//!   the standard monthly contracts of the `SPX`, `NDX` and `RUT` roots (the third-Friday
//!   contracts; their `SPXW`, `NDXP` and `RUTW` weeklies settle PM) and every `VIX`/`VIXW`
//!   contract.
//! - NSE options (`Exchange::Nse`): 15:30 Asia/Kolkata, NSE's close.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::Calendar;

/// The market a chain trades on; its calendar gives sessions, trading days and expiry
/// instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exchange {
    /// US listed options on NYSE's calendar (09:30-16:00 New York).
    #[default]
    Us,
    /// The National Stock Exchange of India (09:15-15:30 Asia/Kolkata).
    Nse,
}

impl Exchange {
    /// The exchange's trading calendar, with its holidays and early closes.
    pub fn calendar(self) -> &'static Calendar {
        match self {
            Exchange::Us => Calendar::nyse(),
            Exchange::Nse => Calendar::nse(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exchange::Us => "us",
            Exchange::Nse => "nse",
        }
    }
}

/// Where a symbol is listed: the exchange whose calendar its bars keep, and in India
/// which of the two exchanges quotes it (NSE and BSE share one calendar; Yahoo spells
/// their listings `.NS` and `.BO`). Written `us`, `nse` or `bse` in config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Listing {
    /// A US listing (NYSE's calendar).
    #[default]
    Us,
    /// The National Stock Exchange of India.
    Nse,
    /// BSE (the Bombay Stock Exchange): NSE's calendar.
    Bse,
}

impl Listing {
    /// The exchange whose calendar (sessions, holidays, expiry instants) the listing keeps.
    pub fn exchange(self) -> Exchange {
        match self {
            Listing::Us => Exchange::Us,
            Listing::Nse | Listing::Bse => Exchange::Nse,
        }
    }

    /// The listing's trading calendar.
    pub fn calendar(self) -> &'static Calendar {
        self.exchange().calendar()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Listing::Us => "us",
            Listing::Nse => "nse",
            Listing::Bse => "bse",
        }
    }
}

impl std::fmt::Display for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the holder of an option may exercise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exercise {
    /// Any day up to expiry: US single-stock and ETF options.
    American,
    /// At expiry only: cash-settled index options (SPX, NDX, RUT, VIX, NIFTY, BANKNIFTY...)
    /// and NSE stock options.
    European,
}

impl Exercise {
    /// The usual style of options on `underlying` listed on `exchange`: European for index
    /// roots (see [`super::Symbol::is_index`]) and for everything on NSE, American for US
    /// stocks and ETFs.
    pub fn usual(exchange: Exchange, underlying: &str) -> Exercise {
        let index = super::Symbol::parse(underlying).is_ok_and(|s| s.is_index());
        if index || exchange == Exchange::Nse {
            Exercise::European
        } else {
            Exercise::American
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exercise::American => "american",
            Exercise::European => "european",
        }
    }
}

/// Which price a contract settles on: the expiration day's opening prints (AM) or its
/// close (PM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Settlement {
    Am,
    Pm,
}

/// A cash dividend the underlying goes ex on `ex_date` (amount per share, in the
/// underlying's currency).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExDividend {
    pub ex_date: NaiveDate,
    pub amount: f64,
}

/// The root of an OCC-style contract symbol (`SPXW` in `SPXW261218C05000000`): all but
/// the last 15 characters (date, right, strike). The whole symbol when it is shorter.
pub fn occ_root(symbol: &str) -> &str {
    match symbol.len().checked_sub(15) {
        Some(n) if n > 0 && symbol.is_char_boundary(n) => &symbol[..n],
        _ => symbol,
    }
}

/// How a contract of `root` expiring on `date` settles on `exchange` (see the module's
/// rule).
pub fn settlement(exchange: Exchange, root: &str, date: NaiveDate) -> Settlement {
    if exchange != Exchange::Us {
        return Settlement::Pm;
    }
    match root {
        "VIX" | "VIXW" => Settlement::Am,
        "SPX" | "NDX" | "RUT" if is_standard_monthly(date) => Settlement::Am,
        _ => Settlement::Pm,
    }
}

/// The third Friday of its month, or the trading day NYSE moves it to when that Friday
/// is a holiday.
fn is_standard_monthly(d: NaiveDate) -> bool {
    (d.weekday() == Weekday::Fri && (15..=21).contains(&d.day()))
        || d == Calendar::nyse().monthly_expiration(d.year(), d.month())
}

/// The instant a contract of `root` expiring on `date` stops trading (see the module's
/// rule): the open for AM-settled contracts, else the close, early on an early-close day.
pub fn expiry_instant_of(exchange: Exchange, root: &str, date: NaiveDate) -> DateTime<Utc> {
    let cal = exchange.calendar();
    match settlement(exchange, root, date) {
        Settlement::Am => cal.open_on(date),
        Settlement::Pm => cal.at(date, cal.close_on(date)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spx_monthlies_stop_at_the_open_weeklies_at_the_close() {
        // 2026-12-18 is December's third Friday (New York is on EST, UTC-5).
        let monthly = d(2026, 12, 18);
        assert_eq!(
            expiry_instant_of(Exchange::Us, "SPX", monthly).to_rfc3339(),
            "2026-12-18T14:30:00+00:00"
        );
        assert_eq!(
            expiry_instant_of(Exchange::Us, "SPXW", monthly).to_rfc3339(),
            "2026-12-18T21:00:00+00:00"
        );
        // An SPX-root contract on another day is a PM weekly.
        assert_eq!(
            expiry_instant_of(Exchange::Us, "SPX", d(2026, 12, 11)).to_rfc3339(),
            "2026-12-11T21:00:00+00:00"
        );
        for root in ["NDX", "RUT"] {
            assert_eq!(settlement(Exchange::Us, root, monthly), Settlement::Am);
        }
        assert_eq!(
            settlement(Exchange::Us, "VIX", d(2026, 12, 16)),
            Settlement::Am
        );
        assert_eq!(settlement(Exchange::Us, "AAPL", monthly), Settlement::Pm);
        // April 2025: Good Friday moves the monthly to Thursday the 17th (EDT, UTC-4).
        assert_eq!(
            expiry_instant_of(Exchange::Us, "SPX", d(2025, 4, 17)).to_rfc3339(),
            "2025-04-17T13:30:00+00:00"
        );
    }

    #[test]
    fn early_close_days_end_at_the_early_close() {
        // The day after Thanksgiving 2026 closes at 13:00 New York.
        let friday = d(2026, 11, 27);
        assert!(Calendar::nyse().early_closes().contains_key(&friday));
        assert_eq!(
            expiry_instant_of(Exchange::Us, "AAPL", friday).to_rfc3339(),
            "2026-11-27T18:00:00+00:00"
        );
    }

    #[test]
    fn nse_contracts_expire_at_half_past_three_ist() {
        assert_eq!(
            expiry_instant_of(Exchange::Nse, "NIFTY", d(2026, 12, 29)).to_rfc3339(),
            "2026-12-29T10:00:00+00:00"
        );
    }

    #[test]
    fn exercise_style_follows_the_underlying() {
        assert_eq!(Exercise::usual(Exchange::Us, "AAPL"), Exercise::American);
        assert_eq!(Exercise::usual(Exchange::Us, "SPY"), Exercise::American);
        for index in ["SPX", "NDX", "RUT", "VIX"] {
            assert_eq!(Exercise::usual(Exchange::Us, index), Exercise::European);
        }
        assert_eq!(Exercise::usual(Exchange::Nse, "NIFTY"), Exercise::European);
        assert_eq!(
            Exercise::usual(Exchange::Nse, "RELIANCE"),
            Exercise::European
        );
    }

    #[test]
    fn listings_keep_their_exchange_calendar() {
        assert_eq!(Listing::default(), Listing::Us);
        assert_eq!(Listing::Bse.exchange(), Exchange::Nse);
        assert_eq!(Listing::Nse.calendar(), Calendar::nse());
        assert_eq!(Listing::Us.calendar(), Calendar::nyse());
        let l: Listing = serde_json::from_str("\"bse\"").unwrap();
        assert_eq!(l, Listing::Bse);
        assert_eq!(Listing::Nse.to_string(), "nse");
    }

    #[test]
    fn occ_roots_are_read_from_the_right() {
        assert_eq!(occ_root("SPXW261218C05000000"), "SPXW");
        assert_eq!(occ_root("CLX1261218C00095000"), "CLX1");
        assert_eq!(occ_root("X"), "X");
    }
}
