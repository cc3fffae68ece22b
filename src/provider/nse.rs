//! `nse`: the National Stock Exchange of India's option chain, in both API generations:
//! `v3` (`option-chain-contract-info` for the expiries, then `option-chain-v3` once per
//! expiry) and `legacy` (`option-chain-indices` / `option-chain-equities`, every expiry in
//! one call). The session is cookie-warmed: GET `/option-chain` first, then send its
//! cookies with `Referer` on every API call; a refused or empty answer re-warms once.
//! Shapes and quirks (IV in percent, 0 when not computed; times in
//! IST; `CE`/`PE` legs absent when not listed; `bidprice` vs `buyPrice1`, `expiryDate` vs
//! `expiryDates`, `pChange` vs `pchange`; strikes as strings; `{}` on some days).
//! The contract multiplier is the lot size, from `[provider.nse] lot_sizes`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Response};
use super::wire::{self, Parsed, Skipped};
use super::{ChainProvider, Error, Hooks};
use crate::market::{ChainSnapshot, Exchange, Exercise, OccSymbol, Right};

pub const NAME: &str = "nse";
/// Unpublished, and NSE blocks bursts: one request every two seconds.
pub const DEFAULT_RATE: RateSpec = RateSpec::per_minute(30);
const AUTH_HINT: &str = "NSE refused the session even after warming a fresh cookie (no key \
     is involved; NSE blocks many cloud and foreign addresses)";
/// NSE's index underlyings; every other symbol is an equity.
const INDICES: &[&str] = &["NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50"];
const IST: chrono_tz::Tz = chrono_tz::Asia::Kolkata;

/// Which API generation to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `option-chain-contract-info` + `option-chain-v3` (2025 on).
    V3,
    /// `option-chain-indices` / `option-chain-equities`.
    Legacy,
}

/// `[provider.nse]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NseConfig {
    /// Scheme, host and port (`https://www.nseindia.com`).
    pub base_url: String,
    /// `v3` or `legacy`.
    pub api: Api,
    /// Nearest expiries fetched per chain with `v3`, one request each (0 = all).
    pub max_expirations: usize,
    /// Shares per contract by symbol (`NIFTY = 75`); NSE revises them, and the chain does
    /// not carry them. A symbol not listed gets multiplier 1 and a warning.
    pub lot_sizes: BTreeMap<String, u32>,
    pub risk_free_rate: f64,
    /// User-Agent header (NSE refuses non-browser clients).
    pub user_agent: Option<String>,
}

impl Default for NseConfig {
    fn default() -> Self {
        NseConfig {
            base_url: "https://www.nseindia.com".into(),
            api: Api::V3,
            max_expirations: 4,
            lot_sizes: BTreeMap::new(),
            risk_free_rate: 0.065,
            user_agent: None,
        }
    }
}

/// The NSE source (chains only).
pub struct Nse {
    client: Client,
    api: Api,
    max_expirations: usize,
    lot_sizes: BTreeMap<String, u32>,
    rate: f64,
    cookie: tokio::sync::Mutex<Option<String>>,
}

