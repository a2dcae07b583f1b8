//! `/admin`: the sales dashboard. Filters live in the URL query (a plain GET form, enhanced to
//! client-side navigation), so a view can be shared and the back button works. The server render
//! already carries every KPI and table; charts draw in the browser after hydration.

mod widgets;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::admin_gate::AdminGate;
use crate::format;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::analytics::{Dashboard, Kpi};
use crate::server_fns::analytics::load_dashboard;

use crate::components::data_table::data_table;
use crate::components::filter_form::FilterForm;
use crate::components::load_error::LoadError;
use crate::components::widget::ExportLinks;
use crate::model::table::ExportKind;

/// The dashboard page (admins only). The figures' resource is made here, outside the admin
/// gate: the gate renders its children more than once on the server, and a resource made
/// inside would be fetched once per render — should the data change between two fetches, the
/// page would be rendered from one and hydrated from another.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.with(|q| q.to_query_string()), load_dashboard);
    view! { <AdminGate><DashboardView data/></AdminGate> }
}

#[component]
fn DashboardView(data: Resource<Result<Dashboard, crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page dashboard">
            <h1>{move || i18n.t(Key::DashTitle)}</h1>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"…"</p> }>
                {move || data.get().map(|result| match result {
                    // A brand-new store: nothing imported yet, so say where the data comes from.
                    Ok(d) if d.data_until.is_none() => view! {
                        <p class="notice" data-testid="dash-empty-store">
                            {move || i18n.t(Key::DashEmptyStore)} " "
                            <A href="/admin/import">{move || i18n.t(Key::DashEmptyStoreLink)}</A>
                        </p>
                    }.into_any(),
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
        <FilterForm filters=d.filters.clone() options=d.options.clone() action="/admin"/>
        <p class="period" data-testid="period">
            {move || i18n.t(Key::DashShowing)} ": " <strong>{period}</strong>
            " (" {move || i18n.t(Key::DashComparedWith)} " " {previous} ")"
            {until.map(|u| view! { " · " {move || i18n.t(Key::DashDataUntil)} " " {u} })}
        </p>
        <KpiRow kpis=d.kpis.clone() query=query.clone()/>
        <widgets::AllWidgets d=d.clone() query=query.clone()/>
        {d.points.clone().map(|p| view! { <widgets::PointsWidgets p query=query.clone()/> })}
        <widgets::ForecastWidgets d query/>
    }
}

#[component]
fn KpiRow(kpis: Vec<Kpi>, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let table = kpis.clone();
    view! {
        <section class="kpis" aria-label="KPI">
            <ul class="kpi-grid">
                {kpis.into_iter().map(|k| {
                    let unit = k.key.unit();
                    let value = k.value.map(|v| format::compact(v, unit, lang));
                    let exact = k.value.map(|v| format::figure(v, unit, lang)).unwrap_or_default();
                    let change = k.change_bp();
                    let change_class = match change {
                        Some(c) if c > 0 => "kpi-change up",
                        Some(c) if c < 0 => "kpi-change down",
                        _ => "kpi-change",
                    };
                    let previous = k.previous.map(|p| format::figure(p, unit, lang));
                    view! {
                        <li class="kpi" data-kpi=k.key.code()>
                            <span class="kpi-label">{move || i18n.t(k.key.key())}</span>
                            <span class="kpi-value" data-testid=format!("kpi-{}", k.key.code()) title=exact>
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
            <details class="data-table-wrap">
                <summary>{move || i18n.t(Key::DataTable)}</summary>
                <div class="table-wrap" tabindex="0">{data_table(&table, "table-kpis")}</div>
            </details>
            <ExportLinks kind=ExportKind::Kpis query/>
        </section>
    }
}
