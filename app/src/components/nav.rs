//! The top navigation: brand, main links and the language switch. Works without JavaScript
//! (plain links); the language buttons need the hydrated app.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_i18n, Key, Lang};
use crate::model::account::Role;
use crate::server_fns::auth::Logout;
use crate::session::use_session;

/// The site header with navigation and language choice.
#[component]
pub fn NavBar() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let logout = ServerAction::<Logout>::new();
    session.follow(move || matches!(logout.value().get(), Some(Ok(()))), Some("/"));
    // The links that fit the session: signing up only without one, the dashboard for admins.
    let links = move || {
        let user = session.current();
        let mut links = vec![("/", Key::NavHome)];
        match &user {
            None => links.extend([("/signup", Key::NavSignup), ("/me", Key::NavMe)]),
            Some(u) if u.role.at_least(Role::Admin) => {
                links.push(("/admin", Key::NavAdmin));
                if u.card_number.is_some() {
                    links.push(("/me", Key::NavMe));
                }
            }
            Some(_) => links.push(("/me", Key::NavMe)),
        }
        links
    };
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"IG"</span>
                <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
            </A>
            <nav aria-label=move || i18n.t(Key::NavMenu)>
                <ul class="nav-links">
                    <Transition fallback=|| ()>
                        {move || links()
                            .into_iter()
                            .map(|(href, key)| view! { <li><A href=href>{move || i18n.t(key)}</A></li> })
                            .collect_view()}
                    </Transition>
                </ul>
            </nav>
            <div class="account">
                <Transition fallback=|| ()>
                    {move || match session.current() {
                        Some(user) => view! {
                            <span class="greeting" data-testid="greeting">{move || i18n.t(Key::Greeting)} ", " {user.first_name.clone()}</span>
                            <ActionForm action=logout>
                                <button type="submit" class="link-button" data-testid="logout">{move || i18n.t(Key::Logout)}</button>
                            </ActionForm>
                        }.into_any(),
                        None => view! { <A href="/login" attr:class="login-link">{move || i18n.t(Key::NavLogin)}</A> }.into_any(),
                    }}
                </Transition>
            </div>
            <div class="lang-switch" role="group" aria-label=move || i18n.t(Key::LanguageLabel)>
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <button
                                type="button"
                                class="lang-btn"
                                data-lang=lang.code()
                                aria-pressed=move || (i18n.lang() == lang).to_string()
                                on:click=move |_| i18n.set_lang(lang)
                            >
                                {lang.code().to_uppercase()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </header>
    }
}
