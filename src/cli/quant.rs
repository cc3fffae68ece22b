//! `optctl quant`: the option calculator over the same code the scan uses, and the
//! check of optctl's IV against the source's own (`quant check`).

use std::path::PathBuf;

use optctl::market::{Right, Symbol};
use optctl::provider::Source;
use optctl::quant::Inputs;
use optctl::quant::calc::{self, CsvError, RowFormat};
use optctl::scan::check::{self, GapStats};

use super::output::Output;
use super::{Ctx, Outcome};

/// Option calculator: implied volatility and greeks; optctl's IV against the source's.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Iv(IvArgs),
}

/// Compare optctl's implied volatility with the source's own on a live or replayed chain.
///
/// Fetches each ticker's chain through the provider (as `optctl scan` does), prices it
/// with the scan's own pricing, and prints per ticker how far optctl's IV is from the
/// IV the source publishes (CBOE `iv`, Tradier `mid_iv` or `smv_vol`, Polygon
/// `implied_volatility`, Yahoo `impliedVolatility`): the median and 90th percentile of
/// |optctl IV - source IV| in vol points over the contracts with a two-sided quote and
/// both IVs, for all of them and split out of / in the money (against spot); optctl's
/// 30-day ATM IV beside the source's 30-day IV (CBOE `iv30`); and the contracts furthest
/// apart. With --by-expiry, the same gaps expiry by expiry beside the forward and carry
/// each was priced on. Nothing is stored.
///
/// `--provider files --files-dir DIR` replays a recording (`optctl fetch --save DIR`)
/// at --as-of. Exit 1 when no ticker could be fetched, 3 when some could not.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Tickers to check, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "A,B", required = true)]
    tickers: Vec<Symbol>,
    /// Chain provider (default: [provider] name).
    #[arg(long, value_name = "NAME")]
    provider: Option<Source>,
    /// Folder of snapshots for the files provider (overrides [provider.files] dir).
    #[arg(long, value_name = "DIR")]
    files_dir: Option<PathBuf>,
    /// How many of the worst contracts to list per ticker.
    #[arg(long, value_name = "N", default_value_t = 5)]
    worst: usize,
    /// Also print the gaps expiry by expiry, with the forward and carry each expiry was
    /// priced on (always in --json, as `expiries`).
    #[arg(long)]
    by_expiry: bool,
}

/// Implied volatility and greeks of one option, or of every row of a CSV.
///
/// With --right, --spot, --strike, --expiry and --price: one option. Without them: reads
/// CSV (header: right, spot, strike, t_years, rate, div, price; any order and case, extra
/// columns passed through) from --input or stdin and streams it to stdout with iv, delta,
/// gamma, theta, vega, rho and error appended. Rows that do not parse are skipped and
/// reported on stderr with their line and column (exit 3); rows with no solution are
/// written with the reason in `error`.
///
/// With --json: one option as a JSON object; a CSV as NDJSON, one object per row (`line`,
/// the input columns, iv, the greeks, and `error`, null when solved).
///
/// Units: expiry in years (or a date), rate and dividend yield as fractions (0.05 = 5%; negative
/// rates and yields are fine: --rate -0.005), theta per calendar day, vega and rho per
/// 1-point move. In the table, a greek with no value (at a zero IV) is an empty cell and
/// magnitudes under 0.0001 or from a billion up are in scientific notation.
#[derive(Debug, clap::Args)]
pub struct IvArgs {
    /// call or put (c/p accepted).
    #[arg(long)]
    right: Option<Right>,
    /// Underlying price.
    #[arg(long)]
    spot: Option<f64>,
    #[arg(long)]
    strike: Option<f64>,
    /// Time to expiry in years (0.25 = three months), or the expiry date (2026-12-18:
    /// the contract stops trading at 16:00 New York that day; years counted from --as-of).
    #[arg(long, value_name = "YEARS|DATE", value_parser = parse_expiry)]
    expiry: Option<Expiry>,
    /// Risk-free rate, continuously compounded (0.05 = 5%; -0.005 for a negative rate).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    rate: f64,
    /// Dividend yield, continuous (0.01 = 1%; may be negative, e.g. a borrow cost).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    div: f64,
    /// Option price (the mid).
    #[arg(long)]
    price: Option<f64>,
    /// CSV file to read instead of stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["right", "spot", "strike", "expiry", "price"])]
    input: Option<PathBuf>,
}

/// `--expiry` as written: years, or a date.
#[derive(Debug, Clone, Copy)]
enum Expiry {
    Years(f64),
    Date(chrono::NaiveDate),
}

fn parse_expiry(s: &str) -> Result<Expiry, String> {
    let t = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Expiry::Date(d));
    }
    t.parse::<f64>()
        .map(Expiry::Years)
        .map_err(|_| format!("{s:?} is neither years to expiry (0.25) nor a date (2026-12-18)"))
}

