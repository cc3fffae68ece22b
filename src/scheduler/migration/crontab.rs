//! The crontab lines `migrate-scheduler crontab` prints for the current phase.

use std::path::Path;

use super::{Phase, State};
use crate::market::MarketHoursConfig;
use crate::scheduler::SchedulerConfig;

/// Cron's weekday field for the configured trading days (`1-5`).
pub(super) fn cron_weekdays(days: &[crate::market::Day]) -> String {
    let mut n: Vec<u32> = days.iter().map(|d| d.0.num_days_from_sunday()).collect();
    n.sort_unstable();
    n.dedup();
    if n.is_empty() {
        return "*".into();
    }
    // Runs of consecutive days as ranges: [1,2,3,4,5] -> "1-5".
    let mut parts = Vec::new();
    let mut i = 0;
    while i < n.len() {
        let mut j = i;
        while j + 1 < n.len() && n[j + 1] == n[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", n[i], n[j])
        } else {
            n[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

fn quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The crontab lines for the current phase. `program` is the optctl to call (an absolute
/// path: cron's PATH is short); `home` and `config` are passed on so cron's environment
/// does not matter.
pub fn crontab(
    state: &State,
    cfg: &SchedulerConfig,
    hours: &MarketHoursConfig,
    program: &Path,
    home: &Path,
    config: Option<&Path>,
) -> Vec<String> {
    let mut base = format!("{} --home {}", quote(program), quote(home));
    if let Some(c) = config {
        base.push_str(&format!(" --config {}", quote(c)));
    }
    let minutes = match cfg.cadence_minutes {
        1 => "*".to_string(),
        60 => "0".to_string(),
        n => format!("*/{n}"),
    };
    let days = cron_weekdays(&hours.weekdays);
    let mut out = vec![
        format!(
            "# optctl strategy scheduler, phase {}: {}.",
            state.phase,
            state.phase.describe()
        ),
        format!(
            "# A tick every {} minutes; --market-hours-only skips ticks outside the [market_hours]",
            cfg.cadence_minutes
        ),
        format!(
            "# session ({} {}-{}, holidays included), so the line needs no time zone. Overlapping",
            hours.timezone, hours.open, hours.close
        ),
        "# ticks exit 75 and do nothing.".into(),
        format!("{minutes} * * * {days}  {base} -q migrate-scheduler run --market-hours-only"),
    ];
    if matches!(
        state.phase,
        Phase::Parallel | Phase::Cutover | Phase::Unified
    ) {
        out.push(
            "# While migrating: the criteria and the next step, once a day after the close (cron mails it)."
                .into(),
        );
        out.push(format!("0 18 * * {days}  {base} migrate-scheduler status"));
    }
    out
}
