//! Chain snapshots (one row per contract per scan), per-ticker features, and the daily
//! 30-day ATM IV history behind IV rank. A ticker's rows and its alerts are written in
//! one transaction by [`Chains::record_ticker`], so a crash never leaves half a ticker.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use super::alerts::NewAlert;
use super::outbox::{OutboxEntry, SourceKind};
use super::{Result, Store, parse_ts, ts};
use crate::market::Right;

/// One contract as stored: the quote plus optctl's own IV and greeks (None when the mid
/// price carries no solvable volatility).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    pub symbol: String,
    pub expiry: NaiveDate,
    pub strike: f64,
    pub right: Right,
    pub bid: f64,
    pub ask: f64,
    pub last: f64,
    pub volume: u64,
    pub open_interest: u64,
    /// Implied volatility from the mid price (fraction).
    pub iv: Option<f64>,
    pub delta: Option<f64>,
    pub gamma: Option<f64>,
    /// Per calendar day.
    pub theta: Option<f64>,
    /// Per vol point.
    pub vega: Option<f64>,
    /// Per rate point (0.01).
    #[serde(default)]
    pub rho: Option<f64>,
    /// The model the IV and greeks come from: `black76` (on the expiry's forward) or
    /// `american` (in-the-money American contracts); None without an IV.
    #[serde(default)]
    pub model: Option<String>,
    /// The source's own implied volatility (fraction), when it publishes one (the
    /// `vendor_*` fields are left out of JSON when the source gave none): CBOE `iv`,
    /// Tradier `greeks.mid_iv` (else `smv_vol`), Polygon `implied_volatility`, Yahoo
    /// `impliedVolatility`. Kept beside optctl's `iv` for comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_iv: Option<f64>,
    /// The source's own delta, when it publishes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_delta: Option<f64>,
    /// The source's own gamma, when it publishes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_gamma: Option<f64>,
    /// The source's theoretical value (CBOE `theo`), in price units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_theo: Option<f64>,
    /// Dealer gamma exposure of the contract: open interest × gamma × contract multiplier
    /// × spot² × 0.01, positive for calls and negative for puts (dealers long the calls
    /// and short the puts their customers trade), in currency per 1% move of the
    /// underlying. `None` without optctl's gamma.
    #[serde(default)]
    pub gex: Option<f64>,
}

/// One expiry of a stored chain: its forward and discount factor and how they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiryRow {
    pub expiry: NaiveDate,
    /// Years from the quotes' time to the expiry instant.
    pub t_years: f64,
    pub forward: f64,
    /// `ln(forward / spot) / t_years`: the rate less the dividend yield, as priced.
    pub carry: f64,
    /// Discount factor to expiry, `e^{-rate * t_years}`.
    pub discount: f64,
    pub rate: f64,
    /// `parity`, `box` or `fallback`.
    pub method: String,
    /// Call/put pairs behind the forward (0 for the fallback).
    pub pairs: u32,
}

