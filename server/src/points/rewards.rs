//! Badges and monthly challenges, computed from a cardholder's purchase history (plain data in,
//! plain data out). Weeks are Monday-based; "before 9:00" means a receipt time below 09:00.

use std::collections::HashSet;

use app::model::personal::{Badge, BadgeKind, Challenge, ChallengeKind};

use crate::projection::dataset::{Dataset, NO_DEPARTMENT};

/// One shopping trip, as the rewards see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visit {
    /// Day number (days since 1970-01-01).
    pub day: i32,
    /// Minutes since midnight.
    pub minute: u16,
    pub net_cents: i64,
    /// Discount on lines with a promotion.
    pub promo_saved_cents: i64,
    /// Departments of its lines.
    pub departments: Vec<u16>,
    /// Whether it had fruit and vegetables.
    pub fruit_veg: bool,
    /// Lines on promotion.
    pub promo_items: u32,
}

use crate::clock::month_of;
use crate::clock::{day_iso as iso, week_of};

/// Every badge with its progress and award date; `visits` in time order.
pub fn badges(visits: &[Visit]) -> Vec<Badge> {
    BadgeKind::ALL.into_iter().map(|kind| badge(kind, visits)).collect()
}

fn badge(kind: BadgeKind, visits: &[Visit]) -> Badge {
    let target = kind.target();
    let mut progress = 0i64;
    let mut awarded: Option<i32> = None;
    let mut reach = |value: i64, day: i32, progress: &mut i64| {
        *progress = (*progress).max(value.min(target));
        if value >= target && awarded.is_none() {
            awarded = Some(day);
        }
    };
    match kind {
        BadgeKind::FirstTrip => {
            if let Some(v) = visits.first() {
                reach(1, v.day, &mut progress);
            }
        }
        BadgeKind::FruitVeg10 => {
            let mut n = 0;
            for v in visits.iter().filter(|v| v.fruit_veg) {
                n += 1;
                reach(n, v.day, &mut progress);
            }
        }
        BadgeKind::Weeks8 => {
            let (mut streak, mut last_week) = (0i64, i32::MIN);
            for v in visits {
                let w = week_of(v.day);
                if w == last_week {
                    continue;
                }
                streak = if w == last_week + 1 { streak + 1 } else { 1 };
                last_week = w;
                reach(streak, v.day, &mut progress);
            }
        }
        BadgeKind::Saved50 => {
            let mut saved = 0;
            for v in visits {
                saved += v.promo_saved_cents;
                reach(saved, v.day, &mut progress);
            }
        }
        BadgeKind::Departments10 => {
            let mut seen = HashSet::new();
            for v in visits {
                seen.extend(v.departments.iter().copied());
                reach(seen.len() as i64, v.day, &mut progress);
            }
        }
        BadgeKind::Early5 => {
            let mut n = 0;
            for v in visits.iter().filter(|v| v.minute < 9 * 60) {
                n += 1;
                reach(n, v.day, &mut progress);
            }
        }
        BadgeKind::Active12Months => {
            let mut months = HashSet::new();
            for v in visits {
                months.insert(month_of(v.day));
                reach(months.len() as i64, v.day, &mut progress);
            }
        }
    }
    Badge { kind, progress, target, awarded_on: awarded.map(iso) }
}

