//! Configuration: a TOML file, every key optional, merged over built-in defaults.
//!
//! Where it is read from: `--config FILE`, else `$OPTCTL_CONFIG`, else
//! `$XDG_CONFIG_HOME/optctl/config.toml` (`~/.config/optctl/config.toml`). A missing
//! default file means "use the defaults"; a missing file that was asked for is an error.
//! The data home (database, exports) is resolved here too: `--home`, `$OPTCTL_HOME`,
//! `$XDG_DATA_HOME/optctl`, `~/.local/share/optctl`, never the working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::enrich::EnrichConfig;
use crate::excel::ExcelConfig;
use crate::export::ExportConfig;
use crate::market::MarketHoursConfig;
use crate::monitor::{LogConfig, MonitorConfig};
use crate::notify::NotifyConfig;
use crate::provider::ProviderConfig;
use crate::resilience::ResilienceConfig;
use crate::scan::detectors::DetectorsConfig;
use crate::scan::{PricingConfig, ScanConfig, WatchlistConfig};
use crate::scheduler::SchedulerConfig;
use crate::serve::ServeConfig;

/// A configuration problem, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {what} {}", .path.display())]
    Read {
        /// `config file` or `watchlist`.
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} {}: {message}", .path.display())]
    Parse {
        /// `config file` or `watchlist`.
        what: &'static str,
        path: PathBuf,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub watchlist: WatchlistConfig,
    pub provider: ProviderConfig,
    pub scan: ScanConfig,
    pub pricing: PricingConfig,
    pub detectors: DetectorsConfig,
    pub export: ExportConfig,
    pub excel: ExcelConfig,
    pub market_hours: MarketHoursConfig,
    pub serve: ServeConfig,
    pub enrich: EnrichConfig,
    pub resilience: ResilienceConfig,
    pub notify: NotifyConfig,
    pub scheduler: SchedulerConfig,
    pub monitor: MonitorConfig,
    pub log: LogConfig,
    /// Left out of `config show` when unset, like the other optional keys.
    #[serde(skip_serializing_if = "crate::store::location::StoreConfig::is_unset")]
    pub store: crate::store::location::StoreConfig,
}

/// The commented file `optctl config init` writes. A test checks it parses to the defaults.
pub const TEMPLATE: &str = r#"# optctl configuration. Every key is optional: delete what you do not change.
# `optctl config show` prints the effective configuration.

[watchlist]
# Tickers `optctl scan` covers unless --tickers or --watchlist is given.
tickers = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA",
           "AMD", "NFLX", "JPM", "BAC", "XOM", "DIS", "BA", "INTC", "COIN", "PLTR"]

[provider]
# "sim": the embedded simulated market (deterministic, no network).
# "files": replay snapshots saved with `optctl scan --save-snapshots DIR`, or raw
#   responses saved with `optctl fetch --save DIR`.
# Real sources: "cboe", "yahoo", "polygon", "tradier", "nse", "upstox" (sections below).
name = "sim"

[provider.sim]
seed = 42
# Probability, per ticker per trading day, of each planted anomaly
# (a volume burst, an IV jump, an open-interest surge).
anomaly_rate = 0.02
# Risk-free rate the simulated market prices with (0.045 = 4.5%).
rate = 0.045
# Injected latency per call (milliseconds) and share of calls that fail.
latency_ms = 0
failure_rate = 0.0
# Tickers that always fail (for testing alerting on partial scans).
fail_tickers = []
# Share of bar calls answered "429 rate limited", and the Retry-After they carry.
throttle_rate = 0.0
retry_after_ms = 1000
# Forced anomalies: plant = [{ ticker = "AAPL", kind = "iv_jump", from = "2026-11-23T15:00:00Z" }]
# kinds: volume_burst, iv_jump, oi_surge
plant = []

[provider.files]
# dir = "/path/to/snapshots"

# Every real source: base_url is scheme, host and port only (a mirror, a proxy, a test
# server); optctl appends the source's documented path. risk_free_rate is what optctl
# prices its chains with. Request pacing: [resilience.providers.NAME.limiter].

[provider.http]
# Seconds: a whole request, connecting (TCP + TLS), and between two reads.
timeout_seconds = 30.0
connect_timeout_seconds = 10.0
read_timeout_seconds = 20.0

[provider.cboe]
# CBOE delayed quotes: every expiration in one request, no key, >= 15 min delayed.
base_url = "https://cdn.cboe.com"
risk_free_rate = 0.045

