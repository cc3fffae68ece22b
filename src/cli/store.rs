//! `optctl store`: what the database holds, and retention on demand.

use serde::Serialize;

use super::output::Output;
use super::{Ctx, Outcome};

/// Look at the database: rows and bytes per table, or run every retention now.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Rows, bytes and the oldest row's time per table.
    Stats,
    /// Delete what every table family's retention setting allows, now (each job also
    /// does this for its own tables at the end of its run).
    Prune,
}

/// What `store prune` deleted, per table family.
#[derive(Debug, Serialize)]
struct Pruned {
    family: &'static str,
    setting: &'static str,
    rows: u64,
}

pub fn run(cmd: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match cmd {
        Command::Stats => stats(ctx),
        Command::Prune => prune(ctx),
    }
}

fn stats(ctx: &Ctx) -> optctl::Result<Outcome> {
    let tables = ctx.store_read()?.table_stats()?;
    if ctx.out.is_json() {
        let rows: u64 = tables.iter().map(|t| t.rows).sum();
        let bytes: u64 = tables.iter().map(|t| t.bytes).sum();
        ctx.out.json(&serde_json::json!({
            "path": ctx.home.store().to_string(),
            "rows": rows,
            "bytes": bytes,
            "tables": tables,
        }))?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&["table", "rows", "bytes", "oldest"]);
    for s in &tables {
        t.add_row(vec![
            s.table.clone(),
            s.rows.to_string(),
            s.bytes.to_string(),
            s.oldest.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    Output::align_right(&mut t, &[1, 2]);
    ctx.out.print_table(None, &t)?;
    Ok(Outcome::Done)
}

fn prune(ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let mut store = ctx.store()?;
    let now = ctx.as_of;
    let e = &cfg.enrich;
    let families = vec![
        Pruned {
            family: "chains",
            setting: "[scan] keep_chain_days",
            rows: optctl::scan::run::prune_chains(&mut store, 0, now, cfg.scan.keep_chain_days)?,
        },
        Pruned {
            family: "excel",
            setting: "[excel] keep_days",
            rows: optctl::excel::process::prune(&mut store, 0, now, cfg.excel.keep_days)?,
        },
        Pruned {
            family: "enrich",
            setting: "[enrich] keep_days, lookback_days x2",
            rows: optctl::enrich::run::prune(&mut store, 0, now, e.keep_days, &e.lookback_days)?,
        },
        Pruned {
            family: "notify",
            setting: "[notify] keep_sent_days",
            rows: optctl::notify::prune(&mut store, &cfg.notify, now)?,
        },
        Pruned {
            family: "control",
            setting: "[serve] audit_keep_days",
            rows: store
                .control_mut()
                .prune_audit(now - chrono::TimeDelta::days(i64::from(cfg.serve.audit_keep_days)))?
                .rows,
        },
        Pruned {
            family: "scheduler",
            setting: "[scheduler] keep_days",
            rows: optctl::scheduler::prune(&mut store, &cfg.scheduler, now)?,
        },
    ];
    let rows: u64 = families.iter().map(|f| f.rows).sum();
    if ctx.out.is_json() {
        ctx.out
            .json(&serde_json::json!({"rows": rows, "families": families}))?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&["family", "rows deleted", "setting"]);
    for f in &families {
        t.add_row(vec![f.family.into(), f.rows.to_string(), f.setting.into()]);
    }
    Output::align_right(&mut t, &[1]);
    ctx.out.print_table(None, &t)?;
    Ok(Outcome::Done)
}
