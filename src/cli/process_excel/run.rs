//! `optctl process-excel` itself: one run, or `--watch` for a loop with a clean Ctrl-C.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use optctl::excel::Beat;
use optctl::excel::RunStatus;
use optctl::excel::process::{self, Options, Report};
use optctl::lock::JobLock;
use optctl::market::Calendar;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

/// How long `--watch` waits before looking again while the market is closed.
const CLOSED_RECHECK: Duration = Duration::from_secs(300);

/// The flags of the run itself (flattened into `process-excel`).
#[derive(Debug, clap::Args)]
#[group(skip)]
pub struct Args {
    /// Historical workbook (default: [excel] historical, else <home>/excel/Historical.xlsx).
    #[arg(long, value_name = "FILE")]
    historical: Option<PathBuf>,
    /// Live workbook (default: [excel] live, else <home>/excel/Live.xlsx).
    #[arg(long, value_name = "FILE")]
    live: Option<PathBuf>,
    /// Sheet to read in both workbooks (default: the first sheet of each).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Sheet of the historical workbook (overrides --sheet).
    #[arg(long, value_name = "NAME")]
    historical_sheet: Option<String>,
    /// Sheet of the live workbook (overrides --sheet).
    #[arg(long, value_name = "NAME")]
    live_sheet: Option<String>,
    /// Do nothing (exit 0, reason on stderr) outside the trading session.
    ///
    /// The session is [market_hours] in the config: Asia/Kolkata, 09:15 to 15:30,
    /// Monday to Friday, minus holidays. `optctl market-hours --market workbooks` shows it.
    #[arg(long)]
    market_hours_only: bool,
    /// Process even when neither workbook changed since the last run.
    #[arg(long)]
    force: bool,
    /// Keep running every --interval seconds until Ctrl-C.
    ///
    /// With --market-hours-only a closed market is checked again every 5 minutes. A bad
    /// workbook is reported and tried again at the next tick. Header warnings are
    /// printed when they change, not at every tick. Every tick reads the loop's state
    /// in the database (stopped or started, and the interval, set through `optctl
    /// serve`'s control routes; a stored interval wins over --interval) and writes a
    /// heartbeat (pid, interval, last tick, last error) that `serve` reports.
    #[arg(long)]
    watch: bool,
    /// Seconds between runs with --watch.
    #[arg(long, default_value_t = 6, value_name = "SECS", requires = "watch",
          value_parser = clap::value_parser!(u64).range(1..))]
    interval: u64,
    /// Exit 3 when some rows were skipped and the rest were stored [default: [excel] strict].
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let hours = cfg.market_hours.calendar(&ctx.home)?;
    let mut opts = Options::from_config(&cfg.excel, &ctx.home, &hours, ctx.as_of);
    if let Some(p) = &args.historical {
        opts.historical = p.clone();
    }
    if let Some(p) = &args.live {
        opts.live = p.clone();
    }
    if let Some(s) = args.historical_sheet.as_ref().or(args.sheet.as_ref()) {
        opts.historical_sheet = Some(s.clone());
    }
    if let Some(s) = args.live_sheet.as_ref().or(args.sheet.as_ref()) {
        opts.live_sheet = Some(s.clone());
    }
    opts.force = args.force;
    if args.watch {
        return watch(&args, ctx, &hours, opts);
    }
    let market = hours.status(ctx.as_of);
    if args.market_hours_only && !market.open {
        ctx.out.skipped(&market)?;
        return Ok(Outcome::Done);
    }
    // The lock comes before the store is opened: a refused run touches nothing.
    let _lock = JobLock::acquire(&ctx.home, "process-excel")?;
    let mut store = ctx.store()?;
    let report = process::run(&mut store, &opts)?;
    print(&report, &ctx.out, false, true)?;
    Ok(match report.status {
        RunStatus::Partial => Outcome::partial(args.strict || cfg.excel.strict),
        _ => Outcome::Done,
    })
}

