//! The run order of `run --shuffle SEED`: a Fisher–Yates shuffle driven by SplitMix64
//! (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014), so a seed
//! always gives the same order on every machine and a failing order can be replayed. Scenarios
//! that pass only in file order lean on each other's leftovers; shuffling shows it.

use std::hash::{BuildHasher, RandomState};

/// SplitMix64: 64 bits of state, one add and three xor-shift-multiplies per number.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0), without the bias of a plain remainder.
    fn below(&mut self, n: u64) -> u64 {
        // Numbers from the incomplete last stretch of size n are drawn again.
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Puts `items` in the order `seed` gives (the same seed, the same order).
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut rng = SplitMix64::new(seed);
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// A seed for `--shuffle random`: std's per-process random hash keys, so no dependency is
/// needed for it.
pub fn random_seed() -> u64 {
    RandomState::new().hash_one(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_the_published_sequence() {
        // The reference outputs of SplitMix64 seeded with 0 (as in Vigna's splitmix64.c).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn a_seed_gives_one_permutation_and_other_seeds_others() {
        let ids: Vec<u32> = (0..40).collect();
        let order = |seed| {
            let mut v = ids.clone();
            shuffle(&mut v, seed);
            v
        };
        let a = order(7);
        assert_eq!(a, order(7), "the same seed, the same order");
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, ids, "a permutation: nothing lost or doubled");
        assert_ne!(a, ids, "not the file order");
        assert_ne!(a, order(8), "another seed, another order");
        let mut one = vec!["only"];
        shuffle(&mut one, 7);
        assert_eq!(one, ["only"]);
        shuffle::<u8>(&mut [], 7);
    }

    #[test]
    fn every_position_is_reached() {
        // Over many seeds, the first item lands everywhere: the shuffle is not stuck.
        let mut seen = [false; 5];
        for seed in 0..200 {
            let mut v = [0, 1, 2, 3, 4];
            shuffle(&mut v, seed);
            let at = v.iter().position(|&x| x == 0).unwrap();
            seen[at] = true;
        }
        assert_eq!(seen, [true; 5]);
    }
}
