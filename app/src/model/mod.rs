//! Wire and domain types shared by the browser and the server: plain data, no I/O.

pub mod account;
pub mod admin;
pub mod analytics;
pub mod campaigns;
pub mod card;
pub mod import;
pub mod levels;
pub mod personal;
pub mod receipt;
pub mod rewards;
pub mod shop;
pub mod shop_key;
pub mod table;
