//! Chain snapshots (one row per contract per scan), per-ticker features, and the daily
//! 30-day ATM IV history behind IV rank. A ticker's rows and its alerts are written in
//! one transaction by [`Chains::record_ticker`], so a crash never leaves half a ticker.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::alerts::NewAlert;
use super::db::{Conn, Row, Value, params};
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

fn feature_from_row(r: &Row<'_, '_>) -> Result<FeatureRow> {
    let as_of: String = r.get(1)?;
    Ok(FeatureRow {
        ticker: r.get(0)?,
        as_of: parse_ts(&as_of, "features", "as_of")?,
        spot: r.get(2)?,
        atm_iv_front: r.get(3)?,
        atm_iv_30d: r.get(4)?,
        term_slope: r.get(5)?,
        rr25: r.get(6)?,
        call_volume: r.get::<i64>(7)? as u64,
        put_volume: r.get::<i64>(8)? as u64,
        call_oi: r.get::<i64>(9)? as u64,
        put_oi: r.get::<i64>(10)? as u64,
        pcr_volume: r.get(11)?,
        pcr_oi: r.get(12)?,
        max_pain: r.get(13)?,
        expected_move: r.get(14)?,
        iv_rank: r.get(15)?,
        iv_percentile: r.get(16)?,
        iv_history_n: r.get::<i64>(17)? as u64,
        contracts: r.get::<i64>(18)? as u64,
        vendor_iv_pairs: r.get::<i64>(19)? as u64,
        vendor_iv_gap_median: r.get(20)?,
        vendor_iv_gap_p90: r.get(21)?,
        vendor_iv_gap_otm_median: r.get(22)?,
        vendor_iv_gap_otm_p90: r.get(23)?,
        vendor_iv30: r.get(24)?,
        vendor_iv30_gap: r.get(25)?,
        gex: r.get(26)?,
        zero_gamma: r.get(27)?,
    })
}

/// The chain rows' columns, in the order [`Chains::record_ticker`] writes them.
const CHAIN_COLUMNS: &[&str] = &[
    "scan_id",
    "ticker",
    "symbol",
    "expiry",
    "strike",
    "\"right\"",
    "bid",
    "ask",
    "last",
    "volume",
    "open_interest",
    "iv",
    "delta",
    "gamma",
    "theta",
    "vega",
    "underlying_price",
    "rho",
    "model",
    "vendor_iv",
    "vendor_delta",
    "vendor_gamma",
    "vendor_theo",
    "gex",
];

/// The expiry rows' columns, in the order [`Chains::record_ticker`] writes them.
const EXPIRY_COLUMNS: &[&str] = &[
    "scan_id", "ticker", "expiry", "t_years", "forward", "carry", "discount", "rate", "method",
    "pairs",
];

/// The `chains` family: `Store::chains()` reads, `Store::chains_mut()` also writes.
pub struct Chains<S>(pub(super) S);

/// Whether scan `scan_id` still keeps chain rows of `ticker`.
fn has_chain(db: Conn<'_>, scan_id: i64, ticker: &str) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2 LIMIT 1",
            params![scan_id, ticker],
            |_| Ok(()),
        )?
        .is_some())
}

impl<S: Deref<Target = Store>> Chains<S> {
    /// A ticker's features from scans taken before `before`, newest first.
    pub fn recent_features(
        &self,
        ticker: &str,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<FeatureRow>> {
        self.0.db().query(
            &format!(
                "SELECT {FEATURE_COLUMNS} FROM features
                 WHERE ticker = ?1 AND as_of < ?2 ORDER BY as_of DESC LIMIT ?3"
            ),
            params![ticker, ts(before), limit as i64],
            feature_from_row,
        )
    }

    /// Every ticker with stored features, in order. Walks the `(ticker, as_of)` index
    /// one ticker at a time, so the cost grows with tickers, not with history rows.
    pub fn list_tickers(&self) -> Result<Vec<String>> {
        self.0.db().query(
            "WITH RECURSIVE t(ticker) AS (
                 SELECT min(ticker) FROM features
                 UNION ALL
                 SELECT (SELECT min(ticker) FROM features WHERE ticker > t.ticker)
                 FROM t WHERE t.ticker IS NOT NULL)
             SELECT ticker FROM t WHERE ticker IS NOT NULL",
            params![],
            |r| r.get::<String>(0),
        )
    }

