//! Static files, compiled into the binary (no CDN: users' machines may have no internet).
//! Their paths carry a version, so browsers may keep them for a year.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub const ECHARTS_VERSION: &str = "5.6.0";
pub const ECHARTS_PATH: &str = "/static/echarts-5.6.0.min.js";
pub const CSS_PATH: &str = concat!("/static/app-", env!("CARGO_PKG_VERSION"), ".css");
pub const JS_PATH: &str = concat!("/static/app-", env!("CARGO_PKG_VERSION"), ".js");

const ECHARTS: &[u8] = include_bytes!("../assets/vendor/echarts.min.js");
const CSS: &[u8] = include_bytes!("../assets/app.css");
const JS: &[u8] = include_bytes!("../assets/app.js");

fn serve(body: &'static [u8], mime: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            ECHARTS_PATH,
            get(|| async { serve(ECHARTS, "text/javascript; charset=utf-8") }),
        )
        .route(
            CSS_PATH,
            get(|| async { serve(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            JS_PATH,
            get(|| async { serve(JS, "text/javascript; charset=utf-8") }),
        )
        .layer(tower_http::compression::CompressionLayer::new())
}
