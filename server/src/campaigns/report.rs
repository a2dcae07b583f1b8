//! The campaign report: treated against holdout over the campaign's period, from the
//! projection. Intention to treat is the headline — every member assigned to treatment counts,
//! activated or not, against the holdout who never saw the offer, so the difference is caused by
//! the campaign. Activated members alone are compared too, labelled as not causal (shoppers who
//! activate would spend more anyway).

use app::model::campaigns::{CampaignReport, CampaignSummary, Comparison, Interval, Metric, ReportDay, Verdict};

use crate::clock::{day_iso, parse_day};
use crate::projection::dataset::Dataset;

use super::stats::{self, Summary};

/// One member as the report sees it.
#[derive(Clone, Debug)]
pub struct Member {
    pub card: String,
    pub held_out: bool,
    pub activated: bool,
}

/// What the report needs besides the data: the campaign as listed, the members, what was granted
/// and what a point is worth.
pub struct Inputs<'a> {
    pub summary: CampaignSummary,
    pub members: &'a [Member],
    /// Treated members who received at least one reward.
    pub redeemed: u64,
    /// The catalogue's best voucher rate (cents, points), to value points.
    pub rate: Option<(i64, i64)>,
}

/// Per-member figures over `from..=to`: (revenue in euros, receipts, shopped 0/1), and each day's
/// revenue in cents.
fn figures(data: &Dataset, card: &str, from: i32, to: i32, daily: &mut [i64]) -> (f64, f64, f64) {
    let Some(c) = data.cards.number.get(card) else { return (0.0, 0.0, 0.0) };
    let r = &data.receipts;
    let (mut cents, mut count) = (0i64, 0u32);
    for &k in data.receipts_of(c) {
        let day = r.day[k as usize];
        if (from..=to).contains(&day) {
            cents += r.net[k as usize];
            count += 1;
            daily[(day - from) as usize] += r.net[k as usize];
        }
    }
    (cents as f64 / 100.0, f64::from(count), if count > 0 { 1.0 } else { 0.0 })
}

fn compare(metric: Metric, treated: &[f64], holdout: &[f64]) -> Comparison {
    let (t, h) = (Summary::of(treated), Summary::of(holdout));
    Comparison {
        metric,
        treated: t.mean,
        holdout: h.mean,
        difference: stats::welch(&t, &h, stats::LEVEL).map(|d| Interval {
            estimate: d.estimate,
            low: d.low,
            high: d.high,
        }),
    }
}