pub fn run(cmd: Command, ctx: &Ctx) -> optctl::Result<Outcome> {
    match cmd {
        Command::Check(a) => check(a, ctx),
        Command::Iv(a) => iv(a, ctx),
    }
}

fn iv(a: IvArgs, ctx: &Ctx) -> optctl::Result<Outcome> {
    let given = [
        a.right.is_some(),
        a.spot.is_some(),
        a.strike.is_some(),
        a.expiry.is_some(),
        a.price.is_some(),
    ];
    if let (Some(right), Some(spot), Some(strike), Some(expiry), Some(price)) =
        (a.right, a.spot, a.strike, a.expiry, a.price)
    {
        let t_years = match expiry {
            Expiry::Years(y) => y,
            Expiry::Date(d) => {
                let y = optctl::market::years_to_expiry(ctx.as_of, d);
                if y <= 0.0 {
                    return Err(optctl::Error::Usage(format!(
                        "--expiry {d}: that contract expired at {} (it is {} now; --as-of \
                         sets the time)",
                        optctl::store::ts(optctl::market::expiry_instant(d)),
                        optctl::store::ts(ctx.as_of)
                    )));
                }
                y
            }
        };
        let inp = Inputs {
            right,
            spot,
            strike,
            t_years,
            rate: a.rate,
            div: a.div,
        };
        return one(&inp, price, ctx);
    }
    if given.iter().any(|&g| g) {
        let missing: Vec<&str> = ["--right", "--spot", "--strike", "--expiry", "--price"]
            .iter()
            .zip(given)
            .filter(|(_, g)| !g)
            .map(|(n, _)| *n)
            .collect();
        return Err(optctl::Error::Usage(format!(
            "one option needs {} too (or give none of them and pipe a CSV)",
            missing.join(", ")
        )));
    }
    let stdin;
    let input: Box<dyn std::io::Read> = match &a.input {
        Some(p) => Box::new(std::fs::File::open(p).map_err(|e| optctl::Error::io(p, e))?),
        None => {
            stdin = std::io::stdin();
            Box::new(stdin.lock())
        }
    };
    let name = a
        .input
        .as_ref()
        .map_or("<stdin>".to_string(), |p| p.display().to_string());
    let format = if ctx.out.is_json() {
        RowFormat::Ndjson
    } else {
        RowFormat::Csv
    };
    let summary =
        calc::calc_rows(input, std::io::stdout().lock(), format).map_err(|e| match e {
            CsvError::Io {
                action: "write",
                source,
            } => optctl::Error::io("<stdout>", source),
            CsvError::Io { source, .. } => optctl::Error::io(&name, source),
            other => optctl::Error::BadInput(format!("{name}: {other}")),
        })?;
    for e in &summary.errors {
        ctx.out.note(&format!(
            "optctl: {name}: line {}, column {}: {}",
            e.line, e.column, e.message
        ));
    }
    if summary.skipped > summary.errors.len() as u64 {
        ctx.out.note(&format!(
            "optctl: ... {} more skipped rows",
            summary.skipped - summary.errors.len() as u64
        ));
    }
    ctx.out.note(&format!(
        "{} rows: {} solved, {} without a solution, {} skipped",
        summary.rows_read, summary.solved, summary.unsolved, summary.skipped
    ));
    Ok(if summary.skipped > 0 {
        Outcome::Partial
    } else {
        Outcome::Done
    })
}

fn one(inp: &Inputs, price: f64, ctx: &Ctx) -> optctl::Result<Outcome> {
    let c = calc::calculate(inp, price).map_err(|e| optctl::Error::BadInput(e.to_string()))?;
    if ctx.out.is_json() {
        ctx.out.json(&c)?;
        return Ok(Outcome::Done);
    }
    let mut t = ctx.out.table(&[
        "iv",
        "delta",
        "gamma",
        "theta/day",
        "vega/pt",
        "rho/pt",
        "model price",
    ]);
    let iv = cell(c.iv * 100.0, 4);
    t.add_row(vec![
        if iv.is_empty() { iv } else { format!("{iv}%") },
        cell(c.greeks.delta, 4),
        cell(c.greeks.gamma, 5),
        cell(c.greeks.theta, 4),
        cell(c.greeks.vega, 4),
        cell(c.greeks.rho, 4),
        cell(c.model_price, 4),
    ]);
    Output::align_right(&mut t, &[0, 1, 2, 3, 4, 5, 6]);
    ctx.out.print_table(None, &t)?;
    Ok(Outcome::Done)
}

/// A table cell: `decimals` places; empty for NaN (a greek at a zero IV) or infinity;
/// scientific notation for magnitudes from 1e9 up, or under 1e-4 but not zero, where
/// fixed places would print a wall of digits or round to nothing.
fn cell(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    if a >= 1e9 || (a > 0.0 && a < 1e-4) {
        format!("{v:.decimals$e}")
    } else {
        format!("{v:.decimals$}")
    }
}

