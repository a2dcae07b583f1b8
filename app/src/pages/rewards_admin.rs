//! `/admin/rewards`: the rewards catalogue. Admins create rewards (a shopping voucher, a free
//! product, a donation), edit them — vouchers already issued keep what they give — and pause or
//! resume them. A refused form names the field at fault.

use leptos::prelude::*;

use crate::components::admin_gate::AdminGate;
use crate::error::AppError;
use crate::format;
use crate::i18n::{use_i18n, Key};
use crate::model::rewards::{level_code, RewardKind, RewardView};
use crate::server_fns::rewards::{rewards_catalogue, RewardPause, RewardSave};

/// The catalogue page.
#[component]
pub fn RewardsAdminPage() -> impl IntoView {
    view! { <AdminGate><Catalogue/></AdminGate> }
}

/// The form's fields, filled from a reward when editing.
#[derive(Clone, Default)]
struct Draft {
    id: String,
    kind: String,
    title_it: String,
    title_en: String,
    description_it: String,
    description_en: String,
    points: String,
    value_eur: String,
    ean: String,
    cause: String,
    stock: String,
    valid_from: String,
    valid_to: String,
    min_level: String,
    monthly_limit: String,
}

impl Draft {
    fn of(r: &RewardView) -> Self {
        let s = &r.spec;
        Draft {
            id: r.id.clone(),
            kind: s.kind.code().into(),
            title_it: s.title_it.clone(),
            title_en: s.title_en.clone(),
            description_it: s.description_it.clone(),
            description_en: s.description_en.clone(),
            points: s.points.to_string(),
            value_eur: s.value_cents.map(|c| format!("{},{:02}", c / 100, c % 100)).unwrap_or_default(),
            ean: s.ean.clone().unwrap_or_default(),
            cause: s.cause.clone().unwrap_or_default(),
            stock: s.stock.map(|n| n.to_string()).unwrap_or_default(),
            valid_from: s.valid_from.clone().unwrap_or_default(),
            valid_to: s.valid_to.clone().unwrap_or_default(),
            min_level: level_code(s.min_level).into(),
            monthly_limit: s.monthly_limit.map(|n| n.to_string()).unwrap_or_default(),
        }
    }
}

