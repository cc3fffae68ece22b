//! `Symbol`: the one ticker grammar every edge parses (flags, watchlists, config,
//! serve's paths, provider answers).
//!
//! The rules, applied in this order:
//!
//! 1. Surrounding whitespace is trimmed; ASCII letters are upper-cased (`brk-b` reads as
//!    `BRK-B`).
//! 2. A leading `^` (Yahoo's index spelling) names an index: `^SPX` → `SPX`. Yahoo's own
//!    names of the Indian indices read as optctl's roots: `^NSEI` → `NIFTY`,
//!    `^NSEBANK` → `BANKNIFTY`, `^BSESN` → `SENSEX`, and `^GSPC` → `SPX`. A `^` before
//!    anything that is not an index root is refused rather than silently read as a stock.
//! 3. The rest is letters and digits (a digit may come first: `3MINDIA`) joined by single
//!    separators `.`, `-`, `/` or `&`: `BRK.B`, `BAJAJ-AUTO`, `M&M`, `L&TFH`. A symbol
//!    neither starts nor ends with a separator and never has two in a row (`..`).
//! 4. Share classes: a `-` or `/` followed by ONE final letter after a root of at most four
//!    letters is a US class suffix and is written `.`: `BRK-B` and `BRK/B` → `BRK.B`. After a
//!    longer root the hyphen is kept, because US roots with a class never exceed four
//!    letters while NSE spells names like `MCDOWELL-N` with one. Any other `/` is refused.
//! 5. At most 16 characters once normalised.
//!
//! Anything else (`;`, quotes, spaces inside, `_`, `=`, non-ASCII, empty) is refused with a
//! message naming the symbol and the rule.

use std::fmt;
use std::str::FromStr;

use super::contract::Listing;

/// The longest symbol accepted, in characters after normalisation.
pub const MAX_LEN: usize = 16;

/// Index roots: US cash-settled indices optctl prices and the NSE/BSE indices.
const INDEX_ROOTS: &[&str] = &[
    "SPX",
    "SPXW",
    "XSP",
    "NDX",
    "NDXP",
    "XND",
    "RUT",
    "MRUT",
    "VIX",
    "DJX",
    "OEX",
    "XEO",
    "NIFTY",
    "BANKNIFTY",
    "FINNIFTY",
    "MIDCPNIFTY",
    "NIFTYNXT50",
    "SENSEX",
    "BANKEX",
];

/// Yahoo's caret names that differ from optctl's root: (Yahoo without `^`, root).
const YAHOO_INDEX_NAMES: &[(&str, &str)] = &[
    ("NSEI", "NIFTY"),
    ("NSEBANK", "BANKNIFTY"),
    ("BSESN", "SENSEX"),
];

/// Caret names read as a root but never written: Yahoo also answers `^SPX`.
const READ_ONLY_INDEX_NAMES: &[(&str, &str)] = &[("GSPC", "SPX")];

/// The rule in one line, for error messages.
const RULE: &str =
    "letters and digits joined by single . - / &, at most 16, an optional leading ^ on an index";

/// An underlying's ticker in optctl's one spelling: upper case, class suffix after `.`,
/// index roots without `^`. See the module docs for the grammar.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(String);

/// Why a text is not a [`Symbol`]; its message names the text and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolError {
    raw: String,
    why: String,
}

impl fmt::Display for SymbolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a symbol: {}", self.raw, self.why)
    }
}

impl std::error::Error for SymbolError {}

impl Symbol {
    /// Parses `raw` under the grammar, normalising it.
    pub fn parse(raw: &str) -> Result<Symbol, SymbolError> {
        let bad = |why: String| SymbolError {
            raw: raw.to_string(),
            why,
        };
        let t = raw.trim();
        if t.is_empty() {
            return Err(bad("it is empty".into()));
        }
        if let Some(c) = t.chars().find(|c| !c.is_ascii() || c.is_ascii_whitespace()) {
            return Err(bad(format!("{c:?} is not allowed ({RULE})")));
        }
        let upper = t.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix('^') {
            let root = YAHOO_INDEX_NAMES
                .iter()
                .chain(READ_ONLY_INDEX_NAMES)
                .find(|(y, _)| *y == rest)
                .map(|(_, r)| *r)
                .unwrap_or(rest);
            if !INDEX_ROOTS.contains(&root) {
                return Err(bad(format!(
                    "a leading ^ marks an index, and the index roots are {}",
                    INDEX_ROOTS.join(", ")
                )));
            }
            return Ok(Symbol(root.to_string()));
        }
        let b = upper.as_bytes();
        let sep = |c: u8| matches!(c, b'.' | b'-' | b'/' | b'&');
        for (i, &c) in b.iter().enumerate() {
            if c.is_ascii_alphanumeric() {
                continue;
            }
            if !sep(c) {
                return Err(bad(format!("{:?} is not allowed ({RULE})", c as char)));
            }
            if i == 0 || i == b.len() - 1 {
                return Err(bad(format!(
                    "it starts or ends with {:?} ({RULE})",
                    c as char
                )));
            }
            if sep(b[i + 1]) {
                return Err(bad(format!(
                    "two separators in a row, {:?} ({RULE})",
                    &upper[i..i + 2]
                )));
            }
        }
        let mut out = upper.clone();
        // A class suffix: `-X` or `/X` at the end, after a root of at most four letters.
        let n = b.len();
        let class = n >= 3
            && matches!(b[n - 2], b'-' | b'/')
            && b[n - 1].is_ascii_alphabetic()
            && n - 2 <= 4
            && b[..n - 2].iter().all(u8::is_ascii_alphabetic);
        if class {
            out.replace_range(n - 2..n - 1, ".");
        }
        if out.contains('/') {
            return Err(bad(
                "a / only separates a one-letter share class (BRK/B)".into()
            ));
        }
        if out.len() > MAX_LEN {
            return Err(bad(format!("it is longer than {MAX_LEN} characters")));
        }
        Ok(Symbol(out))
    }

