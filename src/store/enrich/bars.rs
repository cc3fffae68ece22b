//! Bars and what is computed from them: `bars`, `quarantined_bars`, `enrich_quality`
//! (the issues the checks found) and `indicators`.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Enrich, corrupt, opt_ts, tf, u};
use crate::market::{Bar, IndicatorSnapshot as Snapshot, Timeframe};
use crate::store::db::{Row, params, upsert_sql};
use crate::store::{Result, Store, parse_ts, ts};

/// The kinds of problem the checks find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityCheck {
    Gap,
    Duplicate,
    Ohlc,
    NonPositive,
    Stale,
}

impl QualityCheck {
    pub const ALL: [QualityCheck; 5] = [
        QualityCheck::Gap,
        QualityCheck::Duplicate,
        QualityCheck::Ohlc,
        QualityCheck::NonPositive,
        QualityCheck::Stale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QualityCheck::Gap => "gap",
            QualityCheck::Duplicate => "duplicate",
            QualityCheck::Ohlc => "ohlc",
            QualityCheck::NonPositive => "non_positive",
            QualityCheck::Stale => "stale",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        QualityCheck::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for QualityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub kind: QualityCheck,
    /// The bar concerned (for a gap: the first missing bar).
    pub bar_time: Option<DateTime<Utc>>,
    pub detail: String,
}

/// A bar kept out of the good bars, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub bar: Bar,
    pub kind: QualityCheck,
    pub reason: String,
}

/// What the checks made of a fetch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    /// The bars to store, oldest first, one per open time.
    pub good: Vec<Bar>,
    pub quarantined: Vec<Quarantined>,
    /// Every issue, the quarantined bars' included.
    pub issues: Vec<Issue>,
}

/// A stored quality issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueRow {
    pub job_id: i64,
    pub symbol: String,
    pub timeframe: Timeframe,
    pub kind: QualityCheck,
    pub bar_time: Option<DateTime<Utc>>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// The latest indicators of one symbol and timeframe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    pub symbol: String,
    pub timeframe: Timeframe,
    #[serde(flatten)]
    pub values: Snapshot,
    /// Bars they were computed over.
    pub bars: u64,
    pub computed_at: DateTime<Utc>,
}

/// Stored bars of one symbol and timeframe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarSpan {
    pub timeframe: Timeframe,
    pub bars: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub quarantined: u64,
}

/// Where an incremental fetch starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarWindow {
    /// The open of the `overlap`-th newest stored bar (just after the newest with no
    /// overlap); None with fewer bars stored: fetch the whole lookback.
    pub from: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

/// New and revised bars of one store.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BarCounts {
    pub added: u64,
    pub revised: u64,
}

fn issue_row(r: &Row<'_, '_>) -> Result<IssueRow> {
    const T: &str = "enrich_quality";
    let kind: String = r.get(3)?;
    Ok(IssueRow {
        job_id: r.get(0)?,
        symbol: r.get(1)?,
        timeframe: tf(&r.get::<String>(2)?, T)?,
        kind: QualityCheck::parse(&kind).ok_or_else(|| corrupt(T, "kind", &kind))?,
        bar_time: opt_ts(r.get(4)?, T, "bar_time")?,
        detail: r.get(5)?,
        created_at: parse_ts(&r.get::<String>(6)?, T, "created_at")?,
    })
}

impl<S: Deref<Target = Store>> Enrich<S> {
    /// Where the next fetch of `symbol` at `timeframe` starts, and the newest stored bar.
    pub fn bar_window(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        overlap: u32,
    ) -> Result<BarWindow> {
        let at = |offset: i64| -> Result<Option<DateTime<Utc>>> {
            let t: Option<String> = self.0.db().query_opt(
                "SELECT time FROM bars WHERE symbol = ?1 AND timeframe = ?2
                 ORDER BY time DESC LIMIT 1 OFFSET ?3",
                params![symbol, timeframe.as_str(), offset],
                |r| r.get(0),
            )?;
            opt_ts(t, "bars", "time")
        };
        let newest = at(0)?;
        let from = if overlap == 0 {
            // No overlap: start just after the newest bar.
            newest.map(|t| t + chrono::TimeDelta::seconds(1))
        } else {
            at(i64::from(overlap) - 1)?
        };
        Ok(BarWindow { from, newest })
    }

