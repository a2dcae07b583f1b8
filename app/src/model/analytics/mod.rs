//! Wire types of the admin analytics. Money is integer cents, shares are basis points (1/100
//! of a percent), quantities are thousandths.

mod customers;
mod dashboard;
mod filters;
pub mod query;
mod segment;

pub use crate::model::receipt::{LineView, ReceiptView};
pub use customers::*;
pub use dashboard::*;
pub use filters::*;
pub use query::{encode_query_value, MAX_FILTER_VALUES};
pub use segment::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rules_first_match_wins() {
        assert_eq!(Segment::of_scores(5, 5, 5), Segment::Champions);
        assert_eq!(Segment::of_scores(4, 4, 4), Segment::Champions);
        assert_eq!(Segment::of_scores(3, 4, 4), Segment::LoyalCustomers);
        assert_eq!(Segment::of_scores(2, 3, 3), Segment::LoyalCustomers);
        assert_eq!(Segment::of_scores(1, 5, 5), Segment::CantLoseThem);
        assert_eq!(Segment::of_scores(5, 1, 1), Segment::NewCustomers);
        assert_eq!(Segment::of_scores(3, 1, 1), Segment::Promising);
        assert_eq!(Segment::of_scores(5, 2, 3), Segment::PotentialLoyalist);
        assert_eq!(Segment::of_scores(2, 2, 2), Segment::NeedAttention);
        assert_eq!(Segment::of_scores(2, 1, 2), Segment::AboutToSleep);
        assert_eq!(Segment::of_scores(1, 3, 2), Segment::AtRisk);
        assert_eq!(Segment::of_scores(1, 1, 1), Segment::Lost);
        assert_eq!(Segment::of_scores(1, 1, 5), Segment::Others);
        assert_eq!(Segment::of_scores(3, 5, 1), Segment::Others);
    }

    #[test]
    fn segment_codes_round_trip() {
        for s in Segment::ALL {
            assert_eq!(Segment::from_code(s.code()), Some(s));
            let english = crate::i18n::Label::label(&s, crate::i18n::Lang::En);
            assert_eq!(Segment::from_code(english), Some(s), "{english}");
        }
        assert_eq!(Segment::from_code("nope"), None);
    }

    #[test]
    fn filters_round_trip_through_the_query() {
        let pairs = [
            ("range", "custom"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("store", "S01"),
            ("store", "S02,S03"),
            ("dept", "ORT"),
            ("promo", "any"),
            ("segment", "champions"),
            ("gender", "f"),
            ("age", "25-34"),
        ];
        let f = Filters::from_pairs(pairs).unwrap();
        assert_eq!(Filters::from_pairs([("age", "65 ")]).unwrap().age_band, Some(AgeBand::A65Plus));
        assert_eq!(f.shops, vec!["S01", "S02", "S03"]);
        assert_eq!(f.gender.as_deref(), Some("F"));
        let back: Vec<(String, String)> = f.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let again = Filters::from_pairs(back.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(again, f);
        assert!(f.to_query().contains("age=25-34"));
    }

    #[test]
    fn bad_filters_name_the_parameter() {
        assert_eq!(Filters::from_pairs([("segment", "vip")]).unwrap_err().param, "segment");
        assert_eq!(Filters::from_pairs([("from", "2026-02-30")]).unwrap_err().param, "from");
        assert_eq!(Filters::from_pairs([("gender", "X")]).unwrap_err().param, "gender");
        assert_eq!(Filters::from_pairs([("range", "5y")]).unwrap_err().param, "range");
        // A preset ignores stray dates; dates alone mean a custom range.
        let f = Filters::from_pairs([("range", "7d"), ("from", "2026-01-01")]).unwrap();
        assert_eq!((f.range, f.from), (RangePreset::Days7, None));
        assert_eq!(Filters::from_pairs([("from", "2026-01-01")]).unwrap().range, RangePreset::Custom);
    }

    #[test]
    fn kpi_change_needs_both_periods() {
        let k = |value, previous| Kpi { key: KpiKey::Revenue, value, previous };
        assert_eq!(k(Some(150), Some(100)).change_bp(), Some(5_000));
        assert_eq!(k(Some(50), Some(100)).change_bp(), Some(-5_000));
        assert_eq!(k(Some(50), None).change_bp(), None);
        assert_eq!(k(Some(50), Some(0)).change_bp(), None);
    }

    #[test]
    fn age_bands() {
        assert_eq!(AgeBand::of_age(17), None);
        assert_eq!(AgeBand::of_age(18), Some(AgeBand::A18_24));
        assert_eq!(AgeBand::of_age(24), Some(AgeBand::A18_24));
        assert_eq!(AgeBand::of_age(65), Some(AgeBand::A65Plus));
        assert_eq!(AgeBand::from_code("65 "), Some(AgeBand::A65Plus));
    }
}
