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
    /// At this loyalty level or above (points of the last 12 months).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_min: Option<crate::model::levels::Level>,
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
            || self.level_min.is_some_and(|l| l > crate::model::levels::Level::Bronze)
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

/// A figure of the report, per member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Net spend per member (euros).
    Revenue,
    /// Receipts per member.
    Receipts,
    /// Share of members who shopped at least once.
    Shopped,
}

/// An estimate with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn contains_zero(&self) -> bool {
        self.low <= 0.0 && 0.0 <= self.high
    }
}

/// Treated against holdout on one figure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub metric: Metric,
    pub treated: f64,
    pub holdout: f64,
    /// Treated minus holdout (Welch's t interval); `None` with fewer than two in a group.
    pub difference: Option<Interval>,
}

/// What the report concludes on revenue per member (intention to treat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Increase,
    Decrease,
    /// The interval contains zero: "nessun effetto misurabile".
    NoMeasurableEffect,
    TooFewMembers,
}

/// A day of the report's chart: revenue per member of each group (euros).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportDay {
    pub day: String,
    pub treated: f64,
    pub holdout: f64,
}

/// The campaign's announcement mails by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailStatus {
    /// A mail server is configured (`SMTP_URL`); without one, mails wait.
    pub configured: bool,
    /// Waiting to be sent (or being retried).
    pub waiting: u64,
    pub sent: u64,
    pub failed: u64,
    /// Not sent: the shopper withdrew marketing consent or was erased.
    pub skipped: u64,
}

/// A campaign's report: reach, activation, redemption, cost, and treated against holdout over
/// the campaign's period (to the last day with data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    pub campaign: CampaignSummary,
    /// The period measured (`YYYY-MM-DD`); `None` before the campaign starts or without data in it.
    pub measured_from: Option<String>,
    pub measured_to: Option<String>,
    pub treated: u64,
    pub holdout: u64,
    pub activated: u64,
    /// Treated members who received at least one reward.
    pub redeemed: u64,
    /// Points granted; euro cents of vouchers issued.
    pub points_granted: i64,
    pub vouchers_cents: i64,
    /// What the rewards cost (points at the catalogue's best voucher rate, plus vouchers);
    /// `None` for points without a voucher in the catalogue to value them.
    pub cost_cents: Option<i64>,
    /// Intention to treat: every member assigned to treatment, activated or not (causal).
    pub itt: Vec<Comparison>,
    /// Activated members only against the holdout: not causal (who activates is self-chosen).
    pub activated_only: Vec<Comparison>,
    /// Revenue difference per member × treated members (euros).
    pub incremental_revenue: Option<Interval>,
    /// Incremental revenue ÷ cost.
    pub return_on_cost: Option<f64>,
    pub verdict: Verdict,
    pub daily: Vec<ReportDay>,
    /// The announcement mails.
    pub mail: MailStatus,
}

/// The campaign form as posted: every field text, named as in the form (the audience's
/// dashboard filters under their dashboard names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignForm {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// The dashboard filters as a query string (`range=months12&segment=at_risk`).
    pub filters: String,
    pub churn_below: String,
    pub value_decile: String,
    pub affinity_department: String,
    pub affinity_days: String,
    pub lapsed_days: String,
    pub enrolment_store: String,
    /// `bronze`, `silver`, `gold` or `platinum`; empty: any.
    pub level_min: String,
    /// `multiplier`, `bonus`, `basket` or `voucher`.
    pub offer_kind: String,
    /// `product`, `brand` or `department`.
    pub target_kind: String,
    pub target: String,
    pub factor: String,
    pub points: String,
    pub min_spend_eur: String,
    pub voucher_eur: String,
    /// Points, or euros for a voucher offer.
    pub budget: String,
    pub per_shopper_limit: String,
    /// Percent; empty: the default.
    pub holdout: String,
}

/// A whole number in `min..=max`, or the error naming `field`; empty: `None`.
fn number(field: &'static str, raw: &str, min: i64, max: i64) -> Result<Option<i64>, (&'static str, String)> {
    let raw = raw.trim().replace('.', "");
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err((field, format!("expected a whole number from {min} to {max}"))),
    }
}

fn required<T>(field: &'static str, v: Option<T>) -> Result<T, (&'static str, String)> {
    v.ok_or((field, "required".to_string()))
}

fn euros(field: &'static str, raw: &str) -> Result<i64, (&'static str, String)> {
    super::rewards::parse_euros(raw)
        .filter(|c| *c > 0 && *c <= 100_000_000)
        .ok_or((field, "expected an amount in euros, such as 30 or 12,50".to_string()))
}

