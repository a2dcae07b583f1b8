//! `/me/card`: the digital card to show at the till — holder, number, EAN-13 barcode and QR
//! code (both SVG from the server), level and points.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::card::CardView;
use crate::server_fns::card::my_card;

/// The card page.
#[component]
pub fn CardPage() -> impl IntoView {
    let i18n = use_i18n();
    let card = Resource::new_blocking(|| (), |_| my_card());
    let rewards = Resource::new_blocking(|| (), |_| crate::server_fns::rewards::my_rewards());
    view! {
        <section class="page card-page">
            <h1>{move || i18n.t(Key::PageCard)}</h1>
            <Suspense fallback=|| ()>
                {move || card.get().map(|result| match result {
                    Ok(view) => view! { <CardDetails card=view/> }.into_any(),
                    Err(AppError::Unauthorized) => view! {
                        <p class="notice">{move || i18n.t(Key::NeedLogin)} " " <crate::components::login_link::LoginLink/></p>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <p class="notice">{move || i18n.t(Key::CardNoCard)}</p> }.into_any(),
                    Err(_) => view! { <p class="form-error">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
                })}
                // The vouchers to use at the till, next to the card: one screen at the checkout.
                {move || rewards.get().and_then(Result::ok).map(|p| {
                    let active: Vec<_> = p.vouchers.into_iter().filter(|v| v.status == crate::model::rewards::VoucherStatus::Active).collect();
                    (!active.is_empty()).then(|| view! {
                        <h2>{move || i18n.t(Key::VouchersAtTill)}</h2>
                        <ul class="vouchers" data-testid="card-vouchers">
                            {active.into_iter().map(|v| view! { <crate::pages::rewards::VoucherCard voucher=v/> }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
        </section>
    }
}

/// The card itself.
#[component]
fn CardDetails(
    /// What to show.
    card: CardView,
) -> impl IntoView {
    let i18n = use_i18n();
    let level = card.level;
    let next = card.next_level;
    view! {
        <div class="loyalty-card">
            <p class="holder"><span class="label">{move || i18n.t(Key::CardHolder)}</span>
                <strong data-testid="card-holder">{format!("{} {}", card.first_name, card.last_name)}</strong></p>
            <div class="barcode" role="img" aria-label=move || i18n.t(Key::CardBarcodeLabel) data-testid="card-barcode" inner_html=card.barcode_svg></div>
            <p class="number"><span class="label">{move || i18n.t(Key::CardNumber)}</span>
                <strong data-testid="card-number">{card.card_number.clone()}</strong></p>
            <div class="qr" role="img" aria-label=move || i18n.t(Key::CardQrLabel) data-testid="card-qr" inner_html=card.qr_svg></div>
            <p class="hint">{move || i18n.t(Key::CardShowAtTill)}</p>
        </div>
        <dl class="estimate card-stats">
            <dt>{move || i18n.t(Key::CardLevel)}</dt>
            <dd data-testid="card-level">{move || i18n.t(level.key())}</dd>
            <dt>{move || i18n.t(Key::CardPoints)}</dt>
            <dd data-testid="card-points">{card.points_balance}</dd>
            <dt>{move || i18n.t(Key::CardPoints12m)}</dt>
            <dd>{card.points_12m}</dd>
        </dl>
        <p data-testid="card-next">{move || match next {
            Some((lvl, missing)) => format!("{missing} {} {}", i18n.t(Key::CardToNext), i18n.t(lvl.key())),
            None => i18n.t(Key::CardTopLevel).to_string(),
        }}</p>
    }
}
