//! The order connection task: reference data and the clock, connect, authenticate by key
//! type, subscribe to user data, reconcile, then send orders and read their answers and the
//! account's events until the connection fails; settle what was in flight; start over. Every
//! connection is replaced before its lifetime ends, the new one subscribed before the old one
//! is let go.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tracing::{debug, error, info, warn};
use trading::brokers::{
    AmendOrder, Balances, Execution, MassStatus, NewOrder, OrderReport, RejectKind, RejectReason, ReportedQty,
    ResumedOrder, VenueEvent, VenueEventSender,
};
use trading::market::{Symbol, TimeMs};
use trading::orders::{OrderId, TimeInForce, VenueOrderId};

use super::ids::{Delivered, Known, Orders, ReportKey};
use super::queries::{Ask, Asked, Asker, Internal, Retry};
use super::translate::{fills_of, order_kind, order_side, place_order, status_report};
use super::{lock, wall_ms, BinanceExecutionConfig, Command, Credentials, SharedLimits};
use crate::binance::clock::ClockOffset;
use crate::binance::reject::reject_reason;
use crate::binance::requests::{self, Auth, PlaceOrder};
use crate::binance::rest::BinanceRest;
use crate::binance::translate::{execution, fill_key, order_report, report_order_id, trade_fill};
use crate::binance::wire::{
    parse_ws_api, ErrorKind, ExecutionReport, ExecutionType, OrderResult, OrderStatus, RequestId, SymbolDirectory,
    UserDataEvent, UserDataFrame, WsApiMessage, WsApiResponse,
};
use crate::kit::{
    connect, next_text, send_text as send, Connection, OrderPath, Redial, SharedOrderConnection, Socket, VenueObserver,
};

/// Trades since this long before the connection went down are asked for again: the clocks of
/// host and venue differ, and a trade stamped just before the drop may not have arrived.
const RECONCILE_OVERLAP_MS: i64 = 60_000;
/// How often timeouts, rotation and the draining connection are looked at.
const TICK: Duration = Duration::from_millis(50);
/// After a replacement connection failed to open, the next try waits this long.
const ROTATION_RETRY: Duration = Duration::from_secs(1);

/// What the task shares with the port.
pub(super) struct Shared {
    pub(super) connection: SharedOrderConnection,
    pub(super) limits: SharedLimits,
    /// How many resumes the port has sent; see [`super::BinanceExecution`]'s `resume`.
    pub(super) resumes_sent: Arc<Mutex<u64>>,
}

/// Why a connection ended.
enum Ended {
    /// The host closed the port.
    Closed,
    Failed(String),
}

/// An amend sent as `order.cancelReplace`, until its new order shows.
#[derive(Debug, Clone)]
struct Replacing {
    amend: AmendOrder,
    /// Binance's order it cancels.
    leg: u64,
}

/// A request sent on a socket, waiting for its answer.
enum Pending {
    Place {
        order: NewOrder,
        retried: bool,
    },
    Cancel {
        id: OrderId,
        retried: bool,
    },
    Replace {
        amend: AmendOrder,
        retried: bool,
    },
    KeepPriority {
        amend: AmendOrder,
        retried: bool,
    },
    /// A subscription again after `eventStreamTerminated`.
    Resubscribe,
    /// The replaced connection's unsubscribe: Binance answers it after every event it queued
    /// there before, so once it is answered nothing more is on its way.
    Fence,
    /// A job's question.
    Ask {
        method: &'static str,
        reply: tokio::sync::oneshot::Sender<WsApiResponse>,
    },
}

impl Pending {
    fn method(&self) -> &'static str {
        match self {
            Pending::Place { .. } => "order.place",
            Pending::Cancel { .. } => "order.cancel",
            Pending::Replace { .. } => "order.cancelReplace",
            Pending::KeepPriority { .. } => "order.amend.keepPriority",
            Pending::Resubscribe => "userDataStream.subscribe",
            Pending::Fence => "userDataStream.unsubscribe",
            Pending::Ask { method, .. } => method,
        }
    }
}

struct InFlight {
    request: Pending,
    sent: Instant,
    /// The connection it went on.
    generation: u64,
}

/// One authenticated WebSocket API connection.
struct Conn {
    socket: Socket,
    /// Counts connections, rotations included.
    generation: u64,
    opened: Instant,
    /// Whether `session.logon` authenticated it (Ed25519 keys): requests then carry only a
    /// timestamp.
    logged_on: bool,
    /// The user data subscription on it.
    subscription: Option<u64>,
}

/// `userDataStream.subscribe`'s result.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subscribed {
    subscription_id: u64,
}

/// Everything the task keeps across connections.
struct Task {
    config: BinanceExecutionConfig,
    credentials: Arc<Credentials>,
    shared: Shared,
    events: VenueEventSender,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<Command>,
    internal: mpsc::UnboundedReceiver<Internal>,
    asker: Asker,
    /// Queries and clock measurements; dropped with the task.
    jobs: JoinSet<()>,
    symbols: SymbolDirectory,
    orders: Orders,
    /// Working orders of an earlier run not known yet: their symbols are named once the
    /// directory is read (`exchangeInfo`, before the first connect).
    resumed: Vec<ResumedOrder>,
    /// How many resumes (working orders of an earlier run) came. A mass status asked before
    /// the latest could not list their trades (it asks by symbol) nor give their quantities
    /// in the host's terms: it is dropped, and asked again. The session starts before the
    /// desk has read its book of record, so the first connect's can be such a one.
    resumes_received: u64,
    delivered: Delivered,
    /// Amends sent as a cancel-replace whose new order has not shown yet.
    replacing: HashMap<OrderId, Replacing>,
    in_flight: HashMap<u64, InFlight>,
    balances: BTreeMap<String, Decimal>,
    req_id: u64,
    generation: u64,
    /// Counts reconnects (not rotations), so a late mass status of an earlier one opens nothing.
    epoch: u64,
    /// Trades from this time on are asked for when the next connection reconciles.
    reconcile_from_ms: TimeMs,
    /// `serverShutdown` came on the current connection: replace it now.
    shutdown_announced: bool,
    next_rotation_try: Instant,
}

