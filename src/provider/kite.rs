//! `kite`: Zerodha's Kite Connect v3, bars and chains of NSE and BSE listings.
//!
//! Every request carries `X-Kite-Version: 3` and `Authorization: token api_key:access_token`.
//! The access token comes from the user's daily login and expires every morning: a 403
//! `TokenException` says so and names the place to set the new one (exit 2, nothing stored).
//!
//! - Instruments: `GET /instruments/{exchange}`, a CSV dump that changes daily, kept in the
//!   data home (`<home>/cache/kite/instruments-<EXCHANGE>-<IST date>.csv`) and fetched again the
//!   next IST day. It maps optctl's symbols to instrument tokens (`RELIANCE` →
//!   `NSE:RELIANCE`, `NIFTY` → `NSE:NIFTY 50`) and lists the F&O contracts of an
//!   underlying with their expiries, strikes and lot sizes.
//! - Bars: `GET /instruments/historical/{token}/{interval}?from=&to=&oi=1` (`5minute`,
//!   `60minute`, `day`), IST timestamps with `+0530`, cut into the windows Kite allows per
//!   request; daily candles (stamped 00:00 IST) open at the session open; candles outside
//!   NSE's sessions (holidays, prints after the close) are dropped, as on Yahoo's `.NS` path.
//! - Chains: the underlying's F&O contracts from the dump (nearest `max_expirations`
//!   expiries), quoted by `GET /quote?i=NFO:...` in batches of at most 500 instruments;
//!   bid and ask are the depth's best levels; the multiplier is the lot size. NSE's options
//!   are European.
//!
//! Kite's limits: historical 3 requests/s (the source's default pace, [`DEFAULT_RATE`]),
//! quote 1 request/s (also spaced here), the rest 10/s.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::http::{self, Client, RateSpec, Secret};
use super::wire::{self, Parsed, Skipped};
use super::{BarProvider, ChainProvider, Error, Hooks};
use crate::market::{
    Bar, ChainSnapshot, Exchange, Exercise, Listing, OccSymbol, Right, Symbol, Timeframe,
};

pub const NAME: &str = "kite";
/// Kite's historical-data limit, 3 requests a second: the bulk of the source's requests.
pub const DEFAULT_RATE: RateSpec = RateSpec::per_second(3);
/// Kite's quote limit: one request a second.
const QUOTE_SPACING: Duration = Duration::from_secs(1);
/// Instruments one `/quote` request may ask for.
pub const QUOTE_BATCH: usize = 500;
/// The environment variables holding the API key and the access token (they win over the
/// config file).
pub const KEY_ENV: &str = "OPTCTL_KITE_API_KEY";
pub const TOKEN_ENV: &str = "OPTCTL_KITE_ACCESS_TOKEN";
const IST: chrono_tz::Tz = chrono_tz::Asia::Kolkata;
const AUTH_HINT: &str = "Kite refused the api_key or access_token. Access tokens expire every \
     day (around 06:00 IST) and on logout: log in again (https://kite.zerodha.com/connect/login?v=3&api_key=YOUR_KEY), \
     exchange the request_token for a new access token, and set it in OPTCTL_KITE_ACCESS_TOKEN \
     or [provider.kite] access_token";

/// `[provider.kite]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KiteConfig {
    /// Scheme, host and port (`https://api.kite.trade`).
    pub base_url: String,
    /// The app's API key; `OPTCTL_KITE_API_KEY` overrides it.
    pub api_key: Option<Secret>,
    /// Today's access token; `OPTCTL_KITE_ACCESS_TOKEN` overrides it.
    pub access_token: Option<Secret>,
    /// The market of a stock symbol when the caller names none: `nse` or `bse`. Indices
    /// know theirs (NIFTY → `NSE:NIFTY 50`, SENSEX → `BSE:SENSEX`).
    pub market: Listing,
    /// Nearest expiries quoted per chain (0 = all).
    pub max_expirations: usize,
    /// Kite's `EXCHANGE:TRADINGSYMBOL` for a symbol, over the mapping
    /// (`TATAMOTORS = "BSE:TATAMOTORS"`).
    pub instruments: BTreeMap<Symbol, String>,
    pub risk_free_rate: f64,
}

impl Default for KiteConfig {
    fn default() -> Self {
        KiteConfig {
            base_url: "https://api.kite.trade".into(),
            api_key: None,
            access_token: None,
            market: Listing::Nse,
            max_expirations: 4,
            instruments: BTreeMap::new(),
            risk_free_rate: 0.065,
        }
    }
}

impl KiteConfig {
    /// Checks what the types cannot; messages name the key.
    pub fn check(&self) -> Result<(), String> {
        if self.market == Listing::Us {
            return Err(
                "provider.kite.market: Kite serves Indian listings: expected \"nse\" or \"bse\""
                    .into(),
            );
        }
        for (sym, text) in &self.instruments {
            if split_instrument(text).is_none() {
                return Err(format!(
                    "provider.kite.instruments.{sym}: {text:?} is not EXCHANGE:TRADINGSYMBOL (NSE:RELIANCE)"
                ));
            }
        }
        Ok(())
    }

    /// Key and token from the environment win over the file (empty = unset).
    pub fn apply_env(&mut self) {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(k) = var(KEY_ENV) {
            self.api_key = Some(Secret::new(k.trim()));
        }
        if let Some(t) = var(TOKEN_ENV) {
            self.access_token = Some(Secret::new(t.trim()));
        }
    }
}

