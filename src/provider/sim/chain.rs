//! Building a chain: strike grids, quotes, volume, open interest and the anomalies.

use super::*;

/// Base strike increment for a spot price, in thousandths of a currency unit.
pub(super) fn base_increment(spot: f64) -> u64 {
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
pub(super) fn strike_grid(spot: f64, half_width: f64, n: usize, out: &mut Vec<u64>) {
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
pub(super) fn bid_ask(theo: f64, spread: f64) -> (f64, f64) {
    let tick = if theo >= 3.0 { 5.0 } else { 1.0 };
    let half = 0.5 * spread;
    // The epsilons absorb binary noise such as 1.2299999999 cents-per-100.
    let bid = ((theo - half) * 100.0 / tick + 1e-9).floor().max(0.0) * tick;
    let ask = ((theo + half) * 100.0 / tick - 1e-9).ceil().max(1.0) * tick;
    (bid / 100.0, ask / 100.0)
}

/// The contract the day's volume burst lands on.
#[derive(Debug, Clone, Copy)]
pub(super) struct BurstTarget {
    pub(super) expiry: usize,
    pub(super) strike: f64,
    pub(super) right: Right,
}

/// A contract whose open interest surges, by its place in the chain.
#[derive(Debug, Clone, Copy)]
pub(super) struct SurgeTarget {
    pub(super) expiry: usize,
    /// Strikes from the one nearest the reference spot.
    pub(super) offset: i64,
    pub(super) right: Right,
    pub(super) factor: f64,
}

/// Everything fixed for one (ticker, instant) before contracts are generated.
pub(super) struct Market {
    pub(super) tk: Ticker,
    pub(super) clock: Clock,
    pub(super) as_of: DateTime<Utc>,
    pub(super) rate: f64,
    pub(super) closes: [f64; OI_DAYS + 1],
    pub(super) spot: f64,
    /// The session's opening price (previous close). The strike grid, the day's volume
    /// profile and the anomaly targets hang off it, so they stay put while spot moves.
    pub(super) reference: f64,
    pub(super) expiries: Vec<(NaiveDate, Series)>,
    pub(super) iv_jump: f64,
    pub(super) burst: Option<BurstTarget>,
    pub(super) surge: Option<[SurgeTarget; 3]>,
}

impl Market {
    pub(super) fn new(cfg: &SimConfig, ticker: &str, as_of: DateTime<Utc>) -> Market {
        let tk = Ticker::new(cfg.seed, ticker);
        let clock = Clock::on(tk.calendar(), as_of);
        let closes = tk.closes(clock.day);
        let spot = tk.spot(clock, closes[OI_DAYS - 1], closes[OI_DAYS]);
        let reference = tk.s0 * closes[OI_DAYS - 1].exp();
        let expiries = expirations(as_of, tk.exchange, ticker);
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
    pub(super) fn chain(&self, ticker: String) -> ChainSnapshot {
        let tk = &self.tk;
        let (spot, rate, div) = (self.spot, self.rate, tk.div);
        let level = tk.vol_level(self.clock.day);
        let share = session_share(self.clock.frac);
        let ln_s0 = tk.s0.ln();
        let oi_dates: [NaiveDate; OI_DAYS] =
            std::array::from_fn(|j| trading_date(self.clock.day - (OI_DAYS - j) as i64));
        let weight_sum: f64 = self.expiries.iter().map(|(_, s)| s.strike_weight()).sum();
        let anchor_width = 0.15 + 0.6 * tk.sigma;

        let exchange = tk.exchange;
        let exercise = Exercise::usual(exchange, &ticker);
        // The well-known names' in-the-money American contracts carry their early-exercise
        // premium, priced as the scan prices them (`quant::model`); made-up tickers keep
        // plain Black-Scholes quotes, which keeps a large simulated universe fast.
        let american = tk.reference.is_some() && exercise == Exercise::American;
        let mut contracts = Vec::with_capacity(2 * tk.strikes_per_right as usize + 64);
        let mut grid = Vec::with_capacity(128);
        let mut full_day_total = 0u64;
        let mut burst_at = None;

        for (ei, &(expiry, series)) in self.expiries.iter().enumerate() {
            let t_years =
                years_between(self.as_of, expiry_instant_of(tk.exchange, &ticker, expiry));
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
                    let theo = if american {
                        model::price(model::model_for(exercise, &inputs), &inputs, vol)
                    } else {
                        bsm::price(&inputs, vol)
                    }
                    .max(0.0);
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
                        source_greeks: Default::default(),
                        quoted_at: None,
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

        let ex_dividends = match (tk.reference, self.expiries.last()) {
            (Some(r), Some(&(last, _))) => r.ex_dividends(self.clock.date, last),
            _ => Vec::new(),
        };
        // NSE's index lots (NIFTY 75, BANKNIFTY 35); other NSE names quote per share, as
        // the nse provider does without `lot_sizes`.
        let multiplier = match (exchange, ticker.as_str()) {
            (Exchange::Us, _) => 100.0,
            (Exchange::Nse, "NIFTY") => 75.0,
            (Exchange::Nse, "BANKNIFTY") => 35.0,
            (Exchange::Nse, _) => 1.0,
        };
        ChainSnapshot {
            ticker,
            as_of: self.as_of,
            spot,
            rate,
            dividend_yield: div,
            multiplier,
            exchange,
            exercise: Some(exercise),
            ex_dividends,
            source_iv30: None,
            contracts,
        }
    }
}

/// The OCC symbol `OccSymbol::format` would give, from its ROOT + YYMMDD prefix. With a
/// thousand contracts a chain, `format!` was a quarter of the generation time.
pub(super) fn occ_symbol(prefix: &str, right: Right, strike_milli: u64) -> String {
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
pub(super) fn nearest(grid: &[u64], price: f64) -> usize {
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
