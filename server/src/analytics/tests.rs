//! Every dashboard figure on a small, hand-computed dataset (the arithmetic is in the comments).
//!
//! Window 2026-01-01..2026-01-20 (20 days; previous period 2025-12-12..2025-12-31).
//! | receipt | day | time | store | card | net | discount | lines |
//! |---|---|---|---|---|---|---|---|
//! | R1 | Mon 05 Jan | 09:15 | S1 | C1 | 10.00 | 0 | A 6.00 (qty 1), B 4.00 (qty 2) |
//! | R2 | Tue 06 Jan | 18:30 | S1 | — | 5.00 | 1.00 | B 5.00 promo P1 (qty 3, disc 1.00) |
//! | R3 | Sat 10 Jan | 10:00 | S2 | C2 | 20.00 | 0 | A 20.00 (qty 4) |
//! | R4 | Sat 10 Jan | 11:00 | S2 | C1 | 3.00 | 0.50 | B 3.00 promo P1 (qty 1, disc 0.50) |
//! | R5 | Tue 20 Jan | 17:00 | S1 | C3 | 7.00 | 0 | A 7.00 (qty 1) |
//! | R6 | Sun 28 Dec 2025 | 12:00 | S1 | C2 | 8.00 | 0 | A 8.00 (qty 1) |

use app::model::analytics::{CustomerQuery, CustomerSort, Filters, KpiKey, RangePreset, Segment};

use super::export::{self, CsvStyle, ExportKind};
use super::Snapshot;
use crate::projection::dataset::DatasetBuilder;
use crate::store::model::*;

fn cardholder(
    id: &str,
    first: &str,
    last: &str,
    email: &str,
    gender: &str,
    birth: Option<&str>,
    enrolled: Option<(&str, &str)>,
) -> Cardholder {
    Cardholder {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: Some(email.into()),
        phone: Some(format!("+39347000{}", &id[id.len() - 4..])),
        birth_date: birth.map(Into::into),
        gender: Some(gender.into()),
        city: None,
        province: None,
        enrolment_store: enrolled.map(|e| e.1.into()),
        enrolled_on: enrolled.map(|e| e.0.into()),
        privacy_consent: true,
        marketing_consent: false,
        status: CardStatus::Active,
        profiling_consent: false,
    }
}

const C1: &str = "2000000000001";
const C2: &str = "2000000000002";
const C3: &str = "2000000000003";

fn receipt(id: &str, at: &str, shop: &str, card: Option<&str>, net: i64, discount: i64) -> Receipt {
    Receipt {
        id: id.into(),
        shop_id: shop.into(),
        issued_at: at.into(),
        till: "1".into(),
        number: id.into(),
        card_number: card.map(Into::into),
        gross_cents: net + discount,
        discount_cents: discount,
        net_cents: net,
    }
}

fn line(receipt: &str, no: i64, product: &str, qty: i64, net: i64, discount: i64, promo: Option<&str>) -> SalesLine {
    SalesLine {
        id: SalesLine::key(receipt, no),
        receipt_id: receipt.into(),
        line_no: no,
        product_id: product.into(),
        department_id: None,
        quantity_milli: qty * 1000,
        gross_cents: net + discount,
        discount_cents: discount,
        net_cents: net,
        promotion_id: promo.map(Into::into),
    }
}

fn fixture() -> std::sync::Arc<Snapshot> {
    Snapshot::new(fixture_data())
}

fn fixture_data() -> crate::projection::dataset::Dataset {
    fixture_builder().finish()
}

