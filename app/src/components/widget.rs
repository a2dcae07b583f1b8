//! A dashboard widget (title, chart, its table behind a disclosure, export links) and the
//! export links themselves, which carry the current filters.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::model::table::ExportKind;

/// CSV and XLSX links for one export kind with the current filters.
#[component]
pub fn ExportLinks(
    /// What the links export.
    kind: ExportKind,
    /// The current filters as a query string.
    query: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = kind.code();
    let csv = format!("/admin/export/{kind}.csv?{query}");
    let csv_comma = format!("/admin/export/{kind}.csv?{query}&sep=comma");
    let xlsx = format!("/admin/export/{kind}.xlsx?{query}");
    view! {
        <p class="exports">
            {move || i18n.t(Key::ExportLabel)} ": "
            <a href=csv download data-testid=format!("export-{kind}-csv") rel="external">"CSV (;)"</a> " · "
            <a href=csv_comma download rel="external">"CSV (,)"</a> " · "
            <a href=xlsx download data-testid=format!("export-{kind}-xlsx") rel="external">"Excel"</a>
        </p>
    }
}

/// One dashboard widget.
#[component]
pub fn Widget(
    /// DOM id (also the export kind's prefix in tests).
    id: &'static str,
    /// Title.
    title: Key,
    /// True when the selection has nothing to show.
    empty: bool,
    /// What to say when empty (default: no data for the filters).
    #[prop(optional)]
    empty_text: Option<Key>,
    /// Export kind, when the widget's table can be exported.
    #[prop(optional)]
    export: Option<ExportKind>,
    /// The current filters as a query string.
    query: String,
    /// Chart (drawn when not empty).
    #[prop(into)]
    chart: ViewFn,
    /// Table of the figures.
    #[prop(into)]
    table: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="widget" id=id data-testid=id>
            <h2>{move || i18n.t(title)}</h2>
            {if empty {
                view! { <p class="no-data" data-testid="no-data">{move || i18n.t(empty_text.unwrap_or(Key::DashNoData))}</p> }.into_any()
            } else {
                view! {
                    {chart.run()}
                    <details class="data-table-wrap">
                        <summary>{move || i18n.t(Key::DataTable)}</summary>
                        <div class="table-wrap" tabindex="0">{table.run()}</div>
                    </details>
                }.into_any()
            }}
            {export.map(|kind| view! { <ExportLinks kind query=query.clone()/> })}
        </section>
    }
}
