//! Workbook reading: load a broker workbook (fingerprinting it on the way), check that
//! its bytes are whole (a torn save is [`Error::Busy`]), open it with calamine, find the
//! header row, map headers to fields (built-in aliases or `[excel.columns]`), describe
//! that mapping (with a warning for each optional field it cannot find), and turn rows
//! into typed records. A bad row is skipped and described, never a panic. The math is
//! in `excel::buildup`; the run in `excel::process`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use calamine::{Data, Reader, Sheets};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// The store keeps fingerprints and skipped rows with each run; it owns their types.
pub use crate::store::excel::{ColumnMapping, Fingerprint, MappedColumn, SkippedRow};

/// A workbook that cannot be used at all (as opposed to a bad row, which is skipped).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such file", .path.display())]
    Missing { path: PathBuf },
    #[error("{}: cannot read", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Caught while Excel (or a feed) is writing it: try again in a moment.
    #[error("{}: {reason}; it is probably being saved, retry in a few seconds", .path.display())]
    Busy { path: PathBuf, reason: String },
    /// Excel's owner file is present and `[excel] lock_file_check` asks to wait for it.
    #[error(
        "{}: Excel's owner file {} is present (the workbook is open in Excel), and \
         [excel] lock_file_check = true refuses to read it while it is; set \
         lock_file_check = false (the default) to read it anyway",
        .path.display(), .owner.display()
    )]
    OpenInExcel { path: PathBuf, owner: PathBuf },
    #[error("{}: not a workbook optctl can read (.xlsx, .xlsm, .xls, .xlsb, .ods): {detail}", .path.display())]
    Format { path: PathBuf, detail: String },
    #[error("{}: no sheet named {sheet:?}; sheets found: {}", .path.display(), .found.join(", "))]
    NoSheet {
        path: PathBuf,
        sheet: String,
        found: Vec<String>,
    },
    #[error(
        "{}: sheet {sheet}: no {column} column (expected a header like {expected}); headers found in row {row}: {}",
        .path.display(), .found.join(", ")
    )]
    MissingColumn {
        path: PathBuf,
        sheet: String,
        row: u32,
        column: &'static str,
        expected: String,
        found: Vec<String>,
    },
    #[error("{}: sheet {sheet}: no usable data rows ({skipped} skipped)", .path.display())]
    NoRows {
        path: PathBuf,
        sheet: String,
        skipped: usize,
    },
}

impl Error {
    /// True when the same command is likely to work in a few seconds (a file mid-save).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Busy { .. })
    }
}

/// Which of the two workbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `Historical.xlsx`: one row per stock per day.
    Historical,
    /// `Live.xlsx`: one row per stock.
    Live,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Historical => "historical",
            Kind::Live => "live",
        })
    }
}

/// A column the reader looks for.
#[derive(Debug)]
pub struct Field {
    /// Key in `[excel.columns.*]` (`prev_close`).
    pub name: &'static str,
    /// How messages and the README call it (`Prev Close`).
    pub label: &'static str,
    /// Headers that mean this field, as people write them (and as a "did you mean"
    /// suggests them). They match after [`normalize_header`], so "Last Traded Price",
    /// "last_traded_price" and "LAST TRADED PRICE" all match "Last Traded Price".
    pub aliases: &'static [&'static str],
    /// A row needs a value here; without the column the workbook is unusable.
    pub required: bool,
}

const SYMBOL: &[&str] = &[
    "Symbol",
    "Trading Symbol",
    "Ticker",
    "Scrip",
    "Scrip Name",
    "Scrip Code",
    "Stock",
    "Stock Name",
    "Instrument",
    "Name",
];
const VOLUME: &[&str] = &[
    "Volume",
    "Vol",
    "Volume Traded Today",
    "Total Volume",
    "Traded Volume",
    "Total Traded Volume",
    "Traded Qty",
    "Total Traded Quantity",
];
const OI: &[&str] = &["OI", "Open Interest", "Open Int", "Total OI"];

// The fields both workbooks share.
const SYMBOL_FIELD: Field = Field {
    name: "symbol",
    label: "Symbol",
    aliases: SYMBOL,
    required: true,
};
const VOLUME_FIELD: Field = Field {
    name: "volume",
    label: "Volume",
    aliases: VOLUME,
    required: false,
};
const OI_FIELD: Field = Field {
    name: "oi",
    label: "OI",
    aliases: OI,
    required: true,
};

const HISTORICAL: &[Field] = &[
    SYMBOL_FIELD,
    Field {
        name: "date",
        label: "Date",
        aliases: &["Date", "Trade Date", "Trading Date", "Day", "Timestamp"],
        required: true,
    },
    Field {
        name: "close",
        label: "Close",
        aliases: &[
            "Close",
            "Close Price",
            "Closing Price",
            "Settle Price",
            "Last Price",
        ],
        required: true,
    },
    VOLUME_FIELD,
    OI_FIELD,
];