fn split_instrument(text: &str) -> Option<(String, String)> {
    let (ex, sym) = text.split_once(':')?;
    let (ex, sym) = (ex.trim().to_ascii_uppercase(), sym.trim().to_string());
    (!ex.is_empty() && !sym.is_empty()).then_some((ex, sym))
}

/// What kind of instrument a dump row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Equity,
    Future,
    Call,
    Put,
    Other,
}

/// One row of the instruments dump.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub token: u64,
    pub tradingsymbol: String,
    /// The underlying's name on F&O rows (`NIFTY`, `BANKNIFTY`, `ADANIPORTS`).
    pub name: String,
    pub expiry: Option<NaiveDate>,
    pub strike: f64,
    pub lot_size: u32,
    pub kind: Kind,
    /// `NSE`, `INDICES`, `NFO-OPT`, `NFO-FUT`, `BSE`, ...
    pub segment: String,
    pub exchange: String,
}

#[derive(Deserialize)]
struct Row {
    instrument_token: String,
    tradingsymbol: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    strike: String,
    #[serde(default)]
    lot_size: String,
    #[serde(default)]
    instrument_type: String,
    #[serde(default)]
    segment: String,
    exchange: String,
}

/// The rows of an instruments dump (`/instruments` or `/instruments/{exchange}`). A row
/// whose token, expiry, strike or lot size cannot be read is skipped and counted; a body
/// without the dump's header is [`Error::Malformed`].
pub fn parse_instruments(what: &str, body: &[u8]) -> Result<Parsed<Vec<Instrument>>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| Error::malformed(NAME, what, format!("the instruments dump: {e}")))?
        .clone();
    for need in ["instrument_token", "tradingsymbol", "exchange"] {
        if !headers.iter().any(|h| h == need) {
            return Err(Error::malformed(
                NAME,
                what,
                format!(
                    "the instruments dump has no {need} column (it starts {})",
                    http::head(body)
                ),
            ));
        }
    }
    let mut out = Vec::new();
    let mut skipped = Skipped::default();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                skipped.add(|| format!("line {line}: {e}"));
                continue;
            }
        };
        let Ok(token) = row.instrument_token.parse::<u64>() else {
            skipped.add(|| format!("line {line}: instrument_token {:?}", row.instrument_token));
            continue;
        };
        let expiry = if row.expiry.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&row.expiry, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    skipped.add(|| format!("line {line}: expiry {:?}", row.expiry));
                    continue;
                }
            }
        };
        let strike = if row.strike.is_empty() {
            0.0
        } else {
            match row.strike.parse::<f64>() {
                Ok(s) if s.is_finite() && s >= 0.0 => s,
                _ => {
                    skipped.add(|| format!("line {line}: strike {:?}", row.strike));
                    continue;
                }
            }
        };
        let lot_size = row
            .lot_size
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map_or(0, |v| v.round() as u32);
        let kind = match row.instrument_type.as_str() {
            "EQ" => Kind::Equity,
            "FUT" => Kind::Future,
            "CE" => Kind::Call,
            "PE" => Kind::Put,
            _ => Kind::Other,
        };
        if matches!(kind, Kind::Call | Kind::Put) && (expiry.is_none() || strike <= 0.0) {
            skipped.add(|| format!("line {line}: an option without expiry or strike"));
            continue;
        }
        out.push(Instrument {
            token,
            tradingsymbol: row.tradingsymbol,
            name: row.name,
            expiry,
            strike,
            lot_size,
            kind,
            segment: row.segment,
            exchange: row.exchange.to_ascii_uppercase(),
        });
    }
    Ok(Parsed {
        value: out,
        skipped,
    })
}

/// Kite's `EXCHANGE`, `TRADINGSYMBOL` of `symbol` listed on `listing`: the Indian
/// indices by their names in the dump (`NIFTY` → `NSE`, `NIFTY 50`), a stock as itself
/// on NSE or BSE. `None` for a US listing (Kite has none).
pub fn instrument_of(symbol: &Symbol, listing: Listing) -> Option<(&'static str, String)> {
    let index = match symbol.as_str() {
        "NIFTY" => Some(("NSE", "NIFTY 50")),
        "BANKNIFTY" => Some(("NSE", "NIFTY BANK")),
        "FINNIFTY" => Some(("NSE", "NIFTY FIN SERVICE")),
        "MIDCPNIFTY" => Some(("NSE", "NIFTY MID SELECT")),
        "NIFTYNXT50" => Some(("NSE", "NIFTY NEXT 50")),
        "SENSEX" => Some(("BSE", "SENSEX")),
        "BANKEX" => Some(("BSE", "BANKEX")),
        _ => None,
    };
    if let Some((ex, name)) = index {
        return Some((ex, name.to_string()));
    }
    if symbol.is_index() {
        return None;
    }
    let plain = symbol
        .as_str()
        .strip_suffix(".NS")
        .or_else(|| symbol.as_str().strip_suffix(".BO"))
        .unwrap_or(symbol.as_str());
    match listing {
        Listing::Nse => Some(("NSE", plain.to_string())),
        Listing::Bse => Some(("BSE", plain.to_string())),
        Listing::Us => None,
    }
}

