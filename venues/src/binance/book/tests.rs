//! The documented procedure, step by step: buffering, the straddle, stale snapshots, sequence gaps, absolute levels, bounds.

use super::*;
use crate::binance::wire::{parse_depth_snapshot, parse_stream, StreamMessage};

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn venue() -> VenueSymbol {
    VenueSymbol::new("BNBBTC").unwrap()
}

fn book() -> BinanceBook {
    BinanceBook::new(venue(), Symbol::new("BNB/BTC").unwrap())
}

fn level(price: &str, qty: &str) -> PriceLevel {
    PriceLevel(d(price), d(qty))
}

fn diff(first: u64, last: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> DepthUpdate {
    DepthUpdate {
        event_time: i64::try_from(last).unwrap(),
        symbol: venue(),
        first_update_id: first,
        final_update_id: last,
        bids: bids.iter().map(|(p, q)| level(p, q)).collect(),
        asks: asks.iter().map(|(p, q)| level(p, q)).collect(),
    }
}

fn snapshot(id: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> DepthSnapshot {
    DepthSnapshot {
        last_update_id: id,
        bids: bids.iter().map(|(p, q)| level(p, q)).collect(),
        asks: asks.iter().map(|(p, q)| level(p, q)).collect(),
    }
}

/// A side's levels as (price, qty) text, best first.
type Levels = Vec<(String, String)>;

fn levels(book: &BinanceBook) -> (Levels, Levels) {
    let snap = book.snapshot(100, 0).expect("synced");
    let text = |side: &[trading::market::BookLevel]| {
        side.iter()
            .map(|l| (l.price.to_string(), l.qty.to_string()))
            .collect::<Vec<_>>()
    };
    (text(&snap.bids), text(&snap.asks))
}

fn pairs(items: &[(&str, &str)]) -> Levels {
    items.iter().map(|(p, q)| ((*p).to_owned(), (*q).to_owned())).collect()
}

#[test]
fn the_documented_fixtures_make_a_book() {
    let snap = parse_depth_snapshot(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/binance/rest_depth_snapshot.json"
    )))
    .unwrap();
    let StreamMessage::Depth(update) = parse_stream(&format!(
        r#"{{"stream":"bnbbtc@depth@100ms","data":{}}}"#,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/binance/ws_depthUpdate.json"
        ))
    ))
    .unwrap() else {
        panic!("not a depth update")
    };
    // The fixtures are unrelated examples (snapshot 1027024, diff 157..=160): the diff is older.
    let mut book = book();
    assert_eq!(book.apply_diff(update.clone()).unwrap(), Applied::Buffered);
    assert_eq!(
        book.apply_snapshot(&snap),
        Applied::Synced {
            last_update_id: 1_027_024,
            applied: 0
        }
    );
    assert_eq!(book.best_bid(), Some(level("4.00000000", "431.00000000")));
    assert_eq!(book.best_ask(), Some(level("4.00000200", "12.00000000")));
    assert_eq!(book.apply_diff(update).unwrap(), Applied::Stale);
}

#[test]
fn buffered_diffs_covered_by_the_snapshot_are_dropped_and_the_rest_applied() {
    let mut book = book();
    for d in [
        diff(95, 99, &[("10", "1")], &[]),
        diff(100, 104, &[("10", "2")], &[]),
        diff(105, 107, &[("9", "5")], &[("12", "0")]),
    ] {
        assert_eq!(book.apply_diff(d).unwrap(), Applied::Buffered);
    }
    assert!(!book.is_synced() && book.snapshot(5, 0).is_none() && book.best_bid().is_none());
    // lastUpdateId 102 lies inside the second diff's [100; 104]: it straddles.
    let applied = book.apply_snapshot(&snapshot(102, &[("10", "1.5")], &[("12", "3"), ("13", "4")]));
    assert_eq!(
        applied,
        Applied::Synced {
            last_update_id: 107,
            applied: 2
        }
    );
    assert_eq!(
        levels(&book),
        (pairs(&[("10", "2"), ("9", "5")]), pairs(&[("13", "4")]))
    );
    assert_eq!(book.snapshot(1, 0).unwrap().time_ms, 107);
}