[provider.yahoo]
# Yahoo Finance: chains (one request per expiration) and bars (1d, 1h, 5m, 1m; 1m only
# within the last 30 days, asked 7 days a request). No key.
base_url = "https://query2.finance.yahoo.com"
cookie_url = "https://fc.yahoo.com"
max_expirations = 12      # nearest expirations per chain (0 = all)
risk_free_rate = 0.045
# user_agent = "Mozilla/5.0 ..."
# The market of a stock symbol when the caller names none: "us", "nse" (RELIANCE ->
# RELIANCE.NS) or "bse" (.BO). Indices know theirs (NIFTY -> ^NSEI, BANKNIFTY ->
# ^NSEBANK); the strategy schedulers pass [scheduler] market.
market = "us"
# Yahoo's ticker for a symbol, over the mapping:
# [provider.yahoo.tickers]
# TATAMOTORS = "TATAMOTORS.BO"
# FINNIFTY = "NIFTY_FIN_SERVICE.NS"

[provider.polygon]
# Polygon.io / Massive: chains (v3 snapshot) and bars (v2 aggregates). Needs a key:
# OPTCTL_POLYGON_API_KEY, or api_key here (the environment wins).
base_url = "https://api.polygon.io"
# api_key = "..."
page_limit = 250          # contracts per snapshot page (max 250)
risk_free_rate = 0.045

[provider.tradier]
# Tradier: chains (one request per expiration) and bars. Needs a token:
# OPTCTL_TRADIER_TOKEN, or token here (the environment wins). Sandbox tokens need
# base_url = "https://sandbox.tradier.com".
base_url = "https://api.tradier.com"
# token = "..."
max_expirations = 12
risk_free_rate = 0.045

[provider.nse]
# NSE India option chains. api = "v3" (one request per expiry) or "legacy" (one request).
base_url = "https://www.nseindia.com"
api = "v3"
max_expirations = 4
# Shares per contract (the premium multiplier); NSE revises them: check its circulars.
lot_sizes = {}            # { NIFTY = 75, BANKNIFTY = 35 }
risk_free_rate = 0.065
# user_agent = "Mozilla/5.0 ..."

[provider.kite]
# Zerodha Kite Connect: NSE/BSE bars (1m, 5m, 1h, 1d) and option chains from quotes. Needs
# the app's API key and today's access token (the daily login: README, "Zerodha Kite
# Connect"): OPTCTL_KITE_API_KEY and OPTCTL_KITE_ACCESS_TOKEN, or here (the environment
# wins). The instruments dump is kept in <data home>/cache/kite/ and fetched once per IST day;
# lot sizes come from it.
base_url = "https://api.kite.trade"
# api_key = "..."
# access_token = "..."
market = "nse"            # a stock's exchange when the caller names none: nse or bse
max_expirations = 4       # nearest expiries quoted per chain (0 = all)
risk_free_rate = 0.065
# Kite's EXCHANGE:TRADINGSYMBOL for a symbol, over the mapping:
# [provider.kite.instruments]
# TATAMOTORS = "BSE:TATAMOTORS"

[provider.upstox]
# Upstox API v2 (an Indian broker): NSE/BSE chains (one request per expiry) and bars.
# Needs the access token of the day's Upstox login: OPTCTL_UPSTOX_ACCESS_TOKEN, or
# access_token here (the environment wins). Tokens expire daily at 03:30 IST. The
# instrument list (symbols to keys, expiries, lot sizes) is downloaded from assets_url
# once per IST day into the data home's cache/upstox/.
base_url = "https://api.upstox.com"
assets_url = "https://assets.upstox.com"
# access_token = "..."
max_expirations = 4
risk_free_rate = 0.065
# Futures are found by the exchange's trading symbol (NIFTY26DECFUT) or as
# <UNDERLYING>FUT, the nearest one not yet expired (NIFTYFUT). An instrument key for a
# symbol, over the mapping:
# [provider.upstox.instruments]
# NIFTYFUT = "NSE_FO|49229"

[scan]
concurrency = 16
# Daily 30-day ATM IV observations needed before IV rank/percentile are reported.
min_iv_observations = 20
# After each scan, delete the chain rows of scans more than this many days older than
# the newest earlier scan (or than the scan's --as-of, if earlier); each ticker's 3
# newest chains always stay. 0 = keep all.
keep_chain_days = 5
# Some tickers failed, the rest were stored: exit 0 and the failures on stderr, so
# `optctl scan && optctl export` still exports. true = exit 3 (as --strict).
strict = false
# true: scan only the tickers whose own market is in session, skip the run (exit 0,
# reason on stderr) when none is, as --market-hours-only: NSE's calendar for provider
# nse and the simulator's NSE names, NYSE's for the rest.
market_hours_only = false
# "K/N": scan only part K of N of the tickers, as --shard, so N hosts share one
# watchlist (each host its own K). Unset = all.
# shard = "1/2"

