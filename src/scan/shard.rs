//! `scan --shard K/N`: N hosts scan one watchlist in parallel, each a stable part of it.
//!
//! A ticker belongs to part K of N when `fnv1a64(symbol) % N == K - 1`, where `symbol` is
//! the ticker's text as optctl spells it (upper case, e.g. `AAPL`, `BRK.B`, `NIFTY`) in
//! UTF-8 and `fnv1a64` is the 64-bit FNV-1a hash: start from the offset basis
//! `0xcbf29ce484222325`, and for each byte XOR it in and multiply by the prime
//! `0x00000100000001b3` (wrapping, mod 2^64). The function is written out here, not taken
//! from std (whose hasher is keyed per process), so the split is the same on every host,
//! version and platform, and another tool can reproduce it.

use std::fmt;
use std::str::FromStr;

/// FNV-1a 64 offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64 prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The 64-bit FNV-1a hash of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Part `k` (1-based) of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    k: u32,
    n: u32,
}

impl Shard {
    /// Part `k` of `n`; `None` unless `1 <= k <= n`.
    pub fn new(k: u32, n: u32) -> Option<Shard> {
        (k >= 1 && k <= n).then_some(Shard { k, n })
    }

    pub fn k(self) -> u32 {
        self.k
    }

    pub fn n(self) -> u32 {
        self.n
    }

    /// Whether `ticker` (optctl's spelling) belongs to this part.
    pub fn contains(self, ticker: &str) -> bool {
        fnv1a64(ticker.as_bytes()) % u64::from(self.n) == u64::from(self.k - 1)
    }

    /// The tickers of `tickers` in this part, in their order.
    pub fn select<T: AsRef<str>>(self, tickers: Vec<T>) -> Vec<T> {
        tickers
            .into_iter()
            .filter(|t| self.contains(t.as_ref()))
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let rule = "expected K/N with whole numbers 1 <= K <= N (e.g. 2/4)";
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not K/N: {rule}"))?;
        let num = |x: &str| x.trim().parse::<u32>().ok();
        match (num(k), num(n)) {
            (Some(k), Some(n)) => {
                Shard::new(k, n).ok_or_else(|| format!("{s:?} is out of range: {rule}"))
            }
            _ => Err(format!("{s:?} is not K/N: {rule}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn the_split_of_the_default_watchlist_is_pinned() {
        // Computed independently of this code (FNV-1a 64 as documented above). A change
        // of hash function or of the rule moves tickers between hosts: it must fail here.
        let split = |k, n| {
            Shard::new(k, n)
                .unwrap()
                .select(crate::scan::DEFAULT_TICKERS.to_vec())
        };
        assert_eq!(
            split(1, 2),
            ["QQQ", "IWM", "NVDA", "META", "JPM", "BA", "COIN"]
        );
        assert_eq!(
            split(2, 2),
            [
                "SPY", "AAPL", "MSFT", "AMZN", "GOOGL", "TSLA", "AMD", "NFLX", "BAC", "XOM", "DIS",
                "INTC", "PLTR"
            ]
        );
        assert_eq!(split(1, 3), ["SPY", "BAC", "PLTR"]);
        assert_eq!(
            split(2, 3),
            ["IWM", "AAPL", "JPM", "XOM", "DIS", "BA", "INTC"]
        );
        assert_eq!(
            split(3, 3),
            [
                "QQQ", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AMD", "NFLX", "COIN"
            ]
        );
    }

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
        assert_eq!("1/1".parse::<Shard>().unwrap(), Shard::new(1, 1).unwrap());
        for bad in ["0/2", "3/2", "1/0", "a/b", "2", "", "-1/2", "1/2/3"] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("1 <= K <= N"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_parts_are_disjoint_and_cover_every_ticker() {
        let tickers: Vec<String> = (0..500).map(|i| format!("T{i}")).collect();
        for n in 1..=7 {
            let mut seen = Vec::new();
            for k in 1..=n {
                seen.extend(Shard::new(k, n).unwrap().select(tickers.clone()));
            }
            seen.sort();
            let mut all = tickers.clone();
            all.sort();
            assert_eq!(seen, all, "n = {n}");
        }
    }
}
