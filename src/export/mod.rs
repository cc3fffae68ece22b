//! `export`: the latest picture of the store as JSON files for `serve`, dashboards and
//! any tool that reads files: `alerts.json`, `chains.json`, `scans.json`,
//! `features.json`, then `manifest.json` listing them with counts and SHA-256.
//!
//! All parts are read inside one read transaction, so they describe the same moment even
//! while a scan commits. Each file is replaced atomically (`export::atomic`) and copied to
//! `archive/` with a timestamp (`export::archive`). A part that fails is recorded in its
//! file's `errors` (or, when the file itself cannot be written, in the manifest's) and
//! the other parts are still written.
//!
//! Every file is one JSON object: `export_timestamp`, `<kind>_count`, `<kind>s` and
//! `errors` (key order is not significant; `chains.json` puts its count after the list
//! because chains are streamed ticker by ticker).

pub mod archive;
pub mod atomic;
pub mod config;

pub use config::ExportConfig;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::store::Store;
use crate::store::alerts::AlertFilter;
use crate::store::chains::ContractRow;
use crate::store::scans::ScanFilter;
use atomic::AtomicFile;

/// One kind of export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Alerts,
    Chains,
    Scans,
    Features,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Alerts, Kind::Chains, Kind::Scans, Kind::Features];

    /// `alerts`, `chains`, ... (the `--only` spelling).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Alerts => "alerts",
            Kind::Chains => "chains",
            Kind::Scans => "scans",
            Kind::Features => "features",
        }
    }

    /// The file it is written to.
    pub fn file(self) -> String {
        format!("{}.json", self.name())
    }

    fn singular(self) -> &'static str {
        match self {
            Kind::Alerts => "alert",
            Kind::Chains => "chain",
            Kind::Scans => "scan",
            Kind::Features => "feature",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown export {s:?}: expected alerts, chains, scans or features")
            })
    }
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder of the export files (archives go in `<out>/archive`).
    pub out: PathBuf,
    pub kinds: Vec<Kind>,
    /// The export's timestamp; alerts are counted back from it.
    pub as_of: DateTime<Utc>,
    /// Alerts created in this span before `as_of`.
    pub alerts_since: Duration,
    /// At most this many alerts (newest first).
    pub alerts_limit: u64,
    /// At most this many scans (newest first).
    pub scans_limit: u64,
    /// Keep timestamped copies under `archive/`.
    pub archive: bool,
    /// Gzip the archive copies.
    pub compress: bool,
    /// Delete archives older than this many days (0 = keep all).
    pub keep_days: u32,
}

/// One written export file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub name: String,
    pub count: u64,
    pub bytes: u64,
    pub sha256: String,
    /// Errors recorded inside the file (rows or tickers that could not be read).
    pub errors: Vec<String>,
    pub archive: Option<PathBuf>,
}

/// A part that could not be written at all.
#[derive(Debug, Clone, Serialize)]
pub struct PartError {
    pub file: String,
    pub error: String,
}

/// What an export did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub export_timestamp: DateTime<Utc>,
    pub out: PathBuf,
    pub files: Vec<FileReport>,
    pub failed: Vec<PartError>,
    pub archives_removed: u64,
    pub duration_ms: u64,
}

impl Report {
    /// Whether anything went wrong (errors inside files, or files not written).
    pub fn has_errors(&self) -> bool {
        !self.failed.is_empty() || self.files.iter().any(|f| !f.errors.is_empty())
    }
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    name: &'a str,
    count: u64,
    bytes: u64,
    sha256: &'a str,
}

#[derive(Serialize)]
struct Manifest<'a> {
    export_timestamp: DateTime<Utc>,
    files: Vec<ManifestEntry<'a>>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct ChainDoc<'a> {
    ticker: &'a str,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    contracts: &'a [ContractRow],
}

fn ts_json(t: DateTime<Utc>) -> String {
    format!("\"{}\"", crate::store::ts(t))
}

/// Writes `{"export_timestamp":..,"<kind>_count":n,"<kind>s":[items],"errors":[..]}`.
fn write_list<T: Serialize>(
    path: &Path,
    kind: Kind,
    at: DateTime<Utc>,
    items: &[T],
    errors: &[String],
) -> std::io::Result<atomic::Written> {
    let mut f = AtomicFile::create(path)?;
    write!(
        f,
        "{{\"export_timestamp\":{},\"{}_count\":{},\"{}\":[",
        ts_json(at),
        kind.singular(),
        items.len(),
        kind.name()
    )?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_all(b",")?;
        }
        serde_json::to_writer(&mut f, item)?;
    }
    f.write_all(b"],\"errors\":")?;
    serde_json::to_writer(&mut f, errors)?;
    f.write_all(b"}\n")?;
    f.commit()
}

