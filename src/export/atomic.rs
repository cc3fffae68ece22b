//! Atomic file replacement: write a temp file in the target's folder, fsync it, rename it
//! over the target, fsync the folder. A reader at any instant opens the old file or the
//! new one, never a mix, and a crash leaves the old file in place.
//!
//! The steps can be split so several files change together: [`AtomicFile::finish`] each
//! one (written and synced, still hidden), then [`Ready::persist`] them one after the
//! other (renames only) and [`sync_dir`] once. A process killed before the renames
//! leaves its temp files (`.<target>.<random>.tmp`); [`remove_stale`] clears them.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tempfile::{NamedTempFile, TempPath};

/// A file being written; becomes visible at `target` only on [`AtomicFile::commit`].
/// Dropping it without committing deletes the temp file.
pub struct AtomicFile {
    // The buffer sits outside the hashing layer: serializers make many tiny writes, and
    // the digest is far cheaper on megabyte chunks than on every token.
    out: BufWriter<Hashed>,
    target: PathBuf,
}

/// The temp file, hashing and counting what reaches it.
struct Hashed {
    file: NamedTempFile,
    hasher: Sha256,
    bytes: u64,
}

impl Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// What was committed.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
}

impl AtomicFile {
    /// Starts writing `target` (its folder must exist).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file");
        // Hidden and named after the target, so a listing never mistakes it for an export.
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Temp files are private (0600) by default; exports are for other readers too
        // (a web server, a dashboard user), so they get the usual 0644.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder.tempfile_in(dir)?;
        Ok(AtomicFile {
            out: BufWriter::with_capacity(
                1 << 20,
                Hashed {
                    file: tmp,
                    hasher: Sha256::new(),
                    bytes: 0,
                },
            ),
            target: target.to_path_buf(),
        })
    }

    /// Flushes and syncs the temp file; it stays hidden until [`Ready::persist`].
    pub fn finish(self) -> io::Result<Ready> {
        let Hashed {
            file: tmp,
            hasher,
            bytes,
        } = self.out.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        Ok(Ready {
            tmp: tmp.into_temp_path(),
            written: Written {
                path: self.target,
                bytes,
                sha256: hex(&hasher.finalize()),
            },
        })
    }

    /// Flushes, syncs and renames the file into place, then syncs the folder.
    pub fn commit(self) -> io::Result<Written> {
        let written = self.finish()?.persist()?;
        if let Some(dir) = written.path.parent() {
            sync_dir(dir)?;
        }
        Ok(written)
    }
}

/// A finished temp file, synced and not yet in place. Dropping it deletes the temp file.
pub struct Ready {
    tmp: TempPath,
    written: Written,
}

impl Ready {
    /// What the target will hold.
    pub fn written(&self) -> &Written {
        &self.written
    }

    /// The temp file (hidden, in the target's folder).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the file over its target. Durable once its folder is synced
    /// ([`sync_dir`]).
    pub fn persist(self) -> io::Result<Written> {
        self.tmp.persist(&self.written.path).map_err(|e| e.error)?;
        Ok(self.written)
    }
}

/// Syncs a folder, so the renames in it are on disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The target of a temp file name made by [`AtomicFile`]: `.alerts.json.x8Kq2Z.tmp` is
/// `alerts.json`'s.
pub fn temp_target(name: &str) -> Option<&str> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, random) = inner.rsplit_once('.')?;
    (!target.is_empty() && !random.is_empty() && random.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(target)
}

/// Deletes the temp files in `dir` that [`AtomicFile`] left for targets `ours` accepts
/// (a process killed mid-write leaves them; nothing else ever removes them): those last
/// modified more than `older_than` ago, or all of them when `older_than` is `None` (the
/// caller knows no writer is alive). Other files are left alone. Returns how many were
/// removed.
pub fn remove_stale(
    dir: &Path,
    ours: impl Fn(&str) -> bool,
    older_than: Option<Duration>,
) -> io::Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(target) = name.to_str().and_then(temp_target) else {
            continue;
        };
        if !ours(target) {
            continue;
        }
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        if let Some(age) = older_than {
            let modified = meta.modified()?;
            if now.duration_since(modified).unwrap_or_default() <= age {
                continue;
            }
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            // Renamed or removed by its writer meanwhile.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

impl Write for AtomicFile {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "old").unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"abc").unwrap();
        // Not visible before commit.
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        let w = f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abc");
        assert_eq!(w.bytes, 3);
        assert_eq!(
            w.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn dropping_without_commit_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "old").unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn finished_files_appear_only_when_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "old").unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"abc").unwrap();
        let ready = f.finish().unwrap();
        assert_eq!(ready.written().bytes, 3);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        ready.persist().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abc");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn temp_names_and_stale_removal() {
        assert_eq!(temp_target(".chains.json.a1B2c3.tmp"), Some("chains.json"));
        assert_eq!(
            temp_target(".chains-20261123T150000Z.json.gz.Zz9Yy8.tmp"),
            Some("chains-20261123T150000Z.json.gz")
        );
        for other in [
            ".x.tmp",
            "chains.json.a1B2c3.tmp",
            ".keep",
            ".a.json.b-c.tmp",
        ] {
            assert_eq!(temp_target(other), None, "{other}");
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        // A temp file being written now, as a killed writer would leave it.
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"half").unwrap();
        f.flush().unwrap();
        std::fs::write(dir.path().join(".b.json.q1w2e3.tmp"), "x").unwrap();
        std::fs::write(dir.path().join(".notes"), "mine").unwrap();
        let ours = |t: &str| t == "a.json";
        // Fresh files stay while a writer may be alive.
        let minute = Some(Duration::from_secs(60));
        assert_eq!(remove_stale(dir.path(), ours, minute).unwrap(), 0);
        assert_eq!(remove_stale(dir.path(), ours, None).unwrap(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        assert!(f.commit().is_err(), "its temp file is gone");
    }
}
