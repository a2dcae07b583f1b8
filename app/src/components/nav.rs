//! The top navigation: brand, main links and the language switch. Works without JavaScript
//! (plain links); the language buttons need the hydrated app.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_i18n, Key, Lang};

/// The site header with navigation and language choice.
#[component]
pub fn NavBar() -> impl IntoView {
    let i18n = use_i18n();
    let links = [
        ("/", Key::NavHome),
        ("/signup", Key::NavSignup),
        ("/login", Key::NavLogin),
        ("/me", Key::NavMe),
        ("/admin", Key::NavAdmin),
    ];
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"IG"</span>
                <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
            </A>
            <nav aria-label=move || i18n.t(Key::NavMenu)>
                <ul class="nav-links">
                    {links
                        .into_iter()
                        .map(|(href, key)| view! { <li><A href=href>{move || i18n.t(key)}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
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
