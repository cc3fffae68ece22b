//! `cboe`: CBOE's delayed-quotes CDN. One GET of
//! `{base_url}/api/global/delayed_quotes/options/{SYMBOL}.json` returns every expiration,
//! calls and puts, with greeks; no key; quotes are at least 15 minutes old (outside the
//! session: the last close's, see [`quotes_time`]).
//! Shapes and quirks (indices need an underscore: `_SPX.json`; counts
//! are floats; `iv` is a fraction and 0 when not computed; the top-level `timestamp` is UTC).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::http::{Client, RateSpec};
use super::wire::{self, Parsed, Skipped};
use super::{ChainProvider, Error, Hooks};
use crate::market::{ChainSnapshot, Exchange, SourceGreeks, Symbol};

pub const NAME: &str = "cboe";
/// No published limit; one request a second keeps a watchlist scan polite.
pub const DEFAULT_RATE: RateSpec = RateSpec::per_second(1);

/// Index symbols the CDN files under an underscore (`_SPX.json`).
const INDICES: &[&str] = &[
    "SPX", "SPXW", "XSP", "NDX", "NDXP", "XND", "RUT", "MRUT", "VIX", "DJX", "OEX", "XEO",
];

/// `[provider.cboe]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CboeConfig {
    /// Scheme, host and port; optctl appends `/api/global/delayed_quotes/options/...`.
    pub base_url: String,
    /// Risk-free rate optctl prices these chains with (fraction).
    pub risk_free_rate: f64,
}

impl Default for CboeConfig {
    fn default() -> Self {
        CboeConfig {
            base_url: "https://cdn.cboe.com".into(),
            risk_free_rate: 0.045,
        }
    }
}

/// The CBOE delayed-quotes source.
pub struct Cboe {
    client: Client,
    rate: f64,
}

