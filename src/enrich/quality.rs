//! Data-quality checks on the bars a fetch returned, before any is stored:
//!
//! - `non_positive`: a price at or below zero, or not a number: quarantined.
//! - `ohlc`: high below low, or open or close outside the low-high range: quarantined.
//! - `duplicate`: a second bar with the same open time: quarantined (the first is kept).
//! - `gap`: bars the calendar expects between the first and the last bar but missing.
//! - `stale`: the newest bar lags the last bar the calendar says has closed by more than
//!   `stale_bars`.
//!
//! Quarantined bars are stored apart (`quarantined_bars`), never with the good ones. The
//! calendar is `enrich::calendar`.

use chrono::{DateTime, TimeDelta, Utc};

use super::Calendar;
use crate::market::{Bar, Timeframe};
/// The store keeps issues and quarantined bars as they are found; it owns their types.
pub use crate::store::enrich::{Checked, Issue, QualityCheck, Quarantined};

/// What the checks need besides the bars.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub calendar: &'a Calendar,
    pub timeframe: Timeframe,
    /// The end of the fetched range (the run's as-of).
    pub to: DateTime<Utc>,
    /// Bars the newest bar may lag the calendar by.
    pub stale_bars: u32,
    /// The newest bar already stored, if any.
    pub stored_newest: Option<DateTime<Utc>>,
}

fn ts(t: DateTime<Utc>) -> String {
    crate::store::ts(t)
}

/// Why a bar is unusable on its own, if it is.
fn invalid(b: &Bar) -> Option<(QualityCheck, String)> {
    let prices = [b.open, b.high, b.low, b.close];
    if prices.iter().any(|p| !p.is_finite() || *p <= 0.0) {
        return Some((
            QualityCheck::NonPositive,
            format!(
                "a price is not positive (open {}, high {}, low {}, close {})",
                b.open, b.high, b.low, b.close
            ),
        ));
    }
    if b.high < b.low {
        return Some((
            QualityCheck::Ohlc,
            format!("high {} is below low {}", b.high, b.low),
        ));
    }
    for (name, v) in [("open", b.open), ("close", b.close)] {
        if v < b.low || v > b.high {
            return Some((
                QualityCheck::Ohlc,
                format!(
                    "{name} {v} is outside the low-high range {}-{}",
                    b.low, b.high
                ),
            ));
        }
    }
    None
}

/// Runs every check on `bars` (any order).
pub fn check(mut bars: Vec<Bar>, ctx: &Context<'_>) -> Checked {
    bars.sort_by_key(|b| b.time);
    let mut out = Checked::default();
    let quarantine = |out: &mut Checked, bar: Bar, kind: QualityCheck, reason: String| {
        out.issues.push(Issue {
            kind,
            bar_time: Some(bar.time),
            detail: reason.clone(),
        });
        out.quarantined.push(Quarantined { bar, kind, reason });
    };
    for bar in bars {
        if let Some((kind, reason)) = invalid(&bar) {
            quarantine(&mut out, bar, kind, reason);
        } else if let Some(kept) = out.good.last().filter(|k| k.time == bar.time) {
            let reason = if *kept == bar {
                format!("the bar at {} was sent twice", ts(bar.time))
            } else {
                format!(
                    "a second, different bar at {} (close {} vs {} kept)",
                    ts(bar.time),
                    bar.close,
                    kept.close
                )
            };
            quarantine(&mut out, bar, QualityCheck::Duplicate, reason);
        } else {
            out.good.push(bar);
        }
    }
    gaps(&mut out, ctx);
    stale(&mut out, ctx);
    out
}

