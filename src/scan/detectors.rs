//! Detectors: rules over one ticker's features, contracts and history that raise scored
//! alerts. Every threshold is in config (`[detectors.*]`).
//!
//! Scores run 0..100 and are 50 exactly at the firing threshold, 100 at the detector's
//! `saturation` value and above:
//! - ratio detectors (volume_spike, unusual_activity, oi_surge, pcr_extreme) score on a log
//!   scale: `50 + 50 * ln(x / threshold) / ln(saturation / threshold)`;
//! - difference detectors (iv_spike, skew_shift, iv_rank_extreme) score linearly:
//!   `50 + 50 * (x - threshold) / (saturation - threshold)`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::market::days_to_expiry;
use crate::store::chains::{ContractRow, FeatureRow};

/// Score on a log scale: 50 at `threshold`, 100 at `saturation`, clamped to 0..100.
pub fn log_score(x: f64, threshold: f64, saturation: f64) -> f64 {
    if !(x > 0.0 && threshold > 0.0 && saturation > threshold) {
        return 50.0;
    }
    (50.0 + 50.0 * (x / threshold).ln() / (saturation / threshold).ln()).clamp(0.0, 100.0)
}

/// Score on a linear scale: 50 at `threshold`, 100 at `saturation`, clamped to 0..100.
pub fn linear_score(x: f64, threshold: f64, saturation: f64) -> f64 {
    if saturation == threshold || !x.is_finite() {
        return 50.0;
    }
    (50.0 + 50.0 * (x - threshold) / (saturation - threshold)).clamp(0.0, 100.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// All detector settings (`[detectors]` in config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorsConfig {
    /// Minutes during which the same detector/ticker/contract does not alert again.
    pub cooldown_minutes: u32,
    /// At most this many contract-level alerts per detector per ticker per scan (best first).
    pub max_contract_alerts: usize,
    pub volume_spike: VolumeSpike,
    pub unusual_activity: UnusualActivity,
    pub iv_spike: IvSpike,
    pub iv_rank_extreme: IvRankExtreme,
    pub skew_shift: SkewShift,
    pub pcr_extreme: PcrExtreme,
    pub oi_surge: OiSurge,
}

impl Default for DetectorsConfig {
    fn default() -> Self {
        DetectorsConfig {
            cooldown_minutes: 120,
            max_contract_alerts: 5,
            volume_spike: VolumeSpike::default(),
            unusual_activity: UnusualActivity::default(),
            iv_spike: IvSpike::default(),
            iv_rank_extreme: IvRankExtreme::default(),
            skew_shift: SkewShift::default(),
            pcr_extreme: PcrExtreme::default(),
            oi_surge: OiSurge::default(),
        }
    }
}

/// Ticker option volume against its trailing average over earlier scans taken at the
/// same point of the session (the same share of it elapsed, on the ticker's calendar)
/// on earlier trading days.
///
/// Option volume is a running count that grows through the session, so the last few
/// scans of the same day would make every morning look quiet and every afternoon look
/// busy; yesterday at the same hour is the like-for-like baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolumeSpike {
    pub enabled: bool,
    /// Fires at volume / trailing average >= this.
    pub min_ratio: f64,
    pub saturation_ratio: f64,
    /// Earlier trading days averaged (one scan each: the one at the same share of the
    /// session elapsed, within 5%; after the close, a full session).
    pub lookback_days: u32,
    /// Earlier trading days needed before it can fire.
    pub min_history: usize,
    /// Ignore tickers trading fewer contracts than this.
    pub min_volume: u64,
}

impl Default for VolumeSpike {
    fn default() -> Self {
        VolumeSpike {
            enabled: true,
            min_ratio: 2.5,
            saturation_ratio: 10.0,
            lookback_days: 10,
            min_history: 3,
            min_volume: 1000,
        }
    }
}

/// Barchart's unusual-activity screen on single contracts, plus a premium floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnusualActivity {
    pub enabled: bool,
    /// Volume must exceed this.
    pub min_volume: u64,
    /// Open interest must exceed this.
    pub min_open_interest: u64,
    /// Last price must exceed this.
    pub min_last: f64,
    /// Volume / open interest must be at least this.
    pub min_vol_oi_ratio: f64,
    pub saturation_ratio: f64,
    /// Days to expiry at most.
    pub max_dte: i64,
    /// volume x mid x multiplier at least this (currency units).
    pub min_premium: f64,
}

