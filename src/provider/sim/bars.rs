//! OHLCV bars of the simulated market, on the same price path the chains are priced from.
//!
//! A session's path is known at its 79 five-minute points (the bridge of `Ticker::spot`
//! between the previous close and the close). A 5-minute bar runs from one point to the
//! next, with wicks drawn beyond its open and close; 1-minute bars split a 5-minute bar
//! (five of them merge back into it exactly), hourly and daily bars aggregate the
//! 5-minute bars, so every timeframe tells the same story. Volume follows the same U-shaped
//! intraday profile as option volume, around a per-ticker daily level.

use std::sync::atomic::Ordering;

#[cfg(test)]
use chrono::TimeZone;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
#[cfg(test)]
use chrono_tz::America::New_York;

use super::{
    Error, OI_DAYS, PROVIDER, STEPS, SimProvider, Ticker, calendar, canonical_ticker, hash, normal,
    session_share, tag, ticker_key, trading_date, trading_index, unit,
};
use crate::market::{Bar, Timeframe};

/// Five-minute bars in one hourly bar.
const PER_HOUR: usize = 12;
/// No bars before this date: a guard against a range that asks for centuries.
const EARLIEST: (i32, u32, u32) = (1990, 1, 2);

/// The session open on `date` (09:30 New York), in UTC: the earliest bar there is.
fn session_open(date: NaiveDate) -> DateTime<Utc> {
    calendar().open_on(date)
}

/// The five 1-minute bars of 5-minute bar `k` of session `day`: their path runs from the
/// bar's open to its close in straight steps shaken by up to a quarter of the bar's range,
/// one minute (drawn) reaches its high and another its low, and the volume is shared out
/// whole. Merged, they are `five` bit for bit.
fn minutes_of(five: &Bar, key: u64, day: i64, k: usize) -> [Bar; 5] {
    let draw = |i: u64| hash(key, tag::BAR_MINUTE, day, 8 * k as u64 + i);
    let range = five.high - five.low;
    let mut closes = [five.close; 5];
    for (i, c) in closes.iter_mut().enumerate().take(4) {
        let along = five.open + (five.close - five.open) * (i + 1) as f64 / 5.0;
        let shake = 0.25 * range * (2.0 * unit(draw(i as u64)) - 1.0);
        *c = (along + shake).clamp(five.low, five.high);
    }
    let high_at = (draw(4) % 5) as usize;
    let low_at = (draw(5) % 5) as usize;
    let mut out = [*five; 5];
    let mut open = five.open;
    for (i, m) in out.iter_mut().enumerate() {
        m.time = five.time + TimeDelta::minutes(i as i64);
        m.open = open;
        m.close = closes[i];
        m.high = if i == high_at {
            five.high
        } else {
            open.max(m.close)
        };
        m.low = if i == low_at {
            five.low
        } else {
            open.min(m.close)
        };
        m.volume = five.volume / 5 + u64::from((i as u64) < five.volume % 5);
        open = m.close;
    }
    out
}

/// Merges `next` (later) into `acc`.
fn merge(acc: &mut Bar, next: &Bar) {
    acc.high = acc.high.max(next.high);
    acc.low = acc.low.min(next.low);
    acc.close = next.close;
    acc.volume += next.volume;
}

impl Ticker {
    /// Typical shares traded in a session (200k..10M, log-uniform per ticker).
    fn daily_volume(&self) -> f64 {
        (2e5f64.ln() + unit(hash(self.key, tag::PARAMS, 0, 12)) * 50f64.ln()).exp()
    }

    /// ln(close / s0) of trading days `first..=last`, each computed exactly as the chains
    /// compute it (so a daily bar's close is bit-identical to the chain's closing spot).
    fn close_range(&self, first: i64, last: i64) -> Vec<f64> {
        let mut out = Vec::with_capacity((last - first + 1).max(0) as usize);
        let mut day = first;
        let mut chunk = [0.0; OI_DAYS + 1];
        while day <= last {
            let n = ((last - day + 1) as usize).min(chunk.len());
            self.closes_into(day + n as i64 - 1, &mut chunk[..n]);
            out.extend_from_slice(&chunk[..n]);
            day += n as i64;
        }
        out
    }

