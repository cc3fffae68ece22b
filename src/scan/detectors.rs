//! Detectors: rules over one ticker's features, contracts and history that raise scored
//! alerts. Every threshold is in config (`[detectors.*]`).
//!
//! Scores run 0..100 and are 50 exactly at the firing threshold, 75 at the detector's
//! `typical` value, 100 at its `saturation` value and above ([`calibrated_score`]). The
//! typical points sit at the median and the saturation points near the 90th percentile
//! of what each detector sees over a simulated quarter (`cargo run --example
//! calibrate_scores` measures it again), so scores spread and sorting by score means
//! something:
//! - ratio detectors (volume_spike, unusual_activity, oi_surge, pcr_extreme) score on a log
//!   scale in each piece: `50 + 25 * ln(x / threshold) / ln(typical / threshold)` up to
//!   typical, `75 + 25 * ln(x / typical) / ln(saturation / typical)` above;
//! - difference detectors (iv_spike, skew_shift) the same on a linear scale;
//!   iv_rank_extreme saturates at rank 1.0 (0.0 on the low side) and goes
//!   `0.6 + 0.4 * min(1, observations / 252)` of the way above 50: 100 needs a new
//!   52-week extreme over a year of daily history.

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

/// Score in two pieces: 50 at `threshold`, 75 at `typical`, 100 at `saturation`, each
/// piece on a log scale (`log`) or a linear one. With `typical` set at the median of what
/// fires, about half the alerts score 50..75 and half 75..100, however far above the
/// threshold the usual hit is. A `typical` outside (threshold, saturation) gives the
/// one-piece scale.
pub fn calibrated_score(x: f64, threshold: f64, typical: f64, saturation: f64, log: bool) -> f64 {
    let one_piece = |x, t, s| {
        if log {
            log_score(x, t, s)
        } else {
            linear_score(x, t, s)
        }
    };
    if !(typical > threshold && typical < saturation) {
        return one_piece(x, threshold, saturation);
    }
    if x <= typical {
        50.0 + (one_piece(x, threshold, typical) - 50.0) / 2.0
    } else {
        75.0 + (one_piece(x, typical, saturation) - 50.0) / 2.0
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// All detector settings (`[detectors]` in config).
///
/// How often the same thing alerts:
/// - state detectors ([`STATE_DETECTORS`]: `iv_rank_extreme`, `pcr_extreme`) alert when a
///   ticker enters the state (it was not in it at the previous scan), not on every scan
///   it stays in; with `alert_on_exit` also when it leaves;
/// - the others alert once per ticker, detector and contract per market session (the
///   session of the ticker's market calendar the scan belongs to), and again in that
///   session only when their number ([`magnitude`]) reaches `repeat_factor` times the
///   number of the session's last alert (1.5: half as much again);
/// - and never twice within `cooldown_minutes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorsConfig {
    /// Minutes during which the same detector/ticker/contract does not alert again.
    pub cooldown_minutes: u32,
    /// A detector that alerted on a contract (or ticker) in this session alerts again in
    /// the same session only when its number is at least this times the last alert's.
    pub repeat_factor: f64,
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
            repeat_factor: 1.5,
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

/// A range check's failure: names the key, the value, the expected range with its unit.
fn out_of_range(key: &str, v: f64, expected: &str) -> String {
    format!("detectors.{key}: {v} is out of range: expected {expected}")
}

/// `lo <= v <= hi`, else an error naming the key, the value and the range with its unit.
fn check_range(key: &str, v: f64, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(out_of_range(key, v, &format!("{lo} to {hi} ({unit})")))
    }
}

/// `v > lo` (and finite), else an error as [`check_range`]'s.
fn check_above(key: &str, v: f64, lo: f64, unit: &str) -> Result<(), String> {
    if v.is_finite() && v > lo {
        Ok(())
    } else {
        Err(out_of_range(key, v, &format!("more than {lo} ({unit})")))
    }
}

/// `saturation > threshold`: a score needs room between 50 and 100.
fn check_saturation(
    key: &str,
    sat: f64,
    threshold_key: &str,
    threshold: f64,
) -> Result<(), String> {
    if sat.is_finite() && sat > threshold {
        Ok(())
    } else {
        Err(out_of_range(
            key,
            sat,
            &format!("more than {threshold_key} ({threshold})"),
        ))
    }
}

impl DetectorsConfig {
    /// Range-checks every threshold: fractions are fractions (`high = 95` is an error
    /// that says 0 to 1, not 20 alerts), ratios are above 1, saturation points above
    /// their thresholds. Messages name the key, the value and the range with its unit.
    pub fn validate(&self) -> Result<(), String> {
        const FRACTION: &str = "a fraction: 0.95 is 95%";
        const IV: &str = "IV as a fraction: 0.05 is 5 vol points";
        const RATIO: &str = "a ratio: 2.5 is 2.5 times";
        check_range("repeat_factor", self.repeat_factor, 1.0, 100.0, RATIO)?;
        if self.max_contract_alerts == 0 {
            return Err(
                "detectors.max_contract_alerts: 0 is out of range: expected at least 1".into(),
            );
        }
        let v = &self.volume_spike;
        check_above("volume_spike.min_ratio", v.min_ratio, 1.0, RATIO)?;
        check_saturation(
            "volume_spike.saturation_ratio",
            v.saturation_ratio,
            "min_ratio",
            v.min_ratio,
        )?;
        if v.min_history == 0 || v.min_history > v.lookback_days as usize {
            return Err(out_of_range(
                "volume_spike.min_history",
                v.min_history as f64,
                &format!("1 to lookback_days ({}) (trading days)", v.lookback_days),
            ));
        }
        let u = &self.unusual_activity;
        check_above(
            "unusual_activity.min_vol_oi_ratio",
            u.min_vol_oi_ratio,
            0.0,
            RATIO,
        )?;
        check_saturation(
            "unusual_activity.saturation_ratio",
            u.saturation_ratio,
            "min_vol_oi_ratio",
            u.min_vol_oi_ratio,
        )?;
        check_range(
            "unusual_activity.min_last",
            u.min_last,
            0.0,
            1e9,
            "a price in currency units",
        )?;
        check_range(
            "unusual_activity.min_premium",
            u.min_premium,
            0.0,
            1e15,
            "currency units",
        )?;
        check_range(
            "unusual_activity.max_dte",
            u.max_dte as f64,
            0.0,
            3650.0,
            "calendar days",
        )?;
        let j = &self.iv_spike;
        check_range("iv_spike.min_jump", j.min_jump, 0.0, 1.0, IV)?;
        check_range("iv_spike.saturation_jump", j.saturation_jump, 0.0, 2.0, IV)?;
        check_saturation(
            "iv_spike.saturation_jump",
            j.saturation_jump,
            "min_jump",
            j.min_jump,
        )?;
        check_range("iv_spike.min_z", j.min_z, 0.0, 100.0, "standard deviations")?;
        let r = &self.iv_rank_extreme;
        check_range("iv_rank_extreme.high", r.high, 0.0, 1.0, FRACTION)?;
        check_range("iv_rank_extreme.low", r.low, 0.0, 1.0, FRACTION)?;
        if r.low >= r.high {
            return Err(out_of_range(
                "iv_rank_extreme.low",
                r.low,
                &format!("below high ({})", r.high),
            ));
        }
        let k = &self.skew_shift;
        check_range("skew_shift.min_shift", k.min_shift, 0.0, 1.0, IV)?;
        check_range(
            "skew_shift.saturation_shift",
            k.saturation_shift,
            0.0,
            2.0,
            IV,
        )?;
        check_saturation(
            "skew_shift.saturation_shift",
            k.saturation_shift,
            "min_shift",
            k.min_shift,
        )?;
        let p = &self.pcr_extreme;
        check_above("pcr_extreme.high", p.high, 0.0, RATIO)?;
        check_above("pcr_extreme.low", p.low, 0.0, RATIO)?;
        if p.low >= p.high {
            return Err(out_of_range(
                "pcr_extreme.low",
                p.low,
                &format!("below high ({})", p.high),
            ));
        }
        check_above(
            "pcr_extreme.saturation_factor",
            p.saturation_factor,
            1.0,
            RATIO,
        )?;
        let o = &self.oi_surge;
        check_above("oi_surge.min_ratio", o.min_ratio, 1.0, RATIO)?;
        check_saturation(
            "oi_surge.saturation_ratio",
            o.saturation_ratio,
            "min_ratio",
            o.min_ratio,
        )?;
        for (key, typical, threshold, saturation) in [
            (
                "volume_spike.typical_ratio",
                v.typical_ratio,
                v.min_ratio,
                v.saturation_ratio,
            ),
            (
                "unusual_activity.typical_ratio",
                u.typical_ratio,
                u.min_vol_oi_ratio,
                u.saturation_ratio,
            ),
            (
                "iv_spike.typical_jump",
                j.typical_jump,
                j.min_jump,
                j.saturation_jump,
            ),
            (
                "skew_shift.typical_shift",
                k.typical_shift,
                k.min_shift,
                k.saturation_shift,
            ),
            (
                "pcr_extreme.typical_factor",
                p.typical_factor,
                1.0,
                p.saturation_factor,
            ),
            (
                "oi_surge.typical_ratio",
                o.typical_ratio,
                o.min_ratio,
                o.saturation_ratio,
            ),
        ] {
            if !(typical.is_finite() && typical > threshold && typical < saturation) {
                return Err(out_of_range(
                    key,
                    typical,
                    &format!(
                        "between the threshold ({threshold}) and the saturation point ({saturation})"
                    ),
                ));
            }
        }
        Ok(())
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
    /// Scores 75 at this ratio (the median of what fires), 100 at saturation_ratio.
    pub typical_ratio: f64,
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
            typical_ratio: 27.0,
            saturation_ratio: 31.5,
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
    /// Scores 75 at this vol/OI (the median of what fires), 100 at saturation_ratio.
    pub typical_ratio: f64,
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
            typical_ratio: 125.0,
            saturation_ratio: 340.0,
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
    /// Scores 75 at this rise (the median of what fires), 100 at saturation_jump.
    pub typical_jump: f64,
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
            typical_jump: 0.12,
            saturation_jump: 0.135,
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
    /// Also alert (score 50) when the rank leaves the extreme it entered.
    pub alert_on_exit: bool,
}

impl Default for IvRankExtreme {
    fn default() -> Self {
        IvRankExtreme {
            enabled: true,
            high: 0.95,
            low: 0.05,
            alert_on_exit: false,
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
    /// Scores 75 at this shift, 100 at saturation_shift.
    pub typical_shift: f64,
    pub saturation_shift: f64,
    pub lookback_scans: u64,
    pub min_history: usize,
}

impl Default for SkewShift {
    fn default() -> Self {
        SkewShift {
            enabled: true,
            min_shift: 0.03,
            typical_shift: 0.06,
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
    /// Score 75 at high x typical_factor (or low / typical_factor) ...
    pub typical_factor: f64,
    /// ... and 100 at high x saturation_factor (or low / saturation_factor).
    pub saturation_factor: f64,
    /// Only tickers with at least this total option volume.
    pub min_volume: u64,
    /// Also alert (score 50) when the ratio leaves the extreme it entered.
    pub alert_on_exit: bool,
}

impl Default for PcrExtreme {
    fn default() -> Self {
        PcrExtreme {
            enabled: true,
            high: 2.0,
            low: 0.3,
            typical_factor: 26.5,
            saturation_factor: 28.5,
            min_volume: 1000,
            alert_on_exit: false,
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
    /// Scores 75 at this ratio (the median of what fires), 100 at saturation_ratio.
    pub typical_ratio: f64,
    pub saturation_ratio: f64,
}

impl Default for OiSurge {
    fn default() -> Self {
        OiSurge {
            enabled: true,
            min_ratio: 2.5,
            min_increase: 500,
            typical_ratio: 4.25,
            saturation_ratio: 5.0,
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

/// Detectors about a state a ticker is in: they alert when it enters the state (and,
/// with `alert_on_exit`, when it leaves), not on every scan it stays there.
pub const STATE_DETECTORS: &[&str] = &["iv_rank_extreme", "pcr_extreme"];

/// The number a repeat in the same session is measured by: the one the detector's score
/// rises with (vol/OI, the volume or OI ratio, the IV jump, the size of the skew
/// shift). `None` for state detectors and for data without it.
pub fn magnitude(detector: &str, data: &serde_json::Value) -> Option<f64> {
    let key = match detector {
        "volume_spike" | "oi_surge" => "ratio",
        "unusual_activity" => "vol_oi_ratio",
        "iv_spike" => "jump_points",
        "skew_shift" => "shift_points",
        _ => return None,
    };
    data.get(key)?.as_f64().map(f64::abs)
}

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
            score: calibrated_score(ratio, c.min_ratio, c.typical_ratio, c.saturation_ratio, true),
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
            score: calibrated_score(
                ratio,
                c.min_vol_oi_ratio,
                c.typical_ratio,
                c.saturation_ratio,
                true,
            ),
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
            score: calibrated_score(jump, c.min_jump, c.typical_jump, c.saturation_jump, false),
            data: json!({"atm_iv_30d": now, "trailing_mean": mean, "jump_points": round2(jump * 100.0),
                         "z": if z.is_finite() { Some(round2(z)) } else { None }, "scans": past.len()}),
        });
    }
}

/// The extreme `rank` is at, if any.
fn iv_rank_side(c: &IvRankExtreme, rank: Option<f64>) -> Option<&'static str> {
    let rank = rank?;
    if rank >= c.high {
        Some("high")
    } else if rank <= c.low {
        Some("low")
    } else {
        None
    }
}

/// Trading days in a year: a rank over fewer daily observations rests on less than a
/// year of history.
pub const YEAR_OF_OBSERVATIONS: u64 = 252;

/// How much of the way above 50 an IV rank's score goes: 0.6 with no history, 1.0 from a
/// year of daily observations. A rank of 1.0 over six weeks (a new six-week high)
/// scores 80; over a year (a new 52-week high) 100.
fn history_weight(observations: u64) -> f64 {
    0.6 + 0.4 * (observations as f64 / YEAR_OF_OBSERVATIONS as f64).min(1.0)
}

fn iv_rank_extreme(c: &IvRankExtreme, i: &Input<'_>, out: &mut Vec<Hit>) {
    if !c.enabled {
        return;
    }
    let f = i.features;
    let before = i.history.first().and_then(|p| iv_rank_side(c, p.iv_rank));
    let data = |rank: f64, side: &str, state: &str| {
        json!({"iv_rank": rank, "side": side, "state": state, "atm_iv_30d": f.atm_iv_30d,
               "iv_percentile": f.iv_percentile, "observations": f.iv_history_n})
    };
    match (before, iv_rank_side(c, f.iv_rank), f.iv_rank) {
        // Entered (or crossed from one extreme to the other).
        (b, Some(side), Some(rank)) if b != Some(side) => {
            let raw = if side == "high" {
                linear_score(rank, c.high, 1.0)
            } else {
                linear_score(-rank, -c.low, 0.0)
            };
            let score = 50.0 + (raw - 50.0) * history_weight(f.iv_history_n);
            out.push(Hit {
                detector: "iv_rank_extreme",
                contract: None,
                score,
                data: data(rank, side, "entered"),
            });
        }
        (Some(side), None, Some(rank)) if c.alert_on_exit => out.push(Hit {
            detector: "iv_rank_extreme",
            contract: None,
            score: 50.0,
            data: data(rank, side, "left"),
        }),
        _ => {}
    }
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
            score: calibrated_score(
                shift.abs(),
                c.min_shift,
                c.typical_shift,
                c.saturation_shift,
                false,
            ),
            data: json!({"rr25": now, "trailing_mean": mean, "shift_points": round2(shift * 100.0),
                         "direction": if shift < 0.0 { "puts_bid" } else { "calls_bid" }}),
        });
    }
}

/// The extreme a ticker's put/call volume ratio is at, with its score, if any.
fn pcr_side(c: &PcrExtreme, f: &FeatureRow) -> Option<(&'static str, f64)> {
    let pcr = f.pcr_volume?;
    if f.call_volume + f.put_volume < c.min_volume {
        return None;
    }
    if pcr >= c.high {
        Some((
            "high",
            calibrated_score(
                pcr,
                c.high,
                c.high * c.typical_factor,
                c.high * c.saturation_factor,
                true,
            ),
        ))
    } else if pcr <= c.low && pcr > 0.0 {
        Some((
            "low",
            calibrated_score(
                1.0 / pcr,
                1.0 / c.low,
                c.typical_factor / c.low,
                c.saturation_factor / c.low,
                true,
            ),
        ))
    } else {
        None
    }
}

fn pcr_extreme(c: &PcrExtreme, i: &Input<'_>, out: &mut Vec<Hit>) {
    let f = i.features;
    let Some(pcr) = f.pcr_volume else { return };
    if !c.enabled {
        return;
    }
    let before = i.history.first().and_then(|p| pcr_side(c, p)).map(|s| s.0);
    let data = |side: &str, state: &str| {
        json!({"pcr_volume": round2(pcr), "side": side, "state": state,
               "call_volume": f.call_volume, "put_volume": f.put_volume})
    };
    match (before, pcr_side(c, f)) {
        (b, Some((side, score))) if b != Some(side) => out.push(Hit {
            detector: "pcr_extreme",
            contract: None,
            score,
            data: data(side, "entered"),
        }),
        (Some(side), None) if c.alert_on_exit => out.push(Hit {
            detector: "pcr_extreme",
            contract: None,
            score: 50.0,
            data: data(side, "left"),
        }),
        _ => {}
    }
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
                score: calibrated_score(
                    ratio,
                    c.min_ratio,
                    c.typical_ratio,
                    c.saturation_ratio,
                    true,
                ),
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
            ..FeatureRow::default()
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
            rho: None,
            model: None,
            vendor_iv: None,
            vendor_delta: None,
            vendor_gamma: None,
            vendor_theo: None,
            gex: None,
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
        // Two pieces: 50 at the threshold, 75 at typical, 100 at saturation.
        assert_eq!(calibrated_score(2.5, 2.5, 32.0, 60.0, true), 50.0);
        assert!((calibrated_score(32.0, 2.5, 32.0, 60.0, true) - 75.0).abs() < 1e-9);
        assert_eq!(calibrated_score(60.0, 2.5, 32.0, 60.0, true), 100.0);
        assert!((calibrated_score(0.085, 0.05, 0.12, 0.135, false) - 62.5).abs() < 1e-9);
        // A typical point outside the range falls back to one piece.
        assert_eq!(
            calibrated_score(5.0, 2.5, 100.0, 10.0, true),
            log_score(5.0, 2.5, 10.0)
        );
    }

    #[test]
    fn state_detectors_alert_on_entering_not_on_staying() {
        let cfg = DetectorsConfig::default();
        let at = |rank: f64, pcr: f64| {
            let mut f = features(2000, 0.3, -0.04);
            f.iv_rank = Some(rank);
            f.pcr_volume = Some(pcr);
            f
        };
        let names = |cfg: &DetectorsConfig, now: &FeatureRow, before: &FeatureRow| {
            let history = [before.clone()];
            let input = Input {
                as_of: now.as_of,
                multiplier: 100.0,
                features: now,
                contracts: &[],
                history: &history,
                same_time_volumes: &[],
                previous_oi: &HashMap::new(),
            };
            run(cfg, &input)
                .into_iter()
                .map(|h| (h.detector, h.data["state"].as_str().unwrap().to_string()))
                .collect::<Vec<_>>()
        };
        // Enters both states.
        assert_eq!(
            names(&cfg, &at(0.97, 2.5), &at(0.5, 1.0)),
            [
                ("iv_rank_extreme", "entered".to_string()),
                ("pcr_extreme", "entered".to_string())
            ]
        );
        // Stays: nothing.
        assert!(names(&cfg, &at(0.99, 3.0), &at(0.97, 2.5)).is_empty());
        // Leaves: nothing, unless asked.
        assert!(names(&cfg, &at(0.5, 1.0), &at(0.97, 2.5)).is_empty());
        let mut exits = cfg.clone();
        exits.iv_rank_extreme.alert_on_exit = true;
        exits.pcr_extreme.alert_on_exit = true;
        assert_eq!(
            names(&exits, &at(0.5, 1.0), &at(0.97, 2.5)),
            [
                ("iv_rank_extreme", "left".to_string()),
                ("pcr_extreme", "left".to_string())
            ]
        );
        // From one extreme to the other is entering the other.
        assert_eq!(names(&cfg, &at(0.01, 1.0), &at(0.97, 1.0)).len(), 1);
    }

    #[test]
    fn iv_rank_scores_100_only_over_a_year_of_history() {
        let mut now = features(2000, 0.3, -0.04);
        now.iv_rank = Some(1.0);
        let score = |n: u64| {
            let mut f = now.clone();
            f.iv_history_n = n;
            run_on(&f, &[], &[], &HashMap::new())
                .into_iter()
                .find(|h| h.detector == "iv_rank_extreme")
                .unwrap()
                .score
        };
        assert_eq!(score(252), 100.0);
        assert!((score(0) - 80.0).abs() < 1e-9);
        assert!(score(30) < score(120) && score(120) < 100.0);
    }

    #[test]
    fn repeats_are_measured_by_the_scored_number() {
        assert_eq!(
            magnitude("unusual_activity", &json!({"vol_oi_ratio": 3.2})),
            Some(3.2)
        );
        assert_eq!(
            magnitude("skew_shift", &json!({"shift_points": -4.0})),
            Some(4.0)
        );
        assert_eq!(
            magnitude("iv_rank_extreme", &json!({"iv_rank": 0.99})),
            None
        );
    }

    #[test]
    fn thresholds_are_range_checked_with_their_unit() {
        assert_eq!(DetectorsConfig::default().validate(), Ok(()));
        let mut c = DetectorsConfig::default();
        c.iv_rank_extreme.high = 95.0;
        let e = c.validate().unwrap_err();
        assert!(
            e.contains("detectors.iv_rank_extreme.high")
                && e.contains("95")
                && e.contains("0 to 1")
                && e.contains("fraction"),
            "{e}"
        );
        let mut c = DetectorsConfig::default();
        c.iv_spike.min_jump = 5.0;
        assert!(c.validate().unwrap_err().contains("vol points"));
        let mut c = DetectorsConfig::default();
        c.oi_surge.saturation_ratio = 2.0;
        assert!(
            c.validate()
                .unwrap_err()
                .contains("more than min_ratio (2.5)")
        );
        let mut c = DetectorsConfig::default();
        c.pcr_extreme.low = 3.0;
        assert!(c.validate().unwrap_err().contains("below high"));
    }
}
