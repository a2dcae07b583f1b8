//! Login sessions. A login issues a short-lived access token (JWT) and a refresh token, both in
//! `HttpOnly` cookies. The refresh token is stored hashed and rotated on every use; reusing a
//! spent token (after a short grace for parallel requests) revokes its whole family. Logout
//! revokes the family. Failed logins are limited per account and per client address; unknown
//! identifiers cost the same argon2 work as wrong passwords.

pub mod cookies;
pub mod limiter;
pub mod middleware;
pub mod tokens;

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use app::error::AppError;
use app::model::account::{Role, SessionUser};
use app::ports::Sessions;
use app::validate::identifier::Identifier;
use app::validate::{self, ean13, phone, Problem, SimpleDate};
use async_trait::async_trait;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::password;
use crate::clock::now_rfc3339;
use crate::config::JwtSecret;
use crate::error::internal;
use crate::store::model::{AccountStatus, CardStatus, Cardholder, RefreshToken, UserAccount};
use crate::store::{Store, StoreError, StoreExt};
use cookies::{cookie_value, CookiePolicy};
use limiter::FailureLimiter;
use tokens::{TokenKeys, ACCESS_TTL_SECS};

/// Lifetime of a refresh token.
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// A spent refresh token presented again within this many seconds (parallel requests racing a
/// rotation) gets a new access token instead of revoking the family.
pub const REUSE_GRACE_SECS: i64 = 30;

/// Security settings for sessions.
#[derive(Clone, Debug)]
pub struct Security {
    pub secret: JwtSecret,
    pub cookie_secure: bool,
}

/// The session service.
pub struct AuthService {
    store: Arc<dyn Store>,
    keys: TokenKeys,
    pub cookies: CookiePolicy,
    limiter: FailureLimiter,
}

/// Why a refresh was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshRefused {
    Unknown,
    Expired,
    Revoked,
    Reused,
    AccountGone,
}

fn sha256_hex(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

fn session_user(account: &UserAccount) -> SessionUser {
    SessionUser {
        id: account.id.clone(),
        first_name: account.first_name.clone(),
        role: account.role,
        card_number: account.card_number.clone(),
    }
}

/// A hash with the production parameters, verified against when the identifier is unknown so
/// that unknown and known accounts take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        use argon2::password_hash::PasswordHasher;
        let params = argon2::Params::new(19 * 1024, 2, 1, None).expect("valid parameters");
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"timing equaliser")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// True when `proof` is the holder's email, phone (any spelling) or birth date (`YYYY-MM-DD`).
pub fn proof_matches(holder: &Cardholder, proof: &str) -> bool {
    let proof = proof.trim();
    if proof.is_empty() {
        return false;
    }
    if let Some(date) = SimpleDate::parse_iso(proof) {
        return holder.birth_date.as_deref().and_then(SimpleDate::parse_iso) == Some(date);
    }
    if proof.contains('@') {
        let given = validate::email(proof).ok();
        return given.is_some() && holder.email.as_deref().and_then(|e| validate::email(e).ok()) == given;
    }
    let given = phone::normalise(proof).ok();
    given.is_some() && holder.phone.as_deref().and_then(|p| phone::normalise(p).ok()) == given
}

fn parse_time(rfc3339: &str) -> Option<i64> {
    crate::clock::unix_of(rfc3339)
}

