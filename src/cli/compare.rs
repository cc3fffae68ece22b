//! `optctl compare`: run the legacy and the unified strategy scheduler on the same data.

use optctl::scheduler::compare::{self, Report};
use optctl::scheduler::run::Fetcher;
use optctl::scheduler::{Category, SchedulerKind};

use super::output::Output;
use super::{Ctx, Outcome};

/// Compare the legacy and the unified strategy scheduler on the same data.
///
/// Both schedulers run the configured strategy categories ([scheduler.categories.*]) on
/// the same bars at the same --as-of. The legacy scheduler fetches per category, per
/// symbol, one call at a time; the unified one fetches each (symbol, timeframe) once,
/// through the stored symbol cache, several at a time, and analyses the categories in
/// parallel. The table shows each side's signals and their parity (matching, found by
/// one side only, with the differing signals listed), provider calls, execution time,
/// cache hit rate, failed calls, and the calls a day of ticks at the configured cadence
/// would cost each.
///
/// As in GitHub's Scientist, legacy is the control: its signals are the result. The
/// order alternates between runs, --runs N reports medians, and each run repeats
/// legacy to measure the noise floor a timing difference is judged against. The
/// comparison is stored (GET /api/scheduler/stats/comparison serves it), and so are
/// the series fetched, in the cache.
///
/// Exit codes: 0 compared; 3 some symbols failed on either side (the rest compared);
/// with --check, 1 when a success criterion does not hold ([scheduler.criteria]:
/// calls and cache hit rate judged on the projected day, time, parity and error rate as
/// measured); 2 bad usage or config.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Categories to compare, comma separated (default: all):
    /// day_trading, short_selling, short_term.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    categories: Vec<Category>,
    /// Repeat the experiment N times and report medians.
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=100))]
    runs: u16,
    /// Exit 1 unless every success criterion holds.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let cfg = ctx.config()?;
    let mut categories: Vec<Category> = Vec::new();
    for c in args.categories {
        if !categories.contains(&c) {
            categories.push(c);
        }
    }
    if categories.is_empty() {
        categories = Category::ALL.to_vec();
    }
    let opts = compare::Options {
        categories,
        runs: usize::from(args.runs),
        as_of: ctx.as_of,
        hours: cfg.scheduler.market.calendar().clone(),
    };
    let mut store = ctx.store()?;
    let fetcher = Fetcher::connect(&ctx.connector(&cfg), cfg.scheduler.provider)?;
    let progress = ctx.out.progress("comparing");
    let report = super::runtime()?.block_on(compare::compare(
        &mut store,
        &fetcher,
        &cfg.scheduler,
        &opts,
        progress.as_ref(),
    ))?;
    print(&report, &ctx.out)?;
    if args.check && !report.criteria_hold {
        let failing: Vec<&str> = report
            .criteria
            .iter()
            .filter(|c| !c.holds)
            .map(|c| c.detail.as_str())
            .collect();
        return Err(optctl::Error::Failed(format!(
            "success criteria do not hold: {}",
            failing.join("; ")
        )));
    }
    let failed = report.legacy.symbols_failed + report.unified.symbols_failed;
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Done
    })
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.1}%"))
}

fn change(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{:+.1}%", -x))
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn print(r: &Report, out: &Output) -> optctl::Result<()> {
    for e in &r.errors {
        out.note(&format!(
            "optctl: {}: {} {}: {}",
            e.scheduler, e.error.symbol, e.error.timeframe, e.error.error
        ));
    }
    if out.is_json() {
        return out.json(r);
    }
    let categories: Vec<&str> = r.categories.iter().map(|c| c.as_str()).collect();
    out.line(&format!(
        "comparison {} at {}: {} ({} run{}, provider {})",
        r.comparison_id,
        optctl::store::ts(r.as_of),
        categories.join(", "),
        r.runs,
        if r.runs == 1 { "" } else { "s, medians" },
        r.provider
    ))?;
    let p = &r.parity;
    let mut t = out.table(&["", "legacy", "unified", "change"]);
    t.add_row(vec![
        "signals".to_string(),
        r.legacy.signals.to_string(),
        r.unified.signals.to_string(),
        format!(
            "{:.1}% match ({} matching, {} only legacy, {} only unified)",
            p.match_pct, p.matching, p.only_legacy, p.only_unified
        ),
    ]);
    t.add_row(vec![
        "provider calls".to_string(),
        num(r.legacy.provider_calls),
        num(r.unified.provider_calls),
        change(r.call_reduction_pct),
    ]);
    t.add_row(vec![
        "time".to_string(),
        format!("{:.0} ms", r.legacy.duration_ms),
        format!("{:.0} ms", r.unified.duration_ms),
        format!(
            "{} (noise floor {}{})",
            change(r.time_reduction_pct),
            pct(r.noise_floor_pct),
            if r.time_difference_significant {
                ""
            } else {
                ": not significant"
            }
        ),
    ]);
    t.add_row(vec![
        "cache hit rate".to_string(),
        "-".to_string(),
        pct(r.hit_rate_pct),
        format!(
            "{} of {} lookups; {}",
            r.cache_hits,
            r.lookups,
            if r.cache_warm {
                format!("warm, {} series stored", r.cache_stored_series)
            } else {
                "cold cache".to_string()
            }
        ),
    ]);
    t.add_row(vec![
        "failed calls".to_string(),
        num(r.legacy.failed_calls),
        num(r.unified.failed_calls),
        format!(
            "{} / {} symbols failed",
            r.legacy.symbols_failed, r.unified.symbols_failed
        ),
    ]);
    let d = &r.projected;
    t.add_row(vec![
        "calls per day".to_string(),
        d.legacy_calls.to_string(),
        d.unified_calls.to_string(),
        format!(
            "{} ({} ticks every {} min; hit rate {})",
            change(d.call_reduction_pct),
            d.ticks,
            d.cadence_minutes,
            pct(d.hit_rate_pct)
        ),
    ]);
    Output::align_right(&mut t, &[1, 2]);
    out.print_table(None, &t)?;

    if !p.differences.is_empty() {
        let mut t = out.table(&[
            "found by",
            "symbol",
            "category",
            "strategy",
            "direction",
            "price",
            "bar time",
        ]);
        for d in &p.differences {
            let s = &d.signal;
            t.add_row(vec![
                d.found_by.to_string(),
                s.symbol.clone(),
                s.category.to_string(),
                s.strategy.clone(),
                s.direction.as_str().to_string(),
                format!("{:.2}", s.price),
                optctl::store::ts(s.bar_time),
            ]);
        }
        out.print_table(Some("differing signals"), &t)?;
    }
    super::migrate_scheduler::print_criteria(out, &r.criteria)?;
    if !r.signals.is_empty() {
        let mut t = out.table(&[
            "symbol",
            "category",
            "strategy",
            "direction",
            "price",
            "strength",
            "bar time",
        ]);
        for s in &r.signals {
            t.add_row(vec![
                s.symbol.clone(),
                s.category.to_string(),
                s.strategy.clone(),
                s.direction.as_str().to_string(),
                format!("{:.2}", s.price),
                format!("{:.0}", s.strength),
                optctl::store::ts(s.bar_time),
            ]);
        }
        Output::align_right(&mut t, &[4, 5]);
        out.print_table(
            Some(&format!("signals ({}, the control)", SchedulerKind::Legacy)),
            &t,
        )?;
    }
    Ok(())
}
