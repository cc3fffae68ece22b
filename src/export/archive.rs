//! Timestamped archive copies of each export under `exports/archive/`, optionally
//! gzipped, and retention by the timestamp in the name (not the file's mtime, so
//! `--as-of` runs are reproducible and a `touch` never keeps a file alive).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::atomic::AtomicFile;

const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The archive name of `file` (`alerts.json`) exported at `at`:
/// `alerts-20261123T150000Z.json`, plus `.gz` when compressed.
pub fn archive_name(file: &str, at: DateTime<Utc>, compress: bool) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, "json"));
    let gz = if compress { ".gz" } else { "" };
    format!("{stem}-{}.{ext}{gz}", at.format(STAMP))
}

/// Puts a copy of `src` into `dir` under its archive name.
///
/// Uncompressed archives are hard links: export files are only ever replaced by rename,
/// never changed in place, so the link keeps exactly the bytes exported at `at` without
/// writing (and fsyncing) a 100 MB chains file twice. Where a link cannot be made (another
/// file system), and for `.gz`, the bytes are copied into a new file atomically.
pub fn archive(src: &Path, dir: &Path, at: DateTime<Utc>, compress: bool) -> io::Result<PathBuf> {
    let name = src
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export.json");
    archive_as(src, name, dir, at, compress)
}

/// [`archive`] of `src` under the archive name of `name`: an export archives its files
/// from their temp files, before they are renamed into place as `name`.
pub fn archive_as(
    src: &Path,
    name: &str,
    dir: &Path,
    at: DateTime<Utc>,
    compress: bool,
) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let target = dir.join(archive_name(name, at, compress));
    if !compress {
        // A re-run at the same --as-of replaces the earlier archive.
        match std::fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if std::fs::hard_link(src, &target).is_ok() {
            return Ok(target);
        }
    }
    let mut input = std::fs::File::open(src)?;
    let mut out = AtomicFile::create(&target)?;
    if compress {
        let mut gz = GzEncoder::new(&mut out, Compression::fast());
        io::copy(&mut input, &mut gz)?;
        gz.finish()?.flush()?;
    } else {
        io::copy(&mut input, &mut out)?;
    }
    out.commit()?;
    Ok(target)
}

/// Parses the timestamp out of an archive file name written by [`archive`].
pub fn stamp_of(name: &str) -> Option<DateTime<Utc>> {
    let stem = name.strip_suffix(".gz").unwrap_or(name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let (_, stamp) = stem.rsplit_once('-')?;
    NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()
        .map(|t| t.and_utc())
}

/// Retention of the archives in `dir` after an export stamped `as_of`: per export file
/// (`alerts.json`, `chains.json`...), deletes its archives stamped more than `keep`
/// before the earlier of `as_of` and that file's newest archive stamped before `as_of`
/// ([`crate::time::retention_cutoff`]), except its `keep_last` newest archives, which are
/// kept however old. So an export dated in the future (or a clock set ahead) never
/// removes the archives before it, and nothing stamped after `as_of` is ever removed.
/// Files without an archive stamp are left alone. Returns how many were removed.
pub fn prune(dir: &Path, as_of: DateTime<Utc>, keep: Duration, keep_last: u32) -> io::Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    // Archives by the export file they copy: (stamp, path), any order.
    let mut by_file: HashMap<String, Vec<(DateTime<Utc>, PathBuf)>> = HashMap::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        if let Some((file, stamp)) = parse_name(name) {
            by_file.entry(file).or_default().push((stamp, entry.path()));
        }
    }
    let mut removed = 0;
    for archives in by_file.values_mut() {
        archives.sort_by_key(|a| std::cmp::Reverse(a.0));
        let newest_before = archives.iter().map(|a| a.0).find(|&t| t < as_of);
        let cutoff = crate::time::retention_cutoff(as_of, newest_before, keep);
        for (stamp, path) in archives.iter().skip(keep_last as usize) {
            if *stamp < cutoff {
                std::fs::remove_file(path)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Size retention of the archives in `dir`: while they hold more than `cap` bytes, deletes
/// the oldest archive (by the stamp in its name), except each export file's newest
/// archive, which always stays (so a cap smaller than one export never deletes the copy
/// just written). Files without an archive stamp are neither counted nor removed.
/// Returns (archives removed, bytes the archives hold afterwards).
pub fn prune_bytes(dir: &Path, cap: Option<u64>) -> io::Result<(u64, u64)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(e),
    };
    // (stamp, file, path, bytes)
    let mut all: Vec<(DateTime<Utc>, String, PathBuf, u64)> = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        if let Some((file, stamp)) = parse_name(name) {
            let meta = entry.metadata()?;
            if meta.is_file() {
                all.push((stamp, file, entry.path(), meta.len()));
            }
        }
    }
    let mut total: u64 = all.iter().map(|a| a.3).sum();
    let Some(cap) = cap else {
        return Ok((0, total));
    };
    let mut newest: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for (stamp, file, _, _) in &all {
        let n = newest.entry(file.as_str()).or_insert(*stamp);
        *n = (*n).max(*stamp);
    }
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| {
        all[a]
            .0
            .cmp(&all[b].0)
            .then_with(|| all[a].2.cmp(&all[b].2))
    });
    let mut removed = 0;
    for i in order {
        if total <= cap {
            break;
        }
        let (stamp, file, path, bytes) = &all[i];
        if newest.get(file.as_str()) == Some(stamp) {
            continue;
        }
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        total -= bytes;
        removed += 1;
    }
    Ok((removed, total))
}

