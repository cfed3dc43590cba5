//! What one public connection knows about the market, and how Kraken's messages become the
//! host's normalized events: pure, so every rule is tested without a socket.
//!
//! - `trade` → one [`Trade`] per trade, the taker's side as the aggressor.
//! - `ticker` → a [`Quote`] of the best bid and ask.
//! - `ohlc` → closed bars only. Kraken re-sends the open candle each time it changes; a
//!   candle is closed when a later one begins, or when the exchange's own clock (the latest
//!   timestamp any message carried) passes its end. A reconnect's snapshot closes the candle
//!   that was open when the connection dropped, with its final values.
//! - `book` → applied to the local book and checked against Kraken's CRC32 on every message; a
//!   mismatch asks for a resubscription of that book and drops it until the new snapshot.
//! - `instrument` → each pair's precisions (the checksum prints with them).

use std::collections::{BTreeMap, BTreeSet};

use trading::market::{
    BarUpdate, BookLevel, BookSnapshot, Candle, MarketEvent, Quote, Symbol, TimeMs, Timeframe, Trade,
};

use crate::kraken::wire::{
    BookData, BookDepth, BookError, BookPrecision, Feed, FeedKind, KrakenBook, OhlcData, PairInfo, TickerData,
    TradeData,
};

/// What the connection must do after a message, besides delivering events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resync {
    /// The book of this symbol failed its checksum (or could not be applied): subscribe again.
    Book { symbol: Symbol, reason: ResyncReason },
}

/// Why a book is resynchronized, the `reason` label of `strategy_host_book_resyncs_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResyncReason {
    Checksum,
    /// An update before a snapshot, or a message the book refused.
    Sequence,
}

