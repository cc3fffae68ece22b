//! The screener behind `optctl screen`: conditions like `iv_rank > 0.9` over rows of
//! named numbers (each ticker's latest features, as their JSON object), ANDed, and a
//! sort. Fields are whatever numeric columns the rows carry, so a feature column added
//! to the store can be screened on without touching this module.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    /// Longest first, so `>=` is not read as `>`.
    const ALL: [(&'static str, Op); 6] = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">", Op::Gt),
        ("<", Op::Lt),
    ];

    pub fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, o)| *o == self)
            .map(|(s, _)| *s)
            .unwrap_or("?")
    }

    fn holds(self, a: f64, b: f64) -> bool {
        // Equality within a rounding error: stored values are computed floats.
        let eq = (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        match self {
            Op::Gt => a > b && !eq,
            Op::Ge => a > b || eq,
            Op::Lt => a < b && !eq,
            Op::Le => a < b || eq,
            Op::Eq => eq,
            Op::Ne => !eq,
        }
    }
}

/// One condition: `field op number`. A number may end in `%` (`90%` is 0.9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub value: f64,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.field, self.op.as_str(), self.value)
    }
}

impl FromStr for Condition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let shape = || {
            format!(
                "{s:?}: expected FIELD OP NUMBER, like 'iv_rank > 0.9' (OP one of > >= < <= == !=)"
            )
        };
        let (at, op, len) = Op::ALL
            .iter()
            .filter_map(|(text, op)| s.find(text).map(|at| (at, *op, text.len())))
            .min_by_key(|&(at, _, len)| (at, std::cmp::Reverse(len)))
            .ok_or_else(shape)?;
        let field = s[..at].trim().to_ascii_lowercase();
        let number = s[at + len..].trim();
        if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(shape());
        }
        let (number, scale) = match number.strip_suffix('%') {
            Some(n) => (n.trim(), 0.01),
            None => (number, 1.0),
        };
        let value = number
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{s:?}: {number:?} is not a number"))?
            * scale;
        Ok(Condition { field, op, value })
    }
}

impl Condition {
    /// Whether `row` meets the condition; a missing or null field never does.
    pub fn matches(&self, row: &Map<String, Value>) -> bool {
        number(row, &self.field).is_some_and(|v| self.op.holds(v, self.value))
    }
}

/// A field's number in `row`, if it has one.
pub fn number(row: &Map<String, Value>, field: &str) -> Option<f64> {
    row.get(field).and_then(Value::as_f64)
}

/// The fields rows can be screened and sorted on: every key holding a number (or
/// null, a number not known for that row) in any row, in first-seen order.
pub fn numeric_fields(rows: &[Map<String, Value>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for row in rows {
        for (k, v) in row {
            if (v.is_number() || v.is_null()) && !out.contains(k) {
                out.push(k.clone());
            }
        }
    }
    out
}

/// Checks that `field` is one of `fields`; the error lists them.
pub fn check_field(field: &str, fields: &[String]) -> Result<(), String> {
    if fields.iter().any(|f| f == field) {
        return Ok(());
    }
    Err(format!(
        "unknown field {field:?}; the fields are: {}",
        fields.join(", ")
    ))
}

/// Sorts rows by `field` (a number, or text such as the ticker), ascending or
/// descending; rows without a value go last. Ties keep their order (by ticker, as they
/// come).
pub fn sort_rows(rows: &mut [Map<String, Value>], field: &str, descending: bool) {
    let key = |r: &Map<String, Value>| -> Option<Value> {
        r.get(field)
            .filter(|v| v.is_number() || v.is_string())
            .cloned()
    };
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => {
            let o = match (x.as_f64(), y.as_f64(), x.as_str(), y.as_str()) {
                (Some(x), Some(y), _, _) => x.total_cmp(&y),
                (_, _, Some(x), Some(y)) => x.cmp(y),
                _ => Ordering::Equal,
            };
            if descending { o.reverse() } else { o }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
}

/// A sort key as written on the command line: `FIELD`, or `-FIELD` for descending.
pub fn parse_sort(s: &str) -> (String, bool) {
    match s.strip_prefix('-') {
        Some(f) => (f.trim().to_ascii_lowercase(), true),
        None => (s.trim().to_ascii_lowercase(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn conditions_parse_with_or_without_spaces() {
        let c: Condition = "iv_rank > 0.9".parse().unwrap();
        assert_eq!((c.field.as_str(), c.op, c.value), ("iv_rank", Op::Gt, 0.9));
        let c: Condition = "PCR_VOLUME>=1.5".parse().unwrap();
        assert_eq!(
            (c.field.as_str(), c.op, c.value),
            ("pcr_volume", Op::Ge, 1.5)
        );
        let c: Condition = "iv_percentile <= 90%".parse().unwrap();
        assert_eq!(c.op, Op::Le);
        assert!((c.value - 0.9).abs() < 1e-12);
        assert_eq!("rr25 < -0.02".parse::<Condition>().unwrap().value, -0.02);
        assert_eq!("a != 1".parse::<Condition>().unwrap().op, Op::Ne);
        assert_eq!("a == 1".parse::<Condition>().unwrap().op, Op::Eq);
        for bad in [
            "iv_rank",
            "> 0.9",
            "iv_rank > high",
            "iv rank > 1",
            "a = 1",
            "a > inf",
        ] {
            assert!(bad.parse::<Condition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn conditions_compare_and_skip_nulls() {
        let r = row(json!({"ticker": "SPY", "iv_rank": 0.95, "rr25": null}));
        assert!("iv_rank > 0.9".parse::<Condition>().unwrap().matches(&r));
        assert!(!"iv_rank < 0.9".parse::<Condition>().unwrap().matches(&r));
        assert!("iv_rank == 0.95".parse::<Condition>().unwrap().matches(&r));
        assert!("iv_rank >= 0.95".parse::<Condition>().unwrap().matches(&r));
        assert!(!"iv_rank > 0.95".parse::<Condition>().unwrap().matches(&r));
        assert!(!"rr25 < 1".parse::<Condition>().unwrap().matches(&r));
        assert!(!"rr25 != 1".parse::<Condition>().unwrap().matches(&r));
        assert!(!"missing > 0".parse::<Condition>().unwrap().matches(&r));
    }

    #[test]
    fn fields_sort_and_unknown_fields() {
        let mut rows = vec![
            row(json!({"ticker": "A", "x": 2.0, "y": null})),
            row(json!({"ticker": "B", "x": null, "y": 1})),
            row(json!({"ticker": "C", "x": 3.0, "z": 5})),
        ];
        assert_eq!(numeric_fields(&rows), ["x", "y", "z"]);
        let e = check_field("w", &numeric_fields(&rows)).unwrap_err();
        assert!(e.contains("\"w\"") && e.contains("x, y, z"), "{e}");
        sort_rows(&mut rows, "x", true);
        let order: Vec<&str> = rows.iter().map(|r| r["ticker"].as_str().unwrap()).collect();
        assert_eq!(order, ["C", "A", "B"]);
        sort_rows(&mut rows, "x", false);
        let order: Vec<&str> = rows.iter().map(|r| r["ticker"].as_str().unwrap()).collect();
        assert_eq!(order, ["A", "C", "B"]);
        assert_eq!(parse_sort("-IV_rank"), ("iv_rank".to_string(), true));
        sort_rows(&mut rows, "ticker", true);
        let order: Vec<&str> = rows.iter().map(|r| r["ticker"].as_str().unwrap()).collect();
        assert_eq!(order, ["C", "B", "A"]);
    }
}
