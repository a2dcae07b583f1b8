//! The dashboard widgets: each has a title, a chart drawn after hydration (or "no data" for an
//! empty selection — never zeros), its figures as a table rendered on the server, and export
//! links that carry the current filters.

use leptos::prelude::*;

use crate::components::chart::Chart;
use crate::components::charts::{self, Measure};
use crate::components::data_table::data_table;
use crate::components::widget::{ExportLinks, Widget};
use crate::format;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::analytics::Dashboard;
use crate::model::table::ExportKind;

/// Promotion names for the chart, led by the code when two promotions share a name (so the
/// shortened axis label still tells them apart).
fn promotion_labels(rows: &[crate::model::analytics::PromotionRow]) -> Vec<String> {
    rows.iter()
        .map(|p| {
            let repeated = rows.iter().filter(|o| o.name == p.name).count() > 1;
            if repeated {
                format!("{} · {}", p.id, p.name)
            } else {
                p.name.clone()
            }
        })
        .collect()
}

/// Every widget of the dashboard.
#[component]
pub fn AllWidgets(d: Dashboard, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let label = move |key: Key| Signal::derive(move || i18n.t(key).to_string());

    let series = d.series.clone();
    let series_t = d.series.clone();
    let depts = d.departments.clone();
    let depts_t = d.departments.clone();
    let top_rev = d.top_by_revenue.clone();
    let top_rev_t = d.top_by_revenue.clone();
    let top_qty = d.top_by_quantity.clone();
    let top_qty_t = d.top_by_quantity.clone();
    let promos = d.promotions.clone();
    let promos_t = d.promotions.clone();
    let shops = d.shops.clone();
    let shops_t = d.shops.clone();
    let heat = d.heatmap.clone();
    let heat_t = d.heatmap.clone();
    let basket = d.basket.clone();
    let basket_t = d.basket.clone();
    let segs = d.segments.clone();
    let segs_t = d.segments.clone();
    let grid = d.rf_grid.clone();
    let grid_t = d.rf_grid.clone();
    let cohorts = d.cohorts.clone();
    let cohorts_t = d.cohorts.clone();
    let revenue_name = i18n.t(Key::ColRevenue);
    let receipts_name = i18n.t(Key::ColReceipts);
    let customers_name = i18n.t(Key::ColCustomerShare);
    let revenue_share_name = i18n.t(Key::ColRevenueShare);
    let avg_name = i18n.t(Key::ColAvgTicket);
    let quantity_name = i18n.t(Key::ColQuantity);
    let granularity = d.granularity.clone();
    let yes = i18n.t(Key::Yes);
    let no = i18n.t(Key::No);

    view! {
        <div class="widgets">
        <Widget id="w-series" title=Key::WSeries empty=d.series.is_empty() export=ExportKind::Series query=query.clone()
            chart=move || {
                let s = series.clone();
                let granularity = granularity.clone();
                view! { <Chart id="chart-series" label=label(Key::WSeries) options=move || charts::series(
                    s.iter().map(|p| format::bucket(&p.start, &granularity, lang)).collect(),
                    s.iter().map(|p| p.revenue_cents).collect(),
                    s.iter().map(|p| p.receipts).collect(),
                    revenue_name, receipts_name, lang)/> }
            }
            table=move || data_table(&series_t, "table-series")
        />
        <Widget id="w-departments" title=Key::WDepartments empty=d.departments.is_empty() export=ExportKind::Departments query=query.clone()
            chart=move || {
                let rows = depts.clone();
                view! { <Chart id="chart-departments" label=label(Key::WDepartments) height=360 options=move || charts::bars(
                    rows.iter().map(|g| g.name.clone()).collect(), rows.iter().map(|g| charts::eur(g.revenue_cents)).collect(), revenue_name, Measure::Revenue, lang)/> }
            }
            table=move || data_table(&depts_t, "table-departments")
        />
        <Widget id="w-top-revenue" title=Key::WTopRevenue empty=d.top_by_revenue.is_empty() export=ExportKind::Products query=query.clone()
            chart=move || {
                let rows = top_rev.clone();
                view! { <Chart id="chart-top-revenue" label=label(Key::WTopRevenue) height=360 options=move || charts::bars(
                    rows.iter().map(|g| g.name.clone()).collect(), rows.iter().map(|g| charts::eur(g.revenue_cents)).collect(), revenue_name, Measure::Revenue, lang)/> }
            }
            table=move || data_table(&top_rev_t, "table-top-revenue")
        />
        <Widget id="w-top-quantity" title=Key::WTopQuantity empty=d.top_by_quantity.is_empty() query=query.clone()
            chart=move || {
                let rows = top_qty.clone();
                view! { <Chart id="chart-top-quantity" label=label(Key::WTopQuantity) height=360 options=move || charts::bars(
                    rows.iter().map(|g| g.name.clone()).collect(), rows.iter().map(|g| g.quantity_milli as f64 / 1000.0).collect(), quantity_name, Measure::Quantity, lang)/> }
            }
            table=move || data_table(&top_qty_t, "table-top-quantity")
        />
        <Widget id="w-promotions" title=Key::WPromotions empty=d.promotions.is_empty() export=ExportKind::Promotions query=query.clone()
            chart=move || {
                let rows = promos.clone();
                view! { <Chart id="chart-promotions" label=label(Key::WPromotions) options=move || charts::bars(
                    promotion_labels(&rows).into_iter().take(12).collect(), rows.iter().take(12).map(|p| charts::eur(p.revenue_cents)).collect(), revenue_name, Measure::Revenue, lang)/> }
            }
            table=move || data_table(&promos_t, "table-promotions")
        />
        <Widget id="w-stores" title=Key::WShops empty=d.shops.is_empty() export=ExportKind::Shops query=query.clone()
            chart=move || {
                let rows = shops.clone();
                view! { <Chart id="chart-stores" label=label(Key::WShops) height=360 options=move || charts::bars(
                    rows.iter().map(|s| s.name.clone()).collect(), rows.iter().map(|s| charts::eur(s.revenue_cents)).collect(), revenue_name, Measure::Revenue, lang)/> }
            }
            table=move || data_table(&shops_t, "table-stores")
        />
        <Widget id="w-heatmap" title=Key::WHeatmap empty=d.heatmap.is_empty() export=ExportKind::Heatmap query=query.clone()
            chart=move || {
                let cells = heat.clone();
                view! { <Chart id="chart-heatmap" label=label(Key::WHeatmap) options=move || charts::weekday_hour(&cells, lang)/> }
            }
            table=move || data_table(&heat_t, "table-heatmap")
        />
        <Widget id="w-basket" title=Key::WBasket empty=d.basket.is_empty() export=ExportKind::Basket query=query.clone()
            chart=move || {
                let rows = basket.clone();
                view! { <Chart id="chart-basket" label=label(Key::WBasket) height=260 options=move || charts::grouped(
                    rows.iter().map(|b| if b.loyalty { yes.to_string() } else { no.to_string() }).collect(),
                    vec![(avg_name.to_string(), Measure::Ticket, rows.iter().map(|b| charts::eur(b.average_ticket_cents)).collect())], lang)/> }
            }
            table=move || data_table(&basket_t, "table-basket")
        />
        <Widget id="w-segments" title=Key::WSegments empty=d.segments.is_empty() export=ExportKind::Segments query=query.clone()
            chart=move || {
                let rows = segs.clone();
                view! { <Chart id="chart-segments" label=label(Key::WSegments) options=move || charts::grouped(
                    rows.iter().map(|s| s.segment.label(lang).to_string()).collect(),
                    vec![
                        (customers_name.to_string(), Measure::Share, rows.iter().map(|s| s.customer_share_bp as f64 / 100.0).collect()),
                        (revenue_share_name.to_string(), Measure::Revenue, rows.iter().map(|s| s.revenue_share_bp as f64 / 100.0).collect()),
                    ], lang)/> }
            }
            table=move || data_table(&segs_t, "table-segments")
        />
        <Widget id="w-rf-grid" title=Key::WRfGrid empty=d.rf_grid.is_empty() export=ExportKind::RfGrid query=query.clone()
            chart=move || {
                let g = grid.clone();
                view! { <Chart id="chart-rf-grid" label=label(Key::WRfGrid) options=move || charts::rf_grid(&g)/> }
            }
            table=move || view! {
                <table class="data-table" data-testid="table-rf-grid">
                    <thead><tr><th scope="col">"R \\ F"</th>{(1..=5).map(|f| view! { <th scope="col" class="num">{f}</th> }).collect_view()}</tr></thead>
                    <tbody>{grid_t.clone().into_iter().enumerate().map(|(r, row)| view! {
                        <tr><th scope="row">{r + 1}</th>{row.into_iter().map(|n| view! { <td class="num">{format::count(i64::from(n), lang)}</td> }).collect_view()}</tr>
                    }).collect_view()}</tbody>
                </table>
            }
        />
        <Widget id="w-cohorts" title=Key::WCohorts empty=d.cohorts.is_empty() empty_text=Key::CohortsTooShort export=ExportKind::Cohorts query=query.clone()
            chart=move || {
                let rows = cohorts.clone();
                view! { <Chart id="chart-cohorts" label=label(Key::WCohorts) height=360 options=move || charts::cohorts(&rows, lang)/> }
            }
            table=move || view! {
                <table class="data-table" data-testid="table-cohorts">
                    <thead><tr><th scope="col">{move || i18n.t(Key::ColCohort)}</th><th scope="col" class="num">{move || i18n.t(Key::ColCustomers)}</th><th scope="col">{move || i18n.t(Key::ColMonthsSince)}</th></tr></thead>
                    <tbody>{cohorts_t.clone().into_iter().map(|c| {
                        let size = c.customers;
                        view! {
                            <tr><td>{c.month}</td><td class="num">{format::count(i64::from(size), lang)}</td>
                                <td>{c.active.iter().enumerate().map(|(k, n)| {
                                    let pct = if size == 0 { 0 } else { i64::from(*n) * 10_000 / i64::from(size) };
                                    format!("{k}: {}", format::percent(pct, lang))
                                }).collect::<Vec<_>>().join(" · ")}</td></tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            }
        />
        </div>
    }
}

/// The customer-value widgets: the models' fit, the churn-risk list, the predicted-value
/// distribution and the 90-day forecast by segment.
#[component]
pub fn ForecastWidgets(d: Dashboard, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let label = move |key: Key| Signal::derive(move || i18n.t(key).to_string());
    let dist = d.value_distribution.clone();
    let dist_t = d.value_distribution.clone();
    let fc = d.segment_forecast.clone();
    let fc_t = d.segment_forecast.clone();
    let churn = d.churn_risk.clone();
    let customers_name = i18n.t(Key::ColCustomers);
    let expected_name = i18n.t(Key::ColExpected90);
    view! {
        <div class="widgets">
        <section class="widget" id="w-clv" data-testid="w-clv">
            <h2>{move || i18n.t(Key::WClv)}</h2>
            {match d.clv.clone() {
                None => view! { <p class="no-data" data-testid="no-data">{move || i18n.t(Key::ClvNotFitted)}</p> }.into_any(),
                Some(c) => view! {
                    <dl class="profile" data-testid="clv-fit">
                        <dt>{move || i18n.t(Key::ClvAsOf)}</dt><dd>{format::date(&c.as_of, lang)}</dd>
                        <dt>"BG/NBD"</dt>
                        <dd data-testid="clv-bgnbd">{format!("r = {:.3}, α = {:.3}, a = {:.3}, b = {:.3}", c.r, c.alpha, c.a, c.b)}
                            " · n = " {format::count(i64::from(c.bgnbd_n), lang)} " " {move || i18n.t(Key::ClvSample)}
                            " · " {move || i18n.t(Key::ClvLogLik)} " " {format!("{:.1}", c.bgnbd_log_likelihood)}</dd>
                        <dt>"Gamma-Gamma"</dt>
                        <dd>{match (c.p, c.q, c.v) {
                            (Some(p), Some(q), Some(v)) => format!("p = {p:.3}, q = {q:.3}, v = {v:.3} · n = {} · {:.1}", c.gamma_gamma_n, c.gamma_gamma_log_likelihood.unwrap_or_default()),
                            _ => "—".to_string(),
                        }}</dd>
                        <dt>{move || i18n.t(Key::ClvDiscount)}</dt><dd>{format::percent(c.monthly_discount_bp, lang)}</dd>
                    </dl>
                }.into_any(),
            }}
        </section>
        <section class="widget" id="w-churn" data-testid="w-churn">
            <h2>{move || i18n.t(Key::WChurn)}</h2>
            {if churn.is_empty() {
                view! { <p class="no-data" data-testid="no-data">{move || i18n.t(Key::ChurnNone)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">{data_table(&churn, "table-churn")}</div>
                }.into_any()
            }}
            <ExportLinks kind=ExportKind::ChurnRisk query=query.clone()/>
        </section>
        <Widget id="w-value" title=Key::WValueDist empty=d.value_distribution.is_empty() export=ExportKind::ValueDistribution query=query.clone()
            chart=move || {
                let rows = dist.clone();
                view! { <Chart id="chart-value" label=label(Key::WValueDist) options=move || charts::grouped(
                    rows.iter().map(|b| format::cell(&crate::model::table::Cell::EuroRange(b.from_eur, b.to_eur), lang)).collect(),
                    vec![(customers_name.to_string(), Measure::Customers, rows.iter().map(|b| f64::from(b.customers)).collect())], lang)/> }
            }
            table=move || data_table(&dist_t, "table-value")
        />
        <Widget id="w-forecast" title=Key::WSegmentForecast empty=d.segment_forecast.is_empty() export=ExportKind::SegmentForecast query=query.clone()
            chart=move || {
                let rows = fc.clone();
                view! { <Chart id="chart-forecast" label=label(Key::WSegmentForecast) options=move || charts::grouped(
                    rows.iter().map(|f| f.segment.label(lang).to_string()).collect(),
                    vec![(expected_name.to_string(), Measure::Expected, rows.iter().map(|f| f.expected_receipts_90d_milli as f64 / 1000.0).collect())], lang)/> }
            }
            table=move || data_table(&fc_t, "table-forecast")
        />
        </div>
    }
}

/// The points programme: what cardholders hold and its value, the period's flows with the
/// redemption rate and breakage, points per month and vouchers by reward.
#[component]
pub fn PointsWidgets(p: crate::model::rewards::PointsProgramme, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let label = move |key: Key| Signal::derive(move || i18n.t(key).to_string());
    let months = p.months.clone();
    let months_t = p.months.clone();
    let quiet = p.months.iter().all(|m| m.flows == Default::default());
    let rewards = p.by_reward.clone();
    let rewards_t = p.by_reward.clone();
    let names = [Key::ColPointsEarned, Key::ColPointsRedeemed, Key::ColPointsExpired, Key::ColPointsTakenBack]
        .map(|k| i18n.t(k).to_string());
    let issued_name = i18n.t(Key::ColVouchersIssued).to_string();
    let used_name = i18n.t(Key::ColVouchersUsed).to_string();
    let f = p.period;
    let as_of = p.as_of.get(11..16).unwrap_or_default().to_string();
    let points_word = i18n.t(Key::ColPoints).to_lowercase();
    let rate = p.rate.map(|(cents, points)| {
        format!("{} {points_word} = {}", format::count(points, lang), format::euros(cents, lang))
    });
    let percent = move |bp: Option<i64>| bp.map_or_else(|| "—".to_string(), |bp| format::percent(bp, lang));
    view! {
        <div class="widgets">
        <section class="widget" id="w-points" data-testid="w-points">
            <h2>{move || i18n.t(Key::WPoints)}</h2>
            <p class="hint">{move || i18n.t(Key::WPointsHelp)} " (" {move || i18n.t(Key::PointsAsOf)} " " {as_of.clone()} " UTC)"</p>
            <dl class="profile points-figures">
                <dt>{move || i18n.t(Key::PointsOutstanding)}</dt>
                <dd data-testid="points-outstanding">{format::count(p.outstanding, lang)}</dd>
                <dt>{move || i18n.t(Key::PointsLiability)}</dt>
                <dd data-testid="points-liability">{match (p.liability_cents, rate) {
                    (Some(c), Some(rate)) => view! { {format::euros(c, lang)} <br/><small class="hint">{move || i18n.t(Key::PointsRate)} " " {rate}</small> }.into_any(),
                    _ => view! { <span class="no-data">{move || i18n.t(Key::PointsNoRate)}</span> }.into_any(),
                }}</dd>
                <dt>{move || i18n.t(Key::ColPointsEarned)}</dt><dd data-testid="points-earned">{format::count(f.earned, lang)}</dd>
                <dt>{move || i18n.t(Key::ColPointsRedeemed)}</dt><dd data-testid="points-redeemed">{format::count(f.redeemed, lang)}</dd>
                <dt>{move || i18n.t(Key::ColPointsExpired)}</dt><dd data-testid="points-expired">{format::count(f.expired, lang)}</dd>
                <dt>{move || i18n.t(Key::ColPointsTakenBack)}</dt><dd data-testid="points-taken-back">{format::count(f.taken_back, lang)}</dd>
                <dt>{move || i18n.t(Key::PointsRedemptionRate)}</dt><dd data-testid="points-redemption-rate">{percent(p.redemption_rate_bp)}</dd>
                <dt>{move || i18n.t(Key::PointsBreakage)}</dt><dd data-testid="points-breakage">{percent(p.breakage_bp)}</dd>
            </dl>
            <p class="hint">{move || i18n.t(Key::PointsVoucherList)}</p>
            <ExportLinks kind=ExportKind::Vouchers query=query.clone()/>
        </section>
        <Widget id="w-points-months" title=Key::WPointsMonths empty=quiet export=ExportKind::PointsMonths query=query.clone()
            chart=move || {
                let rows = months.clone();
                let names = names.clone();
                view! { <Chart id="chart-points-months" label=label(Key::WPointsMonths) height=360 options=move || charts::grouped(
                    rows.iter().map(|m| format::bucket(&format!("{}-01", m.month), "month", lang)).collect(),
                    vec![
                        (names[0].clone(), Measure::Points, rows.iter().map(|m| m.flows.earned as f64).collect()),
                        (names[1].clone(), Measure::PointsRedeemed, rows.iter().map(|m| m.flows.redeemed as f64).collect()),
                        (names[2].clone(), Measure::PointsExpired, rows.iter().map(|m| m.flows.expired as f64).collect()),
                        (names[3].clone(), Measure::PointsTakenBack, rows.iter().map(|m| m.flows.taken_back as f64).collect()),
                    ], lang)/> }
            }
            table=move || data_table(&months_t, "table-points-months")
        />
        <Widget id="w-reward-vouchers" title=Key::WRewardVouchers empty=p.by_reward.is_empty() export=ExportKind::RewardVouchers query=query.clone()
            chart=move || {
                let rows = rewards.clone();
                let (issued_name, used_name) = (issued_name.clone(), used_name.clone());
                view! { <Chart id="chart-reward-vouchers" label=label(Key::WRewardVouchers) options=move || charts::grouped(
                    rows.iter().map(|r| if lang == crate::i18n::Lang::It { r.title_it.clone() } else { r.title_en.clone() }).collect(),
                    vec![
                        (issued_name.clone(), Measure::Vouchers, rows.iter().map(|r| r.issued as f64).collect()),
                        (used_name.clone(), Measure::VouchersUsed, rows.iter().map(|r| (r.used + r.donated) as f64).collect()),
                    ], lang)/> }
            }
            table=move || data_table(&rewards_t, "table-reward-vouchers")
        />
        </div>
    }
}
