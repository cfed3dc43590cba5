//! Scenario tables for the simulated broker: each case scripts orders and market data, and
//! lists every execution expected, with prices and fees computed by hand in the comments.

use rust_decimal::Decimal;

use super::{FillPrice, SimBroker, SimConfig, RECENT_EVENTS};
use crate::brokers::{
    AmendOrder, Execution, ExecutionPort, FillReport, NewOrder, PortError, RejectKind, RejectReason, VenueEvent,
    VenueOrderState,
};
use crate::market::{
    BarUpdate, BookLevel, BookSnapshot, Candle, MarketEvent, Quote, RandomWalk, RandomWalkConfig, Side, Symbol,
    Timeframe, Trade,
};
use crate::orders::{OrderId, OrderType};

const MIN: i64 = 60_000;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

/// One step of a scenario.
enum Step {
    Submit(NewOrder),
    Cancel(&'static str, i64),
    Event(MarketEvent),
}

/// A 1-minute BTC/USD bar opening at minute `minute`.
fn bar(minute: i64, [open, high, low, close]: [&str; 4]) -> Step {
    Step::Event(MarketEvent::Candle(Candle {
        symbol: btc(),
        timeframe: Timeframe::MINUTE,
        open_time_ms: minute * MIN,
        open: d(open),
        high: d(high),
        low: d(low),
        close: d(close),
        volume: d("10"),
    }))
}

fn order(id: &str, side: Side, qty: &str, order_type: OrderType, time_ms: i64) -> Step {
    Step::Submit(NewOrder {
        id: OrderId::new(id),
        symbol: btc(),
        side,
        qty: d(qty),
        order_type,
        time_in_force: crate::orders::TimeInForce::Gtc,
        post_only: false,
        time_ms,
    })
}

/// A market order placed on the close of the bar that opened at `minute - 1`.
fn market(id: &str, side: Side, qty: &str, minute: i64) -> Step {
    order(id, side, qty, OrderType::Market, minute * MIN)
}

fn limit(id: &str, side: Side, qty: &str, price: &str, minute: i64) -> Step {
    order(id, side, qty, OrderType::Limit(d(price)), minute * MIN)
}

fn trade(time_ms: i64, price: &str) -> Step {
    Step::Event(MarketEvent::Trade(Trade {
        symbol: btc(),
        time_ms,
        price: d(price),
        qty: d("1"),
        aggressor: Side::Buy,
    }))
}

fn quote(time_ms: i64, bid: &str, ask: &str) -> Step {
    Step::Event(MarketEvent::Quote(Quote {
        symbol: btc(),
        time_ms,
        bid: d(bid),
        bid_qty: d("1"),
        ask: d(ask),
        ask_qty: d("1"),
    }))
}

/// A BTC/USD book at `time_ms`: `(price, qty)` levels, best first.
fn book(time_ms: i64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> Step {
    let levels = |side: &[(&str, &str)]| {
        side.iter()
            .map(|(price, qty)| BookLevel {
                price: d(price),
                qty: d(qty),
            })
            .collect()
    };
    Step::Event(MarketEvent::Book(BookSnapshot {
        symbol: btc(),
        time_ms,
        depth: 10,
        bids: levels(bids),
        asks: levels(asks),
    }))
}

/// The 1-minute bar opening at minute `minute`, in progress at `time_ms`.
fn bar_update(minute: i64, time_ms: i64, [open, high, low, close]: [&str; 4]) -> Step {
    let Step::Event(MarketEvent::Candle(candle)) = bar(minute, [open, high, low, close]) else {
        unreachable!("bar() makes a candle event");
    };
    Step::Event(MarketEvent::CandleUpdate(Box::new(BarUpdate { candle, time_ms })))
}

fn accepted(id: &str, time_ms: i64) -> VenueEvent {
    VenueEvent::Execution(Execution::Accepted {
        id: OrderId::new(id),
        venue_order_id: None,
        time_ms,
    })
}

fn filled(id: &str, price: &str, qty: &str, fee: &str, time_ms: i64) -> VenueEvent {
    VenueEvent::Execution(Execution::Filled(FillReport {
        id: OrderId::new(id),
        trade_id: None,
        price: d(price),
        qty: d(qty),
        fee: d(fee),
        fee_asset: None,
        time_ms,
        known_ms: time_ms,
    }))
}

/// A fill inside the 1-minute bar opening at `time_ms`, past its open: known at the bar's close.
fn filled_inside(id: &str, price: &str, qty: &str, fee: &str, time_ms: i64) -> VenueEvent {
    let VenueEvent::Execution(Execution::Filled(report)) = filled(id, price, qty, fee, time_ms) else {
        unreachable!("filled() makes a fill");
    };
    VenueEvent::Execution(Execution::Filled(FillReport {
        known_ms: time_ms + MIN,
        ..report
    }))
}

fn rejected(id: &str, reason: &str, time_ms: i64) -> VenueEvent {
    VenueEvent::Execution(Execution::Rejected {
        id: OrderId::new(id),
        reason: RejectReason::new(RejectKind::InvalidOrder, reason),
        time_ms,
    })
}

fn cancelled(id: &str, time_ms: i64) -> VenueEvent {
    VenueEvent::Execution(Execution::Cancelled {
        id: OrderId::new(id),
        reason: None,
        time_ms,
    })
}

/// Runs the steps, handing every execution over after each step, as the desk would.
fn run(config: SimConfig, steps: Vec<Step>) -> Vec<VenueEvent> {
    run_remembering(config, RECENT_EVENTS, steps)
}

/// [`run`] with a venue remembering `recent_events` events per symbol.
fn run_remembering(config: SimConfig, recent_events: usize, steps: Vec<Step>) -> Vec<VenueEvent> {
    let mut broker = SimBroker::new(config).unwrap().remembering(recent_events);
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::Submit(order) => broker.submit(order).unwrap(),
            Step::Cancel(id, time_ms) => broker.cancel(&OrderId::new(id), time_ms).unwrap(),
            Step::Event(event) => broker.on_market_event(&event, &mut out),
        }
        broker.poll(&mut out);
    }
    out
}

