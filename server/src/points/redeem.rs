//! Spending points: a redemption turns points into a voucher, exactly once, whatever the
//! concurrency (two tabs, two replicas, a retrying client), on either store and without
//! multi-document transactions.
//!
//! The design: each card has a **wallet** document whose `version` every redemption moves by a
//! compare-and-set, so a card's redemptions happen one at a time. A redemption
//! 1. reads the wallet (finishing a redemption another request left `pending`);
//! 2. checks the reward and reads the balance from the ledger (the one source of balances);
//! 3. stores the voucher as `pending` under a fresh random code;
//! 4. moves the wallet `version → version + 1` naming the voucher `pending` — exactly one of
//!    any number of racing redemptions wins; a loser voids its voucher and starts again (and now
//!    sees the winner's spending);
//! 5. takes the reward's stock (another compare-and-set, on the reward's `version`);
//! 6. writes the ledger's `redeem:<code>` entry (idempotent by key) and activates the voucher;
//!    whoever comes next finishes steps 5–6 if this request died in between.
//!
//! A cancellation moves the voucher `active → cancelled` by compare-and-set (so it cannot race
//! its use at a till) and writes `refund:<code>`, giving the points back.

use app::error::AppError;
use app::model::levels::Level;
use app::model::rewards::{level_from_code, RewardKind};
use serde_json::json;

use crate::clock::now_rfc3339;
use crate::store::model::{PointsEntry, Reward, Voucher, Wallet};
use crate::store::{to_doc, Store, StoreError, StoreExt, Table};

/// Attempts before a redemption under heavy contention gives up (503, retry).
const ATTEMPTS: usize = 200;

/// The ledger entry that pays for voucher `v`.
pub fn redeem_entry(v: &Voucher) -> PointsEntry {
    PointsEntry {
        id: format!("redeem:{}", v.id),
        card_number: v.card_number.clone(),
        points: -v.points,
        kind: "redeem".into(),
        reason: Some(v.title_it.clone()),
        receipt_id: None,
        created_at: v.issued_at.clone(),
        created_by: None,
    }
}

/// The ledger entry that gives back the points of cancelled voucher `v`.
pub fn refund_entry(v: &Voucher) -> PointsEntry {
    PointsEntry {
        id: format!("refund:{}", v.id),
        card_number: v.card_number.clone(),
        points: v.points,
        kind: "refund".into(),
        reason: Some(v.title_it.clone()),
        receipt_id: None,
        created_at: v.cancelled_at.clone().unwrap_or_default(),
        created_by: None,
    }
}

/// Why a redemption was refused, as the code the pages translate.
fn refused(code: &str) -> AppError {
    AppError::invalid("reward", code)
}

async fn wallet(store: &dyn Store, card: &str) -> Result<Wallet, AppError> {
    if let Some(w) = store.get_one::<Wallet>(card).await? {
        return Ok(w);
    }
    let fresh = Wallet { id: card.to_string(), version: 0, pending: None, updated_at: now_rfc3339() };
    match store.insert_one(&fresh).await {
        Ok(()) => Ok(fresh),
        // Another request created it first (some wire-compatible servers report the race as
        // another error than a duplicate key): read what is there.
        Err(e) => match store.get_one::<Wallet>(card).await? {
            Some(w) => Ok(w),
            None => Err(e.into()),
        },
    }
}

/// Compare-and-set of a wallet from `from` (its stored version) to `to`.
async fn move_wallet(store: &dyn Store, from: &Wallet, to: Wallet) -> Result<bool, AppError> {
    Ok(store.replace_if(Table::Wallets, to_doc(&to)?, "version", &json!(from.version)).await?)
}

/// Takes one from the reward's stock, if it has any left (`Ok(false)`: sold out).
async fn take_stock(store: &dyn Store, reward_id: &str) -> Result<bool, AppError> {
    for _ in 0..ATTEMPTS {
        let r: Reward = store.get_one(reward_id).await?.ok_or(AppError::NotFound)?;
        if r.stock.is_some_and(|s| r.issued >= s) {
            return Ok(false);
        }
        let taken = Reward { issued: r.issued + 1, version: r.version + 1, ..r.clone() };
        // An error is a lost race here too: try again (at worst the count runs one high, which
        // never oversells).
        if store.replace_if(Table::Rewards, to_doc(&taken)?, "version", &json!(r.version)).await.unwrap_or(false) {
            return Ok(true);
        }
    }
    Err(AppError::Busy { retry_after_secs: 1 })
}

