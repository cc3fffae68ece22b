//! `sim`, optctl's default provider: an embedded, deterministic simulated market.
//!
//! Any valid ticker gets a market: a price path, a volatility surface with skew and term
//! structure, weekly, monthly and January LEAP expirations, Black-Scholes quotes with spreads,
//! volume and open interest, and now and then an anomaly (volume burst, IV jump, OI surge) so
//! that the detectors in `scan` have something real to find. Saved-snapshot replay lives in
//! `provider::files`; the trait and the error type in `provider`. OHLCV bars on the same
//! price path are in `bars`.
//!
//! Sections: `rng` (hashing), `clock` (the calendar), `profile` (a ticker's price path
//! and volatility surface), `reference` (the profiles of well-known names), `chain`
//! (strikes, quotes, volume, open interest, anomalies).
//!
//! Well-known names (the default watchlist, other large US stocks and ETFs, SPX/NDX/RUT/
//! VIX, NIFTY/BANKNIFTY and the NSE names of the scheduler's categories) trade around
//! reference levels with their usual IV, skew, open interest and dividends; their chains
//! carry the exercise style (American for US stocks and ETFs, European for indices and
//! NSE), the dividend yield and the ex-dividend dates up to the last expiry. Quotes are
//! still Black-Scholes prices on the continuous yield. Any other ticker gets a hashed
//! profile.
//!
//! Everything is a pure function of `(seed, ticker, instant)`: there is no state and no RNG.
//! Random numbers come from splitmix64 over (seed, ticker bytes, trading-day index, kind tag,
//! index), with Box-Muller for normals. So two processes, or a scan and its replay a week
//! later, see the same numbers, and any instant can be generated without walking the history
//! before it.
//!
//! Clock: NYSE's regular session (`market::calendar`), 09:30-16:00 New York on weekdays,
//! or NSE's, 09:15-15:30 Asia/Kolkata, for NSE names (their chains; their bars stay on the
//! New York grid); exchange holidays and early closes are not modelled, so that every
//! number stays a function of the weekday count. Expiry instants are `market`'s (the
//! early close, the open for AM-settled SPX monthlies, 15:30 IST); NSE names expire on
//! Tuesdays (weekly for indices, the month's last Tuesday).
//! The *session day* of an instant is the latest weekday whose session has opened. Before the
//! open, and over weekends, a chain shows the previous session as it closed: its spot, its
//! full-day volume, its vols.

use std::f64::consts::TAU;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
#[cfg(test)]
use chrono_tz::America::New_York;
use serde::{Deserialize, Serialize};

use super::{ChainProvider, Error};
use crate::market::{
    ChainSnapshot, ExDividend, Exchange, Exercise, OccSymbol, OptionQuote, Right,
    expiry_instant_of, years_between,
};
use crate::quant::bsm::{self, Inputs};
use crate::quant::model;

mod bars;
mod chain;
mod clock;
mod profile;
mod reference;
mod rng;

use chain::*;
use clock::*;
use profile::*;
use reference::*;
use rng::*;

const PROVIDER: &str = "sim";

/// Settings of the simulated market. Every field has a default, so `{}` is a valid config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Changes every number the market produces; same seed, same market. Default 42.
    pub seed: u64,
    /// Probability per ticker per trading day of each anomaly kind, drawn independently
    /// for each kind (0.02 = 2%). 0 gives a calm market; 1 or more, every kind every day.
    pub anomaly_rate: f64,
    /// Continuously compounded risk-free rate, fraction (0.045 = 4.5%). Default 0.045.
    pub rate: f64,
    /// Delay before each `chain` call answers, milliseconds. Default 0.
    pub latency_ms: u64,
    /// Share of calls that fail with [`Error::Unavailable`] (0.1 = 10%). For `chain` the
    /// draw is a hash of (seed, ticker, as_of), so the same call fails again when repeated
    /// with the same `as_of`; for `bars` it is drawn per call, so a retry can succeed.
    /// Default 0.
    pub failure_rate: f64,
    /// Tickers whose `chain` and `bars` calls always fail with [`Error::Unavailable`]
    /// (any case).
    pub fail_tickers: Vec<String>,
    /// Share of `bars` calls answered [`Error::RateLimited`] (0.1 = 10%), drawn per call
    /// like `failure_rate` is for bars (a retry can succeed). Default 0.
    pub throttle_rate: f64,
    /// The Retry-After of an injected rate limit, milliseconds. Default 1000.
    pub retry_after_ms: u64,
    /// Anomalies forced on, in addition to the random ones.
    pub plant: Vec<Plant>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            anomaly_rate: 0.02,
            rate: 0.045,
            latency_ms: 0,
            failure_rate: 0.0,
            fail_tickers: Vec::new(),
            throttle_rate: 0.0,
            retry_after_ms: 1000,
            plant: Vec::new(),
        }
    }
}

/// A forced anomaly: active for `ticker` at every `as_of >= from`, so a test can scan calm
/// history first and the anomaly afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plant {
    /// Underlying ticker, any case.
    pub ticker: String,
    /// Which anomaly to force.
    pub kind: AnomalyKind,
    /// First instant (UTC) at which the anomaly shows.
    pub from: DateTime<Utc>,
}

