//! The library side of `optctl quant iv`: one contract (`calculate`) or a CSV of them
//! (`calc_csv`), each giving implied volatility, greeks and the model price back.
//!
//! The maths is in `quant::iv` and `quant::bsm`; flag parsing and printing belong to the CLI.

use std::fmt::Write as _;
use std::io::{Read, Write};

use serde::Serialize;

use super::bsm::{self, Greeks, Inputs};
use super::iv::{IvError, implied_vol};
use crate::market::Right;

/// One contract's inputs echoed back with its implied volatility, greeks and model price.
///
/// Serialises with `right` as `"call"`/`"put"`. When `iv` is 0 (price on the lower bound)
/// the greeks are NaN, which `serde_json` writes as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Calculation {
    pub right: Right,
    /// Underlying price.
    pub spot: f64,
    /// Strike, in the same currency as `spot`.
    pub strike: f64,
    /// Time to expiry in years (ACT/365).
    pub t_years: f64,
    /// Continuously compounded risk-free rate: 0.05 = 5%.
    pub rate: f64,
    /// Continuous dividend yield: 0.01 = 1%.
    pub div: f64,
    /// The option price that was solved for, per share.
    pub price: f64,
    /// Implied volatility, annualised fraction: 0.25 = 25%.
    pub iv: f64,
    /// Greeks at `iv`, in `bsm::Greeks` units (theta per day, vega and rho per point).
    pub greeks: Greeks,
    /// `bsm::price` at `iv`: equals `price` to about 1e-12 relative; a larger gap flags a
    /// price too close to a bound to carry its volatility.
    pub model_price: f64,
}

/// Implied volatility, greeks and model price for one contract quoted at `price` (per
/// share). Fails with the `IvError` of `implied_vol` when no volatility produces `price`.
pub fn calculate(inp: &Inputs, price: f64) -> Result<Calculation, IvError> {
    let iv = implied_vol(inp, price)?;
    Ok(Calculation {
        right: inp.right,
        spot: inp.spot,
        strike: inp.strike,
        t_years: inp.t_years,
        rate: inp.rate,
        div: inp.div,
        price,
        iv,
        greeks: bsm::greeks(inp, iv),
        model_price: bsm::price(inp, iv),
    })
}

/// The input columns `calc_csv` needs, in the order it reports them missing.
const REQUIRED: [&str; 7] = ["right", "spot", "strike", "t_years", "rate", "div", "price"];
/// The columns `calc_csv` appends to every output row.
const ADDED: [&str; 7] = ["iv", "delta", "gamma", "theta", "vega", "rho", "error"];
/// Row errors kept in a `CsvSummary`; a bad file can have millions and they are all counted.
const MAX_ROW_ERRORS: usize = 100;

/// A row `calc_csv` skipped because a field did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Line in the file where the row starts, the header being line 1.
    pub line: u64,
    /// The header of the bad field as written in the file; empty when the whole row is at
    /// fault (a field count that differs from the header's).
    pub column: String,
    /// What was wrong, e.g. `expected a number, got "abc"`.
    pub message: String,
}

/// What `calc_csv` did. `rows_read = rows_written + skipped` and
/// `rows_written = solved + unsolved`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CsvSummary {
    /// Data rows read (the header not included).
    pub rows_read: u64,
    /// Rows written to the output.
    pub rows_written: u64,
    /// Written rows with an implied volatility.
    pub solved: u64,
    /// Written rows with empty iv/greeks and the reason in the `error` column.
    pub unsolved: u64,
    /// Rows not written because a field did not parse.
    pub skipped: u64,
    /// The first 100 skipped rows' errors, in file order.
    pub errors: Vec<RowError>,
}

