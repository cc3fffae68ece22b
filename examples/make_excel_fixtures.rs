//! Writes the process-excel fixture workbooks: `Historical.xlsx` (25 trading days of
//! 204 NSE F&O stocks) and `Live.xlsx` (one row per stock on Monday 2026-11-23, headers
//! as a broker terminal names them). Deterministic: the same seed writes the same data.
//!
//!     cargo run --example make_excel_fixtures -- fixtures/excel        # the checked-in pair
//!     cargo run --example make_excel_fixtures -- /tmp/x --seed 2       # another live moment
//!
//! The symbols are real F&O underlyings; prices, volumes and OI are synthetic but of a
//! plausible size, and the live moves are spread so every buildup class occurs.

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const SYMBOLS: &[&str] = &[
    "RELIANCE",
    "TCS",
    "INFY",
    "HDFCBANK",
    "ICICIBANK",
    "SBIN",
    "BHARTIARTL",
    "ITC",
    "HINDUNILVR",
    "LT",
    "KOTAKBANK",
    "AXISBANK",
    "BAJFINANCE",
    "ASIANPAINT",
    "MARUTI",
    "HCLTECH",
    "SUNPHARMA",
    "TITAN",
    "ULTRACEMCO",
    "WIPRO",
    "NESTLEIND",
    "ONGC",
    "NTPC",
    "POWERGRID",
    "TATAMOTORS",
    "TATASTEEL",
    "JSWSTEEL",
    "M&M",
    "ADANIENT",
    "ADANIPORTS",
    "COALINDIA",
    "BAJAJFINSV",
    "BAJAJ-AUTO",
    "TECHM",
    "GRASIM",
    "HINDALCO",
    "DRREDDY",
    "CIPLA",
    "DIVISLAB",
    "EICHERMOT",
    "HEROMOTOCO",
    "BRITANNIA",
    "APOLLOHOSP",
    "INDUSINDBK",
    "SBILIFE",
    "HDFCLIFE",
    "TATACONSUM",
    "BPCL",
    "UPL",
    "SHREECEM",
    "ABB",
    "ACC",
    "ABCAPITAL",
    "ABFRL",
    "ALKEM",
    "AMBUJACEM",
    "APOLLOTYRE",
    "ASHOKLEY",
    "ASTRAL",
    "ATUL",
    "AUBANK",
    "AUROPHARMA",
    "BALKRISIND",
    "BANDHANBNK",
    "BANKBARODA",
    "BATAINDIA",
    "BEL",
    "BERGEPAINT",
    "BHARATFORG",
    "BHEL",
    "BIOCON",
    "BOSCHLTD",
    "BSOFT",
    "CANBK",
    "CANFINHOME",
    "CHAMBLFERT",
    "CHOLAFIN",
    "COFORGE",
    "COLPAL",
    "CONCOR",
    "COROMANDEL",
    "CROMPTON",
    "CUB",
    "CUMMINSIND",
    "DABUR",
    "DALBHARAT",
    "DEEPAKNTR",
    "DIXON",
    "DLF",
    "ESCORTS",
    "EXIDEIND",
    "FEDERALBNK",
    "GAIL",
    "GLENMARK",
    "GMRAIRPORT",
    "GNFC",
    "GODREJCP",
    "GODREJPROP",
    "GRANULES",
    "GUJGASLTD",
    "HAL",
    "HAVELLS",
    "HDFCAMC",
    "HINDCOPPER",
    "HINDPETRO",
    "IDEA",
    "IDFCFIRSTB",
    "IEX",
    "IGL",
    "INDHOTEL",
    "INDIAMART",
    "INDIGO",
    "INDUSTOWER",
    "IPCALAB",
    "IRCTC",
    "JINDALSTEL",
    "JKCEMENT",
    "JUBLFOOD",
    "LALPATHLAB",
    "LAURUSLABS",
    "LICHSGFIN",
    "LTIM",
    "LTTS",
    "LUPIN",
    "MANAPPURAM",
    "MARICO",
    "MCX",
    "METROPOLIS",
    "MFSL",
    "MGL",
    "MOTHERSON",
    "MPHASIS",
    "MRF",
    "MUTHOOTFIN",
    "NATIONALUM",
    "NAUKRI",
    "NAVINFLUOR",
    "NMDC",
    "OBEROIRLTY",
    "OFSS",
    "PAGEIND",
    "PEL",
    "PERSISTENT",
    "PETRONET",
    "PFC",
    "PIDILITIND",
    "PIIND",
    "PNB",
    "POLYCAB",
    "PVRINOX",
    "RAMCOCEM",
    "RBLBANK",
    "RECLTD",
    "SAIL",
    "SBICARD",
    "SHRIRAMFIN",
    "SIEMENS",
    "SRF",
    "SUNTV",
    "SYNGENE",
    "TATACHEM",
    "TATACOMM",
    "TATAPOWER",
    "TORNTPHARM",
    "TRENT",
    "TVSMOTOR",
    "UBL",
    "UNITDSPR",
    "VEDL",
    "VOLTAS",
    "ZYDUSLIFE",
    "ABBOTINDIA",
    "AARTIIND",
    "BANKINDIA",
    "CDSL",
    "CGPOWER",
    "CYIENT",
    "DMART",
    "HUDCO",
    "INDIANB",
    "IRFC",
    "JIOFIN",
    "KEI",
    "KPITTECH",
    "LODHA",
    "MAXHEALTH",
    "NHPC",
    "NYKAA",
    "OIL",
    "PAYTM",
    "PHOENIXLTD",
    "POLICYBZR",
    "PRESTIGE",
    "SJVN",
    "SONACOMS",
    "SUPREMEIND",
    "TATAELXSI",
    "TIINDIA",
    "TORNTPOWER",
    "UNIONBANK",
    "VBL",
    "YESBANK",
    "ETERNAL",
    "BSE",
];