[pricing]
# Each expiry's forward comes from put-call parity on the strikes nearest the money (and
# its discount factor from the box spread, C - P regressed on K, where the chain pins it);
# these are the fall-backs.
# Continuous dividend yields per ticker, used instead of the source's (most give none).
dividend_yields = {}      # { KO = 0.03, XOM = 0.035 }
# Rates are continuously compounded fractions (0.043 = 4.3%),
# by currency (USD for US chains, INR for NSE), flat or as a term curve interpolated per
# expiry; a currency not listed uses the provider's risk_free_rate.
# [pricing.rates.USD]
# curve = { 1m = 0.043, 3m = 0.042, 1y = 0.039 }
# [pricing.rates.INR]
# rate = 0.065

[detectors]
# How often the same thing alerts. iv_rank_extreme and pcr_extreme alert when a ticker
# enters the extreme (alert_on_exit: also when it leaves), not on every scan it stays
# there. The others alert once per ticker, detector and contract per market session,
# and again that session only when their number (vol/OI, the volume or OI ratio, the
# IV jump, the skew shift) reaches repeat_factor x the last alert's (1.5 = half as much
# again). Nothing alerts twice within cooldown_minutes.
# Thresholds are checked: fractions (IV rank, IV jumps and shifts) are 0..1, not percent.
cooldown_minutes = 120
repeat_factor = 1.5
# At most this many contract-level alerts per detector per ticker per scan.
max_contract_alerts = 5

[detectors.volume_spike]
enabled = true
min_ratio = 2.5           # ticker option volume / its average at this time of day
# Scores: 50 at the threshold, 75 at typical_*, 100 at saturation_* (set from what
# fires over a simulated quarter: the median and about the 90th percentile).
typical_ratio = 27.0
saturation_ratio = 31.5
lookback_days = 10        # earlier trading days averaged (their scan at the same point of the session)
min_history = 3
min_volume = 1000

[detectors.unusual_activity]
enabled = true
min_volume = 500          # volume > 500
min_open_interest = 100   # open interest > 100
min_last = 0.10           # last > 0.10
min_vol_oi_ratio = 1.25   # volume / open interest >= 1.25
typical_ratio = 125.0
saturation_ratio = 340.0
max_dte = 60
min_premium = 10000.0     # volume x mid x multiplier

[detectors.iv_spike]
enabled = true
min_jump = 0.05           # 30-day ATM IV over its trailing mean (0.05 = 5 vol points)
typical_jump = 0.12
saturation_jump = 0.135
min_z = 3.0
lookback_scans = 20
min_history = 3

[detectors.iv_rank_extreme]
enabled = true
high = 0.95               # IV rank as a fraction: 0.95, not 95
low = 0.05
alert_on_exit = false

[detectors.skew_shift]
enabled = true
min_shift = 0.03          # 25-delta risk reversal vs its trailing mean
typical_shift = 0.06
saturation_shift = 0.10
lookback_scans = 20
min_history = 3

[detectors.pcr_extreme]
enabled = true
high = 2.0
low = 0.3
typical_factor = 26.5     # score 75 at high x 26.5 (or low / 26.5) ...
saturation_factor = 28.5  # ... and 100 at high x 28.5 (or low / 28.5)
min_volume = 1000
alert_on_exit = false

[detectors.oi_surge]
enabled = true
min_ratio = 2.5           # open interest / previous snapshot's
min_increase = 500
typical_ratio = 4.25
saturation_ratio = 5.0

[export]
# alerts.json holds alerts created within this span before the export, newest first.
alerts_since = "24h"
alerts_limit = 500
# scans.json holds the newest scans.
scans_limit = 100
# Keep a timestamped copy of each file under exports/archive/ (gzipped with compress),
# only when its data changed since its last copy, and delete copies more than keep_days
# older than the newest earlier copy of the same file (or than the export's --as-of, if
# earlier); each file's 3 newest copies always stay. 0 keeps all.
archive = true
compress = true
keep_days = 30
# Then delete the oldest copies while the archive holds more than keep_bytes bytes
# (each file's newest copy always stays); 0 = no size cap. Default 2 GB.
keep_bytes = 2000000000

