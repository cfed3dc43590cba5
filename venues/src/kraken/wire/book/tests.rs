//! The book against the captured session and hand-built cases: checksums, truncation, deletions, failures.

use super::*;
use crate::kraken::wire::{book_checksum, parse_public, PublicMessage};
use serde_json::value::RawValue;

const CAPTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/kraken/book-v2-btcusd-capture.json"
));

/// The capture's messages as their original text (read raw, so no number goes through `f64`).
fn capture() -> (String, Vec<String>) {
    #[derive(serde::Deserialize)]
    struct Capture<'a> {
        #[serde(borrow)]
        init: &'a RawValue,
        #[serde(borrow)]
        updates: Vec<&'a RawValue>,
    }
    let capture: Capture<'_> = serde_json::from_str(CAPTURE).unwrap();
    (
        capture.init.get().to_owned(),
        capture.updates.iter().map(|u| u.get().to_owned()).collect(),
    )
}

fn book_data(text: &str) -> (FeedKind, BookData) {
    match parse_public(text).unwrap() {
        PublicMessage::Book(mut feed) => (feed.kind, feed.data.remove(0)),
        other => panic!("not a book message: {other:?}"),
    }
}

fn btc_book(depth: BookDepth) -> KrakenBook {
    KrakenBook::new(
        Symbol::new("BTC/USD").unwrap(),
        depth,
        BookPrecision::new(1, 8).unwrap(),
    )
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn level(price: &str, qty: &str) -> PriceLevel {
    PriceLevel {
        price: d(price),
        qty: d(qty),
    }
}

fn data(bids: Vec<PriceLevel>, asks: Vec<PriceLevel>, checksum: u32) -> BookData {
    BookData {
        symbol: Symbol::new("BTC/USD").unwrap(),
        bids,
        asks,
        checksum,
        timestamp: None,
    }
}

#[test]
fn every_checksum_of_the_captured_session_verifies() {
    let (init, updates) = capture();
    assert_eq!(updates.len(), 509);
    let mut book = btc_book(BookDepth::D10);
    let (kind, snapshot) = book_data(&init);
    assert_eq!(kind, FeedKind::Snapshot);
    book.apply(kind, &snapshot).unwrap();
    for (i, text) in updates.iter().enumerate() {
        let (kind, update) = book_data(text);
        assert_eq!(kind, FeedKind::Update);
        book.apply(kind, &update).unwrap_or_else(|e| panic!("update {i}: {e}"));
        assert!(book.bids().len() <= 10 && book.asks().len() <= 10);
    }
    assert!(book.is_synced());
    let (bid, ask) = (book.best_bid().unwrap(), book.best_ask().unwrap());
    assert!(bid.0 < ask.0, "crossed book: {bid:?} {ask:?}");
}

#[test]
fn a_corrupted_checksum_fails_and_the_book_waits_for_a_snapshot() {
    let (init, updates) = capture();
    let mut book = btc_book(BookDepth::D10);
    let (_, snapshot) = book_data(&init);
    book.apply_snapshot(&snapshot).unwrap();
    let (_, mut update) = book_data(&updates[0]);
    let expected = update.checksum;
    update.checksum ^= 1;
    let error = book.apply_update(&update).unwrap_err();
    assert_eq!(
        error,
        BookError::ChecksumMismatch {
            symbol: snapshot.symbol.clone(),
            expected: expected ^ 1,
            computed: expected
        }
    );
    assert!(!book.is_synced());
    let (_, next) = book_data(&updates[1]);
    assert_eq!(
        book.apply_update(&next),
        Err(BookError::AwaitingSnapshot {
            symbol: snapshot.symbol.clone()
        })
    );
    // A new snapshot brings it back.
    book.apply_snapshot(&snapshot).unwrap();
    assert!(book.is_synced());
}

#[test]
fn each_side_is_truncated_to_the_subscribed_depth() {
    let mut book = btc_book(BookDepth::D10);
    let bids: Vec<_> = (0..10).map(|i| level(&format!("{}.0", 100 - i), "1")).collect();
    let asks: Vec<_> = (0..10).map(|i| level(&format!("{}.0", 200 + i), "1")).collect();
    let levels = |side: &[PriceLevel]| side.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>();
    let precision = book.precision();
    let checksum = book_checksum(&levels(&asks), &levels(&bids), precision).unwrap();
    book.apply_snapshot(&data(bids.clone(), asks.clone(), checksum))
        .unwrap();

    // A better bid pushes the worst (91) out; Kraken sends no deletion for it.
    let mut expected_bids = bids.clone();
    expected_bids.insert(0, level("100.5", "2"));
    expected_bids.truncate(10);
    let checksum = book_checksum(&levels(&asks), &levels(&expected_bids), precision).unwrap();
    book.apply_update(&data(vec![level("100.5", "2")], vec![], checksum))
        .unwrap();
    assert_eq!(book.bids().collect::<Vec<_>>(), levels(&expected_bids));
    assert_eq!(book.best_bid(), Some((d("100.5"), d("2"))));
    assert_eq!(book.bids().last(), Some((d("92.0"), d("1"))));

    // Deleting a level leaves nine: the pushed-out one does not come back.
    expected_bids.remove(1);
    let checksum = book_checksum(&levels(&asks), &levels(&expected_bids), precision).unwrap();
    book.apply_update(&data(vec![level("100", "0")], vec![], checksum))
        .unwrap();
    assert_eq!(book.bids().len(), 9);
}

#[test]
fn zero_deletes_and_equal_prices_of_another_scale_are_the_same_level() {
    let mut book = btc_book(BookDepth::D25);
    let snapshot = data(vec![level("10.0", "1")], vec![level("11.0", "1")], 0);
    let checksum = book_checksum(&[(d("11.0"), d("1"))], &[(d("10.0"), d("1"))], book.precision()).unwrap();
    book.apply_snapshot(&BookData { checksum, ..snapshot }).unwrap();
    // `11` is the level `11.0`; deleting an absent level (12) is not an error.
    let checksum = book_checksum(&[(d("11"), d("3"))], &[], book.precision()).unwrap();
    book.apply_update(&data(
        vec![level("10", "0")],
        vec![level("11", "3"), level("12", "0")],
        checksum,
    ))
    .unwrap();
    assert_eq!(book.asks().collect::<Vec<_>>(), vec![(d("11"), d("3"))]);
    assert_eq!(book.best_bid(), None);
}

#[test]
fn wrong_symbol_early_updates_and_bad_levels_are_errors() {
    let mut book = btc_book(BookDepth::D10);
    let update = data(vec![], vec![], 0);
    assert!(matches!(
        book.apply_update(&update),
        Err(BookError::AwaitingSnapshot { .. })
    ));
    let other = BookData {
        symbol: Symbol::new("ETH/USD").unwrap(),
        ..data(vec![], vec![], 0)
    };
    assert!(matches!(
        book.apply_snapshot(&other),
        Err(BookError::WrongSymbol { .. })
    ));
    let too_precise = data(vec![level("10.25", "1")], vec![], 0);
    assert!(matches!(
        book.apply_snapshot(&too_precise),
        Err(BookError::InvalidLevel { .. })
    ));
    assert!(!book.is_synced());
    let negative = data(vec![level("10", "-1")], vec![], 0);
    assert!(matches!(
        book.apply_snapshot(&negative),
        Err(BookError::InvalidLevel { .. })
    ));
    assert!(matches!(BookPrecision::new(29, 8), Err(BookError::Precision { .. })));
}

#[test]
fn depths_are_krakens() {
    for levels in [10, 25, 100, 500, 1000] {
        assert_eq!(BookDepth::from_levels(levels).map(BookDepth::levels), Some(levels));
    }
    assert_eq!(BookDepth::from_levels(20), None);
}
