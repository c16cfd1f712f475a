//! Parse + lint throughput on a realistic mix of responses: a 64 with item lists, an 18, a 12, a 98
//! and a 24, each as a self-check sees them (with AY/AZ). Run: `cargo bench --bench codec`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip2check::sip2::{self, Context, lint, parse};
use std::hint::black_box;

#[path = "mix/mod.rs"]
mod mix;
use mix::MIX;

fn parse_and_lint(c: &mut Criterion) {
    let ctx = Context::default();
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(MIX.len() as u64));
    group.bench_function("parse+lint mix", |b| {
        let mut violations = Vec::with_capacity(16);
        b.iter(|| {
            for text in MIX {
                let p = parse(black_box(text)).expect("valid");
                violations.clear();
                violations.extend(p.violations);
                black_box(lint::lint_into(&p.msg, text, &ctx, &mut violations));
            }
        })
    });
    group.bench_function("parse only mix", |b| {
        b.iter(|| {
            for text in MIX {
                black_box(parse(black_box(text)).expect("valid"));
            }
        })
    });
    group.bench_function("analyze (decode+parse+lint, owned) mix", |b| {
        b.iter(|| {
            for text in MIX {
                black_box(sip2::analyze(black_box(text.as_bytes()), &ctx).expect("valid"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parse_and_lint);
criterion_main!(benches);
