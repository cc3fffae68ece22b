//! `export`: the latest picture of the store as JSON files for `serve`, dashboards and
//! any tool that reads files: `alerts.json`, `chains.json`, `scans.json`,
//! `features.json`, then `manifest.json` listing them with counts and SHA-256.
//!
//! All parts are read inside one read transaction, so they describe the same moment even
//! while a scan commits. Every file is first written to a hidden temp file
//! (`export::atomic`); then all are renamed into place in one quick pass, the manifest
//! last, and copied to `archive/` with a timestamp (`export::archive`). A part that fails
//! is recorded in its file's `errors` (or, when the file itself cannot be written, in the
//! manifest's) and the other parts are still written. A part that cannot be read at all
//! (a damaged table) keeps its previous file, which the manifest then describes.
//! Temp files a killed export left are removed by the next one.
//!
//! Every file is one JSON object: `export_timestamp`, `<kind>_count`, `<kind>s` and
//! `errors` (key order is not significant; `chains.json` puts its count after the list
//! because chains are streamed ticker by ticker).

pub mod archive;
pub mod atomic;
pub mod config;

pub use config::ExportConfig;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::market::Symbol;
use crate::store::Store;
use crate::store::alerts::AlertFilter;
use crate::store::chains::{ContractRow, ExpiryRow};
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
    /// Then delete the oldest archives while they hold more than this many bytes, except
    /// each file's newest (0 = no cap).
    pub keep_bytes: u64,
    /// The caller holds the export lock that guards `out`, so no other export writes
    /// there: every temp file in it is a dead export's. Otherwise only temp files older
    /// than [`STALE_TEMP_AGE`] are removed.
    pub out_locked: bool,
}

/// A temp file in the exports folder untouched this long belongs to no live export
/// (an export keeps writing its temp files until it renames them).
pub const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// The files an export writes into its folder.
const MANIFEST: &str = "manifest.json";

/// The folder of the per-ticker chain files, inside the exports folder.
pub const CHAINS_DIR: &str = "chains";

