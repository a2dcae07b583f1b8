//! `/login`: one identifier field (card number, email or phone) and the password. A real HTML
//! form, so it works before hydration; with JavaScript the user lands on the card page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, Key};
use crate::server_fns::auth::{Login, AFTER_LOGIN};
use crate::session::use_session;

/// The login page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = ServerAction::<Login>::new();
    let query = use_query_map();

    session.follow(move || matches!(action.value().get(), Some(Ok(_))), Some(AFTER_LOGIN));

    let error = move || {
        let status = match action.value().get() {
            Some(Err(e)) => Some(e.status()),
            _ => query.with(|q| q.get("error")).and_then(|s| s.parse::<u16>().ok()),
        }?;
        Some(match status {
            401 => i18n.t(Key::LoginFailed),
            429 => i18n.t(Key::LoginLimited),
            _ => i18n.t(Key::ErrGeneric),
        })
    };

    view! {
        <section class="page login">
            <h1>{move || i18n.t(Key::LoginTitle)}</h1>
            <p>{move || i18n.t(Key::LoginIntro)}</p>
            <p class="form-error" role="alert" data-testid="login-error">{error}</p>
            <ActionForm action=action>
                <div class="form-grid single">
                    <div class="field">
                        <label for="identifier">{move || i18n.t(Key::FieldIdentifier)}</label>
                        <input id="identifier" name="identifier" type="text" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="password">{move || i18n.t(Key::FieldPasswordPlain)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    </div>
                </div>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {move || i18n.t(Key::LoginSubmit)}
                </button>
            </ActionForm>
            <p>{move || i18n.t(Key::LoginNoAccount)} " " <a href="/signup">{move || i18n.t(Key::NavSignup)}</a></p>
        </section>
    }
}