const LIVE: &[Field] = &[
    SYMBOL_FIELD,
    Field {
        name: "ltp",
        label: "LTP",
        aliases: &[
            "LTP",
            "Last Traded Price",
            "Last Trade Price",
            "Last Price",
            "Last",
            "Current Price",
            "CMP",
        ],
        required: true,
    },
    Field {
        name: "open",
        label: "Open",
        aliases: &["Open", "Open Price", "Day Open"],
        required: false,
    },
    Field {
        name: "high",
        label: "High",
        aliases: &["High", "High Price", "Day High"],
        required: false,
    },
    Field {
        name: "low",
        label: "Low",
        aliases: &["Low", "Low Price", "Day Low"],
        required: false,
    },
    Field {
        name: "prev_close",
        label: "Prev Close",
        // Kite and several terminals call the previous close just "Close" in a live row.
        aliases: &[
            "Prev Close",
            "Previous Close",
            "Prv Close",
            "PClose",
            "Yesterday Close",
            "Close",
        ],
        required: false,
    },
    VOLUME_FIELD,
    OI_FIELD,
    Field {
        name: "bid",
        label: "Bid",
        aliases: &[
            "Bid",
            "Bid Price",
            "Best Bid",
            "Buy Price",
            "Best Buy Price",
            "Bid Rate",
        ],
        required: false,
    },
    Field {
        name: "ask",
        label: "Ask",
        aliases: &[
            "Ask",
            "Ask Price",
            "Best Ask",
            "Offer",
            "Offer Price",
            "Sell Price",
            "Best Sell Price",
            "Ask Rate",
        ],
        required: false,
    },
    Field {
        name: "last_update",
        label: "Last Update",
        aliases: &[
            "Last Update",
            "Last Updated",
            "Last Update Time",
            "Last Trade Time",
            "Last Traded Time",
            "LTT",
            "Update Time",
            "Updated At",
            "Time",
            "Exchange Timestamp",
        ],
        required: false,
    },
];

impl Kind {
    /// The fields read from this workbook, in README order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Historical => HISTORICAL,
            Kind::Live => LIVE,
        }
    }
}

/// A workbook read into memory, with its fingerprint; parse it with [`read`].
#[derive(Debug)]
pub struct Loaded {
    pub fingerprint: Fingerprint,
    bytes: Vec<u8>,
}

/// Reads `path` into memory. Fails with [`Error::Busy`] when the file looks caught
/// mid-save (empty, changing size while read), and with [`Error::OpenInExcel`] when
/// `check_owner_file` is set and Excel's `~$` owner file sits next to it. Excel keeps
/// that file for as long as the workbook is *open*, so it alone says nothing about a
/// save: whether the bytes are whole is checked when they are parsed ([`verify`]).
pub fn load(path: &Path, check_owner_file: bool) -> Result<Loaded, Error> {
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::Missing {
                path: path.to_path_buf(),
            }
        } else {
            Error::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if check_owner_file && let Some(owner) = owner_file(path) {
        return Err(Error::OpenInExcel {
            path: path.to_path_buf(),
            owner,
        });
    }
    if meta.len() == 0 {
        return Err(Error::Busy {
            path: path.to_path_buf(),
            reason: "the file is empty (0 bytes)".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.len() as u64 != meta.len() {
        return Err(Error::Busy {
            path: path.to_path_buf(),
            reason: format!(
                "its size changed while it was read ({} then {} bytes)",
                meta.len(),
                bytes.len()
            ),
        });
    }
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    let hash = format!("{:08x}", crc32fast::hash(&bytes));
    Ok(Loaded {
        fingerprint: Fingerprint {
            path: path.to_path_buf(),
            size: meta.len(),
            mtime_ns,
            hash,
        },
        bytes,
    })
}

/// Excel's owner file for `path`, if present. Excel writes `~$` + the name, and for
/// longer names (as Word does) replaces the first two characters instead; check both.
fn owner_file(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut candidates = vec![dir.join(format!("~${name}"))];
    if let Some((i, _)) = name.char_indices().nth(2) {
        candidates.push(dir.join(format!("~${}", &name[i..])));
    }
    candidates.into_iter().find(|p| p.exists())
}

/// Checks that a zip-based workbook (xlsx, xlsm, xlsb, ods) is whole before it is parsed:
/// the central directory reads, every part decompresses to its recorded CRC-32, and
/// every XML part ends with its root element closed. calamine alone would not catch
/// all of a torn save: it reads only the parts it needs and stops reading a sheet before
/// the part's end, where the zip reader checks the CRC, so a changed byte in a value
/// goes unnoticed (a test shows it). Anything else (xls) is left to the parser.
/// A failure is [`Error::Busy`]: a file caught mid-save.
pub fn verify(loaded: &Loaded) -> Result<(), Error> {
    if !loaded.bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    verify_zip(&loaded.bytes).map_err(|reason| Error::Busy {
        path: loaded.fingerprint.path.clone(),
        reason,
    })
}

fn verify_zip(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("its zip directory does not check ({e})"))?;
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| format!("zip entry {} does not check ({e})", i + 1))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        buf.clear();
        // read_to_end reaches the end of the part, where the zip reader compares the CRC.
        part.read_to_end(&mut buf)
            .map_err(|e| format!("part {name} does not check ({e})"))?;
        if (name.ends_with(".xml") || name.ends_with(".rels")) && !xml_is_whole(&buf) {
            return Err(format!(
                "part {name} is cut short (its XML ends before its root element is closed)"
            ));
        }
    }
    Ok(())
}