fn fixture_builder() -> DatasetBuilder {
    let mut b = DatasetBuilder::new();
    b.add_shop(&Shop { id: "S1".into(), name: "Centro".into(), city: None, province: None });
    b.add_shop(&Shop { id: "S2".into(), name: "Mare".into(), city: None, province: None });
    b.add_department(&Department { id: "ORT".into(), name: "Ortofrutta".into() });
    b.add_department(&Department { id: "LAT".into(), name: "Latticini".into() });
    b.add_promotion(&Promotion {
        id: "P1".into(),
        description: "3x2 yogurt".into(),
        kind: None,
        starts_on: None,
        ends_on: None,
    });
    b.add_product(&Product {
        id: "A".into(),
        description: "Mele".into(),
        department_id: Some("ORT".into()),
        brand: None,
    });
    b.add_product(&Product {
        id: "B".into(),
        description: "Yogurt".into(),
        department_id: Some("LAT".into()),
        brand: None,
    });
    b.add_cardholder(&cardholder(
        C1,
        "Maria",
        "Rossi",
        "maria@example.it",
        "F",
        Some("1990-05-01"),
        Some(("2026-01-05", "S1")),
    ));
    b.add_cardholder(&cardholder(
        C2,
        "Luca",
        "Bianchi",
        "luca@example.it",
        "M",
        Some("1960-01-01"),
        Some(("2025-06-01", "S2")),
    ));
    b.add_cardholder(&cardholder(C3, "Anna", "Verdi", "@evil", "F", None, None));
    // Receipts deliberately out of order: the builder sorts them.
    for r in [
        receipt("R5", "2026-01-20T17:00:00", "S1", Some(C3), 700, 0),
        receipt("R1", "2026-01-05T09:15:00", "S1", Some(C1), 1000, 0),
        receipt("R3", "2026-01-10T10:00:00", "S2", Some(C2), 2000, 0),
        receipt("R2", "2026-01-06T18:30:00", "S1", None, 500, 100),
        receipt("R4", "2026-01-10T11:00:00", "S2", Some(C1), 300, 50),
        receipt("R6", "2025-12-28T12:00:00", "S1", Some(C2), 800, 0),
    ] {
        b.add_receipt(&r);
    }
    for l in [
        line("R1", 2, "B", 2, 400, 0, None),
        line("R1", 1, "A", 1, 600, 0, None),
        line("R2", 1, "B", 3, 500, 100, Some("P1")),
        line("R3", 1, "A", 4, 2000, 0, None),
        line("R4", 1, "B", 1, 300, 50, Some("P1")),
        line("R5", 1, "A", 1, 700, 0, None),
        line("R6", 1, "A", 1, 800, 0, None),
        line("R404", 1, "A", 1, 100, 0, None),
    ] {
        b.add_line(&l);
    }
    b
}

fn window(extra: &[(&str, &str)]) -> Filters {
    let mut pairs = vec![("from", "2026-01-01"), ("to", "2026-01-20")];
    pairs.extend_from_slice(extra);
    Filters::from_pairs(pairs).unwrap()
}

fn kpi(d: &app::model::analytics::Dashboard, key: KpiKey) -> (Option<i64>, Option<i64>) {
    let k = d.kpis.iter().find(|k| k.key == key).unwrap();
    (k.value, k.previous)
}

#[test]
fn builder_sorts_and_counts_orphans() {
    let s = fixture();
    let ids: Vec<&str> = s.data.receipts.id.iter().map(|i| &**i).collect();
    assert_eq!(ids, ["R6", "R1", "R2", "R3", "R4", "R5"]);
    assert_eq!(s.data.lines.len(), 7);
    assert_eq!(s.data.skipped_lines, 1, "the line of unknown receipt R404");
    // R1's lines in line order: A (600) then B (400).
    let r1 = s.data.receipts.lines(1);
    assert_eq!(s.data.lines.net[r1], [600, 400]);
}

