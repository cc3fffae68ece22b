//! Retry with exponential backoff and jitter, honouring a server's Retry-After. The loop
//! itself is backon's; this module adds the policy as config and the rule of which errors
//! are worth another try ([`Retryable`]).

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable as _};
use serde::{Deserialize, Serialize};

use crate::provider;

/// How to retry: `[resilience.retry]` in the config, per provider in
/// `[resilience.providers.NAME.retry]`.
///
/// The n-th retry waits `initial_delay_ms * multiplier^(n-1)`, at most `max_delay_ms`;
/// with `jitter` a random 0-100% of that delay is added on top, so clients that failed
/// together do not retry together. A rate-limited answer's Retry-After is waited instead
/// when it is longer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Delay before the first retry, milliseconds.
    pub initial_delay_ms: u64,
    /// Each delay is the previous one times this (at least 1).
    pub multiplier: f64,
    /// Longest delay between two tries (before jitter), milliseconds.
    pub max_delay_ms: u64,
    /// Tries in all, the first included: 1 never retries, 4 retries three times.
    pub max_attempts: u32,
    /// Add a random 0-100% of each delay.
    pub jitter: bool,
    /// A Retry-After longer than this gives up at once instead of waiting, milliseconds.
    pub max_retry_after_ms: u64,
    /// Seeds the jitter (tests); None draws a random seed.
    #[serde(skip)]
    pub jitter_seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_delay_ms: 500,
            multiplier: 2.0,
            max_delay_ms: 30_000,
            max_attempts: 4,
            jitter: true,
            max_retry_after_ms: 60_000,
            jitter_seed: None,
        }
    }
}

impl RetryPolicy {
    /// Checks the values; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.multiplier.is_finite() && self.multiplier >= 1.0) {
            return Err(format!(
                "multiplier: must be 1 or more, got {}",
                self.multiplier
            ));
        }
        if self.max_attempts == 0 {
            return Err("max_attempts: must be at least 1 (the first try)".into());
        }
        if self.max_delay_ms < self.initial_delay_ms {
            return Err(format!(
                "max_delay_ms: {} is below initial_delay_ms {}",
                self.max_delay_ms, self.initial_delay_ms
            ));
        }
        Ok(())
    }

    /// The wait after the `attempt`-th failed try (1-based), or None when `max_attempts`
    /// tries are used up: the schedule [`retry`] follows, for callers that keep their
    /// attempts between processes (the notification outbox stores each message's).
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let d = self
            .backoff()
            .build()
            .nth(attempt.saturating_sub(1) as usize)?;
        // backon computes delays in f32; whole milliseconds are what a person reads.
        Some(Duration::from_millis(
            (d.as_secs_f64() * 1000.0).round() as u64
        ))
    }

    fn backoff(&self) -> ExponentialBuilder {
        let mut b = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(self.initial_delay_ms))
            .with_max_delay(Duration::from_millis(self.max_delay_ms))
            .with_factor(self.multiplier as f32)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize);
        if self.jitter {
            b = b.with_jitter();
            if let Some(seed) = self.jitter_seed {
                b = b.with_jitter_seed(seed);
            }
        }
        b
    }
}

