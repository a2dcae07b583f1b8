//! The `imagross` server: command line, configuration, stores, HTTP surface and services.
//! `main.rs` only parses arguments and calls [`cli::run`].

pub mod accounts;
pub mod analytics;
pub mod api;
pub mod auth;
pub mod cards;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod import;
pub mod personal;
pub mod store;
pub mod telemetry;
pub mod warmup;