#[test]
fn a_snapshot_older_than_the_stream_asks_for_another() {
    let mut book = book();
    book.apply_diff(diff(200, 210, &[("10", "1")], &[])).unwrap();
    assert_eq!(
        book.apply_snapshot(&snapshot(150, &[("10", "9")], &[])),
        Applied::Resync(ResyncReason::StaleSnapshot {
            last_update_id: 150,
            first_update_id: 200
        })
    );
    assert!(!book.is_synced());
    assert_eq!(book.buffered(), 1, "the diffs wait for the next snapshot");
    // A snapshot that ends exactly before the diff continues it: no gap.
    assert_eq!(
        book.apply_snapshot(&snapshot(199, &[("10", "9")], &[])),
        Applied::Synced {
            last_update_id: 210,
            applied: 1
        }
    );
    assert_eq!(levels(&book).0, pairs(&[("10", "1")]));
}

#[test]
fn a_sequence_gap_discards_the_book_and_a_new_snapshot_resyncs_it() {
    let mut book = book();
    book.apply_snapshot(&snapshot(100, &[("10", "1")], &[("11", "1")]));
    assert_eq!(
        book.apply_diff(diff(101, 103, &[("10", "2")], &[])).unwrap(),
        Applied::Updated { last_update_id: 103 }
    );
    assert_eq!(
        book.apply_diff(diff(90, 103, &[("10", "7")], &[])).unwrap(),
        Applied::Stale
    );
    // 104 and 105 never arrive.
    let gap = book.apply_diff(diff(106, 108, &[("10", "3")], &[])).unwrap();
    assert_eq!(
        gap,
        Applied::Resync(ResyncReason::SequenceGap {
            expected: 104,
            first_update_id: 106,
            final_update_id: 108
        })
    );
    if let Applied::Resync(reason) = gap {
        assert_eq!(reason.label(), "sequence_gap");
    }
    assert!(book.is_empty() && !book.is_synced());
    assert_eq!(
        book.apply_diff(diff(109, 110, &[], &[("11", "5")])).unwrap(),
        Applied::Buffered
    );
    assert_eq!(
        book.apply_snapshot(&snapshot(107, &[("10", "4")], &[("11", "1")])),
        Applied::Synced {
            last_update_id: 110,
            applied: 2
        }
    );
    assert_eq!(levels(&book), (pairs(&[("10", "3")]), pairs(&[("11", "5")])));
}

#[test]
fn levels_are_set_absolutely_sorted_and_deleted_at_zero() {
    let mut book = book();
    book.apply_snapshot(&snapshot(1, &[("10", "1"), ("9", "1")], &[("11", "1"), ("12", "1")]));
    let update = diff(
        2,
        2,
        &[("9.5", "2"), ("10", "0"), ("8", "3"), ("7", "0")],
        &[("10.5", "1"), ("12", "0.0"), ("13", "2")],
    );
    book.apply_diff(update).unwrap();
    assert_eq!(
        levels(&book),
        (
            pairs(&[("9.5", "2"), ("9", "1"), ("8", "3")]),
            pairs(&[("10.5", "1"), ("11", "1"), ("13", "2")])
        )
    );
    assert_eq!(book.len(), (3, 3));
    assert_eq!(book.snapshot(2, 0).unwrap().bids.len(), 2);
}

#[test]
fn invalid_levels_and_other_symbols_are_refused() {
    let mut book = book();
    book.apply_snapshot(&snapshot(1, &[("10", "1")], &[]));
    let mut other = diff(2, 2, &[], &[]);
    other.symbol = VenueSymbol::new("ETHBTC").unwrap();
    assert!(matches!(book.apply_diff(other), Err(BookError::WrongSymbol { .. })));
    assert!(book.is_synced());
    let negative = book.apply_diff(diff(2, 2, &[("10", "-1")], &[])).unwrap();
    assert!(matches!(negative, Applied::Resync(ResyncReason::InvalidLevel { .. })));
    assert!(!book.is_synced());
    assert!(matches!(
        book.apply_snapshot(&snapshot(5, &[("0", "1")], &[])),
        Applied::Resync(ResyncReason::InvalidLevel { .. })
    ));
}

#[test]
fn the_buffer_and_the_sides_are_bounded() {
    let mut book = BinanceBook::with_limits(venue(), Symbol::new("BNB/BTC").unwrap(), 3, 4);
    for id in 1..=10 {
        book.apply_diff(diff(id, id, &[], &[])).unwrap();
    }
    assert_eq!(book.buffered(), 3);
    let bids: Vec<(String, String)> = (1..=20).map(|p| (p.to_string(), "1".to_owned())).collect();
    let bids: Vec<(&str, &str)> = bids.iter().map(|(p, q)| (p.as_str(), q.as_str())).collect();
    book.apply_snapshot(&snapshot(10, &bids, &[]));
    let (kept, _) = book.len();
    assert!((4..=6).contains(&kept), "{kept}");
    assert_eq!(book.best_bid(), Some(level("20", "1")), "the best levels are kept");
}