/// Streams the newest chain of every ticker into `chains.json`, one ticker at a time,
/// so memory stays at one chain however many tickers there are.
fn write_chains(
    path: &Path,
    store: &Store,
    at: DateTime<Utc>,
) -> std::io::Result<(atomic::Written, u64, Vec<String>)> {
    let mut errors = Vec::new();
    let refs = store.chains().latest_refs().unwrap_or_else(|e| {
        errors.push(format!("cannot list chains: {e}"));
        Vec::new()
    });
    let mut f = AtomicFile::create(path)?;
    write!(f, "{{\"export_timestamp\":{},\"chains\":[", ts_json(at))?;
    let mut count = 0u64;
    for r in &refs {
        let contracts = match store.chains().get(r.scan_id, &r.ticker) {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("{}: {e}", r.ticker));
                continue;
            }
        };
        if count > 0 {
            f.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut f,
            &ChainDoc {
                ticker: &r.ticker,
                scan_id: r.scan_id,
                as_of: r.as_of,
                spot: r.spot,
                contracts: &contracts,
            },
        )?;
        count += 1;
    }
    write!(f, "],\"chain_count\":{count},\"errors\":")?;
    serde_json::to_writer(&mut f, &errors)?;
    f.write_all(b"}\n")?;
    Ok((f.commit()?, count, errors))
}

/// Reads and writes one part. Read failures become the file's `errors`; only a failure
/// to write the file itself is returned as `Err`.
fn export_kind(store: &Store, kind: Kind, opts: &Options) -> std::io::Result<FileReport> {
    let path = opts.out.join(kind.file());
    let at = opts.as_of;
    // A list read that fails still writes its file: empty, with the reason in `errors`.
    fn list<T: Serialize>(
        path: &Path,
        kind: Kind,
        at: DateTime<Utc>,
        read: crate::store::Result<Vec<T>>,
    ) -> std::io::Result<(atomic::Written, u64, Vec<String>)> {
        let (rows, errors) = match read {
            Ok(rows) => (rows, vec![]),
            Err(e) => (vec![], vec![format!("cannot read {}: {e}", kind.name())]),
        };
        Ok((
            write_list(path, kind, at, &rows, &errors)?,
            rows.len() as u64,
            errors,
        ))
    }
    let (written, count, errors) = match kind {
        Kind::Alerts => list(
            &path,
            kind,
            at,
            store.alerts().list(&AlertFilter {
                since: Some(at - opts.alerts_since),
                limit: Some(opts.alerts_limit),
                ..Default::default()
            }),
        )?,
        Kind::Scans => list(
            &path,
            kind,
            at,
            store.scans().list(&ScanFilter {
                limit: Some(opts.scans_limit),
                ..Default::default()
            }),
        )?,
        Kind::Features => list(&path, kind, at, store.chains().latest_features())?,
        Kind::Chains => write_chains(&path, store, at)?,
    };
    Ok(FileReport {
        name: kind.file(),
        count,
        bytes: written.bytes,
        sha256: written.sha256,
        errors,
        archive: None,
    })
}

/// Runs one export from `store` (open it read-only). The caller holds the export lock.
pub fn run(store: &Store, opts: &Options) -> crate::Result<Report> {
    let started = Instant::now();
    std::fs::create_dir_all(&opts.out).map_err(|e| crate::Error::io(&opts.out, e))?;
    let mut kinds = opts.kinds.clone();
    kinds.sort();
    kinds.dedup();
    let mut files = Vec::new();
    let mut failed = Vec::new();
    store.read_snapshot(|store| {
        for &kind in &kinds {
            match export_kind(store, kind, opts) {
                Ok(f) => files.push(f),
                Err(e) => failed.push(PartError {
                    file: kind.file(),
                    error: e.to_string(),
                }),
            }
        }
    })?;
    let archive_dir = opts.out.join("archive");
    if opts.archive {
        for f in &mut files {
            match archive::archive(
                &opts.out.join(&f.name),
                &archive_dir,
                opts.as_of,
                opts.compress,
            ) {
                Ok(p) => f.archive = Some(p),
                Err(e) => failed.push(PartError {
                    file: format!("archive/{}", f.name),
                    error: e.to_string(),
                }),
            }
        }
    }
    let manifest: Vec<ManifestEntry<'_>> = files
        .iter()
        .map(|f| ManifestEntry {
            name: &f.name,
            count: f.count,
            bytes: f.bytes,
            sha256: &f.sha256,
        })
        .collect();
    let manifest_errors: Vec<String> = failed
        .iter()
        .map(|p| format!("{}: {}", p.file, p.error))
        .chain(
            files
                .iter()
                .flat_map(|f| f.errors.iter().map(move |e| format!("{}: {e}", f.name))),
        )
        .collect();
    let doc = Manifest {
        export_timestamp: opts.as_of,
        files: manifest,
        errors: manifest_errors,
    };
    let written = (|| {
        let mut m = AtomicFile::create(&opts.out.join("manifest.json"))?;
        serde_json::to_writer_pretty(&mut m, &doc)?;
        m.write_all(b"\n")?;
        m.commit()
    })();
    if let Err(e) = written {
        failed.push(PartError {
            file: "manifest.json".into(),
            error: e.to_string(),
        });
    }
    let archives_removed = if opts.archive && opts.keep_days > 0 {
        match archive::prune(
            &archive_dir,
            opts.as_of,
            Duration::days(i64::from(opts.keep_days)),
            crate::time::KEEP_LAST,
        ) {
            Ok(n) => n,
            Err(e) => {
                failed.push(PartError {
                    file: "archive/".into(),
                    error: format!("retention: {e}"),
                });
                0
            }
        }
    } else {
        0
    };
    Ok(Report {
        export_timestamp: opts.as_of,
        out: opts.out.clone(),
        files,
        failed,
        archives_removed,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}
