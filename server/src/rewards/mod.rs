//! The rewards catalogue and the shopper's vouchers behind `/admin/rewards`, `/me/rewards` and
//! `/me/card`: catalogue changes by admins (never touching vouchers already issued: a voucher
//! copies what it gives), the catalogue as one shopper may use it, redemption and cancellation
//! through the ledger's exactly-once rules (`points::redeem`), and vouchers drawn as EAN-13
//! barcodes.

pub mod demo;

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::levels::{Level, LevelThresholds};
use app::model::rewards::{
    level_code, level_from_code, validate_reward, RewardInput, RewardKind, RewardOffer, RewardSpec, RewardView,
    RewardsPage, VoucherStatus, VoucherView,
};
use app::ports::Rewards;
use async_trait::async_trait;
use serde_json::json;

use crate::clock::now_rfc3339;
use crate::points::redeem;
use crate::store::model::{Reward, Voucher};
use crate::store::{to_doc, Store, StoreExt, Table};

/// Rewards listed at most.
const MAX_REWARDS: u32 = 1_000;

/// The service.
pub struct RewardsService {
    store: Arc<dyn Store>,
    thresholds: LevelThresholds,
    voucher_days: i64,
    /// Told of every change (the dashboard's points book).
    points: Option<Arc<crate::points::PointsService>>,
}

impl RewardsService {
    /// A service over `store`; vouchers last `voucher_days`.
    pub fn new(store: Arc<dyn Store>, thresholds: LevelThresholds, voucher_days: i64) -> Self {
        RewardsService { store, thresholds, voucher_days, points: None }
    }

    /// The same, telling `points` of every change.
    pub fn notifying(self, points: Arc<crate::points::PointsService>) -> Self {
        RewardsService { points: Some(points), ..self }
    }

    /// Held from a change's write until it is in the points book (see `PointsService::changing`).
    async fn changing(&self) -> Option<tokio::sync::RwLockReadGuard<'_, ()>> {
        match &self.points {
            Some(p) => Some(p.changing().await),
            None => None,
        }
    }

    fn tell(&self, f: impl FnOnce(&crate::points::PointsService)) {
        if let Some(p) = &self.points {
            f(p);
        }
    }

    fn card(user: &SessionUser) -> Result<&str, AppError> {
        user.card_number.as_deref().ok_or(AppError::NotFound)
    }

    async fn all(&self) -> Result<Vec<Reward>, AppError> {
        let mut rewards: Vec<Reward> = self.store.scan_page(None, MAX_REWARDS).await?;
        rewards.sort_by(|a, b| a.points.cmp(&b.points).then_with(|| a.title_it.cmp(&b.title_it)));
        Ok(rewards)
    }
}

/// The wire view of a stored reward.
pub fn reward_view(r: &Reward) -> RewardView {
    RewardView {
        id: r.id.clone(),
        spec: RewardSpec {
            kind: RewardKind::from_code(&r.kind).unwrap_or(RewardKind::Voucher),
            title_it: r.title_it.clone(),
            title_en: r.title_en.clone(),
            description_it: r.description_it.clone(),
            description_en: r.description_en.clone(),
            points: r.points,
            value_cents: r.value_cents,
            ean: r.ean.clone(),
            cause: r.cause.clone(),
            stock: r.stock,
            valid_from: r.valid_from.clone(),
            valid_to: r.valid_to.clone(),
            min_level: level_from_code(&r.min_level).unwrap_or(Level::Bronze),
            monthly_limit: r.monthly_limit,
        },
        issued: r.issued,
        paused: r.status != "active",
    }
}

/// The wire view of a voucher, with its barcode.
pub fn voucher_view(v: &Voucher, now: &str) -> VoucherView {
    let status = match redeem::shown_status(v, now).as_str() {
        "used" => VoucherStatus::Used,
        "expired" => VoucherStatus::Expired,
        "cancelled" => VoucherStatus::Cancelled,
        "donated" => VoucherStatus::Donated,
        _ => VoucherStatus::Active,
    };
    VoucherView {
        code: v.id.clone(),
        kind: RewardKind::from_code(&v.kind).unwrap_or(RewardKind::Voucher),
        title_it: v.title_it.clone(),
        title_en: v.title_en.clone(),
        value_cents: v.value_cents,
        ean: v.ean.clone(),
        cause: v.cause.clone(),
        points: v.points,
        status,
        issued_at: v.issued_at.clone(),
        expires_at: v.expires_at.clone(),
        used_at: v.used_at.clone(),
        barcode_svg: if status == VoucherStatus::Active {
            crate::cards::svg::barcode(&v.id).unwrap_or_default()
        } else {
            String::new()
        },
    }
}

