//! Option maths: Black-Scholes-Merton prices and greeks (`bsm`), implied volatility (`iv`),
//! each expiry's implied forward and discount factor (`forward`), the model per contract
//! (Black-76 or American, `model`)
//! and the per-contract and CSV batch calculations behind `optctl quant iv` (`calc`); and
//! technical indicators over bars (`indicators`).
//! Pure functions, no I/O beyond the reader and writer `calc` is handed; `scan` and
//! `optctl quant` both call them.

pub mod bsm;
pub mod calc;
pub mod forward;
pub mod indicators;
pub mod iv;
pub mod model;

pub use bsm::{Greeks, Inputs};
pub use iv::{IvError, implied_vol};