    /// The latest features of every ticker (one row each), ordered by ticker.
    pub fn latest_features(&self) -> Result<Vec<FeatureRow>> {
        let mut out = Vec::new();
        for ticker in self.list_tickers()? {
            out.extend(self.latest_features_of(&ticker)?);
        }
        Ok(out)
    }

    /// Every scan of `ticker` taken in `[from, to)`, oldest first: (its instant, total
    /// option volume, calls + puts).
    pub fn volumes_between(
        &self,
        ticker: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>> {
        self.0.db().query(
            "SELECT as_of, call_volume + put_volume FROM features
             WHERE ticker = ?1 AND as_of >= ?2 AND as_of < ?3
             ORDER BY as_of",
            params![ticker, ts(from), ts(to)],
            |r| {
                let at = parse_ts(&r.get::<String>(0)?, "features", "as_of")?;
                Ok((at, r.get::<i64>(1)?.max(0) as u64))
            },
        )
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
        let db = self.0.db();
        let recent = db.query(
            "SELECT scan_id, as_of, spot FROM features WHERE ticker = ?1 ORDER BY as_of DESC LIMIT 20",
            params![ticker],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<f64>(2)?)),
        )?;
        for (scan_id, as_of, spot) in recent {
            if has_chain(db, scan_id, ticker)? {
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
        let db = self.0.db();
        let row = db.query_opt(
            "SELECT as_of, spot FROM features WHERE ticker = ?1 AND scan_id = ?2",
            params![ticker, scan_id],
            |r| Ok((r.get::<String>(0)?, r.get::<f64>(1)?)),
        )?;
        let Some((as_of, spot)) = row else {
            return Ok(None);
        };
        if !has_chain(db, scan_id, ticker)? {
            return Ok(None);
        }
        Ok(Some(ChainRef {
            ticker: ticker.to_string(),
            scan_id,
            as_of: parse_ts(&as_of, "features", "as_of")?,
            spot,
        }))
    }

    /// The newest scan that still keeps chain rows, if any.
    pub fn latest_chain_scan(&self) -> Result<Option<i64>> {
        self.0.db().query_opt(
            "SELECT scan_id FROM chain_snapshots ORDER BY scan_id DESC LIMIT 1",
            params![],
            |r| r.get(0),
        )
    }

    /// The tickers whose chains scan `scan_id` keeps, in order.
    pub fn tickers_in_scan(&self, scan_id: i64) -> Result<Vec<String>> {
        self.0.db().query(
            "SELECT DISTINCT ticker FROM chain_snapshots WHERE scan_id = ?1 ORDER BY ticker",
            params![scan_id],
            |r| r.get::<String>(0),
        )
    }

    /// The newest features of `ticker`, if any.
    pub fn latest_features_of(&self, ticker: &str) -> Result<Option<FeatureRow>> {
        self.0.db().query_opt(
            &format!(
                "SELECT {FEATURE_COLUMNS} FROM features WHERE ticker = ?1 ORDER BY as_of DESC LIMIT 1"
            ),
            params![ticker],
            feature_from_row,
        )
    }

    /// The newest features of `ticker` taken at or before `at`, if any.
    pub fn features_at(&self, ticker: &str, at: DateTime<Utc>) -> Result<Option<FeatureRow>> {
        self.0.db().query_opt(
            &format!(
                "SELECT {FEATURE_COLUMNS} FROM features
                 WHERE ticker = ?1 AND as_of <= ?2 ORDER BY as_of DESC LIMIT 1"
            ),
            params![ticker, ts(at)],
            feature_from_row,
        )
    }

    /// Daily 30-day ATM IV observations of `ticker` on days in `[from, to)`.
    pub fn iv_history(&self, ticker: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<f64>> {
        self.0.db().query(
            "SELECT atm_iv_30d FROM iv_history WHERE ticker = ?1 AND day >= ?2 AND day < ?3",
            params![ticker, from.to_string(), to.to_string()],
            |r| r.get::<f64>(0),
        )
    }

    /// Open interest by contract symbol in the latest snapshot of `ticker` taken before
    /// `before`; empty when there is none (first scan, or pruned).
    pub fn previous_open_interest(
        &self,
        ticker: &str,
        before: DateTime<Utc>,
    ) -> Result<HashMap<String, u64>> {
        let db = self.0.db();
        let scan: Option<i64> = db.query_opt(
            "SELECT scan_id FROM features WHERE ticker = ?1 AND as_of < ?2
             ORDER BY as_of DESC LIMIT 1",
            params![ticker, ts(before)],
            |r| r.get(0),
        )?;
        let Some(scan) = scan else {
            return Ok(HashMap::new());
        };
        let rows = db.query(
            "SELECT symbol, open_interest FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2",
            params![scan, ticker],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? as u64)),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// The contracts of `ticker` stored by scan `scan_id`, by expiry, strike and right.
    pub fn get(&self, scan_id: i64, ticker: &str) -> Result<Vec<ContractRow>> {
        self.0.db().query(
            "SELECT symbol, expiry, strike, \"right\", bid, ask, last, volume, open_interest,
                    iv, delta, gamma, theta, vega, rho, model, vendor_iv, vendor_delta,
                    vendor_gamma, vendor_theo, gex
             FROM chain_snapshots WHERE scan_id = ?1 AND ticker = ?2
             ORDER BY expiry, strike, \"right\"",
            params![scan_id, ticker],
            |r| {
                let expiry: String = r.get(1)?;
                let right: String = r.get(3)?;
                Ok(ContractRow {
                    symbol: r.get(0)?,
                    expiry: expiry.parse().map_err(|e| super::Error::Corrupt {
                        table: "chain_snapshots",
                        column: "expiry",
                        detail: format!("{expiry:?}: {e}"),
                    })?,
                    strike: r.get(2)?,
                    right: right.parse().map_err(|e| super::Error::Corrupt {
                        table: "chain_snapshots",
                        column: "right",
                        detail: e,
                    })?,
                    bid: r.get(4)?,
                    ask: r.get(5)?,
                    last: r.get(6)?,
                    volume: r.get::<i64>(7)? as u64,
                    open_interest: r.get::<i64>(8)? as u64,
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
                })
            },
        )
    }

    /// The expiries of `ticker`'s chain stored by scan `scan_id`, by date (empty for a
    /// chain stored before forwards were kept).
    pub fn expiries(&self, scan_id: i64, ticker: &str) -> Result<Vec<ExpiryRow>> {
        self.0.db().query(
            "SELECT expiry, t_years, forward, carry, discount, rate, method, pairs
             FROM chain_expiries WHERE scan_id = ?1 AND ticker = ?2 ORDER BY expiry",
            params![scan_id, ticker],
            |r| {
                let expiry: String = r.get(0)?;
                Ok(ExpiryRow {
                    expiry: expiry.parse().map_err(|err| super::Error::Corrupt {
                        table: "chain_expiries",
                        column: "expiry",
                        detail: format!("{expiry:?}: {err}"),
                    })?,
                    t_years: r.get(1)?,
                    forward: r.get(2)?,
                    carry: r.get(3)?,
                    discount: r.get(4)?,
                    rate: r.get(5)?,
                    method: r.get(6)?,
                    pairs: r.get::<i64>(7)?.max(0) as u32,
                })
            },
        )
    }
}

impl<S: DerefMut<Target = Store>> Chains<S> {
    /// Stores one ticker's contracts, features, IV history entry, alerts and the alerts'
    /// notifications in one transaction. Returns the new alert ids. The contracts go in
    /// with [`Conn::copy_rows`]: one binary `COPY` on PostgreSQL, whose commit does not
    /// wait for the disk (see the body).
    pub fn record_ticker(&mut self, w: &TickerWrite<'_>) -> Result<Vec<i64>> {
        let f = w.features;
        // PostgreSQL's rows carry their day, the partition they go in (made by the
        // scan's first chain; see `store::partitions`).
        let day = if self.0.is_postgres() && !w.contracts.is_empty() {
            Some(self.0.chain_day(w.scan_id)?.to_string())
        } else {
            None
        };
        let mut columns = CHAIN_COLUMNS.to_vec();
        if day.is_some() {
            columns.push("day");
        }
        let contracts: Vec<Vec<Value<'_>>> = w
            .contracts
            .iter()
            .map(|c| {
                let mut row = vec![
                    w.scan_id.into(),
                    (&f.ticker).into(),
                    (&c.symbol).into(),
                    c.expiry.to_string().into(),
                    c.strike.into(),
                    c.right.as_str().into(),
                    c.bid.into(),
                    c.ask.into(),
                    c.last.into(),
                    (c.volume as i64).into(),
                    (c.open_interest as i64).into(),
                    c.iv.into(),
                    c.delta.into(),
                    c.gamma.into(),
                    c.theta.into(),
                    c.vega.into(),
                    f.spot.into(),
                    c.rho.into(),
                    (&c.model).into(),
                    c.vendor_iv.into(),
                    c.vendor_delta.into(),
                    c.vendor_gamma.into(),
                    c.vendor_theo.into(),
                    c.gex.into(),
                ];
                if let Some(day) = &day {
                    row.push(day.into());
                }
                row
            })
            .collect();
        let expiries: Vec<Vec<Value<'_>>> = w
            .expiries
            .iter()
            .map(|e| {
                vec![
                    w.scan_id.into(),
                    (&f.ticker).into(),
                    e.expiry.to_string().into(),
                    e.t_years.into(),
                    e.forward.into(),
                    e.carry.into(),
                    e.discount.into(),
                    e.rate.into(),
                    (&e.method).into(),
                    e.pairs.into(),
                ]
            })
            .collect();
        self.0.transaction(|tx| {
            if tx.is_pg() {
                // The commit does not wait for the server's disk (as SQLite's WAL with
                // synchronous=NORMAL does not): a server crash may lose the last
                // tickers' commits, never part of one. The scan row's own commit, made
                // after every ticker's, waits, and WAL is flushed in order: a scan that
                // reads `succeeded` has all its tickers; one the crash cut off stays
                // `running` and the next scan marks it interrupted.
                tx.batch("SET LOCAL synchronous_commit = off")?;
            }
            tx.copy_rows("chain_snapshots", &columns, &contracts)?;
            tx.copy_rows("chain_expiries", EXPIRY_COLUMNS, &expiries)?;
            tx.execute(
                &format!(
                    "INSERT INTO features (scan_id, {FEATURE_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                             ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
                ),
                params![
                    w.scan_id,
                    &f.ticker,
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
                ],
            )?;
            if let Some(iv) = f.atm_iv_30d {
                tx.execute(
                    "INSERT INTO iv_history (ticker, day, atm_iv_30d) VALUES (?1, ?2, ?3)
                     ON CONFLICT (ticker, day) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d",
                    params![&f.ticker, w.iv_day.to_string(), iv],
                )?;
            }
            let ids = super::alerts::insert_alerts(tx, w.scan_id, w.alerts)?;
            for ((id, alert), entry) in ids.iter().zip(w.alerts).zip(w.alert_outbox) {
                if let Some(entry) = entry {
                    super::outbox::enqueue(tx, SourceKind::Alert, *id, entry, alert.created_at)?;
                }
            }
            Ok(ids)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::tests::backends;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A contract; `priced` false leaves optctl's IV, greeks, model and every vendor
    /// field NULL, as for a quote with no solvable volatility.
    pub(crate) fn contract(
        symbol: &str,
        expiry: &str,
        strike: f64,
        right: Right,
        priced: bool,
    ) -> ContractRow {
        let some = |v: f64| priced.then_some(v);
        ContractRow {
            symbol: symbol.into(),
            expiry: day(expiry),
            strike,
            right,
            bid: 0.1 + 0.2,
            ask: 1.0 / 3.0,
            last: 2.675,
            volume: 1_234_567,
            open_interest: 7_654_321,
            iv: some(0.212_345_678_901_234_56),
            delta: some(-0.499_999_999_999_999_9),
            gamma: some(f64::MIN_POSITIVE),
            theta: some(-1.0e-300),
            vega: some(5.0e-324),
            rho: some(f64::EPSILON),
            model: priced.then(|| "american".to_string()),
            vendor_iv: some(0.2123),
            vendor_delta: some(std::f64::consts::FRAC_1_SQRT_2),
            vendor_gamma: some(1.0e308),
            vendor_theo: some(std::f64::consts::PI),
            gex: some(-123_456_789.123_456_79),
        }
    }

    pub(crate) fn features(ticker: &str, as_of: &str, atm_iv_30d: Option<f64>) -> FeatureRow {
        FeatureRow {
            ticker: ticker.into(),
            as_of: t(as_of),
            spot: 187.123_456_789,
            atm_iv_front: Some(0.25),
            atm_iv_30d,
            term_slope: Some(-0.012_345),
            rr25: None,
            call_volume: 1_000,
            put_volume: 234,
            call_oi: 50_000,
            put_oi: 60_000,
            pcr_volume: Some(0.234),
            pcr_oi: Some(1.2),
            max_pain: Some(185.0),
            expected_move: Some(4.56),
            iv_rank: None,
            iv_percentile: Some(0.1 + 0.7),
            iv_history_n: 12,
            contracts: 3,
            vendor_iv_pairs: 2,
            vendor_iv_gap_median: Some(0.001),
            vendor_iv_gap_p90: Some(0.003),
            vendor_iv_gap_otm_median: None,
            vendor_iv_gap_otm_p90: None,
            vendor_iv30: Some(0.2),
            vendor_iv30_gap: Some(1.0e-17),
            gex: Some(-9.87e9),
            zero_gamma: Some(183.5),
        }
    }

    fn expiry(date: &str, method: &str) -> ExpiryRow {
        ExpiryRow {
            expiry: day(date),
            t_years: 0.071_232_876_712_328_77,
            forward: 187.45,
            carry: 0.043_210_987_654_321,
            discount: 0.996_8,
            rate: 0.045,
            method: method.into(),
            pairs: 17,
        }
    }

    fn alert(ticker: &str, detector: &str, at: &str) -> NewAlert {
        NewAlert {
            ticker: ticker.into(),
            detector: detector.into(),
            contract: None,
            score: 66.5,
            alert_data: serde_json::json!({ "z": 3.5 }),
            created_at: t(at),
        }
    }

    /// Every field, floats by their exact bits: `{:?}` prints each float's shortest
    /// round-trip form, so equal text means equal bits (where `==` would also take
    /// `-0.0` for `0.0`).
    fn exact<T: std::fmt::Debug>(v: &T) -> String {
        format!("{v:?}")
    }

    fn count(store: &Store, sql: &str, scan: i64) -> i64 {
        store
            .db()
            .query_one(sql, params![scan], |r| r.get(0))
            .unwrap()
    }

    /// A ticker's contracts (NULL IV and greeks among them), expiries, features, IV
    /// history, alerts and their notifications go in through `record_ticker` and read
    /// back through every reader exactly as written, on each backend.
    #[test]
    fn a_ticker_reads_back_as_written_on_every_backend() {
        for mut s in backends() {
            let backend = s.backend();
            let first_at = "2026-11-23T15:00:00Z";
            let first = s
                .scans_mut()
                .begin(t(first_at), t(first_at), "sim", 2, None)
                .unwrap();
            let contracts = vec![
                contract("AAPL261218P00190000", "2026-12-18", 190.0, Right::Put, true),
                contract(
                    "AAPL261218C00190000",
                    "2026-12-18",
                    190.0,
                    Right::Call,
                    false,
                ),
                contract(
                    "AAPL261120C00187500",
                    "2026-11-20",
                    187.5,
                    Right::Call,
                    true,
                ),
                contract(
                    "AAPL270115C00200000",
                    "2027-01-15",
                    200.0,
                    Right::Call,
                    false,
                ),
            ];
            let expiries = vec![
                expiry("2026-12-18", "box"),
                expiry("2026-11-20", "parity"),
                ExpiryRow {
                    pairs: 0,
                    ..expiry("2027-01-15", "fallback")
                },
            ];
            let feats = features("AAPL", first_at, Some(0.301));
            let alerts = vec![
                alert("AAPL", "iv_jump", first_at),
                alert("AAPL", "volume_spike", first_at),
            ];
            let outbox = vec![
                Some(OutboxEntry {
                    channels: vec!["slack".into(), "email".into()],
                    payload: "{\"ticker\":\"AAPL\"}".into(),
                }),
                None,
            ];
            let ids = s
                .chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: first,
                    features: &feats,
                    contracts: &contracts,
                    expiries: &expiries,
                    alerts: &alerts,
                    alert_outbox: &outbox,
                    iv_day: day("2026-11-23"),
                })
                .unwrap();
            assert_eq!(ids.len(), 2, "{backend}");
            // A ticker with features but no chain rows (every quote filtered out).
            let msft = features("MSFT", first_at, None);
            s.chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: first,
                    features: &msft,
                    contracts: &[],
                    expiries: &[],
                    alerts: &[],
                    alert_outbox: &[],
                    iv_day: day("2026-11-23"),
                })
                .unwrap();

            let chains = s.chains();
            let mut want = contracts.clone();
            want.sort_by(|a, b| {
                (a.expiry, a.strike, a.right.as_str())
                    .partial_cmp(&(b.expiry, b.strike, b.right.as_str()))
                    .unwrap()
            });
            let got = chains.get(first, "AAPL").unwrap();
            assert_eq!(got, want, "{backend}");
            assert_eq!(exact(&got), exact(&want), "{backend}");
            let unpriced = got.iter().filter(|c| c.iv.is_none() && c.model.is_none());
            assert_eq!(unpriced.count(), 2, "{backend}: NULL IVs stay NULL");
            let mut want_expiries = expiries.clone();
            want_expiries.sort_by_key(|e| e.expiry);
            let got_expiries = chains.expiries(first, "AAPL").unwrap();
            assert_eq!(exact(&got_expiries), exact(&want_expiries), "{backend}");
            let got_features = chains.latest_features_of("AAPL").unwrap().unwrap();
            assert_eq!(exact(&got_features), exact(&feats), "{backend}");
            assert_eq!(
                chains
                    .iv_history("AAPL", day("2026-11-01"), day("2026-12-01"))
                    .unwrap(),
                vec![0.301],
                "{backend}"
            );
            assert!(
                chains
                    .iv_history("MSFT", day("2026-11-01"), day("2026-12-01"))
                    .unwrap()
                    .is_empty(),
                "{backend}: no 30-day IV, no history entry"
            );
            let stored = s
                .alerts()
                .list(&crate::store::alerts::AlertFilter {
                    scan_id: Some(first),
                    ..Default::default()
                })
                .unwrap();
            let mut stored_ids: Vec<i64> = stored.iter().map(|a| a.id).collect();
            stored_ids.sort();
            assert_eq!(stored_ids, ids, "{backend}");
            let queued = s
                .db()
                .query(
                    "SELECT channel, source_id FROM notify_outbox ORDER BY channel",
                    params![],
                    |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
                )
                .unwrap();
            assert_eq!(
                queued,
                vec![("email".to_string(), ids[0]), ("slack".to_string(), ids[0])],
                "{backend}"
            );

            let chains = s.chains();
            assert_eq!(
                chains.list_tickers().unwrap(),
                ["AAPL", "MSFT"],
                "{backend}"
            );
            assert_eq!(
                chains.latest_chain_scan().unwrap(),
                Some(first),
                "{backend}"
            );
            assert_eq!(
                chains.tickers_in_scan(first).unwrap(),
                ["AAPL"],
                "{backend}"
            );
            let aapl_ref = ChainRef {
                ticker: "AAPL".into(),
                scan_id: first,
                as_of: t(first_at),
                spot: feats.spot,
            };
            assert_eq!(
                chains.latest_refs().unwrap(),
                std::slice::from_ref(&aapl_ref),
                "{backend}"
            );
            assert_eq!(chains.ref_in_scan(first, "AAPL").unwrap(), Some(aapl_ref));
            assert_eq!(
                chains.ref_in_scan(first, "MSFT").unwrap(),
                None,
                "{backend}"
            );
            assert_eq!(chains.latest_ref("MSFT").unwrap(), None, "{backend}");

            // A second scan of AAPL later the same day: the IV history entry of the day
            // is replaced, the previous open interest comes from the first scan.
            let second_at = "2026-11-23T20:00:00Z";
            let second = s
                .scans_mut()
                .begin(t(second_at), t(second_at), "sim", 1, None)
                .unwrap();
            let later = FeatureRow {
                call_volume: 5,
                put_volume: 7,
                ..features("AAPL", second_at, Some(0.315))
            };
            let one = [contract(
                "AAPL261218C00190000",
                "2026-12-18",
                190.0,
                Right::Call,
                true,
            )];
            s.chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: second,
                    features: &later,
                    contracts: &one,
                    expiries: &[],
                    alerts: &[],
                    alert_outbox: &[],
                    iv_day: day("2026-11-23"),
                })
                .unwrap();
            let chains = s.chains();
            assert_eq!(
                chains
                    .iv_history("AAPL", day("2026-11-23"), day("2026-11-24"))
                    .unwrap(),
                vec![0.315],
                "{backend}"
            );
            let oi = chains.previous_open_interest("AAPL", t(second_at)).unwrap();
            assert_eq!(oi.len(), 4, "{backend}");
            assert_eq!(oi["AAPL261120C00187500"], 7_654_321, "{backend}");
            assert!(
                chains
                    .previous_open_interest("AAPL", t(first_at))
                    .unwrap()
                    .is_empty(),
                "{backend}"
            );
            let recent = chains
                .recent_features("AAPL", t("2026-11-24T00:00:00Z"), 10)
                .unwrap();
            let scans: Vec<DateTime<Utc>> = recent.iter().map(|f| f.as_of).collect();
            assert_eq!(scans, [t(second_at), t(first_at)], "{backend}");
            assert_eq!(
                chains
                    .recent_features("AAPL", t(second_at), 10)
                    .unwrap()
                    .len(),
                1,
                "{backend}: only scans before the instant"
            );
            assert_eq!(
                chains
                    .volumes_between("AAPL", t(first_at), t("2026-11-24T00:00:00Z"))
                    .unwrap(),
                [(t(first_at), 1_234), (t(second_at), 12)],
                "{backend}"
            );
            assert_eq!(
                chains
                    .features_at("AAPL", t("2026-11-23T19:59:59Z"))
                    .unwrap()
                    .map(|f| f.as_of),
                Some(t(first_at)),
                "{backend}"
            );
            let latest: Vec<(String, DateTime<Utc>)> = chains
                .latest_features()
                .unwrap()
                .into_iter()
                .map(|f| (f.ticker, f.as_of))
                .collect();
            assert_eq!(
                latest,
                [("AAPL".into(), t(second_at)), ("MSFT".into(), t(first_at))],
                "{backend}"
            );
            assert_eq!(
                chains.latest_chain_scan().unwrap(),
                Some(second),
                "{backend}"
            );
            assert_eq!(
                chains.latest_ref("AAPL").unwrap().map(|r| r.scan_id),
                Some(second),
                "{backend}"
            );
        }
    }

    /// A ticker whose write fails part-way (its features are already stored for this
    /// scan) leaves nothing of itself behind: the chain rows copied before the failure,
    /// its alerts and their notifications are rolled back with it.
    #[test]
    fn a_failed_ticker_write_leaves_nothing_behind_on_every_backend() {
        for mut s in backends() {
            let backend = s.backend();
            let at = "2026-11-23T15:00:00Z";
            let scan = s.scans_mut().begin(t(at), t(at), "sim", 1, None).unwrap();
            let feats = features("AAPL", at, Some(0.3));
            let first = [contract(
                "AAPL261218C00190000",
                "2026-12-18",
                190.0,
                Right::Call,
                true,
            )];
            s.chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: scan,
                    features: &feats,
                    contracts: &first,
                    expiries: &[expiry("2026-12-18", "parity")],
                    alerts: &[],
                    alert_outbox: &[],
                    iv_day: day("2026-11-23"),
                })
                .unwrap();
            let again = [
                contract("AAPL261218P00190000", "2026-12-18", 190.0, Right::Put, true),
                contract(
                    "AAPL261120P00190000",
                    "2026-11-20",
                    190.0,
                    Right::Put,
                    false,
                ),
            ];
            let err = s
                .chains_mut()
                .record_ticker(&TickerWrite {
                    scan_id: scan,
                    features: &features("AAPL", at, Some(0.9)),
                    contracts: &again,
                    expiries: &[expiry("2026-11-20", "box")],
                    alerts: &[alert("AAPL", "iv_jump", at)],
                    alert_outbox: &[Some(OutboxEntry {
                        channels: vec!["slack".into()],
                        payload: "{}".into(),
                    })],
                    iv_day: day("2026-11-23"),
                })
                .unwrap_err();
            let text = err.with_causes().to_lowercase();
            assert!(
                text.contains("unique") || text.contains("duplicate"),
                "{backend}: {text}"
            );
            let chain = "SELECT count(*) FROM chain_snapshots WHERE scan_id = ?1";
            assert_eq!(count(&s, chain, scan), 1, "{backend}");
            let exp = "SELECT count(*) FROM chain_expiries WHERE scan_id = ?1";
            assert_eq!(count(&s, exp, scan), 1, "{backend}");
            let alerts = "SELECT count(*) FROM alerts WHERE scan_id = ?1";
            assert_eq!(count(&s, alerts, scan), 0, "{backend}");
            let queued: i64 = s
                .db()
                .query_one("SELECT count(*) FROM notify_outbox", params![], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(queued, 0, "{backend}");
            assert_eq!(
                s.chains()
                    .iv_history("AAPL", day("2026-11-23"), day("2026-11-24"))
                    .unwrap(),
                vec![0.3],
                "{backend}"
            );
            // The store is still usable after the rollback.
            assert_eq!(s.chains().get(scan, "AAPL").unwrap(), first, "{backend}");
        }
    }
}