    /// Good bars of `symbol` at `timeframe` that opened at or after `from`, oldest first.
    pub fn bars_since(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
    ) -> Result<Vec<Bar>> {
        self.0.db().query(
            "SELECT time, open, high, low, close, volume, open_interest FROM bars
             WHERE symbol = ?1 AND timeframe = ?2 AND time >= ?3 ORDER BY time",
            params![symbol, timeframe.as_str(), ts(from)],
            |r| {
                Ok(Bar {
                    time: parse_ts(&r.get::<String>(0)?, "bars", "time")?,
                    open: r.get(1)?,
                    high: r.get(2)?,
                    low: r.get(3)?,
                    close: r.get(4)?,
                    volume: u(r.get(5)?),
                    open_interest: r.get(6)?,
                })
            },
        )
    }

    /// The latest indicators of `symbol`, shortest timeframe first.
    pub fn list_indicators(&self, symbol: &str) -> Result<Vec<IndicatorRow>> {
        let mut out = self.0.db().query(
            "SELECT timeframe, time, close, sma_20, sma_50, sma_200, ema_12, ema_26, rsi_14, macd,
                    macd_signal, macd_histogram, atr_14, bb_middle, bb_upper, bb_lower, rv_20,
                    rv_60, high_52w, low_52w, bars, computed_at
             FROM indicators WHERE symbol = ?1",
            params![symbol],
            |r| {
                let values = Snapshot {
                    time: parse_ts(&r.get::<String>(1)?, "indicators", "time")?,
                    close: r.get(2)?,
                    sma_20: r.get(3)?,
                    sma_50: r.get(4)?,
                    sma_200: r.get(5)?,
                    ema_12: r.get(6)?,
                    ema_26: r.get(7)?,
                    rsi_14: r.get(8)?,
                    macd: r.get(9)?,
                    macd_signal: r.get(10)?,
                    macd_histogram: r.get(11)?,
                    atr_14: r.get(12)?,
                    bb_middle: r.get(13)?,
                    bb_upper: r.get(14)?,
                    bb_lower: r.get(15)?,
                    rv_20: r.get(16)?,
                    rv_60: r.get(17)?,
                    high_52w: r.get(18)?,
                    low_52w: r.get(19)?,
                };
                Ok(IndicatorRow {
                    symbol: symbol.to_string(),
                    timeframe: tf(&r.get::<String>(0)?, "indicators")?,
                    values,
                    bars: u(r.get(20)?),
                    computed_at: parse_ts(&r.get::<String>(21)?, "indicators", "computed_at")?,
                })
            },
        )?;
        out.sort_by_key(|r| r.timeframe);
        Ok(out)
    }

    /// Stored bars of `symbol` per timeframe (count, first, last, quarantined).
    pub fn list_bar_spans(&self, symbol: &str) -> Result<Vec<BarSpan>> {
        // Grouped by symbol too (one value here): PostgreSQL wants every column the
        // subquery names grouped.
        let mut out = self.0.db().query(
            "SELECT timeframe, count(*), min(time), max(time),
                    (SELECT count(*) FROM quarantined_bars q
                     WHERE q.symbol = b.symbol AND q.timeframe = b.timeframe)
             FROM bars b WHERE symbol = ?1 GROUP BY symbol, timeframe",
            params![symbol],
            |r| {
                Ok(BarSpan {
                    timeframe: tf(&r.get::<String>(0)?, "bars")?,
                    bars: u(r.get(1)?),
                    first: parse_ts(&r.get::<String>(2)?, "bars", "time")?,
                    last: parse_ts(&r.get::<String>(3)?, "bars", "time")?,
                    quarantined: u(r.get(4)?),
                })
            },
        )?;
        out.sort_by_key(|s| s.timeframe);
        Ok(out)
    }