/// The features of one ticker in one scan. IVs are fractions; `term_slope` and `rr25` are
/// differences of fractions (0.02 = 2 vol points).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureRow {
    pub ticker: String,
    pub as_of: DateTime<Utc>,
    pub spot: f64,
    pub atm_iv_front: Option<f64>,
    pub atm_iv_30d: Option<f64>,
    /// 90-day minus 30-day constant-maturity ATM IV.
    pub term_slope: Option<f64>,
    /// 25-delta call IV minus 25-delta put IV at the expiry nearest 30 days.
    pub rr25: Option<f64>,
    pub call_volume: u64,
    pub put_volume: u64,
    pub call_oi: u64,
    pub put_oi: u64,
    pub pcr_volume: Option<f64>,
    pub pcr_oi: Option<f64>,
    pub max_pain: Option<f64>,
    /// ATM straddle mid at the front expiry, in price units.
    pub expected_move: Option<f64>,
    /// 0..1; None with fewer than the configured minimum of daily observations.
    pub iv_rank: Option<f64>,
    /// 0..1; share of past daily observations below now.
    pub iv_percentile: Option<f64>,
    /// Daily observations behind iv_rank and iv_percentile.
    pub iv_history_n: u64,
    pub contracts: u64,
    /// Contracts with a two-sided quote that carry both optctl's IV and the source's.
    #[serde(default)]
    pub vendor_iv_pairs: u64,
    /// Median of |optctl IV − source IV| over those contracts (fraction: 0.01 = 1 vol
    /// point).
    #[serde(default)]
    pub vendor_iv_gap_median: Option<f64>,
    /// 90th percentile of the same gaps.
    #[serde(default)]
    pub vendor_iv_gap_p90: Option<f64>,
    /// Median of the gaps over the out-of-the-money contracts only.
    #[serde(default)]
    pub vendor_iv_gap_otm_median: Option<f64>,
    /// 90th percentile of the out-of-the-money gaps.
    #[serde(default)]
    pub vendor_iv_gap_otm_p90: Option<f64>,
    /// The source's own 30-day IV of the underlying (CBOE `iv30`, as a fraction).
    #[serde(default)]
    pub vendor_iv30: Option<f64>,
    /// `atm_iv_30d` minus `vendor_iv30` (fraction).
    #[serde(default)]
    pub vendor_iv30_gap: Option<f64>,
    /// Dealer gamma exposure of the whole chain: the sum of the contracts' `gex`
    /// (currency per 1% move).
    #[serde(default)]
    pub gex: Option<f64>,
    /// The spot level at which the chain's total gamma exposure crosses zero, nearest the
    /// current spot (gamma re-evaluated over a grid of spot levels).
    #[serde(default)]
    pub zero_gamma: Option<f64>,
}

/// Where a ticker's newest stored chain is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainRef {
    pub ticker: String,
    pub scan_id: i64,
    pub as_of: DateTime<Utc>,
    pub spot: f64,
}

/// Everything one ticker contributes to a scan.
pub struct TickerWrite<'a> {
    pub scan_id: i64,
    pub features: &'a FeatureRow,
    pub contracts: &'a [ContractRow],
    pub expiries: &'a [ExpiryRow],
    pub alerts: &'a [NewAlert],
    /// The notifications of each alert, by index into `alerts` (None or a missing entry:
    /// no channel takes it). Queued in the same transaction as the alerts.
    pub alert_outbox: &'a [Option<OutboxEntry>],
    /// The trading day whose IV history entry this scan updates.
    pub iv_day: NaiveDate,
}

const FEATURE_COLUMNS: &str = "ticker, as_of, spot, atm_iv_front, atm_iv_30d, term_slope, rr25,
    call_volume, put_volume, call_oi, put_oi, pcr_volume, pcr_oi, max_pain, expected_move,
    iv_rank, iv_percentile, iv_history_n, contracts, vendor_iv_pairs, vendor_iv_gap_median,
    vendor_iv_gap_p90, vendor_iv_gap_otm_median, vendor_iv_gap_otm_p90, vendor_iv30,
    vendor_iv30_gap, gex, zero_gamma";

fn feature_from_row(r: &Row<'_>) -> rusqlite::Result<(FeatureRow, String)> {
    let as_of: String = r.get(1)?;
    Ok((
        FeatureRow {
            ticker: r.get(0)?,
            as_of: DateTime::<Utc>::MIN_UTC,
            spot: r.get(2)?,
            atm_iv_front: r.get(3)?,
            atm_iv_30d: r.get(4)?,
            term_slope: r.get(5)?,
            rr25: r.get(6)?,
            call_volume: r.get::<_, i64>(7)? as u64,
            put_volume: r.get::<_, i64>(8)? as u64,
            call_oi: r.get::<_, i64>(9)? as u64,
            put_oi: r.get::<_, i64>(10)? as u64,
            pcr_volume: r.get(11)?,
            pcr_oi: r.get(12)?,
            max_pain: r.get(13)?,
            expected_move: r.get(14)?,
            iv_rank: r.get(15)?,
            iv_percentile: r.get(16)?,
            iv_history_n: r.get::<_, i64>(17)? as u64,
            contracts: r.get::<_, i64>(18)? as u64,
            vendor_iv_pairs: r.get::<_, i64>(19)? as u64,
            vendor_iv_gap_median: r.get(20)?,
            vendor_iv_gap_p90: r.get(21)?,
            vendor_iv_gap_otm_median: r.get(22)?,
            vendor_iv_gap_otm_p90: r.get(23)?,
            vendor_iv30: r.get(24)?,
            vendor_iv30_gap: r.get(25)?,
            gex: r.get(26)?,
            zero_gamma: r.get(27)?,
        },
        as_of,
    ))
}

