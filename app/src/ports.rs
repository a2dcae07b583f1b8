//! The server's side of the server functions: traits the `imagross` binary implements and the
//! one [`AppState`] that holds them, provided as Leptos context to every server function.

use std::sync::Arc;

/// Readiness of the in-memory caches, shared by `/readyz` and the pages.
pub trait Readiness: Send + Sync {
    /// True once the background warm-up has finished.
    fn is_warm(&self) -> bool;
}

/// Everything a server function may reach. Later features add their services here.
#[derive(Clone)]
pub struct AppState {
    /// Cache warm-up state.
    pub readiness: Arc<dyn Readiness>,
}
