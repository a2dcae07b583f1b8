//! `imagross store-key create|list|revoke --store S`: the tills' API keys from the command
//! line. A new key is printed once (on standard output, alone on its line, for scripts); only
//! its hash is stored.

use clap::Subcommand;

use crate::config::Config;
use crate::store;
use crate::till_api::keys;

/// `store-key` subcommands.
#[derive(Subcommand, Debug)]
pub enum ShopKeyAction {
    /// Create a key for a store and print it (shown this once).
    Create {
        #[arg(long)]
        store: String,
        /// A note to tell keys apart (e.g. the till).
        #[arg(long)]
        label: Option<String>,
    },
    /// List keys (of one store with `--store`), newest first.
    List {
        #[arg(long)]
        store: Option<String>,
    },
    /// Revoke a key by its id or prefix; it stops working at once.
    Revoke {
        /// The key's id or prefix as listed.
        key: String,
        #[arg(long)]
        store: Option<String>,
    },
}

/// Runs a `store-key` subcommand.
pub async fn run(config: &Config, action: ShopKeyAction) -> anyhow::Result<()> {
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    match action {
        ShopKeyAction::Create { store: shop, label } => {
            let (record, key) = keys::create(store.as_ref(), &shop, label.as_deref(), "cli").await?;
            eprintln!(
                "created key {} for store {} (prefix {}); it is shown only now:",
                record.id, record.shop_id, record.prefix
            );
            println!("{key}");
        }
        ShopKeyAction::List { store: shop } => {
            for k in keys::list(store.as_ref(), shop.as_deref()).await? {
                let state =
                    k.revoked_at.as_deref().map(|at| format!("revoked {at}")).unwrap_or_else(|| "active".into());
                println!(
                    "{}  {:<10} {}  {}  {}  {}",
                    k.id,
                    k.shop_id,
                    k.prefix,
                    k.created_at,
                    state,
                    k.label.as_deref().unwrap_or("")
                );
            }
        }
        ShopKeyAction::Revoke { key, store: shop } => {
            let k = keys::revoke(store.as_ref(), &key, shop.as_deref()).await?;
            println!("revoked {} ({}, store {}) at {}", k.id, k.prefix, k.shop_id, k.revoked_at.unwrap_or_default());
        }
    }
    Ok(())
}
