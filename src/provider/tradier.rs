//! `tradier`: Tradier's market-data API. Chains are one request per expiration after the
//! expirations list (plus one quote for the underlying's price); bars from `history`
//! (daily) and `timesales` (5- and 15-minute, the latter merged into session hours).
//! Needs a bearer token. Shapes and quirks (a single item comes as an
//! object instead of a list; many fields `null` when untraded; IV in `greeks.mid_iv`, 0
//! when not computed, `smv_vol` as the fallback; timesales `timestamp` in seconds).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Secret};
use super::wire::{self, EpochUnit, Parsed, Skipped};
use super::{BarProvider, ChainProvider, Error, Hooks, KeySetting};
use crate::market::{Bar, Calendar, ChainSnapshot, Exchange, OptionQuote, SourceGreeks, Timeframe};

pub const NAME: &str = "tradier";
/// Tradier's documented market-data limit: 120 requests a minute.
pub const DEFAULT_RATE: RateSpec = RateSpec::per_minute(120);
/// The environment variable holding the token (wins over the config file).
pub const TOKEN_ENV: &str = "OPTCTL_TRADIER_TOKEN";
const AUTH_HINT: &str = "check the access token (set OPTCTL_TRADIER_TOKEN or [provider.tradier] \
     token); a sandbox token needs base_url = \"https://sandbox.tradier.com\"";

/// `[provider.tradier]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TradierConfig {
    /// Scheme, host and port (`https://api.tradier.com`; sandbox `https://sandbox.tradier.com`).
    pub base_url: String,
    /// The access token; `OPTCTL_TRADIER_TOKEN` overrides it.
    pub token: Option<Secret>,
    /// Nearest expirations fetched per chain, one request each (0 = all).
    pub max_expirations: usize,
    pub risk_free_rate: f64,
}

impl Default for TradierConfig {
    fn default() -> Self {
        TradierConfig {
            base_url: "https://api.tradier.com".into(),
            token: None,
            max_expirations: 12,
            risk_free_rate: 0.045,
        }
    }
}

/// The Tradier source (chains and bars).
pub struct Tradier {
    client: Client,
    headers: HeaderMap,
    max_expirations: usize,
    rate: f64,
}

