//! `optctl market-hours`: is the market open now, and when does it next open.

use super::{Ctx, Outcome};

/// Show whether the market is open and when it next opens.
///
/// The session is [market_hours] in the config (default NSE: Asia/Kolkata, 09:15 to
/// 15:30, Monday to Friday, NSE's published holidays plus `holidays` and
/// `holidays_file`; `preset` picks the built-in holidays: nse, nyse or none). The open
/// is inclusive and the close exclusive. --as-of asks about another instant.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let status = cfg.market_hours.calendar(&ctx.home)?.status(ctx.as_of);
    if ctx.out.is_json() {
        ctx.out.json(&status)?;
    } else {
        ctx.out.line(&status.describe())?;
        ctx.out
            .line(&format!("now {} ({})", status.local_time, status.timezone))?;
    }
    Ok(Outcome::Done)
}
