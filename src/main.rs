//! The `optctl` binary: parse, set up logging, dispatch, turn the result into an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(&args.global);
    let result = cli::Ctx::new(&args.global).and_then(|ctx| cli::dispatch(args.command, &ctx));
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let message = err.to_string();
            eprintln!("optctl: error: {message}");
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                // Some messages already end with their cause; say it once.
                let cause = s.to_string();
                if !message.contains(&cause) {
                    eprintln!("  caused by: {cause}");
                }
                source = s.source();
            }
            ExitCode::from(err.exit_code())
        }
    }
}