#[test]
fn kpis_and_previous_period() {
    let d = fixture().dashboard(&window(&[])).unwrap();
    assert_eq!((d.from.as_str(), d.to.as_str()), ("2026-01-01", "2026-01-20"));
    assert_eq!((d.previous_from.as_str(), d.previous_to.as_str()), ("2025-12-12", "2025-12-31"));
    assert_eq!(kpi(&d, KpiKey::Revenue), (Some(4500), Some(800)));
    assert_eq!(kpi(&d, KpiKey::Receipts), (Some(5), Some(1)));
    assert_eq!(kpi(&d, KpiKey::AverageTicket), (Some(900), Some(800)));
    assert_eq!(kpi(&d, KpiKey::ItemsPerReceipt), (Some(1200), Some(1000)), "6 lines / 5 receipts");
    assert_eq!(kpi(&d, KpiKey::ActiveCardholders), (Some(3), Some(1)));
    assert_eq!(kpi(&d, KpiKey::LoyaltyShare), (Some(8888), Some(10_000)), "40.00 of 45.00");
    assert_eq!(kpi(&d, KpiKey::NewCardholders), (Some(2), Some(0)), "C1 enrolled 5 Jan; C3 first bought 20 Jan");
    assert_eq!(kpi(&d, KpiKey::PromotionShare), (Some(1777), Some(0)), "8.00 of 45.00");
    assert_eq!(kpi(&d, KpiKey::Discounts), (Some(150), Some(0)));
    let revenue = d.kpis.iter().find(|k| k.key == KpiKey::Revenue).unwrap();
    assert_eq!(revenue.change_bp(), Some(46_250), "45.00 vs 8.00 = +462.5 %");
}

#[test]
fn series_departments_products_promotions() {
    let d = fixture().dashboard(&window(&[])).unwrap();
    assert_eq!(d.granularity, "day");
    assert_eq!(d.series.len(), 20);
    let day = |iso: &str| d.series.iter().find(|p| p.start == iso).map(|p| (p.revenue_cents, p.receipts)).unwrap();
    assert_eq!(day("2026-01-05"), (1000, 1));
    assert_eq!(day("2026-01-06"), (500, 1));
    assert_eq!(day("2026-01-10"), (2300, 2));
    assert_eq!(day("2026-01-20"), (700, 1));
    assert_eq!(day("2026-01-01"), (0, 0));
    assert_eq!(d.series.iter().map(|p| p.revenue_cents).sum::<i64>(), 4500);

    let depts: Vec<(&str, i64, u32, i64, i64)> = d
        .departments
        .iter()
        .map(|g| (g.id.as_str(), g.revenue_cents, g.receipts, g.quantity_milli, g.share_bp))
        .collect();
    assert_eq!(depts, [("ORT", 3300, 3, 6000, 7333), ("LAT", 1200, 3, 6000, 2666)]);
    let top: Vec<&str> = d.top_by_revenue.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(top, ["A", "B"]);
    let by_qty: Vec<(&str, i64)> = d.top_by_quantity.iter().map(|g| (g.id.as_str(), g.quantity_milli)).collect();
    assert_eq!(by_qty, [("A", 6000), ("B", 6000)], "a tie goes to the lower code");

    assert_eq!(d.promotions.len(), 1);
    let p = &d.promotions[0];
    assert_eq!((p.id.as_str(), p.revenue_cents, p.receipts, p.discount_cents), ("P1", 800, 2, 150));
    // Promo: 8.00 over 2 days = 4.00/day; baseline: B without promotion 4.00 over the 18 other
    // days = 0.2222/day; uplift = 4.00 / 0.2222 - 1 = 17.00 = +1700 %.
    assert_eq!(p.uplift_bp, Some(170_000));
}

#[test]
fn stores_heatmap_basket() {
    let d = fixture().dashboard(&window(&[])).unwrap();
    let stores: Vec<(&str, i64, u32, i64, u32)> = d
        .shops
        .iter()
        .map(|s| (s.id.as_str(), s.revenue_cents, s.receipts, s.average_ticket_cents, s.cardholders))
        .collect();
    assert_eq!(stores, [("S2", 2300, 2, 1150, 2), ("S1", 2200, 3, 733, 2)]);
    let cells: Vec<(u8, u8, u32)> = d.heatmap.iter().map(|c| (c.weekday, c.hour, c.receipts)).collect();
    assert_eq!(cells, [(0, 9, 1), (1, 17, 1), (1, 18, 1), (5, 10, 1), (5, 11, 1)]);
    let basket: Vec<(bool, u32, i64, i64, i64)> = d
        .basket
        .iter()
        .map(|b| (b.loyalty, b.receipts, b.revenue_cents, b.average_ticket_cents, b.items_per_receipt_milli))
        .collect();
    assert_eq!(basket, [(true, 4, 4000, 1000, 1250), (false, 1, 500, 500, 1000)]);
}

