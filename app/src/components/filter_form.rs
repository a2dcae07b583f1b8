//! The filter form shared by the dashboard and the customer list: a GET form whose fields are
//! the URL query parameters, so it works before hydration and becomes client-side navigation
//! after it.

use leptos::prelude::*;
use leptos_router::components::Form;

use crate::i18n::{use_i18n, Key, Label};
use crate::model::analytics::{AgeBand, FilterOptions, Filters, RangePreset, Segment};

/// Checkboxes for a multi-valued parameter.
#[component]
fn MultiCheck(
    /// Query parameter name.
    name: &'static str,
    /// Legend.
    legend: Key,
    /// (code, label) choices.
    options: Vec<(String, String)>,
    /// Codes currently selected.
    selected: Vec<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="filter-multi" open=!selected.is_empty() data-testid=format!("filter-{name}")>
            <summary>{move || i18n.t(legend)} {(!selected.is_empty()).then(|| format!(" ({})", selected.len()))}</summary>
            <fieldset>
                <legend class="visually-hidden">{move || i18n.t(legend)}</legend>
                {options.into_iter().map(|(code, label)| {
                    let checked = selected.contains(&code);
                    view! {
                        <label class="check">
                            <input type="checkbox" name=name value=code.clone() checked=checked/>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        </details>
    }
}

/// The filters as a form submitting to `action`.
#[component]
pub fn FilterForm(
    /// Current filters (pre-filled).
    filters: Filters,
    /// Values to choose from.
    options: FilterOptions,
    /// Where the form submits (`/admin` or `/admin/customers`).
    action: &'static str,
    /// Current search text, shown as a search box when `Some`.
    #[prop(optional)]
    search: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let f = filters;
    let custom = f.range == RangePreset::Custom;
    let summary = summary(&f, &search, lang);
    view! {
        // On a phone the filters fold behind a line saying which are active, so the figures
        // come first; on wider screens the panel is always open (see the stylesheet).
        <details class="filter-panel" data-testid="filter-panel">
        <summary data-testid="filter-summary">
            <span class="filter-summary-title">{move || i18n.t(Key::DashFilters)} ":"</span> {summary}
        </summary>
        <Form method="GET" action=action attr:class="filters" attr:data-testid="filters">
            <h2 class="visually-hidden">{move || i18n.t(Key::DashFilters)}</h2>
            {search.map(|s| view! {
                <label class="field search">
                    <span>{move || i18n.t(Key::CustSearch)}</span>
                    <input type="search" name="q" value=s data-testid="search"/>
                </label>
            })}
            <label class="field">
                <span>{move || i18n.t(Key::FilterRange)}</span>
                <select name="range" data-testid="range">
                    {RangePreset::ALL.into_iter().map(|p| view! {
                        <option value=p.code() selected=p == f.range>{move || i18n.t(p.key())}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field date">
                <span>{move || i18n.t(Key::FilterFrom)}</span>
                <input type="date" name="from" value=if custom { f.from.clone().unwrap_or_default() } else { String::new() }/>
            </label>
            <label class="field date">
                <span>{move || i18n.t(Key::FilterTo)}</span>
                <input type="date" name="to" value=if custom { f.to.clone().unwrap_or_default() } else { String::new() }/>
            </label>
            <MultiCheck name="store" legend=Key::FilterShops options=options.shops selected=f.shops.clone()/>
            <MultiCheck name="dept" legend=Key::FilterDepartments options=options.departments selected=f.departments.clone()/>
            <label class="field">
                <span>{move || i18n.t(Key::FilterPromotion)}</span>
                <select name="promo">
                    <option value="" selected=f.promotion.is_none()>{move || i18n.t(Key::FilterAll)}</option>
                    <option value="any" selected=f.promotion.as_deref() == Some("any")>{move || i18n.t(Key::FilterAnyPromo)}</option>
                    {options.promotions.into_iter().map(|(code, label)| {
                        let selected = f.promotion.as_deref() == Some(code.as_str());
                        view! { <option value=code selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(Key::FilterSegment)}</span>
                <select name="segment" data-testid="segment">
                    <option value="" selected=f.segment.is_none()>{move || i18n.t(Key::FilterAll)}</option>
                    {Segment::ALL.into_iter().map(|s| view! {
                        <option value=s.code() selected=f.segment == Some(s)>
                            {s.label(lang)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(Key::FilterGender)}</span>
                <select name="gender">
                    <option value="" selected=f.gender.is_none()>{move || i18n.t(Key::FilterAll)}</option>
                    <option value="F" selected=f.gender.as_deref() == Some("F")>{move || i18n.t(Key::GenderF)}</option>
                    <option value="M" selected=f.gender.as_deref() == Some("M")>{move || i18n.t(Key::GenderM)}</option>
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(Key::FilterAge)}</span>
                <select name="age">
                    <option value="" selected=f.age_band.is_none()>{move || i18n.t(Key::FilterAll)}</option>
                    {AgeBand::ALL.into_iter().map(|b| view! {
                        <option value=b.code() selected=f.age_band == Some(b)>{b.code()}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="filter-actions">
                <button type="submit" class="button primary" data-testid="apply-filters">{move || i18n.t(Key::FilterApply)}</button>
                <a class="button" href=action>{move || i18n.t(Key::FilterReset)}</a>
            </div>
        </Form>
        </details>
    }
}

/// The active filters in one line: the period, then each filter that narrows the data.
fn summary(f: &Filters, search: &Option<String>, lang: crate::i18n::Lang) -> String {
    let mut parts = Vec::new();
    if let Some(q) = search.as_deref().filter(|q| !q.is_empty()) {
        parts.push(format!("\u{201c}{q}\u{201d}"));
    }
    parts.push(match (f.range, &f.from, &f.to) {
        (RangePreset::Custom, Some(from), Some(to)) => {
            format!("{} – {}", crate::format::date(from, lang), crate::format::date(to, lang))
        }
        (p, _, _) => p.key().text(lang).to_string(),
    });
    let count = |n: usize, key: Key| (n > 0).then(|| format!("{} {n}", key.text(lang)));
    parts.extend(count(f.shops.len(), Key::FilterShops));
    parts.extend(count(f.departments.len(), Key::FilterDepartments));
    if f.promotion.is_some() {
        parts.push(Key::FilterPromotion.text(lang).to_string());
    }
    if let Some(s) = f.segment {
        parts.push(s.label(lang).to_string());
    }
    if let Some(g) = f.gender.as_deref() {
        parts.push(if g == "F" { Key::GenderF } else { Key::GenderM }.text(lang).to_string());
    }
    if let Some(b) = f.age_band {
        parts.push(b.code().to_string());
    }
    parts.join(" · ")
}
