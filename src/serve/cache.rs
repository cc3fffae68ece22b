//! The export cache: the JSON files `optctl export` writes, parsed and pre-rendered.
//!
//! A watcher thread stats the files every [`POLL`] and reloads only a file whose size,
//! mtime or inode changed. Each load builds a new immutable [`Exports`] value and swaps
//! an `Arc` in, so a request never waits for a reload and always sees one whole version
//! of each file: `export` writes a temp file and renames it, and a reader that opened
//! the old file keeps reading the old file. The hot bodies (`/alerts/latest`,
//! `/scans/latest`, each ticker's features) are rendered here, once per reload. The
//! chains are not loaded whole: the manifest's list of per-ticker chain files is, and
//! each ticker's body is read from its file when asked, into a bounded cache
//! (`serve::chains`). Handlers that read this are in `serve::handlers`.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::chains::{Chain, ChainsView, ManifestChain, Snapshots, lookup_key};
use super::http::Rendered;
use crate::store::alerts::AlertRow;
use crate::store::chains::{ContractRow, ExpiryRow, FeatureRow};
use crate::store::scans::ScanRow;

/// How often the watcher looks for changed files.
pub(crate) const POLL: Duration = Duration::from_millis(250);

/// The export files, by name.
pub(crate) const ALERTS: &str = "alerts.json";
/// The per-ticker chain files (`chains/<TICKER>.json`), listed by the manifest.
pub(crate) const CHAINS: &str = "chains/";
pub(crate) const SCANS: &str = "scans.json";
pub(crate) const FEATURES: &str = "features.json";
pub(crate) const MANIFEST: &str = "manifest.json";

/// What identifies one version of a file: a rename gives a new inode, a rewrite a new
/// size or mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    mtime: Option<SystemTime>,
    ino: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let ino = 0;
        Stamp {
            len: meta.len(),
            mtime: meta.modified().ok(),
            ino,
        }
    }
}

/// One file as loaded: its data, or why there is none.
#[derive(Debug)]
pub(crate) struct Slot<T> {
    stamp: Option<Stamp>,
    /// The last version that parsed. A later version that fails to parse leaves this in
    /// place (and sets `error`): an old answer beats none.
    pub(crate) data: Option<Arc<T>>,
    /// Why the current file is not what `data` holds (missing, unreadable, bad JSON).
    pub(crate) error: Option<String>,
    /// When `data` was loaded.
    pub(crate) loaded_at: Option<DateTime<Utc>>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            stamp: None,
            data: None,
            error: None,
            loaded_at: None,
        }
    }
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot {
            stamp: self.stamp,
            data: self.data.clone(),
            error: self.error.clone(),
            loaded_at: self.loaded_at,
        }
    }
}

/// All export files at one moment. Immutable: a reload builds a new one.
#[derive(Debug, Default, Clone)]
pub(crate) struct Exports {
    /// Which version this is: one more at every reload that changed a file.
    pub(crate) generation: u64,
    pub(crate) alerts: Slot<AlertsView>,
    pub(crate) chains: Slot<ChainsView>,
    pub(crate) scans: Slot<ScansView>,
    pub(crate) features: Slot<FeaturesView>,
    pub(crate) manifest: Slot<ManifestView>,
}

/// The envelope fields every export file has.
pub(crate) trait Exported {
    fn export_timestamp(&self) -> DateTime<Utc>;
}

/// alerts.json, with `/alerts/latest` and each ticker's alerts rendered.
#[derive(Debug)]
pub(crate) struct AlertsView {
    pub(crate) export_timestamp: DateTime<Utc>,
    /// Newest first, as exported.
    pub(crate) alerts: Vec<AlertRow>,
    pub(crate) latest: Arc<Rendered>,
}

/// scans.json with `/scans/latest` and `/scans` rendered.
#[derive(Debug)]
pub(crate) struct ScansView {
    pub(crate) export_timestamp: DateTime<Utc>,
    pub(crate) latest_scan: Option<ScanRow>,
    /// The newest round of sharded scans (`scan --shard K/N` on N hosts): the newest
    /// scan of each part, newest first, when the newest scan is a part; else empty.
    pub(crate) round: Vec<i64>,
    pub(crate) latest: Arc<Rendered>,
    /// Every exported scan, newest first.
    pub(crate) list: Arc<Rendered>,
}

/// features.json: each ticker's latest features, rendered.
#[derive(Debug)]
pub(crate) struct FeaturesView {
    pub(crate) export_timestamp: DateTime<Utc>,
    pub(crate) rendered: HashMap<String, Arc<Rendered>>,
}

