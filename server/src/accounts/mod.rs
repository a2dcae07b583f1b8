//! Accounts and reference data behind the server functions: signup with a new digital card.
//! Validation is the shared `app::validate` code; the store's unique indexes are the final
//! word on duplicates.

pub mod admins;
pub mod password;
pub mod sessions;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use app::error::AppError;
use app::model::account::{SignupDone, SignupInput};
use app::model::shop::ShopOption;
use app::ports::{Accounts, Catalog};
use app::validate::{ean13, validate_signup, Problem};
use async_trait::async_trait;
use serde_json::json;

use crate::clock::now_rfc3339;
use crate::error::internal;
use crate::limiter::{address_key, FailureLimiter};
use crate::store::model::{AccountStatus, CardStatus, Cardholder, Role, Shop, UserAccount};
use crate::store::{Store, StoreError, StoreExt, Table};

/// Name of the sequence that numbers digital cards.
const CARD_SEQUENCE: &str = "digital_card";
/// Attempts to find a card number not already held by an imported card.
const CARD_ATTEMPTS: usize = 20;

/// The account service.
pub struct AccountService {
    store: Arc<dyn Store>,
    /// Signups per client address per hour.
    signups_per_hour: usize,
    limiter: FailureLimiter,
}

impl AccountService {
    /// A service over `store`, allowing `signups_per_hour` per client address.
    pub fn new(store: Arc<dyn Store>, signups_per_hour: usize) -> Self {
        AccountService { store, signups_per_hour, limiter: FailureLimiter::default() }
    }

    /// Allocates a digital card number: the next value of an atomic sequence, skipping any
    /// number an imported cardholder already holds and any number a till already sent receipts
    /// for (a forged receipt must never land on a future shopper's card).
    async fn allocate_card(&self) -> Result<String, AppError> {
        for _ in 0..CARD_ATTEMPTS {
            let seq = self.store.next_sequence(CARD_SEQUENCE).await?;
            let number = ean13::digital_card_number(seq).ok_or_else(|| internal("card sequence exhausted"))?;
            let used = self.store.get(Table::Cardholders, &number).await?.is_some()
                || !self.store.find_by(Table::Receipts, "card_number", &json!(number), 1).await?.is_empty();
            if !used {
                return Ok(number);
            }
        }
        Err(internal("no free digital card number"))
    }
}

#[async_trait]
impl Accounts for AccountService {
    async fn sign_up(&self, input: SignupInput, client_ip: Option<IpAddr>) -> Result<SignupDone, AppError> {
        if let Some(ip) = client_ip {
            let key = format!("signup:{}", address_key(ip));
            self.limiter
                .attempt(&[(&key, self.signups_per_hour)], Instant::now())
                .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        }
        let today = crate::clock::today_date();
        let valid = validate_signup(&input, today).map_err(|errors| {
            errors.first().map(|e| AppError::problem_at(&e.field, e.problem)).unwrap_or(AppError::Unavailable)
        })?;
        // Duplicates are answered before the password is hashed: a signup that cannot succeed
        // costs no argon2 work (the unique indexes below still decide races).
        for (field, value) in [("email", &valid.email), ("phone", &valid.phone)] {
            if !self.store.find_by(Table::Users, field, &json!(value), 1).await?.is_empty() {
                return Err(AppError::problem_at(field, Problem::Taken));
            }
        }
        if let Some(store_id) = &valid.store_id {
            if self.store.get(Table::Shops, store_id).await?.is_none() {
                return Err(AppError::problem_at("store_id", Problem::StoreUnknown));
            }
        }
        let card_number = self.allocate_card().await?;
        let password_hash = password::hash(valid.password.clone()).await?;
        let account = UserAccount {
            id: uuid::Uuid::new_v4().to_string(),
            email: Some(valid.email.clone()),
            phone: Some(valid.phone.clone()),
            card_number: Some(card_number.clone()),
            first_name: valid.first_name.clone(),
            last_name: valid.last_name.clone(),
            password_hash,
            role: Role::Shopper,
            status: AccountStatus::Active,
            created_at: now_rfc3339(),
            sessions_after: None,
        };
        // The account first: its unique indexes decide duplicates before any card exists.
        match self.store.insert_one(&account).await {
            Ok(()) => {}
            Err(StoreError::Duplicate { field, .. }) => return Err(AppError::problem_at(&field, Problem::Taken)),
            Err(e) => return Err(internal(e)),
        }
        let holder = Cardholder {
            id: card_number.clone(),
            first_name: valid.first_name.clone(),
            last_name: valid.last_name,
            email: Some(valid.email),
            phone: Some(valid.phone),
            birth_date: Some(valid.birth_date.iso()),
            gender: None,
            city: None,
            province: None,
            enrolment_store: valid.store_id,
            enrolled_on: Some(today.iso()),
            privacy_consent: true,
            marketing_consent: valid.marketing_consent,
            status: CardStatus::Active,
            profiling_consent: valid.profiling_consent,
        };
        self.store.upsert_all(&[holder]).await?;
        tracing::info!(card = %crate::telemetry::masked(&card_number), "shopper signed up");
        Ok(SignupDone { account_id: account.id, card_number, first_name: valid.first_name })
    }
}

/// Reference data read from the store.
pub struct CatalogService {
    store: Arc<dyn Store>,
}

impl CatalogService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        CatalogService { store }
    }
}

/// At most this many stores are offered in forms.
const MAX_SHOPS: u32 = 500;

#[async_trait]
impl Catalog for CatalogService {
    async fn shops(&self) -> Result<Vec<ShopOption>, AppError> {
        let shops: Vec<Shop> = self.store.scan_page(None, MAX_SHOPS).await?;
        let mut options: Vec<ShopOption> = shops.into_iter().map(|s| ShopOption { id: s.id, name: s.name }).collect();
        options.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(options)
    }
}
