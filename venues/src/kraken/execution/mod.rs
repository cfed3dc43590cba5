//! [`KrakenExecution`]: Kraken spot orders as an [`ExecutionPort`], over the authenticated
//! WebSocket v2 (orders, `executions`, `balances`) with REST where WebSocket v2 has no
//! equivalent (the token, order queries, the mass status, and optionally new orders while the
//! socket is down).
//!
//! The connection task (`session.rs`) owns the socket. On every (re)connect it takes a fresh
//! token, subscribes `executions` (open orders and recent fills as a snapshot) and `balances`,
//! arms the dead-man switch (`cancel_all_orders_after`, re-armed while connected), and
//! reconciles through the mass status before new orders go out again. The port itself
//! ([`KrakenExecution`]) answers the desk at once: it refuses what cannot go (the socket is
//! down, the pair's rate counter is full) and queues the rest for the task.
//!
//! Invariants:
//! 1. An `add_order` is sent once. One whose answer never came (a timeout, the socket lost, an
//!    `EService` error) is settled by `QueryOrders` by client order id; an order Kraken turns
//!    out to have after the host gave up on it is cancelled at once.
//! 2. Cancels and amends whose answer was lost are sent again after a reconnect: both say
//!    what the order should become, so a second one changes nothing.
//! 3. Secrets ([`Credentials`], tokens) have redacted `Debug` and reach only request headers
//!    and request text.

mod ids;
mod queries;
mod session;
mod translate;

use crate::kraken::wire::requests::AddOrder;
use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use trading::brokers::{
    venue_channel, AmendOrder, Doorbell, ExecutionPort, NewOrder, PortError, RejectKind, RejectReason, VenueEvent,
    VenueInbox,
};
use trading::market::{Symbol, TimeMs};
use trading::orders::{OrderId, VenueId};

use crate::kit::{BackoffConfig, VenueObserver};
use crate::kraken::rate_limit::{RateAction, RateLimiter, Tier};
use crate::kraken::wire::{Secret, SignError};

/// Kraken's production endpoint for orders and executions.
pub const KRAKEN_WS_PRIVATE_URL: &str = "wss://ws-auth.kraken.com/v2";
/// Kraken's production REST endpoint.
pub const KRAKEN_REST_URL: &str = "https://api.kraken.com";

/// The longest client order id Kraken takes as free text (UUIDs aside).
const MAX_CL_ORD_ID: usize = 18;

/// An API key and its secret. Neither is ever shown: `Debug` is redacted.
pub struct Credentials {
    api_key: String,
    secret: Secret,
}

/// Why credentials could not be read. Names the variable, never its value.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("the environment variable {var} is not set (it holds the venue's API {what})")]
    Missing { var: String, what: &'static str },
    #[error("the environment variable {var} is empty or not valid UTF-8")]
    Unreadable { var: String },
    #[error("the environment variable {var}: {source}")]
    Secret {
        var: String,
        #[source]
        source: SignError,
    },
}

impl Credentials {
    /// An API key and its base64 secret.
    ///
    /// # Errors
    ///
    /// [`SignError::SecretNotBase64`]; the error never contains the secret.
    pub fn new(api_key: &str, secret_base64: &str) -> Result<Self, SignError> {
        Ok(Self {
            api_key: api_key.trim().to_owned(),
            secret: Secret::from_base64(secret_base64)?,
        })
    }

