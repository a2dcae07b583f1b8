//! `/claim`: a holder of a plastic card links it to a new online account.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, Key, Label};
use crate::server_fns::auth::{Claim, AFTER_CLAIM};
use crate::session::use_session;

/// The claim page.
#[component]
pub fn ClaimPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = ServerAction::<Claim>::new();
    let query = use_query_map();
    session.follow(move || matches!(action.value().get(), Some(Ok(_))), Some(AFTER_CLAIM));
    let error = move || {
        let (field, code) = match action.value().get() {
            Some(Err(e)) => e
                .problem()
                .map(|(f, p)| (f.to_string(), p.code().to_string()))
                .unwrap_or(("form".into(), e.status().to_string())),
            _ => {
                let raw = query.with(|q| q.get("error"))?;
                let (f, c) = raw.split_once(':')?;
                (f.to_string(), c.to_string())
            }
        };
        Some(match (field.as_str(), code.as_str()) {
            (_, "taken") => i18n.t(Key::ClaimAlready),
            ("password", _) | ("password_confirm", _) => {
                crate::validate::Problem::from_code(&code).map_or(i18n.t(Key::ErrGeneric), |p| i18n.t(p.key()))
            }
            (_, "429") => i18n.t(Key::LoginLimited),
            _ => i18n.t(Key::ClaimMismatch),
        })
    };
    view! {
        <section class="page claim">
            <h1>{move || i18n.t(Key::ClaimTitle)}</h1>
            <p>{move || i18n.t(Key::ClaimIntro)}</p>
            <p class="form-error" role="alert" data-testid="claim-error">{error}</p>
            <ActionForm action=action>
                <div class="form-grid single">
                    <div class="field"><label for="card_number">{move || i18n.t(Key::FieldCardNumber)}</label>
                        <input id="card_number" name="card_number" type="text" inputmode="numeric" autocomplete="off" required/></div>
                    <div class="field"><label for="proof">{move || i18n.t(Key::FieldProof)}</label>
                        <input id="proof" name="proof" type="text" autocomplete="off" required/></div>
                    <div class="field"><label for="phone_last4">{move || i18n.t(Key::FieldPhoneLast4)}</label>
                        <input id="phone_last4" name="phone_last4" type="text" inputmode="numeric" maxlength="4" pattern="[0-9]{4}" autocomplete="off"/>
                        <small class="hint">{move || i18n.t(Key::FieldPhoneLast4Hint)}</small></div>
                    <div class="field"><label for="claim-password">{move || i18n.t(Key::FieldPassword)}</label>
                        <input id="claim-password" name="password" type="password" autocomplete="new-password" required/></div>
                    <div class="field"><label for="claim-password-confirm">{move || i18n.t(Key::FieldPasswordConfirm)}</label>
                        <input id="claim-password-confirm" name="password_confirm" type="password" autocomplete="new-password" required/></div>
                </div>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{move || i18n.t(Key::ClaimSubmit)}</button>
            </ActionForm>
        </section>
    }
}
