//! A venue's connection reports, as the host's Prometheus metrics
//! (`strategy_host_broker_connected`, `_broker_reconnects_total`, `_venue_messages_total`,
//! `_venue_parse_errors_total`, `_book_resyncs_total`, `_venue_request_duration_seconds`).

use std::sync::atomic::{AtomicBool, Ordering};

use venues::kit::{Connection, VenueObserver};

use crate::metrics::VenueMetrics;

pub struct MetricsObserver {
    metrics: VenueMetrics,
    public_up: AtomicBool,
    private_up: AtomicBool,
    /// Whether the venue needs its private connection (live orders) to count as connected.
    needs_private: bool,
}

impl MetricsObserver {
    pub fn new(metrics: VenueMetrics, needs_private: bool) -> Self {
        metrics.connection.connected.set(0);
        Self {
            metrics,
            public_up: AtomicBool::new(false),
            private_up: AtomicBool::new(false),
            needs_private,
        }
    }
}

impl VenueObserver for MetricsObserver {
    fn connected(&self, connection: Connection, up: bool) {
        match connection {
            Connection::Public => self.public_up.store(up, Ordering::Relaxed),
            Connection::Private => self.private_up.store(up, Ordering::Relaxed),
        }
        let all_up =
            self.public_up.load(Ordering::Relaxed) && (!self.needs_private || self.private_up.load(Ordering::Relaxed));
        self.metrics.connection.connected.set(i64::from(all_up));
    }

    fn reconnected(&self, _: Connection) {
        self.metrics.connection.reconnects.inc();
    }

    fn message(&self, channel: &str) {
        self.metrics.message(channel);
    }

    fn parse_error(&self) {
        self.metrics.parse_errors.inc();
    }

    fn book_resync(&self, reason: &str) {
        self.metrics.book_resync(reason);
    }

    fn request_duration(&self, method: &str, seconds: f64) {
        self.metrics.request_duration(method, seconds);
    }
}
