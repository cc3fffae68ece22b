//! `yahoo`: Yahoo Finance. Chains from v7 `options` (one expiration per request, after a
//! cookie + crumb handshake); bars from v8 `chart` (daily, 60-minute, 5-minute and
//! 1-minute: Yahoo keeps 1-minute bars for the last 30 days and serves at most 7 days of
//! them a request, so a longer range is asked for in 7-day windows; 5-minute bars for 60
//! days and 60-minute bars for 730: a range reaching further back is cut at the limit).
//! Shapes and quirks (epoch seconds; omitted fields; placeholder IVs
//! when there is no quote; `null` entries in bar arrays; `[{}]` when there are no bars).
//!
//! Bars of Indian symbols: a symbol's listing (its own for an index, else the caller's
//! market, else `[provider.yahoo] market`) picks Yahoo's ticker (`RELIANCE.NS`,
//! `TATAMOTORS.BO`, `^NSEI`), `[provider.yahoo.tickers]` overriding it; the bars come back
//! under optctl's symbol, and for an NSE or BSE listing only those inside NSE's sessions
//! are kept (Yahoo adds a zero-volume print at 15:30 IST, and rows on holidays).
//!
//! The handshake: GET `{cookie_url}/` (any status) to receive the session cookie, then
//! GET `{base_url}/v1/test/getcrumb` with it; every later request carries the cookie and
//! `crumb=`. A 401 ("Invalid Crumb") renews the session once before giving up.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Request, Response};
use super::wire::{self, EpochUnit, Parsed, Skipped};
use super::{BarProvider, ChainProvider, Error, Hooks};
use crate::market::{Bar, ChainSnapshot, Exchange, Listing, OptionQuote, Symbol, Timeframe};

pub const NAME: &str = "yahoo";
/// Unpublished; public clients that stay under about one request a second are not blocked.
pub const DEFAULT_RATE: RateSpec = RateSpec::per_second(1);
/// How far back Yahoo keeps 1-minute bars ("The requested range must be within the last
/// 30 days"), and the most of them one request may span ("Only 7 days worth of 1m
/// granularity data are allowed to be fetched per request").
pub const MINUTE_HISTORY: TimeDelta = TimeDelta::days(30);
pub const MINUTE_WINDOW: TimeDelta = TimeDelta::days(7);
/// How far back Yahoo keeps 5-minute bars ("The requested range must be within the last
/// 60 days") and 60-minute bars (730 days); one request may span all of it.
pub const FIVE_MINUTE_HISTORY: TimeDelta = TimeDelta::days(60);
pub const HOUR_HISTORY: TimeDelta = TimeDelta::days(730);

/// What Yahoo keeps of a timeframe and the most one request may span; `None` for daily
/// bars, which go back decades.
fn history_limits(timeframe: Timeframe) -> Option<(TimeDelta, TimeDelta)> {
    match timeframe {
        Timeframe::M1 => Some((MINUTE_HISTORY, MINUTE_WINDOW)),
        Timeframe::M5 => Some((FIVE_MINUTE_HISTORY, FIVE_MINUTE_HISTORY)),
        Timeframe::H1 => Some((HOUR_HISTORY, HOUR_HISTORY)),
        Timeframe::D1 => None,
    }
}

const AUTH_HINT: &str = "Yahoo refused the session cookie and crumb even after a fresh \
     handshake (no key is involved; Yahoo blocks some networks, try again later or from \
     another address)";

/// `[provider.yahoo]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct YahooConfig {
    /// Scheme, host and port of the API (`/v7/finance/options`, `/v8/finance/chart`).
    pub base_url: String,
    /// Scheme, host and port answering `/` with the session cookie.
    pub cookie_url: String,
    /// Nearest expirations fetched per chain, one request each (0 = all).
    pub max_expirations: usize,
    pub risk_free_rate: f64,
    /// User-Agent header (Yahoo refuses many non-browser clients).
    pub user_agent: Option<String>,
    /// The market of a symbol that names none itself (stocks; indices know theirs) when
    /// the caller names none either: `us`, `nse` (`RELIANCE` → `RELIANCE.NS`) or `bse`
    /// (`.BO`). The strategy schedulers name theirs (`[scheduler] market`).
    pub market: Listing,
    /// Yahoo's ticker for a symbol, over any mapping (`TATAMOTORS = "TATAMOTORS.BO"`,
    /// `FINNIFTY = "NIFTY_FIN_SERVICE.NS"`).
    pub tickers: BTreeMap<Symbol, String>,
}

