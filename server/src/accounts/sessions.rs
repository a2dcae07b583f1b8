//! Ending sessions. A session is a family of rotating refresh tokens plus the short-lived
//! access tokens issued from them; ending a user's sessions revokes every refresh token of the
//! user (paged: no cap on how many) and records the instant before which their access tokens
//! are void (`sessions_after`, checked on every guarded call). Done on a password change, a
//! role or status change, and an erasure.

use serde_json::Value;

use crate::clock::now_rfc3339_millis;
use crate::store::model::{RefreshToken, UserAccount};
use crate::store::{from_doc, Store, StoreExt, StoreResult, Table};

/// Tokens read per page while revoking.
const PAGE: u32 = 500;

/// Revokes every token whose indexed `field` is `value` (a family or a user).
pub async fn revoke_where(store: &dyn Store, field: &str, value: &str) -> StoreResult<u64> {
    let mut after: Option<String> = None;
    let mut revoked = 0;
    loop {
        let page = store.find_after(Table::RefreshTokens, field, &Value::from(value), after.as_deref(), PAGE).await?;
        let Some(last) = page.last().and_then(|d| d.get("id")).and_then(Value::as_str).map(str::to_string) else {
            return Ok(revoked);
        };
        let mut spent = Vec::new();
        for doc in page {
            let token: RefreshToken = from_doc(doc)?;
            if !token.revoked {
                spent.push(RefreshToken { revoked: true, ..token });
            }
        }
        // One write per page (one transaction on SQLite).
        revoked += store.upsert_all(&spent).await?.updated;
        after = Some(last);
    }
}

/// Ends every session of `account`: its refresh tokens are revoked and access tokens issued
/// before now stop working. Returns the account as stored.
pub async fn end_all(store: &dyn Store, account: UserAccount) -> StoreResult<UserAccount> {
    let updated = UserAccount { sessions_after: Some(now_rfc3339_millis()), ..account };
    store.replace_one(&updated).await?;
    let revoked = revoke_where(store, "user_id", &updated.id).await?;
    tracing::info!(user = %updated.id, revoked, "sessions ended");
    Ok(updated)
}
