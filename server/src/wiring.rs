//! The composition root: builds the whole server state from the configuration, once, and runs
//! the server. Nothing is mutated after [`state`] returns; every service is constructed here
//! and only here (tests and benchmarks call [`state`] too). Also the binary's entry point:
//! `serve` is run here, every other command by [`crate::cli`].

use std::sync::Arc;

use app::ports::AppState;
use leptos::prelude::*;

use crate::accounts::{admins::AdminService, AccountService, CatalogService};
use crate::analytics::service::AnalyticsService;
use crate::analytics::{Models, Projection};
use crate::auth::{AuthService, Security};
use crate::cards::CardService;
use crate::cli::{Cli, Command};
use crate::config::{Config, Tuning};
use crate::http::{router, ServerState, Uploads};
use crate::import::jobs::ImportService;
use crate::personal::service::PersonalService;
use crate::points::PointsService;
use crate::store::{self, DatabaseUrl, Store};
use crate::till_api::admin_keys::ShopKeyService;

/// Every service over `store`, built once, and the projection (cold: call
/// [`crate::projection::Projection::spawn_warmup`] or `refresh` to build it).
pub fn state(
    leptos_options: LeptosOptions,
    store: Arc<dyn Store>,
    security: &Security,
    tuning: Tuning,
    uploads: Uploads,
    marks: crate::watchdog::Marks,
) -> Result<ServerState, String> {
    let watchdog = Arc::new(crate::watchdog::Watchdog::new(store.clone(), marks.database, marks.data_dir));
    let leases = Arc::new(crate::lease::Leases::new(store.clone(), crate::lease::Leases::replica_name()));
    let points = Arc::new(PointsService::new(store.clone(), tuning.clone()).leased(leases.clone()));
    let imported_offers = Arc::new(crate::campaigns::service::ImportedOffers::default());
    let projection = Projection::new(
        Models { monthly_discount: tuning.clv_monthly_discount },
        vec![points.clone(), imported_offers.clone()],
    );
    let auth = Arc::new(AuthService::new(store.clone(), security)?);
    let imports = Arc::new(ImportService::new(store.clone(), projection.clone()));
    let cards = Arc::new(CardService::with_thresholds(store.clone(), tuning.levels));
    let outbox = Arc::new(crate::campaigns::mail::Outbox::new(store.clone(), tuning.mail.as_ref())?);
    let campaigns = Arc::new(
        crate::campaigns::CampaignService::new(store.clone(), projection.clone(), outbox).with_levels(tuning.levels),
    );
    imported_offers.attach(&campaigns);
    let app = AppState {
        readiness: projection.clone(),
        store_health: watchdog.clone(),
        accounts: Arc::new(AccountService::new(store.clone(), security.protection.signups_per_hour)),
        catalog: Arc::new(CatalogService::new(store.clone())),
        sessions: auth.clone(),
        cards: cards.clone(),
        admins: Arc::new(AdminService::new(store.clone())),
        imports: imports.clone(),
        analytics: Arc::new(AnalyticsService::new(projection.clone(), store.clone(), tuning.levels, points.clone())),
        personal: Arc::new(PersonalService::new(
            projection.clone(),
            cards,
            tuning.levels,
            store.clone(),
            points.clone(),
        )),
        points: points.clone(),
        shop_keys: Arc::new(ShopKeyService::new(store.clone())),
        rewards: Arc::new(
            crate::rewards::RewardsService::new(store.clone(), tuning.levels, tuning.voucher_days)
                .notifying(points.clone()),
        ),
        campaigns: campaigns.clone(),
    };
    let till = crate::till_api::service::ReceiptsApi {
        store: store.clone(),
        projection: projection.clone(),
        points: points.clone(),
        campaigns: campaigns.clone(),
        max_receipt_cents: security.protection.till_max_receipt_cents,
        per_minute: security.protection.till_receipts_per_minute,
        limiter: Arc::new(crate::limiter::FailureLimiter::with_window(10_000, std::time::Duration::from_secs(60))),
    };
    Ok(ServerState {
        leptos_options,
        leases,
        watchdog,
        store,
        projection,
        auth,
        imports,
        points,
        upload_dir: uploads.dir,
        upload_limit: uploads.limit,
        till,
        protection: Arc::new(security.protection.clone()),
        app,
    })
}

