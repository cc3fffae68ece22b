//! `optctl notify`: send what is due in the notification outbox (the default action),
//! plus `test`, `status` and `retry`.

mod retry;
mod status;
mod test;

use optctl::config::Config;
use optctl::lock::JobLock;
use optctl::notify::{self, DrainReport};

use super::output::Output;
use super::{Ctx, Outcome};

/// A job's report as printed, with what sending its queued notifications did (absent
/// with --no-notify or no channels) as its last field.
#[derive(serde::Serialize)]
pub struct WithNotify<'a, T> {
    #[serde(flatten)]
    pub report: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<DrainReport>,
}

/// Send queued alert and signal notifications to the configured channels.
///
/// `scan` queues one message per alert and matching channel ([notify.channels.*] in
/// the config) in the same transaction that stores the alert, and `migrate-scheduler
/// run` one per new signal; both send them when they end. This command sends whatever
/// is still due: messages that failed and whose backoff has passed, messages held by
/// quiet hours or the rate limit, and those of a run with --no-notify. Each message goes out, then is marked sent; a retryable
/// failure (timeout, 429, 5xx) waits and stays queued, a refusal (401, other 4xx) is
/// marked failed with the reason. Delivery is at least once: a run killed between a
/// send and its mark sends the same message again with the same Idempotency-Key.
///
/// Exit 3 when some message failed or waits for a retry, 75 when another `notify` runs.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Only this channel.
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Test(test::Args),
    Status(status::Args),
    Retry(retry::Args),
}

impl Args {
    /// Sending and `retry` do something; `test` and `status` show the user something.
    pub fn is_job(&self) -> bool {
        matches!(self.command, None | Some(Command::Retry(_)))
    }
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    match args.command {
        None => {
            let cfg = ctx.config()?;
            let report = drain(ctx, &cfg, args.channel)?;
            for c in &report.channels {
                for e in c.error.iter().chain(&c.errors) {
                    ctx.out.failure(&format!("notify {}: {e}", c.channel));
                }
            }
            print_drain(&report, &ctx.out)?;
            Ok(outcome(&report))
        }
        Some(Command::Test(a)) => test::run(a, ctx),
        Some(Command::Status(a)) => status::run(a, ctx),
        Some(Command::Retry(a)) => retry::run(a, ctx),
    }
}

/// Sends what a scan or a scheduler tick just queued (`what` names it). A failure here
/// never fails that command: the messages stay queued for `optctl notify`, and the
/// reason goes to stderr.
pub fn send_queued(ctx: &Ctx, cfg: &Config, what: &str) -> Option<DrainReport> {
    match drain(ctx, cfg, None) {
        Ok(r) => {
            for c in &r.channels {
                for e in c.error.iter().chain(&c.errors) {
                    ctx.out.failure(&format!("notify {}: {e}", c.channel));
                }
            }
            if r.messages_sent > 0 {
                ctx.out.note(&format!(
                    "{} notifications sent in {} messages",
                    r.items_sent, r.messages_sent
                ));
            }
            Some(r)
        }
        Err(optctl::Error::Locked { .. }) => {
            ctx.out.note(&format!(
                "optctl: another `optctl notify` is sending; it will send {what} too"
            ));
            None
        }
        Err(e) => {
            ctx.out.failure(&format!(
                "notifications not sent ({e}); they stay queued for `optctl notify`"
            ));
            None
        }
    }
}

/// The options every notify action shares.
pub fn options(ctx: &Ctx, cfg: &Config, channel: Option<String>) -> notify::Options {
    notify::Options {
        now: ctx.as_of,
        channel,
        public_url: cfg
            .notify
            .public_url
            .clone()
            .or_else(|| cfg.serve.public_url.clone()),
    }
}

/// The runtime for the HTTP client: the one every command builds.
pub use super::runtime;

/// Drains the outbox under the `notify` job lock (one drain at a time per data home).
pub fn drain(ctx: &Ctx, cfg: &Config, channel: Option<String>) -> optctl::Result<DrainReport> {
    let opts = options(ctx, cfg, channel);
    if let Some(name) = &opts.channel
        && !cfg.notify.channels.contains_key(name)
    {
        return Err(optctl::Error::Usage(format!(
            "no channel {name:?} in [notify.channels]"
        )));
    }
    let _lock = JobLock::acquire(&ctx.home, "notify")?;
    let mut store = ctx.store()?;
    runtime()?.block_on(notify::drain(&mut store, &cfg.notify, &opts))
}

/// Exit 3 when something was not delivered.
pub fn outcome(r: &DrainReport) -> Outcome {
    if r.clean() {
        Outcome::Done
    } else {
        Outcome::Partial
    }
}

/// A table of what each channel did, or the report as JSON.
pub fn print_drain(r: &DrainReport, out: &Output) -> optctl::Result<()> {
    if out.is_json() {
        return out.json(r);
    }
    if r.channels.is_empty() {
        out.note("no notification channels configured ([notify.channels.NAME] in the config)");
        return Ok(());
    }
    let mut t = out.table(&[
        "channel", "kind", "messages", "items", "retrying", "failed", "note",
    ]);
    for c in &r.channels {
        let note = if let Some(e) = &c.error {
            e.clone()
        } else if let Some(q) = c.quiet_until {
            format!("quiet hours until {}", optctl::store::ts(q))
        } else if c.rate_limited {
            "rate limit reached; the rest waits".into()
        } else {
            c.errors.last().cloned().unwrap_or_default()
        };
        t.add_row(vec![
            c.channel.clone(),
            c.kind.clone(),
            c.messages_sent.to_string(),
            c.items_sent.to_string(),
            c.retrying.to_string(),
            c.failed.to_string(),
            note,
        ]);
    }
    Output::align_right(&mut t, &[2, 3, 4, 5]);
    out.print_table(None, &t)
}
