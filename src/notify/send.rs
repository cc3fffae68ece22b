//! One HTTP request and what its answer means for the message: delivered, worth another
//! try later (timeouts, connection errors, 408, 429, 5xx), or refused for good (401,
//! 403, other 4xx: a bad token or a bad chat will not fix itself).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

use super::format::Request;

/// What became of one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Sent,
    /// Try again later; `after` is what the receiver asked for (Retry-After).
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// Refused for good.
    Failed {
        reason: String,
        /// 401 or 403: the channel's credentials, not this message, are at fault.
        auth: bool,
    },
}

/// The HTTP client of one drain: no redirects (a webhook that moved should be fixed in
/// the config, and a redirect could carry the body elsewhere), a timeout per request.
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))
}

/// Sends `req` as a POST. Error texts may still hold a secret: the caller scrubs them.
pub async fn send(client: &reqwest::Client, req: &Request, timeout: Duration) -> Delivery {
    let mut headers = HeaderMap::new();
    for (k, v) in &req.headers {
        let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) else {
            return Delivery::Failed {
                reason: format!("header {k} cannot be sent (not plain ASCII)"),
                auth: false,
            };
        };
        headers.insert(k, v);
    }
    let answer = client
        .post(&req.url)
        .headers(headers)
        .body(req.body.clone())
        .send()
        .await;
    let resp = match answer {
        Ok(r) => r,
        Err(e) => {
            let e = e.without_url();
            let reason = if e.is_timeout() {
                format!("no answer within {} s", timeout.as_secs())
            } else if e.is_connect() {
                format!("cannot connect: {}", chain(&e))
            } else if e.is_builder() {
                return Delivery::Failed {
                    reason: format!("bad request: {}", chain(&e)),
                    auth: false,
                };
            } else {
                format!("request failed: {}", chain(&e))
            };
            return Delivery::Retry {
                after: None,
                reason,
            };
        }
    };
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, Utc::now()));
    if status.is_success() {
        return Delivery::Sent;
    }
    // The body says why (Telegram's "description", Slack's "invalid_token").
    let body = resp.text().await.unwrap_or_default();
    let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let detail = json
        .as_ref()
        .and_then(|j| j.get("description").or_else(|| j.get("message")))
        .and_then(|d| d.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| body.split_whitespace().collect::<Vec<_>>().join(" "));
    let detail: String = detail.chars().take(200).collect();
    let reason = if detail.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {detail}")
    };
    let code = status.as_u16();
    if code == 429 || code == 408 || status.is_server_error() {
        // Telegram says `parameters.retry_after`, Discord `retry_after` (seconds).
        let body_after = json.as_ref().and_then(|j| {
            j.pointer("/parameters/retry_after")
                .or_else(|| j.get("retry_after"))
                .and_then(|v| v.as_f64())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
        });
        let after = retry_after.or(body_after);
        return Delivery::Retry { after, reason };
    }
    Delivery::Failed {
        reason,
        auth: code == 401 || code == 403,
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted answer: status, headers, body.
    type Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

    /// Answers each request with the next [`Answer`] on 127.0.0.1.
    fn server(answers: Vec<Answer>) -> String {
        let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", s.server_addr().to_ip().unwrap());
        std::thread::spawn(move || {
            for (status, headers, body) in answers {
                let Ok(rq) = s.recv() else { return };
                let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
                for (k, v) in headers {
                    resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
                }
                let _ = rq.respond(resp);
            }
        });
        url
    }

    #[tokio::test]
    async fn answers_are_classified_and_retry_hints_read() {
        let url = server(vec![
            (200, vec![], "ok"),
            (
                429,
                vec![],
                r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#,
            ),
            (
                429,
                vec![],
                r#"{"message":"You are being rate limited.","retry_after":1.5}"#,
            ),
            (502, vec![("Retry-After", "3")], "bad gateway"),
            (
                403,
                vec![],
                r#"{"ok":false,"description":"Forbidden: bot was blocked by the user"}"#,
            ),
            (302, vec![("Location", "http://127.0.0.1:1/")], ""),
            (400, vec![], "invalid_payload"),
        ]);
        let req = Request {
            url,
            headers: vec![("Idempotency-Key".into(), "alert-1".into())],
            body: b"{}".to_vec(),
        };
        let t = Duration::from_secs(10);
        let c = client(t).unwrap();
        assert_eq!(send(&c, &req, t).await, Delivery::Sent);
        let secs = |d: Delivery| match d {
            Delivery::Retry { after, .. } => after,
            other => panic!("{other:?}"),
        };
        assert_eq!(secs(send(&c, &req, t).await), Some(Duration::from_secs(7)));
        assert_eq!(
            secs(send(&c, &req, t).await),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(secs(send(&c, &req, t).await), Some(Duration::from_secs(3)));
        assert_eq!(
            send(&c, &req, t).await,
            Delivery::Failed {
                reason: "HTTP 403 Forbidden: Forbidden: bot was blocked by the user".into(),
                auth: true
            }
        );
        assert!(
            matches!(
                send(&c, &req, t).await,
                Delivery::Failed { auth: false, .. }
            ),
            "redirects are not followed"
        );
        assert_eq!(
            send(&c, &req, t).await,
            Delivery::Failed {
                reason: "HTTP 400 Bad Request: invalid_payload".into(),
                auth: false
            }
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: DateTime<Utc> = "2015-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
