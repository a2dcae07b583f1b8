//! The campaigns service: previews and launches campaigns (members and holdout fixed at launch,
//! nothing half-created), lists them with what they granted, lets a shopper see and activate
//! their offers (exactly once), and applies activated offers to the receipts that arrive.

use std::collections::HashMap;
use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::campaigns::{
    AudiencePreview, AudienceSpec, CampaignInput, CampaignReport, CampaignStatus, CampaignSummary, LeftOutReason,
    MyOffer, OfferSpec, TargetKind,
};
use serde_json::json;

use crate::analytics::Projection;
use crate::clock::{day_iso, now_rfc3339, parse_day, today};
use crate::store::model::{Campaign, CampaignMember, OutboxMail, Product, Receipt, SalesLine};
use crate::store::{to_doc, Entity, Store, StoreExt, Table};

use super::grant::{self, Grant, Granted};
use super::offer::{self, Offer, OfferLine, Target};
use super::{audience, holdout};

/// Members written per store call at launch.
const MEMBERS_PER_WRITE: usize = 2_000;
/// Days a voucher from an offer stays valid.
pub const VOUCHER_DAYS: i64 = 30;
/// Longest campaign name.
const NAME_MAX: usize = 80;
/// Campaigns ended longer ago than this are not looked at by the import sync.
pub const IMPORT_LOOKBACK_DAYS: i32 = 60;
/// Campaigns a card can belong to, as read per receipt.
const MEMBERSHIPS_READ: u32 = 500;

/// How often a replica looks for campaigns launched by another process before answering a
/// shopper's pages from [`Chosen`].
const CHOSEN_REFRESH: std::time::Duration = std::time::Duration::from_secs(30);

/// The cards some campaign chose, so the shopper's pages (`/me` counts the offers waiting on
/// every visit) ask the store for a card's offers only when it has some — most shoppers have
/// none. Members are only ever added, all at a launch and before the campaign's record, so a
/// campaign seen is complete. A campaign launched by another process is seen within
/// [`CHOSEN_REFRESH`]; the tills and activation always read the store.
#[derive(Default)]
struct Chosen {
    cards: std::collections::HashSet<String>,
    campaigns: std::collections::HashSet<String>,
    checked: Option<std::time::Instant>,
}

/// The server's form of an offer.
pub fn to_offer(spec: &OfferSpec) -> Offer {
    let target = |kind: TargetKind, t: &str| match kind {
        TargetKind::Product => Target::Product(t.trim().to_string()),
        TargetKind::Brand => Target::Brand(t.trim().to_string()),
        TargetKind::Department => Target::Department(t.trim().to_string()),
    };
    match spec {
        OfferSpec::Multiplier { target_kind, target: t, factor } => {
            Offer::Multiplier { target: target(*target_kind, t), factor: *factor }
        }
        OfferSpec::Bonus { target_kind, target: t, points } => {
            Offer::Bonus { target: target(*target_kind, t), points: *points }
        }
        OfferSpec::Basket { min_cents, points } => Offer::Basket { min_cents: *min_cents, points: *points },
        OfferSpec::Voucher { value_cents, min_cents } => {
            Offer::Voucher { value_cents: *value_cents, min_cents: *min_cents }
        }
    }
}

fn offer_of(c: &Campaign) -> Result<OfferSpec, AppError> {
    serde_json::from_str(&c.offer).map_err(crate::error::internal)
}

/// Where a campaign stands on `day`, having granted `granted`.
pub fn status_of(c: &Campaign, spec: &OfferSpec, granted: i64, day: i32) -> CampaignStatus {
    let (starts, ends) = (parse_day(&c.starts_on).unwrap_or(i32::MAX), parse_day(&c.ends_on).unwrap_or(i32::MIN));
    if c.status == "stopped" {
        CampaignStatus::Stopped
    } else if day < starts {
        CampaignStatus::Scheduled
    } else if day > ends {
        CampaignStatus::Ended
    } else if c.budget - granted < offer::smallest_reward(&to_offer(spec)) {
        CampaignStatus::BudgetReached
    } else {
        CampaignStatus::Running
    }
}

