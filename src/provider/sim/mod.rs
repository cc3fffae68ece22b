//! `sim`, optctl's default provider: an embedded, deterministic simulated market.
//!
//! Any valid ticker gets a market: a price path, a volatility surface with skew and term
//! structure, weekly, monthly and January LEAP expirations, Black-Scholes quotes with spreads,
//! volume and open interest, and now and then an anomaly (volume burst, IV jump, OI surge) so
//! that the detectors in `scan` have something real to find. Saved-snapshot replay lives in
//! `provider::files`; the trait and the error type in `provider`. OHLCV bars on the same
//! price path are in `bars`.
//!
//! Everything is a pure function of `(seed, ticker, instant)`: there is no state and no RNG.
//! Random numbers come from splitmix64 over (seed, ticker bytes, trading-day index, kind tag,
//! index), with Box-Muller for normals. So two processes, or a scan and its replay a week
//! later, see the same numbers, and any instant can be generated without walking the history
//! before it.
//!
//! Clock: the New York session, 09:30-16:00 on weekdays (exchange holidays are not modelled).
//! The *session day* of an instant is the latest weekday whose session has opened. Before the
//! open, and over weekends, a chain shows the previous session as it closed: its spot, its
//! full-day volume, its vols.

use std::f64::consts::TAU;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::America::New_York;
use serde::{Deserialize, Serialize};

use super::{ChainProvider, Error};
use crate::market::{ChainSnapshot, OccSymbol, OptionQuote, Right, years_to_expiry};
use crate::quant::bsm::{self, Inputs};

mod bars;

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
        let clock = Clock::at(t);
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

// ---------------------------------------------------------------------------------------
// Hashing: the only source of randomness.

/// Tags keep the streams of different quantities apart.
mod tag {
    pub const PARAMS: u64 = 1;
    pub const RETURN: u64 = 2;
    pub const INTRADAY: u64 = 3;
    pub const VOL_LEVEL: u64 = 4;
    pub const IV_JUMP_SIZE: u64 = 5;
    pub const BURST_PICK: u64 = 6;
    pub const SURGE_PICK: u64 = 7;
    pub const OI_STATIC: u64 = 8;
    pub const VOLUME: u64 = 9;
    pub const LAST: u64 = 10;
    pub const FAILURE: u64 = 11;
    pub const BAR_WICK: u64 = 12;
    pub const BAR_VOLUME: u64 = 13;
    pub const BAR_FAULT: u64 = 14;
    /// Plus the kind's index.
    pub const ANOMALY: u64 = 16;
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's output function (Steele, Lea, Flood 2014): a bijection with good avalanche,
/// so chaining it over the parts of a key gives independent-looking streams.
fn splitmix64(z: u64) -> u64 {
    let mut z = z.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn ticker_key(seed: u64, ticker: &str) -> u64 {
    ticker
        .bytes()
        .fold(splitmix64(seed), |h, b| splitmix64(h ^ u64::from(b)))
}

fn hash(key: u64, tag: u64, day: i64, index: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(key ^ tag.wrapping_mul(GOLDEN)) ^ day as u64) ^ index)
}

/// Uniform in [0, 1) from the top 53 bits.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Standard normal by Box-Muller, clamped to +-5 so that one unlucky hash cannot produce
/// a 9-sigma day.
fn normal(h: u64) -> f64 {
    let u1 = 1.0 - unit(h); // (0, 1], so ln is finite
    let u2 = unit(splitmix64(h));
    ((-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()).clamp(-5.0, 5.0)
}

// ---------------------------------------------------------------------------------------
// Calendar.

/// Session open and close, seconds after local midnight in New York.
const OPEN_SECS: f64 = 9.5 * 3600.0;
const CLOSE_SECS: f64 = 16.0 * 3600.0;

/// Day 0 of the trading-day count: Monday 2020-01-06.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 6).expect("valid date")
}

/// Index of the last weekday on or before `date`, and whether `date` is itself a weekday.
fn trading_index(date: NaiveDate) -> (i64, bool) {
    let days = (date - epoch()).num_days();
    let (week, dow) = (days.div_euclid(7), days.rem_euclid(7));
    if dow < 5 {
        (week * 5 + dow, true)
    } else {
        (week * 5 + 4, false)
    }
}