/// An error that knows whether another try can help, and how long the other side asked
/// us to wait.
pub trait Retryable {
    /// Whether the same call may succeed if tried again later.
    fn is_retryable(&self) -> bool;
    /// The wait the other side asked for (HTTP 429 or 503 Retry-After), if any.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

impl Retryable for provider::Error {
    fn is_retryable(&self) -> bool {
        provider::Error::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            provider::Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Runs `op` until it succeeds, fails with an error that is not retryable, or the policy
/// gives up; returns the last result.
pub async fn retry<T, E, F, Fut>(policy: &RetryPolicy, op: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Retryable,
{
    retry_notify(policy, op, |_, _| {}).await
}

/// [`retry`], calling `notify(error, delay)` before each wait (for logs and job status).
pub async fn retry_notify<T, E, F, Fut, N>(policy: &RetryPolicy, op: F, notify: N) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Retryable,
    N: FnMut(&E, Duration),
{
    let max_after = Duration::from_millis(policy.max_retry_after_ms);
    op.retry(policy.backoff())
        .when(|e: &E| e.is_retryable())
        .adjust(move |e: &E, next: Option<Duration>| {
            // `next` is None once the attempts are used up: give up whatever the server said.
            // backon computes delays in f32; whole milliseconds are what a person reads.
            let next = Duration::from_millis((next?.as_secs_f64() * 1000.0).round() as u64);
            match e.retry_after() {
                Some(after) if after > max_after => None,
                Some(after) => Some(next.max(after)),
                None => Some(next),
            }
        })
        .notify(notify)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::time::Instant;

    fn unavailable() -> provider::Error {
        provider::Error::Unavailable {
            provider: "sim".into(),
            symbol: "AAPL".into(),
            detail: "timeout".into(),
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            initial_delay_ms: 100,
            multiplier: 2.0,
            max_delay_ms: 1_000,
            max_attempts: 4,
            jitter: false,
            max_retry_after_ms: 10_000,
            jitter_seed: None,
        }
    }

    /// Runs `op` under `policy`, returning the result and the instants (from the start)
    /// at which each attempt began.
    async fn timed(
        policy: &RetryPolicy,
        mut answers: Vec<Result<u32, provider::Error>>,
    ) -> (Result<u32, provider::Error>, Vec<Duration>) {
        let start = Instant::now();
        answers.reverse();
        let answers = Mutex::new(answers);
        let times = Mutex::new(Vec::new());
        let r = retry(policy, || async {
            times.lock().unwrap().push(start.elapsed());
            answers
                .lock()
                .unwrap()
                .pop()
                .unwrap_or_else(|| Err(unavailable()))
        })
        .await;
        (r, times.into_inner().unwrap())
    }

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn backs_off_exponentially_then_gives_up_with_the_last_error() {
        let (r, times) = timed(&policy(), vec![]).await;
        assert!(matches!(r, Err(provider::Error::Unavailable { .. })));
        // 4 attempts: waits of 100, 200, 400 ms between them.
        assert_eq!(times, ms(&[0, 100, 300, 700]));
    }

    #[tokio::test(start_paused = true)]
    async fn delays_stop_growing_at_max_delay() {
        let p = RetryPolicy {
            max_attempts: 6,
            max_delay_ms: 300,
            ..policy()
        };
        let (_, times) = timed(&p, vec![]).await;
        assert_eq!(times, ms(&[0, 100, 300, 600, 900, 1200]));
    }

    #[tokio::test(start_paused = true)]
    async fn succeeds_on_a_later_attempt() {
        let (r, times) = timed(&policy(), vec![Err(unavailable()), Ok(7)]).await;
        assert_eq!(r.unwrap(), 7);
        assert_eq!(times, ms(&[0, 100]));
    }

    #[tokio::test(start_paused = true)]
    async fn errors_that_cannot_heal_are_not_retried() {
        let bad = provider::Error::UnknownSymbol {
            provider: "sim".into(),
            symbol: "ZZZ".into(),
        };
        let (r, times) = timed(&policy(), vec![Err(bad)]).await;
        assert!(matches!(r, Err(provider::Error::UnknownSymbol { .. })));
        assert_eq!(times.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_when_longer_than_the_backoff() {
        let limited = |secs| provider::Error::RateLimited {
            provider: "sim".into(),
            symbol: "AAPL".into(),
            retry_after: Some(Duration::from_secs(secs)),
        };
        let (r, times) = timed(&policy(), vec![Err(limited(3)), Err(unavailable()), Ok(1)]).await;
        assert_eq!(r.unwrap(), 1);
        // 3 s as asked instead of 100 ms, then the backoff's 200 ms.
        assert_eq!(times, ms(&[0, 3_000, 3_200]));
        // A Retry-After past max_retry_after_ms gives up at once.
        let (r, times) = timed(&policy(), vec![Err(limited(3_600)), Ok(1)]).await;
        assert!(matches!(r, Err(provider::Error::RateLimited { .. })));
        assert_eq!(times.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn jitter_adds_up_to_one_delay_and_varies() {
        let mut seen = Vec::new();
        for seed in 0..8 {
            let p = RetryPolicy {
                jitter: true,
                jitter_seed: Some(seed),
                ..policy()
            };
            let (_, times) = timed(&p, vec![]).await;
            let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
            for (gap, base) in gaps.iter().zip([100u64, 200, 400]) {
                let base = Duration::from_millis(base);
                assert!(*gap >= base && *gap < base * 2, "{gap:?} vs {base:?}");
            }
            seen.push(gaps[0]);
        }
        seen.sort();
        seen.dedup();
        assert!(seen.len() > 4, "jitter should vary with the seed: {seen:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn notify_sees_each_wait() {
        let waits = Mutex::new(Vec::new());
        let r: Result<(), _> = retry_notify(
            &policy(),
            || async { Err(unavailable()) },
            |e: &provider::Error, d| {
                assert!(e.is_retryable());
                waits.lock().unwrap().push(d);
            },
        )
        .await;
        assert!(r.is_err());
        assert_eq!(waits.into_inner().unwrap(), ms(&[100, 200, 400]));
    }

    #[test]
    fn delay_after_follows_the_same_schedule() {
        let p = policy();
        let delays: Vec<Option<u64>> = (1..=4)
            .map(|n| p.delay_after(n).map(|d| d.as_millis() as u64))
            .collect();
        assert_eq!(delays, [Some(100), Some(200), Some(400), None]);
        let j = RetryPolicy {
            jitter: true,
            jitter_seed: Some(7),
            ..policy()
        };
        let d = j.delay_after(2).unwrap();
        assert!(d >= Duration::from_millis(200) && d < Duration::from_millis(400));
        assert_eq!(j.delay_after(2), Some(d), "a seed gives one schedule");
    }

    #[test]
    fn bad_policies_name_the_field() {
        let p = RetryPolicy {
            multiplier: 0.5,
            ..policy()
        };
        assert!(p.validate().unwrap_err().starts_with("multiplier"));
        let p = RetryPolicy {
            max_attempts: 0,
            ..policy()
        };
        assert!(p.validate().unwrap_err().starts_with("max_attempts"));
        RetryPolicy::default().validate().unwrap();
    }
}