/// manifest.json: its timestamp (/health, /metrics) and the per-ticker chain files it
/// lists (None when it lists none: written by an optctl before those files).
#[derive(Debug)]
pub(crate) struct ManifestView {
    pub(crate) export_timestamp: DateTime<Utc>,
    pub(crate) chains: Option<Arc<ChainsView>>,
}

macro_rules! exported {
    ($($t:ty),*) => {$(
        impl Exported for $t {
            fn export_timestamp(&self) -> DateTime<Utc> {
                self.export_timestamp
            }
        }
    )*};
}
exported!(
    AlertsView,
    ChainsView,
    ScansView,
    FeaturesView,
    ManifestView
);

#[derive(Deserialize)]
struct AlertsFile {
    export_timestamp: DateTime<Utc>,
    alerts: Vec<AlertRow>,
}

#[derive(Deserialize)]
struct ScansFile {
    export_timestamp: DateTime<Utc>,
    scans: Vec<ScanRow>,
}

#[derive(Deserialize)]
struct FeaturesFile {
    export_timestamp: DateTime<Utc>,
    features: Vec<FeatureRow>,
}

#[derive(Deserialize)]
struct ManifestFile {
    export_timestamp: DateTime<Utc>,
    #[serde(default)]
    chains: Option<Vec<ManifestChain>>,
}

/// The body of `/alerts/latest` and `/alerts?...`.
#[derive(Serialize)]
pub(crate) struct AlertList<'a> {
    pub(crate) export_timestamp: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scan_id: Option<i64>,
    /// `/alerts/latest` of a sharded round: every part's scan (`scan_id` is the newest).
    #[serde(skip_serializing_if = "<[i64]>::is_empty")]
    pub(crate) scan_ids: &'a [i64],
    pub(crate) alert_count: usize,
    pub(crate) alerts: Vec<&'a AlertRow>,
}

/// The body of `/options/{ticker}/snapshot`.
#[derive(Serialize)]
pub(crate) struct Snapshot<'a> {
    pub(crate) export_timestamp: DateTime<Utc>,
    pub(crate) ticker: &'a str,
    pub(crate) scan_id: i64,
    pub(crate) as_of: DateTime<Utc>,
    pub(crate) spot: f64,
    /// The forwards of the expiries among `contracts`.
    pub(crate) expiries: Vec<&'a ExpiryRow>,
    pub(crate) contract_count: usize,
    pub(crate) contracts: Vec<&'a ContractRow>,
}

impl Chain {
    /// The snapshot body with the contracts `keep` accepts.
    pub(crate) fn snapshot<'a>(
        &'a self,
        export_timestamp: DateTime<Utc>,
        keep: impl Fn(&ContractRow) -> bool,
    ) -> Snapshot<'a> {
        let contracts: Vec<_> = self.contracts.iter().filter(|c| keep(c)).collect();
        let expiries = self
            .expiries
            .iter()
            .filter(|e| contracts.iter().any(|c| c.expiry == e.expiry))
            .collect();
        Snapshot {
            export_timestamp,
            ticker: &self.ticker,
            scan_id: self.scan_id,
            as_of: self.as_of,
            spot: self.spot,
            expiries,
            contract_count: contracts.len(),
            contracts,
        }
    }
}

fn load_alerts(bytes: Vec<u8>) -> serde_json::Result<AlertsView> {
    let f: AlertsFile = serde_json::from_slice(&bytes)?;
    let latest_scan_id = f.alerts.iter().map(|a| a.scan_id).max();
    let latest = Rendered::precompressed(
        &AlertList {
            export_timestamp: f.export_timestamp,
            scan_id: latest_scan_id,
            scan_ids: &[],
            alerts: f
                .alerts
                .iter()
                .filter(|a| Some(a.scan_id) == latest_scan_id)
                .collect(),
            alert_count: 0,
        }
        .counted(),
    );
    Ok(AlertsView {
        export_timestamp: f.export_timestamp,
        alerts: f.alerts,
        latest: Arc::new(latest),
    })
}

impl AlertList<'_> {
    /// Sets `alert_count` from the list.
    pub(crate) fn counted(mut self) -> Self {
        self.alert_count = self.alerts.len();
        self
    }
}

#[derive(Serialize)]
struct LatestScan<'a> {
    export_timestamp: DateTime<Utc>,
    scan: &'a ScanRow,
}

#[derive(Serialize)]
struct LatestFeatures<'a> {
    export_timestamp: DateTime<Utc>,
    features: &'a FeatureRow,
}

