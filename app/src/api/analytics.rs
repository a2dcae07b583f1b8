//! Admin analytics server functions: thin wrappers that check the admin role on the server,
//! parse the URL query the page lives at, and call the analytics service.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::analytics::{Customer360, CustomerPage, Dashboard};

/// Query pairs of a URL query string (`a=1&b=2`, percent-decoded, `+` as space).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    fn decode(raw: &str) -> String {
        let bytes = raw.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Every dashboard figure for the filters in `query` (admins only).
#[server(prefix = "/api", endpoint = "analytics_dashboard")]
pub async fn load_dashboard(query: String) -> Result<Dashboard, AppError> {
    use crate::model::account::Role;
    use crate::model::analytics::Filters;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            let pairs = query_pairs(&query);
            let filters = Filters::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .map_err(|e| AppError::invalid(e.param, format!("value `{}` is not valid", e.value)))?;
            state.analytics.dashboard(filters).await
        }
        .await,
    )
}

/// One page of the customer list for `query` (admins only).
#[server(prefix = "/api", endpoint = "analytics_customers")]
pub async fn load_customers(query: String) -> Result<CustomerPage, AppError> {
    use crate::model::account::Role;
    use crate::model::analytics::CustomerQuery;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            let pairs = query_pairs(&query);
            let q = CustomerQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .map_err(|e| AppError::invalid(e.param, format!("value `{}` is not valid", e.value)))?;
            state.analytics.customers(q).await
        }
        .await,
    )
}

/// Everything about one cardholder (admins only).
#[server(prefix = "/api", endpoint = "analytics_customer")]
pub async fn load_customer(card_number: String) -> Result<Customer360, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.analytics.customer(&card_number).await
        }
        .await,
    )
}

/// Adds (or, negative, removes) points on a card with a reason (admins only); returns the new
/// balance.
#[server(prefix = "/api", endpoint = "adjust_points")]
pub async fn adjust_points(card_number: String, points: i64, reason: String) -> Result<i64, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            let acting = state.sessions.require(current_user().as_ref(), Role::Admin).await?;
            state.analytics.adjust_points(&acting, &card_number, points, &reason).await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_decode() {
        let p = query_pairs("?range=custom&from=2026-01-01&q=maria+rossi&age=65%2B&x");
        assert_eq!(p[0], ("range".into(), "custom".into()));
        assert_eq!(p[2], ("q".into(), "maria rossi".into()));
        assert_eq!(p[3], ("age".into(), "65+".into()));
        assert_eq!(p[4], ("x".into(), String::new()));
        assert_eq!(query_pairs("a=%zz%4")[0].1, "%zz%4");
    }
}
