//! [`ClockOffset`]: the server's clock as seen from here, for the `timestamp` of signed
//! requests. Binance refuses a request whose timestamp is more than 1 s ahead of its clock or
//! older than `recvWindow` (`-1021`); a host clock a second off would have every order refused.
//! The offset is measured with `time` (REST or WebSocket API) and measured again after a
//! `-1021`. Pure: local times come in as arguments.

use trading::market::TimeMs;

/// How far the server's clock is ahead of the local one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockOffset {
    offset_ms: i64,
    /// Half the round trip of the measurement: how far off the offset may be.
    uncertainty_ms: i64,
}

impl ClockOffset {
    /// The offset from one `time` call: sent at `local_sent_ms`, answered with `server_ms`,
    /// received at `local_received_ms`. The server read its clock somewhere in between, so the
    /// midpoint of the round trip is the best guess.
    pub fn measure(local_sent_ms: TimeMs, server_ms: TimeMs, local_received_ms: TimeMs) -> Self {
        let (sent, received) = if local_received_ms >= local_sent_ms {
            (local_sent_ms, local_received_ms)
        } else {
            (local_received_ms, local_sent_ms)
        };
        let round_trip = received.saturating_sub(sent);
        let midpoint = sent.saturating_add(round_trip / 2);
        Self {
            offset_ms: server_ms.saturating_sub(midpoint),
            uncertainty_ms: round_trip / 2,
        }
    }

    /// Milliseconds the server is ahead (negative: behind).
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms
    }

    /// How far off the offset may be.
    pub fn uncertainty_ms(&self) -> i64 {
        self.uncertainty_ms
    }

    /// The server's time now, for a request's `timestamp`, given the local time now.
    pub fn server_now(&self, local_ms: TimeMs) -> TimeMs {
        local_ms.saturating_add(self.offset_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_taken_at_the_round_trips_midpoint() {
        let offset = ClockOffset::measure(1_000, 1_600, 1_200);
        assert_eq!((offset.offset_ms(), offset.uncertainty_ms()), (500, 100));
        assert_eq!(offset.server_now(2_000), 2_500);
        let behind = ClockOffset::measure(10_000, 8_000, 10_000);
        assert_eq!(behind.server_now(10_010), 8_010);
        // A clock that stepped back mid-measurement still gives a bounded answer.
        let stepped = ClockOffset::measure(1_200, 1_600, 1_000);
        assert_eq!(stepped.uncertainty_ms(), 100);
        assert_eq!(
            ClockOffset::measure(i64::MIN, i64::MAX, i64::MAX).server_now(i64::MAX),
            i64::MAX
        );
        assert_eq!(ClockOffset::default().server_now(7), 7);
    }
}
