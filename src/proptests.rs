//! Property tests over every parser of outside input: arbitrary and mutated inputs must
//! never panic or hang, and every rejection must be an error value with a message.
//!
//! One place for all of them, so that a new parser (a provider's payload, a new flag) gets
//! its property next to the others. Valid inputs are generated too, to check the parsers
//! accept what they promise to (round trips) and are not passing by rejecting everything.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use crate::config::Config;
use crate::market::{Bar, OccSymbol, Right, Timeframe};
use crate::quant::indicators;
use crate::serve::http::{Query, percent_decode};
use crate::time::{Since, parse_duration, parse_instant};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap()
}

/// Arbitrary text biased towards the characters parsers care about.
fn texty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "[0-9A-Za-z:+%&=._ /TZ-]{0,40}",
    ]
}

/// Applies up to `n` random edits (delete, insert, replace a byte) to `s`, keeping UTF-8.
fn mutate(s: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut b = s.as_bytes().to_vec();
    for &(at, op, byte) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let at = at % b.len();
        match op % 3 {
            0 => {
                b.remove(at);
            }
            1 => b.insert(at, byte),
            _ => b[at] = byte,
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0x20u8..0x7f), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    // ---------------------------------------------------------------- OCC symbols

    #[test]
    fn occ_parse_never_panics_and_names_the_input(s in texty()) {
        if let Err(e) = OccSymbol::parse(&s) {
            prop_assert!(e.to_string().contains("invalid OCC symbol"));
            prop_assert_eq!(e.symbol, s);
        }
    }

    #[test]
    fn occ_round_trips(
        root in "[A-Z][A-Z0-9]{0,5}",
        days in 0i64..3650,
        call in any::<bool>(),
        strike_milli in 1u64..100_000_000,
        prefix in any::<bool>(),
    ) {
        let expiry = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::TimeDelta::days(days);
        let right = if call { Right::Call } else { Right::Put };
        let strike = strike_milli as f64 / 1000.0;
        let mut text = OccSymbol::format(&root, expiry, right, strike);
        if prefix {
            text = format!("O:{text}");
        }
        let parsed = OccSymbol::parse(&text).unwrap();
        prop_assert_eq!(parsed.root, root);
        prop_assert_eq!(parsed.expiry, expiry);
        prop_assert_eq!(parsed.right, right);
        prop_assert!((parsed.strike - strike).abs() < 1e-9);
    }

    // ---------------------------------------------------------------- time arguments

    #[test]
    fn time_arguments_never_panic(s in texty()) {
        if let Err(e) = parse_instant(&s) {
            prop_assert!(!e.is_empty());
        }
        if let Err(e) = parse_duration(&s) {
            prop_assert!(!e.is_empty());
        }
        match Since::parse(&s) {
            // Resolving against the clock must not overflow either.
            Ok(since) => { let _ = since.resolve(now()); }
            Err(e) => prop_assert!(!e.is_empty()),
        }
    }

    #[test]
    fn spans_round_trip(n in 0i64..=5200, unit in prop::sample::select(vec!['s', 'm', 'h', 'd', 'w'])) {
        let secs = match unit { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86_400, _ => 604_800 };
        let d = parse_duration(&format!("{n}{unit}")).unwrap();
        prop_assert_eq!(d.num_seconds(), n * secs);
    }

    #[test]
    fn huge_spans_are_errors_or_resolve(n in (0u32..19).prop_flat_map(|digits| 0i64..10i64.pow(digits).max(1)), unit in prop::sample::select(vec!["s", "m", "h", "d", "w"])) {
        if let Ok(since) = Since::parse(&format!("{n}{unit}")) {
            let _ = since.resolve(now());
        }
    }

    #[test]
    fn instants_round_trip(secs in -2_000_000_000i64..4_000_000_000) {
        let t = DateTime::from_timestamp(secs, 0).unwrap();
        prop_assert_eq!(parse_instant(&t.to_rfc3339()).unwrap(), t);
    }

    #[test]
    fn timeframes_parse_or_explain(s in texty()) {
        if let Err(e) = s.parse::<Timeframe>() {
            prop_assert!(e.contains("expected 1m, 5m, 1h or 1d"));
        }
    }

    // ---------------------------------------------------------------- serve queries

    #[test]
    fn queries_never_panic(s in texty()) {
        let _ = percent_decode(&s);
        match Query::parse(&s) {
            Ok(q) => { let _ = q.check_known(&["ticker", "limit"]); }
            Err(e) => {
                let shown = format!("{e:?}");
                prop_assert!(!shown.is_empty());
            }
        }
    }

    #[test]
    fn encoded_query_values_round_trip(key in "[a-z_]{1,10}", value in any::<String>()) {
        let encoded: String = value
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let q = Query::parse(&format!("{key}={encoded}")).unwrap();
        prop_assert_eq!(q.get(&key), Some(value.as_str()));
    }

    // ---------------------------------------------------------------- config

    #[test]
    fn config_parse_never_panics_and_names_the_file(s in texty()) {
        if let Err(e) = Config::parse(&s, Path::new("/etc/optctl.toml")) {
            prop_assert!(e.to_string().contains("/etc/optctl.toml"), "{}", e.to_string());
        }
    }

    #[test]
    fn mutated_template_never_panics(e in edits()) {
        let text = mutate(crate::config::TEMPLATE, &e);
        if let Err(err) = Config::parse(&text, Path::new("config.toml")) {
            prop_assert!(err.to_string().contains("config.toml"), "{}", err);
        }
    }

    // ---------------------------------------------------------------- quant CSV

    #[test]
    fn iv_csv_never_panics(body in prop::collection::vec(any::<u8>(), 0..400), valid_header in any::<bool>()) {
        let mut input = if valid_header {
            b"right,spot,strike,t_years,rate,div,price\n".to_vec()
        } else {
            Vec::new()
        };
        input.extend(body);
        let mut out = Vec::new();
        match crate::quant::calc::calc_csv(&input[..], &mut out) {
            Ok(summary) => prop_assert_eq!(summary.rows_written + summary.skipped, summary.rows_read),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    // ---------------------------------------------------------------- indicators

    #[test]
    fn indicators_keep_length_and_bounds(
        closes in prop::collection::vec(1.0f64..1000.0, 0..120),
        n in 0usize..30,
    ) {
        let bars: Vec<Bar> = closes
            .iter()
            .enumerate()
            .map(|(i, &c)| Bar {
                time: now() + chrono::TimeDelta::days(i as i64),
                open: c,
                high: c * 1.01,
                low: c * 0.99,
                close: c,
                volume: 1,
                open_interest: None,
            })
            .collect();
        for series in [
            indicators::sma(&closes, n),
            indicators::ema(&closes, n),
            indicators::atr(&bars, n),
            indicators::realized_vol(&closes, n, 252.0),
            indicators::bollinger(&closes, n, 2.0).upper,
            indicators::macd(&closes, 3, 6, n).signal,
        ] {
            prop_assert_eq!(series.len(), closes.len());
        }
        for v in indicators::rsi(&closes, n) {
            prop_assert!(v.is_nan() || (0.0..=100.0).contains(&v), "rsi {}", v);
        }
        if let Some(s) = indicators::latest(&bars, Timeframe::D1) {
            prop_assert!(s.low_52w.unwrap() <= s.high_52w.unwrap());
        }
    }
}

// -------------------------------------------------------------------- workbooks

/// A cell of a generated workbook.
#[derive(Debug, Clone)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    Bool(bool),
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Blank),
        "[ -~]{0,12}".prop_map(Cell::Text),
        prop_oneof![any::<f64>(), -1e6f64..1e7].prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Bool),
        // Plausible values too, so some rows parse.
        prop::sample::select(vec![
            "RELIANCE",
            "TCS",
            "INFY",
            "2026-11-20",
            "20-Nov-2026",
            "1,234.50",
            "-"
        ])
        .prop_map(|s| Cell::Text(s.into())),
        (100.0f64..5000.0).prop_map(Cell::Number),
    ]
}

