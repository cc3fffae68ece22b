//! The per-ticker chain files `optctl export` writes (`exports/chains/<TICKER>.json`
//! and its `.gz`), which `/options/{ticker}/snapshot` answers from: the index the
//! manifest lists ([`ChainsView`], rebuilt when the manifest changes), and a
//! bytes-bounded LRU of the files' bodies ([`Snapshots`]).
//!
//! Memory stays at the cache's cap however long the watchlist: a ticker's body is read
//! from its file on its first request and dropped again when less recently used ones
//! must make room. A new export swaps nothing at once: an entry is valid while its
//! SHA-256 is the one the current manifest lists, and a stale one is dropped when the
//! manifest changes, so a reload never holds two copies of the chains. The rest of the
//! export cache (reload, slots) is in `serve::cache`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::http::{self, Rendered};
use super::sealed::Sealed;
use crate::export::CHAINS_DIR;
use crate::store::chains::{ContractRow, ExpiryRow};

/// The per-ticker chain files of one manifest, by ticker (its lookup key).
#[derive(Debug)]
pub(crate) struct ChainsView {
    /// The manifest's export time.
    pub(crate) export_timestamp: DateTime<Utc>,
    pub(crate) files: HashMap<String, ChainFile>,
    /// `/tickers`: every chain's ticker, spot and size, by ticker.
    pub(crate) tickers: Arc<Rendered>,
    /// The folder the files are in (`exports/chains`).
    dir: PathBuf,
}

/// One ticker's file as the manifest lists it.
#[derive(Debug, Clone)]
pub(crate) struct ChainFile {
    /// `AAPL.json`: made from the ticker's symbol here, never taken from the manifest's
    /// text, so no path in a file can point outside the folder.
    file_name: String,
    sha256: String,
    gzip_sha256: String,
}

/// A `chains` entry of manifest.json (`optctl export` writes them).
#[derive(Debug, Deserialize)]
pub(crate) struct ManifestChain {
    ticker: String,
    sha256: String,
    gzip: ManifestGzip,
    // Written by exports since /tickers is answered from the manifest; an older
    // manifest has none, and the file's head is read for them instead.
    scan_id: Option<i64>,
    as_of: Option<DateTime<Utc>>,
    spot: Option<f64>,
    contract_count: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct ManifestGzip {
    sha256: String,
}

/// One line of `/tickers`.
#[derive(Serialize)]
struct TickerEntry<'a> {
    ticker: &'a str,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    contracts: usize,
}

/// The body of `/tickers`.
#[derive(Serialize)]
struct TickerList<'a> {
    export_timestamp: DateTime<Utc>,
    ticker_count: usize,
    tickers: Vec<TickerEntry<'a>>,
}

/// The head fields of a chain file, for a manifest that does not list them.
#[derive(Deserialize)]
struct Head {
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    contract_count: usize,
}

/// A chain file whole: the body of an unfiltered snapshot (its `contract_count` is
/// counted again when a filter renders it).
#[derive(Deserialize)]
pub(crate) struct ChainDoc {
    pub(crate) export_timestamp: DateTime<Utc>,
    ticker: String,
    scan_id: i64,
    as_of: DateTime<Utc>,
    spot: f64,
    /// Absent from exports written before forwards were stored.
    #[serde(default)]
    expiries: Vec<crate::store::chains::ExpiryRow>,
    contracts: Vec<crate::store::chains::ContractRow>,
}

impl ChainDoc {
    pub(crate) fn into_chain(self) -> Chain {
        Chain {
            ticker: self.ticker,
            scan_id: self.scan_id,
            as_of: self.as_of,
            spot: self.spot,
            expiries: self.expiries,
            contracts: self.contracts,
        }
    }
}

