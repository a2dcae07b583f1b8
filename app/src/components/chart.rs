//! The one chart component. The server renders a fixed-size, labelled placeholder; after
//! hydration the browser draws the charming chart into it with ECharts (`WasmRenderer`), and
//! redraws whenever a signal read by `build` changes.

use leptos::prelude::*;

/// A chart drawn in the browser after hydration.
#[component]
pub fn Chart<F>(
    /// DOM id of the chart's container; unique on the page.
    #[prop(into)]
    id: String,
    /// Builds the chart options. Signals read here trigger a redraw.
    options: F,
    /// Accessible description of what the chart shows.
    label: Signal<String>,
    /// Height in CSS pixels; the width follows the container.
    #[prop(default = 320)]
    height: u32,
) -> impl IntoView
where
    F: Fn() -> charming::Chart + Send + Sync + 'static,
{
    let node_id = id.clone();
    Effect::new(move |_| {
        let chart = options();
        draw(&node_id, height, &chart);
    });
    view! {
        <div
            id=id
            class="chart"
            role="img"
            aria-label=move || label.get()
            data-drawn="false"
            style=format!("height:{height}px")
        ></div>
    }
}

#[cfg(feature = "hydrate")]
fn draw(id: &str, height: u32, chart: &charming::Chart) {
    let Some(element) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    let width = u32::try_from(element.client_width()).unwrap_or(0).max(240);
    match charming::WasmRenderer::new(width, height).render(id, chart) {
        Ok(_) => {
            let _ = element.set_attribute("data-drawn", "true");
        }
        Err(err) => leptos::logging::error!("chart {id} not drawn: {err:?}"),
    }
}

#[cfg(not(feature = "hydrate"))]
fn draw(_id: &str, _height: u32, _chart: &charming::Chart) {}