fn trading_date(index: i64) -> NaiveDate {
    epoch() + TimeDelta::days(index.div_euclid(5) * 7 + index.rem_euclid(5))
}

/// Where an instant falls in the trading calendar.
#[derive(Debug, Clone, Copy)]
struct Clock {
    /// Session day: the latest trading day whose session has opened.
    day: i64,
    /// Its date.
    date: NaiveDate,
    /// Elapsed share of that session, 0..=1; 1 once it has closed.
    frac: f64,
}

impl Clock {
    fn at(t: DateTime<Utc>) -> Clock {
        let local = t.with_timezone(&New_York);
        let (index, weekday) = trading_index(local.date_naive());
        let secs = f64::from(local.num_seconds_from_midnight())
            + f64::from(local.nanosecond().min(999_999_999)) * 1e-9;
        let (day, frac) = if !weekday || secs >= CLOSE_SECS {
            (index, 1.0)
        } else if secs < OPEN_SECS {
            (index - 1, 1.0)
        } else {
            (index, (secs - OPEN_SECS) / (CLOSE_SECS - OPEN_SECS))
        };
        Clock {
            day,
            date: trading_date(day),
            frac,
        }
    }
}

fn third_friday(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("month in 1..=12");
    let to_friday =
        (Weekday::Fri.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
    first + TimeDelta::days(i64::from(to_friday) + 14)
}

/// Kinds of expiration; the order decides which kind a shared date keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Series {
    Monthly,
    Leap,
    Weekly,
}

impl Series {
    /// Relative number of strikes listed: longer series cover a wider range.
    fn strike_weight(self) -> f64 {
        match self {
            Series::Weekly => 1.0,
            Series::Monthly => 1.25,
            Series::Leap => 1.5,
        }
    }

    /// Open interest gathers in the standard monthlies (log-points).
    fn oi_bias(self) -> f64 {
        match self {
            Series::Weekly => -0.3,
            Series::Monthly | Series::Leap => 0.4,
        }
    }
}

/// Live expirations at `as_of`: the next 6 weekly Fridays, the next 6 monthly third Fridays
/// and the January LEAPs of the next two years, deduplicated and sorted. Always >= 11.
fn expirations(as_of: DateTime<Utc>) -> Vec<(NaiveDate, Series)> {
    let today = as_of.with_timezone(&New_York).date_naive();
    // years_to_expiry, not the instant, decides: a contract priced at t = 0 would be NaN.
    let live = |d: &NaiveDate| years_to_expiry(as_of, *d) > 0.0;
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
            .map(|m| third_friday(m.div_euclid(12), m.rem_euclid(12) as u32 + 1))
            .filter(live)
            .take(6)
            .map(|d| (d, Series::Monthly)),
    );
    for year in [today.year() + 1, today.year() + 2] {
        let d = third_friday(year, 1);
        if live(&d) {
            out.push((d, Series::Leap));
        }
    }
    out.sort();
    out.dedup_by_key(|(d, _)| *d);
    out
}

// ---------------------------------------------------------------------------------------
// One ticker's market.

/// Trading days in the mean-reversion window of the price path.
const WINDOW: usize = 252;
/// Trading days of closes that shape the open interest (see `Market::chain`).
const OI_DAYS: usize = 40;
/// Five-minute steps in a session.
const STEPS: usize = 78;
/// Skew is measured in log-moneyness per sqrt(year); below a week that would explode.
const MIN_SKEW_YEARS: f64 = 7.0 / 365.0;
/// No listed contract shows less open interest than this. Also keeps rounding from
/// breaking the +-10% day-to-day bound.
const OI_FLOOR: f64 = 30.0;
/// Calm volume never exceeds this share of open interest, which keeps the unusual-activity
/// screen (volume > 500 and volume/OI >= 1.25) quiet without anomalies.
const MAX_TURNOVER: f64 = 0.8;
/// How far open interest falls away from where the price closed recently (log-points).
const OI_PATH_DEPTH: f64 = 2.0;
/// How far it falls away from the ticker's long-run level (log-points).
const ANCHOR_DEPTH: f64 = 1.0;
/// Widest strike range, ln(K/S): strikes stop at a third and at three times spot, where
/// real chains stop too, however long-dated and volatile.
const MAX_HALF_WIDTH: f64 = 1.1;

