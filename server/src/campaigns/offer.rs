//! What an activated offer gives on one receipt, and the checks a campaign's offer and budget
//! pass before launch — plain functions, so the till's answer, the import and the report agree.
//!
//! Offers reward sales only: a refund (a negative net, negative lines) earns no offer, and lines
//! of products that earn no points (tobacco, infant formula…; see `points::rules`) never count
//! toward one, as the law on infant formula and the programme's rules require.

/// What an offer is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Product(String),
    Brand(String),
    Department(String),
}

/// The offer of a campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The target's points multiplied by `factor` (2 = double points): the extra points.
    Multiplier { target: Target, factor: i64 },
    /// A fixed bonus when the receipt buys the target.
    Bonus { target: Target, points: i64 },
    /// A fixed bonus for a receipt of at least `min_cents`.
    Basket { min_cents: i64, points: i64 },
    /// A voucher of `value_cents` for a receipt of at least `min_cents`.
    Voucher { value_cents: i64, min_cents: i64 },
}

/// One line as an offer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfferLine<'a> {
    pub product_id: &'a str,
    pub brand: Option<&'a str>,
    pub department_id: Option<&'a str>,
    pub net_cents: i64,
    /// A product that earns no points.
    pub no_points: bool,
}

/// What an offer gives on a receipt: points, or a voucher's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reward {
    pub points: i64,
    pub voucher_cents: i64,
}

impl Reward {
    pub fn is_none(&self) -> bool {
        self.points == 0 && self.voucher_cents == 0
    }
}

impl Target {
    fn matches(&self, line: &OfferLine) -> bool {
        let same = |a: &str, b: Option<&str>| b.is_some_and(|b| a.trim().eq_ignore_ascii_case(b.trim()));
        match self {
            Target::Product(p) => same(p, Some(line.product_id)),
            Target::Brand(b) => same(b, line.brand),
            Target::Department(d) => same(d, line.department_id),
        }
    }
}

/// The reward of `offer` on a receipt of net `receipt_net_cents` with `lines`.
pub fn reward(offer: &Offer, receipt_net_cents: i64, lines: &[OfferLine]) -> Reward {
    if receipt_net_cents <= 0 {
        return Reward::default();
    }
    // The amount that earns points, on the target's sale lines.
    let on_target = |target: &Target| -> i64 {
        lines.iter().filter(|l| !l.no_points && l.net_cents > 0 && target.matches(l)).map(|l| l.net_cents).sum()
    };
    let eligible_net = receipt_net_cents - lines.iter().filter(|l| l.no_points).map(|l| l.net_cents).sum::<i64>();
    match offer {
        Offer::Multiplier { target, factor } => {
            Reward { points: (factor - 1).max(0) * (on_target(target) / 100), voucher_cents: 0 }
        }
        Offer::Bonus { target, points } => {
            Reward { points: if on_target(target) > 0 { *points } else { 0 }, voucher_cents: 0 }
        }
        Offer::Basket { min_cents, points } => {
            Reward { points: if eligible_net >= *min_cents { *points } else { 0 }, voucher_cents: 0 }
        }
        Offer::Voucher { value_cents, min_cents } => {
            Reward { points: 0, voucher_cents: if eligible_net >= *min_cents { *value_cents } else { 0 } }
        }
    }
}

/// The ledger entry of a campaign's reward on a receipt: one per (campaign, receipt), so a
/// receipt seen twice (a till's retry, the same file imported again) is rewarded once.
pub fn entry_id(campaign: &str, receipt: &str) -> String {
    format!("offer:{campaign}:{receipt}")
}

/// Whether a reward may still be granted: the shopper has used fewer than `per_shopper_limit`
/// rewards of the campaign, and the whole reward fits in what is left of the budget (a reward
/// is never cut to fit: once the next one does not fit, the campaign has reached its budget).
pub fn may_grant(reward: i64, budget_left: i64, granted_to_shopper: u32, per_shopper_limit: u32) -> bool {
    reward > 0 && reward <= budget_left && granted_to_shopper < per_shopper_limit
}