fn finish_features(raw: Vec<(FeatureRow, String)>) -> Result<Vec<FeatureRow>> {
    raw.into_iter()
        .map(|(mut f, as_of)| {
            f.as_of = parse_ts(&as_of, "features", "as_of")?;
            Ok(f)
        })
        .collect()
}

/// The `chains` family: `Store::chains()` reads, `Store::chains_mut()` also writes.
pub struct Chains<S>(pub(super) S);

impl<S: Deref<Target = Store>> Chains<S> {
    /// A ticker's features from scans taken before `before`, newest first.
    pub fn recent_features(
        &self,
        ticker: &str,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<FeatureRow>> {
        let mut stmt = self.0.conn().prepare_cached(&format!(
            "SELECT {FEATURE_COLUMNS} FROM features
             WHERE ticker = ?1 AND as_of < ?2 ORDER BY as_of DESC LIMIT ?3"
        ))?;
        let raw = stmt
            .query_map(params![ticker, ts(before), limit as i64], feature_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        finish_features(raw)
    }

    /// Every ticker with stored features, in order. Walks the `(ticker, as_of)` index
    /// one ticker at a time, so the cost grows with tickers, not with history rows.
    pub fn list_tickers(&self) -> Result<Vec<String>> {
        let mut stmt = self.0.conn().prepare_cached(
            "WITH RECURSIVE t(ticker) AS (
                 SELECT min(ticker) FROM features
                 UNION ALL
                 SELECT (SELECT min(ticker) FROM features WHERE ticker > t.ticker)
                 FROM t WHERE t.ticker IS NOT NULL)
             SELECT ticker FROM t WHERE ticker IS NOT NULL",
        )?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The latest features of every ticker (one row each), ordered by ticker.
    pub fn latest_features(&self) -> Result<Vec<FeatureRow>> {
        let mut stmt = self.0.conn().prepare_cached(&format!(
            "SELECT {FEATURE_COLUMNS} FROM features WHERE ticker = ?1 ORDER BY as_of DESC LIMIT 1"
        ))?;
        let mut raw = Vec::new();
        for ticker in self.list_tickers()? {
            if let Some(row) = super::optional(stmt.query_row([&ticker], feature_from_row))? {
                raw.push(row);
            }
        }
        finish_features(raw)
    }

    /// Every scan of `ticker` taken in `[from, to)`, oldest first: (its instant, total
    /// option volume, calls + puts).
    pub fn volumes_between(
        &self,
        ticker: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>> {
        let mut st = self.0.conn().prepare_cached(
            "SELECT as_of, call_volume + put_volume FROM features
             WHERE ticker = ?1 AND as_of >= ?2 AND as_of < ?3
             ORDER BY as_of",
        )?;
        let rows = st
            .query_map(params![ticker, ts(from), ts(to)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(at, v)| Ok((parse_ts(&at, "features", "as_of")?, v.max(0) as u64)))
            .collect()
    }

    /// The newest stored chain of every ticker, by ticker. A ticker whose recent chain
    /// rows were all pruned is left out.
    pub fn latest_refs(&self) -> Result<Vec<ChainRef>> {
        let mut out = Vec::new();
        for ticker in self.list_tickers()? {
            out.extend(self.latest_ref(&ticker)?);
        }
        Ok(out)
    }

    /// The newest stored chain of `ticker` (among its 20 newest scans), if any.
    pub fn latest_ref(&self, ticker: &str) -> Result<Option<ChainRef>> {
        let mut recent = self.0.conn().prepare_cached(
            "SELECT scan_id, as_of, spot FROM features WHERE ticker = ?1 ORDER BY as_of DESC LIMIT 20",
        )?;
        let mut has_chain = self.0.conn().prepare_cached(
            "SELECT 1 FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2 LIMIT 1",
        )?;
        let rows = recent
            .query_map([ticker], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (scan_id, as_of, spot) in rows {
            if has_chain.exists(params![scan_id, ticker])? {
                return Ok(Some(ChainRef {
                    ticker: ticker.to_string(),
                    scan_id,
                    as_of: parse_ts(&as_of, "features", "as_of")?,
                    spot,
                }));
            }
        }
        Ok(None)
    }

    /// The chain of `ticker` stored by scan `scan_id`, if that scan stored (and still
    /// keeps) one.
    pub fn ref_in_scan(&self, scan_id: i64, ticker: &str) -> Result<Option<ChainRef>> {
        let row = super::optional(self.0.conn().query_row(
            "SELECT as_of, spot FROM features WHERE ticker = ?1 AND scan_id = ?2",
            params![ticker, scan_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
        ))?;
        let Some((as_of, spot)) = row else {
            return Ok(None);
        };
        let kept = self
            .0
            .conn()
            .prepare_cached(
                "SELECT 1 FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2 LIMIT 1",
            )?
            .exists(params![scan_id, ticker])?;
        Ok(kept.then_some(ChainRef {
            ticker: ticker.to_string(),
            scan_id,
            as_of: parse_ts(&as_of, "features", "as_of")?,
            spot,
        }))
    }

    /// The newest scan that still keeps chain rows, if any.
    pub fn latest_chain_scan(&self) -> Result<Option<i64>> {
        super::optional(self.0.conn().query_row(
            "SELECT scan_id FROM chain_snapshots ORDER BY scan_id DESC LIMIT 1",
            [],
            |r| r.get(0),
        ))
    }

    /// The tickers whose chains scan `scan_id` keeps, in order.
    pub fn tickers_in_scan(&self, scan_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT DISTINCT ticker FROM chain_snapshots WHERE scan_id = ?1 ORDER BY ticker",
        )?;
        let rows = stmt
            .query_map([scan_id], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The newest features of `ticker`, if any.
    pub fn latest_features_of(&self, ticker: &str) -> Result<Option<FeatureRow>> {
        let mut stmt = self.0.conn().prepare_cached(&format!(
            "SELECT {FEATURE_COLUMNS} FROM features WHERE ticker = ?1 ORDER BY as_of DESC LIMIT 1"
        ))?;
        let raw = super::optional(stmt.query_row([ticker], feature_from_row))?;
        Ok(finish_features(raw.into_iter().collect())?.pop())
    }

    /// The newest features of `ticker` taken at or before `at`, if any.
    pub fn features_at(&self, ticker: &str, at: DateTime<Utc>) -> Result<Option<FeatureRow>> {
        let mut stmt = self.0.conn().prepare_cached(&format!(
            "SELECT {FEATURE_COLUMNS} FROM features
             WHERE ticker = ?1 AND as_of <= ?2 ORDER BY as_of DESC LIMIT 1"
        ))?;
        let raw = super::optional(stmt.query_row(params![ticker, ts(at)], feature_from_row))?;
        Ok(finish_features(raw.into_iter().collect())?.pop())
    }

    /// Daily 30-day ATM IV observations of `ticker` on days in `[from, to)`.
    pub fn iv_history(&self, ticker: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<f64>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT atm_iv_30d FROM iv_history WHERE ticker = ?1 AND day >= ?2 AND day < ?3",
        )?;
        let rows = stmt
            .query_map(params![ticker, from.to_string(), to.to_string()], |r| {
                r.get::<_, f64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Open interest by contract symbol in the latest snapshot of `ticker` taken before
    /// `before`; empty when there is none (first scan, or pruned).
    pub fn previous_open_interest(
        &self,
        ticker: &str,
        before: DateTime<Utc>,
    ) -> Result<HashMap<String, u64>> {
        let scan: Option<i64> = super::optional(self.0.conn().query_row(
            "SELECT scan_id FROM features WHERE ticker = ?1 AND as_of < ?2
             ORDER BY as_of DESC LIMIT 1",
            params![ticker, ts(before)],
            |r| r.get(0),
        ))?;
        let Some(scan) = scan else {
            return Ok(HashMap::new());
        };
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT symbol, open_interest FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2",
        )?;
        let map = stmt
            .query_map(params![scan, ticker], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(map)
    }

    /// The contracts of `ticker` stored by scan `scan_id`, by expiry, strike and right.
    pub fn get(&self, scan_id: i64, ticker: &str) -> Result<Vec<ContractRow>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT symbol, expiry, strike, right, bid, ask, last, volume, open_interest,
                    iv, delta, gamma, theta, vega, rho, model, vendor_iv, vendor_delta,
                    vendor_gamma, vendor_theo, gex
             FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2
             ORDER BY expiry, strike, right",
        )?;
        let raw = stmt
            .query_map(params![scan_id, ticker], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(3)?,
                    ContractRow {
                        symbol: r.get(0)?,
                        expiry: NaiveDate::MIN,
                        strike: r.get(2)?,
                        right: Right::Call,
                        bid: r.get(4)?,
                        ask: r.get(5)?,
                        last: r.get(6)?,
                        volume: r.get::<_, i64>(7)? as u64,
                        open_interest: r.get::<_, i64>(8)? as u64,
                        iv: r.get(9)?,
                        delta: r.get(10)?,
                        gamma: r.get(11)?,
                        theta: r.get(12)?,
                        vega: r.get(13)?,
                        rho: r.get(14)?,
                        model: r.get(15)?,
                        vendor_iv: r.get(16)?,
                        vendor_delta: r.get(17)?,
                        vendor_gamma: r.get(18)?,
                        vendor_theo: r.get(19)?,
                        gex: r.get(20)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter()
            .map(|(expiry, right, mut c)| {
                c.expiry = expiry.parse().map_err(|e| super::Error::Corrupt {
                    table: "chain_snapshots",
                    column: "expiry",
                    detail: format!("{expiry:?}: {e}"),
                })?;
                c.right = right.parse().map_err(|e| super::Error::Corrupt {
                    table: "chain_snapshots",
                    column: "right",
                    detail: e,
                })?;
                Ok(c)
            })
            .collect()
    }
}

impl<S: Deref<Target = Store>> Chains<S> {
    /// The expiries of `ticker`'s chain stored by scan `scan_id`, by date (empty for a
    /// chain stored before forwards were kept).
    pub fn expiries(&self, scan_id: i64, ticker: &str) -> Result<Vec<ExpiryRow>> {
        let mut stmt = self.0.conn().prepare_cached(
            "SELECT expiry, t_years, forward, carry, discount, rate, method, pairs
             FROM chain_expiries WHERE scan_id = ?1 AND ticker = ?2 ORDER BY expiry",
        )?;
        let raw = stmt
            .query_map(params![scan_id, ticker], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    ExpiryRow {
                        expiry: NaiveDate::MIN,
                        t_years: r.get(1)?,
                        forward: r.get(2)?,
                        carry: r.get(3)?,
                        discount: r.get(4)?,
                        rate: r.get(5)?,
                        method: r.get(6)?,
                        pairs: r.get::<_, i64>(7)?.max(0) as u32,
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter()
            .map(|(expiry, mut e)| {
                e.expiry = expiry.parse().map_err(|err| super::Error::Corrupt {
                    table: "chain_expiries",
                    column: "expiry",
                    detail: format!("{expiry:?}: {err}"),
                })?;
                Ok(e)
            })
            .collect()
    }
}

impl<S: DerefMut<Target = Store>> Chains<S> {
    /// Stores one ticker's contracts, features, IV history entry, alerts and the alerts'
    /// notifications in one transaction. Returns the new alert ids.
    pub fn record_ticker(&mut self, w: &TickerWrite<'_>) -> Result<Vec<i64>> {
        self.0.write(|tx| {
            let f = w.features;
            {
                let mut ins = tx.prepare_cached(
                    "INSERT INTO chain_snapshots (scan_id, ticker, symbol, expiry, strike, right,
                         bid, ask, last, volume, open_interest, iv, delta, gamma, theta, vega,
                         underlying_price, rho, model, vendor_iv, vendor_delta, vendor_gamma,
                         vendor_theo, gex)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                             ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
                )?;
                for c in w.contracts {
                    ins.execute(params![
                        w.scan_id,
                        f.ticker,
                        c.symbol,
                        c.expiry.to_string(),
                        c.strike,
                        c.right.as_str(),
                        c.bid,
                        c.ask,
                        c.last,
                        c.volume as i64,
                        c.open_interest as i64,
                        c.iv,
                        c.delta,
                        c.gamma,
                        c.theta,
                        c.vega,
                        f.spot,
                        c.rho,
                        c.model,
                        c.vendor_iv,
                        c.vendor_delta,
                        c.vendor_gamma,
                        c.vendor_theo,
                        c.gex
                    ])?;
                }
                let mut ins = tx.prepare_cached(
                    "INSERT INTO chain_expiries (scan_id, ticker, expiry, t_years, forward, carry,
                         discount, rate, method, pairs)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for e in w.expiries {
                    ins.execute(params![
                        w.scan_id,
                        f.ticker,
                        e.expiry.to_string(),
                        e.t_years,
                        e.forward,
                        e.carry,
                        e.discount,
                        e.rate,
                        e.method,
                        i64::from(e.pairs)
                    ])?;
                }
            }
            tx.prepare_cached(&format!(
                "INSERT INTO features (scan_id, {FEATURE_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
            ))?
            .execute(params![
                w.scan_id,
                f.ticker,
                ts(f.as_of),
                f.spot,
                f.atm_iv_front,
                f.atm_iv_30d,
                f.term_slope,
                f.rr25,
                f.call_volume as i64,
                f.put_volume as i64,
                f.call_oi as i64,
                f.put_oi as i64,
                f.pcr_volume,
                f.pcr_oi,
                f.max_pain,
                f.expected_move,
                f.iv_rank,
                f.iv_percentile,
                f.iv_history_n as i64,
                f.contracts as i64,
                f.vendor_iv_pairs as i64,
                f.vendor_iv_gap_median,
                f.vendor_iv_gap_p90,
                f.vendor_iv_gap_otm_median,
                f.vendor_iv_gap_otm_p90,
                f.vendor_iv30,
                f.vendor_iv30_gap,
                f.gex,
                f.zero_gamma
            ])?;
            if let Some(iv) = f.atm_iv_30d {
                tx.prepare_cached(
                    "INSERT INTO iv_history (ticker, day, atm_iv_30d) VALUES (?1, ?2, ?3)
                     ON CONFLICT (ticker, day) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d",
                )?
                .execute(params![f.ticker, w.iv_day.to_string(), iv])?;
            }
            let ids = super::alerts::insert_alerts(super::db::Conn::Sqlite(tx), w.scan_id, w.alerts)?;
            for ((id, alert), entry) in ids.iter().zip(w.alerts).zip(w.alert_outbox) {
                if let Some(entry) = entry {
                    super::outbox::enqueue(super::db::Conn::Sqlite(tx), SourceKind::Alert, *id, entry, alert.created_at)?;
                }
            }
            Ok(ids)
        })
    }
}
