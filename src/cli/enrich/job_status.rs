//! `optctl enrich job-status SYMBOL`: a symbol's newest job and what is stored for it.

use optctl::enrich::report;
use optctl::market::Symbol;

use crate::cli::output::Output;
use crate::cli::{Ctx, Outcome};

use super::{lines, settings, store_if_any, when};

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.4}"))
}

/// Show a symbol's newest job: each timeframe's fetch, quality issues, stored bars and
/// the latest indicators.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The symbol (any case; BRK-B reads as BRK.B).
    symbol: Symbol,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let set = settings(ctx)?;
    let Some(j) = report::job_status(store_if_any(ctx)?.as_ref(), &set, args.symbol.as_str())?
    else {
        return Err(optctl::Error::BadInput(format!(
            "no enrich job for {}: it has not been enriched yet (`optctl enrich run --symbols {}`)",
            args.symbol, args.symbol
        )));
    };
    if ctx.out.is_json() {
        ctx.out.json(&j)?;
        return Ok(Outcome::Done);
    }
    let job = &j.job;
    lines(
        ctx,
        &[
            ("symbol", j.symbol.clone()),
            ("class", job.asset_class.to_string()),
            ("job", format!("#{} of run #{}", job.id, job.run_id)),
            ("status", job.status.to_string()),
            ("attempts", job.attempts.to_string()),
            ("started", when(job.started_at)),
            ("finished", when(job.finished_at)),
            ("fetch", format!("{:.0} ms", job.fetch_ms)),
            ("compute", format!("{:.0} ms", job.compute_ms)),
            ("bars added", job.bars_added.to_string()),
            ("quality issues", job.quality_issues.to_string()),
            (
                "last error",
                job.last_error.clone().unwrap_or_else(|| "none".into()),
            ),
        ],
    )?;
    let mut f = ctx.out.table(&[
        "tf",
        "status",
        "from",
        "tries",
        "fetched",
        "added",
        "revised",
        "quarantined",
        "issues",
    ]);
    for x in &j.fetches {
        f.add_row(vec![
            x.timeframe.to_string(),
            x.status.to_string(),
            optctl::store::ts(x.range_from),
            x.attempts.to_string(),
            x.bars_fetched.to_string(),
            x.bars_added.to_string(),
            x.bars_revised.to_string(),
            x.bars_quarantined.to_string(),
            x.quality_issues.to_string(),
        ]);
    }
    Output::align_right(&mut f, &[3, 4, 5, 6, 7, 8]);
    ctx.out.print_table(Some("\nfetches"), &f)?;
    let mut b = ctx
        .out
        .table(&["tf", "bars", "first", "last", "quarantined"]);
    for s in &j.bars {
        b.add_row(vec![
            s.timeframe.to_string(),
            s.bars.to_string(),
            optctl::store::ts(s.first),
            optctl::store::ts(s.last),
            s.quarantined.to_string(),
        ]);
    }
    Output::align_right(&mut b, &[1, 4]);
    ctx.out.print_table(Some("\nstored bars"), &b)?;
    let mut i = ctx.out.table(&[
        "tf", "close", "sma 20", "sma 200", "ema 12", "rsi 14", "macd", "atr 14", "rv 20",
        "52w high", "52w low",
    ]);
    for r in &j.indicators {
        let v = &r.values;
        i.add_row(vec![
            r.timeframe.to_string(),
            format!("{:.2}", v.close),
            opt(v.sma_20),
            opt(v.sma_200),
            opt(v.ema_12),
            opt(v.rsi_14),
            opt(v.macd),
            opt(v.atr_14),
            opt(v.rv_20),
            opt(v.high_52w),
            opt(v.low_52w),
        ]);
    }
    Output::align_right(&mut i, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    ctx.out.print_table(Some("\nindicators"), &i)?;
    if !j.issues.is_empty() {
        ctx.out.line("\nquality issues")?;
        for x in &j.issues {
            ctx.out
                .line(&format!("  {} {}: {}", x.timeframe, x.kind, x.detail))?;
        }
    }
    Ok(Outcome::Done)
}
