//! The log file (`[log] file`, `--log-file`): appended to by every optctl process that
//! names it, rotated by size.
//!
//! Several cron jobs may log to the same file at once, so:
//!
//! - **Line-atomic appends.** The file is opened `O_APPEND` and each log record (one
//!   line) goes out in one `write(2)`: lines from two processes interleave whole, never
//!   mixed inside a line.
//! - **One rotation at a time, and only of a file that is still full.** Before a write,
//!   a process whose file has reached `max_bytes` takes an exclusive lock on
//!   `<file>.lock`, and under it looks at the file *by its path* again: if it is still
//!   at or over `max_bytes` it shifts `<file>.1` … `<file>.<keep-1>` up by one (the
//!   oldest, `<file>.<keep>`, is replaced) and renames `<file>` to `<file>.1`; if another
//!   process rotated first, it only reopens `<file>`. So two processes that see a full
//!   file together rotate once, and no rotated file is lost.
//! - **Nothing lost in between.** A process that still holds the old file open after
//!   another one rotated appends its line to it (now `<file>.1`), then notices that the
//!   path names a new file and reopens it. A rotated file may so end a few lines past
//!   `max_bytes`; no line is lost or split.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Rotate when the file reaches this size, by default (10 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Rotated files kept, by default (`<file>.1` … `<file>.5`).
pub const DEFAULT_KEEP: u32 = 5;

/// A log file rotated by size; `&LogFile` is an [`io::Write`] that several threads
/// (and processes) can share.
///
/// The file (and its folder) is opened at the first line, so a command that logs nothing
/// creates nothing. A line that cannot be written to the file goes to stderr instead,
/// after one warning saying why.
#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    lock_path: PathBuf,
    max_bytes: u64,
    keep: u32,
    file: Mutex<Option<File>>,
    warned: std::sync::atomic::AtomicBool,
}

impl LogFile {
    /// A log file at `path`, rotated once it reaches `max_bytes`, keeping `keep` rotated
    /// files. Touches nothing until the first line.
    pub fn new(path: &Path, max_bytes: u64, keep: u32) -> LogFile {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        LogFile {
            path: path.to_path_buf(),
            lock_path: PathBuf::from(lock_path),
            max_bytes: max_bytes.max(1),
            keep,
            file: Mutex::new(None),
            warned: Default::default(),
        }
    }

