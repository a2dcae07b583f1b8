//! The rewards catalogue and the vouchers points buy: wire types, and the validation of a
//! reward as the admin enters it (every problem names its field).

use serde::{Deserialize, Serialize};

use crate::model::levels::Level;

/// What a reward gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// A shopping voucher worth `value_cents`, taken at the till.
    Voucher,
    /// A free product (`ean`), taken at the till.
    Product,
    /// A donation of `value_cents` to `cause`, confirmed at once.
    Donation,
}

impl RewardKind {
    /// Every kind.
    pub const ALL: [RewardKind; 3] = [RewardKind::Voucher, RewardKind::Product, RewardKind::Donation];

    /// The code used in forms and the store.
    pub fn code(self) -> &'static str {
        match self {
            RewardKind::Voucher => "voucher",
            RewardKind::Product => "product",
            RewardKind::Donation => "donation",
        }
    }

    /// The kind of `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        RewardKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// A reward as the admin enters it (form fields as text, checked by [`validate_reward`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardInput {
    pub kind: String,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    pub points: String,
    /// Euros, `12,50` or `12.50` (vouchers and donations).
    pub value_eur: String,
    /// Product code (free products).
    pub ean: String,
    /// The cause (donations).
    pub cause: String,
    /// Empty: unlimited.
    pub stock: String,
    /// `YYYY-MM-DD`, empty: from now.
    pub valid_from: String,
    /// `YYYY-MM-DD`, empty: no end.
    pub valid_to: String,
    /// `bronze`, `silver`, `gold`, `platinum`.
    pub min_level: String,
    /// Vouchers per shopper per calendar month; empty: no limit.
    pub monthly_limit: String,
}

/// A checked reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardSpec {
    pub kind: RewardKind,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    pub points: i64,
    pub value_cents: Option<i64>,
    pub ean: Option<String>,
    pub cause: Option<String>,
    pub stock: Option<i64>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub min_level: Level,
    pub monthly_limit: Option<i64>,
}

/// The level of a code (`bronze` … `platinum`).
pub fn level_from_code(code: &str) -> Option<Level> {
    match code.trim() {
        "" | "bronze" => Some(Level::Bronze),
        "silver" => Some(Level::Silver),
        "gold" => Some(Level::Gold),
        "platinum" => Some(Level::Platinum),
        _ => None,
    }
}

/// The code of a level.
pub fn level_code(level: Level) -> &'static str {
    match level {
        Level::Bronze => "bronze",
        Level::Silver => "silver",
        Level::Gold => "gold",
        Level::Platinum => "platinum",
    }
}

/// Euros as typed (`12`, `12,5`, `12.50`) to cents.
pub fn parse_euros(text: &str) -> Option<i64> {
    let t = text.trim().replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    int.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

/// Checks a reward form: `Err((field, message))` names the first field at fault.
pub fn validate_reward(input: &RewardInput) -> Result<RewardSpec, (&'static str, String)> {
    let kind = RewardKind::from_code(&input.kind).ok_or(("kind", "choose voucher, product or donation".to_string()))?;
    let title = |field: &'static str, v: &str| {
        let v = v.trim();
        if v.is_empty() || v.chars().count() > 80 {
            Err((field, "expected a title of 1 to 80 characters".to_string()))
        } else {
            Ok(v.to_string())
        }
    };
    let title_it = title("title_it", &input.title_it)?;
    let title_en = title("title_en", &input.title_en)?;
    let text = |field: &'static str, v: &str| {
        if v.trim().chars().count() > 500 {
            Err((field, "at most 500 characters".to_string()))
        } else {
            Ok(v.trim().to_string())
        }
    };
    let description_it = text("description_it", &input.description_it)?;
    let description_en = text("description_en", &input.description_en)?;
    let points = input
        .points
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p))
        .ok_or(("points", "expected whole points from 1 to 1000000".to_string()))?;
    let value_cents = match kind {
        RewardKind::Voucher | RewardKind::Donation => Some(
            parse_euros(&input.value_eur)
                .filter(|c| (1..=100_000).contains(c))
                .ok_or(("value_eur", "expected an amount from 0,01 to 1.000,00 euros".to_string()))?,
        ),
        RewardKind::Product => None,
    };
    let ean = match kind {
        RewardKind::Product => {
            let e = input.ean.trim();
            if e.is_empty() || e.len() > 14 || !e.bytes().all(|b| b.is_ascii_digit()) {
                return Err(("ean", "expected the product code (up to 14 digits)".to_string()));
            }
            Some(e.to_string())
        }
        _ => None,
    };
    let cause = match kind {
        RewardKind::Donation => Some(title("cause", &input.cause)?),
        _ => None,
    };
    let optional_count = |field: &'static str, v: &str| match v.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=10_000_000).contains(n))
            .map(Some)
            .ok_or((field, "expected a whole number".to_string())),
    };
    let stock = optional_count("stock", &input.stock)?;
    let monthly_limit = optional_count("monthly_limit", &input.monthly_limit)?.filter(|n| *n > 0);
    let date = |field: &'static str, v: &str| match v.trim() {
        "" => Ok(None),
        t => crate::validate::SimpleDate::parse_iso(t)
            .map(|d| Some(d.iso()))
            .ok_or((field, "expected a date YYYY-MM-DD".to_string())),
    };
    let valid_from = date("valid_from", &input.valid_from)?;
    let valid_to = date("valid_to", &input.valid_to)?;
    if let (Some(from), Some(to)) = (&valid_from, &valid_to) {
        if to < from {
            return Err(("valid_to", "the end comes before the start".to_string()));
        }
    }
    let min_level = level_from_code(&input.min_level).ok_or(("min_level", "choose a level".to_string()))?;
    Ok(RewardSpec {
        kind,
        title_it,
        title_en,
        description_it,
        description_en,
        points,
        value_cents,
        ean,
        cause,
        stock,
        valid_from,
        valid_to,
        min_level,
        monthly_limit,
    })
}

