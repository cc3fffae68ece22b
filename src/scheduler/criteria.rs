//! The success criteria of the migration, judged on evidence: calls reduced, time
//! reduced (beyond the noise floor), cache hit rate after warm-up, signal parity, error
//! rate, and enough ticks to judge at all. Thresholds are `[scheduler.criteria]`.
//!
//! `migrate-scheduler status` and `advance` judge the comparisons the ticks recorded
//! since the last step, as measured; `compare --check` judges one comparison, with calls
//! and hit rate taken from its projected day (one tick cannot show reuse across ticks).

use serde::Serialize;

use super::cache::pct_reduction;
use super::config::CriteriaConfig;
use crate::store::scheduler::ComparisonRow;
/// A judged criterion is what the audit log keeps of a step: the store owns the record.
pub use crate::store::scheduler::Criterion;

/// What the criteria are judged on: sums over one or more comparisons.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Comparisons (ticks) summed.
    pub ticks: u64,
    pub legacy_calls: f64,
    pub unified_calls: f64,
    pub legacy_ms: f64,
    pub unified_ms: f64,
    /// The median legacy-vs-legacy time difference of the comparisons that measured it,
    /// percent.
    pub noise_floor_pct: Option<f64>,
    /// Series looked up and served from the cache, over the ticks after warm-up.
    pub warm_lookups: u64,
    pub warm_hits: u64,
    pub matching: u64,
    /// Signals found by only one side.
    pub differing: u64,
    /// Series the unified side could not fetch (after retries), of those it fetched.
    pub unified_failed_calls: u64,
    pub unified_fetches: f64,
}

impl Evidence {
    /// Sums the comparisons, as measured.
    pub fn from_rows(rows: &[ComparisonRow]) -> Evidence {
        let mut e = Evidence::default();
        let mut floors = Vec::new();
        for r in rows {
            e.ticks += 1;
            e.legacy_calls += r.legacy_calls;
            e.unified_calls += r.unified_calls;
            e.legacy_ms += r.legacy_ms;
            e.unified_ms += r.unified_ms;
            if r.warm {
                e.warm_lookups += r.lookups;
                e.warm_hits += r.cache_hits;
            }
            e.matching += r.matching;
            e.differing += r.only_legacy + r.only_unified;
            e.unified_failed_calls += r.unified_failed_calls;
            e.unified_fetches += r.lookups.saturating_sub(r.cache_hits) as f64;
            floors.extend(r.noise_floor_pct);
        }
        e.noise_floor_pct = median(&mut floors);
        e
    }
}

/// The median of `v` (sorted in place), None for no values.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn criterion(
    name: &str,
    holds: bool,
    actual: Option<f64>,
    threshold: f64,
    detail: String,
) -> Criterion {
    Criterion {
        name: name.into(),
        holds,
        actual,
        threshold,
        detail,
    }
}

/// Judges `e`. With `min_ticks`, the first criterion is that enough ticks were recorded.
pub fn judge(e: &Evidence, cfg: &CriteriaConfig, min_ticks: Option<u64>) -> Vec<Criterion> {
    let mut out = Vec::new();
    if let Some(min) = min_ticks {
        out.push(criterion(
            "ticks",
            e.ticks >= min,
            Some(e.ticks as f64),
            min as f64,
            format!(
                "{} ticks compared since the last step (needs >= {min})",
                e.ticks
            ),
        ));
    }
    out.push(match pct_reduction(e.legacy_calls, e.unified_calls) {
        Some(r) => criterion(
            "calls_reduced",
            r >= cfg.min_call_reduction_pct,
            Some(r),
            cfg.min_call_reduction_pct,
            format!(
                "provider calls reduced {r:.1}% ({} -> {}; needs >= {}%)",
                trim(e.legacy_calls),
                trim(e.unified_calls),
                cfg.min_call_reduction_pct
            ),
        ),
        None => criterion(
            "calls_reduced",
            false,
            None,
            cfg.min_call_reduction_pct,
            "provider calls reduced: no legacy calls recorded yet".into(),
        ),
    });
    out.push(match pct_reduction(e.legacy_ms, e.unified_ms) {
        Some(r) => {
            let above_noise = e.noise_floor_pct.is_none_or(|n| r > n);
            let noise = e
                .noise_floor_pct
                .map_or(String::new(), |n| format!(", noise floor {n:.1}%"));
            criterion(
                "time_reduced",
                r >= cfg.min_time_reduction_pct && above_noise,
                Some(r),
                cfg.min_time_reduction_pct,
                format!(
                    "execution time reduced {r:.1}% ({:.0} ms -> {:.0} ms{noise}; needs >= {}%{})",
                    e.legacy_ms,
                    e.unified_ms,
                    cfg.min_time_reduction_pct,
                    if above_noise {
                        ""
                    } else {
                        " and above the noise floor"
                    }
                ),
            )
        }
        None => criterion(
            "time_reduced",
            false,
            None,
            cfg.min_time_reduction_pct,
            "execution time reduced: no legacy run recorded yet".into(),
        ),
    });
    out.push(if e.warm_lookups > 0 {
        let r = 100.0 * e.warm_hits as f64 / e.warm_lookups as f64;
        criterion(
            "cache_hit_rate",
            r > cfg.min_cache_hit_rate_pct,
            Some(r),
            cfg.min_cache_hit_rate_pct,
            format!(
                "cache hit rate after warm-up {r:.1}% ({} of {}; needs > {}%)",
                e.warm_hits, e.warm_lookups, cfg.min_cache_hit_rate_pct
            ),
        )
    } else {
        criterion(
            "cache_hit_rate",
            false,
            None,
            cfg.min_cache_hit_rate_pct,
            "cache hit rate: no tick after warm-up yet (the first tick within the TTL fills the cache)".into(),
        )
    });
    let union = e.matching + e.differing;
    let mismatch = if union == 0 {
        0.0
    } else {
        100.0 * e.differing as f64 / union as f64
    };
    out.push(criterion(
        "signal_parity",
        mismatch <= cfg.max_signal_mismatch_pct,
        Some(mismatch),
        cfg.max_signal_mismatch_pct,
        format!(
            "signals differing {mismatch:.1}% ({} of {}; needs <= {}%)",
            e.differing, union, cfg.max_signal_mismatch_pct
        ),
    ));
    out.push(error_rate(e.unified_failed_calls, e.unified_fetches, cfg));
    out
}