impl Default for UnusualActivity {
    fn default() -> Self {
        UnusualActivity {
            enabled: true,
            min_volume: 500,
            min_open_interest: 100,
            min_last: 0.10,
            min_vol_oi_ratio: 1.25,
            saturation_ratio: 10.0,
            max_dte: 60,
            min_premium: 10_000.0,
        }
    }
}

/// 30-day ATM IV jump against its trailing mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IvSpike {
    pub enabled: bool,
    /// Rise over the trailing mean, in IV fraction (0.05 = 5 vol points).
    pub min_jump: f64,
    pub saturation_jump: f64,
    /// Rise / trailing standard deviation at least this (ignored when the deviation is 0).
    pub min_z: f64,
    pub lookback_scans: u64,
    pub min_history: usize,
}

impl Default for IvSpike {
    fn default() -> Self {
        IvSpike {
            enabled: true,
            min_jump: 0.05,
            saturation_jump: 0.20,
            min_z: 3.0,
            lookback_scans: 20,
            min_history: 3,
        }
    }
}

/// IV rank at the top or bottom of its 52-week range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IvRankExtreme {
    pub enabled: bool,
    /// Fires at rank >= high (0..1).
    pub high: f64,
    /// Fires at rank <= low (0..1).
    pub low: f64,
}

impl Default for IvRankExtreme {
    fn default() -> Self {
        IvRankExtreme {
            enabled: true,
            high: 0.95,
            low: 0.05,
        }
    }
}

/// 25-delta risk reversal moving away from its trailing mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkewShift {
    pub enabled: bool,
    /// |rr25 - trailing mean| at least this (IV fraction).
    pub min_shift: f64,
    pub saturation_shift: f64,
    pub lookback_scans: u64,
    pub min_history: usize,
}

impl Default for SkewShift {
    fn default() -> Self {
        SkewShift {
            enabled: true,
            min_shift: 0.03,
            saturation_shift: 0.10,
            lookback_scans: 20,
            min_history: 3,
        }
    }
}

/// Put/call volume ratio at an extreme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcrExtreme {
    pub enabled: bool,
    /// Fires at put/call volume >= high ...
    pub high: f64,
    /// ... or <= low.
    pub low: f64,
    /// Score 100 at high x saturation_factor (or low / saturation_factor).
    pub saturation_factor: f64,
    /// Only tickers with at least this total option volume.
    pub min_volume: u64,
}

impl Default for PcrExtreme {
    fn default() -> Self {
        PcrExtreme {
            enabled: true,
            high: 2.0,
            low: 0.3,
            saturation_factor: 3.0,
            min_volume: 1000,
        }
    }
}

/// A contract's open interest against the previous snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OiSurge {
    pub enabled: bool,
    /// Fires at OI / previous OI >= this ...
    pub min_ratio: f64,
    /// ... with at least this many new contracts open.
    pub min_increase: u64,
    pub saturation_ratio: f64,
}

impl Default for OiSurge {
    fn default() -> Self {
        OiSurge {
            enabled: true,
            min_ratio: 2.5,
            min_increase: 500,
            saturation_ratio: 10.0,
        }
    }
}

/// What the detectors see of one ticker.
pub struct Input<'a> {
    pub as_of: DateTime<Utc>,
    pub multiplier: f64,
    pub features: &'a FeatureRow,
    pub contracts: &'a [ContractRow],
    /// Features of earlier scans, newest first.
    pub history: &'a [FeatureRow],
    /// Total option volume at the same time of day on earlier trading days, newest first.
    pub same_time_volumes: &'a [u64],
    /// Open interest by symbol in the previous snapshot.
    pub previous_oi: &'a HashMap<String, u64>,
}

/// A detector hit before cooldown filtering.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub detector: &'static str,
    pub contract: Option<String>,
    pub score: f64,
    pub data: serde_json::Value,
}

/// Names of all detectors, in the order they run.
pub const NAMES: &[&str] = &[
    "volume_spike",
    "unusual_activity",
    "iv_spike",
    "iv_rank_extreme",
    "skew_shift",
    "pcr_extreme",
    "oi_surge",
];

/// Runs every enabled detector.
pub fn run(cfg: &DetectorsConfig, input: &Input<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    volume_spike(&cfg.volume_spike, input, &mut hits);
    contract_hits(cfg, &mut hits, |out| {
        unusual_activity(&cfg.unusual_activity, input, out)
    });
    iv_spike(&cfg.iv_spike, input, &mut hits);
    iv_rank_extreme(&cfg.iv_rank_extreme, input, &mut hits);
    skew_shift(&cfg.skew_shift, input, &mut hits);
    pcr_extreme(&cfg.pcr_extreme, input, &mut hits);
    contract_hits(cfg, &mut hits, |out| oi_surge(&cfg.oi_surge, input, out));
    hits
}

