//! Zerodha Kite Connect (`kite`): bars and chains from recorded and constructed answers
//! served from 127.0.0.1: symbol mapping through the instruments dump (kept in the data
//! home per IST day), candles in IST sessions, an expired token, a 429 honoured, and the
//! day-trading scheduler's parity on Kite's bars.

use serde_json::Value;

use crate::harness::servers::{Route, Server};
use crate::harness::{Home, day_trading, describe, parse_json};

const KEY: &str = "kitekey4x2";
const TOKEN: &str = "kitetok9q8w7e6r";

/// An NSE dump in Kite's columns: the tokens Kite gives RELIANCE and the two indices.
const NSE_DUMP: &str = "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n\
738561,2885,RELIANCE,RELIANCE INDUSTRIES,0.0,,0.0,0.05,1,EQ,NSE,NSE\n\
256265,1001,NIFTY 50,NIFTY 50,0.0,,0.0,0.0,0,EQ,INDICES,NSE\n\
260105,1016,NIFTY BANK,NIFTY BANK,0.0,,0.0,0.0,0,EQ,INDICES,NSE\n";

fn config(server: &Server, extra: &str) -> String {
    format!(
        "[provider.kite]\nbase_url = \"{}\"\napi_key = \"{KEY}\"\n{extra}",
        server.url()
    )
}

fn run(home: &Home, args: &[&str]) -> std::process::Output {
    home.cmd(args)
        .env("OPTCTL_KITE_ACCESS_TOKEN", TOKEN)
        .output()
        .unwrap()
}

fn fetch(home: &Home, args: &str) -> Value {
    let mut all = vec!["fetch", "--json"];
    all.extend(args.split_whitespace());
    let out = run(home, &all);
    assert!(out.status.success(), "{}", describe(&out));
    parse_json(&out)
}

type Row<'a> = (&'a str, f64, f64, f64, f64, u64);

/// Kite's `/instruments/historical` answer of `rows` (IST `YYYY-mm-dd HH:MM`), with OI 0.
fn candles(rows: &[Row]) -> Vec<u8> {
    let c: Vec<Value> = rows
        .iter()
        .map(|r| {
            let t = chrono::NaiveDateTime::parse_from_str(r.0, "%Y-%m-%d %H:%M").unwrap();
            serde_json::json!([
                t.format("%Y-%m-%dT%H:%M:%S+0530").to_string(),
                r.1,
                r.2,
                r.3,
                r.4,
                r.5,
                0
            ])
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"status": "success", "data": {"candles": c}})).unwrap()
}

