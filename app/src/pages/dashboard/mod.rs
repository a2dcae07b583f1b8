//! `/admin`: the sales dashboard. Filters live in the URL query (a plain GET form, enhanced to
//! client-side navigation), so a view can be shared and the back button works. The server render
//! already carries every KPI and table; charts draw in the browser after hydration.

mod charts;
mod filters;
mod widgets;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::admin_gate::AdminGate;
use crate::error::AppError;
use crate::format;
use crate::i18n::{use_i18n, Key};
use crate::model::analytics::{Dashboard, Kpi, KpiKey};
use crate::server_fns::analytics::load_dashboard;

pub use charts::bars as bars_chart;
pub use charts::series as series_chart;
pub use filters::FilterForm;
pub use widgets::{ExportLinks, Widget};

fn kpi_key(key: KpiKey) -> Key {
    match key {
        KpiKey::Revenue => Key::KpiRevenue,
        KpiKey::Receipts => Key::KpiReceipts,
        KpiKey::AverageTicket => Key::KpiAverageTicket,
        KpiKey::ItemsPerReceipt => Key::KpiItemsPerReceipt,
        KpiKey::ActiveCardholders => Key::KpiActiveCardholders,
        KpiKey::LoyaltyShare => Key::KpiLoyaltyShare,
        KpiKey::NewCardholders => Key::KpiNewCardholders,
        KpiKey::PromotionShare => Key::KpiPromotionShare,
        KpiKey::Discounts => Key::KpiDiscounts,
    }
}

/// The dashboard page (admins only).
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! { <AdminGate><DashboardView/></AdminGate> }
}

/// A failed load: warming up, a bad filter (named), or a generic message.
#[component]
pub fn LoadError(
    /// The error.
    error: AppError,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = match &error {
        AppError::Unavailable => i18n.t(Key::DashWarming).to_string(),
        AppError::Invalid { field, message } => format!("{field}: {message}"),
        _ => i18n.t(Key::ErrGeneric).to_string(),
    };
    view! { <p class="notice error" role="alert" data-testid="load-error">{text}</p> }
}

#[component]
fn DashboardView() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let data = Resource::new(move || query.with(|q| q.to_query_string()), load_dashboard);
    view! {
        <section class="page dashboard">
            <h1>{move || i18n.t(Key::DashTitle)}</h1>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(d) => view! { <DashboardBody d/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DashboardBody(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let query = d.filters.to_query();
    let period = format!("{} – {}", format::date(&d.from, lang), format::date(&d.to, lang));
    let previous = format!("{} – {}", format::date(&d.previous_from, lang), format::date(&d.previous_to, lang));
    let until = d.data_until.clone().map(|u| format::date(&u, lang));
    view! {
        <filters::FilterForm filters=d.filters.clone() options=d.options.clone() action="/admin"/>
        <p class="period" data-testid="period">
            {move || i18n.t(Key::DashShowing)} ": " <strong>{period}</strong>
            " (" {move || i18n.t(Key::DashComparedWith)} " " {previous} ")"
            {until.map(|u| view! { " · " {move || i18n.t(Key::DashDataUntil)} " " {u} })}
        </p>
        <KpiRow kpis=d.kpis.clone() query=query.clone()/>
        <widgets::AllWidgets d=d.clone() query=query.clone()/>
        <widgets::ForecastWidgets d query/>
    }
}

#[component]
fn KpiRow(kpis: Vec<Kpi>, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <section class="kpis" aria-label="KPI">
            <ul class="kpi-grid">
                {kpis.into_iter().map(|k| {
                    let unit = k.key.unit();
                    let value = k.value.map(|v| format::figure(v, unit, lang));
                    let change = k.change_bp();
                    let change_class = match change {
                        Some(c) if c > 0 => "kpi-change up",
                        Some(c) if c < 0 => "kpi-change down",
                        _ => "kpi-change",
                    };
                    let previous = k.previous.map(|p| format::figure(p, unit, lang));
                    view! {
                        <li class="kpi" data-kpi=k.key.code()>
                            <span class="kpi-label">{move || i18n.t(kpi_key(k.key))}</span>
                            <span class="kpi-value" data-testid=format!("kpi-{}", k.key.code())>
                                {match value {
                                    Some(v) => v.into_any(),
                                    None => view! { <span class="no-data">{move || i18n.t(Key::DashNoData)}</span> }.into_any(),
                                }}
                            </span>
                            <span class=change_class title=previous.clone().unwrap_or_default()>
                                {match change {
                                    Some(c) => format::change(c, lang).into_any(),
                                    None => view! { {move || i18n.t(Key::DashNoComparison)} }.into_any(),
                                }}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ExportLinks kind="kpis" query/>
        </section>
    }
}
