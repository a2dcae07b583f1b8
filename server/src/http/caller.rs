//! The caller of a plain axum handler (downloads, uploads), as an extractor: the session's
//! account re-read from the store with the role checked, exactly as the server functions'
//! guard does. A handler that takes [`AdminUser`] or [`Shopper`] never runs for anyone else;
//! the refusal is the JSON error with its status (401 without a session, 403 otherwise).

use app::model::account::{Role, SessionUser};
use app::ports::Sessions;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

use super::ServerState;
use crate::error::StatusResponse;

/// An active admin (or super admin).
pub struct AdminUser(pub SessionUser);

/// A logged-in shopper.
pub struct Shopper(pub SessionUser);

async fn caller(parts: &Parts, state: &ServerState, role: Role) -> Result<SessionUser, Response> {
    let user = parts.extensions.get::<SessionUser>();
    state.auth.require(user, role).await.map_err(StatusResponse::status_response)
}

impl FromRequestParts<ServerState> for AdminUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Response> {
        caller(parts, state, Role::Admin).await.map(AdminUser)
    }
}

impl FromRequestParts<ServerState> for Shopper {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Response> {
        caller(parts, state, Role::Shopper).await.map(Shopper)
    }
}