impl Tradier {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`. Errors
    /// (exit 2) when there is no token, naming both places to set one.
    pub fn new(
        cfg: &TradierConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let setting = KeySetting {
            what: "an access token",
            env: TOKEN_ENV,
            key: "token",
        };
        let (client, mut headers) = hooks.bearer_client(
            NAME,
            &cfg.base_url,
            DEFAULT_RATE,
            http_cfg,
            cfg.token.as_ref(),
            &setting,
        )?;
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        Ok(Tradier {
            client,
            headers,
            max_expirations: cfg.max_expirations,
            rate: cfg.risk_free_rate,
        })
    }

    async fn get(
        &self,
        what: &'static str,
        symbol: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<http::Response, Error> {
        let url = self.client.url(segments, query);
        let req = self.client.request(what, symbol, url, self.headers.clone());
        self.client.get(&req, AUTH_HINT).await
    }
}

#[async_trait]
impl ChainProvider for Tradier {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, _as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let ticker = Error::symbol(NAME, ticker)?.to_string();
        let t = ticker.as_str();
        let quote = self
            .get("quote", t, &["v1", "markets", "quotes"], &[("symbols", t)])
            .await?;
        let underlying = parse_quote(t, &quote.body)?;
        let resp = self
            .get(
                "expirations",
                t,
                &["v1", "markets", "options", "expirations"],
                &[("symbol", t), ("includeAllRoots", "true")],
            )
            .await?;
        let mut dates = parse_expirations(t, &resp.body)?;
        dates.sort_unstable();
        dates.dedup();
        if self.max_expirations > 0 {
            dates.truncate(self.max_expirations);
        }
        let mut contracts = Vec::new();
        let mut skipped = Skipped::default();
        for date in dates {
            let d = date.format("%Y-%m-%d").to_string();
            let resp = self
                .get(
                    "chain",
                    t,
                    &["v1", "markets", "options", "chains"],
                    &[("symbol", t), ("expiration", &d), ("greeks", "true")],
                )
                .await?;
            let page = parse_chain(t, &resp.body)?;
            skipped.merge(page.skipped);
            contracts.extend(page.value);
        }
        skipped.warn(NAME, t, "contracts");
        wire::sort_contracts(&mut contracts);
        // The quotes' own clock: the underlying's quote time, else the latest contract
        // quote, else when the answer arrived.
        let as_of = underlying
            .at
            .or_else(|| contracts.iter().filter_map(|c| c.quoted_at).max())
            .unwrap_or(quote.received_at);
        Ok(ChainSnapshot {
            ticker,
            as_of,
            spot: underlying.price,
            rate: self.rate,
            dividend_yield: 0.0,
            multiplier: 100.0,
            exchange: Exchange::Us,
            exercise: None,
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts,
        })
    }
}

#[async_trait]
impl BarProvider for Tradier {
    fn name(&self) -> &str {
        NAME
    }

    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let symbol = Error::symbol(NAME, symbol)?.to_string();
        let s = symbol.as_str();
        let local = |t: DateTime<Utc>| t.with_timezone(&Calendar::nyse().tz());
        let parsed = match timeframe {
            Timeframe::D1 => {
                let start = local(from).format("%Y-%m-%d").to_string();
                let end = local(to).format("%Y-%m-%d").to_string();
                let resp = self
                    .get(
                        "history",
                        s,
                        &["v1", "markets", "history"],
                        &[
                            ("symbol", s),
                            ("interval", "daily"),
                            ("start", &start),
                            ("end", &end),
                        ],
                    )
                    .await?;
                parse_history(s, &resp.body)?
            }
            Timeframe::M1 | Timeframe::M5 | Timeframe::H1 => {
                // No hourly interval: hours are merged from 15-minute bars.
                let interval = match timeframe {
                    Timeframe::M1 => "1min",
                    Timeframe::M5 => "5min",
                    _ => "15min",
                };
                let start = local(from).format("%Y-%m-%d %H:%M").to_string();
                let end = local(to + TimeDelta::minutes(1))
                    .format("%Y-%m-%d %H:%M")
                    .to_string();
                let resp = self
                    .get(
                        "timesales",
                        s,
                        &["v1", "markets", "timesales"],
                        &[
                            ("symbol", s),
                            ("interval", interval),
                            ("start", &start),
                            ("end", &end),
                            ("session_filter", "open"),
                        ],
                    )
                    .await?;
                let mut p = parse_timesales(s, &resp.body)?;
                if timeframe == Timeframe::H1 {
                    p.value = wire::hourly_from_intraday(&p.value);
                }
                p
            }
        };
        parsed.skipped.warn(NAME, s, "bars");
        Ok(wire::clip_bars(parsed.value, from, to))
    }
}

#[derive(Deserialize)]
struct Quotes {
    quotes: Option<QuotesBody>,
}

#[derive(Deserialize)]
struct QuotesBody {
    #[serde(default, deserialize_with = "wire::one_or_many")]
    quote: Vec<Quote>,
}

#[derive(Deserialize)]
struct Quote {
    symbol: Option<String>,
    last: Option<f64>,
    bid: Option<f64>,
    ask: Option<f64>,
    prevclose: Option<f64>,
    trade_date: Option<i64>,
    bid_date: Option<i64>,
    ask_date: Option<i64>,
}

/// The underlying's quote: its price and, when Tradier stamps it, its time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnderlyingQuote {
    pub price: f64,
    /// The latest of `trade_date`, `bid_date` and `ask_date` (epoch milliseconds).
    pub at: Option<DateTime<Utc>>,
}

/// The latest of Tradier's epoch-millisecond stamps (0 or absent = none).
fn latest_millis(stamps: &[Option<i64>]) -> Option<DateTime<Utc>> {
    stamps
        .iter()
        .flatten()
        .filter_map(|ms| wire::from_epoch(*ms, EpochUnit::Millis))
        .max()
}

/// The underlying's price from `/v1/markets/quotes`: `last`, else the bid/ask mid, else
/// `prevclose`; its time, the latest of `trade_date`, `bid_date`, `ask_date`. An
/// unmatched symbol is [`Error::UnknownSymbol`].
pub fn parse_quote(symbol: &str, body: &[u8]) -> Result<UnderlyingQuote, Error> {
    let q: Quotes = wire::parse_json(NAME, symbol, "quote", body)?;
    let quote = q
        .quotes
        .and_then(|b| {
            b.quote.into_iter().find(|q| {
                q.symbol
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case(symbol))
            })
        })
        .ok_or_else(|| Error::unknown(NAME, symbol))?;
    let mid = match (quote.bid, quote.ask) {
        (Some(b), Some(a)) if b > 0.0 && a >= b => Some(0.5 * (a + b)),
        _ => None,
    };
    let at = latest_millis(&[quote.trade_date, quote.bid_date, quote.ask_date]);
    [quote.last, mid, quote.prevclose]
        .into_iter()
        .flatten()
        .find(|p| p.is_finite() && *p > 0.0)
        .map(|price| UnderlyingQuote { price, at })
        .ok_or_else(|| {
            Error::malformed(
                NAME,
                symbol,
                "the quote has no price (last, bid/ask, prevclose)",
            )
        })
}

#[derive(Deserialize)]
struct Expirations {
    expirations: Option<ExpirationsBody>,
}

#[derive(Deserialize)]
struct ExpirationsBody {
    #[serde(default, deserialize_with = "wire::one_or_many")]
    date: Vec<String>,
    #[serde(default, deserialize_with = "wire::one_or_many")]
    expiration: Vec<ExpirationItem>,
}

#[derive(Deserialize)]
struct ExpirationItem {
    date: String,
}

/// The expiration dates of `/v1/markets/options/expirations` (`date` as a string or a
/// list, or `expiration` items when strikes were asked for). `null` = unknown symbol.
pub fn parse_expirations(symbol: &str, body: &[u8]) -> Result<Vec<NaiveDate>, Error> {
    let e: Expirations = wire::parse_json(NAME, symbol, "expirations", body)?;
    let body = e.expirations.ok_or_else(|| Error::unknown(NAME, symbol))?;
    let texts = body
        .date
        .into_iter()
        .chain(body.expiration.into_iter().map(|x| x.date));
    let mut out = Vec::new();
    for t in texts {
        out.push(NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
            Error::malformed(NAME, symbol, format!("expiration {t:?} is not YYYY-MM-DD"))
        })?);
    }
    if out.is_empty() {
        return Err(Error::unknown(NAME, symbol));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Chain {
    options: Option<ChainBody>,
}

#[derive(Deserialize)]
struct ChainBody {
    #[serde(default, deserialize_with = "wire::one_or_many")]
    option: Vec<Option<Row>>,
}

#[derive(Deserialize)]
struct Row {
    symbol: Option<String>,
    bid: Option<f64>,
    ask: Option<f64>,
    last: Option<f64>,
    volume: Option<f64>,
    open_interest: Option<f64>,
    greeks: Option<Greeks>,
    bid_date: Option<i64>,
    ask_date: Option<i64>,
    trade_date: Option<i64>,
}

#[derive(Deserialize)]
struct Greeks {
    delta: Option<f64>,
    gamma: Option<f64>,
    mid_iv: Option<f64>,
    smv_vol: Option<f64>,
}

/// One expiration's contracts from `/v1/markets/options/chains` (`option` as an object or
/// a list; `options: null` = none). Rows without a readable OCC symbol are skipped and
/// counted.
pub fn parse_chain(symbol: &str, body: &[u8]) -> Result<Parsed<Vec<OptionQuote>>, Error> {
    let c: Chain = wire::parse_json(NAME, symbol, "option chain", body)?;
    let rows = c.options.map(|o| o.option).unwrap_or_default();
    let mut skipped = Skipped::default();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let Some(row) = row else {
            skipped.add(|| format!("option[{i}] is null"));
            continue;
        };
        let Some(occ) = wire::occ(
            row.symbol.as_deref(),
            || format!("option[{i}]"),
            &mut skipped,
        ) else {
            continue;
        };
        // ORATS's figures: the IV of the mid, else its smoothed (SMV) volatility.
        let iv = row.greeks.as_ref().and_then(|g| {
            wire::source_iv(g.mid_iv, false).or_else(|| wire::source_iv(g.smv_vol, false))
        });
        let source_greeks = row
            .greeks
            .map_or_else(SourceGreeks::default, |g| SourceGreeks {
                delta: wire::source_greek(g.delta),
                gamma: wire::source_greek(g.gamma),
                theo: None,
            });
        let raw = wire::RawQuote {
            bid: row.bid,
            ask: row.ask,
            last: row.last,
            volume: row.volume,
            open_interest: row.open_interest,
            source_iv: iv,
            source_greeks,
            // The mid's time: the later side's quote, else the last trade.
            quoted_at: latest_millis(&[row.bid_date, row.ask_date])
                .or_else(|| latest_millis(&[row.trade_date])),
        };
        out.push(raw.quote(&occ));
    }
    Ok(Parsed {
        value: out,
        skipped,
    })
}

#[derive(Deserialize)]
struct History {
    history: Option<HistoryBody>,
}

#[derive(Deserialize)]
struct HistoryBody {
    #[serde(default, deserialize_with = "wire::one_or_many")]
    day: Vec<Option<Day>>,
}

#[derive(Deserialize)]
struct Day {
    date: Option<String>,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: Option<f64>,
    volume: Option<f64>,
}

/// Daily bars from `/v1/markets/history` (`day` as an object or a list; `history: null`
/// = none). Each opens at 09:30 New York on its `date`.
pub fn parse_history(symbol: &str, body: &[u8]) -> Result<Parsed<Vec<Bar>>, Error> {
    let h: History = wire::parse_json(NAME, symbol, "history", body)?;
    let days = h.history.map(|b| b.day).unwrap_or_default();
    let mut skipped = Skipped::default();
    let mut bars = Vec::with_capacity(days.len());
    for (i, d) in days.into_iter().enumerate() {
        let Some(d) = d else {
            skipped.add(|| format!("day[{i}] is null"));
            continue;
        };
        let Some(date) = d
            .date
            .as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        else {
            skipped.add(|| format!("day[{i}] has no YYYY-MM-DD date"));
            continue;
        };
        match wire::bar(
            Calendar::nyse().open_on(date),
            d.open,
            d.high,
            d.low,
            d.close,
            d.volume,
        ) {
            Ok(b) => bars.push(b),
            Err(why) => skipped.add(|| format!("{date}: {why}")),
        }
    }
    Ok(Parsed {
        value: bars,
        skipped,
    })
}

#[derive(Deserialize)]
struct Timesales {
    series: Option<Series>,
}

#[derive(Deserialize)]
struct Series {
    #[serde(default, deserialize_with = "wire::one_or_many")]
    data: Vec<Option<Tick>>,
}

#[derive(Deserialize)]
struct Tick {
    timestamp: Option<i64>,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: Option<f64>,
    volume: Option<f64>,
}

/// Intraday bars from `/v1/markets/timesales` (`timestamp` epoch seconds, the bar's
/// start; `data` as an object or a list; `series: null` = none).
pub fn parse_timesales(symbol: &str, body: &[u8]) -> Result<Parsed<Vec<Bar>>, Error> {
    let t: Timesales = wire::parse_json(NAME, symbol, "timesales", body)?;
    let rows = t.series.map(|s| s.data).unwrap_or_default();
    let mut skipped = Skipped::default();
    let mut bars = Vec::with_capacity(rows.len());
    for (i, r) in rows.into_iter().enumerate() {
        let Some(r) = r else {
            skipped.add(|| format!("data[{i}] is null"));
            continue;
        };
        let Some(time) = r
            .timestamp
            .and_then(|s| wire::from_epoch(s, EpochUnit::Seconds))
        else {
            skipped.add(|| format!("data[{i}] has no timestamp"));
            continue;
        };
        match wire::bar(time, r.open, r.high, r.low, r.close, r.volume) {
            Ok(b) => bars.push(b),
            Err(why) => skipped.add(|| format!("{time}: {why}")),
        }
    }
    Ok(Parsed {
        value: bars,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &[u8] =
        include_bytes!("../../fixtures/providers/tradier/chain-VXX-2026-12-18.json");
    const SINGLE: &[u8] =
        include_bytes!("../../fixtures/providers/tradier/chain-VXX-2027-01-15.json");

    #[test]
    fn a_chain_maps_iv_with_the_smv_fallback() {
        let got = parse_chain("VXX", CHAIN).unwrap();
        assert_eq!(got.skipped.count, 0);
        let put = got
            .value
            .iter()
            .find(|c| c.symbol == "VXX261218P00016000")
            .unwrap();
        // mid_iv 0.0: the ORATS smoothed vol stands in.
        assert_eq!(put.source_iv, Some(0.380002));
        // ORATS's greeks ride along for comparison.
        assert_eq!(put.source_greeks.delta, Some(-0.2343));
        assert_eq!(put.source_greeks.gamma, Some(0.079));
        // `last: null` is no trade.
        assert_eq!(put.last, 0.0);
        assert_eq!(put.open_interest, 10);
    }

    #[test]
    fn a_real_recorded_chain_keeps_orats_figures() {
        // A real Tradier answer (TSLA, 2024-01-12; see fixtures/README.md).
        const REAL: &[u8] =
            include_bytes!("../../fixtures/providers/tradier/real-chain-TSLA-2024-01-19.json");
        let got = parse_chain("TSLA", REAL).unwrap().value;
        assert_eq!(got.len(), 2);
        let call = got.iter().find(|c| c.right.is_call()).unwrap();
        assert_eq!(call.symbol, "TSLA240119C00290000");
        assert_eq!(
            (call.bid, call.ask, call.open_interest),
            (0.01, 0.02, 18077)
        );
        assert_eq!(call.source_iv, Some(0.701844));
        assert_eq!(call.source_greeks.delta, Some(1.4422886648140625e-4));
        assert_eq!(call.source_greeks.gamma, Some(3.5165824253684816e-5));
        assert_eq!(call.source_greeks.theo, None);
        // The quote's own time: the later of bid_date and ask_date, in ms.
        assert_eq!(
            call.quoted_at.unwrap().to_rfc3339(),
            "2024-01-12T17:09:01+00:00"
        );
        let put = got.iter().find(|c| !c.right.is_call()).unwrap();
        assert_eq!(put.source_iv, Some(1.282883));
        assert_eq!(put.source_greeks.delta, Some(-0.9998557711335186));
    }

    #[test]
    fn a_single_option_comes_as_an_object() {
        let got = parse_chain("VXX", SINGLE).unwrap().value;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].symbol, "VXX270115C00020000");
    }

    #[test]
    fn expirations_as_a_string_a_list_or_items() {
        let one = br#"{"expirations":{"date":"2026-12-18"}}"#;
        assert_eq!(parse_expirations("VXX", one).unwrap().len(), 1);
        let many = br#"{"expirations":{"date":["2026-12-18","2027-01-15"]}}"#;
        assert_eq!(parse_expirations("VXX", many).unwrap().len(), 2);
        let items = br#"{"expirations":{"expiration":[{"date":"2026-12-18","contract_size":100,"expiration_type":"standard","strikes":{"strike":16.0}}]}}"#;
        assert_eq!(parse_expirations("VXX", items).unwrap().len(), 1);
        assert!(matches!(
            parse_expirations("ZZZZ", br#"{"expirations":null}"#),
            Err(Error::UnknownSymbol { .. })
        ));
    }

    #[test]
    fn quotes_unmatched_is_unknown() {
        let body = br#"{"quotes":{"unmatched_symbols":{"symbol":"ZZZZ"}}}"#;
        assert!(matches!(
            parse_quote("ZZZZ", body),
            Err(Error::UnknownSymbol { .. })
        ));
        let body = br#"{"quotes":{"quote":{"symbol":"VXX","last":null,"bid":18.1,"ask":18.3,"prevclose":17.9}}}"#;
        let q = parse_quote("VXX", body).unwrap();
        assert!((q.price - 18.2).abs() < 1e-9);
    }

    #[test]
    fn history_and_timesales_bars() {
        let one = br#"{"history":{"day":{"date":"2026-11-20","open":154.89,"high":158.85,"low":154.23,"close":157.92,"volume":37039737}}}"#;
        let bars = parse_history("AAPL", one).unwrap().value;
        assert_eq!(bars[0].time.to_rfc3339(), "2026-11-20T14:30:00+00:00");
        assert!(
            parse_history("AAPL", br#"{"history":null}"#)
                .unwrap()
                .value
                .is_empty()
        );
        let ts = br#"{"series":{"data":[{"time":"2026-11-20T09:30:00","timestamp":1795185000,"price":199.645,"open":200.46,"high":200.53,"low":198.76,"close":200.1154,"volume":1273841,"vwap":199.77806},null]}}"#;
        let got = parse_timesales("AAPL", ts).unwrap();
        assert_eq!(got.skipped.count, 1);
        assert_eq!(got.value[0].time.to_rfc3339(), "2026-11-20T14:30:00+00:00");
    }
}