#[component]
fn Catalogue() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<RewardSave>::new();
    let pause = ServerAction::<RewardPause>::new();
    let rewards = Resource::new(move || (save.version().get(), pause.version().get()), |_| rewards_catalogue());
    let draft = RwSignal::new(Draft { kind: "voucher".into(), min_level: "bronze".into(), ..Default::default() });
    let error = move || {
        save.value().get().and_then(|r| r.err()).map(|e| match e {
            AppError::Invalid { field, message } => format!("{field}: {message}"),
            _ => i18n.t(Key::ErrGeneric).to_string(),
        })
    };
    let text_field = move |id: &'static str, label: Key, get: fn(&Draft) -> String, required: bool| {
        view! {
            <div class="field"><label for=format!("reward-{id}")>{move || i18n.t(label)}</label>
                <input id=format!("reward-{id}") name=id type="text" required=required prop:value=move || draft.with(get)/></div>
        }
    };
    view! {
        <section class="page rewards-admin">
            <h1>{move || i18n.t(Key::RewardsAdminTitle)}</h1>
            <p class="form-error" role="alert" data-testid="reward-error">{error}</p>
            <ActionForm action=save>
                <input type="hidden" name="id" prop:value=move || draft.with(|d| d.id.clone())/>
                <div class="form-grid">
                    <div class="field"><label for="reward-kind">{move || i18n.t(Key::RewardKindLabel)}</label>
                        <select id="reward-kind" name="kind" prop:value=move || draft.with(|d| d.kind.clone())>
                            {RewardKind::ALL.into_iter().map(|k| {
                                let key = match k {
                                    RewardKind::Voucher => Key::RewardKindVoucher,
                                    RewardKind::Product => Key::RewardKindProduct,
                                    RewardKind::Donation => Key::RewardKindDonation,
                                };
                                view! { <option value=k.code()>{move || i18n.t(key)}</option> }
                            }).collect_view()}
                        </select></div>
                    {text_field("title_it", Key::RewardTitleIt, |d| d.title_it.clone(), true)}
                    {text_field("title_en", Key::RewardTitleEn, |d| d.title_en.clone(), true)}
                    {text_field("description_it", Key::RewardDescriptionIt, |d| d.description_it.clone(), false)}
                    {text_field("description_en", Key::RewardDescriptionEn, |d| d.description_en.clone(), false)}
                    {text_field("points", Key::RewardPointsLabel, |d| d.points.clone(), true)}
                    {text_field("value_eur", Key::RewardValueLabel, |d| d.value_eur.clone(), false)}
                    {text_field("ean", Key::RewardEanLabel, |d| d.ean.clone(), false)}
                    {text_field("cause", Key::RewardCauseLabel, |d| d.cause.clone(), false)}
                    {text_field("stock", Key::RewardStockLabel, |d| d.stock.clone(), false)}
                    {text_field("valid_from", Key::RewardFromLabel, |d| d.valid_from.clone(), false)}
                    {text_field("valid_to", Key::RewardToLabel, |d| d.valid_to.clone(), false)}
                    <div class="field"><label for="reward-min_level">{move || i18n.t(Key::RewardLevelLabel)}</label>
                        <select id="reward-min_level" name="min_level" prop:value=move || draft.with(|d| d.min_level.clone())>
                            <option value="bronze">{move || i18n.t(Key::LevelBronze)}</option>
                            <option value="silver">{move || i18n.t(Key::LevelSilver)}</option>
                            <option value="gold">{move || i18n.t(Key::LevelGold)}</option>
                            <option value="platinum">{move || i18n.t(Key::LevelPlatinum)}</option>
                        </select></div>
                    {text_field("monthly_limit", Key::RewardMonthlyLabel, |d| d.monthly_limit.clone(), false)}
                </div>
                <button type="submit" class="button primary" data-testid="reward-submit">{move || i18n.t(Key::RewardSave)}</button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || rewards.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p data-testid="rewards-empty">{move || i18n.t(Key::RewardsEmpty)}</p> }.into_any(),
                    Ok(rows) => {
                        let lang = i18n.lang();
                        view! {
                            <div class="table-wrap" tabindex="0">
                            <table class="data-table" data-testid="rewards-table">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t(Key::RewardTitleIt)}</th>
                                    <th scope="col" class="num">{move || i18n.t(Key::RewardPointsLabel)}</th>
                                    <th scope="col" class="num">{move || i18n.t(Key::RewardIssued)}</th>
                                    <th scope="col">{move || i18n.t(Key::AdminsStatus)}</th>
                                    <th scope="col"></th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let (id, paused) = (r.id.clone(), r.paused);
                                        let edit = Draft::of(&r);
                                        let stock = r.spec.stock.map(|s| format!(" / {}", format::count(s, lang))).unwrap_or_default();
                                        view! {
                                            <tr data-reward=r.id.clone()>
                                                <td>{r.spec.title_it.clone()}</td>
                                                <td class="num">{format::count(r.spec.points, lang)}</td>
                                                <td class="num">{format::count(r.issued, lang)}{stock}</td>
                                                <td data-testid="reward-status">{move || i18n.t(if paused { Key::RewardPausedLabel } else { Key::AdminsActive })}</td>
                                                <td>
                                                    <button type="button" class="button small" on:click=move |_| draft.set(edit.clone())>{move || i18n.t(Key::RewardEdit)}</button>
                                                    " "
                                                    <button type="button" class="button small" data-testid="reward-pause"
                                                        on:click=move |_| { pause.dispatch(RewardPause { id: id.clone(), paused: !paused }); }>
                                                        {move || i18n.t(if paused { Key::RewardResume } else { Key::RewardPause })}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <crate::components::load_error::LoadError error=e/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