impl AuthService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>, security: &Security) -> Result<Self, String> {
        Ok(AuthService {
            store,
            keys: TokenKeys::new(&security.secret)?,
            cookies: CookiePolicy { secure: security.cookie_secure },
            limiter: FailureLimiter::default(),
        })
    }

    /// The user of a valid access token.
    pub fn verify_access(&self, token: &str) -> Option<SessionUser> {
        self.keys.verify(token)
    }

    fn access_cookie(&self, user: &SessionUser) -> Result<String, AppError> {
        let token = self.keys.issue(user, crate::clock::unix_now()).map_err(internal)?;
        Ok(self.cookies.set(self.cookies.access_name(), &token, ACCESS_TTL_SECS))
    }

    /// Stores a new refresh token of `family` and returns the session cookies.
    async fn issue(&self, user: &SessionUser, family_id: &str) -> Result<Vec<String>, AppError> {
        let raw = hex::encode(rand::random::<[u8; 32]>());
        let record = RefreshToken {
            id: sha256_hex(&raw),
            user_id: user.id.clone(),
            family_id: family_id.to_string(),
            expires_at: crate::clock::rfc3339_in_secs(REFRESH_TTL_SECS),
            created_at: now_rfc3339(),
            used_at: None,
            revoked: false,
        };
        self.store.insert_one(&record).await?;
        Ok(vec![self.access_cookie(user)?, self.cookies.set(self.cookies.refresh_name(), &raw, REFRESH_TTL_SECS)])
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), AppError> {
        let tokens: Vec<RefreshToken> = self.store.find("family_id", json!(family_id), 10_000).await?;
        for token in tokens.into_iter().filter(|t| !t.revoked) {
            self.store.replace_one(&RefreshToken { revoked: true, ..token }).await?;
        }
        Ok(())
    }

    /// Exchanges a refresh token for a new session (rotation). `Ok(Err(_))` is a refusal.
    pub async fn refresh(&self, raw: &str) -> Result<Result<(SessionUser, Vec<String>), RefreshRefused>, AppError> {
        let Some(token) = self.store.get_one::<RefreshToken>(&sha256_hex(raw)).await? else {
            return Ok(Err(RefreshRefused::Unknown));
        };
        let now = crate::clock::unix_now();
        if token.revoked {
            return Ok(Err(RefreshRefused::Revoked));
        }
        if parse_time(&token.expires_at).is_none_or(|exp| exp <= now) {
            return Ok(Err(RefreshRefused::Expired));
        }
        let account = self.store.get_one::<UserAccount>(&token.user_id).await?;
        let Some(account) = account.filter(|a| a.status == AccountStatus::Active) else {
            self.revoke_family(&token.family_id).await?;
            return Ok(Err(RefreshRefused::AccountGone));
        };
        let user = session_user(&account);
        if let Some(used_at) = token.used_at.as_deref().and_then(parse_time) {
            if now - used_at <= REUSE_GRACE_SECS {
                return Ok(Ok((user.clone(), vec![self.access_cookie(&user)?])));
            }
            tracing::warn!(user = %account.id, "refresh token reused; revoking its family");
            self.revoke_family(&token.family_id).await?;
            return Ok(Err(RefreshRefused::Reused));
        }
        let family_id = token.family_id.clone();
        self.store.replace_one(&RefreshToken { used_at: Some(now_rfc3339()), ..token }).await?;
        let cookies = self.issue(&user, &family_id).await?;
        Ok(Ok((user, cookies)))
    }
}

