//! `/admin/campaigns`: launch a personal-offer campaign for an audience (with a preview of who
//! can be reached and who the consents leave out), and the list of campaigns with what they
//! granted. `/admin/campaigns/{id}`: the report — treated against holdout, the verdict in words.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::admin_gate::AdminGate;
use crate::components::chart::Chart;
use crate::error::AppError;
use crate::format;
use crate::i18n::{use_i18n, Key, Label, Lang};
use crate::model::analytics::{RangePreset, Segment};
use crate::model::campaigns::{
    CampaignReport, CampaignStatus, CampaignSummary, Comparison, LeftOutReason, Metric, Verdict,
};
use crate::server_fns::campaigns::{campaign_report_of, campaigns, CampaignLaunch, CampaignPreview};

/// The campaigns page.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    view! { <AdminGate><Campaigns/></AdminGate> }
}

/// The report page.
#[component]
pub fn CampaignReportPage() -> impl IntoView {
    view! { <AdminGate><Report/></AdminGate> }
}

fn status_key(s: CampaignStatus) -> Key {
    match s {
        CampaignStatus::Scheduled => Key::CampaignScheduled,
        CampaignStatus::Running => Key::CampaignRunning,
        CampaignStatus::BudgetReached => Key::CampaignBudgetReached,
        CampaignStatus::Ended => Key::CampaignEnded,
        CampaignStatus::Stopped => Key::CampaignStopped,
    }
}

fn left_out_key(r: LeftOutReason) -> Key {
    match r {
        LeftOutReason::NoMarketingConsent => Key::LeftNoMarketing,
        LeftOutReason::NoProfilingConsent => Key::LeftNoProfiling,
        LeftOutReason::NotRegistered => Key::LeftNotRegistered,
    }
}