    /// Reads the key from `key_var` and the base64 secret from `secret_var`.
    ///
    /// # Errors
    ///
    /// [`CredentialsError`] naming the variable that is missing or unusable.
    pub fn from_env(key_var: &str, secret_var: &str) -> Result<Self, CredentialsError> {
        let read = |var: &str, what: &'static str| match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(value),
            Ok(_) | Err(std::env::VarError::NotUnicode(_)) => Err(CredentialsError::Unreadable { var: var.to_owned() }),
            Err(std::env::VarError::NotPresent) => Err(CredentialsError::Missing {
                var: var.to_owned(),
                what,
            }),
        };
        let api_key = read(key_var, "key")?;
        Self::new(&api_key, &read(secret_var, "secret")?).map_err(|source| CredentialsError::Secret {
            var: secret_var.to_owned(),
            source,
        })
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// How the order connection behaves. Defaults suit Kraken's production endpoints.
#[derive(Debug, Clone)]
pub struct KrakenExecutionConfig {
    pub venue: VenueId,
    pub rest_url: String,
    pub ws_private_url: String,
    /// The account's tier, which sets the pair rate counter's maximum and decay.
    pub tier: Tier,
    /// A request with no answer for this long has an unknown outcome: it is settled by a query.
    pub request_timeout: Duration,
    /// The dead-man switch: Kraken cancels every order this long after the host was last
    /// heard from. `None` leaves it off.
    pub dead_man: Option<Duration>,
    /// Whether new orders go over REST `AddOrder` while the order socket is down. Off by
    /// default: without the socket the host hears of fills only by asking.
    pub rest_orders_when_down: bool,
    /// A connection with no message for this long is dead (Kraken sends a heartbeat about
    /// once a second once anything is subscribed).
    pub idle_reconnect_after: Duration,
    pub connect_timeout: Duration,
    pub backoff: BackoffConfig,
    /// Connects allowed per window (Kraken: about 150 per 10 minutes per IP).
    pub connect_budget: (usize, Duration),
}

impl Default for KrakenExecutionConfig {
    fn default() -> Self {
        Self {
            venue: VenueId::new("kraken"),
            rest_url: KRAKEN_REST_URL.into(),
            ws_private_url: KRAKEN_WS_PRIVATE_URL.into(),
            tier: Tier::Starter,
            request_timeout: Duration::from_secs(5),
            dead_man: Some(Duration::from_secs(60)),
            rest_orders_when_down: false,
            idle_reconnect_after: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            backoff: BackoffConfig::default(),
            connect_budget: (150, Duration::from_secs(600)),
        }
    }
}

pub use crate::kit::{OrderConnectionMonitor, OrderConnectionStatus, OrderPath};

type SharedState = crate::kit::SharedOrderConnection;

fn lock(shared: &SharedState) -> MutexGuard<'_, crate::kit::OrderConnectionState> {
    crate::kit::lock(shared)
}

/// What the port asks of the connection task.
#[derive(Debug)]
enum Command {
    /// A new order, in Kraken's terms already: a port refuses what Kraken cannot take.
    Submit {
        id: OrderId,
        add: Box<AddOrder>,
    },
    Cancel(OrderId),
    Amend(AmendOrder),
    Query(OrderId),
    MassStatus {
        since_ms: TimeMs,
    },
    /// Disarm the dead-man switch, close the socket, and say so on `done`.
    Close {
        done: std::sync::mpsc::Sender<()>,
    },
}

/// Past this age an order's cancel and amend cost Kraken's counter nothing extra, so when it
/// was placed no longer matters and it is forgotten (the map stays as small as the orders
/// placed in the last five minutes).
const PRICED_FOR_MS: i64 = 300_000;

/// When each order was placed and on which pair: what the rate counter prices a cancel or an
/// amend by.
#[derive(Debug, Clone)]
struct Placed {
    symbol: Symbol,
    at_ms: TimeMs,
}

/// Kraken spot orders for the desk.
pub struct KrakenExecution {
    venue: VenueId,
    commands: mpsc::UnboundedSender<Command>,
    inbox: VenueInbox,
    shared: SharedState,
    rate: RateLimiter,
    placed: HashMap<OrderId, Placed>,
    /// When `placed` was last cleared of orders past [`PRICED_FOR_MS`].
    forgotten_at_ms: TimeMs,
    rest_orders_when_down: bool,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for KrakenExecution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KrakenExecution")
            .field("venue", &self.venue)
            .finish_non_exhaustive()
    }
}

impl KrakenExecution {
    /// Starts the order connection on `runtime`; every event rings `doorbell`.
    pub fn start(
        config: KrakenExecutionConfig,
        credentials: Credentials,
        runtime: &tokio::runtime::Handle,
        doorbell: Doorbell,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let (sender, inbox) = venue_channel(doorbell);
        let shared = crate::kit::OrderConnectionState::shared();
        let (commands, receiver) = mpsc::unbounded_channel();
        let venue = config.venue.clone();
        let rate = RateLimiter::new(config.tier);
        let rest_orders_when_down = config.rest_orders_when_down;
        let task = runtime.spawn(session::run(
            config,
            Arc::new(credentials),
            shared.clone(),
            sender,
            observer,
            receiver,
        ));
        Self {
            venue,
            commands,
            inbox,
            shared,
            rate,
            placed: HashMap::new(),
            forgotten_at_ms: 0,
            rest_orders_when_down,
            task,
        }
    }

    pub fn monitor(&self) -> OrderConnectionMonitor {
        OrderConnectionMonitor::new(self.shared.clone())
    }

