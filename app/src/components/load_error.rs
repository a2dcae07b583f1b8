//! The message of a failed page load, shared by the admin pages.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

/// A failed load: warming up, a bad filter (named), or a generic message.
#[component]
pub fn LoadError(
    /// The error.
    error: AppError,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = match &error {
        AppError::Unavailable => i18n.t(Key::DashWarming).to_string(),
        AppError::Invalid { field, message } => format!("{field}: {message}"),
        _ => i18n.t(Key::ErrGeneric).to_string(),
    };
    view! { <p class="notice error" role="alert" data-testid="load-error">{text}</p> }
}
