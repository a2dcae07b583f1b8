//! Admin analytics server functions: thin wrappers that check the admin role on the server,
//! parse the URL query the page lives at, and call the analytics service.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::analytics::{Customer360, CustomerPage, Dashboard};
#[cfg(feature = "ssr")]
use crate::model::{
    account::Role,
    analytics::{CustomerQuery, Filters},
};
#[cfg(feature = "ssr")]
use crate::server_fns::guard::as_role;

/// Every dashboard figure for the filters in `query` (admins only).
#[server(prefix = "/api", endpoint = "analytics_dashboard")]
pub async fn load_dashboard(query: String) -> Result<Dashboard, AppError> {
    as_role(Role::Admin, |s, _| async move { s.analytics.dashboard(Filters::from_query(&query)?).await }).await
}

/// One page of the customer list for `query` (admins only).
#[server(prefix = "/api", endpoint = "analytics_customers")]
pub async fn load_customers(query: String) -> Result<CustomerPage, AppError> {
    as_role(Role::Admin, |s, _| async move { s.analytics.customers(CustomerQuery::from_query(&query)?).await }).await
}

/// Everything about one cardholder (admins only).
#[server(prefix = "/api", endpoint = "analytics_customer")]
pub async fn load_customer(card_number: String) -> Result<Customer360, AppError> {
    as_role(Role::Admin, |s, _| async move { s.analytics.customer(&card_number).await }).await
}

/// Adds (or, negative, removes) points on a card with a reason (admins only); returns the new
/// balance.
#[server(prefix = "/api", endpoint = "adjust_points")]
pub async fn adjust_points(card_number: String, points: i64, reason: String) -> Result<i64, AppError> {
    as_role(Role::Admin, |s, acting| async move { s.points.adjust(&acting, &card_number, points, &reason).await }).await
}
