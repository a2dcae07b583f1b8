//! `imagross admin …`: staff accounts from the command line. The only way to create the first
//! super admin; the password is read from standard input (or a prompt on a terminal), never
//! from an argument.

use std::io::{BufRead, IsTerminal, Write};

use app::model::account::Role;
use clap::{Subcommand, ValueEnum};

use crate::accounts::admins::create_staff_account;
use crate::config::Config;
use crate::store::model::{AccountStatus, UserAccount};
use crate::store::{self, StoreExt};

/// `admin` subcommands.
#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Create an admin or super admin; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value_t = StaffRole::Admin)]
        role: StaffRole,
        #[arg(long, default_value = "Admin")]
        first_name: String,
        #[arg(long, default_value = "ImaGross")]
        last_name: String,
    },
    /// List staff accounts.
    List,
}

/// Roles the CLI may grant.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StaffRole {
    #[value(name = "admin")]
    Admin,
    #[value(name = "super_admin")]
    SuperAdmin,
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (at least 10 characters): ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs an `admin` subcommand.
pub async fn run(config: &Config, action: AdminAction) -> anyhow::Result<()> {
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    match action {
        AdminAction::Create { email, role, first_name, last_name } => {
            let password = read_password()?;
            let role = match role {
                StaffRole::Admin => Role::Admin,
                StaffRole::SuperAdmin => Role::SuperAdmin,
            };
            let account = create_staff_account(store.as_ref(), &email, &first_name, &last_name, &password, role)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {:?} {} ({})", role, account.email.unwrap_or_default(), account.id);
        }
        AdminAction::List => {
            let mut after: Option<String> = None;
            loop {
                let page: Vec<UserAccount> = store.scan_page(after.as_deref(), 1000).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                for a in page.iter().filter(|a| a.role != Role::Shopper) {
                    let status = if a.status == AccountStatus::Active { "active" } else { "disabled" };
                    println!("{:<12} {:<9} {}", format!("{:?}", a.role), status, a.email.as_deref().unwrap_or("-"));
                }
            }
        }
    }
    Ok(())
}
