//! The server's side of the server functions: traits the `imagross` binary implements and the
//! one [`AppState`] that holds them, provided as Leptos context to every server function
//! (reached through the server functions' guard).

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::AppError;
use crate::model::account::{Role, SessionUser, SignupDone, SignupInput};
use crate::model::shop::ShopOption;

/// The client's address as the server determined it (the TCP peer, or the address a trusted
/// proxy forwarded), put into every request's extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The caller's account as checked against the store once in this request (by
/// [`Sessions::require`]): a page's several server functions share one store read. Put into
/// every request by the server's session middleware; empty until the first check.
#[derive(Clone, Debug, Default)]
pub struct CheckedAccount(pub std::sync::Arc<std::sync::Mutex<Option<SessionUser>>>);

/// Readiness of the in-memory caches, shared by `/readyz` and the pages.
pub trait Readiness: Send + Sync {
    /// True once the background warm-up has finished.
    fn is_warm(&self) -> bool;
}

/// The store's health as the watchdog last found it.
pub trait StoreHealth: Send + Sync {
    /// Tables found below a row count the store had (empty when all is well).
    fn alerts(&self) -> Vec<crate::model::admin::StoreAlert>;
}

/// Accounts: signup (and, later, login, claiming, roles).
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Validates the form, issues a digital card and creates the shopper's account. Limited
    /// per client address.
    async fn sign_up(&self, input: SignupInput, client_ip: Option<std::net::IpAddr>) -> Result<SignupDone, AppError>;
}

