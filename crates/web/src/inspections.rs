//! Inspections and verifiable draws over HTTP: the API, the pages, and the public page that re-runs a revealed draw.

use axum::Router;

use crate::AppState;

/// The API routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
}

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
}

/// This part of the OpenAPI document (merged into the API's).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