/// Rough late-2026 price levels for the names a reader will recognise; the rest get a
/// deterministic level between 100 and 5000.
const LEVELS: &[(&str, f64)] = &[
    ("RELIANCE", 1520.0),
    ("TCS", 3450.0),
    ("INFY", 1560.0),
    ("HDFCBANK", 985.0),
    ("ICICIBANK", 1390.0),
    ("SBIN", 915.0),
    ("ITC", 410.0),
    ("MRF", 152_000.0),
    ("PAGEIND", 44_500.0),
    ("BOSCHLTD", 37_800.0),
    ("SHREECEM", 29_300.0),
    ("IDEA", 9.8),
    ("YESBANK", 21.4),
];

/// The trading date of the live workbook (a Monday).
const LIVE_DATE: (i32, u32, u32) = (2026, 11, 23);
const HISTORY_DAYS: usize = 25;

/// SplitMix64: tiny, deterministic, good enough for fixture noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [a, b).
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
}

fn tick(p: f64) -> f64 {
    if p < 50.0 {
        (p * 100.0).round() / 100.0
    } else {
        (p * 20.0).round() / 20.0
    }
}

fn trading_days_before(d: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut day = d;
    while out.len() < n {
        day = day.pred_opt().expect("date in range");
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(day);
        }
    }
    out.reverse();
    out
}

struct Day {
    date: NaiveDate,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: i64,
    oi: i64,
}