/// The stored record of a checked reward.
fn record(id: String, spec: &RewardSpec, previous: Option<&Reward>) -> Reward {
    let now = now_rfc3339();
    Reward {
        id,
        kind: spec.kind.code().into(),
        title_it: spec.title_it.clone(),
        title_en: spec.title_en.clone(),
        description_it: spec.description_it.clone(),
        description_en: spec.description_en.clone(),
        points: spec.points,
        value_cents: spec.value_cents,
        ean: spec.ean.clone(),
        cause: spec.cause.clone(),
        stock: spec.stock,
        issued: previous.map_or(0, |p| p.issued),
        valid_from: spec.valid_from.clone(),
        valid_to: spec.valid_to.clone(),
        min_level: level_code(spec.min_level).into(),
        monthly_limit: spec.monthly_limit,
        status: previous.map_or_else(|| "active".to_string(), |p| p.status.clone()),
        version: previous.map_or(0, |p| p.version + 1),
        created_at: previous.map_or_else(|| now.clone(), |p| p.created_at.clone()),
        updated_at: now,
    }
}

#[async_trait]
impl Rewards for RewardsService {
    async fn catalogue(&self) -> Result<Vec<RewardView>, AppError> {
        Ok(self.all().await?.iter().map(reward_view).collect())
    }

    async fn save_reward(&self, id: Option<String>, input: RewardInput) -> Result<RewardView, AppError> {
        let spec = validate_reward(&input).map_err(|(field, message)| AppError::invalid(field, message))?;
        match id.filter(|i| !i.trim().is_empty()) {
            None => {
                let r = record(uuid::Uuid::new_v4().to_string(), &spec, None);
                self.store.insert_one(&r).await?;
                self.tell(|p| p.book_reload());
                Ok(reward_view(&r))
            }
            Some(id) => {
                // A compare-and-set on the version: an edit never loses a redemption's stock count.
                for _ in 0..20 {
                    let old: Reward = self.store.get_one(&id).await?.ok_or(AppError::NotFound)?;
                    let new = record(id.clone(), &spec, Some(&old));
                    if self.store.replace_if(Table::Rewards, to_doc(&new)?, "version", &json!(old.version)).await? {
                        self.tell(|p| p.book_reload());
                        return Ok(reward_view(&new));
                    }
                }
                Err(AppError::Busy { retry_after_secs: 1 })
            }
        }
    }

    async fn set_paused(&self, id: &str, paused: bool) -> Result<RewardView, AppError> {
        for _ in 0..20 {
            let old: Reward = self.store.get_one(id).await?.ok_or(AppError::NotFound)?;
            let status = if paused { "paused" } else { "active" };
            let new =
                Reward { status: status.into(), version: old.version + 1, updated_at: now_rfc3339(), ..old.clone() };
            if self.store.replace_if(Table::Rewards, to_doc(&new)?, "version", &json!(old.version)).await? {
                self.tell(|p| p.book_reload());
                return Ok(reward_view(&new));
            }
        }
        Err(AppError::Busy { retry_after_secs: 1 })
    }

    async fn my_rewards(&self, user: &SessionUser) -> Result<RewardsPage, AppError> {
        let card = Self::card(user)?;
        let (balance, _, level) = crate::points::status(self.store.as_ref(), card, &self.thresholds).await?;
        let now = now_rfc3339();
        let mine: Vec<Voucher> = self.store.find("card_number", json!(card), 100_000).await?;
        let mut offers = Vec::new();
        for r in self.all().await?.iter().filter(|r| r.status == "active") {
            let this_month = redeem::taken_in_month(&mine, &r.id, &now[..7]);
            let blocked = redeem::blocked(r, level, balance, this_month, &now[..10]);
            offers.push(RewardOffer {
                reward: reward_view(r),
                missing_points: (r.points - balance).max(0),
                blocked: blocked.map(str::to_string),
            });
        }
        let mut vouchers: Vec<VoucherView> = mine
            .iter()
            .filter(|v| !matches!(v.status.as_str(), "pending" | "void"))
            .map(|v| voucher_view(v, &now))
            .collect();
        vouchers.sort_by(|a, b| b.issued_at.cmp(&a.issued_at));
        Ok(RewardsPage { balance, offers, vouchers })
    }

    async fn redeem(&self, user: &SessionUser, reward_id: &str) -> Result<VoucherView, AppError> {
        let card = Self::card(user)?;
        let (_, _, level) = crate::points::status(self.store.as_ref(), card, &self.thresholds).await?;
        let changing = self.changing().await;
        let v = redeem::redeem(self.store.as_ref(), card, reward_id, level, self.voucher_days).await?;
        if let Some(p) = &self.points {
            p.book_entries(&[redeem::redeem_entry(&v)]);
            p.book_voucher(&v);
        }
        drop(changing);
        tracing::info!(card = %crate::telemetry::masked(card), voucher = %crate::telemetry::masked(&v.id), "redeemed");
        Ok(voucher_view(&v, &now_rfc3339()))
    }

    async fn cancel_voucher(&self, user: &SessionUser, code: &str) -> Result<VoucherView, AppError> {
        let card = Self::card(user)?;
        let changing = self.changing().await;
        let v = redeem::cancel(self.store.as_ref(), card, code).await?;
        if let Some(p) = &self.points {
            p.book_entries(&[redeem::refund_entry(&v)]);
            p.book_voucher(&v);
        }
        drop(changing);
        Ok(voucher_view(&v, &now_rfc3339()))
    }
}