#[test]
fn rfm_segments_grid_and_cohorts() {
    let s = fixture();
    let d = s.dashboard(&window(&[])).unwrap();
    // Analysis date 20 Jan. C1: last 10 Jan, F 2, M 13.00; C2: last 10 Jan, F 1, M 20.00;
    // C3: last 20 Jan, F 1, M 7.00. n = 3, positions score 1, 2, 4.
    // R by date (tie C1 < C2): C1 1, C2 2, C3 4. F (tie C2 < C3): C2 1, C3 2, C1 4.
    // M: C3 1, C1 2, C2 4. => C1 (1,4,2) At Risk; C2 (2,1,4) Others; C3 (4,2,1) Potential Loyalist.
    let segs: Vec<(Segment, u32, u32, i64, i64, i64)> = d
        .segments
        .iter()
        .map(|r| (r.segment, r.customers, r.receipts, r.revenue_cents, r.customer_share_bp, r.revenue_share_bp))
        .collect();
    assert_eq!(
        segs,
        [
            (Segment::PotentialLoyalist, 1, 1, 700, 3333, 1750),
            (Segment::AtRisk, 1, 2, 1300, 3333, 3250),
            (Segment::Others, 1, 1, 2000, 3333, 5000),
        ]
    );
    let mut grid = vec![vec![0u32; 5]; 5];
    grid[0][3] = 1;
    grid[1][0] = 1;
    grid[3][1] = 1;
    assert_eq!(d.rf_grid, grid);
    // The data spans December and January: two months, fewer than the three cohorts need.
    assert!(d.cohorts.is_empty());
}

#[test]
fn cohorts_cover_the_last_twelve_months_whatever_the_window() {
    // The fixture plus: C1 back in February (R7), C3 in February and March (R8, R9), and C4's
    // first receipt in March (R10). Cohorts by first receipt: Dec C2; Jan C1, C3; Mar C4.
    // With a 7-day window in March, the cohorts still run from December (first month with
    // data) to March; months since each cohort's first:
    // Dec (C2): Dec C2 (R6) = 1, Jan C2 (R3) = 1, Feb 0, Mar 0;
    // Jan (C1, C3): Jan 2, Feb C1 + C3 (R7, R8) = 2, Mar C3 (R9) = 1;
    // Mar (C4): Mar 1.
    let mut b = fixture_builder();
    b.add_cardholder(&cardholder("2000000000004", "Pia", "Gialli", "pia@example.it", "F", None, None));
    for (id, at, card) in [
        ("R7", "2026-02-03T10:00:00", C1),
        ("R8", "2026-02-14T10:00:00", C3),
        ("R9", "2026-03-02T10:00:00", C3),
        ("R10", "2026-03-04T10:00:00", "2000000000004"),
    ] {
        b.add_receipt(&receipt(id, at, "S1", Some(card), 500, 0));
        b.add_line(&line(id, 1, "A", 1, 500, 0, None));
    }
    let s = Snapshot::new(b.finish());
    let march = Filters::from_pairs([("range", "custom"), ("from", "2026-03-01"), ("to", "2026-03-07")]).unwrap();
    let d = s.dashboard(&march).unwrap();
    let cohorts: Vec<(&str, u32, Vec<u32>)> =
        d.cohorts.iter().map(|c| (c.month.as_str(), c.customers, c.active.clone())).collect();
    assert_eq!(cohorts, [("2025-12", 1, vec![1, 1, 0, 0]), ("2026-01", 2, vec![2, 2, 1]), ("2026-03", 1, vec![1])]);
    // A shop filter applies to the months since, as to the window: S2 held only R3 and R4.
    let s2 = Filters::from_pairs([("range", "custom"), ("from", "2026-03-01"), ("to", "2026-03-07"), ("store", "S2")])
        .unwrap();
    let d = s.dashboard(&s2).unwrap();
    let cohorts: Vec<(&str, Vec<u32>)> = d.cohorts.iter().map(|c| (c.month.as_str(), c.active.clone())).collect();
    assert_eq!(cohorts, [("2025-12", vec![0, 1, 0, 0]), ("2026-01", vec![1, 0, 0]), ("2026-03", vec![0])]);
}

