//! What the real sources cost optctl per chain, before any pricing: parsing each source's
//! payload of a realistic size, and one CBOE chain fetched over HTTP from a loopback
//! server (request, gzip-less transfer, parse) so the transport's share shows.
//!
//! Payloads are built from each source's shape (as in `fixtures/providers/`) with a
//! fixed number of contracts: 1000 for a stock's chain (CBOE, one Tradier expiration of
//! 250 x 4, four Polygon pages of 250), 8000 for an SPX-sized CBOE chain.
//! Run: `cargo bench --bench providers`.

#![recursion_limit = "256"]

use std::hint::black_box;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use optctl::provider::{cboe, nse, polygon, tradier};

fn main() {
    divan::main();
}

/// `n` contracts as (OCC symbol, strike, is_call, expiry as YYMMDD).
fn contracts(root: &str, n: usize) -> Vec<(String, f64, bool, &'static str)> {
    const EXPIRIES: [&str; 8] = [
        "261127", "261204", "261211", "261218", "270115", "270219", "270319", "270617",
    ];
    (0..n)
        .map(|i| {
            let expiry = EXPIRIES[i % EXPIRIES.len()];
            let strike = 50.0 + 0.5 * (i / (2 * EXPIRIES.len())) as f64;
            let call = i % 2 == 0;
            let symbol = format!(
                "{root}{expiry}{}{:08}",
                if call { 'C' } else { 'P' },
                (strike * 1000.0) as u64
            );
            (symbol, strike, call, expiry)
        })
        .collect()
}

fn cboe_payload(n: usize) -> Vec<u8> {
    let options: Vec<Value> = contracts("SPXW", n)
        .into_iter()
        .map(|(s, k, _, _)| {
            json!({"option": s, "bid": k / 40.0, "bid_size": 51.0, "ask": k / 40.0 + 0.1,
                   "ask_size": 12.0, "iv": 0.2312, "open_interest": 8053.0, "volume": 68.0,
                   "delta": -0.3087, "gamma": 0.0337, "vega": 0.0923, "theta": -0.0662,
                   "rho": -0.0204, "theo": 2.1816, "change": -0.97, "open": 2.3, "high": 2.42,
                   "low": 2.03, "tick": "down", "last_trade_price": 2.13,
                   "last_trade_time": "2026-11-23T09:50:44", "percent_change": -31.2903,
                   "prev_day_close": 3.10000002384186})
        })
        .collect();
    serde_json::to_vec(
        &json!({"timestamp": "2026-11-23 14:55:00", "symbol": "_SPX",
        "data": {"options": options, "symbol": "_SPX", "current_price": 6012.5,
                 "close": 6012.5, "prev_day_close": 5990.1}}),
    )
    .unwrap()
}

fn polygon_page(n: usize) -> Vec<u8> {
    let results: Vec<Value> = contracts("AAPL", n)
        .into_iter()
        .map(|(s, k, call, _)| {
            json!({"break_even_price": k + 3.0,
                "day": {"change": -0.35, "change_percent": -2.1, "close": 3.1, "high": 3.3,
                        "last_updated": 1795410000000000000_i64, "low": 2.9, "open": 3.0,
                        "previous_close": 3.45, "volume": 812, "vwap": 3.08},
                "details": {"contract_type": if call { "call" } else { "put" },
                            "exercise_style": "american", "expiration_date": "2026-12-18",
                            "shares_per_contract": 100, "strike_price": k,
                            "ticker": format!("O:{s}")},
                "greeks": {"delta": 0.51, "gamma": 0.03, "theta": -0.05, "vega": 0.2},
                "implied_volatility": 0.28,
                "last_quote": {"ask": 3.15, "ask_size": 209, "bid": 3.05, "bid_size": 294,
                               "last_updated": 1795445960800059648_i64, "midpoint": 3.1,
                               "timeframe": "REAL-TIME"},
                "open_interest": 7049,
                "underlying_asset": {"change_to_break_even": 3.2,
                                     "last_updated": 1795445970172073152_i64,
                                     "price": 172.5, "ticker": "AAPL", "timeframe": "REAL-TIME"}})
        })
        .collect();
    serde_json::to_vec(
        &json!({"request_id": "x", "status": "OK", "results": results,
        "next_url": "https://api.polygon.io/v3/snapshot/options/AAPL?cursor=YXA9"}),
    )
    .unwrap()
}

