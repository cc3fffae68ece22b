//! Time arguments: `--as-of` instants and `--since` values (`24h`, `7d`, `30m` or RFC 3339).

use chrono::{DateTime, Duration, Utc};

/// Parses an RFC 3339 instant (`2026-11-23T15:30:00Z`, `2026-11-23T10:30:00-05:00`), or a
/// plain date (`2026-11-23`), which means 16:00 New York that day: the US close, so a scan
/// `--as-of` a date sees that day's closing chain and the whole session's volume.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(us_close(date));
    }
    DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "{s:?} is not an RFC 3339 time like 2026-11-23T15:30:00Z or a date like \
                 2026-11-23 ({e})"
            )
        })
}

/// 16:00 America/New_York on `date`, in UTC (daylight saving applied).
fn us_close(date: chrono::NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = date.and_hms_opt(16, 0, 0).expect("16:00 exists");
    chrono_tz::America::New_York
        .from_local_datetime(&local)
        .earliest()
        .expect("16:00 New York is never skipped")
        .with_timezone(&Utc)
}

/// The longest span accepted: 100 years of weeks. Longer ones would take `--since` before
/// any data there could be, or past the range of dates.
const MAX_SPAN_SECS: i64 = 5200 * 604_800;

/// Parses a span: a whole number followed by `s`, `m`, `h`, `d` or `w` (`90m`, `24h`, `7d`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let unit_at = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?} needs a unit: s, m, h, d or w (e.g. 24h)"))?;
    let (n, unit) = s.split_at(unit_at);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a span like 24h, 7d or 30m"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "{s:?}: unknown unit {unit:?}, expected s, m, h, d or w"
            ));
        }
    };
    n.checked_mul(secs)
        .filter(|&total| total <= MAX_SPAN_SECS)
        .and_then(Duration::try_seconds)
        .ok_or_else(|| format!("{s:?} is too long: at most 100 years (5200w)"))
}

/// A `--since` value: a span back from "now" or a fixed instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Since {
    Ago(Duration),
    At(DateTime<Utc>),
}

impl Since {
    /// Parses `24h`, `7d`, `30m` or an RFC 3339 instant (usable as a clap value parser).
    pub fn parse(s: &str) -> Result<Since, String> {
        if s.contains('T') || s.contains(':') {
            parse_instant(s).map(Since::At)
        } else {
            parse_duration(s).map(Since::Ago)
        }
    }

    /// The instant it names, counting spans back from `now` (the run's `--as-of`).
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Since::Ago(d) => now
                .checked_sub_signed(d)
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            Since::At(t) => t,
        }
    }
}

/// Parses `--since` against `now`: a span back from it (`24h`) or an RFC 3339 instant.
pub fn parse_since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    Since::parse(s).map(|since| since.resolve(now))
}

/// How many of the newest scans per ticker, excel runs and archives per export file
/// retention always keeps, however old.
pub const KEEP_LAST: u32 = 3;

/// Where retention cuts: data dated before the returned instant may be deleted.
///
/// Retention counts back `keep` from the earlier of the run's time (`as_of`, `--as-of`
/// or the clock) and the newest data already stored before this run (`newest`). So a
/// run dated in the future, or a clock set ahead, ages out nothing that the newest
/// stored data would not, and nothing dated after `as_of` is ever before the cutoff.
pub fn retention_cutoff(
    as_of: DateTime<Utc>,
    newest: Option<DateTime<Utc>>,
    keep: Duration,
) -> DateTime<Utc> {
    let reference = newest.map_or(as_of, |n| n.min(as_of));
    reference
        .checked_sub_signed(keep)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_and_instants() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_duration("7d").unwrap(), Duration::days(7));
        assert!(parse_duration("24").unwrap_err().contains("needs a unit"));
        assert!(parse_duration("3y").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("99999999999999999w").is_err());
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        assert_eq!(parse_since("2h", now).unwrap(), now - Duration::hours(2));
        assert_eq!(
            parse_since("2026-11-23T10:00:00-05:00", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap()
        );
        assert!(parse_instant("yesterday").unwrap_err().contains("RFC 3339"));
        // A date alone is the US close: 16:00 New York, EST in December, EDT in June.
        assert_eq!(
            parse_instant("2026-12-01").unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 1, 21, 0, 0).unwrap()
        );
        assert_eq!(
            parse_instant("2026-06-01").unwrap(),
            Utc.with_ymd_and_hms(2026, 6, 1, 20, 0, 0).unwrap()
        );
    }
}

/// A span written as people write it (`24h`, `90m`, `7d`), parsed once when the config
/// is read: it keeps its text for `config show` and its length for the code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span {
    text: String,
    length: Duration,
}

impl Span {
    /// The span's length.
    pub fn length(&self) -> Duration {
        self.length
    }
}

impl std::str::FromStr for Span {
    type Err = String;

    fn from_str(s: &str) -> Result<Span, String> {
        Ok(Span {
            length: parse_duration(s)?,
            text: s.trim().to_string(),
        })
    }
}

impl TryFrom<String> for Span {
    type Error = String;

    fn try_from(s: String) -> Result<Span, String> {
        s.parse()
    }
}

impl From<Span> for String {
    fn from(s: Span) -> String {
        s.text
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