pub(super) async fn run(
    config: BinanceExecutionConfig,
    credentials: Arc<Credentials>,
    shared: Shared,
    events: VenueEventSender,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<Command>,
) {
    let seed = u64::from(std::process::id()) ^ wall_ms().unsigned_abs();
    let Ok(mut redial) = Redial::new(config.backoff, config.connect_budget, seed) else {
        error!(venue = %config.venue, "invalid backoff settings: the order connection does not start");
        return;
    };
    let rest = Arc::new(BinanceRest::new(
        &config.rest_url,
        config.request_timeout,
        observer.clone(),
    ));
    let (internal_tx, internal) = mpsc::unbounded_channel();
    let asker = Asker {
        venue: config.venue.clone(),
        rest,
        credentials: credentials.clone(),
        clock: Arc::new(Mutex::new(ClockOffset::default())),
        recv_window_ms: config.recv_window_ms,
        limits: shared.limits.clone(),
        internal: internal_tx,
    };
    let mut task = Task {
        config,
        credentials,
        shared,
        events,
        observer,
        commands,
        internal,
        asker,
        jobs: JoinSet::new(),
        symbols: SymbolDirectory::new(),
        orders: Orders::default(),
        resumed: Vec::new(),
        resumes_received: 0,
        delivered: Delivered::default(),
        replacing: HashMap::new(),
        in_flight: HashMap::new(),
        balances: BTreeMap::new(),
        req_id: 0,
        generation: 0,
        epoch: 0,
        reconcile_from_ms: wall_ms() - RECONCILE_OVERLAP_MS,
        shutdown_announced: false,
        next_rotation_try: Instant::now(),
    };
    loop {
        let wait = redial.next_wait(Instant::now());
        if wait.budget_spent {
            warn!(venue = %task.config.venue, wait = ?wait.duration, "connect budget spent: waiting before reconnecting");
        }
        if !task.wait_offline(wait.duration).await {
            return;
        }
        if let Err(reason) = task.prepare().await {
            task.failed(reason);
            continue;
        }
        let conn = match task.open_connection().await {
            Ok(conn) => conn,
            Err(reason) => {
                task.failed(reason);
                continue;
            }
        };
        redial.reset();
        let ended = task.serve(conn).await;
        task.went_down(&ended);
        match ended {
            Ended::Closed => return,
            Ended::Failed(reason) => task.failed(reason),
        }
    }
}

/// The next frame of the draining connection, or never when there is none.
async fn next_draining(draining: &mut Option<(Conn, Instant)>) -> Result<Utf8Bytes, String> {
    match draining {
        Some((conn, _)) => next_text(&mut conn.socket).await,
        None => std::future::pending().await,
    }
}

impl Task {
    fn next_req_id(&mut self) -> u64 {
        self.req_id += 1;
        self.req_id
    }

    fn failed(&mut self, reason: String) {
        warn!(venue = %self.config.venue, %reason, "order connection failed");
        crate::kit::lock(&self.shared.connection).last_error = Some((reason, wall_ms()));
    }

    fn send_event(&self, event: VenueEvent) {
        self.events.send(event);
    }

    fn send_execution(&self, execution: Execution) {
        self.send_event(VenueEvent::Execution(execution));
    }

    /// The server's time now, for a request's `timestamp`.
    fn timestamp(&self) -> TimeMs {
        lock(&self.asker.clock).server_now(wall_ms())
    }

    /// Reads the symbols and limits (once) and measures the clock (every connect).
    async fn prepare(&mut self) -> Result<(), String> {
        if self.symbols.is_empty() {
            let info = self
                .asker
                .rest
                .exchange_info()
                .await
                .map_err(|e| format!("no exchangeInfo: {e}"))?;
            self.symbols = info.directory();
            // The limits themselves; the counts earlier answers reported stay.
            lock(&self.shared.limits).set_limits(&info.rate_limits);
            self.learn_resumed(Vec::new());
        }
        self.asker
            .measure_clock()
            .await
            .map(|_| ())
            .map_err(|e| format!("no server time: {e}"))
    }