/// True when `xml` holds one root element that is closed: `<root ...>...</root>` or
/// `<root .../>`, after any declaration, comments and doctype. Cheap: looks only at
/// the root's name and the last bytes.
fn xml_is_whole(xml: &[u8]) -> bool {
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let end = xml.trim_ascii_end();
    let mut at = 0;
    let (start, name) = loop {
        let Some(lt) = xml[at..].iter().position(|&b| b == b'<').map(|p| at + p) else {
            return false;
        };
        let rest = &xml[lt..];
        let skip_to = |close: &[u8]| {
            rest.windows(close.len())
                .position(|w| w == close)
                .map(|p| lt + p + close.len())
        };
        let next = if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<!") {
            skip_to(b">")
        } else {
            let len = rest[1..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                .unwrap_or(rest.len() - 1);
            break (lt, &rest[1..1 + len]);
        };
        match next {
            Some(n) => at = n,
            None => return false,
        }
    };
    if name.is_empty() {
        return false;
    }
    let mut close = Vec::with_capacity(name.len() + 3);
    close.extend_from_slice(b"</");
    close.extend_from_slice(name);
    close.push(b'>');
    if end.ends_with(&close) {
        return true;
    }
    // `<root/>`: the root's own start tag is the end of the document.
    end.ends_with(b"/>") && xml[start..end.len() - 1].iter().all(|&b| b != b'>')
}

/// One historical row: a stock's day.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalRow {
    pub symbol: String,
    pub date: NaiveDate,
    /// Closing price, rupees.
    pub close: f64,
    /// Contracts (or shares) traded that day; None when the column is absent or empty.
    pub volume: Option<i64>,
    /// Open interest at the close, contracts.
    pub oi: i64,
}

/// One live row: a stock now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    pub symbol: String,
    /// Last traded price, rupees.
    pub ltp: f64,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub prev_close: Option<f64>,
    /// Traded today.
    pub volume: Option<i64>,
    /// Open interest now, contracts.
    pub oi: i64,
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    /// As the workbook shows it (`14:29:57`, `2026-11-23 14:29:57`).
    pub last_update: Option<String>,
}

/// The usable rows of one sheet, and the skipped ones.
#[derive(Debug, Clone)]
pub struct Sheet<T> {
    pub sheet: String,
    /// Data rows seen (blank rows not counted).
    pub rows_read: usize,
    pub rows: Vec<T>,
    pub skipped: Vec<SkippedRow>,
    /// How the header row was read.
    pub columns: ColumnMapping,
}

/// Parses the historical workbook. `columns` maps field names to headers by hand.
pub fn read_historical(
    loaded: &Loaded,
    sheet: Option<&str>,
    columns: &BTreeMap<String, String>,
    ignore: &[String],
) -> Result<Sheet<HistoricalRow>, Error> {
    let mut seen: HashMap<(String, NaiveDate), u32> = HashMap::new();
    read_rows(loaded, sheet, (Kind::Historical, columns, ignore), |r| {
        let row = HistoricalRow {
            symbol: r.symbol()?,
            date: r.date("date")?,
            close: r.price("close")?,
            volume: r.count("volume")?,
            oi: r.required(|r| r.count("oi"), "oi")?,
        };
        let key = (row.symbol.clone(), row.date);
        if let Some(&first) = seen.get(&key) {
            return Err(r.fail(
                "symbol",
                format!(
                    "duplicate {} {} (first on row {first})",
                    row.symbol, row.date
                ),
            ));
        }
        seen.insert(key, r.row);
        Ok(row)
    })
}

/// Parses the live workbook. A symbol seen twice keeps its first row; later ones are skipped.
pub fn read_live(
    loaded: &Loaded,
    sheet: Option<&str>,
    columns: &BTreeMap<String, String>,
    ignore: &[String],
) -> Result<Sheet<LiveRow>, Error> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    read_rows(loaded, sheet, (Kind::Live, columns, ignore), |r| {
        let row = LiveRow {
            symbol: r.symbol()?,
            ltp: r.price("ltp")?,
            open: r.optional_price("open")?,
            high: r.optional_price("high")?,
            low: r.optional_price("low")?,
            prev_close: r.optional_price("prev_close")?,
            volume: r.count("volume")?,
            oi: r.required(|r| r.count("oi"), "oi")?,
            bid: r.optional_price("bid")?,
            ask: r.optional_price("ask")?,
            last_update: r.text("last_update"),
        };
        if let Some(&first) = seen.get(&row.symbol) {
            return Err(r.fail(
                "symbol",
                format!("duplicate symbol {} (first on row {first})", row.symbol),
            ));
        }
        seen.insert(row.symbol.clone(), r.row);
        Ok(row)
    })
}

/// How many leading rows may sit above the header (titles, a refresh time).
const HEADER_SEARCH_ROWS: usize = 20;