/// The file name of `ticker`'s chain under [`CHAINS_DIR`] (`AAPL.json`), or why the
/// stored name cannot be one: only a name in [`Symbol`]'s normal spelling is used (no
/// `/`, no leading `.`, no `..`, at most 16 characters), so a file name never leaves the
/// folder.
pub fn chain_file_name(ticker: &str) -> Result<String, String> {
    match Symbol::parse(ticker) {
        Ok(s) if s.as_str() == ticker => Ok(format!("{ticker}.json")),
        Ok(s) => Err(format!(
            "{ticker:?} is not in its normal spelling {:?}",
            s.as_str()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// One written export file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub name: String,
    pub count: u64,
    pub bytes: u64,
    pub sha256: String,
    /// Errors recorded inside the file (rows or tickers that could not be read), or why
    /// it could not be read at all when `kept_previous`.
    pub errors: Vec<String>,
    /// Its part could not be read, so the previous file was left in place; count,
    /// bytes and SHA-256 describe that file.
    pub kept_previous: bool,
    /// SHA-256 of the file's data without its `export_timestamp`: equal in two exports
    /// when nothing in the file changed.
    pub content_sha256: String,
    /// The archive holding this content: written now, or an earlier one when the data
    /// did not change since it was archived.
    pub archive: Option<PathBuf>,
    /// Whether this export wrote an archive copy of the file.
    pub archived: bool,
    /// Bytes of the archive copy written now (0 when none was).
    pub archive_bytes: u64,
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
    /// Per-ticker chain files written under `chains/`.
    pub chain_files: u64,
    /// Per-ticker chain files of tickers no longer exported, removed after the new
    /// manifest was in place.
    pub chain_files_removed: u64,
    /// Whether any file was archived: false when no data changed since the files' last
    /// archives (or archiving is off).
    pub archived: bool,
    /// Bytes of archive copies written by this export.
    pub archive_bytes_written: u64,
    /// Bytes the archive folder holds after retention.
    pub archive_bytes_total: u64,
    pub archives_removed: u64,
    /// Temp files of killed exports removed from the folder and its archive.
    pub temp_files_removed: u64,
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
    content_sha256: &'a str,
    /// The archive (a name in `archive/`) holding this content.
    archive: Option<&'a str>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    export_timestamp: DateTime<Utc>,
    files: Vec<ManifestEntry<'a>>,
    /// The per-ticker chain files, by ticker.
    chains: &'a serde_json::Value,
    errors: Vec<String>,
}

/// One per-ticker chain file (and its gzip copy) as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
struct ChainFileEntry {
    ticker: String,
    /// `chains/AAPL.json`, relative to the exports folder.
    name: String,
    bytes: u64,
    sha256: String,
    /// An HTTP entity tag of the file's bytes (quoted).
    etag: String,
    gzip: GzipEntry,
    /// What `serve`'s `/tickers` lists, so it never opens the files for it.
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    contract_count: usize,
}

#[derive(Debug, Clone, Serialize)]
struct GzipEntry {
    name: String,
    bytes: u64,
    sha256: String,
    etag: String,
}

/// What an export needs of the manifest before it.
#[derive(Deserialize, Default)]
struct PreviousManifest {
    #[serde(default)]
    files: Vec<PreviousEntry>,
    #[serde(default)]
    chains: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct PreviousEntry {
    name: String,
    #[serde(default)]
    content_sha256: Option<String>,
    #[serde(default)]
    archive: Option<String>,
}

fn previous_manifest(out: &Path) -> PreviousManifest {
    std::fs::read(out.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The body of `chains/<TICKER>.json`: what `GET /options/{ticker}/snapshot` answers
/// without filters.
#[derive(Serialize)]
struct TickerDoc<'a> {
    export_timestamp: DateTime<Utc>,
    ticker: &'a str,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    /// Each expiry's forward, discount factor and how they were found.
    expiries: &'a [ExpiryRow],
    contract_count: usize,
    contracts: &'a [ContractRow],
}

/// A per-ticker chain file and its gzip copy, written and not yet in place.
struct TickerFile {
    ticker: String,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    contract_count: usize,
    json: atomic::Ready,
    gz: atomic::Ready,
}

impl TickerFile {
    fn entry(&self) -> ChainFileEntry {
        let tag = |sha: &str| format!("\"{}\"", &sha[..32]);
        let j = self.json.written();
        let g = self.gz.written();
        let name = format!("{CHAINS_DIR}/{}.json", self.ticker);
        ChainFileEntry {
            ticker: self.ticker.clone(),
            bytes: j.bytes,
            sha256: j.sha256.clone(),
            etag: tag(&j.sha256),
            gzip: GzipEntry {
                name: format!("{name}.gz"),
                bytes: g.bytes,
                sha256: g.sha256.clone(),
                etag: tag(&g.sha256),
            },
            name,
            scan_id: self.scan_id,
            as_of: self.as_of,
            spot: self.spot,
            contract_count: self.contract_count,
        }
    }
}

/// Writes a ticker's chain file `file_name` and its gzip copy into `dir` (temp files).
fn write_ticker(dir: &Path, file_name: &str, doc: &TickerDoc<'_>) -> std::io::Result<TickerFile> {
    let body = serde_json::to_vec(doc)?;
    let mut json = AtomicFile::create(&dir.join(file_name))?;
    json.write_all(&body)?;
    let mut gz = flate2::write::GzEncoder::new(
        AtomicFile::create(&dir.join(format!("{file_name}.gz")))?,
        flate2::Compression::fast(),
    );
    gz.write_all(&body)?;
    Ok(TickerFile {
        ticker: doc.ticker.to_string(),
        scan_id: doc.scan_id,
        as_of: doc.as_of,
        spot: doc.spot,
        contract_count: doc.contract_count,
        json: json.finish()?,
        gz: gz.finish()?.finish()?,
    })
}

#[derive(Serialize)]
struct ChainDoc<'a> {
    ticker: &'a str,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    expiries: &'a [ExpiryRow],
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
    content: &mut Sha256,
) -> std::io::Result<atomic::Ready> {
    let mut f = AtomicFile::create(path)?;
    write!(
        f,
        "{{\"export_timestamp\":{},\"{}_count\":{},\"{}\":[",
        ts_json(at),
        kind.singular(),
        items.len(),
        kind.name()
    )?;
    let mut buf = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_all(b",")?;
        }
        buf.clear();
        serde_json::to_writer(&mut buf, item)?;
        content.update(&buf);
        content.update(b"\n");
        f.write_all(&buf)?;
    }
    f.write_all(b"],\"errors\":")?;
    let errors = serde_json::to_vec(errors)?;
    content.update(&errors);
    f.write_all(&errors)?;
    f.write_all(b"}\n")?;
    f.finish()
}

/// A part written to its temp file: the file, its count, the errors inside it, and
/// whether the part could not be read at all (then the previous file is kept if there
/// is one).
struct Staged {
    ready: atomic::Ready,
    count: u64,
    errors: Vec<String>,
    unread: bool,
    /// SHA-256 of the data without the export's timestamp.
    content_sha256: String,
    /// The per-ticker chain files (chains only).
    tickers: Vec<TickerFile>,
}

/// Streams the newest chain of every ticker into `chains.json`, one ticker at a time,
/// so memory stays at one chain however many tickers there are, and writes each chain
/// to its own file under `chains/` (with a gzip copy) as it goes. Unread when the chains
/// cannot be listed or not one of them can be read.
fn write_chains(path: &Path, store: &Store, at: DateTime<Utc>) -> std::io::Result<Staged> {
    let mut errors = Vec::new();
    let mut unread = false;
    let refs = store.chains().latest_refs().unwrap_or_else(|e| {
        errors.push(format!("cannot list chains: {}", e.with_causes()));
        unread = true;
        Vec::new()
    });
    let dir = path.parent().unwrap_or(Path::new(".")).join(CHAINS_DIR);
    std::fs::create_dir_all(&dir)?;
    let mut f = AtomicFile::create(path)?;
    let mut content = Sha256::new();
    let mut tickers = Vec::new();
    write!(f, "{{\"export_timestamp\":{},\"chains\":[", ts_json(at))?;
    let mut count = 0u64;
    let mut buf = Vec::new();
    for r in &refs {
        let contracts = match store.chains().get(r.scan_id, &r.ticker) {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("{}: {}", r.ticker, e.with_causes()));
                continue;
            }
        };
        let expiries = match store.chains().expiries(r.scan_id, &r.ticker) {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("{}: {}", r.ticker, e.with_causes()));
                continue;
            }
        };
        if count > 0 {
            f.write_all(b",")?;
        }
        buf.clear();
        serde_json::to_writer(
            &mut buf,
            &ChainDoc {
                ticker: &r.ticker,
                scan_id: r.scan_id,
                as_of: r.as_of,
                spot: r.spot,
                expiries: &expiries,
                contracts: &contracts,
            },
        )?;
        content.update(&buf);
        content.update(b"\n");
        f.write_all(&buf)?;
        count += 1;
        match chain_file_name(&r.ticker) {
            Ok(name) => tickers.push(write_ticker(
                &dir,
                &name,
                &TickerDoc {
                    export_timestamp: at,
                    ticker: &r.ticker,
                    scan_id: r.scan_id,
                    as_of: r.as_of,
                    spot: r.spot,
                    expiries: &expiries,
                    contract_count: contracts.len(),
                    contracts: &contracts,
                },
            )?),
            Err(e) => errors.push(format!("{}: no {CHAINS_DIR}/ file: {e}", r.ticker)),
        }
    }
    write!(f, "],\"chain_count\":{count},\"errors\":")?;
    let errors_json = serde_json::to_vec(&errors)?;
    content.update(&errors_json);
    f.write_all(&errors_json)?;
    f.write_all(b"}\n")?;
    Ok(Staged {
        ready: f.finish()?,
        count,
        unread: unread || (count == 0 && !refs.is_empty()),
        errors,
        content_sha256: atomic::hex(&content.finalize()),
        tickers,
    })
}

