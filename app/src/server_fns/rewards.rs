//! The rewards catalogue (admins) and spending points (shoppers).

// The reward form has one argument per field (the server function's wire format).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::rewards::{MovementsPage, RewardView, RewardsPage, VoucherView};
#[cfg(feature = "ssr")]
use crate::{model::account::Role, server_fns::guard::as_role};

/// Every reward, paused ones included (admins).
#[server(prefix = "/api", endpoint = "rewards_catalogue")]
pub async fn rewards_catalogue() -> Result<Vec<RewardView>, AppError> {
    as_role(Role::Admin, |s, _| async move { s.rewards.catalogue().await }).await
}

/// Creates (no `id`) or edits a reward (admins). Field names are the form's.
#[server(prefix = "/api", endpoint = "reward_save")]
pub async fn reward_save(
    #[server(default)] id: Option<String>,
    kind: String,
    title_it: String,
    title_en: String,
    #[server(default)] description_it: String,
    #[server(default)] description_en: String,
    points: String,
    #[server(default)] value_eur: String,
    #[server(default)] ean: String,
    #[server(default)] cause: String,
    #[server(default)] stock: String,
    #[server(default)] valid_from: String,
    #[server(default)] valid_to: String,
    #[server(default)] min_level: String,
    #[server(default)] monthly_limit: String,
) -> Result<RewardView, AppError> {
    let input = crate::model::rewards::RewardInput {
        kind,
        title_it,
        title_en,
        description_it,
        description_en,
        points,
        value_eur,
        ean,
        cause,
        stock,
        valid_from,
        valid_to,
        min_level,
        monthly_limit,
    };
    as_role(Role::Admin, |s, _| async move { s.rewards.save_reward(id, input).await }).await
}

/// Pauses (`paused=true`) or resumes a reward (admins).
#[server(prefix = "/api", endpoint = "reward_pause")]
pub async fn reward_pause(id: String, paused: bool) -> Result<RewardView, AppError> {
    as_role(Role::Admin, |s, _| async move { s.rewards.set_paused(&id, paused).await }).await
}

/// The caller's balance, rewards and vouchers.
#[server(prefix = "/api", endpoint = "my_rewards")]
pub async fn my_rewards() -> Result<RewardsPage, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.rewards.my_rewards(&user).await }).await
}

/// Spends the caller's points on a reward.
#[server(prefix = "/api", endpoint = "redeem")]
pub async fn redeem(reward_id: String) -> Result<VoucherView, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.rewards.redeem(&user, &reward_id).await }).await
}

/// Cancels the caller's unused voucher; the points come back.
#[server(prefix = "/api", endpoint = "cancel_voucher")]
pub async fn cancel_voucher(code: String) -> Result<VoucherView, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.rewards.cancel_voucher(&user, &code).await }).await
}

/// Every movement of the caller's points, with the running balance.
#[server(prefix = "/api", endpoint = "my_points")]
pub async fn my_points() -> Result<MovementsPage, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.points.movements(&user).await }).await
}
