//! The command line: global flags, the subcommand enum, the one `match`, and `Ctx`.
//! Declared only from `main.rs`, so the library can never import it.

pub mod alerts;
pub mod chain;
pub mod compare;
pub mod config;
pub mod doctor;
pub mod enrich;
pub mod export;
pub mod fetch;
pub mod generate;
pub mod market_hours;
pub mod migrate_scheduler;
pub mod monitor;
pub mod notify;
pub mod output;
pub mod process_excel;
pub mod quant;
pub mod scan;
pub mod scans;
pub mod screen;
pub mod serve;
pub mod show;
pub mod store;
pub mod unattended;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use optctl::config::Config;
use optctl::store::Store;

use output::Output;

/// Options-trading data jobs in one binary: scan chains and raise scored alerts, export
/// them as JSON, serve them over HTTP, and process broker F&O workbooks.
///
/// Every command is a short, restartable run meant for cron or a shell loop, and all of
/// them share one store that they can use at the same time: a SQLite file in the data
/// home, or a PostgreSQL database shared by several hosts (--store). Data lives
/// in the data home (--home, $OPTCTL_HOME, else ~/.local/share/optctl); settings in the
/// config file (--config, $OPTCTL_CONFIG, else ~/.config/optctl/config.toml), which is
/// optional: the defaults scan a simulated market with no setup and no network.
///
/// Exit codes: 0 success (also when some tickers, symbols or rows failed and the rest
/// were stored: the failures are named on stderr, even with -q), 1 failure (nothing
/// stored), 2 bad usage or input, 3 partial success with --strict (and from export,
/// notify, migrate-scheduler run, compare and quant iv), 75 another run of the same job
/// holds the lock.
#[derive(Debug, Parser)]
#[command(name = "optctl", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Data home: the database and exports live here.
    #[arg(
        long,
        global = true,
        env = "OPTCTL_HOME",
        hide_env_values = true,
        value_name = "DIR"
    )]
    pub home: Option<PathBuf>,
    /// Config file (TOML). Missing at the default location = built-in defaults.
    #[arg(
        long,
        global = true,
        env = "OPTCTL_CONFIG",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// The store: a PostgreSQL URL (postgres://user@host:5432/database; the password
    /// from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config;
    /// default: the SQLite file in the data home.
    #[arg(
        long,
        global = true,
        env = "OPTCTL_STORE",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub store: Option<String>,
    /// Run as if the time were this instant, for reproducible runs: RFC 3339
    /// (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York
    /// that day, the US close.
    #[arg(long, global = true, env = "OPTCTL_NOW", hide_env_values = true, value_name = "TIME",
          value_parser = optctl::time::parse_instant)]
    pub as_of: Option<DateTime<Utc>>,
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Quiet, for cron: a job (scan, export, enrich run, process-excel, notify,
    /// migrate-scheduler run) prints nothing on success; errors and what failed still go
    /// to stderr. --json still prints its document; commands that show something
    /// (scans, status, crontab) still show it.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Dead-man's-switch ping URL for this run of a job (over [monitor] in the config):
    /// URL/start when it begins, URL on success, URL/fail (with the error) on failure,
    /// URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never
    /// fail the job.
    #[arg(long, global = true, value_name = "URL", value_parser = parse_ping_url)]
    pub ping: Option<reqwest::Url>,
    /// Log lines: text, or json (one object per line, with the named lifecycle events
    /// such as scan_finished; info level, or with -q error records and failure events
    /// only). Over [log] format in the config.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<optctl::monitor::LogFormat>,
    /// Write log lines to this file instead of stderr, rotated by size ([log] max_bytes,
    /// keep). Several jobs may share it. Over [log] file in the config.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

fn parse_ping_url(s: &str) -> Result<reqwest::Url, String> {
    optctl::monitor::check_url(s)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Alerts(alerts::Args),
    Chain(chain::Args),
    Compare(compare::Args),
    #[command(subcommand)]
    Config(config::Command),
    Doctor(doctor::Args),
    #[command(subcommand)]
    Enrich(enrich::Command),
    Export(export::Args),
    Fetch(fetch::Args),
    #[command(hide = true, subcommand)]
    Generate(generate::Command),
    MarketHours(market_hours::Args),
    #[command(subcommand)]
    MigrateScheduler(migrate_scheduler::Command),
    Notify(notify::Args),
    ProcessExcel(process_excel::Args),
    #[command(subcommand)]
    Quant(quant::Command),
    Scan(scan::Args),
    Scans(scans::Args),
    Screen(screen::Args),
    Serve(serve::Args),
    Show(show::Args),
    #[command(subcommand)]
    Store(store::Command),
}

impl Command {
    /// Whether the command runs a job (what cron runs): with `-q` it prints nothing on
    /// success. The others show something the user asked for, `-q` or not.
    pub fn is_job(&self) -> bool {
        match self {
            Command::Scan(_) | Command::Export(_) => true,
            Command::Enrich(c) => c.is_job(),
            Command::MigrateScheduler(c) => c.is_job(),
            Command::Notify(a) => a.is_job(),
            Command::ProcessExcel(a) => a.is_job(),
            Command::Store(c) => matches!(c, store::Command::Prune),
            _ => false,
        }
    }

    /// The job's name in `[monitor.jobs]`, for the runs that ping; `None` for the rest.
    pub fn monitored_job(&self) -> Option<&'static str> {
        match self {
            Command::Scan(_) => Some("scan"),
            Command::Export(_) => Some("export"),
            Command::Enrich(enrich::Command::Run(_)) => Some("enrich"),
            Command::MigrateScheduler(migrate_scheduler::Command::Run(_)) => {
                Some("migrate-scheduler")
            }
            Command::Notify(a) if a.is_job() => Some("notify"),
            Command::ProcessExcel(a) if a.is_job() => Some("process-excel"),
            _ => None,
        }
    }
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done,
    /// Some items failed, the rest were stored: exit 3.
    Partial,
}

