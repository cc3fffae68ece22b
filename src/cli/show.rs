//! `optctl show`: one ticker's features with their history, term structure, smile,
//! realized volatility (when enriched) and recent alerts.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use optctl::market::{Symbol, Timeframe};
use optctl::scan::views::{self, ExpiryStats};
use optctl::scan::{AlertFilter, FeatureRow};
use optctl::store::Store;

use super::chain::{locate, strike};
use super::output::{Output, pct};
use super::{Ctx, Outcome};

/// Show a ticker's features with their history, from the stored scans.
///
/// 30-day ATM IV now and a week and a month before; IV rank and percentile with the
/// number of daily observations behind them; per expiry the ATM IV, the expected move
/// (ATM straddle) and max pain; the smile of the nearest monthly expiry as a text chart;
/// realized volatility (HV20, HV60 from `optctl enrich run`'s daily bars) and IV30
/// minus it when the ticker is enriched; every stored feature column; recent alerts.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ticker (any case).
    ticker: Symbol,
    /// At most this many recent alerts.
    #[arg(long, value_name = "N", default_value_t = 10)]
    alerts: u64,
}

/// 30-day ATM IV next to the realized volatility enrich computed from daily bars.
#[derive(Debug, Clone, Serialize)]
pub struct Realized {
    /// The last daily bar the volatilities cover.
    pub as_of: DateTime<Utc>,
    pub hv20: Option<f64>,
    pub hv60: Option<f64>,
    pub iv30_minus_hv20: Option<f64>,
    pub iv30_minus_hv60: Option<f64>,
}

/// `ticker`'s realized volatility from its daily indicators, paired with `iv30`;
/// None when it was never enriched at 1d.
pub fn realized(
    store: &Store,
    ticker: &str,
    iv30: Option<f64>,
) -> optctl::Result<Option<Realized>> {
    let rows = store.enrich().list_indicators(ticker)?;
    Ok(rows
        .into_iter()
        .find(|r| r.timeframe == Timeframe::D1)
        .map(|r| {
            let (hv20, hv60) = (r.values.rv_20, r.values.rv_60);
            let minus = |hv: Option<f64>| Some(iv30? - hv?);
            Realized {
                as_of: r.values.time,
                hv20,
                hv60,
                iv30_minus_hv20: minus(hv20),
                iv30_minus_hv60: minus(hv60),
            }
        }))
}

/// A feature value for a table cell: integers as they are, fractions to 4 places.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |x| format!("{x:.4}")),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The smile shown: expiry, forward, (strike, IV) points.
type Smile = (NaiveDate, f64, Vec<(f64, f64)>);

fn then(f: Option<&FeatureRow>) -> Value {
    f.map_or(
        Value::Null,
        |f| json!({"as_of": f.as_of, "atm_iv_30d": f.atm_iv_30d}),
    )
}

/// The smile as a text chart: one line per strike, a bar from the lowest IV shown.
fn smile_chart(points: &[(f64, f64)], forward: f64) -> Vec<String> {
    const WIDTH: f64 = 30.0;
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let atm = points
        .iter()
        .min_by(|a, b| (a.0 - forward).abs().total_cmp(&(b.0 - forward).abs()))
        .map(|p| p.0);
    let kw = points.iter().map(|p| strike(p.0).len()).max().unwrap_or(0);
    points
        .iter()
        .map(|&(k, iv)| {
            let n = if hi > lo {
                1 + ((iv - lo) / (hi - lo) * (WIDTH - 1.0)).round() as usize
            } else {
                1
            };
            let mark = if Some(k) == atm { "  ATM" } else { "" };
            format!(
                "{:>kw$}  {:>6}  {}{mark}",
                strike(k),
                pct(Some(iv)),
                "█".repeat(n)
            )
        })
        .collect()
}

