//! `[excel]`: the workbooks `optctl process-excel` reads and how it classifies moves.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Settings of `optctl process-excel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExcelConfig {
    /// The daily-history workbook (default `<home>/excel/Historical.xlsx`; a relative
    /// path is relative to the data home).
    pub historical: Option<PathBuf>,
    /// The live workbook (default `<home>/excel/Live.xlsx`).
    pub live: Option<PathBuf>,
    /// Sheet of the historical workbook to read (default: the first).
    pub historical_sheet: Option<String>,
    /// Sheet of the live workbook to read (default: the first).
    pub live_sheet: Option<String>,
    /// Price moves (percent of the previous close) at or inside this are "neutral".
    pub price_threshold_pct: f64,
    /// OI moves (percent of the previous day's OI) at or inside this are "neutral".
    pub oi_threshold_pct: f64,
    /// Trading days of history averaged for the volume ratio.
    pub volume_avg_days: usize,
    /// Run records and their ticks this many days older than the newest earlier run (or
    /// this run, if earlier) are deleted, except the newest [`crate::time::KEEP_LAST`]
    /// runs (0 keeps all).
    pub keep_days: u32,
    /// Refuse to read a workbook while Excel's owner file (`~$Live.xlsx`) is next to it
    /// (default false). Excel keeps that file for as long as the workbook is *open*, so
    /// by default it is ignored and only a workbook that is really half-written (torn
    /// zip, bad CRC, cut XML) is refused, after a few quick tries.
    pub lock_file_check: bool,
    /// Headers mapped by hand, per workbook: field name -> header text.
    pub columns: ExcelColumns,
    /// Headers of either workbook that optctl does not read and should not warn about
    /// (`["Lot Size", "Chg %"]`; compared ignoring case, spaces and punctuation). A
    /// header that matches no known column and is not listed here is a warning on every
    /// run, with the nearest known name.
    pub ignore_headers: Vec<String>,
    /// Exit 3 when some rows were skipped and the rest were stored (default: exit 0, the
    /// skipped rows named on stderr), as `optctl process-excel --strict`.
    pub strict: bool,
}

impl ExcelConfig {
    /// Checks thresholds, the volume window and the hand-mapped column names; messages
    /// name the key.
    pub fn validate(&self) -> Result<(), String> {
        use super::workbook::Kind;
        for (key, v) in [
            ("excel.price_threshold_pct", self.price_threshold_pct),
            ("excel.oi_threshold_pct", self.oi_threshold_pct),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(format!("{key}: must be a percentage of 0 or more, got {v}"));
            }
        }
        if self.volume_avg_days == 0 {
            return Err("excel.volume_avg_days: must be at least 1".into());
        }
        for (kind, map) in [
            (Kind::Historical, &self.columns.historical),
            (Kind::Live, &self.columns.live),
        ] {
            let known: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
            if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(format!(
                    "excel.columns.{kind}: unknown field {k:?}, expected one of: {}",
                    known.join(", ")
                ));
            }
            // `field = ""` says the workbook has no such column: only for optional ones.
            if let Some(f) = kind
                .fields()
                .iter()
                .find(|f| f.required && map.get(f.name).is_some_and(|h| h.trim().is_empty()))
            {
                return Err(format!(
                    "excel.columns.{kind}.{}: a required column cannot be empty (\"\" is for an \
                     optional column the workbook does not have)",
                    f.name
                ));
            }
        }
        Ok(())
    }
}

impl Default for ExcelConfig {
    fn default() -> Self {
        ExcelConfig {
            historical: None,
            live: None,
            historical_sheet: None,
            live_sheet: None,
            // The public buildup classifier's noise thresholds.
            price_threshold_pct: 0.1,
            oi_threshold_pct: 0.5,
            volume_avg_days: 20,
            keep_days: 30,
            lock_file_check: false,
            columns: ExcelColumns::default(),
            ignore_headers: Vec::new(),
            strict: false,
        }
    }
}

/// `[excel.columns.historical]` and `[excel.columns.live]`: field name -> header. An
/// empty header (`bid = ""`) says the workbook has no such column (optional fields only),
/// which silences the warning about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ExcelColumns {
    pub historical: std::collections::BTreeMap<String, String>,
    pub live: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_header_says_an_optional_column_is_absent() {
        let mut c = ExcelConfig::default();
        c.columns.live.insert("bid".into(), String::new());
        assert_eq!(c.validate(), Ok(()));
        c.columns.live.insert("ltp".into(), " ".into());
        assert_eq!(
            c.validate().unwrap_err(),
            "excel.columns.live.ltp: a required column cannot be empty (\"\" is for an \
             optional column the workbook does not have)"
        );
    }
}
