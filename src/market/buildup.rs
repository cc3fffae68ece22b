//! The F&O buildup of a stock's day: the quadrant of price change against OI change,
//! and the derived numbers it is read from. Computed by `excel::buildup`; stored,
//! filtered and exported by name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four NSE F&O quadrants of price change against OI change, plus "neutral".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Buildup {
    /// Price up, OI up: fresh longs (bullish).
    LongBuildup,
    /// Price down, OI up: fresh shorts (bearish).
    ShortBuildup,
    /// Price up, OI down: shorts exiting (bullish).
    ShortCovering,
    /// Price down, OI down: longs exiting (bearish).
    LongUnwinding,
    /// The price move or the OI move is inside its noise threshold.
    Neutral,
}

impl Buildup {
    /// Every class, in display order.
    pub const ALL: [Buildup; 5] = [
        Buildup::LongBuildup,
        Buildup::ShortBuildup,
        Buildup::ShortCovering,
        Buildup::LongUnwinding,
        Buildup::Neutral,
    ];

    /// The stored and JSON name (`long_buildup`).
    pub fn as_str(self) -> &'static str {
        match self {
            Buildup::LongBuildup => "long_buildup",
            Buildup::ShortBuildup => "short_buildup",
            Buildup::ShortCovering => "short_covering",
            Buildup::LongUnwinding => "long_unwinding",
            Buildup::Neutral => "neutral",
        }
    }
}

impl fmt::Display for Buildup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Buildup {
    type Err = String;

    /// Accepts `long_buildup`, `long-buildup`, `Long Buildup`, ...
    fn from_str(s: &str) -> Result<Self, String> {
        let k: String = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Buildup::ALL
            .into_iter()
            .find(|b| b.as_str().replace('_', "") == k)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a buildup class; expected one of: {}",
                    Buildup::ALL.map(|b| b.as_str()).join(", ")
                )
            })
    }
}

/// The derived numbers of one stock. `None` where an input is missing or a base is 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Metrics {
    /// LTP minus previous close, rupees.
    pub change: Option<f64>,
    /// Percent: 1.5 = +1.5%.
    pub change_pct: Option<f64>,
    /// OI minus previous day's OI, contracts.
    pub oi_change: Option<i64>,
    /// Percent.
    pub oi_change_pct: Option<f64>,
    /// Today's volume over the average daily volume (2.0 = twice the usual).
    pub volume_ratio: Option<f64>,
    /// Where the LTP sits in today's range: 0 at the low, 1 at the high.
    pub range_position: Option<f64>,
    /// None when the price or OI change is unknown.
    pub buildup: Option<Buildup>,
}
