//! The public home page: what the card gives, a points estimator and the level ladder chart.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::chart::Chart;
use crate::components::charts::{self, Measure};
use crate::i18n::{use_i18n, Key, Label};
use crate::model::levels::{yearly_points_estimate, Level, LevelThresholds};

/// `/`: the landing page for shoppers.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let thresholds = LevelThresholds::default();
    let weekly_euros = RwSignal::new(50_i64);
    let yearly = move || yearly_points_estimate(weekly_euros.get() * 100);
    let reached = move || i18n.t(thresholds.level_for(yearly()).key());

    let build_chart = move || {
        let names: Vec<String> = Level::ALL.iter().map(|l| i18n.t(l.key()).to_string()).collect();
        let points: Vec<i64> = Level::ALL.iter().map(|l| i64::from(thresholds.points_for(*l))).collect();
        let points: Vec<f64> = points.into_iter().map(|p| p as f64).collect();
        charts::bars(names, points, i18n.t(Key::ColPoints), Measure::Points, i18n.lang())
    };

    view! {
        <section class="hero">
            <h1>{move || i18n.t(Key::HeroTitle)}</h1>
            <p>{move || i18n.t(Key::HeroBody)}</p>
            <div class="cta-row">
                <A href="/signup" attr:class="button primary">{move || i18n.t(Key::CtaSignup)}</A>
                <A href="/claim" attr:class="button">{move || i18n.t(Key::CtaClaim)}</A>
            </div>
        </section>
        <section class="card estimator" aria-labelledby="estimator-title">
            <h2 id="estimator-title">{move || i18n.t(Key::EstimatorTitle)}</h2>
            <label for="weekly-spend">{move || i18n.t(Key::EstimatorLabel)}</label>
            <input
                id="weekly-spend"
                name="weekly_spend"
                type="number"
                min="0"
                max="2000"
                step="1"
                inputmode="numeric"
                value="50"
                prop:value=move || weekly_euros.get().to_string()
                on:input=move |ev| {
                    let value = event_target_value(&ev).trim().parse::<i64>().unwrap_or(0);
                    weekly_euros.set(value.clamp(0, 2000));
                }
            />
            <dl class="estimate" aria-live="polite">
                <dt>{move || i18n.t(Key::EstimatorResult)}</dt>
                <dd data-testid="yearly-points">{move || crate::format::count(i64::from(yearly()), i18n.lang())}</dd>
                <dt>{move || i18n.t(Key::EstimatorLevel)}</dt>
                <dd data-testid="level-reached">{reached}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="levels-title">
            <h2 id="levels-title">{move || i18n.t(Key::LevelsTitle)}</h2>
            <Chart
                id="levels-chart"
                options=build_chart
                label=Signal::derive(move || i18n.t(Key::LevelsChartLabel).to_string())
                height=260
            />
            <p class="chart-caption">{move || i18n.t(Key::LevelsAxis)}</p>
        </section>
    }
}