    /// The normalised text, e.g. `BRK.B`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an index root (`SPX`, `NDX`, `RUT`, `VIX`, `NIFTY`, `BANKNIFTY`, ...).
    pub fn is_index(&self) -> bool {
        INDEX_ROOTS.contains(&self.0.as_str())
    }

    /// The listing the symbol names by itself: the Indian index roots are NSE's (`SENSEX`
    /// and `BANKEX` BSE's), the US index roots US; a stock names none (`INFY` is listed
    /// in New York and in Mumbai), so the caller's market decides.
    pub fn home_listing(&self) -> Option<Listing> {
        match self.0.as_str() {
            "SENSEX" | "BANKEX" => Some(Listing::Bse),
            "NIFTY" | "BANKNIFTY" | "FINNIFTY" | "MIDCPNIFTY" | "NIFTYNXT50" => Some(Listing::Nse),
            _ if self.is_index() => Some(Listing::Us),
            _ => None,
        }
    }

    /// Yahoo's ticker of the symbol listed on `listing`: an index by its caret name
    /// ([`Symbol::yahoo`]: `^NSEI` for NIFTY, `^NSEBANK` for BANKNIFTY), an NSE stock
    /// with `.NS` (`RELIANCE.NS`, `M&M.NS`), a BSE stock with `.BO`, a US one as
    /// [`Symbol::yahoo`] spells it (`BRK-B`). A symbol already written with Yahoo's
    /// `.NS` or `.BO` keeps it.
    pub fn yahoo_on(&self, listing: Listing) -> String {
        let suffixed = self.0.ends_with(".NS") || self.0.ends_with(".BO");
        if self.is_index() || suffixed {
            return self.yahoo();
        }
        match listing {
            Listing::Us => self.yahoo(),
            Listing::Nse => format!("{}.NS", self.0),
            Listing::Bse => format!("{}.BO", self.0),
        }
    }

    /// The one-letter US share class after the `.`, if any: `B` for `BRK.B`.
    pub fn class_suffix(&self) -> Option<char> {
        let b = self.0.as_bytes();
        let n = b.len();
        (n >= 3 && b[n - 2] == b'.' && b[n - 1].is_ascii_alphabetic()).then(|| b[n - 1] as char)
    }

    /// Yahoo's spelling: `^` before an index (`^SPX`, `^NSEI` for NIFTY), `-` before a
    /// share class (`BRK-B`).
    pub fn yahoo(&self) -> String {
        if self.is_index() {
            let name = YAHOO_INDEX_NAMES
                .iter()
                .find(|(_, r)| *r == self.0)
                .map(|(y, _)| *y)
                .unwrap_or(&self.0);
            return format!("^{name}");
        }
        match self.class_suffix() {
            Some(c) => format!("{}-{c}", &self.0[..self.0.len() - 2]),
            None => self.0.clone(),
        }
    }

    /// Parses a list separated by commas (as `--tickers a,b`), refusing the first bad one.
    pub fn parse_list(raw: &str) -> Result<Vec<Symbol>, SymbolError> {
        raw.split(',').map(Symbol::parse).collect()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Symbol {
    type Err = SymbolError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Symbol::parse(s)
    }
}

impl TryFrom<String> for Symbol {
    type Error = SymbolError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Symbol::parse(&s)
    }
}

impl TryFrom<&str> for Symbol {
    type Error = SymbolError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Symbol::parse(s)
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.0
    }
}

impl AsRef<str> for Symbol {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Symbol {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Symbol {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        Symbol::parse(raw)
            .unwrap_or_else(|e| panic!("{raw:?}: {e}"))
            .to_string()
    }

