//! `optctl export`: write the latest picture of the store as JSON files for `serve`.

use std::path::PathBuf;

use optctl::export::{self, Kind, Report};
use optctl::lock::JobLock;

use super::output::Output;
use super::{Ctx, Outcome};

/// Write alerts, chains, scans and features as JSON files, atomically.
///
/// Writes alerts.json (recent alerts, newest first), chains.json (the newest chain of each
/// ticker with its contracts), scans.json (the newest scans) and features.json (the newest
/// features of each ticker) into <home>/exports, then manifest.json with each file's count
/// and SHA-256. All four are read in one transaction, so they describe the same moment. Each
/// file is replaced atomically: a reader sees the old file or the new one, never a mix.
/// A timestamped copy goes to exports/archive/, and archives older than --keep-days are
/// deleted. A part that fails is recorded in its file's `errors` (exit 3); the other parts
/// are still written. A second export while one runs exits 75.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write into (default: <home>/exports).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only these files, comma separated: alerts, chains, scans, features.
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    only: Vec<Kind>,
    /// Alerts created within this span before now (24h, 90m, 7d) [default: [export] alerts_since].
    #[arg(long, value_name = "SPAN", value_parser = optctl::time::parse_duration)]
    alerts_since: Option<chrono::Duration>,
    /// At most this many alerts [default: [export] alerts_limit].
    #[arg(long, value_name = "N")]
    alerts_limit: Option<u64>,
    /// Do not write timestamped copies under archive/.
    #[arg(long)]
    no_archive: bool,
    /// Delete archives older than this many days, 0 keeps all [default: [export] keep_days].
    #[arg(long, value_name = "DAYS")]
    keep_days: Option<u32>,
    /// Gzip the archive copies [default: [export] compress].
    #[arg(long)]
    compress: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?.export;
    let alerts_since = match args.alerts_since {
        Some(d) => d,
        None => cfg.alerts_since.length(),
    };
    let out = args.out.unwrap_or_else(|| ctx.home.exports());
    let opts = export::Options {
        // The export lock below guards the home's exports folder only.
        out_locked: out == ctx.home.exports(),
        out,
        kinds: if args.only.is_empty() {
            Kind::ALL.to_vec()
        } else {
            args.only
        },
        as_of: ctx.as_of,
        alerts_since,
        alerts_limit: args.alerts_limit.unwrap_or(cfg.alerts_limit),
        scans_limit: cfg.scans_limit,
        archive: cfg.archive && !args.no_archive,
        compress: cfg.compress || args.compress,
        keep_days: args.keep_days.unwrap_or(cfg.keep_days),
    };
    let _lock = JobLock::acquire(&ctx.home, "export")?;
    let store = ctx.store_read()?;
    let report = export::run(&store, &opts)?;
    print(&report, &ctx.out)?;
    if report.files.is_empty() && !report.failed.is_empty() {
        return Err(optctl::Error::Failed(format!(
            "export failed: no file could be written ({})",
            report.failed[0].error
        )));
    }
    Ok(if report.has_errors() {
        Outcome::Partial
    } else {
        Outcome::Done
    })
}

fn print(r: &Report, out: &Output) -> optctl::Result<()> {
    for f in &r.files {
        for e in &f.errors {
            out.failure(&format!("{}: {e}", f.name));
        }
    }
    for p in &r.failed {
        out.failure(&format!("{}: not written: {}", p.file, p.error));
    }
    if out.is_json() {
        return out.json(r);
    }
    if r.files.is_empty() && !r.failed.is_empty() {
        // Nothing was exported: `run` says "export failed", nothing here says otherwise.
        return Ok(());
    }
    let mut t = out.table(&["file", "count", "bytes", "sha256", "errors"]);
    for f in &r.files {
        t.add_row(vec![
            f.name.clone(),
            f.count.to_string(),
            f.bytes.to_string(),
            f.sha256[..12].to_string(),
            f.errors.len().to_string(),
        ]);
    }
    Output::align_right(&mut t, &[1, 2, 4]);
    out.print_table(None, &t)?;
    out.note(&format!(
        "exported to {} in {:.2} s{}{}",
        r.out.display(),
        r.duration_ms as f64 / 1000.0,
        if r.archives_removed > 0 {
            format!("; {} old archives removed", r.archives_removed)
        } else {
            String::new()
        },
        if r.temp_files_removed > 0 {
            format!(
                "; {} temp files of killed exports removed",
                r.temp_files_removed
            )
        } else {
            String::new()
        }
    ));
    Ok(())
}
