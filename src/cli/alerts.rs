//! `optctl alerts`: list stored alerts with filters.

use optctl::market::Symbol;
use optctl::scan::AlertFilter;
use optctl::scan::detectors::NAMES;

use super::output::Output;
use super::{Ctx, Outcome};

/// List stored alerts, newest first, highest score first within a scan.
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
    let rows = ctx.store_read()?.alerts().list(&AlertFilter {
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
            summary(&a.alert_data),
        ]);
    }
    Output::align_right(&mut t, &[0, 4]);
    ctx.out.print_table(None, &t)?;
    if rows.is_empty() {
        ctx.out.note("no alerts match");
    }
    Ok(Outcome::Done)
}

/// The first few `key=value` pairs of an alert's data, for one table cell.
fn summary(data: &serde_json::Value) -> String {
    data.as_object()
        .map(|m| {
            m.iter()
                .take(4)
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}
