//! A circuit breaker per provider whose state lives in the store, so a breaker opened by
//! one run is still open for the next process, and concurrent processes share it.
//!
//! Closed: calls go through and their outcomes fill a sliding time window. When the window
//! holds at least `min_calls` calls and the share of failures reaches `failure_rate`, the
//! breaker opens. Open: calls are refused until `open_seconds` have passed. Then it is
//! half-open: up to `half_open_calls` trial calls go through; one failure opens it again,
//! `half_open_calls` successes close it with an empty window. Rows and SQL are in
//! `store::resilience`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Clock, Error};
use crate::store::Store;
use crate::store::resilience::{BreakerRow, BreakerState, BreakerTx};

/// `[resilience.breaker]` in the config, per provider in `[resilience.providers.NAME.breaker]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    /// Share of failed calls in the window that opens the breaker (0.5 = 50%).
    pub failure_rate: f64,
    /// Length of the sliding window, seconds.
    pub window_seconds: u64,
    /// Calls the window must hold before its failure rate can open the breaker.
    pub min_calls: u32,
    /// How long the breaker stays open before it lets trial calls through, seconds.
    pub open_seconds: u64,
    /// Trial calls let through while half-open; that many successes close the breaker.
    pub half_open_calls: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_rate: 0.5,
            window_seconds: 300,
            min_calls: 10,
            open_seconds: 60,
            half_open_calls: 3,
        }
    }
}

impl BreakerConfig {
    /// Checks the values; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.failure_rate > 0.0 && self.failure_rate <= 1.0) {
            return Err(format!(
                "failure_rate: must be above 0 and at most 1, got {}",
                self.failure_rate
            ));
        }
        for (key, v) in [
            ("window_seconds", self.window_seconds),
            ("min_calls", u64::from(self.min_calls)),
            ("half_open_calls", u64::from(self.half_open_calls)),
        ] {
            if v == 0 {
                return Err(format!("{key}: must be at least 1"));
            }
        }
        Ok(())
    }

    fn window(&self) -> Duration {
        Duration::seconds(self.window_seconds.min(i64::MAX as u64 / 1000) as i64)
    }

    fn open_for(&self) -> Duration {
        Duration::seconds(self.open_seconds.min(i64::MAX as u64 / 1000) as i64)
    }
}

/// How a call was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The breaker is closed.
    Normal,
    /// A trial call of a half-open breaker.
    Trial,
}

/// What a finished call says about the provider's health.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    Success,
    /// The provider failed (timeout, 5xx, a malformed answer): counts against it.
    Failure(String),
    /// Says nothing about the provider (an unknown symbol, a rate-limit answer).
    Neutral,
}

/// A change of state caused by a call, for logs.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    /// Closed -> open (or half-open -> open) until the instant.
    Opened { until: DateTime<Utc> },
    /// Open -> half-open: trial calls go through.
    HalfOpened,
    /// Half-open -> closed after enough successful trial calls.
    Closed,
}

/// One named breaker. Holds no state: every decision reads and writes the store in one
/// transaction.
#[derive(Debug, Clone)]
pub struct Breaker {
    name: String,
    cfg: BreakerConfig,
}