/// The smallest reward an offer gives (a multiplier's extra points on one euro): a campaign
/// whose budget has less than this left has reached its budget.
pub fn smallest_reward(offer: &Offer) -> i64 {
    match offer {
        Offer::Multiplier { factor, .. } => (factor - 1).max(1),
        Offer::Bonus { points, .. } | Offer::Basket { points, .. } => *points,
        Offer::Voucher { value_cents, .. } => *value_cents,
    }
}

/// A check that failed, naming the form's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Result<(), FieldError> {
    Err(FieldError { field, message: message.into() })
}

/// Checks an offer and its budget (in points, or in cents for a voucher offer): every amount
/// positive, a multiplier of at least 2, a voucher smaller than the spend it asks, a target
/// named, and a budget that pays at least one reward (the smallest a multiplier gives is its
/// extra points on one euro).
pub fn check(offer: &Offer, budget: i64) -> Result<(), FieldError> {
    let target_named = |t: &Target| match t {
        Target::Product(s) | Target::Brand(s) | Target::Department(s) => !s.trim().is_empty(),
    };
    let one_reward = match offer {
        Offer::Multiplier { target, factor } => {
            if !target_named(target) {
                return refuse("target", "choose the product, brand or department the offer is about");
            }
            if *factor < 2 {
                return refuse("factor", format!("a multiplier must be at least 2, not {factor}"));
            }
            factor - 1
        }
        Offer::Bonus { target, points } => {
            if !target_named(target) {
                return refuse("target", "choose the product, brand or department the offer is about");
            }
            if *points <= 0 {
                return refuse("points", format!("the bonus must be at least 1 point, not {points}"));
            }
            *points
        }
        Offer::Basket { min_cents, points } => {
            if *min_cents <= 0 {
                return refuse("min_spend", "the minimum spend must be more than 0 €");
            }
            if *points <= 0 {
                return refuse("points", format!("the bonus must be at least 1 point, not {points}"));
            }
            *points
        }
        Offer::Voucher { value_cents, min_cents } => {
            if *value_cents <= 0 {
                return refuse("voucher_value", "the voucher must be worth more than 0 €");
            }
            if *min_cents <= *value_cents {
                return refuse("min_spend", "the minimum spend must be more than the voucher's value");
            }
            *value_cents
        }
    };
    if budget < one_reward {
        return refuse("budget", format!("the budget ({budget}) does not pay one reward ({one_reward})"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(product: &'a str, brand: &'a str, department: &'a str, net_cents: i64) -> OfferLine<'a> {
        OfferLine {
            product_id: product,
            brand: (!brand.is_empty()).then_some(brand),
            department_id: (!department.is_empty()).then_some(department),
            net_cents,
            no_points: false,
        }
    }

    fn receipt<'a>() -> Vec<OfferLine<'a>> {
        vec![
            line("8000500310427", "Mulino", "D03", 1_250), // 12,50 € of the brand
            line("8001234567890", "Mulino", "D03", 399),
            line("8009999000011", "", "D07", 2_000),
            OfferLine { no_points: true, ..line("8000000000017", "", "D99", 5_000) }, // formula
        ]
    }

    #[test]
    fn a_multiplier_pays_the_extra_points_of_the_target_lines() {
        // Brand lines 12,50 + 3,99 = 16,49 €: 16 points; triple points: 32 more.
        let triple = Offer::Multiplier { target: Target::Brand("mulino".into()), factor: 3 };
        assert_eq!(reward(&triple, 8_649, &receipt()), Reward { points: 32, voucher_cents: 0 });
        // A product: 12,50 € → 12 points, doubled: 12 more.
        let double = Offer::Multiplier { target: Target::Product("8000500310427".into()), factor: 2 };
        assert_eq!(reward(&double, 8_649, &receipt()).points, 12);
        // A department with only a product that earns nothing: nothing.
        let formula = Offer::Multiplier { target: Target::Department("D99".into()), factor: 5 };
        assert!(reward(&formula, 8_649, &receipt()).is_none());
    }

    #[test]
    fn bonus_and_basket_thresholds_count_only_what_earns_points() {
        let bonus = Offer::Bonus { target: Target::Department("D07".into()), points: 50 };
        assert_eq!(reward(&bonus, 8_649, &receipt()).points, 50);
        assert!(
            reward(&Offer::Bonus { target: Target::Department("D01".into()), points: 50 }, 8_649, &receipt()).is_none()
        );
        // 86,49 € of which 50 € earn nothing: 36,49 € counts toward a basket threshold.
        assert_eq!(reward(&Offer::Basket { min_cents: 3_649, points: 100 }, 8_649, &receipt()).points, 100);
        assert!(reward(&Offer::Basket { min_cents: 3_650, points: 100 }, 8_649, &receipt()).is_none());
        let voucher = Offer::Voucher { value_cents: 500, min_cents: 3_000 };
        assert_eq!(reward(&voucher, 8_649, &receipt()), Reward { points: 0, voucher_cents: 500 });
    }

    #[test]
    fn a_refund_earns_no_offer() {
        let lines = [line("8000500310427", "Mulino", "D03", -1_250)];
        for offer in [
            Offer::Multiplier { target: Target::Brand("Mulino".into()), factor: 2 },
            Offer::Bonus { target: Target::Brand("Mulino".into()), points: 10 },
            Offer::Basket { min_cents: 1, points: 10 },
        ] {
            assert!(reward(&offer, -1_250, &lines).is_none(), "{offer:?}");
        }
        // A sale with a refunded line of the target: the refund line does not count.
        let mixed = [line("8000500310427", "Mulino", "D03", -1_250), line("8009999000011", "", "D07", 3_000)];
        let bonus = Offer::Bonus { target: Target::Brand("Mulino".into()), points: 10 };
        assert!(reward(&bonus, 1_750, &mixed).is_none());
    }

    #[test]
    fn grants_respect_the_budget_whole_and_the_per_shopper_limit() {
        assert!(may_grant(50, 50, 0, 1));
        assert!(!may_grant(50, 49, 0, 1), "a reward is never cut to fit the budget");
        assert!(!may_grant(50, 1_000, 1, 1), "the shopper's limit is reached");
        assert!(may_grant(50, 1_000, 2, 3));
        assert!(!may_grant(0, 1_000, 0, 3), "nothing to grant");
        assert_eq!(entry_id("C7", "S01-20261201-0042"), "offer:C7:S01-20261201-0042");
    }

    #[test]
    fn bad_offers_and_budgets_name_their_field() {
        let field = |offer: Offer, budget: i64| check(&offer, budget).unwrap_err().field;
        assert_eq!(field(Offer::Multiplier { target: Target::Brand(" ".into()), factor: 2 }, 100), "target");
        assert_eq!(field(Offer::Multiplier { target: Target::Brand("Mulino".into()), factor: 1 }, 100), "factor");
        assert_eq!(field(Offer::Bonus { target: Target::Product("1".into()), points: 0 }, 100), "points");
        assert_eq!(field(Offer::Bonus { target: Target::Product("1".into()), points: 200 }, 199), "budget");
        assert_eq!(field(Offer::Basket { min_cents: 0, points: 10 }, 100), "min_spend");
        assert_eq!(field(Offer::Voucher { value_cents: 500, min_cents: 500 }, 10_000), "min_spend");
        assert_eq!(field(Offer::Voucher { value_cents: 0, min_cents: 500 }, 10_000), "voucher_value");
        assert_eq!(field(Offer::Voucher { value_cents: 500, min_cents: 3_000 }, 499), "budget");
        let e = check(&Offer::Basket { min_cents: 3_000, points: 100 }, 99).unwrap_err();
        assert_eq!(e.message, "the budget (99) does not pay one reward (100)");
        assert_eq!(check(&Offer::Voucher { value_cents: 500, min_cents: 3_000 }, 500), Ok(()));
        let triple = Offer::Multiplier { target: Target::Department("D03".into()), factor: 3 };
        assert_eq!(check(&triple, 2), Ok(()));
        assert_eq!(check(&triple, 1).unwrap_err().field, "budget");
    }
}