/// The body of `/scans`.
#[derive(Serialize)]
struct ScanList<'a> {
    export_timestamp: DateTime<Utc>,
    scan_count: usize,
    scans: &'a [ScanRow],
}

fn load_scans(bytes: Vec<u8>) -> serde_json::Result<ScansView> {
    let mut f: ScansFile = serde_json::from_slice(&bytes)?;
    // Newest first, whatever order the file has.
    f.scans.sort_by_key(|s| std::cmp::Reverse(s.id));
    let list = Arc::new(Rendered::precompressed(&ScanList {
        export_timestamp: f.export_timestamp,
        scan_count: f.scans.len(),
        scans: &f.scans,
    }));
    let round = latest_round(&f.scans);
    let latest_scan = f.scans.into_iter().next();
    let latest = match &latest_scan {
        Some(scan) => Rendered::precompressed(&LatestScan {
            export_timestamp: f.export_timestamp,
            scan,
        }),
        None => Rendered::new(&serde_json::Value::Null),
    };
    Ok(ScansView {
        export_timestamp: f.export_timestamp,
        latest_scan,
        round,
        latest: Arc::new(latest),
        list,
    })
}

/// The newest scan of each part of the newest round, from `scans` newest first: when
/// the newest scan is part K of N, the newest scan of every part k/N up to the first
/// older scan that is whole or split another way (that one, and all before it, belong
/// to an earlier round). Empty when the newest scan is whole.
fn latest_round(scans: &[ScanRow]) -> Vec<i64> {
    let parts = |s: &ScanRow| -> Option<(String, String)> {
        let (k, n) = s.shard.as_deref()?.split_once('/')?;
        Some((k.to_string(), n.to_string()))
    };
    let Some((_, n)) = scans.first().and_then(parts) else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut round = Vec::new();
    for s in scans {
        match parts(s) {
            Some((k, m)) if m == n => {
                if seen.insert(k) {
                    round.push(s.id);
                }
            }
            _ => break,
        }
    }
    round
}

fn load_features(bytes: Vec<u8>) -> serde_json::Result<FeaturesView> {
    let f: FeaturesFile = serde_json::from_slice(&bytes)?;
    let rendered = f
        .features
        .iter()
        .map(|features| {
            let body = LatestFeatures {
                export_timestamp: f.export_timestamp,
                features,
            };
            (lookup_key(&features.ticker), Arc::new(Rendered::new(&body)))
        })
        .collect();
    Ok(FeaturesView {
        export_timestamp: f.export_timestamp,
        rendered,
    })
}

fn load_manifest(bytes: Vec<u8>, exports: &Path) -> serde_json::Result<ManifestView> {
    let f: ManifestFile = serde_json::from_slice(&bytes)?;
    Ok(ManifestView {
        export_timestamp: f.export_timestamp,
        chains: f
            .chains
            .map(|c| Arc::new(ChainsView::new(exports, f.export_timestamp, c))),
    })
}

/// The chains slot as the manifest slot has it: the manifest's list of chain files, or
/// why there is none.
fn chains_slot(m: &Slot<ManifestView>) -> Slot<ChainsView> {
    let data = m.data.as_ref().and_then(|d| d.chains.clone());
    let error = m.error.clone().or_else(|| {
        data.is_none().then(|| {
            format!("{MANIFEST} lists no per-ticker chain files ({CHAINS}); run `optctl export`")
        })
    });
    Slot {
        stamp: m.stamp,
        data,
        error,
        loaded_at: m.loaded_at,
    }
}

/// Refreshes `slot` from `path` if the file changed. Returns whether anything changed.
fn refresh<T>(
    slot: &mut Slot<T>,
    path: &Path,
    parse: impl FnOnce(Vec<u8>) -> serde_json::Result<T>,
) -> bool {
    // Stat the open handle, not the path: the stamp then belongs to the bytes read, even
    // if `export` renames a new version in between.
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let error = if e.kind() == std::io::ErrorKind::NotFound {
                format!("{} is missing; run `optctl export`", path.display())
            } else {
                format!("cannot open {}: {e}", path.display())
            };
            let changed = slot.stamp.is_some() || slot.error.as_deref() != Some(&error);
            // A vanished file keeps its last data: `export` never deletes, so this is an
            // operator's doing, and the old answer is still the best one.
            slot.stamp = None;
            slot.error = Some(error);
            return changed;
        }
    };
    let stamp = match file.metadata() {
        Ok(m) => Stamp::of(&m),
        Err(e) => {
            slot.error = Some(format!("cannot stat {}: {e}", path.display()));
            return true;
        }
    };
    if slot.stamp == Some(stamp) {
        return false;
    }
    slot.stamp = Some(stamp);
    let mut bytes = Vec::with_capacity(stamp.len as usize);
    if let Err(e) = file.read_to_end(&mut bytes) {
        slot.error = Some(format!("cannot read {}: {e}", path.display()));
        return true;
    }
    match parse(bytes) {
        Ok(data) => {
            slot.data = Some(Arc::new(data));
            slot.error = None;
            slot.loaded_at = Some(Utc::now());
        }
        Err(e) => {
            tracing::warn!("{}: {e}; keeping the previous version", path.display());
            slot.error = Some(format!("{}: not a valid export: {e}", path.display()));
        }
    }
    true
}

