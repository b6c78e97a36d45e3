//! Jingzhun's web server: a thin layer over `jingzhun-service`. Handlers parse requests, ask
//! the service or the store, and shape responses; no rule lives here.
//!
//! * [`error`]: the one error type, mapped to an HTTP status and a bilingual JSON body.
//! * [`auth`]: sessions, CSRF, and the signed-in account as an extractor.
//! * [`api`]: the JSON API under `/api/v1`; [`search`] its household search parameters and
//!   [`transfer`] import and export over HTTP; [`leads`] sources, check runs and leads.
//! * [`pages`]: the server-rendered pages; [`i18n`] their languages; [`assets`] the static files.
//! * [`complaints`], [`inspections`], [`rectification`], [`accountability`]: supervision, each
//!   with its API routes, pages and part of the OpenAPI document; [`limit`] the public forms'
//!   allowance per address.

pub mod accountability;
pub mod api;
pub mod assets;
pub mod auth;
pub mod client;
pub mod complaints;
pub mod error;
pub mod exit;
pub mod figures;
pub mod i18n;
pub mod inspections;
pub mod leads;
pub mod limit;
pub mod pages;
pub mod plans;
pub mod procedures;
pub mod rectification;
pub mod search;
pub mod throttle;
pub mod transfer;
pub mod updates;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jingzhun_store::Store;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Mark session cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    pub dashboards: Arc<pages::area::DashboardCache>,
    pub imports: Arc<transfer::ImportJobs>,
    pub checks: Arc<leads::CheckJobs>,
    /// What one address may send to the public forms.
    pub public_forms: Arc<limit::RateLimit>,
    /// The sealing key (complainants' identities, draw seeds).
    pub sealer: Arc<jingzhun_service::seal::Sealer>,
    /// Whose names published accountability cases show (`serve --publish-names`).
    pub publication: jingzhun_domain::accountability::PublicationPolicy,
    /// Failed sign-ins per login and address (the back-off).
    pub logins: Arc<throttle::LoginThrottle>,
    /// The reverse proxy whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        secure_cookies: bool,
        sealer: Arc<jingzhun_service::seal::Sealer>,
    ) -> Self {
        AppState {
            store,
            secure_cookies,
            dashboards: Default::default(),
            imports: Default::default(),
            checks: Default::default(),
            public_forms: Default::default(),
            sealer,
            publication: jingzhun_service::accountability::DEFAULT_POLICY,
            logins: Default::default(),
            trusted_proxy: None,
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .nest("/api/v1", api::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(error::with_request_language))
        // Logs method, path and status only: paths carry codes and numbers, never personal data.
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `ok` when the database answers; 503 (with `Retry-After`) when it does not.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, error::WebError> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health: the database does not answer");
        error::WebError::Busy
    })?;
    Ok("ok")
}

/// Serves until Ctrl-C (or SIGTERM), finishing requests in flight.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
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
        () = ctrl_c => {},
        () = terminate => {},
    }
}