/// A reward of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardView {
    pub id: String,
    pub spec: RewardSpec,
    /// Vouchers issued so far.
    pub issued: i64,
    pub paused: bool,
}

/// A reward as one shopper sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardOffer {
    pub reward: RewardView,
    /// Points still missing (0: affordable now).
    pub missing_points: i64,
    /// Why it cannot be redeemed now, as a code (`level`, `stock`, `monthly_limit`,
    /// `not_yet`, `ended`, `paused`, `points`), or none.
    pub blocked: Option<String>,
}

/// State of a voucher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoucherStatus {
    Active,
    Used,
    Expired,
    Cancelled,
    /// A donation, confirmed at once.
    Donated,
}

/// A voucher the shopper holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherView {
    /// The EAN-13 code printed as a barcode.
    pub code: String,
    pub kind: RewardKind,
    pub title_it: String,
    pub title_en: String,
    pub value_cents: Option<i64>,
    pub ean: Option<String>,
    pub cause: Option<String>,
    pub points: i64,
    pub status: VoucherStatus,
    pub issued_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    /// The barcode, drawn on the server.
    #[serde(default)]
    pub barcode_svg: String,
}

/// `/me/rewards`: the balance, the catalogue as this shopper may use it, their vouchers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardsPage {
    pub balance: i64,
    pub offers: Vec<RewardOffer>,
    pub vouchers: Vec<VoucherView>,
}

/// One movement of the points ledger as the shopper reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `earn`, `challenge`, `adjustment`, `redeem`, `refund`, `expire`.
    pub kind: String,
    /// The reason recorded with it.
    pub reason: Option<String>,
    pub points: i64,
    /// The balance after this movement.
    pub balance: i64,
    /// The receipt that earned it (or took points back).
    pub receipt_id: Option<String>,
    /// The voucher it paid for (or refunded).
    pub voucher: Option<String>,
}

/// `/me/points`: every movement, newest first, with the running balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementsPage {
    pub balance: i64,
    pub movements: Vec<Movement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher() -> RewardInput {
        RewardInput {
            kind: "voucher".into(),
            title_it: "Buono spesa 10 €".into(),
            title_en: "10 € shopping voucher".into(),
            points: "1000".into(),
            value_eur: "10,00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_voucher_reward() {
        let spec = validate_reward(&voucher()).unwrap();
        assert_eq!(
            (spec.kind, spec.points, spec.value_cents, spec.min_level),
            (RewardKind::Voucher, 1000, Some(1000), Level::Bronze)
        );
    }

    #[test]
    fn every_problem_names_its_field() {
        let cases: [(&str, RewardInput); 9] = [
            ("kind", RewardInput { kind: "gift".into(), ..voucher() }),
            ("title_it", RewardInput { title_it: " ".into(), ..voucher() }),
            ("points", RewardInput { points: "0".into(), ..voucher() }),
            ("value_eur", RewardInput { value_eur: "dieci".into(), ..voucher() }),
            ("ean", RewardInput { kind: "product".into(), ean: "abc".into(), ..voucher() }),
            ("cause", RewardInput { kind: "donation".into(), cause: "".into(), ..voucher() }),
            ("stock", RewardInput { stock: "-1".into(), ..voucher() }),
            ("valid_to", RewardInput { valid_from: "2026-12-01".into(), valid_to: "2026-11-01".into(), ..voucher() }),
            ("min_level", RewardInput { min_level: "diamond".into(), ..voucher() }),
        ];
        for (field, input) in cases {
            assert_eq!(validate_reward(&input).unwrap_err().0, field);
        }
    }

    #[test]
    fn euros_as_typed() {
        assert_eq!(parse_euros("12"), Some(1200));
        assert_eq!(parse_euros("12,5"), Some(1250));
        assert_eq!(parse_euros("0.05"), Some(5));
        assert_eq!(parse_euros("1,234"), None);
        assert_eq!(parse_euros("-3"), None);
    }
}

