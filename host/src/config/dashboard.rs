//! `[dashboard]`: what the live dashboard's WebSocket keeps and how it watches its clients.

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDashboard {
    /// Candles of each symbol and timeframe a client gets on connect.
    pub history_candles: usize,
    /// Fills a client gets on connect.
    pub recent_fills: usize,
    /// Decisions a client gets on connect.
    pub recent_decisions: usize,
    /// Messages queued for one client; a client that falls this far behind is dropped.
    pub client_buffer: usize,
    /// How often each client is pinged.
    pub ping_seconds: f64,
    /// A client that sends nothing (not even a pong) for this long is dropped.
    pub client_timeout_seconds: f64,
}

impl Default for RawDashboard {
    fn default() -> Self {
        Self {
            history_candles: 100,
            recent_fills: 200,
            recent_decisions: 100,
            client_buffer: 256,
            ping_seconds: 54.0,
            client_timeout_seconds: 60.0,
        }
    }
}

/// The checked `[dashboard]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardConfig {
    pub history_candles: usize,
    pub recent_fills: usize,
    pub recent_decisions: usize,
    pub client_buffer: usize,
    pub ping_every: Duration,
    pub client_timeout: Duration,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        RawDashboard::default()
            .resolve(&mut Vec::new())
            .unwrap_or_else(|| unreachable!("the defaults are valid"))
    }
}

/// The longest ping interval or timeout accepted: a day.
const MAX_SECONDS: f64 = 86_400.0;

impl RawDashboard {
    /// The checked settings, or `None` with what is wrong added to `problems`.
    pub fn resolve(&self, problems: &mut Vec<String>) -> Option<DashboardConfig> {
        let before = problems.len();
        if self.client_buffer == 0 {
            problems.push("dashboard.client_buffer = 0: expected at least 1".into());
        }
        let seconds = |key: &str, value: f64, problems: &mut Vec<String>| {
            if value.is_finite() && value > 0.0 && value <= MAX_SECONDS {
                Some(Duration::from_secs_f64(value))
            } else {
                problems.push(format!(
                    "dashboard.{key} = {value}: expected a number of seconds above 0 and at most {MAX_SECONDS}"
                ));
                None
            }
        };
        let ping_every = seconds("ping_seconds", self.ping_seconds, problems);
        let client_timeout = seconds("client_timeout_seconds", self.client_timeout_seconds, problems);
        if let (Some(ping), Some(timeout)) = (ping_every, client_timeout) {
            if timeout <= ping {
                problems.push(format!(
                    "dashboard.client_timeout_seconds = {}: expected more than ping_seconds ({}), or every client times out between two pings",
                    self.client_timeout_seconds, self.ping_seconds
                ));
            }
        }
        if problems.len() > before {
            return None;
        }
        Some(DashboardConfig {
            history_candles: self.history_candles,
            recent_fills: self.recent_fills,
            recent_decisions: self.recent_decisions,
            client_buffer: self.client_buffer,
            ping_every: ping_every?,
            client_timeout: client_timeout?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_original_servers_and_bad_values_name_their_key() {
        let config = DashboardConfig::default();
        assert_eq!(config.client_buffer, 256);
        assert_eq!(config.ping_every, Duration::from_secs(54));
        assert_eq!(config.client_timeout, Duration::from_secs(60));

        let mut problems = Vec::new();
        let raw = RawDashboard {
            client_buffer: 0,
            ping_seconds: 10.0,
            client_timeout_seconds: 5.0,
            ..RawDashboard::default()
        };
        assert_eq!(raw.resolve(&mut problems), None);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("dashboard.client_buffer = 0"), "{problems:?}");
        assert!(
            problems[1].starts_with("dashboard.client_timeout_seconds = 5"),
            "{problems:?}"
        );
    }
}
