//! Messages: the short text people read (ticker, detector or strategy, score, the two or
//! three numbers that fired it, a dashboard link) and the HTTP request each channel kind
//! expects. Pure functions: `send` does the I/O.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::channel::Channel;
use super::config::ChannelKind;
use super::route::Item;

/// One alert, signal or test in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `alert`, `signal` or `test`.
    pub kind: &'static str,
    /// The alert or signal id (0 for a test).
    pub id: i64,
    /// Its own idempotency key (`alert-17`).
    pub key: String,
    pub item: Item,
}

/// What one request sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The idempotency key of the whole message.
    pub key: String,
    pub entries: Vec<Entry>,
    /// The dashboard, when a public URL is configured.
    pub link: Option<String>,
}

/// An HTTP request ready to go out. `url` and some headers carry secrets: never log them.
#[derive(Clone, PartialEq)]
pub struct Request {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Request { .. }")
    }
}

/// The header that carries the idempotency key, on every channel.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Discord refuses longer `content`.
const DISCORD_MAX: usize = 2000;
/// Telegram refuses longer `text`.
const TELEGRAM_MAX: usize = 4096;

/// The dashboard link of a message: the ticker's view when every entry is about one
/// ticker, opened at the contract's expiry with the contract in view when every entry is
/// about the same contract (`/#ticker=AAPL&expiry=2026-12-18&contract=AAPL261218C00200000`).
pub fn link(public_url: Option<&str>, entries: &[Entry]) -> Option<String> {
    let base = public_url?.trim_end_matches('/');
    let first = &entries.first()?.item.ticker;
    if !entries.iter().all(|e| &e.item.ticker == first) || entries[0].kind == "test" {
        return Some(format!("{base}/"));
    }
    let contract = entries[0]
        .item
        .contract
        .as_deref()
        .filter(|c| {
            entries
                .iter()
                .all(|e| e.item.contract.as_deref() == Some(*c))
        })
        .and_then(|c| {
            crate::market::OccSymbol::parse(c)
                .ok()
                .map(|o| (c, o.expiry))
        });
    Some(match contract {
        Some((c, expiry)) => format!("{base}/#ticker={first}&expiry={expiry}&contract={c}"),
        None => format!("{base}/#ticker={first}"),
    })
}

#[derive(Clone, Copy)]
enum Fmt {
    /// A multiple: `3.20x`.
    Times,
    /// A count: `12,345`.
    Int,
    /// Money: `$1.2M`.
    Money,
    /// A fraction shown as a percentage: `45.2%`.
    Pct,
    /// Vol points, signed: `+8.1 pts`.
    Points,
    /// A plain number, 2 decimals.
    Num,
    /// Text as it is.
    Text,
    /// Daily IV observations behind a rank: `40 days of IV (under a year)`.
    Observations,
}

/// A number to show: its key in `alert_data`, its label, its format.
type Fact = (&'static str, &'static str, Fmt);