/// The anomalies the simulator can produce, for the detectors to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// One near-the-money contract expiring within 60 days trades more than 4x its open
    /// interest (and more than 500 contracts); the ticker's total volume at least triples.
    VolumeBurst,
    /// The whole volatility surface rises by 8 to 15 vol points (0.08-0.15).
    IvJump,
    /// Three near-the-money contracts show 3.5-5x the open interest of the day before.
    OiSurge,
}

/// The exchange the simulator lists `ticker` on: its reference profile's (NIFTY and the
/// NSE stock names trade on NSE), the US for every other name.
pub fn exchange_of(ticker: &str) -> Exchange {
    reference(&ticker.to_ascii_uppercase()).map_or(Exchange::Us, |r| r.exchange)
}

/// The embedded market. Cheap to build; holds only its config.
#[derive(Debug, Clone)]
pub struct SimProvider {
    cfg: SimConfig,
    /// Bar calls made so far (shared by clones): the per-call fault draws hash it.
    bar_calls: Arc<AtomicU64>,
}

impl SimProvider {
    /// A market driven by `cfg`. Out-of-range rates are not errors: they act as 0 or 1.
    pub fn new(cfg: SimConfig) -> Self {
        SimProvider {
            cfg,
            bar_calls: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The chain of `ticker` (any case) as it stood at `as_of`, without the latency and
    /// failure injection of [`ChainProvider::chain`].
    ///
    /// Contracts are sorted by expiry, then strike, call before put. Errors with
    /// [`Error::UnknownSymbol`] when the ticker is not a [`crate::market::Symbol`].
    pub fn snapshot(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let ticker = canonical_ticker(ticker)?;
        Ok(Market::new(&self.cfg, &ticker, as_of).chain(ticker))
    }

    /// Underlying price of `ticker` (any case) at `t`, in currency units: the same path the
    /// chains are priced from. Flat outside the session (the last close). Does not validate
    /// the ticker: any string gets a path.
    pub fn spot_at(&self, ticker: &str, t: DateTime<Utc>) -> f64 {
        let tk = Ticker::new(self.cfg.seed, &ticker.to_ascii_uppercase());
        let clock = Clock::on(tk.calendar(), t);
        let mut closes = [0.0; 2];
        tk.closes_into(clock.day, &mut closes);
        tk.spot(clock, closes[0], closes[1])
    }

    fn injected_failure(&self, ticker: &str, as_of: DateTime<Utc>) -> Option<String> {
        if self
            .cfg
            .fail_tickers
            .iter()
            .any(|f| f.eq_ignore_ascii_case(ticker))
        {
            return Some("injected failure: ticker is in fail_tickers".into());
        }
        if self.cfg.failure_rate > 0.0 {
            let key = ticker_key(self.cfg.seed, ticker);
            let draw = unit(hash(
                key,
                tag::FAILURE,
                as_of.timestamp(),
                u64::from(as_of.timestamp_subsec_nanos()),
            ));
            if draw < self.cfg.failure_rate {
                return Some(format!(
                    "injected failure (failure_rate {})",
                    self.cfg.failure_rate
                ));
            }
        }
        None
    }
}

#[async_trait]
impl ChainProvider for SimProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    /// Waits `latency_ms`, then fails as configured (`fail_tickers`, `failure_rate`), then
    /// returns [`SimProvider::snapshot`].
    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        if self.cfg.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.cfg.latency_ms)).await;
        }
        // An invalid ticker is a permanent error; report it before any retryable one.
        let canonical = canonical_ticker(ticker)?;
        if let Some(detail) = self.injected_failure(&canonical, as_of) {
            return Err(Error::Unavailable {
                provider: PROVIDER.into(),
                symbol: canonical,
                detail,
            });
        }
        self.snapshot(&canonical, as_of)
    }
}