fn read_rows<T>(
    loaded: &Loaded,
    sheet: Option<&str>,
    (kind, columns, ignore): (Kind, &BTreeMap<String, String>, &[String]),
    mut parse: impl FnMut(&RowCtx<'_>) -> Result<T, SkippedRow>,
) -> Result<Sheet<T>, Error> {
    let path = &loaded.fingerprint.path;
    let (sheet, range) = open_sheet(loaded, sheet)?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_at, map) = find_header(&rows, kind, columns).map_err(|(at, missing)| {
        let found = rows.get(at).map_or_else(Vec::new, |r| {
            r.iter().map(cell_text).filter(|s| !s.is_empty()).collect()
        });
        Error::MissingColumn {
            path: path.clone(),
            sheet: sheet.clone(),
            row: first_row + at as u32 + 1,
            column: missing.label,
            expected: expected_headers(missing, columns),
            found,
        }
    })?;
    let headers: Vec<String> = rows[header_at].iter().map(cell_text).collect();
    let mut out = Sheet {
        sheet: sheet.clone(),
        rows_read: 0,
        rows: Vec::new(),
        skipped: Vec::new(),
        columns: describe_mapping(
            &HeaderRow {
                path,
                sheet: &sheet,
                row: first_row + header_at as u32 + 1,
                first_col,
                headers: &headers,
            },
            kind,
            &map,
            (columns, ignore),
        ),
    };
    for (i, cells) in rows.iter().enumerate().skip(header_at + 1) {
        if cells.iter().all(is_blank) {
            continue;
        }
        out.rows_read += 1;
        let ctx = RowCtx {
            path,
            sheet: &sheet,
            row: first_row + i as u32 + 1,
            first_col,
            cells,
            fields: kind.fields(),
            map: &map,
            headers: &headers,
        };
        match parse(&ctx) {
            Ok(v) => out.rows.push(v),
            Err(s) => out.skipped.push(s),
        }
    }
    if out.rows.is_empty() {
        return Err(Error::NoRows {
            path: path.clone(),
            sheet,
            skipped: out.skipped.len(),
        });
    }
    Ok(out)
}

fn open_sheet(
    loaded: &Loaded,
    sheet: Option<&str>,
) -> Result<(String, calamine::Range<Data>), Error> {
    let path = &loaded.fingerprint.path;
    verify(loaded)?;
    let cursor = Cursor::new(loaded.bytes.as_slice());
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let opened: Result<Sheets<_>, String> = match ext.as_str() {
        "xlsx" | "xlsm" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e: calamine::XlsxError| e.to_string()),
        "xls" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xls)
            .map_err(|e: calamine::XlsError| e.to_string()),
        "xlsb" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xlsb)
            .map_err(|e: calamine::XlsbError| e.to_string()),
        "ods" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Ods)
            .map_err(|e: calamine::OdsError| e.to_string()),
        _ => calamine::open_workbook_auto_from_rs(cursor).map_err(|e| e.to_string()),
    };
    let mut book = opened.map_err(|detail| broken(loaded, detail))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(want) => names
            .iter()
            .find(|n| n.as_str() == want)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(want)))
            .cloned()
            .ok_or_else(|| Error::NoSheet {
                path: path.clone(),
                sheet: want.to_string(),
                found: names.clone(),
            })?,
        None => names.first().cloned().ok_or_else(|| Error::Format {
            path: path.clone(),
            detail: "it has no sheets".into(),
        })?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| broken(loaded, e.to_string()))?;
    Ok((name, range))
}

/// A workbook that does not open. A zip (xlsx, xlsb, ods) or OLE (xls) file that starts
/// right but does not parse was most likely cut off mid-write: retryable.
fn broken(loaded: &Loaded, detail: String) -> Error {
    let path = loaded.fingerprint.path.clone();
    let b = &loaded.bytes;
    if b.starts_with(b"PK\x03\x04") || b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Error::Busy {
            path,
            reason: format!("it is not a complete workbook ({detail})"),
        }
    } else {
        Error::Format { path, detail }
    }
}

/// Lower case, letters and digits only: "Prev. Close" -> "prevclose".
pub fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn expected_headers(field: &Field, columns: &BTreeMap<String, String>) -> String {
    match columns.get(field.name) {
        Some(h) => format!("{h:?} (from [excel.columns])"),
        None => {
            let label = normalize_header(field.label);
            let mut v: Vec<String> = vec![format!("{:?}", field.label)];
            v.extend(
                field
                    .aliases
                    .iter()
                    .filter(|a| normalize_header(a) != label)
                    .take(4)
                    .map(|a| format!("{a:?}")),
            );
            v.join(", ")
        }
    }
}

/// Field index -> column index, from one header row.
type ColumnMap = Vec<Option<usize>>;

/// `[excel.columns.*] field = ""`: the user says the workbook has no such column.
fn declared_absent(field: &Field, columns: &BTreeMap<String, String>) -> bool {
    columns.get(field.name).is_some_and(|h| h.trim().is_empty())
}

fn map_header(cells: &[Data], kind: Kind, columns: &BTreeMap<String, String>) -> ColumnMap {
    let headers: Vec<String> = cells
        .iter()
        .map(|c| normalize_header(&cell_text(c)))
        .collect();
    let find = |h: &str| {
        let h = normalize_header(h);
        if h.is_empty() {
            return None;
        }
        headers.iter().position(|x| *x == h)
    };
    kind.fields()
        .iter()
        .map(|f| match columns.get(f.name) {
            // A hand mapping replaces the aliases: the user said which column it is.
            Some(h) => find(h),
            None => f.aliases.iter().find_map(|a| find(a)),
        })
        .collect()
}

