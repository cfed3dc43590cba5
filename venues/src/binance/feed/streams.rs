//! Which Binance stream carries each of the host's [`FeedStream`]s, and back.

use trading::market::{FeedStream, Timeframe};

use crate::binance::wire::{stream_name, DepthSpeed, StreamKind, SymbolDirectory};

/// Kline intervals Binance serves that are a fixed length (its `1M` is a calendar month).
const KLINE_INTERVALS: &[&str] = &[
    "1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w",
];

/// The Binance stream kind of a timeframe's klines, if Binance serves it.
fn kline(timeframe: Timeframe) -> Option<StreamKind> {
    let text = timeframe.to_string();
    KLINE_INTERVALS
        .contains(&text.as_str())
        .then_some(StreamKind::Kline(text))
}

/// The Binance stream name (`btcusdt@depth@100ms`) that carries `stream`, or `None` for a
/// symbol the directory does not know or a timeframe Binance has no klines of. Closed bars
/// and bars in progress share one kline stream; every book depth of a symbol shares its diff
/// stream.
pub(super) fn binance_stream(symbols: &SymbolDirectory, stream: &FeedStream) -> Option<String> {
    let venue = symbols.venue(stream.symbol())?;
    let kind = match stream {
        FeedStream::Trades(_) => StreamKind::Trade,
        FeedStream::Bars(_, timeframe) | FeedStream::BarUpdates(_, timeframe) => kline(*timeframe)?,
        FeedStream::Quotes(_) => StreamKind::BookTicker,
        FeedStream::Book(..) => StreamKind::Depth(DepthSpeed::Ms100),
    };
    Some(stream_name(&venue, &kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::wire::VenueSymbol;
    use trading::market::Symbol;

    #[test]
    fn host_streams_map_onto_binance_names() {
        let mut symbols = SymbolDirectory::new();
        let btc = symbols
            .insert(VenueSymbol::new("BTCUSDT").unwrap(), "BTC", "USDT")
            .unwrap();
        let cases = [
            (FeedStream::Trades(btc.clone()), Some("btcusdt@trade")),
            (
                FeedStream::Bars(btc.clone(), Timeframe::MINUTE),
                Some("btcusdt@kline_1m"),
            ),
            (
                FeedStream::BarUpdates(btc.clone(), Timeframe::HOUR),
                Some("btcusdt@kline_1h"),
            ),
            (
                FeedStream::Bars(btc.clone(), Timeframe::from_ms(120_000).unwrap()),
                None,
            ),
            (FeedStream::Quotes(btc.clone()), Some("btcusdt@bookTicker")),
            (FeedStream::Book(btc.clone(), 10), Some("btcusdt@depth@100ms")),
            (FeedStream::Trades(Symbol::new("ETH/BTC").unwrap()), None),
        ];
        for (stream, name) in cases {
            assert_eq!(binance_stream(&symbols, &stream).as_deref(), name, "{stream}");
        }
    }
}