/// Why `calc_csv` stopped.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The header row lacks a required column.
    #[error(
        "the CSV has no `{column}` column (headers found: {}); it needs right, spot, strike, \
         t_years, rate, div and price, in any order and any case",
        list(.found)
    )]
    MissingColumn {
        /// The first required column not found.
        column: &'static str,
        /// The headers the file does have, trimmed.
        found: Vec<String>,
    },
    /// Reading the input or writing the output failed; the cause is the `source`.
    #[error("could not {action} the CSV")]
    Io {
        /// `"read"` or `"write"`.
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The CSV parser rejected the input. With the lenient settings used here the `csv`
    /// crate raises none today; this keeps a future one from being mistaken for I/O.
    #[error("malformed CSV at line {line}: {message}")]
    Malformed {
        /// Line where the bad record starts (header = line 1), 0 if unknown.
        line: u64,
        /// The parser's description.
        message: String,
    },
}

fn list(found: &[String]) -> String {
    if found.is_empty() {
        "none".to_owned()
    } else {
        found.join(", ")
    }
}

impl CsvError {
    fn from_csv(err: csv::Error, action: &'static str) -> Self {
        let line = err.position().map_or(0, |p| p.line());
        let message = err.to_string();
        match err.into_kind() {
            csv::ErrorKind::Io(source) => CsvError::Io { action, source },
            _ => CsvError::Malformed { line, message },
        }
    }
}

/// Column indexes of the required fields, in `REQUIRED` order.
struct Columns([usize; 7]);

impl Columns {
    fn find(headers: &csv::ByteRecord) -> Result<Self, CsvError> {
        let names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_owned())
            .collect();
        let mut idx = [0; 7];
        for (slot, want) in idx.iter_mut().zip(REQUIRED) {
            // The first match wins when a header repeats; the rest pass through untouched.
            *slot = names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(want))
                .ok_or_else(|| CsvError::MissingColumn {
                    column: want,
                    found: names.clone(),
                })?;
        }
        Ok(Columns(idx))
    }

    /// The contract and price in `record`, or the first field that does not parse as
    /// `(column index, message)`.
    fn parse(&self, record: &csv::ByteRecord) -> Result<(Inputs, f64), (usize, String)> {
        let text = |i: usize| -> Result<&str, (usize, String)> {
            std::str::from_utf8(&record[i])
                .map(str::trim)
                .map_err(|_| (i, "expected text, got bytes that are not UTF-8".to_owned()))
        };
        let number = |i: usize| -> Result<f64, (usize, String)> {
            let field = text(i)?;
            if field.is_empty() {
                return Err((i, "expected a number, got an empty field".to_owned()));
            }
            field
                .parse()
                .map_err(|_| (i, format!("expected a number, got {field:?}")))
        };
        let [right, spot, strike, t_years, rate, div, price] = self.0;
        let right = text(right)?
            .parse::<Right>()
            .map_err(|message| (right, message))?;
        let inp = Inputs {
            right,
            spot: number(spot)?,
            strike: number(strike)?,
            t_years: number(t_years)?,
            rate: number(rate)?,
            div: number(div)?,
        };
        Ok((inp, number(price)?))
    }
}

/// Solves every row of a CSV of option quotes, streaming: one row in memory at a time.
///
/// The header row must name the columns right, spot, strike, t_years, rate, div and price
/// (any order, any case, surrounding spaces ignored; a UTF-8 BOM is fine). Units are those
/// of `Inputs`: rates and yields as fractions, t_years in years, price per share. `right`
/// accepts call/put/c/p/ce/pe.
///
/// Each output row is the input row unchanged (extra columns included), followed by iv,
/// delta, gamma, theta, vega, rho and error. A row whose price has no implied volatility is
/// still written, with empty iv/greeks and the `IvError` message in `error`; at iv 0 the
/// greeks are empty. A row with a field that does not parse, or with more or fewer fields
/// than the header, is skipped and reported in the summary instead. The output is flushed
/// before returning.
///
/// Fails on a missing column, on read or write errors, and on CSV the parser rejects.
pub fn calc_csv<R: Read, W: Write>(input: R, output: W) -> Result<CsvSummary, CsvError> {
    calc_rows(input, output, RowFormat::Csv)
}

