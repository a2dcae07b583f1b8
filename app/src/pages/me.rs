//! The shopper's personal area: `/me` (card summary, savings, spend charts, favourites, badges,
//! challenges, latest receipts), `/me/receipts` and `/me/receipts/{id}`. Mobile first; every
//! figure comes from the caller's own data only.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::chart::Chart;
use crate::components::charts;
use crate::error::AppError;
use crate::format;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::personal::{BadgeKind, PersonalArea, ReceiptSummary};
use crate::server_fns::personal::{
    my_area, my_profile, my_receipt, my_receipts, ChangeMyPassword, EraseMyData, UpdateMyProfile,
};

/// The message for a failed personal-area load (also the rewards and movements pages).
#[component]
pub fn MeError(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Unauthorized => view! {
            <p class="notice" data-testid="need-login">{move || i18n.t(Key::NeedLogin)} " " <crate::components::login_link::LoginLink/></p>
        }.into_any(),
        AppError::NotFound => view! { <p class="notice">{move || i18n.t(Key::CardNoCard)}</p> }.into_any(),
        AppError::Unavailable => view! { <p class="notice">{move || i18n.t(Key::DashWarming)}</p> }.into_any(),
        _ => view! { <p class="form-error">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
    }
}

/// A progress bar with an accessible value.
#[component]
fn Progress(
    /// Current value.
    value: i64,
    /// Goal.
    max: i64,
    /// Accessible label.
    label: String,
) -> impl IntoView {
    let pct = if max <= 0 { 0 } else { (value.clamp(0, max) * 100 / max) as u32 };
    view! {
        <div class="progress" role="progressbar" aria-label=label aria-valuemin="0" aria-valuemax=max aria-valuenow=value>
            <span class="progress-fill" style=format!("width:{pct}%")></span>
        </div>
    }
}