fn config(fill_price: FillPrice, fee_rate: &str, slippage_bps: &str) -> SimConfig {
    SimConfig {
        fill_price,
        fee_rate: d(fee_rate),
        slippage_bps: d(slippage_bps),
    }
}

#[test]
fn a_venue_that_remembers_nothing_fills_a_late_order_on_the_next_event() {
    let steps = || {
        vec![
            bar(0, ["100", "101", "99", "100.5"]),
            bar(1, ["100.8", "102", "100", "101"]),
            market("a", Side::Buy, "1", 1),
            bar(2, ["105", "106", "104", "105"]),
        ]
    };
    let fill_price = |executions: Vec<VenueEvent>| match executions.last() {
        Some(VenueEvent::Execution(Execution::Filled(fill))) => fill.price,
        other => panic!("expected a fill last, got {other:?}"),
    };
    assert_eq!(fill_price(run_remembering(SimConfig::default(), 0, steps())), d("105"));
    assert_eq!(fill_price(run(SimConfig::default(), steps())), d("100.8"));
}

#[test]
fn scenarios() {
    use FillPrice::{CurrentClose, NextOpen};
    use Side::{Buy, Sell};
    let default = SimConfig::default;
    let cases: Vec<(&str, SimConfig, Vec<Step>, Vec<VenueEvent>)> = vec![
        (
            "market buy fills at the next bar's open",
            default(),
            vec![
                bar(0, ["100", "101", "99", "100.5"]),
                market("a", Buy, "2", 1),
                bar(1, ["100.8", "102", "100", "101"]),
            ],
            // fee = 0.001 × 100.8 × 2 = 0.2016
            vec![accepted("a", MIN), filled("a", "100.8", "2", "0.2016", MIN)],
        ),
        (
            "the bar the order was placed on never fills it, even when fed after the order",
            default(),
            vec![
                market("a", Sell, "1", 1),
                bar(0, ["100", "101", "99", "100.5"]),
                bar(1, ["99", "99.5", "98", "99"]),
            ],
            // fee = 0.001 × 99 × 1 = 0.099
            vec![accepted("a", MIN), filled("a", "99", "1", "0.099", MIN)],
        ),
        (
            "a market order that arrives after later bars fills as of its time",
            default(),
            vec![
                bar(0, ["100", "101", "99", "100.5"]),
                bar(1, ["100.8", "102", "100", "101"]),
                bar(2, ["105", "106", "104", "105"]),
                market("a", Buy, "2", 1),
                bar(3, ["110", "111", "109", "110"]),
            ],
            // As if it had arrived before bar 1: fee = 0.001 × 100.8 × 2 = 0.2016
            vec![accepted("a", MIN), filled("a", "100.8", "2", "0.2016", MIN)],
        ),
        (
            "a late limit order fills on the first remembered bar that trades through it",
            default(),
            vec![
                bar(0, ["100", "101", "99", "100"]),
                bar(1, ["100", "101", "99.5", "100"]),
                bar(2, ["99", "99", "97", "98"]),
                limit("a", Buy, "1", "98.5", 1),
                bar(3, ["90", "91", "89", "90"]),
            ],
            // Bar 1 only reached 99.5; bar 2 traded through at 97: fee = 0.001 × 98.5
            vec![accepted("a", MIN), filled_inside("a", "98.5", "1", "0.0985", 2 * MIN)],
        ),
        (
            "current_close fills a market order at once at the last close",
            config(CurrentClose, "0.001", "0"),
            vec![
                bar(0, ["100", "101", "99", "100.5"]),
                market("a", Buy, "2", 1),
                bar(1, ["90", "91", "89", "90"]),
            ],
            // fee = 0.001 × 100.5 × 2 = 0.201
            vec![accepted("a", MIN), filled("a", "100.5", "2", "0.201", MIN)],
        ),
        (
            "current_close rejects a market order when no bar of its symbol was seen",
            config(CurrentClose, "0.001", "0"),
            vec![market("a", Buy, "1", 1)],
            vec![rejected(
                "a",
                "no bar of BTC/USD seen yet: in current_close mode a market order fills at the last close",
                MIN,
            )],
        ),
        (
            "current_close leaves limit orders working",
            config(CurrentClose, "0", "0"),
            vec![
                bar(0, ["100", "101", "99", "100"]),
                limit("a", Buy, "1", "99.5", 1),
                bar(1, ["100", "100", "99", "99.5"]),
            ],
            vec![accepted("a", MIN), filled_inside("a", "99.5", "1", "0", MIN)],
        ),
        (
            "limit buy fills when the bar trades through it, at the limit",
            default(),
            vec![
                limit("a", Buy, "1", "99.5", 1),
                bar(1, ["100", "100.5", "99.4", "99.8"]),
            ],
            // min(99.5, open 100) = 99.5; fee = 0.001 × 99.5 = 0.0995
            vec![accepted("a", MIN), filled_inside("a", "99.5", "1", "0.0995", MIN)],
        ),
        (
            "limit buy touched (low == limit) does not fill; the next bar through it does",
            default(),
            vec![
                limit("a", Buy, "1", "99.5", 1),
                bar(1, ["100", "100.5", "99.5", "99.8"]),
                bar(2, ["99.8", "100", "99.49", "99.6"]),
            ],
            vec![accepted("a", MIN), filled_inside("a", "99.5", "1", "0.0995", 2 * MIN)],
        ),
        (
            "limit sell touched does not fill; traded through fills at the limit",
            default(),
            vec![
                limit("a", Sell, "3", "101", 1),
                bar(1, ["100", "101", "99.5", "100.8"]),
                bar(2, ["100.8", "101.01", "100.5", "101"]),
            ],
            // max(101, open 100.8) = 101; fee = 0.001 × 101 × 3 = 0.303
            vec![accepted("a", MIN), filled_inside("a", "101", "3", "0.303", 2 * MIN)],
        ),
        (
            "limit buy gapped through fills at the better open",
            default(),
            vec![limit("a", Buy, "1", "99.5", 1), bar(1, ["98", "99", "97.5", "98.5"])],
            // min(99.5, 98) = 98; fee = 0.098
            vec![accepted("a", MIN), filled("a", "98", "1", "0.098", MIN)],
        ),
        (
            "limit sell gapped through fills at the better open",
            default(),
            vec![
                limit("a", Sell, "1", "101", 1),
                bar(1, ["103", "104", "102.5", "103.5"]),
            ],
            // max(101, 103) = 103; fee = 0.103
            vec![accepted("a", MIN), filled("a", "103", "1", "0.103", MIN)],
        ),
        (
            "market orders pay slippage against them; limit orders do not",
            config(NextOpen, "0.001", "10"),
            vec![
                market("b", Buy, "1", 1),
                market("s", Sell, "2", 1),
                limit("l", Buy, "1", "99", 1),
                bar(1, ["100", "100.5", "98", "99"]),
            ],
            // buy: 100 × 1.001 = 100.1, fee 0.1001; sell: 100 × 0.999 = 99.9, fee 0.001 × 99.9 × 2 = 0.1998;
            // limit: min(99, 100) = 99, fee 0.099. Fills in submission order.
            vec![
                accepted("b", MIN),
                accepted("s", MIN),
                accepted("l", MIN),
                filled("b", "100.1", "1", "0.1001", MIN),
                filled("s", "99.9", "2", "0.1998", MIN),
                filled_inside("l", "99", "1", "0.099", MIN),
            ],
        ),
        (
            "fees are a fraction of the notional",
            config(NextOpen, "0.0025", "0"),
            vec![market("a", Buy, "0.5", 1), bar(1, ["40000", "40100", "39900", "40050"])],
            // 0.0025 × 40000 × 0.5 = 50
            vec![accepted("a", MIN), filled("a", "40000", "0.5", "50", MIN)],
        ),
        (
            "a cancelled order is never filled",
            default(),
            vec![
                limit("a", Buy, "1", "99.5", 1),
                Step::Cancel("a", MIN + 5),
                bar(1, ["98", "99", "97", "98"]),
            ],
            vec![accepted("a", MIN), cancelled("a", MIN + 5)],
        ),
        (
            "bad quantities and limit prices are rejected",
            default(),
            vec![
                market("zero", Buy, "0", 1),
                market("neg", Sell, "-1", 1),
                limit("free", Buy, "1", "0", 1),
                bar(1, ["100", "101", "99", "100"]),
            ],
            vec![
                rejected("zero", "quantity 0 must be above zero", MIN),
                rejected("neg", "quantity -1 must be above zero", MIN),
                rejected("free", "limit price 0 must be above zero", MIN),
            ],
        ),
        (
            "a market order fills at the first trade after it, slipped",
            config(NextOpen, "0.001", "20"),
            vec![market("a", Buy, "1", 1), trade(MIN, "100"), trade(MIN + 1, "100.5")],
            // the trade at the order's own millisecond does not fill it; 100.5 × 1.002 = 100.701,
            // fee = 0.100701
            vec![accepted("a", MIN), filled("a", "100.701", "1", "0.100701", MIN + 1)],
        ),
        (
            "a limit order fills on a trade printed through it, not on one at its price",
            default(),
            vec![
                limit("a", Sell, "1", "101", 1),
                trade(MIN + 1, "101"),
                trade(MIN + 2, "101.2"),
            ],
            // fee = 0.001 × 101.2 = 0.1012
            vec![accepted("a", MIN), filled("a", "101.2", "1", "0.1012", MIN + 2)],
        ),
        (
            "market orders take the ask to buy and the bid to sell",
            config(NextOpen, "0", "0"),
            vec![
                market("b", Buy, "1", 1),
                market("s", Sell, "1", 1),
                quote(MIN + 3, "99.9", "100.1"),
            ],
            vec![
                accepted("b", MIN),
                accepted("s", MIN),
                filled("b", "100.1", "1", "0", MIN + 3),
                filled("s", "99.9", "1", "0", MIN + 3),
            ],
        ),
        (
            "a limit buy fills when the ask crosses below it; an empty side fills nothing",
            config(NextOpen, "0", "0"),
            vec![
                limit("a", Buy, "1", "100", 1),
                quote(MIN + 1, "99.8", "100"),
                quote(MIN + 2, "99.7", "0"),
                quote(MIN + 3, "99.7", "99.9"),
            ],
            vec![accepted("a", MIN), filled("a", "99.9", "1", "0", MIN + 3)],
        ),
        (
            "a book is a quote of its best levels: buys take the best ask, sells the best bid",
            config(NextOpen, "0", "0"),
            vec![
                market("b", Buy, "5", 1),
                market("s", Sell, "5", 1),
                book(
                    MIN + 3,
                    &[("99.9", "1"), ("99.8", "7")],
                    &[("100.1", "1"), ("100.2", "7")],
                ),
            ],
            // Full fills at the best price, however small its quantity: no depth model.
            vec![
                accepted("b", MIN),
                accepted("s", MIN),
                filled("b", "100.1", "5", "0", MIN + 3),
                filled("s", "99.9", "5", "0", MIN + 3),
            ],
        ),
        (
            "an empty book side fills nothing; a limit fills when the best level crosses it",
            config(NextOpen, "0", "0"),
            vec![
                limit("a", Buy, "1", "100", 1),
                market("s", Sell, "1", 1),
                book(MIN + 1, &[], &[]),
                book(MIN + 2, &[], &[("100", "3")]),
                book(MIN + 3, &[], &[("99.9", "3"), ("100", "1")]),
                book(MIN + 4, &[("99.5", "1")], &[]),
            ],
            vec![
                accepted("a", MIN),
                accepted("s", MIN),
                filled("a", "99.9", "1", "0", MIN + 3),
                filled("s", "99.5", "1", "0", MIN + 4),
            ],
        ),
        (
            "bar updates never fill, not even through the limit; the closed bar does",
            config(NextOpen, "0", "0"),
            vec![
                limit("a", Buy, "1", "99", 1),
                market("m", Buy, "1", 1),
                bar_update(1, MIN + 10, ["100", "100", "98", "98"]),
                bar_update(1, MIN + 20, ["100", "100", "97", "97.5"]),
                bar(1, ["100", "100", "97", "97.5"]),
            ],
            vec![
                accepted("a", MIN),
                accepted("m", MIN),
                filled_inside("a", "99", "1", "0", MIN),
                filled("m", "100", "1", "0", MIN),
            ],
        ),
    ];
    for (name, config, steps, expected) in cases {
        assert_eq!(run(config, steps), expected, "{name}");
    }
}

