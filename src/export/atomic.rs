//! Atomic file replacement: write a temp file in the target's folder, fsync it, rename it
//! over the target, fsync the folder. A reader at any instant opens the old file or the
//! new one, never a mix, and a crash leaves the old file in place.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

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

    /// Flushes, syncs and renames the file into place, then syncs the folder.
    pub fn commit(self) -> io::Result<Written> {
        let Hashed {
            file: tmp,
            hasher,
            bytes,
        } = self.out.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        if let Some(dir) = self.target.parent() {
            // The rename is durable only once the folder entry is on disk.
            File::open(dir)?.sync_all()?;
        }
        Ok(Written {
            path: self.target,
            bytes,
            sha256: hex(&hasher.finalize()),
        })
    }
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
}