const LIVE_HEADERS: &[&str] = &[
    "Symbol",
    "LTP",
    "Open",
    "High",
    "Low",
    "Prev Close",
    "Volume",
    "OI",
    "Bid",
    "Ask",
];
const HIST_HEADERS: &[&str] = &["Symbol", "Date", "Close", "Volume", "OI"];

fn header() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            LIVE_HEADERS
                .iter()
                .chain(HIST_HEADERS)
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        ),
        "[ -~]{0,10}",
    ]
}

fn write_workbook(path: &Path, headers: &[String], rows: &[Vec<Cell>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v {
                Cell::Blank => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).unwrap();
                }
                // xlsx cannot hold NaN or infinities; write them as text, as a feed might.
                Cell::Number(x) if !x.is_finite() => {
                    sheet.write_string(r, c, x.to_string()).unwrap();
                }
                Cell::Number(x) => {
                    sheet.write_number(r, c, *x).unwrap();
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, *b).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn workbook_reader_never_panics_and_names_skipped_rows(
        known in prop::sample::subsequence(LIVE_HEADERS.to_vec(), 0..=LIVE_HEADERS.len()),
        extra in prop::collection::vec(header(), 0..3),
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..12),
        historical in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Live.xlsx");
        let mut headers: Vec<String> = if historical {
            HIST_HEADERS.iter().map(|s| s.to_string()).collect()
        } else {
            known.iter().map(|s| s.to_string()).collect()
        };
        headers.extend(extra);
        write_workbook(&path, &headers, &rows);
        let loaded = crate::excel::workbook::load(&path, false).unwrap();
        let columns = BTreeMap::new();
        let check = |skipped: &[crate::excel::workbook::SkippedRow]| {
            for s in skipped {
                assert!(s.row >= 2, "data rows start at 2: {s}");
                assert!(!s.reason.is_empty());
                assert!(s.to_string().contains("Live.xlsx"), "{s}");
            }
        };
        let result = if historical {
            crate::excel::workbook::read_historical(&loaded, None, &columns, &[])
                .map(|s| { check(&s.skipped); (s.rows.len(), s.skipped.len(), s.rows_read) })
        } else {
            crate::excel::workbook::read_live(&loaded, None, &columns, &[])
                .map(|s| { check(&s.skipped); (s.rows.len(), s.skipped.len(), s.rows_read) })
        };
        match result {
            Ok((good, skipped, read)) => prop_assert_eq!(good + skipped, read),
            Err(e) => prop_assert!(e.to_string().contains("Live.xlsx"), "{}", e),
        }
    }

    #[test]
    fn garbage_bytes_are_not_a_workbook(bytes in prop::collection::vec(any::<u8>(), 1..2000)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Historical.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(loaded) = crate::excel::workbook::load(&path, false) {
            let err = crate::excel::workbook::read_historical(&loaded, None, &BTreeMap::new(), &[]);
            prop_assert!(err.is_err());
            prop_assert!(err.unwrap_err().to_string().contains("Historical.xlsx"));
        }
    }

    #[test]
    fn saved_snapshots_that_are_damaged_are_errors(e in edits(), cut in any::<prop::sample::Index>()) {
        let sim = crate::provider::sim::SimProvider::new(Default::default());
        let snap = sim.snapshot("AAPL", now()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = crate::provider::files::save_snapshot(dir.path(), &snap).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let damaged = mutate(&text[..cut.index(text.len() + 1)], &e);
        std::fs::write(&path, damaged).unwrap();
        let files = crate::provider::files::FilesProvider::new(dir.path());
        if let Err(err) = files.snapshot("AAPL", now()) {
            prop_assert!(!err.to_string().is_empty());
        }
    }
}