/// The shared, swappable cache.
pub(crate) struct Cache {
    dir: PathBuf,
    current: RwLock<Arc<Exports>>,
    reloads: std::sync::atomic::AtomicU64,
    /// The chain files' bodies read so far, at most `snapshot_cache_bytes`.
    pub(crate) snapshots: Snapshots,
}

impl Cache {
    /// Loads what is there now (missing files are not an error: the routes say so);
    /// keeps at most `snapshot_bytes` of chain file bodies.
    pub(crate) fn new(dir: PathBuf, snapshot_bytes: usize) -> Cache {
        let cache = Cache {
            dir,
            current: RwLock::new(Arc::new(Exports::default())),
            reloads: Default::default(),
            snapshots: Snapshots::new(snapshot_bytes),
        };
        cache.poll();
        cache
    }

    /// The exports folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current version of every file: an `Arc` clone, no I/O.
    pub(crate) fn get(&self) -> Arc<Exports> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many times a file was (re)loaded.
    pub(crate) fn reloads(&self) -> u64 {
        self.reloads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Checks every file once and swaps in a new version if any changed. Only the
    /// watcher thread calls this (and `new`), so there is one writer.
    pub(crate) fn poll(&self) {
        let mut next = (*self.get()).clone();
        let d = &self.dir;
        let mut changed = 0;
        changed += refresh(&mut next.alerts, &d.join(ALERTS), load_alerts) as u64;
        changed += refresh(&mut next.scans, &d.join(SCANS), load_scans) as u64;
        changed += refresh(&mut next.features, &d.join(FEATURES), load_features) as u64;
        let manifest = refresh(&mut next.manifest, &d.join(MANIFEST), |b| {
            load_manifest(b, d)
        });
        if manifest {
            changed += 1;
            next.chains = chains_slot(&next.manifest);
            // The bodies of the export before go now, not when the cache is full: a
            // reload never holds two exports' chains.
            self.snapshots.retain(next.chains.data.as_deref());
        }
        if changed > 0 {
            next.generation += 1;
            self.reloads
                .fetch_add(changed, std::sync::atomic::Ordering::Relaxed);
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        }
    }

    /// Polls every [`POLL`] until `stop` is set.
    pub(crate) fn watch(&self, stop: &std::sync::atomic::AtomicBool) {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let started = Instant::now();
            self.poll();
            std::thread::sleep(POLL.saturating_sub(started.elapsed()));
        }
    }
}

/// Most filtered answers kept, and most bytes they may hold together.
const FILTERED_ENTRIES: usize = 256;
const FILTERED_BYTES: usize = 64 << 20;

