//! One module per route.

pub mod admin_users;
pub mod campaigns;
pub mod card;
pub mod claim;
pub mod customers;
pub mod dashboard;
pub mod home;
pub mod import;
pub mod login;
pub mod me;
pub mod not_found;
pub mod offers;
pub mod rewards;
pub mod rewards_admin;
pub mod shop_keys;
pub mod signup;
