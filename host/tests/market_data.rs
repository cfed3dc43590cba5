//! The market data of WIT 0.3.0 through the real host and components: a book subscriber gets
//! the top levels of its depth's stream and nothing else; bars in progress go to those who
//! subscribe to them, at their own time, and to no one else.

use rust_decimal::Decimal;
use strategy_host::runtime::CpuBudget;
use trading::market::{BarUpdate, BookLevel, BookSnapshot, Candle, MarketEvent, Symbol, Timeframe};

use crate::support::Harness;

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

/// A BTC/USD book of the `depth` stream: `(price, qty)` levels, best first.
fn book(time_ms: i64, depth: u16, bids: &[(i64, i64)], asks: &[(i64, i64)]) -> MarketEvent {
    let levels = |side: &[(i64, i64)]| {
        side.iter()
            .map(|&(price, qty)| BookLevel {
                price: Decimal::from(price),
                qty: Decimal::from(qty),
            })
            .collect()
    };
    MarketEvent::Book(BookSnapshot {
        symbol: btc(),
        time_ms,
        depth,
        bids: levels(bids),
        asks: levels(asks),
    })
}

/// The BTC/USD 1-minute bar of minute `minute`, flat at `close`.
fn bar(minute: i64, close: i64) -> Candle {
    let price = Decimal::from(close);
    Candle {
        symbol: btc(),
        timeframe: Timeframe::MINUTE,
        open_time_ms: minute * 60_000,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: Decimal::ONE,
    }
}

fn in_progress(minute: i64, close: i64, time_ms: i64) -> MarketEvent {
    MarketEvent::CandleUpdate(Box::new(BarUpdate {
        candle: bar(minute, close),
        time_ms,
    }))
}

#[test]
fn a_book_subscriber_gets_the_top_levels_of_its_depth_and_no_other_depth() {
    let h = Harness::new(CpuBudget::deterministic());
    // The counter subscribes to the 5-level book. A publisher that sends more levels than the
    // stream's depth is cut to it; the 10-level stream is another stream, not for the counter.
    let seven_bids: Vec<(i64, i64)> = (0..7).map(|i| (100 - i, i + 1)).collect();
    let events = vec![
        book(1_000, 5, &seven_bids, &[(101, 1), (102, 2), (103, 3)]),
        book(2_000, 10, &seven_bids, &[(101, 1)]),
        book(3_000, 5, &[], &[(101, 4)]),
        book(4_000, 5, &[], &[]),
    ];
    let run = h.replay(&[("counter", "counter", "{}")], events);
    assert_eq!(
        run.reasonings_of("counter"),
        [
            (
                1_000,
                "seq=1 label=v1 book bids=100@1,99@2,98@3,97@4,96@5 asks=101@1,102@2,103@3"
            ),
            (3_000, "seq=2 label=v1 book bids= asks=101@4"),
            (4_000, "seq=3 label=v1 book bids= asks="),
        ]
    );
    assert_eq!(h.events_of("counter"), 3.0);
    // The desk marks at the mid, at the one side left, and keeps that when the book empties.
    assert_eq!(
        strategy_host::runtime::lock_desk(&h.desk).last_price(&trading::orders::VenueId::new("paper"), &btc()),
        Some(Decimal::from(101))
    );
}

#[test]
fn bars_in_progress_go_only_to_their_subscribers_at_the_time_they_changed() {
    let h = Harness::new(CpuBudget::deterministic());
    let events = vec![
        in_progress(0, 100, 10_000),
        in_progress(0, 103, 40_000),
        MarketEvent::Candle(bar(0, 102)),
        in_progress(1, 104, 75_000),
        MarketEvent::Candle(bar(1, 105)),
    ];
    // Two strategies: each event goes to each in turn, by `on-event`.
    let strategies = [
        ("counter", "counter", "{}"),
        ("sma_cross", "sma-cross", r#"{"fast": 1, "slow": 2}"#),
    ];
    let run = h.replay(&strategies, events);
    let counted: Vec<(i64, &str)> = run.reasonings_of("counter");
    assert_eq!(
        counted,
        [
            (10_000, "seq=1 label=v1 candle-update open=0 close=100"),
            (40_000, "seq=2 label=v1 candle-update open=0 close=103"),
            (60_000, "seq=3 label=v1"),
            (75_000, "seq=4 label=v1 candle-update open=60000 close=104"),
            (120_000, "seq=5 label=v1"),
        ]
    );
    // sma-cross subscribes to closed 1m bars only: it never saw a bar in progress.
    assert_eq!(h.events_of("sma-cross"), 2.0);
    assert_eq!(h.events_of("counter"), 5.0);
}
