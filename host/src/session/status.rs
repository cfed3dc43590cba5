//! What `/status` shows: the strategies, the brokers and the books, as plain serializable data.

use serde::Serialize;

pub use crate::fleet::{LoadFailure, ReloadStatus, StrategyStatus};

#[derive(Debug, Clone, Serialize)]
pub struct BrokerStatus {
    pub name: String,
    pub connected: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedStatus {
    pub source: String,
    pub symbol: String,
    pub timeframe: String,
    pub bars_total: usize,
    pub bars_replayed: usize,
    pub last_event_time_ms: Option<i64>,
    pub finished: bool,
}

impl FeedStatus {
    /// A replay of `candles` from `source`, not started yet.
    pub fn new(source: String, candles: &[trading::market::Candle]) -> Self {
        let (symbol, timeframe) = candles
            .first()
            .map(|c| (c.symbol.to_string(), c.timeframe.to_string()))
            .unwrap_or_default();
        Self {
            source,
            symbol,
            timeframe,
            bars_total: candles.len(),
            bars_replayed: 0,
            last_event_time_ms: None,
            finished: false,
        }
    }
}

/// Everything `/status` reports except the books, which are read from the desk on request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusBoard {
    pub strategies: Vec<StrategyStatus>,
    pub load_failures: Vec<LoadFailure>,
    pub brokers: Vec<BrokerStatus>,
    pub feed: Option<FeedStatus>,
    /// Live venues: connection, streams and their data age, last error, reconnects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub venues: Vec<crate::live::VenueStatus>,
}
