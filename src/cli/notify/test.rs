//! `optctl notify test CHANNEL`: send one test message now.

use optctl::notify;

use super::{options, runtime};
use crate::cli::{Ctx, Outcome};

/// Send a test message to one channel, now.
///
/// Goes straight out, outside the outbox: no routing rules, quiet hours or rate limit.
/// Exit 1 when the channel refuses it or cannot be reached, with the reason.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The channel's name ([notify.channels.NAME]).
    channel: String,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let opts = options(ctx, &cfg, Some(args.channel.clone()));
    let report = runtime()?.block_on(notify::send_test(&cfg.notify, &args.channel, &opts))?;
    if ctx.out.is_json() {
        ctx.out.json(&report)?;
    } else if report.delivered {
        ctx.out.line(&format!(
            "test message delivered to {} ({}), Idempotency-Key {}",
            report.channel, report.kind, report.idempotency_key
        ))?;
    }
    match &report.error {
        None => Ok(Outcome::Done),
        Some(e) => Err(optctl::Error::Failed(format!(
            "test message to {} not delivered: {e}",
            report.channel
        ))),
    }
}