/// The F&O exchange of a cash exchange: `NFO` for NSE, `BFO` for BSE.
fn derivatives_exchange(cash: &str) -> &'static str {
    if cash == "BSE" { "BFO" } else { "NFO" }
}

/// Kite's interval of a timeframe, and the longest span one request may cover.
fn interval(tf: Timeframe) -> (&'static str, TimeDelta) {
    match tf {
        // Kite's per-request limits: 60 days of minute candles, 100 of 5-minute ones.
        Timeframe::M1 => ("minute", TimeDelta::days(60)),
        Timeframe::M5 => ("5minute", TimeDelta::days(100)),
        Timeframe::H1 => ("60minute", TimeDelta::days(400)),
        Timeframe::D1 => ("day", TimeDelta::days(2000)),
    }
}

/// One historical candle with its open interest (0 for the cash market).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    pub bar: Bar,
    pub oi: Option<u64>,
}

/// The bars of `candles` of an instrument of `kind` at `timeframe`. Kite stamps a day at
/// 00:00 IST; optctl's daily bar opens with the session. A future's or an option's bar
/// keeps the candle's open interest (units of the underlying, as Kite gives it: a lot size
/// changes during a contract's life, so it is not divided); a cash stock's or an index's
/// OI column is a placeholder 0, so their bars have none.
pub fn candle_bars(candles: Vec<Candle>, timeframe: Timeframe, kind: Kind) -> Vec<Bar> {
    let cal = Listing::Nse.calendar();
    let derivative = matches!(kind, Kind::Future | Kind::Call | Kind::Put);
    candles
        .into_iter()
        .map(|c| {
            let mut b = c.bar;
            if timeframe == Timeframe::D1 {
                b.time = cal.open_on(cal.local_date(b.time));
            }
            b.open_interest = c.oi.filter(|_| derivative).map(|oi| oi as f64);
            b
        })
        .collect()
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: Option<String>,
    data: Option<T>,
    message: Option<String>,
    error_type: Option<String>,
}

#[derive(Deserialize)]
struct CandleData {
    #[serde(default)]
    candles: Vec<Vec<serde_json::Value>>,
}

/// The candles of `/instruments/historical`: `[time, o, h, l, c, v(, oi)]` with the time
/// as `2017-12-15T09:15:00+0530`. Rows with an unreadable time or price are skipped and
/// counted.
pub fn parse_candles(symbol: &str, body: &[u8]) -> Result<Parsed<Vec<Candle>>, Error> {
    let env: Envelope<CandleData> = wire::parse_json(NAME, symbol, "historical", body)?;
    if env.status.as_deref() == Some("error") {
        return Err(Error::malformed(
            NAME,
            symbol,
            format!(
                "{}: {}",
                env.error_type.unwrap_or_default(),
                env.message.unwrap_or_default()
            ),
        ));
    }
    let rows = env.data.map(|d| d.candles).unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    let mut skipped = Skipped::default();
    for (i, row) in rows.iter().enumerate() {
        let time = row
            .first()
            .and_then(|v| v.as_str())
            .and_then(|t| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z").ok())
            .map(|t| t.with_timezone(&Utc));
        let Some(time) = time else {
            skipped.add(|| format!("candle {i}: no readable time"));
            continue;
        };
        let num = |k: usize| row.get(k).and_then(serde_json::Value::as_f64);
        match wire::bar(time, num(1), num(2), num(3), num(4), num(5)) {
            Ok(bar) => out.push(Candle {
                bar,
                oi: num(6).map(|v| wire::count(Some(v))),
            }),
            Err(why) => skipped.add(|| format!("candle {i} at {time}: {why}")),
        }
    }
    Ok(Parsed {
        value: out,
        skipped,
    })
}

#[derive(Deserialize)]
struct QuoteRow {
    last_price: Option<f64>,
    volume: Option<f64>,
    oi: Option<f64>,
    timestamp: Option<String>,
    last_trade_time: Option<String>,
    depth: Option<Depth>,
}

#[derive(Deserialize)]
struct Depth {
    #[serde(default)]
    buy: Vec<Level>,
    #[serde(default)]
    sell: Vec<Level>,
}

#[derive(Deserialize)]
struct Level {
    price: Option<f64>,
}

/// One instrument's quote from `/quote`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub last: Option<f64>,
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    pub volume: Option<f64>,
    pub oi: Option<f64>,
    /// `timestamp`, else `last_trade_time` (IST, no offset).
    pub at: Option<DateTime<Utc>>,
}

/// The quotes of `/quote`, keyed by `EXCHANGE:TRADINGSYMBOL` as Kite keys them.
/// Instruments Kite does not know are simply absent.
pub fn parse_quotes(symbol: &str, body: &[u8]) -> Result<HashMap<String, Quote>, Error> {
    let env: Envelope<HashMap<String, Option<QuoteRow>>> =
        wire::parse_json(NAME, symbol, "quote", body)?;
    let rows = env.data.unwrap_or_default();
    let stamp = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| wire::parse_local(t, "%Y-%m-%d %H:%M:%S", IST))
    };
    Ok(rows
        .into_iter()
        .filter_map(|(k, r)| r.map(|r| (k, r)))
        .map(|(k, r)| {
            let best = |levels: Option<&Vec<Level>>| {
                levels
                    .and_then(|l| l.first())
                    .and_then(|l| l.price)
                    .filter(|p| *p > 0.0)
            };
            let q = Quote {
                last: r.last_price,
                bid: best(r.depth.as_ref().map(|d| &d.buy)),
                ask: best(r.depth.as_ref().map(|d| &d.sell)),
                volume: r.volume,
                oi: r.oi,
                at: stamp(&r.timestamp).or_else(|| stamp(&r.last_trade_time)),
            };
            (k, q)
        })
        .collect())
}

