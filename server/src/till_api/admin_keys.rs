//! The admin area's side of the store keys: the `ShopKeys` port over [`super::keys`].

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::shop_key::{CreatedShopKey, ShopKeyRow};
use async_trait::async_trait;

use crate::error::internal;
use crate::store::model::ShopKey;
use crate::store::Store;

use super::keys;

/// The port implementation.
pub struct ShopKeyService {
    store: Arc<dyn Store>,
}

impl ShopKeyService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        ShopKeyService { store }
    }
}

fn row(k: ShopKey) -> ShopKeyRow {
    ShopKeyRow {
        id: k.id,
        store_id: k.shop_id,
        prefix: k.prefix,
        label: k.label,
        created_at: k.created_at,
        created_by: k.created_by,
        revoked_at: k.revoked_at,
    }
}

#[async_trait]
impl app::ports::ShopKeys for ShopKeyService {
    async fn list(&self) -> Result<Vec<ShopKeyRow>, AppError> {
        Ok(keys::list(self.store.as_ref(), None).await?.into_iter().map(row).collect())
    }

    async fn create(&self, acting: &SessionUser, store_id: &str, label: &str) -> Result<CreatedShopKey, AppError> {
        let (record, key) = keys::create(self.store.as_ref(), store_id, Some(label), &format!("admin:{}", acting.id))
            .await
            .map_err(app_error)?;
        Ok(CreatedShopKey { row: row(record), key })
    }

    async fn revoke(&self, id: &str) -> Result<ShopKeyRow, AppError> {
        keys::revoke(self.store.as_ref(), id, None).await.map(row).map_err(app_error)
    }
}

/// The admin area's error for a key error (the form names the store field `store_id`).
fn app_error(e: keys::KeyError) -> AppError {
    match e {
        keys::KeyError::Invalid { field, rule, .. } => {
            AppError::invalid(if field == "store" { "store_id" } else { field }, rule)
        }
        keys::KeyError::NotFound { .. } | keys::KeyError::Ambiguous(_) => AppError::NotFound,
        keys::KeyError::Store(e) => internal(e),
    }
}