/// The export file an archive name copies (`alerts.json`, with or without `.gz`) and
/// its stamp.
fn parse_name(name: &str) -> Option<(String, DateTime<Utc>)> {
    let stamp = stamp_of(name)?;
    let stem = name.strip_suffix(".gz").unwrap_or(name);
    let (stem, ext) = stem.rsplit_once('.').unwrap_or((stem, ""));
    let (file, _) = stem.rsplit_once('-')?;
    Some((format!("{file}.{ext}"), stamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_round_trip_and_retention_uses_them() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        assert_eq!(
            archive_name("alerts.json", t, false),
            "alerts-20261123T150000Z.json"
        );
        assert_eq!(
            archive_name("chains.json", t, true),
            "chains-20261123T150000Z.json.gz"
        );
        assert_eq!(stamp_of("chains-20261123T150000Z.json.gz"), Some(t));
        assert_eq!(stamp_of("notes.txt"), None);
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "alerts-20261101T000000Z.json",
            "alerts-20261122T000000Z.json",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let removed = prune(dir.path(), t, Duration::days(7), 1).unwrap();
        assert_eq!(removed, 1);
        assert!(dir.path().join("notes.txt").exists());
        assert!(dir.path().join("alerts-20261122T000000Z.json").exists());
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn retention_never_removes_the_newest_archives_or_any_after_as_of() {
        let dir = tempfile::tempdir().unwrap();
        let stamps = ["20261001", "20261002", "20261003", "20261120", "20261123"];
        for day in stamps {
            std::fs::write(dir.path().join(format!("alerts-{day}T150000Z.json")), "x").unwrap();
        }
        std::fs::write(dir.path().join("scans-20261001T150000Z.json.gz"), "x").unwrap();
        let at = |s: &str| crate::time::parse_instant(s).unwrap();
        // An export a year ahead: its 60 days count back from the newest archive before
        // it (2026-11-23), so nothing goes.
        let ahead = at("2027-11-23T15:00:00Z");
        assert_eq!(prune(dir.path(), ahead, Duration::days(60), 3).unwrap(), 0);
        // An export dated back in October, keeping 0 days, removes the one archive
        // before the newest one before it, and nothing stamped after it.
        let back = at("2026-10-03T15:00:00Z");
        assert_eq!(prune(dir.path(), back, Duration::days(0), 3).unwrap(), 1);
        assert!(!dir.path().join("alerts-20261001T150000Z.json").exists());
        // At 2026-11-23 with 10 days: 2026-10-02 and 2026-10-03 are old, but 2026-10-03 is
        // among the three newest alerts archives; the one scans archive is its newest.
        assert!(dir.path().join("alerts-20261002T150000Z.json").exists());
        let now = at("2026-11-23T15:00:00Z");
        assert_eq!(prune(dir.path(), now, Duration::days(10), 3).unwrap(), 1);
        assert_eq!(
            names_in(dir.path()),
            [
                "alerts-20261003T150000Z.json",
                "alerts-20261120T150000Z.json",
                "alerts-20261123T150000Z.json",
                "scans-20261001T150000Z.json.gz",
            ]
        );
    }

    #[test]
    fn the_size_cap_removes_the_oldest_first_and_keeps_each_files_newest() {
        let dir = tempfile::tempdir().unwrap();
        for (name, len) in [
            ("chains-20261120T150000Z.json.gz", 100),
            ("chains-20261121T150000Z.json", 100),
            ("chains-20261122T150000Z.json.gz", 100),
            ("alerts-20261119T150000Z.json.gz", 10),
            ("notes.txt", 1000),
        ] {
            std::fs::write(dir.path().join(name), vec![b'x'; len]).unwrap();
        }
        // No cap: nothing goes, the total counts archives only.
        assert_eq!(prune_bytes(dir.path(), None).unwrap(), (0, 310));
        // 250: the oldest chains archive goes; alerts' only archive is older but its newest.
        assert_eq!(prune_bytes(dir.path(), Some(250)).unwrap(), (1, 210));
        assert!(!dir.path().join("chains-20261120T150000Z.json.gz").exists());
        // A cap below one export keeps each file's newest archive.
        assert_eq!(prune_bytes(dir.path(), Some(1)).unwrap(), (1, 110));
        assert_eq!(
            names_in(dir.path()),
            [
                "alerts-20261119T150000Z.json.gz",
                "chains-20261122T150000Z.json.gz",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn archives_keep_their_bytes_when_the_export_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("alerts.json");
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        std::fs::write(&src, "first").unwrap();
        let a = archive(&src, &dir.path().join("archive"), t, false).unwrap();
        // The next export replaces the file the way every export does: by rename.
        let mut next = AtomicFile::create(&src).unwrap();
        next.write_all(b"second").unwrap();
        next.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(&src).unwrap(), "second");
        // Archiving again at the same time replaces the archive.
        let again = archive(&src, &dir.path().join("archive"), t, false).unwrap();
        assert_eq!(std::fs::read_to_string(again).unwrap(), "second");
    }

    #[test]
    fn compressed_archives_decompress_to_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("scans.json");
        std::fs::write(&src, "{\"scan_count\":0}").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let gz = archive(&src, &dir.path().join("archive"), t, true).unwrap();
        let mut text = String::new();
        io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap()),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "{\"scan_count\":0}");
    }
}