    /// Five-minute bars in one session of the ticker's exchange: 78 in New York's 6.5
    /// hours, 75 in NSE's 6.25.
    fn bars_per_session(&self) -> usize {
        let cal = self.calendar();
        let minutes = (cal.close_time() - cal.open_time()).num_minutes();
        usize::try_from(minutes / 5).unwrap_or(STEPS).max(1)
    }

    /// The five-minute bars of session `day` on the ticker's exchange (09:30-16:00 New
    /// York, 09:15-15:30 IST), given ln(close / s0) of the day before and of the day. Bar
    /// `k` of `n` runs over the same share of the session as the chains' spot does.
    fn session_bars(&self, day: i64, prev: f64, close: f64) -> Vec<Bar> {
        let n = self.bars_per_session();
        let bridge = self.bridge(day);
        // The bridge at `k / n` of the session (exactly its points when n == STEPS).
        let at = |k: usize| {
            let pos = (k * STEPS) as f64 / n as f64;
            let i = (pos.floor() as usize).min(STEPS - 1);
            let b = bridge[i] + (pos - i as f64) * (bridge[i + 1] - bridge[i]);
            self.s0 * (prev + k as f64 / n as f64 * (close - prev) + b).exp()
        };
        let mut path: Vec<f64> = (0..=n).map(at).collect();
        // The ends are the closes themselves, bit for bit.
        path[0] = self.s0 * prev.exp();
        path[n] = self.s0 * close.exp();

        let wick_sd = 0.5 * self.step_sd();
        let day_volume =
            self.daily_volume() * (0.35 * normal(hash(self.key, tag::BAR_VOLUME, day, 0))).exp();
        let open_at = self.calendar().open_on(trading_date(day));
        (0..n)
            .map(|k| {
                let (open, close) = (path[k], path[k + 1]);
                let up = wick_sd * normal(hash(self.key, tag::BAR_WICK, day, 2 * k as u64)).abs();
                let down =
                    wick_sd * normal(hash(self.key, tag::BAR_WICK, day, 2 * k as u64 + 1)).abs();
                let share =
                    session_share((k + 1) as f64 / n as f64) - session_share(k as f64 / n as f64);
                let jitter =
                    (0.2 * normal(hash(self.key, tag::BAR_VOLUME, day, 1 + k as u64))).exp();
                Bar {
                    time: open_at + TimeDelta::minutes(5 * k as i64),
                    open,
                    high: open.max(close) * up.exp(),
                    low: open.min(close) * (-down).exp(),
                    close,
                    volume: (day_volume * share * jitter).round() as u64,
                    open_interest: None,
                }
            })
            .collect()
    }

    /// Bars at `timeframe` of every session from `first_day` to `last_day`, oldest first,
    /// each with the instant it closes.
    fn bars(
        &self,
        timeframe: Timeframe,
        first_day: i64,
        last_day: i64,
    ) -> Vec<(Bar, DateTime<Utc>)> {
        if last_day < first_day {
            return Vec::new();
        }
        let closes = self.close_range(first_day - 1, last_day);
        let steps = self.bars_per_session();
        let per_day = match timeframe {
            Timeframe::M1 => 5 * steps,
            Timeframe::M5 => steps,
            Timeframe::H1 => steps.div_ceil(PER_HOUR),
            Timeframe::D1 => 1,
        };
        let mut out = Vec::with_capacity(per_day * (last_day - first_day + 1) as usize);
        for (i, day) in (first_day..=last_day).enumerate() {
            let five = self.session_bars(day, closes[i], closes[i + 1]);
            let end_of = |k: usize| five[k].time + TimeDelta::minutes(5);
            match timeframe {
                Timeframe::M1 => {
                    for (k, b) in five.iter().enumerate() {
                        out.extend(
                            minutes_of(b, self.key, day, k)
                                .into_iter()
                                .map(|m| (m, m.time + TimeDelta::minutes(1))),
                        );
                    }
                }
                Timeframe::M5 => out.extend(five.iter().enumerate().map(|(k, b)| (*b, end_of(k)))),
                Timeframe::H1 => {
                    for chunk in (0..steps).collect::<Vec<_>>().chunks(PER_HOUR) {
                        let mut bar = five[chunk[0]];
                        for &k in &chunk[1..] {
                            merge(&mut bar, &five[k]);
                        }
                        out.push((bar, end_of(*chunk.last().expect("non-empty chunk"))));
                    }
                }
                Timeframe::D1 => {
                    let mut bar = five[0];
                    for b in &five[1..] {
                        merge(&mut bar, b);
                    }
                    out.push((bar, end_of(steps - 1)));
                }
            }
        }
        out
    }
}