impl ChainsView {
    /// The index of `entries` in the exports folder `exports`. An entry whose ticker is
    /// no symbol in its normal spelling is skipped (export never writes one).
    pub(crate) fn new(
        exports: &Path,
        export_timestamp: DateTime<Utc>,
        entries: Vec<ManifestChain>,
    ) -> ChainsView {
        let dir = exports.join(CHAINS_DIR);
        let mut files = HashMap::with_capacity(entries.len());
        let mut lines = Vec::with_capacity(entries.len());
        for e in &entries {
            let Ok(file_name) = crate::export::chain_file_name(&e.ticker) else {
                tracing::warn!("manifest.json: chain of {:?} skipped: no symbol", e.ticker);
                continue;
            };
            let head = match (e.scan_id, e.as_of, e.spot, e.contract_count) {
                (Some(scan_id), Some(as_of), Some(spot), Some(contract_count)) => Head {
                    scan_id,
                    as_of,
                    spot,
                    contract_count,
                },
                _ => match read_head(&dir.join(&file_name)) {
                    Ok(h) => h,
                    Err(err) => {
                        tracing::warn!("{CHAINS_DIR}/{file_name}: {err}; not in /tickers");
                        continue;
                    }
                },
            };
            lines.push(TickerEntry {
                ticker: &e.ticker,
                scan_id: head.scan_id,
                as_of: head.as_of,
                spot: head.spot,
                contracts: head.contract_count,
            });
            files.insert(
                lookup_key(&e.ticker),
                ChainFile {
                    file_name,
                    sha256: e.sha256.clone(),
                    gzip_sha256: e.gzip.sha256.clone(),
                },
            );
        }
        lines.sort_by(|a, b| a.ticker.cmp(b.ticker));
        let tickers = Arc::new(Rendered::precompressed(&TickerList {
            export_timestamp,
            ticker_count: lines.len(),
            tickers: lines,
        }));
        ChainsView {
            export_timestamp,
            files,
            tickers,
            dir,
        }
    }

    /// The file of `ticker`'s chain, relative to the exports folder (for messages).
    pub(crate) fn shown(&self, file: &ChainFile) -> String {
        format!("{CHAINS_DIR}/{}", file.file_name)
    }
}

/// Reads a chain file's head fields, streaming past its contracts (only for a manifest
/// written before it listed them).
fn read_head(path: &Path) -> std::io::Result<Head> {
    let f = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    Ok(serde_json::from_reader(f)?)
}

/// The bodies of recently asked chain files, at most `cap` bytes together (plain and
/// gzip copies counted), the least recently used dropped first.
///
/// Read-mostly: a hit takes the lock shared and stamps its entry's last use with an
/// atomic tick, so the runtime's threads answering the same ticker never wait on each
/// other; only a miss (a file read) takes it exclusively, to insert and evict.
pub(crate) struct Snapshots {
    cap: usize,
    inner: RwLock<Lru>,
    /// The clock of uses: every hit and insert takes the next tick.
    tick: AtomicU64,
    /// Bodies found in memory, read from their file, and dropped to make room.
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) evictions: AtomicU64,
}

#[derive(Default)]
struct Lru {
    bytes: usize,
    entries: HashMap<String, Entry>,
}

struct Entry {
    sha256: String,
    body: Arc<Rendered>,
    size: usize,
    /// The tick of the last use: the smallest goes first.
    used: AtomicU64,
}

/// Why a chain file could not be answered.
#[derive(Debug)]
pub(crate) struct Unreadable {
    pub(crate) file: String,
    pub(crate) error: std::io::Error,
}