/// The numbers that fired each detector, most telling first.
const FACTS: &[(&str, &[Fact])] = &[
    (
        "volume_spike",
        &[
            ("ratio", "volume", Fmt::Times),
            ("volume", "today", Fmt::Int),
            ("trailing_avg", "avg", Fmt::Int),
        ],
    ),
    (
        "unusual_activity",
        &[
            ("vol_oi_ratio", "vol/OI", Fmt::Num),
            ("volume", "volume", Fmt::Int),
            ("premium", "premium", Fmt::Money),
        ],
    ),
    (
        "iv_spike",
        &[
            ("jump_points", "IV jump", Fmt::Points),
            ("atm_iv_30d", "IV30", Fmt::Pct),
            ("z", "z", Fmt::Num),
        ],
    ),
    (
        "iv_rank_extreme",
        &[
            ("iv_rank", "IV rank", Fmt::Pct),
            ("iv_percentile", "percentile", Fmt::Pct),
            ("observations", "", Fmt::Observations),
            ("atm_iv_30d", "IV30", Fmt::Pct),
            ("state", "", Fmt::Text),
        ],
    ),
    (
        "skew_shift",
        &[
            ("shift_points", "RR25 shift", Fmt::Points),
            ("rr25", "RR25", Fmt::Pct),
            ("direction", "", Fmt::Text),
        ],
    ),
    (
        "pcr_extreme",
        &[
            ("pcr_volume", "P/C", Fmt::Num),
            ("put_volume", "puts", Fmt::Int),
            ("call_volume", "calls", Fmt::Int),
        ],
    ),
    (
        "oi_surge",
        &[
            ("ratio", "OI", Fmt::Times),
            ("open_interest", "now", Fmt::Int),
            ("previous", "was", Fmt::Int),
        ],
    ),
];

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn show(v: &Value, fmt: Fmt) -> Option<String> {
    if let Fmt::Text = fmt {
        return v.as_str().map(str::to_string);
    }
    let x = v.as_f64()?;
    Some(match fmt {
        Fmt::Observations => {
            let n = x.round() as u64;
            let year = crate::scan::detectors::YEAR_OF_OBSERVATIONS;
            if n < year {
                format!("over {n} days of IV (under a year)")
            } else {
                format!("over {n} days of IV")
            }
        }
        Fmt::Times => format!("{x:.2}x"),
        Fmt::Int => group_thousands(x.round() as i64),
        Fmt::Money => match x.abs() {
            a if a >= 1e6 => format!("${:.1}M", x / 1e6),
            a if a >= 1e3 => format!("${:.1}K", x / 1e3),
            _ => format!("${x:.0}"),
        },
        Fmt::Pct => format!("{:.1}%", x * 100.0),
        Fmt::Points => format!("{x:+.1} pts"),
        Fmt::Num | Fmt::Text => {
            if x.fract() == 0.0 && x.abs() < 1e12 {
                group_thousands(x as i64)
            } else if x.abs() >= 1000.0 && x.abs() < 1e12 {
                let cents = (x.abs() * 100.0).round() as i64;
                let sign = if x < 0.0 { "-" } else { "" };
                format!("{sign}{}.{:02}", group_thousands(cents / 100), cents % 100)
            } else {
                format!("{x:.2}")
            }
        }
    })
}

