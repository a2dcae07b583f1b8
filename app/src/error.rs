//! The one error type that crosses the wire. It carries a status code and a message safe to
//! show; internal details are logged on the server and never serialised.

use serde::{Deserialize, Serialize};

use crate::validate::Problem;

/// An application error as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// Input that failed validation: the field and a message naming what is wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Not logged in.
    #[error("authentication required")]
    Unauthorized,
    /// Logged in without the needed role.
    #[error("forbidden")]
    Forbidden,
    /// The thing asked for does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken on `field` (e.g. email already registered); `message` is the
    /// problem code the forms translate (`taken`).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// Too many attempts; retry after the given seconds.
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// The server is at capacity for this kind of work (password hashing); retry after the
    /// given seconds.
    #[error("busy, retry later")]
    Busy { retry_after_secs: u64 },
    /// The service is starting or a dependency is down.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else. The details are in the server log under this request id.
    #[error("internal error (request {request_id})")]
    Internal { request_id: String },
}

impl AppError {
    /// The HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable | AppError::Busy { .. } => 503,
            AppError::Internal { .. } => 500,
        }
    }

    /// Builds a validation error for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), message: message.into() }
    }

    /// A validation error for `field` with a known problem; [`Problem::Taken`] is a conflict.
    pub fn problem_at(field: impl Into<String>, problem: Problem) -> Self {
        match problem {
            Problem::Taken => AppError::Conflict { field: field.into(), message: problem.code().into() },
            _ => AppError::invalid(field, problem.code()),
        }
    }

    /// A request parameter whose value is not one of those allowed.
    pub fn bad_value(param: impl Into<String>, value: impl std::fmt::Display) -> Self {
        AppError::invalid(param, format!("value `{value}` is not valid"))
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => AppError::invalid("request", m),
            E::Request(_) | E::Response(_) => AppError::Unavailable,
            _ => AppError::Internal { request_id: String::new() },
        }
    }
}

impl AppError {
    /// The validation problem, when this is a validation error with a known code.
    pub fn problem(&self) -> Option<(&str, Problem)> {
        match self {
            AppError::Invalid { field, message } | AppError::Conflict { field, message } => {
                Problem::from_code(message).map(|p| (field.as_str(), p))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AppError::invalid("email", "bad").status(), 400);
        assert_eq!(AppError::problem_at("email", Problem::Taken).status(), 409);
        assert_eq!(AppError::problem_at("email", Problem::Taken).problem(), Some(("email", Problem::Taken)));
        assert_eq!(AppError::problem_at("email", Problem::Required).status(), 400);
        assert_eq!(AppError::bad_value("range", "x").to_string(), "range: value `x` is not valid");
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::RateLimited { retry_after_secs: 3 }.status(), 429);
        assert_eq!(AppError::Internal { request_id: "r".into() }.status(), 500);
    }

    #[test]
    fn internal_error_shows_only_the_request_id() {
        let shown = AppError::Internal { request_id: "abc".into() }.to_string();
        assert_eq!(shown, "internal error (request abc)");
    }
}
