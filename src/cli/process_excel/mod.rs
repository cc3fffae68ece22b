//! `optctl process-excel`: broker workbooks -> OI buildup in SQLite (the default action),
//! plus `status` and `history` to read it back.

mod history;
mod run;
mod status;

use super::{Ctx, Outcome};

/// Read the broker workbooks and store each stock's OI buildup.
///
/// Reads Historical.xlsx (one row per stock per day: Symbol, Date, Close, Volume, OI)
/// and Live.xlsx (one row per stock: Symbol, LTP, Open, High, Low, Prev Close, Volume,
/// OI, Bid, Ask, Last Update), computes each stock's change and OI change against the
/// previous day, its volume ratio, day-range position and buildup class (long buildup,
/// short buildup, short covering, long unwinding, neutral), and stores the stocks that
/// changed. When neither workbook changed since the last run it stops at once.
///
/// Meant for a shell loop (`while sleep 6; do optctl process-excel --market-hours-only;
/// done`) or cron. A workbook open in Excel is read; one caught mid-save (torn zip,
/// bad CRC, cut XML) is tried again 3 times within about a second. Exit 2 for an
/// unusable workbook (missing, still half-written, no such sheet, a required column
/// missing), 0 when some rows were skipped and the rest stored (named on stderr; 3 with
/// --strict), 75 when another run holds the lock.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: run::Args,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Status(status::Args),
    History(history::Args),
}

impl Args {
    /// A run (or `--watch`); `status` and `history` read.
    pub fn is_job(&self) -> bool {
        self.command.is_none()
    }
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    match args.command {
        None => run::run(args.run, ctx),
        Some(Command::Status(a)) => status::run(a, ctx),
        Some(Command::History(a)) => history::run(a, ctx),
    }
}
