//! `upstox`: Upstox's API v2, an Indian broker's market data (free for its users). Chains
//! from `/v2/option/chain` (one request per expiry, each row a strike with its call and put,
//! Upstox's own IV in percent and its greeks); bars from `/v2/historical-candle` (1-minute
//! candles merged into 5-minute bars, 30-minute candles into session hours, daily candles),
//! plus `/v2/historical-candle/intraday` when the range reaches today.
//!
//! Upstox names instruments by key (`NSE_EQ|INE002A01018`, `NSE_INDEX|Nifty 50`), not by
//! symbol: the map comes from its beginning-of-day instruments file
//! (`complete.json.gz` on the assets host), downloaded once per IST day into the data
//! home's `cache/upstox/` and read from there by every later run that day. The same file
//! lists the F&O contracts: the expiries to ask for and the lot size (the multiplier).
//!
//! Needs an access token, which Upstox issues at each day's login and expires early the
//! next morning (03:30 IST): a refused token is an authentication error that says so and
//! names `OPTCTL_UPSTOX_ACCESS_TOKEN`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Secret};
use super::wire::{self, EpochUnit, Parsed, Skipped};
use super::{BarProvider, ChainProvider, Error, Hooks, KeySetting};
use crate::market::{
    Bar, Calendar, ChainSnapshot, Exchange, Exercise, Listing, OccSymbol, OptionQuote, Right,
    SourceGreeks, Symbol, Timeframe,
};

pub const NAME: &str = "upstox";
/// Upstox's standard API limits are 50 requests a second, 500 a minute and 2000 per 30
/// minutes per user; the last is the one a long run meets, so the steady pace is 2000 per
/// 30 minutes (66 a minute).
pub const DEFAULT_RATE: RateSpec = RateSpec::per_minute(66);
/// The environment variable holding the access token (wins over the config file).
pub const TOKEN_ENV: &str = "OPTCTL_UPSTOX_ACCESS_TOKEN";
const AUTH_HINT: &str = "the access token was refused: Upstox tokens expire every day at \
     03:30 IST; log in again and set OPTCTL_UPSTOX_ACCESS_TOKEN (or [provider.upstox] \
     access_token) to the new token";
const ASSETS_HINT: &str = "the assets host refused the instruments file (it needs no \
     token; check [provider.upstox] assets_url)";
/// The instruments file's path on the assets host.
pub const INSTRUMENTS_PATH: [&str; 4] = [
    "market-quote",
    "instruments",
    "exchange",
    "complete.json.gz",
];

/// `[provider.upstox]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstoxConfig {
    /// Scheme, host and port of the API (`https://api.upstox.com`).
    pub base_url: String,
    /// Scheme, host and port of the instruments file (`https://assets.upstox.com`).
    pub assets_url: String,
    /// The day's access token; `OPTCTL_UPSTOX_ACCESS_TOKEN` overrides it.
    pub access_token: Option<Secret>,
    /// Nearest expiries fetched per chain, one request each (0 = all).
    pub max_expirations: usize,
    pub risk_free_rate: f64,
    /// Upstox's instrument key for a symbol, over the mapping
    /// (`NIFTYFUT = "NSE_FO|49229"`, `TATAMOTORS = "BSE_EQ|INE155A01022"`).
    pub instruments: BTreeMap<Symbol, String>,
}

impl UpstoxConfig {
    /// Checks what the types cannot; messages name the key.
    pub fn check(&self) -> Result<(), String> {
        for (sym, key) in &self.instruments {
            let ok = key
                .split_once('|')
                .is_some_and(|(seg, id)| !seg.trim().is_empty() && !id.trim().is_empty());
            if !ok {
                return Err(format!(
                    "provider.upstox.instruments.{sym}: {key:?} is not an instrument key \
                     SEGMENT|ID (NSE_FO|49229, NSE_EQ|INE002A01018)"
                ));
            }
        }
        Ok(())
    }
}

impl Default for UpstoxConfig {
    fn default() -> Self {
        UpstoxConfig {
            base_url: "https://api.upstox.com".into(),
            assets_url: "https://assets.upstox.com".into(),
            access_token: None,
            max_expirations: 4,
            risk_free_rate: 0.065,
            instruments: BTreeMap::new(),
        }
    }
}

/// The Upstox source (chains and bars).
pub struct Upstox {
    client: Client,
    assets: Client,
    headers: HeaderMap,
    max_expirations: usize,
    rate: f64,
    cache: Option<PathBuf>,
    instruments: tokio::sync::Mutex<Option<Arc<Instruments>>>,
    /// `[provider.upstox.instruments]`: keys that win over the instruments file.
    overrides: BTreeMap<Symbol, String>,
}

