//! ImaGross Loyalty: everything the server render and the browser share — pages, components,
//! the translation layer, wire models and validation. Server-only code sits behind the `ssr`
//! feature so the wasm build never carries it.

// The dashboard's view type is deep; release builds (no `erase_components`) compute its
// layout past the default limit of 128.
#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod format;
pub mod i18n;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod server_fns;
pub mod session;
pub mod validate;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::components::nav::NavBar;
use crate::i18n::{provide_i18n, use_i18n, Key};
use crate::pages::{
    admin_users::AdminUsersPage,
    campaigns::{CampaignReportPage, CampaignsPage},
    card::CardPage,
    claim::ClaimPage,
    customers::{CustomerPage360, CustomersPage},
    dashboard::DashboardPage,
    home::HomePage,
    import::ImportPage,
    login::LoginPage,
    me::{MePage, MyReceiptPage, MyReceiptsPage, ProfilePage},
    not_found::NotFound,
    offers::OffersPage,
    rewards::{MovementsPage, RewardsPage},
    rewards_admin::RewardsAdminPage,
    shop_keys::ShopKeysPage,
    signup::SignupPage,
};
use crate::session::provide_session;

/// The HTML document around the app: echarts is loaded with a plain `<script>` before the
/// hydration scripts so charts can draw as soon as the wasm runs.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <script src="/echarts.min.js"></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy, with the nonce Leptos puts on its own inline scripts
/// (hydration, resources): no other inline script runs, no `eval` (WebAssembly compilation
/// only), nothing framed, forms and fetches to this origin only. Inline *styles* stay allowed
/// for the few computed widths and heights.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    static WATCH: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let watched = *WATCH.get_or_init(|| std::env::var("LEPTOS_WATCH").is_ok());
    let reload = if watched { " ws://127.0.0.1:* ws://localhost:*" } else { "" };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: navigation, routes and the language context. Pages render with
/// `SsrMode::Async`: the server waits for their data (and the session) so the HTML is complete
/// even for a browser without JavaScript.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_i18n();
    provide_session();
    let i18n = use_i18n();

    view! {
        <Html attr:lang=head_text(move || i18n.lang().code())/>
        <Stylesheet id="leptos" href="/pkg/imagross.css"/>
        <Link rel="icon" href="/favicon.svg"/>
        <Meta name="theme-color" content="#b3121f"/>
        <Title text=head_text(move || i18n.t(Key::AppName))/>
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t(Key::SkipToContent)}</a>
            <NavBar/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") ssr=SsrMode::Async view=HomePage/>
                    <Route path=path!("/signup") ssr=SsrMode::Async view=SignupPage/>
                    <Route path=path!("/login") ssr=SsrMode::Async view=LoginPage/>
                    <Route path=path!("/claim") ssr=SsrMode::Async view=ClaimPage/>
                    <Route path=path!("/me") ssr=SsrMode::Async view=MePage/>
                    <Route path=path!("/me/card") ssr=SsrMode::Async view=CardPage/>
                    <Route path=path!("/me/receipts") ssr=SsrMode::Async view=MyReceiptsPage/>
                    <Route path=path!("/me/receipts/:id") ssr=SsrMode::Async view=MyReceiptPage/>
                    <Route path=path!("/me/profile") ssr=SsrMode::Async view=ProfilePage/>
                    <Route path=path!("/me/rewards") ssr=SsrMode::Async view=RewardsPage/>
                    <Route path=path!("/me/points") ssr=SsrMode::Async view=MovementsPage/>
                    <Route path=path!("/me/offers") ssr=SsrMode::Async view=OffersPage/>
                    <Route path=path!("/admin") ssr=SsrMode::Async view=DashboardPage/>
                    <Route path=path!("/admin/customers") ssr=SsrMode::Async view=CustomersPage/>
                    <Route path=path!("/admin/customers/:card") ssr=SsrMode::Async view=CustomerPage360/>
                    <Route path=path!("/admin/import") ssr=SsrMode::Async view=ImportPage/>
                    <Route path=path!("/admin/users") ssr=SsrMode::Async view=AdminUsersPage/>
                    <Route path=path!("/admin/store-keys") ssr=SsrMode::Async view=ShopKeysPage/>
                    <Route path=path!("/admin/rewards") ssr=SsrMode::Async view=RewardsAdminPage/>
                    <Route path=path!("/admin/campaigns") ssr=SsrMode::Async view=CampaignsPage/>
                    <Route path=path!("/admin/campaigns/:id") ssr=SsrMode::Async view=CampaignReportPage/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>{move || i18n.t(Key::FooterText)}</p>
            </footer>
        </Router>
    }
}

/// A `<head>` value that follows the language in the browser. On the server it is read once,
/// while the component renders: leptos_meta reads head values after the body, when (with
/// sandboxed arenas) no reactive arena is active, and a signal read there panics and hangs the
/// response.
fn head_text(
    read: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl Fn() -> &'static str + Send + Sync + 'static {
    #[cfg(feature = "ssr")]
    {
        let value = read();
        move || value
    }
    #[cfg(not(feature = "ssr"))]
    {
        read
    }
}