// ---------------------------------------------------------------- provider payloads

/// Each HTTP source's parser over the bytes of a payload, as a list of contracts or bars
/// (whatever the source maps them to), or the error it gave.
fn parse_payload(
    source: &str,
    body: &[u8],
) -> Result<Vec<(f64, f64, f64)>, crate::provider::Error> {
    use crate::provider::{cboe, nse, polygon, tradier, yahoo};
    let quotes = |v: Vec<crate::market::OptionQuote>| {
        v.into_iter().map(|q| (q.strike, q.bid, q.ask)).collect()
    };
    let bars = |v: Vec<Bar>| v.into_iter().map(|b| (b.open, b.low, b.high)).collect();
    Ok(match source {
        "cboe" => quotes(cboe::parse_chain("CLX", body, now(), 0.04)?.value.contracts),
        "yahoo" => quotes(yahoo::parse_options("AAPL", body)?.value.contracts),
        "yahoo-chart" => bars(yahoo::parse_chart("AAPL", body)?.value),
        "polygon" => quotes(polygon::parse_snapshot("AAPL", body)?.value.contracts),
        "polygon-aggs" => bars(polygon::parse_aggs("AAPL", body, Timeframe::D1)?.value.bars),
        "tradier" => quotes(tradier::parse_chain("VXX", body)?.value),
        "tradier-history" => bars(tradier::parse_history("AAPL", body)?.value),
        _ => quotes(nse::parse_chain("NIFTY", body, now())?.value.contracts),
    })
}

