//! A log-linear latency histogram: exact below 32 µs, then 32 buckets per power of two (at most
//! 3 % wide), up to about 19 hours. Fixed size, cheap to record into, mergeable across workers.

use std::time::Duration;

/// Buckets per power of two; also the range recorded exactly (0..SUB µs).
const SUB: u64 = 32;
const SUB_BITS: u32 = SUB.trailing_zeros();
/// Powers of two above the exact range (values up to 2^(SUB_BITS + OCTAVES) µs).
const OCTAVES: u32 = 31;
const BUCKETS: usize = (SUB as usize) * (OCTAVES as usize + 1);

/// Counts of latencies in microseconds.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    max: u64,
    sum: u128,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("total", &self.total)
            .field("max_us", &self.max)
            .finish_non_exhaustive()
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max: 0,
            sum: 0,
        }
    }
}

/// The bucket of `us`; values past the range share the last bucket.
fn index(us: u64) -> usize {
    if us < SUB {
        return us as usize;
    }
    let top = 63 - us.leading_zeros();
    let octave = top + 1 - SUB_BITS;
    if octave > OCTAVES {
        return BUCKETS - 1;
    }
    let mantissa = (us >> (top - SUB_BITS)) - SUB;
    (octave as usize) * (SUB as usize) + mantissa as usize
}

/// The highest value bucket `i` holds.
fn upper(i: usize) -> u64 {
    let octave = (i as u64) / SUB;
    let mantissa = (i as u64) % SUB;
    if octave == 0 {
        return mantissa;
    }
    let shift = octave - 1;
    ((SUB + mantissa + 1) << shift) - 1
}

impl Histogram {
    /// Records one latency.
    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        if let Some(c) = self.counts.get_mut(index(us)) {
            *c += 1;
        }
        self.total += 1;
        self.max = self.max.max(us);
        self.sum += u128::from(us);
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += *b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// How many latencies were recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest latency recorded, exactly.
    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max)
    }

    /// The mean latency.
    pub fn mean(&self) -> Duration {
        match u64::try_from(self.sum / u128::from(self.total.max(1))) {
            Ok(us) => Duration::from_micros(us),
            Err(_) => Duration::MAX,
        }
    }

    /// The latency at or below which a fraction `q` (0..=1) of the recordings fall: the upper
    /// edge of the bucket that holds it, never more than the maximum.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Duration::from_micros(upper(i).min(self.max));
            }
        }
        self.max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order_and_stay_narrow() {
        let mut last = 0;
        for us in (0..5000u64).chain([1 << 20, (1 << 36) - 1, 1 << 40, u64::MAX]) {
            let i = index(us);
            assert!(i >= last, "{us}");
            last = i;
            assert!(i < BUCKETS);
            if us < 1 << 36 {
                assert!(upper(i) >= us, "{us} lands below its bucket's top");
                let low = if i == 0 { 0 } else { upper(i - 1) + 1 };
                assert!(low <= us, "{us} lands above its bucket's bottom {low}");
                assert!(
                    (upper(i) - low) as f64 <= (us as f64 / 32.0).max(0.0),
                    "{us}"
                );
            }
        }
        assert_eq!(index(31), 31);
        assert_eq!(index(32), 32);
        assert_eq!(upper(32), 32);
    }

    #[test]
    fn quantiles_are_within_a_bucket_of_the_truth() {
        let mut h = Histogram::default();
        for us in 1..=10_000u64 {
            h.record(Duration::from_micros(us));
        }
        assert_eq!(h.count(), 10_000);
        for (q, truth) in [(0.5, 5_000.0), (0.9, 9_000.0), (0.99, 9_900.0)] {
            let got = h.quantile(q).as_micros() as f64;
            assert!(
                got >= truth && got <= truth * 1.04,
                "q{q}: {got} vs {truth}"
            );
        }
        assert_eq!(h.max(), Duration::from_micros(10_000));
        assert_eq!(h.quantile(1.0), h.max());
        assert_eq!(h.mean(), Duration::from_micros(5_000));
    }

    #[test]
    fn merging_adds_counts() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        a.record(Duration::from_micros(10));
        b.record(Duration::from_millis(50));
        b.record(Duration::from_millis(50));
        a.merge(&b);
        assert_eq!(a.count(), 3);
        assert_eq!(a.max(), Duration::from_millis(50));
        assert_eq!(a.quantile(0.3), Duration::from_micros(10));
        assert!(a.quantile(0.5) >= Duration::from_millis(49));
        assert_eq!(Histogram::default().quantile(0.5), Duration::ZERO);
    }
}
