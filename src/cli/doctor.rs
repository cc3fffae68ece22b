//! `optctl doctor`: what a cron user gets wrong, checked in one run. Reads only: it never
//! creates the home, migrates the database or changes the resilience state.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use optctl::config::Config;
use optctl::provider::source::Source;
use optctl::store::Store;

use super::unattended::{self, Invocation};
use super::{Ctx, Outcome};

/// Check what unattended runs need: config, home, database, clock, providers, keys
///
/// Also the disk, the workbooks, serve's port and the notification channels. Each check prints ok, warn or fail, and for the others what to do; then the cron
/// lines for this optctl, home and config. Exit 0 when nothing failed (warnings allowed),
/// 1 with the list of what to fix. A config that does not parse is such a failure (exit
/// 1, named), not bad input. Nothing is written: the home is not created and the
/// database is opened read-only, never migrated.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not contact the providers (the reachability checks are skipped).
    #[arg(long)]
    offline: bool,
    /// Send a test message through every configured notification channel.
    #[arg(long)]
    send_test: bool,
}

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// What to do about a warning or a failure.
    pub fix: Option<String>,
}

/// The schema version check: older than this optctl writes is a warning (a writing
/// command migrates it), unreadable a failure.
fn schema_check(store: &optctl::store::Store, current: i64) -> Check {
    match store.user_version() {
        Ok(v) if v < current => check(
            "schema",
            Status::Warn,
            format!("version {v}, this optctl writes {current}"),
        )
        .fix("run a writing command (optctl scan) to migrate it"),
        Ok(v) => check("schema", Status::Ok, format!("version {v} (current)")),
        Err(e) => check("schema", Status::Fail, e.with_causes()),
    }
}

fn check(name: impl Into<String>, status: Status, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        status,
        detail: detail.into(),
        fix: None,
    }
}

impl Check {
    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

#[derive(Debug, Serialize)]
struct Report {
    healthy: bool,
    checks: Vec<Check>,
    crontab: Vec<String>,
}

/// Free space under which the disk check warns.
const WARN_BYTES: u64 = 1 << 30;
const WARN_FRACTION: f64 = 0.05;
/// Under this, writes are about to fail: a failure.
const FAIL_BYTES: u64 = 100 << 20;
/// Resilience state stamped this far past now means the clock went back.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::seconds(60);
/// How long a provider may take to answer the reachability request.
const REACH_TIMEOUT: Duration = Duration::from_secs(5);

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut checks = Vec::new();
    let cfg = config_check(ctx, &mut checks);
    checks.push(home_check(ctx.home.root()));
    let store = match ctx.home.store() {
        optctl::store::Location::Sqlite(db) => database_check(db, &mut checks),
        optctl::store::Location::Postgres(config) => postgres_check(config, &mut checks),
    };
    checks.push(disk_check(ctx.home.root()));
    if let Some(store) = &store {
        checks.push(clock_check(store, ctx.as_of));
    }
    if let Some(cfg) = &cfg {
        provider_checks(cfg, args.offline, &mut checks);
        excel_checks(ctx, cfg, &mut checks);
        checks.push(port_check(cfg));
        if let Some(c) = log_check(ctx, cfg) {
            checks.push(c);
        }
        notify_checks(ctx, cfg, args.send_test, &mut checks);
    }
    let inv = Invocation::from_ctx(ctx);
    let crontab = unattended::crontab(
        &inv,
        cfg.as_ref().and_then(|c| c.enrich.schedule.as_deref()),
    );
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.name.clone())
        .collect();
    let report = Report {
        healthy: failed.is_empty(),
        checks,
        crontab,
    };
    if ctx.out.is_json() {
        ctx.out.json(&report)?;
    } else {
        print_text(ctx, &report)?;
    }
    if failed.is_empty() {
        Ok(Outcome::Done)
    } else {
        Err(optctl::Error::Failed(format!(
            "{} check{} failed, fix: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", ")
        )))
    }
}