impl Default for YahooConfig {
    fn default() -> Self {
        YahooConfig {
            base_url: "https://query2.finance.yahoo.com".into(),
            cookie_url: "https://fc.yahoo.com".into(),
            max_expirations: 12,
            risk_free_rate: 0.045,
            user_agent: None,
            market: Listing::Us,
            tickers: BTreeMap::new(),
        }
    }
}

impl YahooConfig {
    /// Checks the ticker overrides; the message names the key.
    pub fn check(&self) -> Result<(), String> {
        for (k, v) in &self.tickers {
            let ok = !v.is_empty()
                && v.len() <= 32
                && v.bytes().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'.' | b'-' | b'^' | b'&' | b'_' | b'=')
                });
            if !ok {
                return Err(format!(
                    "provider.yahoo.tickers.{k}: {v:?} is not a Yahoo ticker (letters, digits \
                     and . - ^ & _ =, at most 32)"
                ));
            }
        }
        Ok(())
    }
}

struct Session {
    cookie: String,
    crumb: String,
}

/// The Yahoo source (chains and bars).
pub struct Yahoo {
    client: Client,
    cookie_base: http::Url,
    max_expirations: usize,
    rate: f64,
    market: Listing,
    tickers: BTreeMap<Symbol, String>,
    session: tokio::sync::Mutex<Option<std::sync::Arc<Session>>>,
}

