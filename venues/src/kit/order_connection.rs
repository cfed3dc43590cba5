//! What every venue's order connection shares with the host: where it stands ([`OrderPath`]),
//! the state its task and its port both see ([`OrderConnectionState`]), the view `/status` reads
//! ([`OrderConnectionMonitor`]), and how a query whose answer is needed is asked until it comes
//! ([`retry_until_answered`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use trading::brokers::PortError;
use trading::market::TimeMs;
use trading::orders::VenueId;

/// Where the order connection stands (`/status` writes it in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderPath {
    /// No socket: orders are refused (or go another way where the venue has one).
    Down,
    /// Connected, reconciling through the mass status: orders wait until it is applied.
    Reconciling,
    /// Orders go.
    Open,
}

/// The order connection as `/status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderConnectionStatus {
    pub path: OrderPath,
    pub reconnects: u64,
    pub last_error: Option<String>,
    pub last_error_ms: Option<TimeMs>,
}

/// The state the connection task writes and the port and `/status` read.
#[derive(Debug)]
pub struct OrderConnectionState {
    pub path: OrderPath,
    pub reconnects: u64,
    pub last_error: Option<(String, TimeMs)>,
}

/// [`OrderConnectionState`] shared between a venue's task, its port and the host.
pub type SharedOrderConnection = Arc<Mutex<OrderConnectionState>>;

impl OrderConnectionState {
    /// A connection that is not up yet.
    pub fn shared() -> SharedOrderConnection {
        Arc::new(Mutex::new(Self {
            path: OrderPath::Down,
            reconnects: 0,
            last_error: None,
        }))
    }
}

/// Refuses a request (`what`: "the order is") while orders cannot go on `venue`'s connection;
/// `down_ok` lets it through while the connection is down (the venue has another way for it).
///
/// # Errors
/// [`PortError::NotSent`] saying why.
pub fn ensure_open(
    shared: &SharedOrderConnection,
    venue: &VenueId,
    what: &str,
    down_ok: bool,
) -> Result<(), PortError> {
    match super::lock(shared).path {
        OrderPath::Open => Ok(()),
        OrderPath::Down if down_ok => Ok(()),
        OrderPath::Down => Err(PortError::NotSent(format!(
            "{venue}: the order connection is down; {what} not sent"
        ))),
        OrderPath::Reconciling => Err(PortError::NotSent(format!(
            "{venue}: reconciling after a reconnect; {what} not sent"
        ))),
    }
}

/// A view of the order connection, for `/status`, that the host keeps beside the desk.
#[derive(Debug, Clone)]
pub struct OrderConnectionMonitor {
    shared: SharedOrderConnection,
}

impl OrderConnectionMonitor {
    pub fn new(shared: SharedOrderConnection) -> Self {
        Self { shared }
    }

    pub fn status(&self) -> OrderConnectionStatus {
        let shared = super::lock(&self.shared);
        OrderConnectionStatus {
            path: shared.path,
            reconnects: shared.reconnects,
            last_error: shared.last_error.as_ref().map(|(text, _)| text.clone()),
            last_error_ms: shared.last_error.as_ref().map(|(_, at)| *at),
        }
    }
}

/// Query retries back off to this.
pub const MAX_QUERY_RETRY: Duration = Duration::from_secs(30);

/// Runs `query` until it answers, backing off from 250 ms to [`MAX_QUERY_RETRY`] between
/// failures, each logged with `venue` and `what`. For the queries an unknown outcome or a
/// reconnect needs an answer to: there is nothing to do but ask again.
pub async fn retry_until_answered<T, E, F, Fut>(venue: &str, what: &str, mut query: F) -> T
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut wait = Duration::from_millis(250);
    loop {
        match query().await {
            Ok(answer) => return answer,
            Err(e) => {
                tracing::warn!(%venue, what, error = %e, retry_in = ?wait, "a query to the venue failed; asking again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_QUERY_RETRY);
            }
        }
    }
}