/// Per-ticker constants, all drawn from (seed, ticker).
#[derive(Debug, Clone)]
struct Ticker {
    key: u64,
    /// Long-run price level the path reverts to, currency units (10..600, log-uniform).
    s0: f64,
    /// Annualised volatility of the path (0.18..0.70).
    sigma: f64,
    /// Continuous dividend yield, fraction (0..0.025; a third pay nothing).
    div: f64,
    /// ATM implied vol for a mid-dated expiry, before the daily level.
    atm0: f64,
    /// Term-structure slope: short-dated ATM is atm0 * (1 - term), long-dated 1 + term.
    term: f64,
    /// Skew and curvature of the smile per unit of ln(K/F)/sqrt(T).
    skew: f64,
    curve: f64,
    /// Open interest of a front-month ATM contract, contracts (200..5000).
    oi_scale: f64,
    /// Share of OI an ATM front contract trades in a day.
    turnover: f64,
    /// Extra relative spread for a less liquid name (0..0.01).
    liquidity: f64,
    /// Strikes listed per right across all expirations.
    strikes_per_right: f64,
}

impl Ticker {
    fn new(seed: u64, ticker: &str) -> Ticker {
        let key = ticker_key(seed, ticker);
        let u = |i: u64| unit(hash(key, tag::PARAMS, 0, i));
        let sigma = 0.18 + 0.52 * u(1).powf(1.5); // most names are not meme stocks
        let term_sign = if u(5) < 0.7 { 1.0 } else { -1.0 }; // contango is the usual state
        Ticker {
            key,
            s0: (10f64.ln() + u(0) * 60f64.ln()).exp(),
            sigma,
            div: if u(2) < 0.35 {
                0.0
            } else {
                0.025 * (u(2) - 0.35) / 0.65
            },
            atm0: sigma * (1.0 + 0.15 * u(3)),
            term: term_sign * (0.05 + 0.10 * u(4)),
            skew: 0.08 + 0.14 * u(6),
            curve: 0.03 + 0.07 * u(7),
            oi_scale: (200f64.ln() + u(8) * 25f64.ln()).exp(),
            turnover: 0.15 + 0.30 * u(9),
            liquidity: 0.01 * u(10),
            strikes_per_right: 440.0 + 120.0 * u(11),
        }
    }

    /// ln(close / s0) of the trading days ending at `day`, oldest first, one per slot of
    /// `out` (at most OI_DAYS + 1).
    ///
    /// The log price is a tapered sum of the last WINDOW daily shocks, weight 1 - j/WINDOW
    /// for the shock j days back. Its daily change is the new shock minus the mean of the
    /// window: a random walk at `sigma` that reverts over about a year, so prices stay in a
    /// sensible range forever and any day can be computed without its history. A close is
    /// summed over the same shocks in the same order whoever asks, so it is bit-identical.
    fn closes_into(&self, day: i64, out: &mut [f64]) {
        let mut shocks = [0.0; WINDOW + OI_DAYS];
        let used = WINDOW + out.len() - 1;
        let first = day - (used as i64 - 1);
        let daily_sd = self.sigma / 252f64.sqrt();
        for (i, s) in shocks[..used].iter_mut().enumerate() {
            *s = daily_sd * normal(hash(self.key, tag::RETURN, first + i as i64, 0));
        }
        for (n, close) in out.iter_mut().enumerate() {
            *close = shocks[n..n + WINDOW] // oldest first, ending at this close's day
                .iter()
                .enumerate()
                .map(|(i, s)| (i + 1) as f64 / WINDOW as f64 * s)
                .sum();
        }
    }

    /// ln(close / s0) of trading days `day - OI_DAYS ..= day`.
    fn closes(&self, day: i64) -> [f64; OI_DAYS + 1] {
        let mut out = [0.0; OI_DAYS + 1];
        self.closes_into(day, &mut out);
        out
    }