/// Keeps the best `max_contract_alerts` of one contract-level detector.
fn contract_hits(cfg: &DetectorsConfig, hits: &mut Vec<Hit>, detect: impl FnOnce(&mut Vec<Hit>)) {
    let mut found = Vec::new();
    detect(&mut found);
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(cfg.max_contract_alerts);
    hits.extend(found);
}

fn trailing<'a>(
    h: &'a [FeatureRow],
    n: u64,
    f: impl Fn(&FeatureRow) -> Option<f64> + 'a,
) -> Vec<f64> {
    h.iter().take(n as usize).filter_map(f).collect()
}

fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn volume_spike(c: &VolumeSpike, i: &Input<'_>, out: &mut Vec<Hit>) {
    if !c.enabled {
        return;
    }
    let now = (i.features.call_volume + i.features.put_volume) as f64;
    let past: Vec<f64> = i
        .same_time_volumes
        .iter()
        .take(c.lookback_days as usize)
        .map(|&v| v as f64)
        .collect();
    if past.len() < c.min_history || past.is_empty() || now < c.min_volume as f64 {
        return;
    }
    let (avg, _) = mean_std(&past);
    let ratio = if avg > 0.0 { now / avg } else { f64::INFINITY };
    if ratio >= c.min_ratio {
        out.push(Hit {
            detector: "volume_spike",
            contract: None,
            score: log_score(ratio, c.min_ratio, c.saturation_ratio),
            data: json!({"volume": now, "trailing_avg": round2(avg), "ratio": round2(ratio), "days": past.len()}),
        });
    }
}

fn unusual_activity(c: &UnusualActivity, i: &Input<'_>, out: &mut Vec<Hit>) {
    if !c.enabled {
        return;
    }
    for k in i.contracts {
        if k.volume <= c.min_volume
            || k.open_interest <= c.min_open_interest
            || k.last <= c.min_last
        {
            continue;
        }
        let dte = days_to_expiry(i.as_of, k.expiry);
        if dte > c.max_dte || dte < 0 {
            continue;
        }
        let ratio = k.volume as f64 / k.open_interest as f64;
        if ratio < c.min_vol_oi_ratio {
            continue;
        }
        let mid = if k.bid > 0.0 && k.ask >= k.bid {
            0.5 * (k.bid + k.ask)
        } else {
            k.last
        };
        let premium = k.volume as f64 * mid * i.multiplier;
        if premium < c.min_premium {
            continue;
        }
        out.push(Hit {
            detector: "unusual_activity",
            contract: Some(k.symbol.clone()),
            score: log_score(ratio, c.min_vol_oi_ratio, c.saturation_ratio),
            data: json!({
                "volume": k.volume, "open_interest": k.open_interest, "vol_oi_ratio": round2(ratio),
                "last": k.last, "mid": round2(mid), "premium": premium.round(), "dte": dte,
                "strike": k.strike, "right": k.right, "expiry": k.expiry,
            }),
        });
    }
}

fn iv_spike(c: &IvSpike, i: &Input<'_>, out: &mut Vec<Hit>) {
    let Some(now) = i.features.atm_iv_30d else {
        return;
    };
    let past = trailing(i.history, c.lookback_scans, |f| f.atm_iv_30d);
    if !c.enabled || past.len() < c.min_history || past.is_empty() {
        return;
    }
    let (mean, std) = mean_std(&past);
    let jump = now - mean;
    let z = if std > 0.0 { jump / std } else { f64::INFINITY };
    if jump >= c.min_jump && z >= c.min_z {
        out.push(Hit {
            detector: "iv_spike",
            contract: None,
            score: linear_score(jump, c.min_jump, c.saturation_jump),
            data: json!({"atm_iv_30d": now, "trailing_mean": mean, "jump_points": round2(jump * 100.0),
                         "z": if z.is_finite() { Some(round2(z)) } else { None }, "scans": past.len()}),
        });
    }
}

