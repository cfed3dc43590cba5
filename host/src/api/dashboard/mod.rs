//! The live dashboard: `GET /` (the page, plain files embedded in the binary), `GET /ws` (its
//! WebSocket) and `GET /api/...` (the JSON the page reads: [`read`]).
//!
//! [`Hub`] is the event stream's one dashboard subscriber; each WebSocket client gets the
//! hub's snapshot and then its messages ([`messages`]), filtered as it asked
//! ([`ClientFilter`]).

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::ApiState;

mod filter;
mod hub;
mod load;
pub mod messages;
pub mod read;
mod socket;

pub use filter::{ClientFilter, FilterQuery};
pub use hub::Hub;

/// The page's files: name, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("page/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("page/app.js"),
    ),
    ("style.css", "text/css; charset=utf-8", include_bytes!("page/style.css")),
    (
        "lightweight-charts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("page/vendor/lightweight-charts.standalone.production.js"),
    ),
    (
        "LICENSE-lightweight-charts",
        "text/plain; charset=utf-8",
        include_bytes!("page/vendor/LICENSE-lightweight-charts"),
    ),
];

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .route(
            "/assets/{name}",
            get(|Path(name): Path<String>| async move { asset(&name) }),
        )
        .route("/ws", get(ws))
        .merge(read::routes())
}

fn asset(name: &str) -> Response {
    match ASSETS.iter().find(|(file, ..)| *file == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no such file: {name}")).into_response(),
    }
}

async fn ws(State(state): State<ApiState>, Query(query): Query<FilterQuery>, upgrade: WebSocketUpgrade) -> Response {
    let filter = match ClientFilter::parse(&query) {
        Ok(filter) => filter,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let hub: Arc<Hub> = state.dashboard.clone();
    let metrics = state.metrics.clone();
    upgrade.on_upgrade(move |socket| socket::serve(hub, metrics, filter, socket))
}