    /// Spot at `clock`, given the closes of the day before and of `clock.day`.
    ///
    /// Inside the session the log price runs from the previous close to this close along a
    /// Brownian bridge built from hashed 5-minute increments, linearly interpolated between
    /// them: continuous, rough at 5-minute scale, and pinned at both ends. The bridge only
    /// adds intraday texture (the close-to-close moves come from the daily shocks), so its
    /// scale is a choice: 70% of the daily vol, clamped at 3 sd a step, keeps even a 70%-vol
    /// name's 10-minute moves under 2%.
    fn spot(&self, clock: Clock, prev: f64, close: f64) -> f64 {
        if clock.frac >= 1.0 {
            return self.s0 * close.exp();
        }
        let bridge = self.bridge(clock.day);
        let pos = clock.frac * STEPS as f64;
        let k = (pos.floor() as usize).min(STEPS - 1);
        let b = bridge[k] + (pos - k as f64) * (bridge[k + 1] - bridge[k]);
        self.s0 * (prev + clock.frac * (close - prev) + b).exp()
    }

    /// Standard deviation of one 5-minute step of the intraday bridge, in log-points.
    fn step_sd(&self) -> f64 {
        0.7 * self.sigma / (252.0 * STEPS as f64).sqrt()
    }

    /// The Brownian bridge of session `day` at its STEPS + 1 five-minute points, in
    /// log-points: zero at both ends.
    fn bridge(&self, day: i64) -> [f64; STEPS + 1] {
        let step_sd = self.step_sd();
        let mut walk = [0.0; STEPS + 1];
        for i in 0..STEPS {
            let z = normal(hash(self.key, tag::INTRADAY, day, i as u64)).clamp(-3.0, 3.0);
            walk[i + 1] = walk[i] + step_sd * z;
        }
        let end = walk[STEPS];
        for (k, w) in walk.iter_mut().enumerate() {
            *w -= k as f64 / STEPS as f64 * end;
        }
        walk
    }

    /// Slow day-to-day drift of the whole surface, a factor near 1 (within +-4%).
    fn vol_level(&self, day: i64) -> f64 {
        let mean = (0..5)
            .map(|j| 2.0 * unit(hash(self.key, tag::VOL_LEVEL, day - j, 0)) - 1.0)
            .sum::<f64>()
            / 5.0;
        1.0 + 0.04 * mean
    }

    /// ATM vol for an expiry `years` away.
    fn atm_vol(&self, years: f64, level: f64) -> f64 {
        self.atm0 * level * (1.0 + self.term * (1.0 - 2.0 * (-years / 0.3).exp()))
    }

    /// Smile around `atm` at normalised moneyness `x = ln(K/F) / sqrt(T)`: puts (x < 0) richer.
    fn smile(&self, atm: f64, x: f64) -> f64 {
        let x = x.clamp(-3.5, 3.5);
        atm * (1.0 - self.skew * x + self.curve * x * x).clamp(0.5, 3.0)
    }
}

fn session_share(frac: f64) -> f64 {
    // Intraday volume is U-shaped (busy open and close): intensity 1 + 0.5 cos(2 pi f).
    frac + 0.5 * (TAU * frac).sin() / TAU
}

/// Base strike increment for a spot price, in thousandths of a currency unit.
fn base_increment(spot: f64) -> u64 {
    match spot {
        s if s < 25.0 => 500,
        s if s < 100.0 => 1_000,
        s if s < 250.0 => 2_500,
        s if s < 1000.0 => 5_000,
        _ => 10_000,
    }
}