/// The report of one campaign over `data`, measured to the last day with data.
pub fn build(data: &Dataset, inputs: Inputs<'_>) -> CampaignReport {
    let s = &inputs.summary;
    let starts = parse_day(&s.starts_on).unwrap_or(i32::MAX);
    let ends = parse_day(&s.ends_on).unwrap_or(i32::MIN);
    let to = data.last_day().map_or(ends, |last| last.min(ends));
    let measured = starts <= to;
    let (from, to) = if measured { (starts, to) } else { (0, -1) };
    let days = (to - from + 1).max(0) as usize;
    let (mut treated_daily, mut holdout_daily) = (vec![0i64; days], vec![0i64; days]);
    // (revenue, receipts, shopped) per member of each group.
    let mut treated: [Vec<f64>; 3] = Default::default();
    let mut activated: [Vec<f64>; 3] = Default::default();
    let mut holdout: [Vec<f64>; 3] = Default::default();
    for m in inputs.members {
        let daily = if m.held_out { &mut holdout_daily } else { &mut treated_daily };
        let (revenue, receipts, shopped) =
            if measured { figures(data, &m.card, from, to, daily) } else { (0.0, 0.0, 0.0) };
        let groups: Vec<&mut [Vec<f64>; 3]> = if m.held_out {
            vec![&mut holdout]
        } else if m.activated {
            vec![&mut treated, &mut activated]
        } else {
            vec![&mut treated]
        };
        for g in groups {
            g[0].push(revenue);
            g[1].push(receipts);
            g[2].push(shopped);
        }
    }
    let metrics = [Metric::Revenue, Metric::Receipts, Metric::Shopped];
    let itt: Vec<Comparison> = metrics.iter().enumerate().map(|(i, m)| compare(*m, &treated[i], &holdout[i])).collect();
    let activated_only: Vec<Comparison> =
        metrics.iter().enumerate().map(|(i, m)| compare(*m, &activated[i], &holdout[i])).collect();
    let n_treated = treated[0].len() as f64;
    let incremental_revenue = itt[0].difference.map(|d| Interval {
        estimate: d.estimate * n_treated,
        low: d.low * n_treated,
        high: d.high * n_treated,
    });
    let (points_granted, vouchers_cents) = if s.offer.budget_in_cents() { (0, s.granted) } else { (s.granted, 0) };
    let cost_cents = match (points_granted, inputs.rate) {
        (0, _) => Some(vouchers_cents),
        (p, Some((cents, points))) if points > 0 => Some(vouchers_cents + p * cents / points),
        _ => None,
    };
    let return_on_cost = match (incremental_revenue, cost_cents) {
        (Some(r), Some(c)) if c > 0 => Some(r.estimate * 100.0 / c as f64),
        _ => None,
    };
    let verdict = match itt[0].difference {
        None => Verdict::TooFewMembers,
        Some(d) if d.contains_zero() => Verdict::NoMeasurableEffect,
        Some(d) if d.low > 0.0 => Verdict::Increase,
        Some(_) => Verdict::Decrease,
    };
    let per_member = |cents: i64, n: usize| if n == 0 { 0.0 } else { cents as f64 / 100.0 / n as f64 };
    let daily = (0..days)
        .map(|i| ReportDay {
            day: day_iso(from + i as i32),
            treated: per_member(treated_daily[i], treated[0].len()),
            holdout: per_member(holdout_daily[i], holdout[0].len()),
        })
        .collect();
    CampaignReport {
        measured_from: measured.then(|| day_iso(from)),
        measured_to: measured.then(|| day_iso(to)),
        treated: treated[0].len() as u64,
        holdout: holdout[0].len() as u64,
        activated: activated[0].len() as u64,
        redeemed: inputs.redeemed,
        points_granted,
        vouchers_cents,
        cost_cents,
        itt,
        activated_only,
        incremental_revenue,
        return_on_cost,
        verdict,
        daily,
        mail: Default::default(),
        campaign: inputs.summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::dataset::DatasetBuilder;
    use crate::store::model::{Receipt, SalesLine, Shop};
    use app::model::campaigns::{CampaignStatus, OfferSpec};

    fn summary(granted: i64) -> CampaignSummary {
        CampaignSummary {
            id: "C0001".into(),
            name: "Spesa premiata".into(),
            starts_on: "2026-10-01".into(),
            ends_on: "2026-10-31".into(),
            status: CampaignStatus::Ended,
            offer: OfferSpec::Basket { min_cents: 1_000, points: 100 },
            members: 7,
            held_out: 3,
            activated: 2,
            granted,
            budget: 10_000,
            per_shopper_limit: 1,
            holdout_permille: 300,
            left_out: Vec::new(),
            created_at: "2026-09-30T10:00:00Z".into(),
        }
    }

    /// Receipts (card, day, euros): one before the period, which never counts.
    fn data() -> Dataset {
        let mut b = DatasetBuilder::new();
        b.add_shop(&Shop { id: "S1".into(), name: "Centro".into(), city: None, province: None });
        let receipts = [
            ("T1", "2026-10-02", 20),
            ("T1", "2026-10-05", 10),
            ("T2", "2026-10-02", 10),
            ("T4", "2026-10-03", 20),
            ("H1", "2026-10-05", 10),
            ("H3", "2026-10-03", 5),
            ("H3", "2026-09-30", 99),
        ];
        for (i, (card, day, euros)) in receipts.iter().enumerate() {
            let id = format!("R{i}");
            b.add_receipt(&Receipt {
                id: id.clone(),
                shop_id: "S1".into(),
                issued_at: format!("{day}T10:00:00"),
                till: "1".into(),
                number: id.clone(),
                card_number: Some((*card).into()),
                gross_cents: euros * 100,
                discount_cents: 0,
                net_cents: euros * 100,
            });
            b.add_line(&SalesLine {
                id: SalesLine::key(&id, 1),
                receipt_id: id.clone(),
                line_no: 1,
                product_id: "P".into(),
                department_id: None,
                quantity_milli: 1_000,
                gross_cents: euros * 100,
                discount_cents: 0,
                net_cents: euros * 100,
                promotion_id: None,
            });
        }
        b.finish()
    }

    fn members() -> Vec<Member> {
        let m = |card: &str, held_out: bool, activated: bool| Member { card: card.into(), held_out, activated };
        vec![
            m("T1", false, true),
            m("T2", false, true),
            m("T3", false, false),
            m("T4", false, false),
            m("H1", true, false),
            m("H2", true, false),
            m("H3", true, false),
        ]
    }

    #[test]
    fn treated_against_holdout_by_hand() {
        let r = build(
            &data(),
            Inputs { summary: summary(200), members: &members(), redeemed: 2, rate: Some((500, 1_000)) },
        );
        // Measured from the first day to the last with data (5 October).
        assert_eq!((r.measured_from.as_deref(), r.measured_to.as_deref()), (Some("2026-10-01"), Some("2026-10-05")));
        assert_eq!((r.treated, r.holdout, r.activated, r.redeemed), (4, 3, 2, 2));
        // Revenue per member: treated [30, 10, 0, 20] → 15 €; holdout [10, 0, 5] → 5 € (the
        // receipt of 30 September is before the period).
        let revenue = r.itt[0];
        assert_eq!((revenue.metric, revenue.treated, revenue.holdout), (Metric::Revenue, 15.0, 5.0));
        let d = revenue.difference.unwrap();
        assert!((d.estimate - 10.0).abs() < 1e-9);
        // Variances 500/3 and 25: standard error √(41,67 + 8,33) = √50; Welch's df 4,0755 and
        // SciPy's t.ppf(0,975, 4,0755) = 2,756285: a half-width of 19,48988.
        let half = d.high - d.estimate;
        assert!((half - 19.489877).abs() < 1e-5, "{half}");
        assert_eq!(r.verdict, Verdict::NoMeasurableEffect, "the interval contains zero");
        // Receipts per member: [2, 1, 0, 1] → 1; [1, 0, 1] → ⅔. Shopped: ¾ against ⅔.
        assert_eq!((r.itt[1].treated, r.itt[1].holdout), (1.0, 2.0 / 3.0));
        assert_eq!((r.itt[2].treated, r.itt[2].holdout), (0.75, 2.0 / 3.0));
        // Activated only (T1, T2): [30, 10] → 20 €.
        assert_eq!(r.activated_only[0].treated, 20.0);
        // 10 € × 4 treated = 40 € incremental; 200 points at 5 € per 1,000 = 1 € of cost.
        assert!((r.incremental_revenue.unwrap().estimate - 40.0).abs() < 1e-9);
        assert_eq!((r.points_granted, r.cost_cents), (200, Some(100)));
        assert!((r.return_on_cost.unwrap() - 40.0).abs() < 1e-9);
        // The chart: 2 October, treated (20 + 10) / 4 members, holdout nothing.
        assert_eq!(r.daily.len(), 5);
        assert_eq!((r.daily[1].day.as_str(), r.daily[1].treated, r.daily[1].holdout), ("2026-10-02", 7.5, 0.0));
    }

    #[test]
    fn a_campaign_not_started_measures_nothing_and_points_without_a_rate_have_no_cost() {
        let mut s = summary(200);
        s.starts_on = "2026-11-01".into();
        s.ends_on = "2026-11-30".into();
        let r = build(&data(), Inputs { summary: s, members: &members(), redeemed: 0, rate: None });
        assert_eq!((r.measured_from, r.daily.len()), (None, 0));
        assert_eq!((r.itt[0].treated, r.itt[0].holdout), (0.0, 0.0));
        assert_eq!((r.cost_cents, r.return_on_cost), (None, None));
    }
}
