//! Who a campaign reaches: the audience an admin describes, resolved over the projection, and
//! the consents the law asks for. The cardholders the dashboard's filters select (active in the
//! window, as the customer list shows them) are narrowed by the campaign-only criteria; then
//! each is reachable only with marketing consent, and — when the audience is chosen from
//! purchases — profiling consent too (the Garante's fidelity-card ruling). Those left out are
//! counted by reason, so the admin sees what consent costs.

use std::collections::HashSet;

use app::model::analytics::{BadFilter, CustomerQuery, Filters, RangePreset};
use app::model::campaigns::{AudienceSpec, LeftOutReason};

use crate::analytics::customers;
use crate::analytics::Snapshot;
use crate::clock::day_iso;
use crate::projection::dataset::{consent, NONE};

/// An audience resolved over one snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Cardholders the criteria select.
    pub matching: u64,
    /// Those who may receive the offer (card indexes of the snapshot, by card number).
    pub reachable: Vec<u32>,
    pub left_out: Vec<(LeftOutReason, u64)>,
}

/// Resolves `spec` over `snap`. A filter that cannot be understood names its parameter.
pub fn resolve(snap: &Snapshot, spec: &AudienceSpec) -> Result<Resolved, BadFilter> {
    let data = &snap.data;
    let (sel, rfm) = snap.select(&spec.filters)?;
    let query = CustomerQuery { filters: spec.filters.clone(), ..Default::default() };
    let mut chosen: Vec<u32> = customers::matching(&sel, &rfm, &query).into_iter().map(|s| s.card).collect();
    // Lapse and affinity count back from the window's last day (the data's last day for the
    // usual ranges; a past day for a campaign drawn in the past).
    let last_day = sel.window.to;
    let clv = snap.clv.as_deref();
    if let Some(percent) = spec.churn_below_percent {
        let below = f64::from(percent) / 100.0;
        chosen.retain(|&c| clv.and_then(|m| m.of(c)).is_some_and(|p| p.p_alive < below));
    }
    if let Some(decile) = spec.value_decile_min {
        let threshold = value_threshold(snap, decile);
        chosen.retain(|&c| clv.and_then(|m| m.of(c)).is_some_and(|p| threshold.is_some_and(|t| p.value_12m >= t)));
    }
    if let Some(days) = spec.lapsed_days {
        let since = last_day - days as i32;
        // The last receipt up to the window's end: receipts after it (a campaign drawn in the
        // past) must not decide who had lapsed then.
        let to = sel.window.to;
        chosen.retain(|&c| {
            data.receipts_of(c).iter().map(|&k| data.receipts.day[k as usize]).filter(|d| *d <= to).max() <= Some(since)
        });
    }
    if let Some(code) = spec.enrolment_store.as_deref().filter(|s| !s.trim().is_empty()) {
        let shop = data.shops.get(code.trim()).unwrap_or(NONE);
        chosen.retain(|&c| shop != NONE && data.cards.enrolment_shop[c as usize] == shop);
    }
    if let Some(department) = spec.affinity_department.as_deref().filter(|s| !s.trim().is_empty()) {
        let days = spec.affinity_days.unwrap_or(90).max(1);
        let filters = Filters {
            range: RangePreset::Custom,
            from: Some(day_iso(last_day - days as i32 + 1)),
            to: Some(day_iso(last_day)),
            departments: vec![department.trim().to_string()],
            ..Default::default()
        };
        let (sel, rfm) = snap.select(&filters)?;
        let query = CustomerQuery { filters, ..Default::default() };
        let bought: HashSet<u32> = customers::matching(&sel, &rfm, &query).into_iter().map(|s| s.card).collect();
        chosen.retain(|c| bought.contains(c));
    }
    let profiles = spec.profiles();
    let cards = &data.cards;
    let mut out = Resolved { matching: chosen.len() as u64, ..Default::default() };
    let mut counts = [0u64; 3];
    for c in chosen {
        let i = c as usize;
        let reason = if !cards.registered[i] || cards.anonymised[i] {
            Some(LeftOutReason::NotRegistered)
        } else if cards.consents[i] & consent::MARKETING == 0 {
            Some(LeftOutReason::NoMarketingConsent)
        } else if profiles && cards.consents[i] & consent::PROFILING == 0 {
            Some(LeftOutReason::NoProfilingConsent)
        } else {
            None
        };
        match reason {
            None => out.reachable.push(c),
            Some(r) => counts[r as usize] += 1,
        }
    }
    out.reachable.sort_by(|a, b| cards.number.value(*a).cmp(cards.number.value(*b)));
    out.left_out = [LeftOutReason::NoMarketingConsent, LeftOutReason::NoProfilingConsent, LeftOutReason::NotRegistered]
        .into_iter()
        .map(|r| (r, counts[r as usize]))
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok(out)
}

