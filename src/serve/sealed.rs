//! Bodies the kernel sends without copying them, so that the socket gets them with
//! `sendfile` (the kernel hands the pages to TCP by reference) instead of a `writev`
//! that copies every byte into the socket's buffer first. For a chain of ~1,000
//! contracts (about 400 KB) that copy was most of the cost of an answer. Two kinds:
//!
//! - an export file itself ([`Sealed::of_export`]), mapped read-only: its pages are the
//!   page cache's, shared with every other reader of the file and given back under
//!   memory pressure, and `sendfile` takes them in batches (from a memory file it looks
//!   each 4 KiB page up on its own: nginx on the same bytes spent 10 µs of CPU an answer
//!   from a disk's page cache and 12–13 µs from tmpfs). optctl never writes an export in
//!   place (a new one is a new file renamed over the old), so the bytes behind an open
//!   descriptor never change; a file edited in place by hand would be sent as it is
//!   then, and one truncated by hand ends the answer early (the connection is closed);
//! - bytes made in memory ([`Sealed::new`]), in a sealed memory file (Linux `memfd`):
//!   the seals (no write, no shrink, no grow) make them immutable for as long as the
//!   file exists.
//!
//! Either way what `sendfile` reads is what the mapping shows and what the ETag names.
//! Hyper still writes the response; [`Sealed::bytes`] is the body it is given, and the
//! connection's writer (`conn::Io`) recognises a slice of it and sends that part from
//! the file. Anything not recognised (another body, a system without memfd) is written
//! as before.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

/// Most sealed bodies alive at once: each holds a file descriptor, and descriptors are
/// what connections need. Past it, new bodies stay on the heap and are written as before
/// (the default 64 MiB cache holds about 250 bodies of ~1,000-contract chains).
pub(crate) const MAX_SEALED: usize = 1024;

/// Sealed bodies alive now.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Bytes in a file (an export, or a sealed memory file), mapped read-only.
#[derive(Debug)]
pub(crate) struct Sealed {
    fd: std::os::fd::OwnedFd,
    ptr: *const u8,
    len: usize,
    /// An export file's size and change time as mapped ([`Sealed::of_export`]); None for
    /// a sealed memory file, which cannot change.
    stamp: Option<Stamp>,
}

/// What a write in place changes: the size and the modification time (not the change
/// time, which the rename of a new export over the file's name also moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: i64,
    mtime: i64,
    mtime_nsec: i64,
}

// SAFETY: the mapping is read-only and of a file whose bytes do not change while it is
// mapped (sealed against writes and size changes, or an export optctl never rewrites in
// place); they are only read.
unsafe impl Send for Sealed {}
unsafe impl Sync for Sealed {}

impl Sealed {
    /// `bytes` in a new sealed memory file; None where there is none to be had (not
    /// Linux, no memfd, out of memory): the caller keeps the bytes on the heap.
    #[cfg(target_os = "linux")]
    pub(crate) fn new(bytes: &[u8]) -> Option<Arc<Sealed>> {
        if bytes.is_empty() {
            return None;
        }
        if LIVE.fetch_add(1, Ordering::Relaxed) >= MAX_SEALED {
            LIVE.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let made = Self::make(bytes);
        if made.is_none() {
            LIVE.fetch_sub(1, Ordering::Relaxed);
        }
        made
    }

    /// The bytes of `file`, an export file optctl wrote (replaced by rename, never
    /// written in place), which `read` holds: mapped from the file when it still has
    /// exactly those bytes' length; None otherwise, or where there is no mapping to be
    /// had (the caller then uses [`Sealed::new`]).
    #[cfg(target_os = "linux")]
    pub(crate) fn of_export(file: std::fs::File, read: &[u8]) -> Option<Arc<Sealed>> {
        if read.is_empty() || file.metadata().ok()?.len() != read.len() as u64 {
            return None;
        }
        if LIVE.fetch_add(1, Ordering::Relaxed) >= MAX_SEALED {
            LIVE.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let fd: std::os::fd::OwnedFd = file.into();
        let mapped = stamp(&fd).and_then(|st| {
            let mut s = Self::map(fd, read.len())?;
            Arc::get_mut(&mut s)?.stamp = Some(st);
            Some(s)
        });
        if mapped.is_none() {
            LIVE.fetch_sub(1, Ordering::Relaxed);
        }
        mapped
    }

    /// Whether the bytes are still what was read: always for a sealed memory file; for
    /// an export file, whether it was not written in place since (by hand: optctl never
    /// does). One `fstat`.
    pub(crate) fn unchanged(&self) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(st) = self.stamp {
            return stamp(&self.fd) == Some(st);
        }
        true
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn of_export(_file: std::fs::File, _read: &[u8]) -> Option<Arc<Sealed>> {
        None
    }

    /// A read-only shared mapping of the first `len` bytes of `fd`.
    #[cfg(target_os = "linux")]
    fn map(fd: std::os::fd::OwnedFd, len: usize) -> Option<Arc<Sealed>> {
        use std::os::fd::AsRawFd;
        // SAFETY: a read-only shared mapping of `len` bytes of an open file at least
        // that long; the result is checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        Some(Arc::new(Sealed {
            fd,
            ptr: ptr.cast(),
            len,
            stamp: None,
        }))
    }

    #[cfg(target_os = "linux")]
    fn make(bytes: &[u8]) -> Option<Arc<Sealed>> {
        use std::io::Write;
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        // SAFETY: a C string literal and flags; the result is checked.
        let raw = unsafe {
            libc::memfd_create(
                c"optctl-chain".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        if raw < 0 {
            return None;
        }
        // SAFETY: `raw` is a new descriptor this function owns.
        let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(raw) });
        file.write_all(bytes).ok()?;
        let seals =
            libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
        // SAFETY: fcntl on a descriptor we own.
        if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
            return None;
        }
        // The whole file, sealed, so of a fixed size.
        Self::map(file.into(), bytes.len())
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn new(_bytes: &[u8]) -> Option<Arc<Sealed>> {
        None
    }

    /// The bytes, shared without a copy (the returned `Bytes` keeps the file alive).
    pub(crate) fn bytes(self: &Arc<Self>) -> Bytes {
        Bytes::from_owner(Owner(Arc::clone(self)))
    }

    fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes until `drop`, and they never change.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Where `s` starts in these bytes, when it is a non-empty part of them (a slice of
    /// [`Sealed::bytes`] as hyper hands it to the socket).
    pub(crate) fn offset_of(&self, s: &[u8]) -> Option<usize> {
        let start = self.ptr as usize;
        let p = s.as_ptr() as usize;
        (!s.is_empty() && p >= start && p + s.len() <= start + self.len).then(|| p - start)
    }

    /// Sends up to `len` bytes from `offset` to the socket `out` with `sendfile`;
    /// returns how many went (a non-blocking socket takes what its buffer has room for).
    #[cfg(target_os = "linux")]
    pub(crate) fn send_to(
        &self,
        out: std::os::fd::RawFd,
        offset: usize,
        len: usize,
    ) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        let mut off = offset as libc::off_t;
        let len = len.min(self.len.saturating_sub(offset));
        // SAFETY: both descriptors are open; `off` is a valid pointer for the call.
        let n = unsafe { libc::sendfile(out, self.fd.as_raw_fd(), &mut off, len) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
}

/// The file's [`Stamp`] now.
#[cfg(target_os = "linux")]
fn stamp(fd: &std::os::fd::OwnedFd) -> Option<Stamp> {
    use std::os::fd::AsRawFd;
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat on an open descriptor into a buffer of the right type; read only
    // when it succeeded.
    let st = unsafe {
        if libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) != 0 {
            return None;
        }
        st.assume_init()
    };
    Some(Stamp {
        size: st.st_size,
        mtime: st.st_mtime,
        mtime_nsec: st.st_mtime_nsec,
    })
}

