//! Entry point of the `imagross` binary.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = imagross::cli::Cli::parse();
    match imagross::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imagross: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