impl Outcome {
    /// Some items failed, the rest were stored: `Partial` (exit 3) when `strict`, else
    /// `Done` (exit 0; the command has named the failures on stderr).
    pub fn partial(strict: bool) -> Outcome {
        if strict {
            Outcome::Partial
        } else {
            Outcome::Done
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Done => ExitCode::SUCCESS,
            Outcome::Partial => ExitCode::from(3),
        }
    }
}

/// What every command gets: where things are, what time it is, how to print.
pub struct Ctx {
    pub home: optctl::home::Home,
    pub config_path: PathBuf,
    /// True when the config file was named (flag or env): then it must exist.
    pub config_named: bool,
    /// `--store`/`$OPTCTL_STORE`, when given (the URL as written).
    pub store_flag: Option<String>,
    pub as_of: DateTime<Utc>,
    pub out: Output,
}

impl Ctx {
    /// `job`: the command runs a job, whose report `-q` silences (`Command::is_job`).
    pub fn new(g: &GlobalArgs, job: bool) -> optctl::Result<Ctx> {
        let home = optctl::home::Home::resolve(g.home.as_deref())?;
        let (config_path, config_named) = match &g.config {
            Some(p) => (p.clone(), true),
            None => (optctl::config::default_config_path()?, false),
        };
        // --store/$OPTCTL_STORE, else [store] url. A config file that does not load
        // names no store here; the commands that read it report why.
        let config_url = match g.store {
            Some(_) => None,
            None => Config::load(&config_path, config_named)
                .ok()
                .and_then(|c| c.store.url),
        };
        let store =
            optctl::store::Location::resolve(g.store.as_deref(), config_url.as_deref(), home.db())
                .map_err(optctl::Error::Usage)?;
        let home = home.with_store(store);
        Ok(Ctx {
            home,
            config_path,
            config_named,
            store_flag: g.store.clone(),
            as_of: g.as_of.unwrap_or_else(Utc::now),
            out: Output::new(g.json, g.quiet, job),
        })
    }

    /// Loads the effective config.
    pub fn config(&self) -> optctl::Result<Config> {
        Ok(Config::load(&self.config_path, self.config_named)?)
    }

    pub fn db_path(&self) -> PathBuf {
        self.home.db()
    }

    /// Opens the store for writing (creating the home and the database if needed).
    pub fn store(&self) -> optctl::Result<Store> {
        self.home.create()?;
        Ok(self.home.store().open()?)
    }

    /// Whether there may be a store to read (the SQLite file exists; a PostgreSQL
    /// database is always asked).
    pub fn store_exists(&self) -> bool {
        self.home.store().exists()
    }

    /// Builds the run's data sources from `cfg`, paced and guarded through the store.
    pub fn connector(&self, cfg: &Config) -> optctl::resilience::Connector {
        optctl::resilience::Connector::new(&cfg.provider, &cfg.resilience, &self.home, self.as_of)
    }

    /// Opens the store read-only.
    pub fn store_read(&self) -> optctl::Result<Store> {
        Ok(self.home.store().open_read()?)
    }
}

