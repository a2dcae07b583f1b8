//! What a till's submission does: checks it, stores it idempotently by receipt key (see
//! [`crate::store::live`]), credits the points and completed challenges at once, and puts the
//! receipt into the live tail so the shopper's pages show it immediately.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;

use crate::analytics::Projection;
use crate::clock::{parse_day, parse_minute};
use crate::points::ledger::{challenge_entries, earn_entry};
use crate::points::redeem::{self, Use};
use crate::points::rules::PointLine;
use crate::points::PointsService;
use crate::store::live::{catalog_doc, LiveOutcome, LiveReceipt, STORED};
use crate::store::model::{ApiReceipt, PointsEntry, Receipt, SalesLine, ShopKey, Voucher};
use crate::store::{Store, StoreExt, Table};

use super::problem::Problem;
use super::wire::{FieldError, LineOut, Parsed, ReceiptAck, ReceiptIn, ReceiptOut, VoucherOut};

/// The receipts API behind the HTTP handlers.
#[derive(Clone)]
pub struct ReceiptsApi {
    pub store: Arc<dyn Store>,
    pub projection: Arc<Projection>,
    pub points: Arc<PointsService>,
    /// Activated personal offers, applied to each receipt.
    pub campaigns: Arc<crate::campaigns::CampaignService>,
    /// Largest receipt accepted, in cents.
    pub max_receipt_cents: i64,
    /// Receipts one key may send per minute.
    pub per_minute: usize,
    /// Counts each key's receipts over the last minute.
    pub limiter: Arc<crate::limiter::FailureLimiter>,
}

/// A submission's answer: stored now (201) or replayed (200), with the same body.
#[derive(Debug)]
pub struct Submitted {
    pub replayed: bool,
    pub ack: ReceiptAck,
}

fn ack(claim: &ApiReceipt) -> ReceiptAck {
    ReceiptAck {
        id: claim.id.clone(),
        store_id: claim.shop_id.clone(),
        status: STORED.into(),
        card_number: claim.card_number.clone(),
        points: claim.points,
        received_at: claim.received_at.clone(),
    }
}

