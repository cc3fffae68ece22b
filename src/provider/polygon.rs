//! `polygon`: Polygon.io (now Massive). Chains from the v3 options snapshot, paginated
//! through `next_url`; bars from v2 aggregates. Needs an API key, sent as a bearer token
//! (never in a URL, so it cannot reach a log line or a saved capture).
//! Shapes and quirks (`O:` prefixes; snapshot times in ns, aggregate
//! `t` in ms with daily bars at midnight New York; `v` a float; `results` omitted when
//! empty; any snapshot sub-object may be missing).

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Secret};
use super::wire::{self, EpochUnit, Parsed, Skipped};
use super::{BarProvider, ChainProvider, Error, Hooks, KeySetting};
use crate::market::{
    Bar, Calendar, ChainSnapshot, Exchange, Exercise, OptionQuote, SourceGreeks, Timeframe,
};

pub const NAME: &str = "polygon";
/// The free plan's limit: 5 requests a minute (paid plans: raise it in
/// `[resilience.providers.polygon.limiter]`).
pub const DEFAULT_RATE: RateSpec = RateSpec::per_minute(5);
/// The environment variable holding the key (wins over the config file).
pub const KEY_ENV: &str = "OPTCTL_POLYGON_API_KEY";
const AUTH_HINT: &str = "check the API key (set OPTCTL_POLYGON_API_KEY or [provider.polygon] \
     api_key); a 403 can also mean the plan does not include this data";
/// Pages followed at most for one chain or one bar range.
const MAX_PAGES: usize = 400;

/// `[provider.polygon]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolygonConfig {
    /// Scheme, host and port (`https://api.polygon.io`, or `https://api.massive.com`).
    pub base_url: String,
    /// The API key; `OPTCTL_POLYGON_API_KEY` overrides it.
    pub api_key: Option<Secret>,
    /// Contracts per snapshot page (at most 250).
    pub page_limit: u32,
    pub risk_free_rate: f64,
}

impl Default for PolygonConfig {
    fn default() -> Self {
        PolygonConfig {
            base_url: "https://api.polygon.io".into(),
            api_key: None,
            page_limit: 250,
            risk_free_rate: 0.045,
        }
    }
}

/// The Polygon source (chains and bars).
pub struct Polygon {
    client: Client,
    headers: HeaderMap,
    page_limit: u32,
    rate: f64,
}

