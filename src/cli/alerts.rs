//! `optctl alerts`: list stored alerts with filters.

use optctl::market::Symbol;
use optctl::scan::AlertFilter;
use optctl::scan::detectors::NAMES;

use super::output::Output;
use super::{Ctx, Outcome};

/// List stored alerts, newest first, highest score first within a scan.
///
/// Each alert shows the numbers that fired it, rounded for reading (the line its
/// notification carries: vol/OI, volume and premium, the IV rank with the days of IV
/// history it rests on, ...); --json gives every number unrounded.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this ticker.
    #[arg(long)]
    ticker: Option<Symbol>,
    /// Only this detector.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(NAMES))]
    detector: Option<String>,
    /// Only alerts scoring at least this (0-100).
    #[arg(long, value_name = "SCORE")]
    min_score: Option<f64>,
    /// Only alerts since this span ago (24h, 7d) or instant (RFC 3339).
    #[arg(long, value_name = "WHEN", value_parser = optctl::time::Since::parse)]
    since: Option<optctl::time::Since>,
    /// Only alerts of this scan.
    #[arg(long, value_name = "ID")]
    scan: Option<i64>,
    /// At most this many alerts.
    #[arg(long, default_value_t = 50)]
    limit: u64,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let since = args.since.map(|s| s.resolve(ctx.as_of));
    if let Some(s) = args.min_score
        && !(0.0..=100.0).contains(&s)
    {
        return Err(optctl::Error::Usage(format!(
            "--min-score: {s} is outside 0..100"
        )));
    }
    let filtered = args.ticker.is_some()
        || args.detector.is_some()
        || args.min_score.is_some()
        || since.is_some()
        || args.scan.is_some();
    let store = ctx.store_read()?;
    let rows = store.alerts().list(&AlertFilter {
        ticker: args.ticker.map(|t| t.to_string()),
        detector: args.detector,
        min_score: args.min_score,
        since,
        scan_id: args.scan,
        limit: Some(args.limit),
    })?;
    if ctx.out.is_json() {
        ctx.out
            .json(&serde_json::json!({"alert_count": rows.len(), "alerts": rows}))?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&[
        "id", "time", "ticker", "detector", "score", "contract", "details",
    ]);
    for a in &rows {
        t.add_row(vec![
            a.id.to_string(),
            optctl::store::ts(a.created_at),
            a.ticker.clone(),
            a.detector_name.clone(),
            format!("{:.1}", a.score),
            a.contract.clone().unwrap_or_default(),
            summary(a),
        ]);
    }
    Output::align_right(&mut t, &[0, 4]);
    if !rows.is_empty() {
        ctx.out.print_table(None, &t)?;
    }
    if rows.is_empty() && filtered {
        ctx.out.note("no alerts match");
    } else if rows.is_empty() {
        ctx.out.note(&why_none(&store, &ctx.config()?)?);
    }
    Ok(Outcome::Done)
}

/// Why a store has no alerts at all: what the detectors need and what history exists.
fn why_none(store: &optctl::store::Store, cfg: &optctl::config::Config) -> optctl::Result<String> {
    let scans = store.scans().list(&optctl::scan::ScanFilter::default())?;
    let d = &cfg.detectors;
    let need = format!(
        "the detectors need history: volume_spike {} earlier trading days with a scan at the \
         same time of day, iv_spike and skew_shift {} earlier scans, iv_rank_extreme {} days \
         of IV ([scan] min_iv_observations), oi_surge an earlier scan; unusual_activity and \
         pcr_extreme need none",
        d.volume_spike.min_history,
        d.iv_spike.min_history.max(d.skew_shift.min_history),
        cfg.scan.min_iv_observations,
    );
    if scans.is_empty() {
        return Ok(format!("no alerts: no scan yet (run optctl scan); {need}"));
    }
    let cal = cfg.provider.name.calendar();
    let days: std::collections::BTreeSet<_> =
        scans.iter().map(|s| cal.trading_day(s.as_of)).collect();
    let iv_days = store
        .chains()
        .latest_features()?
        .iter()
        .map(|f| f.iv_history_n)
        .max()
        .unwrap_or(0);
    Ok(format!(
        "no alerts yet: {} over {} stored ({} to {}), at most {iv_days} days of IV per \
         ticker; {need}",
        plural(scans.len(), "scan"),
        plural(days.len(), "trading day"),
        days.first().map_or(String::new(), |d| d.to_string()),
        days.last().map_or(String::new(), |d| d.to_string()),
    ))
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The numbers that fired an alert, rounded for reading: the line its notification
/// carries (`vol/OI 3.20 · volume 4,210 · premium $1.2M`).
fn summary(a: &optctl::scan::AlertRow) -> String {
    optctl::notify::format::facts(&optctl::notify::Item {
        ticker: a.ticker.clone(),
        name: a.detector_name.clone(),
        category: None,
        contract: a.contract.clone(),
        direction: None,
        score: a.score,
        data: a.alert_data.clone(),
        created_at: a.created_at,
    })
}
