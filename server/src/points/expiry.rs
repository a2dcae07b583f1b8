//! Points expiry, as plain functions over one card's ledger. Italian law (DPR 430/2001) bounds
//! a points collection to five years; the programme configures its collection periods and a
//! grace period after each, and points still unspent when the grace period ends expire.
//!
//! The rule: points are spent **oldest first**. Every positive movement (a receipt, a
//! challenge, a cancelled voucher's points coming back, a positive adjustment) is a lot of the
//! period its date falls in; every negative movement (a redemption, a return, a negative
//! adjustment) takes from the oldest lots first, and what no lot covers is a debt that the next
//! positive movements pay first. At the end of the last spending day of a period
//! (its end + grace) the period's remaining lots expire. Points earned outside every period
//! never expire. `expire:` entries already written are the rule's output, never its input.

use std::collections::VecDeque;

use crate::config::ExpiryPolicy;

/// One movement of a card's ledger: its day number and points (non-zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub day: i32,
    pub points: i64,
}

/// Points of one period still unspent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Lot {
    /// Last day of the lot's period (`i32::MAX`: outside every period, never expires).
    period_end: i32,
    points: i64,
}

/// What the rule finds for one card on a given day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Expired points per period (its last day), for periods whose spending time is over; in
    /// period order, positive amounts only.
    pub expired: Vec<(i32, i64)>,
    lots: VecDeque<Lot>,
}

impl Outcome {
    /// The points of the next period to expire whose last spending day is within
    /// `within_days` of `today`, as (last spending day, points); none when nothing is due.
    pub fn due_within(&self, policy: &ExpiryPolicy, today: i32, within_days: i32) -> Option<(i32, i64)> {
        let end = self.lots.iter().map(|l| l.period_end).filter(|e| *e != i32::MAX).min()?;
        let last = policy.last_spending_day(end);
        let points: i64 = self.lots.iter().filter(|l| l.period_end == end).map(|l| l.points).sum();
        (last - today <= within_days && points > 0).then_some((last, points))
    }
}

/// Applies the rule to `moves` (any order; same-day movements keep their given order; later
/// than `today`: ignored) as of `today`: periods whose last spending day is before `today`
/// have expired.
pub fn run(policy: &ExpiryPolicy, moves: &[Move], today: i32) -> Outcome {
    let mut moves: Vec<Move> = moves.iter().copied().filter(|m| m.day <= today).collect();
    moves.sort_by_key(|m| m.day);
    let mut out = Outcome::default();
    let mut debt = 0i64;
    for m in &moves {
        expire_before(policy, &mut out, m.day);
        if m.points > 0 {
            let paid = m.points.min(debt);
            debt -= paid;
            let rest = m.points - paid;
            if rest > 0 {
                let period_end = policy.period_of(m.day).map_or(i32::MAX, |(_, end)| end);
                match out.lots.back_mut() {
                    Some(lot) if lot.period_end == period_end => lot.points += rest,
                    _ => out.lots.push_back(Lot { period_end, points: rest }),
                }
            }
        } else {
            let mut owed = -m.points;
            while owed > 0 {
                let Some(lot) = out.lots.front_mut() else { break };
                let take = owed.min(lot.points);
                lot.points -= take;
                owed -= take;
                if lot.points == 0 {
                    out.lots.pop_front();
                }
            }
            debt += owed;
        }
    }
    expire_before(policy, &mut out, today);
    out
}

/// Expires the lots of every period whose last spending day is before `day`.
fn expire_before(policy: &ExpiryPolicy, out: &mut Outcome, day: i32) {
    while let Some(end) =
        out.lots.iter().map(|l| l.period_end).filter(|e| *e != i32::MAX && policy.last_spending_day(*e) < day).min()
    {
        let points: i64 = out.lots.iter().filter(|l| l.period_end == end).map(|l| l.points).sum();
        out.lots.retain(|l| l.period_end != end);
        if points > 0 {
            out.expired.push((end, points));
        }
    }
}