/// Optimal string alignment distance (Levenshtein plus swapping two neighbours, so
/// "Todya" is one edit from "Today").
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, v) in d[0].iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Close enough to be a typo of `known` (both normalized): at most 2 edits, and at
/// most one per 4 characters, so "LTQ" is not taken for "LTP" nor "Low" for "Lot".
fn is_typo_of(header: &str, known: &str) -> Option<usize> {
    let d = edit_distance(header, known);
    (d > 0 && d <= 2 && d * 4 <= known.chars().count()).then_some(d)
}

/// Where a header row is: for messages and column letters.
struct HeaderRow<'a> {
    path: &'a Path,
    sheet: &'a str,
    /// 1-based, as Excel shows it.
    row: u32,
    /// 0-based column of the first cell.
    first_col: u32,
    headers: &'a [String],
}

/// How the header row was read: fields found, optional fields missing, headers ignored,
/// and a warning, with the nearest known name, for each optional field with no column.
///
/// Headers that match no field (and are not cited as a typo above) get one warning
/// line, each with the nearest known name, unless `[excel] ignore_headers` lists them.
fn describe_mapping(
    row: &HeaderRow<'_>,
    kind: Kind,
    map: &ColumnMap,
    (columns, ignore): (&BTreeMap<String, String>, &[String]),
) -> ColumnMapping {
    let &HeaderRow {
        path,
        sheet,
        row: header_row,
        first_col,
        headers,
    } = row;
    let letter = |c: usize| column_letter(first_col + c as u32);
    let mut out = ColumnMapping {
        sheet: sheet.to_string(),
        header_row,
        ..ColumnMapping::default()
    };
    let used: Vec<usize> = map.iter().flatten().copied().collect();
    let ignored: Vec<(usize, &String, String)> = headers
        .iter()
        .enumerate()
        .filter(|(c, h)| !h.is_empty() && !used.contains(c))
        .map(|(c, h)| (c, h, normalize_header(h)))
        .collect();
    out.ignored = ignored
        .iter()
        .map(|(c, h, _)| format!("{h} ({})", letter(*c)))
        .collect();
    let section = format!("[excel.columns.{kind}]");
    let at = format!("{}: sheet {sheet}", path.display());
    // Columns already named in a typo warning.
    let mut cited: Vec<usize> = Vec::new();
    for (f, m) in kind.fields().iter().zip(map) {
        if let Some(c) = m {
            out.mapped.push(MappedColumn {
                field: f.name.to_string(),
                header: headers.get(*c).cloned().unwrap_or_default(),
                column: letter(*c),
                configured: columns.contains_key(f.name),
            });
            continue;
        }
        out.missing.push(f.name.to_string());
        if declared_absent(f, columns) {
            continue;
        }
        let configured = columns.get(f.name);
        let known: Vec<&str> = match configured {
            Some(h) => vec![h.as_str()],
            None => f.aliases.to_vec(),
        };
        // The ignored header nearest to one of the field's names, if it looks like a typo.
        let typo = ignored
            .iter()
            .flat_map(|(c, h, norm)| {
                known.iter().filter_map(move |k| {
                    is_typo_of(norm, &normalize_header(k)).map(|d| (d, *c, *h, *k))
                })
            })
            .min_by_key(|(d, c, _, _)| (*d, *c));
        let stored = format!("{} is stored empty", f.name);
        if let Some((_, c, _, _)) = typo {
            cited.push(c);
        }
        out.warnings.push(match (configured, typo) {
            (None, Some((_, c, h, k))) => format!(
                "{at}: header `{h}` (column {}) matches no known column; did you mean \
                 `{k}`? {stored} until the header is fixed or mapped in {section}",
                letter(c)
            ),
            (Some(want), Some((_, c, h, _))) => format!(
                "{at}: {section} maps {} to `{want}`, which is not in the header row \
                 (row {header_row}); did you mean `{h}` (column {})? {stored}",
                f.name,
                letter(c)
            ),
            (Some(want), None) => format!(
                "{at}: {section} maps {} to `{want}`, which is not in the header row \
                 (row {header_row}); {stored}",
                f.name
            ),
            (None, None) => format!(
                "{at}: no {} column (a header like {}); {stored}. If the workbook has it \
                 under another header, map it in {section}; if it has none, set {} = \"\" \
                 there",
                f.label,
                expected_headers(f, columns),
                f.name
            ),
        });
    }
    let ignore: Vec<String> = ignore.iter().map(|h| normalize_header(h)).collect();
    let unknown: Vec<String> = ignored
        .iter()
        .filter(|(c, _, norm)| {
            !cited.contains(c) && !ignore.contains(norm) && !known_anywhere(norm)
        })
        .map(|(c, h, norm)| match nearest_unmapped(norm, kind, map) {
            Some(k) => format!("`{h}` (column {}; nearest known: `{k}`)", letter(*c)),
            None => format!("`{h}` (column {})", letter(*c)),
        })
        .collect();
    if !unknown.is_empty() {
        out.warnings.push(format!(
            "{at}: {} header(s) match no known column: {}. Map a column in {section} if it \
             is one optctl reads, or list the headers in [excel] ignore_headers",
            unknown.len(),
            unknown.join(", ")
        ));
    }
    out
}

