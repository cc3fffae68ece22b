//! Reference profiles of well-known underlyings, so that the default watchlist's first scan
//! looks like a market: AAPL trades near $230, SPX near 5,800, NIFTY near 24,500, with
//! their usual implied-vol level, skew, option open interest, dividend yield, ex-dividend
//! months, exercise style and exchange. Every other ticker keeps its hashed profile.
//!
//! The levels are round reference values (late 2025), not live data: the simulated path
//! wanders around them (see `profile`), and nothing here is meant to be traded on.

use super::*;

/// What kind of underlying a reference name is: it sets the smile's skew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Stock,
    Etf,
    Index,
}

/// One reference name.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reference {
    pub(super) exchange: Exchange,
    pub(super) kind: Kind,
    /// The long-run spot level the path reverts to.
    pub(super) spot: f64,
    /// ATM implied vol of a mid-dated expiry.
    pub(super) iv: f64,
    /// Continuous dividend yield.
    pub(super) div: f64,
    /// Months (1..=12) with an ex-dividend date (the 10th, or the next weekday); the yield
    /// is split evenly between them. Empty: no discrete dividends (indices: the yield
    /// stands for the basket's dividends).
    pub(super) ex_months: &'static [u32],
    /// Open interest of a front-month ATM contract.
    pub(super) oi: f64,
}

const Q1: &[u32] = &[2, 5, 8, 11];
const Q2: &[u32] = &[3, 6, 9, 12];
const Q3: &[u32] = &[1, 4, 7, 10];
const NONE: &[u32] = &[];

macro_rules! refs {
    ($($name:literal => $ex:ident $kind:ident $spot:literal $iv:literal $div:literal $months:expr, $oi:literal;)*) => {
        &[$(($name, Reference {
            exchange: Exchange::$ex,
            kind: Kind::$kind,
            spot: $spot,
            iv: $iv,
            div: $div,
            ex_months: $months,
            oi: $oi,
        })),*]
    };
}