    /// The quality issues of a job, in the order found.
    pub fn list_issues(&self, job_id: i64) -> Result<Vec<IssueRow>> {
        self.0.db().query(
            "SELECT job_id, symbol, timeframe, kind, bar_time, detail, created_at
             FROM enrich_quality WHERE job_id = ?1 ORDER BY id",
            params![job_id],
            issue_row,
        )
    }

    /// Quality issues found at or after `since`, per check.
    pub fn quality_counts(&self, since: DateTime<Utc>) -> Result<Vec<(QualityCheck, u64)>> {
        let rows = self.0.db().query(
            "SELECT kind, count(*) FROM enrich_quality WHERE created_at >= ?1 GROUP BY kind",
            params![ts(since)],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )?;
        let mut counts: Vec<(QualityCheck, u64)> =
            QualityCheck::ALL.iter().map(|c| (*c, 0)).collect();
        for (kind, n) in rows {
            let kind = QualityCheck::parse(&kind)
                .ok_or_else(|| corrupt("enrich_quality", "kind", &kind))?;
            if let Some(c) = counts.iter_mut().find(|c| c.0 == kind) {
                c.1 = u(n);
            }
        }
        Ok(counts)
    }
}

/// A bar new to the store; a bar already stored under the same (symbol, timeframe,
/// time) is left to [`REVISE_BAR`].
const INSERT_BAR: &str =
    "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume,
                          run_id, open_interest)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (symbol, timeframe, time) DO NOTHING";

/// A stored bar's new values, only where one differs (so "revised" counts real changes).
const REVISE_BAR: &str = "UPDATE bars SET open = ?4, high = ?5, low = ?6, close = ?7, volume = ?8,
                     run_id = ?9, open_interest = ?10
     WHERE symbol = ?1 AND timeframe = ?2 AND time = ?3
       AND (open <> ?4 OR high <> ?5 OR low <> ?6 OR close <> ?7 OR volume <> ?8
            OR open_interest IS DISTINCT FROM ?10)";

/// The columns of a bar as [`INSERT_BAR`] and the PostgreSQL `COPY` write them.
const BAR_COLUMNS: [&str; 10] = [
    "symbol",
    "timeframe",
    "time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "run_id",
    "open_interest",
];

/// [`REVISE_BAR`] for every bar of the PostgreSQL temporary table `bars_in`.
const REVISE_BARS: &str = "UPDATE bars b SET open = i.open, high = i.high, low = i.low,
         close = i.close, volume = i.volume, run_id = i.run_id, open_interest = i.open_interest
     FROM bars_in i
     WHERE b.symbol = i.symbol AND b.timeframe = i.timeframe AND b.time = i.time
       AND (b.open <> i.open OR b.high <> i.high OR b.low <> i.low OR b.close <> i.close
            OR b.volume <> i.volume OR b.open_interest IS DISTINCT FROM i.open_interest)";

/// [`INSERT_BAR`] for every bar of `bars_in`.
const INSERT_BARS: &str =
    "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume, run_id,
                       open_interest)
     SELECT symbol, timeframe, time, open, high, low, close, volume, run_id, open_interest
     FROM bars_in
     ON CONFLICT (symbol, timeframe, time) DO NOTHING";

const INDICATOR_COLUMNS: [&str; 24] = [
    "symbol",
    "timeframe",
    "time",
    "close",
    "sma_20",
    "sma_50",
    "sma_200",
    "ema_12",
    "ema_26",
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_histogram",
    "atr_14",
    "bb_middle",
    "bb_upper",
    "bb_lower",
    "rv_20",
    "rv_60",
    "high_52w",
    "low_52w",
    "bars",
    "computed_at",
    "run_id",
];

