//! Option maths: Black-Scholes-Merton prices and greeks (`bsm`) and implied volatility
//! (`iv`). Pure functions, no I/O; `scan` and `optctl quant` both call them.

pub mod bsm;

pub use bsm::{Greeks, Inputs};