/// Sorted by name (binary search).
const REFERENCES: &[(&str, Reference)] = refs! {
    "AAPL" => Us Stock 230.0 0.26 0.0045 Q1, 9000.0;
    "ADANIENT" => Nse Stock 2500.0 0.40 0.0005 &[6], 1500.0;
    "AMD" => Us Stock 150.0 0.50 0.0 NONE, 7000.0;
    "AMZN" => Us Stock 200.0 0.33 0.0 NONE, 8000.0;
    "ASIANPAINT" => Nse Stock 2500.0 0.22 0.011 &[6], 1200.0;
    "AVGO" => Us Stock 170.0 0.45 0.013 Q2, 5000.0;
    "AXISBANK" => Nse Stock 1150.0 0.25 0.001 &[7], 1800.0;
    "BA" => Us Stock 170.0 0.38 0.0 NONE, 4000.0;
    "BAC" => Us Stock 42.0 0.27 0.025 Q2, 8000.0;
    "BAJFINANCE" => Nse Stock 7000.0 0.28 0.005 &[6], 1500.0;
    "BANKNIFTY" => Nse Index 52000.0 0.16 0.008 NONE, 25000.0;
    "BHARTIARTL" => Nse Stock 1600.0 0.22 0.005 &[8], 1500.0;
    "BRK.B" => Us Stock 450.0 0.17 0.0 NONE, 2500.0;
    "C" => Us Stock 65.0 0.28 0.033 Q1, 5000.0;
    "CLX" => Us Stock 140.0 0.22 0.035 Q3, 1500.0;
    "COIN" => Us Stock 220.0 0.75 0.0 NONE, 5000.0;
    "COST" => Us Stock 900.0 0.22 0.005 Q1, 2000.0;
    "CRM" => Us Stock 280.0 0.35 0.006 Q2, 3000.0;
    "CSCO" => Us Stock 58.0 0.24 0.028 Q3, 4000.0;
    "CVX" => Us Stock 150.0 0.24 0.042 Q1, 4000.0;
    "DIA" => Us Etf 420.0 0.15 0.016 Q2, 2000.0;
    "DIS" => Us Stock 100.0 0.28 0.009 &[1, 7], 5000.0;
    "EEM" => Us Etf 44.0 0.19 0.022 &[6, 12], 6000.0;
    "F" => Us Stock 11.0 0.35 0.055 Q3, 9000.0;
    "GLD" => Us Etf 240.0 0.16 0.0 NONE, 6000.0;
    "GME" => Us Stock 25.0 0.90 0.0 NONE, 6000.0;
    "GOOGL" => Us Stock 170.0 0.30 0.005 Q2, 7000.0;
    "GS" => Us Stock 500.0 0.28 0.023 Q2, 2000.0;
    "HCLTECH" => Nse Stock 1800.0 0.24 0.03 &[1, 7, 10], 1200.0;
    "HD" => Us Stock 400.0 0.23 0.022 Q2, 2500.0;
    "HDFCBANK" => Nse Stock 1700.0 0.20 0.012 &[5], 2500.0;
    "HINDALCO" => Nse Stock 650.0 0.30 0.005 &[8], 1500.0;
    "HINDUNILVR" => Nse Stock 2500.0 0.18 0.017 &[6, 11], 1200.0;
    "HYG" => Us Etf 79.0 0.07 0.057 &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 5000.0;
    "ICICIBANK" => Nse Stock 1250.0 0.22 0.008 &[8], 2500.0;
    "INDUSINDBK" => Nse Stock 1000.0 0.35 0.016 &[7], 1500.0;
    "INFY" => Nse Stock 1850.0 0.25 0.023 &[5, 10], 2000.0;
    "INTC" => Us Stock 22.0 0.50 0.0 NONE, 8000.0;
    "ITC" => Nse Stock 470.0 0.19 0.03 &[2, 6], 2000.0;
    "IWM" => Us Etf 220.0 0.22 0.012 Q2, 12000.0;
    "JNJ" => Us Stock 155.0 0.17 0.031 Q1, 3000.0;
    "JPM" => Us Stock 220.0 0.24 0.022 Q3, 5000.0;
    "JSWSTEEL" => Nse Stock 950.0 0.27 0.008 &[7], 1200.0;
    "KO" => Us Stock 68.0 0.16 0.029 Q2, 4000.0;
    "KOTAKBANK" => Nse Stock 1750.0 0.22 0.001 &[7], 1500.0;
    "LT" => Nse Stock 3600.0 0.24 0.008 &[6], 1500.0;
    "MA" => Us Stock 500.0 0.21 0.005 Q3, 1500.0;
    "MARUTI" => Nse Stock 11500.0 0.22 0.011 &[8], 1000.0;
    "META" => Us Stock 580.0 0.36 0.0035 Q2, 6000.0;
    "MSFT" => Us Stock 420.0 0.25 0.008 Q1, 6000.0;
    "MU" => Us Stock 100.0 0.55 0.004 Q3, 5000.0;
    "NDX" => Us Index 20500.0 0.19 0.007 NONE, 3000.0;
    "NFLX" => Us Stock 700.0 0.38 0.0 NONE, 3000.0;
    "NIFTY" => Nse Index 24500.0 0.14 0.012 NONE, 40000.0;
    "NVDA" => Us Stock 140.0 0.50 0.0003 Q2, 12000.0;
    "ORCL" => Us Stock 170.0 0.35 0.010 Q3, 3000.0;
    "PEP" => Us Stock 160.0 0.17 0.034 Q2, 3000.0;
    "PFE" => Us Stock 28.0 0.24 0.06 &[1, 5, 7, 11], 6000.0;
    "PLTR" => Us Stock 40.0 0.70 0.0 NONE, 8000.0;
    "QQQ" => Us Etf 500.0 0.19 0.006 Q2, 12000.0;
    "RELIANCE" => Nse Stock 1300.0 0.24 0.004 &[8], 3000.0;
    "RUT" => Us Index 2200.0 0.22 0.013 NONE, 2000.0;
    "SBIN" => Nse Stock 800.0 0.28 0.017 &[5], 2500.0;
    "SLV" => Us Etf 28.0 0.28 0.0 NONE, 5000.0;
    "SPX" => Us Index 5800.0 0.15 0.013 NONE, 8000.0;
    "SPY" => Us Etf 580.0 0.15 0.012 Q2, 20000.0;
    "SUNPHARMA" => Nse Stock 1800.0 0.21 0.008 &[8], 1200.0;
    "T" => Us Stock 22.0 0.22 0.05 Q3, 6000.0;
    "TATAMOTORS" => Nse Stock 800.0 0.32 0.008 &[7], 2000.0;
    "TATASTEEL" => Nse Stock 150.0 0.32 0.024 &[6], 2000.0;
    "TCS" => Nse Stock 4000.0 0.22 0.018 &[1, 7, 10], 2000.0;
    "TITAN" => Nse Stock 3300.0 0.25 0.003 &[7], 1200.0;
    "TLT" => Us Etf 92.0 0.15 0.04 &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 6000.0;
    "TSLA" => Us Stock 250.0 0.60 0.0 NONE, 12000.0;
    "UNH" => Us Stock 520.0 0.28 0.016 Q2, 2500.0;
    "USO" => Us Etf 75.0 0.35 0.0 NONE, 3000.0;
    "V" => Us Stock 300.0 0.20 0.0075 Q1, 2500.0;
    "VIX" => Us Index 17.0 0.85 0.0 NONE, 20000.0;
    "VXX" => Us Etf 50.0 0.80 0.0 NONE, 5000.0;
    "WMT" => Us Stock 85.0 0.20 0.010 &[3, 5, 8, 12], 5000.0;
    "XLE" => Us Etf 90.0 0.22 0.032 Q2, 3000.0;
    "XLF" => Us Etf 47.0 0.19 0.015 Q2, 6000.0;
    "XOM" => Us Stock 115.0 0.24 0.034 Q1, 5000.0;
    "XSP" => Us Index 580.0 0.15 0.013 NONE, 2000.0;
};