impl Breaker {
    pub fn new(name: impl Into<String>, cfg: BreakerConfig) -> Self {
        Breaker {
            name: name.into(),
            cfg,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Asks to make a call now. Refused with [`Error::CircuitOpen`] while the breaker is
    /// open, and with [`Error::TrialsUnderWay`] (retryable) while it is half-open with all
    /// its trial calls under way. The second value says when the call moved the breaker
    /// from open to half-open.
    pub fn check(
        &self,
        store: &mut Store,
        clock: &Clock,
    ) -> Result<(Admission, Option<Transition>), Error> {
        let cfg = &self.cfg;
        let result = store
            .resilience_mut()
            .breaker_transaction(&self.name, clock.now(), |b| {
                // Read the clock inside the transaction: another process may have just
                // written, maybe with a clock ahead of this one.
                let now = shared_now(b, clock)?;
                let r = &mut b.row;
                Ok(match r.state {
                    BreakerState::Closed => Ok((Admission::Normal, None)),
                    BreakerState::Open => {
                        let until = r.open_until.unwrap_or(r.changed_at + cfg.open_for());
                        if now < until {
                            Err(Some(until))
                        } else {
                            half_open(r, now);
                            r.trials_admitted = 1;
                            Ok((Admission::Trial, Some(Transition::HalfOpened)))
                        }
                    }
                    BreakerState::HalfOpen => {
                        if r.trials_admitted < cfg.half_open_calls {
                            r.trials_admitted += 1;
                            Ok((Admission::Trial, None))
                        } else if now - r.changed_at >= cfg.open_for() {
                            // The trial calls never reported back (their process died):
                            // start a new round rather than stay half-open forever.
                            half_open(r, now);
                            r.trials_admitted = 1;
                            Ok((Admission::Trial, None))
                        } else {
                            Err(None)
                        }
                    }
                })
            })?;
        result.map_err(|until| match until {
            Some(until) => Error::CircuitOpen {
                name: self.name.clone(),
                until,
            },
            None => Error::TrialsUnderWay {
                name: self.name.clone(),
            },
        })
    }

    /// Reports how a call let through by [`Breaker::check`] ended.
    pub fn record(
        &self,
        store: &mut Store,
        clock: &Clock,
        admission: Admission,
        outcome: &CallOutcome,
    ) -> Result<Option<Transition>, Error> {
        let cfg = &self.cfg;
        Ok(store
            .resilience_mut()
            .breaker_transaction(&self.name, clock.now(), |b| {
                let now = shared_now(b, clock)?;
                if let CallOutcome::Failure(why) = outcome {
                    b.row.last_failure = Some(why.clone());
                    b.row.last_failure_at = Some(now);
                }
                match (b.row.state, admission, outcome) {
                    (BreakerState::HalfOpen, Admission::Trial, CallOutcome::Neutral) => {
                        // The trial told us nothing: give its place to another call.
                        b.row.trials_admitted = b.row.trials_admitted.saturating_sub(1);
                        Ok(None)
                    }
                    (BreakerState::HalfOpen, Admission::Trial, CallOutcome::Success) => {
                        b.row.trial_successes += 1;
                        if b.row.trial_successes >= cfg.half_open_calls {
                            let r = &mut b.row;
                            r.state = BreakerState::Closed;
                            r.changed_at = now;
                            r.open_until = None;
                            r.trials_admitted = 0;
                            r.trial_successes = 0;
                            // A fresh window: the failures that opened it are history.
                            b.forget_calls_before(now + Duration::milliseconds(1))?;
                            Ok(Some(Transition::Closed))
                        } else {
                            Ok(None)
                        }
                    }
                    (BreakerState::HalfOpen, Admission::Trial, CallOutcome::Failure(_)) => {
                        Ok(Some(open(b, cfg, now)))
                    }
                    (BreakerState::Closed, _, CallOutcome::Success | CallOutcome::Failure(_)) => {
                        let ok = matches!(outcome, CallOutcome::Success);
                        b.log_call(now, ok)?;
                        let from = now - cfg.window();
                        b.forget_calls_before(from)?;
                        let w = b.window(from)?;
                        if !ok
                            && w.calls >= u64::from(cfg.min_calls)
                            && w.failure_rate() >= cfg.failure_rate
                        {
                            Ok(Some(open(b, cfg, now)))
                        } else {
                            Ok(None)
                        }
                    }
                    // A call let through before another caller opened the breaker, or a
                    // neutral outcome while closed: nothing changes.
                    _ => Ok(None),
                }
            })?)
    }
}

/// This process's now for the breaker in `b`: never before a time another process stored
/// in it (its last change, its last failure, its latest logged call), so a breaker
/// opened by a process whose clock is ahead stays open `open_seconds` of this process's
/// time, not until this clock reaches the other's. See [`Clock::shared_now`].
fn shared_now(b: &BreakerTx<'_>, clock: &Clock) -> crate::store::Result<DateTime<Utc>> {
    let r = &b.row;
    let stored = [Some(r.changed_at), r.last_failure_at, b.latest_call()?]
        .into_iter()
        .flatten()
        .max();
    Ok(clock.shared_now(&format!("breaker:{}", r.name), stored))
}

fn half_open(r: &mut BreakerRow, now: DateTime<Utc>) {
    r.state = BreakerState::HalfOpen;
    r.changed_at = now;
    r.open_until = None;
    r.trials_admitted = 0;
    r.trial_successes = 0;
}

fn open(b: &mut BreakerTx<'_>, cfg: &BreakerConfig, now: DateTime<Utc>) -> Transition {
    let until = now + cfg.open_for();
    let r = &mut b.row;
    r.state = BreakerState::Open;
    r.changed_at = now;
    r.open_until = Some(until);
    r.trials_admitted = 0;
    r.trial_successes = 0;
    r.times_opened += 1;
    Transition::Opened { until }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resilience::Retryable;
    use crate::store::tests::temp_store;
    use chrono::TimeZone;

    fn cfg() -> BreakerConfig {
        BreakerConfig {
            failure_rate: 0.5,
            window_seconds: 60,
            min_calls: 4,
            open_seconds: 30,
            half_open_calls: 2,
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 1, 30, 0).unwrap()
    }

    fn fail() -> CallOutcome {
        CallOutcome::Failure("boom".into())
    }

    /// Checks, then records `outcome`; returns the admission and any transition.
    fn call(
        b: &Breaker,
        s: &mut Store,
        c: &Clock,
        outcome: CallOutcome,
    ) -> Result<(Admission, Option<Transition>), Error> {
        let (a, _) = b.check(s, c)?;
        Ok((a, b.record(s, c, a, &outcome)?))
    }

    fn state(s: &Store) -> BreakerRow {
        s.resilience().list_breakers().unwrap().remove(0)
    }

    #[test]
    fn full_cycle_closed_open_half_open_closed() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        // Failures below min_calls do not open it, however bad the rate.
        for _ in 0..3 {
            let (a, t) = call(&b, &mut s, &clock, fail()).unwrap();
            assert_eq!((a, t), (Admission::Normal, None));
            clock.advance(Duration::seconds(1));
        }
        // The fourth call fills the window: 4 failures of 4 opens it.
        let (_, t) = call(&b, &mut s, &clock, fail()).unwrap();
        let until = t0() + Duration::seconds(3 + 30);
        assert_eq!(t, Some(Transition::Opened { until }));
        let row = state(&s);
        assert_eq!(row.state, BreakerState::Open);
        assert_eq!(row.times_opened, 1);
        assert_eq!(row.last_failure.as_deref(), Some("boom"));
        // Open: refused until the recovery timeout has passed.
        clock.advance(Duration::seconds(29));
        match b.check(&mut s, &clock) {
            Err(Error::CircuitOpen { until: u, .. }) => assert_eq!(u, until),
            other => panic!("expected open, got {other:?}"),
        }
        // Then half-open: two trial calls, a third is refused while they run.
        clock.advance(Duration::seconds(1));
        let (a1, t) = b.check(&mut s, &clock).unwrap();
        assert_eq!((a1, t), (Admission::Trial, Some(Transition::HalfOpened)));
        let (a2, _) = b.check(&mut s, &clock).unwrap();
        assert_eq!(a2, Admission::Trial);
        let busy = b.check(&mut s, &clock).unwrap_err();
        assert!(matches!(busy, Error::TrialsUnderWay { .. }), "{busy:?}");
        assert!(busy.is_retryable(), "worth asking again shortly");
        // One success is not enough; the second closes it.
        assert_eq!(
            b.record(&mut s, &clock, a1, &CallOutcome::Success).unwrap(),
            None
        );
        assert_eq!(state(&s).state, BreakerState::HalfOpen);
        assert_eq!(
            b.record(&mut s, &clock, a2, &CallOutcome::Success).unwrap(),
            Some(Transition::Closed)
        );
        let row = state(&s);
        assert_eq!(row.state, BreakerState::Closed);
        // Closed with an empty window: the old failures do not count again.
        assert_eq!(s.resilience().breaker_window("sim", t0()).unwrap().calls, 0);
        let (a, t) = call(&b, &mut s, &clock, fail()).unwrap();
        assert_eq!((a, t), (Admission::Normal, None));
    }

    #[test]
    fn a_failed_trial_opens_it_again() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        for _ in 0..4 {
            call(&b, &mut s, &clock, fail()).unwrap();
        }
        clock.advance(Duration::seconds(30));
        let (_, t) = call(&b, &mut s, &clock, fail()).unwrap();
        assert_eq!(
            t,
            Some(Transition::Opened {
                until: t0() + Duration::seconds(60)
            })
        );
        assert_eq!(state(&s).times_opened, 2);
        assert!(b.check(&mut s, &clock).is_err());
    }

