//! Option maths: Black-Scholes-Merton prices and greeks (`bsm`), implied volatility (`iv`)
//! and the per-contract and CSV batch calculations behind `optctl quant iv` (`calc`); and
//! technical indicators over bars (`indicators`).
//! Pure functions, no I/O beyond the reader and writer `calc` is handed; `scan` and
//! `optctl quant` both call them.

pub mod bsm;
pub mod calc;
pub mod indicators;
pub mod iv;

pub use bsm::{Greeks, Inputs};
pub use iv::{IvError, implied_vol};