#[test]
fn accepted_comes_before_filled_even_without_poll() {
    let mut broker = SimBroker::new(SimConfig::default()).unwrap();
    let Step::Submit(order) = market("a", Side::Buy, "1", 1) else {
        unreachable!()
    };
    broker.submit(order).unwrap();
    let Step::Event(event) = bar(1, ["100", "101", "99", "100"]) else {
        unreachable!()
    };
    let mut out = Vec::new();
    broker.on_market_event(&event, &mut out);
    assert_eq!(out, vec![accepted("a", MIN), filled("a", "100", "1", "0.1", MIN)]);
}

#[test]
fn refusals_are_errors_of_the_rejected_kind() {
    let mut broker = SimBroker::new(SimConfig::default()).unwrap();
    let submit = |broker: &mut SimBroker, step: Step| match step {
        Step::Submit(order) => broker.submit(order),
        _ => unreachable!(),
    };
    let mut out = Vec::new();
    submit(&mut broker, limit("a", Side::Buy, "1", "90", 1)).unwrap();
    assert_eq!(
        submit(&mut broker, limit("a", Side::Buy, "1", "90", 1)),
        Err(PortError::Refused(RejectReason::new(
            RejectKind::InvalidOrder,
            "order id a is already working"
        )))
    );
    submit(&mut broker, market("m", Side::Buy, "1", 1)).unwrap();
    let Step::Event(event) = bar(1, ["100", "101", "99", "100"]) else {
        unreachable!()
    };
    broker.on_market_event(&event, &mut out);
    assert_eq!(broker.working_orders(&btc()).count(), 1, "the limit order still works");
    let unknown = |id: &str| {
        Err(PortError::Refused(RejectReason::new(
            RejectKind::UnknownOrder,
            format!("unknown order {id}: it is not working here (never submitted, or already filled or cancelled)"),
        )))
    };
    assert_eq!(
        broker.cancel(&OrderId::new("m"), 2 * MIN),
        unknown("m"),
        "already filled"
    );
    assert_eq!(broker.cancel(&OrderId::new("nope"), 2 * MIN), unknown("nope"));
    assert_eq!(broker.cancel(&OrderId::new("a"), 2 * MIN), Ok(()));
    assert_eq!(
        broker.cancel(&OrderId::new("a"), 2 * MIN),
        unknown("a"),
        "already cancelled"
    );
    assert_eq!(broker.working_orders(&btc()).count(), 0);
    assert_eq!(broker.venue().as_str(), "paper");
}