fn tradier_chain(n: usize) -> Vec<u8> {
    let options: Vec<Value> = contracts("VXX", n)
        .into_iter()
        .map(|(s, k, call, _)| {
            json!({"symbol": s, "description": "VXX", "exch": "Z", "type": "option",
                "last": 1.2, "change": -0.05, "volume": 120, "open": 1.2, "high": 1.3,
                "low": 1.1, "close": null, "bid": 1.15, "ask": 1.25, "underlying": "VXX",
                "strike": k, "change_percentage": -1.2, "average_volume": 0,
                "last_volume": 2, "trade_date": 1795442100000_i64, "prevclose": 1.25,
                "week_52_high": 0.0, "week_52_low": 0.0, "bidsize": 12, "bidexch": "J",
                "bid_date": 1795445657000_i64, "asksize": 611, "askexch": "Z",
                "ask_date": 1795446096000_i64, "open_interest": 1500, "contract_size": 100,
                "expiration_date": "2026-12-18", "expiration_type": "standard",
                "option_type": if call { "call" } else { "put" }, "root_symbol": "VXX",
                "greeks": {"delta": 0.5, "gamma": 0.1, "theta": -0.01, "vega": 0.02,
                           "rho": 0.01, "phi": -0.01, "bid_iv": 0.7, "mid_iv": 0.71,
                           "ask_iv": 0.72, "smv_vol": 0.713,
                           "updated_at": "2026-11-23 14:00:08"}})
        })
        .collect();
    serde_json::to_vec(&json!({"options": {"option": options}})).unwrap()
}

fn nse_legacy(rows: usize) -> Vec<u8> {
    let leg = |k: f64, kind: &str| {
        json!({"strikePrice": k, "expiryDate": "29-Dec-2026", "underlying": "NIFTY",
            "identifier": format!("OPTIDXNIFTY29-12-2026{kind}{k:.2}"),
            "openInterest": 37.5, "changeinOpenInterest": 129,
            "pchangeinOpenInterest": 5.86, "totalTradedVolume": 9698,
            "impliedVolatility": 13.12, "lastPrice": 520.5, "change": 1.2, "pChange": 10.7,
            "totalBuyQuantity": 572400, "totalSellQuantity": 104400, "bidQty": 750,
            "bidprice": 513.5, "askQty": 1500, "askPrice": 534.45,
            "underlyingValue": 26010.35})
    };
    let data: Vec<Value> = (0..rows)
        .map(|i| {
            let k = 20000.0 + 50.0 * i as f64;
            json!({"strikePrice": k, "expiryDate": "29-Dec-2026", "CE": leg(k, "CE"),
                   "PE": leg(k, "PE")})
        })
        .collect();
    serde_json::to_vec(
        &json!({"records": {"expiryDates": ["29-Dec-2026"], "data": data,
        "timestamp": "23-Nov-2026 15:29:00", "underlyingValue": 26010.35}}),
    )
    .unwrap()
}

#[divan::bench(args = [1000, 8000])]
fn cboe_chain(bencher: divan::Bencher, contracts: usize) {
    let body = cboe_payload(contracts);
    let now = Utc::now();
    bencher
        .counter(divan::counter::ItemsCount::new(contracts))
        .bench(|| cboe::parse_chain("SPX", black_box(&body), now, 0.045).unwrap());
}

#[divan::bench]
fn polygon_page_of_250(bencher: divan::Bencher) {
    let body = polygon_page(250);
    bencher
        .counter(divan::counter::ItemsCount::new(250usize))
        .bench(|| polygon::parse_snapshot("AAPL", black_box(&body)).unwrap());
}

#[divan::bench]
fn tradier_expiration_of_250(bencher: divan::Bencher) {
    let body = tradier_chain(250);
    bencher
        .counter(divan::counter::ItemsCount::new(250usize))
        .bench(|| tradier::parse_chain("VXX", black_box(&body)).unwrap());
}

#[divan::bench]
fn nse_legacy_of_1000_legs(bencher: divan::Bencher) {
    let body = nse_legacy(500);
    let now = Utc::now();
    bencher
        .counter(divan::counter::ItemsCount::new(1000usize))
        .bench(|| nse::parse_chain("NIFTY", black_box(&body), now).unwrap());
}

/// One SPX-sized CBOE chain over HTTP from 127.0.0.1 (tiny_http), parse included.
#[divan::bench(args = [1000, 8000])]
fn cboe_chain_over_loopback_http(bencher: divan::Bencher, contracts: usize) {
    let body = Arc::new(cboe_payload(contracts));
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (srv, b, st) = (server.clone(), body.clone(), stop.clone());
    let handle = std::thread::spawn(move || {
        while !st.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(Some(req)) = srv.recv_timeout(std::time::Duration::from_millis(50)) {
                let _ = req.respond(tiny_http::Response::from_data(b.as_slice().to_vec()));
            }
        }
    });
    let mut cfg = optctl::provider::ProviderConfig {
        name: optctl::provider::Source::Cboe,
        ..Default::default()
    };
    cfg.cboe.base_url = format!("http://127.0.0.1:{port}");
    let source = optctl::provider::build(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
    bencher
        .counter(divan::counter::ItemsCount::new(contracts))
        .bench_local(|| rt.block_on(source.chain("SPX", as_of)).unwrap());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = handle.join();
}