/// The binary: checks the configuration, then serves or runs the command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_settings(&cli.settings)?;
    // Fail fast on a bad DATABASE_URL, before any command starts.
    DatabaseUrl::of(&config)?;
    crate::telemetry::init(config.log_format);
    if let Some(list) = &config.no_points {
        crate::points::rules::configure(list);
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, cli.settings).await,
        command => crate::cli::run(&config, command, state).await,
    }
}

/// Runs the web server until a shutdown signal.
pub async fn serve(config: Config, settings: crate::config::Settings) -> anyhow::Result<()> {
    let jwt_given = settings.jwt_secret.as_deref().is_some_and(|s| !s.is_empty());
    for setting in config.insecure_settings(jwt_given) {
        tracing::warn!("INSECURE SETTING: {setting} (set IMAGROSS_ENV=development to accept development defaults)");
    }
    let security = Security {
        secret: config.jwt_secret(settings.jwt_secret.as_deref())?,
        cookie_secure: config.cookie_secure,
        protection: config.protection.clone(),
    };
    crate::accounts::password::configure(
        security.protection.hash_slots,
        std::time::Duration::from_secs(security.protection.hash_wait_secs),
    );
    let mut leptos_options = get_configuration(None)?.leptos_options;
    if leptos_options.output_name.is_empty() {
        // Built by plain `cargo` rather than cargo-leptos: use the site's name.
        leptos_options.output_name = "imagross".into();
    }
    if let Some(bind) = config.bind {
        leptos_options.site_addr = bind;
    }
    let addr = leptos_options.site_addr;

    let url = DatabaseUrl::of(&config)?;
    let _one_server = match &url {
        DatabaseUrl::Sqlite(path) => Some(one_server_lock(path)?),
        DatabaseUrl::Mongo(_) => None,
    };
    if let Some(addr) = config.metrics_bind {
        match crate::http::metrics::install() {
            Some(handle) => {
                tokio::spawn(async move {
                    if let Err(e) = crate::http::metrics::serve(addr, handle).await {
                        tracing::error!(error = %e, %addr, "metrics listener not started (IMAGROSS_METRICS_BIND)");
                    }
                });
            }
            None => tracing::warn!("metrics recorder already installed"),
        }
    }
    // The store is opened before listening; a MongoDB that does not answer is not fatal: the
    // server listens anyway (liveness 200, readiness 503 with the reason) and keeps trying, and
    // starts serving when it answers, without a restart. Anything else wrong is fatal here.
    let front = Front::default();
    let build = {
        let (front, url, config, security) = (front.clone(), url.clone(), config.clone(), security.clone());
        move |store: Arc<dyn Store>| async move {
            tracing::info!(store = %store.kind(), location = %url.describe(), "store open");
            if let DatabaseUrl::Mongo(_) = &url {
                join_with_secret(store.clone(), &security.secret).await?;
            }
            let uploads =
                Uploads { dir: config.data_dir.join("uploads"), limit: config.upload_limit_mb.saturating_mul(1 << 20) };
            let marks = crate::watchdog::Marks { database: url.describe(), data_dir: Some(config.data_dir.clone()) };
            let state = state(leptos_options, store.clone(), &security, config.tuning.clone(), uploads, marks)
                .map_err(anyhow::Error::msg)?;
            state.watchdog.spawn();
            state.projection.spawn_warmup(store.clone());
            spawn_housekeeping(store.clone(), config.protection.import_error_retention_days, state.clone());
            spawn_import_sweeper(store);
            spawn_points_book(state.points.clone());
            spawn_points_lease(state.clone());
            state.till.campaigns.outbox.clone().spawn();
            front.serve(state);
            anyhow::Ok(())
        }
    };
    match store::open(&url).await {
        Ok(store) => build(store).await?,
        Err(e @ crate::store::StoreError::Backend(_)) if matches!(url, DatabaseUrl::Mongo(_)) => {
            front.wait(e.to_string());
            let waiting = front.clone();
            tokio::spawn(async move {
                let store = open_when_reachable(&url, &waiting, e).await;
                if let Err(e) = build(store).await {
                    // Fatal, as it would have been at start (another JWT_SECRET, a newer schema).
                    tracing::error!(error = %e, "cannot serve");
                    eprintln!("imagross: {e}");
                    std::process::exit(1);
                }
            });
        }
        Err(e) => return Err(e.into()),
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    // One write, errors ignored: whoever started us may read the first line and close the pipe.
    let _ = std::io::Write::write_all(
        &mut std::io::stdout(),
        format!(
            "ImaGross Loyalty is running at http://{local}\n  shoppers:  http://{local}/me   (sign up at \
             http://{local}/signup)\n  dashboard: http://{local}/admin\n"
        )
        .as_bytes(),
    );
    // Opened at start (the usual case): the application's router itself, no switch in front of
    // every request.
    let app = front.app.get().cloned().unwrap_or_else(|| front.router());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    if let Some(state) = front.state.get() {
        state.leases.release_all().await;
    }
    tracing::info!("shut down");
    Ok(())
}

/// What the listener serves: the application once its state is built, before that only the
/// probes (liveness 200; readiness 503 with the reason the store is not open yet) and 503 for
/// everything else.
#[derive(Clone, Default)]
struct Front {
    state: Arc<std::sync::OnceLock<ServerState>>,
    app: Arc<std::sync::OnceLock<axum::Router>>,
    waiting: Arc<std::sync::RwLock<String>>,
}

impl Front {
    fn serve(&self, state: ServerState) {
        let _ = self.app.set(router(state.clone()));
        let _ = self.state.set(state);
    }

    fn wait(&self, reason: String) {
        if let Ok(mut w) = self.waiting.write() {
            *w = reason;
        }
    }

    fn router(&self) -> axum::Router {
        let front = self.clone();
        axum::Router::new().fallback(move |req: axum::extract::Request| {
            let front = front.clone();
            async move {
                use axum::response::IntoResponse;
                use tower::ServiceExt;
                if let Some(app) = front.app.get() {
                    return app.clone().oneshot(req).await.into_response();
                }
                let reason = front.waiting.read().map(|w| w.clone()).unwrap_or_default();
                match req.uri().path() {
                    "/healthz" => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
                    "/readyz" => (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        axum::Json(serde_json::json!({
                            "status": "starting",
                            "store": { "reachable": false, "error": reason },
                            "caches": { "warm": false },
                        })),
                    )
                        .into_response(),
                    _ => (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        [(axum::http::header::RETRY_AFTER, "5")],
                        "ImaGross Loyalty is starting: the database does not answer yet.",
                    )
                        .into_response(),
                }
            }
        })
    }
}

/// Opens the store, retrying every 5 seconds until it answers (the reason kept for readiness,
/// logged as an error at first and every minute).
async fn open_when_reachable(url: &DatabaseUrl, front: &Front, first: crate::store::StoreError) -> Arc<dyn Store> {
    tracing::error!(error = %first, "store unreachable at start: readiness 503 until it answers; retrying every 5 s");
    let mut attempts = 0u32;
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        attempts += 1;
        match store::open(url).await {
            Ok(store) => {
                tracing::info!(attempts, "store reachable: starting");
                return store;
            }
            Err(e) => {
                if attempts.is_multiple_of(12) {
                    tracing::error!(error = %e, "store still unreachable; retrying every 5 s");
                }
                front.wait(e.to_string());
            }
        }
    }
}

