//! How long a failed message waits before its next attempt, and how fast a channel may
//! send. The two functions the drain calls, kept apart so the shared resilience layer
//! (`crate::resilience`) can take them over without the drain changing.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::channel::Channel;

/// The first retry waits this long; each further one twice as long.
const FIRST_DELAY: Duration = Duration::from_secs(30);
/// No retry waits longer than this (unless the receiver asks with Retry-After).
const MAX_DELAY: Duration = Duration::from_secs(3600);
/// A Retry-After longer than this is capped: a receiver's typo must not park a message
/// for a month.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The wait after the `attempt`-th failed attempt (1-based) of the message `key`:
/// exponential from 30 s, doubling, at most an hour, with ±20% jitter so that many
/// channels failing together do not retry in lockstep. The jitter is derived from the
/// key and attempt, so a given message's schedule is reproducible.
pub fn retry_delay(attempt: u32, key: &str) -> Duration {
    let exp = FIRST_DELAY.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let base = exp.min(MAX_DELAY);
    // FNV-1a over key and attempt: a cheap, stable spread in [-0.2, 0.2].
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(attempt.to_le_bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let unit = (h % 10_001) as f64 / 10_000.0; // 0..=1
    base.mul_f64(0.8 + 0.4 * unit)
}

/// Per-channel token buckets: `burst` messages at once, refilled at `rate_per_minute`.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: HashMap<String, (f64, Instant)>,
}

impl Limiter {
    /// Takes one message's token for `ch`, or says how long until one is free.
    pub fn acquire(&mut self, ch: &Channel) -> Result<(), Duration> {
        if ch.rate_per_minute <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let burst = ch.burst.max(1) as f64;
        let per_sec = ch.rate_per_minute / 60.0;
        let (tokens, at) = self.buckets.entry(ch.name.clone()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_sec))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        for attempt in 1..=12 {
            let nominal = (30.0 * 2f64.powi(attempt as i32 - 1)).min(3600.0);
            let d = retry_delay(attempt, "alert-1").as_secs_f64();
            assert!(
                d >= nominal * 0.8 - 1e-9 && d <= nominal * 1.2 + 1e-9,
                "attempt {attempt}: {d} vs {nominal}"
            );
        }
        assert_eq!(retry_delay(3, "alert-9"), retry_delay(3, "alert-9"));
        assert_ne!(retry_delay(3, "alert-9"), retry_delay(3, "alert-10"));
    }
}