impl ResyncReason {
    pub(super) fn label(self) -> &'static str {
        match self {
            ResyncReason::Checksum => "checksum",
            ResyncReason::Sequence => "sequence",
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct MarketState {
    precisions: BTreeMap<Symbol, BookPrecision>,
    books: BTreeMap<Symbol, KrakenBook>,
    /// The candle in progress, per symbol and interval.
    open_candles: BTreeMap<(Symbol, u32), Candle>,
    /// The latest exchange time any message carried: the venue's clock, as far as it is known.
    exchange_now_ms: Option<TimeMs>,
}

impl MarketState {
    /// After a reconnect: books are rebuilt from new snapshots; open candles are kept, so the
    /// new snapshot can close them with their final values.
    pub(super) fn reset_books(&mut self) {
        self.books.clear();
    }

    pub(super) fn precision(&self, symbol: &Symbol) -> Option<BookPrecision> {
        self.precisions.get(symbol).copied()
    }

    /// Starts a book of `depth` for `symbol` (before its subscription is sent).
    ///
    /// # Errors
    ///
    /// `false` when the pair's precisions are not known yet (the instrument snapshot did not
    /// come): the book cannot be checked, so it is not subscribed.
    pub(super) fn expect_book(&mut self, symbol: &Symbol, depth: BookDepth) -> bool {
        let Some(precision) = self.precision(symbol) else {
            return false;
        };
        self.books
            .insert(symbol.clone(), KrakenBook::new(symbol.clone(), depth, precision));
        true
    }

    pub(super) fn forget_book(&mut self, symbol: &Symbol) {
        self.books.remove(symbol);
    }

    pub(super) fn on_instrument(&mut self, pairs: &[PairInfo]) {
        for pair in pairs {
            if let Ok(precision) = BookPrecision::of_pair(pair) {
                self.precisions.insert(pair.symbol.clone(), precision);
            }
        }
    }

    pub(super) fn on_trades(&mut self, trades: &[TradeData], out: &mut Vec<MarketEvent>) {
        for trade in trades {
            self.observe(trade.timestamp);
            out.push(MarketEvent::Trade(Trade {
                symbol: trade.symbol.clone(),
                time_ms: trade.timestamp,
                price: trade.price,
                qty: trade.qty,
                aggressor: trade.side,
            }));
        }
        self.close_due_candles(out);
    }

    pub(super) fn on_tickers(&mut self, tickers: &[TickerData], out: &mut Vec<MarketEvent>) {
        for ticker in tickers {
            if let Some(time_ms) = ticker.timestamp {
                self.observe(time_ms);
            }
            let Some(time_ms) = ticker.timestamp.or(self.exchange_now_ms) else {
                // A quote needs a time; the first messages of a connection always carry one.
                continue;
            };
            out.push(MarketEvent::Quote(Quote {
                symbol: ticker.symbol.clone(),
                time_ms,
                bid: ticker.bid,
                bid_qty: ticker.bid_qty,
                ask: ticker.ask,
                ask_qty: ticker.ask_qty,
            }));
        }
    }

    /// Candles of one message, in time order per symbol: the closed bars go to `out`, and so
    /// does each change of the bar in progress where `updates` wants it (symbol, interval).
    pub(super) fn on_ohlc(
        &mut self,
        feed: &Feed<Vec<OhlcData>>,
        updates: &BTreeSet<(Symbol, u32)>,
        out: &mut Vec<MarketEvent>,
    ) {
        let mut candles: Vec<&OhlcData> = feed.data.iter().collect();
        candles.sort_by_key(|c| (c.symbol.clone(), c.interval, c.interval_begin));
        for data in candles {
            if let Some(time_ms) = data.timestamp {
                self.observe(time_ms);
            }
            let Some(timeframe) = Timeframe::from_ms(i64::from(data.interval) * 60_000) else {
                continue;
            };
            let key = (data.symbol.clone(), data.interval);
            let candle = Candle {
                symbol: data.symbol.clone(),
                timeframe,
                open_time_ms: data.interval_begin,
                open: data.open,
                high: data.high,
                low: data.low,
                close: data.close,
                volume: data.volume,
            };
            let changed = match self.open_candles.get_mut(&key) {
                // An older candle than the open one (a snapshot's history): already delivered
                // or never ours.
                Some(open) if data.interval_begin < open.open_time_ms => false,
                Some(open) if data.interval_begin == open.open_time_ms => {
                    *open = candle;
                    true
                }
                Some(open) => {
                    let closed = std::mem::replace(open, candle);
                    out.push(MarketEvent::Candle(closed));
                    true
                }
                None => {
                    // The first candle of a stream: a snapshot's older entries are history the
                    // strategy did not subscribe to; only the newest is taken, as the open one.
                    self.open_candles.insert(key.clone(), candle);
                    true
                }
            };
            if changed && updates.contains(&key) {
                let time_ms = data.timestamp.or(self.exchange_now_ms).unwrap_or(data.interval_begin);
                if let Some(open) = self.open_candles.get(&key) {
                    out.push(MarketEvent::CandleUpdate(Box::new(BarUpdate {
                        candle: open.clone(),
                        time_ms,
                    })));
                }
            }
        }
        self.close_due_candles(out);
    }

    /// The top `depth` levels of a symbol's book, as the stream of that depth publishes them.
    pub(super) fn book_snapshot(&self, symbol: &Symbol, depth: u16, time_ms: Option<TimeMs>) -> Option<BookSnapshot> {
        let book = self.books.get(symbol)?;
        let levels = |side: &mut dyn Iterator<Item = (rust_decimal::Decimal, rust_decimal::Decimal)>| {
            side.take(usize::from(depth))
                .map(|(price, qty)| BookLevel { price, qty })
                .collect()
        };
        Some(BookSnapshot {
            symbol: symbol.clone(),
            time_ms: time_ms.or(self.exchange_now_ms)?,
            depth,
            bids: levels(&mut book.bids()),
            asks: levels(&mut book.asks()),
        })
    }

    /// Applies one book message; verified against its checksum.
    pub(super) fn on_book(&mut self, kind: FeedKind, books: &[BookData]) -> Vec<Resync> {
        let mut resyncs = Vec::new();
        for data in books {
            if let Some(time_ms) = data.timestamp {
                self.observe(time_ms);
            }
            let Some(book) = self.books.get_mut(&data.symbol) else {
                continue;
            };
            if let Err(error) = book.apply(kind, data) {
                let reason = match error {
                    BookError::ChecksumMismatch { .. } => ResyncReason::Checksum,
                    _ => ResyncReason::Sequence,
                };
                tracing::warn!(symbol = %data.symbol, %error, "book out of sync: resubscribing");
                self.books.remove(&data.symbol);
                resyncs.push(Resync::Book {
                    symbol: data.symbol.clone(),
                    reason,
                });
            }
        }
        resyncs
    }

    /// A heartbeat or any message moves nothing but the clock; bars close on the exchange's
    /// time, not the host's, so a replayed or accelerated venue closes them right too.
    fn observe(&mut self, time_ms: TimeMs) {
        self.exchange_now_ms = Some(self.exchange_now_ms.map_or(time_ms, |now| now.max(time_ms)));
    }

    fn close_due_candles(&mut self, out: &mut Vec<MarketEvent>) {
        let Some(now) = self.exchange_now_ms else {
            return;
        };
        let due: Vec<(Symbol, u32)> = self
            .open_candles
            .iter()
            .filter(|(_, open)| open.close_time_ms() <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            if let Some(open) = self.open_candles.remove(&key) {
                out.push(MarketEvent::Candle(open));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kraken::wire::{parse_public, PublicMessage};

    fn ohlc(state: &mut MarketState, text: &str) -> Vec<MarketEvent> {
        let Ok(PublicMessage::Ohlc(feed)) = parse_public(text) else {
            panic!("not an ohlc message: {text}")
        };
        let mut out = Vec::new();
        state.on_ohlc(&feed, &BTreeSet::new(), &mut out);
        out
    }

    fn candle_msg(kind: &str, begin_minute: u32, close: &str, timestamp_s: &str) -> String {
        format!(
            r#"{{"channel":"ohlc","type":"{kind}","data":[{{"symbol":"BTC/USD","open":100.0,"high":101.5,"low":99.0,"close":{close},"trades":3,"volume":1.25000000,"vwap":100.2,"interval_begin":"2024-01-01T00:{begin_minute:02}:00.000000000Z","interval":1,"timestamp":"2024-01-01T00:{timestamp_s}Z"}}]}}"#
        )
    }

    #[test]
    fn the_open_candle_is_held_until_a_later_one_begins_or_the_exchange_clock_passes_it() {
        let mut state = MarketState::default();
        assert!(ohlc(&mut state, &candle_msg("snapshot", 0, "100.5", "00:10.000000")).is_empty());
        assert!(ohlc(&mut state, &candle_msg("update", 0, "100.7", "00:40.000000")).is_empty());
        // Minute 1 begins: minute 0 is closed with its last values.
        let out = ohlc(&mut state, &candle_msg("update", 1, "101.0", "01:02.000000"));
        let [MarketEvent::Candle(closed)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(
            (
                closed.open_time_ms,
                closed.close.to_string(),
                closed.volume.to_string(),
                closed.timeframe.to_string()
            ),
            (
                1_704_067_200_000,
                "100.7".to_owned(),
                "1.25000000".to_owned(),
                "1m".to_owned()
            )
        );
        // A trade stamped after minute 1's end closes it without another candle message.
        let mut out = Vec::new();
        let Ok(PublicMessage::Trade(trades)) = parse_public(
            r#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":101.1,"qty":0.5,"ord_type":"market","trade_id":7,"timestamp":"2024-01-01T00:02:00.500000Z"}]}"#,
        ) else {
            panic!()
        };
        state.on_trades(&trades.data, &mut out);
        let closed: Vec<_> = out
            .iter()
            .filter_map(|e| match e {
                MarketEvent::Candle(c) => Some(c.open_time_ms),
                _ => None,
            })
            .collect();
        assert_eq!(closed, [1_704_067_260_000]);
        assert!(matches!(&out[0], MarketEvent::Trade(t) if t.aggressor == trading::market::Side::Sell));
    }

    #[test]
    fn a_reconnect_snapshot_closes_the_candle_open_at_the_drop_with_its_final_values() {
        let mut state = MarketState::default();
        ohlc(&mut state, &candle_msg("update", 5, "100.1", "05:10.000000"));
        // After the reconnect the snapshot has minute 5 (final) and minute 6 (open): minute 5
        // closes with the snapshot's values, never with the stale ones.
        let text = r#"{"channel":"ohlc","type":"snapshot","data":[
            {"symbol":"BTC/USD","open":100.0,"high":103.0,"low":99.0,"close":102.9,"trades":9,"volume":2.0,"vwap":101.0,"interval_begin":"2024-01-01T00:05:00.000000000Z","interval":1,"timestamp":"2024-01-01T00:05:59.000000Z"},
            {"symbol":"BTC/USD","open":102.9,"high":103.0,"low":102.0,"close":102.5,"trades":1,"volume":0.1,"vwap":102.5,"interval_begin":"2024-01-01T00:06:00.000000000Z","interval":1,"timestamp":"2024-01-01T00:06:01.000000Z"}]}"#;
        let out = ohlc(&mut state, text);
        let [MarketEvent::Candle(closed)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(
            (closed.close.to_string(), closed.high.to_string()),
            ("102.9".to_owned(), "103.0".to_owned())
        );
    }

    #[test]
    fn a_corrupted_checksum_drops_the_book_and_asks_for_a_resync() {
        let mut state = MarketState::default();
        state
            .precisions
            .insert(Symbol::new("BTC/USD").unwrap(), BookPrecision::new(1, 8).unwrap());
        let btc = Symbol::new("BTC/USD").unwrap();
        assert!(state.expect_book(&btc, BookDepth::D10));
        let capture: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/kraken/book-v2-btcusd-capture.json"
        )))
        .unwrap();
        let snapshot = capture["init"].to_string();
        let Ok(PublicMessage::Book(feed)) = parse_public(&snapshot) else {
            panic!("the capture's snapshot does not parse")
        };
        assert!(
            state.on_book(feed.kind, &feed.data).is_empty(),
            "the captured snapshot verifies"
        );
        assert!(state.books.get(&btc).is_some_and(|b| b.best_bid().is_some()));
        let top = state.book_snapshot(&btc, 3, Some(5)).unwrap();
        assert_eq!((top.bids.len(), top.asks.len(), top.depth, top.time_ms), (3, 3, 3, 5));
        assert!(top.bids[0].price > top.bids[1].price && top.asks[0].price < top.asks[1].price);
        assert_eq!(top.bids[0].price.to_string(), "29430.2");
        let mut corrupted = feed.clone();
        corrupted.kind = FeedKind::Update;
        corrupted.data[0].checksum ^= 1;
        let resyncs = state.on_book(corrupted.kind, &corrupted.data);
        assert_eq!(
            resyncs,
            [Resync::Book {
                symbol: btc.clone(),
                reason: ResyncReason::Checksum
            }]
        );
        assert!(!state.books.contains_key(&btc), "the broken book is dropped");
    }
}

#[cfg(test)]
mod update_tests {
    use super::*;
    use crate::kraken::wire::{parse_public, PublicMessage};

    #[test]
    fn bars_in_progress_are_emitted_only_where_wanted() {
        let text = r#"{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":100.0,"high":101.0,"low":99.0,"close":100.5,"trades":2,"volume":0.5,"vwap":100.1,"interval_begin":"2024-01-01T00:00:00.000000000Z","interval":1,"timestamp":"2024-01-01T00:00:20.000000Z"}]}"#;
        let Ok(PublicMessage::Ohlc(feed)) = parse_public(text) else {
            panic!()
        };
        let btc = Symbol::new("BTC/USD").unwrap();
        let mut state = MarketState::default();
        let mut out = Vec::new();
        state.on_ohlc(&feed, &BTreeSet::new(), &mut out);
        assert!(out.is_empty());
        let wanted = BTreeSet::from([(btc, 1)]);
        state.on_ohlc(&feed, &wanted, &mut out);
        let [MarketEvent::CandleUpdate(update)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(
            (update.time_ms, update.candle.close.to_string()),
            (1_704_067_220_000, "100.5".to_owned())
        );
    }
}
