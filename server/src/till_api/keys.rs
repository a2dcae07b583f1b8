//! Per-store API keys for the tills. A key is 32 random bytes shown once (`igk_` + 64 hex
//! digits); the store keeps only its SHA-256, so a leaked database does not leak keys (the keys
//! are random, so a fast hash is enough: there is nothing to guess). A key is limited to its
//! store and stops working the moment it is revoked.

use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::store::model::ShopKey;
use crate::store::{Store, StoreError, StoreExt, StoreResult};

/// Every key starts with this.
pub const KEY_PREFIX: &str = "igk_";
/// Keys listed per store at most.
const MAX_KEYS: u32 = 10_000;

/// SHA-256 (hex) of a key as presented.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new random key.
pub fn new_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", hex::encode(bytes))
}

/// What a store code must be, for keys and for the receipts they send.
pub const STORE_RULE: &str = "expected a store code of 1 to 40 letters, digits, `_` or `.`";

/// A store code as keys accept it: 1 to 40 characters, letters, digits, `_` and `.`.
pub fn valid_store(store: &str) -> bool {
    !store.is_empty() && store.len() <= 40 && store.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// Why a key could not be created or revoked.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `field` (`store` or `label`) with `value` breaks `rule`.
    #[error("{field} `{value}`: {rule}")]
    Invalid { field: &'static str, value: String, rule: &'static str },
    #[error("no key `{wanted}`{}", .shop.as_deref().map(|s| format!(" for store {s}")).unwrap_or_default())]
    NotFound { wanted: String, shop: Option<String> },
    #[error("`{0}` names several keys: use the key id")]
    Ambiguous(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a key for `store`: the record (hash only) and the key itself, to show once.
pub async fn create(
    store: &dyn Store,
    shop: &str,
    label: Option<&str>,
    created_by: &str,
) -> Result<(ShopKey, String), KeyError> {
    let shop = shop.trim();
    if !valid_store(shop) {
        return Err(KeyError::Invalid { field: "store", value: shop.to_string(), rule: STORE_RULE });
    }
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    if let Some(l) = label.filter(|l| l.chars().count() > 80) {
        return Err(KeyError::Invalid { field: "label", value: l.to_string(), rule: "expected at most 80 characters" });
    }
    let key = new_key();
    let record = ShopKey {
        id: uuid::Uuid::new_v4().to_string(),
        shop_id: shop.to_string(),
        key_hash: hash_key(&key),
        prefix: key[..KEY_PREFIX.len() + 8].to_string(),
        label: label.map(str::to_string),
        created_at: crate::clock::now_rfc3339(),
        created_by: created_by.to_string(),
        revoked_at: None,
    };
    store.insert_one(&record).await?;
    Ok((record, key))
}

/// Keys of one store, or of every store (newest first).
pub async fn list(store: &dyn Store, shop: Option<&str>) -> StoreResult<Vec<ShopKey>> {
    let mut keys: Vec<ShopKey> = match shop {
        Some(s) => store.find("shop_id", json!(s), MAX_KEYS).await?,
        None => {
            let mut all = Vec::new();
            crate::projection::scan_all::<ShopKey>(store, |k| all.push(k.clone())).await?;
            all
        }
    };
    keys.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
    Ok(keys)
}

/// Revokes the key with this id (one read) or prefix (of `shop`, when given). Returns the
/// revoked key; revoking twice keeps the first date.
pub async fn revoke(store: &dyn Store, id_or_prefix: &str, shop: Option<&str>) -> Result<ShopKey, KeyError> {
    let wanted = id_or_prefix.trim();
    let by_id = store.get_one::<ShopKey>(wanted).await?.filter(|k| shop.is_none_or(|s| k.shop_id == s));
    let key = match by_id {
        Some(k) => k,
        None => {
            let keys = list(store, shop).await?;
            let mut matching = keys.into_iter().filter(|k| k.prefix == wanted);
            match (matching.next(), matching.next()) {
                (Some(k), None) => k,
                (None, _) => {
                    return Err(KeyError::NotFound { wanted: wanted.to_string(), shop: shop.map(str::to_string) })
                }
                (Some(_), Some(_)) => return Err(KeyError::Ambiguous(wanted.to_string())),
            }
        }
    };
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let revoked = ShopKey { revoked_at: Some(crate::clock::now_rfc3339()), ..key };
    store.replace_one(&revoked).await?;
    Ok(revoked)
}

/// The active key presented as `key`, if any.
pub async fn verify(store: &dyn Store, key: &str) -> StoreResult<Option<ShopKey>> {
    if !key.starts_with(KEY_PREFIX) || key.len() != KEY_PREFIX.len() + 64 {
        return Ok(None);
    }
    let found: Vec<ShopKey> = store.find("key_hash", json!(hash_key(key)), 1).await?;
    Ok(found.into_iter().next().filter(|k| k.revoked_at.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_hashed() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a, b);
        assert!(a.starts_with("igk_") && a.len() == 68);
        assert_eq!(hash_key(&a), hash_key(&a));
        assert_ne!(hash_key(&a), hash_key(&b));
        assert_eq!(hash_key("igk_x"), hex::encode(Sha256::digest(b"igk_x")));
        assert!(
            valid_store("S01")
                && valid_store("forli.centro")
                && !valid_store("")
                && !valid_store("S 01")
                && !valid_store(&"x".repeat(41))
        );
    }
}
