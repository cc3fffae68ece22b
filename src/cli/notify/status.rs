//! `optctl notify status`: queued, sent and failed messages per channel, the last error.

use optctl::notify;
use optctl::store::ts;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// Show queued, sent and failed messages per channel, and each one's last error.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    // Before the first scan there is no database: that is "nothing queued", not an error.
    let store = if ctx.store_exists() {
        Some(ctx.store_read()?)
    } else {
        None
    };
    let report = notify::status(store.as_ref(), &cfg.notify, ctx.as_of)?;
    if ctx.out.is_json() {
        ctx.out.json(&report)?;
        return Ok(Outcome::Done);
    }
    if report.channels.is_empty() {
        ctx.out
            .note("no notification channels configured ([notify.channels.NAME] in the config)");
        return Ok(Outcome::Done);
    }
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or("-".to_string(), ts);
    let mut t = ctx.out.table(&[
        "channel",
        "kind",
        "target",
        "queued",
        "due",
        "sent",
        "failed",
        "next attempt",
        "last sent",
        "last error",
    ]);
    for c in &report.channels {
        let kind = match (&c.kind, c.enabled) {
            (None, _) => "not configured".to_string(),
            (Some(k), true) => k.clone(),
            (Some(k), false) => format!("{k} (disabled)"),
        };
        let n = &c.counts;
        let next = match c.quiet_until {
            Some(q) if n.queued > 0 => format!("{} (quiet hours)", ts(q)),
            _ => when(n.next_attempt_at),
        };
        t.add_row(vec![
            n.channel.clone(),
            kind,
            c.target.clone().unwrap_or_else(|| "-".into()),
            n.queued.to_string(),
            n.due.to_string(),
            n.sent.to_string(),
            n.failed.to_string(),
            next,
            when(n.last_sent_at),
            n.last_error
                .as_ref()
                .map_or("-".into(), |e| format!("{} {e}", when(n.last_error_at))),
        ]);
    }
    Output::align_right(&mut t, &[3, 4, 5, 6]);
    ctx.out.print_table(None, &t)?;
    Ok(Outcome::Done)
}
