//! The browser entry point: hydrates the server-rendered page. Nothing else lives here,
//! so the wasm carries only what `app` needs in the browser.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
