//! `optctl enrich status`: running?, the last run, paused?, the next expected run.

use optctl::enrich::RunRow;
use optctl::enrich::report;

use crate::cli::{Ctx, Outcome};

use super::{lines, settings, store_if_any, when};

/// Show whether a run is going, the last run and success, pause, the next cron run.
#[derive(Debug, clap::Args)]
pub struct Args {}

fn describe(r: &RunRow) -> String {
    format!(
        "#{} {} at {} ({} ok, {} failed, {} skipped of {}; {} bars added)",
        r.id,
        r.status,
        optctl::store::ts(r.started_at),
        r.succeeded,
        r.failed,
        r.skipped,
        r.symbols,
        r.bars_added
    )
}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let set = settings(ctx)?;
    let store = store_if_any(ctx)?;
    let s = report::status(store.as_ref(), &set, ctx.as_of)?;
    if ctx.out.is_json() {
        ctx.out.json(&s)?;
        return Ok(Outcome::Done);
    }
    let running = match &s.running {
        None => "no".to_string(),
        Some(r) => format!(
            "run #{} since {} (pid {}{}): {} of {} jobs done, {} running",
            r.run_id,
            optctl::store::ts(r.started_at),
            r.pid,
            match r.process_alive {
                Some(false) => ", process gone: the next run marks it interrupted",
                _ => "",
            },
            r.jobs_done,
            r.symbols,
            r.jobs_running
        ),
    };
    let paused = if s.paused.paused {
        format!(
            "yes, since {}{}",
            when(s.paused.changed_at),
            s.paused
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"))
        )
    } else {
        "no".into()
    };
    lines(
        ctx,
        &[
            ("provider", s.provider.clone()),
            ("running", running),
            ("paused", paused),
            (
                "last run",
                s.last_run.as_ref().map_or("none yet".into(), describe),
            ),
            (
                "last success",
                s.last_success.as_ref().map_or("none yet".into(), describe),
            ),
            (
                "next run",
                match (&s.schedule, s.next_run) {
                    (Some(c), Some(t)) => format!("{} (cron \"{c}\", UTC)", optctl::store::ts(t)),
                    _ => "no schedule configured ([enrich] schedule)".into(),
                },
            ),
        ],
    )?;
    Ok(Outcome::Done)
}