fn print_text(ctx: &Ctx, report: &Report) -> optctl::Result<()> {
    let width = report
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    for c in &report.checks {
        ctx.out.line(&format!(
            "{:<4}  {:<width$}  {}",
            c.status.as_str(),
            c.name,
            c.detail
        ))?;
        if let Some(fix) = &c.fix {
            ctx.out
                .line(&format!("{:<4}  {:<width$}  -> {fix}", "", ""))?;
        }
    }
    ctx.out.line("")?;
    ctx.out
        .line("# crontab lines for this optctl, home and config:")?;
    for l in &report.crontab {
        ctx.out.line(l)?;
    }
    Ok(())
}

fn config_check(ctx: &Ctx, checks: &mut Vec<Check>) -> Option<Config> {
    let path = ctx.config_path.display();
    match ctx.config() {
        Ok(cfg) => {
            let detail = if ctx.config_path.exists() {
                format!("{path} parses")
            } else {
                format!("no file at {path}: the built-in defaults")
            };
            checks.push(check("config", Status::Ok, detail));
            Some(cfg)
        }
        Err(e) => {
            checks.push(
                check("config", Status::Fail, optctl::error::report(&e)).fix(format!(
                    "fix {path} (`optctl config init` writes a commented one)"
                )),
            );
            None
        }
    }
}

fn home_check(home: &Path) -> Check {
    if !home.is_dir() {
        return check(
            "home",
            Status::Fail,
            format!("{} does not exist", home.display()),
        )
        .fix("run a writing command once (optctl scan) or pass the right --home");
    }
    match tempfile::Builder::new()
        .prefix(".doctor-")
        .tempfile_in(home)
    {
        Ok(_) => check(
            "home",
            Status::Ok,
            format!("{} exists and is writable", home.display()),
        ),
        Err(e) => check(
            "home",
            Status::Fail,
            format!("{} is not writable: {e}", home.display()),
        )
        .fix("give the cron user write access to the data home"),
    }
}

/// `[log] file`: it can be appended to, or created in its folder. Writes nothing.
fn log_check(ctx: &Ctx, cfg: &Config) -> Option<Check> {
    let path = cfg.log.file_in(ctx.home.root())?;
    let shown = path.display();
    let c = if path.exists() {
        match std::fs::OpenOptions::new().append(true).open(&path) {
            Ok(f) => {
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                check(
                    "log file",
                    Status::Ok,
                    format!(
                        "{shown} is writable ({len} of {} bytes before it rotates, {} kept)",
                        cfg.log.max_bytes, cfg.log.keep
                    ),
                )
            }
            Err(e) => check("log file", Status::Fail, format!("{shown}: {e}"))
                .fix("give the cron user write access to the log file"),
        }
    } else {
        // The folder is created by the first job; a home that does not exist yet is the
        // home check's concern.
        match path.parent().filter(|d| d.is_dir()) {
            Some(dir) => match tempfile::Builder::new().prefix(".doctor-").tempfile_in(dir) {
                Ok(_) => check(
                    "log file",
                    Status::Ok,
                    format!("{shown} will be created by the first job"),
                ),
                Err(e) => check(
                    "log file",
                    Status::Fail,
                    format!("{} is not writable: {e}", dir.display()),
                )
                .fix("give the cron user write access to the log file's folder"),
            },
            None if path.ancestors().skip(1).any(|a| a.is_file()) => check(
                "log file",
                Status::Fail,
                format!("{shown} cannot be created: a file is in the way of its folder"),
            )
            .fix("point [log] file at a folder the cron user can write"),
            None => check(
                "log file",
                Status::Ok,
                format!("{shown} and its folder will be created by the first job"),
            ),
        }
    };
    Some(c)
}

/// The PostgreSQL store: the server answers, and the schema's version. Opens nothing
/// new and migrates nothing.
fn postgres_check(config: &postgres::Config, checks: &mut Vec<Check>) -> Option<Store> {
    let at = optctl::store::Location::Postgres(Box::new(config.clone())).to_string();
    let current = optctl::store::schema_version();
    let store = match Store::open_postgres_unmigrated(config) {
        Ok(Some(s)) => s,
        Ok(None) => {
            checks.push(check(
                "database",
                Status::Ok,
                format!("PostgreSQL {at}: connected"),
            ));
            checks.push(
                check("schema", Status::Warn, "no optctl tables yet")
                    .fix("run a writing command (optctl scan) to create them"),
            );
            return None;
        }
        Err(e @ optctl::store::Error::TooNew { .. }) => {
            checks.push(
                check("database", Status::Fail, format!("PostgreSQL {at}: {e}"))
                    .fix("upgrade optctl: a newer version wrote this database"),
            );
            return None;
        }
        Err(e) => {
            checks.push(check("database", Status::Fail, e.with_causes()).fix(
                "check the URL (--store, $OPTCTL_STORE or [store] url), that the \
                         server runs, and that it accepts this user and password",
            ));
            return None;
        }
    };
    checks.push(check(
        "database",
        Status::Ok,
        format!("PostgreSQL {at}: connected"),
    ));
    checks.push(schema_check(&store, current));
    Some(store)
}