#[async_trait]
impl Sessions for AuthService {
    async fn login(
        &self,
        identifier: &str,
        password_text: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(SessionUser, Vec<String>), AppError> {
        let parsed = Identifier::parse(identifier);
        let account_key = match &parsed {
            Some(id) => format!("acct:{}", id.value()),
            None => format!("acct:{}", identifier.trim().to_lowercase()),
        };
        let ip_key = client_ip.map(|ip| format!("ip:{ip}"));
        let now = Instant::now();
        let limited = self
            .limiter
            .check(&account_key, limiter::MAX_PER_ACCOUNT, now)
            .and_then(|()| ip_key.as_deref().map_or(Ok(()), |k| self.limiter.check(k, limiter::MAX_PER_IP, now)));
        if let Err(retry_after_secs) = limited {
            return Err(AppError::RateLimited { retry_after_secs });
        }

        let account = match &parsed {
            Some(id) => self.store.find::<UserAccount>(id.field(), json!(id.value()), 1).await?.into_iter().next(),
            None => None,
        };
        let hash = account.as_ref().map_or_else(|| dummy_hash().to_string(), |a| a.password_hash.clone());
        let password_ok = password::verify(password_text.to_string(), hash).await;
        match account {
            Some(account) if password_ok && account.status == AccountStatus::Active => {
                self.limiter.reset(&account_key);
                let user = session_user(&account);
                let cookies = self.issue(&user, &uuid::Uuid::new_v4().to_string()).await?;
                tracing::info!(user = %account.id, "login");
                Ok((user, cookies))
            }
            _ => {
                self.limiter.record(&account_key, now);
                if let Some(k) = &ip_key {
                    self.limiter.record(k, now);
                }
                Err(AppError::Unauthorized)
            }
        }
    }

    async fn claim(
        &self,
        card_number: &str,
        proof: &str,
        password_text: &str,
        password_confirm: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(SessionUser, Vec<String>), AppError> {
        let card: String = card_number.chars().filter(|c| !c.is_whitespace()).collect();
        let card_key = format!("claim:{card}");
        let ip_key = client_ip.map(|ip| format!("ip:{ip}"));
        let now = Instant::now();
        self.limiter
            .check(&card_key, limiter::MAX_CLAIMS_PER_CARD, now)
            .and_then(|()| ip_key.as_deref().map_or(Ok(()), |k| self.limiter.check(k, limiter::MAX_PER_IP, now)))
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let mismatch = || {
            self.limiter.record(&card_key, now);
            if let Some(k) = &ip_key {
                self.limiter.record(k, now);
            }
            AppError::invalid("card_number", Problem::ClaimMismatch.code())
        };

        let holder: Option<Cardholder> = if ean13::is_valid(&card) { self.store.get_one(&card).await? } else { None };
        let Some(holder) = holder.filter(|h| h.status == CardStatus::Active && proof_matches(h, proof)) else {
            return Err(mismatch());
        };
        let email = holder.email.as_deref().and_then(|e| validate::email(e).ok());
        let phone = holder.phone.as_deref().and_then(|p| phone::normalise(p).ok());
        validate::new_password(
            password_text,
            password_confirm,
            email.as_deref().unwrap_or(""),
            phone.as_deref().unwrap_or(""),
        )
        .map_err(|(field, problem)| AppError::invalid(field, problem.code()))?;
        // Contact data already used by another account stays off this one (unique fields).
        let mut contact = (email, phone);
        if let Some(e) = &contact.0 {
            if !self.store.find::<UserAccount>("email", json!(e), 1).await?.is_empty() {
                contact.0 = None;
            }
        }
        if let Some(p) = &contact.1 {
            if !self.store.find::<UserAccount>("phone", json!(p), 1).await?.is_empty() {
                contact.1 = None;
            }
        }
        let account = UserAccount {
            id: uuid::Uuid::new_v4().to_string(),
            email: contact.0,
            phone: contact.1,
            card_number: Some(card.clone()),
            first_name: holder.first_name.clone(),
            last_name: holder.last_name.clone(),
            password_hash: password::hash(password_text.to_string()).await.map_err(internal)?,
            role: Role::Shopper,
            status: AccountStatus::Active,
            created_at: now_rfc3339(),
        };
        // The card number is unique across accounts: a second claim, even a racing one, fails here.
        match self.store.insert_one(&account).await {
            Ok(()) => {}
            Err(StoreError::Duplicate { .. }) => return Err(AppError::problem_at("card_number", Problem::Taken)),
            Err(e) => return Err(internal(e)),
        }
        tracing::info!(card = %card, "card claimed");
        let user = session_user(&account);
        let cookies = self.issue(&user, &uuid::Uuid::new_v4().to_string()).await?;
        Ok((user, cookies))
    }

    async fn open_session(&self, account_id: &str) -> Result<(SessionUser, Vec<String>), AppError> {
        let account = self.store.get_one::<UserAccount>(account_id).await?;
        let account = account.filter(|a| a.status == AccountStatus::Active).ok_or(AppError::Unauthorized)?;
        let user = session_user(&account);
        let cookies = self.issue(&user, &uuid::Uuid::new_v4().to_string()).await?;
        Ok((user, cookies))
    }

    async fn logout(&self, cookie_header: Option<&str>) -> Result<Vec<String>, AppError> {
        if let Some(raw) = cookie_header.and_then(|h| cookie_value(h, self.cookies.refresh_name())) {
            if let Some(token) = self.store.get_one::<RefreshToken>(&sha256_hex(raw)).await? {
                self.revoke_family(&token.family_id).await?;
            }
        }
        Ok(self.cookies.clear_all())
    }

    async fn require(&self, user: Option<&SessionUser>, role: Role) -> Result<SessionUser, AppError> {
        let user = user.ok_or(AppError::Unauthorized)?;
        let account = self.store.get_one::<UserAccount>(&user.id).await?;
        match account {
            None => Err(AppError::Unauthorized),
            Some(a) if a.status != AccountStatus::Active || !a.role.at_least(role) => Err(AppError::Forbidden),
            Some(a) => Ok(session_user(&a)),
        }
    }
}