#[test]
fn other_symbols_do_not_fill_an_order() {
    let mut broker = SimBroker::new(SimConfig::default()).unwrap();
    let Step::Submit(order) = market("a", Side::Buy, "1", 1) else {
        unreachable!()
    };
    broker.submit(order).unwrap();
    let Step::Event(MarketEvent::Candle(mut eth)) = bar(1, ["100", "101", "99", "100"]) else {
        unreachable!()
    };
    eth.symbol = Symbol::new("ETH/USD").unwrap();
    let mut out = Vec::new();
    broker.on_market_event(&MarketEvent::Candle(eth), &mut out);
    assert_eq!(out, vec![accepted("a", MIN)]);
    assert_eq!(broker.working_orders(&btc()).count(), 1);
}

#[test]
fn absurd_sizes_cancel_instead_of_overflowing() {
    let steps = vec![
        market("a", Side::Buy, "79228162514264337593543950335", 1),
        bar(1, ["100", "101", "99", "100"]),
    ];
    let out = run(SimConfig::default(), steps);
    assert!(
        matches!(&out[1], VenueEvent::Execution(Execution::Cancelled { reason: Some(r), .. }) if r.contains("does not fit")),
        "{out:?}"
    );
}

/// A long/flat SMA(10)/SMA(20) crossover over a random walk, in both fill modes: the same
/// inputs give the same executions, bit for bit.
#[test]
fn deterministic() {
    fn session(fill_price: FillPrice) -> Vec<VenueEvent> {
        let config = SimConfig {
            fill_price,
            slippage_bps: d("3"),
            ..SimConfig::default()
        };
        let mut broker = SimBroker::new(config).unwrap();
        let walk = RandomWalk::new(RandomWalkConfig {
            seed: 11,
            ..RandomWalkConfig::new(btc(), Timeframe::MINUTE)
        })
        .unwrap();
        let mut closes = Vec::new();
        let (mut long, mut out) = (false, Vec::new());
        for (n, bar) in walk.take(20_000).enumerate() {
            broker.on_market_event(&MarketEvent::Candle(bar.clone()), &mut out);
            closes.push(bar.close);
            if closes.len() < 20 {
                continue;
            }
            let sma = |k: usize| closes[closes.len() - k..].iter().sum::<Decimal>() / Decimal::from(k);
            let want_long = sma(10) > sma(20);
            if want_long != long {
                long = want_long;
                let side = if long { Side::Buy } else { Side::Sell };
                let id = OrderId::new(&format!("o{n}"));
                let order_type = if n % 3 == 0 {
                    OrderType::Limit(bar.close)
                } else {
                    OrderType::Market
                };
                let order = NewOrder {
                    id,
                    symbol: btc(),
                    side,
                    qty: d("0.1"),
                    order_type,
                    time_in_force: crate::orders::TimeInForce::Gtc,
                    post_only: false,
                    time_ms: bar.close_time_ms(),
                };
                broker.submit(order).unwrap();
            }
            broker.poll(&mut out);
        }
        out
    }
    for fill_price in [FillPrice::NextOpen, FillPrice::CurrentClose] {
        let first = session(fill_price);
        assert!(first.len() > 1_000, "{fill_price:?}: {} executions", first.len());
        assert!(first
            .iter()
            .any(|e| matches!(e, VenueEvent::Execution(Execution::Filled(_)))));
        assert_eq!(first, session(fill_price), "{fill_price:?}");
    }
}

