//! Wire-format helpers the HTTP sources share: JSON parsing that turns an HTML page or a
//! cut-off body into a clear [`Error::Malformed`], serde helpers for the sources' quirks
//! (one object where a list was expected, numbers sent as strings, float counts), epoch
//! timestamps in s / ms / ns, exchange-local times, and intraday session helpers.
//! Each source's own shapes are in its module (`provider::cboe`, ...).

use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::Error;
use super::http::head;
use crate::market::{Bar, Calendar, OccSymbol, OptionQuote, SourceGreeks};

/// Parses `body` as JSON of type `T`. An HTML page, an empty body or a body cut off
/// mid-document is [`Error::Malformed`] with the body's first bytes, never a serde trace.
pub fn parse_json<T: DeserializeOwned>(
    provider: &str,
    symbol: &str,
    what: &str,
    body: &[u8],
) -> Result<T, Error> {
    let malformed = |detail: String| Error::Malformed {
        provider: provider.to_string(),
        symbol: symbol.to_string(),
        detail,
    };
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err(malformed(format!("the {what} response is empty")));
    }
    if trimmed.starts_with(b"<") {
        return Err(malformed(format!(
            "expected JSON for {what}, got an HTML page starting {}",
            head(body)
        )));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            malformed(format!(
                "the {what} JSON is truncated ({} bytes, cut off at line {} column {}); it starts {}",
                body.len(),
                e.line(),
                e.column(),
                head(body)
            ))
        } else {
            malformed(format!(
                "unexpected {what} JSON: {e}; it starts {}",
                head(body)
            ))
        }
    })
}

/// A value parsed from a source, with the records that were skipped and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    pub skipped: Skipped,
}

/// Records skipped while parsing: how many, and the first reason (for the log line).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Skipped {
    pub count: u64,
    pub first: Option<String>,
}

impl Skipped {
    pub fn add(&mut self, reason: impl FnOnce() -> String) {
        if self.first.is_none() {
            self.first = Some(reason());
        }
        self.count += 1;
    }

    pub fn merge(&mut self, other: Skipped) {
        if self.first.is_none() {
            self.first = other.first;
        }
        self.count += other.count;
    }

    /// Logs one warning when anything was skipped.
    pub fn warn(&self, provider: &str, symbol: &str, what: &str) {
        if self.count > 0 {
            tracing::warn!(
                "{provider}: {symbol}: skipped {} {what} (first: {})",
                self.count,
                self.first.as_deref().unwrap_or("-")
            );
        }
    }
}

/// `null`, one object, or a list of them, as a list (Tradier's XML-derived JSON sends a
/// single item as an object).
pub fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match Option::<OneOrMany<T>>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::Many(v)) => v,
        Some(OneOrMany::One(x)) => vec![x],
    })
}

/// A number sent as a number or as a string (`14000` or `"14000"`); `null`, absent or
/// unparseable text is `None`.
pub fn number_or_string<'de, D>(d: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(f64),
        Str(String),
    }
    Ok(match Option::<NumOrStr>::deserialize(d)? {
        Some(NumOrStr::Num(x)) => Some(x),
        Some(NumOrStr::Str(s)) => s.trim().replace(',', "").parse().ok(),
        None => None,
    })
}

/// A count sent as a float (`6.0`), possibly missing: rounded, negative or not finite = 0.
pub fn count(x: Option<f64>) -> u64 {
    match x {
        Some(v) if v.is_finite() && v > 0.0 => v.round() as u64,
        _ => 0,
    }
}

/// A price: missing, negative or not finite = 0.
pub fn price(x: Option<f64>) -> f64 {
    match x {
        Some(v) if v.is_finite() && v > 0.0 => v,
        _ => 0.0,
    }
}

/// A source's implied volatility as a fraction, or `None` when it was not computed: zero,
/// negative, not finite, or the placeholders some sources send (Yahoo's `1e-5`).
/// `percent` says the source sends 25.96 for 25.96%.
pub fn source_iv(x: Option<f64>, percent: bool) -> Option<f64> {
    let v = x.filter(|v| v.is_finite())?;
    let v = if percent { v / 100.0 } else { v };
    (v > 1e-4).then_some(v)
}

