//! `optctl store`: what the database holds, and retention on demand.

use serde::Serialize;

use optctl::store::location::Location;

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
    /// Copy every row of this store into an empty one (`--to`), or of another store into
    /// this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back.
    ///
    /// The other store is a PostgreSQL URL (`postgres://user@host/db`; the password as
    /// for --store) or a SQLite file. The target is created and migrated if needed and
    /// must hold no rows; it is written in one transaction, so a copy that fails leaves
    /// it empty. The source is read in one snapshot, so jobs may go on writing to it.
    /// Each table's rows are counted on both sides afterwards; a difference is an error.
    Copy(CopyArgs),
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct CopyArgs {
    /// Copy this store into STORE (a PostgreSQL URL or a SQLite file).
    #[arg(long, value_name = "STORE")]
    to: Option<String>,
    /// Copy STORE into this store.
    #[arg(long, value_name = "STORE")]
    from: Option<String>,
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
        Command::Copy(a) => copy(ctx, &a),
    }
}

fn copy(ctx: &Ctx, args: &CopyArgs) -> optctl::Result<Outcome> {
    let flag = if args.to.is_some() { "--to" } else { "--from" };
    let other = args
        .to
        .as_deref()
        .or(args.from.as_deref())
        .unwrap_or_default();
    let other =
        Location::from_arg(other).map_err(|e| optctl::Error::Usage(format!("{flag}: {e}")))?;
    let here = ctx.home.store().clone();
    let (from, to) = if args.to.is_some() {
        (here, other)
    } else {
        (other, here)
    };
    if from == to {
        return Err(optctl::Error::Usage(format!(
            "{flag}: {from} is this store itself"
        )));
    }
    if !from.exists() {
        return Err(optctl::Error::Usage(format!("{from} does not exist")));
    }
    let source = from.open_read()?;
    let mut target = to.open()?;
    let started = std::time::Instant::now();
    let tables = source.copy_into(&mut target, |t| {
        tracing::info!("copied {}: {} rows", t.table, t.rows);
    })?;
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    if ctx.out.is_json() {
        ctx.out.json(&serde_json::json!({
            "from": from.to_string(),
            "to": to.to_string(),
            "rows": rows,
            "seconds": started.elapsed().as_secs_f64(),
            "tables": tables,
        }))?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&["table", "rows"]);
    for c in tables.iter().filter(|c| c.rows > 0) {
        t.add_row(vec![c.table.clone(), c.rows.to_string()]);
    }
    Output::align_right(&mut t, &[1]);
    ctx.out.print_table(None, &t)?;
    ctx.out.line(&format!(
        "copied {rows} rows in {} tables from {from} to {to}, counts checked ({:.1} s)",
        tables.len(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(Outcome::Done)
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