/// The three challenges of `month` (a month index, see [`month_of`]); `visits` in time order.
pub fn challenges(visits: &[Visit], month: i32) -> Vec<Challenge> {
    let in_month: Vec<&Visit> = visits.iter().filter(|v| month_of(v.day) == month).collect();
    let label = crate::clock::month_label(month);
    ChallengeKind::ALL
        .into_iter()
        .map(|kind| {
            let target = kind.target();
            let mut progress = 0i64;
            let mut completed: Option<i32> = None;
            let mut reach = |value: i64, day: i32| {
                progress = progress.max(value.min(target));
                if value >= target && completed.is_none() {
                    completed = Some(day);
                }
            };
            match kind {
                ChallengeKind::Departments4 => {
                    let mut seen = HashSet::new();
                    for v in &in_month {
                        seen.extend(v.departments.iter().copied());
                        reach(seen.len() as i64, v.day);
                    }
                }
                ChallengeKind::Visits3In14Days => {
                    let mut days: Vec<i32> = in_month.iter().map(|v| v.day).collect();
                    days.dedup();
                    for (i, d) in days.iter().enumerate() {
                        let within = days[..=i].iter().filter(|x| **x > d - 14).count() as i64;
                        reach(within, *d);
                    }
                }
                ChallengeKind::Promo5 => {
                    let mut n = 0;
                    for v in &in_month {
                        n += i64::from(v.promo_items);
                        reach(n, v.day);
                    }
                }
            }
            Challenge {
                kind,
                month: label.clone(),
                progress,
                target,
                reward: kind.reward(),
                completed_on: completed.map(iso),
            }
        })
        .collect()
}

/// Whether a department name means fruit and vegetables.
pub fn is_fruit_veg(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains("ortofrutta") || n.contains("frutta") || n.contains("verdur")
}