impl ReceiptsApi {
    /// Stores a submission from the till holding `key`.
    pub async fn submit(&self, key: &ShopKey, body: &ReceiptIn) -> Result<Submitted, Problem> {
        let today = crate::clock::today_date();
        let parsed = body.parse(today).map_err(|errors| Problem::invalid(StatusCode::UNPROCESSABLE_ENTITY, errors))?;
        if parsed.records.receipt.shop_id != key.shop_id {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "wrong-store",
                "The key belongs to another store",
                format!(
                    "store_id: this key sends receipts of store {} only, not {}",
                    key.shop_id, parsed.records.receipt.shop_id
                ),
            ));
        }
        // Per key, before anything is stored: a leaked key cannot flood the store.
        self.limiter
            .attempt(&[(&format!("till:{}", key.id), self.per_minute)], std::time::Instant::now())
            .map_err(Problem::too_many)?;
        let receipt = &parsed.records.receipt;
        let mut errors = Vec::new();
        if receipt.net_cents.abs() > self.max_receipt_cents || receipt.gross_cents.abs() > self.max_receipt_cents {
            let euros = app::format::euros(self.max_receipt_cents, app::i18n::Lang::En);
            errors.push(FieldError { field: "net_cents".into(), message: format!("a receipt may be at most {euros}") });
        }
        if let Some(card) = receipt.card_number.as_deref() {
            // Points only ever land on a card that exists: imported from the register or issued
            // at signup. A forged number cannot seed a future shopper's card.
            if self.store.get(Table::Cardholders, card).await.map_err(Problem::internal)?.is_none() {
                errors.push(FieldError { field: "card_number".into(), message: format!("no card {card} is issued") });
            }
        }
        if let (Some(card), false) = (receipt.card_number.as_deref(), parsed.offer_codes.is_empty()) {
            if errors.is_empty() {
                let usable: Vec<String> = self
                    .campaigns
                    .offers_of(card)
                    .await
                    .map_err(Problem::internal)?
                    .into_iter()
                    .filter(|o| o.activated_at.is_some())
                    .map(|o| o.campaign_id)
                    .collect();
                for (i, code) in parsed.offer_codes.iter().enumerate() {
                    if !usable.contains(code) {
                        errors.push(FieldError {
                            field: format!("offer_codes[{i}]"),
                            message: format!("offer {code} is not an offer card {card} activated"),
                        });
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(Problem::invalid(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
        // The vouchers first: each taken by this receipt exactly once, or the receipt is refused
        // (and the ones it took are given back).
        // From the vouchers taken to the points added to the dashboard's book: one change.
        let _changing = self.points.changing().await;
        let claimed = self.take_vouchers(&parsed).await?;
        let earned = self.earned(&parsed);
        let claim = ApiReceipt {
            id: parsed.records.receipt.id.clone(),
            shop_id: key.shop_id.clone(),
            key_id: key.id.clone(),
            content_hash: parsed.content_hash.clone(),
            status: STORED.into(),
            card_number: parsed.records.receipt.card_number.clone(),
            points: earned.as_ref().map_or(0, |e| e.points),
            received_at: crate::clock::now_rfc3339(),
        };
        let records = &parsed.records;
        let mut catalog = vec![catalog_doc(&records.shop).map_err(Problem::internal)?];
        for d in &records.departments {
            catalog.push(catalog_doc(d).map_err(Problem::internal)?);
        }
        for p in &records.promotions {
            catalog.push(catalog_doc(p).map_err(Problem::internal)?);
        }
        for p in &records.products {
            catalog.push(catalog_doc(p).map_err(Problem::internal)?);
        }
        let write = LiveReceipt {
            claim: claim.clone(),
            receipt: records.receipt.clone(),
            lines: records.lines.clone(),
            catalog,
            points: earned.into_iter().collect(),
        };
        let outcome = match self.store.put_live_receipt(&write).await {
            Ok(o) => o,
            Err(e) => {
                self.give_back(&claimed, &claim.id).await;
                return Err(Problem::internal(e));
            }
        };
        if matches!(outcome, LiveOutcome::Conflict) {
            self.give_back(&claimed, &claim.id).await;
        }
        // Stored means published to the feed every replica follows (in the same write): this
        // replica has it in its tail already.
        if let LiveOutcome::Stored(feed) = outcome {
            self.projection.feed.mark_own(feed);
        }
        match outcome {
            LiveOutcome::Replayed(prior) => {
                // A replay finishes what a request that died after storing left undone.
                self.apply_offers(&parsed).await;
                Ok(Submitted { replayed: true, ack: ack(&prior) })
            }
            LiveOutcome::Conflict => Err(Problem::new(
                StatusCode::CONFLICT,
                "receipt-conflict",
                "Another receipt has this key",
                format!(
                    "receipt {} (store, date, till and number) was already received with different content",
                    claim.id
                ),
            )),
            LiveOutcome::Stored(_) => {
                self.points.book_vouchers_used(&claimed, &claim.id);
                let offers = self.apply_offers(&parsed).await;
                let mut points = write.points.clone();
                points.extend(offers);
                self.after_store(parsed, &points).await;
                Ok(Submitted { replayed: false, ack: ack(&claim) })
            }
        }
    }

    /// Grants the card's activated offers on the receipt; the points entries written now.
    /// Failures are logged: a replay of the receipt, or the next sync of imports, grants them.
    async fn apply_offers(&self, parsed: &Parsed) -> Vec<PointsEntry> {
        let r = &parsed.records;
        match self.campaigns.apply(&r.receipt, &r.lines).await {
            Ok(granted) => granted
                .into_iter()
                .filter_map(|g| match g {
                    crate::campaigns::grant::Granted::Points(e) => Some(e),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, receipt = %r.receipt.id, "offers not applied; a replay will");
                Vec::new()
            }
        }
    }

    /// The activated offers of `card` running today, as the till applies them.
    pub async fn offers(&self, card: &str) -> Result<Vec<super::wire::OfferOut>, Problem> {
        let card = card.trim();
        if self.store.get(Table::Cardholders, card).await.map_err(Problem::internal)?.is_none() {
            return Err(Problem::not_found(format!("no card {card} is issued")));
        }
        let offers = self.campaigns.offers_of(card).await.map_err(Problem::internal)?;
        let today = crate::clock::day_iso(crate::clock::today());
        Ok(offers
            .into_iter()
            .filter(|o| o.activated_at.is_some() && o.starts_on <= today && o.used < o.limit)
            .map(|o| {
                use app::model::campaigns::OfferSpec;
                let (kind, target, min_cents) = match &o.offer {
                    OfferSpec::Multiplier { target, .. } => ("multiplier", Some(target.clone()), None),
                    OfferSpec::Bonus { target, .. } => ("bonus", Some(target.clone()), None),
                    OfferSpec::Basket { min_cents, .. } => ("basket", None, Some(*min_cents)),
                    OfferSpec::Voucher { min_cents, .. } => ("voucher", None, Some(*min_cents)),
                };
                super::wire::OfferOut {
                    description: app::format::offer(&o.offer, o.target_name.as_deref(), app::i18n::Lang::It),
                    campaign_id: o.campaign_id,
                    name: o.name,
                    kind: kind.into(),
                    target,
                    min_cents,
                    ends_on: o.ends_on,
                    remaining: o.limit - o.used,
                }
            })
            .collect())
    }

    /// Takes each voucher of the receipt for it (see [`redeem::mark_used`]); the codes taken now.
    async fn take_vouchers(&self, parsed: &Parsed) -> Result<Vec<String>, Problem> {
        let receipt_id = &parsed.records.receipt.id;
        let mut claimed = Vec::new();
        for (i, code) in parsed.voucher_codes.iter().enumerate() {
            let field = format!("voucher_codes[{i}]");
            let refusal = match redeem::mark_used(self.store.as_ref(), code, receipt_id).await {
                Ok(Use::Claimed) => {
                    claimed.push(code.clone());
                    continue;
                }
                Ok(Use::Used) => continue,
                Ok(Use::UsedElsewhere) => Problem::invalid(
                    StatusCode::CONFLICT,
                    vec![FieldError { field, message: format!("voucher {code} was used with another receipt") }],
                ),
                Ok(Use::Unusable(status)) => Problem::invalid(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    vec![FieldError { field, message: format!("voucher {code} is {status}") }],
                ),
                Err(e) => Problem::internal(e),
            };
            self.give_back(&claimed, receipt_id).await;
            return Err(refusal);
        }
        Ok(claimed)
    }

    /// Gives back vouchers this request took for a receipt that was not stored after all.
    async fn give_back(&self, codes: &[String], receipt_id: &str) {
        for code in codes {
            if let Err(e) = redeem::release(self.store.as_ref(), code, receipt_id).await {
                tracing::warn!(error = %e, "a voucher could not be given back");
            }
        }
    }

    /// A voucher as the till checks it before payment (any store's key).
    pub async fn voucher(&self, code: &str) -> Result<VoucherOut, Problem> {
        let v = match self.store.get_one::<Voucher>(code).await.map_err(Problem::internal)? {
            Some(v) if !matches!(v.status.as_str(), "pending" | "void") => v,
            _ => return Err(Problem::not_found(format!("no voucher {code}"))),
        };
        Ok(VoucherOut {
            code: v.id.clone(),
            status: redeem::shown_status(&v, &crate::clock::now_rfc3339()),
            kind: v.kind.clone(),
            title: v.title_it.clone(),
            value_cents: v.value_cents,
            ean: v.ean.clone(),
            expires_at: v.expires_at.clone(),
            receipt_id: v.receipt_id.clone(),
        })
    }

    /// The `earn:` entry of a receipt with an active card.
    fn earned(&self, parsed: &Parsed) -> Option<PointsEntry> {
        let card = parsed.records.receipt.card_number.as_deref()?;
        let snap = self.projection.snapshot();
        if let Some(snap) = &snap {
            if snap.data.cards.number.get(card).is_some_and(|c| snap.data.cards.anonymised[c as usize]) {
                return None;
            }
        }
        let r = &parsed.records.receipt;
        let (day, minute) = (parse_day(&r.issued_at)?, parse_minute(&r.issued_at));
        let rule = crate::points::rules::no_points();
        let department_name =
            |id: &str| parsed.records.departments.iter().find(|d| d.id == id).map_or(String::new(), |d| d.name.clone());
        let lines: Vec<PointLine> = parsed
            .records
            .lines
            .iter()
            .map(|l| {
                let dept = l.department_id.as_deref().unwrap_or_default();
                PointLine {
                    net_cents: l.net_cents,
                    on_promotion: l.promotion_id.is_some(),
                    no_points: rule.excludes(&l.product_id, dept, &department_name(dept)),
                }
            })
            .collect();
        let earned = crate::points::rules::earned(r.net_cents, &lines, self.points.tuning().promo_bonus_points);
        Some(earn_entry(&r.id, card, &earned, day, minute))
    }

    /// After a new receipt is stored: the live tail, this month's challenge rewards, the ledger
    /// sync's memory. Failures here are logged: the next projection build completes them.
    async fn after_store(&self, parsed: Parsed, points: &[PointsEntry]) {
        let card = parsed.records.receipt.card_number.clone();
        self.projection.receive(parsed.records);
        let Some(card) = card else { return };
        let snap = self.projection.snapshot();
        let month = crate::clock::month_of(crate::clock::today());
        let mut entries = points.to_vec();
        if let Some(data) = self.projection.live.card_dataset(snap.as_ref().map(|s| &s.data), &card) {
            if let Some(c) = data.cards.number.get(&card) {
                let rewards = challenge_entries(&data, c, month);
                if !rewards.is_empty() {
                    match self.store.upsert_all(&rewards).await {
                        Ok(_) => entries.extend(rewards),
                        Err(e) => {
                            tracing::warn!(error = %e, card, "challenge rewards not credited; the next sync will")
                        }
                    }
                }
            }
        }
        self.points.remember(&entries).await;
    }

    /// A receipt this store sent.
    pub async fn get(&self, key: &ShopKey, id: &str) -> Result<ReceiptOut, Problem> {
        let missing = || Problem::not_found(format!("no receipt {id} received from store {}", key.shop_id));
        let claim: ApiReceipt = self.store.get_one(id).await.map_err(Problem::internal)?.ok_or_else(missing)?;
        if claim.shop_id != key.shop_id || claim.status != STORED {
            return Err(missing());
        }
        let receipt: Receipt = self.store.get_one(id).await.map_err(Problem::internal)?.ok_or_else(missing)?;
        let mut lines: Vec<SalesLine> =
            self.store.find("receipt_id", json!(id), 100_000).await.map_err(Problem::internal)?;
        lines.sort_by_key(|l| l.line_no);
        Ok(ReceiptOut {
            ack: ack(&claim),
            issued_at: receipt.issued_at,
            till: receipt.till,
            number: receipt.number,
            gross_cents: receipt.gross_cents,
            discount_cents: receipt.discount_cents,
            net_cents: receipt.net_cents,
            lines: lines
                .into_iter()
                .map(|l| LineOut {
                    line_no: l.line_no,
                    ean: l.product_id,
                    quantity_milli: l.quantity_milli,
                    gross_cents: l.gross_cents,
                    discount_cents: l.discount_cents,
                    net_cents: l.net_cents,
                    department_id: l.department_id,
                    promotion_id: l.promotion_id,
                })
                .collect(),
        })
    }
}
