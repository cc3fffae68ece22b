//! One ticker's market profile: its price path (closes and the intraday bridge) and its
//! volatility surface (level, term structure, smile).

use super::*;

/// Trading days in the mean-reversion window of the price path.
pub(super) const WINDOW: usize = 252;
/// Trading days of closes that shape the open interest (see `Market::chain`).
pub(super) const OI_DAYS: usize = 40;
/// Five-minute steps in a session.
pub(super) const STEPS: usize = 78;
/// Skew is measured in log-moneyness per sqrt(year); below a week that would explode.
pub(super) const MIN_SKEW_YEARS: f64 = 7.0 / 365.0;
/// No listed contract shows less open interest than this. Also keeps rounding from
/// breaking the +-10% day-to-day bound.
pub(super) const OI_FLOOR: f64 = 30.0;
/// Calm volume never exceeds this share of open interest, which keeps the unusual-activity
/// screen (volume > 500 and volume/OI >= 1.25) quiet without anomalies.
pub(super) const MAX_TURNOVER: f64 = 0.8;
/// How far open interest falls away from where the price closed recently (log-points).
pub(super) const OI_PATH_DEPTH: f64 = 2.0;
/// How far it falls away from the ticker's long-run level (log-points).
pub(super) const ANCHOR_DEPTH: f64 = 1.0;
/// Widest strike range, ln(K/S): strikes stop at a third and at three times spot, where
/// real chains stop too, however long-dated and volatile.
pub(super) const MAX_HALF_WIDTH: f64 = 1.1;

/// Per-ticker constants, all drawn from (seed, ticker).
#[derive(Debug, Clone)]
pub(super) struct Ticker {
    pub(super) key: u64,
    /// Long-run price level the path reverts to, currency units (10..600, log-uniform).
    pub(super) s0: f64,
    /// Annualised volatility of the path (0.18..0.70).
    pub(super) sigma: f64,
    /// Continuous dividend yield, fraction (0..0.025; a third pay nothing).
    pub(super) div: f64,
    /// ATM implied vol for a mid-dated expiry, before the daily level.
    pub(super) atm0: f64,
    /// Term-structure slope: short-dated ATM is atm0 * (1 - term), long-dated 1 + term.
    pub(super) term: f64,
    /// Skew and curvature of the smile per unit of ln(K/F)/sqrt(T).
    pub(super) skew: f64,
    pub(super) curve: f64,
    /// Open interest of a front-month ATM contract, contracts (200..5000).
    pub(super) oi_scale: f64,
    /// Share of OI an ATM front contract trades in a day.
    pub(super) turnover: f64,
    /// Extra relative spread for a less liquid name (0..0.01).
    pub(super) liquidity: f64,
    /// Strikes listed per right across all expirations.
    pub(super) strikes_per_right: f64,
    /// The market the ticker trades on: its session drives the clock.
    pub(super) exchange: Exchange,
    /// The reference profile the constants came from, if the ticker has one.
    pub(super) reference: Option<&'static Reference>,
}

impl Ticker {
    pub(super) fn new(seed: u64, ticker: &str) -> Ticker {
        let key = ticker_key(seed, ticker);
        let u = |i: u64| unit(hash(key, tag::PARAMS, 0, i));
        let sigma = 0.18 + 0.52 * u(1).powf(1.5); // most names are not meme stocks
        let term_sign = if u(5) < 0.7 { 1.0 } else { -1.0 }; // contango is the usual state
        if let Some(r) = reference(ticker) {
            // A well-known name: its own level, vol, dividend and open interest; realised
            // vol a little under implied, as usual; index skews steeper than single names.
            let skew = match r.kind {
                Kind::Index => 0.26 + 0.06 * u(6),
                Kind::Etf => 0.18 + 0.06 * u(6),
                Kind::Stock => 0.08 + 0.08 * u(6),
            };
            return Ticker {
                key,
                s0: r.spot,
                sigma: 0.85 * r.iv,
                div: r.div,
                atm0: r.iv,
                term: term_sign * (0.05 + 0.10 * u(4)),
                skew,
                curve: 0.03 + 0.07 * u(7),
                oi_scale: r.oi,
                turnover: 0.15 + 0.30 * u(9),
                liquidity: 0.002 * u(10),
                strikes_per_right: 440.0 + 120.0 * u(11),
                exchange: r.exchange,
                reference: Some(r),
            };
        }
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
            exchange: Exchange::Us,
            reference: None,
        }
    }

    /// The session calendar the ticker's clock runs on (weekdays, no holidays; see
    /// `clock::calendar`).
    pub(super) fn calendar(&self) -> &'static crate::market::Calendar {
        calendar_of(self.exchange)
    }

    /// ln(close / s0) of the trading days ending at `day`, oldest first, one per slot of
    /// `out` (at most OI_DAYS + 1).
    ///
    /// The log price is a tapered sum of the last WINDOW daily shocks, weight 1 - j/WINDOW
    /// for the shock j days back. Its daily change is the new shock minus the mean of the
    /// window: a random walk at `sigma` that reverts over about a year, so prices stay in a
    /// sensible range forever and any day can be computed without its history. A close is
    /// summed over the same shocks in the same order whoever asks, so it is bit-identical.
    pub(super) fn closes_into(&self, day: i64, out: &mut [f64]) {
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
    pub(super) fn closes(&self, day: i64) -> [f64; OI_DAYS + 1] {
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
    pub(super) fn spot(&self, clock: Clock, prev: f64, close: f64) -> f64 {
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
    pub(super) fn step_sd(&self) -> f64 {
        0.7 * self.sigma / (252.0 * STEPS as f64).sqrt()
    }

    /// The Brownian bridge of session `day` at its STEPS + 1 five-minute points, in
    /// log-points: zero at both ends.
    pub(super) fn bridge(&self, day: i64) -> [f64; STEPS + 1] {
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
    pub(super) fn vol_level(&self, day: i64) -> f64 {
        let mean = (0..5)
            .map(|j| 2.0 * unit(hash(self.key, tag::VOL_LEVEL, day - j, 0)) - 1.0)
            .sum::<f64>()
            / 5.0;
        1.0 + 0.04 * mean
    }

    /// ATM vol for an expiry `years` away.
    pub(super) fn atm_vol(&self, years: f64, level: f64) -> f64 {
        self.atm0 * level * (1.0 + self.term * (1.0 - 2.0 * (-years / 0.3).exp()))
    }

    /// Smile around `atm` at normalised moneyness `x = ln(K/F) / sqrt(T)`: puts (x < 0) richer.
    pub(super) fn smile(&self, atm: f64, x: f64) -> f64 {
        let x = x.clamp(-3.5, 3.5);
        atm * (1.0 - self.skew * x + self.curve * x * x).clamp(0.5, 3.0)
    }
}

pub(super) fn session_share(frac: f64) -> f64 {
    // Intraday volume is U-shaped (busy open and close): intensity 1 + 0.5 cos(2 pi f).
    frac + 0.5 * (TAU * frac).sin() / TAU
}
