//! A route reserved for a feature still being built: it has its real title and says so.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

/// Placeholder for a route whose page is not built yet.
#[component]
pub fn ReservedPage(
    /// The page's title.
    title: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{move || i18n.t(title)}</h1>
            <p class="notice">{move || i18n.t(Key::ReservedNotice)}</p>
        </section>
    }
}
