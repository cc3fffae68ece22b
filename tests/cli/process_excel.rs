//! `optctl process-excel` (run, status, history) and `optctl market-hours`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use predicates::str::contains;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::harness::{Home, describe};

/// A cell of a generated workbook.
#[derive(Clone)]
enum C {
    S(&'static str),
    N(f64),
    /// A real Excel date.
    D(u16, u8, u8),
    /// A real Excel time of day.
    T(u16, u8, u8),
    E,
}
use C::{D, E, N, S, T};

fn write_book(path: &Path, sheet: &str, rows: &[Vec<C>]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name(sheet).unwrap();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let time = Format::new().set_num_format("hh:mm:ss");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                S(s) => drop(ws.write(r, c, *s).unwrap()),
                N(n) => drop(ws.write(r, c, *n).unwrap()),
                D(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                }
                T(h, m, s) => {
                    let dt = ExcelDateTime::from_hms(*h, *m, *s).unwrap();
                    ws.write_datetime_with_format(r, c, &dt, &time).unwrap();
                }
                E => {}
            }
        }
    }
    book.save(path).unwrap();
}

fn hist_header() -> Vec<C> {
    [
        "Symbol", "Date", "Open", "High", "Low", "Close", "Volume", "OI",
    ]
    .map(S)
    .to_vec()
}

fn live_header() -> Vec<C> {
    [
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
        "Last Update",
    ]
    .map(S)
    .to_vec()
}

/// Two days of history for `symbol`: close 100 and OI 10,000 on Friday 2026-11-20.
fn hist_rows(symbol: &'static str) -> Vec<Vec<C>> {
    vec![
        vec![
            S(symbol),
            D(2026, 11, 19),
            N(98.0),
            N(101.0),
            N(97.0),
            N(99.0),
            N(1000.0),
            N(9_800.0),
        ],
        vec![
            S(symbol),
            D(2026, 11, 20),
            N(99.0),
            N(101.0),
            N(98.0),
            N(100.0),
            N(3000.0),
            N(10_000.0),
        ],
    ]
}

fn live_row(symbol: &'static str, ltp: f64, oi: f64) -> Vec<C> {
    vec![
        S(symbol),
        N(ltp),
        N(100.0),
        N(104.0),
        N(96.0),
        N(100.0),
        N(4000.0),
        N(oi),
        N(ltp - 0.05),
        N(ltp + 0.05),
        T(14, 29, 57),
    ]
}

/// One stock per buildup class (against close 100, OI 10,000).
const CLASSES: &[(&str, f64, f64, &str)] = &[
    ("RELIANCE", 102.0, 11_000.0, "long_buildup"),
    ("TCS", 98.0, 11_000.0, "short_buildup"),
    ("INFY", 102.0, 9_000.0, "short_covering"),
    ("HDFCBANK", 98.0, 9_000.0, "long_unwinding"),
    ("SBIN", 100.05, 11_000.0, "neutral"),
];

impl Home {
    fn excel_dir(&self) -> PathBuf {
        self.home().join("excel")
    }

    /// The default pair: the five-class history and live workbooks.
    fn write_pair(&self) {
        let mut hist = vec![hist_header()];
        let mut live = vec![live_header()];
        for (sym, ltp, oi, _) in CLASSES {
            hist.extend(hist_rows(sym));
            live.push(live_row(sym, *ltp, *oi));
        }
        write_book(
            &self.excel_dir().join("Historical.xlsx"),
            "Historical",
            &hist,
        );
        write_book(&self.excel_dir().join("Live.xlsx"), "Live", &live);
    }

    fn write_live(&self, rows: &[Vec<C>]) {
        write_book(&self.excel_dir().join("Live.xlsx"), "Live", rows);
    }

    pub(crate) fn copy_excel_fixtures(&self) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/excel");
        std::fs::create_dir_all(self.excel_dir()).unwrap();
        for f in ["Historical.xlsx", "Live.xlsx"] {
            std::fs::copy(src.join(f), self.excel_dir().join(f)).unwrap();
        }
    }

    fn buildup_of(&self, symbol: &str) -> String {
        self.value(&format!(
            "SELECT coalesce(buildup, 'null') FROM excel_stocks WHERE symbol = '{symbol}'"
        ))
        .unwrap()
    }
}

