//! Measures what each detector sees over a simulated quarter, to set its saturation point
//! (the number that scores 100) so that scores spread:
//!
//!     cargo run --example calibrate_scores [-- --from 2026-09-01 --days 91 --seed 42]
//!
//! Scans the default watchlist on the simulated market twice each NYSE trading day
//! (10:00 and 14:30 New York) into a temporary store, with the configured repeat rules,
//! then prints, for each detector, the percentiles of the number its score rises with
//! (the one `detectors::magnitude` compares, the rank for `iv_rank_extreme`, the ratio
//! for `pcr_extreme`) and the saturation point that puts its 90th percentile at 100.
//! The defaults in `src/scan/detectors.rs` and the table in the README come from it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveTime};
use optctl::market::Calendar;
use optctl::notify::{NotifyConfig, Router};
use optctl::progress::NoProgress;
use optctl::provider::sim::{SimConfig, SimProvider};
use optctl::scan::detectors::{self, DetectorsConfig};
use optctl::scan::{AlertFilter, Options};
use optctl::store::Store;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let from: NaiveDate = arg(
        &args,
        "--from",
        NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
    );
    let days: i64 = arg(&args, "--days", 91);
    let seed: u64 = arg(&args, "--seed", 42);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("optctl.db");
    let nyse = Calendar::nyse();
    let detectors = DetectorsConfig::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut scans = 0;
    for d in 0..days {
        let day = from + Duration::days(d);
        if !nyse.is_trading_day(day) {
            continue;
        }
        for (h, m) in [(10, 0), (14, 30)] {
            let as_of = nyse.at(day, NaiveTime::from_hms_opt(h, m, 0).unwrap());
            let opts = Options {
                tickers: optctl::scan::WatchlistConfig::default().tickers,
                concurrency: 4,
                as_of,
                min_iv_observations: 20,
                keep_chain_days: 5,
                save_snapshots: None,
                detectors: detectors.clone(),
                pricing: optctl::scan::PricingConfig::default(),
                notify: Arc::new(Router::new(&NotifyConfig::default())),
                shard: None,
            };
            let provider = Box::new(SimProvider::new(SimConfig {
                seed,
                ..SimConfig::default()
            }));
            rt.block_on(optctl::scan::run(
                Store::open(&db)?,
                provider,
                &opts,
                Arc::new(NoProgress),
            ))?;
            scans += 1;
        }
    }
    let alerts = Store::open(&db)?.alerts().list(&AlertFilter::default())?;
    let mut by: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for a in &alerts {
        let d = &a.alert_data;
        let x = match a.detector_name.as_str() {
            "iv_rank_extreme" => d["iv_rank"].as_f64(),
            "pcr_extreme" => d["pcr_volume"].as_f64(),
            name => detectors::magnitude(name, d),
        };
        let e = by.entry(a.detector_name.clone()).or_default();
        e.1.push(a.score);
        if let Some(x) = x {
            e.0.push(x);
        }
    }
    println!(
        "{scans} scans from {from}, {} alerts, seed {seed}\n",
        alerts.len()
    );
    println!(
        "{:<18} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "detector", "alerts", "p25", "p50", "p75", "p90", "max", "at 100"
    );
    for (name, (mut xs, scores)) in by {
        xs.sort_by(f64::total_cmp);
        if xs.is_empty() {
            continue;
        }
        let at100 = scores.iter().filter(|s| **s >= 100.0).count();
        println!(
            "{name:<18} {:>6} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>7.0}%",
            xs.len(),
            percentile(&xs, 0.25),
            percentile(&xs, 0.5),
            percentile(&xs, 0.75),
            percentile(&xs, 0.9),
            xs[xs.len() - 1],
            100.0 * at100 as f64 / scores.len() as f64
        );
    }
    println!(
        "\nA saturation point at the p90 above scores one alert in ten 100 (for pcr_extreme: \
         saturation_factor = p90 / high; iv_rank_extreme saturates at rank 1.0)."
    );
    Ok(())
}
