//! `[watchlist]` and `[scan]`: what `optctl scan` covers and how it runs, and the
//! watchlist file format.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::market::Symbol;

/// The tickers `optctl scan` covers when no `--tickers` or `--watchlist` is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchlistConfig {
    pub tickers: Vec<Symbol>,
}

impl Default for WatchlistConfig {
    fn default() -> Self {
        WatchlistConfig {
            tickers: DEFAULT_TICKERS
                .iter()
                .map(|s| Symbol::parse(s).expect("the default watchlist parses"))
                .collect(),
        }
    }
}

/// Twenty liquid US optionable names.
pub const DEFAULT_TICKERS: &[&str] = &[
    "SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AMD", "NFLX",
    "JPM", "BAC", "XOM", "DIS", "BA", "INTC", "COIN", "PLTR",
];

/// Settings of `optctl scan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanConfig {
    /// Chains fetched at once.
    pub concurrency: usize,
    /// Daily IV observations needed before IV rank and percentile are reported.
    pub min_iv_observations: usize,
    /// Chain snapshot rows of scans this many days older than the newest earlier scan
    /// (or the scan's `as_of`, if earlier) are deleted after each scan, except each
    /// ticker's newest [`crate::time::KEEP_LAST`]; features and alerts are kept. 0 keeps
    /// everything.
    pub keep_chain_days: u32,
    /// Exit 3 when some tickers failed and the rest were stored (default: exit 0, the
    /// failures named on stderr), as `optctl scan --strict`.
    pub strict: bool,
    /// Scan only the tickers whose own market is in session, and skip the run (exit 0,
    /// reason on stderr) when none is, as `optctl scan --market-hours-only`: NSE's
    /// calendar for the `nse` provider and the simulator's NSE names, NYSE's for the rest.
    pub market_hours_only: bool,
}

impl ScanConfig {
    /// Checks the values a type cannot; messages name the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.concurrency == 0 {
            return Err("scan.concurrency: must be at least 1".into());
        }
        Ok(())
    }
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            concurrency: 16,
            min_iv_observations: 20,
            keep_chain_days: 5,
            strict: false,
            market_hours_only: false,
        }
    }
}

/// Reads a watchlist file: tickers separated by newlines, commas or spaces; `#` starts a
/// comment. Each is a [`Symbol`] (normalised: `brk-b` reads as `BRK.B`); de-duplicates,
/// keeping the first order.
pub fn read_watchlist(path: &Path) -> crate::Result<Vec<Symbol>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::Error::BadInput(format!("cannot read watchlist {}: {e}", path.display()))
    })?;
    let bad = |message: String| {
        crate::Error::BadInput(format!("watchlist {}: {message}", path.display()))
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for t in line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let t = Symbol::parse(t).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.is_empty() {
        return Err(bad("no tickers in the watchlist".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchlist_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.txt");
        std::fs::write(&p, "# mine\naapl, msft\nSPY # index\naapl\n").unwrap();
        assert_eq!(read_watchlist(&p).unwrap(), ["AAPL", "MSFT", "SPY"]);
        std::fs::write(&p, "AAPL\nbad;ticker\n").unwrap();
        let msg = read_watchlist(&p).unwrap_err().to_string();
        assert!(
            msg.contains("line 2") && msg.contains("\"bad;ticker\""),
            "{msg}"
        );
        std::fs::write(&p, "brk-b M&M, BRK.B\n").unwrap();
        assert_eq!(read_watchlist(&p).unwrap(), ["BRK.B", "M&M"]);
    }
}