/// The error-rate criterion: series the unified scheduler could not fetch (after
/// retries) over the series it fetched.
pub fn error_rate(failed: u64, fetches: f64, cfg: &CriteriaConfig) -> Criterion {
    let r = if fetches > 0.0 {
        100.0 * failed as f64 / fetches
    } else {
        0.0
    };
    criterion(
        "error_rate",
        r < cfg.max_error_rate_pct,
        Some(r),
        cfg.max_error_rate_pct,
        format!(
            "unified error rate {r:.2}% ({failed} of {} series fetched failed; needs < {}%)",
            trim(fetches),
            cfg.max_error_rate_pct
        ),
    )
}

/// `12` for 12.0, `12.5` otherwise.
fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Whether every criterion holds.
pub fn all_hold(c: &[Criterion]) -> bool {
    c.iter().all(|c| c.holds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Evidence {
        Evidence {
            ticks: 20,
            legacy_calls: 1000.0,
            unified_calls: 300.0,
            legacy_ms: 10_000.0,
            unified_ms: 1_000.0,
            noise_floor_pct: Some(3.0),
            warm_lookups: 900,
            warm_hits: 650,
            matching: 100,
            differing: 2,
            unified_failed_calls: 1,
            unified_fetches: 300.0,
        }
    }

    #[test]
    fn every_criterion_holds_on_good_evidence() {
        let c = judge(&good(), &CriteriaConfig::default(), Some(12));
        assert!(all_hold(&c), "{c:#?}");
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ticks",
                "calls_reduced",
                "time_reduced",
                "cache_hit_rate",
                "signal_parity",
                "error_rate"
            ]
        );
        assert_eq!(c[1].actual, Some(70.0));
        assert!(
            c[1].detail.contains("70.0%") && c[1].detail.contains("1000 -> 300"),
            "{}",
            c[1].detail
        );
    }

    #[test]
    fn each_threshold_fails_on_its_own() {
        let cfg = CriteriaConfig::default();
        let failing = |e: Evidence| -> Vec<String> {
            judge(&e, &cfg, Some(12))
                .into_iter()
                .filter(|c| !c.holds)
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(failing(Evidence { ticks: 3, ..good() }), ["ticks"]);
        assert_eq!(
            failing(Evidence {
                unified_calls: 600.0,
                ..good()
            }),
            ["calls_reduced"]
        );
        assert_eq!(
            failing(Evidence {
                unified_ms: 4_500.0,
                ..good()
            }),
            ["time_reduced"]
        );
        // Above the threshold but inside the noise: not judged a reduction.
        assert_eq!(
            failing(Evidence {
                unified_ms: 3_000.0,
                noise_floor_pct: Some(75.0),
                ..good()
            }),
            ["time_reduced"]
        );
        assert_eq!(
            failing(Evidence {
                warm_hits: 500,
                ..good()
            }),
            ["cache_hit_rate"]
        );
        assert_eq!(
            failing(Evidence {
                warm_lookups: 0,
                warm_hits: 0,
                ..good()
            }),
            ["cache_hit_rate"]
        );
        assert_eq!(
            failing(Evidence {
                differing: 6,
                ..good()
            }),
            ["signal_parity"]
        );
        assert_eq!(
            failing(Evidence {
                unified_failed_calls: 3,
                ..good()
            }),
            ["error_rate"]
        );
        // 60% exactly is not "above 60%"; 50% exactly is "at least 50%".
        assert_eq!(
            failing(Evidence {
                warm_hits: 540,
                ..good()
            }),
            ["cache_hit_rate"]
        );
        assert!(
            failing(Evidence {
                unified_calls: 500.0,
                ..good()
            })
            .is_empty()
        );
        let none = judge(&Evidence::default(), &cfg, None);
        assert!(!all_hold(&none));
        assert_eq!(none[0].name, "calls_reduced");
        assert!(none[0].detail.contains("no legacy calls"));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
