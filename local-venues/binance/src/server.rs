//! The handle: [`LocalBinance`] starts the server on a thread with its own tokio runtime, and
//! [`Control`] (cloneable, `Send + Sync`) drives and observes it from synchronous code.
//!
//! Dropping the `LocalBinance` (or [`LocalBinance::shutdown`]) drops every socket and stops
//! the server.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_decimal::Decimal;

use crate::account::{AccountTrade, Balance, Order};
use crate::auth::ApiKey;
use crate::config::LocalBinanceConfig;
use crate::error::Error;
use crate::exchange::Shared;
use crate::faults::Fault;
use crate::market::Level;

/// How long shutdown waits for the server to wind down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running local Binance. Derefs to its [`Control`].
#[derive(Debug)]
pub struct LocalBinance {
    control: Control,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Drives and observes a local Binance. Cheap to clone; every method is synchronous.
#[derive(Debug, Clone)]
pub struct Control {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

fn router(shared: Arc<Shared>) -> Router {
    async fn combined(
        ws: WebSocketUpgrade,
        State(s): State<Arc<Shared>>,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        let streams: BTreeSet<String> = q
            .get("streams")
            .map(|list| list.split('/').filter(|n| !n.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        if let Some(bad) = streams.iter().find(|n| !s.lock().is_stream(n)) {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(crate::wire::error(-1121, &format!("Invalid stream {bad}"))),
            )
                .into_response();
        }
        ws.on_upgrade(move |socket| crate::streams::run(socket, s, true, streams))
    }
    async fn raw(ws: WebSocketUpgrade, State(s): State<Arc<Shared>>) -> Response {
        ws.on_upgrade(move |socket| crate::streams::run(socket, s, false, BTreeSet::new()))
    }
    async fn raw_one(ws: WebSocketUpgrade, State(s): State<Arc<Shared>>, Path(stream): Path<String>) -> Response {
        let streams: BTreeSet<String> = std::iter::once(stream).filter(|n| s.lock().is_stream(n)).collect();
        ws.on_upgrade(move |socket| crate::streams::run(socket, s, false, streams))
    }
    async fn ws_api(ws: WebSocketUpgrade, State(s): State<Arc<Shared>>) -> Response {
        if s.lock().refuse_api {
            return (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(crate::wire::error(
                    -1001,
                    "Internal error; unable to process your request. Please try again.",
                )),
            )
                .into_response();
        }
        ws.on_upgrade(move |socket| crate::ws_api::run(socket, s))
    }
    async fn not_found() -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(crate::wire::error(-1000, "Unknown endpoint.")),
        )
    }
    Router::new()
        .route("/api/v3/time", get(crate::rest::time))
        .route("/api/v3/exchangeInfo", get(crate::rest::exchange_info))
        .route("/api/v3/depth", get(crate::rest::depth))
        .route("/api/v3/order", get(crate::rest::order))
        .route("/api/v3/openOrders", get(crate::rest::open_orders))
        .route("/api/v3/account", get(crate::rest::account))
        .route("/api/v3/myTrades", get(crate::rest::my_trades))
        .route("/ws-api/v3", get(ws_api))
        .route("/stream", get(combined))
        .route("/ws", get(raw))
        .route("/ws/{stream}", get(raw_one))
        .fallback(not_found)
        .with_state(shared)
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl LocalBinance {
    /// Binds the listener and starts the server; returns once it accepts connections. The
    /// exchange clock starts at the wall clock's time and moves only by
    /// [`Control::advance_to`].
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid configuration, [`Error::Bind`] when the address is
    /// taken, [`Error::Runtime`] when the runtime cannot start.
    pub fn start(config: LocalBinanceConfig) -> Result<Self, Error> {
        config.validate()?;
        let listener = std::net::TcpListener::bind(config.listen).map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        listener.set_nonblocking(true).map_err(Error::Runtime)?;
        let addr = listener.local_addr().map_err(Error::Runtime)?;
        let shared = Shared::new(&config, wall_ms());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("local-binance")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        let thread = std::thread::Builder::new()
            .name("local-binance-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => return tracing::error!("local-binance: listener: {e}"),
                    };
                    // Frames are small and latency-bound: without TCP_NODELAY one can wait for
                    // the peer's delayed ACK.
                    let listener = axum::serve::ListenerExt::tap_io(listener, |socket: &mut tokio::net::TcpStream| {
                        if let Err(e) = socket.set_nodelay(true) {
                            tracing::debug!("local-binance: TCP_NODELAY not set: {e}");
                        }
                    });
                    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    });
                    if let Err(e) = serve.await {
                        tracing::error!("local-binance: serve: {e}");
                    }
                });
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .map_err(Error::Runtime)?;
        Ok(LocalBinance {
            control: Control { shared, addr },
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// A cloneable handle to the same exchange.
    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Drops every socket and stops the server, waiting for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        {
            let mut ex = self.control.shared.lock();
            ex.drop_connections();
            ex.drop_api_connections();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LocalBinance {
    fn drop(&mut self) {
        self.stop_now();
    }
}

impl std::ops::Deref for LocalBinance {
    type Target = Control;
    fn deref(&self) -> &Control {
        &self.control
    }
}

impl Control {
    /// The listener's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (REST paths are `/api/v3/…` under it): the host's `rest_url`.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT` (streams at `/stream?streams=…` and `/ws`): the host's
    /// `ws_stream_url`.
    pub fn ws_stream_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT/ws-api/v3`: the WebSocket API, the host's `ws_api_url`.
    pub fn ws_api_url(&self) -> String {
        format!("ws://{}/ws-api/v3", self.addr)
    }

    /// The first configured key of each type: (HMAC, Ed25519).
    fn key(&self, ed25519: bool) -> Option<ApiKey> {
        self.shared
            .lock()
            .config
            .api_keys
            .iter()
            .find(|k| k.is_ed25519() == ed25519)
            .cloned()
    }

    /// The first HMAC key: (API key, secret).
    pub fn hmac_key(&self) -> Option<(String, String)> {
        self.key(false).and_then(|k| match k.key {
            crate::auth::KeySpec::Hmac { secret } => Some((k.api_key, secret)),
            crate::auth::KeySpec::Ed25519 { .. } => None,
        })
    }

    /// The first Ed25519 key: (API key, its private key as a PKCS#8 PEM file's text).
    pub fn ed25519_key(&self) -> Option<(String, String)> {
        self.key(true)
            .and_then(|k| Some((k.api_key.clone(), k.private_key_pem()?)))
    }

    /// Arms a WebSocket API fault; faults are consumed in the order armed.
    pub fn arm_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Faults armed and still to be consumed.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// `order.place` and `order.cancelReplace` requests received, whatever became of them.
    pub fn order_places(&self) -> u64 {
        self.shared.lock().order_places
    }

    /// [`Control::order_places`], and when the latest was read off its socket (as soon as its
    /// frame was parsed, before it was executed): what a tick-to-order benchmark times.
    pub fn order_places_received(&self) -> (u64, Option<std::time::Instant>) {
        let ex = self.shared.lock();
        (ex.order_places, ex.last_order_place_at)
    }

    /// Fault: while `refuse` holds, the WebSocket API refuses new connections (HTTP 503);
    /// open ones stay.
    pub fn refuse_api_connections(&self, refuse: bool) {
        self.shared.lock().refuse_api = refuse;
    }

    /// Signed REST requests (`order`, `openOrders`, `myTrades`) received.
    pub fn signed_rest_requests(&self) -> u64 {
        self.shared.lock().signed_rest
    }

    /// `session.logon`s that authenticated a session.
    pub fn session_logons(&self) -> u64 {
        self.shared.lock().logons
    }

    /// WebSocket API connections opened since the exchange started.
    pub fn api_connections_opened(&self) -> u64 {
        self.shared.lock().api_opened
    }

    /// Open WebSocket API connections.
    pub fn api_connections(&self) -> usize {
        self.shared.lock().api_conns.len()
    }

    /// WebSocket API connections with a user data subscription.
    pub fn user_data_subscribers(&self) -> usize {
        self.shared
            .lock()
            .api_conns
            .values()
            .filter(|c| c.subscription.is_some())
            .count()
    }

    /// Fault: closes every WebSocket API connection abruptly.
    pub fn drop_api_connections(&self) {
        self.shared.lock().drop_api_connections();
    }

    /// Sends `serverShutdown` to every WebSocket API connection.
    pub fn api_server_shutdown(&self) {
        self.shared.lock().api_server_shutdown();
    }

    /// Ends every user data subscription with `eventStreamTerminated`.
    pub fn terminate_user_streams(&self) {
        self.shared.lock().terminate_user_streams();
    }

    /// The account's balances.
    pub fn balances(&self) -> std::collections::BTreeMap<String, Balance> {
        self.shared.lock().account.balances.clone()
    }

    /// Every order the account placed, oldest first.
    pub fn orders(&self) -> Vec<Order> {
        self.shared.lock().account.orders.values().cloned().collect()
    }

    /// The newest order with client order id `client_id`.
    pub fn order(&self, client_id: &str) -> Option<Order> {
        self.shared
            .lock()
            .account
            .orders
            .values()
            .rev()
            .find(|o| o.client_order_id == client_id)
            .cloned()
    }

    /// Every trade of the account, oldest first.
    pub fn account_trades(&self) -> Vec<AccountTrade> {
        self.shared.lock().account.trades.clone()
    }

    /// A deposit of `amount` (a withdrawal if negative): `balanceUpdate` and
    /// `outboundAccountPosition` to the subscribed sessions.
    pub fn deposit(&self, asset: &str, amount: Decimal) {
        self.shared.lock().deposit(asset, amount);
    }

    /// Exchange time, ms.
    pub fn now_ms(&self) -> i64 {
        self.shared.lock().clock_ms()
    }

    /// Moves exchange time forward; a minute that ends sends its closed kline.
    ///
    /// # Errors
    /// [`Error::ClockBackwards`] for an earlier time.
    pub fn advance_to(&self, time_ms: i64) -> Result<(), Error> {
        self.shared.lock().advance_to(time_ms)
    }

    /// A public trade at exchange time (`trade` and `kline_1m` streams). Resting orders of the
    /// account it crosses (buys at or above `price` when the buyer made the market, sells at or
    /// below it otherwise) fill first at their own price, each a trade of its own; what is left
    /// prints at `price`.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`], [`Error::NotPositive`].
    pub fn trade(&self, symbol: &str, price: Decimal, qty: Decimal, buyer_is_maker: bool) -> Result<(), Error> {
        self.shared.lock().trade(symbol, price, qty, buyer_is_maker)
    }

    /// Sets levels of `symbol`'s book (qty 0 removes one): one `depthUpdate`, and a
    /// `bookTicker` if the top moved.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`], [`Error::NotPositive`] for a price not above zero or a
    /// negative quantity.
    pub fn set_levels(&self, symbol: &str, bids: &[Level], asks: &[Level]) -> Result<(), Error> {
        self.shared.lock().set_levels(symbol, bids, asks)
    }

    /// The top `limit` levels a side of `symbol`'s book and their update id, as REST `depth`
    /// would answer.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn book(&self, symbol: &str, limit: usize) -> Result<(u64, Vec<Level>, Vec<Level>), Error> {
        Ok(self.shared.lock().market(symbol)?.snapshot(limit))
    }

    /// Fault: the next depth change of `symbol` skips `n` update ids, as if its diffs were
    /// lost (a sequence gap).
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn skip_depth_updates(&self, symbol: &str, n: u64) -> Result<(), Error> {
        self.shared.lock().skip_depth_updates(symbol, n)
    }

    /// Sets `symbol`'s status (`TRADING`, `CANCEL_ONLY`, `HALT`, ...), as Binance moves a symbol
    /// at runtime: `exchangeInfo` says it from now on, and a new order on a symbol not
    /// `TRADING` is refused (`-2010` "Market is closed.").
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn set_symbol_status(&self, symbol: &str, status: &str) -> Result<(), Error> {
        self.shared.lock().market(symbol)?.spec.status = status.to_owned();
        Ok(())
    }

    /// Fault: closes every stream connection abruptly.
    pub fn drop_connections(&self) {
        self.shared.lock().drop_connections();
    }

    /// Sends `serverShutdown` to every stream connection.
    pub fn server_shutdown(&self) {
        self.shared.lock().server_shutdown();
    }

    /// Open stream connections.
    pub fn connections(&self) -> usize {
        self.shared.lock().conns.len()
    }

    /// Connections subscribed to `stream`.
    pub fn subscribers(&self, stream: &str) -> usize {
        self.shared
            .lock()
            .conns
            .values()
            .filter(|c| c.streams.contains(stream))
            .count()
    }

    /// `SUBSCRIBE` requests received, over all connections.
    pub fn subscribe_requests(&self) -> u64 {
        self.shared.lock().subscribe_requests
    }
}