/// Points flows of a period (all positive numbers; `redeemed` is net of cancelled vouchers,
/// `adjusted` is the net of manual adjustments and may be negative).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsFlows {
    /// Points earned by purchases and challenges.
    pub earned: i64,
    /// Points spent on rewards (minus those of cancelled vouchers).
    pub redeemed: i64,
    /// Points expired at the end of a collection period.
    pub expired: i64,
    /// Points taken back by returns.
    pub taken_back: i64,
    /// Net manual adjustments.
    pub adjusted: i64,
}

impl PointsFlows {
    /// Adds `other`.
    pub fn add(&mut self, other: &PointsFlows) {
        self.earned += other.earned;
        self.redeemed += other.redeemed;
        self.expired += other.expired;
        self.taken_back += other.taken_back;
        self.adjusted += other.adjusted;
    }
}

/// The points flows of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub flows: PointsFlows,
}

/// Vouchers of one reward issued in the period, by what became of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardVouchers {
    pub reward_id: String,
    pub title_it: String,
    pub title_en: String,
    pub issued: i64,
    pub used: i64,
    /// Donations, confirmed at once.
    pub donated: i64,
    pub active: i64,
    pub expired: i64,
    pub cancelled: i64,
    pub points: i64,
}

impl RewardVouchers {
    /// Used (or donated) per issued voucher, basis points.
    pub fn used_bp(&self) -> i64 {
        if self.issued == 0 {
            0
        } else {
            (self.used + self.donated) * 10_000 / self.issued
        }
    }
}

/// The points programme on the dashboard: what is owed, and what moved in the period. The
/// figures cover the whole programme (the dashboard's store and cardholder filters do not
/// apply to points).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsProgramme {
    /// When the figures were computed (RFC 3339).
    pub as_of: String,
    /// Points held by cardholders now (the sum of positive balances).
    pub outstanding: i64,
    /// Their value in euro cents at the catalogue's best voucher rate (none without a voucher
    /// reward to price them).
    pub liability_cents: Option<i64>,
    /// The rate: euro cents and points of the voucher reward that sets it.
    pub rate: Option<(i64, i64)>,
    /// Flows of the period.
    pub period: PointsFlows,
    /// Redeemed per earned point in the period, basis points (none when nothing was earned).
    pub redemption_rate_bp: Option<i64>,
    /// Expired per earned point in the period, basis points.
    pub breakage_bp: Option<i64>,
    /// Flows per month of the period.
    pub months: Vec<PointsMonth>,
    /// Vouchers issued in the period, per reward.
    pub by_reward: Vec<RewardVouchers>,
}

use crate::i18n::Key;
use crate::model::table::{Cell, Column, TableRow};

impl TableRow for PointsMonth {
    const COLUMNS: &'static [Column] = &[
        Column::both("month", Key::ColMonthOf, false),
        Column::both("earned", Key::ColPointsEarned, true),
        Column::both("redeemed", Key::ColPointsRedeemed, true),
        Column::both("expired", Key::ColPointsExpired, true),
        Column::both("taken_back", Key::ColPointsTakenBack, true),
        Column::both("adjusted", Key::ColPointsAdjusted, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        let f = &self.flows;
        vec![
            Cell::text(self.month.clone()),
            Cell::Int(f.earned),
            Cell::Int(f.redeemed),
            Cell::Int(f.expired),
            Cell::Int(f.taken_back),
            Cell::Int(f.adjusted),
        ]
    }
}

impl TableRow for RewardVouchers {
    const COLUMNS: &'static [Column] = &[
        Column::file("reward_id"),
        Column::both("reward", Key::ColReward, false),
        Column::file("reward_it"),
        Column::both("issued", Key::ColVouchersIssued, true),
        Column::both("used", Key::ColVouchersUsed, true),
        Column::both("donated", Key::ColVouchersDonated, true),
        Column::both("active", Key::ColVouchersActive, true),
        Column::both("expired", Key::ColVouchersExpired, true),
        Column::both("cancelled", Key::ColVouchersCancelled, true),
        Column::both("used_percent", Key::ColVouchersUsedShare, true),
        Column::both("points", Key::ColPointsRedeemed, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.reward_id.clone()),
            Cell::Local(self.title_it.clone(), self.title_en.clone()),
            Cell::text(self.title_it.clone()),
            Cell::Int(self.issued),
            Cell::Int(self.used),
            Cell::Int(self.donated),
            Cell::Int(self.active),
            Cell::Int(self.expired),
            Cell::Int(self.cancelled),
            Cell::Percent(self.used_bp()),
            Cell::Int(self.points),
        ]
    }
}