fn database_check(db: &Path, checks: &mut Vec<Check>) -> Option<Store> {
    if !db.exists() {
        checks.push(
            check(
                "database",
                Status::Warn,
                format!("no database yet at {}", db.display()),
            )
            .fix("run optctl scan once"),
        );
        return None;
    }
    let store =
        match Store::open_read_only(db) {
            Ok(s) => s,
            Err(e @ optctl::store::Error::TooNew { .. }) => {
                checks.push(
                    check("database", Status::Fail, e.to_string())
                        .fix("upgrade optctl: a newer version wrote this database"),
                );
                return None;
            }
            Err(e) => {
                checks.push(check("database", Status::Fail, e.with_causes()).fix(
                    "restore the database from a backup, or move it away to start a fresh one",
                ));
                return None;
            }
        };
    let current = optctl::store::schema_version();
    checks.push(schema_check(&store, current));
    match store.quick_check() {
        Ok(problems) if problems.is_empty() => checks.push(check(
            "database",
            Status::Ok,
            format!("{}: quick_check ok", db.display()),
        )),
        Ok(problems) => checks.push(
            check(
                "database",
                Status::Fail,
                format!("{}: {}", db.display(), problems.join("; ")),
            )
            .fix("restore the database from a backup (sqlite3 .recover can save what is left)"),
        ),
        Err(e) => checks.push(
            check("database", Status::Fail, e.with_causes())
                .fix("restore the database from a backup"),
        ),
    }
    Some(store)
}

/// Free bytes for this user and the file system's size, at `path` or its nearest
/// existing ancestor.
fn free_space(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path;
    while !p.exists() {
        p = p.parent().unwrap_or(Path::new("/"));
    }
    let c = std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a NUL-terminated path that outlives the call; `st` is a zeroed
    // statvfs that the call fills in.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let frsize = st.f_frsize as u64;
    Ok((st.f_bavail as u64 * frsize, st.f_blocks as u64 * frsize))
}

fn disk_check(home: &Path) -> Check {
    let (free, total) = match free_space(home) {
        Ok(v) => v,
        Err(e) => return check("disk", Status::Warn, format!("cannot read free space: {e}")),
    };
    let gib = free as f64 / (1u64 << 30) as f64;
    let pct = if total > 0 {
        free as f64 / total as f64
    } else {
        1.0
    };
    let detail = format!("{gib:.1} GiB free ({:.0}%)", pct * 100.0);
    if free < FAIL_BYTES {
        check("disk", Status::Fail, detail).fix("free space on the data home's file system")
    } else if free < WARN_BYTES || pct < WARN_FRACTION {
        check("disk", Status::Warn, detail)
            .fix("free space soon: a full disk stops every writing command")
    } else {
        check("disk", Status::Ok, detail)
    }
}