/// Kite's error envelope on a refused token: `403` or `error_type` `TokenException`.
fn token_error(resp: &http::Response) -> Option<Error> {
    if (200..300).contains(&resp.status) {
        return None;
    }
    let env: Option<Envelope<serde_json::Value>> = serde_json::from_slice(&resp.body).ok();
    let kind = env.as_ref().and_then(|e| e.error_type.clone());
    if resp.status != 403 && kind.as_deref() != Some("TokenException") {
        return None;
    }
    let said = env
        .and_then(|e| e.message)
        .map(|m| format!(" (Kite said: {m})"))
        .unwrap_or_default();
    Some(Error::Auth {
        provider: NAME.into(),
        detail: format!(
            "HTTP {} {}: the access token has expired or is invalid{said}. {AUTH_HINT}",
            resp.status,
            kind.unwrap_or_else(|| "TokenException".into())
        ),
    })
}

/// The Kite Connect source (chains and bars).
pub struct Kite {
    client: Client,
    headers: HeaderMap,
    market: Listing,
    max_expirations: usize,
    overrides: BTreeMap<Symbol, (String, String)>,
    rate: f64,
    cache_dir: Option<PathBuf>,
    read_cache: bool,
    dumps: tokio::sync::Mutex<HashMap<String, Arc<Vec<Instrument>>>>,
    last_quote: tokio::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Kite {
    /// The source as `cfg` and `http_cfg` set it, requests going through `hooks`. No key
    /// or no token is a usage error (exit 2) naming both places to set it.
    pub fn new(
        cfg: &KiteConfig,
        http_cfg: &http::HttpConfig,
        hooks: &Hooks,
    ) -> Result<Self, crate::Error> {
        let missing = |what: &str, env: &str, key: &str| {
            crate::Error::Usage(format!(
                "provider kite needs {what}: set {env} or [provider.kite] {key} in the config \
                 (README, \"Zerodha Kite Connect\")"
            ))
        };
        let key = cfg
            .api_key
            .as_ref()
            .ok_or_else(|| missing("an API key", KEY_ENV, "api_key"))?;
        let token = cfg.access_token.as_ref().ok_or_else(|| {
            missing(
                "today's access token (from the daily login)",
                TOKEN_ENV,
                "access_token",
            )
        })?;
        let client = hooks
            .client(
                NAME,
                &cfg.base_url,
                DEFAULT_RATE,
                http_cfg,
                http::USER_AGENT,
            )?
            .with_secret(Some(key))
            .with_secret(Some(token));
        let mut auth = HeaderValue::from_str(&format!("token {}:{}", key.expose(), token.expose()))
            .map_err(|_| {
                crate::Error::Usage(
                    "provider.kite: the api_key or access_token contains characters a header cannot carry"
                        .into(),
                )
            })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert(
            HeaderName::from_static("x-kite-version"),
            HeaderValue::from_static("3"),
        );
        let overrides = cfg
            .instruments
            .iter()
            .filter_map(|(s, t)| split_instrument(t).map(|p| (s.clone(), p)))
            .collect();
        Ok(Kite {
            client,
            headers,
            market: cfg.market,
            max_expirations: cfg.max_expirations,
            overrides,
            rate: cfg.risk_free_rate,
            // The data home's cache/kite/ (no cache: the dumps live in memory only).
            cache_dir: hooks.cache.as_ref().map(|d| d.join("kite")),
            // A recording (`fetch`, `fetch --save`) must hold the dump: fetched, not read.
            read_cache: hooks.recording.is_none(),
            dumps: tokio::sync::Mutex::new(HashMap::new()),
            last_quote: tokio::sync::Mutex::new(None),
        })
    }

    /// GETs `segments` + `query`; a refused token is [`Error::Auth`] saying how to renew it.
    async fn get(
        &self,
        what: &'static str,
        symbol: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<http::Response, Error> {
        let url = self.client.url(segments, query);
        let req = self.client.request(what, symbol, url, self.headers.clone());
        let resp = self.client.send(&req).await?;
        if let Some(e) = token_error(&resp) {
            return Err(self.client.scrub(e));
        }
        self.client.check(&req, &resp, AUTH_HINT)?;
        Ok(resp)
    }

    /// The exchange `symbol` is asked for on, and its `EXCHANGE`, `TRADINGSYMBOL`.
    fn remote(&self, symbol: &Symbol, market: Option<Listing>) -> Option<(String, String)> {
        if let Some(p) = self.overrides.get(symbol) {
            return Some(p.clone());
        }
        let listing = symbol
            .home_listing()
            .or(market.filter(|m| *m != Listing::Us))
            .unwrap_or(self.market);
        instrument_of(symbol, listing).map(|(e, s)| (e.to_string(), s))
    }

    fn dump_path(dir: &Path, exchange: &str, day: NaiveDate) -> PathBuf {
        dir.join(format!("instruments-{exchange}-{day}.csv"))
    }

    /// Today's (IST) instruments of `exchange`: from memory, else the data home's copy of
    /// today, else Kite (then saved, and older days' copies removed).
    async fn instruments(
        &self,
        exchange: &str,
        symbol: &str,
    ) -> Result<Arc<Vec<Instrument>>, Error> {
        let mut dumps = self.dumps.lock().await;
        if let Some(d) = dumps.get(exchange) {
            return Ok(d.clone());
        }
        let today = Utc::now().with_timezone(&IST).date_naive();
        let cached = self
            .cache_dir
            .as_ref()
            .map(|dir| Self::dump_path(dir, exchange, today));
        if let Some(path) = cached.as_ref().filter(|_| self.read_cache)
            && let Ok(bytes) = std::fs::read(path)
        {
            match parse_instruments(exchange, &bytes) {
                Ok(p) if !p.value.is_empty() => {
                    let d = Arc::new(p.value);
                    dumps.insert(exchange.to_string(), d.clone());
                    return Ok(d);
                }
                _ => tracing::warn!(
                    "kite: {} is unreadable; fetching the instruments again",
                    path.display()
                ),
            }
        }
        let resp = self
            .get("instruments", symbol, &["instruments", exchange], &[])
            .await?;
        let parsed = parse_instruments(exchange, &resp.body)?;
        parsed.skipped.warn(NAME, exchange, "instruments");
        if let (Some(path), Some(dir)) = (&cached, &self.cache_dir)
            && let Err(e) = save_dump(dir, path, exchange, &resp.body)
        {
            tracing::warn!(
                "kite: cannot keep the {exchange} instruments in {}: {e}",
                dir.display()
            );
        }
        let d = Arc::new(parsed.value);
        dumps.insert(exchange.to_string(), d.clone());
        Ok(d)
    }

    /// The instrument of `symbol` on `market` (the caller's, else the configured one).
    async fn resolve(&self, symbol: &Symbol, market: Option<Listing>) -> Result<Instrument, Error> {
        let s = symbol.as_str();
        let (exchange, tradingsymbol) = self
            .remote(symbol, market)
            .ok_or_else(|| Error::unknown(NAME, s))?;
        let dump = self.instruments(&exchange, s).await?;
        dump.iter()
            .find(|i| i.exchange == exchange && i.tradingsymbol == tradingsymbol)
            .cloned()
            .ok_or_else(|| Error::unknown(NAME, s))
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
        let instrument = self.resolve(&symbol, market).await?;
        let s = symbol.as_str();
        let (name, span) = interval(timeframe);
        let token = instrument.token.to_string();
        let local = |t: DateTime<Utc>| {
            t.with_timezone(&IST)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        let mut candles = Vec::new();
        let mut skipped = Skipped::default();
        let mut start = from;
        while start < to {
            let end = (start + span).min(to);
            let (f, t) = (local(start), local(end));
            let resp = self
                .get(
                    "historical",
                    s,
                    &["instruments", "historical", &token, name],
                    &[("from", &f), ("to", &t), ("oi", "1")],
                )
                .await?;
            let page = parse_candles(s, &resp.body)?;
            skipped.merge(page.skipped);
            candles.extend(page.value);
            start = end;
        }
        let bars = candle_bars(candles, timeframe, instrument.kind);
        let listing = if instrument.exchange == "BSE" {
            Listing::Bse
        } else {
            Listing::Nse
        };
        let bars = super::yahoo::in_sessions(bars, listing, timeframe, &mut skipped);
        skipped.warn(NAME, s, "bars");
        Ok(wire::clip_bars(bars, from, to))
    }

    /// Quotes of `keys` (`EXCHANGE:TRADINGSYMBOL`), at most [`QUOTE_BATCH`] a request, one
    /// request a second.
    async fn quotes(
        &self,
        symbol: &str,
        keys: &[String],
    ) -> Result<(HashMap<String, Quote>, DateTime<Utc>), Error> {
        let mut all = HashMap::new();
        let mut received = Utc::now();
        for batch in keys.chunks(QUOTE_BATCH) {
            {
                let mut last = self.last_quote.lock().await;
                if let Some(at) = *last {
                    tokio::time::sleep_until(at + QUOTE_SPACING).await;
                }
                *last = Some(tokio::time::Instant::now());
            }
            let query: Vec<(&str, &str)> = batch.iter().map(|k| ("i", k.as_str())).collect();
            let resp = self.get("quote", symbol, &["quote"], &query).await?;
            received = resp.received_at;
            all.extend(parse_quotes(symbol, &resp.body)?);
        }
        Ok((all, received))
    }
}

fn save_dump(dir: &Path, path: &Path, exchange: &str, body: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("csv.part");
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, path)?;
    let prefix = format!("instruments-{exchange}-");
    for entry in std::fs::read_dir(dir)?.flatten() {
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && p != path {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}

/// Whether F&O row `i` is on underlying `name`: its `name` column, or, where a dump leaves
/// it empty (older dumps did), a trading symbol of the root and then the expiry's digits
/// (`BANKNIFTY18JAN23500CE`; `NIFTY` does not take `NIFTYNXT50...`).
fn of_underlying(i: &Instrument, name: &str) -> bool {
    if !i.name.is_empty() {
        return i.name == name;
    }
    i.tradingsymbol
        .strip_prefix(name)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_digit())
}

/// The option contracts of underlying `name` in `dump` expiring on or after `today`,
/// nearest `max_expirations` expiries (0 = all).
pub fn contracts_of<'a>(
    dump: &'a [Instrument],
    name: &str,
    today: NaiveDate,
    max_expirations: usize,
) -> Vec<&'a Instrument> {
    let mut rows: Vec<&Instrument> = dump
        .iter()
        .filter(|i| {
            matches!(i.kind, Kind::Call | Kind::Put)
                && of_underlying(i, name)
                && i.expiry.is_some_and(|e| e >= today)
        })
        .collect();
    let mut expiries: Vec<NaiveDate> = rows.iter().filter_map(|i| i.expiry).collect();
    expiries.sort_unstable();
    expiries.dedup();
    if max_expirations > 0 {
        expiries.truncate(max_expirations);
    }
    rows.retain(|i| i.expiry.is_some_and(|e| expiries.binary_search(&e).is_ok()));
    rows.sort_by(|a, b| a.expiry.cmp(&b.expiry).then(a.strike.total_cmp(&b.strike)));
    rows
}

#[async_trait]
impl ChainProvider for Kite {
    fn name(&self) -> &str {
        NAME
    }

