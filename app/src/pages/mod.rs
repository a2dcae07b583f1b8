//! One module per route.

pub mod admin_users;
pub mod card;
pub mod claim;
pub mod home;
pub mod import;
pub mod login;
pub mod not_found;
pub mod reserved;
pub mod signup;