/// A source's own greek or theoretical value, `None` when missing or not finite. Zero is
/// kept (a deep option's gamma is 0), unlike an IV of 0, which means "not computed".
pub fn source_greek(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// Epoch seconds, milliseconds or nanoseconds to UTC; `None` for 0 (the sources' "none").
pub fn from_epoch(value: i64, unit: EpochUnit) -> Option<DateTime<Utc>> {
    if value == 0 {
        return None;
    }
    match unit {
        EpochUnit::Seconds => DateTime::from_timestamp(value, 0),
        EpochUnit::Millis => DateTime::from_timestamp_millis(value),
        EpochUnit::Nanos => Some(DateTime::from_timestamp_nanos(value)),
    }
}

/// The unit of an epoch timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochUnit {
    Seconds,
    Millis,
    Nanos,
}

/// An exchange-local wall time to UTC (the earlier instant when a DST change repeats it).
pub fn local_to_utc(t: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses `text` with `format` as a wall time in `tz`.
pub fn parse_local(text: &str, format: &str, tz: Tz) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), format)
        .ok()
        .and_then(|t| local_to_utc(t, tz))
}

/// Merges regular-session intraday bars (any length that divides an hour) into hourly
/// bars aligned to the session: 09:30, 10:30, ... 15:30 New York (the last one half an
/// hour long), as Yahoo's 60-minute bars are. Bars outside NYSE's session (its calendar:
/// holidays, 13:00 early closes) are dropped. Input must be sorted by time; output is too.
pub fn hourly_from_intraday(bars: &[Bar]) -> Vec<Bar> {
    let nyse = Calendar::nyse();
    let mut out: Vec<Bar> = Vec::new();
    for b in bars.iter().filter(|b| nyse.is_open(b.time)) {
        let open = nyse.open_on(nyse.local_date(b.time));
        let k = (b.time - open).num_minutes() / 60;
        let start = open + TimeDelta::hours(k);
        match out.last_mut() {
            Some(h) if h.time == start => {
                h.high = h.high.max(b.high);
                h.low = h.low.min(b.low);
                h.close = b.close;
                h.volume += b.volume;
            }
            _ => out.push(Bar { time: start, ..*b }),
        }
    }
    out
}

/// Keeps the bars that opened in `[from, to)`, sorted, one per open time.
pub fn clip_bars(mut bars: Vec<Bar>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Bar> {
    bars.retain(|b| b.time >= from && b.time < to);
    bars.sort_by_key(|b| b.time);
    bars.dedup_by_key(|b| b.time);
    bars
}

/// A bar from optional OHLC and volume values; `None` (skip and count) when a price is
/// missing, not finite or not positive, or high/low do not bracket open and close.
pub fn bar(
    time: DateTime<Utc>,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: Option<f64>,
    volume: Option<f64>,
) -> Result<Bar, &'static str> {
    let (Some(open), Some(high), Some(low), Some(close)) = (open, high, low, close) else {
        return Err("a price is null");
    };
    if ![open, high, low, close]
        .iter()
        .all(|p| p.is_finite() && *p > 0.0)
    {
        return Err("a price is not positive");
    }
    // Sources round each price separately; allow a hair of disagreement.
    let tol = 1e-6 * high.abs();
    if high + tol < open.max(close) || low - tol > open.min(close) || low > high {
        return Err("high/low do not bracket open/close");
    }
    Ok(Bar {
        time,
        open,
        high,
        low,
        close,
        volume: count(volume),
        open_interest: None,
    })
}

/// The OCC symbol of the row at `place`, or `None` with the row counted as skipped.
pub fn occ(
    symbol: Option<&str>,
    place: impl FnOnce() -> String,
    skipped: &mut Skipped,
) -> Option<OccSymbol> {
    match OccSymbol::parse(symbol.unwrap_or_default()) {
        Ok(o) => Some(o),
        Err(e) => {
            skipped.add(|| format!("{}: {e}", place()));
            None
        }
    }
}

