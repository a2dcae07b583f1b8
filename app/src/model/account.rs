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

/// The logged-in user as pages and server functions see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Account id.
    pub id: String,
    pub first_name: String,
    pub role: Role,
    /// The loyalty card linked to the account, if any.
    pub card_number: Option<String>,
}
