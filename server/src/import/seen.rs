//! Which natural keys a file has already used, in memory that does not grow with the file: a
//! Bloom filter sized from the file's length (at most 64 MiB). It answers "certainly new" for
//! nearly every row; a row it cannot clear (a duplicate, or rarely a false alarm) is held back,
//! and after the file is read a second pass finds each held key's first row exactly — the
//! first occurrence is written, later ones are rejected as duplicates of it. A clean file is
//! read once; the held rows cost their row number and key.

use std::hash::BuildHasher;

/// Bits per expected row (about one false alarm in 2,000 rows at the expected size).
const BITS_PER_ROW: u64 = 16;
/// The smallest row the size estimate assumes (bytes of a CSV line).
const MIN_ROW_BYTES: u64 = 40;
const MIN_BITS: u64 = 1 << 20;
const MAX_BITS: u64 = 1 << 29;
/// Probes per key.
const PROBES: u64 = 11;

/// The keys seen so far, approximately.
pub struct Seen {
    words: Vec<u64>,
    mask: u64,
    hasher: foldhash::quality::RandomState,
}

impl Seen {
    /// A filter for a file of `bytes` bytes.
    pub fn for_file(bytes: u64) -> Self {
        let bits = (bytes / MIN_ROW_BYTES * BITS_PER_ROW).clamp(MIN_BITS, MAX_BITS).next_power_of_two();
        Seen { words: vec![0; (bits / 64) as usize], mask: bits - 1, hasher: Default::default() }
    }

    /// Marks `key`; returns false when it was certainly not marked before.
    pub fn insert(&mut self, key: &str) -> bool {
        let h = self.hasher.hash_one(key);
        let (h1, h2) = (h, h.rotate_left(32) | 1);
        let mut all = true;
        for i in 0..PROBES {
            let bit = h1.wrapping_add(i.wrapping_mul(h2)) & self.mask;
            let (word, b) = ((bit / 64) as usize, 1u64 << (bit % 64));
            all &= self.words[word] & b != 0;
            self.words[word] |= b;
        }
        all
    }

    /// Bytes held.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_are_new_and_repeats_are_caught() {
        let mut seen = Seen::for_file(40 * 100_000);
        let false_alarms = (0..100_000).filter(|i| seen.insert(&format!("R{i}#1"))).count();
        assert!(false_alarms < 100, "{false_alarms} false alarms in 100,000 new keys");
        assert!((0..100_000).step_by(997).all(|i| seen.insert(&format!("R{i}#1"))), "a repeat always answers true");
        assert_eq!(Seen::for_file(0).bytes(), (MIN_BITS / 8) as usize);
        assert_eq!(Seen::for_file(u64::MAX / 1024).bytes(), (MAX_BITS / 8) as usize);
    }
}
