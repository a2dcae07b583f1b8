//! Admin accounts: created by the super admin (page or CLI), disabled and re-enabled, never
//! deleted. There are no default credentials: the first super admin comes only from
//! `imagross admin create`.

use std::sync::Arc;

use app::error::AppError;
use app::model::account::{Role, SessionUser};
use app::model::admin::AdminRow;
use app::ports::AdminUsers;
use app::validate::{self, Problem};
use async_trait::async_trait;

use super::{internal, now_rfc3339, password};
use crate::store::model::{AccountStatus, UserAccount};
use crate::store::{Store, StoreError, StoreExt};

fn row(a: &UserAccount) -> AdminRow {
    AdminRow {
        id: a.id.clone(),
        email: a.email.clone().unwrap_or_default(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        role: a.role,
        active: a.status == AccountStatus::Active,
    }
}

/// Creates an account with `role` (admin or super admin) after the same checks as signup's.
pub async fn create_staff_account(
    store: &dyn Store,
    email: &str,
    first_name: &str,
    last_name: &str,
    password_text: &str,
    role: Role,
) -> Result<UserAccount, AppError> {
    let email = validate::email(email).map_err(|p| AppError::problem_at("email", p))?;
    let first_name = validate::name(first_name).map_err(|p| AppError::problem_at("first_name", p))?;
    let last_name = validate::name(last_name).map_err(|p| AppError::problem_at("last_name", p))?;
    validate::new_password(password_text, password_text, &email, "").map_err(|(f, p)| AppError::problem_at(f, p))?;
    let account = UserAccount {
        id: uuid::Uuid::new_v4().to_string(),
        email: Some(email),
        phone: None,
        card_number: None,
        first_name,
        last_name,
        password_hash: password::hash(password_text.to_string()).await?,
        role,
        status: AccountStatus::Active,
        created_at: now_rfc3339(),
        sessions_after: None,
    };
    match store.insert_one(&account).await {
        Ok(()) => Ok(account),
        Err(StoreError::Duplicate { field, .. }) => Err(AppError::problem_at(&field, Problem::Taken)),
        Err(e) => Err(internal(e)),
    }
}

/// The admin-users service.
pub struct AdminService {
    store: Arc<dyn Store>,
}

impl AdminService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        AdminService { store }
    }
}

/// Accounts scanned at most when listing admins.
const PAGE: u32 = 1000;

#[async_trait]
impl AdminUsers for AdminService {
    async fn list(&self) -> Result<Vec<AdminRow>, AppError> {
        // Staff accounts are few; a keyset scan of users keeps memory flat.
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page: Vec<UserAccount> = self.store.scan_page(after.as_deref(), PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            rows.extend(page.iter().filter(|a| a.role != Role::Shopper).map(row));
        }
        rows.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(rows)
    }

    async fn create(
        &self,
        email: &str,
        first_name: &str,
        last_name: &str,
        password_text: &str,
    ) -> Result<AdminRow, AppError> {
        let account =
            create_staff_account(self.store.as_ref(), email, first_name, last_name, password_text, Role::Admin).await?;
        tracing::info!(admin = %account.id, "admin created");
        Ok(row(&account))
    }

    async fn set_active(&self, acting: &SessionUser, id: &str, active: bool) -> Result<AdminRow, AppError> {
        if acting.id == id {
            return Err(AppError::Forbidden);
        }
        let account: UserAccount = self.store.get_one(id).await?.ok_or(AppError::NotFound)?;
        if account.role != Role::Admin {
            return Err(AppError::NotFound);
        }
        let status = if active { AccountStatus::Active } else { AccountStatus::Disabled };
        let mut updated = UserAccount { status, ..account };
        self.store.replace_one(&updated).await?;
        if !active {
            // A disabled admin's open sessions end now, not when their tokens expire.
            updated = super::sessions::end_all(self.store.as_ref(), updated).await?;
        }
        tracing::info!(admin = %id, active, by = %acting.id, "admin status changed");
        Ok(row(&updated))
    }
}