/// How [`calc_rows`] writes its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// The input row with iv, greeks and error appended ([`calc_csv`]).
    Csv,
    /// One JSON object a line (NDJSON), in input order: `line` (in the file), the input
    /// columns (the seven required ones by their lower-case names, numbers and
    /// `"call"`/`"put"`; any others as strings under their header), then `iv`, `delta`,
    /// `gamma`, `theta`, `vega`, `rho` (null when unsolved, or NaN at iv 0) and `error`
    /// (null when solved).
    Ndjson,
}

/// [`calc_csv`] with the answer written as `format`.
pub fn calc_rows<R: Read, W: Write>(
    input: R,
    output: W,
    format: RowFormat,
) -> Result<CsvSummary, CsvError> {
    // Flexible and byte-based: a ragged or non-UTF-8 row is one skipped row, not the end
    // of the run, and extra columns pass through byte for byte.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let mut writer = match format {
        RowFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(output))),
        RowFormat::Ndjson => Sink::Json(std::io::BufWriter::new(output)),
    };

    let headers = reader
        .byte_headers()
        .map_err(|e| CsvError::from_csv(e, "read"))?
        .clone();
    let columns = Columns::find(&headers)?;
    let width = headers.len();
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| match columns.0.iter().position(|&c| c == i) {
            Some(r) => REQUIRED[r].to_owned(),
            None => String::from_utf8_lossy(h).trim().to_owned(),
        })
        .collect();
    let mut out = headers.clone();
    for name in ADDED {
        out.push_field(name.as_bytes());
    }
    if let Sink::Csv(w) = &mut writer {
        w.write_byte_record(&out)
            .map_err(|e| CsvError::from_csv(e, "write"))?;
    }

    let mut summary = CsvSummary::default();
    let mut record = csv::ByteRecord::new();
    let mut scratch = String::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| CsvError::from_csv(e, "read"))?
    {
        summary.rows_read += 1;
        let line = record.position().map_or(0, |p| p.line());
        let parsed = if record.len() == width {
            columns.parse(&record).map_err(|(i, message)| {
                let column = String::from_utf8_lossy(&headers[i]).trim().to_owned();
                (column, message)
            })
        } else {
            Err((
                String::new(),
                format!(
                    "the row has {} fields but the header has {width} (an unquoted comma or \
                     an unclosed quote?)",
                    record.len()
                ),
            ))
        };
        let (inp, price) = match parsed {
            Ok(ok) => ok,
            Err((column, message)) => {
                summary.skipped += 1;
                if summary.errors.len() < MAX_ROW_ERRORS {
                    summary.errors.push(RowError {
                        line,
                        column,
                        message,
                    });
                }
                continue;
            }
        };

        if let Sink::Json(w) = &mut writer {
            let result = calculate(&inp, price);
            match &result {
                Ok(_) => summary.solved += 1,
                Err(_) => summary.unsolved += 1,
            }
            let row = json_row(line, &names, &columns, &record, &inp, price, result);
            serde_json::to_writer(&mut *w, &row)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|source| CsvError::Io {
                    action: "write",
                    source,
                })?;
            summary.rows_written += 1;
            continue;
        }
        let Sink::Csv(writer) = &mut writer else {
            unreachable!("the JSON sink continued above")
        };
        out.clear();
        out.extend(record.iter());
        match calculate(&inp, price) {
            Ok(calc) => {
                summary.solved += 1;
                let g = calc.greeks;
                for value in [calc.iv, g.delta, g.gamma, g.theta, g.vega, g.rho] {
                    scratch.clear();
                    // Debug, not Display: the shortest round-trip digits, with an exponent
                    // for tiny gammas instead of hundreds of zeros.
                    if value.is_finite() {
                        write!(scratch, "{value:?}").expect("writing to a String cannot fail");
                    }
                    out.push_field(scratch.as_bytes());
                }
                out.push_field(b"");
            }
            Err(err) => {
                summary.unsolved += 1;
                for _ in 0..6 {
                    out.push_field(b"");
                }
                scratch.clear();
                write!(scratch, "{err}").expect("writing to a String cannot fail");
                out.push_field(scratch.as_bytes());
            }
        }
        writer
            .write_byte_record(&out)
            .map_err(|e| CsvError::from_csv(e, "write"))?;
        summary.rows_written += 1;
    }
    let flushed = match &mut writer {
        Sink::Csv(w) => w.flush(),
        Sink::Json(w) => w.flush(),
    };
    flushed.map_err(|source| CsvError::Io {
        action: "write",
        source,
    })?;
    Ok(summary)
}

