//! [`BinanceExecution`]: Binance spot orders as an [`ExecutionPort`], over one WebSocket API
//! connection that carries both the orders and the account's user data (listen keys are gone
//! for spot), with signed REST queries while that connection is down.
//!
//! The connection task (`session.rs`) owns the socket. Before its first connection it reads
//! `exchangeInfo` (the symbols, `BTC/USDT` ↔ `BTCUSDT`, and the rate limits) and measures the
//! clock offset (`time`). On every (re)connect it authenticates by key type (an Ed25519 key
//! `session.logon`s, then `userDataStream.subscribe`; an HMAC key
//! `userDataStream.subscribe.signature`), then reconciles through the mass status
//! (`openOrders.status` and `myTrades` since the connection was lost) before orders go again:
//! Binance replays nothing. The port ([`BinanceExecution`]) answers the desk at once: it
//! refuses what cannot go (the connection is down or reconciling, an order count limit is used
//! up, a 429/418 wait lasts) and queues the rest for the task.
//!
//! Invariants:
//! 1. An `order.place` is sent once. One whose answer never came (a timeout, the socket lost
//!    mid-request) or whose answer leaves the outcome unknown (a 5xx, `-1007`) is settled by
//!    `order.status` by client order id (REST `GET /api/v3/order` while the WebSocket API is
//!    down), with the order's trades. The only request sent again is one Binance refused with
//!    `-1021` (a timestamp outside `recvWindow`, checked before anything executes), once,
//!    after the clock offset is measured again.
//! 2. Each `executionReport` reaches the desk once: fills by (symbol, trade id), the others by
//!    (order id, execution type, status, filled quantity), however many connections carried
//!    it (during a rotation both are subscribed) and whether the mass status found it again.
//! 3. Every connection is replaced before its lifetime ends (Binance closes one after 24 h):
//!    the new one is opened and subscribed before the old one is closed, so no user data
//!    event falls in between. `serverShutdown` starts the replacement at once;
//!    `eventStreamTerminated` resubscribes on the same connection and reconciles.
//! 4. Secrets ([`Credentials`]) have redacted `Debug` and reach only request text and headers.

mod ids;
mod queries;
mod session;
mod translate;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use trading::brokers::{
    venue_channel, AmendOrder, Doorbell, ExecutionPort, NewOrder, PortError, RejectKind, RejectReason, ResumedOrder,
    VenueEvent, VenueInbox,
};
use trading::market::{Symbol, TimeMs};
use trading::orders::{OrderId, VenueId};

use super::rate_limit::{RateLimits, Refused};
pub use super::signing::{Credentials, KeyError, SigningKey};
use crate::kit::{BackoffConfig, SharedOrderConnection, VenueObserver};
pub use crate::kit::{OrderConnectionMonitor, OrderConnectionStatus, OrderPath};

/// Binance's production WebSocket API endpoint.
pub const BINANCE_WS_API_URL: &str = "wss://ws-api.binance.com:443/ws-api/v3";
/// How long one connection serves before it is replaced: an hour inside Binance's 24 h.
pub const DEFAULT_CONNECTION_LIFETIME: Duration = Duration::from_secs(23 * 3600);
/// How long a request may go unanswered before its outcome counts as unknown: Binance's own
/// engine timeout (`-1007`) is 10 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How the order connection behaves. Defaults suit Binance's production endpoints.
#[derive(Debug, Clone)]
pub struct BinanceExecutionConfig {
    /// The venue's name in config, metrics and `/status`.
    pub venue: VenueId,
    /// REST: `exchangeInfo`, `time`, and the queries while the WebSocket API is down.
    pub rest_url: String,
    /// The WebSocket API endpoint ([`BINANCE_WS_API_URL`]).
    pub ws_api_url: String,
    /// `recvWindow` of signed requests; `None` leaves Binance's default (5,000 ms).
    pub recv_window_ms: Option<u64>,
    /// A request with no answer for this long has an unknown outcome
    /// ([`DEFAULT_REQUEST_TIMEOUT`]).
    pub request_timeout: Duration,
    /// A connection is replaced after this long ([`DEFAULT_CONNECTION_LIFETIME`]); a test
    /// compresses it.
    pub connection_lifetime: Duration,
    /// Opening the socket, at most.
    pub connect_timeout: Duration,
    /// The reconnect backoff.
    pub backoff: BackoffConfig,
    /// Connects allowed per window (Binance: 300 per 5 minutes per IP).
    pub connect_budget: (usize, Duration),
}