fn today_ist() -> String {
    (chrono::Utc::now() + chrono::TimeDelta::minutes(330))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn kite_bars_map_the_symbol_and_keep_to_ist_sessions_with_the_dump_kept_for_the_day() {
    let five = candles(&[
        ("2026-11-23 09:15", 1500.0, 1502.0, 1499.0, 1501.0, 1000),
        ("2026-11-23 09:20", 1501.0, 1503.0, 1500.0, 1502.0, 1200),
        ("2026-11-23 09:25", 1502.0, 1504.0, 1501.0, 1503.0, 900),
        // A print at the close, outside the session.
        ("2026-11-23 15:30", 1503.0, 1503.0, 1503.0, 1503.0, 0),
        // Tuesday 24th is a holiday (Guru Nanak Jayanti).
        ("2026-11-24 09:15", 1503.0, 1503.0, 1503.0, 1503.0, 0),
        ("2026-11-25 09:15", 1504.0, 1506.0, 1503.0, 1505.0, 800),
        ("2026-11-25 09:20", 1505.0, 1507.0, 1504.0, 1506.0, 700),
        // 09:25 missing: a gap stays a gap.
        ("2026-11-25 09:30", 1506.0, 1508.0, 1505.0, 1507.0, 600),
    ]);
    let server = Server::start(vec![
        Route::bytes("/instruments/NSE", 200, NSE_DUMP).header("Content-Type", "text/csv"),
        Route::bytes("/instruments/historical/738561/5minute", 200, five),
        Route::bytes(
            "/instruments/historical/256265/day",
            200,
            candles(&[
                ("2026-11-23 00:00", 26000.0, 26100.0, 25900.0, 26050.0, 0),
                ("2026-11-24 00:00", 26050.0, 26050.0, 26050.0, 26050.0, 0),
                ("2026-11-25 00:00", 26050.0, 26200.0, 26000.0, 26150.0, 0),
            ]),
        ),
    ]);
    let home = Home::new();
    let stale = home
        .home()
        .join("cache")
        .join("kite")
        .join("instruments-NSE-2000-01-01.csv");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "old").unwrap();
    home.write_config(&config(&server, ""));
    let r = fetch(
        &home,
        "--provider kite --ticker reliance --bars 5m --from 2026-11-23 --to 2026-11-26",
    );
    assert_eq!(r["ticker"], "RELIANCE");
    assert_eq!(r["bars"]["count"], 6, "{r:#}");
    assert_eq!(r["bars"]["first"]["time"], "2026-11-23T03:45:00Z");
    assert_eq!(r["bars"]["last"]["time"], "2026-11-25T04:00:00Z");
    assert_eq!(r["bars"]["last"]["close"], 1507.0);
    assert_eq!(r["pace"]["requests"], 3, "Kite's historical limit: 3/s");
    let seen = server.seen();
    let hist = seen
        .iter()
        .find(|s| s.path().starts_with("/instruments/historical/"))
        .unwrap();
    assert_eq!(hist.header("x-kite-version"), Some("3"));
    assert_eq!(
        hist.header("authorization"),
        Some(format!("token {KEY}:{TOKEN}").as_str())
    );
    // The range in IST, with open interest asked for.
    assert!(
        hist.target.contains("from=2026-11-23+05%3A30%3A00")
            || hist.target.contains("from=2026-11-23%2005:30:00")
            || hist.target.contains("from=2026-11-23%2005%3A30%3A00"),
        "{}",
        hist.target
    );
    assert!(hist.target.contains("oi=1"), "{}", hist.target);

    // The dump is kept in the data home under today's IST date (the schedulers read it
    // back: `kite_bars_compare_in_ist_sessions_with_parity`).
    let kept = home
        .home()
        .join("cache")
        .join("kite")
        .join(format!("instruments-NSE-{}.csv", today_ist()));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), NSE_DUMP);
    assert!(!stale.exists(), "an earlier day's dump is removed");
    // NIFTY is Kite's "NIFTY 50"; daily candles (00:00 IST) open with the session and the
    // holiday's row goes.
    let r = fetch(
        &home,
        "--provider kite --ticker NIFTY --bars 1d --from 2026-11-23 --to 2026-11-26",
    );
    assert_eq!(r["bars"]["count"], 2, "{r:#}");
    assert_eq!(r["bars"]["first"]["time"], "2026-11-23T03:45:00Z");
    assert_eq!(r["bars"]["last"]["time"], "2026-11-25T03:45:00Z");

    // A symbol Kite does not list is an unknown symbol, not a crash.
    let out = run(
        &home,
        &[
            "fetch",
            "--provider",
            "kite",
            "--ticker",
            "NOSUCH",
            "--bars",
            "1d",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-26",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("kite: unknown symbol NOSUCH"),
        "{}",
        describe(&out)
    );
}