impl Upstox {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`. Errors
    /// (exit 2) when there is no token, naming both places to set one.
    pub fn new(
        cfg: &UpstoxConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let setting = KeySetting {
            what: "an access token (from the day's Upstox login)",
            env: TOKEN_ENV,
            key: "access_token",
        };
        let (client, mut headers) = hooks.bearer_client(
            NAME,
            &cfg.base_url,
            DEFAULT_RATE,
            http_cfg,
            cfg.access_token.as_ref(),
            &setting,
        )?;
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        http::parse_base_url("provider.upstox.assets_url", &cfg.assets_url)
            .map_err(crate::Error::Usage)?;
        // The instruments file is public: no token goes to the assets host.
        let assets = hooks.client(
            NAME,
            &cfg.assets_url,
            DEFAULT_RATE,
            http_cfg,
            http::USER_AGENT,
        )?;
        Ok(Upstox {
            client,
            assets,
            headers,
            max_expirations: cfg.max_expirations,
            rate: cfg.risk_free_rate,
            cache: hooks.cache.as_ref().map(|d| d.join(NAME)),
            instruments: tokio::sync::Mutex::new(None),
            overrides: cfg
                .instruments
                .iter()
                .map(|(s, k)| (s.clone(), k.trim().to_string()))
                .collect(),
        })
    }

    /// GETs `segments` (each percent-encoded the way Upstox's documentation writes
    /// them: `NSE_EQ%7CINE002A01018`) with `query`.
    async fn get(
        &self,
        what: &'static str,
        symbol: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<http::Response, Error> {
        let mut url = self.client.url(&[], query);
        let path: String = segments.iter().map(|s| format!("/{}", encode(s))).collect();
        url.set_path(&path);
        let req = self.client.request(what, symbol, url, self.headers.clone());
        self.client.get(&req, AUTH_HINT).await
    }

    /// The instrument list: this process's copy, else today's cached file, else a fresh
    /// download (kept in the cache for the rest of the IST day once it parses, so an
    /// error page is never kept; a cached file that no longer parses is downloaded again).
    async fn instruments(&self, symbol: &str) -> Result<Arc<Instruments>, Error> {
        let mut slot = self.instruments.lock().await;
        if let Some(i) = slot.as_ref() {
            return Ok(i.clone());
        }
        let today = Calendar::nse().local_date(Utc::now());
        let cached = self
            .cache
            .as_ref()
            .and_then(|d| std::fs::read(cache_file(d, today)).ok())
            .and_then(|body| parse_instruments(symbol, &body).ok());
        let parsed = match cached {
            Some(parsed) => parsed,
            None => {
                let url = self.assets.url(&INSTRUMENTS_PATH, &[]);
                let req = self
                    .assets
                    .request("instruments", symbol, url, HeaderMap::new());
                let resp = self.assets.get(&req, ASSETS_HINT).await?;
                let parsed = parse_instruments(symbol, &resp.body)?;
                if let Some(dir) = &self.cache {
                    // A cache that cannot be written costs a download per run, nothing more.
                    if let Err(e) = store_cache(dir, today, &resp.body) {
                        tracing::warn!(
                            "upstox: cannot keep the instruments file in {}: {e}",
                            dir.display()
                        );
                    }
                }
                parsed
            }
        };
        parsed.skipped.warn(NAME, "instruments", "instruments");
        let list = Arc::new(parsed.value);
        *slot = Some(list.clone());
        Ok(list)
    }
}

/// `segment` percent-encoded: every byte but letters, digits and `-._~`.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Today's instruments file in `dir`.
fn cache_file(dir: &Path, day: NaiveDate) -> PathBuf {
    dir.join(format!("instruments-{day}.json.gz"))
}

/// Writes `body` as `day`'s instruments file (a temporary file renamed into place, so a
/// reader never sees half of it) and removes earlier days' files.
fn store_cache(dir: &Path, day: NaiveDate, body: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = cache_file(dir, day);
    let tmp = dir.join(format!(".instruments-{day}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, &path)?;
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("instruments-") && entry.path() != path {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

#[async_trait]
impl ChainProvider for Upstox {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let symbol = Error::symbol(NAME, ticker)?;
        let s = symbol.as_str();
        let list = self.instruments(s).await?;
        let Some(under) = list.underlyings.get(s) else {
            return Err(Error::unknown(NAME, s));
        };
        let today = Calendar::nse().local_date(as_of);
        let mut expiries: Vec<(NaiveDate, f64)> = under
            .lots
            .iter()
            .filter(|(d, _)| **d >= today)
            .map(|(d, l)| (*d, *l))
            .collect();
        if self.max_expirations > 0 {
            expiries.truncate(self.max_expirations);
        }
        let Some(&(_, lot)) = expiries.first() else {
            return Err(Error::unknown(NAME, s));
        };
        let mut contracts = Vec::new();
        let mut skipped = Skipped::default();
        let mut spot = None;
        let mut received = None;
        for (expiry, lot) in &expiries {
            let d = expiry.format("%Y-%m-%d").to_string();
            let resp = self
                .get(
                    "option chain",
                    s,
                    &["v2", "option", "chain"],
                    &[("instrument_key", &under.key), ("expiry_date", &d)],
                )
                .await?;
            let page = parse_chain(s, &resp.body, *lot)?;
            skipped.merge(page.skipped);
            spot = page.value.spot.or(spot);
            contracts.extend(page.value.contracts);
            received = Some(resp.received_at);
        }
        skipped.warn(NAME, s, "contracts");
        if contracts.is_empty() {
            return Err(Error::unknown(NAME, s));
        }
        let spot = spot.ok_or_else(|| {
            Error::malformed(NAME, s, "no underlying_spot_price in the option chain")
        })?;
        wire::sort_contracts(&mut contracts);
        Ok(ChainSnapshot {
            ticker: s.to_string(),
            // The chain carries no quote time: when the last page arrived.
            as_of: received.unwrap_or(as_of),
            spot,
            rate: self.rate,
            dividend_yield: 0.0,
            multiplier: lot,
            exchange: Exchange::Nse,
            // NSE's and BSE's index and stock options are all European.
            exercise: Some(Exercise::European),
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts,
        })
    }
}

#[async_trait]
impl BarProvider for Upstox {
    fn name(&self) -> &str {
        NAME
    }

    /// Bars of `symbol` on its home market: BSE for SENSEX and BANKEX, else NSE.
    async fn bars(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let listing = Error::symbol(NAME, symbol)?
            .home_listing()
            .unwrap_or(Listing::Nse);
        self.bars_on(listing, symbol, timeframe, from, to).await
    }

    async fn bars_on(
        &self,
        listing: Listing,
        symbol: &str,
        timeframe: Timeframe,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bar>, Error> {
        let symbol = Error::symbol(NAME, symbol)?;
        let s = symbol.as_str();
        let key = match self.overrides.get(&symbol) {
            Some(key) => key.clone(),
            None => self
                .instruments(s)
                .await?
                .key_of(&symbol, listing, Calendar::nse().local_date(Utc::now()))
                .ok_or_else(|| Error::unknown(NAME, s))?
                .to_string(),
        };
        let cal = Calendar::nse();
        let interval = interval(timeframe);
        let first = cal.local_date(from).format("%Y-%m-%d").to_string();
        let last_day = cal.local_date(to);
        let last = last_day.format("%Y-%m-%d").to_string();
        let resp = self
            .get(
                "candles",
                s,
                &["v2", "historical-candle", &key, interval, &last, &first],
                &[],
            )
            .await?;
        let mut parsed = parse_candles(s, &resp.body, timeframe)?;
        // The historical route ends with yesterday; today's candles have their own.
        if last_day >= cal.local_date(Utc::now()) {
            let resp = self
                .get(
                    "intraday candles",
                    s,
                    &["v2", "historical-candle", "intraday", &key, interval],
                    &[],
                )
                .await?;
            let today = parse_candles(s, &resp.body, timeframe)?;
            parsed.skipped.merge(today.skipped);
            parsed.value.extend(today.value);
        }
        parsed.skipped.warn(NAME, s, "bars");
        if !keeps_open_interest(&key) {
            for b in &mut parsed.value {
                b.open_interest = None;
            }
        }
        Ok(wire::clip_bars(
            to_timeframe(parsed.value, timeframe),
            from,
            to,
        ))
    }
}

/// Whether the bars of instrument `key` keep the candles' open interest: those of an F&O
/// segment (`NSE_FO|...`, `BSE_FO|...`). A cash stock's or an index's `oi` column is a
/// placeholder 0, so their bars have none.
pub fn keeps_open_interest(key: &str) -> bool {
    key.split_once('|')
        .is_some_and(|(segment, _)| segment.ends_with("_FO"))
}

/// Upstox's candle interval behind each timeframe: 5-minute bars are merged from
/// 1-minute candles and hours from 30-minute ones (API v2 has neither).
pub fn interval(tf: Timeframe) -> &'static str {
    match tf {
        Timeframe::M1 | Timeframe::M5 => "1minute",
        Timeframe::H1 => "30minute",
        Timeframe::D1 => "day",
    }
}

/// `bars` (sorted or not) in `tf`: those outside NSE's sessions dropped (holidays,
/// weekends), intraday ones merged into buckets of the timeframe's length counted from
/// the session's open (09:15, 09:20, ...; hours 09:15, 10:15, ... 15:15, the last one a
/// quarter long). Sorted, one per open time.
pub fn to_timeframe(mut bars: Vec<Bar>, tf: Timeframe) -> Vec<Bar> {
    let cal = Calendar::nse();
    bars.retain(|b| tf.in_session(cal, b.time));
    bars.sort_by_key(|b| b.time);
    bars.dedup_by_key(|b| b.time);
    if tf == Timeframe::D1 {
        return bars;
    }
    let len = tf.duration().num_minutes();
    let mut out: Vec<Bar> = Vec::new();
    for b in bars {
        let open = cal.open_on(cal.local_date(b.time));
        let k = (b.time - open).num_minutes() / len;
        let start = open + TimeDelta::minutes(k * len);
        match out.last_mut() {
            Some(h) if h.time == start => {
                h.high = h.high.max(b.high);
                h.low = h.low.min(b.low);
                h.close = b.close;
                h.volume += b.volume;
                // Open interest is a level: the merged bar's is its last candle's.
                h.open_interest = b.open_interest.or(h.open_interest);
            }
            _ => out.push(Bar { time: start, ..b }),
        }
    }
    out
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: Option<String>,
    data: Option<T>,
}

/// `data` of an answer, or [`Error::Malformed`] when `status` is not `success`.
fn data<T: serde::de::DeserializeOwned>(
    symbol: &str,
    what: &str,
    body: &[u8],
) -> Result<Option<T>, Error> {
    let e: Envelope<T> = wire::parse_json(NAME, symbol, what, body)?;
    match e.status.as_deref() {
        Some("success") | None => Ok(e.data),
        Some(other) => Err(Error::malformed(
            NAME,
            symbol,
            format!(
                "the {what} answer has status {other:?}: {}",
                http::head(body)
            ),
        )),
    }
}

#[derive(Deserialize)]
struct Candles {
    #[serde(default)]
    candles: Vec<Option<Vec<serde_json::Value>>>,
}

/// Candles of `/v2/historical-candle` (`[time, open, high, low, close, volume, oi]`,
/// times with their `+05:30` offset, newest first). A daily candle opens at the session's
/// open on its date; each bar keeps the `oi` column as Upstox sends it (units of the
/// underlying; see [`keeps_open_interest`] for the keys whose bars store it). Rows that do
/// not read as a bar are skipped and counted.
pub fn parse_candles(symbol: &str, body: &[u8], tf: Timeframe) -> Result<Parsed<Vec<Bar>>, Error> {
    let rows = data::<Candles>(symbol, "candles", body)?
        .map(|c| c.candles)
        .unwrap_or_default();
    let cal = Calendar::nse();
    let mut skipped = Skipped::default();
    let mut bars = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let Some(row) = row.filter(|r| r.len() >= 6) else {
            skipped
                .add(|| format!("candles[{i}] is not [time, open, high, low, close, volume, oi]"));
            continue;
        };
        let Some(at) = row[0]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
        else {
            skipped.add(|| format!("candles[{i}] has no ISO time"));
            continue;
        };
        let time = if tf == Timeframe::D1 {
            cal.open_on(cal.local_date(at))
        } else {
            at
        };
        let n = |k: usize| row[k].as_f64();
        match wire::bar(time, n(1), n(2), n(3), n(4), n(5)) {
            Ok(mut b) => {
                b.open_interest = row
                    .get(6)
                    .and_then(serde_json::Value::as_f64)
                    .filter(|v| v.is_finite() && *v >= 0.0);
                bars.push(b);
            }
            Err(why) => skipped.add(|| format!("candles[{i}] at {at}: {why}")),
        }
    }
    Ok(Parsed {
        value: bars,
        skipped,
    })
}

#[derive(Deserialize)]
struct ChainRow {
    expiry: Option<String>,
    strike_price: Option<f64>,
    underlying_spot_price: Option<f64>,
    call_options: Option<Leg>,
    put_options: Option<Leg>,
}

#[derive(Deserialize)]
struct Leg {
    market_data: Option<MarketData>,
    option_greeks: Option<Greeks>,
}

#[derive(Deserialize)]
struct MarketData {
    ltp: Option<f64>,
    volume: Option<f64>,
    oi: Option<f64>,
    bid_price: Option<f64>,
    ask_price: Option<f64>,
}

#[derive(Deserialize)]
struct Greeks {
    delta: Option<f64>,
    gamma: Option<f64>,
    iv: Option<f64>,
}

/// One expiry's page of the option chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainPage {
    pub contracts: Vec<OptionQuote>,
    /// `underlying_spot_price` of the rows (the first positive one).
    pub spot: Option<f64>,
}

/// The contracts of `/v2/option/chain`: a row per strike with `call_options` and
/// `put_options`. Upstox counts volume and open interest in units (shares); optctl counts
/// contracts, so both are divided by the lot size `lot`. `iv` is Upstox's own, in percent
/// (0 when not computed), kept as the source's IV beside its delta and gamma. Contract
/// symbols are OCC-style (`NIFTY261229C26000000`). Rows without an expiry or strike are
/// skipped and counted; a leg without market data is not listed.
pub fn parse_chain(symbol: &str, body: &[u8], lot: f64) -> Result<Parsed<ChainPage>, Error> {
    let rows = data::<Vec<Option<ChainRow>>>(symbol, "option chain", body)?.unwrap_or_default();
    let lot = if lot.is_finite() && lot >= 1.0 {
        lot
    } else {
        1.0
    };
    let root: String = symbol
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut skipped = Skipped::default();
    let mut contracts = Vec::new();
    let mut spot = None;
    for (i, row) in rows.into_iter().enumerate() {
        let Some(row) = row else {
            skipped.add(|| format!("data[{i}] is null"));
            continue;
        };
        let Some(expiry) = row
            .expiry
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            skipped.add(|| format!("data[{i}] has no YYYY-MM-DD expiry"));
            continue;
        };
        let Some(strike) = row
            .strike_price
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 1_000_000.0)
        else {
            skipped.add(|| format!("data[{i}] has no usable strike_price"));
            continue;
        };
        spot = spot.or(row
            .underlying_spot_price
            .filter(|p| p.is_finite() && *p > 0.0));
        for (right, leg) in [
            (Right::Call, row.call_options),
            (Right::Put, row.put_options),
        ] {
            let Some(leg) = leg else { continue };
            let Some(m) = leg.market_data else { continue };
            let g = leg.option_greeks;
            let occ = OccSymbol {
                root: root.clone(),
                expiry,
                right,
                strike,
            };
            let raw = wire::RawQuote {
                bid: m.bid_price,
                ask: m.ask_price,
                last: m.ltp,
                volume: m.volume.map(|v| v / lot),
                open_interest: m.oi.map(|v| v / lot),
                source_iv: wire::source_iv(g.as_ref().and_then(|g| g.iv), true),
                source_greeks: g.map_or_else(SourceGreeks::default, |g| SourceGreeks {
                    delta: wire::source_greek(g.delta),
                    gamma: wire::source_greek(g.gamma),
                    theo: None,
                }),
                quoted_at: None,
            };
            contracts.push(raw.quote(&occ));
        }
    }
    Ok(Parsed {
        value: ChainPage { contracts, spot },
        skipped,
    })
}

/// One F&O underlying in the instruments file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Underlying {
    /// Its instrument key (`NSE_INDEX|Nifty 50`, `NSE_EQ|INE002A01018`).
    pub key: String,
    /// The option expiries listed, each with its lot size.
    pub lots: BTreeMap<NaiveDate, f64>,
}

/// What optctl keeps of the instruments file: equity and index keys by trading symbol,
/// and each option underlying's key, expiries and lot sizes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Instruments {
    /// `(listing, trading symbol)` to key, for the NSE and BSE cash segments and indices.
    cash: HashMap<(Listing, String), String>,
    /// Option underlyings by their symbol (`NIFTY`, `RELIANCE`).
    pub underlyings: HashMap<String, Underlying>,
    /// Futures (`NSE_FO`, `BSE_FO`) by underlying symbol: expiry to key.
    pub futures: HashMap<String, BTreeMap<NaiveDate, String>>,
}

impl Instruments {
    /// The key of `symbol` on `listing` on IST date `today`: its equity listing there,
    /// else the underlying of its options (how an index such as NIFTY is found:
    /// `NSE_INDEX|Nifty 50`), else an index of that trading symbol, else a future: by
    /// the exchange's trading symbol (`NIFTY26DECFUT`: underlying, year, month, `FUT`), or
    /// `<UNDERLYING>FUT` (`NIFTYFUT`, `RELIANCEFUT`) for the nearest one not expired on
    /// `today`, which rolls to the next month after expiry day. A US listing asks NSE.
    pub fn key_of(&self, symbol: &Symbol, listing: Listing, today: NaiveDate) -> Option<&str> {
        let s = symbol.as_str().to_string();
        let (first, second) = match listing {
            Listing::Bse => (Listing::Bse, Listing::Nse),
            _ => (Listing::Nse, Listing::Bse),
        };
        self.cash
            .get(&(first, s.clone()))
            .or_else(|| self.underlyings.get(&s).map(|u| &u.key))
            .or_else(|| self.cash.get(&(second, s.clone())))
            .or_else(|| self.future(&s, today))
            .map(String::as_str)
    }

    /// The future named `s` (see [`Instruments::key_of`]).
    fn future(&self, s: &str, today: NaiveDate) -> Option<&String> {
        let root = s.strip_suffix("FUT")?;
        if let Some(listed) = self.futures.get(root) {
            return listed.range(today..).next().map(|(_, k)| k);
        }
        // UNDERLYING + YY + MON: the last five characters before FUT.
        let cut = root.len().checked_sub(5)?;
        let (under, tail) = (root.get(..cut)?, root.get(cut..)?);
        self.futures.get(under)?.iter().find_map(|(expiry, key)| {
            (expiry.format("%y%b").to_string().to_ascii_uppercase() == tail).then_some(key)
        })
    }
}

#[derive(Deserialize)]
struct Row {
    segment: Option<String>,
    instrument_type: Option<String>,
    instrument_key: Option<String>,
    trading_symbol: Option<String>,
    underlying_symbol: Option<String>,
    underlying_key: Option<String>,
    #[serde(default, deserialize_with = "wire::number_or_string")]
    lot_size: Option<f64>,
    expiry: Option<serde_json::Value>,
}

/// An expiry as the instruments file writes it: epoch milliseconds (the JSON file) or
/// `YYYY-MM-DD` (the option-contract route), as an IST date.
fn expiry_date(v: &serde_json::Value) -> Option<NaiveDate> {
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|ms| wire::from_epoch(ms, EpochUnit::Millis))
            .map(|t| Calendar::nse().local_date(t)),
        serde_json::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// Parses the instruments file (gzip as downloaded, or plain JSON): a list of
/// instruments. Keeps the NSE and BSE cash and index rows and the option contracts
/// (`CE`/`PE` in `NSE_FO` and `BSE_FO`); other segments (commodities, currencies) are
/// ignored. Option rows without an expiry, lot size or underlying are skipped and counted.
pub fn parse_instruments(symbol: &str, body: &[u8]) -> Result<Parsed<Instruments>, Error> {
    let plain;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .map_err(|e| {
                Error::malformed(
                    NAME,
                    symbol,
                    format!("the instruments file is not gzip: {e}"),
                )
            })?;
        plain = out;
        &plain[..]
    } else {
        body
    };
    let rows: Vec<Option<Row>> = wire::parse_json(NAME, symbol, "instruments", body)?;
    let mut out = Instruments::default();
    let mut skipped = Skipped::default();
    for (i, row) in rows.into_iter().enumerate() {
        let Some(row) = row else { continue };
        let (Some(segment), Some(key)) = (row.segment.as_deref(), row.instrument_key.clone())
        else {
            continue;
        };
        let kind = row.instrument_type.as_deref().unwrap_or_default();
        match segment {
            "NSE_EQ" | "NSE_INDEX" | "BSE_EQ" | "BSE_INDEX" => {
                let listing = if segment.starts_with("NSE") {
                    Listing::Nse
                } else {
                    Listing::Bse
                };
                let Some(sym) = row
                    .trading_symbol
                    .as_deref()
                    .and_then(|t| Symbol::parse(t).ok())
                else {
                    continue;
                };
                // An equity wins over an index of the same name.
                let k = (listing, sym.to_string());
                if segment.ends_with("_EQ") {
                    out.cash.insert(k, key);
                } else {
                    out.cash.entry(k).or_insert(key);
                }
            }
            "NSE_FO" | "BSE_FO" if kind == "FUT" => {
                let under = row
                    .underlying_symbol
                    .as_deref()
                    .and_then(|u| Symbol::parse(u).ok());
                let expiry = row.expiry.as_ref().and_then(expiry_date);
                let (Some(under), Some(expiry)) = (under, expiry) else {
                    skipped.add(|| format!("[{i}] {key}: a future without underlying or expiry"));
                    continue;
                };
                out.futures
                    .entry(under.to_string())
                    .or_default()
                    .insert(expiry, key);
            }
            "NSE_FO" | "BSE_FO" if matches!(kind, "CE" | "PE") => {
                let under = row
                    .underlying_symbol
                    .as_deref()
                    .and_then(|u| Symbol::parse(u).ok());
                let expiry = row.expiry.as_ref().and_then(expiry_date);
                let lot = row.lot_size.filter(|l| l.is_finite() && *l >= 1.0);
                let (Some(under), Some(ukey), Some(expiry), Some(lot)) =
                    (under, row.underlying_key, expiry, lot)
                else {
                    skipped.add(|| {
                        format!("[{i}] {key}: an option without underlying, expiry or lot size")
                    });
                    continue;
                };
                let u = out.underlyings.entry(under.to_string()).or_default();
                if u.key.is_empty() {
                    u.key = ukey;
                }
                u.lots.insert(expiry, lot);
            }
            _ => {}
        }
    }
    Ok(Parsed {
        value: out,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &[u8] =
        include_bytes!("../../fixtures/providers/upstox/option-chain-NIFTY-2026-12-29.json");
    const INSTRUMENTS: &[u8] = include_bytes!("../../fixtures/providers/upstox/complete.json");
    const DAY: &[u8] = include_bytes!("../../fixtures/providers/upstox/candles-RELIANCE-day.json");
    const HALF_HOURS: &[u8] =
        include_bytes!("../../fixtures/providers/upstox/candles-RELIANCE-30minute.json");

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap()
    }

    /// A day the fixture's contracts are listed.
    const DAY1: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();

    #[test]
    fn the_instruments_file_maps_symbols_to_keys_and_lists_expiries_with_lots() {
        let got = parse_instruments("-", INSTRUMENTS).unwrap();
        // One option row has no lot size.
        assert_eq!(got.skipped.count, 1);
        let list = got.value;
        assert_eq!(
            list.key_of(&sym("RELIANCE"), Listing::Nse, DAY1),
            Some("NSE_EQ|INE002A01018")
        );
        assert_eq!(
            list.key_of(&sym("RELIANCE"), Listing::Bse, DAY1),
            Some("BSE_EQ|INE002A01018")
        );
        // An index is found through its options' underlying.
        assert_eq!(
            list.key_of(&sym("NIFTY"), Listing::Nse, DAY1),
            Some("NSE_INDEX|Nifty 50")
        );
        assert_eq!(list.key_of(&sym("ZZZZ"), Listing::Nse, DAY1), None);
        // A future by its exchange trading symbol, or the nearest one not yet expired.
        assert_eq!(
            list.key_of(&sym("NIFTY26DECFUT"), Listing::Nse, DAY1),
            Some("NSE_FO|49229")
        );
        assert_eq!(list.key_of(&sym("NIFTY27JANFUT"), Listing::Nse, DAY1), None);
        assert_eq!(
            list.key_of(&sym("NIFTYFUT"), Listing::Nse, DAY1),
            Some("NSE_FO|49229")
        );
        let expiry_day = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap();
        assert_eq!(
            list.key_of(&sym("NIFTYFUT"), Listing::Nse, expiry_day),
            Some("NSE_FO|49229")
        );
        // After it, none is listed in this file: not a stale contract.
        assert_eq!(
            list.key_of(
                &sym("NIFTYFUT"),
                Listing::Nse,
                expiry_day.succ_opt().unwrap()
            ),
            None
        );
        assert_eq!(list.key_of(&sym("RELIANCEFUT"), Listing::Nse, DAY1), None);
        let nifty = &list.underlyings["NIFTY"];
        let dates: Vec<String> = nifty.lots.keys().map(|d| d.to_string()).collect();
        // Expiry epoch milliseconds are read as IST dates (23:59:59 IST is 18:29:59 UTC).
        assert_eq!(dates, ["2026-12-29", "2027-01-26"]);
        // The lot size of each expiry (NSE revises them between series).
        assert_eq!(
            nifty.lots.values().copied().collect::<Vec<_>>(),
            [75.0, 65.0]
        );
        assert_eq!(
            list.underlyings["RELIANCE"].lots.values().next(),
            Some(&500.0)
        );
        assert_eq!(list.underlyings["RELIANCE"].key, "NSE_EQ|INE002A01018");
        // Futures and commodity rows are not options of anything.
        assert!(!list.underlyings.contains_key("CRUDEOIL"));
    }

    #[test]
    fn a_gzipped_instruments_file_reads_the_same() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(INSTRUMENTS).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            parse_instruments("-", &gz).unwrap().value,
            parse_instruments("-", INSTRUMENTS).unwrap().value
        );
        let e = parse_instruments("-", &[0x1f, 0x8b, 0, 1]).unwrap_err();
        assert!(e.to_string().contains("not gzip"), "{e}");
    }

    #[test]
    fn a_chain_keeps_upstox_iv_and_greeks_and_counts_contracts_in_lots() {
        let got = parse_chain("NIFTY", CHAIN, 75.0).unwrap();
        assert_eq!(got.skipped.count, 1);
        let page = got.value;
        assert_eq!(page.spot, Some(26010.35));
        let put = page
            .contracts
            .iter()
            .find(|c| c.symbol == "NIFTY261229P25500000")
            .unwrap();
        assert_eq!((put.bid, put.ask, put.last), (186.45, 194.1, 190.0));
        // 5,636,475 units at 75 a lot.
        assert_eq!(put.open_interest, 75153);
        // iv 14.62 (percent) is 0.1462.
        assert!((put.source_iv.unwrap() - 0.1462).abs() < 1e-12);
        assert_eq!(put.source_greeks.delta, Some(-0.2931));
        assert_eq!(put.source_greeks.gamma, Some(0.0004));
        // iv 0 = not computed; a zero gamma is kept.
        let deep = page
            .contracts
            .iter()
            .find(|c| c.symbol == "NIFTY261229C19500000")
            .unwrap();
        assert_eq!(deep.source_iv, None);
        assert_eq!(deep.source_greeks.gamma, Some(0.0));
    }

    #[test]
    fn an_error_status_is_malformed_and_names_it() {
        let body = br#"{"status":"error","errors":[{"errorCode":"UDAPI1087","message":"Invalid instrument key"}]}"#;
        let e = parse_chain("NIFTY", body, 75.0).unwrap_err();
        assert!(e.to_string().contains("status \"error\""), "{e}");
    }

    #[test]
    fn daily_candles_open_at_the_nse_session_and_skip_holidays() {
        let got = parse_candles("RELIANCE", DAY, Timeframe::D1).unwrap();
        assert_eq!(got.skipped.count, 0);
        let bars = to_timeframe(got.value, Timeframe::D1);
        let days: Vec<String> = bars.iter().map(|b| b.time.to_rfc3339()).collect();
        // Oldest first; 24 November (Guru Nanak Jayanti) and the weekend have no bar.
        assert_eq!(
            days,
            [
                "2026-11-20T03:45:00+00:00",
                "2026-11-23T03:45:00+00:00",
                "2026-11-25T03:45:00+00:00",
                "2026-11-26T03:45:00+00:00",
                "2026-11-27T03:45:00+00:00",
            ]
        );
        assert_eq!(bars[0].volume, 9_473_311);
    }

    #[test]
    fn half_hours_merge_into_session_hours_across_gaps() {
        let got = parse_candles("RELIANCE", HALF_HOURS, Timeframe::H1).unwrap();
        // One row has a null price.
        assert_eq!(got.skipped.count, 1);
        let hours = to_timeframe(got.value, Timeframe::H1);
        let times: Vec<String> = hours
            .iter()
            .map(|b| {
                b.time
                    .with_timezone(&Calendar::nse().tz())
                    .format("%d %H:%M")
                    .to_string()
            })
            .collect();
        // 23 Nov: 09:15 (two halves), 10:15 (one half: 10:45 is missing), 15:15 (a
        // quarter); the holiday's row goes; 25 Nov: 09:15.
        assert_eq!(times, ["23 09:15", "23 10:15", "23 15:15", "25 09:15"]);
        let first = &hours[0];
        assert_eq!(
            (first.open, first.high, first.low, first.close),
            (1530.0, 1541.2, 1527.5, 1539.8)
        );
        assert_eq!(first.volume, 1_200_000 + 800_000);
    }

    #[test]
    fn minutes_merge_into_five_minute_bars_from_the_open() {
        let body = br#"{"status":"success","data":{"candles":[
            ["2026-11-23T09:21:00+05:30",101,103,100,102,30,0],
            ["2026-11-23T09:20:00+05:30",100,101,99,101,20,0],
            ["2026-11-23T09:16:00+05:30",100.5,102,100,100.2,15,0],
            ["2026-11-23T09:15:00+05:30",100,101,99.5,100.5,10,0],
            ["2026-11-23T09:14:00+05:30",100,101,99.5,100.5,10,0]]}}"#;
        let bars = to_timeframe(
            parse_candles("X", body, Timeframe::M5).unwrap().value,
            Timeframe::M5,
        );
        assert_eq!(bars.len(), 2, "{bars:?}");
        assert_eq!(bars[0].time.to_rfc3339(), "2026-11-23T03:45:00+00:00");
        assert_eq!(
            (bars[0].open, bars[0].close, bars[0].volume),
            (100.0, 100.2, 25)
        );
        assert_eq!(
            (bars[1].open, bars[1].high, bars[1].volume),
            (100.0, 103.0, 50)
        );
    }

    #[test]
    fn one_minute_bars_are_upstox_s_1minute_candles_in_the_session_oldest_first() {
        assert_eq!(interval(Timeframe::M1), "1minute");
        let body = br#"{"status":"success","data":{"candles":[
            ["2026-11-23T15:30:00+05:30",102,102,102,102,0,0],
            ["2026-11-23T09:17:00+05:30",101,103,100,102,30,0],
            ["2026-11-23T09:16:00+05:30",100.5,102,100,101,15,0],
            ["2026-11-23T09:15:00+05:30",100,101,99.5,100.5,10,0],
            ["2026-11-23T09:14:00+05:30",100,101,99.5,100.5,10,0]]}}"#;
        let bars = to_timeframe(
            parse_candles("X", body, Timeframe::M1).unwrap().value,
            Timeframe::M1,
        );
        // Not merged: one bar a candle, those before 09:15 and at 15:30 IST dropped.
        assert_eq!(
            bars.iter()
                .map(|b| (b.time.to_rfc3339(), b.close, b.volume))
                .collect::<Vec<_>>(),
            [
                ("2026-11-23T03:45:00+00:00".to_string(), 100.5, 10),
                ("2026-11-23T03:46:00+00:00".to_string(), 101.0, 15),
                ("2026-11-23T03:47:00+00:00".to_string(), 102.0, 30),
            ]
        );
    }

    #[test]
    fn candles_keep_the_oi_column_and_merged_bars_take_the_last_candle_s() {
        let body = br#"{"status":"success","data":{"candles":[
            ["2026-11-23T09:21:00+05:30",101,103,100,102,30,5636475],
            ["2026-11-23T09:20:00+05:30",100,101,99,101,20,5600000],
            ["2026-11-23T09:16:00+05:30",100.5,102,100,100.2,15,5590050],
            ["2026-11-23T09:15:00+05:30",100,101,99.5,100.5,10,5580000]]}}"#;
        let parsed = parse_candles("NIFTY26DECFUT", body, Timeframe::M5)
            .unwrap()
            .value;
        // Newest first as sent: the 09:21 candle's OI reaches its bar.
        assert_eq!(parsed[0].open_interest, Some(5_636_475.0));
        let bars = to_timeframe(parsed, Timeframe::M5);
        assert_eq!(
            bars.iter().map(|b| b.open_interest).collect::<Vec<_>>(),
            [Some(5_590_050.0), Some(5_636_475.0)]
        );
        // A recorded daily answer for a stock reads its placeholder 0 ...
        let day = parse_candles("RELIANCE", DAY, Timeframe::D1).unwrap().value;
        assert_eq!(day[0].open_interest, Some(0.0));
        // ... which only an F&O key's bars keep.
        assert!(keeps_open_interest("NSE_FO|49229"));
        assert!(keeps_open_interest("BSE_FO|873766"));
        assert!(!keeps_open_interest("NSE_EQ|INE002A01018"));
        assert!(!keeps_open_interest("NSE_INDEX|Nifty 50"));
    }

    #[test]
    fn keys_are_encoded_as_the_documentation_writes_them() {
        assert_eq!(encode("NSE_EQ|INE002A01018"), "NSE_EQ%7CINE002A01018");
        assert_eq!(encode("NSE_INDEX|Nifty 50"), "NSE_INDEX%7CNifty%2050");
        assert_eq!(encode("2026-11-27"), "2026-11-27");
    }

    #[test]
    fn the_cache_keeps_one_day() {
        let dir = std::env::temp_dir().join(format!("optctl-upstox-cache-{}", std::process::id()));
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        store_cache(&dir, d1, b"[]").unwrap();
        store_cache(&dir, d2, b"[1]").unwrap();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["instruments-2026-11-25.json.gz"]);
        assert_eq!(std::fs::read(cache_file(&dir, d2)).unwrap(), b"[1]");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
