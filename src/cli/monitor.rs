//! The pings around a job (`[monitor]`, `--ping`): `/start` before it, then success,
//! `/fail` or `/<code>` after it. A ping that fails is a warning (silent with `-q`),
//! never the job's failure.

use optctl::monitor::{self, Signal};

use super::{Ctx, Outcome};

/// Where one job's run pings, if anywhere, and how much of the run's ping budget
/// ([`monitor::RUN_PING_BUDGET`]) is spent.
pub struct Pinger {
    target: Option<(reqwest::Url, tokio::runtime::Runtime)>,
    spent: std::cell::Cell<std::time::Duration>,
}

impl Drop for Pinger {
    /// A ping abandoned at its deadline may leave a DNS lookup running on a blocking
    /// thread: do not wait for it on the way out.
    fn drop(&mut self) {
        if let Some((_, rt)) = self.target.take() {
            rt.shutdown_background();
        }
    }
}

impl Pinger {
    /// `job`: the command's `[monitor.jobs]` name, `None` for a command that is not a job.
    /// `--ping` wins over the config; an unreadable config leaves only `--ping` (the job
    /// itself reports the config error).
    pub fn new(job: Option<&str>, flag: Option<&reqwest::Url>, ctx: &Ctx) -> Pinger {
        let url = job.and_then(|job| {
            flag.cloned().or_else(|| {
                let cfg = ctx.config().ok()?;
                monitor::check_url(cfg.monitor.url_for(job)?).ok()
            })
        });
        let target = url.and_then(|u| {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => Some((u, rt)),
                Err(e) => {
                    tracing::warn!("monitor ping skipped: cannot start the async runtime: {e}");
                    None
                }
            }
        });
        Pinger {
            target,
            spent: Default::default(),
        }
    }

    /// `/start`, within [`monitor::START_PING_SHARE`].
    pub fn start(&self) {
        self.send(&Signal::Start, monitor::START_PING_SHARE);
    }

    /// Success, `/fail` with the error text, or `/<code>`, as the run ended.
    pub fn finish(&self, result: &optctl::Result<Outcome>) {
        if self.target.is_none() {
            return;
        }
        let signal = match result {
            Ok(Outcome::Done) => Signal::Success,
            Ok(Outcome::Partial) => Signal::Exit(3),
            Err(e) if super::is_broken_pipe(e) => Signal::Success,
            Err(e) => match e.exit_code() {
                1 | 2 => Signal::Fail(optctl::error::report(e)),
                code => Signal::Exit(code),
            },
        };
        // What /start left of the run's budget.
        let left = monitor::RUN_PING_BUDGET.saturating_sub(self.spent.get());
        self.send(&signal, left);
    }

    fn send(&self, signal: &Signal, budget: std::time::Duration) {
        let Some((url, rt)) = &self.target else {
            return;
        };
        let t = std::time::Instant::now();
        let sent = rt.block_on(monitor::ping(url, signal, budget));
        self.spent.set(self.spent.get() + t.elapsed());
        if let Err(e) = sent {
            tracing::warn!(
                "monitor ping to {} failed (the job is not affected): {e}",
                monitor::redact(&signal.url(url))
            );
        }
    }
}