/// Fills `out` with exactly `n` strikes (thousandths, ascending) around `spot`, meant to
/// cover `spot * e^(+-half_width)`.
///
/// If the base increment covers that range in `n` strikes, the strikes are uniform (and
/// the range widens to use all `n`). Otherwise, as on real chains, at least half of them sit
/// at the base increment around the money and the wings use the smallest coarser increment
/// that fits; strikes left over widen the fine block.
fn strike_grid(spot: f64, half_width: f64, n: usize, out: &mut Vec<u64>) {
    out.clear();
    let inc = base_increment(spot);
    let s = spot * 1000.0;
    let (lo, hi) = (s * (-half_width).exp(), s * half_width.exp());
    let atm = ((s / inc as f64).round() as u64).max(1);
    let n64 = n as u64;
    if (hi - lo) / inc as f64 <= (n - 1) as f64 {
        let first = atm.saturating_sub(n64 / 2).max(1);
        out.extend((first..first + n64).map(|i| i * inc));
        return;
    }
    // Wing strikes: multiples of `wide` in [lo, first fine) and (last fine, hi].
    let wings = |wide: u64, first: u64, last: u64| -> u64 {
        let lowest = (lo / wide as f64).ceil() as u64; // >= 1 as lo > 0
        let highest = (hi / wide as f64).floor() as u64;
        let below = ((first * inc - 1) / wide).saturating_sub(lowest - 1);
        let above = highest.saturating_sub(last * inc / wide);
        below + above
    };
    let inner = n64 / 2;
    let first = atm.saturating_sub(inner / 2).max(1);
    let last = first + inner - 1;
    // Round wing increments (thousandths), as exchanges list them: 5 and 10 wide, not 4.
    let wide = [
        1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
    ]
    .iter()
    .map(|m| m * 1000)
    .filter(|w| w > &inc && w % inc == 0)
    .find(|&w| inner + wings(w, first, last) <= n64)
    .unwrap_or(inc * 1000);
    // Widen the fine block, alternately up and down, until the count is exact. A wing
    // strike swallowed by the block does not change the count, so this always ends.
    let (mut first, mut last) = (first, last);
    let mut up = true;
    while last - first + 1 + wings(wide, first, last) < n64 {
        if up || first == 1 {
            last += 1;
        } else {
            first -= 1;
        }
        up = !up;
    }
    let lo_wide = (lo / wide as f64).ceil() as u64;
    out.extend(
        (lo_wide.max(1)..)
            .map(|k| k * wide)
            .take_while(|&k| k < first * inc),
    );
    out.extend((first..=last).map(|i| i * inc));
    let hi_wide = (hi / wide as f64).floor() as u64;
    out.extend(((last * inc / wide + 1)..=hi_wide).map(|k| k * wide));
    out.truncate(n);
}

/// Rounds a quote around `theo`: bid down and ask up to the tick (a cent, a nickel from $3).
fn bid_ask(theo: f64, spread: f64) -> (f64, f64) {
    let tick = if theo >= 3.0 { 5.0 } else { 1.0 };
    let half = 0.5 * spread;
    // The epsilons absorb binary noise such as 1.2299999999 cents-per-100.
    let bid = ((theo - half) * 100.0 / tick + 1e-9).floor().max(0.0) * tick;
    let ask = ((theo + half) * 100.0 / tick - 1e-9).ceil().max(1.0) * tick;
    (bid / 100.0, ask / 100.0)
}

/// The contract the day's volume burst lands on.
#[derive(Debug, Clone, Copy)]
struct BurstTarget {
    expiry: usize,
    strike: f64,
    right: Right,
}

/// A contract whose open interest surges, by its place in the chain.
#[derive(Debug, Clone, Copy)]
struct SurgeTarget {
    expiry: usize,
    /// Strikes from the one nearest the reference spot.
    offset: i64,
    right: Right,
    factor: f64,
}

/// Everything fixed for one (ticker, instant) before contracts are generated.
struct Market {
    tk: Ticker,
    clock: Clock,
    as_of: DateTime<Utc>,
    rate: f64,
    closes: [f64; OI_DAYS + 1],
    spot: f64,
    /// The session's opening price (previous close). The strike grid, the day's volume
    /// profile and the anomaly targets hang off it, so they stay put while spot moves.
    reference: f64,
    expiries: Vec<(NaiveDate, Series)>,
    iv_jump: f64,
    burst: Option<BurstTarget>,
    surge: Option<[SurgeTarget; 3]>,
}