/// The smallest predicted 12-month value of decile `decile` (1–10) among every cardholder with
/// a prediction: decile d holds positions ⌊(d−1)·n/10⌋… of the values sorted ascending.
fn value_threshold(snap: &Snapshot, decile: u32) -> Option<f64> {
    let model = snap.clv.as_deref()?;
    let mut values: Vec<f64> =
        (0..snap.data.cards.len() as u32).filter_map(|c| model.of(c).map(|p| p.value_12m)).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let d = decile.clamp(1, 10) as usize;
    Some(values[(d - 1) * values.len() / 10])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::dataset::DatasetBuilder;
    use crate::store::model::{CardStatus, Cardholder, Receipt, Shop};

    fn holder(id: &str, marketing: bool, profiling: bool) -> Cardholder {
        Cardholder {
            id: id.into(),
            first_name: "Anna".into(),
            last_name: "Neri".into(),
            email: None,
            phone: None,
            birth_date: None,
            gender: None,
            city: None,
            province: None,
            enrolment_store: Some("S1".into()),
            enrolled_on: None,
            privacy_consent: true,
            marketing_consent: marketing,
            status: CardStatus::Active,
            profiling_consent: profiling,
        }
    }

    fn receipt(n: u32, card: &str, day: &str) -> Receipt {
        Receipt {
            id: format!("R{n}"),
            shop_id: "S1".into(),
            issued_at: format!("{day}T10:00:00"),
            till: "1".into(),
            number: n.to_string(),
            card_number: Some(card.into()),
            gross_cents: 1_000,
            discount_cents: 0,
            net_cents: 1_000,
        }
    }

    /// Three cardholders who shopped on 1 and 25 October (and one on 20 November): drawn on 31
    /// October, "no purchase for 3 days" holds for all three — the November receipt is after the
    /// window and must not count — and the consents leave out, by reason, who cannot be reached.
    #[test]
    fn lapse_counts_receipts_up_to_the_window_end_and_consents_leave_people_out() {
        let mut b = DatasetBuilder::new();
        b.add_shop(&Shop { id: "S1".into(), name: "Centro".into(), city: None, province: None });
        b.add_cardholder(&holder("C1", true, true));
        b.add_cardholder(&holder("C2", true, false));
        b.add_cardholder(&holder("C3", false, false));
        let mut n = 0;
        for card in ["C1", "C2", "C3"] {
            for day in ["2026-10-01", "2026-10-25"] {
                n += 1;
                b.add_receipt(&receipt(n, card, day));
            }
        }
        b.add_receipt(&receipt(99, "C1", "2026-11-20"));
        let snap = Snapshot::new(b.finish());
        let spec = |lapsed: Option<u32>| AudienceSpec {
            filters: Filters {
                range: RangePreset::Custom,
                from: Some("2026-08-02".into()),
                to: Some("2026-10-31".into()),
                ..Default::default()
            },
            lapsed_days: lapsed,
            ..Default::default()
        };
        let r = resolve(&snap, &spec(Some(3))).unwrap();
        assert_eq!(r.matching, 3, "C1's November receipt is after the window");
        assert_eq!(r.reachable.len(), 1);
        assert_eq!(snap.data.cards.number.value(r.reachable[0]), "C1");
        assert_eq!(r.left_out, vec![(LeftOutReason::NoMarketingConsent, 1), (LeftOutReason::NoProfilingConsent, 1)]);
        // Lapsed 7 days: the receipts of 25 October are within a week of the 31st.
        assert_eq!(resolve(&snap, &spec(Some(7))).unwrap().matching, 0);
        // Not chosen from purchases: marketing consent is enough.
        let r = resolve(&snap, &spec(None)).unwrap();
        assert_eq!((r.matching, r.reachable.len()), (3, 2));
        assert_eq!(r.left_out, vec![(LeftOutReason::NoMarketingConsent, 1)]);
    }
}
