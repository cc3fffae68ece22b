//! The dashboard page at `GET /`: one HTML document with its CSS and JavaScript inline,
//! written as `dashboard/page.{html,css,js}` and embedded at compile time, so the page
//! needs no CDN, no build step and no network beyond this server.
//!
//! The page holds no data: its script reads the JSON routes (`serve::ROUTES`) with
//! `If-None-Match`, sending the bearer token the user typed when the server has one.
//! That is why `/` is the one route served without the token. A Content-Security-Policy
//! allows exactly the inline script and style (by SHA-256) and fetches to this origin
//! only, so nothing in an export (a ticker, an alert's numbers) can run as script.

use std::sync::Arc;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::http::Rendered;

const HTML: &str = include_str!("dashboard/page.html");
const CSS: &str = include_str!("dashboard/page.css");
const JS: &str = include_str!("dashboard/page.js");

/// What the page is told about this server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Seconds between two reads of the routes.
    pub(crate) refresh_secs: u32,
    /// Exports older than this get the "stale" banner, seconds.
    pub(crate) stale_after_secs: u64,
    /// Whether the data routes need `Authorization: Bearer` (the page then asks once).
    pub(crate) token: bool,
}

/// The assembled page and the headers it is sent with.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) body: Arc<Rendered>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Page {
    /// Fills the settings into the template, inlines the style and script, and builds
    /// the policy that allows exactly those two.
    pub(crate) fn new(s: &Settings) -> Page {
        // Settings first: the CSS and JS are inserted after, so no text in them can be
        // taken for a placeholder.
        let html = HTML
            .replace("{{refresh_secs}}", &s.refresh_secs.to_string())
            .replace("{{stale_after_secs}}", &s.stale_after_secs.to_string())
            .replace("{{auth}}", if s.token { "bearer" } else { "none" })
            .replace("{{version}}", env!("CARGO_PKG_VERSION"))
            .replace("{{style}}", CSS)
            .replace("{{script}}", JS);
        let csp = format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; connect-src 'self'; \
             img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            sha256_source(JS),
            sha256_source(CSS)
        );
        Page {
            body: Arc::new(Rendered::from_bytes(html.into_bytes())),
            headers: vec![
                ("Content-Security-Policy", csp),
                ("X-Content-Type-Options", "nosniff".into()),
                ("Referrer-Policy", "no-referrer".into()),
            ],
        }
    }
}

/// A CSP hash source (`sha256-<base64>`) for an inline element's exact text.
fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(token: bool) -> (String, String) {
        let p = Page::new(&Settings {
            refresh_secs: 7,
            stale_after_secs: 900,
            token,
        });
        let html = String::from_utf8(p.body.json().to_vec()).unwrap();
        let csp = p
            .headers
            .iter()
            .find(|(k, _)| *k == "Content-Security-Policy")
            .unwrap()
            .1
            .clone();
        (html, csp)
    }

    /// The text between `open` and the next `close` in `html`.
    fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
        let start = html.find(open).unwrap() + open.len();
        &html[start..start + html[start..].find(close).unwrap()]
    }

    #[test]
    fn settings_are_filled_in_and_no_placeholder_is_left() {
        let (html, _) = page(true);
        assert!(html.contains(r#"data-refresh-secs="7""#), "{html:.400}");
        assert!(html.contains(r#"data-stale-after-secs="900""#));
        assert!(html.contains(r#"data-auth="bearer""#));
        assert!(!html.contains("{{"), "a placeholder is left");
        let (html, _) = page(false);
        assert!(html.contains(r#"data-auth="none""#));
    }

    #[test]
    fn the_policy_allows_exactly_the_inline_script_and_style() {
        let (html, csp) = page(false);
        // The browser hashes the element's text as written: check against the page.
        let script = between(&html, "<script>", "</script>");
        let style = between(&html, "<style>", "</style>");
        assert_eq!(script, JS);
        assert_eq!(style, CSS);
        assert!(csp.contains(&format!("script-src '{}'", sha256_source(script))));
        assert!(csp.contains(&format!("style-src '{}'", sha256_source(style))));
        assert!(csp.contains("connect-src 'self'"));
        assert_eq!(html.matches("<script").count(), 1, "one inline script only");
        assert!(!CSS.contains("</style") && !JS.contains("</script"));
        // Inline handlers and style attributes would be blocked by the policy.
        for bad in [" onclick=", " onload=", " style=\"", "javascript:"] {
            assert!(!HTML.contains(bad), "{bad} in page.html");
        }
        assert_eq!(
            sha256_source(""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
