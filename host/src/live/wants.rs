//! What a strategy's subscriptions ask of a live venue: the venue streams to subscribe, and the
//! timeframes the host builds from the venue's 1-minute bars.
//!
//! `*` as a symbol means every symbol the venue is configured with; `*` as a timeframe means
//! the venue's base bars (1 minute). A timeframe that is not a whole number of minutes cannot
//! be built from them and is reported, not subscribed.

use std::collections::BTreeSet;

use trading::market::{FeedStream, Symbol, Timeframe};

use crate::runtime::{Stream, Subscription};

/// The bars every venue delivers; longer timeframes are built from them.
pub const BASE_TIMEFRAME: Timeframe = Timeframe::MINUTE;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wants {
    pub feed: BTreeSet<FeedStream>,
    /// Bars built by the host: `(symbol, timeframe)`, each longer than the base.
    pub built: BTreeSet<(Symbol, Timeframe)>,
    /// Subscriptions that cannot be served, with why.
    pub refused: Vec<String>,
}

pub fn wants(subscriptions: &[Subscription], venue_symbols: &[Symbol]) -> Wants {
    let mut wants = Wants::default();
    for subscription in subscriptions {
        let symbols: Vec<Symbol> = match &subscription.symbol {
            Some(symbol) => vec![symbol.clone()],
            None => venue_symbols.to_vec(),
        };
        for symbol in symbols {
            match subscription.stream {
                Stream::Candles(None) => {
                    wants.feed.insert(FeedStream::Bars(symbol, BASE_TIMEFRAME));
                }
                Stream::Candles(Some(timeframe)) if timeframe == BASE_TIMEFRAME => {
                    wants.feed.insert(FeedStream::Bars(symbol, BASE_TIMEFRAME));
                }
                Stream::Candles(Some(timeframe)) if timeframe.as_ms() % BASE_TIMEFRAME.as_ms() == 0 => {
                    wants.feed.insert(FeedStream::Bars(symbol.clone(), BASE_TIMEFRAME));
                    wants.built.insert((symbol, timeframe));
                }
                Stream::Candles(Some(timeframe)) => wants.refused.push(format!(
                    "{symbol} candles {timeframe}: live bars are built from 1-minute bars, so the timeframe must be a whole number of minutes"
                )),
                Stream::Trades => {
                    wants.feed.insert(FeedStream::Trades(symbol));
                }
                Stream::Quotes => {
                    wants.feed.insert(FeedStream::Quotes(symbol));
                }
                Stream::Book(depth) => {
                    wants.feed.insert(FeedStream::Book(symbol, depth));
                }
                Stream::CandleUpdates(None) => {
                    wants.feed.insert(FeedStream::BarUpdates(symbol, BASE_TIMEFRAME));
                }
                Stream::CandleUpdates(Some(timeframe)) if timeframe == BASE_TIMEFRAME => {
                    wants.feed.insert(FeedStream::BarUpdates(symbol, BASE_TIMEFRAME));
                }
                Stream::CandleUpdates(Some(timeframe)) => wants.refused.push(format!(
                    "{symbol} candle updates {timeframe}: live venues stream the bar in progress of 1-minute bars only"
                )),
            }
        }
    }
    wants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(text: &str) -> Symbol {
        Symbol::new(text).unwrap()
    }

    #[test]
    fn stars_resolve_to_the_venues_symbols_and_long_bars_are_built_from_minutes() {
        let subscriptions = [
            Subscription {
                symbol: None,
                stream: Stream::Candles(None),
            },
            Subscription {
                symbol: Some(sym("ETH/USD")),
                stream: Stream::Candles(Some(Timeframe::HOUR)),
            },
            Subscription {
                symbol: Some(sym("ETH/USD")),
                stream: Stream::Trades,
            },
            Subscription {
                symbol: Some(sym("ETH/USD")),
                stream: Stream::Candles(Some(Timeframe::parse("90s").unwrap())),
            },
            Subscription {
                symbol: Some(sym("BTC/USD")),
                stream: Stream::Book(25),
            },
        ];
        let got = wants(&subscriptions, &[sym("BTC/USD"), sym("ETH/USD")]);
        assert_eq!(
            got.feed.into_iter().collect::<Vec<_>>(),
            [
                FeedStream::Trades(sym("ETH/USD")),
                FeedStream::Bars(sym("BTC/USD"), BASE_TIMEFRAME),
                FeedStream::Bars(sym("ETH/USD"), BASE_TIMEFRAME),
                FeedStream::Book(sym("BTC/USD"), 25),
            ]
        );
        assert_eq!(
            got.built.into_iter().collect::<Vec<_>>(),
            [(sym("ETH/USD"), Timeframe::HOUR)]
        );
        assert_eq!(got.refused.len(), 1);
        assert!(got.refused[0].contains("90s"), "{:?}", got.refused);
    }
}