/// Reads one part and writes it to its temp file. Read failures become the file's
/// `errors`; only a failure to write the file itself is returned as `Err`.
fn export_kind(store: &Store, kind: Kind, opts: &Options) -> std::io::Result<Staged> {
    let path = opts.out.join(kind.file());
    let at = opts.as_of;
    // A list read that fails still writes its file: empty, with the reason in `errors`.
    fn list<T: Serialize>(
        path: &Path,
        kind: Kind,
        at: DateTime<Utc>,
        read: crate::store::Result<Vec<T>>,
    ) -> std::io::Result<Staged> {
        let (rows, errors) = match read {
            Ok(rows) => (rows, vec![]),
            Err(e) => (
                vec![],
                vec![format!("cannot read {}: {}", kind.name(), e.with_causes())],
            ),
        };
        let mut content = Sha256::new();
        Ok(Staged {
            ready: write_list(path, kind, at, &rows, &errors, &mut content)?,
            count: rows.len() as u64,
            unread: !errors.is_empty(),
            errors,
            content_sha256: atomic::hex(&content.finalize()),
            tickers: Vec::new(),
        })
    }
    Ok(match kind {
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
    })
}

/// An export file as it is on disk.
struct OnDisk {
    bytes: u64,
    sha256: String,
    count: u64,
    export_timestamp: Option<String>,
}

