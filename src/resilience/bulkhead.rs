//! A bulkhead: at most `max_concurrent` calls to a provider at once in this process, each
//! cut off after `timeout_ms`. Callers beyond the bound wait their turn; the wait is not
//! part of a call's timeout. (Across processes the rate limiter is the shared bound.)

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::Error;

/// `[resilience.bulkhead]` in the config, per provider in `[resilience.providers.NAME.bulkhead]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BulkheadConfig {
    /// Calls under way at once.
    pub max_concurrent: usize,
    /// A call still running after this long is abandoned as failed (and may be
    /// retried), milliseconds.
    pub timeout_ms: u64,
}

impl Default for BulkheadConfig {
    fn default() -> Self {
        BulkheadConfig {
            max_concurrent: 10,
            timeout_ms: 30_000,
        }
    }
}

impl BulkheadConfig {
    /// Checks the values; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_concurrent == 0 {
            return Err("max_concurrent: must be at least 1".into());
        }
        if self.timeout_ms == 0 {
            return Err("timeout_ms: must be at least 1".into());
        }
        Ok(())
    }
}

/// Bounds the calls under way and times each one out.
#[derive(Debug)]
pub struct Bulkhead {
    name: String,
    permits: Semaphore,
    max: usize,
    timeout: Duration,
}

impl Bulkhead {
    pub fn new(name: impl Into<String>, cfg: &BulkheadConfig) -> Self {
        let max = cfg.max_concurrent.max(1);
        Bulkhead {
            name: name.into(),
            permits: Semaphore::new(max),
            max,
            timeout: Duration::from_millis(cfg.timeout_ms),
        }
    }

    /// Waits for a place, then runs `call` for at most the timeout: its output, or
    /// [`Error::Timeout`] (the call is dropped, which cancels it).
    pub async fn run<F: Future>(&self, call: F) -> Result<F::Output, Error> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Invalid(format!("{}: bulkhead closed", self.name)))?;
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| Error::Timeout {
                name: self.name.clone(),
                after: self.timeout,
            })
    }

    /// Calls under way now.
    pub fn in_flight(&self) -> usize {
        self.max - self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn at_most_max_concurrent_calls_run_at_once() {
        let b = Arc::new(Bulkhead::new(
            "sim",
            &BulkheadConfig {
                max_concurrent: 2,
                timeout_ms: 10_000,
            },
        ));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (b, now, peak) = (b.clone(), now.clone(), peak.clone());
                tokio::spawn(async move {
                    b.run(async {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        // 6 calls of 100 ms, two at a time: three rounds.
        assert_eq!(start.elapsed(), Duration::from_millis(300));
        assert_eq!(b.in_flight(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_call_times_out_and_frees_its_place() {
        let b = Bulkhead::new(
            "sim",
            &BulkheadConfig {
                max_concurrent: 1,
                timeout_ms: 250,
            },
        );
        let start = tokio::time::Instant::now();
        let slow = b.run(tokio::time::sleep(Duration::from_secs(3600))).await;
        match slow {
            Err(Error::Timeout { after, ref name }) => {
                assert_eq!(after, Duration::from_millis(250));
                assert_eq!(name, "sim");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert_eq!(start.elapsed(), Duration::from_millis(250));
        assert!(
            slow.unwrap_err()
                .to_string()
                .contains("timed out after 250 ms")
        );
        // The place is free again: a quick call goes through.
        assert_eq!(b.run(async { 5 }).await.unwrap(), 5);
    }

    #[test]
    fn bad_configs_name_the_field() {
        let c = BulkheadConfig {
            max_concurrent: 0,
            timeout_ms: 1,
        };
        assert!(c.validate().unwrap_err().starts_with("max_concurrent"));
    }
}