/// One contract's fields as a source sends them (any may be missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawQuote {
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    pub last: Option<f64>,
    pub volume: Option<f64>,
    pub open_interest: Option<f64>,
    /// Already a fraction, `None` when not computed (see [`source_iv`]).
    pub source_iv: Option<f64>,
    /// The source's own greeks, through [`source_greek`].
    pub source_greeks: SourceGreeks,
    /// When the source last quoted the contract, if it says.
    pub quoted_at: Option<DateTime<Utc>>,
}

impl RawQuote {
    /// The quote of contract `occ`, prices through [`price`] and counts through [`count`].
    pub fn quote(self, occ: &OccSymbol) -> OptionQuote {
        OptionQuote {
            symbol: occ.to_string(),
            expiry: occ.expiry,
            strike: occ.strike,
            right: occ.right,
            bid: price(self.bid),
            ask: price(self.ask),
            last: price(self.last),
            volume: count(self.volume),
            open_interest: count(self.open_interest),
            source_iv: self.source_iv,
            source_greeks: self.source_greeks,
            quoted_at: self.quoted_at,
        }
    }
}

/// Sorts contracts the way the simulator does: expiry, strike, call before put.
pub fn sort_contracts(quotes: &mut [OptionQuote]) {
    quotes.sort_by(|a, b| {
        a.expiry
            .cmp(&b.expiry)
            .then(a.strike.total_cmp(&b.strike))
            .then(a.right.cmp(&b.right))
            .then(a.symbol.cmp(&b.symbol))
    });
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "one_or_many")]
        day: Vec<u32>,
        #[serde(default, deserialize_with = "number_or_string")]
        strike: Option<f64>,
    }

    #[test]
    fn one_object_null_or_a_list_is_a_list() {
        let h: Holder = serde_json::from_str(r#"{"day": 5}"#).unwrap();
        assert_eq!(h.day, [5]);
        let h: Holder = serde_json::from_str(r#"{"day": [5, 6]}"#).unwrap();
        assert_eq!(h.day, [5, 6]);
        let h: Holder = serde_json::from_str(r#"{"day": null}"#).unwrap();
        assert!(h.day.is_empty());
        let h: Holder = serde_json::from_str(r#"{}"#).unwrap();
        assert!(h.day.is_empty());
    }

    #[test]
    fn strikes_as_numbers_or_strings() {
        for (json, want) in [
            (r#"{"strike": 14000}"#, Some(14000.0)),
            (r#"{"strike": "14000"}"#, Some(14000.0)),
            (r#"{"strike": "1,412.50"}"#, Some(1412.5)),
            (r#"{"strike": "n/a"}"#, None),
            (r#"{"strike": null}"#, None),
        ] {
            let h: Holder = serde_json::from_str(json).unwrap();
            assert_eq!(h.strike, want, "{json}");
        }
    }

    #[test]
    fn html_truncated_and_empty_bodies_are_malformed_with_the_first_bytes() {
        let html = b"<!DOCTYPE html><html><body>Access Denied</body></html>";
        let e = parse_json::<Holder>("nse", "NIFTY", "option chain", html).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("malformed response from nse for NIFTY: expected JSON for option chain, got an HTML page"),
            "{msg}"
        );
        assert!(msg.contains("Access Denied"), "{msg}");
        assert!(!e.is_retryable());

        let cut = br#"{"day": [1, 2, 3"#;
        let msg = parse_json::<Holder>("cboe", "CLX", "chain", cut)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("truncated (16 bytes"), "{msg}");
        assert!(msg.contains(r#"{\"day\": [1, 2, 3"#), "{msg}");

        let msg = parse_json::<Holder>("cboe", "CLX", "chain", b"  \n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("empty"), "{msg}");

        let msg = parse_json::<Holder>("cboe", "CLX", "chain", br#"{"day": "x"}"#)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("unexpected chain JSON"), "{msg}");
        assert!(!msg.contains("backtrace"), "{msg}");
    }

    #[test]
    fn epochs_in_three_units_agree() {
        let t = DateTime::parse_from_rfc3339("2022-04-29T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(from_epoch(1651204800, EpochUnit::Seconds), Some(t));
        assert_eq!(from_epoch(1651204800000, EpochUnit::Millis), Some(t));
        assert_eq!(from_epoch(1651204800000000000, EpochUnit::Nanos), Some(t));
        assert_eq!(from_epoch(0, EpochUnit::Millis), None);
    }

    #[test]
    fn exchange_local_times_become_utc() {
        let ist = parse_local(
            "23-Nov-2026 15:30:00",
            "%d-%b-%Y %H:%M:%S",
            chrono_tz::Asia::Kolkata,
        )
        .unwrap();
        assert_eq!(ist.to_rfc3339(), "2026-11-23T10:00:00+00:00");
        let nyse = Calendar::nyse();
        let summer = nyse.open_on(NaiveDate::from_ymd_opt(2026, 7, 24).unwrap());
        assert_eq!(summer.to_rfc3339(), "2026-07-24T13:30:00+00:00");
        let winter = nyse.open_on(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(winter.to_rfc3339(), "2026-11-23T14:30:00+00:00");
    }

    #[test]
    fn counts_prices_and_ivs_are_normalised() {
        assert_eq!(count(Some(6.0)), 6);
        assert_eq!(count(Some(37.5)), 38);
        assert_eq!(count(Some(-1.0)), 0);
        assert_eq!(count(Some(f64::NAN)), 0);
        assert_eq!(count(None), 0);
        assert_eq!(price(Some(-0.5)), 0.0);
        assert_eq!(source_iv(Some(25.96), true), Some(0.2596));
        assert_eq!(source_iv(Some(0.3906), false), Some(0.3906));
        assert_eq!(source_iv(Some(0.0), false), None);
        assert_eq!(source_iv(Some(0.000010000000000000003), false), None);
        assert_eq!(source_iv(None, true), None);
    }

    fn b(t: &str, o: f64, h: f64, l: f64, c: f64, v: u64) -> Bar {
        Bar {
            time: DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc),
            open: o,
            high: h,
            low: l,
            close: c,
            volume: v,
            open_interest: None,
        }
    }

    #[test]
    fn intraday_bars_merge_into_session_aligned_hours() {
        let bars = [
            b("2026-11-23T14:15:00Z", 9.0, 9.0, 9.0, 9.0, 1), // 09:15 ET: pre-market
            b("2026-11-23T14:30:00Z", 10.0, 11.0, 9.5, 10.5, 100),
            b("2026-11-23T15:00:00Z", 10.5, 12.0, 10.0, 11.0, 200),
            b("2026-11-23T15:30:00Z", 11.0, 11.5, 10.8, 11.2, 50),
            b("2026-11-23T20:30:00Z", 11.2, 11.6, 11.0, 11.5, 10), // 15:30 ET
            b("2026-11-23T21:00:00Z", 1.0, 1.0, 1.0, 1.0, 1),      // 16:00 ET: after hours
        ];
        let h = hourly_from_intraday(&bars);
        assert_eq!(
            h,
            [
                b("2026-11-23T14:30:00Z", 10.0, 12.0, 9.5, 11.0, 300),
                b("2026-11-23T15:30:00Z", 11.0, 11.5, 10.8, 11.2, 50),
                b("2026-11-23T20:30:00Z", 11.2, 11.6, 11.0, 11.5, 10),
            ]
        );
    }

    #[test]
    fn bars_need_four_consistent_prices() {
        let t = Utc::now();
        assert!(bar(t, Some(1.0), Some(2.0), Some(0.5), Some(1.5), None).is_ok());
        assert_eq!(
            bar(t, None, Some(2.0), Some(0.5), Some(1.5), Some(3.0)).unwrap_err(),
            "a price is null"
        );
        assert!(bar(t, Some(1.0), Some(0.9), Some(0.5), Some(1.5), None).is_err());
        assert!(bar(t, Some(0.0), Some(2.0), Some(0.5), Some(1.5), None).is_err());
        assert_eq!(
            bar(
                t,
                Some(1.0),
                Some(2.0),
                Some(0.5),
                Some(1.5),
                Some(95595226.0)
            )
            .unwrap()
            .volume,
            95595226
        );
    }
}
