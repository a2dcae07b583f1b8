//! Wire types of the shopper's personal area: badges, monthly challenges, the `/me` summary and
//! the receipt list. Money in cents, dates `YYYY-MM-DD`.

use serde::{Deserialize, Serialize};

use super::analytics::{GroupRow, ReceiptView, SeriesPoint};
use super::card::CardView;

/// The badges a shopper can earn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BadgeKind {
    FirstTrip,
    FruitVeg10,
    Weeks8,
    Saved50,
    Departments10,
    Early5,
    Active12Months,
}

impl BadgeKind {
    /// Every badge, in the order shown.
    pub const ALL: [BadgeKind; 7] = [
        BadgeKind::FirstTrip,
        BadgeKind::FruitVeg10,
        BadgeKind::Weeks8,
        BadgeKind::Saved50,
        BadgeKind::Departments10,
        BadgeKind::Early5,
        BadgeKind::Active12Months,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            BadgeKind::FirstTrip => "first_trip",
            BadgeKind::FruitVeg10 => "fruit_veg_10",
            BadgeKind::Weeks8 => "weeks_8",
            BadgeKind::Saved50 => "saved_50",
            BadgeKind::Departments10 => "departments_10",
            BadgeKind::Early5 => "early_5",
            BadgeKind::Active12Months => "active_12_months",
        }
    }

    /// The goal, in the badge's unit (receipts, weeks, cents, departments, months).
    pub fn target(self) -> i64 {
        match self {
            BadgeKind::FirstTrip => 1,
            BadgeKind::FruitVeg10 => 10,
            BadgeKind::Weeks8 => 8,
            BadgeKind::Saved50 => 5_000,
            BadgeKind::Departments10 => 10,
            BadgeKind::Early5 => 5,
            BadgeKind::Active12Months => 12,
        }
    }
}

/// A badge's state: progress toward the target, and the award date once earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    pub kind: BadgeKind,
    pub progress: i64,
    pub target: i64,
    pub awarded_on: Option<String>,
}

/// The monthly challenges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChallengeKind {
    /// Spend in 4 different departments.
    Departments4,
    /// Visit 3 times within two weeks.
    Visits3In14Days,
    /// Buy 5 products on promotion.
    Promo5,
}

impl ChallengeKind {
    /// Every challenge.
    pub const ALL: [ChallengeKind; 3] =
        [ChallengeKind::Departments4, ChallengeKind::Visits3In14Days, ChallengeKind::Promo5];

    /// Stable code (part of the ledger key).
    pub fn code(self) -> &'static str {
        match self {
            ChallengeKind::Departments4 => "departments_4",
            ChallengeKind::Visits3In14Days => "visits_3_in_14_days",
            ChallengeKind::Promo5 => "promo_5",
        }
    }

    /// The goal.
    pub fn target(self) -> i64 {
        match self {
            ChallengeKind::Departments4 => 4,
            ChallengeKind::Visits3In14Days => 3,
            ChallengeKind::Promo5 => 5,
        }
    }

    /// Bonus points credited once when completed.
    pub fn reward(self) -> i64 {
        match self {
            ChallengeKind::Departments4 => 50,
            ChallengeKind::Visits3In14Days => 30,
            ChallengeKind::Promo5 => 40,
        }
    }
}

/// A challenge of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub kind: ChallengeKind,
    /// `YYYY-MM`.
    pub month: String,
    pub progress: i64,
    pub target: i64,
    pub reward: i64,
    pub completed_on: Option<String>,
}

/// A receipt in the shopper's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptSummary {
    pub id: String,
    /// `YYYY-MM-DD HH:MM`.
    pub issued_at: String,
    pub store: String,
    pub net_cents: i64,
    pub discount_cents: i64,
    pub lines: u32,
}

/// Everything on `/me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalArea {
    pub card: CardView,
    /// Progress toward the next level, basis points (10000 at the top level).
    pub level_progress_bp: i64,
    /// Saved through promotions this calendar year.
    pub saved_this_year_cents: i64,
    /// Net spend per month, the last 12 months.
    pub monthly: Vec<SeriesPoint>,
    pub departments: Vec<GroupRow>,
    /// Most bought products (by receipts).
    pub favourites: Vec<GroupRow>,
    /// Spend this month, and the average month over the previous 12 (None without history).
    pub this_month_cents: i64,
    pub average_month_cents: Option<i64>,
    pub latest: Vec<ReceiptSummary>,
    pub badges: Vec<Badge>,
    pub challenges: Vec<Challenge>,
    /// Points that expire soon (within 60 days), if any.
    pub expiring: Option<PointsDue>,
}

/// Points about to expire: how many, and the last day they can be spent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsDue {
    pub points: i64,
    /// `YYYY-MM-DD`.
    pub last_day: String,
}

/// One page of the shopper's receipts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPage {
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
    pub receipts: Vec<ReceiptSummary>,
}

/// One receipt with its lines.
pub type ReceiptDetail = ReceiptView;

/// The shopper's editable contact data and consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub email: String,
    pub phone: String,
    pub marketing_consent: bool,
    /// Consent to personal offers chosen from purchases (profiling), separate from marketing.
    pub profiling_consent: bool,
}

impl crate::i18n::Label for BadgeKind {
    fn key(&self) -> crate::i18n::Key {
        match self {
            BadgeKind::FirstTrip => crate::i18n::Key::BadgeFirstTrip,
            BadgeKind::FruitVeg10 => crate::i18n::Key::BadgeFruitVeg10,
            BadgeKind::Weeks8 => crate::i18n::Key::BadgeWeeks8,
            BadgeKind::Saved50 => crate::i18n::Key::BadgeSaved50,
            BadgeKind::Departments10 => crate::i18n::Key::BadgeDepartments10,
            BadgeKind::Early5 => crate::i18n::Key::BadgeEarly5,
            BadgeKind::Active12Months => crate::i18n::Key::BadgeActive12,
        }
    }
}

impl crate::i18n::Label for ChallengeKind {
    fn key(&self) -> crate::i18n::Key {
        match self {
            ChallengeKind::Departments4 => crate::i18n::Key::ChallengeDepartments4,
            ChallengeKind::Visits3In14Days => crate::i18n::Key::ChallengeVisits3,
            ChallengeKind::Promo5 => crate::i18n::Key::ChallengePromo5,
        }
    }
}
