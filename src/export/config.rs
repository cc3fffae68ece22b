//! `[export]`: what `optctl export` writes and how long archives are kept.

use serde::{Deserialize, Serialize};

use crate::time::Span;

/// Settings of `optctl export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportConfig {
    /// Alerts created within this span before the export (`24h`, `90m`, `7d`).
    pub alerts_since: Span,
    /// At most this many alerts, newest first.
    pub alerts_limit: u64,
    /// At most this many scans, newest first.
    pub scans_limit: u64,
    /// Keep a timestamped copy of every export under `exports/archive/`.
    pub archive: bool,
    /// Gzip the archive copies (default); uncompressed archives are hard links.
    pub compress: bool,
    /// Delete archives this many days older than the file's newest earlier archive (or
    /// the export's `as_of`, if earlier), except its newest [`crate::time::KEEP_LAST`]
    /// (0 keeps all).
    pub keep_days: u32,
    /// Delete the oldest archives while `exports/archive/` holds more than this many
    /// bytes, except each file's newest (0: no size cap).
    pub keep_bytes: u64,
}

/// The default size cap of `exports/archive/`: 2 GB.
pub const DEFAULT_KEEP_BYTES: u64 = 2_000_000_000;

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig {
            alerts_since: "24h".parse().expect("24h is a span"),
            alerts_limit: 500,
            scans_limit: 100,
            archive: true,
            compress: true,
            keep_days: 30,
            keep_bytes: DEFAULT_KEEP_BYTES,
        }
    }
}