[excel]
# Workbooks `optctl process-excel` reads (.xlsx, .xlsm, .xls, .xlsb, .ods). Defaults:
# <home>/excel/Historical.xlsx and <home>/excel/Live.xlsx; relative paths are relative
# to the data home.
# historical = "/srv/broker/Historical.xlsx"
# live = "/srv/broker/Live.xlsx"
# Sheets to read (default: the first sheet of each).
# historical_sheet = "Sheet1"
# live_sheet = "Sheet1"
# Buildup noise thresholds in percent: a price move or an OI move at or inside them
# is "neutral" (0.1 = 0.1% of the previous close; 0.5 = 0.5% of the previous day's OI).
price_threshold_pct = 0.1
oi_threshold_pct = 0.5
# Trading days of history averaged for the volume ratio.
volume_avg_days = 20
# Delete run records and their tick history more than this many days older than the
# newest earlier run (or than this run, if earlier); the 3 newest runs always stay.
# 0 = keep all.
keep_days = 30
# Refuse to read a workbook while Excel's owner file (~$Live.xlsx) sits next to it.
# Excel keeps that file for as long as the workbook is open, so by default it is
# ignored: a workbook caught mid-save (torn zip, bad CRC, cut XML) is tried again a few
# times within the run, then refused.
lock_file_check = false
# Headers optctl does not read and should not warn about, in either workbook (case,
# spaces and punctuation ignored). Any other header that matches no known column is a
# warning on every run, with the nearest known name, so a typo shows in cron mail.
ignore_headers = []       # ["Lot Size", "Chg %"]
# Some rows were skipped, the rest were stored: exit 0 and the skipped rows on stderr.
# true = exit 3 (as --strict).
strict = false

[excel.columns.historical]
# Headers matched by hand, field = "header as in the file". Fields: symbol, date,
# close, volume, oi.
# symbol = "Scrip Name"

[excel.columns.live]
# Fields: symbol, ltp, open, high, low, prev_close, volume, oi, bid, ask, last_update.
# An optional field the workbook does not have is a warning on every run; "" says it
# has none and silences it.
# ltp = "Rate"
# bid = ""

[market_hours]
# The session of the broker workbooks (NSE F&O by default): `process-excel
# --market-hours-only`, serve's workbook status, the printed scheduler crontab,
# `optctl market-hours --market workbooks`. Scans keep each ticker's own market; the
# strategy schedulers keep [scheduler] market.
# preset = "nse"          # built-in holidays merged with these: nse, nyse, none;
                          # unset: by timezone (Asia/Kolkata nse, America/New_York nyse)
timezone = "Asia/Kolkata"
open = "09:15"            # inclusive
close = "15:30"           # exclusive: at 15:30:00 the market is closed
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
holidays = []             # ["2026-11-24"]
# One date per line (2026-11-24, 24-11-2026 or 24-Nov-2026), relative to the data home.
# holidays_file = "nse-holidays.txt"

[serve]
# `optctl serve`: a read-only HTTP API over the export files. Flags override these.
# Anything but a loopback address needs --token (or --allow-no-token).
bind = "127.0.0.1"
port = 8061
# Threads that answer requests; 0 = one per CPU core. Connections are tasks on them, so
# an idle connection costs a file descriptor and a few KB, never a thread.
threads = 0
# Access-Control-Allow-Origin for a browser dashboard on another origin (unset: no CORS).
# cors_origin = "https://dashboard.example.com"
# Cache-Control max-age of export documents; clients revalidate with ETag after it.
max_age_seconds = 5
# Bytes of per-ticker chain bodies (exports/chains/<TICKER>.json and its .gz) kept in
# memory for /options/{ticker}/snapshot, the least recently asked dropped first; memory
# stays at this however many tickers the watchlist has. 0 reads every answer from disk.
snapshot_cache_bytes = 67108864
# The dashboard page (GET /) re-reads the routes this often (an unchanged one costs a 304).
refresh_secs = 15
# The dashboard shows a "stale" banner when the exports are older than this (seconds):
# set it above your export cron's interval.
stale_after_secs = 1800
# Open connections at once, from everyone and from one client address; one more gets a
# 503 with Retry-After and is closed. A browser keeps up to 6 open per dashboard tab.
max_connections = 4096
max_connections_per_client = 64
# An idle keep-alive connection is closed after this long (seconds).
idle_timeout_seconds = 30
# A request head must be whole this long after its first byte, and the whole request
# (head and body) this long after it; else 408 and the connection closes.
header_timeout_seconds = 10
request_timeout_seconds = 20
# An answer must be written whole within this long, in all; a client that reads slower
# is dropped. A stop waits at most this long for answers being written.
write_timeout_seconds = 10
# Largest request body accepted (413 beyond); only the control routes read one.
max_body_bytes = 65536
# Host names accepted besides localhost, the loopback addresses and the address the
# client connected to; any other Host gets a 421 (a web page cannot reach this API
# through a DNS name that points at your machine). Add the names you serve under.
allowed_hosts = []
# Requests that read the database (/health, /api/...) answered at once, on their own
# threads: a locked database never holds up the routes answered from the exports.
store_readers = 2
# How long such a request waits for a writer's lock before it gets a 503 + Retry-After.
store_busy_timeout_ms = 1000
# Where people reach the dashboard; notification messages link to it.
# public_url = "https://dash.example.com"
# The bearer token of the control routes (POST/PUT /api/...: trigger enrichment, stop
# the workbook loop, clear the scheduler cache...). Unset: the serve token (--token);
# with neither, the control routes are refused, even on loopback. Every control request
# is audited in the database.
# control_token = "a-long-random-string"
# Largest JSON body a control route accepts (413 beyond).
control_max_body_bytes = 4096
# Days the audit rows of control requests are kept (who, when, what, the answer).
audit_keep_days = 90