impl Nse {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`; the
    /// session is warmed on the first chain asked for.
    pub fn new(
        cfg: &NseConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let ua = cfg
            .user_agent
            .as_deref()
            .unwrap_or(http::BROWSER_USER_AGENT);
        let client = hooks.client(NAME, &cfg.base_url, DEFAULT_RATE, http_cfg, ua)?;
        Ok(Nse {
            client,
            api: cfg.api,
            max_expirations: cfg.max_expirations,
            lot_sizes: cfg
                .lot_sizes
                .iter()
                .map(|(k, v)| {
                    let key = crate::market::Symbol::parse(k)
                        .map(String::from)
                        .unwrap_or_else(|_| k.to_ascii_uppercase());
                    (key, *v)
                })
                .collect(),
            rate: cfg.risk_free_rate,
            cookie: tokio::sync::Mutex::new(None),
        })
    }

    /// The session cookie, warming one when there is none (or `renew`).
    async fn cookie(&self, symbol: &str, renew: bool) -> Result<String, Error> {
        let mut slot = self.cookie.lock().await;
        if let Some(c) = slot.as_ref().filter(|_| !renew) {
            return Ok(c.clone());
        }
        let url = self.client.url(&["option-chain"], &[]);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/html,*/*"));
        let req = self.client.request("session", symbol, url, headers);
        let resp = self.client.get(&req, AUTH_HINT).await?;
        let cookie = resp.cookies().join("; ");
        *slot = Some(cookie.clone());
        Ok(cookie)
    }

    /// GETs an API path with the session; a 401/403 or an empty `{}` re-warms once.
    async fn api(
        &self,
        what: &'static str,
        symbol: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Response, Error> {
        let mut renew = false;
        loop {
            let cookie = self.cookie(symbol, renew).await?;
            let url = self.client.url(&["api", path], query);
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT,
                HeaderValue::from_static("application/json, text/plain, */*"),
            );
            headers.insert(
                header::REFERER,
                HeaderValue::from_str(self.client.url(&["option-chain"], &[]).as_str())
                    .unwrap_or_else(|_| {
                        HeaderValue::from_static("https://www.nseindia.com/option-chain")
                    }),
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                headers.insert(header::COOKIE, v);
            }
            let req = self.client.request(what, symbol, url, headers);
            let resp = self.client.send(&req).await?;
            let refused = matches!(resp.status, 401 | 403);
            if (refused || is_empty_object(&resp.body)) && !renew {
                tracing::info!(
                    "nse: {symbol}: session refused or empty answer; warming a fresh cookie"
                );
                renew = true;
                continue;
            }
            self.client.check(&req, &resp, AUTH_HINT)?;
            if is_empty_object(&resp.body) {
                return Err(Error::Unavailable {
                    provider: NAME.into(),
                    symbol: symbol.into(),
                    detail: format!(
                        "the {what} answer is an empty {{}} (NSE's edge cache serves it on some days and to expired sessions)"
                    ),
                });
            }
            return Ok(resp);
        }
    }

    fn multiplier(&self, symbol: &str) -> f64 {
        match self.lot_sizes.get(symbol) {
            Some(n) => f64::from(*n),
            None => {
                tracing::warn!(
                    "nse: no lot size for {symbol}: premiums use multiplier 1; set [provider.nse] lot_sizes = {{ {symbol} = N }}"
                );
                1.0
            }
        }
    }
}

fn is_empty_object(body: &[u8]) -> bool {
    let t: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    t == b"{}"
}

#[async_trait]
impl ChainProvider for Nse {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, _as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let symbol = Error::symbol(NAME, ticker)?.to_string();
        let s = symbol.as_str();
        let index = INDICES.contains(&s);
        let mut parsed = match self.api {
            Api::Legacy => {
                let path = if index {
                    "option-chain-indices"
                } else {
                    "option-chain-equities"
                };
                let resp = self.api("option-chain", s, path, &[("symbol", s)]).await?;
                parse_chain(s, &resp.body, resp.received_at)?
            }
            Api::V3 => {
                let info = self
                    .api(
                        "contract-info",
                        s,
                        "option-chain-contract-info",
                        &[("symbol", s)],
                    )
                    .await?;
                let mut expiries = parse_contract_info(s, &info.body)?;
                if self.max_expirations > 0 {
                    expiries.truncate(self.max_expirations);
                }
                let kind = if index { "Indices" } else { "Equity" };
                let mut all: Option<Parsed<ChainSnapshot>> = None;
                for e in expiries {
                    let d = e.format("%d-%b-%Y").to_string();
                    let resp = self
                        .api(
                            "option-chain",
                            s,
                            "option-chain-v3",
                            &[("type", kind), ("symbol", s), ("expiry", &d)],
                        )
                        .await?;
                    let page = parse_chain(s, &resp.body, resp.received_at)?;
                    match all.as_mut() {
                        None => all = Some(page),
                        Some(a) => {
                            a.skipped.merge(page.skipped);
                            a.value.contracts.extend(page.value.contracts);
                        }
                    }
                }
                all.ok_or_else(|| Error::unknown(NAME, s))?
            }
        };
        parsed.skipped.warn(NAME, s, "contracts");
        let snap = &mut parsed.value;
        snap.rate = self.rate;
        snap.multiplier = self.multiplier(s);
        wire::sort_contracts(&mut snap.contracts);
        Ok(parsed.value)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContractInfo {
    #[serde(default)]
    expiry_dates: Vec<String>,
}

fn parse_date(symbol: &str, text: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text.trim(), "%d-%b-%Y")
        .map_err(|_| Error::malformed(NAME, symbol, format!("date {text:?} is not DD-Mon-YYYY")))
}

/// The expiries listed by `option-chain-contract-info`, nearest first. None listed =
/// unknown symbol.
pub fn parse_contract_info(symbol: &str, body: &[u8]) -> Result<Vec<NaiveDate>, Error> {
    let info: ContractInfo = wire::parse_json(NAME, symbol, "contract-info", body)?;
    let mut out = info
        .expiry_dates
        .iter()
        .map(|d| parse_date(symbol, d))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Error::unknown(NAME, symbol));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Payload {
    records: Option<Records>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Records {
    timestamp: Option<String>,
    underlying_value: Option<f64>,
    #[serde(default)]
    data: Vec<Option<StrikeRow>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StrikeRow {
    #[serde(default, deserialize_with = "wire::number_or_string")]
    strike_price: Option<f64>,
    expiry_date: Option<String>,
    expiry_dates: Option<String>,
    #[serde(rename = "CE")]
    ce: Option<Leg>,
    #[serde(rename = "PE")]
    pe: Option<Leg>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Leg {
    #[serde(default, deserialize_with = "wire::number_or_string")]
    strike_price: Option<f64>,
    open_interest: Option<f64>,
    total_traded_volume: Option<f64>,
    implied_volatility: Option<f64>,
    last_price: Option<f64>,
    // Legacy and v3 names of the same quote fields.
    bidprice: Option<f64>,
    buy_price1: Option<f64>,
    ask_price: Option<f64>,
    sell_price1: Option<f64>,
    underlying_value: Option<f64>,
}

/// Parses a legacy or v3 option-chain payload. `as_of` is `records.timestamp` (IST),
/// else `received_at`; spot is `records.underlyingValue`, else a leg's. Rows without a
/// strike or expiry are skipped and counted; an absent leg is simply not listed.
/// Contract symbols are OCC-style (`NIFTY261229C26000000`). The multiplier is left at 1
/// for the caller to set from the lot size.
pub fn parse_chain(
    symbol: &str,
    body: &[u8],
    received_at: DateTime<Utc>,
) -> Result<Parsed<ChainSnapshot>, Error> {
    if is_empty_object(body) {
        return Err(Error::Unavailable {
            provider: NAME.into(),
            symbol: symbol.into(),
            detail: "the option chain is an empty {}".into(),
        });
    }
    let payload: Payload = wire::parse_json(NAME, symbol, "option chain", body)?;
    let records = payload.records.ok_or_else(|| Error::Malformed {
        provider: NAME.into(),
        symbol: symbol.into(),
        detail: format!(
            "no \"records\" in the option chain; it starts {}",
            http::head(body)
        ),
    })?;
    let as_of = records
        .timestamp
        .as_deref()
        .and_then(|t| wire::parse_local(t, "%d-%b-%Y %H:%M:%S", IST))
        .unwrap_or(received_at);
    // OCC roots are letters and digits: `M&M` becomes `MM`, `BAJAJ-AUTO` `BAJAJAUTO`.
    let root: String = symbol
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut skipped = Skipped::default();
    let mut contracts = Vec::new();
    let mut leg_spot = None;
    for (i, row) in records.data.into_iter().enumerate() {
        let Some(row) = row else {
            skipped.add(|| format!("data[{i}] is null"));
            continue;
        };
        let expiry_text = row.expiry_date.or(row.expiry_dates).unwrap_or_default();
        let Ok(expiry) = parse_date(symbol, &expiry_text) else {
            skipped.add(|| format!("data[{i}]: expiry {expiry_text:?} is not DD-Mon-YYYY"));
            continue;
        };
        for (right, leg) in [(Right::Call, row.ce), (Right::Put, row.pe)] {
            let Some(leg) = leg else { continue };
            let Some(strike) = row
                .strike_price
                .or(leg.strike_price)
                .filter(|s| s.is_finite() && *s > 0.0 && *s < 100_000.0)
            else {
                skipped.add(|| format!("data[{i}] has no usable strikePrice"));
                continue;
            };
            leg_spot = leg_spot.or(leg.underlying_value.filter(|v| *v > 0.0));
            let occ = OccSymbol {
                root: root.clone(),
                expiry,
                right,
                strike,
            };
            let raw = wire::RawQuote {
                bid: leg.bidprice.or(leg.buy_price1),
                ask: leg.ask_price.or(leg.sell_price1),
                last: leg.last_price,
                volume: leg.total_traded_volume,
                open_interest: leg.open_interest,
                source_iv: wire::source_iv(leg.implied_volatility, true),
                source_greeks: Default::default(),
                quoted_at: None,
            };
            contracts.push(raw.quote(&occ));
        }
    }
    let spot = records
        .underlying_value
        .filter(|v| v.is_finite() && *v > 0.0)
        .or(leg_spot)
        .ok_or_else(|| {
            Error::malformed(
                NAME,
                symbol,
                "no underlying price (records.underlyingValue)",
            )
        })?;
    if contracts.is_empty() {
        return Err(Error::unknown(NAME, symbol));
    }
    Ok(Parsed {
        value: ChainSnapshot {
            ticker: symbol.to_string(),
            as_of,
            spot,
            rate: 0.0,
            dividend_yield: 0.0,
            multiplier: 1.0,
            exchange: Exchange::Nse,
            // NSE's index and stock options are all European.
            exercise: Some(Exercise::European),
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts,
        },
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &[u8] = include_bytes!("../../fixtures/providers/nse/legacy-NIFTY.json");
    const V3: &[u8] = include_bytes!("../../fixtures/providers/nse/v3-NIFTY-29-Dec-2026.json");

    #[test]
    fn legacy_payloads_map_with_ist_time_and_percent_iv() {
        let got = parse_chain("NIFTY", LEGACY, Utc::now()).unwrap();
        assert_eq!(got.skipped.count, 1);
        let snap = got.value;
        assert_eq!(snap.as_of.to_rfc3339(), "2026-11-23T09:59:00+00:00");
        assert_eq!(snap.spot, 26010.35);
        let ce = snap
            .contracts
            .iter()
            .find(|c| c.symbol == "NIFTY261229C26000000")
            .unwrap();
        assert!((ce.source_iv.unwrap() - 0.1312).abs() < 1e-12);
        assert_eq!((ce.bid, ce.ask), (513.5, 534.45));
        // Fractional OI (lots re-based) rounds.
        assert_eq!(ce.open_interest, 38);
        // IV 0 = not computed.
        assert!(snap.contracts.iter().any(|c| c.source_iv.is_none()));
        // A strike with only a CE leg lists one contract.
        let strike_27000: Vec<_> = snap
            .contracts
            .iter()
            .filter(|c| c.strike == 27000.0)
            .collect();
        assert_eq!(strike_27000.len(), 1);
    }

    #[test]
    fn v3_payloads_use_the_new_names() {
        let snap = parse_chain("NIFTY", V3, Utc::now()).unwrap().value;
        let pe = snap
            .contracts
            .iter()
            .find(|c| c.symbol == "NIFTY261229P25500000")
            .unwrap();
        // buyPrice1 / sellPrice1 are the bid and ask; strikes arrive as strings.
        assert_eq!((pe.bid, pe.ask), (186.45, 194.1));
        assert_eq!(pe.expiry.to_string(), "2026-12-29");
    }

    #[test]
    fn empty_answers_and_unknown_symbols() {
        let e = parse_chain("NIFTY", b" {} ", Utc::now()).unwrap_err();
        assert!(e.is_retryable(), "{e}");
        let e = parse_contract_info("ZZZZ", br#"{"expiryDates":[],"strikePrice":[]}"#).unwrap_err();
        assert!(matches!(e, Error::UnknownSymbol { .. }));
        let d = parse_contract_info("NIFTY", br#"{"expiryDates":["26-Jan-2027","29-Dec-2026"]}"#)
            .unwrap();
        assert_eq!(d[0].to_string(), "2026-12-29");
    }
}