fn receipt_list(rows: Vec<ReceiptSummary>, lang: crate::i18n::Lang, items: &'static str) -> impl IntoView {
    view! {
        <ul class="receipts" data-testid="my-receipts">
            {rows.into_iter().map(|r| {
                let href = format!("/me/receipts/{}", crate::model::analytics::encode_query_value(&r.id));
                view! {
                    <li data-receipt=r.id.clone()>
                        <A href=href>{r.issued_at.clone()} " · " {r.store.clone()}</A>
                        " — " <strong>{format::euros(r.net_cents, lang)}</strong> " (" {r.lines} " " {items} ")"
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// How many offers wait for the shopper's "Attiva" (nothing when none).
#[component]
fn OffersWaiting() -> impl IntoView {
    let i18n = use_i18n();
    let offers = Resource::new(|| (), |_| crate::server_fns::campaigns::my_offers());
    view! {
        <Transition fallback=|| ()>
            {move || offers.get().and_then(Result::ok).map(|list| list.iter().filter(|o| o.activated_at.is_none()).count()).filter(|n| *n > 0).map(|n| view! {
                <p class="notice" data-testid="me-offers-waiting">
                    <A href="/me/offers"><strong>{n}</strong> " " {move || i18n.t(Key::MeOffersWaiting)}</A>
                </p>
            })}
        </Transition>
    }
}

/// `/me`.
#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let area = Resource::new_blocking(|| (), |_| my_area());
    view! {
        <section class="page me">
            <h1>{move || i18n.t(Key::MeTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || area.get().map(|result| match result {
                    Ok(a) => view! { <MeBody a/> }.into_any(),
                    Err(error) => view! { <MeError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn MeBody(a: PersonalArea) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let card = a.card.clone();
    let monthly = a.monthly.clone();
    let depts = a.departments.clone();
    let revenue_name = i18n.t(Key::ColRevenue);
    let receipts_name = i18n.t(Key::ColReceipts);
    let items = i18n.t(Key::MeLines);
    let next = card.next_level;
    view! {
        <div class="me-summary">
            <p><span class="label">{move || i18n.t(Key::CardNumber)}</span> " " <strong data-testid="me-card">{card.card_number.clone()}</strong>
                " · " <A href="/me/card">{move || i18n.t(Key::PageCard)}</A>
                " · " <A href="/me/rewards">{move || i18n.t(Key::NavRewards)}</A>
                " · " <A href="/me/points">{move || i18n.t(Key::MovementsTitle)}</A>
                " · " <A href="/me/offers">{move || i18n.t(Key::NavOffers)}</A></p>
            <OffersWaiting/>
            <p><span class="label">{move || i18n.t(Key::CardLevel)}</span> " " <strong data-testid="me-level">{move || i18n.t(card.level.key())}</strong>
                " · " <span class="label">{move || i18n.t(Key::CardPoints)}</span> " " <strong data-testid="me-points">{format::count(card.points_balance, lang)}</strong></p>
            {match next {
                Some((level, missing)) => view! {
                    <p>{move || i18n.t(Key::MeProgress)} " " {move || i18n.t(level.key())} ": " {format::count(missing, lang)} " " {move || i18n.t(Key::CardToNext)}</p>
                    <Progress value=a.level_progress_bp max=10_000 label=i18n.t(Key::MeProgress).to_string()/>
                }.into_any(),
                None => view! { <p>{move || i18n.t(Key::MeTopLevel)}</p> }.into_any(),
            }}
            {a.expiring.clone().map(|due| view! {
                <p class="notice expiring" data-testid="me-expiring">
                    <strong>{format::count(due.points, lang)}</strong> " " {move || i18n.t(Key::MeExpiringPoints)} " "
                    <strong>{format::date(&due.last_day, lang)}</strong> " · "
                    <A href="/me/rewards">{move || i18n.t(Key::MeExpiringSpend)}</A>
                </p>
            })}
            <p><span class="label">{move || i18n.t(Key::MeSaved)}</span> " " <strong data-testid="me-saved">{format::euros(a.saved_this_year_cents, lang)}</strong></p>
            <p><span class="label">{move || i18n.t(Key::MeThisMonth)}</span> " " <strong data-testid="me-this-month">{format::euros(a.this_month_cents, lang)}</strong>
                {a.average_month_cents.map(|avg| view! { " (" {move || i18n.t(Key::MeAverage)} " " {format::euros(avg, lang)} ")" })}</p>
        </div>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeMonthly)}</h2>
            <Chart id="chart-me-monthly" label=Signal::derive(move || i18n.t(Key::MeMonthly).to_string()) height=240
                options=move || charts::series(monthly.iter().map(|m| format::month(&m.start, lang)).collect(), monthly.iter().map(|m| m.revenue_cents).collect(),
                    monthly.iter().map(|m| m.receipts).collect(), revenue_name, receipts_name, lang)/>
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeDepartments)}</h2>
            {if depts.is_empty() {
                view! { <p class="no-data">{move || i18n.t(Key::MeNoReceipts)}</p> }.into_any()
            } else {
                let d2 = depts.clone();
                view! {
                    <Chart id="chart-me-departments" label=Signal::derive(move || i18n.t(Key::MeDepartments).to_string()) height=260
                        options=move || charts::bars(d2.iter().map(|d| d.name.clone()).collect(), d2.iter().map(|d| d.revenue_cents as f64 / 100.0).collect(), revenue_name, charts::Measure::Revenue, lang)/>
                    <ul class="plain">{depts.into_iter().map(|d| view! { <li>{d.name} " — " {format::percent(d.share_bp, lang)}</li> }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeFavourites)}</h2>
            <ol data-testid="me-favourites">{a.favourites.into_iter().map(|p| view! { <li>{p.name} " (" {p.receipts} ")"</li> }).collect_view()}</ol>
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeBadges)}</h2>
            <ul class="badges" data-testid="me-badges">
                {a.badges.into_iter().map(|b| {
                    let earned = b.awarded_on.clone();
                    let is_earned = earned.is_some();
                    let name = i18n.t(b.kind.key());
                    view! {
                        <li class=if is_earned { "badge earned" } else { "badge" } data-badge=b.kind.code() data-earned=is_earned.to_string()>
                            <strong>{name}</strong>
                            {match earned {
                                Some(d) => view! { <span>{move || i18n.t(Key::MeEarnedOn)} " " {format::date(&d, lang)}</span> }.into_any(),
                                None => view! {
                                    <Progress value=b.progress max=b.target label=name.to_string()/>
                                    <span class="progress-text">{if b.kind == BadgeKind::Saved50 { format!("{} / {}", format::euros(b.progress, lang), format::euros(b.target, lang)) } else { format!("{} / {}", b.progress, b.target) }}</span>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeChallenges)}</h2>
            <ul class="badges" data-testid="me-challenges">
                {a.challenges.into_iter().map(|c| {
                    let name = i18n.t(c.kind.key());
                    view! {
                        <li class="badge" data-challenge=c.kind.code()>
                            <strong>{name}</strong> " · " {c.reward} " " {move || i18n.t(Key::MeReward)}
                            <Progress value=c.progress max=c.target label=name.to_string()/>
                            <span class="progress-text">{format!("{} / {}", c.progress, c.target)}</span>
                            {c.completed_on.map(|d| view! { <span>" · " {move || i18n.t(Key::MeCompleted)} " " {format::date(&d, lang)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section class="widget">
            <h2>{move || i18n.t(Key::MeLatest)}</h2>
            {if a.latest.is_empty() {
                view! { <p class="no-data">{move || i18n.t(Key::MeNoReceipts)}</p> }.into_any()
            } else {
                receipt_list(a.latest, lang, items).into_any()
            }}
            <p><A href="/me/receipts">{move || i18n.t(Key::MeAllReceipts)}</A></p>
        </section>
        <p><A href="/me/profile">{move || i18n.t(Key::ProfileTitle)}</A></p>
    }
}

/// `/me/profile`: download all own data, or erase it.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let erase = ServerAction::<EraseMyData>::new();
    let outcome = move || {
        erase.value().get().map(|r| match r {
            Ok(()) => {
                view! { <p class="done" role="status" data-testid="erased">{move || i18n.t(Key::ProfileErased)}</p> }
                    .into_any()
            }
            Err(AppError::Invalid { .. }) => {
                view! { <p class="form-error" role="alert">{move || i18n.t(Key::ProfileWrongPassword)}</p> }.into_any()
            }
            Err(error) => view! { <MeError error/> }.into_any(),
        })
    };
    let update = ServerAction::<UpdateMyProfile>::new();
    let password = ServerAction::<ChangeMyPassword>::new();
    let profile = Resource::new_blocking(move || update.version().get(), |_| my_profile());
    let problem = move |e: AppError| match e.problem() {
        Some((_, p)) => i18n.t(p.key()).to_string(),
        None => match e {
            AppError::Invalid { field, .. } if field == "current_password" => {
                i18n.t(Key::ProfileWrongPassword).to_string()
            }
            _ => i18n.t(Key::ErrGeneric).to_string(),
        },
    };
    let update_outcome = move || {
        update.value().get().map(|r| match r {
            Ok(_) => view! { <p class="done" role="status" data-testid="profile-saved">{move || i18n.t(Key::ProfileSaved)}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert" data-testid="profile-error">{problem(e)}</p> }.into_any(),
        })
    };
    let password_outcome = move || {
        password.value().get().map(|r| match r {
            Ok(()) => view! { <p class="done" role="status" data-testid="password-changed">{move || i18n.t(Key::ProfilePasswordChanged)}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{problem(e)}</p> }.into_any(),
        })
    };
    view! {
        <section class="page profile-page">
            <h1>{move || i18n.t(Key::ProfileTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || profile.get().map(|r| match r {
                    Ok(p) => view! {
                        <h2>{move || i18n.t(Key::ProfileContacts)}</h2>
                        <ActionForm action=update>
                            <label for="profile-email">{move || i18n.t(Key::FieldEmail)}</label>
                            <input id="profile-email" type="email" name="email" required value=p.email/>
                            <label for="profile-phone">{move || i18n.t(Key::FieldPhone)}</label>
                            <input id="profile-phone" type="tel" name="phone" required value=p.phone/>
                            <label class="check"><input type="checkbox" name="marketing_consent" checked=p.marketing_consent/> {move || i18n.t(Key::FieldMarketing)}</label>
                            <label class="check"><input type="checkbox" name="profiling_consent" checked=p.profiling_consent/> {move || i18n.t(Key::FieldProfiling)}</label>
                            <p><button type="submit" class="button">{move || i18n.t(Key::ProfileSave)}</button></p>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <MeError error/> }.into_any(),
                })}
            </Suspense>
            {update_outcome}
            <h2>{move || i18n.t(Key::ProfilePassword)}</h2>
            <ActionForm action=password>
                <label for="current-password">{move || i18n.t(Key::ProfileCurrentPassword)}</label>
                <input id="current-password" type="password" name="current_password" required autocomplete="current-password"/>
                <label for="new-password">{move || i18n.t(Key::FieldPassword)}</label>
                <input id="new-password" type="password" name="password" required autocomplete="new-password"/>
                <label for="new-password-confirm">{move || i18n.t(Key::FieldPasswordConfirm)}</label>
                <input id="new-password-confirm" type="password" name="password_confirm" required autocomplete="new-password"/>
                <p><button type="submit" class="button">{move || i18n.t(Key::ProfilePassword)}</button></p>
            </ActionForm>
            {password_outcome}
            <h2>{move || i18n.t(Key::ProfileDownload)}</h2>
            <p>
                <a class="button" href="/me/data.json" download rel="external" data-testid="download-json">"JSON"</a> " "
                <a class="button" href="/me/data.csv" download rel="external" data-testid="download-csv">"CSV"</a>
            </p>
            <h2>{move || i18n.t(Key::ProfileErase)}</h2>
            <p>{move || i18n.t(Key::ProfileEraseText)}</p>
            <ActionForm action=erase>
                <label for="erase-password">{move || i18n.t(Key::FieldPasswordPlain)}</label>
                <input id="erase-password" type="password" name="password" required autocomplete="current-password"/>
                <p><button type="submit" class="button primary">{move || i18n.t(Key::ProfileEraseSubmit)}</button></p>
            </ActionForm>
            {outcome}
        </section>
    }
}

/// `/me/receipts`.
#[component]
pub fn MyReceiptsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1));
    let data = Resource::new_blocking(page, my_receipts);
    view! {
        <section class="page my-receipts">
            <h1>{move || i18n.t(Key::PageReceipts)}</h1>
            <Suspense fallback=|| ()>
                {move || data.get().map(|result| match result {
                    Ok(p) => {
                        let lang = i18n.lang();
                        let pages = p.total.div_ceil(p.per_page.max(1)).max(1);
                        let prev = (p.page > 1).then(|| format!("/me/receipts?page={}", p.page - 1));
                        let next = (p.page < pages).then(|| format!("/me/receipts?page={}", p.page + 1));
                        view! {
                            <p data-testid="my-receipts-total">{format::count(i64::from(p.total), lang)} " " {move || i18n.t(Key::ColReceipts).to_lowercase()}</p>
                            {if p.receipts.is_empty() {
                                view! { <p class="no-data">{move || i18n.t(Key::MeNoReceipts)}</p> }.into_any()
                            } else {
                                receipt_list(p.receipts, lang, i18n.t(Key::MeLines)).into_any()
                            }}
                            <nav class="pager">
                                {prev.map(|h| view! { <a class="button" href=h>{move || i18n.t(Key::PrevPage)}</a> })}
                                <span>{p.page} " / " {pages}</span>
                                {next.map(|h| view! { <a class="button" href=h>{move || i18n.t(Key::NextPage)}</a> })}
                            </nav>
                        }.into_any()
                    }
                    Err(error) => view! { <MeError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/me/receipts/{id}`.
#[component]
pub fn MyReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = Resource::new_blocking(move || params.with(|p| p.get("id").unwrap_or_default()), my_receipt);
    view! {
        <section class="page my-receipt">
            <p><A href="/me/receipts">{move || i18n.t(Key::MeBackToReceipts)}</A></p>
            <h1>{move || i18n.t(Key::MeReceipt)}</h1>
            <Suspense fallback=|| ()>
                {move || data.get().map(|result| match result {
                    Ok(r) => {
                        let lang = i18n.lang();
                        view! {
                            <p data-testid="receipt-head">{r.issued_at.clone()} " · " {r.store.clone()} " · " <strong data-testid="receipt-total">{format::euros(r.net_cents, lang)}</strong></p>
                            <div class="table-wrap" tabindex="0">
                            <table class="data-table" data-testid="receipt-lines">
                                <thead><tr><th scope="col">{move || i18n.t(Key::ColProduct)}</th><th scope="col" class="num">{move || i18n.t(Key::ColQuantity)}</th><th scope="col" class="num">{move || i18n.t(Key::ColRevenue)}</th><th scope="col">{move || i18n.t(Key::FilterPromotion)}</th></tr></thead>
                                <tbody>{r.lines.into_iter().map(|l| view! {
                                    <tr><td>{l.description}{l.no_points.then(|| view! { " " <span class="tag no-points" data-testid="no-points">{move || i18n.t(Key::NoPoints)}</span> })}</td><td class="num">{format::milli(l.quantity_milli, lang)}</td><td class="num">{format::euros(l.net_cents, lang)}</td><td>{l.promotion.unwrap_or_default()}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                            </div>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <p class="notice" data-testid="not-found">{move || i18n.t(Key::NotFoundTitle)}</p> }.into_any(),
                    Err(error) => view! { <MeError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