fn gaps(out: &mut Checked, ctx: &Context<'_>) {
    let (Some(first), Some(last)) = (out.good.first(), out.good.last()) else {
        return;
    };
    let expected = ctx
        .calendar
        .opens_between(ctx.timeframe, first.time, last.time);
    let mut have = out.good.iter().map(|b| b.time).peekable();
    let mut run: Vec<DateTime<Utc>> = Vec::new();
    let flush = |run: &mut Vec<DateTime<Utc>>, issues: &mut Vec<Issue>| {
        if let (Some(a), Some(b)) = (run.first(), run.last()) {
            let detail = if run.len() == 1 {
                format!("the {} bar at {} is missing", ctx.timeframe, ts(*a))
            } else {
                format!(
                    "{} {} bars missing, {} to {}",
                    run.len(),
                    ctx.timeframe,
                    ts(*a),
                    ts(*b)
                )
            };
            issues.push(Issue {
                kind: QualityCheck::Gap,
                bar_time: Some(*a),
                detail,
            });
        }
        run.clear();
    };
    for t in expected {
        while have.next_if(|h| *h < t).is_some() {}
        if have.next_if(|h| *h == t).is_some() {
            flush(&mut run, &mut out.issues);
        } else {
            run.push(t);
        }
    }
    flush(&mut run, &mut out.issues);
}

