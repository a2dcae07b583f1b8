//! Account wire types: what the signup form sends and what the server answers. No password
//! hash ever appears here.

use serde::{Deserialize, Serialize};

pub use crate::validate::signup::SignupInput;

/// A completed signup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupDone {
    /// The new account's id.
    pub account_id: String,
    /// The new digital card's number (EAN-13).
    pub card_number: String,
    pub first_name: String,
}

/// Role of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Shopper,
    Admin,
    SuperAdmin,
}

impl Role {
    /// True when this role may do what `needed` may.
    pub fn at_least(self, needed: Role) -> bool {
        self >= needed
    }
}

/// Where a user lands after logging in: the `next` page they were sent from when it is a path
/// of this site that their role may open, else admins on the dashboard and shoppers on `/me`.
pub fn landing(role: Role, next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path) if is_local_path(path) && may_open(role, path) => path.to_string(),
        _ if role.at_least(Role::Admin) => "/admin".to_string(),
        _ => "/me".to_string(),
    }
}

/// A path on this site (never another host: no `//`, no scheme, no backslash).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.contains("://")
}

/// Whether `role` may open `path` (the admin area needs an admin, its users page the super
/// admin; the rest needs only a session).
fn may_open(role: Role, path: &str) -> bool {
    let page = path.split(['?', '#']).next().unwrap_or_default();
    let under = |prefix: &str| page == prefix || page.starts_with(&format!("{prefix}/"));
    if under("/admin/users") {
        role.at_least(Role::SuperAdmin)
    } else if under("/admin") {
        role.at_least(Role::Admin)
    } else {
        !under("/login")
    }
}

/// The logged-in user as pages and server functions see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Account id.
    pub id: String,
    pub first_name: String,
    pub role: Role,
    /// The loyalty card linked to the account, if any.
    pub card_number: Option<String>,
    /// When the session was opened or last refreshed (Unix milliseconds): sessions from before
    /// the account's last password, role or status change are void.
    #[serde(default)]
    pub issued_at: i64,
}

impl crate::i18n::Label for Role {
    fn key(&self) -> crate::i18n::Key {
        match self {
            Role::Shopper => crate::i18n::Key::RoleShopper,
            Role::Admin => crate::i18n::Key::RoleAdmin,
            Role::SuperAdmin => crate::i18n::Key::RoleSuperAdmin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_land_on_the_dashboard_shoppers_on_me_or_where_they_were_sent() {
        assert_eq!(landing(Role::Admin, None), "/admin");
        assert_eq!(landing(Role::SuperAdmin, None), "/admin");
        assert_eq!(landing(Role::Shopper, None), "/me");
        assert_eq!(landing(Role::Admin, Some("/admin/customers?q=rossi")), "/admin/customers?q=rossi");
        assert_eq!(landing(Role::Shopper, Some("/me/receipts")), "/me/receipts");
        // A page the role may not open, another host, or the login page itself: the default.
        assert_eq!(landing(Role::Shopper, Some("/admin")), "/me");
        assert_eq!(landing(Role::Shopper, Some("/administrator")), "/administrator");
        assert_eq!(landing(Role::Admin, Some("/admin/users")), "/admin");
        assert_eq!(landing(Role::SuperAdmin, Some("/admin/users")), "/admin/users");
        assert_eq!(landing(Role::Shopper, Some("//evil.example/me")), "/me");
        assert_eq!(landing(Role::Shopper, Some("https://evil.example/")), "/me");
        assert_eq!(landing(Role::Shopper, Some("/\\evil.example")), "/me");
        assert_eq!(landing(Role::Admin, Some("/login?next=/admin")), "/admin");
        assert_eq!(landing(Role::Admin, Some("")), "/admin");
    }
}
