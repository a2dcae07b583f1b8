//! `/me/rewards`: spending points. The catalogue as this shopper may use it (what they can
//! afford now, how many points are missing otherwise, why a reward is closed to them), a
//! confirmation before points are spent, and their vouchers — active ones with the barcode the
//! till scans, and a way to cancel an unused one and get the points back.

use leptos::prelude::*;

use crate::error::AppError;
use crate::format;
use crate::i18n::{use_i18n, Key, Lang};
use crate::model::rewards::{RewardKind, RewardOffer, VoucherStatus, VoucherView};
use crate::server_fns::rewards::{my_rewards, CancelVoucher, Redeem};

/// A reward's or voucher's title in `lang`.
fn title(lang: Lang, it: &str, en: &str) -> String {
    if lang == Lang::En {
        en.to_string()
    } else {
        it.to_string()
    }
}

/// What a reward gives, in words.
fn gives(lang: Lang, kind: RewardKind, value_cents: Option<i64>, cause: Option<&str>) -> String {
    let value = value_cents.map(|v| format::euros(v, lang)).unwrap_or_default();
    match (kind, lang) {
        (RewardKind::Voucher, Lang::It) => format!("Buono spesa da {value}"),
        (RewardKind::Voucher, Lang::En) => format!("Shopping voucher worth {value}"),
        (RewardKind::Product, Lang::It) => "Un prodotto in omaggio".to_string(),
        (RewardKind::Product, Lang::En) => "A free product".to_string(),
        (RewardKind::Donation, Lang::It) => format!("Donazione di {value} a {}", cause.unwrap_or_default()),
        (RewardKind::Donation, Lang::En) => format!("A {value} donation to {}", cause.unwrap_or_default()),
    }
}

/// The message of a refusal code.
fn refusal(code: &str) -> Key {
    match code {
        "points" => Key::RewardNeedPoints,
        "level" => Key::RewardNeedLevel,
        "stock" => Key::RewardSoldOut,
        "monthly_limit" => Key::RewardMonthlyLimit,
        "not_yet" => Key::RewardNotYet,
        "ended" => Key::RewardEnded,
        _ => Key::RewardPaused,
    }
}

/// The label of a voucher status.
pub fn status_key(s: VoucherStatus) -> Key {
    match s {
        VoucherStatus::Active => Key::VoucherActive,
        VoucherStatus::Used => Key::VoucherUsed,
        VoucherStatus::Expired => Key::VoucherExpired,
        VoucherStatus::Cancelled => Key::VoucherCancelled,
        VoucherStatus::Donated => Key::VoucherDonated,
    }
}

/// One voucher: title, status, expiry, and the barcode while it can be used.
#[component]
pub fn VoucherCard(
    /// The voucher.
    voucher: VoucherView,
    /// Offer a cancel button (`/me/rewards`).
    #[prop(optional)]
    cancel: Option<ServerAction<CancelVoucher>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let active = voucher.status == VoucherStatus::Active;
    let cancellable = active && voucher.kind != RewardKind::Donation;
    let code = voucher.code.clone();
    let expires = format::date(voucher.expires_at.get(..10).unwrap_or_default(), lang);
    let status = voucher.status;
    view! {
        <li class="voucher" data-testid="voucher" data-code=voucher.code.clone() data-status=format!("{:?}", status).to_lowercase()>
            <p><strong>{title(lang, &voucher.title_it, &voucher.title_en)}</strong>
                " · " <span class="tag" data-testid="voucher-status">{move || i18n.t(status_key(status))}</span></p>
            {active.then(|| view! {
                <div class="barcode" role="img" aria-label=move || i18n.t(Key::VoucherBarcodeLabel) inner_html=voucher.barcode_svg.clone()></div>
                <p class="number"><strong data-testid="voucher-code">{voucher.code.clone()}</strong></p>
                <p class="hint">{move || i18n.t(Key::VoucherValidUntil)} " " {expires.clone()}</p>
            })}
            {cancel.filter(|_| cancellable).map(|action| view! {
                <button type="button" class="button small" data-testid="voucher-cancel"
                    on:click=move |_| { action.dispatch(CancelVoucher { code: code.clone() }); }>
                    {move || i18n.t(Key::VoucherCancel)}
                </button>
            })}
        </li>
    }
}

