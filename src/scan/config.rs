//! `[watchlist]`, `[scan]` and `[pricing]`: what `optctl scan` covers, how it runs and
//! the rates and dividends it prices with, and the watchlist file format.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::market::{Exchange, Symbol};

/// The tickers `optctl scan` covers when no `--tickers` or `--watchlist` is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchlistConfig {
    pub tickers: Vec<Symbol>,
}

impl Default for WatchlistConfig {
    fn default() -> Self {
        WatchlistConfig {
            tickers: DEFAULT_TICKERS
                .iter()
                .map(|s| Symbol::parse(s).expect("the default watchlist parses"))
                .collect(),
        }
    }
}

/// Twenty liquid US optionable names.
pub const DEFAULT_TICKERS: &[&str] = &[
    "SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AMD", "NFLX",
    "JPM", "BAC", "XOM", "DIS", "BA", "INTC", "COIN", "PLTR",
];

/// Settings of `optctl scan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanConfig {
    /// Chains fetched at once.
    pub concurrency: usize,
    /// Daily IV observations needed before IV rank and percentile are reported.
    pub min_iv_observations: usize,
    /// Chain snapshot rows of scans this many days older than the newest earlier scan
    /// (or the scan's `as_of`, if earlier) are deleted after each scan, except each
    /// ticker's newest [`crate::time::KEEP_LAST`]; features and alerts are kept. 0 keeps
    /// everything.
    pub keep_chain_days: u32,
    /// Exit 3 when some tickers failed and the rest were stored (default: exit 0, the
    /// failures named on stderr), as `optctl scan --strict`.
    pub strict: bool,
    /// Scan only the tickers whose own market is in session, and skip the run (exit 0,
    /// reason on stderr) when none is, as `optctl scan --market-hours-only`: NSE's
    /// calendar for the `nse` provider and the simulator's NSE names, NYSE's for the rest.
    pub market_hours_only: bool,
    /// Scan only this part of the tickers ("K/N", see [`super::Shard`]), as `optctl scan
    /// --shard`: each of N hosts names its own part in its own config. None: all.
    pub shard: Option<String>,
}

impl ScanConfig {
    /// Checks the values a type cannot; messages name the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.concurrency == 0 {
            return Err("scan.concurrency: must be at least 1".into());
        }
        if let Some(s) = &self.shard {
            s.parse::<super::Shard>()
                .map_err(|e| format!("scan.shard: {e}"))?;
        }
        Ok(())
    }

    /// The part of the tickers to scan (`shard`, checked by [`ScanConfig::validate`]).
    pub fn shard(&self) -> Option<super::Shard> {
        self.shard.as_deref().and_then(|s| s.parse().ok())
    }
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            concurrency: 16,
            min_iv_observations: 20,
            keep_chain_days: 5,
            strict: false,
            market_hours_only: false,
            shard: None,
        }
    }
}

/// `[pricing]`: the rates and dividend yields the forward falls back to (see
/// `quant::forward`) and the rate the parity forward discounts at when the chain cannot
/// imply one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricingConfig {
    /// Rates by currency (`USD` for US chains, `INR` for NSE). A currency not listed uses
    /// the rate the source gives (its provider section's `risk_free_rate`).
    pub rates: BTreeMap<String, RateConfig>,
    /// Continuous dividend yields by ticker (0.03 = 3%), used instead of the source's.
    pub dividend_yields: BTreeMap<Symbol, f64>,
}

/// One currency's rate: flat, or a term curve interpolated linearly in time to expiry
/// (flat beyond its first and last tenors).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateConfig {
    /// Continuously compounded rate (0.043 = 4.3%), used when `curve` is empty.
    pub rate: f64,
    /// Tenor (`7d`, `1m`, `3m`, `1y`...) -> rate.
    pub curve: BTreeMap<String, f64>,
}

/// Rates are believed within this range (fractions).
const RATE_LIMITS: (f64, f64) = (-0.1, 0.5);

/// Years in a tenor: `Nd`, `Nw`, `Nm` (N/12 years) or `Ny`.
fn tenor_years(tenor: &str) -> Option<f64> {
    let (n, unit) = tenor.split_at(tenor.len().checked_sub(1)?);
    let n: f64 = n.parse().ok().filter(|n: &f64| *n > 0.0 && n.is_finite())?;
    Some(match unit {
        "d" => n / 365.0,
        "w" => n * 7.0 / 365.0,
        "m" => n / 12.0,
        "y" => n,
        _ => return None,
    })
}

/// The currency a chain on `exchange` is priced in.
pub fn currency(exchange: Exchange) -> &'static str {
    match exchange {
        Exchange::Us => "USD",
        Exchange::Nse => "INR",
    }
}