    /// Refuses a request while orders cannot go.
    fn ensure_open(&self, what: &str, rest_fallback: bool) -> Result<(), PortError> {
        crate::kit::ensure_open(&self.shared, &self.venue, what, rest_fallback)
    }

    /// Records `action` on the pair's counter, or refuses it the way Kraken would.
    fn count(&mut self, symbol: &Symbol, action: RateAction, now_ms: TimeMs) -> Result<(), PortError> {
        if let Err(limited) = self.rate.check(symbol, action, now_ms) {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::RateLimited,
                format!(
                    "{symbol}: Kraken's rate counter would reach {} of {} (retry in {} ms)",
                    limited.would_reach, limited.max, limited.retry_after_ms
                ),
            )));
        }
        self.rate.record(symbol, action, now_ms);
        Ok(())
    }

    fn send(&self, command: Command) -> Result<(), PortError> {
        self.commands
            .send(command)
            .map_err(|_| PortError::NotSent(format!("{}: the order connection has stopped", self.venue)))
    }

    fn order_age(&self, id: &OrderId, now_ms: TimeMs) -> Option<(Symbol, i64)> {
        self.placed
            .get(id)
            .map(|placed| (placed.symbol.clone(), now_ms - placed.at_ms))
    }
}

impl Drop for KrakenExecution {
    fn drop(&mut self) {
        // The task owns the socket: ending it closes the connection. A clean shutdown calls
        // `close` first, which disarms the dead-man switch.
        self.task.abort();
    }
}

/// The wall clock in UTC milliseconds: Kraken's rate counter decays in real time.
fn wall_ms() -> TimeMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl ExecutionPort for KrakenExecution {
    fn venue(&self) -> &VenueId {
        &self.venue
    }

    fn submit(&mut self, order: NewOrder) -> Result<(), PortError> {
        if order.id.as_str().len() > MAX_CL_ORD_ID {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::InvalidOrder,
                format!(
                    "client order id {} is longer than Kraken's {MAX_CL_ORD_ID} characters",
                    order.id
                ),
            )));
        }
        let add = queries::add_request(&order).map_err(PortError::Refused)?;
        self.ensure_open("the order is", self.rest_orders_when_down)?;
        let now_ms = wall_ms();
        self.count(&order.symbol, RateAction::Add, now_ms)?;
        // Once a second at most: the sweep is off the per-order cost.
        if now_ms - self.forgotten_at_ms >= 1_000 {
            self.placed.retain(|_, placed| now_ms - placed.at_ms < PRICED_FOR_MS);
            self.forgotten_at_ms = now_ms;
        }
        self.placed.insert(
            order.id.clone(),
            Placed {
                symbol: order.symbol.clone(),
                at_ms: now_ms,
            },
        );
        self.send(Command::Submit {
            id: order.id,
            add: Box::new(add),
        })
    }

    fn cancel(&mut self, id: &OrderId, _time_ms: TimeMs) -> Result<(), PortError> {
        self.ensure_open("the cancel is", false)?;
        let now_ms = wall_ms();
        // Kraken takes cancels whatever the counter says; they only add to it.
        if let Some((symbol, age_ms)) = self.order_age(id, now_ms) {
            self.rate
                .record(&symbol, RateAction::Cancel { order_age_ms: age_ms }, now_ms);
        }
        self.send(Command::Cancel(id.clone()))
    }

    fn amend(&mut self, amend: AmendOrder) -> Result<(), PortError> {
        self.ensure_open("the amend is", false)?;
        let now_ms = wall_ms();
        let age_ms = self.order_age(&amend.id, now_ms).map_or(i64::MAX, |(_, age)| age);
        self.count(&amend.symbol, RateAction::Amend { order_age_ms: age_ms }, now_ms)?;
        self.send(Command::Amend(amend))
    }

    /// Kraken finds an order by its client order id alone.
    fn query_order(&mut self, id: &OrderId, _symbol: &Symbol, _time_ms: TimeMs) -> Result<(), PortError> {
        self.send(Command::Query(id.clone()))
    }

    fn mass_status(&mut self, since_ms: TimeMs) -> Result<(), PortError> {
        self.send(Command::MassStatus { since_ms })
    }

    fn poll(&mut self, out: &mut Vec<VenueEvent>) {
        self.inbox.drain_into(out);
    }

    fn close(&mut self, within: Duration) {
        let (done, finished) = std::sync::mpsc::channel();
        if self.send(Command::Close { done }).is_ok() && finished.recv_timeout(within).is_err() {
            tracing::warn!(venue = %self.venue, ?within, "the order connection did not close in time; the dead-man switch may still be armed");
        }
    }
}