pub fn run(args: Args, ctx: &Ctx) -> optctl::Result<Outcome> {
    let ticker = args.ticker.to_string();
    let cfg = ctx.config()?;
    let store = ctx.store_read()?;
    let chains = store.chains();
    let Some(f) = chains.latest_features_of(&ticker)? else {
        locate(&store, &ticker, None)?;
        return Err(optctl::Error::Failed(format!(
            "{ticker}: no stored features"
        )));
    };
    let week = chains.features_at(&ticker, f.as_of - Duration::days(7))?;
    let month = chains.features_at(&ticker, f.as_of - Duration::days(30))?;
    let chain_ref = chains.latest_ref(&ticker)?;
    let (term, smile): (Vec<ExpiryStats>, Option<Smile>) = match &chain_ref {
        Some(r) => {
            let contracts = chains.get(r.scan_id, &ticker)?;
            let stored = chains.expiries(r.scan_id, &ticker)?;
            let term = views::expiry_stats(r.as_of, r.spot, &contracts, &stored);
            let expiries: Vec<NaiveDate> = term.iter().map(|e| e.expiry).collect();
            let smile = views::nearest_monthly(&expiries, r.as_of).map(|d| {
                let cs: Vec<_> = contracts.iter().filter(|c| c.expiry == d).collect();
                let forward = views::forward_of(&stored, d, &cs).unwrap_or(r.spot);
                let all = views::smile(&cs, forward);
                let ks: Vec<f64> = all.iter().map(|p| p.0).collect();
                let keep = views::strikes_around(&ks, forward, 15);
                let pts = all.into_iter().filter(|p| keep.contains(&p.0)).collect();
                (d, forward, pts)
            });
            (term, smile)
        }
        None => (Vec::new(), None),
    };
    let hv = realized(&store, &ticker, f.atm_iv_30d)?;
    let alerts = store.alerts().list(&AlertFilter {
        ticker: Some(ticker.clone()),
        limit: Some(args.alerts),
        ..AlertFilter::default()
    })?;
    let min_obs = cfg.scan.min_iv_observations;
    let features = serde_json::to_value(&f).unwrap_or_default();

    if ctx.out.is_json() {
        ctx.out.json(&json!({
            "ticker": ticker,
            "as_of": f.as_of,
            "spot": f.spot,
            "features": features,
            "iv30": {
                "now": f.atm_iv_30d,
                "week_ago": then(week.as_ref()),
                "month_ago": then(month.as_ref()),
            },
            "iv_rank": {
                "rank": f.iv_rank,
                "percentile": f.iv_percentile,
                "observations": f.iv_history_n,
                "min_observations": min_obs,
            },
            "realized_vol": hv,
            "chain": chain_ref,
            "term_structure": term,
            "smile": smile.as_ref().map(|(d, fwd, pts)| json!({
                "expiry": d,
                "forward": fwd,
                "points": pts.iter().map(|(k, iv)| json!({"strike": k, "iv": iv})).collect::<Vec<_>>(),
            })),
            "alerts": alerts,
        }))?;
        return Ok(Outcome::Done);
    }

    let out = &ctx.out;
    out.line(&format!(
        "{ticker}  spot {:.2}  features of {}",
        f.spot,
        optctl::store::ts(f.as_of)
    ))?;
    let ago = |label: &str, g: &Option<FeatureRow>| match g {
        Some(g) => format!("{label} {} ({})", pct(g.atm_iv_30d), g.as_of.date_naive()),
        None => format!("{label} -"),
    };
    out.line(&format!(
        "IV30         {}   {}   {}",
        pct(f.atm_iv_30d),
        ago("1 week ago", &week),
        ago("1 month ago", &month)
    ))?;
    let rank = match (f.iv_rank, f.iv_percentile) {
        (None, None) => format!(
            "not yet: {} of the {min_obs} daily observations needed",
            f.iv_history_n
        ),
        (r, p) => format!(
            "rank {}  percentile {}  over {} daily observations{}",
            r.map_or("-".into(), |x| format!("{x:.2}")),
            p.map_or("-".into(), |x| format!("{x:.2}")),
            f.iv_history_n,
            if f.iv_history_n < 252 {
                " (less than a year)"
            } else {
                ""
            }
        ),
    };
    out.line(&format!("IV rank      {rank}"))?;
    let hv_line = match &hv {
        Some(h) => {
            let pts = |v: Option<f64>| v.map_or("-".into(), |x| format!("{:+.1} pts", x * 100.0));
            format!(
                "HV20 {}  HV60 {}  (daily bars to {})   IV30 − HV20 {}   IV30 − HV60 {}",
                pct(h.hv20),
                pct(h.hv60),
                h.as_of.date_naive(),
                pts(h.iv30_minus_hv20),
                pts(h.iv30_minus_hv60)
            )
        }
        None => format!("not enriched (optctl enrich run --symbols {ticker})"),
    };
    out.line(&format!("Realized     {hv_line}"))?;
    out.line(&format!(
        "Max pain     {} (nearest monthly)",
        f.max_pain.map_or("-".into(), strike)
    ))?;

    if !term.is_empty() {
        let mut t = out.table(&[
            "expiry",
            "days",
            "monthly",
            "forward",
            "atm iv",
            "expected move",
            "move %",
            "max pain",
            "call oi",
            "put oi",
        ]);
        for e in &term {
            let fwd = e.forward.unwrap_or(f.spot);
            t.add_row(vec![
                e.expiry.to_string(),
                e.days.to_string(),
                if e.monthly { "yes" } else { "" }.into(),
                e.forward.map_or("-".into(), |x| format!("{x:.2}")),
                pct(e.atm_iv),
                e.expected_move.map_or("-".into(), |x| format!("±{x:.2}")),
                e.expected_move
                    .map_or("-".into(), |x| format!("±{:.1}%", x / fwd * 100.0)),
                e.max_pain.map_or("-".into(), strike),
                e.call_oi.to_string(),
                e.put_oi.to_string(),
            ]);
        }
        Output::align_right(&mut t, &[1, 3, 4, 5, 6, 7, 8, 9]);
        let r = chain_ref
            .as_ref()
            .expect("term structure comes from a chain");
        out.line("")?;
        out.print_table(
            Some(&format!(
                "Term structure (chain of scan {} at {})",
                r.scan_id,
                optctl::store::ts(r.as_of)
            )),
            &t,
        )?;
    }
    if let Some((d, fwd, pts)) = &smile
        && !pts.is_empty()
    {
        out.line("")?;
        out.line(&format!(
            "Smile {d} (forward {fwd:.2}; puts below, calls above)"
        ))?;
        for l in smile_chart(pts, *fwd) {
            out.line(&l)?;
        }
    }

    let mut t = out.table(&["feature", "value"]);
    if let Some(map) = features.as_object() {
        for (k, v) in map {
            if k != "ticker" && k != "as_of" {
                t.add_row(vec![k.clone(), cell(v)]);
            }
        }
    }
    Output::align_right(&mut t, &[1]);
    out.line("")?;
    out.print_table(Some("Features"), &t)?;

    out.line("")?;
    if alerts.is_empty() {
        out.line("Recent alerts: none")?;
    } else {
        let mut t = out.table(&["time", "detector", "score", "contract"]);
        for a in &alerts {
            t.add_row(vec![
                optctl::store::ts(a.created_at),
                a.detector_name.clone(),
                format!("{:.1}", a.score),
                a.contract.clone().unwrap_or_default(),
            ]);
        }
        Output::align_right(&mut t, &[2]);
        out.print_table(Some("Recent alerts"), &t)?;
    }
    Ok(Outcome::Done)
}
