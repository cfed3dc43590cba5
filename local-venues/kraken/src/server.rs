//! The handle: [`LocalKraken`] starts the server on a thread with its own tokio runtime, and
//! [`Control`] (cloneable, `Send + Sync`) drives and observes it from synchronous code.
//!
//! Dropping the `LocalKraken` (or [`LocalKraken::shutdown`]) drops every socket and stops the
//! server; a `Control` that outlives it still answers (the state is shared), but nobody can
//! connect any more.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use rust_decimal::Decimal;

use crate::book::{BookSide, Level};
use crate::config::LocalKrakenConfig;
use crate::error::Error;
use crate::exchange::{ConnectionCounts, MessageCounts, Shared, SubscriptionKey};
use crate::faults::{ConnKind, Target};
use crate::market::{Candle, PublicTrade, Side};
use crate::orders::{Fill, Order, OrderType, TimeInForce};
use crate::script::{Bar, BookCapture};

/// How often the wall-clock ticker runs timers (the dead-man switch) and moves a wall clock.
const TICK: Duration = Duration::from_millis(50);
/// How long shutdown waits for the server to wind down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running local Kraken. Derefs to its [`Control`].
#[derive(Debug)]
pub struct LocalKraken {
    control: Control,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Drives and observes a local Kraken. Cheap to clone; every method is synchronous.
#[derive(Debug, Clone)]
pub struct Control {
    shared: Arc<Shared>,
    addr: SocketAddr,
    api_key: String,
    api_secret: String,
}

fn router(shared: Arc<Shared>) -> Router {
    async fn ws_public(ws: WebSocketUpgrade, State(s): State<Arc<Shared>>) -> Response {
        ws.on_upgrade(move |socket| crate::conn::run(socket, s, ConnKind::Public))
    }
    async fn ws_private(ws: WebSocketUpgrade, State(s): State<Arc<Shared>>) -> Response {
        ws.on_upgrade(move |socket| crate::conn::run(socket, s, ConnKind::Private))
    }
    async fn not_found() -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": ["EGeneral:Unknown method"]})),
        )
    }
    Router::new()
        .route("/0/public/Time", get(crate::rest::time))
        .route("/0/public/AssetPairs", get(crate::rest::asset_pairs))
        .route("/0/public/OHLC", get(crate::rest::ohlc))
        .route("/0/public/Depth", get(crate::rest::depth))
        .route("/0/private/{method}", post(crate::rest::private))
        .route("/v2", get(ws_public))
        .route("/auth/v2", get(ws_private))
        .fallback(not_found)
        .with_state(shared)
}