/// The visits of card `c` (time order) for badges and challenges.
pub fn visits(data: &Dataset, c: u32) -> Vec<Visit> {
    let fruit: Vec<bool> = data.department_names.iter().map(|n| is_fruit_veg(n)).collect();
    let r = &data.receipts;
    let l = &data.lines;
    data.receipts_of(c)
        .iter()
        .map(|i| {
            let i = *i as usize;
            let mut v = Visit { day: r.day[i], minute: r.minute[i], net_cents: r.net[i], ..Default::default() };
            for k in r.lines(i) {
                let d = l.department[k];
                if d != NO_DEPARTMENT {
                    if !v.departments.contains(&d) {
                        v.departments.push(d);
                    }
                    v.fruit_veg |= fruit[d as usize];
                }
                if l.promotion[k] != 0 {
                    v.promo_items += 1;
                    v.promo_saved_cents += i64::from(l.discount[k]);
                }
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimpleDate;

    fn day(iso: &str) -> i32 {
        SimpleDate::parse_iso(iso).unwrap().days_since_epoch() as i32
    }

    fn visit(date: &str, hh: u16, mm: u16) -> Visit {
        Visit { day: day(date), minute: hh * 60 + mm, net_cents: 1000, ..Default::default() }
    }

    fn get(b: &[Badge], k: BadgeKind) -> (i64, Option<String>) {
        let x = b.iter().find(|x| x.kind == k).unwrap();
        (x.progress, x.awarded_on.clone())
    }

    #[test]
    fn no_history_no_badges() {
        let b = badges(&[]);
        assert_eq!(b.len(), 7);
        assert!(b.iter().all(|x| x.progress == 0 && x.awarded_on.is_none()));
    }

    #[test]
    fn first_trip_and_early_birds() {
        let mut v: Vec<Visit> = (1..=4).map(|d| visit(&format!("2026-03-0{d}"), 8, 59)).collect();
        v.push(visit("2026-03-05", 9, 0)); // 09:00 is not before 9
        let b = badges(&v);
        assert_eq!(get(&b, BadgeKind::FirstTrip), (1, Some("2026-03-01".into())));
        assert_eq!(get(&b, BadgeKind::Early5), (4, None));
        v.push(visit("2026-03-06", 7, 30));
        assert_eq!(get(&badges(&v), BadgeKind::Early5), (5, Some("2026-03-06".into())));
    }

    #[test]
    fn fruit_and_vegetables_ten_times() {
        let mut v: Vec<Visit> =
            (1..=10).map(|d| Visit { fruit_veg: d != 5, ..visit(&format!("2026-03-{d:02}"), 10, 0) }).collect();
        assert_eq!(get(&badges(&v), BadgeKind::FruitVeg10), (9, None));
        v.push(Visit { fruit_veg: true, ..visit("2026-03-11", 10, 0) });
        assert_eq!(get(&badges(&v), BadgeKind::FruitVeg10), (10, Some("2026-03-11".into())));
    }

    #[test]
    fn eight_consecutive_weeks() {
        // Mondays 2 Mar .. 20 Apr 2026 are 8 consecutive weeks; a gap resets the streak.
        let weeks: Vec<Visit> =
            (0..8).map(|w| Visit { day: day("2026-03-02") + 7 * w, ..Default::default() }).collect();
        assert_eq!(get(&badges(&weeks[..7]), BadgeKind::Weeks8), (7, None));
        assert_eq!(get(&badges(&weeks), BadgeKind::Weeks8), (8, Some("2026-04-20".into())));
        let mut gap = weeks.clone();
        gap.remove(3);
        assert_eq!(get(&badges(&gap), BadgeKind::Weeks8), (4, None), "best streak 4 after the gap");
        // Sunday then Monday are two different weeks.
        let two = vec![
            Visit { day: day("2026-03-08"), ..Default::default() },
            Visit { day: day("2026-03-09"), ..Default::default() },
        ];
        assert_eq!(get(&badges(&two), BadgeKind::Weeks8).0, 2);
    }

    #[test]
    fn fifty_euros_saved() {
        let v = vec![
            Visit { promo_saved_cents: 2_500, ..visit("2026-01-10", 10, 0) },
            Visit { promo_saved_cents: 2_499, ..visit("2026-01-20", 10, 0) },
        ];
        assert_eq!(get(&badges(&v), BadgeKind::Saved50), (4_999, None));
        let mut more = v.clone();
        more.push(Visit { promo_saved_cents: 1, ..visit("2026-02-01", 10, 0) });
        assert_eq!(get(&badges(&more), BadgeKind::Saved50), (5_000, Some("2026-02-01".into())));
    }

    #[test]
    fn ten_departments_and_twelve_months() {
        let v: Vec<Visit> = (0..12)
            .map(|m| Visit { departments: vec![m as u16, 0], ..visit(&format!("2025-{:02}-15", m + 1), 10, 0) })
            .collect();
        let b = badges(&v);
        assert_eq!(get(&b, BadgeKind::Departments10), (10, Some("2025-10-15".into())), "departments 0..9 by October");
        assert_eq!(get(&b, BadgeKind::Active12Months), (12, Some("2025-12-15".into())));
        assert_eq!(get(&badges(&v[..11]), BadgeKind::Active12Months), (11, None));
    }

    #[test]
    fn monthly_challenges() {
        let march = month_of(day("2026-03-01"));
        let v = vec![
            Visit { departments: vec![1, 2], promo_items: 2, ..visit("2026-02-27", 10, 0) }, // February: not counted
            Visit { departments: vec![1, 2], promo_items: 2, ..visit("2026-03-01", 10, 0) },
            Visit { departments: vec![2, 3], promo_items: 2, ..visit("2026-03-15", 10, 0) },
            Visit { departments: vec![4], promo_items: 1, ..visit("2026-03-20", 10, 0) },
            Visit { departments: vec![4], promo_items: 0, ..visit("2026-03-28", 10, 0) },
        ];
        let c = challenges(&v, march);
        let get =
            |k: ChallengeKind| c.iter().find(|x| x.kind == k).map(|x| (x.progress, x.completed_on.clone())).unwrap();
        assert_eq!(get(ChallengeKind::Departments4), (4, Some("2026-03-20".into())));
        assert_eq!(get(ChallengeKind::Promo5), (5, Some("2026-03-20".into())));
        // 15, 20, 28 March: 15..28 is 14 days (28 − 13 = 15), so three visits in two weeks.
        assert_eq!(get(ChallengeKind::Visits3In14Days), (3, Some("2026-03-28".into())));
        assert_eq!(c[0].month, "2026-03");
        // 1, 14, 28: two visits fit in 14 days (1..14), never three (14..28 is 15 days).
        let spread = vec![visit("2026-03-01", 10, 0), visit("2026-03-14", 10, 0), visit("2026-03-28", 10, 0)];
        let c = challenges(&spread, march);
        assert_eq!(
            c.iter().find(|x| x.kind == ChallengeKind::Visits3In14Days).map(|x| (x.progress, x.completed_on.clone())),
            Some((2, None))
        );
    }
}
