//! Kraken's market data as the host's normalized model ([`trading::market`]): trades, quotes
//! and candles. Times Kraken does not send (a ticker's, usually) are the caller's to give.

use trading::market::{Candle, Quote, Symbol, TimeMs, Timeframe, Trade};

use super::book::KrakenBook;
use super::public::{OhlcData, TickerData, TradeData};

impl TradeData {
    /// The trade as the host's [`Trade`] (the aggressor is Kraken's taker side).
    pub fn to_trade(&self) -> Trade {
        Trade {
            symbol: self.symbol.clone(),
            time_ms: self.timestamp,
            price: self.price,
            qty: self.qty,
            aggressor: self.side,
        }
    }
}

impl TickerData {
    /// The best bid and offer as a [`Quote`], at the ticker's own time if it carries one, else
    /// at `received_ms`.
    pub fn to_quote(&self, received_ms: TimeMs) -> Quote {
        Quote {
            symbol: self.symbol.clone(),
            time_ms: self.timestamp.unwrap_or(received_ms),
            bid: self.bid,
            bid_qty: self.bid_qty,
            ask: self.ask,
            ask_qty: self.ask_qty,
        }
    }
}

impl OhlcData {
    /// The candle as the host's [`Candle`], or `None` if its interval is no [`Timeframe`].
    pub fn to_candle(&self) -> Option<Candle> {
        let timeframe = Timeframe::from_ms(i64::from(self.interval).checked_mul(60_000)?)?;
        Some(Candle {
            symbol: self.symbol.clone(),
            timeframe,
            open_time_ms: self.interval_begin,
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        })
    }
}

impl KrakenBook {
    /// The top of the book as a [`Quote`] at `time_ms` (the last `book` message's timestamp),
    /// if both sides have a level and the book is synced.
    pub fn quote(&self, time_ms: TimeMs) -> Option<Quote> {
        let ((bid, bid_qty), (ask, ask_qty)) = (self.best_bid()?, self.best_ask()?);
        self.is_synced().then(|| Quote {
            symbol: Symbol::clone(self.symbol()),
            time_ms,
            bid,
            bid_qty,
            ask,
            ask_qty,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::kraken::wire::{parse_public, PublicMessage};

    #[test]
    fn market_data_normalizes() {
        let trade = r#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":105910.50,
            "qty":0.00012460,"ord_type":"market","trade_id":1,"timestamp":"2023-10-06T17:35:56.123456Z"}]}"#;
        let Ok(PublicMessage::Trade(feed)) = parse_public(trade) else {
            panic!()
        };
        let t = feed.data[0].to_trade();
        assert_eq!(
            (t.symbol.as_str(), t.time_ms, t.price.to_string(), t.aggressor),
            (
                "BTC/USD",
                1_696_613_756_123,
                "105910.50".into(),
                trading::market::Side::Sell
            )
        );

        let ohlc = r#"{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":5,
            "interval_begin":"2023-10-04T16:25:00Z","open":1,"high":2,"low":0.5,"close":1.5,"volume":10,"vwap":1.2,"trades":3}]}"#;
        let Ok(PublicMessage::Ohlc(feed)) = parse_public(ohlc) else {
            panic!()
        };
        let candle = feed.data[0].to_candle().unwrap();
        assert_eq!(
            (candle.timeframe.as_ms(), candle.open_time_ms),
            (300_000, 1_696_436_700_000)
        );

        let ticker = r#"{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,
            "ask_qty":4,"last":2,"volume":1,"vwap":2,"low":1,"high":3,"change":0,"change_pct":0}]}"#;
        let Ok(PublicMessage::Ticker(feed)) = parse_public(ticker) else {
            panic!()
        };
        assert_eq!(feed.data[0].to_quote(42).time_ms, 42);
    }
}