impl CampaignForm {
    /// The audience the form describes (`Err((field, message))`).
    pub fn audience(&self) -> Result<AudienceSpec, (&'static str, String)> {
        let filters = Filters::from_query(&self.filters)
            .map_err(|b| ("filters", format!("the filter {} has a value that is not valid: {}", b.param, b.value)))?;
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(AudienceSpec {
            filters,
            churn_below_percent: number("churn_below", &self.churn_below, 1, 99)?.map(|n| n as u32),
            value_decile_min: number("value_decile", &self.value_decile, 1, 10)?.map(|n| n as u32),
            affinity_department: text(&self.affinity_department),
            affinity_days: number("affinity_days", &self.affinity_days, 1, 730)?.map(|n| n as u32),
            lapsed_days: number("lapsed_days", &self.lapsed_days, 1, 3650)?.map(|n| n as u32),
            enrolment_store: text(&self.enrolment_store),
            level_min: match self.level_min.trim() {
                "" => None,
                code => Some(
                    super::rewards::level_from_code(code)
                        .ok_or(("level_min", "choose bronze, silver, gold or platinum".to_string()))?,
                ),
            },
        })
    }

    /// The campaign the form describes, checked field by field (the server checks the rest).
    pub fn input(&self) -> Result<CampaignInput, (&'static str, String)> {
        let audience = self.audience()?;
        let target_kind = || match self.target_kind.trim() {
            "product" => Ok(TargetKind::Product),
            "brand" => Ok(TargetKind::Brand),
            "department" => Ok(TargetKind::Department),
            _ => Err(("target_kind", "choose product, brand or department".to_string())),
        };
        let offer = match self.offer_kind.trim() {
            "multiplier" => OfferSpec::Multiplier {
                target_kind: target_kind()?,
                target: self.target.trim().to_string(),
                factor: required("factor", number("factor", &self.factor, 2, 10)?)?,
            },
            "bonus" => OfferSpec::Bonus {
                target_kind: target_kind()?,
                target: self.target.trim().to_string(),
                points: required("points", number("points", &self.points, 1, 100_000)?)?,
            },
            "basket" => OfferSpec::Basket {
                min_cents: euros("min_spend_eur", &self.min_spend_eur)?,
                points: required("points", number("points", &self.points, 1, 100_000)?)?,
            },
            "voucher" => OfferSpec::Voucher {
                value_cents: euros("voucher_eur", &self.voucher_eur)?,
                min_cents: euros("min_spend_eur", &self.min_spend_eur)?,
            },
            _ => return Err(("offer_kind", "choose multiplier, bonus, basket or voucher".to_string())),
        };
        let budget = if offer.budget_in_cents() {
            euros("budget", &self.budget)?
        } else {
            required("budget", number("budget", &self.budget, 1, 1_000_000_000)?)?
        };
        Ok(CampaignInput {
            name: self.name.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            audience,
            offer,
            budget,
            per_shopper_limit: number("per_shopper_limit", &self.per_shopper_limit, 1, 1_000)?.unwrap_or(1),
            holdout: self.holdout.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basket() -> CampaignForm {
        CampaignForm {
            name: "Spesa premiata".into(),
            starts_on: "2026-12-01".into(),
            ends_on: "2026-12-31".into(),
            filters: "range=12m&segment=at_risk".into(),
            offer_kind: "basket".into(),
            min_spend_eur: "30".into(),
            points: "100".into(),
            budget: "1.000.000".into(),
            per_shopper_limit: "2".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_form_becomes_a_campaign() {
        let c = basket().input().unwrap();
        assert_eq!(c.offer, OfferSpec::Basket { min_cents: 3_000, points: 100 });
        assert_eq!((c.budget, c.per_shopper_limit), (1_000_000, 2));
        assert_eq!(c.audience.filters.segment, Some(crate::model::analytics::Segment::AtRisk));
        assert!(c.audience.profiles());
        let v =
            CampaignForm { offer_kind: "voucher".into(), voucher_eur: "5".into(), budget: "500,00".into(), ..basket() };
        let c = v.input().unwrap();
        assert_eq!((c.offer, c.budget), (OfferSpec::Voucher { value_cents: 500, min_cents: 3_000 }, 50_000));
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |f: CampaignForm| f.input().unwrap_err().0;
        assert_eq!(field(CampaignForm { offer_kind: "gift".into(), ..basket() }), "offer_kind");
        assert_eq!(field(CampaignForm { min_spend_eur: "trenta".into(), ..basket() }), "min_spend_eur");
        assert_eq!(field(CampaignForm { points: String::new(), ..basket() }), "points");
        assert_eq!(field(CampaignForm { filters: "segment=vip".into(), ..basket() }), "filters");
        assert_eq!(field(CampaignForm { churn_below: "150".into(), ..basket() }), "churn_below");
        assert_eq!(field(CampaignForm { per_shopper_limit: "0".into(), ..basket() }), "per_shopper_limit");
        let m = CampaignForm { offer_kind: "multiplier".into(), target_kind: "shop".into(), ..basket() };
        assert_eq!(field(m), "target_kind");
    }
}
