//! Two past campaigns for the demo data set, so the report shows both verdicts on the run
//! command's data: one with a planted effect — about 60 % of its treated members shop once more
//! for 40 € during the campaign (a known +24 € per treated member, none for the holdout) — and
//! one with none. The extra receipts are an ordinary import batch (a Scontrini file written
//! next to the demo files); members, activations and the rewards earned are written as a launch
//! and the tills would.

use std::path::Path;
use std::sync::Arc;

use app::model::analytics::{Filters, RangePreset};
use app::model::campaigns::{AudienceSpec, OfferSpec, TargetKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::analytics::Snapshot;
use crate::clock::day_iso;
use crate::store::model::{Campaign, CampaignMember};
use crate::store::{Entity, Store, StoreExt, Table};

use super::grant;
use super::{audience, holdout, service};

/// The planted effect: the chance a treated member of the first campaign shops once more, and
/// that receipt's amount.
pub const EXTRA_SHARE: f64 = 0.6;
pub const EXTRA_CENTS: i64 = 4_000;
/// Holdout share of the demo campaigns (per mille).
const HOLDOUT: u32 = 200;

/// What was written.
#[derive(Debug, Default)]
pub struct DemoCampaigns {
    pub campaigns: Vec<(String, i64, i64)>,
    pub activated: u64,
    pub extra_receipts: u64,
    pub rewards: u64,
}

struct Plan {
    name: &'static str,
    from: i32,
    to: i32,
    audience: AudienceSpec,
    offer: OfferSpec,
    budget: i64,
    limit: i64,
    planted: bool,
}

/// Writes the demo campaigns into `store` (whose projection is `snap`), the extra receipts'
/// file into `dir`. Refused when the store has campaigns already.
pub async fn seed(store: &Arc<dyn Store>, snap: &Snapshot, dir: &Path, seed: u64) -> anyhow::Result<DemoCampaigns> {
    if store.count(Table::Campaigns).await? > 0 {
        anyhow::bail!("the store has campaigns already");
    }
    let data = &snap.data;
    let last = data.last_day().ok_or_else(|| anyhow::anyhow!("the store has no receipts"))?;
    let window = |start: i32| Filters {
        range: RangePreset::Custom,
        from: Some(day_iso(start - 90)),
        to: Some(day_iso(start - 1)),
        ..Default::default()
    };
    let produce = (0..data.departments.len() as u32)
        .find(|&d| data.department_names[d as usize].to_lowercase().contains("ortofrutta"))
        .map_or_else(|| "01".to_string(), |d| data.departments.value(d).to_string());
    let plans = [
        Plan {
            name: "Ti aspettiamo: 200 punti con 40 €",
            from: last - 41,
            to: last - 14,
            // Shoppers of the last 90 days who have not been back for 30.
            audience: AudienceSpec { filters: window(last - 41), lapsed_days: Some(30), ..Default::default() },
            offer: OfferSpec::Basket { min_cents: EXTRA_CENTS, points: 200 },
            budget: 1_000_000,
            limit: 2,
            planted: true,
        },
        Plan {
            name: "Doppi punti sulla frutta",
            from: last - 27,
            to: last,
            audience: AudienceSpec { filters: window(last - 27), ..Default::default() },
            offer: OfferSpec::Multiplier { target_kind: TargetKind::Department, target: produce, factor: 2 },
            budget: 2_000_000,
            limit: 8,
            planted: false,
        },
    ];
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = DemoCampaigns::default();
    let mut extra = String::from("IdScontrino;PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale\n");
    let shop = data.shops.value(0).to_string();
    for plan in plans {
        let resolved = audience::resolve(snap, &plan.audience).map_err(|b| anyhow::anyhow!("{b}"))?;
        let id = format!("C{:04}", store.next_sequence("campaign").await?);
        let start_at = format!("{}T09:00:00Z", day_iso(plan.from));
        let mut members = Vec::new();
        let mut held_out = 0;
        for &c in &resolved.reachable {
            let card = data.cards.number.value(c).to_string();
            let out_of = holdout::is_held_out(&id, &card, HOLDOUT);
            held_out += i64::from(out_of);
            // Activated in the campaign's first five days, at some hour of the day.
            let activated = (!out_of && rng.random_bool(0.45)).then(|| {
                let day = day_iso(plan.from + rng.random_range(0..5));
                format!("{day}T{:02}:00:00Z", rng.random_range(8..20))
            });
            if activated.is_some() {
                out.activated += 1;
                store.add_to_counter(&grant::activations_counter(&id), grant::WINDOW, 1).await?;
            }
            if plan.planted && !out_of && rng.random_bool(EXTRA_SHARE) {
                let day = plan.from + rng.random_range(0..=(plan.to - plan.from));
                let receipt = format!("DEMO-{id}-{card}");
                let date = app::validate::date::SimpleDate::from_days_since_epoch(i64::from(day));
                extra.push_str(&format!(
                    "{receipt};{shop};{:02}/{:02}/{};17:30;9;{};{card};{},{:02}\n",
                    date.day,
                    date.month,
                    date.year,
                    out.extra_receipts + 1,
                    EXTRA_CENTS / 100,
                    EXTRA_CENTS % 100
                ));
                out.extra_receipts += 1;
            }
            members.push(
                CampaignMember {
                    id: format!("{id}:{card}"),
                    campaign_id: id.clone(),
                    card_number: card,
                    held_out: out_of,
                    activated_at: activated,
                }
                .into_row()?,
            );
        }
        for chunk in members.chunks(2_000) {
            store.upsert_rows(vec![(Table::CampaignMembers, chunk.to_vec())]).await?;
        }
        let (audience_json, offer_json) = (serde_json::to_string(&plan.audience)?, serde_json::to_string(&plan.offer)?);
        store
            .insert_one(&Campaign {
                id: id.clone(),
                name: plan.name.into(),
                starts_on: day_iso(plan.from),
                ends_on: day_iso(plan.to),
                fingerprint: service::fingerprint(&audience_json, &offer_json),
                audience: audience_json,
                offer: offer_json,
                budget: plan.budget,
                per_shopper_limit: plan.limit,
                holdout_permille: i64::from(HOLDOUT),
                members: resolved.reachable.len() as i64,
                held_out,
                left_out: serde_json::to_string(&resolved.left_out)?,
                status: "active".into(),
                created_at: start_at.clone(),
                created_by: "demo".into(),
            })
            .await?;
        out.campaigns.push((id, resolved.reachable.len() as i64, held_out));
    }
    // The extra receipts, imported as any file would be.
    std::fs::create_dir_all(dir)?;
    let file = dir.join("campagne-scontrini.csv");
    std::fs::write(&file, extra)?;
    let options = crate::import::pipeline::ImportOptions { kind: None, run_by: "demo".into(), sheet: None };
    crate::import::pipeline::import_file(store.as_ref(), &file, &options, &|_| {}).await?;
    // The rewards the activated members earned, on the extra receipts and the others, as the
    // import sync grants them (here rather than at the server's first start).
    let data = crate::projection::load(store.as_ref()).await?;
    let projection = crate::analytics::Projection::new(Default::default(), Vec::new());
    let outbox = std::sync::Arc::new(super::mail::Outbox::new(store.clone(), None).map_err(anyhow::Error::msg)?);
    let service = service::CampaignService::new(store.clone(), projection, outbox);
    out.rewards = service.sync_imported(&data).await?;
    Ok(out)
}
