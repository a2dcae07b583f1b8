//! "Log in" that brings the user back: a link to `/login?next=<this page>`, so after logging
//! in they land where they were (when their role may open it).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::i18n::{use_i18n, Key};
use crate::model::analytics::encode_query_value;

/// The login link for a page that needs a session.
#[component]
pub fn LoginLink() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let href = move || {
        // The router's `search` comes without its `?`.
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        let here =
            if search.is_empty() { location.pathname.get() } else { format!("{}?{search}", location.pathname.get()) };
        format!("/login?next={}", encode_query_value(&here))
    };
    view! { <A href=href attr:data-testid="login-link-next">{move || i18n.t(Key::NavLogin)}</A> }
}