/// Filtered answers (`/alerts?min_score=`, `/options/{t}/snapshot?min_strike=`...) of
/// one version of the exports, rendered once and then shared like the pre-rendered
/// bodies (with their ETag, and a gzip copy made at most once), the least recently
/// used dropped first. Keyed by route and normalized query; emptied when the exports
/// change.
#[derive(Default)]
pub(crate) struct Filtered {
    inner: Mutex<FilteredInner>,
    /// Answers found kept, and rendered anew (`/metrics`).
    pub(crate) hits: std::sync::atomic::AtomicU64,
    pub(crate) misses: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct FilteredInner {
    generation: u64,
    tick: u64,
    bytes: usize,
    entries: HashMap<String, (Arc<Rendered>, u64)>,
}

impl Filtered {
    /// The answer for `key` in exports `generation`, rendered by `render` on a miss.
    pub(crate) fn get_or_render(
        &self,
        generation: u64,
        key: String,
        render: impl FnOnce() -> Rendered,
    ) -> Arc<Rendered> {
        match self.try_get_or_render(generation, key, || {
            Ok::<_, std::convert::Infallible>(render())
        }) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// [`Filtered::get_or_render`] with a render that can fail (nothing is kept then).
    pub(crate) fn try_get_or_render<E>(
        &self,
        generation: u64,
        key: String,
        render: impl FnOnce() -> Result<Rendered, E>,
    ) -> Result<Arc<Rendered>, E> {
        {
            let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            if g.generation != generation {
                g.entries.clear();
                g.bytes = 0;
                g.generation = generation;
            }
            g.tick += 1;
            let tick = g.tick;
            if let Some((r, used)) = g.entries.get_mut(&key) {
                *used = tick;
                self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(Arc::clone(r));
            }
        }
        self.misses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Rendered without the lock: other requests go on meanwhile.
        let r = Arc::new(render()?);
        let size = r.json().len();
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.generation != generation || size > FILTERED_BYTES / 4 {
            return Ok(r);
        }
        while !g.entries.is_empty()
            && (g.entries.len() >= FILTERED_ENTRIES || g.bytes + size > FILTERED_BYTES)
        {
            // A linear scan of at most 256 entries, on a miss only.
            let oldest = g
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest
                && let Some((old, _)) = g.entries.remove(&k)
            {
                g.bytes -= old.json().len();
            }
        }
        g.tick += 1;
        let tick = g.tick;
        if g.entries.insert(key, (Arc::clone(&r), tick)).is_none() {
            g.bytes += size;
        }
        Ok(r)
    }

    /// How many answers are kept now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(tmp, dir.join(name)).unwrap();
    }

    const ALERTS_V1: &str = r#"{"export_timestamp":"2026-11-23T15:00:05Z","alert_count":3,"alerts":[
        {"id":9,"scan_id":3,"ticker":"AAPL","detector_name":"iv_spike","contract":null,"score":60.0,"alert_data":{},"created_at":"2026-11-23T15:00:00Z"},
        {"id":8,"scan_id":3,"ticker":"MSFT","detector_name":"unusual_activity","contract":"MSFT261218C00400000","score":80.0,"alert_data":{"ratio":3},"created_at":"2026-11-23T15:00:00Z"},
        {"id":2,"scan_id":1,"ticker":"AAPL","detector_name":"iv_spike","contract":null,"score":55.0,"alert_data":{},"created_at":"2026-11-23T14:00:00Z"}],"errors":[]}"#;

    #[test]
    fn filtered_answers_are_rendered_once_per_export_version() {
        let f = Filtered::default();
        let renders = std::cell::Cell::new(0);
        let get = |generation, key: &str| {
            f.get_or_render(generation, key.to_string(), || {
                renders.set(renders.get() + 1);
                Rendered::new(&key)
            })
        };
        let a = get(1, "a");
        let again = get(1, "a");
        assert!(Arc::ptr_eq(&a, &again));
        get(1, "b");
        let after_reload = get(2, "a");
        assert!(!Arc::ptr_eq(&a, &after_reload));
        assert_eq!(renders.get(), 3);
        assert_eq!(f.len(), 1, "a new version empties the cache");
        for i in 0..FILTERED_ENTRIES + 10 {
            f.get_or_render(2, format!("k{i}"), || Rendered::new(&i));
        }
        assert_eq!(f.len(), FILTERED_ENTRIES);
    }

    #[test]
    fn loads_reloads_on_change_and_keeps_old_data_on_bad_json() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 1 << 20);
        let e = cache.get();
        assert!(e.alerts.data.is_none());
        assert!(e.alerts.error.as_deref().unwrap().contains("missing"));

        write(dir.path(), ALERTS, ALERTS_V1);
        cache.poll();
        let e = cache.get();
        let alerts = e.alerts.data.as_ref().unwrap();
        let latest: serde_json::Value = serde_json::from_slice(alerts.latest.json()).unwrap();
        assert_eq!(latest["scan_id"], 3);
        assert_eq!(latest["alert_count"], 2);
        assert_eq!(latest["alerts"][1]["ticker"], "MSFT");

        // Unchanged file: no reload, same Arc.
        let before = cache.reloads();
        cache.poll();
        assert_eq!(cache.reloads(), before);
        assert!(Arc::ptr_eq(&e, &cache.get()));

        write(dir.path(), ALERTS, "{\"export_timestamp\": 1");
        cache.poll();
        let e2 = cache.get();
        assert!(
            e2.alerts
                .error
                .as_deref()
                .unwrap()
                .contains("not a valid export")
        );
        assert!(Arc::ptr_eq(
            e2.alerts.data.as_ref().unwrap(),
            e.alerts.data.as_ref().unwrap()
        ));
    }
}
