//! `/login`: one identifier field (card number, email or phone) and the password. A real HTML
//! form, so it works before hydration. Admins land on the dashboard, shoppers on `/me`, or
//! either on the `next` page they were sent from when they may open it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, Key};
use crate::model::account::landing;
use crate::server_fns::auth::Login;
use crate::session::use_session;

/// The login page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = ServerAction::<Login>::new();
    let query = use_query_map();

    let next = move || query.with(|q| q.get("next"));
    Effect::new(move |_| {
        if let Some(Ok(user)) = action.value().get() {
            session.reload();
            leptos_router::hooks::use_navigate()(&landing(user.role, next().as_deref()), Default::default());
        }
    });

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
                <input type="hidden" name="next" value=move || next().unwrap_or_default()/>
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