/// A JSON object whose keys keep the order they were inserted in; a key inserted again
/// replaces its value in place.
#[derive(Default)]
struct JsonRow(Vec<(String, serde_json::Value)>);

impl JsonRow {
    fn insert(&mut self, key: String, value: serde_json::Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl Serialize for JsonRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json(std::io::BufWriter<W>),
}

/// One NDJSON row (see [`RowFormat::Ndjson`]).
fn json_row(
    line: u64,
    names: &[String],
    columns: &Columns,
    record: &csv::ByteRecord,
    inp: &Inputs,
    price: f64,
    result: Result<Calculation, IvError>,
) -> JsonRow {
    use serde_json::Value;
    let number = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
    let mut row = JsonRow::default();
    row.insert("line".into(), line.into());
    let required = [
        Value::from(inp.right.as_str()),
        number(inp.spot),
        number(inp.strike),
        number(inp.t_years),
        number(inp.rate),
        number(inp.div),
        number(price),
    ];
    for (i, name) in names.iter().enumerate() {
        let value = match columns.0.iter().position(|&c| c == i) {
            Some(r) => required[r].clone(),
            None => Value::from(String::from_utf8_lossy(&record[i]).into_owned()),
        };
        if !row.0.iter().any(|(n, _)| n == name) {
            row.insert(name.clone(), value);
        }
    }
    let (values, error) = match result {
        Ok(c) => {
            let g = c.greeks;
            (
                [c.iv, g.delta, g.gamma, g.theta, g.vega, g.rho],
                Value::Null,
            )
        }
        Err(e) => ([f64::NAN; 6], Value::from(e.to_string())),
    };
    for (name, v) in ADDED.iter().zip(values) {
        row.insert((*name).into(), number(v));
    }
    row.insert("error".into(), error);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> (Result<CsvSummary, CsvError>, String) {
        let mut out = Vec::new();
        let res = calc_csv(input.as_bytes(), &mut out);
        (res, String::from_utf8(out).unwrap())
    }

    fn atm_call() -> Inputs {
        Inputs {
            right: Right::Call,
            spot: 100.0,
            strike: 100.0,
            t_years: 0.5,
            rate: 0.03,
            div: 0.01,
        }
    }

    #[test]
    fn calculate_echoes_inputs_and_reprices() {
        let inp = atm_call();
        let price = bsm::price(&inp, 0.25);
        let calc = calculate(&inp, price).unwrap();
        assert!((calc.iv - 0.25).abs() < 1e-12);
        assert!((calc.model_price - price).abs() < 1e-12);
        assert_eq!(calc.greeks, bsm::greeks(&inp, calc.iv));
        let json = serde_json::to_value(calc).unwrap();
        assert_eq!(json["right"], "call");
        assert_eq!(json["strike"], 100.0);
        assert!(json["greeks"]["vega"].is_f64());
        assert!(matches!(
            calculate(&inp, 0.0001),
            Err(IvError::BelowLowerBound { .. })
        ));
        assert!(matches!(
            calculate(&inp, 200.0),
            Err(IvError::AboveUpperBound { .. })
        ));
    }

    #[test]
    fn csv_solves_skips_and_reports() {
        let price = bsm::price(&atm_call(), 0.25);
        let input = format!(
            "symbol,right,spot,strike,t_years,rate,div,price\n\
             GOOD,c,100,100,0.5,0.03,0.01,{price}\n\
             BAD,p,100,abc,0.5,0.03,0.01,5\n\
             CHEAP,call,100,80,0.5,0.03,0.01,1\n"
        );
        let (res, out) = run(&input);
        let summary = res.unwrap();
        assert_eq!(
            summary,
            CsvSummary {
                rows_read: 3,
                rows_written: 2,
                solved: 1,
                unsolved: 1,
                skipped: 1,
                errors: vec![RowError {
                    line: 3,
                    column: "strike".into(),
                    message: "expected a number, got \"abc\"".into(),
                }],
            }
        );

        let mut rows = csv::Reader::from_reader(out.as_bytes());
        assert_eq!(
            rows.headers().unwrap(),
            vec![
                "symbol", "right", "spot", "strike", "t_years", "rate", "div", "price", "iv",
                "delta", "gamma", "theta", "vega", "rho", "error"
            ]
        );
        let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let good = &rows[0];
        assert_eq!(&good[0], "GOOD");
        assert_eq!(&good[1], "c", "input fields pass through unchanged");
        let iv: f64 = good[8].parse().unwrap();
        assert!((iv - 0.25).abs() < 1e-12);
        let delta: f64 = good[9].parse().unwrap();
        assert_eq!(delta, bsm::greeks(&atm_call(), iv).delta);
        assert_eq!(&good[14], "");

        let cheap = &rows[1];
        assert_eq!(&cheap[0], "CHEAP");
        assert!((8..14).all(|i| cheap[i].is_empty()));
        assert!(
            cheap[14].contains("below the no-arbitrage lower bound"),
            "{}",
            &cheap[14]
        );
    }

    #[test]
    fn csv_columns_match_in_any_order_and_case() {
        let inp = Inputs {
            right: Right::Put,
            ..atm_call()
        };
        let price = bsm::price(&inp, 0.4);
        let input = format!(
            "\u{feff} Price ,DIV,Rate,T_Years,strike,Spot,RIGHT,note\n\
             {price},0.01,0.03,0.5,100,100,PE,\"quoted, with comma\"\n"
        );
        let (res, out) = run(&input);
        let summary = res.unwrap();
        assert_eq!(summary.solved, 1, "{summary:?}");
        let mut rows = csv::Reader::from_reader(out.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        assert_eq!(&row[7], "quoted, with comma");
        let iv: f64 = row[8].parse().unwrap();
        assert!((iv - 0.4).abs() < 1e-12);
    }

    #[test]
    fn csv_missing_column_names_it_and_the_headers() {
        let (res, _) = run("right,spot,strike,expiry,rate,div,price\nc,1,1,1,0,0,0.1\n");
        let err = res.unwrap_err();
        assert!(
            matches!(&err, CsvError::MissingColumn { column: "t_years", found } if found.len() == 7),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("`t_years`"), "{msg}");
        assert!(
            msg.contains("right, spot, strike, expiry, rate, div, price"),
            "{msg}"
        );

        let (res, _) = run("");
        assert!(matches!(
            res,
            Err(CsvError::MissingColumn { column: "right", found }) if found.is_empty()
        ));
    }

    #[test]
    fn csv_ragged_rows_are_skipped_and_errors_capped() {
        let mut input = String::from("right,spot,strike,t_years,rate,div,price\n");
        input.push_str("c,100,100,0.5,0.03,0.01\n");
        for _ in 0..150 {
            input.push_str("x,100,100,0.5,0.03,0.01,5\n");
        }
        let (res, out) = run(&input);
        let summary = res.unwrap();
        assert_eq!(summary.rows_read, 151);
        assert_eq!(summary.skipped, 151);
        assert_eq!(summary.rows_written, 0);
        assert_eq!(summary.errors.len(), MAX_ROW_ERRORS);
        assert_eq!(summary.errors[0].line, 2);
        assert_eq!(summary.errors[0].column, "");
        assert_eq!(summary.errors[1].column, "right");
        assert_eq!(summary.errors[1].message, "expected call or put, got \"x\"");
        assert_eq!(out.lines().count(), 1, "only the header is written");
    }

    #[test]
    fn csv_write_failure_is_an_io_error() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
        }
        let input = "right,spot,strike,t_years,rate,div,price\nc,100,100,0.5,0.03,0.01,7\n";
        let err = calc_csv(input.as_bytes(), Broken).unwrap_err();
        assert!(
            matches!(&err, CsvError::Io { action: "write", source }
                if source.kind() == std::io::ErrorKind::BrokenPipe),
            "{err:?}"
        );
    }
}