const PAYLOADS: &[(&str, &str)] = &[
    ("cboe", "cboe/CLX.json"),
    ("yahoo", "yahoo/options-AAPL.json"),
    ("yahoo-chart", "yahoo/chart-AAPL-1d.json"),
    ("polygon", "polygon/snapshot-AAPL-1.json"),
    ("polygon-aggs", "polygon/aggs-AAPL-1d.json"),
    ("tradier", "tradier/chain-VXX-2026-12-18.json"),
    ("tradier-history", "tradier/history-AAPL.json"),
    ("nse", "nse/legacy-NIFTY.json"),
    ("nse-v3", "nse/v3-NIFTY-29-Dec-2026.json"),
];

fn payload(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/providers")
        .join(file);
    std::fs::read_to_string(&p).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_provider_payloads_are_values_or_classified_errors(
        which in 0..PAYLOADS.len(),
        e in edits(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (source, file) = PAYLOADS[which];
        let text = payload(file);
        // The fixture itself parses to something.
        prop_assert!(!parse_payload(source, text.as_bytes()).unwrap().is_empty());
        let damaged = mutate(&text[..cut.index(text.len() + 1)], &e);
        match parse_payload(source, damaged.as_bytes()) {
            // Whatever survives is sane: finite, non-negative strikes, prices and bars.
            Ok(rows) => {
                for (a, b, c) in rows {
                    prop_assert!(a.is_finite() && a >= 0.0 && b.is_finite() && b >= 0.0 && c.is_finite() && c >= 0.0);
                }
            }
            Err(err) => {
                let msg = err.to_string();
                prop_assert!(!msg.is_empty() && !msg.contains('\n'), "{msg}");
                prop_assert!(msg.contains(source.split('-').next().unwrap()), "{msg}");
            }
        }
    }

    #[test]
    fn garbage_is_never_a_payload(source in 0..PAYLOADS.len(), bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(err) = parse_payload(PAYLOADS[source].0, &bytes) {
            prop_assert!(!err.is_retryable() || PAYLOADS[source].0.starts_with("nse"), "{err}");
        }
    }

    #[test]
    fn retry_after_never_panics(s in texty()) {
        let _ = crate::provider::http::parse_retry_after(&s, now());
    }
}