/// The id of the `expire:` entry of `card` for the period ending on `end`.
pub fn entry_id(card: &str, end: i32) -> String {
    format!("expire:{}:{card}", crate::clock::day_iso(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_day;

    fn day(iso: &str) -> i32 {
        parse_day(iso).unwrap()
    }

    fn mv(iso: &str, points: i64) -> Move {
        Move { day: day(iso), points }
    }

    /// Calendar-year periods, 60 days' grace: 2025's points may be spent until 2026-03-01.
    fn yearly() -> ExpiryPolicy {
        ExpiryPolicy::parse("yearly", 60).unwrap()
    }

    #[test]
    fn unspent_points_expire_after_the_grace_period_oldest_first() {
        // 2024: +100 +50; 2025: +200; spent 120 in 2025 (taken from 2024's 150 first).
        let moves = [mv("2024-03-01", 100), mv("2024-10-01", 50), mv("2025-02-01", -120), mv("2025-06-01", 200)];
        // 2024's last spending day is 2025-03-01: on that day nothing has expired yet.
        assert!(run(&yearly(), &moves, day("2025-03-01")).expired.is_empty());
        // The day after, 2024's remaining 30 expire; 2025's 200 are untouched.
        let out = run(&yearly(), &moves, day("2025-03-02"));
        assert_eq!(out.expired, [(day("2024-12-31"), 30)]);
        // After 2025's grace: its 200 too.
        let out = run(&yearly(), &moves, day("2026-03-02"));
        assert_eq!(out.expired, [(day("2024-12-31"), 30), (day("2025-12-31"), 200)]);
    }

    #[test]
    fn spending_in_the_grace_period_takes_the_old_points_first() {
        // 2025: +300. On 2026-01-10 (grace) +100 earned in 2026 and 250 spent: 250 of 2025's.
        let moves = [mv("2025-05-01", 300), mv("2026-01-10", 100), mv("2026-01-10", -250)];
        let out = run(&yearly(), &moves, day("2026-03-02"));
        assert_eq!(out.expired, [(day("2025-12-31"), 50)]);
        // What remains (2026's 100) is due on 2027-03-01: shown 60 days ahead, not 61.
        assert_eq!(out.due_within(&yearly(), day("2026-12-31"), 60), Some((day("2027-03-01"), 100)));
        assert_eq!(out.due_within(&yearly(), day("2026-12-30"), 60), None);
    }

    #[test]
    fn a_return_after_a_partial_redemption_takes_from_the_oldest_points() {
        // 2025: +500 (a receipt); redeemed 300; a return of 150 in 2026; +80 in 2026.
        let moves = [mv("2025-04-01", 500), mv("2025-11-01", -300), mv("2026-01-05", -150), mv("2026-02-01", 80)];
        let out = run(&yearly(), &moves, day("2026-03-02"));
        // 500 − 300 − 150 = 50 of 2025 expire; 2026's 80 stay.
        assert_eq!(out.expired, [(day("2025-12-31"), 50)]);
        assert_eq!(out.due_within(&yearly(), day("2027-01-15"), 60), Some((day("2027-03-01"), 80)));
    }

    #[test]
    fn a_debt_from_returns_is_paid_by_the_next_points_before_they_count() {
        // A return before any points: −40; then +100 in 2025 → 60 left, which expire.
        let moves = [mv("2025-01-10", -40), mv("2025-02-01", 100)];
        assert_eq!(run(&yearly(), &moves, day("2026-03-02")).expired, [(day("2025-12-31"), 60)]);
        // A balance spent to zero expires nothing.
        let moves = [mv("2025-02-01", 100), mv("2025-12-01", -100)];
        assert!(run(&yearly(), &moves, day("2027-01-01")).expired.is_empty());
    }

    #[test]
    fn explicit_periods_and_points_outside_them() {
        let policy = ExpiryPolicy::parse("2025-03-01:2026-02-28, 2026-03-01:2027-02-28", 30).unwrap();
        // Before the first period: never expires. Inside the first: expires after 2026-03-30.
        let moves = [mv("2025-01-15", 70), mv("2025-06-01", 200), mv("2026-03-05", 10)];
        let out = run(&policy, &moves, day("2026-03-31"));
        // Oldest first: nothing spent, so the first period's 200 expire and the 70 stay.
        assert_eq!(out.expired, [(day("2026-02-28"), 200)]);
        assert!(run(&policy, &moves, day("2026-03-30")).expired.is_empty(), "the grace period's last day");
        assert!(run(&ExpiryPolicy::default(), &moves, day("2040-01-01")).expired.is_empty(), "no policy");
        assert_eq!(policy.last_expiry_before(day("2026-03-31")), Some(day("2026-03-30")));
        assert_eq!(policy.last_expiry_before(day("2026-03-30")), None);
        assert_eq!(yearly().last_expiry_before(day("2026-11-30")), Some(day("2026-03-01")));
    }

    #[test]
    fn the_policy_refuses_what_the_law_or_sense_forbids() {
        assert!(ExpiryPolicy::parse("2020-01-01:2025-12-31", 60).unwrap_err().contains("five years"));
        assert!(ExpiryPolicy::parse("2021-01-01:2025-12-31", 60).is_ok(), "exactly five years");
        assert!(ExpiryPolicy::parse("2021-03-01:2026-03-01", 60).is_err(), "five years and a day");
        assert!(ExpiryPolicy::parse("2026-01-01:2025-12-31", 60).unwrap_err().contains("ends before"));
        assert!(ExpiryPolicy::parse("2025-01-01:2025-12-31,2025-06-01:2026-05-31", 60)
            .unwrap_err()
            .contains("overlap"));
        assert!(ExpiryPolicy::parse("2025-01-01", 60).unwrap_err().contains("START:END"));
        assert!(ExpiryPolicy::parse("yearly,2025-01-01:2025-12-31", 60).unwrap_err().contains("not both"));
        assert!(ExpiryPolicy::parse("", 60).unwrap().is_off());
    }
}
