//! The `imagross` server. Modules are layered; each imports only from the layers above it in
//! this list (checked by `tests/suite/layers.rs`):
//!
//! 1. leaves: [`clock`] (the one date system), [`error`], [`config`] (values only), [`telemetry`],
//!    [`limiter`] (bounded attempt counters);
//! 2. [`store`]: the persistence port and its SQLite and MongoDB implementations;
//! 3. [`projection`]: the in-memory columnar projection, kept current in the background;
//! 4. services: [`accounts`], [`auth`], [`points`] (the ledger's one home), [`cards`], [`rewards`],
//!    [`analytics`], [`import`], [`personal`], [`demo`], [`campaigns`] (offers judged against a
//!    holdout);
//! 5. surfaces: [`till_api`] (the tills' REST API), [`http`] (pages, server functions, downloads),
//!    [`cli`];
//! 6. [`wiring`]: builds the whole state from the configuration, once, and serves.
//!
//! `main.rs` only parses arguments and calls [`wiring::run`].

pub mod clock;
pub mod config;
pub mod error;
pub mod limiter;
pub mod telemetry;

pub mod store;

pub mod lease;
pub mod projection;

pub mod accounts;
pub mod analytics;
pub mod auth;
pub mod campaigns;
pub mod cards;
pub mod demo;
pub mod import;
pub mod personal;
pub mod points;
pub mod rewards;
pub mod watchdog;

pub mod cli;
pub mod http;
pub mod till_api;

pub mod wiring;