[enrich]
# `optctl enrich run` (nightly from cron: 30 1 * * * optctl enrich run): fetch OHLCV bars
# for every symbol below, check them, store them, compute indicators.
# The bar provider: "sim" (the embedded simulated market).
provider = "sim"
timeframes = ["1d", "1h", "5m"]   # also "1m" (1-minute bars)
concurrency = 5           # symbols worked on at once
max_retries = 3           # retries of a failed fetch (so 4 tries); backoff as in [resilience.retry]
overlap_bars = 3          # stored bars fetched again each run, to pick up revisions
stale_bars = 3            # the newest bar may lag the calendar by this many bars
holidays = []             # exchange holidays, for the gap and stale checks: ["2026-11-26"]
# The cron line that runs `enrich run` (UTC): `enrich status` shows the next run.
# schedule = "30 1 * * *"
# Some symbols failed, the rest were stored: exit 0 and the failures on stderr.
# true = exit 3 (as --strict).
strict = false
# Delete runs (their jobs, fetches, quarantined bars and issues) dated more than this
# many days before the newest one, at the end of each run; 0 keeps them all. Bars are
# kept for twice their timeframe's lookback_days (each symbol's newest bar always).
keep_days = 90
# The universe: the lists below, or the scan's [watchlist] tickers with
# symbols = "watchlist" (then `optctl show` and `screen` pair every scanned ticker's
# 30-day IV with its realized volatility).

[enrich.symbols]
stock = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "XOM"]
etf = ["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD"]
index = ["SPX", "NDX", "RUT", "VIX"]

[enrich.lookback_days]
# How far back a symbol's first fetch reaches, and the span the indicators use.
"1d" = 400                # SMA 200 and the 52-week high/low
"1h" = 60
"5m" = 10
"1m" = 5                  # within Yahoo's 7 days a request of 1-minute bars

[enrich.health]
max_success_age_hours = 26    # unhealthy when the last successful run is older
degraded_failure_rate = 0.1   # share of the last 24 h's jobs that failed
unhealthy_failure_rate = 0.5

[resilience]
# Retry, circuit breaker, rate limiter and bulkhead around every call to a data provider.
# Breaker state and rate-limit tokens live in the database, so they hold across runs and
# are shared by commands running at the same time. These are the defaults for every
# provider; [resilience.providers.NAME.*] changes keys for one provider.

[resilience.retry]
initial_delay_ms = 500    # before the first retry
multiplier = 2.0          # each delay is the previous one times this
max_delay_ms = 30000
max_attempts = 4          # tries in all, the first included
jitter = true             # add a random 0-100% to each delay
max_retry_after_ms = 60000  # a longer Retry-After from the provider gives up at once

[resilience.breaker]
failure_rate = 0.5        # share of failed calls in the window that opens the breaker
window_seconds = 300      # the sliding window
min_calls = 10            # calls the window needs before its failure rate counts
open_seconds = 60         # how long it stays open before trial calls
half_open_calls = 3       # trial calls; that many successes close it, one failure reopens

[resilience.limiter]
calls = 100               # calls per per_seconds (0 = no limit)
per_seconds = 1
burst = 100               # most calls in a row after a quiet spell
max_wait_ms = 60000       # a call that would wait longer for its turn fails at once

[resilience.bulkhead]
max_concurrent = 10       # calls under way at once per provider (in one process)
timeout_ms = 30000        # a call running longer is abandoned (and retried)

[resilience.providers]
# Per provider, only the keys that differ, e.g. a quota of 5 calls a minute:
# polygon = { limiter = { calls = 5, per_seconds = 60, burst = 5 } }

[notify]
# Deliver new alerts (and strategy signals) to chat and webhooks. `scan` queues a
# message per matching channel when it stores an alert, and sends them at its end
# (unless --no-notify); `optctl notify` sends whatever is still due.
# Dashboard link in messages (default: [serve] public_url).
# public_url = "https://dash.example.com"
# Seconds one request may take; a timeout is retried later.
timeout_seconds = 10
# At most this many alerts in one message; more make more messages.
max_batch = 10
# Delete sent and failed messages queued more than this many days before the newest one,
# at the end of each drain; queued ones are never deleted. 0 keeps them all.
keep_sent_days = 30

