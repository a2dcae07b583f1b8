//! The `imagross` command line: `serve` (default), `db check`, and the commands later features
//! fill in (`import`, `demo-data`, `export`, `admin`, `bench`).

mod admin;
mod bench;
mod bench_analytics;
mod bench_api;
mod bench_personal;
mod clv;
mod db;
mod export;
pub mod demo;
mod import;
mod serve;
mod store_key;

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
    StoreKey {
        #[command(subcommand)]
        action: store_key::StoreKeyAction,
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

/// Runs the parsed command; the error is printed by `main`.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_settings(&cli.settings)?;
    crate::telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config, cli.settings).await,
        Command::Db { action: DbAction::Check { json } } => db::check(&config, json).await,
        Command::Admin { action } => admin::run(&config, action).await,
        Command::Import(args) => import::run(&config, args).await,
        Command::DemoData(args) => demo::run(args).await,
        Command::Bench { action } => bench::run(action).await,
        Command::Export(args) => export::run(&config, args).await,
        Command::Clv(args) => clv::run(&config, args).await,
        Command::StoreKey { action } => store_key::run(&config, action).await,
    }
}
