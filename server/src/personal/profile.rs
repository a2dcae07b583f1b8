//! The shopper's own contact data, consents and password, with the signup's validation: email
//! lower-cased, phone in E.164, both unique across accounts (the store's unique indexes decide),
//! password rules as at signup, the current password required to change it (which ends every
//! session of the account).

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::personal::ProfileView;
use app::validate::{self, Problem};

use crate::accounts::password;
use crate::error::internal;
use crate::store::model::{Cardholder, UserAccount};
use crate::store::{Store, StoreError, StoreExt};

async fn account(store: &dyn Store, user: &SessionUser) -> Result<UserAccount, AppError> {
    store.get_one(&user.id).await?.ok_or(AppError::NotFound)
}

/// The caller's contact data and consents.
pub async fn view(store: &dyn Store, user: &SessionUser) -> Result<ProfileView, AppError> {
    let a = account(store, user).await?;
    let holder: Option<Cardholder> = match a.card_number.as_deref() {
        Some(c) => store.get_one(c).await?,
        None => None,
    };
    Ok(ProfileView {
        email: a.email.unwrap_or_default(),
        phone: a.phone.unwrap_or_default(),
        marketing_consent: holder.as_ref().is_some_and(|h| h.marketing_consent),
        profiling_consent: holder.is_some_and(|h| h.profiling_consent),
    })
}

/// Updates email, phone and the consents, `(marketing, profiling)` (account and card record
/// alike); the view, and whether a consent changed.
pub async fn update(
    store: &dyn Store,
    user: &SessionUser,
    email: &str,
    phone: &str,
    (marketing, profiling): (bool, bool),
) -> Result<(ProfileView, bool), AppError> {
    let email = validate::email(email).map_err(|p| AppError::problem_at("email", p))?;
    let phone = validate::phone::normalise(phone).map_err(|p| AppError::problem_at("phone", p))?;
    let a = account(store, user).await?;
    let updated = UserAccount { email: Some(email.clone()), phone: Some(phone.clone()), ..a.clone() };
    match store.replace_one(&updated).await {
        Ok(()) => {}
        Err(StoreError::Duplicate { field, .. }) => return Err(AppError::problem_at(&field, Problem::Taken)),
        Err(e) => return Err(internal(e)),
    }
    let mut consents_changed = false;
    if let Some(card) = a.card_number.as_deref() {
        if let Some(h) = store.get_one::<Cardholder>(card).await? {
            consents_changed = (h.marketing_consent, h.profiling_consent) != (marketing, profiling);
            let h = Cardholder {
                email: Some(email.clone()),
                phone: Some(phone.clone()),
                marketing_consent: marketing,
                profiling_consent: profiling,
                ..h
            };
            store.replace_one(&h).await?;
        }
    }
    Ok((ProfileView { email, phone, marketing_consent: marketing, profiling_consent: profiling }, consents_changed))
}

/// Changes the password after checking the current one.
pub async fn change_password(
    store: &dyn Store,
    user: &SessionUser,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let a = account(store, user).await?;
    if !password::verify(current.to_string(), a.password_hash.clone()).await? {
        return Err(AppError::invalid("current_password", "wrong_password"));
    }
    validate::new_password(
        new,
        confirm,
        a.email.as_deref().unwrap_or_default(),
        a.phone.as_deref().unwrap_or_default(),
    )
    .map_err(|(field, p)| AppError::problem_at(field, p))?;
    let hash = password::hash(new.to_string()).await?;
    let changed = UserAccount { password_hash: hash, ..a };
    store.replace_one(&changed).await?;
    // Every session, including one an attacker may hold, ends with the old password; the
    // caller gets a new one from the server function.
    crate::accounts::sessions::end_all(store, changed).await?;
    Ok(())
}