impl Market {
    fn new(cfg: &SimConfig, ticker: &str, as_of: DateTime<Utc>) -> Market {
        let tk = Ticker::new(cfg.seed, ticker);
        let clock = Clock::at(as_of);
        let closes = tk.closes(clock.day);
        let spot = tk.spot(clock, closes[OI_DAYS - 1], closes[OI_DAYS]);
        let reference = tk.s0 * closes[OI_DAYS - 1].exp();
        let expiries = expirations(as_of);
        let day = clock.day;
        let active = |kind: AnomalyKind| {
            unit(hash(tk.key, tag::ANOMALY + kind as u64, day, 0)) < cfg.anomaly_rate
                || cfg.plant.iter().any(|p| {
                    p.kind == kind && as_of >= p.from && p.ticker.eq_ignore_ascii_case(ticker)
                })
        };
        let pick = |t: u64, i: u64| unit(hash(tk.key, t, day, i));

        let iv_jump = if active(AnomalyKind::IvJump) {
            0.08 + 0.07 * pick(tag::IV_JUMP_SIZE, 0)
        } else {
            0.0
        };

        let burst = active(AnomalyKind::VolumeBurst)
            .then(|| {
                // Short-dated (1..=60 days from the session date): where unusual flow shows.
                let short: Vec<usize> = (0..expiries.len())
                    .filter(|&i| (1..=60).contains(&(expiries[i].0 - clock.date).num_days()))
                    .take(4)
                    .collect();
                let slot = *short.get((pick(tag::BURST_PICK, 0) * short.len() as f64) as usize)?;
                let right = if pick(tag::BURST_PICK, 1) < 0.5 {
                    Right::Call
                } else {
                    Right::Put
                };
                let otm = 0.01 + 0.04 * pick(tag::BURST_PICK, 2);
                let strike = match right {
                    Right::Call => reference * (1.0 + otm),
                    Right::Put => reference * (1.0 - otm),
                };
                Some(BurstTarget {
                    expiry: slot,
                    strike,
                    right,
                })
            })
            .flatten();

        let surge = active(AnomalyKind::OiSurge).then(|| {
            let slots = expiries.len().min(6) as f64;
            std::array::from_fn(|i| {
                let u = |j: u64| pick(tag::SURGE_PICK, 4 * i as u64 + j);
                SurgeTarget {
                    expiry: (u(0) * slots) as usize,
                    offset: (u(1) * 9.0) as i64 - 4,
                    right: if u(2) < 0.5 { Right::Call } else { Right::Put },
                    // >= 3.5x keeps the surge >= 3x the previous day after its own +-10% drift.
                    factor: 3.5 + 1.5 * u(3),
                }
            })
        });

        Market {
            tk,
            clock,
            as_of,
            rate: cfg.rate,
            closes,
            spot,
            reference,
            expiries,
            iv_jump,
            burst,
            surge,
        }
    }