/// Reads an export file of `kind` written earlier: its size, SHA-256, count and
/// timestamp, in one pass.
fn on_disk(path: &Path, kind: Kind) -> std::io::Result<OnDisk> {
    #[derive(Deserialize)]
    struct Head {
        export_timestamp: Option<String>,
        alert_count: Option<u64>,
        chain_count: Option<u64>,
        scan_count: Option<u64>,
        feature_count: Option<u64>,
    }
    struct Hashing<R> {
        inner: R,
        hasher: Sha256,
        bytes: u64,
    }
    impl<R: Read> Read for Hashing<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.hasher.update(&buf[..n]);
            self.bytes += n as u64;
            Ok(n)
        }
    }
    let mut r = std::io::BufReader::with_capacity(
        1 << 20,
        Hashing {
            inner: std::fs::File::open(path)?,
            hasher: Sha256::new(),
            bytes: 0,
        },
    );
    let head: Head = serde_json::from_reader(&mut r)?;
    std::io::copy(&mut r, &mut std::io::sink())?;
    let h = r.into_inner();
    let count = match kind {
        Kind::Alerts => head.alert_count,
        Kind::Chains => head.chain_count,
        Kind::Scans => head.scan_count,
        Kind::Features => head.feature_count,
    };
    Ok(OnDisk {
        bytes: h.bytes,
        sha256: atomic::hex(&h.hasher.finalize()),
        count: count.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("no {}_count", kind.singular()),
            )
        })?,
        export_timestamp: head.export_timestamp,
    })
}

/// The report of a file whose part could not be read and whose previous version stays;
/// `listed` is the previous manifest's entry of it (its content hash and archive).
fn kept(
    kind: Kind,
    previous: OnDisk,
    errors: &[String],
    listed: Option<&PreviousEntry>,
    archive_dir: &Path,
) -> FileReport {
    let exported = previous
        .export_timestamp
        .as_deref()
        .unwrap_or("at an unknown time");
    FileReport {
        name: kind.file(),
        count: previous.count,
        bytes: previous.bytes,
        sha256: previous.sha256,
        errors: errors
            .iter()
            .map(|e| format!("{e}; previous version kept (exported {exported})"))
            .collect(),
        kept_previous: true,
        content_sha256: listed
            .and_then(|l| l.content_sha256.clone())
            .unwrap_or_default(),
        archive: listed
            .and_then(|l| l.archive.as_deref())
            .map(|a| archive_dir.join(a)),
        archived: false,
        archive_bytes: 0,
    }
}

