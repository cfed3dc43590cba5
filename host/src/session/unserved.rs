//! Which of a strategy's subscriptions a backtest's data cannot serve, said in words, so a
//! strategy that would trade nothing (a 1m subscription on daily bars) is not silent about it.

use std::collections::BTreeMap;

use trading::market::{MarketEvent, Timeframe};

use crate::runtime::{Stream, Subscription};

/// What kind of stream an event belongs to, to keep one event of each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Candle(Timeframe),
    Trade,
    Quote,
    Book(u16),
    CandleUpdate(Timeframe),
}

/// The subscriptions no stream of `events` matches, and that the host cannot build from them
/// either (bars of a whole multiple of one of the data's timeframes are built), each with why.
pub fn unserved(subscriptions: &[Subscription], events: &[MarketEvent]) -> Vec<String> {
    let mut samples: BTreeMap<(&str, Key), &MarketEvent> = BTreeMap::new();
    for event in events {
        let key = match event {
            MarketEvent::Candle(c) => Key::Candle(c.timeframe),
            MarketEvent::Trade(_) => Key::Trade,
            MarketEvent::Quote(_) => Key::Quote,
            MarketEvent::Book(b) => Key::Book(b.depth),
            MarketEvent::CandleUpdate(u) => Key::CandleUpdate(u.candle.timeframe),
        };
        samples.entry((event.symbol().as_str(), key)).or_insert(event);
    }
    let built = |subscription: &Subscription| match subscription.stream {
        Stream::Candles(Some(wanted)) => samples.values().any(|event| match event {
            MarketEvent::Candle(c) => {
                subscription.symbol.as_ref().is_none_or(|s| s == &c.symbol)
                    && wanted > c.timeframe
                    && wanted.as_ms() % c.timeframe.as_ms() == 0
            }
            _ => false,
        }),
        _ => false,
    };
    let held: Vec<String> = samples.keys().map(|(symbol, key)| describe(symbol, key)).collect();
    subscriptions
        .iter()
        .filter(|s| !samples.values().any(|event| s.matches(event)) && !built(s))
        .map(|s| {
            format!(
                "the subscription `{s}` matches nothing in the data ({}): the strategy gets none of it",
                if held.is_empty() {
                    "no events".to_owned()
                } else {
                    held.join(", ")
                }
            )
        })
        .collect()
}

fn describe(symbol: &str, key: &Key) -> String {
    match key {
        Key::Candle(tf) => format!("{symbol} candles {tf}"),
        Key::Trade => format!("{symbol} trades"),
        Key::Quote => format!("{symbol} quotes"),
        Key::Book(depth) => format!("{symbol} book {depth}"),
        Key::CandleUpdate(tf) => format!("{symbol} candle-updates {tf}"),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use trading::market::{Candle, Symbol};

    use super::*;

    fn daily(symbol: &str) -> MarketEvent {
        MarketEvent::Candle(Candle {
            symbol: Symbol::new(symbol).unwrap(),
            timeframe: Timeframe::parse("1d").unwrap(),
            open_time_ms: 0,
            open: Decimal::ONE,
            high: Decimal::ONE,
            low: Decimal::ONE,
            close: Decimal::ONE,
            volume: Decimal::ONE,
        })
    }

    fn candles(symbol: Option<&str>, timeframe: Option<&str>) -> Subscription {
        Subscription {
            symbol: symbol.map(|s| Symbol::new(s).unwrap()),
            stream: Stream::Candles(timeframe.map(|t| Timeframe::parse(t).unwrap())),
        }
    }

    #[test]
    fn a_subscription_the_data_cannot_serve_is_named() {
        let events = [daily("BTC/USD"), daily("BTC/USD")];
        let subscriptions = [
            candles(None, None),
            candles(Some("BTC/USD"), Some("1d")),
            candles(None, Some("7d")),
            candles(None, Some("1m")),
            candles(Some("ETH/USD"), None),
            Subscription {
                symbol: None,
                stream: Stream::Trades,
            },
        ];
        let problems = unserved(&subscriptions, &events);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].contains("`* candles 1m`") && problems[0].contains("BTC/USD candles 1d"),
            "{}",
            problems[0]
        );
        assert!(problems[1].contains("`ETH/USD candles *`"), "{}", problems[1]);
        assert!(problems[2].contains("`* trades`"), "{}", problems[2]);
    }
}