fn iv_rank_extreme(c: &IvRankExtreme, i: &Input<'_>, out: &mut Vec<Hit>) {
    let Some(rank) = i.features.iv_rank else {
        return;
    };
    if !c.enabled {
        return;
    }
    let (side, score) = if rank >= c.high {
        ("high", linear_score(rank, c.high, 1.0))
    } else if rank <= c.low {
        ("low", linear_score(-rank, -c.low, 0.0))
    } else {
        return;
    };
    out.push(Hit {
        detector: "iv_rank_extreme",
        contract: None,
        score,
        data: json!({"iv_rank": rank, "side": side, "atm_iv_30d": i.features.atm_iv_30d,
                     "iv_percentile": i.features.iv_percentile, "observations": i.features.iv_history_n}),
    });
}

fn skew_shift(c: &SkewShift, i: &Input<'_>, out: &mut Vec<Hit>) {
    let Some(now) = i.features.rr25 else { return };
    let past = trailing(i.history, c.lookback_scans, |f| f.rr25);
    if !c.enabled || past.len() < c.min_history || past.is_empty() {
        return;
    }
    let (mean, _) = mean_std(&past);
    let shift = now - mean;
    if shift.abs() >= c.min_shift {
        out.push(Hit {
            detector: "skew_shift",
            contract: None,
            score: linear_score(shift.abs(), c.min_shift, c.saturation_shift),
            data: json!({"rr25": now, "trailing_mean": mean, "shift_points": round2(shift * 100.0),
                         "direction": if shift < 0.0 { "puts_bid" } else { "calls_bid" }}),
        });
    }
}

fn pcr_extreme(c: &PcrExtreme, i: &Input<'_>, out: &mut Vec<Hit>) {
    let f = i.features;
    let Some(pcr) = f.pcr_volume else { return };
    if !c.enabled || f.call_volume + f.put_volume < c.min_volume {
        return;
    }
    let (side, score) = if pcr >= c.high {
        ("high", log_score(pcr, c.high, c.high * c.saturation_factor))
    } else if pcr <= c.low && pcr > 0.0 {
        (
            "low",
            log_score(1.0 / pcr, 1.0 / c.low, c.saturation_factor / c.low),
        )
    } else {
        return;
    };
    out.push(Hit {
        detector: "pcr_extreme",
        contract: None,
        score,
        data: json!({"pcr_volume": round2(pcr), "side": side, "call_volume": f.call_volume, "put_volume": f.put_volume}),
    });
}