impl Default for BinanceExecutionConfig {
    fn default() -> Self {
        Self {
            venue: VenueId::new("binance"),
            rest_url: super::feed::BINANCE_REST_URL.into(),
            ws_api_url: BINANCE_WS_API_URL.into(),
            recv_window_ms: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connection_lifetime: DEFAULT_CONNECTION_LIFETIME,
            connect_timeout: Duration::from_secs(10),
            backoff: BackoffConfig::default(),
            connect_budget: (300, Duration::from_secs(300)),
        }
    }
}

/// What the port asks of the connection task.
#[derive(Debug)]
enum Command {
    Submit(NewOrder),
    Cancel(OrderId),
    Amend(AmendOrder),
    /// `order.status` of the host's order `id`, on `symbol`: what names it to Binance when this
    /// process did not place it.
    Query {
        id: OrderId,
        symbol: Symbol,
    },
    /// Working orders of an earlier run, to know as if this process had placed them.
    Resume(Vec<ResumedOrder>),
    MassStatus {
        since_ms: TimeMs,
    },
    /// Close the connection and say so on `done`.
    Close {
        done: std::sync::mpsc::Sender<()>,
    },
}

/// Binance's limits as the task learns them and the port checks them.
type SharedLimits = Arc<Mutex<RateLimits>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    crate::kit::lock(mutex)
}

/// Binance's limits as the port last learned them, readable while the desk owns the port.
#[derive(Clone)]
pub struct RateLimitMonitor(SharedLimits);

impl std::fmt::Debug for RateLimitMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RateLimitMonitor").field(&self.usage()).finish()
    }
}

impl RateLimitMonitor {
    /// Every limit with Binance's last count of it, for `strategy_host_venue_rate_limit_used`:
    /// its label (`orders_10s`), the count, the limit.
    pub fn usage(&self) -> Vec<(String, u64, Option<u64>)> {
        lock(&self.0)
            .usage()
            .into_iter()
            .map(|(key, used, max)| (key.label(), used, max))
            .collect()
    }
}

/// Binance spot orders for the desk.
pub struct BinanceExecution {
    venue: VenueId,
    commands: mpsc::UnboundedSender<Command>,
    inbox: VenueInbox,
    shared: SharedOrderConnection,
    limits: SharedLimits,
    /// How many times the desk told the port of working orders of an earlier run.
    resumes_sent: Arc<Mutex<u64>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for BinanceExecution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceExecution")
            .field("venue", &self.venue)
            .finish_non_exhaustive()
    }
}

impl BinanceExecution {
    /// Starts the order connection on `runtime`; every event rings `doorbell`.
    pub fn start(
        config: BinanceExecutionConfig,
        credentials: Credentials,
        runtime: &tokio::runtime::Handle,
        doorbell: Doorbell,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let (sender, inbox) = venue_channel(doorbell);
        let shared = crate::kit::OrderConnectionState::shared();
        let limits: SharedLimits = Arc::default();
        let resumes_sent = Arc::new(Mutex::new(0));
        let (commands, receiver) = mpsc::unbounded_channel();
        let venue = config.venue.clone();
        let task = runtime.spawn(session::run(
            config,
            Arc::new(credentials),
            session::Shared {
                connection: shared.clone(),
                limits: limits.clone(),
                resumes_sent: resumes_sent.clone(),
            },
            sender,
            observer,
            receiver,
        ));
        Self {
            venue,
            commands,
            inbox,
            shared,
            limits,
            resumes_sent,
            task,
        }
    }

    pub fn monitor(&self) -> OrderConnectionMonitor {
        OrderConnectionMonitor::new(self.shared.clone())
    }

    /// Every limit with Binance's last count of it (see [`RateLimitMonitor::usage`]).
    pub fn rate_limit_usage(&self) -> Vec<(String, u64, Option<u64>)> {
        self.rate_limits().usage()
    }

    /// A handle on the limits that stays with the caller once the port is handed to the desk.
    pub fn rate_limits(&self) -> RateLimitMonitor {
        RateLimitMonitor(self.limits.clone())
    }

    /// Refuses a request while orders cannot go.
    fn ensure_open(&self, what: &str) -> Result<(), PortError> {
        crate::kit::ensure_open(&self.shared, &self.venue, what, false)
    }

