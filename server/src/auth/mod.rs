//! Login sessions. A login issues a short-lived access token (JWT) and a refresh token, both in
//! `HttpOnly` cookies. The refresh token is stored hashed and rotated on every use; reusing a
//! spent token (after a short grace for parallel requests) revokes its whole family. Logout
//! revokes the family; no session outlives its absolute lifetime from the login, and a
//! password, role or status change ends them all (`accounts::sessions`). Logins and claims are
//! limited per account (card) and per client address, every attempt counted before the argon2
//! work; unknown, closed and erased accounts cost the same argon2 work as wrong passwords.

pub mod cookies;
pub mod middleware;
pub mod shared_limits;
pub mod tokens;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use app::error::AppError;
use app::model::account::{Role, SessionUser};
use app::ports::Sessions;
use app::validate::identifier::Identifier;
use app::validate::{self, ean13, phone, Problem, SimpleDate};
use async_trait::async_trait;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::accounts::{password, sessions};
use crate::clock::now_rfc3339;
use crate::config::{JwtSecret, Protection};
use crate::error::internal;
use crate::limiter::{self, FailureLimiter};
use crate::store::model::{AccountStatus, CardStatus, Cardholder, RefreshToken, UserAccount};
use crate::store::{Store, StoreError, StoreExt, Table};
use cookies::{cookie_value, CookiePolicy};
use tokens::{TokenKeys, ACCESS_TTL_SECS};

/// Lifetime of a refresh token.
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// A spent refresh token presented again within this many seconds (parallel requests racing a
/// rotation) gets a new access token instead of revoking the family.
pub const REUSE_GRACE_SECS: i64 = 30;

/// Security settings for sessions, and the limits that protect the service.
#[derive(Clone, Debug)]
pub struct Security {
    pub secret: JwtSecret,
    pub cookie_secure: bool,
    pub protection: Protection,
}

impl Security {
    /// Settings with the default protection.
    pub fn new(secret: JwtSecret, cookie_secure: bool) -> Self {
        Security { secret, cookie_secure, protection: Protection::default() }
    }
}

/// The session service.
pub struct AuthService {
    store: Arc<dyn Store>,
    keys: TokenKeys,
    pub cookies: CookiePolicy,
    limiter: FailureLimiter,
    /// The same limits counted in the store, for every replica together.
    shared: shared_limits::SharedLimits,
    /// Absolute session lifetime in seconds, from the login.
    session_max_secs: i64,
    /// The origin cookie-authenticated writes must come from (unset: the request's Host).
    pub public_origin: Option<String>,
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
        issued_at: crate::clock::unix_millis_now(),
    }
}

/// True when `proof` proves ownership of the holder's card: the email or the phone on record in
/// full (any spelling), or the birth date (`YYYY-MM-DD`) together with the last four digits of
/// the phone on record — a birth date alone is too easy to learn or guess.
pub fn proof_matches(holder: &Cardholder, proof: &str, phone_last4: &str) -> bool {
    let proof = proof.trim();
    if proof.is_empty() {
        return false;
    }
    let holder_phone = holder.phone.as_deref().and_then(|p| phone::normalise(p).ok());
    if let Some(date) = SimpleDate::parse_iso(proof) {
        let last4 = phone_last4.trim();
        let digits_ok = last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit());
        return digits_ok
            && holder_phone.as_deref().is_some_and(|p| p.ends_with(last4))
            && holder.birth_date.as_deref().and_then(SimpleDate::parse_iso) == Some(date);
    }
    if proof.contains('@') {
        let given = validate::email(proof).ok();
        return given.is_some() && holder.email.as_deref().and_then(|e| validate::email(e).ok()) == given;
    }
    let given = phone::normalise(proof).ok();
    given.is_some() && holder_phone == given
}

fn parse_time(rfc3339: &str) -> Option<i64> {
    crate::clock::unix_of(rfc3339)
}