    /// Waits `delay` without a socket, serving what needs none. `false` when the port closed.
    async fn wait_offline(&mut self, delay: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return true,
                command = self.commands.recv() => match command {
                    None => return false,
                    Some(Command::Close { done }) => {
                        let _ = done.send(());
                        return false;
                    }
                    Some(command) => self.on_command_offline(command),
                },
                Some(internal) = self.internal.recv() => self.on_internal_offline(internal),
                Some(_) = self.jobs.join_next(), if !self.jobs.is_empty() => {}
            }
        }
    }

    fn not_sent(&self) -> RejectReason {
        RejectReason::new(
            RejectKind::VenueError,
            format!(
                "{}: the order connection went down before the request was sent",
                self.config.venue
            ),
        )
    }

    fn on_command_offline(&mut self, command: Command) {
        let time_ms = wall_ms();
        match command {
            // The port let it through just before the connection went down: it never left.
            Command::Submit(order) => self.send_execution(Execution::Rejected {
                id: order.id,
                reason: self.not_sent(),
                time_ms,
            }),
            Command::Cancel(id) => self.send_execution(Execution::CancelRejected {
                id,
                reason: self.not_sent(),
                time_ms,
            }),
            Command::Amend(amend) => self.send_execution(Execution::AmendRejected {
                id: amend.id,
                reason: self.not_sent(),
                time_ms,
            }),
            Command::Query { id, symbol } => self.settle_on(id, &symbol),
            // The next connect's mass status knows them.
            Command::Resume(orders) => {
                self.resumes_received += 1;
                self.learn_resumed(orders);
            }
            Command::MassStatus { since_ms } => self.start_mass_status(since_ms, None),
            Command::Close { done } => {
                let _ = done.send(());
            }
        }
    }

    /// Knows each working order of an earlier run (with `orders` and those waiting) as if this
    /// process had placed it, so that `order.status` can name its symbol and `myTrades` find it
    /// by Binance's id; until the directory is read they wait.
    fn learn_resumed(&mut self, orders: Vec<ResumedOrder>) {
        self.resumed.extend(orders);
        if self.symbols.is_empty() {
            return;
        }
        for order in std::mem::take(&mut self.resumed) {
            let Some(symbol) = self.symbols.venue(&order.symbol) else {
                warn!(venue = %self.config.venue, order_id = %order.id, symbol = %order.symbol, "a working order of an earlier run is on a symbol Binance does not list: it is settled as not found");
                continue;
            };
            let venue_id = order
                .venue_order_id
                .as_ref()
                .and_then(|id| id.as_str().parse::<u64>().ok());
            self.orders.insert(
                order.id.clone(),
                Known {
                    symbol,
                    side: order_side(order.side),
                    // Its time in force and post-only flag are of no use once it works: an
                    // amend keeps the kind Binance reports.
                    kind: order_kind(order.order_type, TimeInForce::Gtc, false),
                    filled: order.filled_qty,
                    qty: None,
                    filled_before: Decimal::ZERO,
                },
            );
            if let Some(venue_id) = venue_id {
                self.orders.learn(venue_id, &order.id);
            }
        }
    }

    fn on_internal_offline(&mut self, internal: Internal) {
        match internal {
            // Dropping the question sends the job to REST.
            Internal::Ask(ask) => drop(ask),
            // Binance refused it before anything executed: it goes the way a command that
            // found the connection down goes.
            Internal::Resynced(retry) => {
                let command = match retry {
                    Retry::Place(order) => Command::Submit(order),
                    Retry::Cancel(id) => Command::Cancel(id),
                    Retry::Replace(amend) => {
                        self.replacing.remove(&amend.id);
                        Command::Amend(amend)
                    }
                };
                self.on_command_offline(command);
            }
            other => self.on_answer(other),
        }
    }

    /// Connects, authenticates by key type and subscribes to user data.
    async fn open_connection(&mut self) -> Result<Conn, String> {
        let mut socket = connect(&self.config.ws_api_url, self.config.connect_timeout)
            .await
            .map_err(|e| e.to_string())?;
        self.generation += 1;
        let logged_on = self.credentials.key().can_log_on();
        if logged_on {
            let id = self.next_req_id();
            let text = requests::session_logon(id, &self.credentials, self.timestamp(), self.config.recv_window_ms);
            let answer = self.await_answer(&mut socket, id, text, "session.logon").await?;
            if let Err(e) = answer.outcome {
                return Err(format!("session.logon refused: {}", e.error));
            }
        }
        let id = self.next_req_id();
        let text = if logged_on {
            requests::user_data_subscribe(id)
        } else {
            requests::user_data_subscribe_signature(id, &self.credentials, self.timestamp(), self.config.recv_window_ms)
        };
        let answer = self
            .await_answer(&mut socket, id, text, "userDataStream.subscribe")
            .await?;
        let subscribed: Subscribed = answer
            .result("userDataStream.subscribe")
            .map_err(|e| format!("the user data subscription failed: {e}"))?;
        info!(venue = %self.config.venue, url = %self.config.ws_api_url, logged_on, "order connection up and subscribed");
        Ok(Conn {
            socket,
            generation: self.generation,
            opened: Instant::now(),
            logged_on,
            subscription: Some(subscribed.subscription_id),
        })
    }

    /// Sends `text` on a connection nothing else uses yet and waits for its answer.
    async fn await_answer(
        &mut self,
        socket: &mut Socket,
        id: u64,
        text: String,
        method: &'static str,
    ) -> Result<WsApiResponse, String> {
        send(socket, text).await?;
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.config.request_timeout;
        loop {
            let text = tokio::time::timeout_at(deadline, next_text(socket))
                .await
                .map_err(|_| format!("no answer to {method} within {:?}", self.config.request_timeout))??;
            match parse_ws_api(&text) {
                Ok(WsApiMessage::Response(response)) if response.id == Some(RequestId::Number(id as i64)) => {
                    self.observer.request_duration(method, started.elapsed().as_secs_f64());
                    lock(&self.shared.limits).observe(&response.rate_limits, Instant::now());
                    return Ok(response);
                }
                Ok(other) => {
                    debug!(venue = %self.config.venue, ?other, "a frame before the connection was set up, skipped")
                }
                Err(e) => {
                    self.observer.parse_error();
                    warn!(venue = %self.config.venue, error = %e, "unreadable frame on the order connection skipped");
                }
            }
        }
    }

    /// The connection is up: reconcile, then serve it (and its replacements) until it fails.
    async fn serve(&mut self, conn: Conn) -> Ended {
        self.connected();
        let mut current = conn;
        let mut draining: Option<(Conn, Instant)> = None;
        let mut tick = tokio::time::interval(TICK);
        loop {
            let step = tokio::select! {
                text = next_text(&mut current.socket) => match text {
                    Err(reason) => Err(reason),
                    Ok(text) => self.on_text(&mut current, text.as_str(), true).await,
                },
                text = next_draining(&mut draining) => {
                    match (text, draining.as_mut()) {
                        (Ok(text), Some((old, _))) => {
                            if let Err(reason) = self.on_text(old, text.as_str(), false).await {
                                debug!(venue = %self.config.venue, %reason, "the replaced connection ended");
                            }
                        }
                        (Err(reason), _) => {
                            debug!(venue = %self.config.venue, %reason, "the replaced connection ended");
                            if let Some((old, _)) = draining.take() {
                                self.lost(Some(old.generation));
                            }
                        }
                        (Ok(_), None) => {}
                    }
                    Ok(())
                }
                command = self.commands.recv() => match command {
                    None => return Ended::Closed,
                    Some(Command::Close { done }) => {
                        let _ = current.socket.close(None).await;
                        if let Some((mut old, _)) = draining.take() {
                            let _ = old.socket.close(None).await;
                        }
                        let _ = done.send(());
                        return Ended::Closed;
                    }
                    Some(command) => self.on_command(&mut current, command).await,
                },
                Some(internal) = self.internal.recv() => self.on_internal(&mut current, internal).await,
                Some(_) = self.jobs.join_next(), if !self.jobs.is_empty() => Ok(()),
                _ = tick.tick() => self.on_tick(),
            };
            if let Err(reason) = step {
                return Ended::Failed(reason);
            }
            let due = self.shutdown_announced || current.opened.elapsed() >= self.config.connection_lifetime;
            if due && draining.is_none() && Instant::now() >= self.next_rotation_try {
                match self.open_connection().await {
                    Ok(new) => {
                        info!(venue = %self.config.venue, "order connection replaced; the old one drains");
                        self.shutdown_announced = false;
                        let mut old = std::mem::replace(&mut current, new);
                        if let Some(subscription) = old.subscription.take() {
                            let req_id = self.next_req_id();
                            let text = requests::user_data_unsubscribe(req_id, subscription);
                            if let Err(reason) = self.request(&mut old, req_id, text, Pending::Fence).await {
                                debug!(venue = %self.config.venue, %reason, "the replaced connection ended");
                            }
                        }
                        draining = Some((old, Instant::now()));
                    }
                    Err(reason) => {
                        warn!(venue = %self.config.venue, %reason, "the replacement order connection failed; the current one serves on");
                        self.next_rotation_try = Instant::now() + ROTATION_RETRY;
                    }
                }
            }
            let drained = draining.as_ref().is_some_and(|(old, since)| {
                since.elapsed() > self.config.request_timeout
                    || !self.in_flight.values().any(|f| f.generation == old.generation)
            });
            if drained {
                if let Some((mut old, _)) = draining.take() {
                    let _ = old.socket.close(None).await;
                    self.lost(Some(old.generation));
                }
            }
        }
    }

    /// A (re)connect: orders wait for the mass status.
    fn connected(&mut self) {
        self.epoch += 1;
        {
            let mut shared = crate::kit::lock(&self.shared.connection);
            shared.path = OrderPath::Reconciling;
            if self.epoch > 1 {
                shared.reconnects += 1;
            }
        }
        if self.epoch > 1 {
            self.observer.reconnected(Connection::Private);
        }
        self.observer.connected(Connection::Private, true);
        self.send_event(VenueEvent::Connected {
            venue: self.config.venue.clone(),
            time_ms: wall_ms(),
        });
        self.start_mass_status(self.reconcile_from_ms, Some(self.epoch));
    }

    fn went_down(&mut self, ended: &Ended) {
        crate::kit::lock(&self.shared.connection).path = OrderPath::Down;
        self.observer.connected(Connection::Private, false);
        self.reconcile_from_ms = wall_ms() - RECONCILE_OVERLAP_MS;
        self.shutdown_announced = false;
        let reason = match ended {
            Ended::Closed => "closed by the host".to_owned(),
            Ended::Failed(reason) => reason.clone(),
        };
        self.send_event(VenueEvent::Disconnected {
            venue: self.config.venue.clone(),
            reason,
            time_ms: wall_ms(),
        });
        self.lost(None);
    }

    /// The requests in flight on connection `generation` (every one for `None`) will not be
    /// answered: an order's outcome is unknown, a job's question goes to REST.
    fn lost(&mut self, generation: Option<u64>) {
        let mut lost: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, f)| generation.is_none_or(|g| f.generation == g))
            .map(|(id, _)| *id)
            .collect();
        lost.sort_unstable();
        for req_id in lost {
            if let Some(in_flight) = self.in_flight.remove(&req_id) {
                self.unanswered(in_flight.request);
            }
        }
    }

    /// A request whose answer will not come: settled by a query, never sent again.
    fn unanswered(&mut self, request: Pending) {
        match request {
            Pending::Place { order, .. } => {
                warn!(venue = %self.config.venue, order_id = %order.id, "no answer to an order: its outcome is unknown; settling it by a query");
                self.settle(order.id);
            }
            Pending::Cancel { id, .. } => self.settle(id),
            Pending::Replace { amend, .. } | Pending::KeepPriority { amend, .. } => self.settle(amend.id),
            Pending::Resubscribe | Pending::Fence => {}
            Pending::Ask { reply, .. } => drop(reply),
        }
    }

    fn on_tick(&mut self) -> Result<(), String> {
        let timeout = self.config.request_timeout;
        let mut expired: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, f)| f.sent.elapsed() > timeout)
            .map(|(id, _)| *id)
            .collect();
        expired.sort_unstable();
        for req_id in expired {
            let Some(in_flight) = self.in_flight.remove(&req_id) else {
                continue;
            };
            if matches!(in_flight.request, Pending::Resubscribe) {
                return Err("no answer to the user data subscription".into());
            }
            self.unanswered(in_flight.request);
        }
        Ok(())
    }

    /// How a request on `conn` authenticates.
    fn auth<'a>(&self, conn: &Conn, credentials: &'a Credentials) -> Auth<'a> {
        let timestamp_ms = self.timestamp();
        let recv_window_ms = self.config.recv_window_ms;
        if conn.logged_on {
            Auth::Session {
                timestamp_ms,
                recv_window_ms,
            }
        } else {
            Auth::Signed {
                credentials,
                timestamp_ms,
                recv_window_ms,
            }
        }
    }

    /// Records `request` in flight, then sends it: if the send fails, it counts as lost.
    async fn request(&mut self, conn: &mut Conn, req_id: u64, text: String, request: Pending) -> Result<(), String> {
        self.in_flight.insert(
            req_id,
            InFlight {
                request,
                sent: Instant::now(),
                generation: conn.generation,
            },
        );
        send(&mut conn.socket, text).await
    }

    async fn on_command(&mut self, conn: &mut Conn, command: Command) -> Result<(), String> {
        match command {
            Command::Submit(order) => self.send_place(conn, order, false).await,
            Command::Cancel(id) => self.send_cancel(conn, id, false).await,
            Command::Amend(amend) => self.send_replace(conn, amend, false).await,
            Command::Query { id, symbol } => {
                self.settle_on(id, &symbol);
                Ok(())
            }
            Command::Resume(orders) => {
                self.resumes_received += 1;
                self.learn_resumed(orders);
                // This connection's mass status was asked without them: asked again, for
                // this connection, so orders go once the desk has a whole one.
                self.ask_mass_status(self.reconcile_from_ms, Some(self.epoch), true);
                Ok(())
            }
            Command::MassStatus { since_ms } => {
                self.start_mass_status(since_ms, None);
                Ok(())
            }
            Command::Close { done } => {
                let _ = done.send(());
                Ok(())
            }
        }
    }

    async fn send_place(&mut self, conn: &mut Conn, order: NewOrder, retried: bool) -> Result<(), String> {
        let place = match place_order(&order, &self.symbols) {
            Ok(place) => place,
            Err(reason) => {
                self.send_execution(Execution::Rejected {
                    id: order.id,
                    reason,
                    time_ms: wall_ms(),
                });
                return Ok(());
            }
        };
        if !retried {
            self.orders.insert(
                order.id.clone(),
                Known {
                    symbol: place.symbol,
                    side: place.side,
                    kind: place.kind,
                    filled: Decimal::ZERO,
                    qty: Some(place.quantity),
                    filled_before: Decimal::ZERO,
                },
            );
        }
        let req_id = self.next_req_id();
        let credentials = self.credentials.clone();
        let text = requests::order_place(req_id, &place, self.auth(conn, &credentials));
        self.request(conn, req_id, text, Pending::Place { order, retried })
            .await
    }

    async fn send_cancel(&mut self, conn: &mut Conn, id: OrderId, retried: bool) -> Result<(), String> {
        let Some(symbol) = self.orders.get(&id).map(|k| k.symbol) else {
            self.send_execution(Execution::CancelRejected {
                id,
                reason: RejectReason::new(RejectKind::UnknownOrder, "not an order this host placed on Binance"),
                time_ms: wall_ms(),
            });
            return Ok(());
        };
        let req_id = self.next_req_id();
        let credentials = self.credentials.clone();
        let text = requests::order_cancel(req_id, symbol, id.as_str(), self.auth(conn, &credentials));
        self.request(conn, req_id, text, Pending::Cancel { id, retried }).await
    }

    /// An amend as Binance spot does one: a decrease of the quantity alone in place
    /// (`order.amend.keepPriority`, which keeps the order's place in the queue), anything else
    /// by `order.cancelReplace` with the same client id, the new order for what is left to fill.
    async fn send_replace(&mut self, conn: &mut Conn, amend: AmendOrder, retried: bool) -> Result<(), String> {
        let refuse = |kind, detail: &str| Execution::AmendRejected {
            id: amend.id.clone(),
            reason: RejectReason::new(kind, detail),
            time_ms: wall_ms(),
        };
        // The desk may have booked fills this task never carried (a restarted host's, from the
        // reconciliation): the new order is for what is left after the larger count.
        let Some(known) = self.orders.get_mut(&amend.id).map(|known| {
            known.filled = known.filled.max(amend.filled_qty);
            known.clone()
        }) else {
            self.send_execution(refuse(
                RejectKind::UnknownOrder,
                "not an order this host placed on Binance",
            ));
            return Ok(());
        };
        // The Binance order a cancel-replace cancels must be known, to tell its cancel (half
        // of the amend) from a cancel of the host's order.
        let Some(leg) = self.orders.latest(&amend.id) else {
            self.send_execution(refuse(
                RejectKind::InvalidOrder,
                "Binance has not acknowledged the order yet: amend it once it has",
            ));
            return Ok(());
        };
        let kind = amend
            .limit_price
            .or(known.kind.limit_price())
            .and_then(|price| known.kind.with_limit_price(price));
        let Some(kind) = kind else {
            self.send_execution(refuse(
                RejectKind::InvalidOrder,
                "only a limit or stop-limit order can be amended",
            ));
            return Ok(());
        };
        let remaining = amend.qty - known.filled;
        if remaining <= Decimal::ZERO {
            self.send_execution(refuse(
                RejectKind::InvalidOrder,
                "the new quantity is not above what already filled",
            ));
            return Ok(());
        }
        let price_kept = amend
            .limit_price
            .is_none_or(|price| Some(price) == known.kind.limit_price());
        if price_kept && known.qty.is_some_and(|qty| amend.qty < qty) {
            let req_id = self.next_req_id();
            let credentials = self.credentials.clone();
            let new_qty = amend.qty - known.filled_before;
            let text = requests::order_amend_keep_priority(
                req_id,
                &known.symbol,
                amend.id.as_str(),
                new_qty,
                self.auth(conn, &credentials),
            );
            return self
                .request(conn, req_id, text, Pending::KeepPriority { amend, retried })
                .await;
        }
        let place = PlaceOrder {
            symbol: known.symbol,
            side: known.side,
            kind,
            quantity: remaining,
            client_order_id: amend.id.as_str().to_owned(),
        };
        self.replacing.insert(
            amend.id.clone(),
            Replacing {
                amend: amend.clone(),
                leg,
            },
        );
        let req_id = self.next_req_id();
        let credentials = self.credentials.clone();
        let text = requests::order_cancel_replace(req_id, amend.id.as_str(), &place, self.auth(conn, &credentials));
        self.request(conn, req_id, text, Pending::Replace { amend, retried })
            .await
    }

    async fn on_internal(&mut self, conn: &mut Conn, internal: Internal) -> Result<(), String> {
        match internal {
            Internal::Ask(Ask { method, build, reply }) => {
                let req_id = self.next_req_id();
                let credentials = self.credentials.clone();
                let text = build(req_id, self.auth(conn, &credentials));
                self.request(conn, req_id, text, Pending::Ask { method, reply }).await
            }
            Internal::Resynced(retry) => match retry {
                Retry::Place(order) => self.send_place(conn, order, true).await,
                Retry::Cancel(id) => self.send_cancel(conn, id, true).await,
                Retry::Replace(amend) => self.send_replace(conn, amend, true).await,
            },
            other => {
                self.on_answer(other);
                Ok(())
            }
        }
    }

    /// A job's answer: a settled order or a mass status.
    fn on_answer(&mut self, internal: Internal) {
        match internal {
            Internal::Settled { id, result, trades } => {
                if let Some(result) = &result {
                    self.orders.learn(result.order_id, &id);
                }
                let mut report = status_report(result.as_deref(), &trades, id, wall_ms());
                if let Some(result) = &result {
                    self.in_host_terms(&mut report, result);
                }
                for fill in &report.fills {
                    if let Some(trade) = &fill.trade_id {
                        self.delivered.fill(trade);
                    }
                }
                self.send_execution(Execution::Status(report));
            }
            Internal::Fetched {
                generation,
                since_ms,
                asked,
                fetched,
            } => {
                // Held while the mass status goes out, so a resume either comes before the
                // check or finds the mass status queued, and drops it (see the port's resume).
                let resumes_sent = self.shared.resumes_sent.clone();
                let resumes_sent = lock(&resumes_sent);
                if asked.resumes != *resumes_sent {
                    info!(venue = %self.config.venue, "a mass status asked before the working orders of an earlier run were known is dropped: another is asked");
                    return;
                }
                self.balances = fetched
                    .balances
                    .into_iter()
                    .map(|balance| {
                        let total = balance.total();
                        (balance.asset, total)
                    })
                    .collect();
                // Before the mass status, so the reconciliation it completes compares them.
                self.send_balances();
                self.apply_mass_status(generation, since_ms, asked.again, &fetched.open, &fetched.trades);
                drop(resumes_sent);
            }
            Internal::Ask(ask) => drop(ask),
            Internal::Resynced(_) => {}
        }
    }

    /// Binance's report of an order in the host's terms. For an order this process placed, the
    /// quantity (what lets the desk take the venue's after an amend whose answer was lost,
    /// its reconciliation's rule 6) and the filled quantity include what filled on the Binance
    /// orders a cancel-replace replaced. For an order of an earlier run, what filled before
    /// its last replacement is not known here: the quantity goes as what this Binance order
    /// did not fill, for the desk to put on top of the fills it booked.
    fn in_host_terms(&self, report: &mut OrderReport, result: &OrderResult) {
        let Some(known) = self.orders.get(&report.id) else {
            return;
        };
        if known.qty.is_some() {
            report.qty = result.orig_qty.map_or(ReportedQty::Unknown, |qty| {
                ReportedQty::Whole(qty.saturating_add(known.filled_before))
            });
            report.filled_qty = report.filled_qty.saturating_add(known.filled_before);
        } else if let Some(qty) = result.orig_qty {
            let unfilled = qty - result.executed_qty.unwrap_or_default();
            report.qty = ReportedQty::Unfilled(unfilled.max(Decimal::ZERO));
        }
    }

    /// The mass status to the desk: every open order with its trades, and every trade since
    /// `since_ms` that has not reached the desk yet.
    fn apply_mass_status(
        &mut self,
        generation: Option<u64>,
        since_ms: TimeMs,
        again: bool,
        open: &[OrderResult],
        trades: &[crate::binance::wire::AccountTrade],
    ) {
        let now = wall_ms();
        let open_reports = open
            .iter()
            .map(|order| {
                let id = OrderId::new(&order.client_order_id);
                self.orders.learn(order.order_id, &id);
                let mut report = order_report(order, id.clone(), now);
                report.fills = fills_of(order.order_id, trades, &id);
                self.in_host_terms(&mut report, order);
                report
            })
            .collect();
        let mut fills = Vec::new();
        for trade in trades {
            let Some(id) = self.orders.host_id(trade.order_id).cloned() else {
                continue;
            };
            let fill = trade_fill(trade, id);
            let new = fill.trade_id.as_ref().is_some_and(|t| self.delivered.fill(t));
            if new || again {
                fills.push(fill);
            }
        }
        info!(venue = %self.config.venue, open = open.len(), fills = fills.len(), "mass status received");
        self.send_event(VenueEvent::MassStatus(MassStatus {
            venue: self.config.venue.clone(),
            since_ms,
            open: open_reports,
            fills,
            time_ms: now,
        }));
        if generation == Some(self.epoch) {
            let mut shared = crate::kit::lock(&self.shared.connection);
            if shared.path == OrderPath::Reconciling {
                shared.path = OrderPath::Open;
                info!(venue = %self.config.venue, "reconciled: orders go");
            }
        }
    }

    async fn on_text(&mut self, conn: &mut Conn, text: &str, current: bool) -> Result<(), String> {
        match parse_ws_api(text) {
            Err(e) => {
                self.observer.parse_error();
                warn!(venue = %self.config.venue, error = %e, "unreadable frame on the order connection skipped");
                Ok(())
            }
            Ok(WsApiMessage::Response(response)) => {
                self.observer.message("response");
                self.on_response(conn, response).await
            }
            Ok(WsApiMessage::Event(frame)) => self.on_event(conn, frame, current).await,
            Ok(WsApiMessage::ServerShutdown { .. }) => {
                self.observer.message("server_shutdown");
                if current {
                    info!(venue = %self.config.venue, "serverShutdown: replacing the order connection now");
                    self.shutdown_announced = true;
                    self.next_rotation_try = Instant::now();
                }
                Ok(())
            }
        }
    }

    async fn on_response(&mut self, conn: &mut Conn, response: WsApiResponse) -> Result<(), String> {
        let now = Instant::now();
        {
            let mut limits = lock(&self.shared.limits);
            limits.observe(&response.rate_limits, now);
            if let (429 | 418, Err(e)) = (response.status, &response.outcome) {
                let wait_ms = e
                    .retry_after_ms
                    .map_or(0, |at| at.saturating_sub(self.timestamp()))
                    .max(0);
                let wait = Duration::from_millis(wait_ms.unsigned_abs());
                warn!(venue = %self.config.venue, status = response.status, ?wait, "Binance asks to wait: nothing is sent before");
                limits.back_off(now, wait);
            }
        }
        let req_id = match &response.id {
            Some(RequestId::Number(n)) => u64::try_from(*n).ok(),
            _ => None,
        };
        let Some(in_flight) = req_id.and_then(|id| self.in_flight.remove(&id)) else {
            if response.status == 401 {
                return Err(format!("Binance revoked the session: {:?}", response.outcome.err()));
            }
            // An answer after its request timed out: the query it led to settles it.
            return Ok(());
        };
        self.observer
            .request_duration(in_flight.request.method(), in_flight.sent.elapsed().as_secs_f64());
        match in_flight.request {
            Pending::Ask { reply, .. } => {
                let _ = reply.send(response);
            }
            Pending::Place { order, retried } => self.place_answered(order, retried, &response),
            Pending::Cancel { id, retried } => self.cancel_answered(id, retried, &response),
            Pending::Replace { amend, retried } => self.replace_answered(amend, retried, &response),
            Pending::KeepPriority { amend, retried } => self.keep_priority_answered(amend, retried, &response),
            Pending::Fence => debug!(venue = %self.config.venue, "the replaced connection has delivered everything"),
            Pending::Resubscribe => {
                let subscribed: Subscribed = response
                    .result("userDataStream.subscribe")
                    .map_err(|e| format!("the user data subscription failed again: {e}"))?;
                conn.subscription = Some(subscribed.subscription_id);
                info!(venue = %self.config.venue, "user data subscribed again; reconciling what the gap may hold");
                self.start_mass_status(self.reconcile_from_ms, None);
            }
        }
        Ok(())
    }

    /// What an `order.place` answer means.
    fn place_answered(&mut self, order: NewOrder, retried: bool, response: &WsApiResponse) {
        match &response.outcome {
            Ok(_) => match response.result::<OrderResult>("order.place") {
                Ok(result) => {
                    self.orders.learn(result.order_id, &order.id);
                    // The NEW report says the same: whichever comes first goes to the desk.
                    let key = ReportKey {
                        order_id: result.order_id,
                        execution_type: ExecutionType::New,
                        status: OrderStatus::New,
                        filled: Decimal::ZERO,
                    };
                    if self.delivered.report(key) {
                        self.send_execution(Execution::Accepted {
                            id: order.id,
                            venue_order_id: Some(VenueOrderId::new(&result.order_id.to_string())),
                            time_ms: result.transact_time.unwrap_or_else(wall_ms),
                        });
                    }
                }
                Err(e) => {
                    warn!(venue = %self.config.venue, order_id = %order.id, error = %e, "an order's answer does not read; settling it by a query");
                    self.settle(order.id);
                }
            },
            Err(_) if response.outcome_unknown() => {
                warn!(venue = %self.config.venue, order_id = %order.id, status = response.status, "Binance may or may not have the order; settling it by a query");
                self.settle(order.id);
            }
            Err(e) if e.error.kind == ErrorKind::Timestamp && !retried => {
                warn!(venue = %self.config.venue, order_id = %order.id, "-1021: measuring the clock again, then sending the order once more");
                self.resync(Retry::Place(order));
            }
            Err(e) => self.send_execution(Execution::Rejected {
                id: order.id,
                reason: reject_reason(&e.error),
                time_ms: wall_ms(),
            }),
        }
    }

    fn cancel_answered(&mut self, id: OrderId, retried: bool, response: &WsApiResponse) {
        match &response.outcome {
            // The CANCELED report tells the desk.
            Ok(_) => {}
            Err(_) if response.outcome_unknown() => self.settle(id),
            Err(e) if e.error.kind == ErrorKind::Timestamp && !retried => self.resync(Retry::Cancel(id)),
            Err(e) => self.send_execution(Execution::CancelRejected {
                id,
                reason: reject_reason(&e.error),
                time_ms: wall_ms(),
            }),
        }
    }

    fn keep_priority_answered(&mut self, amend: AmendOrder, retried: bool, response: &WsApiResponse) {
        match &response.outcome {
            // The REPLACED report tells the desk.
            Ok(_) => {
                if let Some(known) = self.orders.get_mut(&amend.id) {
                    known.qty = Some(amend.qty);
                }
            }
            Err(_) if response.outcome_unknown() => self.settle(amend.id),
            Err(e) if e.error.kind == ErrorKind::Timestamp && !retried => self.resync(Retry::Replace(amend)),
            Err(e) => self.send_execution(Execution::AmendRejected {
                id: amend.id,
                reason: reject_reason(&e.error),
                time_ms: wall_ms(),
            }),
        }
    }

    fn replace_answered(&mut self, amend: AmendOrder, retried: bool, response: &WsApiResponse) {
        let e = match &response.outcome {
            // The reports tell the desk: the old order's cancel is swallowed, the new one's
            // NEW is the amend.
            Ok(_) => return,
            Err(_) if response.outcome_unknown() => return self.settle(amend.id),
            Err(e) if e.error.kind == ErrorKind::Timestamp && !retried => return self.resync(Retry::Replace(amend)),
            Err(e) => e,
        };
        self.replacing.remove(&amend.id);
        let time_ms = wall_ms();
        match e.cancel_replace() {
            Some(halves) if halves.cancelled && !halves.placed => {
                let why = halves.new_order_error.as_ref().unwrap_or(&e.error);
                self.send_execution(Execution::Cancelled {
                    id: amend.id,
                    reason: Some(format!(
                        "amended by cancel-replace, whose new order Binance refused: {why}"
                    )),
                    time_ms,
                });
            }
            Some(halves) => {
                let why = halves.cancel_error.as_ref().unwrap_or(&e.error);
                self.send_execution(Execution::AmendRejected {
                    id: amend.id,
                    reason: reject_reason(why),
                    time_ms,
                });
            }
            None => self.send_execution(Execution::AmendRejected {
                id: amend.id,
                reason: reject_reason(&e.error),
                time_ms,
            }),
        }
    }

    async fn on_event(&mut self, conn: &mut Conn, frame: UserDataFrame, current: bool) -> Result<(), String> {
        match frame.event {
            UserDataEvent::ExecutionReport(report) => {
                self.observer.message("execution_report");
                self.on_report(&report);
            }
            // Balances come from the current connection only: the one being replaced carries
            // the same events while both are subscribed.
            UserDataEvent::AccountPosition(position) => {
                self.observer.message("account_position");
                if current {
                    for balance in position.balances {
                        let total = balance.total();
                        self.balances.insert(balance.asset, total);
                    }
                    self.send_balances();
                }
            }
            UserDataEvent::BalanceUpdate(update) => {
                self.observer.message("balance_update");
                if current {
                    let held = self.balances.entry(update.asset).or_default();
                    *held = held.saturating_add(update.delta);
                    self.send_balances();
                }
            }
            UserDataEvent::EventStreamTerminated { event_time } => {
                self.observer.message("event_stream_terminated");
                if current && conn.subscription == Some(frame.subscription_id) {
                    warn!(venue = %self.config.venue, "eventStreamTerminated: subscribing to user data again");
                    conn.subscription = None;
                    self.reconcile_from_ms = self.reconcile_from_ms.max(event_time - RECONCILE_OVERLAP_MS);
                    let req_id = self.next_req_id();
                    let text = if conn.logged_on {
                        requests::user_data_subscribe(req_id)
                    } else {
                        requests::user_data_subscribe_signature(
                            req_id,
                            &self.credentials,
                            self.timestamp(),
                            self.config.recv_window_ms,
                        )
                    };
                    return self.request(conn, req_id, text, Pending::Resubscribe).await;
                }
            }
            UserDataEvent::Unknown { event } => {
                debug!(venue = %self.config.venue, %event, "a user data event this adapter does not read")
            }
        }
        Ok(())
    }

    /// One `executionReport`, once, as the desk's execution.
    fn on_report(&mut self, report: &ExecutionReport) {
        let named = OrderId::new(report_order_id(report));
        let id = if self.orders.get(&named).is_some() {
            named
        } else if let Some(id) = self.orders.host_id(report.order_id) {
            id.clone()
        } else {
            debug!(venue = %self.config.venue, order_id = report.order_id, "a report of an order that is not the host's");
            return;
        };
        let fresh = match (report.execution_type, fill_key(report)) {
            (ExecutionType::Trade, Some(trade)) => self.delivered.fill(&trade),
            _ => self.delivered.report(ReportKey {
                order_id: report.order_id,
                execution_type: report.execution_type,
                status: report.order_status,
                filled: report.cumulative_qty.normalize(),
            }),
        };
        if !fresh {
            return;
        }
        let ended = matches!(report.execution_type, ExecutionType::Canceled | ExecutionType::Expired);
        if ended && self.orders.latest(&id).is_some_and(|latest| report.order_id < latest) {
            // A Binance order a cancel-replace replaced: the host's order works on as the newer.
            debug!(venue = %self.config.venue, order_id = %id, binance_order_id = report.order_id, "the end of a replaced Binance order");
            return;
        }
        if let Some(Replacing { amend, leg }) = self.replacing.get(&id).cloned() {
            match report.execution_type {
                // The replaced order's cancel is half of the amend.
                ExecutionType::Canceled if report.order_id == leg => return,
                // Any other order under the id is the new one, however its id was learned
                // first (a query's answer may have told it before this report).
                ExecutionType::New if report.order_id != leg => {
                    self.replacing.remove(&id);
                    self.orders.learn(report.order_id, &id);
                    let mut oversized = None;
                    if let Some(known) = self.orders.get_mut(&id) {
                        known.kind = known.kind.with_limit_price(report.price).unwrap_or(known.kind);
                        known.qty = Some(amend.qty);
                        known.filled_before = known.filled;
                        // The new order was sized from the fills heard when the amend went; one
                        // the replaced order made meanwhile (its report came before this one)
                        // makes it too large by that much.
                        let left = amend.qty - known.filled;
                        if report.qty > left {
                            // Nothing left: the new order goes.
                            oversized = Some(if left > Decimal::ZERO {
                                Retry::Replace(AmendOrder {
                                    filled_qty: known.filled,
                                    ..amend.clone()
                                })
                            } else {
                                Retry::Cancel(id.clone())
                            });
                        }
                    }
                    self.send_execution(Execution::Amended {
                        id: id.clone(),
                        qty: amend.qty,
                        limit_price: Some(report.price),
                        venue_order_id: Some(VenueOrderId::new(&report.order_id.to_string())),
                        time_ms: report.transaction_time,
                    });
                    if let Some(retry) = oversized {
                        warn!(venue = %self.config.venue, order_id = %id, binance_qty = %report.qty, "the replaced order filled while it was replaced: its new order is sized again");
                        // Through the task's own queue: sending needs the connection.
                        let _ = self.asker.internal.send(Internal::Resynced(retry));
                    }
                    return;
                }
                _ => {}
            }
        }
        self.orders.learn(report.order_id, &id);
        if report.execution_type == ExecutionType::Trade {
            if let Some(known) = self.orders.get_mut(&id) {
                known.filled = known.filled.saturating_add(report.last_qty);
            }
        }
        match execution(report, id.clone()) {
            // A kept-priority amend: Binance's quantity is its order's, the host's includes
            // what filled on the orders an earlier cancel-replace replaced.
            Ok(Some(Execution::Amended {
                id,
                qty,
                limit_price,
                venue_order_id,
                time_ms,
            })) => {
                let filled_before = self.orders.get(&id).map_or(Decimal::ZERO, |known| known.filled_before);
                let qty = qty.saturating_add(filled_before);
                if let Some(known) = self.orders.get_mut(&id) {
                    known.qty = Some(qty);
                }
                self.send_execution(Execution::Amended {
                    id,
                    qty,
                    limit_price,
                    venue_order_id,
                    time_ms,
                });
            }
            Ok(Some(event)) => self.send_execution(event),
            Ok(None) => {}
            Err(problem) => {
                warn!(venue = %self.config.venue, order_id = %id, problem, "a report cannot be booked as sent; settling the order by a query");
                self.settle(id);
            }
        }
    }

    fn send_balances(&self) {
        self.send_event(VenueEvent::Balances(Balances {
            venue: self.config.venue.clone(),
            assets: self.balances.clone(),
            time_ms: wall_ms(),
        }));
    }

    /// Asks Binance where order `id` stands, until it answers, and reports it.
    /// [`Self::settle`] for an order the desk names with its symbol: one this process did not
    /// place is asked about on that symbol.
    fn settle_on(&mut self, id: OrderId, symbol: &Symbol) {
        if self.orders.get(&id).is_some() {
            return self.settle(id);
        }
        let asker = self.asker.clone();
        match self.symbols.venue(symbol) {
            Some(symbol) => self.jobs.spawn(asker.settle(id, symbol)),
            None => self.jobs.spawn(asker.settle_unplaced(id)),
        };
    }

    fn settle(&mut self, id: OrderId) {
        let asker = self.asker.clone();
        match self.orders.get(&id).map(|k| k.symbol) {
            Some(symbol) => self.jobs.spawn(asker.settle(id, symbol)),
            // Placed before a restart, or never: `order.status` needs a symbol.
            None => self.jobs.spawn(asker.settle_unplaced(id)),
        };
    }

    /// Asks for the open orders and the trades since `since_ms`; when it is for reconnect
    /// `epoch`, orders go once it is out.
    fn start_mass_status(&mut self, since_ms: TimeMs, epoch: Option<u64>) {
        self.ask_mass_status(since_ms, epoch, false);
    }

    /// A mass status job; `again`: see [`Asked::again`].
    fn ask_mass_status(&mut self, since_ms: TimeMs, epoch: Option<u64>, again: bool) {
        let asker = self.asker.clone();
        let symbols = self.orders.symbols();
        let asked = Asked {
            resumes: self.resumes_received,
            again,
        };
        self.jobs.spawn(asker.mass_status(since_ms, symbols, epoch, asked));
    }

    fn resync(&mut self, retry: Retry) {
        let asker = self.asker.clone();
        self.jobs.spawn(asker.resync_then(retry));
    }
}
