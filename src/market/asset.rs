//! Asset classes: what kind of instrument a symbol is.

use serde::{Deserialize, Serialize};

/// What kind of instrument a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetClass {
    Stock,
    Etf,
    Index,
}

impl AssetClass {
    pub const ALL: [AssetClass; 3] = [AssetClass::Stock, AssetClass::Etf, AssetClass::Index];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetClass::Stock => "stock",
            AssetClass::Etf => "etf",
            AssetClass::Index => "index",
        }
    }
}

impl std::str::FromStr for AssetClass {
    type Err = String;

    /// `stock`, `etf` or `index` (any case; `stocks`, `etfs`, `indices` too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stock" | "stocks" => Ok(AssetClass::Stock),
            "etf" | "etfs" => Ok(AssetClass::Etf),
            "index" | "indices" | "indexes" => Ok(AssetClass::Index),
            other => Err(format!(
                "unknown asset class {other:?}: expected stock, etf or index"
            )),
        }
    }
}

impl std::fmt::Display for AssetClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