/// A header (normalized) that names a column either workbook reads: the historical
/// sheet's `Open`/`High`/`Low` are known names, merely not used there.
fn known_anywhere(norm: &str) -> bool {
    [Kind::Historical, Kind::Live]
        .iter()
        .flat_map(|k| k.fields())
        .flat_map(|f| f.aliases.iter())
        .any(|a| normalize_header(a) == norm)
}

/// The alias nearest to `norm` (normalized) by edit distance, among the fields this
/// header row did not map (a field already read needs no second column); ties go to
/// the field listed first.
fn nearest_unmapped(norm: &str, kind: Kind, map: &ColumnMap) -> Option<&'static str> {
    kind.fields()
        .iter()
        .zip(map)
        .filter(|(_, m)| m.is_none())
        .flat_map(|(f, _)| f.aliases.iter().copied())
        .map(|a| (edit_distance(norm, &normalize_header(a)), a))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// The first row (within [`HEADER_SEARCH_ROWS`]) that has every required field. On
/// failure: the row that came closest and its first missing field.
fn find_header(
    rows: &[&[Data]],
    kind: Kind,
    columns: &BTreeMap<String, String>,
) -> Result<(usize, ColumnMap), (usize, &'static Field)> {
    let fields = kind.fields();
    let mut best: Option<(usize, usize, &'static Field)> = None;
    for (i, cells) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        if cells.iter().all(is_blank) {
            continue;
        }
        let map = map_header(cells, kind, columns);
        let missing = fields
            .iter()
            .zip(&map)
            .find(|(f, m)| f.required && m.is_none());
        match missing {
            None => return Ok((i, map)),
            Some((f, _)) => {
                let found = map.iter().filter(|m| m.is_some()).count();
                if best.is_none_or(|(_, n, _)| found > n) {
                    best = Some((i, found, f));
                }
            }
        }
    }
    let symbol = &fields[0];
    Err(best.map_or((0, symbol), |(i, _, f)| (i, f)))
}

/// One data row being parsed: turns cells into values or a [`SkippedRow`].
struct RowCtx<'a> {
    path: &'a Path,
    sheet: &'a str,
    row: u32,
    first_col: u32,
    cells: &'a [Data],
    fields: &'static [Field],
    map: &'a ColumnMap,
    headers: &'a [String],
}

impl RowCtx<'_> {
    fn index(&self, field: &str) -> Option<usize> {
        let i = self.fields.iter().position(|f| f.name == field)?;
        self.map[i]
    }

    fn cell(&self, field: &str) -> Option<&Data> {
        self.index(field).and_then(|c| self.cells.get(c))
    }

    fn fail(&self, field: &str, reason: String) -> SkippedRow {
        let column = self.index(field).map(|c| {
            let header = self.headers.get(c).cloned().unwrap_or_default();
            format!("{header} ({})", column_letter(self.first_col + c as u32))
        });
        SkippedRow {
            file: self.path.to_path_buf(),
            sheet: self.sheet.to_string(),
            row: self.row,
            column,
            reason,
        }
    }

    fn required<T>(
        &self,
        get: impl Fn(&Self) -> Result<Option<T>, SkippedRow>,
        field: &str,
    ) -> Result<T, SkippedRow> {
        get(self)?.ok_or_else(|| self.fail(field, "expected a value, found an empty cell".into()))
    }

    fn symbol(&self) -> Result<String, SkippedRow> {
        let s = self
            .text("symbol")
            .ok_or_else(|| self.fail("symbol", "expected a symbol, found an empty cell".into()))?;
        let s = s.to_ascii_uppercase();
        if s.chars().any(char::is_whitespace) || s.len() > 40 {
            return Err(self.fail("symbol", format!("expected a symbol, found {s:?}")));
        }
        Ok(s)
    }

    fn text(&self, field: &str) -> Option<String> {
        self.cell(field).map(cell_text).filter(|s| !s.is_empty())
    }

    fn number(&self, field: &str) -> Result<Option<f64>, SkippedRow> {
        match self.cell(field) {
            None => Ok(None),
            Some(d) => cell_number(d)
                .map_err(|found| self.fail(field, format!("expected a number, found {found}"))),
        }
    }

    fn optional_price(&self, field: &str) -> Result<Option<f64>, SkippedRow> {
        match self.number(field)? {
            Some(v) if v < 0.0 => {
                Err(self.fail(field, format!("expected a price of 0 or more, found {v}")))
            }
            v => Ok(v),
        }
    }

    fn price(&self, field: &str) -> Result<f64, SkippedRow> {
        match self.optional_price(field)? {
            Some(v) if v > 0.0 => Ok(v),
            Some(v) => Err(self.fail(field, format!("expected a price above 0, found {v}"))),
            None => Err(self.fail(field, "expected a price, found an empty cell".into())),
        }
    }

    /// A whole, non-negative count (volume, open interest).
    fn count(&self, field: &str) -> Result<Option<i64>, SkippedRow> {
        match self.number(field)? {
            None => Ok(None),
            Some(v) if v >= 0.0 && (v - v.round()).abs() < 1e-6 && v < 9e15 => {
                Ok(Some(v.round() as i64))
            }
            Some(v) => Err(self.fail(
                field,
                format!("expected a whole number of 0 or more, found {v}"),
            )),
        }
    }

    fn date(&self, field: &str) -> Result<NaiveDate, SkippedRow> {
        let d = self.cell(field).unwrap_or(&Data::Empty);
        cell_date(d).ok_or_else(|| {
            self.fail(
                field,
                format!(
                    "expected a date (an Excel date, 2026-11-23 or 23-11-2026), found {}",
                    describe(d)
                ),
            )
        })
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column index.
fn column_letter(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text: trimmed strings, numbers without a trailing `.0`, dates as ISO.
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            match dt.as_datetime() {
                // A time with no date (a "Last Trade Time" cell) has a serial below 1.
                Some(t) if serial < 1.0 => t.format("%H:%M:%S").to_string(),
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => serial.to_string(),
            }
        }
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// What a bad cell held, for messages.
fn describe(d: &Data) -> String {
    match d {
        Data::Empty => "an empty cell".into(),
        Data::Error(e) => format!("the cell error {e}"),
        Data::DateTime(_) => format!("the date {}", cell_text(d)),
        other => format!("{:?}", cell_text(other)),
    }
}

/// A number, `None` for an empty cell or a dash. Text numbers may have thousands
/// separators ("1,23,450" in Indian grouping). Err carries a description of the cell.
fn cell_number(d: &Data) -> Result<Option<f64>, String> {
    let v = match d {
        Data::Empty => return Ok(None),
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() || t == "-" || t == "--" {
                return Ok(None);
            }
            let cleaned: String = t.chars().filter(|c| *c != ',').collect();
            cleaned.parse::<f64>().map_err(|_| describe(d))?
        }
        other => return Err(describe(other)),
    };
    if v.is_finite() {
        Ok(Some(v))
    } else {
        Err(describe(d))
    }
}