impl Yahoo {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`; no
    /// request is sent until a chain or bars are asked for. Errors name a bad URL setting.
    pub fn new(
        cfg: &YahooConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let ua = cfg
            .user_agent
            .as_deref()
            .unwrap_or(http::BROWSER_USER_AGENT);
        let client = hooks.client(NAME, &cfg.base_url, DEFAULT_RATE, http_cfg, ua)?;
        let cookie_base = http::parse_base_url("provider.yahoo.cookie_url", &cfg.cookie_url)
            .map_err(crate::Error::Usage)?;
        Ok(Yahoo {
            client,
            cookie_base,
            max_expirations: cfg.max_expirations,
            rate: cfg.risk_free_rate,
            market: cfg.market,
            tickers: cfg.tickers.clone(),
            session: tokio::sync::Mutex::new(None),
        })
    }

    /// The listing of `symbol` asked for on `market` (None: the configured one), and
    /// Yahoo's ticker for it.
    fn remote(&self, symbol: &Symbol, market: Option<Listing>) -> (Listing, String) {
        let listing = symbol.home_listing().or(market).unwrap_or(self.market);
        let ticker = self
            .tickers
            .get(symbol)
            .cloned()
            .unwrap_or_else(|| symbol.yahoo_on(listing));
        (listing, ticker)
    }

    async fn bars_in(
        &self,
        market: Option<Listing>,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let symbol = Error::symbol(NAME, symbol)?;
        let (listing, remote) = self.remote(&symbol, market);
        let symbol = symbol.to_string();
        let interval = match timeframe {
            Timeframe::M1 => "1m",
            Timeframe::M5 => "5m",
            Timeframe::H1 => "60m",
            Timeframe::D1 => "1d",
        };
        let windows = windows(&symbol, timeframe, from, to, Utc::now())?;
        let mut parsed = Parsed {
            value: Vec::new(),
            skipped: Skipped::default(),
        };
        for (start, end) in windows {
            let (p1, p2) = (start.timestamp().to_string(), end.timestamp().to_string());
            let resp = self
                .get(
                    "chart",
                    &symbol,
                    &["v8", "finance", "chart", remote.as_str()],
                    &[
                        ("period1", &p1),
                        ("period2", &p2),
                        ("interval", interval),
                        ("includePrePost", "false"),
                        ("events", "div|split"),
                    ],
                )
                .await?;
            let page = parse_chart(&symbol, &resp.body)?;
            parsed.skipped.merge(page.skipped);
            parsed.value.extend(page.value);
        }
        if listing.exchange() == Exchange::Nse {
            parsed.value = in_sessions(parsed.value, listing, timeframe, &mut parsed.skipped);
        }
        parsed.skipped.warn(NAME, &symbol, "bars");
        Ok(wire::clip_bars(parsed.value, from, to))
    }

    /// The current session, doing the handshake when there is none (or `renew`).
    async fn session(&self, symbol: &str, renew: bool) -> Result<std::sync::Arc<Session>, Error> {
        let mut slot = self.session.lock().await;
        if let Some(s) = slot.as_ref().filter(|_| !renew) {
            return Ok(s.clone());
        }
        let url = http::url_on(&self.cookie_base, &[], &[]);
        let req = self
            .client
            .request("session", symbol, url, HeaderMap::new());
        // Any status: the cookie comes with a 404 page as often as with a 200.
        let warm = self.client.send(&req).await?;
        let cookie = warm.cookies().join("; ");
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.insert(header::COOKIE, v);
        }
        let url = self.client.url(&["v1", "test", "getcrumb"], &[]);
        let req = self.client.request("crumb", symbol, url, headers);
        let resp = self.client.get(&req, AUTH_HINT).await?;
        let crumb = String::from_utf8_lossy(&resp.body).trim().to_string();
        if crumb.is_empty() || crumb.starts_with(['<', '{']) || crumb.len() > 64 {
            return Err(Error::Auth {
                provider: NAME.into(),
                detail: format!(
                    "no crumb in the handshake answer ({}): {AUTH_HINT}",
                    http::head(&resp.body)
                ),
            });
        }
        let s = std::sync::Arc::new(Session { cookie, crumb });
        *slot = Some(s.clone());
        Ok(s)
    }

    /// GETs `segments` + `query` (+ crumb) with the session, renewing it once on a 401.
    async fn get(
        &self,
        what: &'static str,
        symbol: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Response, Error> {
        let mut renew = false;
        loop {
            let session = self.session(symbol, renew).await?;
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.push(("crumb", &session.crumb));
            let url = self.client.url(segments, &q);
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&session.cookie) {
                headers.insert(header::COOKIE, v);
            }
            let req: Request = self.client.request(what, symbol, url, headers);
            let resp = self.client.send(&req).await?;
            if resp.status == 401 && !renew {
                tracing::info!("yahoo: {symbol}: session refused; renewing the cookie and crumb");
                renew = true;
                continue;
            }
            self.client.check(&req, &resp, AUTH_HINT)?;
            return Ok(resp);
        }
    }
}

#[async_trait]
impl ChainProvider for Yahoo {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, _as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        // Yahoo spells indices `^SPX` and classes `BRK-B`; the answer is in optctl's.
        let symbol = Error::symbol(NAME, ticker)?;
        let remote = self.remote(&symbol, None).1;
        let ticker = symbol.to_string();
        let path = ["v7", "finance", "options", remote.as_str()];
        let first = self.get("options", &ticker, &path, &[]).await?;
        let page = parse_options(&ticker, &first.body)?;
        let mut skipped = page.skipped;
        let page = page.value;
        let mut contracts = page.contracts;
        let mut dates = page.expirations.clone();
        dates.sort_unstable();
        dates.dedup();
        let limit = if self.max_expirations == 0 {
            dates.len()
        } else {
            self.max_expirations
        };
        for date in dates.iter().take(limit) {
            if page.fetched_expiration == Some(*date) {
                continue;
            }
            let d = date.to_string();
            let resp = self.get("options", &ticker, &path, &[("date", &d)]).await?;
            let more = parse_options(&ticker, &resp.body)?;
            skipped.merge(more.skipped);
            contracts.extend(more.value.contracts);
        }
        skipped.warn(NAME, &ticker, "contracts");
        wire::sort_contracts(&mut contracts);
        Ok(ChainSnapshot {
            ticker,
            // The quote's own time (`regularMarketTime`), else when the answer arrived.
            as_of: page.quoted_at.unwrap_or(first.received_at),
            spot: page.spot,
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
impl BarProvider for Yahoo {
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
        self.bars_in(None, symbol, timeframe, from, to).await
    }

    async fn bars_on(
        &self,
        listing: Listing,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        self.bars_in(Some(listing), symbol, timeframe, from, to)
            .await
    }
}

/// One request's `[period1, period2)`.
pub type Window = (DateTime<Utc>, DateTime<Utc>);

/// The requests of `timeframe` bars of `[from, to)` at `now`. Intraday bars: windows of
/// at most what one request may span, oldest first, within what Yahoo keeps (1-minute:
/// the last 30 days, 7 a request; 5-minute: 60 days; 60-minute: 730 days). A range
/// reaching further back is cut at that limit (a warning says what is left out: a nightly
/// run after a long pause still stores what Yahoo has); one wholly before it is
/// [`Error::OutOfRange`], not a request Yahoo answers with a 422 that reads like an
/// unknown symbol. Daily bars: the range as asked.
pub fn windows(
    symbol: &str,
    timeframe: Timeframe,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Window>, Error> {
    let Some((history, window)) = history_limits(timeframe) else {
        return Ok(vec![(from, to)]);
    };
    let days = history.num_days();
    let (tf, longer) = match timeframe {
        Timeframe::M1 => ("1-minute", "5m or longer bars"),
        Timeframe::M5 => ("5-minute", "1h or daily bars"),
        _ => ("60-minute", "daily bars"),
    };
    // A few minutes inside Yahoo's limit, which it counts from its own clock.
    let limit = now - history + TimeDelta::minutes(5);
    if to <= limit {
        return Err(Error::OutOfRange {
            provider: NAME.into(),
            symbol: symbol.into(),
            timeframe,
            limit,
            detail: format!(
                "Yahoo keeps {tf} bars for the last {days} days and the range ends {to}; \
                 ask for {longer}, or a range within the last {days} days"
            ),
        });
    }
    let mut start = from;
    if start < limit {
        tracing::warn!(
            "{NAME}: {symbol}: {tf} bars start {limit} (Yahoo keeps the last {days} days); \
             {from} to {limit} is left out"
        );
        start = limit;
    }
    let mut out = Vec::new();
    while start < to {
        let end = (start + window).min(to);
        out.push((start, end));
        start = end;
    }
    Ok(out)
}

/// [`windows`] of 1-minute bars.
pub fn minute_windows(
    symbol: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Window>, Error> {
    windows(symbol, Timeframe::M1, from, to, now)
}

/// The bars of `bars` inside `listing`'s sessions: an intraday bar must open while the
/// market is open, a daily bar on a trading day. The rest are skipped and counted.
pub fn in_sessions(
    bars: Vec<Bar>,
    listing: Listing,
    timeframe: Timeframe,
    skipped: &mut Skipped,
) -> Vec<Bar> {
    let cal = listing.calendar();
    bars.into_iter()
        .filter(|b| {
            let inside = timeframe.in_session(cal, b.time);
            if !inside {
                skipped.add(|| format!("{}: outside the {listing} sessions", b.time));
            }
            inside
        })
        .collect()
}

/// One v7 options page, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsPage {
    pub spot: f64,
    /// The underlying quote's time, `quote.regularMarketTime` (epoch seconds).
    pub quoted_at: Option<DateTime<Utc>>,
    /// Every listed expiration, epoch seconds (00:00 UTC of the expiry date).
    pub expirations: Vec<i64>,
    /// The expiration this page holds, when it holds one.
    pub fetched_expiration: Option<i64>,
    pub contracts: Vec<OptionQuote>,
}

#[derive(Deserialize)]
struct OptionsEnvelope {
    #[serde(rename = "optionChain")]
    option_chain: Option<Envelope<OptionsResult>>,
    finance: Option<Envelope<serde_json::Value>>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    result: Option<Vec<T>>,
    error: Option<YahooError>,
}

#[derive(Deserialize)]
struct YahooError {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptionsResult {
    #[serde(default)]
    expiration_dates: Vec<i64>,
    quote: Option<Quote>,
    #[serde(default)]
    options: Vec<OptionSet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Quote {
    regular_market_price: Option<f64>,
    regular_market_previous_close: Option<f64>,
    regular_market_time: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptionSet {
    expiration_date: Option<i64>,
    #[serde(default)]
    calls: Vec<Option<Row>>,
    #[serde(default)]
    puts: Vec<Option<Row>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    contract_symbol: Option<String>,
    bid: Option<f64>,
    ask: Option<f64>,
    last_price: Option<f64>,
    volume: Option<f64>,
    open_interest: Option<f64>,
    implied_volatility: Option<f64>,
}

fn yahoo_error(ticker: &str, e: Option<YahooError>) -> Option<Error> {
    let e = e?;
    let code = e.code.unwrap_or_default();
    let description = e.description.unwrap_or_default();
    Some(match code.as_str() {
        "Not Found" | "NotFound" => Error::unknown(NAME, ticker),
        "Unauthorized" => Error::Auth {
            provider: NAME.into(),
            detail: format!("{description}: {AUTH_HINT}"),
        },
        _ => Error::malformed(
            NAME,
            ticker,
            format!("Yahoo answered error {code:?}: {description}"),
        ),
    })
}

/// Parses one v7 `options` page. Rows without a readable OCC symbol are skipped and
/// counted. IVs of rows with no bid and no ask are Yahoo's placeholders and dropped.
pub fn parse_options(ticker: &str, body: &[u8]) -> Result<Parsed<OptionsPage>, Error> {
    let env: OptionsEnvelope = wire::parse_json(NAME, ticker, "options", body)?;
    let unknown = || Error::unknown(NAME, ticker);
    // Yahoo reports some failures under `finance` instead of `optionChain`.
    if let Some(e) = env.finance.and_then(|f| yahoo_error(ticker, f.error)) {
        return Err(e);
    }
    let chain = env.option_chain.ok_or_else(|| Error::Malformed {
        provider: NAME.into(),
        symbol: ticker.into(),
        detail: format!(
            "no \"optionChain\" in the answer; it starts {}",
            http::head(body)
        ),
    })?;
    if let Some(e) = yahoo_error(ticker, chain.error) {
        return Err(e);
    }
    let result = chain
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or_else(unknown)?;
    let quote = result.quote.ok_or_else(unknown)?;
    let spot = [
        quote.regular_market_price,
        quote.regular_market_previous_close,
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_finite() && *p > 0.0)
    .ok_or_else(|| {
        Error::malformed(
            NAME,
            ticker,
            "no underlying price (quote.regularMarketPrice)",
        )
    })?;
    if result.expiration_dates.is_empty() && result.options.is_empty() {
        return Err(unknown());
    }
    let mut skipped = Skipped::default();
    let mut contracts = Vec::new();
    let mut fetched_expiration = None;
    for set in result.options {
        fetched_expiration = fetched_expiration.or(set.expiration_date);
        for (side, rows) in [("calls", set.calls), ("puts", set.puts)] {
            for (i, row) in rows.into_iter().enumerate() {
                let Some(row) = row else {
                    skipped.add(|| format!("{side}[{i}] is null"));
                    continue;
                };
                let place = || format!("{side}[{i}]");
                let Some(occ) = wire::occ(row.contract_symbol.as_deref(), place, &mut skipped)
                else {
                    continue;
                };
                // With no bid and no ask, Yahoo's IV is a placeholder.
                let quoted = wire::price(row.bid) > 0.0 || wire::price(row.ask) > 0.0;
                let raw = wire::RawQuote {
                    bid: row.bid,
                    ask: row.ask,
                    last: row.last_price,
                    volume: row.volume,
                    open_interest: row.open_interest,
                    source_iv: wire::source_iv(row.implied_volatility, false).filter(|_| quoted),
                    source_greeks: Default::default(),
                    quoted_at: None,
                };
                contracts.push(raw.quote(&occ));
            }
        }
    }
    Ok(Parsed {
        value: OptionsPage {
            spot,
            quoted_at: quote
                .regular_market_time
                .and_then(|t| wire::from_epoch(t, EpochUnit::Seconds)),
            expirations: result.expiration_dates,
            fetched_expiration,
            contracts,
        },
        skipped,
    })
}

#[derive(Deserialize)]
struct ChartEnvelope {
    chart: Option<Envelope<ChartResult>>,
}

#[derive(Deserialize)]
struct ChartResult {
    #[serde(default)]
    timestamp: Vec<Option<i64>>,
    indicators: Option<Indicators>,
}

#[derive(Deserialize)]
struct Indicators {
    #[serde(default)]
    quote: Vec<Series>,
}

#[derive(Deserialize, Default)]
struct Series {
    #[serde(default)]
    open: Vec<Option<f64>>,
    #[serde(default)]
    high: Vec<Option<f64>>,
    #[serde(default)]
    low: Vec<Option<f64>>,
    #[serde(default)]
    close: Vec<Option<f64>>,
    #[serde(default)]
    volume: Vec<Option<f64>>,
}

/// Parses a v8 `chart` answer into bars (each opening at its epoch-seconds timestamp).
/// Entries with a `null` price (holidays, the candle still forming) are skipped and
/// counted; no rows at all (`timestamp` absent, `quote: [{}]`) is an empty list.
pub fn parse_chart(symbol: &str, body: &[u8]) -> Result<Parsed<Vec<Bar>>, Error> {
    let env: ChartEnvelope = wire::parse_json(NAME, symbol, "chart", body)?;
    let chart = env.chart.ok_or_else(|| {
        Error::malformed(
            NAME,
            symbol,
            format!("no \"chart\" in the answer; it starts {}", http::head(body)),
        )
    })?;
    if let Some(e) = yahoo_error(symbol, chart.error) {
        return Err(e);
    }
    let result = chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| Error::unknown(NAME, symbol))?;
    let series = result
        .indicators
        .and_then(|i| i.quote.into_iter().next())
        .unwrap_or_default();
    let at = |v: &Vec<Option<f64>>, i: usize| v.get(i).copied().flatten();
    let mut skipped = Skipped::default();
    let mut bars = Vec::with_capacity(result.timestamp.len());
    for (i, ts) in result.timestamp.iter().enumerate() {
        let Some(time) = ts.and_then(|t| wire::from_epoch(t, EpochUnit::Seconds)) else {
            skipped.add(|| format!("timestamp[{i}] is null"));
            continue;
        };
        match wire::bar(
            time,
            at(&series.open, i),
            at(&series.high, i),
            at(&series.low, i),
            at(&series.close, i),
            at(&series.volume, i),
        ) {
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

    #[test]
    fn one_minute_bars_are_asked_for_seven_days_at_a_time_within_the_last_thirty() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let now = t("2026-12-05T08:00:00Z");
        // 17 days: 7 + 7 + 3, oldest first, end to end.
        let w = minute_windows(
            "RELIANCE",
            t("2026-11-16T00:00:00Z"),
            t("2026-12-03T00:00:00Z"),
            now,
        )
        .unwrap();
        assert_eq!(
            w,
            [
                (t("2026-11-16T00:00:00Z"), t("2026-11-23T00:00:00Z")),
                (t("2026-11-23T00:00:00Z"), t("2026-11-30T00:00:00Z")),
                (t("2026-11-30T00:00:00Z"), t("2026-12-03T00:00:00Z")),
            ]
        );
        // A range reaching back past the 30 days starts at their limit.
        let w = minute_windows("RELIANCE", t("2026-10-01T00:00:00Z"), now, now).unwrap();
        assert_eq!(w[0].0, t("2026-11-05T08:05:00Z"));
        assert_eq!(w.last().unwrap().1, now);
        assert!(w.iter().all(|(a, b)| *b - *a <= MINUTE_WINDOW));
        // One wholly before them: a clear error, not a request Yahoo refuses.
        let e = minute_windows(
            "RELIANCE",
            t("2026-10-01T00:00:00Z"),
            t("2026-10-20T00:00:00Z"),
            now,
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::OutOfRange { .. }) && !e.is_retryable(),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("yahoo: no 1m bars of RELIANCE before 2026-11-05 08:05:00 UTC")
                && msg.contains("last 30 days"),
            "{msg}"
        );
        // An empty range asks nothing.
        assert!(minute_windows("X", now, now, now).unwrap().is_empty());
    }

    #[test]
    fn five_and_sixty_minute_bars_are_asked_for_only_within_what_yahoo_keeps() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let now = t("2026-12-05T08:00:00Z");
        // 5-minute: 40 days in one request; a range from a year ago starts 60 days back.
        let w = windows("AAPL", Timeframe::M5, t("2026-10-26T00:00:00Z"), now, now).unwrap();
        assert_eq!(w, [(t("2026-10-26T00:00:00Z"), now)]);
        let w = windows("AAPL", Timeframe::M5, t("2025-12-01T00:00:00Z"), now, now).unwrap();
        assert_eq!(w, [(t("2026-10-06T08:05:00Z"), now)]);
        let e = windows(
            "AAPL",
            Timeframe::M5,
            t("2026-08-01T00:00:00Z"),
            t("2026-09-01T00:00:00Z"),
            now,
        )
        .unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("no 5m bars of AAPL") && msg.contains("last 60 days"),
            "{msg}"
        );
        // 60-minute: two years; daily: anything.
        let w = windows("AAPL", Timeframe::H1, t("2020-01-01T00:00:00Z"), now, now).unwrap();
        assert_eq!(w, [(t("2024-12-05T08:05:00Z"), now)]);
        let old = (t("2001-01-01T00:00:00Z"), t("2002-01-01T00:00:00Z"));
        assert!(matches!(
            windows("AAPL", Timeframe::H1, old.0, old.1, now),
            Err(Error::OutOfRange { .. })
        ));
        assert_eq!(
            windows("AAPL", Timeframe::D1, old.0, old.1, now).unwrap(),
            [old]
        );
    }
    use crate::market::Right;

    const PAGE: &[u8] = include_bytes!("../../fixtures/providers/yahoo/options-AAPL.json");
    const CHART: &[u8] = include_bytes!("../../fixtures/providers/yahoo/chart-AAPL-1d.json");

    #[test]
    fn parses_an_options_page_with_omitted_fields_and_placeholders() {
        let page = parse_options("AAPL", PAGE).unwrap();
        assert_eq!(page.skipped.count, 1);
        let p = page.value;
        assert_eq!(p.spot, 172.79);
        assert_eq!(p.expirations, [1797552000, 1799971200, 1802995200]);
        assert_eq!(p.fetched_expiration, Some(1797552000));
        let call = p
            .contracts
            .iter()
            .find(|c| c.symbol == "AAPL261218C00175000")
            .unwrap();
        assert_eq!(call.right, Right::Call);
        assert_eq!(call.expiry.to_string(), "2026-12-18");
        assert_eq!(call.strike, 175.0);
        assert_eq!(call.volume, 2600);
        assert_eq!(call.source_iv, Some(0.2672));
        // `volume` and `bid` omitted: zero, and a one-sided quote keeps its IV.
        let thin = p
            .contracts
            .iter()
            .find(|c| c.symbol == "AAPL261218C00207500")
            .unwrap();
        assert_eq!((thin.volume, thin.bid), (0, 0.0));
        assert_eq!(thin.source_iv, Some(0.500005));
        // No bid and no ask: the IV is a placeholder and dropped.
        let dead = p
            .contracts
            .iter()
            .find(|c| c.symbol == "AAPL261218C00070000")
            .unwrap();
        assert_eq!(dead.source_iv, None);
    }

    #[test]
    fn an_unknown_symbol_or_an_error_envelope_is_classified() {
        let empty = br#"{"optionChain":{"result":[],"error":null}}"#;
        assert!(matches!(
            parse_options("ZZZZ", empty),
            Err(Error::UnknownSymbol { .. })
        ));
        let crumb = br#"{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}"#;
        let e = parse_options("AAPL", crumb).unwrap_err();
        assert!(matches!(e, Error::Auth { .. }), "{e}");
        let gone = br#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;
        assert!(matches!(
            parse_chart("ZZZZ", gone),
            Err(Error::UnknownSymbol { .. })
        ));
    }

    #[test]
    fn chart_bars_skip_nulls_and_open_at_the_session_open() {
        let got = parse_chart("AAPL", CHART).unwrap();
        assert_eq!(got.skipped.count, 1);
        let bars = got.value;
        assert_eq!(bars.len(), 4);
        assert_eq!(bars[0].time.to_rfc3339(), "2026-11-16T14:30:00+00:00");
        assert_eq!(bars[0].open, 170.05999755859375);
        assert_eq!(bars[0].volume, 51480400);
        assert!(bars.windows(2).all(|w| w[0].time < w[1].time));
    }

    #[test]
    fn nse_bars_keep_to_nse_sessions() {
        const NS: &[u8] =
            include_bytes!("../../fixtures/providers/yahoo/chart-RELIANCE.NS-5m.json");
        let mut got = parse_chart("RELIANCE", NS).unwrap();
        // The candle still forming (nulls) is skipped by the parser.
        assert_eq!((got.value.len(), got.skipped.count), (11, 1));
        let bars = in_sessions(got.value, Listing::Nse, Timeframe::M5, &mut got.skipped);
        // Yahoo's 15:30 closing print and the row on Tuesday's holiday are dropped.
        assert_eq!(got.skipped.count, 3);
        let ist = |b: &Bar| {
            b.time
                .with_timezone(&chrono_tz::Asia::Kolkata)
                .format("%a %H:%M")
                .to_string()
        };
        let times: Vec<String> = bars.iter().map(ist).collect();
        assert_eq!(
            times,
            [
                "Mon 09:15",
                "Mon 09:20",
                "Mon 09:25",
                "Mon 09:30",
                "Mon 09:35",
                "Mon 09:40",
                "Mon 15:20",
                "Mon 15:25",
                "Wed 09:15"
            ]
        );
        assert_eq!(bars[0].time.to_rfc3339(), "2026-11-23T03:45:00+00:00");
        assert_eq!(bars[0].volume, 412345);
        // The same rows on a US listing are left as Yahoo sent them.
        let us = parse_chart("RELIANCE", NS).unwrap().value;
        let mut none = Skipped::default();
        assert_eq!(
            in_sessions(us, Listing::Nse, Timeframe::D1, &mut none).len(),
            10,
            "daily: only the holiday row goes"
        );
    }

    #[test]
    fn the_listing_picks_the_yahoo_ticker_and_config_overrides_it() {
        let mut cfg = YahooConfig::default();
        cfg.tickers
            .insert(Symbol::parse("TATAMOTORS").unwrap(), "TATAMOTORS.BO".into());
        let y = Yahoo::new(&cfg, &http::HttpConfig::default(), &Hooks::default()).unwrap();
        let s = |t: &str| Symbol::parse(t).unwrap();
        assert_eq!(
            y.remote(&s("RELIANCE"), None),
            (Listing::Us, "RELIANCE".into())
        );
        assert_eq!(
            y.remote(&s("RELIANCE"), Some(Listing::Nse)),
            (Listing::Nse, "RELIANCE.NS".into())
        );
        assert_eq!(
            y.remote(&s("RELIANCE"), Some(Listing::Bse)).1,
            "RELIANCE.BO"
        );
        assert_eq!(y.remote(&s("NIFTY"), None), (Listing::Nse, "^NSEI".into()));
        assert_eq!(y.remote(&s("BANKNIFTY"), Some(Listing::Us)).1, "^NSEBANK");
        assert_eq!(
            y.remote(&s("TATAMOTORS"), Some(Listing::Nse)).1,
            "TATAMOTORS.BO"
        );
        let nse = YahooConfig {
            market: Listing::Nse,
            ..YahooConfig::default()
        };
        let y = Yahoo::new(&nse, &http::HttpConfig::default(), &Hooks::default()).unwrap();
        assert_eq!(y.remote(&s("INFY"), None).1, "INFY.NS");
        assert_eq!(y.remote(&s("INFY"), Some(Listing::Us)).1, "INFY");
        let bad = YahooConfig {
            tickers: [(s("X"), "A B".to_string())].into(),
            ..YahooConfig::default()
        };
        assert!(
            bad.check()
                .unwrap_err()
                .contains("provider.yahoo.tickers.X")
        );
    }

    #[test]
    fn no_rows_is_an_empty_list() {
        let body = br#"{"chart":{"result":[{"meta":{"symbol":"TSLA"},"indicators":{"quote":[{}]}}],"error":null}}"#;
        let got = parse_chart("TSLA", body).unwrap();
        assert!(got.value.is_empty());
        assert_eq!(got.skipped.count, 0);
    }
}