/// `ticker` in its [`Symbol`](crate::market::Symbol) spelling: the simulator has a path
/// for every valid symbol and knows nothing else.
fn canonical_ticker(ticker: &str) -> Result<String, Error> {
    crate::market::Symbol::parse(ticker)
        .map(|s| s.to_string())
        .map_err(|_| Error::UnknownSymbol {
            provider: PROVIDER.into(),
            symbol: ticker.into(),
        })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use chrono::TimeZone;

    use super::*;
    use crate::market::years_to_expiry;

    /// An instant given in New York local time.
    fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        New_York
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("unambiguous local time")
            .with_timezone(&Utc)
    }

    fn calm() -> SimProvider {
        SimProvider::new(SimConfig {
            anomaly_rate: 0.0,
            ..SimConfig::default()
        })
    }

    fn planted(ticker: &str, kind: AnomalyKind, from: DateTime<Utc>) -> SimProvider {
        SimProvider::new(SimConfig {
            anomaly_rate: 0.0,
            plant: vec![Plant {
                ticker: ticker.into(),
                kind,
                from,
            }],
            ..SimConfig::default()
        })
    }

    /// The scan's unusual-activity screen.
    fn unusual(q: &OptionQuote) -> bool {
        q.volume > 500 && q.volume as f64 >= 1.25 * q.open_interest as f64
    }

    fn tickers(n: usize) -> Vec<String> {
        let named = [
            "AAPL", "SPY", "TSLA", "F", "BRK.B", "NVDA", "X", "QQQ", "GME", "AMD",
        ];
        named
            .iter()
            .map(|s| s.to_string())
            .chain((0..).map(|i| format!("SIM{i}")))
            .take(n)
            .collect()
    }

    /// Trading days (weekdays) from Monday 2026-03-02.
    fn weekdays(n: usize) -> Vec<NaiveDate> {
        let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        (0..)
            .map(|i| start + TimeDelta::days(i))
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .take(n)
            .collect()
    }

    fn at(date: NaiveDate, h: u32, mi: u32) -> DateTime<Utc> {
        ny(date.year(), date.month(), date.day(), h, mi)
    }

    fn total_volume(s: &ChainSnapshot) -> u64 {
        s.contracts.iter().map(|q| q.volume).sum()
    }

    /// Source IV of the contract nearest the money in the first monthly expiry.
    fn front_monthly_atm_iv(s: &ChainSnapshot) -> f64 {
        let monthly = s
            .contracts
            .iter()
            .map(|q| q.expiry)
            .find(|d| (15..=21).contains(&d.day()))
            .expect("a monthly expiry");
        s.contracts
            .iter()
            .filter(|q| q.expiry == monthly && q.right == Right::Call)
            .min_by(|a, b| {
                (a.strike - s.spot)
                    .abs()
                    .total_cmp(&(b.strike - s.spot).abs())
            })
            .and_then(|q| q.source_iv)
            .expect("an ATM contract")
    }

    #[test]
    fn same_inputs_give_the_same_snapshot() {
        let t = ny(2026, 3, 10, 11, 7);
        let a = SimProvider::new(SimConfig::default());
        let b = SimProvider::new(SimConfig::default());
        for ticker in tickers(5) {
            let first = a.snapshot(&ticker, t).unwrap();
            assert_eq!(first, b.snapshot(&ticker, t).unwrap());
            assert_eq!(first, a.snapshot(&ticker.to_lowercase(), t).unwrap());
            assert_eq!(first.spot, a.spot_at(&ticker, t));
        }
    }

    #[test]
    fn different_seeds_give_different_markets() {
        let t = ny(2026, 3, 10, 11, 0);
        let one = SimProvider::new(SimConfig {
            seed: 1,
            ..SimConfig::default()
        });
        let two = SimProvider::new(SimConfig {
            seed: 2,
            ..SimConfig::default()
        });
        let (a, b) = (
            one.snapshot("AAPL", t).unwrap(),
            two.snapshot("AAPL", t).unwrap(),
        );
        assert_ne!(a.spot, b.spot);
        assert_ne!(a.contracts, b.contracts);
    }

    #[test]
    fn spot_moves_a_little_in_ten_minutes_and_never_jumps() {
        let sim = calm();
        for ticker in tickers(30) {
            for date in weekdays(3) {
                let mut t = at(date, 9, 30);
                while t < at(date, 16, 0) {
                    let (a, b) = (
                        sim.spot_at(&ticker, t),
                        sim.spot_at(&ticker, t + TimeDelta::minutes(10)),
                    );
                    assert!(a > 0.0 && a.is_finite(), "{ticker} {t}: {a}");
                    assert!(
                        (b / a - 1.0).abs() < 0.02,
                        "{ticker} {t}: {a} -> {b} in 10 minutes"
                    );
                    assert_ne!(a, b, "{ticker} {t}: flat intraday");
                    t += TimeDelta::minutes(10);
                }
            }
        }
    }

    #[test]
    fn spot_is_continuous_across_days_and_flat_outside_the_session() {
        let sim = calm();
        let days = weekdays(6);
        for ticker in tickers(20) {
            for pair in days.windows(2) {
                let (today, next) = (pair[0], pair[1]);
                let close = sim.spot_at(&ticker, at(today, 16, 0));
                let before_close = sim.spot_at(&ticker, at(today, 15, 59));
                assert!(
                    (before_close / close - 1.0).abs() < 0.01,
                    "{ticker} {today}"
                );
                assert_eq!(close, sim.spot_at(&ticker, at(today, 20, 0)));
                assert_eq!(close, sim.spot_at(&ticker, at(next, 8, 0)));
                assert_eq!(close, sim.spot_at(&ticker, at(next, 9, 30)));
                let after_open = sim.spot_at(&ticker, at(next, 9, 31));
                assert!((after_open / close - 1.0).abs() < 0.01, "{ticker} {next}");
                let next_close = sim.spot_at(&ticker, at(next, 16, 0));
                assert!((next_close / close).ln().abs() < 0.25, "{ticker} {next}");
            }
            // The weekend shows Friday's close.
            let friday = at(days[4], 16, 0);
            assert_eq!(
                sim.spot_at(&ticker, friday),
                sim.spot_at(&ticker, ny(2026, 3, 7, 12, 0))
            );
        }
    }

    #[test]
    fn expirations_include_weeklies_monthlies_and_leaps_all_in_the_future() {
        let sim = calm();
        let instants = [
            ny(2026, 3, 9, 10, 0),   // Monday
            ny(2026, 3, 13, 15, 59), // Friday, before the weekly expires
            ny(2026, 3, 13, 16, 0),  // Friday, as it expires
            ny(2026, 3, 20, 17, 0),  // third Friday, after the monthly expired
            ny(2026, 3, 21, 12, 0),  // Saturday
            ny(2026, 12, 28, 10, 0), // year end
            ny(2026, 7, 1, 10, 0),   // summer time
        ];
        for t in instants {
            let s = sim.snapshot("AAPL", t).unwrap();
            let expiries: BTreeSet<NaiveDate> = s.contracts.iter().map(|q| q.expiry).collect();
            assert!(expiries.len() >= 8, "{t}: {expiries:?}");
            assert!(expiries.iter().all(|d| years_to_expiry(t, *d) > 0.0));
            let third_friday =
                |d: &NaiveDate| d.weekday() == Weekday::Fri && d.day() >= 15 && d.day() <= 21;
            assert!(expiries.iter().all(|d| d.weekday() == Weekday::Fri));
            let weeklies = expiries.iter().filter(|d| !third_friday(d)).count();
            let monthlies = expiries.iter().filter(|d| third_friday(d)).count();
            assert!(weeklies >= 3 && monthlies >= 6, "{t}: {expiries:?}");
            let front = *expiries.first().unwrap();
            assert!((front - t.date_naive()).num_days() <= 7, "{t}: {front}");
            assert!(
                expiries
                    .iter()
                    .any(|d| d.month() == 1 && years_to_expiry(t, *d) > 0.75),
                "{t}: no January LEAP in {expiries:?}"
            );
        }
        // Friday 15:59 still lists that day's weekly; 16:00 does not.
        let before = sim.snapshot("AAPL", ny(2026, 3, 13, 15, 59)).unwrap();
        let after = sim.snapshot("AAPL", ny(2026, 3, 13, 16, 0)).unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 3, 13).unwrap();
        assert!(before.contracts.iter().any(|q| q.expiry == friday));
        assert!(after.contracts.iter().all(|q| q.expiry != friday));
    }

    #[test]
    fn strikes_use_the_increment_of_the_price_band() {
        let sim = calm();
        let t = ny(2026, 3, 10, 11, 0);
        let mut bands_seen = BTreeSet::new();
        for ticker in tickers(60) {
            let s = sim.snapshot(&ticker, t).unwrap();
            let mut by_expiry: HashMap<NaiveDate, Vec<f64>> = HashMap::new();
            for q in s.contracts.iter().filter(|q| q.right == Right::Call) {
                by_expiry.entry(q.expiry).or_default().push(q.strike);
            }
            for strikes in by_expiry.values() {
                assert!(strikes.windows(2).all(|w| w[0] < w[1]), "{ticker}");
                assert!(strikes.iter().all(|k| *k > 0.0 && (k * 2.0).fract() == 0.0));
            }
            // Near the money of the front expiry, spacing is the band's base increment,
            // unless spot is near a band edge (the grid is laid out at the previous close).
            let band = base_increment(s.spot);
            if band != base_increment(s.spot * 0.9) || band != base_increment(s.spot * 1.1) {
                continue;
            }
            bands_seen.insert(band);
            let front = by_expiry.keys().min().unwrap();
            let strikes = &by_expiry[front];
            let near: Vec<f64> = strikes
                .iter()
                .copied()
                .filter(|k| (k / s.spot - 1.0).abs() < 0.05)
                .collect();
            assert!(near.len() >= 2, "{ticker}: {strikes:?}");
            for w in near.windows(2) {
                assert_eq!(
                    ((w[1] - w[0]) * 1000.0).round() as u64,
                    band,
                    "{ticker} spot {}: {strikes:?}",
                    s.spot
                );
            }
            // The front expiry covers at least +-15% of spot.
            assert!(strikes[0] <= s.spot * 0.85 && *strikes.last().unwrap() >= s.spot * 1.15);
        }
        assert!(
            bands_seen.len() >= 3,
            "too few price bands tested: {bands_seen:?}"
        );
    }

    #[test]
    fn fast_symbols_match_occ_format() {
        let expiry = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        for milli in [500, 12_500, 200_000, 99_999_999, 100_000_000, 123_456_000] {
            for right in [Right::Call, Right::Put] {
                let full = OccSymbol::format("BRK.B", expiry, right, milli as f64 / 1000.0);
                assert_eq!(occ_symbol("BRK.B270115", right, milli), full);
            }
        }
    }

    #[test]
    fn strike_grid_has_exactly_n_distinct_positive_strikes() {
        let mut grid = Vec::new();
        for spot in [
            1.2, 3.0, 9.9, 24.0, 61.0, 99.5, 180.0, 420.0, 999.0, 1500.0, 4200.0,
        ] {
            for half_width in [0.2, 0.5, 0.8, 1.1] {
                for n in [12, 30, 44, 60] {
                    strike_grid(spot, half_width, n, &mut grid);
                    assert_eq!(grid.len(), n, "{spot} {half_width} {n}: {grid:?}");
                    assert!(grid[0] > 0, "{spot} {half_width} {n}: {grid:?}");
                    assert!(grid.windows(2).all(|w| w[0] < w[1]), "{grid:?}");
                    let i = nearest(&grid, spot);
                    let inc = base_increment(spot);
                    assert!((grid[i] as f64 - spot * 1000.0).abs() <= inc as f64);
                }
            }
        }
    }

    #[test]
    fn quotes_are_consistent_everywhere() {
        for rate in [0.0, 1.0] {
            let sim = SimProvider::new(SimConfig {
                anomaly_rate: rate,
                ..SimConfig::default()
            });
            for ticker in tickers(12) {
                let s = sim.snapshot(&ticker, ny(2026, 3, 11, 13, 45)).unwrap();
                assert_eq!(s.ticker, ticker);
                assert_eq!(s.multiplier, 100.0);
                // Hashed profiles pay up to 2.5%; reference names their own (F: 5.5%).
                assert!((0.0..=0.07).contains(&s.dividend_yield));
                for q in &s.contracts {
                    assert!(q.bid >= 0.0 && q.bid <= q.ask, "{}: {q:?}", s.spot);
                    assert!(q.ask >= 0.01 && q.ask.is_finite(), "{q:?}");
                    assert_eq!(q.last == 0.0, q.volume == 0, "{q:?}");
                    assert!(q.last <= q.ask, "{q:?}");
                    let iv = q.source_iv.unwrap();
                    assert!((0.05..=3.0).contains(&iv), "{q:?}");
                    assert!(q.open_interest >= OI_FLOOR as u64, "{q:?}");
                    assert_eq!(
                        q.symbol,
                        OccSymbol::format(&ticker, q.expiry, q.right, q.strike)
                    );
                    let occ = OccSymbol::parse(&q.symbol).unwrap();
                    assert_eq!(
                        (occ.root.as_str(), occ.expiry, occ.right, occ.strike),
                        (ticker.as_str(), q.expiry, q.right, q.strike)
                    );
                }
                // Worthless far wings quote zero bids; the money does not.
                assert!(s.contracts.iter().any(|q| q.bid == 0.0));
                assert!(s.contracts.iter().filter(|q| q.bid > 0.0).count() > s.contracts.len() / 2);
                let symbols: BTreeSet<&str> =
                    s.contracts.iter().map(|q| q.symbol.as_str()).collect();
                assert_eq!(symbols.len(), s.contracts.len(), "duplicate contracts");
            }
        }
    }

    #[test]
    fn surface_has_put_skew_and_term_structure() {
        let sim = calm();
        let t = ny(2026, 3, 10, 11, 0);
        for ticker in tickers(20) {
            let s = sim.snapshot(&ticker, t).unwrap();
            let monthly = s
                .contracts
                .iter()
                .map(|q| q.expiry)
                .find(|d| (15..=21).contains(&d.day()))
                .unwrap();
            let iv_near = |expiry: NaiveDate, strike: f64| {
                s.contracts
                    .iter()
                    .filter(|q| q.expiry == expiry && q.right == Right::Put)
                    .min_by(|a, b| {
                        (a.strike - strike)
                            .abs()
                            .total_cmp(&(b.strike - strike).abs())
                    })
                    .map(|q| (q.strike, q.source_iv.unwrap()))
                    .unwrap()
            };
            let (atm_k, atm) = iv_near(monthly, s.spot);
            let (otm_k, otm) = iv_near(monthly, 0.75 * s.spot);
            assert!(
                otm_k < 0.9 * s.spot,
                "{ticker}: no OTM put strike ({otm_k})"
            );
            assert!(
                otm > atm + 0.01,
                "{ticker}: put {otm_k} at {otm} vs ATM {atm_k} at {atm}"
            );
            let (_, call_wing) = iv_near(monthly, 1.1 * s.spot);
            assert!(call_wing < otm, "{ticker}: call wing richer than put wing");

            let expiries: BTreeSet<NaiveDate> = s.contracts.iter().map(|q| q.expiry).collect();
            let (first, last) = (*expiries.first().unwrap(), *expiries.last().unwrap());
            let (front, back) = (iv_near(first, s.spot).1, iv_near(last, s.spot).1);
            assert!(
                (front - back).abs() > 0.01,
                "{ticker}: flat term structure {front} {back}"
            );
        }
    }

    #[test]
    fn contract_counts_stay_in_range() {
        let sim = calm();
        let mut counts = Vec::new();
        for ticker in tickers(40) {
            for t in [
                ny(2026, 3, 10, 11, 0),
                ny(2026, 6, 19, 12, 0),
                ny(2026, 11, 2, 15, 0),
            ] {
                let n = sim.snapshot(&ticker, t).unwrap().contracts.len();
                assert!((800..=1200).contains(&n), "{ticker} {t}: {n} contracts");
                counts.push(n);
            }
        }
        let mean = counts.iter().sum::<usize>() / counts.len();
        assert!((900..=1100).contains(&mean), "mean {mean}");
    }

    #[test]
    fn calm_market_never_passes_the_unusual_activity_screen() {
        let sim = calm();
        let days = weekdays(8);
        let mut busy = 0;
        for ticker in tickers(40) {
            let mut previous: Option<HashMap<String, u64>> = None;
            for &day in &days {
                for (h, m) in [(10, 15), (15, 55), (18, 0)] {
                    let s = sim.snapshot(&ticker, at(day, h, m)).unwrap();
                    if let Some(q) = s.contracts.iter().find(|q| unusual(q)) {
                        panic!("{ticker} {day} {h}:{m}: {q:?}");
                    }
                    busy += s.contracts.iter().filter(|q| q.volume > 500).count();
                }
                // Open interest drifts by at most 10% a day.
                let s = sim.snapshot(&ticker, at(day, 12, 0)).unwrap();
                let today: HashMap<String, u64> = s
                    .contracts
                    .iter()
                    .map(|q| (q.symbol.clone(), q.open_interest))
                    .collect();
                if let Some(prev) = &previous {
                    let mut matched = 0;
                    for (symbol, oi) in &today {
                        if let Some(before) = prev.get(symbol) {
                            let ratio = *oi as f64 / *before as f64;
                            assert!((0.9..=1.1).contains(&ratio), "{symbol}: {before} -> {oi}");
                            matched += 1;
                        }
                    }
                    assert!(
                        matched > 100,
                        "{ticker} {day}: only {matched} contracts in common"
                    );
                }
                previous = Some(today);
            }
        }
        // The screen is quiet because of the ratio, not because nothing trades.
        assert!(busy > 0, "no contract ever traded more than 500");
    }

    #[test]
    fn volume_only_grows_through_the_session() {
        let sim = calm();
        let day = weekdays(2)[1];
        let morning = sim.snapshot("NVDA", at(day, 10, 0)).unwrap();
        let afternoon = sim.snapshot("NVDA", at(day, 15, 0)).unwrap();
        let close = sim.snapshot("NVDA", at(day, 17, 0)).unwrap();
        let next_premarket = sim.snapshot("NVDA", at(weekdays(3)[2], 8, 0)).unwrap();
        assert_eq!(morning.contracts.len(), afternoon.contracts.len());
        for (a, b) in morning.contracts.iter().zip(&afternoon.contracts) {
            assert_eq!(a.symbol, b.symbol);
            assert!(a.volume <= b.volume);
            assert_eq!(a.open_interest, b.open_interest);
        }
        assert!(total_volume(&morning) < total_volume(&afternoon));
        assert!(total_volume(&afternoon) < total_volume(&close));
        // Before the open, the previous session's volume and open interest still show.
        let volumes = |s: &ChainSnapshot| -> Vec<(String, u64, u64)> {
            s.contracts
                .iter()
                .map(|q| (q.symbol.clone(), q.volume, q.open_interest))
                .collect()
        };
        assert_eq!(volumes(&close), volumes(&next_premarket));
    }

    #[test]
    fn planted_volume_burst_passes_the_screen() {
        let day = weekdays(5)[3];
        for ticker in tickers(10) {
            let from = at(day, 10, 0);
            let sim = planted(&ticker, AnomalyKind::VolumeBurst, from);
            let before = sim.snapshot(&ticker, from - TimeDelta::minutes(5)).unwrap();
            assert!(
                !before.contracts.iter().any(unusual),
                "{ticker}: burst before `from`"
            );
            for t in [from, at(day, 14, 30), at(day + TimeDelta::days(1), 11, 0)] {
                let s = sim.snapshot(&ticker, t).unwrap();
                let hits: Vec<&OptionQuote> = s.contracts.iter().filter(|q| unusual(q)).collect();
                assert_eq!(hits.len(), 1, "{ticker} {t}: {hits:?}");
                let q = hits[0];
                assert!(q.volume >= 3 * q.open_interest && q.volume > 1000, "{q:?}");
                let dte = crate::market::days_to_expiry(t, q.expiry);
                assert!((1..=60).contains(&dte), "{ticker}: {dte} days");
                assert!(
                    (q.strike / s.spot - 1.0).abs() < 0.1,
                    "{ticker} {}: {q:?}",
                    s.spot
                );
                let quiet = calm().snapshot(&ticker, t).unwrap();
                assert!(
                    total_volume(&s) >= 3 * total_volume(&quiet),
                    "{ticker}: {} vs {}",
                    total_volume(&s),
                    total_volume(&quiet)
                );
            }
        }
    }

    #[test]
    fn planted_iv_jump_lifts_the_surface() {
        let day = weekdays(5)[2];
        for ticker in tickers(10) {
            let from = at(day, 11, 0);
            let sim = planted(&ticker, AnomalyKind::IvJump, from);
            let t = at(day, 13, 0);
            let jumped = front_monthly_atm_iv(&sim.snapshot(&ticker, t).unwrap());
            let quiet = front_monthly_atm_iv(&calm().snapshot(&ticker, t).unwrap());
            assert!(jumped - quiet >= 0.05, "{ticker}: {quiet} -> {jumped}");
            assert!(
                jumped - quiet <= 0.15 + 1e-9,
                "{ticker}: {quiet} -> {jumped}"
            );
            let earlier = sim.snapshot(&ticker, from - TimeDelta::seconds(1)).unwrap();
            assert_eq!(
                earlier,
                calm()
                    .snapshot(&ticker, from - TimeDelta::seconds(1))
                    .unwrap()
            );
        }
    }

    #[test]
    fn planted_oi_surge_triples_some_open_interest() {
        let days = weekdays(6);
        for ticker in tickers(10) {
            let sim = planted(&ticker, AnomalyKind::OiSurge, at(days[4], 9, 30));
            let yesterday = sim.snapshot(&ticker, at(days[3], 15, 0)).unwrap();
            let today = sim.snapshot(&ticker, at(days[4], 15, 0)).unwrap();
            let before: HashMap<&str, u64> = yesterday
                .contracts
                .iter()
                .map(|q| (q.symbol.as_str(), q.open_interest))
                .collect();
            let surged: Vec<&OptionQuote> = today
                .contracts
                .iter()
                .filter(|q| {
                    before
                        .get(q.symbol.as_str())
                        .is_some_and(|b| q.open_interest >= 3 * b)
                })
                .collect();
            assert!(!surged.is_empty(), "{ticker}: no surge");
            assert!(surged.len() <= 3, "{ticker}: {surged:?}");
            assert!(
                !today.contracts.iter().any(unusual),
                "{ticker}: surge tripped the volume screen"
            );
        }
    }

    #[test]
    fn random_anomalies_follow_the_rate() {
        let t = ny(2026, 3, 12, 14, 0);
        let always = SimProvider::new(SimConfig {
            anomaly_rate: 1.0,
            ..SimConfig::default()
        });
        for ticker in tickers(8) {
            let s = always.snapshot(&ticker, t).unwrap();
            assert!(s.contracts.iter().any(unusual), "{ticker}");
            let quiet = calm().snapshot(&ticker, t).unwrap();
            assert!(front_monthly_atm_iv(&s) >= front_monthly_atm_iv(&quiet) + 0.08 - 1e-9);
        }
        // At the default 2% per kind, most ticker-days are calm but some are not.
        let sim = SimProvider::new(SimConfig::default());
        let bursts = tickers(200)
            .iter()
            .filter(|tk| sim.snapshot(tk, t).unwrap().contracts.iter().any(unusual))
            .count();
        assert!((1..=15).contains(&bursts), "{bursts} bursts in 200 tickers");
    }

    #[test]
    fn well_known_names_trade_near_their_reference_levels() {
        let sim = calm();
        let t = ny(2026, 3, 10, 11, 0);
        for (ticker, level, iv) in [
            ("AAPL", 230.0, 0.26),
            ("SPY", 580.0, 0.15),
            ("SPX", 5800.0, 0.15),
            ("TSLA", 250.0, 0.60),
            ("NIFTY", 24500.0, 0.14),
        ] {
            let s = sim.snapshot(ticker, t).unwrap();
            // The path wanders around the level (a year's drift at most ~2 sd).
            assert!(
                (s.spot / level).ln().abs() < 2.5 * iv,
                "{ticker}: {} vs {level}",
                s.spot
            );
            let atm = front_monthly_atm_iv(&s);
            assert!((atm / iv - 1.0).abs() < 0.35, "{ticker}: ATM {atm} vs {iv}");
        }
        // Unknown names keep their hashed profile.
        let hashed = sim.snapshot("SIM7", t).unwrap();
        assert_eq!(hashed.exchange, Exchange::Us);
        assert!(hashed.ex_dividends.is_empty());
    }

    #[test]
    fn chains_carry_exercise_style_dividends_and_exchange() {
        let sim = calm();
        let t = ny(2026, 3, 10, 11, 0);
        let aapl = sim.snapshot("AAPL", t).unwrap();
        assert_eq!(aapl.exercise, Some(Exercise::American));
        assert!((aapl.dividend_yield - 0.0045).abs() < 1e-12);
        let last = aapl.contracts.iter().map(|q| q.expiry).max().unwrap();
        let ex: Vec<NaiveDate> = aapl.ex_dividends.iter().map(|e| e.ex_date).collect();
        assert!(ex.len() >= 4, "{ex:?}");
        assert!(
            ex.iter().all(|d| *d >= t.date_naive() && *d <= last),
            "{ex:?}"
        );
        assert_eq!(ex[0].to_string(), "2026-05-11");
        for index in ["SPX", "NDX", "RUT", "VIX"] {
            let s = sim.snapshot(index, t).unwrap();
            assert_eq!(s.exercise, Some(Exercise::European), "{index}");
            assert!(s.ex_dividends.is_empty(), "{index}");
        }
        let nifty = sim.snapshot("NIFTY", t).unwrap();
        assert_eq!(nifty.exchange, Exchange::Nse);
        assert_eq!(nifty.exercise, Some(Exercise::European));
        assert_eq!(nifty.multiplier, 75.0);
        // NSE expiries are Tuesdays: weeklies for the index, the month's last Tuesday.
        let expiries: BTreeSet<NaiveDate> = nifty.contracts.iter().map(|q| q.expiry).collect();
        assert!(
            expiries.iter().all(|d| d.weekday() == Weekday::Tue),
            "{expiries:?}"
        );
        assert!(expiries.contains(&NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()));
        let reliance = sim.snapshot("RELIANCE", t).unwrap();
        let months: BTreeSet<NaiveDate> = reliance.contracts.iter().map(|q| q.expiry).collect();
        assert_eq!(months.len(), 3, "{months:?}");
    }

    #[test]
    fn nse_names_follow_the_nse_session() {
        let sim = calm();
        let ist = |h: u32, m: u32| {
            chrono_tz::Asia::Kolkata
                .with_ymd_and_hms(2026, 3, 10, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        // 10:00 and 14:00 IST: New York is closed, Mumbai trades.
        let (morning, afternoon) = (ist(10, 0), ist(14, 0));
        let a = sim.snapshot("NIFTY", morning).unwrap();
        let b = sim.snapshot("NIFTY", afternoon).unwrap();
        assert_ne!(a.spot, b.spot);
        assert!(total_volume(&a) < total_volume(&b));
        // A US name holds still over the same hours (its last close).
        let (x, y) = (
            sim.snapshot("AAPL", morning).unwrap(),
            sim.snapshot("AAPL", afternoon).unwrap(),
        );
        assert_eq!((x.spot, total_volume(&x)), (y.spot, total_volume(&y)));
    }

    #[test]
    fn invalid_tickers_are_unknown_symbols() {
        let sim = calm();
        let t = ny(2026, 3, 10, 11, 0);
        for bad in ["", "ABCDEFGHIJKLMNOPQ", "AB;C", "A B", ".A", "ÄPL", "^AAPL"] {
            match sim.snapshot(bad, t) {
                Err(Error::UnknownSymbol { provider, symbol }) => {
                    assert_eq!((provider.as_str(), symbol.as_str()), ("sim", bad));
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        for (good, want) in [
            ("A", "A"),
            ("brk.b", "BRK.B"),
            ("brk-b", "BRK.B"),
            ("ABCDEFGHIJ", "ABCDEFGHIJ"),
            ("X1", "X1"),
            ("M&M", "M&M"),
            ("3MINDIA", "3MINDIA"),
            ("BAJAJ-AUTO", "BAJAJ-AUTO"),
        ] {
            assert_eq!(sim.snapshot(good, t).unwrap().ticker, want);
        }
    }

    #[tokio::test]
    async fn injected_failures_are_retryable() {
        let t = ny(2026, 3, 10, 11, 0);
        let sim = SimProvider::new(SimConfig {
            fail_tickers: vec!["tsla".into()],
            ..SimConfig::default()
        });
        assert_eq!(sim.name(), "sim");
        let err = sim.chain("TSLA", t).await.unwrap_err();
        assert!(
            matches!(err, Error::Unavailable { .. }) && err.is_retryable(),
            "{err}"
        );
        assert!(sim.chain("AAPL", t).await.is_ok());
        // A bad ticker stays a permanent error even when failures are injected.
        let all = SimProvider::new(SimConfig {
            failure_rate: 1.0,
            ..SimConfig::default()
        });
        assert!(all.chain("AAPL", t).await.unwrap_err().is_retryable());
        assert!(!all.chain("1;X", t).await.unwrap_err().is_retryable());

        let half = SimProvider::new(SimConfig {
            failure_rate: 0.5,
            ..SimConfig::default()
        });
        let mut failed = 0;
        for minute in 0..100 {
            let when = t + TimeDelta::minutes(minute);
            let first = half.chain("AAPL", when).await.is_err();
            assert_eq!(
                first,
                half.chain("AAPL", when).await.is_err(),
                "not deterministic"
            );
            failed += usize::from(first);
        }
        assert!((30..=70).contains(&failed), "{failed} of 100 failed");
    }

    #[tokio::test]
    async fn latency_delays_each_call() {
        let sim = SimProvider::new(SimConfig {
            latency_ms: 25,
            ..SimConfig::default()
        });
        let started = std::time::Instant::now();
        sim.chain("AAPL", ny(2026, 3, 10, 11, 0)).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(25));
    }

    #[test]
    fn config_reads_from_partial_json_and_rejects_typos() {
        let cfg: SimConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(cfg, SimConfig::default());
        let cfg: SimConfig = serde_json::from_str(
            r#"{"seed": 7, "plant": [{"ticker": "AAPL", "kind": "volume_burst",
                "from": "2026-03-10T14:00:00Z"}]}"#,
        )
        .unwrap();
        assert_eq!(cfg.seed, 7);
        assert_eq!(cfg.anomaly_rate, 0.02);
        assert_eq!(cfg.plant[0].kind, AnomalyKind::VolumeBurst);
        let typo = serde_json::from_str::<SimConfig>(r#"{"sed": 7}"#).unwrap_err();
        assert!(typo.to_string().contains("unknown field"), "{typo}");
        let plant = serde_json::from_str::<Plant>(r#"{"ticker": "A", "kind": "oi_surge"}"#);
        assert!(plant.is_err(), "a plant needs `from`");
    }
}