/// Login sessions: access token plus rotating refresh token, both in cookies.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// Checks the credentials; on success the user and the session's `Set-Cookie` values.
    /// Unknown identifiers and wrong passwords fail alike (status, body and timing).
    async fn login(
        &self,
        identifier: &str,
        password: &str,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<(SessionUser, Vec<String>), AppError>;
    /// Links a plastic card already in the register to a new account: the card number plus the
    /// email or phone on record (or the birth date with the phone's last four digits), and a
    /// new password. Every failure is one generic refusal; a card is claimed once. Opens a
    /// session on success.
    async fn claim(
        &self,
        card_number: &str,
        proof: &str,
        phone_last4: &str,
        password: &str,
        password_confirm: &str,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<(SessionUser, Vec<String>), AppError>;
    /// Opens a session for an account that just proved itself another way (signup, claim).
    async fn open_session(&self, account_id: &str) -> Result<(SessionUser, Vec<String>), AppError>;
    /// Revokes the refresh token found in the `Cookie` header; returns the clearing cookies.
    async fn logout(&self, cookie_header: Option<&str>) -> Result<Vec<String>, AppError>;
    /// The caller's account re-read from the store: 401 without a session, 403 when the account
    /// is disabled or lacks `role`.
    async fn require(&self, user: Option<&SessionUser>, role: Role) -> Result<SessionUser, AppError>;
}

/// The shopper's card.
#[async_trait]
pub trait Cards: Send + Sync {
    /// The card of the logged-in shopper.
    async fn my_card(&self, user: &SessionUser) -> Result<crate::model::card::CardView, AppError>;
}

/// Admin accounts, managed by the super admin.
#[async_trait]
pub trait AdminUsers: Send + Sync {
    /// Every admin and super admin.
    async fn list(&self) -> Result<Vec<crate::model::admin::AdminRow>, AppError>;
    /// Creates an admin (role `admin`).
    async fn create(
        &self,
        email: &str,
        first_name: &str,
        last_name: &str,
        password: &str,
    ) -> Result<crate::model::admin::AdminRow, AppError>;
    /// Disables or re-enables an admin; `acting` may not change itself.
    async fn set_active(
        &self,
        acting: &SessionUser,
        id: &str,
        active: bool,
    ) -> Result<crate::model::admin::AdminRow, AppError>;
}

/// Import jobs started from the admin page, and the recorded batches.
#[async_trait]
pub trait Imports: Send + Sync {
    /// Progress or outcome of an upload import.
    async fn job(&self, job_id: &str) -> Result<crate::model::import::ImportJobView, AppError>;
    /// The most recent batches, newest first.
    async fn batches(&self, limit: u32) -> Result<Vec<crate::model::import::BatchRow>, AppError>;
}

/// Reference data for forms.
#[async_trait]
pub trait Catalog: Send + Sync {
    /// The chain's stores, by name.
    async fn shops(&self) -> Result<Vec<ShopOption>, AppError>;
}

/// Admin analytics over the in-memory projection.
#[async_trait]
pub trait Analytics: Send + Sync {
    /// Every dashboard figure for the filters; 503 while the projection is warming up.
    async fn dashboard(
        &self,
        filters: crate::model::analytics::Filters,
    ) -> Result<crate::model::analytics::Dashboard, AppError>;
    /// One page of the customer list.
    async fn customers(
        &self,
        query: crate::model::analytics::CustomerQuery,
    ) -> Result<crate::model::analytics::CustomerPage, AppError>;
    /// Everything about one cardholder.
    async fn customer(&self, card_number: &str) -> Result<crate::model::analytics::Customer360, AppError>;
}

/// The points ledger.
#[async_trait]
pub trait Points: Send + Sync {
    /// A manual points adjustment by an admin, with its reason (kept in the ledger); returns
    /// the new balance.
    async fn adjust(&self, acting: &SessionUser, card_number: &str, points: i64, reason: &str)
        -> Result<i64, AppError>;
    /// Every movement of the caller's points, newest first, with the running balance.
    async fn movements(&self, user: &SessionUser) -> Result<crate::model::rewards::MovementsPage, AppError>;
}

/// The shopper's personal area; always the caller's own data.
#[async_trait]
pub trait Personal: Send + Sync {
    /// Everything on `/me`.
    async fn area(&self, user: &SessionUser) -> Result<crate::model::personal::PersonalArea, AppError>;
    /// One page of the caller's receipts, newest first.
    async fn receipts(&self, user: &SessionUser, page: u32) -> Result<crate::model::personal::ReceiptPage, AppError>;
    /// One of the caller's receipts with its lines (404 for anyone else's).
    async fn receipt(&self, user: &SessionUser, id: &str) -> Result<crate::model::analytics::ReceiptView, AppError>;
    /// Erases the caller's personal data once their password is confirmed.
    async fn erase(&self, user: &SessionUser, password: &str) -> Result<(), AppError>;
    /// The caller's contact data and consent.
    async fn profile(&self, user: &SessionUser) -> Result<crate::model::personal::ProfileView, AppError>;
    /// Updates them with the signup's validation; `consents`: (marketing, profiling).
    async fn update_profile(
        &self,
        user: &SessionUser,
        email: &str,
        phone: &str,
        consents: (bool, bool),
    ) -> Result<crate::model::personal::ProfileView, AppError>;
    /// Changes the password (the current one required).
    async fn change_password(
        &self,
        user: &SessionUser,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError>;
}

/// The rewards catalogue and vouchers.
#[async_trait]
pub trait Rewards: Send + Sync {
    /// Every reward, paused ones included (admin).
    async fn catalogue(&self) -> Result<Vec<crate::model::rewards::RewardView>, AppError>;
    /// Creates (`id` none) or edits a reward; vouchers already issued keep what they give.
    async fn save_reward(
        &self,
        id: Option<String>,
        input: crate::model::rewards::RewardInput,
    ) -> Result<crate::model::rewards::RewardView, AppError>;
    /// Pauses or resumes a reward.
    async fn set_paused(&self, id: &str, paused: bool) -> Result<crate::model::rewards::RewardView, AppError>;
    /// The caller's balance, the catalogue as they may use it, their vouchers.
    async fn my_rewards(&self, user: &SessionUser) -> Result<crate::model::rewards::RewardsPage, AppError>;
    /// Spends the caller's points on a reward: a voucher, exactly once.
    async fn redeem(&self, user: &SessionUser, reward_id: &str)
        -> Result<crate::model::rewards::VoucherView, AppError>;
    /// Cancels the caller's unused voucher and gives the points back.
    async fn cancel_voucher(
        &self,
        user: &SessionUser,
        code: &str,
    ) -> Result<crate::model::rewards::VoucherView, AppError>;
}

/// Campaigns: launched by admins, offers activated by shoppers.
#[async_trait]
pub trait Campaigns: Send + Sync {
    /// The audience's size and who the consents leave out, at a holdout share (percent).
    async fn preview(
        &self,
        audience: crate::model::campaigns::AudienceSpec,
        holdout: String,
    ) -> Result<crate::model::campaigns::AudiencePreview, AppError>;
    /// Launches a campaign (members and holdout fixed now).
    async fn launch(
        &self,
        acting: &SessionUser,
        input: crate::model::campaigns::CampaignInput,
    ) -> Result<crate::model::campaigns::CampaignSummary, AppError>;
    /// Every campaign, newest first.
    async fn list(&self) -> Result<Vec<crate::model::campaigns::CampaignSummary>, AppError>;
    /// A campaign's report: treated against holdout.
    async fn report(&self, id: &str) -> Result<crate::model::campaigns::CampaignReport, AppError>;
    /// The caller's offers.
    async fn my_offers(&self, user: &SessionUser) -> Result<Vec<crate::model::campaigns::MyOffer>, AppError>;
    /// Activates the caller's offer of a campaign (once).
    async fn activate(&self, user: &SessionUser, campaign: &str) -> Result<crate::model::campaigns::MyOffer, AppError>;
}

/// The tills' API keys (admin area).
#[async_trait]
pub trait ShopKeys: Send + Sync {
    /// Every key, newest first.
    async fn list(&self) -> Result<Vec<crate::model::shop_key::ShopKeyRow>, AppError>;
    /// Creates a key for a store; the answer holds the key, shown once.
    async fn create(
        &self,
        acting: &SessionUser,
        store_id: &str,
        label: &str,
    ) -> Result<crate::model::shop_key::CreatedShopKey, AppError>;
    /// Revokes a key by id.
    async fn revoke(&self, id: &str) -> Result<crate::model::shop_key::ShopKeyRow, AppError>;
}

/// Everything a server function may reach.
#[derive(Clone)]
pub struct AppState {
    /// Cache warm-up state.
    pub readiness: Arc<dyn Readiness>,
    /// Data that went back in time (the watchdog).
    pub store_health: Arc<dyn StoreHealth>,
    /// Account services.
    pub accounts: Arc<dyn Accounts>,
    /// Reference data.
    pub catalog: Arc<dyn Catalog>,
    /// Login sessions.
    pub sessions: Arc<dyn Sessions>,
    /// Shoppers' cards.
    pub cards: Arc<dyn Cards>,
    /// Admin accounts.
    pub admins: Arc<dyn AdminUsers>,
    /// Data imports.
    pub imports: Arc<dyn Imports>,
    /// Admin analytics.
    pub analytics: Arc<dyn Analytics>,
    /// The shopper's personal area.
    pub personal: Arc<dyn Personal>,
    /// The points ledger.
    pub points: Arc<dyn Points>,
    /// The tills' API keys.
    pub shop_keys: Arc<dyn ShopKeys>,
    /// The rewards catalogue and vouchers.
    pub rewards: Arc<dyn Rewards>,
    /// Campaigns and personal offers.
    pub campaigns: Arc<dyn Campaigns>,
}