impl SimProvider {
    /// Bars of `ticker` (any case) at `timeframe` that opened in `[from, to)` and closed by
    /// `to`, oldest first, without latency or fault injection.
    pub fn bars_between(
        &self,
        ticker: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let ticker = canonical_ticker(ticker)?;
        let earliest = session_open(
            NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2).expect("valid date"),
        );
        let from = from.max(earliest);
        if to <= from {
            return Ok(Vec::new());
        }
        let tk = Ticker::new(self.cfg.seed, &ticker);
        let day_of = |t: DateTime<Utc>| trading_index(tk.calendar().local_date(t)).0;
        Ok(tk
            .bars(timeframe, day_of(from), day_of(to))
            .into_iter()
            .filter(|(bar, end)| bar.time >= from && bar.time < to && *end <= to)
            .map(|(bar, _)| bar)
            .collect())
    }

    /// The fault a bar call meets, if any: `fail_tickers` always; otherwise one draw per
    /// call (so a retry can succeed) against `failure_rate`, then `throttle_rate`.
    fn bar_fault(&self, ticker: &str) -> Option<Error> {
        if self
            .cfg
            .fail_tickers
            .iter()
            .any(|f| f.eq_ignore_ascii_case(ticker))
        {
            return Some(Error::Unavailable {
                provider: PROVIDER.into(),
                symbol: ticker.into(),
                detail: "injected failure: ticker is in fail_tickers".into(),
            });
        }
        let (fail, throttle) = (self.cfg.failure_rate, self.cfg.throttle_rate);
        if fail <= 0.0 && throttle <= 0.0 {
            return None;
        }
        let call = self.bar_calls.fetch_add(1, Ordering::Relaxed);
        let draw = unit(hash(
            ticker_key(self.cfg.seed, ticker),
            tag::BAR_FAULT,
            call as i64,
            0,
        ));
        if draw < fail {
            Some(Error::Unavailable {
                provider: PROVIDER.into(),
                symbol: ticker.into(),
                detail: format!("injected failure (failure_rate {fail})"),
            })
        } else if draw < fail + throttle {
            Some(Error::RateLimited {
                provider: PROVIDER.into(),
                symbol: ticker.into(),
                retry_after: Some(std::time::Duration::from_millis(self.cfg.retry_after_ms)),
            })
        } else {
            None
        }
    }
}