    /// `<file>.<n>`.
    pub fn rotated(path: &Path, n: u32) -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(format!(".{n}"));
        PathBuf::from(p)
    }

    /// Appends one record in one `write(2)`, rotating first if the file is full.
    fn append(&self, buf: &[u8]) -> io::Result<()> {
        let mut slot = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let file = match &mut *slot {
            Some(f) => f,
            None => {
                if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                slot.insert(open_append(&self.path)?)
            }
        };
        // Another process rotated: the path names a new file; follow it.
        let ours = file.metadata()?;
        match std::fs::metadata(&self.path) {
            Ok(m) if m.ino() == ours.ino() && m.dev() == ours.dev() => {
                if ours.len() >= self.max_bytes {
                    *file = self.rotate()?;
                }
            }
            _ => *file = self.reopen_or_rotate()?,
        }
        // O_APPEND + one write: the line lands whole at the end, whoever else appends.
        // A regular file takes the whole buffer in one write; the loop is for the odd
        // short write (a full disk), never reached otherwise.
        let mut rest = buf;
        while !rest.is_empty() {
            let n = file.write(rest)?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            rest = &rest[n..];
        }
        Ok(())
    }

    /// The file at the path, rotated first if it is (still) full.
    fn reopen_or_rotate(&self) -> io::Result<File> {
        let file = open_append(&self.path)?;
        if file.metadata()?.len() >= self.max_bytes {
            return self.rotate();
        }
        Ok(file)
    }

    /// Rotates under `<file>.lock` if the file at the path is still full, and returns
    /// the file now at the path.
    fn rotate(&self) -> io::Result<File> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)?;
        lock.lock()?;
        let still_full = std::fs::metadata(&self.path).is_ok_and(|m| m.len() >= self.max_bytes);
        if still_full {
            if self.keep == 0 {
                std::fs::remove_file(&self.path)?;
            } else {
                for n in (1..self.keep).rev() {
                    let from = Self::rotated(&self.path, n);
                    if from.exists() {
                        std::fs::rename(&from, Self::rotated(&self.path, n + 1))?;
                    }
                }
                std::fs::rename(&self.path, Self::rotated(&self.path, 1))?;
            }
        }
        let file = open_append(&self.path);
        drop(lock); // unlocks
        file
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Write for &LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Err(e) = self.append(buf) {
            use std::sync::atomic::Ordering;
            let mut err = io::stderr().lock();
            if !self.warned.swap(true, Ordering::Relaxed) {
                let _ = writeln!(
                    err,
                    "optctl: warning: cannot write the log file {}: {e}; logging to stderr",
                    self.path.display()
                );
            }
            err.write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn rotates_at_the_size_cap_and_keeps_only_keep_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/optctl.log");
        let log = LogFile::new(&path, 100, 2);
        // 50 lines of 20 bytes: five files' worth.
        for i in 0..50 {
            (&log)
                .write_all(format!("line {i:04} xxxxxxxxx\n").as_bytes())
                .unwrap();
        }
        assert!(LogFile::rotated(&path, 1).exists());
        assert!(LogFile::rotated(&path, 2).exists());
        assert!(!LogFile::rotated(&path, 3).exists(), "keep = 2");
        for p in [
            path.clone(),
            LogFile::rotated(&path, 1),
            LogFile::rotated(&path, 2),
        ] {
            let len = std::fs::metadata(&p).unwrap().len();
            assert!(len <= 100, "{p:?} is {len} bytes");
        }
        // The newest lines, in order, across .2, .1 and the file.
        let mut all = lines(&LogFile::rotated(&path, 2));
        all.extend(lines(&LogFile::rotated(&path, 1)));
        all.extend(lines(&path));
        let want: Vec<String> = (50 - all.len()..50)
            .map(|i| format!("line {i:04} xxxxxxxxx"))
            .collect();
        assert_eq!(all, want);
        assert_eq!(all.len(), 15, "three files of five lines");
    }

    #[test]
    fn two_writers_on_one_file_rotate_once_and_lose_no_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("optctl.log");
        // Two independent LogFiles: as two processes, each with its own descriptor.
        let a = LogFile::new(&path, 2_000, 100);
        let b = LogFile::new(&path, 2_000, 100);
        std::thread::scope(|s| {
            for (name, log) in [("a", &a), ("b", &b)] {
                s.spawn(move || {
                    for i in 0..1_000 {
                        let line = format!("{name} {i:05} {}\n", "x".repeat(30));
                        (&*log).write_all(line.as_bytes()).unwrap();
                    }
                });
            }
        });
        let mut all = lines(&path);
        let mut n = 1;
        while LogFile::rotated(&path, n).exists() {
            let rotated = LogFile::rotated(&path, n);
            let len = std::fs::metadata(&rotated).unwrap().len();
            // A full file, plus at most a few lines the other writer appended to it
            // before it noticed the rotation.
            assert!((2_000..2_000 + 40 * 8).contains(&len), "{rotated:?}: {len}");
            all.extend(lines(&rotated));
            n += 1;
        }
        assert!(n > 10, "rotated {} times", n - 1);
        for name in ["a", "b"] {
            let mut got: Vec<u32> = all
                .iter()
                .filter(|l| l.starts_with(name))
                .map(|l| {
                    assert_eq!(l.len(), 38, "a whole line: {l:?}");
                    l[2..7].parse().unwrap()
                })
                .collect();
            got.sort();
            assert_eq!(got, (0..1_000).collect::<Vec<_>>(), "writer {name}");
        }
    }
}
