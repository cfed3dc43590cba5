//! What every live venue shares, whatever its wire format: when to reconnect ([`Backoff`]),
//! how often a venue lets us connect ([`ConnectBudget`]), where an order connection stands
//! ([`OrderPath`], [`OrderConnectionMonitor`]), whether data still flows
//! ([`Freshness`]), and which venue streams the host's strategies hold ([`SubscriptionTable`]).
//!
//! [`connect`] opens a venue socket and [`VenueObserver`] is how connections report what the
//! host measures; [`FeedHandle`] is a venue's market data connection as the host's
//! `MarketFeed`. For the wire layers, crate-internal: exact decimals from JSON text
//! (`decimal`), typed parsing that names the failing field's path (`json_path`), and
//! `wire_enum!` for venue string enums. The rest is plain state driven by explicit times (`Instant`s passed in), so
//! it is tested without sleeping and the adapters decide what their clock is.

mod backoff;
mod connect_budget;
pub(crate) mod decimal;
mod feed;
mod freshness;
pub(crate) mod json_path;
mod observer;
mod order_connection;
mod redial;
mod socket;
mod subscriptions;
mod wanted;
mod wire_enum;

pub use backoff::{Backoff, BackoffConfig, InvalidBackoff, SplitMix64};
pub use connect_budget::ConnectBudget;
pub use feed::{lock_feed, wall_ms, Delivery, FeedCommand, FeedHandle, FeedState, SharedFeedState};
pub use freshness::{Freshness, StreamAge};
pub use observer::{Connection, NoObserver, VenueObserver};
pub use order_connection::{
    ensure_open, retry_until_answered, OrderConnectionMonitor, OrderConnectionState, OrderConnectionStatus, OrderPath,
    SharedOrderConnection, MAX_QUERY_RETRY,
};
pub use redial::{Redial, Wait};
pub use socket::{connect, next_text, send_text, ConnectError, Socket};
pub use subscriptions::{Changes, SubscriptionTable};
pub use wanted::Wanted;
pub(crate) use wire_enum::wire_enum;

/// Takes `mutex` even when a holder panicked. What the adapters share between a connection task
/// and the host (queues, counters, connection state) changes by single assignments and pushes,
/// so a panic cannot leave it half-changed.
pub fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
