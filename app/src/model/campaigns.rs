//! Campaigns as the admin pages, the shopper's offers page and the server share them: the
//! audience an admin describes, the offer, what a launch answers, and an offer as a shopper
//! sees it. Plain data; the rules live on the server (`campaigns`).

use serde::{Deserialize, Serialize};

use super::analytics::Filters;

/// Who a campaign is for: the dashboard's filters (window, stores, departments, segment,
/// gender, age) and the campaign-only criteria. Every criterion narrows the audience.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceSpec {
    pub filters: Filters,
    /// Churn risk: probability of being still a customer below this percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub churn_below_percent: Option<u32>,
    /// Predicted 12-month value in this decile or above (1–10; 10: the most valuable tenth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decile_min: Option<u32>,
    /// Bought in this department (code) in the last [`AudienceSpec::affinity_days`] days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity_department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity_days: Option<u32>,
    /// No receipt in the last N days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapsed_days: Option<u32>,
    /// Enrolled at this store (code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_store: Option<String>,
}

impl AudienceSpec {
    /// True when the audience is chosen from purchases (segment, churn risk, value, affinity,
    /// lapse): then only cardholders who consented to profiling may be in it.
    pub fn profiles(&self) -> bool {
        self.filters.segment.is_some()
            || self.churn_below_percent.is_some()
            || self.value_decile_min.is_some()
            || self.affinity_department.is_some()
            || self.lapsed_days.is_some()
    }
}

/// What a points offer is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Product,
    Brand,
    Department,
}

/// A campaign's offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfferSpec {
    /// Points on the target multiplied by `factor`.
    Multiplier { target_kind: TargetKind, target: String, factor: i64 },
    /// A fixed bonus when the receipt buys the target.
    Bonus { target_kind: TargetKind, target: String, points: i64 },
    /// A fixed bonus for a receipt of at least `min_cents`.
    Basket { min_cents: i64, points: i64 },
    /// A voucher of `value_cents` for a receipt of at least `min_cents`.
    Voucher { value_cents: i64, min_cents: i64 },
}

impl OfferSpec {
    /// True when the budget is in euro cents (a voucher offer), else in points.
    pub fn budget_in_cents(&self) -> bool {
        matches!(self, OfferSpec::Voucher { .. })
    }
}

/// What an admin fills in to launch a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignInput {
    pub name: String,
    /// `YYYY-MM-DD`, inclusive.
    pub starts_on: String,
    pub ends_on: String,
    pub audience: AudienceSpec,
    pub offer: OfferSpec,
    /// Points (euro cents for a voucher offer) the campaign may grant in all.
    pub budget: i64,
    /// Rewards one shopper may receive.
    pub per_shopper_limit: i64,
    /// The holdout share as typed, in percent ("10", "12,5"); empty: the default.
    pub holdout: String,
}

/// Why a cardholder of the audience cannot be in the campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOutReason {
    /// No consent to offers and news.
    NoMarketingConsent,
    /// An audience chosen from purchases, without consent to profiling.
    NoProfilingConsent,
    /// Seen on receipts only, or erased: no one to offer anything to.
    NotRegistered,
}

/// The audience's size before a launch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudiencePreview {
    /// Cardholders the criteria select.
    pub matching: u64,
    /// Those who may receive the offer (treated + holdout).
    pub reachable: u64,
    /// Of `reachable`, those held out at the share asked.
    pub held_out: u64,
    pub left_out: Vec<(LeftOutReason, u64)>,
}

/// Where a campaign stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Scheduled,
    Running,
    /// Running, but the budget cannot pay another reward.
    BudgetReached,
    Ended,
    Stopped,
}

/// A campaign in the admin list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub status: CampaignStatus,
    pub offer: OfferSpec,
    pub members: i64,
    pub held_out: i64,
    pub activated: i64,
    /// Points (cents for vouchers) granted so far, and the budget.
    pub granted: i64,
    pub budget: i64,
    pub per_shopper_limit: i64,
    pub holdout_permille: i64,
    pub left_out: Vec<(LeftOutReason, u64)>,
    pub created_at: String,
}

/// An offer as its shopper sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOffer {
    pub campaign_id: String,
    pub name: String,
    pub offer: OfferSpec,
    /// The product, brand or department's name, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<String>,
    /// Rewards received, of at most `limit`.
    pub used: i64,
    pub limit: i64,
}