/// A date from an Excel date cell, an Excel serial number, or text.
fn cell_date(d: &Data) -> Option<NaiveDate> {
    match d {
        Data::DateTime(dt) => dt.as_datetime().map(|t| t.date()),
        // A date column formatted as "General" shows serial numbers (45984 = 2025-11-23).
        Data::Int(_) | Data::Float(_) => {
            let serial = cell_number(d).ok().flatten()?;
            if !(20_000.0..=80_000.0).contains(&serial) {
                return None;
            }
            NaiveDate::from_ymd_opt(1899, 12, 30)?
                .checked_add_days(chrono::Days::new(serial as u64))
        }
        Data::String(s) | Data::DateTimeIso(s) => parse_date_text(s),
        _ => None,
    }
}

/// Parses `2026-11-23`, `2026-11-23T00:00:00`, `2026-11-23 09:15:00`, `23-11-2026`,
/// `23/11/2026`, `23.11.2026` or `23-Nov-2026` (day first: the Indian convention).
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.split(['T', ' ']).next().unwrap_or(s);
    for fmt in [
        "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%Y/%m/%d",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(head, fmt) {
            return Some(d);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d %b %Y") {
        return Some(d);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.date())
}

/// An unusable workbook is bad input: exit 2.
impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        crate::Error::area(crate::error::Kind::BadInput, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xlsx() -> Vec<u8> {
        let mut b = rust_xlsxwriter::Workbook::new();
        let ws = b.add_worksheet();
        ws.write(0, 0, "Symbol").unwrap();
        ws.write(0, 1, "LTP").unwrap();
        ws.write(0, 2, "OI").unwrap();
        for r in 1..50u32 {
            ws.write(r, 0, format!("S{r}")).unwrap();
            ws.write(r, 1, 100.0 + f64::from(r)).unwrap();
            ws.write(r, 2, 1000.0 * f64::from(r)).unwrap();
        }
        b.save_to_buffer().unwrap()
    }

    fn loaded(bytes: Vec<u8>) -> Loaded {
        Loaded {
            fingerprint: Fingerprint {
                path: "/x/Live.xlsx".into(),
                size: bytes.len() as u64,
                mtime_ns: 0,
                hash: String::new(),
            },
            bytes,
        }
    }

    /// The same zip with one part replaced (stored, so its bytes are easy to find).
    fn rezip(bytes: &[u8], change: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            out.start_file(name.as_str(), opts).unwrap();
            out.write_all(&change(&name, data)).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    const SHEET: &str = "xl/worksheets/sheet1.xml";

    #[test]
    fn a_whole_workbook_verifies_and_reads() {
        let l = loaded(xlsx());
        verify(&l).unwrap();
        let sheet = read_live(&l, None, &BTreeMap::new(), &[]).unwrap();
        assert_eq!(sheet.rows.len(), 49);
        // Stored rather than deflated, it is just as whole.
        verify(&loaded(rezip(&xlsx(), |_, d| d))).unwrap();
    }

    fn busy_reason(l: &Loaded) -> String {
        match read_live(l, None, &BTreeMap::new(), &[]) {
            Err(Error::Busy { reason, .. }) => reason,
            other => panic!("expected Busy, got {other:?}"),
        }
    }

    /// A torn save, three ways: the zip cut short, one part's bytes changed (the
    /// directory reads, the CRC does not check), and a sheet's XML cut inside a zip that
    /// is otherwise whole. Each is "being saved", never a shorter sheet.
    #[test]
    fn a_torn_workbook_is_busy_never_a_shorter_sheet() {
        let good = xlsx();
        let cut = loaded(good[..good.len() * 2 / 3].to_vec());
        assert!(busy_reason(&cut).contains("zip directory does not check"));

        let stored = rezip(&good, |_, d| d);
        let mut flipped = stored.clone();
        // A digit of the last value: the XML stays well formed, the number changes.
        let at = stored
            .windows(3)
            .rposition(|w| w == b"<v>")
            .expect("a value in the sheet");
        flipped[at + 3] ^= 0x01;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(flipped.clone())).unwrap();
        // calamine alone stops reading before the part's end, where the CRC is checked,
        // and returns the changed number (49000 read as 59000).
        let r = book.worksheet_range("Sheet1").unwrap();
        assert_eq!(r.get_value((49, 2)), Some(&Data::Float(59000.0)));
        let reason = busy_reason(&loaded(flipped));
        assert!(
            reason.contains(&format!("part {SHEET} does not check")),
            "{reason}"
        );

        // Cut right after a row: the XML so far is well formed.
        let half_sheet = rezip(&good, |name, d| {
            if name != SHEET {
                return d;
            }
            let end = d[..d.len() / 2]
                .windows(6)
                .rposition(|w| w == b"</row>")
                .unwrap();
            d[..end + 6].to_vec()
        });
        let reason = busy_reason(&loaded(half_sheet));
        assert!(
            reason.contains(&format!("part {SHEET} is cut short")),
            "{reason}"
        );
    }

    #[test]
    fn xml_is_whole_only_with_its_root_closed() {
        for whole in [
            &b"<?xml version=\"1.0\"?>\n<worksheet a=\"1\"><x/></worksheet>\r\n"[..],
            b"\xEF\xBB\xBF<!-- c --><!DOCTYPE x><a:root xmlns:a=\"u\">t</a:root>",
            b"<?xml version=\"1.0\"?><calcChain xmlns=\"u\"/>",
        ] {
            assert!(xml_is_whole(whole), "{}", String::from_utf8_lossy(whole));
        }
        for cut in [
            &b""[..],
            b"<?xml version=\"1.0\"?>",
            b"<worksheet><sheetData><row r=\"1\">",
            b"<worksheet><x/>",
            b"<worksheet></worksheet",
            b"<?xml version=",
        ] {
            assert!(!xml_is_whole(cut), "{}", String::from_utf8_lossy(cut));
        }
    }

    #[test]
    fn typos_are_near_and_other_headers_are_not() {
        assert_eq!(edit_distance("bidprce", "bidprice"), 1);
        assert_eq!(edit_distance("volumetradedtodya", "volumetradedtoday"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(is_typo_of("bidprce", "bidprice"), Some(1));
        assert_eq!(is_typo_of("askprcie", "askprice"), Some(1));
        // Short names need an exact match: LTQ (last traded quantity) is not LTP.
        assert_eq!(is_typo_of("ltq", "ltp"), None);
        assert_eq!(is_typo_of("lotsize", "low"), None);
        assert_eq!(is_typo_of("bid", "bid"), None);
    }

    #[test]
    fn headers_normalize() {
        assert_eq!(normalize_header(" Last Traded Price "), "lasttradedprice");
        assert_eq!(normalize_header("Prev. Close"), "prevclose");
        assert_eq!(normalize_header("OPEN_INTEREST"), "openinterest");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn dates_in_every_spelling() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for s in [
            "2026-11-23",
            "23-11-2026",
            "23/11/2026",
            "23-Nov-2026",
            "2026-11-23T00:00:00",
            "2026-11-23 09:15:00",
            "23 Nov 2026",
        ] {
            assert_eq!(parse_date_text(s), Some(d), "{s}");
        }
        assert_eq!(parse_date_text("yesterday"), None);
        assert_eq!(parse_date_text("31-02-2026"), None);
        assert_eq!(cell_date(&Data::Float(46349.0)), Some(d));
        assert_eq!(cell_date(&Data::Float(3.5)), None);
    }

    #[test]
    fn numbers_with_separators_and_dashes() {
        assert_eq!(
            cell_number(&Data::String("1,23,450.5".into())),
            Ok(Some(123450.5))
        );
        assert_eq!(cell_number(&Data::String(" - ".into())), Ok(None));
        assert_eq!(cell_number(&Data::Int(7)), Ok(Some(7.0)));
        assert_eq!(
            cell_number(&Data::String("abc".into())),
            Err("\"abc\"".into())
        );
        assert!(cell_number(&Data::Bool(true)).is_err());
        assert!(cell_number(&Data::Float(f64::NAN)).is_err());
    }
}