#[test]
fn the_fixture_pair_processes_204_stocks_then_stops_early() {
    let home = Home::new();
    home.copy_excel_fixtures();
    let r = home.json(["process-excel", "--json"]);
    assert_eq!(r["status"], "processed", "{r}");
    assert_eq!(r["stocks"], 204);
    assert_eq!(r["updated"], 204);
    assert_eq!(r["live_rows"], 204);
    assert_eq!(r["historical_rows"], 204 * 25);
    for class in [
        "long_buildup",
        "short_buildup",
        "short_covering",
        "long_unwinding",
        "neutral",
    ] {
        assert!(r["buildup"][class].as_u64().unwrap() > 5, "{class}: {r}");
    }
    assert_eq!(home.count("SELECT count(*) FROM excel_stocks"), 204);
    assert_eq!(home.count("SELECT count(*) FROM excel_ticks"), 204);
    // Broker headers were mapped: the time of day came through the alias.
    let t = home
        .value("SELECT last_update FROM excel_stocks WHERE symbol = 'RELIANCE'")
        .unwrap();
    assert!(t.starts_with("14:29:"), "{t}");

    // Same files again: the fast path reads nothing and says so.
    let out = home.cmd(["process-excel"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged since the last run"));
    let r = home.json(["process-excel", "--json"]);
    assert_eq!(r["status"], "unchanged");
    assert_eq!(r["updated"], 0);
    assert_eq!(r["live_rows"], 0);

    // Forced: everything read again, nothing changed, nothing written.
    let r = home.json(["process-excel", "--force", "--json"]);
    assert_eq!(r["status"], "processed");
    assert_eq!(r["historical_cached"], false);
    assert_eq!(
        (r["updated"].as_u64(), r["stocks"].as_u64()),
        (Some(0), Some(204))
    );
    assert_eq!(home.count("SELECT count(*) FROM excel_ticks"), 204);
    assert_eq!(home.count("SELECT count(*) FROM processing_metadata"), 4);
}

#[test]
fn each_buildup_class_and_only_changed_stocks_are_written() {
    let home = Home::new();
    home.write_pair();
    let out = home.cmd(["process-excel"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("5/5 updated"));
    for (sym, _, _, class) in CLASSES {
        assert_eq!(home.buildup_of(sym), *class, "{sym}");
    }
    let row = home.rows(
        "SELECT change_pct, oi_change_pct, volume_ratio, range_position
         FROM excel_stocks WHERE symbol = 'RELIANCE'",
    );
    let f = |i: usize| -> f64 { row[0][i].as_deref().unwrap().parse().unwrap() };
    let (chg, oi_chg, ratio, pos) = (f(0), f(1), f(2), f(3));
    assert!((chg - 2.0).abs() < 1e-9 && (oi_chg - 10.0).abs() < 1e-9);
    // 4000 today over the average of 1000 and 3000; 102 in a 96..104 range.
    assert!((ratio - 2.0).abs() < 1e-9 && (pos - 0.75).abs() < 1e-9);

    // TCS moves up past the old close: short buildup becomes long buildup; only it is written.
    let mut live = vec![live_header()];
    for (sym, ltp, oi, _) in CLASSES {
        let ltp = if *sym == "TCS" { 101.0 } else { *ltp };
        live.push(live_row(sym, ltp, *oi));
    }
    home.write_live(&live);
    let r = home.json(["process-excel", "--json"]);
    assert_eq!(r["updated"], 1, "{r}");
    // Only Live.xlsx changed: the history summary of the first run was reused.
    assert_eq!(r["historical_cached"], true, "{r}");
    assert_eq!(r["historical_rows"], 0);
    assert_eq!(home.buildup_of("TCS"), "long_buildup");
    assert_eq!(
        home.count("SELECT count(*) FROM excel_ticks WHERE symbol = 'TCS'"),
        2
    );
    assert_eq!(home.count("SELECT count(*) FROM excel_ticks"), 6);
}

#[test]
fn thresholds_come_from_the_config() {
    let home = Home::new();
    home.write_pair();
    // SBIN moved +0.05% with OI +10%: neutral at 0.1%, long buildup at 0.
    home.write_config("[excel]\nprice_threshold_pct = 0.0\n");
    home.cmd(["process-excel"]).assert().success();
    assert_eq!(home.buildup_of("SBIN"), "long_buildup");
}

#[test]
fn header_aliases_title_rows_and_text_dates() {
    let home = Home::new();
    let dir = home.excel_dir();
    // Title rows above the header, ISO and dd-mm-yyyy text dates, text numbers with
    // Indian digit grouping, no Prev Close column (the last historical close is used).
    write_book(
        &dir.join("Historical.xlsx"),
        "Sheet1",
        &[
            vec![S("Daily history export")],
            vec![],
            vec![
                S("TRADING SYMBOL"),
                S("trade_date"),
                S("Close Price"),
                S("Vol"),
                S("Open Interest"),
            ],
            vec![S("infy"), S("2026-11-19"), N(99.0), N(10.0), N(9_000.0)],
            vec![
                S("INFY"),
                S("20-11-2026"),
                S("1,000.00"),
                S("1,20,000"),
                S("10,000"),
            ],
            // Today's row (some feeds append it) is not "the previous day".
            vec![S("INFY"), D(2026, 11, 23), N(5000.0), N(1.0), N(1.0)],
        ],
    );
    write_book(
        &dir.join("Live.xlsx"),
        "Sheet1",
        &[
            vec![
                S("Trading Symbol"),
                S("Last Traded Price"),
                S("Volume Traded Today"),
                S("OPEN_INTEREST"),
                S("Last Trade Time"),
            ],
            vec![
                S("INFY"),
                N(1010.0),
                N(60_000.0),
                N(11_000.0),
                T(14, 29, 57),
            ],
        ],
    );
    home.cmd(["process-excel"]).assert().success();
    let row = home.rows("SELECT prev_close, prev_oi, last_update, volume_ratio FROM excel_stocks");
    let cell = |i: usize| row[0][i].clone().unwrap();
    let (prev_close, prev_oi, last, ratio): (f64, i64, String, f64) = (
        cell(0).parse().unwrap(),
        cell(1).parse().unwrap(),
        cell(2),
        cell(3).parse().unwrap(),
    );
    assert_eq!(
        (prev_close, prev_oi, last.as_str()),
        (1000.0, 10_000, "14:29:57")
    );
    assert!((ratio - 60_000.0 / 60_005.0).abs() < 1e-9, "{ratio}");
    assert_eq!(home.buildup_of("INFY"), "long_buildup");
}

#[test]
fn columns_mapped_by_hand_in_the_config() {
    let home = Home::new();
    home.write_pair();
    home.write_live(&[
        vec![S("Security"), S("Rate"), S("OI")],
        vec![S("TCS"), N(98.0), N(11_000.0)],
    ]);
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("no Symbol column"))
        .stderr(contains("headers found in row 1: Security, Rate, OI"));
    home.write_config("[excel.columns.live]\nsymbol = \"security\"\nltp = \"RATE\"\n");
    home.cmd(["process-excel"]).assert().success();
    assert_eq!(home.buildup_of("TCS"), "short_buildup");
    // A field that does not exist is a config error naming it.
    home.write_config("[excel.columns.live]\nprice = \"Rate\"\n");
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("unknown field \"price\""));
}

#[test]
fn a_missing_file_or_sheet_is_exit_2_and_named() {
    let home = Home::new();
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("Historical.xlsx: no such file"));
    home.write_pair();
    home.cmd(["process-excel", "--live", "/nowhere/Live.xlsx"])
        .assert()
        .code(2)
        .stderr(contains("/nowhere/Live.xlsx: no such file"));
    home.cmd(["process-excel", "--live-sheet", "Quotes"])
        .assert()
        .code(2)
        .stderr(contains("no sheet named \"Quotes\"; sheets found: Live"));
    // --sheet picks the sheet in both (case-insensitively).
    home.cmd([
        "process-excel",
        "--historical-sheet",
        "historical",
        "--live-sheet",
        "LIVE",
    ])
    .assert()
    .success();
}