/// The reference profile of `ticker` (upper case), if it has one.
pub(super) fn reference(ticker: &str) -> Option<&'static Reference> {
    REFERENCES
        .binary_search_by(|(name, _)| (*name).cmp(ticker))
        .ok()
        .map(|i| &REFERENCES[i].1)
}

impl Reference {
    /// Cash ex-dividends from `from` through `to` (inclusive): the 10th of each ex-month,
    /// or the next weekday, each paying `spot * div / payments a year`.
    pub(super) fn ex_dividends(&self, from: NaiveDate, to: NaiveDate) -> Vec<ExDividend> {
        if self.ex_months.is_empty() || self.div <= 0.0 {
            return Vec::new();
        }
        let amount = (self.spot * self.div / self.ex_months.len() as f64 * 100.0).round() / 100.0;
        let mut out = Vec::new();
        for year in from.year()..=to.year() {
            for &month in self.ex_months {
                let Some(mut d) = NaiveDate::from_ymd_opt(year, month, 10) else {
                    continue;
                };
                while d.weekday().num_days_from_monday() >= 5 {
                    d += TimeDelta::days(1);
                }
                if d >= from && d <= to {
                    out.push(ExDividend { ex_date: d, amount });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_names_are_symbols() {
        for pair in REFERENCES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (name, r) in REFERENCES {
            assert_eq!(crate::market::Symbol::parse(name).unwrap().as_str(), *name);
            assert!(r.spot > 0.0 && (0.05..1.5).contains(&r.iv), "{name}");
            assert!(r.ex_months.iter().all(|m| (1..=12).contains(m)), "{name}");
        }
    }

    #[test]
    fn the_default_watchlist_and_the_scheduler_names_have_profiles() {
        // The default watchlist (`scan::config::DEFAULT_TICKERS`).
        let watchlist = [
            "SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AMD",
            "NFLX", "JPM", "BAC", "XOM", "DIS", "BA", "INTC", "COIN", "PLTR",
        ];
        for t in watchlist {
            assert!(reference(t).is_some(), "{t}");
        }
        let nse = [
            "RELIANCE",
            "TCS",
            "INFY",
            "HDFCBANK",
            "ICICIBANK",
            "SBIN",
            "KOTAKBANK",
            "AXISBANK",
            "BAJFINANCE",
            "TATAMOTORS",
            "TATASTEEL",
            "ADANIENT",
            "INDUSINDBK",
            "HINDALCO",
            "JSWSTEEL",
            "LT",
            "ITC",
            "BHARTIARTL",
            "HINDUNILVR",
            "MARUTI",
            "SUNPHARMA",
            "TITAN",
            "ASIANPAINT",
            "HCLTECH",
            "NIFTY",
            "BANKNIFTY",
        ];
        for t in nse {
            assert_eq!(reference(t).map(|r| r.exchange), Some(Exchange::Nse), "{t}");
        }
        assert!(reference("ZZZZ").is_none());
    }

    #[test]
    fn quarterly_payers_go_ex_four_times_a_year() {
        let aapl = reference("AAPL").unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let ex = aapl.ex_dividends(d(2026, 1, 1), d(2026, 12, 31));
        let dates: Vec<_> = ex.iter().map(|e| e.ex_date.to_string()).collect();
        // 2026-05-10 is a Sunday: the Monday after.
        assert_eq!(
            dates,
            ["2026-02-10", "2026-05-11", "2026-08-10", "2026-11-10"]
        );
        assert!(ex.iter().all(|e| (e.amount - 0.26).abs() < 1e-9));
        assert!(
            reference("SPX")
                .unwrap()
                .ex_dividends(d(2026, 1, 1), d(2027, 1, 1))
                .is_empty()
        );
    }
}
