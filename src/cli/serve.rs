//! `optctl serve`: an HTTP API over the files `optctl export` writes, and the control routes.

use std::io::Write;
use std::net::IpAddr;

use optctl::serve;

use super::{Ctx, Outcome};

/// Serve the exports over HTTP (read-only) until SIGINT or SIGTERM.
///
/// Answers GET /health, /metrics, /alerts/latest, /alerts, /alerts/ticker/{ticker},
/// /options/{ticker}/snapshot, /scans/latest, /scans, /tickers and
/// /features/{ticker}/latest from the JSON files in <home>/exports, reloading a file
/// within a quarter second of `optctl export` replacing it. GET / is a dashboard page
/// for a browser (alerts, chains with smile charts, scans) that refreshes by itself.
/// The control routes (POST/PUT under /api/: trigger or pause enrichment, refresh the
/// workbooks, stop or start the workbook loop, clear the scheduler cache) always need a
/// token ([serve] control_token, else --token) and are audited in the database.
/// Prints "listening on http://ADDR" on stdout once it accepts connections. Defaults
/// come from the [serve] section of the config file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on; 0 picks a free one [config: serve.port, 8061].
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on [config: serve.bind, 127.0.0.1].
    ///
    /// Anything but a loopback address needs --token, or --allow-no-token.
    #[arg(long, value_name = "IP")]
    bind: Option<IpAddr>,
    /// Threads that answer requests; 0 = one per CPU core [config: serve.threads, 0].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Require `Authorization: Bearer TOKEN` on every data request.
    ///
    /// GET /, the dashboard page, is served without it: the page holds no data, and asks
    /// for the token.
    #[arg(long, env = "OPTCTL_SERVE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Serve a non-loopback address without a token (only on a trusted network).
    #[arg(long)]
    allow_no_token: bool,
    /// Send `Access-Control-Allow-Origin: ORIGIN` for a browser dashboard
    /// [config: serve.cors_origin].
    #[arg(long, value_name = "ORIGIN")]
    cors_origin: Option<String>,
    /// Seconds between the dashboard page's refreshes [config: serve.refresh_secs, 15].
    #[arg(long, value_name = "N")]
    refresh_secs: Option<u32>,
    /// Connections open at once; one more gets a 503 and is closed
    /// [config: serve.max_connections, 4096].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let config = ctx.config()?;
    let market_hours = config.market_hours.calendar(&ctx.home)?;
    let enrich = optctl::enrich::report::Settings::new(&config.enrich, &config.resilience);
    let cfg = config.serve;
    let bind = args.bind.unwrap_or(cfg.bind);
    let opts = serve::Options {
        bind,
        port: args.port.unwrap_or(cfg.port),
        threads: match args.threads.unwrap_or(cfg.threads) {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        },
        token: args.token,
        control_token: cfg.control_token,
        control_max_body_bytes: cfg.control_max_body_bytes,
        audit_keep_days: cfg.audit_keep_days,
        // The jobs the control routes start read the same config file.
        config: (ctx.config_named || ctx.config_path.exists()).then(|| ctx.config_path.clone()),
        as_of: ctx.as_of,
        allow_no_token: args.allow_no_token,
        cors_origin: args.cors_origin.or(cfg.cors_origin),
        max_age: cfg.max_age_seconds,
        snapshot_cache_bytes: cfg.snapshot_cache_bytes,
        market_hours,
        enrich,
        refresh_secs: args.refresh_secs.unwrap_or(cfg.refresh_secs),
        stale_after_secs: cfg.stale_after_secs,
        scheduler: config.scheduler.clone(),
        max_connections: args.max_connections.unwrap_or(cfg.max_connections),
        max_connections_per_client: cfg.max_connections_per_client,
        idle_timeout: std::time::Duration::from_secs(cfg.idle_timeout_seconds),
        header_timeout: std::time::Duration::from_secs(cfg.header_timeout_seconds),
        request_timeout: std::time::Duration::from_secs(cfg.request_timeout_seconds),
        write_timeout: std::time::Duration::from_secs(cfg.write_timeout_seconds),
        max_body_bytes: cfg.max_body_bytes,
        allowed_hosts: cfg.allowed_hosts,
        store_readers: cfg.store_readers,
        store_busy_timeout: std::time::Duration::from_millis(cfg.store_busy_timeout_ms),
    };
    opts.check()?;
    let stop = super::stop_on_signals()?;
    let json = ctx.out.is_json();
    serve::run(&opts, &ctx.home, &stop, |addr| {
        let line = if json {
            serde_json::json!({"listening": format!("http://{addr}")}).to_string()
        } else {
            format!("listening on http://{addr}")
        };
        // The address matters to whoever started us (port 0): flush it now, and if
        // stdout is gone keep serving anyway.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
    })?;
    ctx.out.note("optctl serve: stopped");
    Ok(Outcome::Done)
}
