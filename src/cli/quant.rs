//! `optctl quant`: the option calculator over the same code the scan uses.

use std::path::PathBuf;

use optctl::market::Right;
use optctl::quant::Inputs;
use optctl::quant::calc::{self, CsvError};

use super::output::Output;
use super::{Ctx, Outcome};

/// Option calculator: implied volatility and greeks.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Iv(IvArgs),
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
/// Units: expiry in years (or a date), rate and dividend yield as fractions (0.05 = 5%),
/// theta per calendar day, vega and rho per 1-point move.
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
    /// Risk-free rate, continuously compounded (0.05 = 5%).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Dividend yield, continuous (0.01 = 1%).
    #[arg(long, default_value_t = 0.0)]
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
    let summary = calc::calc_csv(input, std::io::stdout().lock()).map_err(|e| match e {
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
    t.add_row(vec![
        format!("{:.4}%", c.iv * 100.0),
        format!("{:.4}", c.greeks.delta),
        format!("{:.5}", c.greeks.gamma),
        format!("{:.4}", c.greeks.theta),
        format!("{:.4}", c.greeks.vega),
        format!("{:.4}", c.greeks.rho),
        format!("{:.4}", c.model_price),
    ]);
    Output::align_right(&mut t, &[0, 1, 2, 3, 4, 5, 6]);
    ctx.out.print_table(None, &t)?;
    Ok(Outcome::Done)
}
