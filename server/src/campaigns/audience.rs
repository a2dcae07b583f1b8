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
    let clv = snap.clv.as_ref();
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
        chosen.retain(|&c| data.receipts_of(c).iter().map(|&k| data.receipts.day[k as usize]).max() <= Some(since));
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
    let model = snap.clv.as_ref()?;
    let mut values: Vec<f64> =
        (0..snap.data.cards.len() as u32).filter_map(|c| model.of(c).map(|p| p.value_12m)).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let d = decile.clamp(1, 10) as usize;
    Some(values[(d - 1) * values.len() / 10])
}
