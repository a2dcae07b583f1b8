//! Wire and domain types shared by the browser and the server: plain data, no I/O.

pub mod account;
pub mod admin;
pub mod card;
pub mod import;
pub mod levels;
pub mod shop;
pub mod analytics;
pub mod personal;
pub mod store_key;