impl AuthService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>, security: &Security) -> Result<Self, String> {
        Ok(AuthService {
            shared: shared_limits::SharedLimits::new(store.clone()),
            store,
            keys: TokenKeys::new(&security.secret)?,
            cookies: CookiePolicy { secure: security.cookie_secure },
            limiter: FailureLimiter::default(),
            session_max_secs: i64::from(security.protection.session_max_days) * 24 * 3600,
            public_origin: security.protection.public_origin.clone(),
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

    /// Stores a new refresh token of `family` (whose login was at `started`, Unix seconds) and
    /// returns the session cookies. No token outlives the absolute session lifetime.
    async fn issue(&self, user: &SessionUser, family_id: &str, started: i64) -> Result<Vec<String>, AppError> {
        let raw = hex::encode(rand::random::<[u8; 32]>());
        let now = crate::clock::unix_now();
        let ttl = REFRESH_TTL_SECS.min(started + self.session_max_secs - now).max(0);
        let record = RefreshToken {
            id: sha256_hex(&raw),
            user_id: user.id.clone(),
            family_id: family_id.to_string(),
            expires_at: crate::clock::rfc3339_in_secs(ttl),
            created_at: now_rfc3339(),
            used_at: None,
            revoked: false,
            session_started_at: Some(crate::clock::rfc3339_of_unix(started)),
        };
        self.store.insert_one(&record).await?;
        Ok(vec![self.access_cookie(user)?, self.cookies.set(self.cookies.refresh_name(), &raw, ttl)])
    }

    /// A new session (a new family) starting now.
    async fn open(&self, user: &SessionUser) -> Result<Vec<String>, AppError> {
        self.issue(user, &uuid::Uuid::new_v4().to_string(), crate::clock::unix_now()).await
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), AppError> {
        sessions::revoke_where(self.store.as_ref(), "family_id", family_id).await?;
        Ok(())
    }

    /// Exchanges a refresh token for a new session (rotation). `Ok(Err(_))` is a refusal. Of
    /// two concurrent rotations of one token exactly one wins (a compare-and-set on `used_at`);
    /// the other is treated as a parallel request inside the grace period.
    pub async fn refresh(&self, raw: &str) -> Result<Result<(SessionUser, Vec<String>), RefreshRefused>, AppError> {
        let Some(token) = self.store.get_one::<RefreshToken>(&sha256_hex(raw)).await? else {
            return Ok(Err(RefreshRefused::Unknown));
        };
        let now = crate::clock::unix_now();
        if token.revoked {
            return Ok(Err(RefreshRefused::Revoked));
        }
        let started = token.session_started_at.as_deref().or(Some(token.created_at.as_str())).and_then(parse_time);
        let past_lifetime = started.is_none_or(|s| now - s >= self.session_max_secs);
        if past_lifetime || parse_time(&token.expires_at).is_none_or(|exp| exp <= now) {
            return Ok(Err(RefreshRefused::Expired));
        }
        let started = started.unwrap_or(now);
        let account = self.store.get_one::<UserAccount>(&token.user_id).await?;
        let Some(account) = account.filter(|a| a.status == AccountStatus::Active) else {
            self.revoke_family(&token.family_id).await?;
            return Ok(Err(RefreshRefused::AccountGone));
        };
        // (Tokens made before the end are revoked anyway; this compares whole seconds, so a
        // token issued right after the end, in the same second, stays valid.)
        let ended = account.sessions_after.as_deref().and_then(parse_time);
        if ended.is_some_and(|after| parse_time(&token.created_at).is_none_or(|created| created < after)) {
            return Ok(Err(RefreshRefused::Revoked));
        }
        let user = session_user(&account);
        let used_at = match token.used_at.as_deref() {
            Some(used) => parse_time(used),
            None => {
                let family_id = token.family_id.clone();
                let spent = crate::store::to_doc(&RefreshToken { used_at: Some(now_rfc3339()), ..token.clone() })?;
                if self.store.replace_if(Table::RefreshTokens, spent, "used_at", &Value::Null).await? {
                    let cookies = self.issue(&user, &family_id, started).await?;
                    return Ok(Ok((user, cookies)));
                }
                // Another request rotated it a moment ago.
                Some(now)
            }
        };
        if used_at.is_some_and(|used| now - used <= REUSE_GRACE_SECS) {
            return Ok(Ok((user.clone(), vec![self.access_cookie(&user)?])));
        }
        tracing::warn!(user = %account.id, "refresh token reused; revoking its family");
        self.revoke_family(&token.family_id).await?;
        Ok(Err(RefreshRefused::Reused))
    }

    /// The limiter keys of a client address.
    fn address(client_ip: Option<IpAddr>) -> Option<String> {
        client_ip.map(limiter::address_key)
    }

    /// Counts one attempt on `key` (and the address), refusing when either is over its limit:
    /// in this process first (cheap), then in the store for every replica together.
    async fn attempt(&self, key: (&str, usize), address: Option<&str>) -> Result<(), AppError> {
        let mut keys = vec![key];
        if let Some(a) = address {
            keys.push((a, limiter::MAX_PER_IP));
        }
        self.limiter.attempt(&keys, Instant::now()).map_err(|retry_after_secs| {
            metrics::counter!("login_rate_limited_total", "scope" => "process").increment(1);
            AppError::RateLimited { retry_after_secs }
        })?;
        let shared = self.shared.attempt(&keys).await;
        if matches!(shared, Ok(Err(_))) {
            metrics::counter!("login_rate_limited_total", "scope" => "shared").increment(1);
        }
        if !matches!(shared, Ok(Ok(()))) {
            for (k, _) in &keys {
                self.limiter.forgive(k);
            }
        }
        shared?.map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    /// Takes back one attempt of each key, here and in the store.
    async fn forgive(&self, keys: &[&str]) {
        for k in keys {
            self.limiter.forgive(k);
            if let Err(e) = self.shared.forgive(k).await {
                tracing::warn!(error = %e, "a shared attempt counter was not taken back");
            }
        }
    }
}

/// The one answer to every failed claim, whatever failed.
fn claim_refused() -> AppError {
    AppError::invalid("card_number", Problem::ClaimMismatch.code())
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
        // Unreadable identifiers share one key: typing garbage locks out nobody real.
        let account_key = match &parsed {
            Some(id) => format!("acct:{}", id.value()),
            None => "acct:?".to_string(),
        };
        let address = Self::address(client_ip);
        self.attempt((&account_key, limiter::MAX_PER_ACCOUNT), address.as_deref()).await?;

        let account = match &parsed {
            Some(id) => self.store.find::<UserAccount>(id.field(), json!(id.value()), 1).await?.into_iter().next(),
            None => None,
        };
        let account = account.filter(|a| a.status == AccountStatus::Active);
        // Unknown, closed and erased accounts verify against a real hash too: the same time.
        let hash = account.as_ref().map_or_else(password::timing_hash_string, |a| a.password_hash.clone());
        let password_ok = match password::verify(password_text.to_string(), hash).await {
            Ok(ok) => ok,
            Err(busy) => {
                let keys: Vec<&str> = std::iter::once(account_key.as_str()).chain(address.as_deref()).collect();
                self.forgive(&keys).await;
                return Err(busy);
            }
        };
        match account {
            Some(account) if password_ok => {
                self.limiter.reset(&account_key);
                if let Err(e) = self.shared.reset(&account_key).await {
                    tracing::warn!(error = %e, "shared attempt counters not reset after a login");
                }
                if let Some(a) = &address {
                    self.forgive(&[a.as_str()]).await;
                }
                let user = session_user(&account);
                let cookies = self.open(&user).await?;
                tracing::info!(user = %account.id, "login");
                Ok((user, cookies))
            }
            _ => Err(AppError::Unauthorized),
        }
    }

    async fn claim(
        &self,
        card_number: &str,
        proof: &str,
        phone_last4: &str,
        password_text: &str,
        password_confirm: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(SessionUser, Vec<String>), AppError> {
        let card: String = card_number.chars().filter(|c| !c.is_whitespace()).take(32).collect();
        let address = Self::address(client_ip);
        // Every attempt counts, before any work.
        self.attempt((&format!("claim:{card}"), limiter::MAX_CLAIMS_PER_CARD), address.as_deref()).await?;
        // The new password is checked against what the caller typed, never against the record:
        // its answer must not depend on whether the proof was right.
        let typed_email = proof.contains('@').then(|| validate::email(proof).ok()).flatten();
        let typed_phone = phone::normalise(proof).ok();
        validate::new_password(
            password_text,
            password_confirm,
            typed_email.as_deref().unwrap_or(""),
            typed_phone.as_deref().unwrap_or(""),
        )
        .map_err(|(field, problem)| AppError::invalid(field, problem.code()))?;

        let holder: Option<Cardholder> = if ean13::is_valid(&card) { self.store.get_one(&card).await? } else { None };
        let holder = holder.filter(|h| h.status == CardStatus::Active && proof_matches(h, proof, phone_last4));
        let claimed = match &holder {
            Some(_) => !self.store.find::<UserAccount>("card_number", json!(card), 1).await?.is_empty(),
            None => false,
        };
        let Some(holder) = holder.filter(|_| !claimed) else {
            // The same time as a success, which hashes the new password.
            password::verify(password_text.to_string(), password::timing_hash_string()).await?;
            return Err(claim_refused());
        };
        let email = holder.email.as_deref().and_then(|e| validate::email(e).ok());
        let phone = holder.phone.as_deref().and_then(|p| phone::normalise(p).ok());
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
            password_hash: password::hash(password_text.to_string()).await?,
            role: Role::Shopper,
            status: AccountStatus::Active,
            created_at: now_rfc3339(),
            sessions_after: None,
        };
        // The card number is unique across accounts: a racing second claim fails here, with the
        // same answer as any other failure.
        match self.store.insert_one(&account).await {
            Ok(()) => {}
            Err(StoreError::Duplicate { .. }) => return Err(claim_refused()),
            Err(e) => return Err(internal(e)),
        }
        tracing::info!(card = %crate::telemetry::masked(&card), "card claimed");
        let user = session_user(&account);
        let cookies = self.open(&user).await?;
        Ok((user, cookies))
    }

    async fn open_session(&self, account_id: &str) -> Result<(SessionUser, Vec<String>), AppError> {
        let account = self.store.get_one::<UserAccount>(account_id).await?;
        let account = account.filter(|a| a.status == AccountStatus::Active).ok_or(AppError::Unauthorized)?;
        let user = session_user(&account);
        let cookies = self.open(&user).await?;
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
        let ended = |a: &UserAccount| {
            a.sessions_after
                .as_deref()
                .and_then(crate::clock::unix_millis_of)
                .is_some_and(|after| user.issued_at < after)
        };
        match account {
            None => Err(AppError::Unauthorized),
            // A session from before a password, role or status change: log in again.
            Some(a) if ended(&a) => Err(AppError::Unauthorized),
            Some(a) if a.status != AccountStatus::Active || !a.role.at_least(role) => Err(AppError::Forbidden),
            Some(a) => Ok(SessionUser { issued_at: user.issued_at, ..session_user(&a) }),
        }
    }
}
