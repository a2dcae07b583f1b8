//! Admin-only server functions. Each checks the role on the server first: 401 without a
//! session, 403 for a shopper or a disabled account.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::account::Role;
use crate::model::admin::{AdminGateView, AdminRow};
use crate::model::import::{BatchRow, ImportJobView};
use crate::model::shop_key::{CreatedShopKey, ShopKeyRow};
#[cfg(feature = "ssr")]
use crate::server_fns::guard::as_role;

/// Checks the caller is an active admin (used by every admin page), with the store's alerts
/// every admin page shows above its content.
#[server(prefix = "/api", endpoint = "admin_gate")]
pub async fn admin_gate() -> Result<AdminGateView, AppError> {
    as_role(Role::Admin, |s, user| async move { Ok(AdminGateView { user, alerts: s.store_health.alerts() }) }).await
}

/// Every admin account (super admin only).
#[server(prefix = "/api", endpoint = "admin_list")]
pub async fn list_admins() -> Result<Vec<AdminRow>, AppError> {
    as_role(Role::SuperAdmin, |s, _| async move { s.admins.list().await }).await
}

/// Creates an admin account (super admin only).
#[server(prefix = "/api", endpoint = "admin_create")]
pub async fn create_admin(
    email: String,
    first_name: String,
    last_name: String,
    password: String,
) -> Result<AdminRow, AppError> {
    as_role(Role::SuperAdmin, |s, _| async move { s.admins.create(&email, &first_name, &last_name, &password).await })
        .await
}

/// Disables (`active = false`) or re-enables an admin (super admin only).
#[server(prefix = "/api", endpoint = "admin_set_active")]
pub async fn set_admin_active(id: String, active: bool) -> Result<AdminRow, AppError> {
    as_role(Role::SuperAdmin, |s, acting| async move { s.admins.set_active(&acting, &id, active).await }).await
}

/// Progress of an upload import (admins only).
#[server(prefix = "/api", endpoint = "import_job")]
pub async fn import_job(job_id: String) -> Result<ImportJobView, AppError> {
    as_role(Role::Admin, |s, _| async move { s.imports.job(&job_id).await }).await
}

/// The recorded import batches, newest first (admins only).
#[server(prefix = "/api", endpoint = "import_batches")]
pub async fn import_batches() -> Result<Vec<BatchRow>, AppError> {
    as_role(Role::Admin, |s, _| async move { s.imports.batches(200).await }).await
}

/// Every shop API key, newest first (admins only).
#[server(prefix = "/api", endpoint = "store_keys")]
pub async fn list_shop_keys() -> Result<Vec<ShopKeyRow>, AppError> {
    as_role(Role::Admin, |s, _| async move { s.shop_keys.list().await }).await
}

/// Creates an API key for a shop (`store_id`, the till API's field); the answer is the only
/// time the key is shown (admins only).
#[server(prefix = "/api", endpoint = "store_key_create")]
pub async fn create_shop_key(store_id: String, label: String) -> Result<CreatedShopKey, AppError> {
    as_role(Role::Admin, |s, acting| async move { s.shop_keys.create(&acting, &store_id, &label).await }).await
}

/// Revokes a shop API key at once (admins only).
#[server(prefix = "/api", endpoint = "store_key_revoke")]
pub async fn revoke_shop_key(id: String) -> Result<ShopKeyRow, AppError> {
    as_role(Role::Admin, |s, _| async move { s.shop_keys.revoke(&id).await }).await
}