/// The rewards page.
#[component]
pub fn RewardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let redeem = ServerAction::<Redeem>::new();
    let cancel = ServerAction::<CancelVoucher>::new();
    let page = Resource::new_blocking(move || (redeem.version().get(), cancel.version().get()), |_| my_rewards());
    // The reward waiting for the shopper's confirmation.
    let confirming = RwSignal::new(None::<(String, String, i64)>);
    let outcome = move || {
        redeem.value().get().map(|r| match r {
            Ok(v) => view! { <p class="notice" role="status" data-testid="redeem-done">{move || i18n.t(Key::RewardRedeemed)} " " <strong>{v.code.clone()}</strong></p> }.into_any(),
            Err(AppError::Invalid { message, .. }) => {
                let key = refusal(&message);
                view! { <p class="form-error" role="alert" data-testid="redeem-error">{move || i18n.t(key)}</p> }.into_any()
            }
            Err(_) => view! { <p class="form-error" role="alert" data-testid="redeem-error">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
        })
    };
    view! {
        <section class="page rewards">
            <h1>{move || i18n.t(Key::RewardsTitle)}</h1>
            {outcome}
            <Suspense fallback=|| ()>
                {move || page.get().map(|result| match result {
                    Ok(p) => {
                        let lang = i18n.lang();
                        let vouchers = p.vouchers.clone();
                        view! {
                            <p class="balance">{move || i18n.t(Key::CardPoints)} " " <strong data-testid="rewards-balance">{format::count(p.balance, lang)}</strong></p>
                            {move || confirming.get().map(|(id, name, points)| view! {
                                <div class="notice confirm" role="alertdialog" data-testid="redeem-confirm">
                                    <p>{move || i18n.t(Key::RewardConfirm)} " " <strong>{name.clone()}</strong> " — " {format::count(points, lang)} " " {move || i18n.t(Key::RewardPointsUnit)}</p>
                                    <button type="button" class="button primary" data-testid="redeem-yes"
                                        on:click={
                                            let id = id.clone();
                                            move |_| { redeem.dispatch(Redeem { reward_id: id.clone() }); confirming.set(None); }
                                        }>{move || i18n.t(Key::RewardConfirmYes)}</button>
                                    " "
                                    <button type="button" class="button" on:click=move |_| confirming.set(None)>{move || i18n.t(Key::RewardConfirmNo)}</button>
                                </div>
                            })}
                            <ul class="offers" data-testid="offers">
                                {p.offers.into_iter().map(|o| view! { <Offer offer=o confirming=confirming/> }).collect_view()}
                            </ul>
                            <h2>{move || i18n.t(Key::VouchersTitle)}</h2>
                            {vouchers.is_empty().then(|| view! { <p data-testid="no-vouchers">{move || i18n.t(Key::VouchersNone)}</p> })}
                            <ul class="vouchers" data-testid="vouchers">
                                {vouchers.into_iter().map(|v| view! { <VoucherCard voucher=v cancel=cancel/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(e) => view! { <crate::pages::me::MeError error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// One reward of the catalogue.
#[component]
fn Offer(
    /// The reward as this shopper may use it.
    offer: RewardOffer,
    /// Where the redeem button asks for confirmation.
    confirming: RwSignal<Option<(String, String, i64)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let spec = offer.reward.spec.clone();
    let name = title(lang, &spec.title_it, &spec.title_en);
    let description = if lang == Lang::En { spec.description_en.clone() } else { spec.description_it.clone() };
    let blocked = offer.blocked.clone();
    let missing = offer.missing_points;
    let (id, points) = (offer.reward.id.clone(), spec.points);
    view! {
        <li class="offer card" data-testid="offer" data-reward=offer.reward.id.clone()>
            <h3>{name.clone()}</h3>
            <p>{gives(lang, spec.kind, spec.value_cents, spec.cause.as_deref())}</p>
            {(!description.is_empty()).then(|| view! { <p class="hint">{description.clone()}</p> })}
            <p><strong>{format::count(points, lang)}</strong> " " {move || i18n.t(Key::RewardPointsUnit)}</p>
            {match blocked {
                None => view! {
                    <button type="button" class="button primary" data-testid="redeem"
                        on:click=move |_| confirming.set(Some((id.clone(), name.clone(), points)))>
                        {move || i18n.t(Key::RewardRedeem)}
                    </button>
                }.into_any(),
                Some(code) if code == "points" => view! {
                    <p class="hint" data-testid="offer-missing">{move || i18n.t(Key::RewardMissing)} " " {format::count(missing, lang)} " " {move || i18n.t(Key::RewardPointsUnit)}</p>
                }.into_any(),
                Some(code) => {
                    let key = refusal(&code);
                    view! { <p class="hint" data-testid="offer-blocked">{move || i18n.t(key)}</p> }.into_any()
                }
            }}
        </li>
    }
}

/// `/me/points`: every movement of the points, newest first — date, what it was, the receipt
/// or voucher behind it, the points, and the balance after it.
#[component]
pub fn MovementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new_blocking(|| (), |_| crate::server_fns::rewards::my_points());
    view! {
        <section class="page movements">
            <h1>{move || i18n.t(Key::MovementsTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || page.get().map(|result| match result {
                    Ok(p) => {
                        let lang = i18n.lang();
                        view! {
                            <p class="balance">{move || i18n.t(Key::CardPoints)} " " <strong data-testid="movements-balance">{format::count(p.balance, lang)}</strong></p>
                            <div class="table-wrap" tabindex="0">
                            <table class="data-table" data-testid="movements">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t(Key::MovementDate)}</th>
                                    <th scope="col">{move || i18n.t(Key::MovementWhat)}</th>
                                    <th scope="col" class="num">{move || i18n.t(Key::RewardPointsLabel)}</th>
                                    <th scope="col" class="num">{move || i18n.t(Key::MovementBalance)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.movements.into_iter().map(|m| {
                                        let key = match m.kind.as_str() {
                                            "earn" if m.points < 0 => Key::MovementReturn,
                                            "earn" => Key::MovementEarn,
                                            "challenge" => Key::MovementChallenge,
                                            "offer" => Key::MovementOffer,
                                            "redeem" => Key::MovementRedeem,
                                            "refund" => Key::MovementRefund,
                                            "expire" => Key::MovementExpire,
                                            _ => Key::MovementAdjust,
                                        };
                                        let link = m.receipt_id.clone().map(|r| {
                                            let href = format!("/me/receipts/{}", crate::model::analytics::encode_query_value(&r));
                                            view! { " · " <a href=href>{r}</a> }
                                        });
                                        let voucher = m.voucher.clone().map(|v| view! { " · " <span>{v}</span> });
                                        let reason = m.reason.clone().filter(|_| matches!(m.kind.as_str(), "adjustment" | "redeem" | "refund" | "adjust" | "expire" | "offer"))
                                            .map(|r| match r.split_once(" – ") {
                                                // An expiry names its collection period.
                                                Some((from, to)) if m.kind == "expire" => format!(
                                                    "{} {} – {}", i18n.t(Key::MovementPeriod), format::date(from, lang), format::date(to, lang)),
                                                _ => r,
                                            })
                                            .map(|r| view! { " · " <span>{r}</span> });
                                        view! {
                                            <tr data-kind=m.kind.clone()>
                                                <td>{format::date(&m.date, lang)}</td>
                                                <td>{move || i18n.t(key)}{reason}{link}{voucher}</td>
                                                <td class="num">{format::count(m.points, lang)}</td>
                                                <td class="num">{format::count(m.balance, lang)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <crate::pages::me::MeError error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
