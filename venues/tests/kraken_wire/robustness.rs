//! Nothing panics on any input: random text, and real messages with bytes flipped, spans cut
//! or spliced with hostile tokens, and values swapped for other types. Every parser must return
//! a value or an error. (`proptest` catches a panic as a failure.) 11,000 cases in all.

use proptest::prelude::*;
use serde_json::Value;
use trading::market::Symbol;
use venues::kraken::wire::{
    normalize_asset, parse_private, parse_public, parse_rfc3339, rest, ws_symbol, BookDepth, BookPrecision, KrakenBook,
    OrderErrorKind, PublicMessage, Secret,
};

use crate::corpus::{capture_frames, REST_RESPONSES, WS_MESSAGES};
use crate::mutate::{flip_bytes, mutate, replacement, splice, HOSTILE};

/// Every seed: the documented messages, a few captured frames, the REST responses.
fn seeds() -> Vec<String> {
    let frames = capture_frames();
    WS_MESSAGES
        .iter()
        .chain(REST_RESPONSES)
        .map(|s| (*s).to_owned())
        .chain(frames.iter().take(5).cloned())
        .chain(frames.last().cloned())
        .collect()
}

/// Feeds `text` to every parser; book messages also go through a book (after its snapshot).
fn exercise(text: &str) {
    let _ = parse_private(text);
    let _ = rest::parse_websockets_token(text);
    let _ = rest::parse_add_order(text);
    let _ = rest::parse_query_orders(text);
    let _ = rest::parse_open_orders(text);
    let _ = rest::parse_trades_history(text);
    // A pair that parsed still has to make a trading rule or say why not.
    for pair in rest::parse_asset_pairs(text).unwrap_or_default() {
        let _ = pair.instrument();
    }
    let _ = parse_rfc3339(text);
    let _ = ws_symbol(text);
    let _ = normalize_asset(text);
    let _ = OrderErrorKind::classify(text).outcome();
    let _ = Secret::from_base64(text);
    if let Ok(PublicMessage::Book(feed)) = parse_public(text) {
        for precision in [
            BookPrecision::new(1, 8),
            BookPrecision::new(0, 0),
            BookPrecision::new(28, 28),
        ] {
            let Ok(precision) = precision else { continue };
            for data in &feed.data {
                let mut book = KrakenBook::new(data.symbol.clone(), BookDepth::D10, precision);
                let _ = book.apply_snapshot(data);
                let _ = book.apply_update(data);
                let _ = (book.best_bid(), book.best_ask(), book.checksum());
            }
        }
        let mut other = KrakenBook::new(
            Symbol::new("ETH/USD").unwrap(),
            BookDepth::D1000,
            BookPrecision::new(1, 8).unwrap(),
        );
        for data in &feed.data {
            let _ = other.apply(feed.kind, data);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_text(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn json_shaped_text(text in r#"[{}\[\]":,a-z_0-9.eE+/ -]{0,80}"#) {
        exercise(&text);
        exercise(&format!(r#"{{"channel":"book","type":"update","data":{text}}}"#));
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
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [200, 10_000, 200_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        exercise(&nested);
        exercise(&format!(r#"{{"channel":"book","type":"update","data":{nested}}}"#));
        exercise(&format!(r#"{{"method":"add_order","success":true,"result":{nested}}}"#));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        exercise(&format!(
            r#"{{"channel":"executions","type":"update","data":{objects}}}"#
        ));
        exercise(&format!(r#"{{"error":[],"result":{objects}}}"#));
    }
}
