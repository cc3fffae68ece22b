//! Request counters and latency histograms for `/metrics`, lock-free so counting costs a
//! few atomic adds per request. The gauges about exports are computed when scraped
//! (`handlers::metrics`), not stored here.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Statuses the server answers with; anything else is counted as "other".
const STATUSES: [u16; 16] = [
    200, 204, 304, 400, 401, 404, 405, 408, 413, 414, 421, 431, 500, 503, 505, 0,
];
/// Upper bounds of the latency buckets, seconds (Prometheus `le`).
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: [AtomicU64; STATUSES.len()],
    /// Cumulative counts are derived at render time; here each bucket counts only its own.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

/// Counters per route (by the route's pattern) plus one row for requests that matched
/// no route.
pub(crate) struct Metrics {
    labels: Vec<&'static str>,
    routes: Vec<RouteStats>,
}

impl Metrics {
    /// One row per label; the last row should be the "no route" label.
    pub(crate) fn new(labels: Vec<&'static str>) -> Metrics {
        let routes = labels.iter().map(|_| RouteStats::default()).collect();
        Metrics { labels, routes }
    }

    /// Counts one answered request.
    pub(crate) fn record(&self, row: usize, status: u16, took: Duration) {
        let Some(r) = self.routes.get(row) else {
            return;
        };
        let s = STATUSES
            .iter()
            .position(|&x| x == status)
            .unwrap_or(STATUSES.len() - 1);
        r.by_status[s].fetch_add(1, Relaxed);
        let secs = took.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(BUCKETS.len());
        r.buckets[b].fetch_add(1, Relaxed);
        r.sum_micros.fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// Appends the request counters and histograms in Prometheus text format.
    pub(crate) fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP optctl_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE optctl_http_requests_total counter\n");
        for (label, r) in self.labels.iter().zip(&self.routes) {
            for (i, &status) in STATUSES.iter().enumerate() {
                let n = r.by_status[i].load(Relaxed);
                if n > 0 {
                    let status = if status == 0 {
                        "other".to_string()
                    } else {
                        status.to_string()
                    };
                    let _ = writeln!(
                        out,
                        "optctl_http_requests_total{{route=\"{label}\",status=\"{status}\"}} {n}"
                    );
                }
            }
        }
        out.push_str("# HELP optctl_http_request_duration_seconds Time from reading a request to writing its answer.\n");
        out.push_str("# TYPE optctl_http_request_duration_seconds histogram\n");
        for (label, r) in self.labels.iter().zip(&self.routes) {
            let counts: Vec<u64> = r.buckets.iter().map(|b| b.load(Relaxed)).collect();
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(&counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "optctl_http_request_duration_seconds_bucket{{route=\"{label}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "optctl_http_request_duration_seconds_bucket{{route=\"{label}\",le=\"+Inf\"}} {total}"
            );
            let sum = r.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "optctl_http_request_duration_seconds_sum{{route=\"{label}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "optctl_http_request_duration_seconds_count{{route=\"{label}\"}} {total}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::new(vec!["/a", "unmatched"]);
        m.record(0, 200, Duration::from_micros(50));
        m.record(0, 200, Duration::from_millis(3));
        m.record(0, 304, Duration::from_micros(50));
        m.record(1, 404, Duration::from_micros(50));
        m.record(1, 418, Duration::from_micros(50));
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains("optctl_http_requests_total{route=\"/a\",status=\"200\"} 2\n"));
        assert!(out.contains("optctl_http_requests_total{route=\"/a\",status=\"304\"} 1\n"));
        assert!(out.contains("route=\"unmatched\",status=\"other\"} 1\n"));
        assert!(
            out.contains("bucket{route=\"/a\",le=\"0.0001\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("bucket{route=\"/a\",le=\"0.005\"} 3\n"),
            "{out}"
        );
        assert!(
            out.contains("bucket{route=\"/a\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("count{route=\"/a\"} 3\n"));
    }
}
