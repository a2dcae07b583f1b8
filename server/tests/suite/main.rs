//! Every integration test of the server, linked as one binary (one link of the whole server
//! instead of one per file): store contract on both stores, HTTP through the real router,
//! durability and kill tests against the real binary, the CLI, and the layer check.

#[macro_use]
mod common;

mod admin;
mod analytics;
mod api;
mod api_kill;
mod append;
mod attacks;
mod auth;
mod campaigns;
mod card;
mod claim;
mod demo;
mod deploy;
mod durability;
mod expiry;
mod http;
mod import;
mod import_kill;
mod layers;
mod personal;
mod points;
mod replicas;
mod rewards;
mod shop_keys;
mod signup;
mod store_contract;
mod watchdog;
