//! RFM segments: the rule that names a cardholder from their R, F and M scores.

use serde::{Deserialize, Serialize};

use crate::i18n::{Key, Label};

/// RFM segments, in the order their rules are tried (the first match wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Segment {
    Champions,
    LoyalCustomers,
    CantLoseThem,
    NewCustomers,
    Promising,
    PotentialLoyalist,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    Lost,
    Others,
}

impl Segment {
    /// Every segment, in rule order.
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::LoyalCustomers,
        Segment::CantLoseThem,
        Segment::NewCustomers,
        Segment::Promising,
        Segment::PotentialLoyalist,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::Lost,
        Segment::Others,
    ];

    /// The value used in URLs, exports and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::LoyalCustomers => "loyal_customers",
            Segment::CantLoseThem => "cant_lose_them",
            Segment::NewCustomers => "new_customers",
            Segment::Promising => "promising",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::Lost => "lost",
            Segment::Others => "others",
        }
    }

    /// The segment named by a code (the English name with spaces also works).
    pub fn from_code(code: &str) -> Option<Self> {
        let norm = code.trim().to_ascii_lowercase().replace('\'', "").replace([' ', '-'], "_");
        Segment::ALL.into_iter().find(|s| s.code() == norm)
    }

    /// The segment of R, F and M scores (each 1–5): the first matching rule, else `Others`.
    ///
    /// | Segment | R | F | M |
    /// |---|---|---|---|
    /// | Champions | 4–5 | 4–5 | 4–5 |
    /// | Loyal Customers | 2–5 | 3–5 | 3–5 |
    /// | Can't Lose Them | 1 | 4–5 | 4–5 |
    /// | New Customers | 4–5 | 1 | 1 |
    /// | Promising | 3–4 | 1 | 1 |
    /// | Potential Loyalist | 3–5 | 1–3 | 1–3 |
    /// | Need Attention | 2–3 | 2–3 | 2–3 |
    /// | About To Sleep | 2–3 | 1–2 | 1–2 |
    /// | At Risk | 1–2 | 2–5 | 2–5 |
    /// | Lost | 1–2 | 1–2 | 1–2 |
    pub fn of_scores(r: u8, f: u8, m: u8) -> Segment {
        let within = |v: u8, lo: u8, hi: u8| (lo..=hi).contains(&v);
        let rule = |r_: (u8, u8), f_: (u8, u8), m_: (u8, u8)| {
            within(r, r_.0, r_.1) && within(f, f_.0, f_.1) && within(m, m_.0, m_.1)
        };
        if rule((4, 5), (4, 5), (4, 5)) {
            Segment::Champions
        } else if rule((2, 5), (3, 5), (3, 5)) {
            Segment::LoyalCustomers
        } else if rule((1, 1), (4, 5), (4, 5)) {
            Segment::CantLoseThem
        } else if rule((4, 5), (1, 1), (1, 1)) {
            Segment::NewCustomers
        } else if rule((3, 4), (1, 1), (1, 1)) {
            Segment::Promising
        } else if rule((3, 5), (1, 3), (1, 3)) {
            Segment::PotentialLoyalist
        } else if rule((2, 3), (2, 3), (2, 3)) {
            Segment::NeedAttention
        } else if rule((2, 3), (1, 2), (1, 2)) {
            Segment::AboutToSleep
        } else if rule((1, 2), (2, 5), (2, 5)) {
            Segment::AtRisk
        } else if rule((1, 2), (1, 2), (1, 2)) {
            Segment::Lost
        } else {
            Segment::Others
        }
    }
}

impl Label for Segment {
    fn key(&self) -> Key {
        match self {
            Segment::Champions => Key::SegChampions,
            Segment::LoyalCustomers => Key::SegLoyalCustomers,
            Segment::CantLoseThem => Key::SegCantLoseThem,
            Segment::NewCustomers => Key::SegNewCustomers,
            Segment::Promising => Key::SegPromising,
            Segment::PotentialLoyalist => Key::SegPotentialLoyalist,
            Segment::NeedAttention => Key::SegNeedAttention,
            Segment::AboutToSleep => Key::SegAboutToSleep,
            Segment::AtRisk => Key::SegAtRisk,
            Segment::Lost => Key::SegLost,
            Segment::Others => Key::SegOthers,
        }
    }
}