#[test]
fn an_expired_kite_token_is_exit_2_saying_how_to_renew_it_and_nothing_is_kept() {
    let server = Server::start(vec![Route::bytes(
        "/instruments/NSE",
        403,
        r#"{"status":"error","message":"Incorrect `api_key` or `access_token`.","data":null,"error_type":"TokenException"}"#,
    )]);
    let home = Home::new();
    home.write_config(&config(&server, ""));
    let save = home.root().join("captures");
    let out = run(
        &home,
        &[
            "fetch",
            "--provider",
            "kite",
            "--ticker",
            "RELIANCE",
            "--bars",
            "5m",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-26",
            "--save",
            save.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "kite: authentication failed: HTTP 403 TokenException",
        "the access token has expired or is invalid",
        "Incorrect `api_key` or `access_token`.",
        "log in again",
        "OPTCTL_KITE_ACCESS_TOKEN",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!err.contains(TOKEN) && !err.contains(KEY), "{err}");
    assert!(!save.exists(), "no capture of a refused run");
    assert!(
        !home.home().join("cache/kite").exists(),
        "no dump kept from a refused run"
    );

    // No token at all: a usage error naming both places, before any request.
    let out = home
        .cmd([
            "fetch",
            "--provider",
            "kite",
            "--ticker",
            "RELIANCE",
            "--bars",
            "1d",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("set OPTCTL_KITE_ACCESS_TOKEN or [provider.kite] access_token"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_kite_429_is_waited_out_and_the_bars_are_stored() {
    let days: Vec<String> = (16..=20)
        .chain(23..=23)
        .map(|d| format!("2026-11-{d:02} 00:00"))
        .collect();
    let rows: Vec<Row> = days
        .iter()
        .map(|d| (d.as_str(), 1500.0, 1510.0, 1490.0, 1505.0, 1000))
        .collect();
    let path = "/instruments/historical/738561/day";
    let server = Server::start(vec![
        Route::bytes("/instruments/NSE", 200, NSE_DUMP),
        Route::bytes(path, 429, "Too many requests")
            .header("Content-Type", "text/plain")
            .header("Retry-After", "1")
            .times(1),
        Route::bytes(path, 200, candles(&rows)),
    ]);
    let home = Home::new();
    home.write_config(&config(
        &server,
        "[enrich]\nprovider = \"kite\"\n\
         [resilience.retry]\ninitial_delay_ms = 1\nmax_delay_ms = 5\njitter = false\n",
    ));
    let out = run(
        &home,
        &[
            "enrich",
            "run",
            "--symbols",
            "RELIANCE",
            "--timeframes",
            "1d",
            "--as-of",
            "2026-11-23T12:00:00Z",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let r = parse_json(&out);
    assert_eq!(r["status"], "succeeded", "{r:#}");
    assert_eq!(r["retries"], 1, "{r:#}");
    let asked = server.seen().iter().filter(|s| s.path() == path).count();
    assert_eq!(asked, 2, "asked again after the 429");
    let res = home.json(["enrich", "resilience", "--json"]);
    // A 429 is the limiter's business, not a failure of the source.
    assert_eq!(res["breakers"][0]["window"]["failures"], 0, "{res}");
}

fn quote(last: f64, bid: f64, ask: f64, oi: u64) -> Value {
    serde_json::json!({
        "instrument_token": 1, "timestamp": "2018-01-12 10:40:29", "last_price": last,
        "last_quantity": 40, "last_trade_time": "2018-01-12 10:40:28", "average_price": last,
        "volume": 12000, "buy_quantity": 4000, "sell_quantity": 5000,
        "ohlc": {"open": last, "high": last, "low": last, "close": last},
        "net_change": 0, "oi": oi, "oi_day_high": oi, "oi_day_low": oi,
        "depth": {"buy": [{"price": bid, "quantity": 40, "orders": 1}],
                  "sell": [{"price": ask, "quantity": 40, "orders": 1}]}
    })
}

#[test]
fn a_kite_chain_is_quoted_from_the_fo_contracts_with_the_lot_size_as_multiplier() {
    // January's BANKNIFTY contracts of the recorded dump, one of them left unquoted.
    let mut data = serde_json::Map::new();
    data.insert("NSE:NIFTY BANK".into(), quote(25950.0, 0.0, 0.0, 0));
    for (sym, last) in [
        ("BANKNIFTY18JAN23400CE", 2622.0),
        ("BANKNIFTY18JAN23400PE", 29.85),
        ("BANKNIFTY18JAN23500CE", 2528.4),
        ("BANKNIFTY18JAN23500PE", 35.15),
        ("BANKNIFTY18JAN23600CE", 2435.55),
        ("BANKNIFTY18JAN23600PE", 41.25),
        ("BANKNIFTY18JAN23700CE", 2343.55),
    ] {
        data.insert(
            format!("NFO:{sym}"),
            quote(last, last - 0.5, last + 0.5, 120_000),
        );
    }
    let body = serde_json::to_vec(&serde_json::json!({"status": "success", "data": data})).unwrap();
    let server = Server::start(vec![
        Route::bytes("/instruments/NSE", 200, NSE_DUMP),
        Route::fixture("/instruments/NFO", "kite/instruments_all.csv"),
        Route::bytes("/quote", 200, body),
    ]);
    let home = Home::new();
    home.write_config(&config(&server, ""));
    let r = fetch(
        &home,
        "--provider kite --ticker BANKNIFTY --as-of 2018-01-12T05:00:00Z",
    );
    let c = &r["chain"];
    assert_eq!(c["multiplier"], 40.0, "{r:#}");
    assert_eq!(c["spot"], 25950.0);
    assert_eq!(c["contracts"], 7);
    assert_eq!(c["quoted"], 7);
    // December's expiry is past on 2018-01-12.
    assert_eq!(c["expirations"], serde_json::json!(["2018-01-25"]));
    // The quote time is IST: 10:40:29 is 05:10:29 UTC.
    assert_eq!(c["as_of"], "2018-01-12T05:10:29Z");
    let q = server
        .seen()
        .into_iter()
        .find(|s| s.path() == "/quote")
        .unwrap();
    assert_eq!(q.target.matches("i=").count(), 9, "{}", q.target);
    assert!(q.target.contains("BANKNIFTY18JAN23700PE"), "{}", q.target);
    assert!(
        q.target.contains("NIFTY%20BANK") || q.target.contains("NIFTY+BANK"),
        "{}",
        q.target
    );
    // Kite counts volume and open interest in units; stored, they count contracts
    // (120,000 units of OI and 12,000 traded at a lot size of 40).
    let out = run(
        &home,
        &[
            "-q",
            "--as-of",
            "2018-01-12T05:00:00Z",
            "scan",
            "--provider",
            "kite",
            "--tickers",
            "BANKNIFTY",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        home.count(
            "SELECT count(*) FROM chain_snapshots WHERE open_interest = 3000 AND volume = 300"
        ),
        7
    );
}

#[test]
fn kite_bars_compare_in_ist_sessions_with_parity() {
    let rows = |bars: Vec<day_trading::Bar>| -> Vec<u8> {
        let text: Vec<(String, f64, f64, f64, f64, u64)> = bars
            .into_iter()
            .map(|b| {
                (
                    b.0.format("%Y-%m-%d %H:%M").to_string(),
                    b.1,
                    b.2,
                    b.3,
                    b.4,
                    b.5,
                )
            })
            .collect();
        let rows: Vec<Row> = text
            .iter()
            .map(|r| (r.0.as_str(), r.1, r.2, r.3, r.4, r.5))
            .collect();
        candles(&rows)
    };
    // Today's dump is already in the data home (an earlier run kept it): not fetched.
    let server = Server::start(vec![
        Route::bytes(
            "/instruments/historical/738561/5minute",
            200,
            rows(day_trading::five_minutes()),
        ),
        Route::bytes(
            "/instruments/historical/738561/day",
            200,
            rows(day_trading::daily()),
        ),
    ]);
    let home = Home::new();
    let kite_dir = home.home().join("cache/kite");
    std::fs::create_dir_all(&kite_dir).unwrap();
    std::fs::write(
        kite_dir.join(format!("instruments-NSE-{}.csv", today_ist())),
        NSE_DUMP,
    )
    .unwrap();
    // Yesterday's copy is stale: never read (and removed when a new dump is fetched).
    std::fs::write(kite_dir.join("instruments-NSE-2000-01-01.csv"), "garbage").unwrap();
    home.write_config(&config(
        &server,
        "[scheduler]\nprovider = \"kite\"\n\
         [scheduler.categories.day_trading]\nsymbols = [\"RELIANCE\"]\n",
    ));
    let out = run(
        &home,
        &[
            "compare",
            "--json",
            "--as-of",
            day_trading::AS_OF,
            "--categories",
            "day_trading",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    day_trading::assert_ist_signals_with_parity(&parse_json(&out), "kite");
    // Both schedulers mapped RELIANCE through the kept dump.
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.path().starts_with("/instruments/NSE")),
        "the kept dump was read"
    );
}

#[test]
fn a_kite_future_s_stored_bars_keep_open_interest_and_a_stock_s_have_none() {
    // NIFTYFUT is mapped to December's NIFTY future in the NFO dump; RELIANCE is the cash
    // stock, whose OI column Kite fills with 0.
    let nfo = "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n\
               13238786,51714,NIFTY26DECFUT,NIFTY,0.0,2026-12-29,0.0,0.1,75,FUT,NFO-FUT,NFO\n";
    let days: Vec<String> = (16..=20)
        .chain(23..=23)
        .map(|d| format!("2026-11-{d:02}T00:00:00+0530"))
        .collect();
    let fut: Vec<Value> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            serde_json::json!([
                d,
                26000.0,
                26100.0,
                25900.0,
                26050.0,
                163275,
                13_600_000 + 10_000 * i as u64
            ])
        })
        .collect();
    let fut = serde_json::json!({"status": "success", "data": {"candles": fut}});
    let rows: Vec<String> = (16..=20)
        .chain(23..=23)
        .map(|d| format!("2026-11-{d:02} 00:00"))
        .collect();
    let rows: Vec<Row> = rows
        .iter()
        .map(|d| (d.as_str(), 1500.0, 1510.0, 1490.0, 1505.0, 1000))
        .collect();
    let server = Server::start(vec![
        Route::bytes("/instruments/NSE", 200, NSE_DUMP),
        Route::bytes("/instruments/NFO", 200, nfo),
        Route::bytes(
            "/instruments/historical/13238786/day",
            200,
            serde_json::to_vec(&fut).unwrap(),
        ),
        Route::bytes("/instruments/historical/738561/day", 200, candles(&rows)),
    ]);
    let home = Home::new();
    home.write_config(&config(
        &server,
        "[provider.kite.instruments]\nNIFTYFUT = \"NFO:NIFTY26DECFUT\"\n[enrich]\nprovider = \"kite\"\n",
    ));
    let out = run(
        &home,
        &[
            "enrich",
            "run",
            "--symbols",
            "NIFTYFUT,RELIANCE",
            "--timeframes",
            "1d",
            "--as-of",
            "2026-11-23T12:00:00Z",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(parse_json(&out)["status"], "succeeded");
    let stored = |symbol: &str| -> Vec<(String, Option<f64>)> {
        home.rows(&format!(
            "SELECT time, open_interest FROM bars WHERE symbol = '{symbol}' AND timeframe = '1d'
             ORDER BY time"
        ))
        .into_iter()
        .map(|r| {
            let oi = r[1].as_deref().map(|v| v.parse().unwrap());
            (r[0].clone().unwrap(), oi)
        })
        .collect()
    };
    // The future's bars keep Kite's OI, in units (75 a lot: 13,600,000 is not divided).
    let fut = stored("NIFTYFUT");
    assert_eq!(fut.len(), 6, "{fut:?}");
    assert_eq!(fut[0], ("2026-11-16T03:45:00Z".into(), Some(13_600_000.0)));
    assert_eq!(fut[5].1, Some(13_650_000.0));
    // The stock's placeholder 0 is not open interest.
    let stock = stored("RELIANCE");
    assert_eq!(stock.len(), 6, "{stock:?}");
    assert!(stock.iter().all(|(_, oi)| oi.is_none()), "{stock:?}");

    // `fetch` shows the future's last bar with its open interest, the stock's without.
    let r = fetch(
        &home,
        "--provider kite --ticker NIFTYFUT --bars 1d --from 2026-11-16 --to 2026-11-24",
    );
    assert_eq!(r["bars"]["last"]["open_interest"], 13_650_000.0, "{r:#}");
    let r = fetch(
        &home,
        "--provider kite --ticker RELIANCE --bars 1d --from 2026-11-16 --to 2026-11-24",
    );
    assert!(r["bars"]["last"].get("open_interest").is_none(), "{r:#}");
}

#[test]
fn kite_minute_bars_are_asked_for_sixty_days_at_a_time() {
    // pykiteconnect's recorded minute answer: 09:15 and 09:16 IST on 2017-12-15.
    let path = "/instruments/historical/738561/minute";
    let server = Server::start(vec![
        Route::bytes("/instruments/NSE", 200, NSE_DUMP),
        Route::fixture(path, "kite/historical_minute.json"),
    ]);
    let home = Home::new();
    home.write_config(&config(&server, ""));
    // 91 days: Kite serves at most 60 days of minute candles a request.
    let r = fetch(
        &home,
        "--provider kite --ticker RELIANCE --bars 1m --from 2017-10-01 --to 2017-12-31",
    );
    assert_eq!(r["bars"]["count"], 2, "{r:#}");
    assert_eq!(r["bars"]["first"]["time"], "2017-12-15T03:45:00Z");
    assert_eq!(r["bars"]["last"]["time"], "2017-12-15T03:46:00Z");
    assert_eq!(r["bars"]["last"]["close"], 1698.15);
    let asked: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.path() == path)
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    // The first window ends 60 days on (2017-11-30 05:30 IST), where the second starts.
    let day = |t: &str, key: &str| {
        let at = t.find(&format!("{key}=")).unwrap() + key.len() + 1;
        t[at..at + 10].to_string()
    };
    assert_eq!(
        (day(&asked[0], "from"), day(&asked[0], "to")),
        ("2017-10-01".into(), "2017-11-30".into())
    );
    assert_eq!(
        (day(&asked[1], "from"), day(&asked[1], "to")),
        ("2017-11-30".into(), "2017-12-31".into())
    );
}
