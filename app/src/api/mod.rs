//! Server functions, grouped by domain. Each is thin: read the input, reach the service in
//! [`crate::ports::AppState`], map the answer to a wire type.

pub mod admin;
pub mod auth;
pub mod card;
pub mod catalog;
pub mod analytics;
pub mod personal;