/// The campaigns service.
pub struct CampaignService {
    store: Arc<dyn Store>,
    projection: Arc<Projection>,
    /// Product brands read for brand offers (products are never renamed by a receipt).
    brands: std::sync::Mutex<HashMap<String, Option<String>>>,
    /// The announcement mails.
    pub outbox: Arc<super::mail::Outbox>,
    /// The programme's level thresholds (the audience's level criterion).
    levels: app::model::levels::LevelThresholds,
    /// (campaign, receipt) pairs the import sync has evaluated.
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The number of import batches at the last import sync.
    synced_batches: std::sync::Mutex<Option<u64>>,
    /// The cards chosen by some campaign.
    chosen: tokio::sync::Mutex<Chosen>,
}

impl CampaignService {
    pub fn new(store: Arc<dyn Store>, projection: Arc<Projection>, outbox: Arc<super::mail::Outbox>) -> Self {
        CampaignService {
            levels: Default::default(),
            store,
            projection,
            brands: Default::default(),
            outbox,
            seen: Default::default(),
            synced_batches: Default::default(),
            chosen: Default::default(),
        }
    }

    /// The audience's size and who is left out, at holdout share `holdout` (percent as typed).
    pub async fn preview(&self, spec: &AudienceSpec, holdout: &str) -> Result<AudiencePreview, AppError> {
        let permille = share(holdout)?;
        let resolved = self.resolve(spec).await?;
        // The split depends on the campaign's id, not known before launch: the expected count.
        let held_out = resolved.reachable.len() as u64 * u64::from(permille) / 1000;
        Ok(AudiencePreview {
            matching: resolved.matching,
            reachable: resolved.reachable.len() as u64,
            held_out,
            left_out: resolved.left_out,
        })
    }

    /// The audience over the current projection, narrowed by level when asked (each reachable
    /// card's points of the last 12 months, read from the ledger).
    async fn resolve(&self, spec: &AudienceSpec) -> Result<audience::Resolved, AppError> {
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let mut resolved = audience::resolve(&snap, spec).map_err(|b| AppError::bad_value(b.param, b.value))?;
        if let Some(level) = spec.level_min.filter(|l| *l > app::model::levels::Level::Bronze) {
            let mut kept = Vec::with_capacity(resolved.reachable.len());
            for &c in &resolved.reachable {
                let card = snap.data.cards.number.value(c);
                if crate::points::status(self.store.as_ref(), card, &self.levels).await?.2 >= level {
                    kept.push(c);
                }
            }
            resolved.matching -= (resolved.reachable.len() - kept.len()) as u64;
            resolved.reachable = kept;
        }
        Ok(resolved)
    }

