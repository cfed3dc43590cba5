//! Scenario tables for stops, stop-limits, time in force and post-only at the simulated
//! broker (the rules on [`SimBroker`](super::super::SimBroker)).

use super::*;
use crate::orders::TimeInForce;
use Side::{Buy, Sell};

fn with_terms(step: Step, time_in_force: TimeInForce, post_only: bool) -> Step {
    let Step::Submit(order) = step else {
        unreachable!("terms are for orders");
    };
    Step::Submit(NewOrder {
        time_in_force,
        post_only,
        ..order
    })
}

fn stop(id: &str, side: Side, trigger: &str, time_ms: i64) -> Step {
    order(id, side, "1", OrderType::Stop(d(trigger)), time_ms)
}

fn stop_limit(id: &str, side: Side, trigger: &str, limit: &str, time_ms: i64) -> Step {
    let order_type = OrderType::StopLimit {
        trigger: d(trigger),
        limit: d(limit),
    };
    order(id, side, "1", order_type, time_ms)
}

fn limit_at(id: &str, side: Side, price: &str, time_ms: i64) -> Step {
    order(id, side, "1", OrderType::Limit(d(price)), time_ms)
}

fn expired(id: &str, reason: &str, time_ms: i64) -> VenueEvent {
    VenueEvent::Execution(Execution::Cancelled {
        id: OrderId::new(id),
        reason: Some(reason.to_owned()),
        time_ms,
    })
}

const IOC_NOTHING: &str = "ioc: nothing filled the moment the order met the market, so it is cancelled";
const FOK_NOTHING: &str = "fok: nothing filled the moment the order met the market, so it is cancelled";
const WOULD_TAKE: &str = "post-only: the order would have taken liquidity, so it is cancelled";

#[test]
fn stops_wait_for_their_trigger_then_fill_as_market_orders() {
    let cases = vec![
        (
            "a sell stop fills at its trigger when a bar trades down to it, known at the close",
            config(FillPrice::NextOpen, "0", "0"),
            vec![
                stop("s", Sell, "95", MIN),
                bar(1, ["100", "101", "96", "97"]),
                bar(2, ["97", "98", "95", "96"]),
            ],
            vec![accepted("s", MIN), filled_inside("s", "95", "1", "0", 2 * MIN)],
        ),
        (
            "a gap through the trigger fills at the open, with a market order's slippage",
            // 93 × (1 − 10 / 10,000) = 92.907; fee 0.1 % of it.
            config(FillPrice::NextOpen, "0.001", "10"),
            vec![stop("s", Sell, "95", MIN), bar(1, ["93", "94", "90", "91"])],
            vec![accepted("s", MIN), filled("s", "92.907", "1", "0.092907", MIN)],
        ),
        (
            "a buy stop triggers when the bar's high reaches it: a touch triggers",
            config(FillPrice::NextOpen, "0", "0"),
            vec![stop("b", Buy, "105", MIN), bar(1, ["100", "105", "99", "104"])],
            vec![accepted("b", MIN), filled_inside("b", "105", "1", "0", MIN)],
        ),
        (
            "the bar a stop was placed on does not trigger it",
            config(FillPrice::NextOpen, "0", "0"),
            vec![bar(0, ["100", "101", "90", "95"]), stop("s", Sell, "95", MIN)],
            vec![accepted("s", MIN)],
        ),
        (
            "on trades a sell stop fills at the first price at or below its trigger",
            config(FillPrice::NextOpen, "0", "0"),
            vec![
                stop("s", Sell, "95", 1_000),
                trade(1_000, "90"),
                trade(2_000, "96"),
                trade(3_000, "95"),
            ],
            vec![accepted("s", 1_000), filled("s", "95", "1", "0", 3_000)],
        ),
    ];
    for (name, config, steps, expected) in cases {
        assert_eq!(run(config, steps), expected, "{name}");
    }
}

#[test]
fn a_stop_limit_becomes_a_limit_order_placed_when_it_triggers() {
    let cases = vec![
        (
            "triggered inside a bar, the limit first meets the next bar: the open through it fills",
            config(FillPrice::NextOpen, "0", "0"),
            vec![
                stop_limit("b", Buy, "105", "106", MIN),
                bar(1, ["100", "106", "99", "104"]),
                bar(2, ["104", "107", "103.5", "105"]),
            ],
            vec![accepted("b", MIN), filled("b", "104", "1", "0", 2 * MIN)],
        ),
        (
            "triggered inside a bar, the rest of that bar cannot fill it",
            config(FillPrice::NextOpen, "0", "0"),
            vec![
                stop_limit("b", Buy, "105", "106", MIN),
                bar(1, ["100", "108", "99", "100"]),
            ],
            vec![accepted("b", MIN)],
        ),
        (
            "triggered at the open by a gap, the limit works in that bar: filled inside at the limit",
            config(FillPrice::NextOpen, "0", "0"),
            vec![stop_limit("s", Sell, "95", "94", MIN), bar(1, ["94", "96", "93", "95"])],
            // The open (94) is not above the limit: the sell limit rests, and the high (96)
            // trades through it.
            vec![accepted("s", MIN), filled_inside("s", "94", "1", "0", MIN)],
        ),
        (
            "no slippage on a stop-limit's fill; it never fills beyond its limit",
            config(FillPrice::NextOpen, "0", "50"),
            vec![
                stop_limit("b", Buy, "105", "105.5", 1_000),
                quote(2_000, "105", "105.2"),
                quote(3_000, "105.2", "105.6"),
                quote(4_000, "105.1", "105.3"),
            ],
            vec![accepted("b", 1_000), filled("b", "105.3", "1", "0", 4_000)],
        ),
    ];
    for (name, config, steps, expected) in cases {
        assert_eq!(run(config, steps), expected, "{name}");
    }
}

