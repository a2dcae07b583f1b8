//! RFM scoring of the cardholders active in a window.
//!
//! Window = the selected date range; analysis date = its last day. Every cardholder with at
//! least one receipt in the window is scored: R = days from the last receipt to the analysis
//! date, F = number of receipts, M = net spend (cents). Each score is 1–5 by equal-count
//! quintiles of position: the n cardholders are sorted ascending by the value (for R by
//! last-receipt date, so the most recent come last), ties broken by card number ascending, and
//! the one at 0-based position i scores `1 + floor(5·i / n)`. The segment is the first matching
//! rule of [`Segment::of_scores`].

use app::model::analytics::Segment;

use crate::projection::dataset::{Dataset, NONE};

/// The RFM figures of one cardholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmScore {
    /// Card index in the dataset.
    pub card: u32,
    pub last_day: i32,
    pub recency_days: i32,
    pub frequency: u32,
    pub monetary: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// Scores of every cardholder active in a window.
#[derive(Debug, Default)]
pub struct Rfm {
    pub from: i32,
    pub to: i32,
    /// By card index order of activity (unsorted).
    pub scores: Vec<RfmScore>,
    /// Position in `scores` per card index (`NONE` when not scored).
    pub by_card: Vec<u32>,
}

impl Rfm {
    /// The score of card `c`, if it was active in the window.
    pub fn of(&self, c: u32) -> Option<&RfmScore> {
        self.by_card.get(c as usize).filter(|p| **p != NONE).map(|p| &self.scores[*p as usize])
    }
}

/// The score (1–5) of 0-based position `i` among `n`.
pub fn quintile(i: usize, n: usize) -> u8 {
    (1 + (5 * i) / n) as u8
}

/// Scores raw (card, last day, frequency, monetary) figures at `analysis_day`; `number` gives
/// what orders card numbers (the number itself, or its rank), to break ties.
pub fn score<K: Ord + Copy>(
    raw: Vec<(u32, i32, u32, i64)>,
    analysis_day: i32,
    number: impl Fn(u32) -> K,
) -> Vec<RfmScore> {
    let n = raw.len();
    let mut scores: Vec<RfmScore> = raw
        .into_iter()
        .map(|(card, last_day, frequency, monetary)| RfmScore {
            card,
            last_day,
            recency_days: analysis_day - last_day,
            frequency,
            monetary,
            r: 0,
            f: 0,
            m: 0,
            segment: Segment::Others,
        })
        .collect();
    if n == 0 {
        return scores;
    }
    let ties: Vec<K> = scores.iter().map(|s| number(s.card)).collect();
    let mut order: Vec<(i64, K, u32)> = Vec::with_capacity(n);
    let mut assign = |key: &dyn Fn(&RfmScore) -> i64, set: &dyn Fn(&mut RfmScore, u8)| {
        order.clear();
        order.extend(scores.iter().zip(&ties).enumerate().map(|(i, (s, t))| (key(s), *t, i as u32)));
        // Card numbers are unique, so the order is total and the unstable sort deterministic.
        order.sort_unstable();
        for (pos, (_, _, idx)) in order.iter().enumerate() {
            set(&mut scores[*idx as usize], quintile(pos, n));
        }
    };
    assign(&|s| i64::from(s.last_day), &|s, v| s.r = v);
    assign(&|s| i64::from(s.frequency), &|s, v| s.f = v);
    assign(&|s| s.monetary, &|s, v| s.m = v);
    for s in &mut scores {
        s.segment = Segment::of_scores(s.r, s.f, s.m);
    }
    scores
}

/// Scores the cardholders active in `from..=to` (every store, every line).
pub fn compute(data: &Dataset, from: i32, to: i32) -> Rfm {
    let cards = data.cards.len();
    let mut last = vec![i32::MIN; cards];
    let mut freq = vec![0u32; cards];
    let mut money = vec![0i64; cards];
    let r = &data.receipts;
    for i in r.day_range(from, to) {
        let c = r.card[i];
        if c == NONE {
            continue;
        }
        let c = c as usize;
        last[c] = last[c].max(r.day[i]);
        freq[c] += 1;
        money[c] += r.net[i];
    }
    let raw: Vec<(u32, i32, u32, i64)> =
        (0..cards).filter(|c| freq[*c] > 0).map(|c| (c as u32, last[c], freq[c], money[c])).collect();
    let scores = score(raw, to, |c| data.card_rank[c as usize]);
    let mut by_card = vec![NONE; cards];
    for (pos, s) in scores.iter().enumerate() {
        by_card[s.card as usize] = pos as u32;
    }
    Rfm { from, to, scores, by_card }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_of_position() {
        // n = 7: positions 0..6 -> 1 + floor(5i/7) = 1,1,2,3,3,4,5
        let got: Vec<u8> = (0..7).map(|i| quintile(i, 7)).collect();
        assert_eq!(got, vec![1, 1, 2, 3, 3, 4, 5]);
        assert_eq!(quintile(0, 1), 1);
        let got: Vec<u8> = (0..10).map(|i| quintile(i, 10)).collect();
        assert_eq!(got, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn ties_are_broken_by_card_number() {
        // Five cardholders, all with the same figures: order is by card number alone.
        let numbers = ["5", "3", "1", "4", "2"];
        let raw: Vec<(u32, i32, u32, i64)> = (0..5).map(|c| (c as u32, 100, 2, 1000)).collect();
        let scores = score(raw, 110, |c| numbers[c as usize]);
        let by_number = |n: &str| scores.iter().find(|s| numbers[s.card as usize] == n).unwrap();
        for (n, expected) in [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)] {
            let s = by_number(n);
            assert_eq!((s.r, s.f, s.m), (expected, expected, expected), "card {n}");
            assert_eq!(s.recency_days, 10);
        }
    }

    #[test]
    fn most_recent_frequent_and_biggest_get_five() {
        // card: (last day, frequency, monetary)
        let raw = vec![(0, 10, 1, 500), (1, 50, 9, 90_000), (2, 30, 3, 2_000), (3, 20, 2, 1_000), (4, 40, 5, 10_000)];
        let numbers = ["A", "B", "C", "D", "E"];
        let scores = score(raw, 50, |c| numbers[c as usize]);
        let s = |c: u32| scores.iter().find(|s| s.card == c).copied().unwrap();
        assert_eq!((s(1).r, s(1).f, s(1).m, s(1).segment), (5, 5, 5, Segment::Champions));
        assert_eq!((s(0).r, s(0).f, s(0).m, s(0).segment), (1, 1, 1, Segment::Lost));
        assert_eq!((s(4).r, s(4).f, s(4).m, s(4).segment), (4, 4, 4, Segment::Champions));
        assert_eq!((s(2).r, s(2).f, s(2).m, s(2).segment), (3, 3, 3, Segment::LoyalCustomers));
        assert_eq!((s(3).r, s(3).f, s(3).m, s(3).segment), (2, 2, 2, Segment::NeedAttention));
        assert_eq!(s(1).recency_days, 0);
        assert_eq!(s(0).recency_days, 40);
    }

    #[test]
    fn empty_window_scores_nobody() {
        assert!(score(vec![], 10, |_| "").is_empty());
    }
}