/// Replicas on one MongoDB must sign sessions with one secret (else a session issued by one is
/// refused by the next): every replica renews a lease held in the secret's fingerprint's name,
/// and a replica with another secret cannot take it while any runs, so it refuses to start.
/// Changing the secret: stop every replica, wait [`crate::lease::SECRET_TTL`], start them with
/// the new one.
async fn join_with_secret(store: Arc<dyn Store>, secret: &crate::config::JwtSecret) -> anyhow::Result<()> {
    use crate::lease::{secret_fingerprint, secret_holder, Leases, SECRET, SECRET_TTL};
    let fingerprint = secret_fingerprint(secret.bytes());
    let leases = Arc::new(Leases::new(store, secret_holder(&fingerprint)));
    if leases.hold(SECRET, SECRET_TTL).await?.is_none() {
        let other = leases.current(SECRET).await?.map(|l| l.holder).unwrap_or_default();
        anyhow::bail!(
            "JWT_SECRET differs from the one the running replicas on this database use (fingerprint \
             {fingerprint}, theirs {}): sessions signed by one would be refused by the others. Give every \
             replica the same JWT_SECRET; to change it, stop every replica, wait {} seconds, then start \
             them with the new one",
            other.trim_start_matches("secret "),
            SECRET_TTL.as_secs()
        );
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SECRET_TTL / 4).await;
            match leases.hold(SECRET, SECRET_TTL).await {
                Ok(Some(_)) => {}
                Ok(None) => tracing::error!("another JWT_SECRET took the cluster's secret lease: replicas disagree"),
                Err(e) => tracing::warn!(error = %e, "the secret's lease was not renewed; retrying"),
            }
        }
    });
    Ok(())
}

