//! `optctl export`: write the latest picture of the store as JSON files for `serve`.

use std::path::PathBuf;

use optctl::export::{self, Kind, Report};
use optctl::lock::JobLock;

use super::output::Output;
use super::{Ctx, Outcome};

/// Write alerts, chains, scans and features as JSON files, atomically.
///
/// Writes alerts.json (recent alerts, newest first), chains.json (the newest chain of each
/// ticker with its contracts), chains/<TICKER>.json (each ticker's chain on its own, with a
/// .gz copy), scans.json (the newest scans) and features.json (the newest features of each
/// ticker) into <home>/exports, then manifest.json with each file's count and SHA-256. All
/// are read in one transaction, so they describe the same moment. Each file is replaced
/// atomically: a reader sees the old file or the new one, never a mix. A gzipped,
/// timestamped copy of each file whose data changed since its last copy goes to
/// exports/archive/ (an export of unchanged data archives nothing); archives older than
/// --keep-days are deleted, then the oldest while the folder holds more than --keep-bytes.
/// A part that fails is recorded in its file's `errors` (exit 3); the other parts are still
/// written. A second export while one runs exits 75.
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
    /// Then delete the oldest archives while they hold more than this many bytes (each
    /// file's newest stays), 0 = no cap [default: [export] keep_bytes].
    #[arg(long, value_name = "BYTES")]
    keep_bytes: Option<u64>,
    /// Gzip the archive copies [default: [export] compress, on].
    #[arg(long, overrides_with = "no_compress")]
    compress: bool,
    /// Archive uncompressed copies (hard links, no extra bytes until the file is replaced).
    #[arg(long)]
    no_compress: bool,
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
        compress: if args.no_compress {
            false
        } else {
            cfg.compress || args.compress
        },
        keep_days: args.keep_days.unwrap_or(cfg.keep_days),
        keep_bytes: args.keep_bytes.unwrap_or(cfg.keep_bytes),
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
    let archived = if r.archived {
        format!(
            "; archived {} (archive now {})",
            human_bytes(r.archive_bytes_written),
            human_bytes(r.archive_bytes_total)
        )
    } else if r.files.iter().any(|f| f.archive.is_some()) {
        format!(
            "; nothing changed since the last archive, nothing archived (archive {})",
            human_bytes(r.archive_bytes_total)
        )
    } else {
        String::new()
    };
    out.note(&format!(
        "exported to {} in {:.2} s{}{archived}{}{}{}",
        r.out.display(),
        r.duration_ms as f64 / 1000.0,
        if r.chain_files > 0 {
            format!(" ({} per-ticker chain files)", r.chain_files)
        } else {
            String::new()
        },
        if r.chain_files_removed > 0 {
            format!(
                "; {} chain files of tickers no longer exported removed",
                r.chain_files_removed
            )
        } else {
            String::new()
        },
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

/// `1.2 MB`, `340 kB`, `12 B` (decimal units, as `ls -h --si` and `du --si` print them).
fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.0} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}