/// Writes the manifest of `files` to its temp file.
fn stage_manifest(
    opts: &Options,
    files: &[FileReport],
    chains: &serde_json::Value,
    failed: &[PartError],
) -> std::io::Result<atomic::Ready> {
    let doc = Manifest {
        export_timestamp: opts.as_of,
        files: files
            .iter()
            .map(|f| ManifestEntry {
                name: &f.name,
                count: f.count,
                bytes: f.bytes,
                sha256: &f.sha256,
                content_sha256: &f.content_sha256,
                archive: f
                    .archive
                    .as_deref()
                    .and_then(|a| a.file_name())
                    .and_then(|a| a.to_str()),
            })
            .collect(),
        chains,
        errors: failed
            .iter()
            .map(|p| format!("{}: {}", p.file, p.error))
            .chain(
                files
                    .iter()
                    .flat_map(|f| f.errors.iter().map(move |e| format!("{}: {e}", f.name))),
            )
            .collect(),
    };
    let mut m = AtomicFile::create(&opts.out.join(MANIFEST))?;
    serde_json::to_writer_pretty(&mut m, &doc)?;
    m.write_all(b"\n")?;
    m.finish()
}

/// Removes the temp files killed exports left in `out` and `out/archive`.
fn remove_stale_temps(opts: &Options) -> std::io::Result<u64> {
    let age = (!opts.out_locked).then_some(STALE_TEMP_AGE);
    let export_file = |t: &str| t == MANIFEST || Kind::ALL.iter().any(|k| k.file() == t);
    let archive_file = |t: &str| archive::stamp_of(t).is_some();
    let chain_file = |t: &str| t.ends_with(".json") || t.ends_with(".json.gz");
    Ok(atomic::remove_stale(&opts.out, export_file, age)?
        + atomic::remove_stale(&opts.out.join("archive"), archive_file, age)?
        + atomic::remove_stale(&opts.out.join(CHAINS_DIR), chain_file, age)?)
}