    async fn chain(&self, ticker: &str, as_of: DateTime<Utc>) -> Result<ChainSnapshot, Error> {
        let symbol = Error::symbol(NAME, ticker)?;
        let s = symbol.as_str();
        let underlying = self.resolve(&symbol, None).await?;
        let fo = derivatives_exchange(&underlying.exchange);
        let dump = self.instruments(fo, s).await?;
        // F&O rows name the underlying by its root: NIFTY, BANKNIFTY, RELIANCE.
        let root = s
            .strip_suffix(".NS")
            .or_else(|| s.strip_suffix(".BO"))
            .unwrap_or(s);
        let today = as_of.with_timezone(&IST).date_naive();
        let rows = contracts_of(&dump, root, today, self.max_expirations);
        if rows.is_empty() {
            return Err(Error::unknown(NAME, s));
        }
        let spot_key = format!("{}:{}", underlying.exchange, underlying.tradingsymbol);
        let mut keys = vec![spot_key.clone()];
        keys.extend(rows.iter().map(|i| format!("{fo}:{}", i.tradingsymbol)));
        let (quotes, received) = self.quotes(s, &keys).await?;
        let spot = quotes
            .get(&spot_key)
            .and_then(|q| q.last)
            .filter(|p| p.is_finite() && *p > 0.0)
            .ok_or_else(|| {
                Error::malformed(
                    NAME,
                    s,
                    format!("the quote has no last_price for {spot_key}"),
                )
            })?;
        let occ_root: String = root.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut skipped = Skipped::default();
        let mut contracts = Vec::with_capacity(rows.len());
        for i in &rows {
            let key = format!("{fo}:{}", i.tradingsymbol);
            let Some(q) = quotes.get(&key) else {
                skipped.add(|| format!("{key}: not in the quote answer"));
                continue;
            };
            let (Some(expiry), right) = (
                i.expiry,
                if i.kind == Kind::Call {
                    Right::Call
                } else {
                    Right::Put
                },
            ) else {
                continue;
            };
            let occ = OccSymbol {
                root: occ_root.clone(),
                expiry,
                right,
                strike: i.strike,
            };
            // Kite counts F&O volume and open interest in units (shares); optctl counts
            // contracts, so both are divided by the contract's lot size.
            let lot = f64::from(i.lot_size.max(1));
            let raw = wire::RawQuote {
                bid: q.bid,
                ask: q.ask,
                last: q.last,
                volume: q.volume.map(|v| v / lot),
                open_interest: q.oi.map(|v| v / lot),
                source_iv: None,
                source_greeks: Default::default(),
                quoted_at: q.at,
            };
            contracts.push(raw.quote(&occ));
        }
        skipped.warn(NAME, s, "contracts");
        if contracts.is_empty() {
            return Err(Error::malformed(NAME, s, "no contract was quoted"));
        }
        wire::sort_contracts(&mut contracts);
        // The lot size of the nearest expiry (a revision lists the new size on later ones).
        let multiplier = rows
            .iter()
            .find(|i| i.lot_size > 0)
            .map_or(1.0, |i| f64::from(i.lot_size));
        let as_of = quotes
            .get(&spot_key)
            .and_then(|q| q.at)
            .or_else(|| contracts.iter().filter_map(|c| c.quoted_at).max())
            .unwrap_or(received);
        Ok(ChainSnapshot {
            ticker: s.to_string(),
            as_of,
            spot,
            rate: self.rate,
            dividend_yield: 0.0,
            multiplier,
            exchange: Exchange::Nse,
            // NSE's and BSE's index and stock options are European.
            exercise: Some(Exercise::European),
            ex_dividends: Vec::new(),
            source_iv30: None,
            contracts,
        })
    }
}

#[async_trait]
impl BarProvider for Kite {
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

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &[u8] = include_bytes!("../../fixtures/providers/kite/instruments_all.csv");
    const MINUTE: &[u8] = include_bytes!("../../fixtures/providers/kite/historical_minute.json");
    const QUOTE: &[u8] = include_bytes!("../../fixtures/providers/kite/quote.json");

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap()
    }