fn check(a: CheckArgs, ctx: &Ctx) -> optctl::Result<Outcome> {
    let mut config = ctx.config()?;
    if let Some(d) = a.files_dir {
        config.provider.files.dir = Some(d);
    }
    let source = a.provider.unwrap_or(config.provider.name);
    let provider = ctx.connector(&config).chains(source)?;
    let opts = check::Options {
        tickers: a.tickers,
        as_of: ctx.as_of,
        worst: a.worst,
        pricing: config.pricing.clone(),
    };
    let report = super::runtime()?.block_on(check::run(provider.as_ref(), &opts));
    print_check(&report, a.by_expiry, &ctx.out)?;
    let failed = report.errors.len();
    if failed > 0 && report.tickers.is_empty() {
        return Err(optctl::Error::Failed(format!(
            "quant check: no chain fetched from {} (first: {}: {})",
            report.provider, report.errors[0].ticker, report.errors[0].error
        )));
    }
    if failed > 0 {
        ctx.out.partial(
            "quant check",
            failed,
            failed + report.tickers.len(),
            "tickers",
            report
                .errors
                .iter()
                .map(|e| (e.ticker.as_str(), e.error.as_str())),
        );
        return Ok(Outcome::Partial);
    }
    Ok(Outcome::Done)
}

/// Vol points (fractions × 100) with two decimals; empty when unknown.
fn points(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| format!("{:.2}", v * 100.0))
}

fn stats(s: &GapStats) -> String {
    match (s.median, s.p90) {
        (Some(m), Some(p)) => format!(
            "{} (median {}, p90 {})",
            s.count,
            points(Some(m)),
            points(Some(p))
        ),
        _ => "0".to_string(),
    }
}

fn print_check(r: &check::Report, by_expiry: bool, out: &Output) -> optctl::Result<()> {
    if out.is_json() {
        return out.json(r);
    }
    let mut t = out.table(&[
        "ticker",
        "quoted at",
        "spot",
        "priced / with source IV",
        "all |gap| (vol pts)",
        "out of the money",
        "in the money",
        "30d ATM IV / source",
    ]);
    for c in &r.tickers {
        t.add_row(vec![
            c.ticker.clone(),
            optctl::store::ts(c.quoted_at),
            format!("{:.2}", c.spot),
            format!("{} / {} of {}", c.priced, c.with_vendor_iv, c.contracts),
            stats(&c.all),
            stats(&c.otm),
            stats(&c.itm),
            format!("{} / {}", points(c.atm_iv_30d), points(c.vendor_iv30)),
        ]);
    }
    out.print_table(Some(&format!("optctl IV vs {}", r.provider)), &t)?;
    if by_expiry {
        let mut e = out.table(&[
            "ticker",
            "expiry",
            "forward",
            "carry",
            "method",
            "all |gap| (vol pts)",
            "out of the money",
            "in the money",
        ]);
        for c in &r.tickers {
            for x in &c.expiries {
                e.add_row(vec![
                    c.ticker.clone(),
                    x.expiry.to_string(),
                    format!("{:.4}", x.forward),
                    format!("{:.2}%", x.carry * 100.0),
                    x.method.clone(),
                    stats(&x.all),
                    stats(&x.otm),
                    stats(&x.itm),
                ]);
            }
        }
        out.print_table(Some("by expiry"), &e)?;
    }
    let mut w = out.table(&[
        "ticker",
        "contract",
        "side",
        "bid",
        "ask",
        "optctl IV",
        "source IV",
        "gap",
    ]);
    let mut any = false;
    for c in &r.tickers {
        for g in &c.worst {
            any = true;
            w.add_row(vec![
                c.ticker.clone(),
                g.symbol.clone(),
                match g.otm {
                    Some(true) => "otm",
                    Some(false) => "itm",
                    None => "atm",
                }
                .to_string(),
                format!("{}", g.bid),
                format!("{}", g.ask),
                points(Some(g.iv)),
                points(Some(g.vendor_iv)),
                format!("{:+.2}", g.gap * 100.0),
            ]);
        }
    }
    if any {
        out.print_table(Some("furthest from the source"), &w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_empty_for_nan_and_scientific_at_the_extremes() {
        assert_eq!(cell(f64::NAN, 4), "");
        assert_eq!(cell(f64::INFINITY, 4), "");
        assert_eq!(cell(0.5, 4), "0.5000");
        assert_eq!(cell(-12.25, 2), "-12.25");
        assert_eq!(cell(0.0, 5), "0.00000");
        assert_eq!(cell(3.2e-9, 5), "3.20000e-9");
        assert_eq!(cell(-4.5e15, 4), "-4.5000e15");
    }
}