    /// Generates every contract.
    ///
    /// Open interest (settled the day before, so constant through a session), in log-points:
    ///
    /// ```text
    /// ln OI = ln oi_scale + series bias - 0.1 ln(T + 0.1) + static noise + 0.15 at $5 strikes
    ///         - ANCHOR_DEPTH * g(ln K - ln s0)
    ///         - OI_PATH_DEPTH * mean over the last OI_DAYS closes c of g(ln K - ln c)
    /// ```
    ///
    /// with g a bump in [0, 1) around zero: OI gathers where the price has been. Only one
    /// of the OI_DAYS terms changes per day and T moves at most 3 days, so ln OI moves at
    /// most 2.0/40 + 0.008 a day; with OI >= OI_FLOOR, rounding keeps that within +-10%.
    /// That is by construction, not by luck of the draw.
    ///
    /// Full-day volume is `OI * turnover`, the turnover decaying with |ln(K/reference)| and
    /// days to expiry and capped at MAX_TURNOVER; it accrues through the session along a
    /// U-shaped curve, so it never falls within a session.
    fn chain(&self, ticker: String) -> ChainSnapshot {
        let tk = &self.tk;
        let (spot, rate, div) = (self.spot, self.rate, tk.div);
        let level = tk.vol_level(self.clock.day);
        let share = session_share(self.clock.frac);
        let ln_s0 = tk.s0.ln();
        let oi_dates: [NaiveDate; OI_DAYS] =
            std::array::from_fn(|j| trading_date(self.clock.day - (OI_DAYS - j) as i64));
        let weight_sum: f64 = self.expiries.iter().map(|(_, s)| s.strike_weight()).sum();
        let anchor_width = 0.15 + 0.6 * tk.sigma;

        let mut contracts = Vec::with_capacity(2 * tk.strikes_per_right as usize + 64);
        let mut grid = Vec::with_capacity(128);
        let mut full_day_total = 0u64;
        let mut burst_at = None;

        for (ei, &(expiry, series)) in self.expiries.iter().enumerate() {
            let t_years = years_to_expiry(self.as_of, expiry);
            let atm = tk.atm_vol(t_years, level);
            // Grid, open interest and volume profile use whole days from the session date,
            // not t_years, so they hold still through the session while prices move.
            let dte = (expiry - self.clock.date).num_days().max(0);
            let t_session = (dte.max(1) as f64 / 365.0).max(MIN_SKEW_YEARS);
            let half_width =
                (2.5 * tk.atm_vol(t_session, 1.0) * t_session.sqrt()).clamp(0.2, MAX_HALF_WIDTH);
            let n = ((tk.strikes_per_right * series.strike_weight() / weight_sum).round() as usize)
                .max(12);
            strike_grid(self.reference, half_width, n, &mut grid);
            let atm_index = nearest(&grid, self.reference);

            let ln_fwd = spot.ln() + (rate - div) * t_years;
            let skew_t = t_years.max(MIN_SKEW_YEARS).sqrt();
            // Reciprocal widths: the OI loop below runs OI_DAYS times per strike.
            let oi_inv_width: [f64; OI_DAYS] = std::array::from_fn(|j| {
                let days = (expiry - oi_dates[j]).num_days().max(1) as f64;
                1.0 / (0.05 + 0.8 * tk.sigma * (days / 365.0).sqrt())
            });
            let oi_expiry =
                tk.oi_scale.ln() + series.oi_bias() - 0.1 * (dte as f64 / 365.0 + 0.1).ln();
            let volume_width = 0.03 + 0.5 * tk.sigma * t_session.sqrt();
            let volume_dte = tk.turnover / (1.0 + dte as f64 / 30.0);
            let spread_t = 0.02 * t_years.min(1.0) + tk.liquidity;
            let expiry_id = (expiry.num_days_from_ce() as u64) << 40;
            // OccSymbol::format minus its "C00000000" tail: ROOT + YYMMDD.
            let occ_prefix = OccSymbol::format(&ticker, expiry, Right::Call, 0.0);
            let occ_prefix = &occ_prefix[..occ_prefix.len() - 9];
            let burst_strike = self
                .burst
                .filter(|b| b.expiry == ei)
                .map(|b| grid[nearest(&grid, b.strike)]);

            for (si, &milli) in grid.iter().enumerate() {
                let strike = milli as f64 / 1000.0;
                let ln_k = strike.ln();
                let x = (ln_k - ln_fwd) / skew_t;
                let vol = (tk.smile(atm, x) + self.iv_jump).clamp(0.05, 3.0);

                let mut path = 0.0;
                for (close, inv_width) in self.closes[..OI_DAYS].iter().zip(&oi_inv_width) {
                    let m = (ln_k - ln_s0 - close) * inv_width;
                    path += m * m / (1.0 + m * m);
                }
                let a = (ln_k - ln_s0) / anchor_width;
                let anchor = -ANCHOR_DEPTH * a * a / (1.0 + a * a);
                let round = if milli % 5_000 == 0 { 0.15 } else { 0.0 };
                let ln_oi = oi_expiry + anchor + round - OI_PATH_DEPTH * path / OI_DAYS as f64;
                let m_ref = (strike / self.reference).ln().abs();
                let turnover = volume_dte * (-m_ref / volume_width).exp();
                let spread_pct = 0.02 + 0.03 * (x.abs() / 3.0).min(1.0) + spread_t;

                for right in [Right::Call, Right::Put] {
                    let id = expiry_id ^ (milli << 1) ^ u64::from(right == Right::Put);
                    let noise = 0.8 * (unit(hash(tk.key, tag::OI_STATIC, 0, id)) - 0.5);
                    let calm_oi = (ln_oi + noise).exp().round().max(OI_FLOOR) as u64;
                    let surged = self.surge.iter().flatten().find(|s| {
                        s.expiry == ei
                            && s.right == right
                            && si as i64
                                == (atm_index as i64 + s.offset).clamp(0, grid.len() as i64 - 1)
                    });
                    let open_interest = match surged {
                        Some(s) => (calm_oi as f64 * s.factor).round() as u64,
                        None => calm_oi,
                    };
                    let daily = 0.5 + unit(hash(tk.key, tag::VOLUME, self.clock.day, id));
                    let full_day =
                        (calm_oi as f64 * (turnover * daily).min(MAX_TURNOVER)).floor() as u64;
                    full_day_total += full_day;
                    let volume = (full_day as f64 * share).floor() as u64;

                    let inputs = Inputs {
                        right,
                        spot,
                        strike,
                        t_years,
                        rate,
                        div,
                    };
                    let theo = bsm::price(&inputs, vol).max(0.0);
                    let (bid, ask) = bid_ask(theo, (spread_pct * theo).max(0.01));
                    let last = if volume > 0 {
                        let u = unit(hash(tk.key, tag::LAST, self.clock.day, id));
                        ((bid + u * (ask - bid)) * 100.0).round().max(1.0) / 100.0
                    } else {
                        0.0
                    };
                    if burst_strike == Some(milli) && self.burst.is_some_and(|b| b.right == right) {
                        burst_at = Some(contracts.len());
                    }
                    contracts.push(OptionQuote {
                        symbol: occ_symbol(occ_prefix, right, milli),
                        expiry,
                        strike,
                        right,
                        bid,
                        ask,
                        last,
                        volume,
                        open_interest,
                        source_iv: Some(vol),
                    });
                }
            }
        }

        if let Some(q) = burst_at.map(|i| &mut contracts[i]) {
            // A sweep printed in full as soon as the anomaly is on: > 4x its OI and at least
            // three times the rest of the chain's full-day volume, so the total triples too.
            let extra = (unit(hash(tk.key, tag::BURST_PICK, self.clock.day, 3)) * 1000.0) as u64;
            q.volume = (4 * q.open_interest).max(3 * full_day_total) + 500 + extra;
            q.last = q.ask; // sweeps lift the offer
        }

        ChainSnapshot {
            ticker,
            as_of: self.as_of,
            spot,
            rate,
            dividend_yield: div,
            multiplier: 100.0,
            contracts,
        }
    }
}

