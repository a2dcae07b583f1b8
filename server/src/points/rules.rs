//! The earn rule of one receipt, as plain functions: 1 point per whole euro of the amount that
//! earns points, plus the promotion bonus per promotion line. What the programme's rules and
//! Italian law add to the plain rule:
//! - **returns**: a refund (a negative net, or negative lines) takes back the points of the
//!   amount refunded — a receipt of −23,40 € is −23 points — and a refund line never pays a
//!   promotion bonus;
//! - **products that earn nothing**: tobacco, lottery, phone top-ups, gift cards and infant
//!   formula (which may not be promoted) earn neither points nor bonus; the list is
//!   configurable (`IMAGROSS_NO_POINTS`: department codes or names, or product codes).

/// Departments (by name or code) and products (by code) that earn no points: the default list.
pub const DEFAULT_NO_POINTS: &str = "Tabacchi,Lotterie,Ricariche telefoniche,Carte regalo,Latte per l'infanzia";

static CONFIGURED: std::sync::OnceLock<NoPoints> = std::sync::OnceLock::new();

/// Sets the programme's list once at start (later calls are ignored): a rule of the whole
/// programme, read-only afterwards, so it is not threaded through every service.
pub fn configure(list: &str) {
    let _ = CONFIGURED.set(NoPoints::parse(list));
}

/// The programme's list ([`DEFAULT_NO_POINTS`] unless configured).
pub fn no_points() -> &'static NoPoints {
    CONFIGURED.get_or_init(NoPoints::default)
}

/// What earns no points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoPoints {
    /// Lower-cased department codes or names, and product codes.
    entries: Vec<String>,
}

impl Default for NoPoints {
    fn default() -> Self {
        NoPoints::parse(DEFAULT_NO_POINTS)
    }
}

impl NoPoints {
    /// A comma-separated list of department codes or names and product codes.
    pub fn parse(list: &str) -> Self {
        NoPoints { entries: list.split(',').map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect() }
    }

    /// True when a line of `product` in `department` (code and name; empty when unknown)
    /// earns nothing.
    pub fn excludes(&self, product: &str, department_code: &str, department_name: &str) -> bool {
        let hit = |v: &str| !v.is_empty() && self.entries.iter().any(|e| e.eq_ignore_ascii_case(v.trim()));
        hit(product) || hit(department_code) || hit(&department_name.to_lowercase())
    }
}

/// One line as the earn rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointLine {
    pub net_cents: i64,
    pub on_promotion: bool,
    /// A product that earns no points (see [`NoPoints`]).
    pub no_points: bool,
}

/// The points of one receipt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Earned {
    /// Base points plus bonus; negative for a refund.
    pub points: i64,
    /// Promotion lines that paid the bonus.
    pub bonus_lines: i64,
    /// Net amount of the lines that earn nothing, in cents.
    pub excluded_cents: i64,
}

/// The points of a receipt of net `receipt_net_cents` with `lines` (none known: the receipt's
/// net earns): whole euros of the net minus the lines that earn nothing, truncated toward zero
/// (a refund takes back what its amount earned), plus `promo_bonus` per promotion line that is
/// a sale of a product that earns points.
pub fn earned(receipt_net_cents: i64, lines: &[PointLine], promo_bonus: i64) -> Earned {
    let excluded_cents: i64 = lines.iter().filter(|l| l.no_points).map(|l| l.net_cents).sum();
    let eligible = receipt_net_cents - excluded_cents;
    let bonus_lines = lines.iter().filter(|l| l.on_promotion && !l.no_points && l.net_cents > 0).count() as i64;
    Earned { points: eligible / 100 + promo_bonus * bonus_lines, bonus_lines, excluded_cents }
}

/// The reason an `earn:` entry shows.
pub fn reason(e: &Earned) -> Option<String> {
    let mut parts = Vec::new();
    if e.points < 0 {
        parts.push("return".to_string());
    }
    if e.bonus_lines > 0 {
        parts.push(format!("{} promotion lines", e.bonus_lines));
    }
    if e.excluded_cents != 0 {
        parts.push(format!("{} cents earn no points", e.excluded_cents));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(net_cents: i64, on_promotion: bool, no_points: bool) -> PointLine {
        PointLine { net_cents, on_promotion, no_points }
    }

    #[test]
    fn a_sale_earns_whole_euros_and_the_bonus_per_promotion_line() {
        // 23,40 €: 23 points; one promotion line: +2.
        let e = earned(2_340, &[line(299, false, false), line(2_041, true, false)], 2);
        assert_eq!(e, Earned { points: 25, bonus_lines: 1, excluded_cents: 0 });
        assert_eq!(earned(2_340, &[], 2).points, 23, "no lines known: the receipt's net");
    }

    #[test]
    fn a_return_takes_back_the_points_of_the_amount_and_pays_no_bonus() {
        // A refund of 23,40 € of a promotion product: −23 points, no bonus either way.
        let e = earned(-2_340, &[line(-2_340, true, false)], 2);
        assert_eq!(e, Earned { points: -23, bonus_lines: 0, excluded_cents: 0 });
        assert_eq!(reason(&e).as_deref(), Some("return"));
        // A receipt with a sale of 30,00 (on promotion) and a return of 10,00: 20 points + 2.
        let e = earned(2_000, &[line(3_000, true, false), line(-1_000, true, false)], 2);
        assert_eq!(e.points, 22);
        // Under a euro of refund takes nothing back (truncation toward zero, as for sales).
        assert_eq!(earned(-99, &[line(-99, false, false)], 2).points, 0);
    }

    #[test]
    fn excluded_products_earn_neither_points_nor_bonus() {
        // 50,00 € of which 40,00 € of cigarettes and a 5,00 € gift card on "promotion":
        // 5,00 € earns 5 points, and the one real promotion line its bonus.
        let e = earned(5_000, &[line(4_000, false, true), line(500, true, true), line(500, true, false)], 2);
        assert_eq!(e, Earned { points: 5 + 2, bonus_lines: 1, excluded_cents: 4_500 });
        assert_eq!(reason(&e).as_deref(), Some("1 promotion lines; 4500 cents earn no points"));
        // A return of an excluded product takes nothing back.
        assert_eq!(earned(-4_000, &[line(-4_000, false, true)], 2).points, 0);
    }

    #[test]
    fn the_list_matches_department_codes_names_and_products() {
        let rule = NoPoints::parse("R21, Tabacchi ,8001234567890");
        assert!(rule.excludes("123", "R21", "Altro"));
        assert!(rule.excludes("123", "", "TABACCHI"));
        assert!(rule.excludes("8001234567890", "R05", "Latticini"));
        assert!(!rule.excludes("123", "R05", "Latticini"));
        assert!(!rule.excludes("", "", ""), "unknown department and product");
        let defaults = NoPoints::default();
        for name in ["Tabacchi", "Lotterie", "Ricariche telefoniche", "Carte regalo", "Latte per l'infanzia"] {
            assert!(defaults.excludes("1", "", name), "{name}");
        }
    }
}