/// The two or three numbers that fired `item`, as `vol/OI 3.20 · volume 4,210 · ...`.
pub fn facts(item: &Item) -> String {
    let parts: Vec<String> = match FACTS.iter().find(|(d, _)| *d == item.name) {
        Some((_, keys)) => keys
            .iter()
            .filter_map(|(key, label, fmt)| {
                let v = show(item.data.get(*key)?, *fmt)?;
                Some(if label.is_empty() {
                    v
                } else {
                    format!("{label} {v}")
                })
            })
            .collect(),
        // Signals and anything new: the first three numbers, by name.
        None => item
            .data
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(_, v)| v.is_number())
                    .take(3)
                    .filter_map(|(k, v)| Some(format!("{k} {}", show(v, Fmt::Num)?)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    parts.join(" · ")
}

/// `AAPL unusual_activity 78.5`, with the direction and category of a signal.
fn headline(e: &Entry) -> String {
    let i = &e.item;
    if e.kind == "test" {
        return i.name.clone();
    }
    let mut s = format!("{} {}", i.ticker, i.name);
    if let Some(d) = &i.direction {
        s.push_str(&format!(" {d}"));
    }
    s.push_str(&format!(" {:.1}", i.score));
    if let Some(c) = &i.category {
        s.push_str(&format!(" [{c}]"));
    }
    s
}

/// The title line: the headline of a single entry, or `optctl: 3 alerts, 1 signal`.
pub fn title(m: &Message) -> String {
    if let [one] = m.entries.as_slice() {
        return format!("optctl: {}", headline(one));
    }
    let count = |kind: &str| m.entries.iter().filter(|e| e.kind == kind).count();
    let mut parts = Vec::new();
    for (kind, one, many) in [
        ("alert", "alert", "alerts"),
        ("signal", "signal", "signals"),
    ] {
        match count(kind) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    format!("optctl: {}", parts.join(", "))
}

/// The message text, without the title (ntfy sends the title apart).
pub fn body_text(m: &Message) -> String {
    let mut lines = Vec::new();
    for e in &m.entries {
        let mut line = if m.entries.len() == 1 {
            String::new()
        } else {
            headline(e)
        };
        if let Some(c) = &e.item.contract {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(c);
        }
        let f = facts(&e.item);
        if !f.is_empty() {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&f);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if let Some(l) = &m.link {
        lines.push(l.clone());
    }
    lines.join("\n")
}

/// Title and body, one text.
pub fn text(m: &Message) -> String {
    let body = body_text(m);
    if body.is_empty() {
        title(m)
    } else {
        format!("{}\n{body}", title(m))
    }
}

/// `s` cut to at most `max` characters, ending with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Slack's mrkdwn needs `&`, `<` and `>` escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The webhook JSON body: every entry with its own key, so a receiver can drop
/// duplicates per alert as well as per message.
pub fn webhook_body(channel: &str, m: &Message, now: DateTime<Utc>) -> Value {
    let items: Vec<Value> = m
        .entries
        .iter()
        .map(|e| {
            json!({
                "kind": e.kind,
                "id": e.id,
                "idempotency_key": e.key,
                "ticker": e.item.ticker,
                "name": e.item.name,
                "category": e.item.category,
                "contract": e.item.contract,
                "direction": e.item.direction,
                "score": e.item.score,
                "data": e.item.data,
                "created_at": e.item.created_at,
            })
        })
        .collect();
    json!({
        "idempotency_key": m.key,
        "channel": channel,
        "sent_at": now,
        "text": text(m),
        "link": m.link,
        "count": items.len(),
        "items": items,
    })
}

/// HMAC-SHA256 of `body` under `key`, as `sha256=<hex>` (the GitHub webhook convention).
pub fn signature(key: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The request that delivers `m` through `ch`.
pub fn request(ch: &Channel, m: &Message, now: DateTime<Utc>) -> Request {
    let json_type = ("Content-Type".to_string(), "application/json".to_string());
    let key = (IDEMPOTENCY_HEADER.to_string(), m.key.clone());
    let (url, mut headers, body) = match ch.kind {
        ChannelKind::Telegram => {
            let body = json!({
                "chat_id": ch.chat_id,
                "text": clip(&text(m), TELEGRAM_MAX),
                "disable_web_page_preview": true,
            });
            (
                format!(
                    "{}/bot{}/sendMessage",
                    ch.url.trim_end_matches('/'),
                    ch.token.as_deref().unwrap_or_default()
                ),
                vec![json_type, key],
                body.to_string().into_bytes(),
            )
        }
        ChannelKind::Slack => (
            ch.url.clone(),
            vec![json_type, key],
            json!({ "text": slack_escape(&text(m)) })
                .to_string()
                .into_bytes(),
        ),
        ChannelKind::Discord => (
            ch.url.clone(),
            vec![json_type, key],
            // No @everyone or role pings from alert text.
            json!({ "content": clip(&text(m), DISCORD_MAX), "allowed_mentions": { "parse": [] } })
                .to_string()
                .into_bytes(),
        ),
        ChannelKind::Ntfy => {
            let mut h = vec![
                (
                    "Content-Type".to_string(),
                    "text/plain; charset=utf-8".to_string(),
                ),
                key,
                ("Title".to_string(), title(m)),
                ("Tags".to_string(), "chart_with_upwards_trend".to_string()),
            ];
            let top = m.entries.iter().map(|e| e.item.score).fold(0.0, f64::max);
            if top >= 80.0 {
                h.push(("Priority".to_string(), "high".to_string()));
            }
            if let Some(l) = &m.link {
                h.push(("Click".to_string(), l.clone()));
            }
            if let Some(t) = &ch.token {
                h.push(("Authorization".to_string(), format!("Bearer {t}")));
            }
            let body = body_text(m);
            let body = if body.is_empty() { title(m) } else { body };
            (ch.url.clone(), h, body.into_bytes())
        }
        ChannelKind::Webhook => {
            let body = webhook_body(&ch.name, m, now).to_string().into_bytes();
            let mut h = vec![json_type, key];
            if let Some(secret) = &ch.secret {
                h.push((
                    ch.signature_header.clone(),
                    signature(secret.as_bytes(), &body),
                ));
            }
            (ch.url.clone(), h, body)
        }
    };
    headers.push((
        "User-Agent".to_string(),
        concat!("optctl/", env!("CARGO_PKG_VERSION")).to_string(),
    ));
    Request { url, headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ticker: &str, name: &str, score: f64, data: Value) -> Entry {
        Entry {
            kind: "alert",
            id: 7,
            key: "alert-7".into(),
            item: Item {
                ticker: ticker.into(),
                name: name.into(),
                category: None,
                contract: None,
                direction: None,
                score,
                data,
                created_at: "2026-11-23T15:00:00Z".parse().unwrap(),
            },
        }
    }

    #[test]
    fn a_single_alert_says_what_fired_it() {
        let mut e = entry(
            "AAPL",
            "unusual_activity",
            78.46,
            json!({"volume": 4210, "open_interest": 1200, "vol_oi_ratio": 3.51, "premium": 1234567.0, "dte": 25}),
        );
        e.item.contract = Some("AAPL261218C00200000".into());
        let m = Message {
            key: "alert-7".into(),
            link: link(Some("https://dash.example.com/"), std::slice::from_ref(&e)),
            entries: vec![e],
        };
        insta::assert_snapshot!(text(&m), @r"
        optctl: AAPL unusual_activity 78.5
        AAPL261218C00200000: vol/OI 3.51 · volume 4,210 · premium $1.2M
        https://dash.example.com/#ticker=AAPL&expiry=2026-12-18&contract=AAPL261218C00200000
        ");
    }

    #[test]
    fn an_iv_rank_says_how_much_history_it_rests_on() {
        let data = |n: u64| {
            json!({"iv_rank": 0.97, "iv_percentile": 0.98, "observations": n,
                   "atm_iv_30d": 0.382, "side": "high", "state": "entered"})
        };
        let e = entry("AMD", "iv_rank_extreme", 66.0, data(40));
        assert_eq!(
            facts(&e.item),
            "IV rank 97.0% · percentile 98.0% · over 40 days of IV (under a year) · IV30 38.2% · entered"
        );
        let e = entry("AMD", "iv_rank_extreme", 66.0, data(252));
        assert!(facts(&e.item).contains("over 252 days of IV · "));
    }

    #[test]
    fn a_batch_is_one_line_per_entry() {
        let m = Message {
            key: "batch-x".into(),
            entries: vec![
                entry(
                    "MSFT",
                    "iv_spike",
                    62.0,
                    json!({"atm_iv_30d": 0.452, "jump_points": 8.13, "z": 4.2, "scans": 20}),
                ),
                entry(
                    "SPY",
                    "pcr_extreme",
                    55.0,
                    json!({"pcr_volume": 2.4, "side": "puts", "call_volume": 10000, "put_volume": 24000}),
                ),
                entry(
                    "TSLA",
                    "oi_surge",
                    71.0,
                    json!({"open_interest": 5200, "previous": 1300, "ratio": 4.0}),
                ),
            ],
            link: None,
        };
        insta::assert_snapshot!(text(&m), @r"
        optctl: 3 alerts
        MSFT iv_spike 62.0: IV jump +8.1 pts · IV30 45.2% · z 4.20
        SPY pcr_extreme 55.0: P/C 2.40 · puts 24,000 · calls 10,000
        TSLA oi_surge 71.0: OI 4.00x · now 5,200 · was 1,300
        ");
    }

    #[test]
    fn signals_show_direction_category_and_their_numbers() {
        let mut e = entry(
            "RELIANCE",
            "opening_range_breakout",
            72.0,
            json!({"price": 2450.5, "strength": 0.72}),
        );
        e.kind = "signal";
        e.item.direction = Some("long".into());
        e.item.category = Some("day_trading".into());
        assert_eq!(
            text(&Message {
                key: "signal-7".into(),
                entries: vec![e],
                link: None
            }),
            "optctl: RELIANCE opening_range_breakout long 72.0 [day_trading]\nprice 2,450.50 · strength 0.72"
        );
    }

    #[test]
    fn hmac_signature_matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn long_text_is_clipped() {
        let s = "x".repeat(3000);
        let c = clip(&s, DISCORD_MAX);
        assert_eq!(c.chars().count(), DISCORD_MAX);
        assert!(c.ends_with('…'));
        assert_eq!(group_thousands(-1234567), "-1,234,567");
    }
}