    #[test]
    fn the_instruments_dump_lists_tokens_and_the_fo_contracts_with_lot_sizes() {
        let got = parse_instruments("all", DUMP).unwrap();
        assert_eq!(got.skipped.count, 0);
        assert_eq!(got.value.len(), 99);
        let adani = got
            .value
            .iter()
            .find(|i| i.tradingsymbol == "ADANIPORTS")
            .unwrap();
        assert_eq!((adani.token, adani.kind), (3861249, Kind::Equity));
        assert_eq!((adani.exchange.as_str(), adani.expiry), ("NSE", None));
        // BANKNIFTY's options on or after 2017-12-01: December's put and January's 8.
        let today = NaiveDate::from_ymd_opt(2017, 12, 1).unwrap();
        let rows = contracts_of(&got.value, "BANKNIFTY", today, 0);
        assert_eq!(rows.len(), 9, "{rows:?}");
        assert!(rows.iter().all(|i| i.lot_size == 40));
        assert_eq!(rows[0].tradingsymbol, "BANKNIFTY17DEC22500PE");
        // Nearest expiry only.
        let near = contracts_of(&got.value, "BANKNIFTY", today, 1);
        assert_eq!(near.len(), 1);
        let after = NaiveDate::from_ymd_opt(2017, 12, 29).unwrap();
        let jan = contracts_of(&got.value, "BANKNIFTY", after, 0);
        assert_eq!(jan.len(), 8);
        assert_eq!(
            (jan[0].strike, jan[0].kind, jan[7].strike, jan[7].kind),
            (23400.0, Kind::Call, 23700.0, Kind::Put)
        );
        // INDIACEM's options carry their own lot size.
        let cem = contracts_of(&got.value, "INDIACEM", today, 0);
        assert!(
            cem.len() == 5 && cem.iter().all(|i| i.lot_size == 3500),
            "{cem:?}"
        );
    }

