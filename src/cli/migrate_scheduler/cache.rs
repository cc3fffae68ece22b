//! `optctl migrate-scheduler cache`: the strategy schedulers' symbol cache.

use crate::cli::{Ctx, Outcome};

/// The symbol cache the unified scheduler reads bars through.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Clear(ClearArgs),
}

/// Empty the symbol cache: the next unified tick fetches every series anew.
///
/// For a cache that holds bad bars (a provider's revision, a bug fixed since). The same
/// as `POST /api/scheduler/cache/clear` on `optctl serve`.
#[derive(Debug, clap::Args)]
pub struct ClearArgs {}

pub fn run(c: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match c {
        Command::Clear(_) => {
            let mut store = ctx.store()?;
            let cleared = store.scheduler_mut().clear_cache()?;
            if ctx.out.is_json() {
                ctx.out.json(&serde_json::json!({ "cleared": cleared }))?;
            } else {
                ctx.out
                    .line(&format!("symbol cache cleared: {cleared} series removed"))?;
            }
            Ok(Outcome::Done)
        }
    }
}
