//! Parse + lint throughput on a realistic mix of responses: a 64 with item lists, an 18, a 12, a 98
//! and a 24, each as a self-check sees them (with AY/AZ). Run: `cargo bench --bench codec`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip2check::sip2::{self, Context, lint, parse};
use std::hint::black_box;

const MIX: [&str; 5] = [
    "64              00120261129    101500000200010003000100000000AOBR1|AA999999|AEDavid J. Fiander|BZ0010|CA0005|CB0020|BLY|CQY|BHUSD|BV5.00|CC25.00|AU1565921879|AU0440242746|AU660|BDSomewhere Street 2, Springfield|BEdavid@example.org|BF(519) 555 1234|PB19640925|PCPatrons|PIUnfiltered|AQBR1|AFWelcome back|AY4AZA8F9",
    "1803020120261129    101500CF0|AH20261213    235900|AB1565921879|AJPerl 5 desktop reference|BGBR1|CK001|AQBR1|APBR1|AY5AZE055",
    "121NNY20261129    101500AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|AH20261213    235900|CK001|BLY|AY6AZE176",
    "98YYYYYN60000320261129    1015002.00AOBR1|AMExample Public Library|BXYYYYYYYYYYYYYYYY|AY7AZE530",
    "24              00120261129    101500AOBR1|AA999999|AEDavid J. Fiander|BLY|CQY|BHUSD|BV5.00|AY8AZE789",
];

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