impl<S: DerefMut<Target = Store>> Enrich<S> {
    /// Stores a checked fetch in one transaction: the good bars upserted (a bar already
    /// stored with the same values is left alone), the quarantined ones apart, the issues.
    /// Each statement is prepared once for the whole batch (both backends cache it by
    /// its text).
    pub fn record_bars(
        &mut self,
        job_id: i64,
        run_id: i64,
        symbol: &str,
        timeframe: Timeframe,
        checked: &Checked,
        at: DateTime<Utc>,
    ) -> Result<BarCounts> {
        let tfs = timeframe.as_str();
        self.0.transaction(|tx| {
            let rows: Vec<_> = checked
                .good
                .iter()
                .map(|b| {
                    params![
                        symbol,
                        tfs,
                        ts(b.time),
                        b.open,
                        b.high,
                        b.low,
                        b.close,
                        b.volume as i64,
                        run_id,
                        b.open_interest.filter(|v| v.is_finite())
                    ]
                    .to_vec()
                })
                .collect();
            let mut counts = BarCounts::default();
            if tx.is_pg() {
                // Two round trips a bar are most of a PostgreSQL enrich run: the bars go
                // in by one COPY to a temporary table, then change the stored ones with
                // one UPDATE (existing bars whose values differ) and one INSERT (the
                // rest). The checks quarantine duplicate times, so no bar is both.
                tx.batch(
                    "CREATE TEMP TABLE IF NOT EXISTS bars_in (LIKE bars) ON COMMIT DELETE ROWS",
                )?;
                tx.copy_rows("bars_in", &BAR_COLUMNS, &rows)?;
                counts.revised = tx.execute(REVISE_BARS, params![])? as u64;
                counts.added = tx.execute(INSERT_BARS, params![])? as u64;
            } else {
                for p in &rows {
                    if tx.execute(INSERT_BAR, p)? == 1 {
                        counts.added += 1;
                    } else if tx.execute(REVISE_BAR, p)? == 1 {
                        counts.revised += 1;
                    }
                }
            }
            let finite = |v: f64| v.is_finite().then_some(v);
            for x in &checked.quarantined {
                let b = &x.bar;
                tx.execute(
                    "INSERT INTO quarantined_bars (job_id, symbol, timeframe, time, open, high, low,
                                                   close, volume, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        job_id,
                        symbol,
                        tfs,
                        ts(b.time),
                        finite(b.open),
                        finite(b.high),
                        finite(b.low),
                        finite(b.close),
                        b.volume as i64,
                        format!("{}: {}", x.kind, x.reason),
                    ],
                )?;
            }
            for issue in &checked.issues {
                tx.execute(
                    "INSERT INTO enrich_quality (job_id, symbol, timeframe, kind, bar_time, detail,
                                                 created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        job_id,
                        symbol,
                        tfs,
                        issue.kind.as_str(),
                        issue.bar_time.map(ts),
                        &issue.detail,
                        ts(at)
                    ],
                )?;
            }
            Ok(counts)
        })
    }

    /// Stores the latest indicators of `symbol` at `timeframe`, replacing the previous.
    pub fn record_indicators(
        &mut self,
        symbol: &str,
        timeframe: Timeframe,
        s: &Snapshot,
        bars: u64,
        computed_at: DateTime<Utc>,
        run_id: i64,
    ) -> Result<()> {
        let sql = upsert_sql("indicators", &INDICATOR_COLUMNS, &["symbol", "timeframe"]);
        self.0.transaction(|tx| {
            tx.execute(
                &sql,
                params![
                    symbol,
                    timeframe.as_str(),
                    ts(s.time),
                    s.close,
                    s.sma_20,
                    s.sma_50,
                    s.sma_200,
                    s.ema_12,
                    s.ema_26,
                    s.rsi_14,
                    s.macd,
                    s.macd_signal,
                    s.macd_histogram,
                    s.atr_14,
                    s.bb_middle,
                    s.bb_upper,
                    s.bb_lower,
                    s.rv_20,
                    s.rv_60,
                    s.high_52w,
                    s.low_52w,
                    bars as i64,
                    ts(computed_at),
                    run_id
                ],
            )?;
            Ok(())
        })
    }
}
