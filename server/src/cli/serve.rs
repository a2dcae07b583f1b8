//! `imagross serve`: open the store, start listening at once, warm caches in the background,
//! shut down gracefully on SIGTERM or Ctrl-C. Startup never imports, deletes or rewrites data.

use leptos::prelude::*;

use crate::auth::Security;
use crate::config::{Config, Settings};
use crate::http::{router, ServerState};
use crate::store;
use crate::warmup::Caches;

/// Runs the web server until a shutdown signal.
pub async fn run(config: Config, settings: Settings) -> anyhow::Result<()> {
    let security = Security { secret: config.jwt_secret(settings.jwt_secret.as_deref())?, cookie_secure: config.cookie_secure };
    let mut leptos_options = get_configuration(None)?.leptos_options;
    if leptos_options.output_name.is_empty() {
        // Built by plain `cargo` rather than cargo-leptos: use the site's name.
        leptos_options.output_name = "imagross".into();
    }
    if let Some(bind) = config.bind {
        leptos_options.site_addr = bind;
    }
    let addr = leptos_options.site_addr;

    let store = store::open(&config.database).await?;
    tracing::info!(store = %store.kind(), location = %config.database.describe(), "store open");
    let caches = Caches::with_tuning(config.tuning);
    caches.spawn_warmup(store.clone());

    let mut state = ServerState::new(leptos_options, store, caches, &security).map_err(anyhow::Error::msg)?;
    state.upload_dir = config.data_dir.join("uploads");
    state.upload_limit = config.upload_limit_mb.saturating_mul(1 << 20);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    println!("ImaGross Loyalty is running at http://{local}");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