/// Runs one export from `store` (open it read-only). The caller holds the export lock.
///
/// Every file is written to its temp file first; then they are renamed into place one
/// after the other, the manifest last, so a reader sees a mixed set (some files new, the
/// manifest old) only for the moment of the renames or after a crash inside it, and can
/// tell by comparing each file's SHA-256 with the manifest's.
pub fn run(store: &Store, opts: &Options) -> crate::Result<Report> {
    let started = Instant::now();
    std::fs::create_dir_all(&opts.out).map_err(|e| crate::Error::io(&opts.out, e))?;
    let mut kinds = opts.kinds.clone();
    kinds.sort();
    kinds.dedup();
    let mut failed = Vec::new();
    let temp_files_removed = remove_stale_temps(opts).unwrap_or_else(|e| {
        failed.push(PartError {
            file: "leftover temp files".into(),
            error: e.to_string(),
        });
        0
    });
    let previous = previous_manifest(&opts.out);
    let listed = |name: &str| previous.files.iter().find(|e| e.name == name);
    let mut staged = Vec::new();
    store.read_snapshot(|store| {
        for &kind in &kinds {
            match export_kind(store, kind, opts) {
                Ok(s) => staged.push((kind, s)),
                Err(e) => failed.push(PartError {
                    file: kind.file(),
                    error: e.to_string(),
                }),
            }
        }
    })?;
    let archive_dir = opts.out.join("archive");
    let chains_dir = opts.out.join(CHAINS_DIR);
    // The per-ticker files this export puts in place; None keeps the previous set (chains
    // not exported now, or kept from before), which the manifest then lists again.
    let mut tickers: Option<Vec<TickerFile>> = None;
    // (kind, report, temp file to rename into place; None when the previous file is kept)
    let mut parts: Vec<(Kind, FileReport, Option<atomic::Ready>)> = Vec::new();
    for (kind, s) in staged {
        let path = opts.out.join(kind.file());
        // A part that could not be read keeps its previous file, if there is one.
        if s.unread
            && let Ok(on) = on_disk(&path, kind)
        {
            let report = kept(kind, on, &s.errors, listed(&kind.file()), &archive_dir);
            parts.push((kind, report, None));
            continue; // dropping `s.ready` and `s.tickers` deletes their temp files
        }
        if kind == Kind::Chains {
            tickers = Some(s.tickers);
        }
        let w = s.ready.written();
        let mut report = FileReport {
            name: kind.file(),
            count: s.count,
            bytes: w.bytes,
            sha256: w.sha256.clone(),
            errors: s.errors,
            kept_previous: false,
            content_sha256: s.content_sha256,
            archive: None,
            archived: false,
            archive_bytes: 0,
        };
        if opts.archive {
            // Data unchanged since the file's last archive (still there): that archive
            // holds this content already, so nothing is written.
            let same = listed(&report.name)
                .filter(|e| e.content_sha256.as_deref() == Some(report.content_sha256.as_str()))
                .and_then(|e| e.archive.as_deref())
                .map(|a| archive_dir.join(a))
                .filter(|a| a.is_file());
            if let Some(a) = same {
                report.archive = Some(a);
            } else {
                // Archived from the temp file (an uncompressed archive is a hard link that
                // shares the bytes the rename puts in place), so archive errors are known
                // before the manifest is written.
                match archive::archive_as(
                    s.ready.path(),
                    &report.name,
                    &archive_dir,
                    opts.as_of,
                    opts.compress,
                ) {
                    Ok(p) => {
                        report.archive_bytes = std::fs::metadata(&p).map_or(0, |m| m.len());
                        report.archive = Some(p);
                        report.archived = true;
                    }
                    Err(e) => failed.push(PartError {
                        file: format!("archive/{}", report.name),
                        error: e.to_string(),
                    }),
                }
            }
        }
        parts.push((kind, report, Some(s.ready)));
    }
    let mut chain_entries: Option<Vec<ChainFileEntry>> = tickers
        .as_ref()
        .map(|t| t.iter().map(TickerFile::entry).collect());
    let previous_chains = previous.chains.clone().unwrap_or(serde_json::json!([]));
    let chains_value = |entries: &Option<Vec<ChainFileEntry>>| match entries {
        Some(e) => serde_json::to_value(e).unwrap_or_default(),
        None => previous_chains.clone(),
    };
    let reports: Vec<FileReport> = parts.iter().map(|(_, f, _)| f.clone()).collect();
    let manifest = stage_manifest(opts, &reports, &chains_value(&chain_entries), &failed);
    // The one quick pass: renames only, the per-ticker files first, the manifest last.
    let mut rename_failed = false;
    let mut chain_files = 0;
    if let (Some(tickers), Some(entries)) = (tickers, chain_entries.as_mut()) {
        let mut placed = Vec::new();
        for (t, e) in tickers.into_iter().zip(entries.drain(..)) {
            // The gzip copy first: a reader that finds the .json finds its .gz too.
            match t.gz.persist().and_then(|_| t.json.persist()) {
                Ok(_) => {
                    chain_files += 1;
                    placed.push(e);
                }
                Err(err) => {
                    rename_failed = true;
                    failed.push(PartError {
                        file: e.name.clone(),
                        error: err.to_string(),
                    });
                }
            }
        }
        *entries = placed;
    }
    let mut files: Vec<Option<FileReport>> = reports.into_iter().map(Some).collect();
    for (i, (kind, _, ready)) in parts.into_iter().enumerate() {
        let Some(ready) = ready else { continue };
        if let Err(e) = ready.persist() {
            // Rare (the temp file is in the same folder): the previous file stays, and
            // the manifest must describe that one.
            rename_failed = true;
            if let Some(f) = files[i].take()
                && f.archived
                && let Some(a) = f.archive
            {
                let _ = std::fs::remove_file(a);
            }
            failed.push(PartError {
                file: kind.file(),
                error: e.to_string(),
            });
            files[i] = on_disk(&opts.out.join(kind.file()), kind)
                .ok()
                .map(|p| kept(kind, p, &[], listed(&kind.file()), &archive_dir));
        }
    }
    let files: Vec<FileReport> = files.into_iter().flatten().collect();
    let manifest = if rename_failed {
        stage_manifest(opts, &files, &chains_value(&chain_entries), &failed)
    } else {
        manifest
    };
    if chain_entries.is_some()
        && let Err(e) = atomic::sync_dir(&chains_dir)
    {
        failed.push(PartError {
            file: chains_dir.display().to_string(),
            error: format!("cannot sync the folder: {e}"),
        });
    }
    let manifest_placed = match manifest.and_then(|m| m.persist()) {
        Ok(_) => true,
        Err(e) => {
            failed.push(PartError {
                file: MANIFEST.into(),
                error: e.to_string(),
            });
            false
        }
    };
    if let Err(e) = atomic::sync_dir(&opts.out) {
        failed.push(PartError {
            file: opts.out.display().to_string(),
            error: format!("cannot sync the folder: {e}"),
        });
    }
    // Only once the manifest that no longer lists them is in place: the files of tickers
    // this export does not hold.
    let chain_files_removed = match (&chain_entries, manifest_placed) {
        (Some(entries), true) => {
            let keep: std::collections::HashSet<&str> = entries
                .iter()
                .flat_map(|e| [e.name.as_str(), e.gzip.name.as_str()])
                .collect();
            remove_chain_files(&opts.out, &keep).unwrap_or_else(|e| {
                failed.push(PartError {
                    file: format!("{CHAINS_DIR}/"),
                    error: format!("cannot remove the files of tickers no longer exported: {e}"),
                });
                0
            })
        }
        _ => 0,
    };
    let mut archives_removed = 0;
    let mut retention = |r: std::io::Result<u64>| match r {
        Ok(n) => archives_removed += n,
        Err(e) => failed.push(PartError {
            file: "archive/".into(),
            error: format!("retention: {e}"),
        }),
    };
    if opts.archive && opts.keep_days > 0 {
        retention(archive::prune(
            &archive_dir,
            opts.as_of,
            Duration::days(i64::from(opts.keep_days)),
            crate::time::KEEP_LAST,
        ));
    }
    let cap = (opts.archive && opts.keep_bytes > 0).then_some(opts.keep_bytes);
    let mut archive_bytes_total = 0;
    retention(
        archive::prune_bytes(&archive_dir, cap).map(|(removed, total)| {
            archive_bytes_total = total;
            removed
        }),
    );
    for f in &files {
        tracing::info!(
            target: "optctl::event",
            event = "export_written",
            job = "export",
            file = %f.name,
            count = f.count,
            bytes = f.bytes,
            kept_previous = f.kept_previous,
            "export {} written",
            f.name
        );
    }
    Ok(Report {
        export_timestamp: opts.as_of,
        out: opts.out.clone(),
        archived: files.iter().any(|f| f.archived),
        archive_bytes_written: files.iter().map(|f| f.archive_bytes).sum(),
        archive_bytes_total,
        files,
        failed,
        chain_files,
        chain_files_removed,
        archives_removed,
        temp_files_removed,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// Removes the per-ticker chain files (`chains/*.json`, `chains/*.json.gz`) whose names
/// (`chains/AAPL.json`) are not in `keep`. Hidden files (temp files) are left alone.
fn remove_chain_files(out: &Path, keep: &std::collections::HashSet<&str>) -> std::io::Result<u64> {
    let dir = out.join(CHAINS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || !(name.ends_with(".json") || name.ends_with(".json.gz")) {
            continue;
        }
        if keep.contains(format!("{CHAINS_DIR}/{name}").as_str()) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}