#[test]
fn filters_combine() {
    let s = fixture();
    let rev = |extra: &[(&str, &str)]| {
        let d = s.dashboard(&window(extra)).unwrap();
        (kpi(&d, KpiKey::Revenue).0, kpi(&d, KpiKey::Receipts).0)
    };
    assert_eq!(rev(&[("store", "S1")]), (Some(2200), Some(3)));
    assert_eq!(rev(&[("gender", "F")]), (Some(2000), Some(3)));
    assert_eq!(rev(&[("dept", "LAT")]), (Some(1200), Some(3)));
    assert_eq!(rev(&[("promo", "P1")]), (Some(800), Some(2)));
    assert_eq!(rev(&[("promo", "any")]), (Some(800), Some(2)));
    assert_eq!(rev(&[("store", "S1"), ("dept", "LAT")]), (Some(900), Some(2)));
    assert_eq!(rev(&[("segment", "at_risk")]), (Some(1300), Some(2)));
    assert_eq!(rev(&[("age", "35-44")]), (Some(1300), Some(2)), "C1 is 35 on 20 Jan 2026");
    assert_eq!(rev(&[("age", "65+")]), (Some(2000), Some(1)));
    assert_eq!(rev(&[("age", "18-24")]), (None, None));
    assert_eq!(rev(&[("gender", "M"), ("segment", "at_risk")]), (None, None));
    assert_eq!(rev(&[("store", "S9")]), (None, None), "an unknown store matches nothing");
    assert_eq!(rev(&[("promo", "NOPE")]), (None, None));

    let d = s.dashboard(&window(&[("dept", "LAT")])).unwrap();
    assert_eq!(kpi(&d, KpiKey::ItemsPerReceipt).0, Some(1000));
    assert_eq!(kpi(&d, KpiKey::Discounts).0, Some(150));
    assert_eq!(d.departments.len(), 1);
    let d = s.dashboard(&window(&[("store", "S1")])).unwrap();
    assert_eq!(kpi(&d, KpiKey::NewCardholders).0, Some(2), "C1 enrolled at S1, C3 first bought at S1");
    let d = s.dashboard(&window(&[("store", "S2")])).unwrap();
    assert_eq!(kpi(&d, KpiKey::NewCardholders).0, Some(0));
}

#[test]
fn an_empty_window_has_no_figures() {
    let s = fixture();
    let f = Filters::from_pairs([("from", "2024-01-01"), ("to", "2024-01-31")]).unwrap();
    let d = s.dashboard(&f).unwrap();
    for k in &d.kpis {
        if k.key != KpiKey::NewCardholders {
            assert_eq!(k.value, None, "{:?}", k.key);
        }
    }
    assert!(d.series.is_empty() && d.departments.is_empty() && d.promotions.is_empty() && d.shops.is_empty());
    assert!(
        d.heatmap.is_empty()
            && d.basket.is_empty()
            && d.segments.is_empty()
            && d.rf_grid.is_empty()
            && d.cohorts.is_empty()
    );
}

#[test]
fn presets_end_on_the_last_day_with_data() {
    let s = fixture();
    let d = s.dashboard(&Filters { range: RangePreset::Days7, ..Default::default() }).unwrap();
    assert_eq!((d.from.as_str(), d.to.as_str()), ("2026-01-14", "2026-01-20"));
    assert_eq!(kpi(&d, KpiKey::Revenue).0, Some(700));
    let d = s.dashboard(&Filters { range: RangePreset::All, ..Default::default() }).unwrap();
    assert_eq!((d.from.as_str(), d.to.as_str()), ("2025-12-28", "2026-01-20"));
    assert_eq!(kpi(&d, KpiKey::Revenue).0, Some(5300));
    let d = s.dashboard(&Filters { range: RangePreset::YearToDate, ..Default::default() }).unwrap();
    assert_eq!(d.from, "2026-01-01");
    let bad = Filters::from_pairs([("from", "2026-02-01"), ("to", "2026-01-01")]).unwrap();
    assert_eq!(s.dashboard(&bad).unwrap_err().param, "from");
}

