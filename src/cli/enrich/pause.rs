//! `optctl enrich pause`: stop `enrich run` from doing anything until `resume`.

use crate::cli::{Ctx, Outcome};

/// Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`.
///
/// A run already going finishes; the pause applies from the next run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Why (shown by `enrich status`, `health` and the paused run).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut store = ctx.store()?;
    store
        .enrich_mut()
        .set_pause(true, args.reason.as_deref(), ctx.as_of)?;
    let state = store.enrich().pause()?;
    if ctx.out.is_json() {
        ctx.out.json(&state)?;
    } else {
        ctx.out.line(&format!(
            "enrichment paused{}",
            args.reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"))
        ))?;
    }
    Ok(Outcome::Done)
}