#[test]
fn immediate_orders_end_where_they_first_meet_the_market() {
    let ioc = |step| with_terms(step, TimeInForce::Ioc, false);
    let fok = |step| with_terms(step, TimeInForce::Fok, false);
    let cases = vec![
        (
            "an ioc limit the next open is not through is cancelled at that open, though the bar trades through it later",
            vec![ioc(limit_at("i", Buy, "100", MIN)), bar(1, ["101", "102", "99", "101"])],
            vec![accepted("i", MIN), expired("i", IOC_NOTHING, MIN)],
        ),
        (
            "the same limit, good till cancelled, fills inside the bar",
            vec![limit_at("g", Buy, "100", MIN), bar(1, ["101", "102", "99", "101"])],
            vec![accepted("g", MIN), filled_inside("g", "100", "1", "0", MIN)],
        ),
        (
            "an ioc limit the open is through fills at the open",
            vec![ioc(limit_at("i", Buy, "102", MIN)), bar(1, ["101", "102", "99", "101"])],
            vec![accepted("i", MIN), filled("i", "101", "1", "0", MIN)],
        ),
        (
            "fill or kill fills whole or not at all; the simulator fills whole, so as ioc",
            vec![
                fok(limit_at("k", Sell, "103", MIN)),
                fok(limit_at("f", Sell, "100", MIN)),
                bar(1, ["101", "104", "99", "101"]),
            ],
            vec![
                accepted("k", MIN),
                accepted("f", MIN),
                expired("k", FOK_NOTHING, MIN),
                filled("f", "101", "1", "0", MIN),
            ],
        ),
        (
            "on trades an ioc meets the first trade after it",
            vec![
                ioc(limit_at("i", Buy, "100", 1_000)),
                ioc(limit_at("j", Buy, "102", 1_000)),
                trade(2_000, "101"),
                trade(3_000, "99"),
            ],
            vec![
                accepted("i", 1_000),
                accepted("j", 1_000),
                expired("i", IOC_NOTHING, 2_000),
                filled("j", "101", "1", "0", 2_000),
            ],
        ),
        (
            "an ioc stop-limit waits for its trigger; its time in force starts there",
            vec![
                with_terms(stop_limit("s", Sell, "95", "94", MIN), TimeInForce::Ioc, false),
                bar(1, ["100", "101", "96", "97"]),
                bar(2, ["94", "95", "92", "93"]),
            ],
            // Triggered at bar 2's open (94 ≤ 95); the open is not above the limit 94, so
            // nothing fills the moment it works: cancelled there.
            vec![accepted("s", MIN), expired("s", IOC_NOTHING, 2 * MIN)],
        ),
    ];
    for (name, steps, expected) in cases {
        assert_eq!(run(config(FillPrice::NextOpen, "0", "0"), steps), expected, "{name}");
    }
}

#[test]
fn post_only_orders_never_take() {
    let post = |step| with_terms(step, TimeInForce::Gtc, true);
    let cases = vec![
        (
            "an open already through a post-only limit cancels it instead of filling as a taker",
            vec![
                post(limit_at("p", Buy, "102", MIN)),
                bar(1, ["101", "102", "99", "101"]),
            ],
            vec![accepted("p", MIN), expired("p", WOULD_TAKE, MIN)],
        ),
        (
            "a post-only limit that rests fills as a maker inside the bar",
            vec![
                post(limit_at("p", Buy, "100", MIN)),
                bar(1, ["101", "102", "99", "101"]),
            ],
            vec![accepted("p", MIN), filled_inside("p", "100", "1", "0", MIN)],
        ),
        (
            "once resting, a later open through it fills it",
            vec![
                post(limit_at("p", Buy, "100", MIN)),
                bar(1, ["101", "102", "100.5", "101"]),
                bar(2, ["99", "100", "98", "99"]),
            ],
            vec![accepted("p", MIN), filled("p", "99", "1", "0", 2 * MIN)],
        ),
        (
            "on quotes, a post-only bid the first ask is under is cancelled",
            vec![post(limit_at("p", Buy, "100", 1_000)), quote(2_000, "99", "99.5")],
            vec![accepted("p", 1_000), expired("p", WOULD_TAKE, 2_000)],
        ),
    ];
    for (name, steps, expected) in cases {
        assert_eq!(run(config(FillPrice::NextOpen, "0", "0"), steps), expected, "{name}");
    }
}

#[test]
fn a_late_stop_is_matched_against_the_events_it_missed() {
    // Bars 1 and 2 are seen before the stop stamped at minute 1 arrives: bar 1 triggers the
    // stop-limit inside it, bar 2 opens through its limit.
    let steps = vec![
        bar(1, ["100", "106", "99", "104"]),
        bar(2, ["104", "107", "103.5", "105"]),
        stop_limit("b", Buy, "105", "106", MIN),
    ];
    assert_eq!(
        run(config(FillPrice::NextOpen, "0", "0"), steps),
        vec![accepted("b", MIN), filled("b", "104", "1", "0", 2 * MIN)]
    );
}

#[test]
fn post_only_is_refused_on_anything_but_a_limit() {
    let steps = vec![with_terms(stop("s", Sell, "95", MIN), TimeInForce::Gtc, true)];
    assert_eq!(
        run(config(FillPrice::NextOpen, "0", "0"), steps),
        vec![rejected("s", "post-only is for limit orders", MIN)]
    );
}