    #[test]
    fn a_dump_without_its_header_or_with_bad_rows_is_named() {
        let err = parse_instruments("NSE", b"<html>Maintenance</html>").unwrap_err();
        assert!(
            err.to_string().contains("no instrument_token column"),
            "{err}"
        );
        let body = b"instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n\
            x,1,BAD,,0,,0,0.05,1,EQ,NSE,NSE\n\
            2,2,NIFTY26DEC26000CE,NIFTY,0,2026-13-40,26000,0.05,75,CE,NFO-OPT,NFO\n\
            256265,1001,NIFTY 50,NIFTY 50,0.0,,0.0,0.0,0,EQ,INDICES,NSE\n";
        let got = parse_instruments("NSE", body).unwrap();
        assert_eq!(got.skipped.count, 2);
        assert_eq!(got.value.len(), 1);
        assert_eq!(got.value[0].segment, "INDICES");
    }

    #[test]
    fn symbols_map_to_kite_instruments() {
        let cases = [
            ("NIFTY", Listing::Us, Some(("NSE", "NIFTY 50"))),
            ("BANKNIFTY", Listing::Nse, Some(("NSE", "NIFTY BANK"))),
            ("FINNIFTY", Listing::Nse, Some(("NSE", "NIFTY FIN SERVICE"))),
            ("SENSEX", Listing::Nse, Some(("BSE", "SENSEX"))),
            ("RELIANCE", Listing::Nse, Some(("NSE", "RELIANCE"))),
            ("RELIANCE.NS", Listing::Nse, Some(("NSE", "RELIANCE"))),
            ("TATAMOTORS", Listing::Bse, Some(("BSE", "TATAMOTORS"))),
            ("M&M", Listing::Nse, Some(("NSE", "M&M"))),
            ("BAJAJ-AUTO", Listing::Nse, Some(("NSE", "BAJAJ-AUTO"))),
            ("SPX", Listing::Nse, None),
            ("AAPL", Listing::Us, None),
        ];
        for (s, listing, want) in cases {
            let got = instrument_of(&sym(s), listing);
            assert_eq!(
                got.as_ref().map(|(e, t)| (*e, t.as_str())),
                want,
                "{s} on {listing:?}"
            );
        }
        // F&O rows without a name: the root, then the expiry's digits.
        let row = |ts: &str| Instrument {
            token: 1,
            tradingsymbol: ts.into(),
            name: String::new(),
            expiry: None,
            strike: 1.0,
            lot_size: 75,
            kind: Kind::Call,
            segment: "NFO-OPT".into(),
            exchange: "NFO".into(),
        };
        assert!(of_underlying(&row("NIFTY26DEC26000CE"), "NIFTY"));
        assert!(of_underlying(&row("NIFTY2612226000CE"), "NIFTY"));
        assert!(!of_underlying(&row("NIFTYNXT5026DEC70000CE"), "NIFTY"));
        assert!(!of_underlying(&row("BANKNIFTY26DEC60000CE"), "NIFTY"));
        assert_eq!(derivatives_exchange("NSE"), "NFO");
        assert_eq!(derivatives_exchange("BSE"), "BFO");
    }

