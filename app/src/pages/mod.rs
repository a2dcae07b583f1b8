//! One module per route.

pub mod card;
pub mod home;
pub mod login;
pub mod not_found;
pub mod reserved;
pub mod signup;
