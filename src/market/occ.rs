//! OCC/OSI option symbols: `ROOT + YYMMDD + C|P + strike x 1000 (8 digits)`.
//!
//! Parsed from the right, because roots can contain digits after corporate actions
//! (`AAPL1`), can be left-padded to six characters (Schwab) or prefixed with `O:` (Polygon).

use chrono::NaiveDate;

use super::Right;

/// A parsed OCC symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct OccSymbol {
    pub root: String,
    pub expiry: NaiveDate,
    pub right: Right,
    /// Strike in currency units (the symbol carries it x 1000).
    pub strike: f64,
}

/// Why a string is not an OCC symbol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid OCC symbol {symbol:?}: {reason}")]
pub struct OccError {
    pub symbol: String,
    pub reason: &'static str,
}

impl OccSymbol {
    /// Parses `AAPL260116C00200000`, `O:AAPL260116C00200000` or `AAPL  260116C00200000`.
    pub fn parse(input: &str) -> Result<Self, OccError> {
        let err = |reason| OccError {
            symbol: input.to_string(),
            reason,
        };
        let s = input.trim();
        let s = s.strip_prefix("O:").unwrap_or(s);
        if !s.is_ascii() {
            return Err(err("not ASCII"));
        }
        if s.len() < 16 {
            return Err(err(
                "too short: expected ROOT + YYMMDD + C/P + 8-digit strike",
            ));
        }
        let (root, tail) = s.split_at(s.len() - 15);
        let root = root.trim_end();
        if root.is_empty() || !root.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(err("root must be letters and digits"));
        }
        let (date, rest) = tail.split_at(6);
        let (right, strike) = rest.split_at(1);
        if !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("expiry must be YYMMDD digits"));
        }
        let yy: i32 = date[0..2].parse().map_err(|_| err("bad year"))?;
        let mm: u32 = date[2..4].parse().map_err(|_| err("bad month"))?;
        let dd: u32 = date[4..6].parse().map_err(|_| err("bad day"))?;
        let expiry =
            NaiveDate::from_ymd_opt(2000 + yy, mm, dd).ok_or_else(|| err("no such date"))?;
        let right = match right {
            "C" | "c" => Right::Call,
            "P" | "p" => Right::Put,
            _ => return Err(err("right must be C or P")),
        };
        if !strike.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("strike must be 8 digits"));
        }
        let strike_milli: u64 = strike.parse().map_err(|_| err("bad strike"))?;
        Ok(OccSymbol {
            root: root.to_ascii_uppercase(),
            expiry,
            right,
            strike: strike_milli as f64 / 1000.0,
        })
    }

    /// Builds the unpadded symbol, rounding the strike to a tenth of a cent.
    pub fn format(root: &str, expiry: NaiveDate, right: Right, strike: f64) -> String {
        use chrono::Datelike;
        let milli = (strike * 1000.0).round() as u64;
        format!(
            "{root}{:02}{:02}{:02}{}{milli:08}",
            expiry.year() % 100,
            expiry.month(),
            expiry.day(),
            right.letter()
        )
    }
}

impl std::fmt::Display for OccSymbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Self::format(
            &self.root,
            self.expiry,
            self.right,
            self.strike,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_prefixed_padded_and_digit_roots() {
        let a = OccSymbol::parse("CLX260821P00090000").unwrap();
        assert_eq!(a.root, "CLX");
        assert_eq!(a.expiry, NaiveDate::from_ymd_opt(2026, 8, 21).unwrap());
        assert_eq!(a.right, Right::Put);
        assert_eq!(a.strike, 90.0);
        assert_eq!(
            OccSymbol::parse("O:AAPL230616C00150000").unwrap().root,
            "AAPL"
        );
        assert_eq!(
            OccSymbol::parse("AAPL  250620C00200000").unwrap().strike,
            200.0
        );
        let d = OccSymbol::parse("AAPL1260116C00152500").unwrap();
        assert_eq!(d.root, "AAPL1");
        assert_eq!(d.strike, 152.5);
        assert_eq!(
            OccSymbol::parse("SPXW261016P05800000").unwrap().root,
            "SPXW"
        );
    }

    #[test]
    fn round_trips() {
        let s = "SPXW261016P05800000";
        assert_eq!(OccSymbol::parse(s).unwrap().to_string(), s);
    }

    #[test]
    fn rejects_garbage_with_reason() {
        for bad in [
            "",
            "AAPL",
            "AAPL26011XC00200000",
            "AAPL261332C00200000",
            "AAPL260116X00200000",
            "260116C00200000",
        ] {
            let e = OccSymbol::parse(bad).unwrap_err();
            assert!(e.to_string().contains("invalid OCC symbol"), "{bad}: {e}");
        }
    }
}