/// The one dispatch.
pub fn dispatch(command: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match command {
        Command::Alerts(a) => alerts::run(a, ctx),
        Command::Chain(a) => chain::run(a, ctx),
        Command::Compare(a) => compare::run(a, ctx),
        Command::Config(c) => config::run(c, ctx),
        Command::Doctor(a) => doctor::run(a, ctx),
        Command::Enrich(c) => enrich::run(c, ctx),
        Command::Export(a) => export::run(a, ctx),
        Command::Fetch(a) => fetch::run(a, ctx),
        Command::Generate(c) => generate::run(c, ctx),
        Command::MarketHours(a) => market_hours::run(a, ctx),
        Command::MigrateScheduler(c) => migrate_scheduler::run(c, ctx),
        Command::Notify(a) => notify::run(a, ctx),
        Command::ProcessExcel(a) => process_excel::run(a, ctx),
        Command::Quant(c) => quant::run(c, ctx),
        Command::Scan(a) => scan::run(a, ctx),
        Command::Scans(a) => scans::run(a, ctx),
        Command::Screen(a) => screen::run(a, ctx),
        Command::Store(c) => store::run(c, ctx),
        Command::Serve(a) => serve::run(a, ctx),
        Command::Show(a) => show::run(a, ctx),
    }
}

/// A multi-threaded tokio runtime for the commands that wait on providers.
pub fn runtime() -> optctl::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| optctl::Error::Internal(format!("cannot start the async runtime: {e}")))
}

/// A flag that SIGINT (Ctrl-C) and SIGTERM (`kill`, systemd's stop) raise, for the
/// commands that run until stopped (`serve`, `process-excel --watch`): they finish what
/// they are doing and exit 0. A second signal while stopping kills at once, as a user
/// pressing Ctrl-C twice expects.
pub fn stop_on_signals() -> optctl::Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    use std::sync::Arc;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)))
            .map_err(|e| {
                optctl::Error::Internal(format!("cannot install a signal handler: {e}"))
            })?;
    }
    Ok(stop)
}

/// Logs go to stderr: warnings by default, `-v` info, `-vv` debug, `-q` errors only.
/// `--log-format json` (or `[log] format = "json"`): one JSON object per line, info by
/// default, with the lifecycle events (target `optctl::event`), which text leaves out;
/// with `-q`, error records and the failure events (warn level) only.
/// `--log-file` (or `[log] file`): the same lines go to a size-rotated file instead of
/// stderr, with a timestamp on text lines too.
pub fn init_logging(g: &GlobalArgs) {
    use optctl::monitor::LogFormat;
    use optctl::monitor::logfile::LogFile;
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::writer::BoxMakeWriter;
    let cfg = {
        let (path, named) = match &g.config {
            Some(p) => (Some(p.clone()), true),
            None => (optctl::config::default_config_path().ok(), false),
        };
        path.and_then(|p| Config::load(&p, named).ok())
            .map(|c| c.log)
            .unwrap_or_default()
    };
    let format = g.log_format.unwrap_or(cfg.format);
    let json = format == LogFormat::Json;
    let level = match (g.quiet, g.verbose, json) {
        (true, _, _) => "error",
        (false, 0, false) => "warn",
        (false, 0, true) | (false, 1, _) => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| match (json, g.quiet) {
        (false, _) => EnvFilter::new(format!("{level},optctl::event=off")),
        // The failure events (ticker_failed, enrichment_job_failed, ...) are warnings.
        (true, true) => EnvFilter::new("error,optctl::event=warn"),
        (true, false) => EnvFilter::new(level),
    });
    // --log-file is relative to the working directory, [log] file to the data home.
    let file = g.log_file.clone().or_else(|| {
        cfg.file.as_ref()?;
        let home = optctl::home::Home::resolve(g.home.as_deref()).ok()?;
        cfg.file_in(home.root())
    });
    // Opened at the first line; a line it cannot take goes to stderr, after a warning.
    let file = file.map(|path| std::sync::Arc::new(LogFile::new(&path, cfg.max_bytes, cfg.keep)));
    let to_file = file.is_some();
    let writer = match file {
        Some(f) => BoxMakeWriter::new(f),
        None => BoxMakeWriter::new(std::io::stderr),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_target(false)
            .try_init()
    } else if to_file {
        builder.with_ansi(false).with_target(false).try_init()
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("NO_COLOR").is_none();
        builder
            .with_ansi(ansi)
            .with_target(false)
            .without_time()
            .try_init()
    };
}

/// Whether the error is a closed stdout (`optctl alerts | head`): not a failure. Every
/// command writes stdout through `Output` (or returns the write's error), so `main`
/// ends such a run quietly with exit 0: the reader has what it wanted.
pub fn is_broken_pipe(err: &optctl::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(j) = e.downcast_ref::<serde_json::Error>()
            && j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
