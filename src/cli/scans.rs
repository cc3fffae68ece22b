//! `optctl scans`: list stored scan runs.

use optctl::scan::{ScanFilter, ScanStatus};

use super::output::Output;
use super::{Ctx, Outcome};

/// List stored scans, newest first.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only scans with this status.
    #[arg(long, value_parser = ["running", "succeeded", "partial", "failed", "interrupted"])]
    status: Option<String>,
    /// Only scans taken since this span ago (24h, 7d) or instant (RFC 3339).
    #[arg(long, value_name = "WHEN", value_parser = optctl::time::Since::parse)]
    since: Option<optctl::time::Since>,
    /// At most this many scans.
    #[arg(long, default_value_t = 20)]
    limit: u64,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let since = args.since.map(|s| s.resolve(ctx.as_of));
    let status = args.status.map(|s| match s.as_str() {
        "running" => ScanStatus::Running,
        "succeeded" => ScanStatus::Succeeded,
        "partial" => ScanStatus::Partial,
        "failed" => ScanStatus::Failed,
        _ => ScanStatus::Interrupted,
    });
    let rows = ctx.store_read()?.scans().list(&ScanFilter {
        status,
        since,
        limit: Some(args.limit),
    })?;
    if ctx.out.is_json() {
        ctx.out
            .json(&serde_json::json!({"scan_count": rows.len(), "scans": rows}))?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&[
        "id",
        "as of",
        "status",
        "provider",
        "shard",
        "ok",
        "failed",
        "contracts",
        "alerts",
        "duration",
        "failed tickers",
    ]);
    for s in &rows {
        t.add_row(vec![
            s.id.to_string(),
            optctl::store::ts(s.as_of),
            s.status.to_string(),
            s.provider.clone(),
            s.shard.clone().unwrap_or_else(|| "-".into()),
            s.tickers_ok.to_string(),
            s.tickers_failed.to_string(),
            s.contracts.to_string(),
            s.alerts.to_string(),
            s.duration_ms
                .map_or("-".into(), |d| format!("{:.2} s", d as f64 / 1000.0)),
            failed_tickers(s),
        ]);
    }
    Output::align_right(&mut t, &[0, 5, 6, 7, 8, 9]);
    ctx.out.print_table(None, &t)?;
    if rows.is_empty() {
        ctx.out.note("no scans match");
    }
    Ok(Outcome::Done)
}

/// The tickers a scan failed on, the first five and how many more ("-" for none).
fn failed_tickers(s: &optctl::scan::ScanRow) -> String {
    const SHOWN: usize = 5;
    if s.errors.is_empty() {
        return "-".into();
    }
    let names: Vec<&str> = s
        .errors
        .iter()
        .take(SHOWN)
        .map(|e| e.ticker.as_str())
        .collect();
    let more = s.errors.len().saturating_sub(SHOWN);
    let more = if more > 0 {
        format!(" +{more}")
    } else {
        String::new()
    };
    format!("{}{more}", names.join(","))
}