impl Cboe {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`. Errors
    /// (exit 2) name a `base_url` that is not scheme, host and port.
    pub fn new(
        cfg: &CboeConfig,
        http: &super::http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let client = hooks.client(
            NAME,
            &cfg.base_url,
            DEFAULT_RATE,
            http,
            super::http::USER_AGENT,
        )?;
        Ok(Cboe {
            client,
            rate: cfg.risk_free_rate,
        })
    }
}

/// The CDN file name of `symbol`: `_SPX` for indices, the symbol itself otherwise.
pub fn file_symbol(symbol: &Symbol) -> String {
    let t = symbol.as_str();
    if INDICES.contains(&t) {
        format!("_{t}")
    } else {
        t.to_string()
    }
}

#[async_trait]
impl ChainProvider for Cboe {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, _as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let symbol = Error::symbol(NAME, ticker)?;
        let ticker = symbol.to_string();
        let file = format!("{}.json", file_symbol(&symbol));
        let url = self
            .client
            .url(&["api", "global", "delayed_quotes", "options", &file], &[]);
        let req = self
            .client
            .request("options", &ticker, url, HeaderMap::new());
        let resp = self.client.send(&req).await?;
        // No key is involved: the CDN answers 403 (S3's AccessDenied) for a file it does
        // not have, so 403 means "no such symbol" here, not an authentication failure.
        if resp.status == 403 {
            return Err(Error::unknown(NAME, &ticker));
        }
        self.client.check(&req, &resp, "the CDN needs no key")?;
        let parsed = parse_chain(&ticker, &resp.body, resp.received_at, self.rate)?;
        parsed.skipped.warn(NAME, &ticker, "contracts");
        Ok(parsed.value)
    }
}

#[derive(Deserialize)]
struct Payload {
    timestamp: Option<String>,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    options: Vec<Option<Row>>,
    current_price: Option<f64>,
    close: Option<f64>,
    prev_day_close: Option<f64>,
    /// 30-day implied volatility of the underlying, in percent (38.981).
    iv30: Option<f64>,
}

#[derive(Deserialize)]
struct Row {
    option: Option<String>,
    bid: Option<f64>,
    ask: Option<f64>,
    iv: Option<f64>,
    delta: Option<f64>,
    gamma: Option<f64>,
    theo: Option<f64>,
    open_interest: Option<f64>,
    volume: Option<f64>,
    last_trade_price: Option<f64>,
}

/// When the quotes of a file stamped `stamp` were made: `stamp` during a NYSE session;
/// outside one (evening, night, weekend, holiday) the close of the last session, when
/// the quotes stopped moving. The CDN keeps writing files after the close (a Friday
/// evening file is stamped `00:43` Saturday UTC) that hold the closing quotes; priced
/// from the stamp, every contract would lose those hours of time to expiry and read a
/// higher IV (about 0.15 vol points at 40% a month out).
pub fn quotes_time(stamp: DateTime<Utc>) -> DateTime<Utc> {
    let nyse = Exchange::Us.calendar();
    if nyse.is_open(stamp) {
        stamp
    } else {
        nyse.previous_close(stamp).unwrap_or(stamp)
    }
}

/// Parses one CDN payload into a snapshot of `ticker` priced at `rate`.
///
/// `as_of` is when the quotes were made ([`quotes_time`] of the payload's `timestamp`,
/// UTC, else of `received_at`): during the session the stamp, outside it the last
/// close. Spot is
/// `current_price`, else `close`, else `prev_day_close`. A row without a readable OCC
/// symbol is skipped and counted. CBOE's own figures are kept for comparison: `iv` (a
/// fraction; 0 = not computed, and then its `delta`, `gamma` and `theo` are dropped too),
/// and the underlying's `iv30` (in percent, stored as a fraction).
pub fn parse_chain(
    ticker: &str,
    body: &[u8],
    received_at: DateTime<Utc>,
    rate: f64,
) -> Result<Parsed<ChainSnapshot>, Error> {
    let payload: Payload = wire::parse_json(NAME, ticker, "option chain", body)?;
    let malformed = |detail: &str| Error::malformed(NAME, ticker, detail);
    let data = payload
        .data
        .ok_or_else(|| malformed("no \"data\" object in the option chain"))?;
    let spot = [data.current_price, data.close, data.prev_day_close]
        .into_iter()
        .flatten()
        .find(|p| p.is_finite() && *p > 0.0)
        .ok_or_else(|| malformed("no underlying price (current_price, close, prev_day_close)"))?;
    let as_of = payload
        .timestamp
        .as_deref()
        .and_then(|t| NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%d %H:%M:%S").ok())
        .map_or(received_at, |t| t.and_utc());
    let as_of = quotes_time(as_of);
    let mut skipped = Skipped::default();
    let mut contracts = Vec::with_capacity(data.options.len());
    for (i, row) in data.options.into_iter().enumerate() {
        let Some(row) = row else {
            skipped.add(|| format!("options[{i}] is null"));
            continue;
        };
        let Some(occ) = wire::occ(
            row.option.as_deref(),
            || format!("options[{i}]"),
            &mut skipped,
        ) else {
            continue;
        };
        let source_iv = wire::source_iv(row.iv, false);
        let source_greeks = if source_iv.is_some() {
            SourceGreeks {
                delta: wire::source_greek(row.delta),
                gamma: wire::source_greek(row.gamma),
                theo: wire::source_greek(row.theo),
            }
        } else {
            SourceGreeks::default()
        };
        let raw = wire::RawQuote {
            bid: row.bid,
            ask: row.ask,
            last: row.last_trade_price,
            volume: row.volume,
            open_interest: row.open_interest,
            source_iv,
            source_greeks,
            quoted_at: None,
        };
        contracts.push(raw.quote(&occ));
    }
    if contracts.is_empty() {
        return Err(Error::unknown(NAME, ticker));
    }
    wire::sort_contracts(&mut contracts);
    Ok(Parsed {
        value: ChainSnapshot {
            ticker: ticker.to_ascii_uppercase(),
            as_of,
            spot,
            rate,
            dividend_yield: 0.0,
            multiplier: 100.0,
            exchange: Exchange::Us,
            exercise: None,
            ex_dividends: Vec::new(),
            source_iv30: wire::source_iv(data.iv30, true),
            contracts,
        },
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Right;

    const FIXTURE: &[u8] = include_bytes!("../../fixtures/providers/cboe/CLX.json");

    #[test]
    fn index_files_take_an_underscore() {
        let file = |t: &str| file_symbol(&t.parse().unwrap());
        assert_eq!(file("spx"), "_SPX");
        assert_eq!(file("^VIX"), "_VIX");
        assert_eq!(file("CLX"), "CLX");
        assert_eq!(file("BRK-B"), "BRK.B");
    }

    #[test]
    fn parses_the_cdn_payload_with_its_quirks() {
        let got = parse_chain("clx", FIXTURE, Utc::now(), 0.045).unwrap();
        let snap = got.value;
        assert_eq!(snap.ticker, "CLX");
        // The top-level timestamp is taken as UTC.
        assert_eq!(snap.as_of.to_rfc3339(), "2026-11-23T14:55:00+00:00");
        assert_eq!(snap.spot, 95.55);
        assert_eq!(snap.multiplier, 100.0);
        // One row has no OCC symbol and one is null: both skipped and counted.
        assert_eq!(got.skipped.count, 2);
        assert_eq!(snap.contracts.len(), 24);
        let put = snap
            .contracts
            .iter()
            .find(|c| c.symbol == "CLX261218P00090000")
            .unwrap();
        assert_eq!(put.right, Right::Put);
        assert_eq!(put.strike, 90.0);
        assert_eq!((put.bid, put.ask), (1.0, 1.05));
        // Float counts become integers; the IV is a fraction.
        assert_eq!(put.open_interest, 8053);
        assert_eq!(put.volume, 68);
        assert_eq!(put.source_iv, Some(0.3223));
        // CBOE's own greeks and theoretical value ride along; iv30 is percent.
        assert_eq!(put.source_greeks.delta, Some(-0.2168));
        assert_eq!(put.source_greeks.gamma, Some(0.0362));
        assert_eq!(put.source_greeks.theo, Some(1.0423));
        assert!((snap.source_iv30.unwrap() - 0.38981).abs() < 1e-12);
        // A deep in-the-money row with iv 0.0 has no source IV; never traded = last 0.
        let deep = snap
            .contracts
            .iter()
            .find(|c| c.symbol == "CLX261218P00115000")
            .unwrap();
        assert_eq!(deep.source_iv, None);
        assert!(deep.source_greeks.is_empty());
        assert_eq!(deep.last, 0.0);
        // A root with a digit is read from the right.
        assert!(
            snap.contracts
                .iter()
                .any(|c| c.symbol == "CLX1261218C00095000")
        );
    }

    #[test]
    fn a_file_written_after_the_close_is_priced_at_the_close() {
        // The real CDN file of CLX was stamped 00:43 UTC on Saturday 2026-07-25; its
        // quotes are Friday's 16:00 New York close.
        let at = |stamp: &str| {
            let body = format!(
                r#"{{"timestamp": "{stamp}", "data": {{"current_price": 95.55,
                "options": [{{"option": "CLX260821C00095000", "bid": 3.4, "ask": 4.3}}]}}}}"#
            );
            parse_chain("CLX", body.as_bytes(), Utc::now(), 0.045)
                .unwrap()
                .value
                .as_of
                .to_rfc3339()
        };
        assert_eq!(at("2026-07-25 00:43:14"), "2026-07-24T20:00:00+00:00");
        // Monday before the open: still Friday's close.
        assert_eq!(at("2026-07-27 12:00:00"), "2026-07-24T20:00:00+00:00");
        // During the session the stamp stands.
        assert_eq!(at("2026-07-24 19:59:00"), "2026-07-24T19:59:00+00:00");
        // An early close (the day after Thanksgiving, 13:00 New York).
        assert_eq!(at("2026-11-27 20:00:00"), "2026-11-27T18:00:00+00:00");
    }

    #[test]
    fn spot_falls_back_to_close_then_previous_close() {
        let body = br#"{"timestamp": "2026-11-23 14:55:00", "data": {"current_price": 0,
            "close": null, "prev_day_close": 93.8,
            "options": [{"option": "CLX261218C00095000", "bid": 1.0, "ask": 1.1}]}}"#;
        let snap = parse_chain("CLX", body, Utc::now(), 0.0).unwrap().value;
        assert_eq!(snap.spot, 93.8);
        let none = br#"{"data": {"options": []}}"#;
        let e = parse_chain("CLX", none, Utc::now(), 0.0).unwrap_err();
        assert!(e.to_string().contains("no underlying price"), "{e}");
    }
}