#[test]
fn a_missing_required_column_lists_the_headers_found() {
    let home = Home::new();
    home.write_pair();
    home.write_live(&[
        vec![S("Symbol"), S("LTP"), S("Volume")],
        vec![S("TCS"), N(98.0), N(5.0)],
    ]);
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("Live.xlsx: sheet Live: no OI column"))
        .stderr(contains(
            "(expected a header like \"OI\", \"Open Interest\", \"Open Int\"",
        ))
        .stderr(contains("headers found in row 1: Symbol, LTP, Volume"));
}

/// A typo in an optional header used to be silent: exit 0, every bid stored empty.
/// Now it is a warning naming the header and the nearest known name, on every run (also
/// the unchanged ones, and with -q, so cron mails it until it is fixed), and status
/// shows which header each field came from.
#[test]
fn headers_that_match_no_known_column_are_named_until_listed_as_not_needed() {
    let home = Home::new();
    home.write_pair();
    let mut header = live_header();
    header.push(S("Lot Size"));
    header.push(S("Chg %"));
    let mut rows = vec![header];
    for (sym, ltp, oi, _) in CLASSES {
        let mut r = live_row(sym, *ltp, *oi);
        r.push(N(250.0));
        r.push(N(0.5));
        rows.push(r);
    }
    home.write_live(&rows);
    for run in ["processed", "unchanged"] {
        let out = home.cmd(["-q", "process-excel"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.lines().count(),
            1,
            "{run}: one line for all of them: {err}"
        );
        assert!(
            err.starts_with("optctl: warning: ")
                && err.contains(
                    "Live.xlsx: sheet Live: 2 header(s) match no known column: `Lot Size` (column L"
                )
                && err.contains("`Chg %` (column M")
                && err.contains("[excel] ignore_headers"),
            "{run}: {err}"
        );
    }
    // Every field was found, so nothing is stored empty.
    assert_eq!(
        home.count("SELECT count(*) FROM excel_stocks WHERE bid IS NULL"),
        0
    );
    home.write_config("[excel]\nignore_headers = [\"lot size\", \"CHG%\"]\n");
    home.cmd(["-q", "process-excel", "--force"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    // status still lists them as ignored.
    let s = home.json(["process-excel", "status", "--json"]);
    assert_eq!(
        s["columns"]["live"]["ignored"],
        serde_json::json!(["Lot Size (L)", "Chg % (M)"])
    );
}

#[test]
fn a_misspelt_or_missing_optional_header_is_a_warning_on_every_run() {
    let home = Home::new();
    home.write_pair();
    let mut header = live_header();
    header[6] = S("Volume Traded Todya");
    header[8] = S("Bid Prce");
    let mut rows = vec![header];
    for (sym, ltp, oi, _) in CLASSES {
        rows.push(live_row(sym, *ltp, *oi));
    }
    home.write_live(&rows);
    let bid = "Live.xlsx: sheet Live: header `Bid Prce` (column I) matches no known column; \
               did you mean `Bid Price`? bid is stored empty until the header is fixed or \
               mapped in [excel.columns.live]";
    let volume = "header `Volume Traded Todya` (column G) matches no known column; did you \
                  mean `Volume Traded Today`?";
    for run in ["processed", "unchanged"] {
        let out = home.cmd(["-q", "process-excel"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(out.stdout.is_empty(), "{run}: {}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("optctl: warning: "), "{run}: {err}");
        assert!(err.contains(bid), "{run}: {err}");
        assert!(err.contains(volume), "{run}: {err}");
        assert_eq!(err.lines().count(), 2, "{run}: {err}");
    }
    assert_eq!(
        home.count("SELECT count(*) FROM excel_stocks WHERE bid IS NULL AND volume IS NULL"),
        5
    );

    let s = home.json(["process-excel", "status", "--json"]);
    let live = &s["columns"]["live"];
    assert_eq!(live["sheet"], "Live");
    assert_eq!(live["header_row"], 1);
    assert_eq!(
        live["mapped"][1],
        serde_json::json!({"field": "ltp", "header": "LTP", "column": "B", "configured": false})
    );
    assert_eq!(live["missing"], serde_json::json!(["volume", "bid"]));
    assert_eq!(
        live["ignored"],
        serde_json::json!(["Volume Traded Todya (G)", "Bid Prce (I)"])
    );
    assert_eq!(live["warnings"].as_array().unwrap().len(), 2);
    assert_eq!(s["columns"]["historical"]["mapped"][4]["header"], "OI");
    // The same mapping is kept with the run.
    let h = home.json(["process-excel", "history", "--json"]);
    assert_eq!(h["runs"][1]["columns"]["live"], *live);
    let out = home.cmd(["process-excel", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "columns         live: sheet Live, header row 1",
        "ltp          LTP (B)",
        "bid          - (no column: stored empty)",
        "ignored      Volume Traded Todya (G), Bid Prce (I)",
        "warning         ",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }

    // Mapped by hand, and "no such column" said outright: the header that looks like
    // the volume column is still named, until it is listed as not needed.
    home.write_config("[excel.columns.live]\nbid = \"Bid Prce\"\nvolume = \"\"\n");
    let out = home.cmd(["-q", "process-excel"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "1 header(s) match no known column: `Volume Traded Todya` (column G; nearest \
             known: `Volume Traded Today`)"
        ) && err.contains("[excel] ignore_headers"),
        "{err}"
    );
    home.write_config(
        "[excel]\nignore_headers = [\"volume traded todya\"]\n\
         [excel.columns.live]\nbid = \"Bid Prce\"\nvolume = \"\"\n",
    );
    home.cmd(["-q", "process-excel", "--force"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    assert_eq!(
        home.count("SELECT count(*) FROM excel_stocks WHERE bid IS NOT NULL"),
        5
    );
    let s = home.json(["process-excel", "status", "--json"]);
    assert_eq!(
        s["columns"]["live"]["mapped"][7],
        serde_json::json!({"field": "bid", "header": "Bid Prce", "column": "I", "configured": true})
    );

    // A header mapped by hand that is not there is named too.
    home.write_config("[excel.columns.live]\nbid = \"Bid Price\"\nvolume = \"\"\n");
    home.cmd(["process-excel"])
        .assert()
        .code(0)
        .stderr(contains(
            "[excel.columns.live] maps bid to `Bid Price`, which is not in the header row (row \
             1); did you mean `Bid Prce` (column I)?",
        ));

    // An optional column simply absent: named, with the headers it would be read from.
    home.write_config("");
    let rows: Vec<Vec<C>> = std::iter::once(live_header()[..9].to_vec())
        .chain(CLASSES.iter().map(|(sym, ltp, oi, _)| {
            let mut r = live_row(sym, *ltp, *oi);
            r.truncate(9);
            r
        }))
        .collect();
    home.write_live(&rows);
    home.cmd(["-q", "process-excel"])
        .assert()
        .code(0)
        .stderr(contains(
            "Live.xlsx: sheet Live: no Ask column (a header like \"Ask\", \"Ask Price\"",
        ))
        .stderr(contains("set ask = \"\" there"))
        .stderr(contains("no Last Update column"));
}

#[test]
fn bad_cells_skip_their_row_with_file_sheet_row_and_column() {
    let home = Home::new();
    home.write_pair();
    let mut live = vec![live_header()];
    live.push(live_row("RELIANCE", 102.0, 11_000.0));
    let mut bad = live_row("TCS", 98.0, 11_000.0);
    bad[1] = S("abc");
    live.push(bad);
    let mut neg = live_row("INFY", 98.0, 11_000.0);
    neg[7] = N(-5.0);
    live.push(neg);
    live.push(live_row("RELIANCE", 50.0, 1.0));
    let mut nosym = live_row("SBIN", 98.0, 11_000.0);
    nosym[0] = E;
    live.push(nosym);
    home.write_live(&live);
    let out = home
        .cmd(["process-excel", "--json", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "Live.xlsx: sheet Live, row 3, column LTP (B): expected a number, found \"abc\"",
        "Live.xlsx: sheet Live, row 4, column OI (H): expected a whole number of 0 or more, found -5",
        "Live.xlsx: sheet Live, row 5, column Symbol (A): duplicate symbol RELIANCE (first on row 2)",
        "Live.xlsx: sheet Live, row 6, column Symbol (A): expected a symbol, found an empty cell",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    let r = crate::harness::parse_json(&out);
    assert_eq!(r["status"], "partial");
    assert_eq!(r["skipped"].as_array().unwrap().len(), 4);
    assert_eq!(r["skipped"][0]["row"], 3);
    assert_eq!(r["stocks"], 1);
    // The good row is stored with the first RELIANCE price, not the duplicate's.
    let ltp: f64 = home
        .value("SELECT ltp FROM excel_stocks WHERE symbol = 'RELIANCE'")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ltp, 102.0);
    let h = home.json(["process-excel", "history", "--json"]);
    assert_eq!(h["runs"][0]["skipped"], 4);
    assert_eq!(h["runs"][0]["skipped_rows"][0]["column"], "LTP (B)");
}

#[test]
fn bad_historical_rows_and_a_sheet_of_junk() {
    let home = Home::new();
    home.write_pair();
    let mut hist = vec![hist_header()];
    hist.extend(hist_rows("TCS"));
    hist.push(vec![
        S("TCS"),
        S("someday"),
        N(1.0),
        N(1.0),
        N(1.0),
        N(1.0),
        N(1.0),
        N(1.0),
    ]);
    hist.push(hist_rows("TCS")[1].clone());
    write_book(
        &home.excel_dir().join("Historical.xlsx"),
        "Historical",
        &hist,
    );
    // Rows skipped, the rest stored: exit 0, and the skipped rows on stderr even with -q.
    home.cmd(["-q", "process-excel"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(contains(
            "Historical.xlsx: sheet Historical, row 4, column Date (B): expected a date",
        ))
        .stderr(contains(
            "row 5, column Symbol (A): duplicate TCS 2026-11-20 (first on row 3)",
        ));
    // Every live row bad: nothing usable is exit 2, not a partial success.
    home.write_live(&[live_header(), {
        let mut r = live_row("TCS", 1.0, 1.0);
        r[1] = S("n/a");
        r
    }]);
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains(
            "Live.xlsx: sheet Live: no usable data rows (1 skipped)",
        ));
}

#[test]
fn a_file_caught_mid_save_is_a_retryable_error_and_stores_nothing() {
    let home = Home::new();
    home.write_pair();
    home.cmd(["process-excel"]).assert().success();
    let live = home.excel_dir().join("Live.xlsx");
    let good = std::fs::read(&live).unwrap();
    let stocks = || home.count("SELECT count(*) FROM excel_stocks");
    let ticks = || home.count("SELECT count(*) FROM excel_ticks");
    let before = (stocks(), ticks());

    std::fs::write(&live, b"").unwrap();
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains(
            "Live.xlsx: the file is empty (0 bytes), still after 3 tries over",
        ))
        .stderr(contains(
            "it is probably being saved, retry in a few seconds",
        ));

    // Cut short: the zip's central directory is missing.
    std::fs::write(&live, &good[..good.len() / 2]).unwrap();
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("Live.xlsx: its zip directory does not check"))
        .stderr(contains("still after 3 tries"));

    // Whole length, one byte of the sheet changed: its CRC does not check.
    let mut torn = good.clone();
    let sheet = torn
        .windows(24)
        .position(|w| w == b"xl/worksheets/sheet1.xml")
        .unwrap();
    let mid = sheet + 24 + 60;
    torn[mid] ^= 0xFF;
    std::fs::write(&live, &torn).unwrap();
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains(
            "Live.xlsx: part xl/worksheets/sheet1.xml does not check",
        ))
        .stderr(contains("still after 3 tries"));

    // Nothing was half-written, and status shows the last error.
    assert_eq!((stocks(), ticks()), before);
    assert_eq!(
        home.count("SELECT count(*) FROM processing_metadata WHERE status = 'failed'"),
        3
    );
    let s = home.json(["process-excel", "status", "--json"]);
    assert!(
        s["last_error"]["error"]
            .as_str()
            .unwrap()
            .contains("sheet1.xml does not check"),
        "{s}"
    );
    assert_eq!(s["last_processed"]["updated"], 5);
}

/// Excel keeps `~$Live.xlsx` for as long as the workbook is open: that alone stops
/// nothing. `[excel] lock_file_check = true` brings the old refusal back, and says so.
#[test]
fn a_workbook_open_in_excel_is_read() {
    let home = Home::new();
    home.write_pair();
    std::fs::write(home.excel_dir().join("~$Live.xlsx"), b"owner").unwrap();
    home.cmd(["-q", "process-excel"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    assert_eq!(home.count("SELECT count(*) FROM excel_stocks"), 5);

    home.write_config("[excel]\nlock_file_check = true\n");
    home.cmd(["process-excel", "--force"])
        .assert()
        .code(2)
        .stderr(contains("Live.xlsx: Excel's owner file"))
        .stderr(contains("~$Live.xlsx is present"))
        .stderr(contains("[excel] lock_file_check = true"));
    assert_eq!(home.count("SELECT count(*) FROM excel_ticks"), 5);
}

#[test]
fn a_file_that_is_not_a_workbook_is_exit_2() {
    let home = Home::new();
    home.write_pair();
    std::fs::write(home.excel_dir().join("Live.xlsx"), "Symbol,LTP\nTCS,1\n").unwrap();
    home.cmd(["process-excel"])
        .assert()
        .code(2)
        .stderr(contains("Live.xlsx: not a workbook optctl can read"));
}

#[test]
fn market_hours_only_skips_outside_the_session() {
    let home = Home::new();
    home.write_pair();
    let run = |at: &str| {
        home.cmd(["process-excel", "--market-hours-only", "--as-of", at])
            .output()
            .unwrap()
    };
    for (at, why) in [
        ("2026-11-23T09:14:59+05:30", "before the open"),
        ("2026-11-23T15:30:00+05:30", "after the close"),
        ("2026-11-28T11:00:00+05:30", "not a trading day"),
    ] {
        let out = run(at);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("skipped: market closed ({why})")),
            "{at}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!home.store_exists(), "a skipped run touches nothing");
    let out = run("2026-11-23T09:15:00+05:30");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("5/5 updated"),
        "{}",
        describe(&out)
    );
    let out = run("2026-11-23T15:29:59+05:30");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("unchanged"),
        "{}",
        describe(&out)
    );

    // A holiday from the holidays file, relative to the data home.
    std::fs::write(
        home.home().join("holidays.txt"),
        "# NSE\n24-Nov-2026 Guru Nanak Jayanti\n",
    )
    .unwrap();
    home.write_config("[market_hours]\nholidays_file = \"holidays.txt\"\n");
    let out = run("2026-11-24T10:00:00+05:30");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(holiday); next open 2026-11-25 09:15 IST"),
        "{}",
        describe(&out)
    );
    let j = home.json([
        "process-excel",
        "--market-hours-only",
        "--as-of",
        "2026-11-24T10:00:00+05:30",
        "--json",
    ]);
    assert_eq!(j["status"], "skipped");
    assert_eq!(j["market"]["state"], "holiday");
}

#[test]
fn market_hours_in_another_time_zone() {
    let home = Home::new();
    home.write_config(
        "[market_hours]\ntimezone = \"America/New_York\"\nopen = \"09:30\"\nclose = \"16:00\"\n",
    );
    // 15:00Z on Monday 2026-11-23 is 10:00 in New York (EST).
    let s = home.json(["market-hours", "--market", "workbooks", "--json"]);
    assert_eq!(s["open"], true, "{s}");
    assert_eq!(s["timezone"], "America/New_York");
    assert_eq!(s["closes_at"], "2026-11-23T21:00:00Z");
    let s = home.json([
        "market-hours",
        "--market",
        "workbooks",
        "--json",
        "--as-of",
        "2026-11-23T14:29:59Z",
    ]);
    assert_eq!(
        (s["open"].as_bool(), s["state"].as_str()),
        (Some(false), Some("before_open"))
    );
    assert_eq!(s["next_open"], "2026-11-23T14:30:00Z");
    home.cmd(["market-hours", "--market", "workbooks"])
        .assert()
        .success()
        .stdout(contains("market open until 2026-11-23 16:00 EST"));
    home.write_config("[market_hours]\ntimezone = \"Mars/Olympus\"\n");
    home.cmd(["market-hours", "--market", "workbooks"])
        .assert()
        .code(2)
        .stderr(contains("line 2"))
        .stderr(contains("timezone = \"Mars/Olympus\""))
        .stderr(contains("unknown time zone \"Mars/Olympus\""));
}

#[test]
fn market_hours_shows_the_watchlists_market_and_the_workbooks_on_request() {
    let home = Home::new();
    // The default watchlist is US: 15:00Z Monday is 10:00 in New York.
    let s = home.json(["market-hours", "--json"]);
    assert_eq!(s["market"], "us", "{s}");
    assert_eq!(s["open"], true, "{s}");
    assert_eq!(s["timezone"], "America/New_York");
    assert!(s.get("others").is_none(), "{s}");
    // A watchlist of both markets: the larger first, the other named with its tickers.
    home.write_config("[watchlist]\ntickers = [\"NIFTY\", \"BANKNIFTY\", \"SPY\"]\n");
    let s = home.json(["market-hours", "--json"]);
    assert_eq!(s["market"], "nse", "{s}");
    assert_eq!(s["state"], "after_close", "{s}");
    assert_eq!(s["others"][0]["market"], "us", "{s}");
    assert_eq!(s["others"][0]["tickers"], serde_json::json!(["SPY"]), "{s}");
    home.cmd(["market-hours"])
        .assert()
        .success()
        .stdout(contains("NSE (NIFTY, BANKNIFTY): market closed"))
        .stdout(contains("US (SPY): market open until 2026-11-23 16:00 EST"));
    // The workbooks keep [market_hours] (NSE unless configured), whatever the watchlist.
    let s = home.json(["market-hours", "--market", "workbooks", "--json"]);
    assert_eq!(s["market"], "workbooks");
    assert_eq!(s["timezone"], "Asia/Kolkata");
}

#[test]
fn default_workbook_market_is_nse() {
    let home = Home::new();
    // The harness clock, 15:00Z Monday, is 20:30 in Mumbai.
    let s = home.json(["market-hours", "--market", "workbooks", "--json"]);
    assert_eq!(s["state"], "after_close");
    assert_eq!(s["local_time"], "2026-11-23T20:30:00+05:30");
    // Tuesday the 24th is an NSE holiday (Guru Nanak Jayanti), built in: no config needed.
    assert_eq!(s["next_open"], "2026-11-25T03:45:00Z");
    assert_eq!(s["next_open_local"], "2026-11-25 09:15 IST");
    // preset = "none" keeps only the configured holidays.
    home.write_config("[market_hours]\npreset = \"none\"\n");
    let s = home.json(["market-hours", "--market", "workbooks", "--json"]);
    assert_eq!(s["next_open"], "2026-11-24T03:45:00Z");
}

#[test]
fn status_and_history_before_and_after_runs() {
    let home = Home::new();
    let s = home.json(["process-excel", "status", "--json"]);
    assert_eq!(s["runs_total"], 0);
    assert!(s["last_run"].is_null());
    assert_eq!(
        home.json(["process-excel", "history", "--json"])["count"],
        0
    );
    home.write_pair();
    home.cmd(["process-excel"]).assert().success();
    home.cmd(["process-excel"]).assert().success();
    let s = home.json(["process-excel", "status", "--json"]);
    assert_eq!(s["runs_total"], 2);
    assert_eq!(s["runs_today"], 2);
    assert_eq!(s["stocks"], 5);
    assert_eq!(s["last_run"]["status"], "unchanged");
    assert_eq!(s["market"]["open"], false);
    assert!(s["last_error"].is_null());
    let h = home.json(["process-excel", "history", "--limit", "1", "--json"]);
    assert_eq!(h["count"], 1);
    let run = &h["runs"][0];
    assert_eq!(run["status"], "unchanged");
    assert!(run["live"]["hash"].as_str().unwrap().len() == 8);
    assert!(run["live"]["size"].as_u64().unwrap() > 1000);
    home.cmd(["process-excel", "history"])
        .assert()
        .success()
        .stdout(contains("processed"))
        .stdout(contains("unchanged"));
    home.cmd(["process-excel", "status"])
        .assert()
        .success()
        .stdout(contains("market closed (after the close)"))
        .stdout(contains("2 today, 2 in all"));
}

#[test]
fn a_held_lock_is_exit_75_and_touches_nothing() {
    let home = Home::new();
    home.write_pair();
    let _held =
        optctl::lock::JobLock::acquire(&optctl::home::Home::new(home.home()), "process-excel")
            .unwrap();
    home.cmd(["process-excel"])
        .assert()
        .code(75)
        .stderr(contains("another `optctl process-excel` is running"));
    assert!(!home.store_exists());
}

#[test]
fn watch_runs_every_interval_and_stops_cleanly_on_ctrl_c() {
    watch_stops_cleanly_on("-INT");
}

/// systemd and `kill` stop a service with SIGTERM: the loop ends after its tick, exit 0.
#[test]
fn watch_stops_cleanly_on_sigterm() {
    watch_stops_cleanly_on("-TERM");
}

fn watch_stops_cleanly_on(signal: &str) {
    let home = Home::new();
    home.write_pair();
    let child = home
        .std_cmd(["process-excel", "--watch", "--interval", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let runs = || -> i64 {
        rusqlite::Connection::open(home.db_path())
            .and_then(|c| c.query_row("SELECT count(*) FROM processing_metadata", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    while runs() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("5/5 updated"), "{stdout}");
    assert!(stdout.contains("unchanged"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
}

#[test]
fn quiet_process_excel_prints_nothing_on_success() {
    let home = Home::new();
    home.write_pair();
    crate::cron::assert_silent(&home.cmd(["-q", "process-excel"]).output().unwrap());
    assert_eq!(home.count("SELECT count(*) FROM excel_stocks"), 5);
    // Unchanged workbooks: still nothing.
    crate::cron::assert_silent(&home.cmd(["-q", "process-excel"]).output().unwrap());
    // [excel] strict keeps exit 3 for a run with skipped rows.
    home.write_config("[excel]\nstrict = true\n");
    let mut live = vec![live_header(), live_row("TCS", 98.0, 11_000.0)];
    let mut bad = live_row("INFY", 98.0, 11_000.0);
    bad[1] = S("abc");
    live.push(bad);
    home.write_live(&live);
    home.cmd(["-q", "process-excel"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(contains("expected a number, found \"abc\""));
}