[notify.retry]
# A message whose send failed (timeout, 429, 5xx) stays queued and is tried again after
# initial_delay_seconds * multiplier^(n-1), at most max_delay_seconds, plus a random
# 0-100% (jitter); a longer Retry-After from the receiver is waited instead.
initial_delay_seconds = 30
multiplier = 2.0
max_delay_seconds = 3600
max_attempts = 8          # tries in all; then the message is marked failed
jitter = true
max_retry_after_seconds = 86400   # a longer Retry-After marks the message failed

# Any number of channels, each [notify.channels.NAME] with a kind: telegram, webhook,
# slack, discord or ntfy. Secrets (token, secret, and the url of slack, discord, ntfy
# and webhook channels) can come from the environment: token_env = "VAR".
# `config show` prints them as [redacted].
#
# [notify.channels.desk]
# kind = "telegram"
# chat_id = "-1001234567890"
# token_env = "OPTCTL_TELEGRAM_TOKEN"       # or token = "123456:ABC..."
# # url = "https://api.telegram.org"       # the Bot API base
#
# [notify.channels.hook]
# kind = "webhook"
# url = "https://example.com/optctl"
# secret_env = "OPTCTL_WEBHOOK_SECRET"      # signs the body: X-Optctl-Signature-256: sha256=<hex>
# # signature_header = "X-Optctl-Signature-256"
#
# [notify.channels.team]
# kind = "slack"                            # or "discord": the incoming-webhook URL
# url_env = "OPTCTL_SLACK_WEBHOOK"
#
# [notify.channels.phone]
# kind = "ntfy"
# url = "https://ntfy.sh/my-secret-topic"
# # token_env = "OPTCTL_NTFY_TOKEN"          # an access token for a protected topic
#
# Routing, per channel (all optional):
# enabled = true
# sources = ["alerts", "signals"]
# detectors = ["unusual_activity", "iv_spike"]  # alerts from these detectors (default all)
# strategies = ["opening_range_breakout"]      # signals from these strategies (default all)
# categories = ["day_trading"]                  # signals of these categories (default all)
# tickers = ["AAPL", "SPY"]                     # (default all)
# min_score = 60
# quiet_hours = { start = "22:00", end = "07:00", timezone = "America/New_York" }
# rate_limit = { calls = 20, per_seconds = 60, burst = 5, max_wait_ms = 5000 }
#   # the default; calls = 0: no limit. Telegram allows 1 message a second per chat.
#   # A wait up to max_wait_ms happens in the drain; a longer one leaves the rest queued.

[scheduler]
# The strategy schedulers of `optctl compare` and `optctl migrate-scheduler`.
# Bar provider both schedulers fetch from.
provider = "sim"
# The market the categories' symbols trade on: "nse" (the default categories are NSE
# F&O names), "bse" or "us". Bars are kept to its sessions (IST 09:15-15:30 and NSE's
# holidays for nse), the projected day and `run --market-hours-only` use its calendar,
# and Yahoo maps symbols by it (RELIANCE -> RELIANCE.NS).
market = "nse"
# Minutes between `migrate-scheduler run` ticks (must divide 60): the printed crontab
# and the projected calls per day use it.
cadence_minutes = 5
# Longest a cached bar series is trusted. It is refetched sooner when a newer bar can
# have closed (5m series every 5 minutes, 1h every quarter hour, daily every half hour),
# so a cache hit never hides a bar.
cache_ttl_minutes = 30
# Bar series the unified scheduler fetches at once.
concurrency = 8
# The order `migrate-scheduler advance` moves the categories over in.
cutover_order = ["day_trading", "short_selling", "short_term"]
# Delete runs, signals and comparisons of ticks more than this many days before the
# newest, and cached series expired as long ago, at the end of each `migrate-scheduler
# run` and `compare`; 0 keeps them all. The migration's audit log is kept.
keep_days = 30

[scheduler.criteria]
# What must hold, over the ticks recorded since the last step, before `advance` moves on.
min_call_reduction_pct = 50.0   # provider calls at least 50% below legacy's
min_time_reduction_pct = 60.0   # execution time at least 60% below (and above the noise)
min_cache_hit_rate_pct = 60.0   # cache hit rate above 60% after warm-up
max_signal_mismatch_pct = 5.0   # signals found by one side only: at most 5%
max_error_rate_pct = 1.0        # failed unified calls below 1%
min_ticks = 12                  # ticks compared since the last step

