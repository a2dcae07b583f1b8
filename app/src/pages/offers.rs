//! `/me/offers`: the personal offers meant for this shopper, with what each gives, on what, until
//! when, and an "Attiva" button: only an activated offer applies, from the day it is activated.

use leptos::prelude::*;

use crate::format;
use crate::i18n::{use_i18n, Key};
use crate::model::campaigns::MyOffer;
use crate::pages::me::MeError;
use crate::server_fns::campaigns::{my_offers, ActivateOffer};

/// `/me/offers`.
#[component]
pub fn OffersPage() -> impl IntoView {
    let i18n = use_i18n();
    let activate = ServerAction::<ActivateOffer>::new();
    let offers = Resource::new_blocking(move || activate.version().get(), |_| my_offers());
    view! {
        <section class="page my-offers">
            <h1>{move || i18n.t(Key::OffersTitle)}</h1>
            <p class="hint">{move || i18n.t(Key::OffersHint)}</p>
            <Suspense fallback=|| ()>
                {move || offers.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p data-testid="offers-empty">{move || i18n.t(Key::OffersEmpty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="offers-list">
                            {list.into_iter().map(|o| view! { <OfferCard offer=o activate/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <MeError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OfferCard(offer: MyOffer, activate: ServerAction<ActivateOffer>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let text = format::offer(&offer.offer, offer.target_name.as_deref(), lang);
    let until = format::date(&offer.ends_on, lang);
    let from = format::date(&offer.starts_on, lang);
    let campaign = offer.campaign_id.clone();
    let remaining = offer.limit - offer.used;
    view! {
        <li class="offer card-box" data-testid="personal-offer" data-campaign=offer.campaign_id.clone()>
            <p class="offer-name">{offer.name.clone()}</p>
            <p class="offer-text"><strong>{text}</strong></p>
            <p class="hint">{move || i18n.t(Key::OffersValid)} " " {from.clone()} " – " {until.clone()}
                " · " {move || i18n.t(Key::OffersRemaining)} " " {remaining}</p>
            {match offer.activated_at.clone() {
                Some(at) => view! {
                    <p class="tag ok" data-testid="offer-active">{move || i18n.t(Key::OffersActivated)} " "
                        {format::date(at.get(..10).unwrap_or_default(), lang)}</p>
                }.into_any(),
                None => view! {
                    <ActionForm action=activate>
                        <input type="hidden" name="campaign_id" value=campaign/>
                        <button type="submit" class="button primary" data-testid="offer-activate">{move || i18n.t(Key::OffersActivate)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </li>
    }
}