/// The OCC symbol `OccSymbol::format` would give, from its ROOT + YYMMDD prefix. With a
/// thousand contracts a chain, `format!` was a quarter of the generation time.
fn occ_symbol(prefix: &str, right: Right, strike_milli: u64) -> String {
    if strike_milli >= 100_000_000 {
        // Nine digits: leave the unusual case to the reference implementation.
        let mut symbol = prefix.to_string();
        symbol.push_str(&format!("{}{strike_milli:08}", right.letter()));
        return symbol;
    }
    let mut digits = [b'0'; 8];
    let mut rest = strike_milli;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut symbol = String::with_capacity(prefix.len() + 9);
    symbol.push_str(prefix);
    symbol.push(right.letter());
    symbol.extend(digits.iter().map(|&d| char::from(d)));
    symbol
}

/// Index of the strike (thousandths, ascending, non-empty) nearest `price`.
fn nearest(grid: &[u64], price: f64) -> usize {
    let target = price * 1000.0;
    let i = grid.partition_point(|&k| (k as f64) < target);
    if i == 0 {
        0
    } else if i == grid.len() || target - grid[i - 1] as f64 <= grid[i] as f64 - target {
        i - 1
    } else {
        i
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use chrono::TimeZone;

    use super::*;

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
                assert!((0.0..=0.025).contains(&s.dividend_yield));
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