    #[test]
    fn candles_read_ist_times_and_the_oi_column() {
        let got = parse_candles("ADANIPORTS", MINUTE).unwrap();
        assert_eq!(got.value.len(), 2);
        let c = got.value[0];
        // 09:15 IST is 03:45 UTC.
        assert_eq!(c.bar.time.to_rfc3339(), "2017-12-15T03:45:00+00:00");
        assert_eq!(
            (c.bar.open, c.bar.high, c.bar.low, c.bar.close, c.bar.volume),
            (1704.5, 1705.0, 1699.25, 1702.8, 2499)
        );
        assert_eq!(c.oi, Some(0));
        let oi = br#"{"status":"success","data":{"candles":[
            ["2019-12-04T09:15:00+0530",12009.9,12019.35,12001.25,12001.5,163275,13667775],
            ["2019-12-04T09:16:00+0530",12001,12003,11998.25,12001,105750],
            ["not a time",1,1,1,1,1],
            ["2019-12-04T09:17:00+0530",12001,11990,11995.1,11998.55,48450,13758000]]}}"#;
        let got = parse_candles("NIFTY", oi).unwrap();
        assert_eq!(got.value.len(), 2);
        assert_eq!(got.value[0].oi, Some(13667775));
        assert_eq!(got.value[1].oi, None);
        // An unreadable time and a high under the open are skipped and counted.
        assert_eq!(got.skipped.count, 2);
    }

    #[test]
    fn a_future_s_bars_keep_the_candles_open_interest_and_a_stock_s_have_none() {
        let body = br#"{"status":"success","data":{"candles":[
            ["2019-12-04T00:00:00+0530",12009.9,12019.35,12001.25,12001.5,163275,13667775],
            ["2019-12-05T00:00:00+0530",12001,12003,11998.25,12001,105750]]}}"#;
        let candles = parse_candles("NIFTYFUT", body).unwrap().value;
        let bars = candle_bars(candles.clone(), Timeframe::D1, Kind::Future);
        // Units of the underlying, as Kite sends them; a candle without the column has none.
        assert_eq!(bars[0].open_interest, Some(13_667_775.0));
        assert_eq!(bars[1].open_interest, None);
        // The daily candle opens with the session (09:15 IST).
        assert_eq!(bars[0].time.to_rfc3339(), "2019-12-04T03:45:00+00:00");
        assert_eq!(
            candle_bars(candles.clone(), Timeframe::D1, Kind::Call)[0].open_interest,
            Some(13_667_775.0)
        );
        // A stock's or an index's column is Kite's placeholder, not open interest.
        let stock = parse_candles("ADANIPORTS", MINUTE).unwrap().value;
        assert_eq!(stock[0].oi, Some(0));
        assert!(
            candle_bars(stock, Timeframe::M5, Kind::Equity)
                .iter()
                .all(|b| b.open_interest.is_none())
        );
        assert_eq!(
            candle_bars(candles, Timeframe::D1, Kind::Equity)[0].open_interest,
            None
        );
    }

    #[test]
    fn quotes_give_the_best_bid_and_ask_and_an_ist_time() {
        let got = parse_quotes("INFY", QUOTE).unwrap();
        let q = got["NSE:INFY"];
        assert_eq!(
            (q.last, q.bid, q.ask),
            (Some(1074.8), Some(1074.8), Some(1074.85))
        );
        assert_eq!((q.volume, q.oi), (Some(1368065.0), Some(0.0)));
        // 10:40:29 IST.
        assert_eq!(q.at.unwrap().to_rfc3339(), "2018-01-12T05:10:29+00:00");
        // An instrument Kite does not know is absent, a null row too; an empty depth
        // level 0 price means no bid.
        let body = br#"{"status":"success","data":{"NFO:X":null,"NFO:Y":{"last_price":2,
            "depth":{"buy":[{"price":0,"quantity":0,"orders":0}],"sell":[]}}}}"#;
        let got = parse_quotes("X", body).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got["NFO:Y"].bid, got["NFO:Y"].ask), (None, None));
    }

    #[test]
    fn an_expired_token_says_how_to_renew_it_and_a_429_is_rate_limited() {
        let resp = |status: u16, body: &str| http::Response {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
            received_at: Utc::now(),
        };
        let e = token_error(&resp(
            403,
            r#"{"status":"error","message":"Incorrect `api_key` or `access_token`.","data":null,"error_type":"TokenException"}"#,
        ))
        .unwrap();
        let text = e.to_string();
        assert!(matches!(e, Error::Auth { .. }), "{text}");
        for needle in [
            "kite: authentication failed: HTTP 403 TokenException",
            "expired or is invalid",
            "Incorrect `api_key` or `access_token`.",
            "log in again",
            TOKEN_ENV,
            "[provider.kite] access_token",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(token_error(&resp(429, "Too many requests")).is_none());
        assert!(token_error(&resp(200, "{}")).is_none());
    }

    #[test]
    fn the_config_checks_the_market_and_the_overrides() {
        let mut cfg = KiteConfig::default();
        assert!(cfg.check().is_ok());
        cfg.market = Listing::Us;
        assert!(cfg.check().unwrap_err().contains("provider.kite.market"));
        cfg.market = Listing::Nse;
        cfg.instruments
            .insert(sym("TATAMOTORS"), "TATAMOTORS".into());
        assert!(
            cfg.check()
                .unwrap_err()
                .contains("provider.kite.instruments.TATAMOTORS")
        );
        // No key or token: a usage error naming both places.
        let err = Kite::new(
            &KiteConfig::default(),
            &Default::default(),
            &Hooks::default(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains(KEY_ENV) && err.contains("[provider.kite] api_key"),
            "{err}"
        );
    }
}