#[test]
fn an_amend_restamps_the_order_and_may_fill_it_against_remembered_events() {
    let mut broker = SimBroker::new(SimConfig::default()).unwrap().remembering(RECENT_EVENTS);
    let Step::Submit(order) = limit("a", Side::Buy, "1", "90", 1) else {
        unreachable!()
    };
    broker.submit(order).unwrap();
    let mut out = Vec::new();
    // Bar 2 (opens at 2 min) trades down to 94: the limit at 90 does not fill.
    let Step::Event(event) = bar(2, ["100", "101", "94", "95"]) else {
        unreachable!()
    };
    broker.on_market_event(&event, &mut out);
    // Bar 3 trades down to 92, then the amend to 95 arrives, stamped between bar 2 and bar 3.
    let Step::Event(event) = bar(3, ["96", "97", "92", "93"]) else {
        unreachable!()
    };
    broker.on_market_event(&event, &mut out);
    out.clear();
    let amend = AmendOrder {
        id: OrderId::new("a"),
        symbol: btc(),
        qty: d("2"),
        limit_price: Some(d("95")),
        filled_qty: Decimal::ZERO,
        time_ms: 3 * MIN,
    };
    broker.amend(amend).unwrap();
    broker.poll(&mut out);
    assert_eq!(
        out,
        vec![
            VenueEvent::Execution(Execution::Amended {
                id: OrderId::new("a"),
                qty: d("2"),
                limit_price: Some(d("95")),
                venue_order_id: None,
                time_ms: 3 * MIN,
            }),
            // Bar 3 opened at the amend's time: it fills the amended order at min(95, open 96).
            filled_inside("a", "95", "2", "0.19", 3 * MIN),
        ]
    );
    assert_eq!(broker.working_orders(&btc()).count(), 0);
    let unknown = AmendOrder {
        id: OrderId::new("a"),
        symbol: btc(),
        qty: d("1"),
        limit_price: None,
        filled_qty: Decimal::ZERO,
        time_ms: 4 * MIN,
    };
    assert!(matches!(
        broker.amend(unknown),
        Err(PortError::Refused(RejectReason {
            kind: RejectKind::UnknownOrder,
            ..
        }))
    ));
}

