//! The shared resilience layer applied to notifications: the retry schedule of a message
//! whose send failed (its attempts are kept in the outbox between runs), and each
//! channel's rate limit (a token bucket in the store, shared by every process).

use std::time::Duration;

use super::channel::Channel;
use super::config::OutboxRetry;
use crate::resilience::RateLimiter;

/// The wait after the `attempt`-th failed try (1-based) of the message `key`, or None
/// when its attempts are used up. The jitter is seeded by the key and attempt, so one
/// message's schedule is reproducible while different messages spread out.
pub fn retry_delay(retry: &OutboxRetry, attempt: u32, key: &str) -> Option<Duration> {
    let mut policy = retry.policy();
    // FNV-1a: a cheap, stable seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(attempt.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    policy.jitter_seed = Some(h);
    policy.delay_after(attempt)
}

/// The channel's limiter: its bucket is the store row `notify:<channel>`.
pub fn limiter(ch: &Channel) -> RateLimiter {
    RateLimiter::new(format!("notify:{}", ch.name), ch.rate_limit.limiter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_a_cap_then_gives_up() {
        let r = OutboxRetry::default();
        for attempt in 1..r.max_attempts {
            let nominal = (30.0 * 2f64.powi(attempt as i32 - 1)).min(3600.0);
            let d = retry_delay(&r, attempt, "alert-1").unwrap().as_secs_f64();
            assert!(
                d >= nominal - 1e-3 && d <= 2.0 * nominal + 1e-3,
                "attempt {attempt}: {d} vs {nominal}"
            );
        }
        assert_eq!(retry_delay(&r, r.max_attempts, "alert-1"), None);
        assert_eq!(retry_delay(&r, 3, "alert-9"), retry_delay(&r, 3, "alert-9"));
        let no_jitter = OutboxRetry {
            jitter: false,
            ..OutboxRetry::default()
        };
        assert_eq!(
            retry_delay(&no_jitter, 2, "x"),
            Some(Duration::from_secs(60))
        );
    }
}