    #[test]
    fn the_failure_rate_is_over_a_sliding_window() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        // 3 failures, then 61 s later they have left the window.
        for _ in 0..3 {
            call(&b, &mut s, &clock, fail()).unwrap();
        }
        clock.advance(Duration::seconds(61));
        // 1 success + 1 failure: 2 calls < min_calls.
        call(&b, &mut s, &clock, CallOutcome::Success).unwrap();
        call(&b, &mut s, &clock, fail()).unwrap();
        assert_eq!(state(&s).state, BreakerState::Closed);
        // 3 successes + 2 failures: 40% < 50%: stays closed.
        call(&b, &mut s, &clock, CallOutcome::Success).unwrap();
        call(&b, &mut s, &clock, CallOutcome::Success).unwrap();
        let (_, t) = call(&b, &mut s, &clock, fail()).unwrap();
        assert_eq!(t, None);
        // 3 of 6: 50% opens it.
        let (_, t) = call(&b, &mut s, &clock, fail()).unwrap();
        assert!(matches!(t, Some(Transition::Opened { .. })));
    }

    #[test]
    fn neutral_outcomes_do_not_count_and_free_a_trial_place() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        for _ in 0..10 {
            call(&b, &mut s, &clock, CallOutcome::Neutral).unwrap();
        }
        assert_eq!(s.resilience().breaker_window("sim", t0()).unwrap().calls, 0);
        for _ in 0..4 {
            call(&b, &mut s, &clock, fail()).unwrap();
        }
        clock.advance(Duration::seconds(30));
        let (a, _) = b.check(&mut s, &clock).unwrap();
        b.check(&mut s, &clock).unwrap();
        assert!(b.check(&mut s, &clock).is_err(), "both trial places taken");
        b.record(&mut s, &clock, a, &CallOutcome::Neutral).unwrap();
        assert_eq!(b.check(&mut s, &clock).unwrap().0, Admission::Trial);
    }

    #[test]
    fn trials_that_never_report_back_are_replaced_after_the_recovery_timeout() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        for _ in 0..4 {
            call(&b, &mut s, &clock, fail()).unwrap();
        }
        clock.advance(Duration::seconds(30));
        b.check(&mut s, &clock).unwrap();
        b.check(&mut s, &clock).unwrap();
        // Their process died. Within the recovery timeout, still refused...
        clock.advance(Duration::seconds(10));
        assert!(b.check(&mut s, &clock).is_err());
        // ...after it, a new round of trials.
        clock.advance(Duration::seconds(20));
        assert_eq!(b.check(&mut s, &clock).unwrap().0, Admission::Trial);
    }

    #[test]
    fn a_breaker_opened_on_a_clock_a_day_ahead_stays_open_only_its_open_seconds() {
        let (_dir, mut s) = temp_store();
        let ahead = Clock::manual(t0() + Duration::days(1));
        let behind = Clock::manual(t0());
        let b = Breaker::new("sim", cfg());
        // The process behind logs failures too: they count in the same window.
        for i in 0..4 {
            let c = if i % 2 == 0 { &ahead } else { &behind };
            call(&b, &mut s, c, fail()).unwrap();
        }
        assert_eq!(state(&s).state, BreakerState::Open);
        // The process behind is refused for the recovery timeout of its own clock, not
        // for the day until its clock reaches the other's.
        behind.advance(Duration::seconds(29));
        assert!(matches!(
            b.check(&mut s, &behind),
            Err(Error::CircuitOpen { .. })
        ));
        behind.advance(Duration::seconds(1));
        let (a, t) = b.check(&mut s, &behind).unwrap();
        assert_eq!((a, t), (Admission::Trial, Some(Transition::HalfOpened)));
        // A failed trial on the clock behind opens it again, and the process ahead, which
        // has not moved, sees it open: the clock behind did not close it early.
        b.record(&mut s, &behind, a, &fail()).unwrap();
        assert!(matches!(
            b.check(&mut s, &ahead),
            Err(Error::CircuitOpen { .. })
        ));
    }

    #[test]
    fn breakers_are_independent_by_name() {
        let (_dir, mut s) = temp_store();
        let clock = Clock::manual(t0());
        let sim = Breaker::new("sim", cfg());
        let other = Breaker::new("yahoo", cfg());
        for _ in 0..4 {
            call(&sim, &mut s, &clock, fail()).unwrap();
        }
        assert!(sim.check(&mut s, &clock).is_err());
        assert_eq!(other.check(&mut s, &clock).unwrap().0, Admission::Normal);
    }

    /// The child half of `a_breaker_opened_by_one_process_is_open_in_the_next`: reports
    /// `OPTCTL_BREAKER_CALLS` outcomes (`f` failure, `s` success) at `OPTCTL_BREAKER_AT`
    /// and prints the breaker's state after each.
    #[test]
    #[ignore = "child process of a_breaker_opened_by_one_process_is_open_in_the_next"]
    fn breaker_child() {
        let Some(db) = std::env::var_os("OPTCTL_BREAKER_DB") else {
            return;
        };
        let at = crate::time::parse_instant(&std::env::var("OPTCTL_BREAKER_AT").unwrap()).unwrap();
        let clock = Clock::manual(at);
        let mut s = Store::open(std::path::Path::new(&db)).unwrap();
        let b = Breaker::new("sim", cfg());
        for c in std::env::var("OPTCTL_BREAKER_CALLS").unwrap().chars() {
            let outcome = if c == 'f' {
                fail()
            } else {
                CallOutcome::Success
            };
            match call(&b, &mut s, &clock, outcome) {
                Ok(_) => println!("STATE {}", state(&s).state),
                Err(Error::CircuitOpen { .. }) => println!("STATE refused"),
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn child(db: &std::path::Path, at: DateTime<Utc>, calls: &str) -> Vec<String> {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "resilience::breaker::tests::breaker_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("OPTCTL_BREAKER_DB", db)
            .env("OPTCTL_BREAKER_AT", crate::store::ts(at))
            .env("OPTCTL_BREAKER_CALLS", calls)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .split("STATE ")
            .skip(1)
            .map(|v| v.split_whitespace().next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_breaker_opened_by_one_process_is_open_in_the_next() {
        let (dir, s) = temp_store();
        let db = s.path().to_path_buf();
        drop(s);
        // Process 1 fails four times: the breaker opens.
        assert_eq!(
            child(&db, t0(), "ffff"),
            ["closed", "closed", "closed", "open"]
        );
        // Process 2, a few seconds later, is refused without calling.
        let later = t0() + Duration::seconds(5);
        assert_eq!(child(&db, later, "s"), ["refused"]);
        // Process 3, after the recovery timeout: two successful trials close it.
        let after = t0() + Duration::seconds(31);
        assert_eq!(child(&db, after, "ss"), ["half_open", "closed"]);
        // Process 4 finds it closed.
        assert_eq!(child(&db, after, "s"), ["closed"]);
        drop(dir);
    }

    #[test]
    fn bad_configs_name_the_field() {
        let c = BreakerConfig {
            failure_rate: 0.0,
            ..cfg()
        };
        assert!(c.validate().unwrap_err().starts_with("failure_rate"));
        let c = BreakerConfig {
            min_calls: 0,
            ..cfg()
        };
        assert!(c.validate().unwrap_err().starts_with("min_calls"));
        BreakerConfig::default().validate().unwrap();
    }
}
