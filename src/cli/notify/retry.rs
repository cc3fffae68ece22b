//! `optctl notify retry`: send queued messages now, without waiting out their backoff.

use serde::Serialize;

use super::{drain, outcome, print_drain};
use crate::cli::{Ctx, Outcome};

/// Send queued messages now instead of after their backoff; --failed retries failed ones.
///
/// Makes every queued message due now and drains the outbox. With --failed, messages
/// marked failed (a refused token, a 4xx, too many attempts) are queued again with
/// fresh attempts first: fix the channel's config, then run this.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also queue failed messages again.
    #[arg(long)]
    failed: bool,
    /// Only this channel.
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
}

#[derive(Serialize)]
struct Report {
    made_due: u64,
    requeued_failed: u64,
    drain: optctl::notify::DrainReport,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let (made_due, requeued_failed) = {
        let _lock = optctl::lock::JobLock::acquire(&ctx.home, "notify")?;
        ctx.store()?
            .outbox_mut()
            .requeue(args.channel.as_deref(), args.failed, ctx.as_of)?
    };
    let report = drain(ctx, &cfg, args.channel)?;
    if ctx.out.is_json() {
        ctx.out.json(&Report {
            made_due,
            requeued_failed,
            drain: report.clone(),
        })?;
    } else {
        ctx.out.note(&format!(
            "{made_due} queued messages made due now{}",
            if args.failed {
                format!(", {requeued_failed} failed ones queued again")
            } else {
                String::new()
            }
        ));
        print_drain(&report, &ctx.out)?;
    }
    Ok(outcome(&report))
}