fn oi_surge(c: &OiSurge, i: &Input<'_>, out: &mut Vec<Hit>) {
    if !c.enabled || i.previous_oi.is_empty() {
        return;
    }
    for k in i.contracts {
        let Some(&before) = i.previous_oi.get(&k.symbol) else {
            continue;
        };
        let now = k.open_interest;
        if now < before + c.min_increase {
            continue;
        }
        let ratio = now as f64 / before.max(1) as f64;
        if ratio >= c.min_ratio {
            out.push(Hit {
                detector: "oi_surge",
                contract: Some(k.symbol.clone()),
                score: log_score(ratio, c.min_ratio, c.saturation_ratio),
                data: json!({"open_interest": now, "previous": before, "ratio": round2(ratio),
                             "strike": k.strike, "right": k.right, "expiry": k.expiry}),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Right;
    use chrono::{NaiveDate, TimeZone};

    fn features(vol: u64, iv: f64, rr: f64) -> FeatureRow {
        FeatureRow {
            ticker: "T".into(),
            as_of: Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap(),
            spot: 100.0,
            atm_iv_front: Some(iv),
            atm_iv_30d: Some(iv),
            term_slope: Some(0.0),
            rr25: Some(rr),
            call_volume: vol,
            put_volume: vol,
            call_oi: 10 * vol,
            put_oi: 10 * vol,
            pcr_volume: Some(1.0),
            pcr_oi: Some(1.0),
            max_pain: None,
            expected_move: None,
            iv_rank: Some(0.5),
            iv_percentile: Some(0.5),
            iv_history_n: 30,
            contracts: 0,
        }
    }

    fn contract(volume: u64, oi: u64) -> ContractRow {
        ContractRow {
            symbol: "T261120C00100000".into(),
            expiry: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            strike: 100.0,
            right: Right::Call,
            bid: 2.0,
            ask: 2.1,
            last: 2.05,
            volume,
            open_interest: oi,
            iv: Some(0.3),
            delta: Some(0.5),
            gamma: None,
            theta: None,
            vega: None,
        }
    }

    fn run_on(
        now: &FeatureRow,
        history: &[FeatureRow],
        contracts: &[ContractRow],
        prev: &HashMap<String, u64>,
    ) -> Vec<Hit> {
        // The same-time-of-day baseline: here, the history's volumes.
        let volumes: Vec<u64> = history
            .iter()
            .map(|f| f.call_volume + f.put_volume)
            .collect();
        let input = Input {
            as_of: now.as_of,
            multiplier: 100.0,
            features: now,
            contracts,
            history,
            same_time_volumes: &volumes,
            previous_oi: prev,
        };
        run(&DetectorsConfig::default(), &input)
    }

    #[test]
    fn calm_ticker_raises_nothing() {
        let history: Vec<_> = (0..10)
            .map(|i| features(2000 + i * 10, 0.30 + i as f64 * 1e-4, -0.04))
            .collect();
        let prev = HashMap::from([("T261120C00100000".to_string(), 1000)]);
        let hits = run_on(
            &features(2050, 0.301, -0.041),
            &history,
            &[contract(300, 1050)],
            &prev,
        );
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn each_detector_fires_on_its_anomaly() {
        let history: Vec<_> = (0..10)
            .map(|i| features(2000, 0.30 + (i % 2) as f64 * 0.002, -0.04))
            .collect();
        let mut now = features(8000, 0.42, -0.10);
        now.iv_rank = Some(0.99);
        now.put_volume = 24_000;
        now.pcr_volume = Some(3.0);
        let prev = HashMap::from([("T261120C00100000".to_string(), 200)]);
        let hits = run_on(&now, &history, &[contract(3000, 1200)], &prev);
        let names: Vec<_> = hits.iter().map(|h| h.detector).collect();
        assert_eq!(
            names,
            [
                "volume_spike",
                "unusual_activity",
                "iv_spike",
                "iv_rank_extreme",
                "skew_shift",
                "pcr_extreme",
                "oi_surge"
            ]
        );
        for h in &hits {
            assert!((50.0..=100.0).contains(&h.score), "{h:?}");
        }
        let ua = &hits[1];
        assert_eq!(ua.contract.as_deref(), Some("T261120C00100000"));
        assert_eq!(ua.data["vol_oi_ratio"], 2.5);
    }

    #[test]
    fn volume_spike_needs_enough_earlier_days() {
        let history: Vec<_> = (0..2).map(|_| features(2000, 0.3, -0.04)).collect();
        let hits = run_on(&features(8000, 0.3, -0.04), &history, &[], &HashMap::new());
        assert!(
            hits.iter().all(|h| h.detector != "volume_spike"),
            "{hits:?}"
        );
        let history: Vec<_> = (0..3).map(|_| features(2000, 0.3, -0.04)).collect();
        let hits = run_on(&features(8000, 0.3, -0.04), &history, &[], &HashMap::new());
        let spike = hits.iter().find(|h| h.detector == "volume_spike").unwrap();
        assert_eq!(spike.data["ratio"], 4.0);
        assert_eq!(spike.data["days"], 3);
    }

    #[test]
    fn unusual_activity_respects_each_barchart_threshold() {
        let ok = contract(600, 400);
        let fires =
            |k: ContractRow| !run_on(&features(1, 0.3, 0.0), &[], &[k], &HashMap::new()).is_empty();
        assert!(fires(ok.clone()));
        assert!(
            !fires(ContractRow {
                volume: 500,
                ..ok.clone()
            }),
            "volume must exceed 500"
        );
        assert!(
            !fires(ContractRow {
                open_interest: 100,
                volume: 600,
                ..ok.clone()
            }),
            "OI must exceed 100"
        );
        assert!(
            !fires(ContractRow {
                last: 0.10,
                ..ok.clone()
            }),
            "last must exceed 0.10"
        );
        assert!(
            !fires(ContractRow {
                open_interest: 481,
                ..ok.clone()
            }),
            "ratio 1.247 < 1.25"
        );
        assert!(
            !fires(ContractRow {
                expiry: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
                ..ok.clone()
            }),
            "DTE > 60"
        );
        assert!(
            !fires(ContractRow {
                bid: 0.1,
                ask: 0.2,
                last: 0.15,
                ..ok
            }),
            "premium below 10k"
        );
    }

    #[test]
    fn scores_are_50_at_threshold_and_100_at_saturation() {
        assert_eq!(log_score(2.5, 2.5, 10.0), 50.0);
        assert_eq!(log_score(10.0, 2.5, 10.0), 100.0);
        assert_eq!(log_score(100.0, 2.5, 10.0), 100.0);
        assert!((log_score(5.0, 2.5, 10.0) - 75.0).abs() < 1e-12);
        assert_eq!(linear_score(0.05, 0.05, 0.2), 50.0);
        assert_eq!(linear_score(0.2, 0.05, 0.2), 100.0);
    }
}