impl Polygon {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`. Errors
    /// (exit 2) when there is no API key, naming both places to set one.
    pub fn new(
        cfg: &PolygonConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let setting = KeySetting {
            what: "an API key",
            env: KEY_ENV,
            key: "api_key",
        };
        let (client, headers) = hooks.bearer_client(
            NAME,
            &cfg.base_url,
            DEFAULT_RATE,
            http_cfg,
            cfg.api_key.as_ref(),
            &setting,
        )?;
        Ok(Polygon {
            client,
            headers,
            page_limit: cfg.page_limit.clamp(1, 250),
            rate: cfg.risk_free_rate,
        })
    }

    /// Follows `next_url` from `first`, calling `page` on each body, on the configured base
    /// (a `next_url` naming another host is re-pointed at it).
    async fn pages(
        &self,
        what: &'static str,
        symbol: &str,
        first: http::Url,
        mut page: impl FnMut(&http::Response) -> Result<Option<String>, Error>,
    ) -> Result<DateTime<Utc>, Error> {
        let mut url = first;
        let mut seen = std::collections::HashSet::new();
        let mut first_received = None;
        for _ in 0..MAX_PAGES {
            let req = self
                .client
                .request(what, symbol, url.clone(), self.headers.clone());
            let resp = self.client.get(&req, AUTH_HINT).await?;
            first_received.get_or_insert(resp.received_at);
            let Some(next) = page(&resp)? else {
                return Ok(first_received.unwrap_or(resp.received_at));
            };
            let next_url = self.follow(symbol, &next)?;
            if !seen.insert(http::path_and_query(&next_url)) {
                return Err(Error::malformed(
                    NAME,
                    symbol,
                    format!("next_url repeats itself ({next})"),
                ));
            }
            url = next_url;
        }
        Err(Error::malformed(
            NAME,
            symbol,
            format!("more than {MAX_PAGES} pages of {what}"),
        ))
    }

    fn follow(&self, symbol: &str, next: &str) -> Result<http::Url, Error> {
        let base = self.client.url(&[], &[]);
        let parsed = http::Url::parse(next)
            .or_else(|_| base.join(next))
            .map_err(|e| {
                Error::malformed(NAME, symbol, format!("next_url {next:?} is not a URL: {e}"))
            })?;
        let mut url = base;
        url.set_path(parsed.path());
        url.set_query(parsed.query());
        Ok(url)
    }

    /// The previous session's close, for chains whose snapshot lacks the underlying.
    async fn previous_close(&self, ticker: &str) -> Result<f64, Error> {
        let url = self.client.url(
            &["v2", "aggs", "ticker", ticker, "prev"],
            &[("adjusted", "true")],
        );
        let req = self
            .client
            .request("prev", ticker, url, self.headers.clone());
        let resp = self.client.get(&req, AUTH_HINT).await?;
        let page = parse_aggs(ticker, &resp.body, Timeframe::D1)?;
        page.value
            .bars
            .last()
            .map(|b| b.close)
            .ok_or_else(|| Error::unknown(NAME, ticker))
    }
}

#[async_trait]
impl ChainProvider for Polygon {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, _as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let ticker = Error::symbol(NAME, ticker)?.to_string();
        let limit = self.page_limit.to_string();
        let first = self.client.url(
            &["v3", "snapshot", "options", ticker.as_str()],
            &[("limit", limit.as_str())],
        );
        let mut contracts = Vec::new();
        let mut skipped = Skipped::default();
        let mut spot: Option<(f64, Option<DateTime<Utc>>)> = None;
        let mut exercise = None;
        let received = self
            .pages("snapshot", &ticker, first, |resp| {
                let page = parse_snapshot(&ticker, &resp.body)?;
                skipped.merge(page.skipped);
                let page = page.value;
                contracts.extend(page.contracts);
                exercise = exercise.or(page.exercise);
                if let Some(p) = page.underlying {
                    // The freshest underlying print wins.
                    if spot.is_none_or(|(_, t)| p.1 > t) {
                        spot = Some(p);
                    }
                }
                Ok(page.next_url)
            })
            .await?;
        if contracts.is_empty() {
            return Err(Error::unknown(NAME, &ticker));
        }
        skipped.warn(NAME, &ticker, "contracts");
        // The quotes' own clock: the underlying's print time, else the latest contract
        // quote, else when the answer arrived.
        let latest_quote = contracts.iter().filter_map(|c| c.quoted_at).max();
        let (spot, as_of) = match spot {
            Some((price, at)) => (price, at.or(latest_quote).unwrap_or(received)),
            None => (
                self.previous_close(&ticker).await?,
                latest_quote.unwrap_or(received),
            ),
        };
        wire::sort_contracts(&mut contracts);
        Ok(ChainSnapshot {
            ticker,
            as_of,
            spot,
            rate: self.rate,
            dividend_yield: 0.0,
            multiplier: 100.0,
            exchange: Exchange::Us,
            exercise,
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts,
        })
    }
}

#[async_trait]
impl BarProvider for Polygon {
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
        // Hourly bars are built from 30-minute ones so they start at 09:30 like Yahoo's;
        // Polygon's own hours are clock-aligned and include extended hours.
        let (mult, span) = match timeframe {
            Timeframe::M1 => ("1", "minute"),
            Timeframe::M5 => ("5", "minute"),
            Timeframe::H1 => ("30", "minute"),
            Timeframe::D1 => ("1", "day"),
        };
        // A daily bar is stamped at midnight New York: start the range a day early.
        let start = (from - TimeDelta::days(1)).timestamp_millis().to_string();
        let end = to.timestamp_millis().to_string();
        let first = self.client.url(
            &[
                "v2",
                "aggs",
                "ticker",
                symbol.as_str(),
                "range",
                mult,
                span,
                &start,
                &end,
            ],
            &[("adjusted", "true"), ("sort", "asc"), ("limit", "50000")],
        );
        let mut bars = Vec::new();
        let mut skipped = Skipped::default();
        self.pages("aggs", &symbol, first, |resp| {
            let page = parse_aggs(&symbol, &resp.body, timeframe)?;
            skipped.merge(page.skipped);
            bars.extend(page.value.bars);
            Ok(page.value.next_url)
        })
        .await?;
        skipped.warn(NAME, &symbol, "bars");
        let bars = match timeframe {
            Timeframe::D1 => bars,
            Timeframe::H1 => wire::hourly_from_intraday(&bars),
            Timeframe::M1 | Timeframe::M5 => bars
                .into_iter()
                .filter(|b| Calendar::nyse().is_open(b.time))
                .collect(),
        };
        Ok(wire::clip_bars(bars, from, to))
    }
}

/// One snapshot page, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotPage {
    pub contracts: Vec<OptionQuote>,
    /// The underlying's price and when it was taken, from the freshest result carrying one.
    pub underlying: Option<(f64, Option<DateTime<Utc>>)>,
    /// The contracts' `details.exercise_style`, from the first result giving one.
    pub exercise: Option<Exercise>,
    pub next_url: Option<String>,
}

#[derive(Deserialize)]
struct Snapshot {
    #[serde(default)]
    results: Vec<Option<SnapResult>>,
    next_url: Option<String>,
    status: Option<String>,
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SnapResult {
    details: Option<Details>,
    last_quote: Option<LastQuote>,
    last_trade: Option<LastTrade>,
    day: Option<Day>,
    implied_volatility: Option<f64>,
    greeks: Option<Greeks>,
    open_interest: Option<f64>,
    underlying_asset: Option<Underlying>,
}

#[derive(Deserialize)]
struct Greeks {
    delta: Option<f64>,
    gamma: Option<f64>,
}

#[derive(Deserialize)]
struct Details {
    ticker: Option<String>,
    exercise_style: Option<String>,
}

#[derive(Deserialize)]
struct LastQuote {
    bid: Option<f64>,
    ask: Option<f64>,
    last_updated: Option<i64>,
}

#[derive(Deserialize)]
struct LastTrade {
    price: Option<f64>,
}

#[derive(Deserialize)]
struct Day {
    close: Option<f64>,
    volume: Option<f64>,
}

#[derive(Deserialize)]
struct Underlying {
    price: Option<f64>,
    last_updated: Option<i64>,
}

fn status_error(ticker: &str, status: Option<&str>, message: Option<String>) -> Option<Error> {
    match status? {
        "NOT_FOUND" => Some(Error::unknown(NAME, ticker)),
        "ERROR" | "NOT_AUTHORIZED" => Some(Error::Malformed {
            provider: NAME.into(),
            symbol: ticker.into(),
            detail: format!(
                "Polygon answered status ERROR: {}",
                message.unwrap_or_else(|| "(no message)".into())
            ),
        }),
        _ => None,
    }
}

/// Parses one v3 options snapshot page. Results without a readable `details.ticker` are
/// skipped and counted; `last_quote`, `last_trade`, `day` and `underlying_asset` may each
/// be missing (no bid/ask, last = the day's close, no volume, no spot on this page).
pub fn parse_snapshot(ticker: &str, body: &[u8]) -> Result<Parsed<SnapshotPage>, Error> {
    let page: Snapshot = wire::parse_json(NAME, ticker, "options snapshot", body)?;
    if let Some(e) = status_error(ticker, page.status.as_deref(), page.error.or(page.message)) {
        return Err(e);
    }
    let mut skipped = Skipped::default();
    let mut contracts = Vec::with_capacity(page.results.len());
    let mut underlying: Option<(f64, Option<DateTime<Utc>>)> = None;
    let mut exercise = None;
    for (i, r) in page.results.into_iter().enumerate() {
        let Some(r) = r else {
            skipped.add(|| format!("results[{i}] is null"));
            continue;
        };
        if let Some(u) = &r.underlying_asset
            && let Some(p) = u.price.filter(|p| p.is_finite() && *p > 0.0)
        {
            let at = u
                .last_updated
                .and_then(|t| wire::from_epoch(t, EpochUnit::Nanos));
            if underlying.is_none_or(|(_, t)| at > t) {
                underlying = Some((p, at));
            }
        }
        let details = r.details.unwrap_or(Details {
            ticker: None,
            exercise_style: None,
        });
        match details.exercise_style.as_deref() {
            Some("american") => exercise = exercise.or(Some(Exercise::American)),
            Some("european") => exercise = exercise.or(Some(Exercise::European)),
            _ => {}
        }
        let symbol = details.ticker;
        let Some(occ) = wire::occ(symbol.as_deref(), || format!("results[{i}]"), &mut skipped)
        else {
            continue;
        };
        let (bid, ask, quoted_at) = r.last_quote.map_or((None, None, None), |q| {
            let at = q
                .last_updated
                .and_then(|t| wire::from_epoch(t, EpochUnit::Nanos));
            (q.bid, q.ask, at)
        });

        let raw = wire::RawQuote {
            bid,
            ask,
            last: r
                .last_trade
                .and_then(|t| t.price)
                .or(r.day.as_ref().and_then(|d| d.close)),
            volume: r.day.and_then(|d| d.volume),
            open_interest: r.open_interest,
            source_iv: wire::source_iv(r.implied_volatility, false),
            source_greeks: r
                .greeks
                .map_or_else(SourceGreeks::default, |g| SourceGreeks {
                    delta: wire::source_greek(g.delta),
                    gamma: wire::source_greek(g.gamma),
                    theo: None,
                }),
            quoted_at,
        };
        contracts.push(raw.quote(&occ));
    }
    Ok(Parsed {
        value: SnapshotPage {
            contracts,
            underlying,
            exercise,
            next_url: page.next_url.filter(|u| !u.is_empty()),
        },
        skipped,
    })
}

/// One aggregates page, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct AggsPage {
    pub bars: Vec<Bar>,
    pub next_url: Option<String>,
}

#[derive(Deserialize)]
struct Aggs {
    #[serde(default)]
    results: Vec<Option<Agg>>,
    next_url: Option<String>,
    status: Option<String>,
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Agg {
    t: Option<i64>,
    o: Option<f64>,
    h: Option<f64>,
    l: Option<f64>,
    c: Option<f64>,
    v: Option<f64>,
}

/// Parses one v2 aggregates page. `t` is epoch ms; a daily bar's `t` (midnight New
/// York) becomes that session's 09:30 open. `results` omitted = no bars. Entries with a
/// missing time or price are skipped and counted.
pub fn parse_aggs(
    symbol: &str,
    body: &[u8],
    timeframe: Timeframe,
) -> Result<Parsed<AggsPage>, Error> {
    let page: Aggs = wire::parse_json(NAME, symbol, "aggregates", body)?;
    if let Some(e) = status_error(symbol, page.status.as_deref(), page.error.or(page.message)) {
        return Err(e);
    }
    let mut skipped = Skipped::default();
    let mut bars = Vec::with_capacity(page.results.len());
    for (i, a) in page.results.into_iter().enumerate() {
        let Some(a) = a else {
            skipped.add(|| format!("results[{i}] is null"));
            continue;
        };
        let Some(t) = a.t.and_then(|t| wire::from_epoch(t, EpochUnit::Millis)) else {
            skipped.add(|| format!("results[{i}] has no time"));
            continue;
        };
        let time = match timeframe {
            Timeframe::D1 => {
                let nyse = Calendar::nyse();
                nyse.open_on(nyse.local_date(t))
            }
            _ => t,
        };
        match wire::bar(time, a.o, a.h, a.l, a.c, a.v) {
            Ok(b) => bars.push(b),
            Err(why) => skipped.add(|| format!("results[{i}]: {why}")),
        }
    }
    Ok(Parsed {
        value: AggsPage {
            bars,
            next_url: page.next_url.filter(|u| !u.is_empty()),
        },
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE1: &[u8] = include_bytes!("../../fixtures/providers/polygon/snapshot-AAPL-1.json");
    const PAGE2: &[u8] = include_bytes!("../../fixtures/providers/polygon/snapshot-AAPL-2.json");
    const AGGS: &[u8] = include_bytes!("../../fixtures/providers/polygon/aggs-AAPL-1d.json");

    #[test]
    fn snapshot_pages_strip_prefixes_and_carry_the_cursor() {
        let p1 = parse_snapshot("AAPL", PAGE1).unwrap();
        assert_eq!(p1.skipped.count, 1);
        let p1 = p1.value;
        assert!(p1.next_url.as_deref().unwrap().contains("cursor="));
        let c = &p1.contracts[0];
        assert_eq!(c.symbol, "AAPL261218C00150000");
        assert_eq!((c.bid, c.ask), (22.75, 23.7));
        assert_eq!(c.open_interest, 7049);
        assert_eq!(c.source_iv, Some(0.3229662539454244));
        assert_eq!(c.source_greeks.delta, Some(0.9573));
        assert_eq!(c.source_greeks.gamma, Some(0.0062));
        // The underlying's time is in nanoseconds.
        let (spot, at) = p1.underlying.unwrap();
        assert_eq!(spot, 172.5);
        assert_eq!(
            at.unwrap().to_rfc3339(),
            "2026-11-23T14:59:30.172073152+00:00"
        );
        let p2 = parse_snapshot("AAPL", PAGE2).unwrap().value;
        assert_eq!(p2.next_url, None);
        // No last_quote: no bid or ask; no last_trade: last = the day's close.
        let bare = p2
            .contracts
            .iter()
            .find(|c| c.symbol == "AAPL270115P00160000")
            .unwrap();
        assert_eq!((bare.bid, bare.ask, bare.last), (0.0, 0.0, 4.1));
        assert_eq!(bare.source_iv, None);
        assert!(bare.source_greeks.is_empty());
    }

    #[test]
    fn daily_aggregates_open_at_the_session_open() {
        let got = parse_aggs("AAPL", AGGS, Timeframe::D1).unwrap();
        assert_eq!(got.skipped.count, 1);
        let bars = got.value.bars;
        assert_eq!(bars.len(), 3);
        // t = midnight New York in ms; the bar opens 09:30 New York.
        assert_eq!(bars[0].time.to_rfc3339(), "2026-11-18T14:30:00+00:00");
        assert_eq!(bars[0].volume, 95595226);
        let none = br#"{"ticker":"AAPL","queryCount":0,"resultsCount":0,"adjusted":true,"status":"OK","request_id":"x"}"#;
        assert!(
            parse_aggs("AAPL", none, Timeframe::D1)
                .unwrap()
                .value
                .bars
                .is_empty()
        );
    }

    #[test]
    fn status_not_found_is_an_unknown_symbol() {
        let body = br#"{"status":"NOT_FOUND","request_id":"x","message":"Ticker not found."}"#;
        assert!(matches!(
            parse_snapshot("ZZZZ", body),
            Err(Error::UnknownSymbol { .. })
        ));
    }
}