impl PricingConfig {
    /// Checks the values a type cannot; messages name the key.
    pub fn validate(&self) -> Result<(), String> {
        let in_range = |key: String, v: f64| {
            if v.is_finite() && v >= RATE_LIMITS.0 && v <= RATE_LIMITS.1 {
                Ok(())
            } else {
                Err(format!(
                    "{key}: {v} is not a rate between {} and {} (a fraction: 0.043 = 4.3%)",
                    RATE_LIMITS.0, RATE_LIMITS.1
                ))
            }
        };
        for (ccy, r) in &self.rates {
            in_range(format!("pricing.rates.{ccy}.rate"), r.rate)?;
            for (tenor, v) in &r.curve {
                if tenor_years(tenor).is_none() {
                    return Err(format!(
                        "pricing.rates.{ccy}.curve: tenor {tenor:?} is not a number of days, \
                         weeks, months or years (7d, 2w, 3m, 1y)"
                    ));
                }
                in_range(format!("pricing.rates.{ccy}.curve.{tenor}"), *v)?;
            }
        }
        for (t, q) in &self.dividend_yields {
            if !(q.is_finite() && (0.0..=0.5).contains(q)) {
                return Err(format!(
                    "pricing.dividend_yields.{t}: {q} is not a yield between 0 and 0.5 \
                     (a fraction: 0.03 = 3%)"
                ));
            }
        }
        Ok(())
    }

    /// The rate for `t_years` on `exchange`: the configured curve or flat rate of its
    /// currency, else `source` (the rate the chain came with).
    pub fn rate(&self, exchange: Exchange, t_years: f64, source: f64) -> f64 {
        let Some(r) = self.rates.get(currency(exchange)) else {
            return source;
        };
        let mut points: Vec<(f64, f64)> = r
            .curve
            .iter()
            .filter_map(|(tenor, v)| Some((tenor_years(tenor)?, *v)))
            .collect();
        if points.is_empty() {
            return r.rate;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let first = points[0];
        let last = points[points.len() - 1];
        if t_years <= first.0 {
            return first.1;
        }
        if t_years >= last.0 {
            return last.1;
        }
        let i = points.partition_point(|p| p.0 < t_years);
        let ((t1, r1), (t2, r2)) = (points[i - 1], points[i]);
        r1 + (r2 - r1) * (t_years - t1) / (t2 - t1)
    }

    /// The dividend yield of `ticker`: the configured one, else `source`'s.
    pub fn dividend_yield(&self, ticker: &str, source: f64) -> f64 {
        Symbol::parse(ticker)
            .ok()
            .and_then(|s| self.dividend_yields.get(&s).copied())
            .unwrap_or(source)
    }
}

/// Reads a watchlist file: tickers separated by newlines, commas or spaces; `#` starts a
/// comment. Each is a [`Symbol`] (normalised: `brk-b` reads as `BRK.B`); de-duplicates,
/// keeping the first order.
pub fn read_watchlist(path: &Path) -> crate::Result<Vec<Symbol>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::Error::BadInput(format!("cannot read watchlist {}: {e}", path.display()))
    })?;
    let bad = |message: String| {
        crate::Error::BadInput(format!("watchlist {}: {message}", path.display()))
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for t in line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let t = Symbol::parse(t).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.is_empty() {
        return Err(bad("no tickers in the watchlist".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchlist_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.txt");
        std::fs::write(&p, "# mine\naapl, msft\nSPY # index\naapl\n").unwrap();
        assert_eq!(read_watchlist(&p).unwrap(), ["AAPL", "MSFT", "SPY"]);
        std::fs::write(&p, "AAPL\nbad;ticker\n").unwrap();
        let msg = read_watchlist(&p).unwrap_err().to_string();
        assert!(
            msg.contains("line 2") && msg.contains("\"bad;ticker\""),
            "{msg}"
        );
        std::fs::write(&p, "brk-b M&M, BRK.B\n").unwrap();
        assert_eq!(read_watchlist(&p).unwrap(), ["BRK.B", "M&M"]);
    }

    #[test]
    fn rate_curve_interpolates_per_expiry() {
        let cfg: PricingConfig = toml::from_str(
            "[rates.USD]\ncurve = { 1m = 0.04, 1y = 0.03 }\n[rates.INR]\nrate = 0.065\n\
             [dividend_yields]\nKO = 0.03\n",
        )
        .unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.rate(Exchange::Us, 0.01, 0.05), 0.04);
        assert!((cfg.rate(Exchange::Us, (1.0 / 12.0 + 1.0) / 2.0, 0.05) - 0.035).abs() < 1e-12);
        assert_eq!(cfg.rate(Exchange::Us, 3.0, 0.05), 0.03);
        assert_eq!(cfg.rate(Exchange::Nse, 0.5, 0.05), 0.065);
        assert_eq!(PricingConfig::default().rate(Exchange::Us, 0.5, 0.05), 0.05);
        assert_eq!(cfg.dividend_yield("KO", 0.0), 0.03);
        assert_eq!(cfg.dividend_yield("PEP", 0.01), 0.01);
    }

    #[test]
    fn pricing_values_are_range_checked() {
        for (text, key) in [
            ("[rates.USD]\nrate = 4.5\n", "pricing.rates.USD.rate"),
            ("[rates.USD]\ncurve = { 3q = 0.04 }\n", "tenor \"3q\""),
            (
                "[rates.USD]\ncurve = { 1m = -0.4 }\n",
                "pricing.rates.USD.curve.1m",
            ),
            (
                "[dividend_yields]\nKO = 3.0\n",
                "pricing.dividend_yields.KO",
            ),
        ] {
            let cfg: PricingConfig = toml::from_str(text).unwrap();
            let msg = cfg.validate().unwrap_err();
            assert!(msg.contains(key), "{text}: {msg}");
        }
    }
}
