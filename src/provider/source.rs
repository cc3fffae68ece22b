//! [`Source`]: the one list of data sources optctl knows. Config keys (`[provider] name`,
//! `[enrich] provider`, `[scheduler] provider`) and `--provider` flags parse into it, so an
//! unknown name is refused where it is written and no code matches on provider strings.

use serde::{Deserialize, Serialize};

/// A data source.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(try_from = "String", into = "&'static str")]
#[value(rename_all = "lowercase")]
pub enum Source {
    /// The embedded, deterministic simulated market (no network).
    Sim,
    /// Replay of saved snapshots or raw responses from a folder.
    Files,
    /// CBOE delayed quotes (chains).
    Cboe,
    /// Yahoo Finance (chains and bars).
    Yahoo,
    /// Polygon.io (chains and bars; needs a key).
    Polygon,
    /// Tradier (chains and bars; needs a token).
    Tradier,
    /// NSE India option chains.
    Nse,
    /// Zerodha Kite Connect (NSE/BSE chains and bars; a key and a daily token).
    Kite,
    /// Upstox API v2, an Indian broker (chains and bars; needs the day's access token).
    Upstox,
}

impl Source {
    /// Every source, in the order help texts list them.
    pub const ALL: [Source; 9] = [
        Source::Sim,
        Source::Files,
        Source::Cboe,
        Source::Yahoo,
        Source::Polygon,
        Source::Tradier,
        Source::Nse,
        Source::Kite,
        Source::Upstox,
    ];

    /// The name as written in config, flags, the store and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Sim => "sim",
            Source::Files => "files",
            Source::Cboe => "cboe",
            Source::Yahoo => "yahoo",
            Source::Polygon => "polygon",
            Source::Tradier => "tradier",
            Source::Nse => "nse",
            Source::Kite => "kite",
            Source::Upstox => "upstox",
        }
    }

    /// A real source reached over HTTP (paced by the shared rate limiter).
    pub fn is_http(self) -> bool {
        !matches!(self, Source::Sim | Source::Files)
    }

    /// Serves OHLCV bars (`BarProvider`).
    pub fn has_bars(self) -> bool {
        !matches!(self, Source::Cboe | Source::Nse)
    }

    /// The trading calendar of the market whose chains the source serves: NSE's for
    /// `nse`, `kite` and `upstox`, NYSE's for the others (US listed options; the simulator is a
    /// US market).
    pub fn calendar(self) -> &'static crate::market::Calendar {
        match self {
            Source::Nse | Source::Kite | Source::Upstox => crate::market::Calendar::nse(),
            _ => crate::market::Calendar::nyse(),
        }
    }

    /// The market `ticker` trades on when this source serves it: NSE for `nse`, `kite`
    /// and `upstox` (Indian markets only; BSE keeps NSE's calendar), the
    /// reference profile's exchange for `sim` (its NSE names keep NSE's session), and
    /// for the other sources the symbol's own market when it has one (NIFTY, SENSEX:
    /// `Symbol::home_listing`), else the US. `scan --market-hours-only` asks each
    /// ticker's calendar.
    pub fn exchange_of(self, ticker: &crate::market::Symbol) -> crate::market::Exchange {
        match self {
            Source::Nse | Source::Kite | Source::Upstox => crate::market::Exchange::Nse,
            Source::Sim => super::sim::exchange_of(ticker.as_str()),
            _ => ticker
                .home_listing()
                .map_or(crate::market::Exchange::Us, |l| l.exchange()),
        }
    }

    /// The names of the sources for which `pick` holds, comma-separated (for messages).
    pub fn names(pick: impl Fn(Source) -> bool) -> String {
        Source::ALL
            .iter()
            .filter(|s| pick(**s))
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Source {
    type Error = String;

    fn try_from(s: String) -> Result<Source, String> {
        s.parse()
    }
}

impl From<Source> for &'static str {
    fn from(s: Source) -> &'static str {
        s.as_str()
    }
}

impl std::str::FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Source, String> {
        Source::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown provider {s:?}, expected one of: {}",
                    Source::names(|_| true)
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for s in Source::ALL {
            assert_eq!(s.as_str().parse::<Source>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        let err = "nasdaq".parse::<Source>().unwrap_err();
        assert!(
            err.contains("sim, files, cboe, yahoo, polygon, tradier, nse, kite, upstox"),
            "{err}"
        );
        assert_eq!(
            Source::names(Source::has_bars),
            "sim, files, yahoo, polygon, tradier, kite, upstox"
        );
        assert_eq!(
            Source::names(Source::is_http),
            "cboe, yahoo, polygon, tradier, nse, kite, upstox"
        );
    }
}