[scheduler.categories.day_trading]
# 5-minute bars (daily for the ATR): opening-range breakout and VWAP cross, on volume.
symbols = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "SBIN", "KOTAKBANK",
           "AXISBANK", "BAJFINANCE", "TATAMOTORS", "TATASTEEL", "ADANIENT"]
opening_range_minutes = 15
max_range_atr = 0.5     # skip opening ranges wider than half a daily ATR(14)
volume_factor = 1.5     # bar volume vs the average of the 20 bars before it

[scheduler.categories.short_selling]
# 5-minute bars against the prior day (daily bars): breakdown below the prior day's low
# under a falling EMA with RSI below 40; rejection at the falling EMA below VWAP.
symbols = ["SBIN", "TATAMOTORS", "TATASTEEL", "ADANIENT", "AXISBANK", "BAJFINANCE",
           "ICICIBANK", "INDUSINDBK", "HINDALCO", "JSWSTEEL"]
ema_period = 20
rsi_period = 14
breakdown_rsi_max = 40.0
rejection_rsi_max = 50.0

[scheduler.categories.short_term]
# Daily bars: 20/50 SMA cross; RSI rising back through 40 in an uptrend.
symbols = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "BAJFINANCE", "LT", "ITC",
           "BHARTIARTL", "HINDUNILVR", "MARUTI", "SUNPHARMA", "TITAN", "ASIANPAINT", "HCLTECH"]
fast_sma = 20
slow_sma = 50
rsi_period = 14
pullback_rsi = 40.0

[monitor]
# Dead-man's-switch pings (healthchecks.io-style): a job POSTs <url>/start when it
# begins, <url> when it succeeds, <url>/fail with the error text when it fails (exit 1
# or 2), <url>/<code> on exit 3 or 75. The pings of a run add 2 s to it at most and
# never fail the job. --ping URL overrides for one run.
# ping_url = "https://hc-ping.com/your-uuid"

[monitor.jobs]
# A job's own URL, over ping_url: scan, export, enrich, process-excel,
# migrate-scheduler, notify.
# scan = "https://hc-ping.com/another-uuid"

[log]
# Log lines: "text", or "json" (one object per line, with the named lifecycle events
# listed in the README; info level by default, errors and failure events only with -q).
# --log-format overrides.
format = "text"
# Log to this file instead of stderr (relative: to the data home); --log-file overrides.
# Every job may append to it at once; it is rotated by size: optctl.log -> optctl.log.1
# -> ... -> optctl.log.<keep>. What a command reports itself (optctl: error: ..., the
# failed items) stays on stderr, for cron to mail.
# file = "optctl.log"
max_bytes = 10485760
keep = 5

[store]
# Where the store is. Default: the SQLite file optctl.db in the data home. A PostgreSQL
# URL puts it in that database instead, which hosts with data homes of their own share
# (job locks then hold across them). --store and $OPTCTL_STORE override.
# The password: in the URL, else $PGPASSWORD, else ~/.pgpass ($PGPASSFILE).
# url = "postgres://optctl@db.example:5432/optctl"
"#;