#[test]
fn queries_and_mass_status_answer_from_the_working_orders() {
    let mut broker = SimBroker::new(SimConfig::default()).unwrap();
    for (id, price) in [("b", "80"), ("a", "90")] {
        let Step::Submit(order) = limit(id, Side::Buy, "1", price, 1) else {
            unreachable!()
        };
        broker.submit(order).unwrap();
    }
    broker.query_order(&OrderId::new("a"), &btc(), 5).unwrap();
    broker.query_order(&OrderId::new("gone"), &btc(), 5).unwrap();
    broker.mass_status(0).unwrap();
    let mut out = Vec::new();
    broker.poll(&mut out);
    let states: Vec<_> = out
        .iter()
        .filter_map(|e| match e {
            VenueEvent::Execution(Execution::Status(report)) => Some((report.id.to_string(), report.state.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            ("a".to_owned(), VenueOrderState::Open),
            ("gone".to_owned(), VenueOrderState::NotFound)
        ]
    );
    let Some(VenueEvent::MassStatus(status)) = out.last() else {
        panic!("no mass status last: {out:?}")
    };
    let open: Vec<_> = status.open.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((open, status.venue.as_str()), (vec!["a", "b"], "paper"));
}

#[test]
fn a_late_order_fills_against_the_best_level_of_a_remembered_book() {
    let steps = vec![
        bar_update(1, MIN + 2, ["100", "100", "90", "90"]),
        book(MIN + 5, &[("99", "1"), ("98", "1")], &[("101", "1"), ("102", "1")]),
        // Stamped at minute 1, before both events: the bar update passes it by, the book fills it.
        market("a", Side::Buy, "1", 1),
    ];
    // fee = 0.001 × 101 = 0.101
    assert_eq!(
        run(SimConfig::default(), steps),
        vec![accepted("a", MIN), filled("a", "101", "1", "0.101", MIN + 5)]
    );
}

mod terms;