    /// Checks and launches a campaign: its members (treated and held out) are written first,
    /// the campaign last, so a failure leaves no campaign; an identical campaign (audience and
    /// offer) overlapping in time is refused.
    pub async fn launch(&self, input: CampaignInput, admin: &str) -> Result<CampaignSummary, AppError> {
        let name = input.name.trim().to_string();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(AppError::invalid("name", format!("a name of 1 to {NAME_MAX} characters")));
        }
        let starts = parse_day(input.starts_on.trim())
            .ok_or_else(|| AppError::invalid("starts_on", "expected a date YYYY-MM-DD"))?;
        let ends = parse_day(input.ends_on.trim())
            .ok_or_else(|| AppError::invalid("ends_on", "expected a date YYYY-MM-DD"))?;
        if ends < starts {
            return Err(AppError::invalid("ends_on", "the campaign must end on or after its first day"));
        }
        if ends < today() {
            return Err(AppError::invalid("ends_on", "the campaign would end in the past"));
        }
        if input.per_shopper_limit < 1 {
            return Err(AppError::invalid(
                "per_shopper_limit",
                "each shopper must be able to receive at least 1 reward",
            ));
        }
        let permille = share(&input.holdout)?;
        offer::check(&to_offer(&input.offer), input.budget).map_err(|e| AppError::invalid(e.field, e.message))?;
        let audience_json = serde_json::to_string(&input.audience).map_err(crate::error::internal)?;
        let offer_json = serde_json::to_string(&input.offer).map_err(crate::error::internal)?;
        let fingerprint = fingerprint(&audience_json, &offer_json);
        let twins: Vec<Campaign> = self.store.find("fingerprint", json!(fingerprint), 1_000).await?;
        if let Some(twin) = twins.iter().find(|t| {
            t.status != "stopped"
                && parse_day(&t.starts_on).is_some_and(|s| s <= ends)
                && parse_day(&t.ends_on).is_some_and(|e| e >= starts)
        }) {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "campaign {} «{}» has the same audience and offer from {} to {}",
                    twin.id, twin.name, twin.starts_on, twin.ends_on
                ),
            ));
        }
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let resolved = self.resolve(&input.audience).await?;
        if resolved.reachable.is_empty() {
            let why = if resolved.matching == 0 {
                "no cardholder matches these criteria".to_string()
            } else {
                format!("none of the {} matching cardholders gave the consents needed", resolved.matching)
            };
            return Err(AppError::invalid("audience", why));
        }
        let id = format!("C{:04}", self.store.next_sequence("campaign").await?);
        let now = now_rfc3339();
        let cards = &snap.data.cards;
        let mut held_out = 0i64;
        let mut members = Vec::with_capacity(resolved.reachable.len());
        let mut mails = Vec::new();
        // Announced at launch when the campaign starts today, else at 8 in the morning (Italy) of
        // its first day.
        let send_from = if starts <= today() { now.clone() } else { format!("{}T07:00:00Z", day_iso(starts)) };
        for &c in &resolved.reachable {
            let card = cards.number.value(c).to_string();
            let out = holdout::is_held_out(&id, &card, permille);
            held_out += i64::from(out);
            if !out {
                if let Some(email) = cards.email[c as usize].as_deref() {
                    mails.push(
                        announcement(
                            &id,
                            &name,
                            &input.offer,
                            &input.ends_on,
                            &card,
                            email,
                            &cards.name(c),
                            &now,
                            &send_from,
                        )
                        .into_row()?,
                    );
                }
            }
            members.push(
                CampaignMember {
                    id: format!("{id}:{card}"),
                    campaign_id: id.clone(),
                    card_number: card,
                    held_out: out,
                    activated_at: None,
                }
                .into_row()?,
            );
        }
        for chunk in members.chunks(MEMBERS_PER_WRITE) {
            self.store.upsert_rows(vec![(Table::CampaignMembers, chunk.to_vec())]).await?;
        }
        for chunk in mails.chunks(MEMBERS_PER_WRITE) {
            self.store.upsert_rows(vec![(Table::Outbox, chunk.to_vec())]).await?;
        }
        let campaign = Campaign {
            id: id.clone(),
            name,
            starts_on: day_iso(starts),
            ends_on: day_iso(ends),
            audience: audience_json,
            offer: offer_json,
            budget: input.budget,
            per_shopper_limit: input.per_shopper_limit,
            holdout_permille: i64::from(permille),
            members: resolved.reachable.len() as i64,
            held_out,
            left_out: serde_json::to_string(&resolved.left_out).map_err(crate::error::internal)?,
            fingerprint,
            status: "active".into(),
            created_at: now,
            created_by: admin.to_string(),
        };
        self.store.insert_one(&campaign).await?;
        {
            let mut chosen = self.chosen.lock().await;
            chosen.cards.extend(resolved.reachable.iter().map(|&c| cards.number.value(c).to_string()));
            chosen.campaigns.insert(id.clone());
        }
        tracing::info!(campaign = %id, members = campaign.members, held_out, "campaign launched");
        self.summary(&campaign).await
    }

    /// Every campaign, newest first.
    pub async fn list(&self) -> Result<Vec<CampaignSummary>, AppError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page: Vec<Campaign> = self.store.scan_page(after.as_deref(), 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for c in &page {
                out.push(self.summary(c).await?);
            }
        }
        out.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(out)
    }

    /// One campaign.
    pub async fn get(&self, id: &str) -> Result<(Campaign, CampaignSummary), AppError> {
        let c: Campaign = self.store.get_one(id).await?.ok_or(AppError::NotFound)?;
        let s = self.summary(&c).await?;
        Ok((c, s))
    }

    async fn summary(&self, c: &Campaign) -> Result<CampaignSummary, AppError> {
        let spec = offer_of(c)?;
        let granted = grant::counter(self.store.as_ref(), &grant::budget_counter(&c.id)).await?;
        let activated = grant::counter(self.store.as_ref(), &grant::activations_counter(&c.id)).await?;
        // As the launch recorded it: by reason, in the reasons' order.
        let left_out: Vec<(LeftOutReason, u64)> = serde_json::from_str(&c.left_out).unwrap_or_default();
        Ok(CampaignSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            starts_on: c.starts_on.clone(),
            ends_on: c.ends_on.clone(),
            status: status_of(c, &spec, granted, today()),
            offer: spec,
            members: c.members,
            held_out: c.held_out,
            activated,
            granted,
            budget: c.budget,
            per_shopper_limit: c.per_shopper_limit,
            holdout_permille: c.holdout_permille,
            left_out,
            created_at: c.created_at.clone(),
        })
    }

    /// The service with the programme's level thresholds.
    pub fn with_levels(self, levels: app::model::levels::LevelThresholds) -> Self {
        CampaignService { levels, ..self }
    }

    /// A campaign's report (see [`super::report`]) over the current projection.
    pub async fn report(&self, id: &str) -> Result<CampaignReport, AppError> {
        let (campaign, summary) = self.get(id).await?;
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let mut members = Vec::with_capacity(campaign.members.max(0) as usize);
        let mut redeemed = 0u64;
        for m in self.store.find_every::<CampaignMember>("campaign_id", json!(id)).await? {
            // Only an activated member can have received a reward.
            if m.activated_at.is_some()
                && grant::counter(self.store.as_ref(), &grant::shopper_counter(id, &m.card_number)).await? > 0
            {
                redeemed += 1;
            }
            members.push(super::report::Member {
                card: m.card_number,
                held_out: m.held_out,
                activated: m.activated_at.is_some(),
            });
        }
        let rewards: Vec<crate::store::model::Reward> = self.store.scan_page(None, 10_000).await?;
        let rate = crate::points::book::catalogue_rate(&rewards);
        let inputs = super::report::Inputs { summary, members: &members, redeemed, rate };
        let mut report = super::report::build(&snap.data, inputs);
        report.mail = self.outbox.status(id).await?;
        Ok(report)
    }

    /// The offers of `card`: those of its campaigns it is not held out of, not ended or stopped.
    pub async fn offers_of(&self, card: &str) -> Result<Vec<MyOffer>, AppError> {
        let day = today();
        let mut out = Vec::new();
        for (m, c, spec) in self.memberships(card).await? {
            let granted = grant::counter(self.store.as_ref(), &grant::budget_counter(&c.id)).await?;
            if !matches!(status_of(&c, &spec, granted, day), CampaignStatus::Running | CampaignStatus::Scheduled) {
                continue;
            }
            let used = grant::counter(self.store.as_ref(), &grant::shopper_counter(&c.id, card)).await?;
            out.push(MyOffer {
                campaign_id: c.id.clone(),
                name: c.name.clone(),
                target_name: self.target_name(&spec),
                offer: spec,
                starts_on: c.starts_on.clone(),
                ends_on: c.ends_on.clone(),
                activated_at: m.activated_at.clone(),
                used,
                limit: c.per_shopper_limit,
            });
        }
        out.sort_by(|a, b| a.ends_on.cmp(&b.ends_on).then_with(|| a.campaign_id.cmp(&b.campaign_id)));
        Ok(out)
    }

    /// [`Self::offers_of`] for the shopper's own pages: nothing read from the store for a card
    /// no campaign chose (see [`Chosen`]).
    pub async fn shopper_offers(&self, card: &str) -> Result<Vec<MyOffer>, AppError> {
        if !self.chosen_card(card).await? {
            return Ok(Vec::new());
        }
        self.offers_of(card).await
    }

    /// Whether some campaign chose `card`, as far as this process knows (campaigns launched
    /// elsewhere are looked for every [`CHOSEN_REFRESH`]).
    async fn chosen_card(&self, card: &str) -> Result<bool, AppError> {
        let mut chosen = self.chosen.lock().await;
        if chosen.checked.is_none_or(|t| t.elapsed() >= CHOSEN_REFRESH) {
            let mut ids = Vec::new();
            crate::projection::scan_all::<Campaign>(self.store.as_ref(), |c| ids.push(c.id.clone())).await?;
            for id in ids {
                if chosen.campaigns.contains(&id) {
                    continue;
                }
                let members: Vec<CampaignMember> = self.store.find_every("campaign_id", json!(id)).await?;
                chosen.cards.extend(members.into_iter().map(|m| m.card_number));
                chosen.campaigns.insert(id);
            }
            chosen.checked = Some(std::time::Instant::now());
        }
        Ok(chosen.cards.contains(card))
    }

    /// Activates `card`'s offer of `campaign`, once: a second activation answers the first's
    /// time. A campaign the card is not treated in is not found (held-out shoppers never see it).
    pub async fn activate(&self, card: &str, campaign: &str) -> Result<MyOffer, AppError> {
        let id = format!("{campaign}:{card}");
        let member: CampaignMember = self.store.get_one(&id).await?.ok_or(AppError::NotFound)?;
        if member.held_out {
            return Err(AppError::NotFound);
        }
        let offer = self.offers_of(card).await?.into_iter().find(|o| o.campaign_id == campaign);
        let Some(offer) = offer else { return Err(AppError::NotFound) };
        if offer.activated_at.is_some() {
            return Ok(offer);
        }
        let at = now_rfc3339();
        let activated = CampaignMember { activated_at: Some(at.clone()), ..member };
        if self.store.replace_if(Table::CampaignMembers, to_doc(&activated)?, "activated_at", &json!(null)).await? {
            self.store.add_to_counter(&grant::activations_counter(campaign), grant::WINDOW, 1).await?;
            return Ok(MyOffer { activated_at: Some(at), ..offer });
        }
        // Another request activated it first: its time stands.
        let now: CampaignMember = self.store.get_one(&id).await?.ok_or(AppError::NotFound)?;
        Ok(MyOffer { activated_at: now.activated_at, ..offer })
    }

    /// The card's memberships in campaigns it is treated in, with each campaign and its offer.
    async fn memberships(&self, card: &str) -> Result<Vec<(CampaignMember, Campaign, OfferSpec)>, AppError> {
        let members: Vec<CampaignMember> = self.store.find("card_number", json!(card), MEMBERSHIPS_READ).await?;
        let mut out = Vec::new();
        for m in members.into_iter().filter(|m| !m.held_out) {
            // Members are written before their campaign: a launch that failed has none.
            if let Some(c) = self.store.get_one::<Campaign>(&m.campaign_id).await? {
                let spec = offer_of(&c)?;
                out.push((m, c, spec));
            }
        }
        Ok(out)
    }

    fn target_name(&self, spec: &OfferSpec) -> Option<String> {
        let (kind, target) = match spec {
            OfferSpec::Multiplier { target_kind, target, .. } | OfferSpec::Bonus { target_kind, target, .. } => {
                (*target_kind, target.trim())
            }
            _ => return None,
        };
        let snap = self.projection.snapshot()?;
        let d = &snap.data;
        match kind {
            TargetKind::Product => d.products.get(target).map(|p| d.product_names[p as usize].to_string()),
            TargetKind::Department => d.departments.get(target).map(|i| d.department_names[i as usize].to_string()),
            TargetKind::Brand => Some(target.to_string()),
        }
    }

    /// Applies the card's activated offers to a receipt just stored (a till's, or an import's):
    /// each grant once per campaign and receipt, within the limits. Returns what was granted
    /// now.
    pub async fn apply(&self, receipt: &Receipt, lines: &[SalesLine]) -> Result<Vec<Granted>, AppError> {
        let Some(card) = receipt.card_number.as_deref() else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for (m, c, spec) in self.memberships(card).await? {
            if let Some(g) = self.grant_on(&m, &c, &spec, receipt, lines).await? {
                out.push(g);
            }
        }
        Ok(out)
    }

    /// The reward of member `m`'s activated offer of campaign `c` on a receipt of theirs, granted
    /// (see [`grant::grant`]); `None` when the offer does not apply to it.
    async fn grant_on(
        &self,
        m: &CampaignMember,
        c: &Campaign,
        spec: &OfferSpec,
        receipt: &Receipt,
        lines: &[SalesLine],
    ) -> Result<Option<Granted>, AppError> {
        let Some(day) = parse_day(&receipt.issued_at) else { return Ok(None) };
        let in_period =
            parse_day(&c.starts_on).is_some_and(|s| s <= day) && parse_day(&c.ends_on).is_some_and(|e| day <= e);
        // An offer applies to the receipts of the day it was activated and after (activation
        // times are UTC, receipt times the till's local time: the day is what both agree on).
        let activated_before = m.activated_at.as_deref().and_then(parse_day).is_some_and(|a| a <= day);
        if m.held_out || c.status == "stopped" || !in_period || !activated_before {
            return Ok(None);
        }
        let offer = to_offer(spec);
        let brands = if matches!(
            &offer,
            Offer::Multiplier { target: Target::Brand(_), .. } | Offer::Bonus { target: Target::Brand(_), .. }
        ) {
            self.brands_of(lines).await?
        } else {
            HashMap::new()
        };
        let rule = crate::points::rules::no_points();
        let snap = self.projection.snapshot();
        let department_name = |code: &str| -> String {
            snap.as_ref()
                .and_then(|s| s.data.departments.get(code).map(|i| s.data.department_names[i as usize].to_string()))
                .unwrap_or_default()
        };
        let offer_lines: Vec<OfferLine> = lines
            .iter()
            .map(|l| {
                let dept = l.department_id.as_deref().unwrap_or_default();
                OfferLine {
                    product_id: &l.product_id,
                    brand: brands.get(&l.product_id).and_then(|b| b.as_deref()),
                    department_id: l.department_id.as_deref(),
                    net_cents: l.net_cents,
                    no_points: rule.excludes(&l.product_id, dept, &department_name(dept)),
                }
            })
            .collect();
        let reward = offer::reward(&offer, receipt.net_cents, &offer_lines);
        if reward.is_none() {
            return Ok(None);
        }
        let g = Grant {
            campaign: &c.id,
            name: &c.name,
            card: &m.card_number,
            receipt: &receipt.id,
            issued_at: &receipt.issued_at,
            reward,
            budget: c.budget,
            per_shopper_limit: c.per_shopper_limit,
            voucher_days: VOUCHER_DAYS,
        };
        Ok(Some(grant::grant(self.store.as_ref(), &g).await?))
    }

    /// Applies activated offers to the imported receipts of `data` (a build, or import batches
    /// applied to the projection): for every campaign not stopped and ended at most [`IMPORT_LOOKBACK_DAYS`] ago, every
    /// activated member's receipts in the period from the day of activation. Receipts seen
    /// before by this process are skipped; a grant is idempotent anyway (the tills' receipts were
    /// granted at submission and are found granted). Runs only when the import batches changed.
    pub async fn sync_imported(&self, data: &crate::projection::dataset::Dataset) -> Result<u64, AppError> {
        let batches = self.store.count(Table::ImportBatches).await?;
        {
            let mut last = self.synced_batches.lock().map_err(crate::error::internal)?;
            if *last == Some(batches) {
                return Ok(0);
            }
            *last = Some(batches);
        }
        let today = today();
        let mut granted = 0u64;
        let campaigns: Vec<Campaign> = self.store.scan_page(None, 10_000).await?;
        for c in campaigns {
            let (Some(starts), Some(ends)) = (parse_day(&c.starts_on), parse_day(&c.ends_on)) else { continue };
            if c.status == "stopped" || ends < today - IMPORT_LOOKBACK_DAYS {
                continue;
            }
            let spec = offer_of(&c)?;
            for m in self.store.find_every::<CampaignMember>("campaign_id", json!(c.id)).await? {
                let Some(activated) = m.activated_at.as_deref().and_then(parse_day) else { continue };
                let Some(ci) = data.cards.number.get(&m.card_number).filter(|_| !m.held_out) else { continue };
                for &k in data.receipts_of(ci) {
                    let k = k as usize;
                    let day = data.receipts.day[k];
                    if day < starts.max(activated) || day > ends {
                        continue;
                    }
                    let key = format!("{}:{}", c.id, data.receipts.id[k]);
                    if self.seen.lock().map_err(crate::error::internal)?.contains(&key) {
                        continue;
                    }
                    let (receipt, lines) = receipt_of(data, k, &m.card_number);
                    let done = self.grant_on(&m, &c, &spec, &receipt, &lines).await?;
                    if matches!(done, Some(Granted::Points(_) | Granted::Voucher(_))) {
                        granted += 1;
                    }
                    if let Ok(mut seen) = self.seen.lock() {
                        seen.insert(key);
                    }
                }
            }
        }
        if granted > 0 {
            tracing::info!(granted, "offers granted on imported receipts");
        }
        Ok(granted)
    }

    async fn brands_of(&self, lines: &[SalesLine]) -> Result<HashMap<String, Option<String>>, AppError> {
        let mut out = HashMap::new();
        for l in lines {
            let known = self.brands.lock().ok().and_then(|b| b.get(&l.product_id).cloned());
            let brand = match known {
                Some(b) => b,
                None => {
                    let b = self.store.get_one::<Product>(&l.product_id).await?.and_then(|p| p.brand);
                    if let Ok(mut cache) = self.brands.lock() {
                        if cache.len() > 100_000 {
                            cache.clear();
                        }
                        cache.insert(l.product_id.clone(), b.clone());
                    }
                    b
                }
            };
            out.insert(l.product_id.clone(), brand);
        }
        Ok(out)
    }
}

