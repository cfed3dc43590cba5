//! The captured BTC/USD session through the public API, as the adapter will drive it.

use trading::market::Symbol;
use venues::kraken::wire::{parse_public, BookDepth, BookPrecision, KrakenBook, PublicMessage};

use crate::corpus::capture_frames;

#[test]
fn the_whole_session_verifies_and_a_corruption_is_caught() {
    let frames = capture_frames();
    assert_eq!(frames.len(), 510);
    let symbol = Symbol::new("BTC/USD").unwrap();
    let mut book = KrakenBook::new(symbol, BookDepth::D10, BookPrecision::new(1, 8).unwrap());
    let mut verified = 0;
    for text in &frames {
        let Ok(PublicMessage::Book(feed)) = parse_public(text) else {
            panic!("not a book message: {text}")
        };
        for data in &feed.data {
            book.apply(feed.kind, data).unwrap();
            verified += 1;
        }
    }
    assert_eq!(verified, 510);
    assert_eq!(book.bids().take(10).count(), 10);
    assert_eq!(book.asks().take(10).count(), 10);

    // The last update with its quantity's last digit changed no longer verifies.
    let last = frames.last().unwrap();
    let corrupted = last.replacen("1.69289565", "1.69289566", 1);
    assert_ne!(&corrupted, last, "the last update has a quantity to corrupt");
    let Ok(PublicMessage::Book(feed)) = parse_public(&corrupted) else {
        panic!()
    };
    assert!(book.apply(feed.kind, &feed.data[0]).is_err());
    assert!(!book.is_synced());
}

#[test]
fn compact_frames_take_the_one_pass_path_to_the_same_result() {
    // Live frames are compact (`{"channel":"book",…`) and are read in one pass; the capture is
    // pretty-printed and goes the two-step way. Both must read the same.
    for text in capture_frames() {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(parse_public(&compact), parse_public(&text));
    }
}