/// The embedded store has one writer: a second server on the same file refuses to start
/// (an exclusive lock on `<file>.serve.lock`, released when the process ends, however it ends).
/// Commands (imports, exports) may still run beside the server, as before.
fn one_server_lock(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let lock_path = path.with_extension("serve.lock");
    if let Some(dir) = lock_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another imagross server is already serving {} (it holds {}): the embedded SQLite store \
             has a single writer, so it cannot be served by several processes. Stop the other server, \
             or run several replicas on MongoDB (DATABASE_URL=mongodb://…)",
            path.display(),
            lock_path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Every hour (the first run ten minutes after start, so a start never deletes or writes
/// anything itself): on the replica holding the housekeeping lease, deletes expired import
/// error reports, old live-feed entries and past windows' attempt counters; on the one holding the points lease, writes the
/// points expiries due. Every replica then reloads its points book.
fn spawn_housekeeping(store: Arc<dyn Store>, days: u32, state: ServerState) {
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        loop {
            match state.leases.hold(crate::lease::HOUSEKEEPING, HOUR + HOUR / 2).await {
                Ok(Some(_)) => {
                    match crate::import::retention::prune(store.as_ref(), days).await {
                        Ok((_, 0)) => {}
                        Ok((batches, rows)) => tracing::info!(batches, rows, days, "expired import error rows deleted"),
                        Err(e) => tracing::warn!(error = %e, "import error retention failed; retrying in an hour"),
                    }
                    if let Err(e) = crate::store::live::prune(store.as_ref()).await {
                        tracing::warn!(error = %e, "live feed not pruned; retrying in an hour");
                    }
                    if let Err(e) = crate::auth::shared_limits::prune(store.as_ref()).await {
                        tracing::warn!(error = %e, "old attempt counters not deleted; retrying in an hour");
                    }
                }
                Ok(None) => tracing::debug!("housekeeping: another replica holds the lease"),
                Err(e) => tracing::warn!(error = %e, "housekeeping lease not readable; retrying in an hour"),
            }
            if let Err(e) = state.points.expire_due(crate::clock::today(), false).await {
                tracing::warn!(error = %e, "points expiry failed; retrying in an hour");
            }
            let _ = state.points.refresh_book().await;
            tokio::time::sleep(HOUR).await;
        }
    });
}

/// Keeps the points lease on one live replica: every [`crate::points::LEASE_RENEW`] the holder
/// renews it and the others try to take it (free when its holder stopped); a replica that takes
/// it runs the after-build work on its current data at once (the ledger sync and expiry the
/// previous holder may not have done).
fn spawn_points_lease(state: ServerState) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(crate::points::LEASE_RENEW).await;
            if !app::ports::Readiness::is_warm(state.projection.as_ref()) {
                continue;
            }
            if state.points.keep_lease().await {
                tracing::info!("points lease taken over: bringing the ledger in step");
                state.projection.rerun_hooks(state.store.as_ref()).await;
            }
        }
    });
}

/// Marks interrupted the imports whose process stopped (see
/// [`crate::import::pipeline::mark_interrupted`]), every 15 seconds, on every replica (a
/// compare-and-set: no lease needed).
fn spawn_import_sweeper(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(15)).await;
            if let Err(e) = crate::import::pipeline::mark_interrupted(store.as_ref()).await {
                tracing::warn!(error = %e, "interrupted imports not swept; retrying");
            }
        }
    });
}

/// Loads the dashboard's points book whole when asked for (a catalogue edit, a build that
/// changed the ledger) and every [`crate::points::BOOK_MAX_AGE_SECS`] (other replicas'
/// changes): checked every 5 seconds.
fn spawn_points_book(points: Arc<PointsService>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            if let Err(e) = points.refresh_book_if_stale(crate::points::BOOK_MAX_AGE_SECS).await {
                tracing::warn!(error = %e, "points book not loaded; retrying");
            }
        }
    });
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