impl LocalKraken {
    /// Binds the listener and starts the server; returns once it accepts connections.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid configuration, [`Error::Bind`] when the address is
    /// taken, [`Error::Runtime`] when the runtime cannot start.
    pub fn start(config: LocalKrakenConfig) -> Result<Self, Error> {
        config.validate()?;
        let api_secret = config.api_secret.clone().unwrap_or_else(crate::auth::generate_secret);
        let listener = std::net::TcpListener::bind(config.listen).map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        listener.set_nonblocking(true).map_err(Error::Runtime)?;
        let addr = listener.local_addr().map_err(Error::Runtime)?;
        let shared = Shared::new(&config, api_secret.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("local-kraken")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        let ticker_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("local-kraken-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => return tracing::error!("local-kraken: listener: {e}"),
                    };
                    let ticker = tokio::spawn(async move {
                        let mut tick = tokio::time::interval(TICK);
                        loop {
                            tick.tick().await;
                            let mut ex = ticker_shared.lock();
                            ex.clock.tick_wall();
                            ex.run_timers();
                        }
                    });
                    let (stopped_tx, stopped_rx) = tokio::sync::watch::channel(false);
                    // Messages are small and latency-bound: with Nagle's algorithm on, a frame can
                    // wait for the client's delayed ACK (about 40 ms) before it leaves.
                    let listener = axum::serve::ListenerExt::tap_io(listener, |socket: &mut tokio::net::TcpStream| {
                        if let Err(e) = socket.set_nodelay(true) {
                            tracing::debug!("local-kraken: TCP_NODELAY not set: {e}");
                        }
                    });
                    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                        let _ = stopped_tx.send(true);
                    });
                    let mut stopped = stopped_rx;
                    tokio::select! {
                        r = serve => if let Err(e) = r { tracing::error!("local-kraken: serve: {e}") },
                        _ = async { let _ = stopped.wait_for(|s| *s).await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {}
                    }
                    ticker.abort();
                });
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .map_err(Error::Runtime)?;
        let control = Control {
            shared,
            addr,
            api_key: config.api_key.clone(),
            api_secret,
        };
        Ok(LocalKraken {
            control,
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
        self.control.shared.lock().drop_connections(Target::Both);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LocalKraken {
    fn drop(&mut self) {
        self.stop_now();
    }
}

impl std::ops::Deref for LocalKraken {
    type Target = Control;
    fn deref(&self) -> &Control {
        &self.control
    }
}

impl Control {
    // ---- where and who -------------------------------------------------------------------

    /// The listener's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT` (REST paths are `/0/public/…` and `/0/private/…` under it).
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// `ws://127.0.0.1:PORT/v2`.
    pub fn ws_public_url(&self) -> String {
        format!("ws://{}/v2", self.addr)
    }
    /// `ws://127.0.0.1:PORT/auth/v2`.
    pub fn ws_private_url(&self) -> String {
        format!("ws://{}/auth/v2", self.addr)
    }
    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }
    /// The API secret (base64).
    pub fn api_secret(&self) -> &str {
        &self.api_secret
    }

    // ---- the exchange clock --------------------------------------------------------------

    /// Exchange time, ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.shared.lock().clock.now_ms()
    }

    /// Moves exchange time forward (firing the dead-man switch when due).
    ///
    /// # Errors
    /// [`Error::ClockBackwards`] for an earlier time.
    pub fn advance_to(&self, time_ms: i64) -> Result<(), Error> {
        self.shared.lock().advance_to(time_ms)
    }

    /// [`Control::advance_to`] `now + ms`.
    ///
    /// # Errors
    /// As `advance_to`.
    pub fn advance_by(&self, ms: i64) -> Result<(), Error> {
        let mut ex = self.shared.lock();
        let to = ex.clock.now_ms() + ms;
        ex.advance_to(to)
    }

    // ---- scripted market data ------------------------------------------------------------

    /// A public trade at the current exchange time; fills resting orders it reaches.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`], or [`Error::OffIncrement`] for a price or qty the pair cannot print.
    pub fn trade(&self, symbol: &str, side: Side, price: Decimal, qty: Decimal) -> Result<(), Error> {
        self.shared.lock().scripted_trade(symbol, side, price, qty)
    }

    /// Replaces the book of `symbol` (levels as (price, qty)).
    ///
    /// # Errors
    /// As [`Control::trade`].
    pub fn book_snapshot(
        &self,
        symbol: &str,
        bids: &[(Decimal, Decimal)],
        asks: &[(Decimal, Decimal)],
    ) -> Result<(), Error> {
        self.shared
            .lock()
            .apply_book(symbol, Some(None), &levels(bids), &levels(asks))
    }

    /// Changes levels of the book of `symbol` (qty 0 removes a level).
    ///
    /// # Errors
    /// As [`Control::trade`].
    pub fn book_update(
        &self,
        symbol: &str,
        bids: &[(Decimal, Decimal)],
        asks: &[(Decimal, Decimal)],
    ) -> Result<(), Error> {
        self.shared
            .lock()
            .apply_book(symbol, None, &levels(bids), &levels(asks))
    }

    /// Seeds a book from a capture's snapshot; the book then keeps the capture's depth, as its
    /// recorder's book did, so the capture's updates reproduce its checksums.
    ///
    /// # Errors
    /// As [`Control::trade`].
    pub fn seed_book(&self, capture: &BookCapture) -> Result<(), Error> {
        let s = &capture.snapshot;
        self.shared
            .lock()
            .apply_book(&s.symbol, Some(Some(capture.depth())), &s.bids, &s.asks)
    }

    /// Applies `capture.updates[range]` in order; returns how many were applied.
    ///
    /// # Errors
    /// As [`Control::trade`].
    pub fn replay_book_updates(&self, capture: &BookCapture, range: std::ops::Range<usize>) -> Result<usize, Error> {
        let updates = capture.updates.get(range).unwrap_or(&[]);
        for u in updates {
            self.shared.lock().apply_book(&u.symbol, None, &u.bids, &u.asks)?;
        }
        Ok(updates.len())
    }

    /// [`Control::seed_book`] then every update: the capture's 1 + N messages.
    ///
    /// # Errors
    /// As [`Control::trade`].
    pub fn replay_book_capture(&self, capture: &BookCapture) -> Result<usize, Error> {
        self.seed_book(capture)?;
        Ok(1 + self.replay_book_updates(capture, 0..capture.updates.len())?)
    }

    /// Plays bars now, as fast as possible: for each, moves the clock to each trade's time and
    /// trades. Returns the number of bars played.
    ///
    /// # Errors
    /// [`Error::ClockBackwards`] when a bar is older than exchange time; as [`Control::trade`].
    pub fn play_bars(&self, symbol: &str, bars: &[Bar]) -> Result<usize, Error> {
        for bar in bars {
            self.play_bar(symbol, bar)?;
        }
        Ok(bars.len())
    }

    fn play_bar(&self, symbol: &str, bar: &Bar) -> Result<(), Error> {
        let mut ex = self.shared.lock();
        let qp = ex.market(symbol)?.spec.qty_precision;
        for (offset, side, price, qty) in bar.trades(qp)? {
            ex.advance_to(bar.time_ms + offset)?;
            ex.scripted_trade(symbol, side, price, qty)?;
        }
        Ok(())
    }

    /// Plays bars on a thread at `bars_per_second` of wall time. The bars set exchange time, so
    /// the clock must be [`crate::ClockMode::Manual`] and not past the first bar (a bar in the
    /// past stops the player with [`Error::ClockBackwards`], returned by [`BarPlayer::join`]).
    pub fn spawn_bar_player(&self, symbol: &str, bars: Vec<Bar>, bars_per_second: f64) -> BarPlayer {
        let control = self.clone();
        let symbol = symbol.to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let pace = Duration::from_secs_f64(1.0 / bars_per_second.max(1e-6));
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            for (i, bar) in bars.iter().enumerate() {
                if stop_flag.load(Ordering::Relaxed) {
                    return Ok(i);
                }
                let due = start + pace.mul_f64(i as f64);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                control.play_bar(&symbol, bar)?;
            }
            Ok(bars.len())
        });
        BarPlayer {
            stop,
            thread: Some(thread),
        }
    }

    // ---- faults --------------------------------------------------------------------------

    /// Drops every socket of `target` now (no close frame); returns how many.
    pub fn drop_connections(&self, target: Target) -> usize {
        self.shared.lock().drop_connections(target)
    }

    /// Sockets of `target` send nothing (no data, no heartbeats, no replies; what would have
    /// gone out is lost) for `duration`, or until [`Control::resume`] when `None`. They stay open.
    pub fn go_silent(&self, target: Target, duration: Option<Duration>) {
        self.shared
            .lock()
            .faults
            .silence(target, duration.map(|d| Instant::now() + d));
    }

    /// Ends a silence.
    pub fn resume(&self, target: Target) {
        self.shared.lock().faults.resume(target);
    }

    /// The next book update sent carries a wrong checksum (every subscriber of it).
    pub fn corrupt_next_book_checksum(&self) {
        self.shared.lock().faults.corrupt_next_book = true;
    }

    /// Sends every socket of `target` a frame that is not JSON, then a valid JSON message of a
    /// channel Kraken does not have.
    pub fn send_garbage(&self, target: Target) {
        let mut ex = self.shared.lock();
        ex.broadcast(target, "{\"channel\":\"book\",\"type\":\"upd");
        ex.broadcast(
            target,
            r#"{"channel":"surprise","type":"update","data":[{"symbol":"BTC/USD","note":"unexpected"}]}"#,
        );
    }

    /// The next `n` token requests are refused (`EService:Unavailable`).
    pub fn reject_token_requests(&self, n: u32) {
        self.shared.lock().faults.reject_tokens = n;
    }

    /// The next accepted `add_order` (WebSocket) is executed but its reply is lost; with
    /// `drop_connection` the socket is dropped right after.
    pub fn lose_next_add_order_reply(&self, drop_connection: bool) {
        self.shared.lock().faults.lose_next_add_order_reply = Some(drop_connection);
    }

    // ---- the account ---------------------------------------------------------------------

    /// Sets a balance (no ledger entry is published).
    pub fn set_balance(&self, asset: &str, amount: Decimal) {
        self.shared.lock().account.set_balance(asset, amount);
    }

    /// Places a resting limit order as someone else on the account would (Kraken's web UI,
    /// another program with the same key): `OpenOrders` lists it and `executions` publishes it
    /// like any client's. Returns its order id.
    ///
    /// # Errors
    /// [`Error::Refused`] with Kraken's reason (unknown pair, funds, increments, rate counter).
    pub fn place_order(
        &self,
        symbol: &str,
        side: Side,
        qty: Decimal,
        limit_price: Decimal,
        cl_ord_id: Option<&str>,
    ) -> Result<String, Error> {
        let request = crate::matching::NewOrder {
            symbol: symbol.to_owned(),
            side,
            order_type: OrderType::Limit,
            qty,
            limit_price: Some(limit_price),
            trigger_price: None,
            post_only: false,
            time_in_force: TimeInForce::Gtc,
            cl_ord_id: cl_ord_id.map(str::to_owned),
            order_userref: 0,
        };
        let placed = self.shared.lock().add_order(request, false)?;
        Ok(placed.map(|order| order.order_id).unwrap_or_default())
    }

    /// Cancels an open order as someone else on the account would (Kraken's web UI): the
    /// order's `canceled` execution is published like a client's cancel.
    ///
    /// # Errors
    /// [`Error::Refused`] (`EOrder:Unknown order`) when no such order is open.
    pub fn cancel_order(&self, order_id: &str) -> Result<Order, Error> {
        Ok(self.shared.lock().cancel_order(Some(order_id), None)?)
    }

    /// Balances per asset.
    pub fn balances(&self) -> BTreeMap<String, Decimal> {
        self.shared.lock().account.balances().clone()
    }

    /// Open orders, oldest first.
    pub fn open_orders(&self) -> Vec<Order> {
        self.shared.lock().account.open_orders()
    }

    /// An order by id, open or not.
    pub fn order(&self, order_id: &str) -> Option<Order> {
        self.shared.lock().account.order(order_id).cloned()
    }

    /// Every fill, oldest first.
    pub fn fills(&self) -> Vec<Fill> {
        self.shared.lock().account.fills().to_vec()
    }

    /// How many orders were ever accepted with this `cl_ord_id` (proves nothing was placed twice).
    pub fn orders_accepted(&self, cl_ord_id: &str) -> u32 {
        self.shared.lock().account.accepted(cl_ord_id)
    }

    /// Every `cl_ord_id` ever accepted, with how many orders were accepted under it: a client
    /// that never sends an order twice has only ones here.
    pub fn client_order_ids(&self) -> BTreeMap<String, u32> {
        self.shared.lock().account.accepted_ids()
    }

    /// When the dead-man switch fires, exchange ms; `None` when disarmed.
    pub fn dead_man_deadline_ms(&self) -> Option<i64> {
        self.shared.lock().dms_deadline_ms
    }

    /// The trading rate counter of `symbol` now.
    pub fn rate_counter(&self, symbol: &str) -> Decimal {
        let ex = self.shared.lock();
        ex.rate.value(symbol, ex.clock.now_ms())
    }

    // ---- observation ---------------------------------------------------------------------

    /// Active subscriptions per (channel, symbol), summed over open sockets.
    pub fn active_subscriptions(&self) -> BTreeMap<SubscriptionKey, usize> {
        self.shared.lock().active_subscriptions()
    }

    /// Active subscriptions to `channel` (for `symbol`), summed over open sockets.
    pub fn subscriptions(&self, channel: &str, symbol: Option<&str>) -> usize {
        self.active_subscriptions()
            .get(&SubscriptionKey::new(channel, symbol))
            .copied()
            .unwrap_or(0)
    }

    /// `subscribe`/`unsubscribe` requests received on sockets of `kind`.
    pub fn subscription_messages(&self, kind: ConnKind) -> MessageCounts {
        let ex = self.shared.lock();
        ex.messages[match kind {
            ConnKind::Public => 0,
            ConnKind::Private => 1,
        }]
    }

    /// Sockets of `kind`: open now and ever accepted.
    pub fn connections(&self, kind: ConnKind) -> ConnectionCounts {
        self.shared.lock().connection_counts(kind)
    }

    /// How many `add_order` requests the private sockets have read, and when the last one
    /// was read: how a benchmark times the path from a market event to an order.
    pub fn add_orders_received(&self) -> (u64, Option<std::time::Instant>) {
        self.shared.lock().add_order_arrivals
    }

    /// Tokens minted so far.
    pub fn tokens_issued(&self) -> u64 {
        self.shared.lock().auth.tokens_issued()
    }

    /// The candles of `symbol` at `interval` minutes, oldest first (the last may be open).
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn candles(&self, symbol: &str, interval: u32) -> Result<Vec<Candle>, Error> {
        Ok(self.shared.lock().market(symbol)?.candles(interval).cloned().collect())
    }

    /// The last public trades of `symbol` (up to 50).
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn recent_trades(&self, symbol: &str) -> Result<Vec<PublicTrade>, Error> {
        Ok(self.shared.lock().market(symbol)?.tape().cloned().collect())
    }

    /// The top 10 (bids best first, asks best first) of `symbol`.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn book_top10(&self, symbol: &str) -> Result<(Vec<Level>, Vec<Level>), Error> {
        let ex = self.shared.lock();
        let book = &ex.market(symbol)?.book;
        Ok((book.top(BookSide::Bid, 10), book.top(BookSide::Ask, 10)))
    }

    /// The checksum the exchange's book of `symbol` has now.
    ///
    /// # Errors
    /// [`Error::UnknownSymbol`].
    pub fn book_checksum(&self, symbol: &str) -> Result<u32, Error> {
        let ex = self.shared.lock();
        let m = ex.market(symbol)?;
        Ok(m.book.checksum(m.spec.price_precision, m.spec.qty_precision))
    }
}

fn levels(v: &[(Decimal, Decimal)]) -> Vec<Level> {
    v.iter()
        .map(|(price, qty)| Level {
            price: *price,
            qty: *qty,
        })
        .collect()
}

/// Bars playing on a thread ([`Control::spawn_bar_player`]).
#[derive(Debug)]
pub struct BarPlayer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<usize, Error>>>,
}

impl BarPlayer {
    /// Stops after the bar being played.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether it has played every bar (or failed, or stopped).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the player; returns the bars played.
    ///
    /// # Errors
    /// The first error a bar hit.
    pub fn join(mut self) -> Result<usize, Error> {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(Error::Runtime(std::io::Error::other("bar player panicked"))),
            None => Ok(0),
        }
    }
}

impl Drop for BarPlayer {
    fn drop(&mut self) {
        self.stop();
    }
}