/// Steps 5–6 for the pending voucher `code` of `wallet`: stock, ledger entry, activation, and
/// the wallet released. Idempotent: any request may run it, any number of times.
async fn finish(store: &dyn Store, wallet: &Wallet, code: &str) -> Result<(), AppError> {
    if let Some(v) = store.get_one::<Voucher>(code).await? {
        if v.status == "pending" {
            if take_stock(store, &v.reward_id).await? {
                let entry = redeem_entry(&v);
                // Two requests may finish the same redemption at once: the entry's key makes it
                // one, and the second writer's duplicate is that one.
                match store.upsert_all(&[entry]).await {
                    Ok(_) | Err(StoreError::Duplicate { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                let status = if v.kind == RewardKind::Donation.code() { "donated" } else { "active" };
                let active = Voucher { status: status.into(), ..v.clone() };
                store.replace_if(Table::Vouchers, to_doc(&active)?, "status", &json!("pending")).await?;
            } else {
                let void = Voucher { status: "void".into(), ..v.clone() };
                store.replace_if(Table::Vouchers, to_doc(&void)?, "status", &json!("pending")).await?;
            }
        }
    }
    let released = Wallet { version: wallet.version + 1, pending: None, updated_at: now_rfc3339(), ..wallet.clone() };
    // A failed release is harmless: whoever comes next finds the voucher done and releases.
    if let Err(e) = move_wallet(store, wallet, released).await {
        tracing::warn!(error = %e, "wallet not released; the next redemption will");
    }
    Ok(())
}

/// What stops `card` (at `level`, balance `balance`) from redeeming `reward` on `today`
/// (`YYYY-MM-DD`), with `this_month` vouchers of it issued this month: a refusal code, or none.
pub fn blocked(reward: &Reward, level: Level, balance: i64, this_month: i64, today: &str) -> Option<&'static str> {
    if reward.status != "active" {
        return Some("paused");
    }
    if reward.valid_from.as_deref().is_some_and(|f| today < f) {
        return Some("not_yet");
    }
    if reward.valid_to.as_deref().is_some_and(|t| today > t) {
        return Some("ended");
    }
    if level < level_from_code(&reward.min_level).unwrap_or(Level::Bronze) {
        return Some("level");
    }
    if reward.stock.is_some_and(|s| reward.issued >= s) {
        return Some("stock");
    }
    if reward.monthly_limit.is_some_and(|m| this_month >= m) {
        return Some("monthly_limit");
    }
    if balance < reward.points {
        return Some("points");
    }
    None
}

/// Of a card's `vouchers`, those of `reward_id` taken in `month` (`YYYY-MM`) and not voided or
/// cancelled: what the per-month limit counts.
pub fn taken_in_month(vouchers: &[Voucher], reward_id: &str, month: &str) -> i64 {
    vouchers
        .iter()
        .filter(|v| v.reward_id == reward_id && v.issued_at.starts_with(month))
        .filter(|v| !matches!(v.status.as_str(), "void" | "cancelled"))
        .count() as i64
}

/// Issues a voucher of `reward_id` to `card` (whose level is `level`): exactly once per call,
/// never below a zero balance. `voucher_days`: how long the voucher is valid.
pub async fn redeem(
    store: &dyn Store,
    card: &str,
    reward_id: &str,
    level: Level,
    voucher_days: i64,
) -> Result<Voucher, AppError> {
    redeem_at(store, card, reward_id, level, voucher_days, &now_rfc3339()).await
}

/// [`redeem`] as of `now` (RFC 3339): the demo data's past redemptions.
pub async fn redeem_at(
    store: &dyn Store,
    card: &str,
    reward_id: &str,
    level: Level,
    voucher_days: i64,
    now: &str,
) -> Result<Voucher, AppError> {
    let now = now.to_string();
    let expires_at = crate::clock::rfc3339_of_unix(
        crate::clock::unix_of(&now).unwrap_or_else(crate::clock::unix_now) + voucher_days * 24 * 3600,
    );
    for _ in 0..ATTEMPTS {
        let w = wallet(store, card).await?;
        if let Some(code) = w.pending.clone() {
            finish(store, &w, &code).await?;
            continue;
        }
        let reward: Reward = store.get_one(reward_id).await?.ok_or(AppError::NotFound)?;
        let (balance, _) = store.points_totals(card, "9999").await?;
        let mine: Vec<Voucher> = store.find("card_number", json!(card), 100_000).await?;
        let this_month = taken_in_month(&mine, reward_id, &now[..7]);
        if let Some(code) = blocked(&reward, level, balance, this_month, &now[..10]) {
            return Err(refused(code));
        }
        let voucher = loop {
            let code = app::validate::ean13::voucher_code(rand::random::<u64>() % 10_000_000_000)
                .ok_or_else(|| crate::error::internal("voucher code"))?;
            let v = Voucher {
                id: code,
                card_number: card.to_string(),
                reward_id: reward.id.clone(),
                kind: reward.kind.clone(),
                title_it: reward.title_it.clone(),
                title_en: reward.title_en.clone(),
                value_cents: reward.value_cents,
                ean: reward.ean.clone(),
                cause: reward.cause.clone(),
                points: reward.points,
                status: "pending".into(),
                issued_at: now.clone(),
                expires_at: expires_at.clone(),
                used_at: None,
                receipt_id: None,
                cancelled_at: None,
            };
            match store.insert_one(&v).await {
                Ok(()) => break v,
                Err(StoreError::Duplicate { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let claimed =
            Wallet { version: w.version + 1, pending: Some(voucher.id.clone()), updated_at: now.clone(), ..w.clone() };
        let moved = match move_wallet(store, &w, claimed.clone()).await {
            Ok(moved) => moved,
            // The answer was lost (a write conflict reported by the server, a dropped reply):
            // the stored wallet says whether it moved for this voucher.
            Err(_) => store
                .get_one::<Wallet>(card)
                .await?
                .is_some_and(|now| now.pending.as_deref() == Some(voucher.id.as_str())),
        };
        if !moved {
            // Another redemption of this card went first: void this voucher and look again.
            let void = Voucher { status: "void".into(), ..voucher };
            store.replace_if(Table::Vouchers, to_doc(&void)?, "status", &json!("pending")).await?;
            continue;
        }
        finish(store, &claimed, &voucher.id).await?;
        let issued: Voucher = store.get_one(&voucher.id).await?.ok_or(AppError::Unavailable)?;
        if issued.status == "void" {
            return Err(refused("stock"));
        }
        return Ok(issued);
    }
    Err(AppError::Busy { retry_after_secs: 1 })
}

/// Cancels `card`'s unused voucher `code` and gives its points back (`refund:<code>`).
pub async fn cancel(store: &dyn Store, card: &str, code: &str) -> Result<Voucher, AppError> {
    cancel_at(store, card, code, &now_rfc3339()).await
}

/// [`cancel`] as of `now` (RFC 3339).
pub async fn cancel_at(store: &dyn Store, card: &str, code: &str, now: &str) -> Result<Voucher, AppError> {
    let v: Voucher =
        store.get_one::<Voucher>(code).await?.filter(|v| v.card_number == card).ok_or(AppError::NotFound)?;
    if v.status != "active" {
        return Err(AppError::invalid("code", format!("voucher_{}", v.status)));
    }
    let cancelled = Voucher { status: "cancelled".into(), cancelled_at: Some(now.to_string()), ..v.clone() };
    if !store.replace_if(Table::Vouchers, to_doc(&cancelled)?, "status", &json!("active")).await? {
        return Err(AppError::invalid("code", "voucher_changed"));
    }
    let entry = refund_entry(&cancelled);
    store.upsert_all(&[entry]).await?;
    Ok(cancelled)
}

/// What marking a voucher used at a till came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Use {
    /// This receipt took the voucher now.
    Claimed,
    /// This receipt already held it (a retry).
    Used,
    /// Another receipt used it first.
    UsedElsewhere,
    /// It cannot be used: its shown status (`expired`, `cancelled`, …) or `unknown`.
    Unusable(String),
}

/// Marks voucher `code` used by receipt `receipt_id`, exactly once (a compare-and-set from
/// `active`).
pub async fn mark_used(store: &dyn Store, code: &str, receipt_id: &str) -> Result<Use, AppError> {
    mark_used_at(store, code, receipt_id, &now_rfc3339()).await
}

/// [`mark_used`] as of `now` (RFC 3339).
pub async fn mark_used_at(store: &dyn Store, code: &str, receipt_id: &str, now: &str) -> Result<Use, AppError> {
    let Some(v) = store.get_one::<Voucher>(code).await? else { return Ok(Use::Unusable("unknown".into())) };
    let now = now.to_string();
    match shown_status(&v, &now).as_str() {
        "used" if v.receipt_id.as_deref() == Some(receipt_id) => return Ok(Use::Used),
        "used" => return Ok(Use::UsedElsewhere),
        "active" => {}
        "pending" | "void" => return Ok(Use::Unusable("unknown".into())),
        other => return Ok(Use::Unusable(other.to_string())),
    }
    let used =
        Voucher { status: "used".into(), used_at: Some(now.clone()), receipt_id: Some(receipt_id.to_string()), ..v };
    if store.replace_if(Table::Vouchers, to_doc(&used)?, "status", &json!("active")).await? {
        return Ok(Use::Claimed);
    }
    // It changed meanwhile: look again (a racing receipt, or a cancellation).
    Box::pin(mark_used_at(store, code, receipt_id, &now)).await
}

/// Gives voucher `code` back (active again) when receipt `receipt_id` took it but could not
/// be stored after all.
pub async fn release(store: &dyn Store, code: &str, receipt_id: &str) -> Result<(), AppError> {
    if let Some(v) = store.get_one::<Voucher>(code).await? {
        if v.status == "used" && v.receipt_id.as_deref() == Some(receipt_id) {
            let active = Voucher { status: "active".into(), used_at: None, receipt_id: None, ..v };
            store.replace_if(Table::Vouchers, to_doc(&active)?, "status", &json!("used")).await?;
        }
    }
    Ok(())
}

/// The status a voucher shows: `expired` once past its date while unused.
pub fn shown_status(v: &Voucher, now: &str) -> String {
    if v.status == "active" && v.expires_at.as_str() < now {
        "expired".into()
    } else {
        v.status.clone()
    }
}