impl Config {
    /// Parses TOML text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| Error::Parse {
            what: "config file",
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        cfg.enrich.symbols.follow(&cfg.watchlist.tickers);
        cfg.validate().map_err(|m| Error::Parse {
            what: "config file",
            path: path.to_path_buf(),
            message: m,
        })?;
        Ok(cfg)
    }

    /// Loads the config at `path`. When `required` is false a missing file gives the
    /// defaults (the default location); when true it is an error (asked for by name).
    /// Keys and tokens in the environment are applied over the file
    /// ([`ProviderConfig::apply_env`]).
    pub fn load(path: &Path, required: bool) -> Result<Config, Error> {
        let mut cfg = match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Config::default(),
            Err(source) => {
                return Err(Error::Read {
                    what: "config file",
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        cfg.provider.apply_env();
        Ok(cfg)
    }

    /// Each section checks what its types cannot; messages name the key.
    fn validate(&self) -> Result<(), String> {
        self.provider.validate()?;
        self.scan.validate()?;
        self.pricing.validate()?;
        self.detectors.validate()?;
        self.serve.validate()?;
        self.excel.validate()?;
        self.market_hours
            .check()
            .map_err(|e| format!("market_hours.{e}"))?;
        self.enrich.validate()?;
        self.resilience.validate()?;
        self.notify.validate()?;
        self.monitor.validate()?;
        self.log.validate()?;
        self.store.validate()?;
        self.scheduler
            .check()
            .map_err(|e| format!("scheduler.{e}"))?;
        Ok(())
    }
}

/// The default config file location: `$XDG_CONFIG_HOME/optctl/config.toml`, else
/// `~/.config/optctl/config.toml`.
pub fn default_config_path() -> crate::Result<PathBuf> {
    crate::home::xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("optctl").join("config.toml"))
}

/// A config problem is bad input: exit 2.
impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        crate::Error::area(crate::error::Kind::BadInput, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrich_symbols_can_follow_the_watchlist() {
        let text = "[watchlist]\ntickers = [\"spy\", \"AMD\", \"VIX\", \"SPY\"]\n\n[enrich]\nsymbols = \"watchlist\"\n";
        let cfg = Config::parse(text, Path::new("c.toml")).unwrap();
        let u = &cfg.enrich.symbols;
        assert!(u.follows_watchlist);
        let entries: Vec<(String, String)> = u
            .entries()
            .into_iter()
            .map(|(s, c)| (s, c.to_string()))
            .collect();
        let want = [("AMD", "stock"), ("SPY", "etf"), ("VIX", "index")];
        assert_eq!(entries, want.map(|(s, c)| (s.to_string(), c.to_string())));
        // `config show` writes it back as the word, and that parses to the same.
        let shown = toml::to_string(&cfg).unwrap();
        assert!(shown.contains("symbols = \"watchlist\""), "{shown}");
        assert_eq!(Config::parse(&shown, Path::new("shown.toml")).unwrap(), cfg);
        // Lists still parse, missing classes default.
        let cfg =
            Config::parse("[enrich.symbols]\nstock = [\"AMD\"]\n", Path::new("c.toml")).unwrap();
        assert!(!cfg.enrich.symbols.follows_watchlist);
        assert_eq!(
            cfg.enrich
                .symbols
                .class_of("AMD")
                .map(|c| c.to_string())
                .as_deref(),
            Some("stock")
        );
        assert_eq!(
            cfg.enrich
                .symbols
                .class_of("SPY")
                .map(|c| c.to_string())
                .as_deref(),
            Some("etf")
        );

        let e = Config::parse("[enrich]\nsymbols = \"watchlst\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"watchlst\": expected \"watchlist\""), "{e}");
        let e = Config::parse(
            "[watchlist]\ntickers = []\n[enrich]\nsymbols = \"watchlist\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("enrich.symbols") && e.contains("lists none"),
            "{e}"
        );
        let e = Config::parse(
            "[enrich.symbols]\nstocks = [\"AMD\"]\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("stocks"), "{e}");
    }

    #[test]
    fn template_parses_to_the_defaults() {
        let cfg = Config::parse(TEMPLATE, Path::new("template.toml")).unwrap();
        assert_eq!(cfg, Config::default());
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let err = Config::parse("[scan]\nconcurency = 4\n", Path::new("/etc/x.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/etc/x.toml"), "{msg}");
        assert!(msg.contains("concurency"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn wrong_type_names_key() {
        let msg = Config::parse(
            "[detectors.iv_spike]\nmin_jump = \"big\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("min_jump"), "{msg}");
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let cfg =
            Config::parse("[watchlist]\ntickers = [\"AAPL\"]\n", Path::new("c.toml")).unwrap();
        assert_eq!(cfg.watchlist.tickers, ["AAPL"]);
        assert_eq!(cfg.scan, ScanConfig::default());
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(Config::parse("[provider]\nname = \"nope\"\n", Path::new("c")).is_err());
        assert!(Config::parse("[scan]\nconcurrency = 0\n", Path::new("c")).is_err());
        assert!(Config::parse("[provider.sim]\nanomaly_rate = 2.0\n", Path::new("c")).is_err());
    }

    #[test]
    fn resilience_values_and_overrides_are_checked_naming_the_key() {
        let msg = Config::parse(
            "[resilience.retry]\nmultiplier = 0.5\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("resilience.retry.multiplier"), "{msg}");
        let msg = Config::parse(
            "[resilience.providers.polygon.limiter]\ncals = 5\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("resilience.providers.polygon"), "{msg}");
        assert!(msg.contains("cals"), "{msg}");
        let cfg = Config::parse(
            "[resilience.providers]\npolygon = { limiter = { calls = 5, per_seconds = 60, burst = 5 } }\n",
            Path::new("c.toml"),
        )
        .unwrap();
        let p = cfg.resilience.policy("polygon").unwrap();
        assert_eq!(
            (p.limiter.calls, p.limiter.per_seconds, p.limiter.burst),
            (5, 60, 5)
        );
        assert_eq!(
            cfg.resilience.policy("sim").unwrap(),
            cfg.resilience.defaults()
        );
    }

    #[test]
    fn missing_default_file_is_fine_but_missing_named_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("none.toml");
        assert_eq!(Config::load(&p, false).unwrap(), Config::default());
        assert!(Config::load(&p, true).is_err());
    }
}
