//! Nothing panics on any input: random text, and documented messages with bytes flipped, spans
//! cut or spliced with hostile tokens, and values swapped for other types or dropped. Every
//! parser must return a value or an error, and every depth message goes through a book.
//! (`proptest` catches a panic as a failure.) 11,000 cases in all, as for Kraken.

use proptest::prelude::*;
use serde_json::Value;
use trading::market::Symbol;
use trading::orders::OrderId;
use venues::binance::book::BinanceBook;
use venues::binance::reject::reject_reason;
use venues::binance::signing::{rest_payload, ws_api_payload, Credentials, SigningKey};
use venues::binance::translate;
use venues::binance::wire::{
    parse_depth_snapshot, parse_exchange_info, parse_order, parse_rest_error, parse_server_time, parse_stream,
    parse_ws_api, BinanceError, ErrorKind, StreamKind, StreamMessage, SymbolDirectory, UserDataEvent, VenueSymbol,
    WsApiMessage,
};

use crate::corpus::seeds;
use crate::mutate::{flip_bytes, mutate, replacement, splice, HOSTILE};

fn directory() -> SymbolDirectory {
    let mut symbols = SymbolDirectory::new();
    for (venue, base, quote) in [
        ("BNBBTC", "BNB", "BTC"),
        ("BNBUSDT", "BNB", "USDT"),
        ("ETHBTC", "ETH", "BTC"),
    ] {
        if let Ok(venue) = VenueSymbol::new(venue) {
            let _ = symbols.insert(venue, base, quote);
        }
    }
    symbols
}

/// A book of `symbol`, synced from a small snapshot, with one diff buffered before it.
fn book(symbol: VenueSymbol) -> BinanceBook {
    let mut book = BinanceBook::with_limits(symbol, Symbol::new("X/Y").expect("a symbol"), 8, 16);
    if let Ok(snapshot) = parse_depth_snapshot(r#"{"lastUpdateId":150,"bids":[["1.0","2"]],"asks":[["1.1","3"]]}"#) {
        let _ = book.apply_snapshot(&snapshot);
    }
    book
}

