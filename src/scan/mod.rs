//! The scan: fetch chains, price them (IV and greeks), compute features, run detectors
//! and store everything, one ticker per transaction.

pub mod config;
pub mod detectors;
pub mod features;
pub mod price;
pub mod run;

pub use config::{DEFAULT_TICKERS, ScanConfig, WatchlistConfig, read_watchlist};

pub use run::{NoProgress, Options, Progress, Report, run};
