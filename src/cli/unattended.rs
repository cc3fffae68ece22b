//! How optctl is called when nobody watches: the invocation (this binary's absolute path,
//! `--home`, and `--config` when one was named), the cron lines `optctl doctor` prints
//! and the systemd units `optctl generate systemd` writes.

use std::path::{Path, PathBuf};

use super::Ctx;

/// This optctl, the data home and the named config, absolute: cron and systemd start
/// in another directory with a short PATH and environment.
pub struct Invocation {
    pub program: PathBuf,
    pub home: PathBuf,
    pub config: Option<PathBuf>,
    /// `--store`/`$OPTCTL_STORE` of this run, without its password (cron reads it from
    /// ~/.pgpass or $PGPASSWORD).
    pub store: Option<String>,
}

impl Invocation {
    pub fn from_ctx(ctx: &Ctx) -> Invocation {
        let program = std::env::current_exe()
            .ok()
            .and_then(|p| p.canonicalize().ok())
            .unwrap_or_else(|| "optctl".into());
        let home = std::path::absolute(&ctx.home).unwrap_or_else(|_| ctx.home.to_path_buf());
        let config = ctx.config_named.then(|| {
            std::path::absolute(&ctx.config_path).unwrap_or_else(|_| ctx.config_path.clone())
        });
        let store = ctx
            .store_flag
            .as_deref()
            .map(optctl::store::location::url_without_password);
        Invocation {
            program,
            home,
            config,
            store,
        }
    }

    /// `/abs/optctl --home DIR [--config FILE] [--store URL]`, quoted for a shell (and for systemd,
    /// which splits ExecStart on the same single quotes).
    pub fn base(&self) -> String {
        let mut s = format!("{} --home {}", quote(&self.program), quote(&self.home));
        if let Some(c) = &self.config {
            s.push_str(&format!(" --config {}", quote(c)));
        }
        if let Some(u) = &self.store {
            s.push_str(&format!(" --store {}", quote(Path::new(u))));
        }
        s
    }

    /// The base followed by `args`.
    pub fn with(&self, args: &str) -> String {
        format!("{} {args}", self.base())
    }
}

/// A path as one shell word: as is when it is plain, else single-quoted.
pub fn quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The README's cron lines for this invocation. `enrich_schedule` is `[enrich] schedule`
/// when set (its five fields replace the nightly 01:30 UTC default).
pub fn crontab(inv: &Invocation, enrich_schedule: Option<&str>) -> Vec<String> {
    let enrich = enrich_schedule.unwrap_or("30 1 * * *");
    vec![
        "# optctl: scan (and notify) then publish the JSON files; the exports on their own;".into(),
        "# nightly bars and indicators (UTC); notification retries. Overlapping runs exit 75."
            .into(),
        format!(
            "*/10 * * * 1-5  {} && {}",
            inv.with("-q scan"),
            inv.with("-q export")
        ),
        format!("*/5  * * * 1-5  {}", inv.with("-q export")),
        format!("{enrich}  {}", inv.with("-q enrich run")),
        format!("*    * * * *    {}", inv.with("-q notify")),
        "# The strategy schedulers' lines: optctl migrate-scheduler crontab".into(),
    ]
}

/// One systemd unit file: its name and its text.
pub struct Unit {
    pub name: String,
    pub text: String,
}

/// Hardening that leaves the data home (and the config) writable: no new privileges,
/// a private /tmp, the system read-only except the home.
fn hardening(inv: &Invocation) -> String {
    let mut s = String::from(
        "NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=full\nProtectControlGroups=yes\n\
         ProtectKernelModules=yes\nProtectKernelTunables=yes\nRestrictSUIDSGID=yes\n\
         LockPersonality=yes\n",
    );
    s.push_str(&format!("ReadWritePaths={}\n", quote(&inv.home)));
    s
}

fn service(inv: &Invocation, description: &str, args: &str, long_running: bool) -> String {
    let mut s = format!(
        "[Unit]\nDescription={description}\nAfter=network-online.target\nWants=network-online.target\n\n[Service]\n"
    );
    if long_running {
        s.push_str("Type=simple\n");
        s.push_str(&format!("ExecStart={}\n", inv.with(args)));
        s.push_str("Restart=on-failure\nRestartSec=10\n");
        s.push_str("# optctl finishes what it is doing on SIGTERM and exits 0.\nKillSignal=SIGTERM\nTimeoutStopSec=30\n");
    } else {
        s.push_str("Type=oneshot\n");
        for a in args.split(" && ") {
            s.push_str(&format!("ExecStart={}\n", inv.with(a)));
        }
        s.push_str("# 75: another run of the same job held the lock; nothing was done.\nSuccessExitStatus=75\n");
    }
    s.push_str(&hardening(inv));
    if long_running {
        s.push_str("\n[Install]\nWantedBy=default.target\n");
    }
    s
}

fn timer(description: &str, on_calendar: &str) -> String {
    format!(
        "[Unit]\nDescription={description}\n\n[Timer]\nOnCalendar={on_calendar}\nPersistent=false\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n"
    )
}

/// The units: the two long-running services, and timer + service pairs for the jobs
/// cron would run (an alternative to cron, not an addition).
pub fn systemd_units(inv: &Invocation) -> Vec<Unit> {
    let mut units = vec![
        Unit {
            name: "optctl-serve.service".into(),
            text: service(
                inv,
                "optctl serve: the HTTP API over the exports",
                "serve",
                true,
            ),
        },
        Unit {
            name: "optctl-excel.service".into(),
            text: service(
                inv,
                "optctl process-excel: the broker workbooks, in session",
                "-q process-excel --watch --market-hours-only",
                true,
            ),
        },
    ];
    for (name, what, args, when) in [
        (
            "optctl-scan",
            "optctl scan (and notify), then export",
            "-q scan && -q export",
            "Mon..Fri *-*-* *:00/10:00 UTC",
        ),
        (
            "optctl-export",
            "optctl export: the JSON files",
            "-q export",
            "Mon..Fri *-*-* *:00/5:00 UTC",
        ),
        (
            "optctl-enrich",
            "optctl enrich run: nightly bars and indicators",
            "-q enrich run",
            "*-*-* 01:30:00 UTC",
        ),
    ] {
        units.push(Unit {
            name: format!("{name}.service"),
            text: service(inv, what, args, false),
        });
        units.push(Unit {
            name: format!("{name}.timer"),
            text: timer(&format!("{what}, on a timer"), when),
        });
    }
    units
}