/// Feeds `text` to every parser, and what parses on to what consumes it.
fn exercise(text: &str) {
    let symbols = directory();
    if let Ok(message) = parse_stream(text) {
        match message {
            StreamMessage::Trade(trade) => {
                let _ = (trade.to_trade(&symbols), trade.aggressor());
            }
            StreamMessage::Kline(kline) => {
                let _ = (kline.to_candle(&symbols), kline.to_bar(&symbols));
            }
            StreamMessage::BookTicker(ticker) => {
                let _ = ticker.to_quote(&symbols, 0);
            }
            StreamMessage::Depth(diff) => {
                let mut synced = book(diff.symbol);
                let _ = synced.apply_diff(diff.clone());
                let _ = (synced.best_bid(), synced.best_ask(), synced.snapshot(10, 0));
                // Buffered first, then a snapshot taken over it.
                let mut waiting = BinanceBook::with_limits(diff.symbol, Symbol::new("X/Y").expect("a symbol"), 8, 16);
                let _ = waiting.apply_diff(diff);
                if let Ok(snapshot) = parse_depth_snapshot(r#"{"lastUpdateId":158,"bids":[],"asks":[]}"#) {
                    let _ = waiting.apply_snapshot(&snapshot);
                }
                let _ = waiting.snapshot(1000, 0);
            }
            StreamMessage::Response(_) | StreamMessage::ServerShutdown { .. } | StreamMessage::Unknown { .. } => {}
        }
    }
    match parse_ws_api(text) {
        Ok(WsApiMessage::Response(response)) => {
            let _ = response.outcome_unknown();
            let _ = response.result::<Value>("method");
            if let Err(error) = &response.outcome {
                let _ = (
                    error.error.outcome(),
                    reject_reason(&error.error),
                    error.cancel_replace(),
                );
            }
        }
        Ok(WsApiMessage::ServerShutdown { .. }) => {}
        Ok(WsApiMessage::Event(frame)) => {
            if let UserDataEvent::ExecutionReport(report) = frame.event {
                let _ = (
                    report.trade_id(),
                    report.cancelled_client_order_id(),
                    report.side.to_side(),
                );
                let _ = (translate::report_order_id(&report), translate::fill_key(&report));
                let _ = translate::execution(&report, OrderId::new("h-1"));
            }
        }
        Err(_) => {}
    }
    if let Ok(info) = parse_exchange_info(text) {
        let _ = info.directory();
        for symbol in &info.symbols {
            let _ = (symbol.instrument(), symbol.trading_state());
        }
        for limit in &info.rate_limits {
            let _ = limit.window_ms();
        }
    }
    if let Ok(snapshot) = parse_depth_snapshot(text) {
        if let Ok(symbol) = VenueSymbol::new("BNBBTC") {
            let _ = book(symbol).apply_snapshot(&snapshot);
        }
    }
    if let Ok(order) = parse_order(text) {
        let _ = translate::order_report(&order, OrderId::new("h-1"), 0);
    }
    let _ = parse_server_time(text);
    if let Ok(error) = parse_rest_error(text) {
        let _ = reject_reason(&error);
    }
    let _ = VenueSymbol::new(text);
    let _ = StreamKind::parse(text).suffix();
    for code in [-2010, -1013, -2011, -1021, i64::MIN] {
        let _ = ErrorKind::classify(code, text).outcome();
        let _ = reject_reason(&BinanceError::new(code, text));
    }
    let _ = (
        rest_payload(&[("k", text)]),
        ws_api_payload(&[(text, text), ("a", "b")]),
    );
    let _ = SigningKey::ed25519_pem(text);
    let _ = Credentials::new(text, SigningKey::hmac(text)).sign_rest(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_text(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn json_shaped_text(text in r#"[{}\[\]":,a-zA-Z_0-9.eE+/@ -]{0,80}"#) {
        exercise(&text);
        exercise(&format!(r#"{{"stream":"btcusdt@depth@100ms","data":{text}}}"#));
        exercise(&format!(r#"{{"subscriptionId":0,"event":{text}}}"#));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn flipped_bytes(seed in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let seeds = seeds();
        exercise(&flip_bytes(seed.get(&seeds).as_str(), &flips));
    }

    #[test]
    fn swapped_and_dropped_values(
        seed in any::<prop::sample::Index>(),
        steps in prop::collection::vec(any::<usize>(), 1..6),
        choice in any::<u8>(),
        drop in any::<bool>(),
    ) {
        let seeds = seeds();
        let mut value: Value = serde_json::from_str(seed.get(&seeds).as_str()).unwrap();
        mutate(&mut value, &steps, replacement(choice), drop);
        exercise(&value.to_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn spliced_hostile_tokens(
        seed in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        cut in 0usize..12,
        token in any::<prop::sample::Index>(),
    ) {
        let seeds = seeds();
        exercise(&splice(seed.get(&seeds).as_str(), &at, cut, HOSTILE[token.index(HOSTILE.len())]));
    }
}

#[test]
fn every_seed_parses_somewhere() {
    for seed in seeds() {
        let parsed = parse_stream(&seed).is_ok()
            || parse_ws_api(&seed).is_ok()
            || parse_exchange_info(&seed).is_ok()
            || parse_depth_snapshot(&seed).is_ok()
            || parse_server_time(&seed).is_ok()
            || parse_order(&seed).is_ok()
            || parse_rest_error(&seed).is_ok();
        assert!(parsed, "no parser reads {seed}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [200, 10_000, 200_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        exercise(&nested);
        exercise(&format!(r#"{{"stream":"btcusdt@depth@100ms","data":{nested}}}"#));
        exercise(&format!(r#"{{"stream":"btcusdt@trade","data":{nested}}}"#));
        exercise(&format!(r#"{{"id":1,"status":200,"result":{nested}}}"#));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        exercise(&format!(r#"{{"subscriptionId":0,"event":{objects}}}"#));
        exercise(&format!(
            r#"{{"serverTime":1,"rateLimits":[],"symbols":[{{"filters":[{objects}]}}]}}"#
        ));
    }
}
