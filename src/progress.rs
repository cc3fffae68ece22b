//! Progress callbacks, so the CLI can draw a bar without the library knowing how. Every
//! job that walks a list of tickers or symbols reports through [`Progress`].

/// Progress callbacks, so the CLI can draw a bar without the library knowing how.
pub trait Progress: Send + Sync {
    fn start(&self, _total: u64) {}
    fn advance(&self, _ticker: &str, _ok: bool) {}
    fn finish(&self) {}
}

/// Draws nothing.
pub struct NoProgress;
impl Progress for NoProgress {}