/// The loop of `--watch`: "now" advances from `--as-of` by the wall clock, so a replayed
/// day moves forward too. Unusable input is reported and retried; other errors stop it.
fn watch(args: &Args, ctx: &Ctx, hours: &Calendar, mut opts: Options) -> optctl::Result<Outcome> {
    let stop = super::super::stop_on_signals()?;
    let _lock = JobLock::acquire(&ctx.home, "process-excel")?;
    let mut store = ctx.store()?;
    let started = Instant::now();
    let clock = || ctx.as_of + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let mut was_closed = false;
    let mut was_paused = false;
    let mut warned: Vec<String> = Vec::new();
    let stored = store.control().workbook_loop()?;
    let mut interval = stored.interval_seconds.unwrap_or(args.interval);
    if interval != args.interval {
        ctx.out.note(&format!(
            "ticking every {interval} s: the interval stored through serve's control routes wins over --interval"
        ));
    }
    let forced = opts.force;
    while !stop.load(Ordering::SeqCst) {
        let tick = Instant::now();
        let now = clock();
        let market = hours.status(now);
        // The state the control routes set, read every tick: the loop needs no
        // supervisor to be stopped, started or slowed down.
        let state = store.control().workbook_loop()?;
        interval = state.interval_seconds.unwrap_or(args.interval);
        // A refresh asked for over HTTP runs even while stopped or closed: someone
        // wants the workbooks read now.
        let refresh = state.refresh_requested_at.is_some() && store.control_mut().take_refresh()?;
        let mut error = None;
        let wait = if state.paused && !refresh {
            if !was_paused {
                ctx.out
                    .note("stopped through serve's control routes: idle until started again");
            }
            was_paused = true;
            Duration::from_secs(interval)
        } else if args.market_hours_only && !market.open && !refresh {
            if !was_closed {
                ctx.out.note(&format!(
                    "waiting: {}; checking every {} minutes",
                    market.describe(),
                    CLOSED_RECHECK.as_secs() / 60
                ));
            }
            was_closed = true;
            // Wake at the open rather than up to 5 minutes after it.
            market
                .next_open
                .and_then(|t| (t - now).to_std().ok())
                .map_or(CLOSED_RECHECK, |d| d.min(CLOSED_RECHECK))
        } else {
            if !state.paused && std::mem::take(&mut was_paused) {
                ctx.out.note("started again through serve's control routes");
            }
            was_closed = false;
            opts.now = now;
            opts.trading_date = hours.local_date(now);
            opts.force = forced || refresh;
            match process::run(&mut store, &opts) {
                Ok(report) => {
                    let now: Vec<String> = report.columns.warnings().cloned().collect();
                    print(&report, &ctx.out, true, now != warned)?;
                    warned = now;
                }
                Err(e) if e.is_bad_input() => {
                    let text = optctl::error::report(&e);
                    ctx.out.failure(&format!("error: {text}"));
                    error = Some(text);
                }
                Err(e) => return Err(e),
            }
            Duration::from_secs(interval)
        };
        store.control_mut().beat(&Beat {
            pid: std::process::id(),
            started_at: ctx.as_of,
            // What this tick waits: the interval, or up to 5 minutes while the market
            // is closed, so a closed market's loop does not look dead.
            interval: wait.as_secs().max(1),
            at: now,
            error: error.as_deref(),
        })?;
        // Sleep in short steps so Ctrl-C stops the loop at once; a shorter interval set
        // meanwhile counts from this tick.
        let mut looked = Instant::now();
        let mut wait = wait;
        while tick.elapsed() < wait && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50).min(wait.saturating_sub(tick.elapsed())));
            if looked.elapsed() >= Duration::from_millis(500) {
                looked = Instant::now();
                let state = store.control().workbook_loop()?;
                if state.refresh_requested_at.is_some() {
                    break;
                }
                let next = state.interval_seconds.unwrap_or(args.interval);
                let closed = args.market_hours_only && !market.open;
                if !closed && (next != interval || state.paused != was_paused) {
                    wait = wait.min(Duration::from_secs(next));
                }
            }
        }
    }
    store.control_mut().loop_stopped(clock())?;
    ctx.out.note("stopped");
    Ok(Outcome::Done)
}

/// Human output: one summary line (and buildup counts) on stdout, skipped rows on
/// stderr. `--json`: the report; with `--watch` one compact document per line.
/// `warn`: print the header warnings (every single run, so cron mails them until they
/// are fixed; under `--watch` when they change, not every tick).
fn print(r: &Report, out: &Output, watching: bool, warn: bool) -> optctl::Result<()> {
    const SHOWN: usize = 20;
    // Like skipped rows, a header that matched nothing needs the user: on stderr with -q
    // too.
    if warn {
        for w in r.columns.warnings() {
            out.failure(&format!("warning: {w}"));
        }
    }
    for s in r.skipped.iter().take(SHOWN) {
        out.failure(&format!("skipped {s}"));
    }
    if r.skipped.len() > SHOWN {
        out.failure(&format!(
            "... and {} more skipped rows",
            r.skipped.len() - SHOWN
        ));
    }
    if out.is_json() {
        return if watching {
            out.json_line(r)
        } else {
            out.json(r)
        };
    }
    let at = optctl::store::ts(r.run_at);
    if r.status == RunStatus::Unchanged {
        return out.line(&format!("{at} {} ({:.1} ms)", r.summary(), r.duration_ms));
    }
    out.line(&format!(
        "{at} run {}: {} ({:.1} ms)",
        r.run_id,
        r.summary(),
        r.duration_ms
    ))?;
    if !watching {
        let mut t = out.table(&["buildup", "stocks"]);
        for (k, n) in &r.buildup {
            t.add_row(vec![k.clone(), n.to_string()]);
        }
        Output::align_right(&mut t, &[1]);
        out.print_table(None, &t)?;
    }
    Ok(())
}