#[test]
fn customer_list_sorts_searches_and_pages() {
    let s = fixture();
    let q = |pairs: &[(&str, &str)]| {
        let mut all = vec![("from", "2026-01-01"), ("to", "2026-01-20")];
        all.extend_from_slice(pairs);
        let mut q = CustomerQuery::from_pairs(all.iter().copied()).unwrap();
        q.per_page = 2;
        super::service::customer_page(&s, q).unwrap()
    };
    let page = q(&[]);
    assert_eq!(page.total, 3);
    let cards: Vec<&str> = page.rows.iter().map(|r| r.card_number.as_str()).collect();
    assert_eq!(cards, [C2, C1], "monetary descending, two per page");
    let p2 = q(&[("page", "2")]);
    assert_eq!(p2.rows.iter().map(|r| r.card_number.as_str()).collect::<Vec<_>>(), [C3]);
    let row = &page.rows[1];
    assert_eq!(
        (row.recency_days, row.frequency, row.monetary_cents, row.r, row.f, row.m, row.segment),
        (10, 2, 1300, 1, 4, 2, Segment::AtRisk)
    );
    assert_eq!(q(&[("q", "ROSSI")]).rows[0].card_number, C1);
    assert_eq!(q(&[("q", "0000003")]).rows[0].card_number, C3);
    assert_eq!(q(&[("q", "347 0000002")]).rows[0].card_number, C2, "by phone");
    assert_eq!(q(&[("q", "luca@")]).total, 1);
    assert_eq!(q(&[("segment", "potential_loyalist")]).rows[0].card_number, C3);
    assert_eq!(q(&[("store", "S2")]).total, 2, "C1 and C2 shopped at S2");
    let by_name = q(&[("sort", "name"), ("dir", "asc")]);
    assert_eq!(by_name.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Anna Verdi", "Luca Bianchi"]);
    let _ = CustomerSort::ALL;
}

#[test]
fn customer_360() {
    let s = fixture();
    let v = super::service::customer_360(&s, C1).unwrap();
    assert_eq!(v.name, "Maria Rossi");
    assert_eq!(v.receipts_total, 2);
    assert_eq!(v.receipts[0].id, "R4", "newest first");
    assert_eq!(v.receipts[1].lines.len(), 2);
    let rfm = v.rfm.unwrap();
    // Over all data (28 Dec..20 Jan): C1 F2 M13.00, C2 F2 M28.00, C3 F1 M7.00.
    assert_eq!((rfm.frequency, rfm.monetary_cents), (2, 1300));
    assert_eq!(v.monthly.len(), 12);
    assert_eq!(v.monthly.last().map(|m| (m.start.as_str(), m.revenue_cents)), Some(("2026-01", 1300)));
    let depts: Vec<(&str, i64)> = v.departments.iter().map(|d| (d.id.as_str(), d.revenue_cents)).collect();
    assert_eq!(depts, [("LAT", 700), ("ORT", 600)]);
    let first = v.badges.iter().find(|b| b.kind == app::model::personal::BadgeKind::FirstTrip).unwrap();
    assert_eq!(first.awarded_on.as_deref(), Some("2026-01-05"));
    assert!(matches!(super::service::customer_360(&s, "999"), Err(app::error::AppError::NotFound)));
}

#[test]
fn csv_exports_match_the_tables() {
    let s = fixture();
    let query = CustomerQuery { filters: window(&[]), ..CustomerQuery::from_pairs([]).unwrap() };
    let csv = |kind, style| {
        let mut out = Vec::new();
        export::write_csv(&s, &Default::default(), kind, &query, style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let text = csv(ExportKind::Customers, CsvStyle::default());
    assert!(text.starts_with('\u{feff}'), "BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "card_number;name;email;phone;last_receipt;recency_days;frequency;monetary_eur;r_score;f_score;m_score;segment;p_alive;expected_receipts_90d;predicted_value_12m");
    assert!(
        lines[1].starts_with(
            "2000000000002;Luca Bianchi;luca@example.it;'+393470000002;2026-01-10;10;1;20,00;2;1;4;Others;"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].starts_with(
            "2000000000003;Anna Verdi;'@evil;'+393470000003;2026-01-20;0;1;7,00;4;2;1;Potential Loyalist;"
        ),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);
    let en = csv(ExportKind::Shops, CsvStyle::from_code(Some(",")).unwrap());
    let lines: Vec<&str> = en.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[1], "S2,Mare,23.00,2,11.50,2");
    let sales = csv(ExportKind::Sales, CsvStyle::default());
    assert_eq!(sales.lines().count(), 1 + 6, "six lines in the window");
    let receipts = csv(ExportKind::Receipts, CsvStyle::default());
    assert!(receipts.contains("R2;2026-01-06;18:30;S1;;6,00;1,00;5,00;1"));
}

#[test]
fn xlsx_export_round_trips() {
    use calamine::{Reader, Xlsx};
    let s = fixture();
    let query = CustomerQuery { filters: window(&[]), ..CustomerQuery::from_pairs([]).unwrap() };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.xlsx");
    assert_eq!(export::write_xlsx(&s, &Default::default(), ExportKind::Customers, &query, &path).unwrap(), 3);
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let range = book.worksheet_range("customers").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "card_number");
    assert_eq!(rows[1][0], C2);
    assert_eq!(rows[1][7], "20");
    assert_eq!(rows[3][2], "'@evil");
}

#[test]
fn forecast_widgets_follow_the_selection() {
    use super::clv::bgnbd::{BgNbd, BgNbdFit};
    use super::clv::{ClvModel, Prediction};
    let data = fixture_data();
    let card = |n: &str| data.cards.number.get(n).unwrap() as usize;
    let mut predictions = vec![None; data.cards.len()];
    let p = |p_alive: f64, expected_90d: f64, value_12m: f64| {
        Some(Prediction { p_alive, expected_90d, value_12m, ..Default::default() })
    };
    predictions[card(C1)] = p(0.30, 1.5, 50.0);
    predictions[card(C2)] = p(0.40, 0.5, 120.0);
    predictions[card(C3)] = p(0.20, 2.0, 10.0);
    let params = BgNbd { r: 0.25, alpha: 4.0, a: 0.8, b: 2.4 };
    let model = ClvModel {
        as_of: data.last_day().unwrap(),
        monthly_discount: 0.01,
        bgnbd: BgNbdFit { params, n: 3, log_likelihood: -10.0 },
        gamma_gamma: None,
        predictions,
        fit_ms: 0.0,
        predict_ms: 0.0,
    };
    let s = Snapshot::with_clv(data, Some(model));
    let d = s.dashboard(&window(&[])).unwrap();
    // Spend in the window: C2 20.00, C1 13.00, C3 7.00; the top 20 % of 3 cardholders is C2,
    // whose probability of being alive (0.40) is under 0.5.
    let churn: Vec<(&str, i64, i64, i64)> = d
        .churn_risk
        .iter()
        .map(|c| (c.card_number.as_str(), c.monetary_cents, c.p_alive_bp, c.value_12m_cents))
        .collect();
    assert_eq!(churn, [(C2, 2000, 4000, 12_000)]);
    let buckets: Vec<(i64, u32)> = d.value_distribution.iter().map(|b| (b.from_eur, b.customers)).collect();
    assert_eq!(buckets, [(0, 1), (25, 0), (50, 1), (100, 1), (250, 0), (500, 0), (1000, 0), (2500, 0)]);
    let forecast: Vec<(Segment, u32, i64)> =
        d.segment_forecast.iter().map(|f| (f.segment, f.customers, f.expected_receipts_90d_milli)).collect();
    assert_eq!(
        forecast,
        [(Segment::PotentialLoyalist, 1, 2000), (Segment::AtRisk, 1, 1500), (Segment::Others, 1, 500)]
    );
    assert_eq!(d.clv.as_ref().map(|c| (c.bgnbd_n, c.r)), Some((3, 0.25)));
    // A filter narrows them: women only (C1, C3); the top 20 % is C1 (0.30 < 0.5).
    let d = s.dashboard(&window(&[("gender", "F")])).unwrap();
    assert_eq!(d.churn_risk.iter().map(|c| c.card_number.as_str()).collect::<Vec<_>>(), [C1]);
    assert_eq!(d.value_distribution.iter().map(|b| b.customers).sum::<u32>(), 2);
    // The customer export carries the predictions.
    let query = CustomerQuery { filters: window(&[]), ..CustomerQuery::from_pairs([]).unwrap() };
    let mut out = Vec::new();
    export::write_csv(&s, &Default::default(), ExportKind::Customers, &query, CsvStyle::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(";Others;0,4000;0,500;120,00\r\n"), "{text}");
    // Without a model the widgets are empty, not zero.
    let d = Snapshot::with_clv(fixture_data(), None).dashboard(&window(&[])).unwrap();
    assert!(
        d.churn_risk.is_empty() && d.value_distribution.is_empty() && d.segment_forecast.is_empty() && d.clv.is_none()
    );
}

/// Sixty days of receipts from a fixed pseudo-random sequence: four products in two
/// departments, two promotions on some days, lines of one promotion not always together.
fn sixty_days() -> crate::projection::dataset::Dataset {
    let mut b = DatasetBuilder::new();
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for (i, day) in (1..=60).enumerate() {
        let date = crate::clock::day_iso(crate::clock::parse_day("2026-01-01").unwrap() + day - 1);
        for k in 0..(3 + next(4)) {
            let id = format!("R{i:02}{k}");
            b.add_receipt(&receipt(&id, &format!("{date}T1{k}:00:00"), "S1", Some(C1), 0, 0));
            for n in 1..=(1 + next(4)) as i64 {
                let product = ["A", "B", "C", "D"][next(4) as usize];
                let promo = match (day % 7, next(3)) {
                    (0 | 1, 0) => Some("P1"),
                    (3, 0) => Some("P2"),
                    _ => None,
                };
                let mut l = line(&id, n, product, 1, n * 100 + i64::from(day), 5, promo);
                l.department_id = (product != "D").then(|| if product == "A" { "ORT" } else { "LAT" }.to_string());
                b.add_line(&l);
            }
        }
    }
    b.finish()
}

#[test]
fn promotions_from_daily_sums_equal_a_scan_of_the_lines() {
    let data = sixty_days();
    let windows = [
        ("2026-01-01", "2026-03-01"),
        ("2026-01-05", "2026-01-20"),
        ("2026-02-02", "2026-02-02"),
        ("2026-01-09", "2026-01-12"),
    ];
    for (from, to) in windows {
        let filters = Filters::from_pairs([("range", "custom"), ("from", from), ("to", to)]).unwrap();
        let snap = Snapshot::with_clv(sixty_days(), None);
        let (sel, _) = snap.select(&filters).unwrap();
        let scan = super::widgets::promo_figures_scan(&sel);
        assert!(scan.is_some() || to == "2026-02-02", "{from}..{to} has promotions");
        assert_eq!(super::widgets::promo_figures_daily(&sel), scan, "{from}..{to}");
        assert_eq!(super::widgets::departments_from(&sel, true), super::widgets::departments_from(&sel, false));
        assert_eq!(super::widgets::products_from(&sel, true), super::widgets::products_from(&sel, false));
        assert!(!super::widgets::products_from(&sel, true).is_empty(), "{from}..{to}");
    }
    assert!(data.daily.products.iter().all(|p| !p.is_empty()) && !data.daily.sold.is_empty());
}