/// "12 senza consenso al marketing, 3 …".
fn left_out_text(list: &[(LeftOutReason, u64)], lang: Lang, i18n: crate::i18n::I18n) -> String {
    list.iter()
        .map(|(r, n)| format!("{} {}", format::count(*n as i64, lang), i18n.t(left_out_key(*r))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An amount granted in the campaign's unit (points, or euros for vouchers).
fn amount(c: &CampaignSummary, v: i64, lang: Lang) -> String {
    if c.offer.budget_in_cents() {
        format::euros(v, lang)
    } else {
        format!("{} pt", format::count(v, lang))
    }
}

#[component]
fn Campaigns() -> impl IntoView {
    let i18n = use_i18n();
    let launch = ServerAction::<CampaignLaunch>::new();
    let preview = ServerAction::<CampaignPreview>::new();
    let list = Resource::new(move || launch.version().get(), |_| campaigns());
    // The audience's fields, read by the preview.
    let range = RwSignal::new("12m".to_string());
    let segment = RwSignal::new(String::new());
    let churn = RwSignal::new(String::new());
    let decile = RwSignal::new(String::new());
    let dept = RwSignal::new(String::new());
    let dept_days = RwSignal::new(String::new());
    let lapsed = RwSignal::new(String::new());
    let store = RwSignal::new(String::new());
    let holdout = RwSignal::new("10".to_string());
    let level = RwSignal::new(String::new());
    let shops = RwSignal::new(String::new());
    let depts = RwSignal::new(String::new());
    let gender = RwSignal::new(String::new());
    let age = RwSignal::new(String::new());
    let kind = RwSignal::new("basket".to_string());
    let filters = move || {
        let mut f = format!("range={}", range.get());
        for (key, value) in [("segment", segment), ("store", shops), ("dept", depts), ("gender", gender), ("age", age)]
        {
            let v = value.get();
            if !v.trim().is_empty() {
                f.push_str(&format!("&{key}={}", crate::model::analytics::encode_query_value(v.trim())));
            }
        }
        f
    };
    let run_preview = move || {
        preview.dispatch(CampaignPreview {
            filters: filters(),
            churn_below: churn.get(),
            value_decile: decile.get(),
            affinity_department: dept.get(),
            affinity_days: dept_days.get(),
            lapsed_days: lapsed.get(),
            enrolment_store: store.get(),
            level_min: level.get(),
            holdout: holdout.get(),
        });
    };
    // A live preview: again whenever a criterion changes (in the browser, after hydration).
    Effect::new(move |_| run_preview());
    let error = move || {
        launch.value().get().and_then(|r| r.err()).or_else(|| preview.value().get().and_then(|r| r.err())).map(|e| {
            match e {
                AppError::Invalid { field, message } => format!("{field}: {message}"),
                _ => i18n.t(Key::ErrGeneric).to_string(),
            }
        })
    };
    let launched = move || {
        launch.value().get().and_then(|r| r.ok()).map(|c| view! {
        <p class="notice" data-testid="campaign-launched">{move || i18n.t(Key::CampaignLaunched)} " " {c.id.clone()}</p>
    })
    };
    let bind = |signal: RwSignal<String>| move |ev| signal.set(event_target_value(&ev));
    let field = move |id: &'static str, label: Key, signal: Option<RwSignal<String>>, input_type: &'static str| {
        view! {
            <div class="field"><label for=format!("campaign-{id}")>{move || i18n.t(label)}</label>
                {match signal {
                    Some(s) => view! { <input id=format!("campaign-{id}") name=id type=input_type prop:value=move || s.get() on:input=bind(s)/> }.into_any(),
                    None => view! { <input id=format!("campaign-{id}") name=id type=input_type/> }.into_any(),
                }}</div>
        }
    };
    view! {
        <section class="page campaigns">
            <h1>{move || i18n.t(Key::CampaignsTitle)}</h1>
            <h2>{move || i18n.t(Key::CampaignsNew)}</h2>
            <p class="form-error" role="alert" data-testid="campaign-error">{error}</p>
            {launched}
            <ActionForm action=launch>
                <input type="hidden" name="filters" prop:value=filters/>
                <div class="form-grid">
                    {field("name", Key::CampaignName, None, "text")}
                    {field("starts_on", Key::CampaignStarts, None, "date")}
                    {field("ends_on", Key::CampaignEnds, None, "date")}
                </div>
                <fieldset><legend>{move || i18n.t(Key::CampaignAudience)}</legend>
                <div class="form-grid">
                    <div class="field"><label for="campaign-range">{move || i18n.t(Key::CampaignWindow)}</label>
                        <select id="campaign-range" prop:value=move || range.get() on:change=bind(range)>
                            {RangePreset::ALL.into_iter().filter(|r| *r != RangePreset::Custom).map(|r| {
                                view! { <option value=r.code()>{move || i18n.t(r.key())}</option> }
                            }).collect_view()}
                        </select></div>
                    <div class="field"><label for="campaign-segment">{move || i18n.t(Key::CampaignSegment)}</label>
                        <select id="campaign-segment" prop:value=move || segment.get() on:change=bind(segment)>
                            <option value="">{move || i18n.t(Key::CampaignAnySegment)}</option>
                            {Segment::ALL.into_iter().map(|s| view! { <option value=s.code()>{move || i18n.t(s.key())}</option> }).collect_view()}
                        </select></div>
                    {field("stores", Key::CampaignShops, Some(shops), "text")}
                    {field("departments", Key::CampaignDepartments, Some(depts), "text")}
                    <div class="field"><label for="campaign-gender">{move || i18n.t(Key::CampaignGender)}</label>
                        <select id="campaign-gender" prop:value=move || gender.get() on:change=bind(gender)>
                            <option value="">{move || i18n.t(Key::CampaignAnySegment)}</option>
                            <option value="F">"F"</option>
                            <option value="M">"M"</option>
                        </select></div>
                    <div class="field"><label for="campaign-age">{move || i18n.t(Key::CampaignAge)}</label>
                        <select id="campaign-age" prop:value=move || age.get() on:change=bind(age)>
                            <option value="">{move || i18n.t(Key::CampaignAnySegment)}</option>
                            {crate::model::analytics::AgeBand::ALL.into_iter().map(|b| view! { <option value=b.code()>{b.code()}</option> }).collect_view()}
                        </select></div>
                    <div class="field"><label for="campaign-level_min">{move || i18n.t(Key::CampaignLevel)}</label>
                        <select id="campaign-level_min" name="level_min" prop:value=move || level.get() on:change=bind(level)>
                            <option value="">{move || i18n.t(Key::CampaignAnySegment)}</option>
                            <option value="silver">{move || i18n.t(Key::LevelSilver)}</option>
                            <option value="gold">{move || i18n.t(Key::LevelGold)}</option>
                            <option value="platinum">{move || i18n.t(Key::LevelPlatinum)}</option>
                        </select></div>
                    {field("churn_below", Key::CampaignChurn, Some(churn), "number")}
                    {field("value_decile", Key::CampaignDecile, Some(decile), "number")}
                    {field("affinity_department", Key::CampaignAffinityDept, Some(dept), "text")}
                    {field("affinity_days", Key::CampaignAffinityDays, Some(dept_days), "number")}
                    {field("lapsed_days", Key::CampaignLapsed, Some(lapsed), "number")}
                    {field("enrolment_store", Key::CampaignEnrolStore, Some(store), "text")}
                    {field("holdout", Key::CampaignHoldout, Some(holdout), "text")}
                </div>
                <button type="button" class="button" data-testid="campaign-preview" on:click=move |_| run_preview()>{move || i18n.t(Key::CampaignPreview)}</button>
                <Preview preview/>
                </fieldset>
                <fieldset><legend>{move || i18n.t(Key::CampaignOffer)}</legend>
                <div class="form-grid">
                    <div class="field"><label for="campaign-offer_kind">{move || i18n.t(Key::CampaignOfferKind)}</label>
                        <select id="campaign-offer_kind" name="offer_kind" prop:value=move || kind.get() on:change=bind(kind)>
                            <option value="basket">{move || i18n.t(Key::OfferKindBasket)}</option>
                            <option value="bonus">{move || i18n.t(Key::OfferKindBonus)}</option>
                            <option value="multiplier">{move || i18n.t(Key::OfferKindMultiplier)}</option>
                            <option value="voucher">{move || i18n.t(Key::OfferKindVoucher)}</option>
                        </select></div>
                    <Show when=move || matches!(kind.get().as_str(), "bonus" | "multiplier")>
                        <div class="field"><label for="campaign-target_kind">{move || i18n.t(Key::CampaignTargetKind)}</label>
                            <select id="campaign-target_kind" name="target_kind">
                                <option value="department">{move || i18n.t(Key::TargetDepartment)}</option>
                                <option value="brand">{move || i18n.t(Key::TargetBrand)}</option>
                                <option value="product">{move || i18n.t(Key::TargetProduct)}</option>
                            </select></div>
                        {field("target", Key::CampaignTarget, None, "text")}
                    </Show>
                    <Show when=move || kind.get() == "multiplier">{field("factor", Key::CampaignFactor, None, "number")}</Show>
                    <Show when=move || matches!(kind.get().as_str(), "bonus" | "basket")>{field("points", Key::CampaignPoints, None, "number")}</Show>
                    <Show when=move || kind.get() == "voucher">{field("voucher_eur", Key::CampaignVoucherValue, None, "text")}</Show>
                    <Show when=move || matches!(kind.get().as_str(), "basket" | "voucher")>{field("min_spend_eur", Key::CampaignMinSpend, None, "text")}</Show>
                    {field("budget", Key::CampaignBudget, None, "text")}
                    {field("per_shopper_limit", Key::CampaignLimit, None, "number")}
                </div>
                </fieldset>
                <button type="submit" class="button primary" data-testid="campaign-launch" disabled=move || launch.pending().get()>{move || i18n.t(Key::CampaignLaunch)}</button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || list.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p data-testid="campaigns-empty">{move || i18n.t(Key::CampaignsEmpty)}</p> }.into_any(),
                    Ok(rows) => view! { <CampaignTable rows/> }.into_any(),
                    Err(e) => view! { <crate::components::load_error::LoadError error=e/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Preview(preview: ServerAction<CampaignPreview>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        preview.value().get().and_then(|r| r.ok()).map(|p| {
            let lang = i18n.lang();
            let left = (!p.left_out.is_empty()).then(|| {
                let text = left_out_text(&p.left_out, lang, i18n);
                view! { " · " {move || i18n.t(Key::PreviewLeftOut)} " " <span data-testid="preview-left-out">{text}</span> }
            });
            view! {
                <p class="notice" data-testid="campaign-preview-result">
                    <strong data-testid="preview-matching">{format::count(p.matching as i64, lang)}</strong> " " {move || i18n.t(Key::PreviewMatching)} " · "
                    <strong data-testid="preview-reachable">{format::count(p.reachable as i64, lang)}</strong> " " {move || i18n.t(Key::PreviewReachable)} " · "
                    {format::count(p.held_out as i64, lang)} " " {move || i18n.t(Key::PreviewHeldOut)}
                    {left}
                </p>
            }
        })
    }
}

#[component]
fn CampaignTable(rows: Vec<CampaignSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <div class="table-wrap" tabindex="0">
        <table class="data-table" data-testid="campaigns-table">
            <thead><tr>
                <th scope="col">{move || i18n.t(Key::CampaignName)}</th>
                <th scope="col">{move || i18n.t(Key::CampaignOffer)}</th>
                <th scope="col">{move || i18n.t(Key::CampaignStatus)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::CampaignMembers)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::CampaignActivatedCol)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::CampaignGranted)}</th>
                <th scope="col"></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let href = format!("/admin/campaigns/{}", c.id);
                    let status = c.status;
                    view! {
                        <tr data-campaign=c.id.clone()>
                            <td>{c.name.clone()} <br/><span class="hint">{format::date(&c.starts_on, lang)} " – " {format::date(&c.ends_on, lang)}</span></td>
                            <td>{format::offer(&c.offer, None, lang)}</td>
                            <td data-testid="campaign-status">{move || i18n.t(status_key(status))}</td>
                            <td class="num">{format::count(c.members, lang)}</td>
                            <td class="num" data-testid="campaign-activated">{format::count(c.activated, lang)}</td>
                            <td class="num" data-testid="campaign-granted">{amount(&c, c.granted, lang)} " / " {amount(&c, c.budget, lang)}</td>
                            <td><A href=href>{move || i18n.t(Key::CampaignReport)}</A></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

fn metric_key(m: Metric) -> Key {
    match m {
        Metric::Revenue => Key::MetricRevenue,
        Metric::Receipts => Key::MetricReceipts,
        Metric::Shopped => Key::MetricShopped,
    }
}

/// A figure of the report in its unit.
fn shown(m: Metric, v: f64, lang: Lang) -> String {
    match m {
        Metric::Revenue => format::euros((v * 100.0).round() as i64, lang),
        Metric::Receipts => format::decimal((v * 100.0).round() as i64, 2, 2, lang),
        Metric::Shopped => format::percent((v * 10_000.0).round() as i64, lang),
    }
}

fn signed(m: Metric, v: f64, lang: Lang) -> String {
    let text = shown(m, v.abs(), lang);
    if v < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[component]
fn ComparisonTable(rows: Vec<Comparison>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <div class="table-wrap" tabindex="0">
        <table class="data-table" data-testid=testid>
            <thead><tr>
                <th scope="col">{move || i18n.t(Key::ReportMetric)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::ReportTreated)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::ReportHoldout)}</th>
                <th scope="col" class="num">{move || i18n.t(Key::ReportDifference)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let m = c.metric;
                    let diff = c.difference.map(|d| format!("{} ({} … {})", signed(m, d.estimate, lang), signed(m, d.low, lang), signed(m, d.high, lang)))
                        .unwrap_or_else(|| "—".into());
                    view! {
                        <tr data-metric=format!("{m:?}").to_lowercase()>
                            <th scope="row">{move || i18n.t(metric_key(m))}</th>
                            <td class="num">{shown(m, c.treated, lang)}</td>
                            <td class="num">{shown(m, c.holdout, lang)}</td>
                            <td class="num" data-testid="difference">{diff}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn Report() -> impl IntoView {
    let params = use_params_map();
    let report = Resource::new(move || params.with(|p| p.get("id").unwrap_or_default()), campaign_report_of);
    view! {
        <section class="page campaign-report">
            <Suspense fallback=|| ()>
                {move || report.get().map(|result| match result {
                    Ok(r) => view! { <ReportBody r/> }.into_any(),
                    Err(e) => view! { <crate::components::load_error::LoadError error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReportBody(r: CampaignReport) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let c = r.campaign.clone();
    let verdict = match r.verdict {
        Verdict::Increase => Key::VerdictIncrease,
        Verdict::Decrease => Key::VerdictDecrease,
        Verdict::NoMeasurableEffect => Key::VerdictNone,
        Verdict::TooFewMembers => Key::VerdictTooFew,
    };
    let rate = |n: u64, of: u64| {
        (n * 10_000).checked_div(of).map_or_else(|| "—".to_string(), |bp| format::percent(bp as i64, lang))
    };
    let activation = rate(r.activated, r.treated);
    let redemption = rate(r.redeemed, r.treated);
    let cost = r.cost_cents.map(|c| format::euros(c, lang));
    let incremental = r.incremental_revenue.map(|d| {
        format!(
            "{} ({} … {})",
            format::euros((d.estimate * 100.0).round() as i64, lang),
            format::euros((d.low * 100.0).round() as i64, lang),
            format::euros((d.high * 100.0).round() as i64, lang)
        )
    });
    let roi = r.return_on_cost.map(|x| format::decimal((x * 100.0).round() as i64, 2, 2, lang));
    let labels: Vec<String> = r.daily.iter().map(|d| format::date(&d.day, lang)).collect();
    let treated: Vec<f64> = r.daily.iter().map(|d| d.treated).collect();
    let holdout: Vec<f64> = r.daily.iter().map(|d| d.holdout).collect();
    let (treated_name, holdout_name) = (i18n.t(Key::ReportTreated).to_string(), i18n.t(Key::ReportHoldout).to_string());
    let chart = move || {
        crate::components::charts::two_lines(
            labels.clone(),
            (&treated_name, treated.clone()),
            (&holdout_name, holdout.clone()),
            lang,
        )
    };
    let export = format!("/admin/campaigns/{}/report.csv", c.id);
    let export_xlsx = format!("/admin/campaigns/{}/report.xlsx", c.id);
    view! {
        <h1>{c.name.clone()} " · " <span class="hint">{c.id.clone()}</span></h1>
        <p>{format::offer(&c.offer, None, lang)} " · " {format::date(&c.starts_on, lang)} " – " {format::date(&c.ends_on, lang)}
            " · " <span data-testid="report-status">{move || i18n.t(status_key(c.status))}</span></p>
        <p class="verdict" data-testid="report-verdict" data-verdict=format!("{:?}", r.verdict).to_lowercase()><strong>{move || i18n.t(verdict)}</strong></p>
        {match (r.measured_from.clone(), r.measured_to.clone()) {
            (Some(from), Some(to)) => view! { <p>{move || i18n.t(Key::ReportPeriod)} ": " {format::date(&from, lang)} " – " {format::date(&to, lang)}</p> }.into_any(),
            _ => view! { <p class="notice">{move || i18n.t(Key::ReportNotMeasured)}</p> }.into_any(),
        }}
        <dl class="kpis">
            <div><dt>{move || i18n.t(Key::ReportTreated)}</dt><dd data-testid="report-treated">{format::count(r.treated as i64, lang)}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportHoldout)}</dt><dd data-testid="report-holdout">{format::count(r.holdout as i64, lang)}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportActivationRate)}</dt><dd data-testid="report-activation">{activation}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportRedemptionRate)}</dt><dd data-testid="report-redemption">{redemption}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportPointsGranted)}</dt><dd data-testid="report-points">{format::count(r.points_granted, lang)}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportVouchers)}</dt><dd>{format::euros(r.vouchers_cents, lang)}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportCost)}</dt><dd data-testid="report-cost">{match cost { Some(c) => c.into_any(), None => view! { {move || i18n.t(Key::ReportCostUnknown)} }.into_any() }}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportIncremental)}</dt><dd data-testid="report-incremental">{incremental.unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{move || i18n.t(Key::ReportRoi)}</dt><dd>{roi.unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
        <h2>{move || i18n.t(Key::ReportItt)}</h2>
        <ComparisonTable rows=r.itt.clone() testid="report-itt"/>
        <p class="hint">{move || i18n.t(Key::ReportMethod)}</p>
        <Chart id="report-daily" options=chart label=Signal::derive(move || i18n.t(Key::ReportChart).to_string()) height=260/>
        <h2>{move || i18n.t(Key::ReportActivatedOnly)}</h2>
        <ComparisonTable rows=r.activated_only.clone() testid="report-activated"/>
        <h2>{move || i18n.t(Key::ReportMail)}</h2>
        <p data-testid="report-mail">
            {format::count(r.mail.sent as i64, lang)} " " {move || i18n.t(Key::MailSent)} " · "
            {format::count(r.mail.waiting as i64, lang)} " " {move || i18n.t(Key::MailWaiting)} " · "
            {format::count(r.mail.failed as i64, lang)} " " {move || i18n.t(Key::MailFailed)} " · "
            {format::count(r.mail.skipped as i64, lang)} " " {move || i18n.t(Key::MailSkipped)}
        </p>
        {(!r.mail.configured).then(|| view! { <p class="notice" data-testid="mail-not-configured">{move || i18n.t(Key::MailNotConfigured)}</p> })}
        <p><a class="button" href=export rel="external" download="">{move || i18n.t(Key::ReportExport)}</a>
            " " <a class="button" href=export_xlsx rel="external" download="">{move || i18n.t(Key::ReportExportXlsx)}</a></p>
    }
}
