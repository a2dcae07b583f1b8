//! Wraps every admin page: the server checks the role first (401 without a session, 403 for
//! anyone else) and the page content renders only for an admin.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::server_fns::admin::admin_gate;

/// Shows `children` only to an active admin.
#[component]
pub fn AdminGate(
    /// The admin page.
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let gate = Resource::new_blocking(|| (), |_| admin_gate());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || gate.get().map(|result| match result {
                Ok(gate) => view! {
                    <StoreAlerts alerts=gate.alerts/>
                    <AdminNav/>
                    {children.with_value(|c| c())}
                }.into_any(),
                Err(AppError::Unauthorized) => view! {
                    <section class="page"><p class="notice" data-testid="need-login">{move || i18n.t(Key::NeedLogin)} " "
                        <crate::components::login_link::LoginLink/></p></section>
                }.into_any(),
                Err(_) => view! {
                    <section class="page"><p class="notice" data-testid="not-allowed">{move || i18n.t(Key::NotAllowed)}</p></section>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// Links between the admin pages, shown above each of them.
#[component]
fn AdminNav() -> impl IntoView {
    let i18n = use_i18n();
    let links = [
        ("/admin", Key::NavAdmin),
        ("/admin/customers", Key::NavCustomers),
        ("/admin/import", Key::PageImport),
        ("/admin/rewards", Key::RewardsAdminTitle),
        ("/admin/campaigns", Key::CampaignsTitle),
        ("/admin/store-keys", Key::ShopKeysTitle),
        ("/admin/users", Key::PageUsers),
    ];
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <ul>
                {links.into_iter().map(|(href, key)| view! { <li><A href=href exact=true>{move || i18n.t(key)}</A></li> }).collect_view()}
            </ul>
        </nav>
    }
}

/// The watchdog's alerts, in red above every admin page: the database holds fewer rows than
/// it did (restored or changed outside the application).
#[component]
fn StoreAlerts(alerts: Vec<crate::model::admin::StoreAlert>) -> impl IntoView {
    let i18n = use_i18n();
    (!alerts.is_empty()).then(|| {
        view! {
            <div class="store-alert" role="alert" data-testid="store-alert">
                {alerts
                    .into_iter()
                    .map(|a| view! { <p>{move || crate::format::store_alert(&a, i18n.lang())}</p> })
                    .collect_view()}
            </div>
        }
    })
}
