//! `optctl enrich resume`: undo `enrich pause`.

use crate::cli::{Ctx, Outcome};

/// Resume enrichment after `enrich pause`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut store = ctx.store()?;
    let was = store.enrich().pause()?.paused;
    store.enrich_mut().set_pause(false, None, ctx.as_of)?;
    let state = store.enrich().pause()?;
    if ctx.out.is_json() {
        ctx.out.json(&state)?;
    } else if was {
        ctx.out.line("enrichment resumed")?;
    } else {
        ctx.out.line("enrichment was not paused")?;
    }
    Ok(Outcome::Done)
}
