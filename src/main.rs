//! The `optctl` binary: parse, set up logging, dispatch, turn the result into an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(&args.global);
    let job = args.command.is_job();
    let monitored = args.command.monitored_job();
    optctl::monitor::set_current_job(monitored.unwrap_or_default());
    let result = cli::Ctx::new(&args.global, job).and_then(|ctx| {
        let pinger = cli::monitor::Pinger::new(monitored, args.global.ping.as_ref(), &ctx);
        pinger.start();
        // A part of the store not yet on PostgreSQL ends the run with its error.
        let result = optctl::store::catching_not_ported(|| cli::dispatch(args.command, &ctx))
            .unwrap_or_else(|e| Err(e.into()))
            .map_err(|e| e.naming_the_lock(&ctx.db_path()));
        pinger.finish(&result);
        result
    });
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Each layer's message says only its part; the causes follow once, in order.
            eprintln!("optctl: error: {}", optctl::error::report(&err));
            ExitCode::from(err.exit_code())
        }
    }
}