fn clock_check(store: &Store, now: DateTime<Utc>) -> Check {
    let mut latest: Option<(DateTime<Utc>, String)> = None;
    let mut see = |t: DateTime<Utc>, what: String| {
        if latest.as_ref().is_none_or(|(l, _)| t > *l) {
            latest = Some((t, what));
        }
    };
    let r = store.resilience();
    match (r.list_breakers(), r.list_limiters()) {
        (Ok(breakers), Ok(limiters)) => {
            for b in breakers {
                see(b.changed_at, format!("breaker {}", b.name));
                if let Some(t) = b.last_failure_at {
                    see(t, format!("breaker {}", b.name));
                }
            }
            for l in limiters {
                see(l.updated, format!("limiter {}", l.name));
            }
        }
        (Err(e), _) | (_, Err(e)) => {
            return check(
                "clock",
                Status::Warn,
                format!("cannot read the resilience state: {}", e.with_causes()),
            );
        }
    }
    match latest {
        Some((t, what)) if t > now + CLOCK_SLACK => check(
            "clock",
            Status::Fail,
            format!(
                "{what} was written at {}, {} ahead of now ({})",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ahead(t - now),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
        .fix("the clock went back (or a run used a future --as-of): fix the time (NTP); the limiter waits until its state is in the past"),
        Some(_) => check("clock", Status::Ok, "the resilience state is not from the future"),
        None => check("clock", Status::Ok, "no resilience state yet"),
    }
}

/// A span as "3 d 4 h", "2 h 5 min" or "40 s".
fn ahead(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    match s {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The sources the config uses (the scan's, enrich's and the schedulers'), each with
/// who uses it.
fn sources(cfg: &Config) -> Vec<(Source, Vec<&'static str>)> {
    let mut v: Vec<(Source, Vec<&'static str>)> = Vec::new();
    for (s, user) in [
        (cfg.provider.name, "scan"),
        (cfg.enrich.provider, "enrich"),
        (cfg.scheduler.provider, "scheduler"),
    ] {
        match v.iter_mut().find(|(x, _)| *x == s) {
            Some((_, users)) => users.push(user),
            None => v.push((s, vec![user])),
        }
    }
    v
}

fn base_url(cfg: &Config, s: Source) -> Option<&str> {
    let p = &cfg.provider;
    Some(match s {
        Source::Cboe => &p.cboe.base_url,
        Source::Yahoo => &p.yahoo.base_url,
        Source::Polygon => &p.polygon.base_url,
        Source::Tradier => &p.tradier.base_url,
        Source::Nse => &p.nse.base_url,
        Source::Kite => &p.kite.base_url,
        Source::Upstox => &p.upstox.base_url,
        Source::Sim | Source::Files => return None,
    })
}

fn provider_checks(cfg: &Config, offline: bool, checks: &mut Vec<Check>) {
    let mut reach = Vec::new();
    for (s, users) in sources(cfg) {
        let name = format!("provider {}", s.as_str());
        match s {
            Source::Sim => checks.push(check(
                name,
                Status::Ok,
                format!("for {}: embedded, nothing to reach", users.join(", ")),
            )),
            Source::Files => checks.push(match &cfg.provider.files.dir {
                Some(d) if d.is_dir() => {
                    check(name, Status::Ok, format!("folder {} exists", d.display()))
                }
                Some(d) => check(
                    name,
                    Status::Fail,
                    format!("folder {} is missing", d.display()),
                )
                .fix("create it or fix [provider.files] dir"),
                None => check(name, Status::Warn, "[provider.files] dir is not set")
                    .fix("set [provider.files] dir, or pass --files-dir to every command"),
            }),
            _ => {
                let url = base_url(cfg, s).unwrap_or_default().to_string();
                if offline {
                    checks.push(check(
                        name,
                        Status::Skip,
                        format!("{url}: not contacted (--offline)"),
                    ));
                } else {
                    reach.push((name, url));
                }
            }
        }
        key_check(cfg, s, checks);
    }
    if reach.is_empty() {
        return;
    }
    let results = match super::runtime() {
        Ok(rt) => rt.block_on(async {
            let client = reqwest::Client::builder()
                .timeout(REACH_TIMEOUT)
                .connect_timeout(REACH_TIMEOUT)
                .build();
            let mut out = Vec::new();
            for (name, url) in reach {
                let c = match &client {
                    Ok(client) => reachable(client, &name, &url).await,
                    Err(e) => check(name, Status::Fail, format!("no HTTP client: {e}")),
                };
                out.push(c);
            }
            out
        }),
        Err(e) => vec![check("providers", Status::Fail, e.to_string())],
    };
    checks.extend(results);
}

async fn reachable(client: &reqwest::Client, name: &str, url: &str) -> Check {
    match client.head(url).send().await {
        // Any answer, even a 404 or 403 for the bare base URL, means it is reachable.
        Ok(resp) => check(
            name,
            Status::Ok,
            format!("{url} answered ({})", resp.status().as_u16()),
        ),
        Err(e) => {
            let why = if e.is_timeout() {
                format!("no answer within {} s", REACH_TIMEOUT.as_secs())
            } else if e.is_connect() {
                "cannot connect".to_string()
            } else {
                e.to_string()
            };
            check(name, Status::Fail, format!("{url}: {why}"))
                .fix("check the network, DNS, a proxy, or the base_url in the config")
        }
    }
}

fn key_check(cfg: &Config, s: Source, checks: &mut Vec<Check>) {
    use optctl::provider::{polygon, tradier, upstox};
    let (present, env, key) = match s {
        Source::Polygon => (
            cfg.provider.polygon.api_key.is_some(),
            polygon::KEY_ENV,
            "[provider.polygon] api_key",
        ),
        Source::Tradier => (
            cfg.provider.tradier.token.is_some(),
            tradier::TOKEN_ENV,
            "[provider.tradier] token",
        ),
        Source::Kite => (
            cfg.provider.kite.api_key.is_some() && cfg.provider.kite.access_token.is_some(),
            "OPTCTL_KITE_API_KEY and OPTCTL_KITE_ACCESS_TOKEN",
            "[provider.kite] api_key and access_token",
        ),
        Source::Upstox => (
            cfg.provider.upstox.access_token.is_some(),
            upstox::TOKEN_ENV,
            "[provider.upstox] access_token",
        ),
        _ => return,
    };
    let name = format!("key {}", s.as_str());
    checks.push(if present {
        check(name, Status::Ok, "present")
    } else {
        check(name, Status::Fail, "missing").fix(format!(
            "set {env} in cron's environment, or {key} in the config"
        ))
    });
}

fn excel_checks(ctx: &Ctx, cfg: &Config, checks: &mut Vec<Check>) {
    let home = ctx.home.root();
    let path = |p: &Option<PathBuf>, default: &str| match p {
        Some(p) => home.join(p),
        None => home.join("excel").join(default),
    };
    for (name, p) in [
        (
            "excel historical",
            path(&cfg.excel.historical, "Historical.xlsx"),
        ),
        ("excel live", path(&cfg.excel.live, "Live.xlsx")),
    ] {
        checks.push(if p.is_file() {
            check(name, Status::Ok, format!("{} exists", p.display()))
        } else {
            check(name, Status::Warn, format!("{} is missing", p.display()))
                .fix("only needed by process-excel: put the workbook there or set [excel]")
        });
    }
}

fn port_check(cfg: &Config) -> Check {
    let addr = std::net::SocketAddr::new(cfg.serve.bind, cfg.serve.port);
    match std::net::TcpListener::bind(addr) {
        Ok(_) => check("serve port", Status::Ok, format!("{addr} is free")),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            check("serve port", Status::Warn, format!("{addr} is taken"))
                .fix("optctl serve may be running already; else pick another [serve] port")
        }
        Err(e) => check(
            "serve port",
            Status::Warn,
            format!("cannot bind {addr}: {e}"),
        )
        .fix("pick another [serve] bind or port"),
    }
}

fn notify_checks(ctx: &Ctx, cfg: &Config, send_test: bool, checks: &mut Vec<Check>) {
    let channels = &cfg.notify.channels;
    let names: Vec<&str> = channels.keys().map(String::as_str).collect();
    checks.push(check(
        "notify",
        Status::Ok,
        if names.is_empty() {
            "no channels configured".to_string()
        } else {
            format!(
                "{} channel{}: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            )
        },
    ));
    if !send_test || names.is_empty() {
        return;
    }
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            checks.push(check("notify test", Status::Fail, e.to_string()));
            return;
        }
    };
    for name in names {
        let opts = super::notify::options(ctx, cfg, Some(name.to_string()));
        let label = format!("notify test {name}");
        checks.push(
            match rt.block_on(optctl::notify::send_test(&cfg.notify, name, &opts)) {
                Ok(r) if r.error.is_none() => check(label, Status::Ok, "test message delivered"),
                Ok(r) => check(label, Status::Fail, r.error.unwrap_or_default())
                    .fix("check the channel's token, URL and chat in [notify.channels]"),
                Err(e) => check(label, Status::Fail, optctl::error::report(&e))
                    .fix("check the channel's settings in [notify.channels]"),
            },
        );
    }
}