impl Drop for Sealed {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: the mapping made in `map`, unmapped once; no slice of it outlives
        // `self` (every `Bytes` of it holds an `Arc` of `self`).
        #[cfg(target_os = "linux")]
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

/// What a [`Sealed::bytes`] holds on to.
struct Owner(Arc<Sealed>);

impl AsRef<[u8]> for Owner {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn the_bytes_are_a_copy_that_cannot_change_and_sendfile_sends_them() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let s = Sealed::new(&data).expect("memfd on Linux");
        let b = s.bytes();
        assert_eq!(b[..], data[..]);
        assert_eq!(s.offset_of(&b[1000..2000]), Some(1000));
        assert_eq!(
            s.offset_of(&data[..10]),
            None,
            "not a slice of the sealed bytes"
        );
        assert_eq!(s.offset_of(&b[5..5]), None, "empty");
        // Sealed: a write to the file is refused.
        let fd = s.fd.as_raw_fd();
        // SAFETY: a write of one byte from a valid buffer to an open descriptor.
        let n = unsafe { libc::pwrite(fd, [0u8].as_ptr().cast(), 1, 0) };
        assert_eq!(n, -1, "a sealed file takes no write");
        // sendfile from an offset sends exactly those bytes.
        let (mut rx, tx) = std::os::unix::net::UnixStream::pair().unwrap();
        let sent = s.send_to(tx.as_raw_fd(), 150_000, 50_000).unwrap();
        assert!(sent > 0 && sent <= 50_000, "{sent}");
        let mut got = vec![0u8; sent];
        std::io::Read::read_exact(&mut rx, &mut got).unwrap();
        assert_eq!(got[..], data[150_000..150_000 + sent]);
        // The bytes outlive the handle they came from.
        drop(s);
        assert_eq!(b[199_999], data[199_999]);
    }

    #[test]
    fn an_export_file_is_sent_as_read_even_once_a_new_one_is_renamed_over_it() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AAPL.json");
        let old: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
        std::fs::write(&path, &old).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        // A read that is not the whole file is not mapped.
        let again = std::fs::File::open(&path).unwrap();
        assert!(Sealed::of_export(again, &read[..1000]).is_none());
        let s = Sealed::of_export(file, &read).expect("a file maps on Linux");
        // The next export writes a new file and renames it over the path.
        let tmp = dir.path().join(".AAPL.json.tmp");
        std::fs::write(&tmp, vec![7u8; 1000]).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let b = s.bytes();
        assert_eq!(b[..], old[..], "the version read, not the new file");
        let (mut rx, tx) = std::os::unix::net::UnixStream::pair().unwrap();
        let sent = s.send_to(tx.as_raw_fd(), 250_000, 50_000).unwrap();
        assert!(sent > 0 && sent <= 50_000, "{sent}");
        let mut got = vec![0u8; sent];
        std::io::Read::read_exact(&mut rx, &mut got).unwrap();
        assert_eq!(got[..], old[250_000..250_000 + sent]);
        assert!(
            s.unchanged(),
            "a rename over the path leaves the file read alone"
        );

        // Written in place (by hand: exports never are), it says so.
        let path = dir.path().join("MSFT.json");
        std::fs::write(&path, &old).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        let s = Sealed::of_export(file, &read).unwrap();
        assert!(s.unchanged());
        std::fs::write(&path, &old[..1000]).unwrap();
        assert!(!s.unchanged(), "truncated and rewritten in place");
        // A memory file never changes.
        assert!(Sealed::new(&old).unwrap().unchanged());
    }
}