#[async_trait::async_trait]
impl app::ports::Campaigns for CampaignService {
    async fn preview(&self, audience: AudienceSpec, holdout: String) -> Result<AudiencePreview, AppError> {
        CampaignService::preview(self, &audience, &holdout).await
    }

    async fn launch(&self, acting: &SessionUser, input: CampaignInput) -> Result<CampaignSummary, AppError> {
        CampaignService::launch(self, input, &acting.id).await
    }

    async fn list(&self) -> Result<Vec<CampaignSummary>, AppError> {
        CampaignService::list(self).await
    }

    async fn report(&self, id: &str) -> Result<CampaignReport, AppError> {
        CampaignService::report(self, id).await
    }

    async fn my_offers(&self, user: &SessionUser) -> Result<Vec<MyOffer>, AppError> {
        match user.card_number.as_deref() {
            Some(card) => self.shopper_offers(card).await,
            None => Ok(Vec::new()),
        }
    }

    async fn activate(&self, user: &SessionUser, campaign: &str) -> Result<MyOffer, AppError> {
        let card = user.card_number.as_deref().ok_or(AppError::NotFound)?;
        CampaignService::activate(self, card, campaign).await
    }
}

/// Receipt `k` of `data` (of `card`) as a stored receipt and its lines.
fn receipt_of(data: &crate::projection::dataset::Dataset, k: usize, card: &str) -> (Receipt, Vec<SalesLine>) {
    let r = &data.receipts;
    let receipt = Receipt {
        id: r.id[k].to_string(),
        shop_id: data.shops.value(r.shop[k]).to_string(),
        issued_at: crate::clock::iso_minute(r.day[k], r.minute[k]),
        till: String::new(),
        number: String::new(),
        card_number: Some(card.to_string()),
        gross_cents: r.gross[k],
        discount_cents: r.discount[k],
        net_cents: r.net[k],
    };
    let l = &data.lines;
    let lines = r
        .lines(k)
        .enumerate()
        .map(|(n, i)| SalesLine {
            id: SalesLine::key(&receipt.id, n as i64 + 1),
            receipt_id: receipt.id.clone(),
            line_no: n as i64 + 1,
            product_id: data.products.value(l.product[i]).to_string(),
            department_id: (l.department[i] != crate::projection::dataset::NO_DEPARTMENT)
                .then(|| data.departments.value(u32::from(l.department[i])).to_string()),
            quantity_milli: i64::from(l.quantity[i]),
            gross_cents: i64::from(l.gross[i]),
            discount_cents: i64::from(l.discount[i]),
            net_cents: i64::from(l.net[i]),
            promotion_id: None,
        })
        .collect();
    (receipt, lines)
}

