//! `optctl screen`: the watchlist's latest features, filtered by conditions and sorted.

use serde_json::{Map, Value, json};

use optctl::scan::screen::{self, Condition};

use super::output::Output;
use super::show::{cell, realized};
use super::{Ctx, Outcome};

/// Screen the watchlist's latest features: `optctl screen 'iv_rank > 0.9' 'pcr_volume > 1.5'`.
///
/// Each condition is FIELD OP NUMBER (OP one of > >= < <= == !=; a number may end in %,
/// 90% = 0.9); several conditions must all hold, and a ticker without a value for a
/// field does not match. Fields are the stored feature columns (IVs, ranks and ratios
/// as fractions: iv_rank 0.9, atm_iv_30d 0.25) plus hv20, hv60, iv_hv20 and iv_hv60
/// (30-day IV minus realized volatility) for tickers `optctl enrich run` covers; an
/// unknown field is an error that lists them. Reads each ticker's newest features
/// (of the [watchlist] tickers, or --all), never the network.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Conditions, ANDed: 'iv_rank > 0.9' 'pcr_volume >= 1.5'. None: every ticker.
    #[arg(value_name = "CONDITION", value_parser = parse_condition)]
    conditions: Vec<Condition>,
    /// Sort by this field, ascending; -FIELD (or --desc) for descending. Default: ticker.
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
    /// Sort descending.
    #[arg(long, requires = "sort")]
    desc: bool,
    /// At most this many tickers (after sorting).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Every ticker with stored features, not only the watchlist's.
    #[arg(long)]
    all: bool,
    /// One CSV line per ticker with every field, instead of the table.
    #[arg(long)]
    csv: bool,
}

fn parse_condition(s: &str) -> Result<Condition, String> {
    s.parse()
}

/// Shown in the table whatever the conditions; the conditions' and sort's fields follow.
const DEFAULT_COLUMNS: &[&str] = &[
    "spot",
    "atm_iv_30d",
    "iv_rank",
    "iv_percentile",
    "iv_history_n",
    "pcr_volume",
];

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    if args.csv && ctx.out.is_json() {
        return Err(optctl::Error::Usage(
            "--csv and --json each print the whole screen: pick one".into(),
        ));
    }
    let cfg = ctx.config()?;
    let store = ctx.store_read()?;
    let latest = store.chains().latest_features()?;
    if latest.is_empty() {
        return Err(optctl::Error::Failed(
            "no features stored yet: run `optctl scan` first".into(),
        ));
    }
    let watchlist: Vec<String> = cfg
        .watchlist
        .tickers
        .iter()
        .map(|t| t.to_string())
        .collect();
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    for f in latest {
        if !args.all && !watchlist.contains(&f.ticker) {
            continue;
        }
        let hv = realized(&store, &f.ticker, f.atm_iv_30d)?;
        let Value::Object(mut m) = serde_json::to_value(&f).unwrap_or_default() else {
            continue;
        };
        let h = hv.as_ref();
        m.insert("hv20".into(), json!(h.and_then(|h| h.hv20)));
        m.insert("hv60".into(), json!(h.and_then(|h| h.hv60)));
        m.insert("iv_hv20".into(), json!(h.and_then(|h| h.iv30_minus_hv20)));
        m.insert("iv_hv60".into(), json!(h.and_then(|h| h.iv30_minus_hv60)));
        rows.push(m);
    }
    if rows.is_empty() {
        return Err(optctl::Error::Failed(format!(
            "none of the watchlist's tickers ({}) has stored features; --all screens every scanned ticker",
            watchlist.join(", ")
        )));
    }
    let fields = screen::numeric_fields(&rows);
    for c in &args.conditions {
        screen::check_field(&c.field, &fields).map_err(optctl::Error::Usage)?;
    }
    let sort = args.sort.as_deref().map(screen::parse_sort);
    if let Some((field, _)) = &sort {
        let mut sortable = vec!["ticker".to_string(), "as_of".to_string()];
        sortable.extend(fields.iter().cloned());
        screen::check_field(field, &sortable)
            .map_err(|e| optctl::Error::Usage(format!("--sort: {e}")))?;
    }
    let screened = rows.len();
    rows.retain(|r| args.conditions.iter().all(|c| c.matches(r)));
    if let Some((field, desc)) = &sort {
        screen::sort_rows(&mut rows, field, *desc || args.desc);
    }
    if let Some(n) = args.limit {
        rows.truncate(n);
    }

    if ctx.out.is_json() {
        ctx.out.json(&json!({
            "conditions": args.conditions,
            "sort": sort.as_ref().map(|(f, d)| json!({"field": f, "descending": *d || args.desc})),
            "screened": screened,
            "count": rows.len(),
            "fields": fields,
            "rows": rows,
        }))?;
        return Ok(Outcome::Done);
    }
    if args.csv {
        let mut header = vec!["ticker", "as_of"];
        header.extend(fields.iter().map(String::as_str));
        let lines: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                header
                    .iter()
                    .map(|h| match r.get(*h) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                    })
                    .collect()
            })
            .collect();
        ctx.out.csv(&header, &lines)?;
        return Ok(Outcome::Done);
    }
    let mut columns: Vec<&str> = DEFAULT_COLUMNS.to_vec();
    for extra in args
        .conditions
        .iter()
        .map(|c| c.field.as_str())
        .chain(sort.as_ref().map(|(f, _)| f.as_str()))
    {
        if extra != "ticker" && extra != "as_of" && !columns.contains(&extra) {
            columns.push(extra);
        }
    }
    let mut header = vec!["ticker"];
    header.extend(columns.iter());
    let mut t = ctx.out.table(&header);
    for r in &rows {
        let mut line = vec![r.get("ticker").map(cell).unwrap_or_default()];
        line.extend(
            columns
                .iter()
                .map(|c| r.get(*c).map(cell).unwrap_or_else(|| "-".into())),
        );
        t.add_row(line);
    }
    Output::align_right(&mut t, &(1..header.len()).collect::<Vec<_>>());
    ctx.out.print_table(None, &t)?;
    let what: Vec<String> = args.conditions.iter().map(|c| c.to_string()).collect();
    ctx.out.note(&format!(
        "{} of {screened} tickers match{}",
        rows.len(),
        if what.is_empty() {
            String::new()
        } else {
            format!(" {}", what.join(" and "))
        }
    ));
    Ok(Outcome::Done)
}
