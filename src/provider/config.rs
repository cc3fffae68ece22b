//! `[provider]`: which source serves chains, and each source's settings.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Source;
use super::cboe::CboeConfig;
use super::http::{HttpConfig, Secret};
use super::kite::KiteConfig;
use super::nse::NseConfig;
use super::polygon::{self, PolygonConfig};
use super::sim::SimConfig;
use super::tradier::{self, TradierConfig};
use super::upstox::{self, UpstoxConfig};
use super::yahoo::YahooConfig;

/// Which provider serves chains, and each provider's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderConfig {
    /// `sim` (embedded simulated market), `files` (replay saved snapshots or raw
    /// responses), or a real source: `cboe`, `yahoo`, `polygon`, `tradier`, `nse`,
    /// `kite`, `upstox`.
    pub name: Source,
    pub sim: SimConfig,
    pub files: FilesConfig,
    /// Timeouts every HTTP source shares.
    pub http: HttpConfig,
    pub cboe: CboeConfig,
    pub yahoo: YahooConfig,
    pub polygon: PolygonConfig,
    pub tradier: TradierConfig,
    pub nse: NseConfig,
    pub kite: KiteConfig,
    pub upstox: UpstoxConfig,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            name: Source::Sim,
            sim: SimConfig::default(),
            files: FilesConfig::default(),
            http: HttpConfig::default(),
            cboe: CboeConfig::default(),
            yahoo: YahooConfig::default(),
            polygon: PolygonConfig::default(),
            tradier: TradierConfig::default(),
            nse: NseConfig::default(),
            kite: KiteConfig::default(),
            upstox: UpstoxConfig::default(),
        }
    }
}

impl ProviderConfig {
    /// Checks names, base URLs, timeouts and rates; messages name the key.
    pub fn validate(&self) -> Result<(), String> {
        use super::http::parse_base_url;
        let sim = &self.sim;
        for (key, v) in [
            ("provider.sim.anomaly_rate", sim.anomaly_rate),
            ("provider.sim.failure_rate", sim.failure_rate),
            ("provider.sim.throttle_rate", sim.throttle_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "{key}: {v} is out of range: expected 0 to 1 (a fraction: 0.02 is 2%)"
                ));
            }
        }
        // Rates people write as percentages (4.5) would price every chain at 450%.
        for (key, v) in [
            ("provider.sim.rate", sim.rate),
            ("provider.cboe.risk_free_rate", self.cboe.risk_free_rate),
            ("provider.yahoo.risk_free_rate", self.yahoo.risk_free_rate),
            (
                "provider.polygon.risk_free_rate",
                self.polygon.risk_free_rate,
            ),
            (
                "provider.tradier.risk_free_rate",
                self.tradier.risk_free_rate,
            ),
            ("provider.nse.risk_free_rate", self.nse.risk_free_rate),
            ("provider.kite.risk_free_rate", self.kite.risk_free_rate),
            ("provider.upstox.risk_free_rate", self.upstox.risk_free_rate),
        ] {
            if !(-0.2..=0.5).contains(&v) {
                return Err(format!(
                    "{key}: {v} is out of range: expected -0.2 to 0.5 (a fraction: 0.045 is 4.5%)"
                ));
            }
        }
        self.http.check()?;
        self.yahoo.check()?;
        self.kite.check()?;
        self.upstox.check()?;
        for (key, url) in [
            ("cboe.base_url", &self.cboe.base_url),
            ("yahoo.base_url", &self.yahoo.base_url),
            ("yahoo.cookie_url", &self.yahoo.cookie_url),
            ("polygon.base_url", &self.polygon.base_url),
            ("tradier.base_url", &self.tradier.base_url),
            ("nse.base_url", &self.nse.base_url),
            ("kite.base_url", &self.kite.base_url),
            ("upstox.base_url", &self.upstox.base_url),
            ("upstox.assets_url", &self.upstox.assets_url),
        ] {
            parse_base_url(&format!("provider.{key}"), url)?;
        }
        if !(1..=250).contains(&self.polygon.page_limit) {
            return Err(format!(
                "provider.polygon.page_limit: must be 1 to 250, got {}",
                self.polygon.page_limit
            ));
        }
        if let Some((k, _)) = self.nse.lot_sizes.iter().find(|(_, v)| **v == 0) {
            return Err(format!("provider.nse.lot_sizes.{k}: must be at least 1"));
        }
        Ok(())
    }

    /// Keys and tokens from the environment win over the file: `OPTCTL_POLYGON_API_KEY`,
    /// `OPTCTL_TRADIER_TOKEN`, `OPTCTL_KITE_API_KEY`, `OPTCTL_KITE_ACCESS_TOKEN`,
    /// `OPTCTL_UPSTOX_ACCESS_TOKEN` (empty = unset).
    pub fn apply_env(&mut self) {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(k) = var(polygon::KEY_ENV) {
            self.polygon.api_key = Some(Secret::new(k.trim()));
        }
        if let Some(t) = var(tradier::TOKEN_ENV) {
            self.tradier.token = Some(Secret::new(t.trim()));
        }
        self.kite.apply_env();
        if let Some(t) = var(upstox::TOKEN_ENV) {
            self.upstox.access_token = Some(Secret::new(t.trim()));
        }
    }
}

/// Settings of the `files` provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Folder of saved snapshots (`<dir>/<TICKER>.json` or `<dir>/<TICKER>/*.json`).
    pub dir: Option<PathBuf>,
}
