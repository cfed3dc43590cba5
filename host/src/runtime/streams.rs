//! Stream ids: the numbers market events carry instead of their symbol and timeframe text.
//!
//! Lowering a string into a component costs a call back into the guest's allocator, twice per
//! candle; a number costs nothing. The session numbers each stream the first time it delivers
//! an event of it, and a strategy asks `describe-stream` once per id for the text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use trading::market::{MarketEvent, Symbol, Timeframe};

/// What a stream id stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamKey {
    /// Closed bars.
    Candles(Symbol, Timeframe),
    Trades(Symbol),
    Quotes(Symbol),
    /// A book at one depth: each depth a symbol's book is published at is a stream of its own,
    /// so a strategy's subscription depth selects one.
    Book(Symbol, u16),
    /// The bars in progress of one timeframe.
    CandleUpdates(Symbol, Timeframe),
}

impl StreamKey {
    pub fn of(event: &MarketEvent) -> Self {
        match event {
            MarketEvent::Candle(c) => StreamKey::Candles(c.symbol.clone(), c.timeframe),
            MarketEvent::Trade(t) => StreamKey::Trades(t.symbol.clone()),
            MarketEvent::Quote(q) => StreamKey::Quotes(q.symbol.clone()),
            MarketEvent::Book(b) => StreamKey::Book(b.symbol.clone(), b.depth),
            MarketEvent::CandleUpdate(u) => StreamKey::CandleUpdates(u.candle.symbol.clone(), u.candle.timeframe),
        }
    }

    fn matches(&self, event: &MarketEvent) -> bool {
        match (self, event) {
            (StreamKey::Candles(symbol, timeframe), MarketEvent::Candle(c)) => {
                *timeframe == c.timeframe && *symbol == c.symbol
            }
            (StreamKey::Trades(symbol), MarketEvent::Trade(t)) => *symbol == t.symbol,
            (StreamKey::Quotes(symbol), MarketEvent::Quote(q)) => *symbol == q.symbol,
            (StreamKey::Book(symbol, depth), MarketEvent::Book(b)) => *depth == b.depth && *symbol == b.symbol,
            (StreamKey::CandleUpdates(symbol, timeframe), MarketEvent::CandleUpdate(u)) => {
                *timeframe == u.candle.timeframe && *symbol == u.candle.symbol
            }
            _ => false,
        }
    }
}

/// The stream numbering of one host, shared by the session (which assigns ids) and the
/// strategies' host imports (which describe them). Ids are dense, from 0, never reused.
#[derive(Debug, Clone, Default)]
pub struct StreamRegistry(Arc<Mutex<Streams>>);

#[derive(Debug, Default)]
struct Streams {
    ids: HashMap<StreamKey, u32>,
    keys: Vec<StreamKey>,
    /// The last stream looked up: a replay of one stream hits it every time, without hashing.
    last: Option<(StreamKey, u32)>,
}

impl StreamRegistry {
    /// The id of `event`'s stream, numbering the stream if it is new.
    pub fn id_of(&self, event: &MarketEvent) -> u32 {
        let mut streams = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((key, id)) = &streams.last {
            if key.matches(event) {
                return *id;
            }
        }
        let key = StreamKey::of(event);
        let next = u32::try_from(streams.keys.len()).unwrap_or(u32::MAX);
        let id = *streams.ids.entry(key.clone()).or_insert(next);
        if id == next {
            streams.keys.push(key.clone());
        }
        streams.last = Some((key, id));
        id
    }

    /// What `id` stands for, if the session ever delivered it.
    pub fn describe(&self, id: u32) -> Option<StreamKey> {
        let streams = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        streams.keys.get(usize::try_from(id).ok()?).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use trading::market::Candle;

    fn bar(symbol: &str, timeframe: &str) -> MarketEvent {
        MarketEvent::Candle(Candle {
            symbol: Symbol::new(symbol).unwrap(),
            timeframe: Timeframe::parse(timeframe).unwrap(),
            open_time_ms: 0,
            open: Decimal::ONE,
            high: Decimal::ONE,
            low: Decimal::ONE,
            close: Decimal::ONE,
            volume: Decimal::ZERO,
        })
    }

    #[test]
    fn each_stream_gets_one_dense_id_and_describes_back() {
        let streams = StreamRegistry::default();
        let ids: Vec<u32> = [
            ("BTC/USD", "1m"),
            ("BTC/USD", "1m"),
            ("ETH/USD", "1m"),
            ("BTC/USD", "1h"),
            ("BTC/USD", "1m"),
        ]
        .iter()
        .map(|(s, t)| streams.id_of(&bar(s, t)))
        .collect();
        assert_eq!(ids, [0, 0, 1, 2, 0]);
        let btc_hourly = StreamKey::Candles(Symbol::new("BTC/USD").unwrap(), Timeframe::parse("1h").unwrap());
        assert_eq!(streams.describe(2), Some(btc_hourly));
        assert_eq!(streams.describe(3), None);
    }
}