    #[test]
    fn normalises_case_whitespace_classes_and_carets() {
        for (raw, want) in [
            ("aapl", "AAPL"),
            ("  msft\t", "MSFT"),
            ("BRK.B", "BRK.B"),
            ("BRK-B", "BRK.B"),
            ("brk-b", "BRK.B"),
            ("BRK/B", "BRK.B"),
            ("bf/a", "BF.A"),
            ("^SPX", "SPX"),
            ("^vix", "VIX"),
            ("^NSEI", "NIFTY"),
            ("^NSEBANK", "BANKNIFTY"),
            ("^GSPC", "SPX"),
            ("SPX", "SPX"),
            ("nifty", "NIFTY"),
            ("M&M", "M&M"),
            ("m&mfin", "M&MFIN"),
            ("L&TFH", "L&TFH"),
            ("BAJAJ-AUTO", "BAJAJ-AUTO"),
            ("MCDOWELL-N", "MCDOWELL-N"),
            ("3MINDIA", "3MINDIA"),
            ("RELIANCE.NS", "RELIANCE.NS"),
            ("NIFTYNXT50", "NIFTYNXT50"),
            ("A", "A"),
            ("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP"),
        ] {
            assert_eq!(ok(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn refuses_with_the_symbol_and_the_rule() {
        for raw in [
            "",
            "   ",
            "bad;sym",
            "A B",
            "\"AAPL\"",
            "'AAPL'",
            "BRK..B",
            "A--B",
            ".A",
            "A.",
            "-A",
            "A&",
            "^FTSE",
            "^",
            "ES=F",
            "_SPX",
            "AB/CD",
            "ÄPL",
            "ABCDEFGHIJKLMNOPQ",
            "A/B/C",
            "../etc",
            "%00",
        ] {
            let e = Symbol::parse(raw).expect_err(raw).to_string();
            assert!(e.contains(&format!("{raw:?}")), "{e}");
            assert!(e.contains("is not a symbol"), "{e}");
        }
        let e = Symbol::parse("bad;sym").unwrap_err().to_string();
        assert!(e.contains("letters and digits"), "{e}");
    }

    #[test]
    fn indices_classes_and_yahoo_spelling() {
        let s = |t: &str| Symbol::parse(t).unwrap();
        assert!(s("SPX").is_index() && s("^RUT").is_index() && s("banknifty").is_index());
        assert!(!s("AAPL").is_index() && !s("SPY").is_index());
        assert_eq!(s("BRK-B").class_suffix(), Some('B'));
        assert_eq!(s("RELIANCE.NS").class_suffix(), None);
        assert_eq!(s("BRK.B").yahoo(), "BRK-B");
        assert_eq!(s("SPX").yahoo(), "^SPX");
        assert_eq!(s("NIFTY").yahoo(), "^NSEI");
        assert_eq!(s("M&M").yahoo(), "M&M");
        assert_eq!(
            Symbol::parse_list("aapl,brk-b").unwrap(),
            [s("AAPL"), s("BRK.B")]
        );
    }

    #[test]
    fn yahoo_tickers_follow_the_listing() {
        let s = |t: &str| Symbol::parse(t).unwrap();
        assert_eq!(s("RELIANCE").yahoo_on(Listing::Nse), "RELIANCE.NS");
        assert_eq!(s("M&M").yahoo_on(Listing::Nse), "M&M.NS");
        assert_eq!(s("BAJAJ-AUTO").yahoo_on(Listing::Nse), "BAJAJ-AUTO.NS");
        assert_eq!(s("TATAMOTORS").yahoo_on(Listing::Bse), "TATAMOTORS.BO");
        assert_eq!(s("INFY").yahoo_on(Listing::Us), "INFY");
        assert_eq!(s("BRK-B").yahoo_on(Listing::Us), "BRK-B");
        // Indices keep their caret names whatever the caller's market.
        assert_eq!(s("NIFTY").yahoo_on(Listing::Us), "^NSEI");
        assert_eq!(s("BANKNIFTY").yahoo_on(Listing::Nse), "^NSEBANK");
        assert_eq!(s("SENSEX").yahoo_on(Listing::Nse), "^BSESN");
        // Already Yahoo's spelling: kept.
        assert_eq!(s("RELIANCE.NS").yahoo_on(Listing::Nse), "RELIANCE.NS");
        assert_eq!(s("RELIANCE.NS").yahoo_on(Listing::Bse), "RELIANCE.NS");
        assert_eq!(s("NIFTY").home_listing(), Some(Listing::Nse));
        assert_eq!(s("SENSEX").home_listing(), Some(Listing::Bse));
        assert_eq!(s("SPX").home_listing(), Some(Listing::Us));
        assert_eq!(s("INFY").home_listing(), None);
    }

    #[test]
    fn serde_is_a_checked_string() {
        let s: Symbol = serde_json::from_str("\"brk/b\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"BRK.B\"");
        let e = serde_json::from_str::<Symbol>("\"a;b\"").unwrap_err();
        assert!(e.to_string().contains("\"a;b\" is not a symbol"), "{e}");
        let mut v = [s.clone(), Symbol::parse("AAPL").unwrap()];
        v.sort();
        assert_eq!(v[0], "AAPL");
    }
}