#[async_trait::async_trait]
impl crate::provider::BarProvider for SimProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    /// Waits `latency_ms`, then fails as configured (`fail_tickers`, and per call
    /// `failure_rate` and `throttle_rate`), then returns [`SimProvider::bars_between`].
    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        if self.cfg.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(self.cfg.latency_ms)).await;
        }
        let canonical = canonical_ticker(symbol)?;
        if let Some(err) = self.bar_fault(&canonical) {
            return Err(err);
        }
        self.bars_between(&canonical, timeframe, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::BarProvider;
    use crate::provider::sim::SimConfig;

    fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        New_York
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn sim() -> SimProvider {
        SimProvider::new(SimConfig::default())
    }

    #[test]
    fn daily_bars_one_per_weekday_at_the_open_closing_where_chains_close() {
        let sim = sim();
        // Mon 2026-11-16 .. the instant after Fri 2026-11-20's close.
        let bars = sim
            .bars_between(
                "AAPL",
                Timeframe::D1,
                ny(2026, 11, 16, 0, 0),
                ny(2026, 11, 21, 0, 0),
            )
            .unwrap();
        assert_eq!(bars.len(), 5);
        for (i, bar) in bars.iter().enumerate() {
            let day = 16 + i as u32;
            assert_eq!(bar.time, ny(2026, 11, day, 9, 30));
            assert_eq!(bar.close, sim.spot_at("AAPL", ny(2026, 11, day, 16, 0)));
            assert_eq!(bar.open, sim.spot_at("AAPL", ny(2026, 11, day, 9, 30)));
            assert!(bar.low <= bar.open.min(bar.close) && bar.high >= bar.open.max(bar.close));
            assert!(bar.volume > 10_000, "{bar:?}");
        }
        // Each open is the previous close: the path is continuous.
        for pair in bars.windows(2) {
            assert_eq!(pair[1].open, pair[0].close);
        }
    }

    #[test]
    fn nse_names_trade_ist_sessions() {
        let sim = sim();
        let ist = |d: u32, h: u32, mi: u32| {
            chrono_tz::Asia::Kolkata
                .with_ymd_and_hms(2026, 11, d, h, mi, 0)
                .single()
                .unwrap()
                .with_timezone(&Utc)
        };
        // Monday 2026-11-23, whole day: 75 five-minute bars from 09:15 to 15:25 IST.
        let five = sim
            .bars_between("RELIANCE", Timeframe::M5, ist(23, 0, 0), ist(24, 0, 0))
            .unwrap();
        assert_eq!(five.len(), 75);
        assert_eq!(five[0].time, ist(23, 9, 15));
        assert_eq!(five[74].time, ist(23, 15, 25));
        // The path is the chains' path: the open and close are the spot there.
        assert_eq!(five[0].open, sim.spot_at("RELIANCE", ist(23, 9, 15)));
        assert_eq!(five[74].close, sim.spot_at("RELIANCE", ist(23, 15, 30)));
        let mid = sim.spot_at("RELIANCE", ist(23, 12, 0));
        assert!(
            (five[33].open - mid).abs() < 1e-9 * mid,
            "{} vs {mid}",
            five[33].open
        );
        let days = sim
            .bars_between("RELIANCE", Timeframe::D1, ist(23, 0, 0), ist(24, 0, 0))
            .unwrap();
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].time, ist(23, 9, 15));
        assert_eq!(days[0].close, five[74].close);
        let hours = sim
            .bars_between("RELIANCE", Timeframe::H1, ist(23, 0, 0), ist(24, 0, 0))
            .unwrap();
        assert_eq!(hours.len(), 7);
        assert_eq!(hours[6].time, ist(23, 15, 15));
        // 10:00 IST (04:30 UTC): nine bars have closed, none of them in New York hours.
        assert_eq!(
            sim.bars_between("RELIANCE", Timeframe::M5, ist(23, 0, 0), ist(23, 10, 0))
                .unwrap()
                .len(),
            9
        );
    }

    #[test]
    fn one_minute_bars_merge_back_into_the_five_minute_bars_of_both_markets() {
        let sim = sim();
        let ist = |d: u32, h: u32, mi: u32| {
            chrono_tz::Asia::Kolkata
                .with_ymd_and_hms(2026, 11, d, h, mi, 0)
                .single()
                .unwrap()
                .with_timezone(&Utc)
        };
        for (sym, from, to, per_session) in [
            ("MSFT", ny(2026, 11, 23, 0, 0), ny(2026, 11, 24, 0, 0), 390),
            ("RELIANCE", ist(23, 0, 0), ist(24, 0, 0), 375),
        ] {
            let ones = sim.bars_between(sym, Timeframe::M1, from, to).unwrap();
            let fives = sim.bars_between(sym, Timeframe::M5, from, to).unwrap();
            assert_eq!(ones.len(), per_session, "{sym}");
            assert_eq!(ones.len(), 5 * fives.len(), "{sym}");
            for (five, minutes) in fives.iter().zip(ones.chunks(5)) {
                assert_eq!(minutes[0].time, five.time, "{sym}");
                assert!(
                    minutes
                        .windows(2)
                        .all(|w| w[1].time - w[0].time == TimeDelta::minutes(1)
                            && w[1].open == w[0].close)
                );
                let mut merged = minutes[0];
                for m in &minutes[1..] {
                    merge(&mut merged, m);
                }
                assert_eq!(merged, *five, "{sym} at {}", five.time);
                assert!(minutes.iter().all(|m| m.low <= m.open.min(m.close)
                    && m.high >= m.open.max(m.close)
                    && m.low > 0.0));
            }
        }
        // Only closed minutes: at 10:07:30 New York, 09:30..10:06 (37 bars).
        let t = ny(2026, 11, 23, 10, 7) + TimeDelta::seconds(30);
        assert_eq!(
            sim.bars_between("MSFT", Timeframe::M1, ny(2026, 11, 23, 0, 0), t)
                .unwrap()
                .len(),
            37
        );
    }

    #[test]
    fn only_closed_bars_are_returned() {
        let sim = sim();
        let day = |tf, to| {
            sim.bars_between("MSFT", tf, ny(2026, 11, 23, 0, 0), to)
                .unwrap()
        };
        // 10:07 on Monday: 5m bars 09:30..10:00 have closed (7), the 10:05 one has not.
        assert_eq!(day(Timeframe::M5, ny(2026, 11, 23, 10, 7)).len(), 7);
        assert_eq!(day(Timeframe::H1, ny(2026, 11, 23, 10, 7)).len(), 0);
        assert_eq!(day(Timeframe::H1, ny(2026, 11, 23, 10, 30)).len(), 1);
        assert_eq!(day(Timeframe::D1, ny(2026, 11, 23, 15, 59)).len(), 0);
        // After the close: 78 five-minute bars, 7 hourly (the last half an hour), 1 daily.
        assert_eq!(day(Timeframe::M5, ny(2026, 11, 23, 16, 0)).len(), 78);
        let hours = day(Timeframe::H1, ny(2026, 11, 23, 16, 0));
        assert_eq!(hours.len(), 7);
        assert_eq!(hours[6].time, ny(2026, 11, 23, 15, 30));
        assert_eq!(day(Timeframe::D1, ny(2026, 11, 23, 16, 0)).len(), 1);
        // A weekend has none.
        let weekend = sim
            .bars_between(
                "MSFT",
                Timeframe::M5,
                ny(2026, 11, 21, 0, 0),
                ny(2026, 11, 23, 0, 0),
            )
            .unwrap();
        assert!(weekend.is_empty());
    }

    #[test]
    fn timeframes_aggregate_the_same_path() {
        let sim = sim();
        let (from, to) = (ny(2026, 11, 19, 0, 0), ny(2026, 11, 20, 0, 0));
        let five = sim.bars_between("NVDA", Timeframe::M5, from, to).unwrap();
        let hours = sim.bars_between("NVDA", Timeframe::H1, from, to).unwrap();
        let days = sim.bars_between("NVDA", Timeframe::D1, from, to).unwrap();
        assert_eq!((five.len(), hours.len(), days.len()), (78, 7, 1));
        let d = days[0];
        assert_eq!(d.open, five[0].open);
        assert_eq!(d.close, five[77].close);
        assert_eq!(d.high, five.iter().map(|b| b.high).fold(f64::MIN, f64::max));
        assert_eq!(d.low, five.iter().map(|b| b.low).fold(f64::MAX, f64::min));
        assert_eq!(d.volume, five.iter().map(|b| b.volume).sum::<u64>());
        assert_eq!(hours.iter().map(|b| b.volume).sum::<u64>(), d.volume);
        assert_eq!(hours[1].open, five[12].open);
        assert_eq!(hours[1].close, five[23].close);
        for pair in five.windows(2) {
            assert_eq!(pair[1].open, pair[0].close, "5m bars chain");
            assert_eq!(pair[1].time - pair[0].time, TimeDelta::minutes(5));
        }
    }

    #[test]
    fn bars_are_deterministic_and_history_independent() {
        let a = sim()
            .bars_between(
                "AMD",
                Timeframe::D1,
                ny(2016, 1, 1, 0, 0),
                ny(2026, 11, 21, 0, 0),
            )
            .unwrap();
        assert!(
            (2700..2900).contains(&a.len()),
            "{} daily bars in ~11 years",
            a.len()
        );
        let tail = sim()
            .bars_between(
                "amd",
                Timeframe::D1,
                ny(2026, 6, 1, 0, 0),
                ny(2026, 11, 21, 0, 0),
            )
            .unwrap();
        assert_eq!(&a[a.len() - tail.len()..], &tail[..]);
        assert!(a.iter().all(|b| b.low > 0.0 && b.low <= b.high));
        let other_seed = SimProvider::new(SimConfig {
            seed: 7,
            ..SimConfig::default()
        })
        .bars_between(
            "AMD",
            Timeframe::D1,
            ny(2026, 6, 1, 0, 0),
            ny(2026, 11, 21, 0, 0),
        )
        .unwrap();
        assert_ne!(other_seed[0].close, tail[0].close);
    }

    #[test]
    fn daily_returns_have_the_tickers_volatility() {
        let bars = sim()
            .bars_between(
                "SPY",
                Timeframe::D1,
                ny(2021, 1, 1, 0, 0),
                ny(2026, 1, 1, 0, 0),
            )
            .unwrap();
        let rets: Vec<f64> = bars
            .windows(2)
            .map(|w| (w[1].close / w[0].close).ln())
            .collect();
        let mean = rets.iter().sum::<f64>() / rets.len() as f64;
        let var = rets.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (rets.len() - 1) as f64;
        let annual = (var * 252.0).sqrt();
        // Per-ticker sigma is 0.18..0.70; the tapered window damps it a little.
        assert!((0.1..0.8).contains(&annual), "annualised vol {annual}");
    }

    #[tokio::test]
    async fn injected_faults_vary_per_call_and_throttles_carry_retry_after() {
        let (from, to) = (ny(2026, 11, 16, 0, 0), ny(2026, 11, 21, 0, 0));
        let flaky = SimProvider::new(SimConfig {
            failure_rate: 0.3,
            throttle_rate: 0.2,
            retry_after_ms: 1500,
            ..SimConfig::default()
        });
        let (mut ok, mut failed, mut throttled) = (0, 0, 0);
        for _ in 0..200 {
            match flaky.bars("AAPL", Timeframe::D1, from, to).await {
                Ok(bars) => {
                    assert_eq!(bars.len(), 5);
                    ok += 1
                }
                Err(Error::Unavailable { .. }) => failed += 1,
                Err(Error::RateLimited { retry_after, .. }) => {
                    assert_eq!(retry_after, Some(std::time::Duration::from_millis(1500)));
                    throttled += 1
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert!((35..=85).contains(&failed), "{failed} failed");
        assert!((20..=60).contains(&throttled), "{throttled} throttled");
        assert!((70..=130).contains(&ok), "{ok} ok");

        let down = SimProvider::new(SimConfig {
            fail_tickers: vec!["TSLA".into()],
            ..SimConfig::default()
        });
        for _ in 0..3 {
            assert!(down.bars("tsla", Timeframe::D1, from, to).await.is_err());
        }
        assert!(down.bars("AAPL", Timeframe::D1, from, to).await.is_ok());
        let bad = down
            .bars("1;BAD", Timeframe::D1, from, to)
            .await
            .unwrap_err();
        assert!(matches!(bad, Error::UnknownSymbol { .. }), "{bad}");
    }

    #[test]
    fn absurd_ranges_are_bounded() {
        let bars = sim()
            .bars_between(
                "AAPL",
                Timeframe::D1,
                DateTime::<Utc>::MIN_UTC,
                ny(1990, 2, 1, 0, 0),
            )
            .unwrap();
        assert!(bars.len() <= 23, "{}", bars.len());
        let none = sim()
            .bars_between(
                "AAPL",
                Timeframe::D1,
                ny(2026, 1, 2, 0, 0),
                ny(2026, 1, 1, 0, 0),
            )
            .unwrap();
        assert!(none.is_empty());
    }
}