fn main() -> Result<(), XlsxError> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "fixtures/excel".into()));
    let mut seed = 1u64;
    while let Some(a) = args.next() {
        if a == "--seed" {
            seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
        }
    }
    std::fs::create_dir_all(&out).map_err(XlsxError::IoError)?;
    let live_date = NaiveDate::from_ymd_opt(LIVE_DATE.0, LIVE_DATE.1, LIVE_DATE.2).expect("date");
    let days = trading_days_before(live_date, HISTORY_DAYS);

    // History always comes from seed 1, so every seed's live moment sits on the same past.
    let mut rng = Rng(1);
    let mut history: Vec<Vec<Day>> = Vec::new();
    for sym in SYMBOLS {
        let mut price = LEVELS
            .iter()
            .find(|(s, _)| s == sym)
            .map_or_else(|| rng.range(100.0, 5000.0), |l| l.1);
        // Lot sizes shrink as prices grow; OI is a few thousand lots.
        let lot = (500_000.0 / price).clamp(1.0, 20_000.0);
        let mut oi = (lot * rng.range(2_000.0, 30_000.0)).round();
        let base_volume = (lot * rng.range(300.0, 6_000.0)).round();
        let mut rows = Vec::new();
        for &date in &days {
            let open = tick(price * (1.0 + rng.range(-0.006, 0.006)));
            let close = tick(open * (1.0 + rng.range(-0.025, 0.025)));
            let high = tick(open.max(close) * (1.0 + rng.range(0.0, 0.012)));
            let low = tick(open.min(close) * (1.0 - rng.range(0.0, 0.012)));
            oi = (oi * (1.0 + rng.range(-0.04, 0.045))).round();
            let volume = (base_volume * rng.range(0.5, 1.6)).round() as i64;
            rows.push(Day {
                date,
                open,
                high,
                low,
                close,
                volume,
                oi: oi as i64,
            });
            price = close;
        }
        history.push(rows);
    }

    let mut book = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd-mm-yyyy");
    let price_fmt = Format::new().set_num_format("0.00");
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Historical")?;
    for (c, h) in [
        "Symbol", "Date", "Open", "High", "Low", "Close", "Volume", "OI",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1u32;
    for (sym, rows) in SYMBOLS.iter().zip(&history) {
        for d in rows {
            let dt = ExcelDateTime::from_ymd(
                d.date.year() as u16,
                d.date.month() as u8,
                d.date.day() as u8,
            )?;
            sheet.write(r, 0, *sym)?;
            sheet.write_datetime_with_format(r, 1, &dt, &date_fmt)?;
            sheet.write_with_format(r, 2, d.open, &price_fmt)?;
            sheet.write_with_format(r, 3, d.high, &price_fmt)?;
            sheet.write_with_format(r, 4, d.low, &price_fmt)?;
            sheet.write_with_format(r, 5, d.close, &price_fmt)?;
            sheet.write(r, 6, d.volume as f64)?;
            sheet.write(r, 7, d.oi as f64)?;
            r += 1;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save(out.join("Historical.xlsx"))?;

    // The live moment: 14:29 IST, moves spread so each buildup class shows up.
    let mut rng = Rng(1000 + seed);
    let mut book = Workbook::new();
    let time_fmt = Format::new().set_num_format("hh:mm:ss");
    let sheet = book.add_worksheet().set_name("Live")?;
    let headers = [
        "Trading Symbol",
        "Last Traded Price",
        "Open",
        "High",
        "Low",
        "Prev. Close",
        "Volume Traded Today",
        "Open Interest",
        "Bid Price",
        "Ask Price",
        "Last Trade Time",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (sym, rows)) in SYMBOLS.iter().zip(&history).enumerate() {
        let prev = rows.last().expect("history");
        let avg_volume = rows.iter().map(|d| d.volume as f64).sum::<f64>() / rows.len() as f64;
        // One stock in eight sits inside the neutral band.
        let (dp, doi) = if i % 8 == 7 {
            (rng.range(-0.0008, 0.0008), rng.range(-0.004, 0.004))
        } else {
            (rng.range(-0.035, 0.035), rng.range(-0.08, 0.09))
        };
        let ltp = tick(prev.close * (1.0 + dp));
        let open = tick(prev.close * (1.0 + rng.range(-0.008, 0.008)));
        let high = tick(ltp.max(open) * (1.0 + rng.range(0.0, 0.01)));
        let low = tick(ltp.min(open) * (1.0 - rng.range(0.0, 0.01)));
        let spread = if ltp < 50.0 { 0.01 } else { 0.05 };
        let volume = (avg_volume * rng.range(0.3, if i % 11 == 0 { 3.5 } else { 1.3 })).round();
        let oi = (prev.oi as f64 * (1.0 + doi)).round();
        let secs = 14.0 * 3600.0 + 29.0 * 60.0 + rng.range(0.0, 59.0).floor();
        let time = ExcelDateTime::from_hms(
            (secs / 3600.0) as u16,
            ((secs % 3600.0) / 60.0) as u8,
            secs % 60.0,
        )?;
        let r = i as u32 + 1;
        sheet.write(r, 0, *sym)?;
        sheet.write_with_format(r, 1, ltp, &price_fmt)?;
        sheet.write_with_format(r, 2, open, &price_fmt)?;
        sheet.write_with_format(r, 3, high, &price_fmt)?;
        sheet.write_with_format(r, 4, low, &price_fmt)?;
        sheet.write_with_format(r, 5, prev.close, &price_fmt)?;
        sheet.write(r, 6, volume)?;
        sheet.write(r, 7, oi)?;
        sheet.write_with_format(r, 8, tick(ltp - spread), &price_fmt)?;
        sheet.write_with_format(r, 9, tick(ltp + spread), &price_fmt)?;
        sheet.write_datetime_with_format(r, 10, &time, &time_fmt)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save(out.join("Live.xlsx"))?;
    eprintln!(
        "wrote {} and {} ({} stocks, {} days)",
        out.join("Historical.xlsx").display(),
        out.join("Live.xlsx").display(),
        SYMBOLS.len(),
        days.len()
    );
    Ok(())
}