fn stale(out: &mut Checked, ctx: &Context<'_>) {
    let Some(expected) = ctx.calendar.last_closed(ctx.timeframe, ctx.to) else {
        return;
    };
    let newest = out.good.last().map(|b| b.time).max(ctx.stored_newest);
    let detail = match newest {
        None => format!(
            "no {} bars at all; the calendar expects one at {}",
            ctx.timeframe,
            ts(expected)
        ),
        Some(n) if n < expected => {
            let behind = ctx
                .calendar
                .opens_between(ctx.timeframe, n + TimeDelta::seconds(1), expected)
                .len();
            if behind <= ctx.stale_bars as usize {
                return;
            }
            format!(
                "the newest {} bar, at {}, is {behind} bars behind the calendar (expected {})",
                ctx.timeframe,
                ts(n),
                ts(expected)
            )
        }
        Some(_) => return,
    };
    out.issues.push(Issue {
        kind: QualityCheck::Stale,
        bar_time: newest,
        detail,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn cal() -> Calendar {
        Calendar::new(&[])
    }

    /// Good daily bars for the sessions from `first` for `n` sessions (close = 100 + i).
    fn daily(first: NaiveDate, n: usize) -> Vec<Bar> {
        let cal = cal();
        let to = first + chrono::Days::new(n as u64 * 2 + 7);
        let mut out = Vec::new();
        let mut day = first;
        while out.len() < n && day < to {
            for t in cal.opens_on(Timeframe::D1, day) {
                let c = 100.0 + out.len() as f64;
                out.push(Bar {
                    time: t,
                    open: c - 0.5,
                    high: c + 1.0,
                    low: c - 1.0,
                    close: c,
                    volume: 1000,
                    open_interest: None,
                });
            }
            day = day.succ_opt().unwrap();
        }
        out
    }

    fn mon() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
    }

    /// Just after Friday 2026-11-20's close, when the last daily bar is Friday's.
    fn ctx(cal: &Calendar) -> Context<'_> {
        Context {
            calendar: cal,
            timeframe: Timeframe::D1,
            to: "2026-11-20T21:05:00Z".parse().unwrap(),
            stale_bars: 0,
            stored_newest: None,
        }
    }

    #[test]
    fn clean_bars_pass_untouched() {
        let cal = cal();
        let bars = daily(mon(), 5);
        let c = check(bars.clone(), &ctx(&cal));
        assert_eq!(c.good, bars);
        assert!(c.issues.is_empty(), "{:?}", c.issues);
    }

    #[test]
    fn non_positive_prices_are_quarantined() {
        let cal = cal();
        let mut bars = daily(mon(), 5);
        bars[1].low = 0.0;
        bars[2].close = f64::NAN;
        let c = check(bars, &ctx(&cal));
        assert_eq!(c.good.len(), 3);
        assert_eq!(c.quarantined.len(), 2);
        assert!(
            c.quarantined
                .iter()
                .all(|q| q.kind == QualityCheck::NonPositive)
        );
        assert!(
            c.quarantined[0].reason.contains("low 0"),
            "{}",
            c.quarantined[0].reason
        );
        // The holes they leave are gaps too.
        let kinds: Vec<_> = c.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                QualityCheck::NonPositive,
                QualityCheck::NonPositive,
                QualityCheck::Gap
            ]
        );
        assert!(
            c.issues[2].detail.starts_with("2 1d bars missing"),
            "{}",
            c.issues[2].detail
        );
    }

    #[test]
    fn inconsistent_ohlc_is_quarantined() {
        let cal = cal();
        let mut bars = daily(mon(), 5);
        bars[0].high = bars[0].low - 1.0; // high below low
        bars[2].close = bars[2].high + 0.5; // close above the high
        bars[4].open = bars[4].low - 0.5; // open below the low
        let c = check(bars, &ctx(&cal));
        assert_eq!(c.good.len(), 2);
        let reasons: Vec<&str> = c.quarantined.iter().map(|q| q.reason.as_str()).collect();
        assert!(reasons[0].contains("is below low"), "{reasons:?}");
        assert!(reasons[1].starts_with("close"), "{reasons:?}");
        assert!(reasons[2].starts_with("open"), "{reasons:?}");
        assert!(c.quarantined.iter().all(|q| q.kind == QualityCheck::Ohlc));
    }

    #[test]
    fn duplicates_keep_the_first_and_quarantine_the_rest() {
        let cal = cal();
        let mut bars = daily(mon(), 5);
        let same = bars[1];
        let mut revised = bars[3];
        revised.close += 0.25;
        bars.push(same);
        bars.push(revised);
        let c = check(bars.clone(), &ctx(&cal));
        assert_eq!(c.good, bars[..5]);
        assert_eq!(c.quarantined.len(), 2);
        assert!(
            c.quarantined
                .iter()
                .all(|q| q.kind == QualityCheck::Duplicate)
        );
        assert!(c.quarantined[0].reason.contains("sent twice"));
        assert!(c.quarantined[1].reason.contains("different"));
        assert_eq!(c.issues.len(), 2, "no gap: every session has its bar");
    }

    #[test]
    fn gaps_are_found_against_the_calendar_not_the_weekend() {
        let cal = cal();
        // Mon 16 .. Fri 27 Nov: 10 sessions; drop Wed 18 and Thu 19, and Tue 24.
        let mut bars = daily(mon(), 10);
        bars.remove(6);
        bars.drain(2..4);
        let mut cx = ctx(&cal);
        cx.to = "2026-11-27T21:05:00Z".parse().unwrap();
        let c = check(bars, &cx);
        let gaps: Vec<&Issue> = c
            .issues
            .iter()
            .filter(|i| i.kind == QualityCheck::Gap)
            .collect();
        assert_eq!(gaps.len(), 2, "{:?}", c.issues);
        assert_eq!(
            gaps[0].detail,
            "2 1d bars missing, 2026-11-18T14:30:00Z to 2026-11-19T14:30:00Z"
        );
        assert_eq!(
            gaps[1].detail,
            "the 1d bar at 2026-11-24T14:30:00Z is missing"
        );
        assert_eq!(c.issues.len(), 2, "the weekend is no gap: {:?}", c.issues);
    }

    #[test]
    fn a_stale_last_bar_is_reported() {
        let cal = cal();
        // Bars up to Tuesday; on Friday after the close three sessions are missing.
        let bars = daily(mon(), 2);
        let mut cx = ctx(&cal);
        cx.stale_bars = 2;
        let c = check(bars.clone(), &cx);
        assert_eq!(c.issues.len(), 1);
        assert_eq!(c.issues[0].kind, QualityCheck::Stale);
        assert!(
            c.issues[0].detail.contains("3 bars behind"),
            "{}",
            c.issues[0].detail
        );
        // Within the allowance: fine.
        cx.stale_bars = 3;
        assert!(check(bars.clone(), &cx).issues.is_empty());
        // A newer stored bar counts: nothing is stale.
        cx.stale_bars = 0;
        cx.stored_newest = Some("2026-11-20T14:30:00Z".parse().unwrap());
        assert!(check(bars, &cx).issues.is_empty());
        // Nothing at all is stale too.
        cx.stored_newest = None;
        let c = check(Vec::new(), &cx);
        assert_eq!(c.issues[0].kind, QualityCheck::Stale);
        assert!(c.issues[0].detail.starts_with("no 1d bars"));
    }
}