    /// Refuses what Binance would refuse for its limits: a new order past an order count, or
    /// anything during a 429/418 wait. A new order passing is counted.
    fn check_limits(&self, new_order: bool) -> Result<(), PortError> {
        let now = Instant::now();
        let mut limits = lock(&self.limits);
        let checked = if new_order {
            limits.may_place(now)
        } else {
            limits.may_send(now)
        };
        match checked {
            Ok(()) => {
                if new_order {
                    limits.count_order(now);
                }
                Ok(())
            }
            Err(refused) => {
                let detail = match &refused {
                    Refused::Backoff { .. } => format!("{}: {refused}", self.venue),
                    Refused::OrderLimit { .. } => format!("{}: {refused}; Binance would answer -1015", self.venue),
                };
                Err(PortError::Refused(RejectReason::new(RejectKind::RateLimited, detail)))
            }
        }
    }

    fn send(&self, command: Command) -> Result<(), PortError> {
        self.commands
            .send(command)
            .map_err(|_| PortError::NotSent(format!("{}: the order connection has stopped", self.venue)))
    }
}

impl Drop for BinanceExecution {
    fn drop(&mut self) {
        // The task owns the socket: ending it closes the connection.
        self.task.abort();
    }
}

impl ExecutionPort for BinanceExecution {
    fn venue(&self) -> &VenueId {
        &self.venue
    }

    fn submit(&mut self, order: NewOrder) -> Result<(), PortError> {
        if order.id.as_str().len() > MAX_CLIENT_ORDER_ID {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::InvalidOrder,
                format!(
                    "client order id {} is longer than Binance's {MAX_CLIENT_ORDER_ID} characters",
                    order.id
                ),
            )));
        }
        self.ensure_open("the order is")?;
        self.check_limits(true)?;
        self.send(Command::Submit(order))
    }

    fn cancel(&mut self, id: &OrderId, _time_ms: TimeMs) -> Result<(), PortError> {
        self.ensure_open("the cancel is")?;
        self.check_limits(false)?;
        self.send(Command::Cancel(id.clone()))
    }

    fn amend(&mut self, amend: AmendOrder) -> Result<(), PortError> {
        self.ensure_open("the amend is")?;
        // A cancel-replace places a new order: it counts as one.
        self.check_limits(true)?;
        self.send(Command::Amend(amend))
    }

    fn query_order(&mut self, id: &OrderId, symbol: &Symbol, _time_ms: TimeMs) -> Result<(), PortError> {
        self.send(Command::Query {
            id: id.clone(),
            symbol: symbol.clone(),
        })
    }

    fn mass_status(&mut self, since_ms: TimeMs) -> Result<(), PortError> {
        self.send(Command::MassStatus { since_ms })
    }

    /// A mass status the order connection asked before it knew these orders lacks their
    /// trades and quantities. One still queued here is dropped unread; one the task has not
    /// sent yet it drops itself, as it checks the count of resumes under the same lock it
    /// sends under; either way it asks again once it has the orders.
    fn resume(&mut self, orders: &[ResumedOrder]) {
        let mut resumes_sent = lock(&self.resumes_sent);
        *resumes_sent += 1;
        let dropped = self.inbox.discard(|event| matches!(event, VenueEvent::MassStatus(_)));
        if dropped > 0 {
            tracing::info!(venue = %self.venue, "a mass status that came before the working orders of an earlier run were known is dropped: another is asked");
        }
        if self.send(Command::Resume(orders.to_vec())).is_err() {
            tracing::warn!(venue = %self.venue, "the order connection has stopped: the working orders of the earlier run cannot be asked about");
        }
    }

    fn poll(&mut self, out: &mut Vec<VenueEvent>) {
        self.inbox.drain_into(out);
    }

    fn close(&mut self, within: Duration) {
        let (done, finished) = std::sync::mpsc::channel();
        if self.send(Command::Close { done }).is_ok() && finished.recv_timeout(within).is_err() {
            tracing::warn!(venue = %self.venue, ?within, "the order connection did not close in time");
        }
    }
}

/// The longest client order id Binance takes (`newClientOrderId`: 36 characters).
const MAX_CLIENT_ORDER_ID: usize = 36;

/// The wall clock in UTC milliseconds: signed requests carry it, shifted by the offset.
fn wall_ms() -> TimeMs {
    crate::kit::wall_ms()
}
