//! optctl: a command-line toolkit for options traders who run their own data pipelines.
//!
//! The `optctl` binary (`src/main.rs`, `src/cli/`) is a thin layer over this library:
//! each subcommand parses its flags and calls one entry point here.

pub mod config;
pub mod enrich;
pub mod error;
pub mod excel;
pub mod export;
pub mod home;
pub mod lock;
pub mod market;
pub mod monitor;
pub mod notice;
pub mod notify;
pub mod progress;
pub mod provider;
pub mod quant;
pub mod resilience;
pub mod scan;
pub mod scheduler;
pub mod serve;
pub mod store;
pub mod time;

#[cfg(test)]
mod proptests;

pub use error::{Error, Result};
