//! `/admin/customers` (the paginated, sortable, searchable customer list with the dashboard
//! filters) and `/admin/customers/{card}` (the customer 360 view).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::admin_gate::AdminGate;
use crate::components::chart::Chart;
use crate::components::charts;
use crate::components::filter_form::FilterForm;
use crate::components::load_error::LoadError;
use crate::components::widget::ExportLinks;
use crate::format;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::analytics::{Customer360, CustomerPage, CustomerSort};
use crate::model::table::ExportKind;
use crate::server_fns::analytics::{load_customer, load_customers, AdjustPoints};

/// The customer list page (admins only).
#[component]
pub fn CustomersPage() -> impl IntoView {
    // Made outside the gate, which renders its children more than once on the server (see
    // the dashboard page).
    let query = use_query_map();
    let data = Resource::new(move || query.with(|q| q.to_query_string()), load_customers);
    view! { <AdminGate><CustomerList data/></AdminGate> }
}

#[component]
fn CustomerList(data: Resource<Result<CustomerPage, crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page customers">
            <h1>{move || i18n.t(Key::PageCustomers)}</h1>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(page) => view! { <CustomerTable page/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CustomerTable(page: CustomerPage) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let q = page.query.clone();
    let export_query = {
        let mut x = q.clone();
        x.page = 1;
        x.to_query()
    };
    let href_for = move |sort: Option<CustomerSort>, page_no: Option<u32>| {
        let mut x = q.clone();
        if let Some(s) = sort {
            x.descending = if x.sort == s { !x.descending } else { true };
            x.sort = s;
            x.page = 1;
        }
        if let Some(p) = page_no {
            x.page = p;
        }
        format!("/admin/customers?{}", x.to_query())
    };
    let pages = page.total.div_ceil(page.query.per_page.max(1)).max(1);
    let current = page.query.page;
    let sort_header = {
        let href_for = href_for.clone();
        move |key: Key, sort: CustomerSort| {
            let href = href_for(Some(sort), None);
            view! { <th scope="col" class="num"><a href=href data-sort=sort.code()>{move || i18n.t(key)}</a></th> }
        }
    };
    let prev = (current > 1).then(|| href_for(None, Some(current - 1)));
    let next = (current < pages).then(|| href_for(None, Some(current + 1)));
    view! {
        <FilterForm filters=page.query.filters.clone() options=page.options.clone() action="/admin/customers" search=page.query.search.clone().unwrap_or_default()/>
        <p class="period" data-testid="customers-total">
            <strong>{format::count(i64::from(page.total), lang)}</strong> " " {move || i18n.t(Key::CustFound)}
            " · " {format::date(&page.from, lang)} " – " {format::date(&page.to, lang)}
        </p>
        <ExportLinks kind=ExportKind::Customers query=export_query/>
        {if page.rows.is_empty() {
            view! {
                <p class="no-data" data-testid="no-data">{move || i18n.t(Key::CustNone)}</p>
                {page.card_lookup.clone().map(|l| view! { <CardLookupNotice lookup=l/> })}
            }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0">
                <table class="data-table" data-testid="customers-table">
                    <thead><tr>
                        {sort_header(Key::ColCard, CustomerSort::Card)}
                        {sort_header(Key::ColName, CustomerSort::Name)}
                        <th scope="col">{move || i18n.t(Key::ColLastReceipt)}</th>
                        {sort_header(Key::ColRecency, CustomerSort::Recency)}
                        {sort_header(Key::ColFrequency, CustomerSort::Frequency)}
                        {sort_header(Key::ColMonetary, CustomerSort::Monetary)}
                        <th scope="col">{move || i18n.t(Key::ColScores)}</th>
                        <th scope="col">{move || i18n.t(Key::ColSegment)}</th>
                    </tr></thead>
                    <tbody>
                        {page.rows.into_iter().map(|r| {
                            let href = format!("/admin/customers/{}", r.card_number);
                            let card = r.card_number.clone();
                            view! {
                                <tr data-card=card>
                                    <td><A href=href>{r.card_number}</A></td>
                                    <td>{r.name}</td>
                                    <td>{format::date(&r.last_receipt, lang)}</td>
                                    <td class="num">{r.recency_days}</td>
                                    <td class="num">{r.frequency}</td>
                                    <td class="num">{format::euros(r.monetary_cents, lang)}</td>
                                    <td>{format!("{}-{}-{}", r.r, r.f, r.m)}</td>
                                    <td>{r.segment.label(lang)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any()
        }}
        <nav class="pager" aria-label=move || i18n.t(Key::PageLabel)>
            {prev.map(|h| view! { <a class="button" href=h rel="prev">{move || i18n.t(Key::PrevPage)}</a> })}
            <span data-testid="page-of">{move || i18n.t(Key::PageLabel)} " " {current} " / " {pages}</span>
            {next.map(|h| view! { <a class="button" href=h rel="next" data-testid="next-page">{move || i18n.t(Key::NextPage)}</a> })}
        </nav>
    }
}

/// The customer 360 page (admins only).
#[component]
pub fn CustomerPage360() -> impl IntoView {
    // Made outside the gate, which renders its children more than once on the server (see
    // the dashboard page).
    let params = use_params_map();
    let adjust = ServerAction::<AdjustPoints>::new();
    let data = Resource::new(
        move || (params.with(|p| p.get("card").unwrap_or_default()), adjust.version().get()),
        |(card, _)| load_customer(card),
    );
    view! { <AdminGate><Customer360View data adjust/></AdminGate> }
}

#[component]
fn Customer360View(
    data: Resource<Result<Customer360, crate::error::AppError>>,
    adjust: ServerAction<AdjustPoints>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page customer-360">
            <p><A href="/admin/customers">{move || i18n.t(Key::CustBack)}</A></p>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(c) => view! { <Customer360Body c=c.clone()/> <AdjustForm card=c.card_number action=adjust/> }.into_any(),
                    Err(crate::error::AppError::NotFound) => view! { <p class="notice" data-testid="not-found">{move || i18n.t(Key::CustNotFound)}</p> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Customer360Body(c: Customer360) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let monthly = c.monthly.clone();
    let depts = c.departments.clone();
    let revenue_name = i18n.t(Key::ColRevenue);
    let receipts_name = i18n.t(Key::ColReceipts);
    let dash = || "—".to_string();
    view! {
        <h1>{move || i18n.t(Key::CustTitle)} ": " <span data-testid="customer-name">{c.name.clone()}</span></h1>
        <dl class="profile" data-testid="profile">
            <dt>{move || i18n.t(Key::ColCard)}</dt><dd data-testid="customer-card">{c.card_number.clone()}</dd>
            <dt>{move || i18n.t(Key::FieldEmail)}</dt><dd>{c.email.clone().unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::FieldPhone)}</dt><dd>{c.phone.clone().unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::FieldBirthDate)}</dt><dd>{c.birth_date.clone().map(|d| format::date(&d, lang)).unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::CustGender)}</dt><dd>{c.gender.clone().unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::CustEnrolled)}</dt><dd>{c.enrolled_on.clone().map(|d| format::date(&d, lang)).unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::CustEnrolmentStore)}</dt><dd>{c.enrolment_store.clone().unwrap_or_else(dash)}</dd>
            <dt>{move || i18n.t(Key::CardPoints)}</dt><dd data-testid="customer-points">{format::count(c.points_balance, lang)}</dd>
            <dt>{move || i18n.t(Key::CardLevel)}</dt><dd>{move || i18n.t(c.level.key())}</dd>
            <dt>{move || i18n.t(Key::CustOrigin)}</dt><dd data-testid="customer-lineage"><LineageText lineage=c.lineage.clone()/></dd>
            <dt>{move || i18n.t(Key::MeBadges)}</dt>
            <dd data-testid="customer-badges">{c.badges.iter().filter(|b| b.awarded_on.is_some()).count()} " / " {c.badges.len()}</dd>
        </dl>
        <section class="widget">
            <h2>{move || i18n.t(Key::CustRfm)}</h2>
            {match c.rfm.clone() {
                Some(r) => view! {
                    <p data-testid="customer-rfm">
                        "R " <strong>{r.r}</strong> " · F " <strong>{r.f}</strong> " · M " <strong>{r.m}</strong>
                        " — " <strong data-testid="customer-segment">{r.segment.label(lang)}</strong>
                        " (" {r.recency_days} " gg, " {r.frequency} " " {move || i18n.t(Key::ColReceipts).to_lowercase()} ", " {format::euros(r.monetary_cents, lang)} ")"
                    </p>
                    <dl class="profile" data-testid="customer-forecast">
                        <dt>{move || i18n.t(Key::ColPAlive)}</dt>
                        <dd data-testid="customer-p-alive">{r.p_alive_bp.map(|p| format::percent(p, lang)).unwrap_or_else(|| "—".into())}</dd>
                        <dt>{move || i18n.t(Key::ColExpected90)}</dt>
                        <dd>{r.expected_receipts_90d_milli.map(|e| format::milli(e, lang)).unwrap_or_else(|| "—".into())}</dd>
                        <dt>{move || i18n.t(Key::ColPredictedValue)}</dt>
                        <dd>{r.value_12m_cents.map(|v| format::euros(v, lang)).unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                }.into_any(),
                None => view! { <p class="no-data">{move || i18n.t(Key::CustNoReceipts)}</p> }.into_any(),
            }}
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::CustMonthly)}</h2>
            <Chart id="chart-customer-monthly" label=Signal::derive(move || i18n.t(Key::CustMonthly).to_string()) height=260
                options=move || charts::series(
                    monthly.iter().map(|m| format::month(&m.start, lang)).collect(),
                    monthly.iter().map(|m| m.revenue_cents).collect(),
                    monthly.iter().map(|m| m.receipts).collect(), revenue_name, receipts_name, lang)/>
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::WDepartments)}</h2>
            {if depts.is_empty() {
                view! { <p class="no-data">{move || i18n.t(Key::CustNoReceipts)}</p> }.into_any()
            } else {
                view! {
                    <table class="data-table" data-testid="customer-departments">
                        <thead><tr><th scope="col">{move || i18n.t(Key::ColName)}</th><th scope="col" class="num">{move || i18n.t(Key::ColRevenue)}</th><th scope="col" class="num">{move || i18n.t(Key::ColShare)}</th></tr></thead>
                        <tbody>{depts.into_iter().map(|d| view! {
                            <tr><td>{d.name}</td><td class="num">{format::euros(d.revenue_cents, lang)}</td><td class="num">{format::percent(d.share_bp, lang)}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::CustLatestReceipts)}</h2>
            <p>{format::count(i64::from(c.receipts_total), lang)} " " {move || i18n.t(Key::CustReceiptsTotal)}</p>
            <ul class="receipts" data-testid="customer-receipts">
                {c.receipts.clone().into_iter().map(|r| view! {
                    <li data-receipt=r.id.clone()>
                        <details>
                            <summary>{r.issued_at.clone()} " · " {r.store.clone()} " · " <strong>{format::euros(r.net_cents, lang)}</strong></summary>
                            <table class="data-table">
                                <tbody>{r.lines.into_iter().map(|l| view! {
                                    <tr><td>{l.description}{l.no_points.then(|| view! { " " <span class="tag no-points">{move || i18n.t(Key::NoPoints)}</span> })}</td><td>{l.department}</td><td class="num">{format::milli(l.quantity_milli, lang)}</td>
                                        <td class="num">{format::euros(l.net_cents, lang)}</td><td>{l.promotion.unwrap_or_default()}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        </details>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        {(!c.vouchers.is_empty()).then(|| view! {
            <section class="widget">
                <h2>{move || i18n.t(Key::VouchersTitle)}</h2>
                <div class="table-wrap" tabindex="0">
                <table class="data-table" data-testid="customer-vouchers">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(Key::VoucherCodeLabel)}</th>
                        <th scope="col">{move || i18n.t(Key::RewardTitleIt)}</th>
                        <th scope="col">{move || i18n.t(Key::AdminsStatus)}</th>
                        <th scope="col">{move || i18n.t(Key::VoucherIssuedLabel)}</th>
                        <th scope="col">{move || i18n.t(Key::VoucherUsedLabel)}</th>
                    </tr></thead>
                    <tbody>
                        {c.vouchers.clone().into_iter().map(|v| {
                            let key = crate::pages::rewards::status_key(v.status);
                            view! {
                                <tr data-code=v.code.clone()>
                                    <td><code>{v.code.clone()}</code></td>
                                    <td>{v.title_it.clone()}</td>
                                    <td data-testid="customer-voucher-status">{move || i18n.t(key)}</td>
                                    <td>{format::date(v.issued_at.get(..10).unwrap_or_default(), lang)}</td>
                                    <td>{v.used_at.as_deref().map(|u| format::date(u.get(..10).unwrap_or_default(), lang)).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        })}
    }
}

/// The manual points adjustment form of the 360 view.
#[component]
fn AdjustForm(
    /// The card to adjust.
    card: String,
    /// The server action.
    action: ServerAction<AdjustPoints>,
) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = move || {
        action.value().get().map(|r| match r {
            Ok(balance) => view! { <p class="done" role="status" data-testid="adjust-done">{move || i18n.t(Key::AdjustDone)} " " {balance}</p> }.into_any(),
            Err(crate::error::AppError::Invalid { field, message }) => view! { <p class="form-error" role="alert">{format!("{field}: {message}")}</p> }.into_any(),
            Err(_) => view! { <p class="form-error" role="alert">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
        })
    };
    view! {
        <section class="widget">
            <h2>{move || i18n.t(Key::AdjustTitle)}</h2>
            <ActionForm action=action>
                <input type="hidden" name="card_number" value=card/>
                <label for="adjust-points">{move || i18n.t(Key::AdjustPoints)}</label>
                <input id="adjust-points" type="number" name="points" required step="1"/>
                <label for="adjust-reason">{move || i18n.t(Key::AdjustReason)}</label>
                <input id="adjust-reason" type="text" name="reason" required maxlength="200"/>
                <p><button type="submit" class="button">{move || i18n.t(Key::AdjustSubmit)}</button></p>
            </ActionForm>
            {outcome}
        </section>
    }
}

/// Which files created and last changed a card's record ("created by the file X of 12/11/2026;
/// last changed by the file Y of …"), or that no file did.
#[component]
fn LineageText(lineage: crate::model::analytics::CardLineage) -> impl IntoView {
    let i18n = use_i18n();
    let mention = move |key: Key, b: crate::model::analytics::BatchMention| {
        view! {
            <span data-testid="lineage-batch" data-batch=b.batch_id.clone()>
                {move || i18n.t(key)} " " <strong>{b.file_name.clone()}</strong> " " {move || i18n.t(Key::CardOf)} " "
                {move || format::date(b.imported_at.get(..10).unwrap_or_default(), i18n.lang())}
            </span>
        }
    };
    let last = lineage.last.filter(|l| lineage.first.as_ref().is_none_or(|f| f.batch_id != l.batch_id));
    match lineage.first {
        None if last.is_none() => view! { <span>{move || i18n.t(Key::CardNotFromFile)}</span> }.into_any(),
        first => view! {
            {first.map(|f| mention(Key::CardFirstImport, f))}
            {last.map(|l| view! { "; " {mention(Key::CardLastImport, l)} })}
        }
        .into_any(),
    }
}

/// "Where is this card?": what the files said of a searched card number no customer has.
#[component]
fn CardLookupNotice(lookup: crate::model::analytics::CardLookup) -> impl IntoView {
    let i18n = use_i18n();
    let card = lookup.card_number.clone();
    let verdict = if lookup.in_analytics {
        Key::CardNoReceipts
    } else if lookup.in_register {
        Key::CardInRegister
    } else if lookup.rejected.is_empty() {
        Key::CardNeverSeen
    } else {
        Key::CardOnlyRejected
    };
    view! {
        <div class="card-lookup notice" data-testid="card-lookup" data-verdict=format!("{verdict:?}")>
            <p><strong>{card}</strong> " " {move || i18n.t(verdict)}</p>
            {lookup.lineage.map(|l| view! { <p data-testid="card-lineage"><LineageText lineage=l/></p> })}
            {(!lookup.rejected.is_empty()).then(|| view! {
                <ul>
                    {lookup.rejected.into_iter().map(|r| {
                        let column = r.column.clone();
                        view! {
                            <li data-testid="card-rejected">
                                {r.file_name.clone()} " " {move || i18n.t(Key::CardOf)} " "
                                {move || format::date(r.imported_at.get(..10).unwrap_or_default(), i18n.lang())}
                                ", " {move || i18n.t(Key::CardRow)} " " {r.row}
                                {column.map(|c| view! { ", " {move || i18n.t(Key::CardColumn)} " " {c}})}
                                ": " {r.reason.clone()}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
