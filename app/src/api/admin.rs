//! Admin-only server functions. Each checks the role on the server first: 401 without a
//! session, 403 for a shopper or a disabled account.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account::SessionUser;
use crate::model::admin::AdminRow;

/// Checks the caller is an active admin (used by every admin page).
#[server(prefix = "/api", endpoint = "admin_gate")]
pub async fn admin_gate() -> Result<SessionUser, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(async { app_state()?.sessions.require(current_user().as_ref(), Role::Admin).await }.await)
}

/// Every admin account (super admin only).
#[server(prefix = "/api", endpoint = "admin_list")]
pub async fn list_admins() -> Result<Vec<AdminRow>, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::SuperAdmin).await?;
            state.admins.list().await
        }
        .await,
    )
}

/// Creates an admin account (super admin only).
#[server(prefix = "/api", endpoint = "admin_create")]
pub async fn create_admin(email: String, first_name: String, last_name: String, password: String) -> Result<AdminRow, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::SuperAdmin).await?;
            state.admins.create(&email, &first_name, &last_name, &password).await
        }
        .await,
    )
}

/// Disables (`active = false`) or re-enables an admin (super admin only).
#[server(prefix = "/api", endpoint = "admin_set_active")]
pub async fn set_admin_active(id: String, active: bool) -> Result<AdminRow, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            let acting = state.sessions.require(current_user().as_ref(), Role::SuperAdmin).await?;
            state.admins.set_active(&acting, &id, active).await
        }
        .await,
    )
}

/// Progress of an upload import (admins only).
#[server(prefix = "/api", endpoint = "import_job")]
pub async fn import_job(job_id: String) -> Result<crate::model::import::ImportJobView, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.imports.job(&job_id).await
        }
        .await,
    )
}

/// The recorded import batches, newest first (admins only).
#[server(prefix = "/api", endpoint = "import_batches")]
pub async fn import_batches() -> Result<Vec<crate::model::import::BatchRow>, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.imports.batches(200).await
        }
        .await,
    )
}

/// Every store API key, newest first (admins only).
#[server(prefix = "/api", endpoint = "store_keys")]
pub async fn list_store_keys() -> Result<Vec<crate::model::store_key::StoreKeyRow>, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.store_keys.list().await
        }
        .await,
    )
}

/// Creates an API key for a store; the answer is the only time the key is shown (admins only).
#[server(prefix = "/api", endpoint = "store_key_create")]
pub async fn create_store_key(store_id: String, label: String) -> Result<crate::model::store_key::CreatedStoreKey, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            let acting = state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.store_keys.create(&acting, &store_id, &label).await
        }
        .await,
    )
}

/// Revokes a store API key at once (admins only).
#[server(prefix = "/api", endpoint = "store_key_revoke")]
pub async fn revoke_store_key(id: String) -> Result<crate::model::store_key::StoreKeyRow, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.store_keys.revoke(&id).await
        }
        .await,
    )
}
