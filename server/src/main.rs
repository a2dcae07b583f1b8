//! Entry point of the `imagross` binary: parses the arguments and hands them to the wiring.

use clap::Parser;

/// mimalloc instead of glibc's allocator: after the projection build leaves a large, fragmented
/// heap, glibc's `malloc` spends most of a `/me` request searching its bins (measured with
/// `imagross bench personal`); mimalloc's per-thread pages keep small allocations cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = imagross::cli::Cli::parse();
    match imagross::wiring::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imagross: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
