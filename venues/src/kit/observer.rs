//! [`VenueObserver`]: how a venue's connections report what the host measures about them
//! (connection state, reconnects, messages per channel, parse errors, book resyncs, request
//! latency). The host implements it over its Prometheus metrics; the adapters stay free of
//! any metrics library.

/// Which of a venue's connections a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Connection {
    /// Market data.
    Public,
    /// Orders and executions.
    Private,
}

impl Connection {
    pub fn label(self) -> &'static str {
        match self {
            Connection::Public => "public",
            Connection::Private => "private",
        }
    }
}

/// Reports of one venue's connections. Every method must be cheap and never block: they are
/// called from connection tasks, message by message.
pub trait VenueObserver: Send + Sync {
    fn connected(&self, connection: Connection, up: bool);
    /// A connection was re-established after it had been up.
    fn reconnected(&self, connection: Connection);
    /// One message of `channel` arrived.
    fn message(&self, channel: &str);
    /// A message could not be parsed (it was logged and skipped).
    fn parse_error(&self);
    /// A book was resubscribed, for `reason` (`checksum`, `sequence`).
    fn book_resync(&self, reason: &str);
    /// A request to the venue took `seconds` from sending to its answer.
    fn request_duration(&self, method: &str, seconds: f64);
}

/// An observer that records nothing, for tools and tests that do not measure.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl VenueObserver for NoObserver {
    fn connected(&self, _: Connection, _: bool) {}
    fn reconnected(&self, _: Connection) {}
    fn message(&self, _: &str) {}
    fn parse_error(&self) {}
    fn book_resync(&self, _: &str) {}
    fn request_duration(&self, _: &str, _: f64) {}
}
