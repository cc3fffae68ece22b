//! Per-contract costs of the option maths that `scan` runs on every quote of every chain:
//! one implied-vol solve, one solve plus greeks (the per-contract work of a scan), and
//! one Black-Scholes price; and an in-the-money American contract's IV and greeks.
//!
//! Each benchmark rotates through the same 1000 pre-built, realistic contracts so that a
//! lucky branch or a warm cache line for one input cannot flatter the figure. A sample is
//! exactly 1000 calls, one per contract: divan's times are per call, averaged over the
//! whole mix, and the median is taken across samples. (Left to itself divan chose one call
//! per sample for the solver, so its median was that of 100 single contracts.)
//! Run: `cargo bench --bench quant`.

use std::hint::black_box;

use optctl::market::{Exercise, Right};
use optctl::quant::model::{self, Model};
use optctl::quant::{Inputs, bsm, implied_vol};

fn main() {
    divan::main();
}

const CONTRACTS: usize = 1000;

/// 1000 contracts across spots, strikes (70%..140% of spot), expiries (1 day to 2 years),
/// a skewed smile and both rights, each with its model price at that vol. Quotes under one
/// cent are redrawn: a chain scan skips those before solving.
fn contracts() -> Vec<(Inputs, f64)> {
    // A fixed LCG (Knuth's MMIX constants) keeps the mix identical from run to run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    const DAYS: [f64; 15] = [
        1.0, 2.0, 5.0, 7.0, 14.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 270.0, 365.0, 540.0, 730.0,
    ];
    let mut out = Vec::with_capacity(CONTRACTS);
    while out.len() < CONTRACTS {
        let spot = 20.0 + 480.0 * uniform();
        let moneyness = 0.7 + 0.7 * uniform();
        let days = DAYS[(uniform() * DAYS.len() as f64) as usize];
        let atm_vol = 0.12 + 0.5 * uniform();
        // Equity-style skew: vol rises as the strike falls.
        let vol = atm_vol * (1.0 + 0.8 * (1.0 - moneyness)).max(0.5);
        let right = if uniform() < 0.5 {
            Right::Call
        } else {
            Right::Put
        };
        let inp = Inputs {
            right,
            spot,
            strike: (spot * moneyness).round(),
            t_years: days / 365.0,
            rate: 0.045,
            div: 0.015 * uniform(),
        };
        let price = bsm::price(&inp, vol);
        if price >= 0.01 && implied_vol(&inp, price).is_ok() {
            out.push((inp, price));
        }
    }
    out
}

/// One implied-vol solve.
#[divan::bench(sample_size = CONTRACTS as u32, sample_count = 500)]
fn iv_solve(bencher: divan::Bencher) {
    let contracts = contracts();
    let mut i = 0;
    bencher.bench_local(move || {
        i = (i + 1) % CONTRACTS;
        let (inp, price) = &contracts[i];
        implied_vol(black_box(inp), black_box(*price))
    });
}

/// One implied-vol solve plus the greeks at that vol: the work per contract in a scan.
#[divan::bench(sample_size = CONTRACTS as u32, sample_count = 500)]
fn full_contract(bencher: divan::Bencher) {
    let contracts = contracts();
    let mut i = 0;
    bencher.bench_local(move || {
        i = (i + 1) % CONTRACTS;
        let (inp, price) = &contracts[i];
        let inp = black_box(inp);
        implied_vol(inp, black_box(*price)).map(|iv| bsm::greeks(inp, iv))
    });
}

/// One Black-Scholes price at the contract's own vol, for scale.
#[divan::bench(sample_size = CONTRACTS as u32, sample_count = 500)]
fn price(bencher: divan::Bencher) {
    let contracts = contracts();
    let vols: Vec<f64> = contracts
        .iter()
        .map(|(inp, price)| implied_vol(inp, *price).expect("contracts() keeps solvable ones"))
        .collect();
    let mut i = 0;
    bencher.bench_local(move || {
        i = (i + 1) % CONTRACTS;
        bsm::price(black_box(&contracts[i].0), black_box(vols[i]))
    });
}

/// In-the-money American contracts (puts and calls, 1.5% dividend, 4.5% rate) each with
/// its American price at its vol, and the vol of the out-of-the-money contract of the
/// other right at its strike (here the same vol, as in a consistent chain).
fn american_itm() -> Vec<(Inputs, f64, f64)> {
    let mut out = Vec::with_capacity(CONTRACTS);
    let mut all = contracts().into_iter().cycle();
    while out.len() < CONTRACTS {
        let (mut inp, _) = all.next().expect("cycled");
        inp.div = 0.015;
        // Reflect out-of-the-money strikes to the in-the-money side.
        let itm = match inp.right {
            Right::Call => inp.strike < inp.spot,
            Right::Put => inp.strike > inp.spot,
        };
        if !itm {
            inp.strike = (inp.spot * inp.spot / inp.strike).round();
        }
        let vol = 0.15 + 0.4 * (inp.strike / inp.spot - 1.0).abs();
        if model::model_for(Exercise::American, &inp) != Model::American {
            continue;
        }
        let price = model::price(Model::American, &inp, vol);
        if model::solve(Model::American, &inp, price, 0.0).is_ok_and(|v| v > 0.0) {
            out.push((inp, price, vol));
        }
    }
    out
}

/// One in-the-money American contract's implied vol and greeks, as a chain scan solves
/// it: one Leisen-Reimer premium (31 and 15 steps) at the other right's vol, Black-76
/// for the rest (`quant::model::solve_with_greeks`).
#[divan::bench(sample_size = CONTRACTS as u32, sample_count = 200)]
fn american_iv_itm(bencher: divan::Bencher) {
    let contracts = american_itm();
    let mut i = 0;
    bencher.bench_local(move || {
        i = (i + 1) % CONTRACTS;
        let (inp, price, hint) = &contracts[i];
        model::solve_with_greeks(
            Model::American,
            black_box(inp),
            black_box(*price),
            0.005,
            Some(*hint),
        )
    });
}

/// The same without a hint: the European vol of the whole price first, then secant steps.
#[divan::bench(sample_size = CONTRACTS as u32, sample_count = 200)]
fn american_iv_itm_no_hint(bencher: divan::Bencher) {
    let contracts = american_itm();
    let mut i = 0;
    bencher.bench_local(move || {
        i = (i + 1) % CONTRACTS;
        let (inp, price, _) = &contracts[i];
        model::solve_with_greeks(
            Model::American,
            black_box(inp),
            black_box(*price),
            0.005,
            None,
        )
    });
}
