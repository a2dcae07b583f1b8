//! The `imagross` command line: `serve` (default), `db check`, and the commands later features
//! fill in (`import`, `demo-data`, `export`, `admin`, `bench`).

mod admin;
pub mod bench;
mod clv;
mod db;
pub mod demo;
mod export;
mod import;
mod shop_key;

use clap::{Parser, Subcommand};

use crate::config::{Config, Settings};

/// ImaGross Loyalty server and tools.
#[derive(Parser, Debug)]
#[command(name = "imagross", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Inspect the store.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Import a Fidelity, Scontrini or Vendite file.
    Import(import::ImportArgs),
    /// Generate a deterministic demo data set.
    DemoData(demo::DemoArgs),
    /// Add the demo rewards programme (catalogue, past redemptions, vouchers used at the tills)
    /// to a store holding the imported demo data set.
    DemoRewards {
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Add two past campaigns to a store holding the demo data set: one whose treated members
    /// spend a known amount more than its holdout, one without effect.
    DemoCampaigns {
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Fit the customer-value models (BG/NBD, Gamma-Gamma) and print them.
    Clv(clv::ClvArgs),
    /// Export customers, receipts, sales or segments.
    Export(export::ExportArgs),
    /// Manage admin accounts.
    Admin {
        #[command(subcommand)]
        action: admin::AdminAction,
    },
    /// Manage the tills' API keys (one or more per store).
    // The published command name stays `store-key` (scripts use it); `shop-key` is accepted too.
    #[command(name = "store-key", alias = "shop-key")]
    ShopKey {
        #[command(subcommand)]
        action: shop_key::ShopKeyAction,
    },
    /// Run a benchmark and print its figures.
    Bench {
        #[command(subcommand)]
        action: bench::BenchAction,
    },
}

/// `db` subcommands.
#[derive(Subcommand, Debug)]
pub enum DbAction {
    /// Print the store kind, schema version and row counts (opening creates what is missing).
    Check {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// How the benchmarks that run a server in process build its state: the composition root's
/// `wiring::state`, handed down so the CLI never reaches up to the wiring.
pub type BuildState = fn(
    leptos::prelude::LeptosOptions,
    std::sync::Arc<dyn crate::store::Store>,
    &crate::auth::Security,
    crate::config::Tuning,
    crate::http::Uploads,
    crate::watchdog::Marks,
) -> Result<crate::http::ServerState, String>;

/// Runs a command other than `serve` (the wiring runs that); the error is printed by `main`.
pub async fn run(config: &Config, command: Command, build: BuildState) -> anyhow::Result<()> {
    match command {
        Command::Serve => anyhow::bail!("`serve` is run by the wiring"),
        Command::Db { action: DbAction::Check { json } } => db::check(config, json).await,
        Command::Admin { action } => admin::run(config, action).await,
        Command::Import(args) => import::run(config, args).await,
        Command::DemoData(args) => demo::run(args).await,
        Command::DemoRewards { seed } => demo::rewards(config, seed).await,
        Command::DemoCampaigns { seed } => demo::campaigns(config, seed).await,
        Command::Bench { action } => bench::run(action, build).await,
        Command::Export(args) => export::run(config, args).await,
        Command::Clv(args) => clv::run(config, args).await,
        Command::ShopKey { action } => shop_key::run(config, action).await,
    }
}
