//! Hashing: the only source of randomness. splitmix64 over (seed, ticker bytes,
//! trading-day index, kind tag, index), Box-Muller for normals.

use super::*;

/// Tags keep the streams of different quantities apart.
pub(super) mod tag {
    pub const PARAMS: u64 = 1;
    pub const RETURN: u64 = 2;
    pub const INTRADAY: u64 = 3;
    pub const VOL_LEVEL: u64 = 4;
    pub const IV_JUMP_SIZE: u64 = 5;
    pub const BURST_PICK: u64 = 6;
    pub const SURGE_PICK: u64 = 7;
    pub const OI_STATIC: u64 = 8;
    pub const VOLUME: u64 = 9;
    pub const LAST: u64 = 10;
    pub const FAILURE: u64 = 11;
    pub const BAR_WICK: u64 = 12;
    pub const BAR_VOLUME: u64 = 13;
    pub const BAR_FAULT: u64 = 14;
    pub const BAR_MINUTE: u64 = 15;
    /// Plus the kind's index.
    pub const ANOMALY: u64 = 16;
}

pub(super) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's output function (Steele, Lea, Flood 2014): a bijection with good avalanche,
/// so chaining it over the parts of a key gives independent-looking streams.
pub(super) fn splitmix64(z: u64) -> u64 {
    let mut z = z.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn ticker_key(seed: u64, ticker: &str) -> u64 {
    ticker
        .bytes()
        .fold(splitmix64(seed), |h, b| splitmix64(h ^ u64::from(b)))
}

pub(super) fn hash(key: u64, tag: u64, day: i64, index: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(key ^ tag.wrapping_mul(GOLDEN)) ^ day as u64) ^ index)
}

/// Uniform in [0, 1) from the top 53 bits.
pub(super) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Standard normal by Box-Muller, clamped to +-5 so that one unlucky hash cannot produce
/// a 9-sigma day.
pub(super) fn normal(h: u64) -> f64 {
    let u1 = 1.0 - unit(h); // (0, 1], so ln is finite
    let u2 = unit(splitmix64(h));
    ((-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()).clamp(-5.0, 5.0)
}
