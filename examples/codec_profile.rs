//! Parse + lint over the bench mix, for measurements that the host's noise does not swamp:
//! the best of several timed rounds, and a fixed amount of work for `valgrind --tool=callgrind`,
//! whose instruction counts are the same on every run.
//!
//!     cargo run --release --example codec_profile -- 100000 20     # best of 20 rounds of 100,000 mixes
//!     valgrind --tool=callgrind target/release/examples/codec_profile 20000 1
//!         # instructions per message: the total over 100,000 (20,000 mixes of 5)

#[path = "../benches/mix/mod.rs"]
mod mix;

use std::hint::black_box;
use std::time::Instant;

use mix::MIX;
use sip2check::sip2::{Context, lint, parse};

/// Nanoseconds per message for `mixes` passes over the mix.
fn round(mixes: usize) -> f64 {
    let ctx = Context::default();
    let mut violations = Vec::with_capacity(16);
    let start = Instant::now();
    for _ in 0..mixes {
        for text in MIX {
            let Ok(p) = parse(black_box(text)) else {
                continue;
            };
            violations.clear();
            violations.extend(p.violations);
            black_box(lint::lint_into(&p.msg, text, &ctx, &mut violations));
        }
    }
    start.elapsed().as_secs_f64() * 1e9 / (mixes * MIX.len()) as f64
}

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (mixes, rounds) = (arg(1, 100_000).max(1), arg(2, 10).clamp(1, 1000));
    if let Some(bad) = MIX.iter().find(|text| parse(text).is_err()) {
        eprintln!("codec_profile: the mix holds a message that does not parse: {bad}");
        std::process::exit(1);
    }
    let best = (0..rounds).map(|_| round(mixes)).fold(f64::MAX, f64::min);
    println!(
        "parse + lint: best of {rounds} rounds {best:.0} ns per message = {:.2} million messages/s",
        1e3 / best
    );
}
