//! Server functions (`/api/*`), grouped by domain. Each is one guarded call
//! ([`guard::as_role`] or [`guard::public`]): the role checked on the server, then one service
//! in [`crate::ports::AppState`], answering a wire type. The tills' REST API is elsewhere (the
//! server's `till_api`).

pub mod admin;
pub mod analytics;
pub mod auth;
pub mod campaigns;
pub mod card;
pub mod catalog;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod personal;
pub mod rewards;

/// An HTML checkbox: ticked is present with `on` (or `true`, `1`, `yes`); unticked is absent.
/// The one rule for every form.
pub fn checkbox(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("on" | "true" | "1" | "yes"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn checkbox() {
        for ticked in ["on", "true", "1", "yes", " on "] {
            assert!(super::checkbox(Some(ticked)), "{ticked}");
        }
        for unticked in [None, Some(""), Some("off"), Some("no"), Some("false")] {
            assert!(!super::checkbox(unticked), "{unticked:?}");
        }
    }
}