/// A holdout share as typed (empty: the default), in per-mille; the error names `holdout`.
fn share(typed: &str) -> Result<u32, AppError> {
    if typed.trim().is_empty() {
        return Ok(holdout::DEFAULT_SHARE_PERMILLE);
    }
    holdout::parse_share(typed).map_err(|e| AppError::invalid("holdout", e))
}

/// Audience and offer hashed: identical campaigns share it.
pub fn fingerprint(audience: &str, offer: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(audience.as_bytes());
    h.update([0]);
    h.update(offer.as_bytes());
    hex::encode(h.finalize())
}

/// The email announcing a campaign to one treated member (Italian: the shoppers' language).
#[allow(clippy::too_many_arguments)]
fn announcement(
    campaign: &str,
    name: &str,
    offer: &OfferSpec,
    ends_on: &str,
    card: &str,
    email: &str,
    holder: &str,
    now: &str,
    send_from: &str,
) -> OutboxMail {
    use app::i18n::Lang;
    let what = app::format::offer(offer, None, Lang::It);
    let until = app::format::date(ends_on, Lang::It);
    OutboxMail {
        id: format!("{campaign}:{card}"),
        campaign_id: campaign.to_string(),
        card_number: card.to_string(),
        to_address: email.to_string(),
        subject: format!("Una nuova offerta per te: {name}"),
        body: format!(
            "Ciao {holder},\n\nsulla tua carta ImaGross c'è una nuova offerta: {what}, fino al {until}.\n\
             Attivala nell'app, alla pagina «Le mie offerte», prima di fare la spesa.\n\n\
             Ricevi questa email perché hai acconsentito alle comunicazioni commerciali; \
             puoi revocare il consenso dal tuo profilo.\n"
        ),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: send_from.to_string(),
        sent_at: None,
        last_error: None,
        created_at: now.to_string(),
    }
}

/// The projection's hook that applies activated offers to imported receipts after a build or
/// an applied import (see [`CampaignService::sync_imported`]). Made before the service, which needs the
/// projection, and attached to it once built.
#[derive(Default)]
pub struct ImportedOffers(std::sync::OnceLock<std::sync::Weak<CampaignService>>);

impl ImportedOffers {
    /// Points the hook at the service.
    pub fn attach(&self, service: &Arc<CampaignService>) {
        let _ = self.0.set(Arc::downgrade(service));
    }
}

#[async_trait::async_trait]
impl crate::projection::Rebuilt for ImportedOffers {
    async fn rebuilt(&self, _store: &dyn Store, data: crate::projection::SharedDataset) {
        let Some(service) = self.0.get().and_then(std::sync::Weak::upgrade) else { return };
        if let Err(e) = service.sync_imported((*data).as_ref()).await {
            tracing::warn!(error = %e, "offers not applied to imported receipts; retried after the next import");
            if let Ok(mut last) = service.synced_batches.lock() {
                *last = None;
            }
        }
    }
}