impl Snapshots {
    /// A cache of at most `cap` bytes; 0 keeps nothing (every answer is read from its
    /// file).
    pub(crate) fn new(cap: usize) -> Snapshots {
        Snapshots {
            cap,
            inner: RwLock::default(),
            tick: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Lru> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Lru> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    fn next_tick(&self) -> u64 {
        self.tick.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The body of `key`'s chain file as `view` lists it: from memory when the entry
    /// kept is the listed version, else read from the file (and kept).
    ///
    /// The ETag of a body is the SHA-256 of its bytes, as the manifest gives it, so a
    /// tag always names the bytes it comes with. A file that is not the listed version
    /// (an export renaming its files before its manifest) is answered as read, with a
    /// tag of its own bytes, and not kept.
    pub(crate) fn get(
        &self,
        view: &ChainsView,
        key: &str,
        file: &ChainFile,
    ) -> Result<Arc<Rendered>, Unreadable> {
        if let Some(e) = self.read().entries.get(key)
            && e.sha256 == file.sha256
            && e.body.files_unchanged()
        {
            e.used.store(self.next_tick(), Ordering::Relaxed);
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Arc::clone(&e.body));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let unreadable = |error| Unreadable {
            file: view.shown(file),
            error,
        };
        let path = view.dir.join(&file.file_name);
        let (json, json_file) = read_open(&path).map_err(unreadable)?;
        let sha = crate::export::atomic::hex(&Sha256::digest(&json));
        if sha != file.sha256 {
            return Ok(Arc::new(Rendered::with_tags(json.into(), etag(&sha), None)));
        }
        let gzip = if json.len() >= http::GZIP_MIN_BYTES {
            let gz_path = view.dir.join(format!("{}.gz", file.file_name));
            match read_open(&gz_path) {
                Ok((gz, gz_file)) => {
                    let gz_sha = crate::export::atomic::hex(&Sha256::digest(&gz));
                    if gz_sha == file.gzip_sha256 {
                        Some((gz, Some(gz_file), etag(&gz_sha)))
                    } else {
                        None
                    }
                }
                Err(_) => None,
            }
            // No gzip copy of this version on disk (mid-export, removed by hand):
            // compressed here, once, under a tag of its own.
            .or_else(|| Some((http::gzip(&json), None, format!("\"{}-gz\"", &sha[..32]))))
        } else {
            None
        };
        // Sent with `sendfile`, uncopied (`serve::sealed`): from the export file itself
        // where it can be mapped, else from a sealed memory file, else from the heap.
        let mut sealed = Vec::new();
        let mut seal = |bytes: Vec<u8>, file: Option<std::fs::File>| match file
            .and_then(|f| Sealed::of_export(f, &bytes))
            .or_else(|| Sealed::new(&bytes))
        {
            Some(s) => {
                let b = s.bytes();
                sealed.push(s);
                b
            }
            None => Bytes::from(bytes),
        };
        let json = seal(json, Some(json_file));
        let gzip = gzip.map(|(gz, gz_file, tag)| (seal(gz, gz_file), tag));
        let body = Arc::new(Rendered::with_tags(json, etag(&sha), gzip).in_sealed(sealed));
        self.keep(key, sha, Arc::clone(&body));
        Ok(body)
    }

    /// Keeps `body` under `key`, dropping the least recently used to stay under the cap.
    fn keep(&self, key: &str, sha256: String, body: Arc<Rendered>) {
        let size = body.json().len() + body.gzip().map_or(0, Bytes::len) + key.len() + 64;
        if size > self.cap {
            return;
        }
        let mut g = self.write();
        if let Some(old) = g.entries.remove(key) {
            g.bytes -= old.size;
        }
        // The least recently used go first: a scan of the entries, on a miss only (which
        // has just read and hashed a file, far more work).
        while g.bytes + size > self.cap {
            let Some(oldest) = g
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used.load(Ordering::Relaxed))
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(old) = g.entries.remove(&oldest) {
                g.bytes -= old.size;
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        g.bytes += size;
        g.entries.insert(
            key.to_string(),
            Entry {
                sha256,
                body,
                size,
                used: AtomicU64::new(self.next_tick()),
            },
        );
    }

    /// Drops every entry `view` does not list in the version kept: called when the
    /// manifest changes, so the old export's bodies go at once rather than when the
    /// cache is full.
    pub(crate) fn retain(&self, view: Option<&ChainsView>) {
        let mut g = self.write();
        let stale: Vec<String> = g
            .entries
            .iter()
            .filter(|(k, e)| {
                view.and_then(|v| v.files.get(*k))
                    .is_none_or(|f| f.sha256 != e.sha256)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            if let Some(old) = g.entries.remove(&k) {
                g.bytes -= old.size;
            }
        }
    }

    /// Bytes the kept bodies hold now, by the cache's own count.
    pub(crate) fn bytes(&self) -> usize {
        self.read().bytes
    }

    /// Bodies kept now.
    pub(crate) fn len(&self) -> usize {
        self.read().entries.len()
    }

    /// The most bytes kept (`serve.snapshot_cache_bytes`).
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }
}

/// Makes the allocator map every block of 64 KiB or more on its own, so a body dropped
/// from the cache goes back to the system at once. glibc otherwise raises that
/// threshold to the largest block freed so far (up to 32 MiB), after which bodies come
/// from its heaps and the holes evictions leave there stay resident: the cache's cap
/// would bound what it counts, not the process's memory. Called before the runtime's
/// threads start.
pub(crate) fn map_large_bodies() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, before other threads run.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
    }
}

/// The entity tag of bytes whose SHA-256 is `sha` (hex): its first 128 bits, quoted, as
/// the manifest lists it.
fn etag(sha: &str) -> String {
    format!("\"{}\"", &sha[..32])
}

/// One ticker's chain as exported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Chain {
    pub(crate) ticker: String,
    pub(crate) scan_id: i64,
    pub(crate) as_of: DateTime<Utc>,
    pub(crate) spot: f64,
    /// Absent from exports written before forwards were stored.
    #[serde(default)]
    pub(crate) expiries: Vec<ExpiryRow>,
    pub(crate) contracts: Vec<ContractRow>,
}

/// The key an exported ticker is looked up by: its [`Symbol`](crate::market::Symbol)
/// spelling, which is what serve's paths parse to. Text that is no symbol can never be
/// asked for; it keeps its upper case.
pub(crate) fn lookup_key(ticker: &str) -> String {
    crate::market::Symbol::parse(ticker)
        .map(|s| s.to_string())
        .unwrap_or_else(|_| ticker.to_ascii_uppercase())
}

/// A file's bytes and the file, still open: what is mapped and sent later is the version
/// read here, whatever a later export renames over its path.
fn read_open(path: &Path) -> std::io::Result<(Vec<u8>, std::fs::File)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok((bytes, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `ticker`'s chain file of `n` contracts (and its gzip copy) the way export
    /// does, and returns its manifest entry.
    fn write_chain(exports: &Path, ticker: &str, n: usize, version: u32) -> ManifestChain {
        let dir = exports.join(CHAINS_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        let contracts: Vec<_> = (0..n)
            .map(|i| {
                serde_json::json!({"symbol": format!("{ticker}261218C{i:08}"), "expiry": "2026-12-18",
                    "strike": i as f64, "right": "call", "bid": version, "ask": 1.3, "last": 1.25,
                    "volume": 1200, "open_interest": 800, "iv": 0.31, "delta": 0.4,
                    "gamma": 0.02, "theta": -0.05, "vega": 0.2})
            })
            .collect();
        let doc = serde_json::json!({"export_timestamp": "2026-11-23T15:00:05Z", "ticker": ticker,
            "scan_id": version, "as_of": "2026-11-23T15:00:00Z", "spot": 100.0,
            "contract_count": n, "contracts": contracts});
        let json = serde_json::to_vec(&doc).unwrap();
        let gz = http::gzip(&json);
        // As an export writes them: a new file renamed over the old one.
        for (name, bytes) in [
            (format!("{ticker}.json"), &json),
            (format!("{ticker}.json.gz"), &gz),
        ] {
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, bytes).unwrap();
            std::fs::rename(&tmp, dir.join(name)).unwrap();
        }
        let hex = |b: &[u8]| crate::export::atomic::hex(&Sha256::digest(b));
        serde_json::from_value(serde_json::json!({"ticker": ticker, "sha256": hex(&json),
            "gzip": {"sha256": hex(&gz)}}))
        .unwrap()
    }

    fn view(exports: &Path, entries: Vec<ManifestChain>) -> ChainsView {
        ChainsView::new(exports, "2026-11-23T15:00:05Z".parse().unwrap(), entries)
    }

    #[test]
    fn bodies_are_the_files_tagged_by_their_sha256_and_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let v = view(dir.path(), vec![write_chain(dir.path(), "AAPL", 20, 1)]);
        let cache = Snapshots::new(1 << 20);
        let file = &v.files["AAPL"];
        let a = cache.get(&v, "AAPL", file).unwrap();
        let on_disk = std::fs::read(dir.path().join("chains/AAPL.json")).unwrap();
        assert_eq!(a.json()[..], on_disk[..]);
        assert_eq!(a.etag(), etag(&file.sha256));
        let gz = std::fs::read(dir.path().join("chains/AAPL.json.gz")).unwrap();
        assert_eq!(
            a.gzip().unwrap()[..],
            gz[..],
            "the export's gzip copy, as is"
        );
        assert_eq!(a.gzip_etag(), etag(&file.gzip_sha256));
        let again = cache.get(&v, "AAPL", file).unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        assert_eq!(cache.hits.load(Ordering::Relaxed), 1);
        assert_eq!(cache.misses.load(Ordering::Relaxed), 1);
        // /tickers from the manifest entry's fallback: the file's head.
        let t: serde_json::Value = serde_json::from_slice(v.tickers.json()).unwrap();
        assert_eq!(t["tickers"][0]["contracts"], 20);
        assert_eq!(t["tickers"][0]["scan_id"], 1);
    }

    #[test]
    fn the_cache_stays_under_its_cap_with_more_tickers_than_fit() {
        let dir = tempfile::tempdir().unwrap();
        let tickers: Vec<String> = (0..40).map(|i| format!("T{i:03}")).collect();
        let entries = tickers
            .iter()
            .map(|t| write_chain(dir.path(), t, 50, 1))
            .collect();
        let v = view(dir.path(), entries);
        let one = std::fs::metadata(dir.path().join("chains/T000.json"))
            .unwrap()
            .len() as usize;
        // Room for about five tickers' bodies and their gzip copies.
        let cap = one * 6;
        let cache = Snapshots::new(cap);
        for round in 0..3 {
            for t in &tickers {
                let body = cache.get(&v, t, &v.files[t.as_str()]).unwrap();
                assert!(body.json().len() >= one - 4, "{t}");
                assert!(
                    cache.bytes() <= cap,
                    "round {round}, {t}: {}",
                    cache.bytes()
                );
            }
        }
        assert!(
            cache.len() >= 3 && cache.len() < tickers.len(),
            "{}",
            cache.len()
        );
        assert!(cache.evictions.load(Ordering::Relaxed) > 0);
        // The most recently used stays; the oldest went.
        let hits = cache.hits.load(Ordering::Relaxed);
        cache.get(&v, "T039", &v.files["T039"]).unwrap();
        assert_eq!(cache.hits.load(Ordering::Relaxed), hits + 1);
        cache.get(&v, "T000", &v.files["T000"]).unwrap();
        assert_eq!(cache.hits.load(Ordering::Relaxed), hits + 1);
        // A body bigger than the whole cap is answered, not kept.
        let tiny = Snapshots::new(16);
        tiny.get(&v, "T001", &v.files["T001"]).unwrap();
        assert_eq!((tiny.len(), tiny.bytes()), (0, 0));
    }

    #[test]
    fn a_kept_body_whose_file_was_written_in_place_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let v = view(dir.path(), vec![write_chain(dir.path(), "AAPL", 10, 1)]);
        let cache = Snapshots::new(1 << 20);
        let first = cache.get(&v, "AAPL", &v.files["AAPL"]).unwrap();
        // By hand, in place (an export never does this): other bytes, another length.
        let path = dir.path().join(CHAINS_DIR).join("AAPL.json");
        let edited = br#"{"ticker": "AAPL", "contracts": []}"#;
        std::fs::write(&path, edited).unwrap();
        let again = cache.get(&v, "AAPL", &v.files["AAPL"]).unwrap();
        assert_eq!(&again.json()[..], &edited[..], "what the file holds now");
        assert_ne!(again.etag(), first.etag(), "under a tag of its own bytes");
        assert_eq!(cache.misses.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_new_manifest_drops_stale_bodies_and_a_file_ahead_of_its_manifest_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let old = view(
            dir.path(),
            vec![
                write_chain(dir.path(), "AAPL", 10, 1),
                write_chain(dir.path(), "MSFT", 10, 1),
            ],
        );
        let cache = Snapshots::new(1 << 20);
        cache.get(&old, "AAPL", &old.files["AAPL"]).unwrap();
        cache.get(&old, "MSFT", &old.files["MSFT"]).unwrap();
        // A new export renames AAPL's file in; its manifest is not there yet.
        let new_aapl = write_chain(dir.path(), "AAPL", 10, 2);
        cache.retain(Some(&old));
        assert_eq!(cache.len(), 2, "the manifest did not change");
        // What is kept is the listed version, still answered from memory.
        let kept = cache.get(&old, "AAPL", &old.files["AAPL"]).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(kept.json()).unwrap();
        assert_eq!(doc["scan_id"], 1);
        // Not kept: the file on disk, newer than the manifest, is answered as read,
        // under its own tag, and not kept under the manifest's version.
        let fresh = Snapshots::new(1 << 20);
        let early = fresh.get(&old, "AAPL", &old.files["AAPL"]).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(early.json()).unwrap();
        assert_eq!(doc["scan_id"], 2, "the new file as read");
        let sha = crate::export::atomic::hex(&Sha256::digest(early.json()));
        assert_eq!(early.etag(), etag(&sha), "tagged by its own bytes");
        assert_eq!(fresh.len(), 0);
        // Then the manifest: AAPL's old body goes, MSFT's stays.
        let new = view(
            dir.path(),
            vec![new_aapl, write_chain(dir.path(), "MSFT", 10, 1)],
        );
        cache.retain(Some(&new));
        assert_eq!(cache.len(), 1);
        let before = cache.bytes();
        cache.get(&new, "AAPL", &new.files["AAPL"]).unwrap();
        assert!(cache.bytes() > before);
        cache.retain(None);
        assert_eq!((cache.len(), cache.bytes()), (0, 0));
    }
}
