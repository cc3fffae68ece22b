//! The scan: fetch chains, price them (IV and greeks), compute features, run detectors
//! and store everything, one ticker per transaction.

pub mod check;
pub mod config;
pub mod detectors;
pub mod features;
pub mod gex;
pub mod price;
pub mod run;
pub mod screen;
pub mod shard;
pub mod vendor;
pub mod views;

pub use config::{DEFAULT_TICKERS, PricingConfig, ScanConfig, WatchlistConfig, read_watchlist};

/// The scan rows and statuses the store keeps, as the scan area reports them.
pub use crate::store::alerts::{AlertFilter, AlertRow};
pub use crate::store::chains::{ChainRef, ContractRow, ExpiryRow, FeatureRow};
pub use crate::store::scans::{ScanFilter, ScanRow, ScanStatus};
pub use run::{Options, Report, run};
pub use shard::Shard;
