//! The matching rules of the simulated broker, as stated on [`SimBroker`](super::SimBroker):
//! what one market event does to one working order. Pure functions of the order and the
//! event, but for the order's own progress (a stop's trigger, its first meeting with the
//! market), which [`step`] moves on.

use rust_decimal::Decimal;

use crate::brokers::NewOrder;
use crate::market::{Candle, MarketEvent, Side, TimeMs};
use crate::orders::{OrderType, TimeInForce};

/// Where and when an order fills, before slippage and fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Match {
    pub(super) price: Decimal,
    /// When it traded: a bar's open for a bar fill (somewhere within the bar), a tick's time.
    pub(super) time_ms: TimeMs,
    /// When it is known for sure ([`FillReport::known_ms`](crate::brokers::FillReport)).
    pub(super) known_ms: TimeMs,
}

/// A working order at the simulated venue, with how far it has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resting {
    pub(super) order: NewOrder,
    pub(super) stage: Stage,
}

/// How far a working order has come: a stop waits for its trigger; then (or from the start)
/// an order has not met the market yet, which is when time in force and post-only decide; then
/// it rests in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    AwaitingTrigger,
    Unmet,
    Resting,
}

/// Why an order ended without filling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expiry {
    /// Immediate or cancel, fill or kill: nothing to fill when it met the market.
    NothingImmediate(TimeInForce),
    /// Post-only: it would have taken liquidity.
    WouldTake,
}

impl Expiry {
    pub(super) fn reason(self) -> String {
        match self {
            Expiry::NothingImmediate(tif) => format!(
                "{}: nothing filled the moment the order met the market, so it is cancelled",
                tif.code()
            ),
            Expiry::WouldTake => "post-only: the order would have taken liquidity, so it is cancelled".to_owned(),
        }
    }
}

/// What one market event did to a working order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// It keeps working (a stop may have triggered, a limit started to rest).
    Works,
    Fill(Match),
    /// It ended unfilled at `time_ms`.
    Expire {
        expiry: Expiry,
        time_ms: TimeMs,
    },
}

impl Resting {
    pub(super) fn new(order: NewOrder) -> Self {
        let stage = match order.order_type {
            OrderType::Stop(_) | OrderType::StopLimit { .. } => Stage::AwaitingTrigger,
            OrderType::Market | OrderType::Limit(_) => Stage::Unmet,
        };
        Self { order, stage }
    }
}

/// What `event`, which must be for the order's symbol, does to `resting`. A stop-limit that
/// triggers becomes a limit order placed at the instant it triggered, and goes on to meet the
/// market from there.
pub(super) fn step(resting: &mut Resting, event: &MarketEvent) -> Step {
    let quote = match event {
        MarketEvent::Candle(bar) => return against_bar(resting, bar),
        MarketEvent::Trade(trade) => Some(trade.price),
        MarketEvent::Quote(quote) => Some(match resting.order.side {
            Side::Buy => quote.ask,
            Side::Sell => quote.bid,
        }),
        // A book is a quote of its best levels; an empty side has no price to fill at.
        MarketEvent::Book(book) => book.best_against(resting.order.side).map(|level| level.price),
        // The bar is not over: what it will have traded through is not known yet, and filling
        // on its progress would fill again on its close.
        MarketEvent::CandleUpdate(_) => None,
    };
    match quote {
        Some(price) => against_tick(resting, price, event.time_ms()),
        None => Step::Works,
    }
}

/// Whether a buy stop at `trigger` has triggered at `price` (at or above it), a sell stop (at
/// or below). A touch triggers: stops fire when the market reaches them.
fn triggers(side: Side, trigger: Decimal, price: Decimal) -> bool {
    match side {
        Side::Buy => price >= trigger,
        Side::Sell => price <= trigger,
    }
}

/// Whether a limit on `side` at `limit` fills at `price`: strictly through it (a touch may
/// have traded there without reaching this order in the queue).
fn through(side: Side, limit: Decimal, price: Decimal) -> bool {
    match side {
        Side::Buy => price < limit,
        Side::Sell => price > limit,
    }
}

fn against_bar(resting: &mut Resting, bar: &Candle) -> Step {
    let order = &mut resting.order;
    // A bar that opened before the order existed traded at prices the order never saw; this
    // is what keeps the bar a strategy decided on from filling its own order.
    if bar.open_time_ms < order.time_ms {
        return Step::Works;
    }
    let (open, close_ms) = (bar.open, bar.close_time_ms());
    let at_open = |price| Match {
        price,
        time_ms: bar.open_time_ms,
        known_ms: bar.open_time_ms,
    };
    // A fill further inside the bar happened at an instant the bar does not show: it is known
    // only once the bar has closed.
    let inside = |price| Match {
        price,
        time_ms: bar.open_time_ms,
        known_ms: close_ms,
    };
    if resting.stage == Stage::AwaitingTrigger {
        let Some(trigger) = order.order_type.trigger_price() else {
            return Step::Works;
        };
        let extreme = match order.side {
            Side::Buy => bar.high,
            Side::Sell => bar.low,
        };
        if !triggers(order.side, trigger, extreme) {
            return Step::Works;
        }
        let opened_through = triggers(order.side, trigger, open);
        match order.order_type {
            // A gap through the trigger fills at the open; otherwise at the trigger.
            OrderType::Stop(_) if opened_through => return Step::Fill(at_open(open)),
            OrderType::Stop(_) => return Step::Fill(inside(trigger)),
            OrderType::StopLimit { limit, .. } => {
                order.order_type = OrderType::Limit(limit);
                resting.stage = Stage::Unmet;
                if !opened_through {
                    // Triggered somewhere inside the bar: whether the price then came back to
                    // the limit within the bar, the bar does not say. It meets the next bar.
                    order.time_ms = close_ms;
                    return Step::Works;
                }
                order.time_ms = bar.open_time_ms;
            }
            OrderType::Market | OrderType::Limit(_) => {}
        }
    }
    let limit = match order.order_type {
        OrderType::Limit(limit) => limit,
        // A market order fills at the open, whatever its time in force.
        _ => return Step::Fill(at_open(open)),
    };
    let first_meeting = resting.stage == Stage::Unmet;
    resting.stage = Stage::Resting;
    if through(order.side, limit, open) {
        // The open is already through the limit: a taker at the open, at the better open.
        if first_meeting && order.post_only {
            return Step::Expire {
                expiry: Expiry::WouldTake,
                time_ms: bar.open_time_ms,
            };
        }
        return Step::Fill(at_open(open));
    }
    if first_meeting && order.time_in_force.is_immediate() {
        return Step::Expire {
            expiry: Expiry::NothingImmediate(order.time_in_force),
            time_ms: bar.open_time_ms,
        };
    }
    let extreme = match order.side {
        Side::Buy => bar.low,
        Side::Sell => bar.high,
    };
    if through(order.side, limit, extreme) {
        Step::Fill(inside(limit))
    } else {
        Step::Works
    }
}

fn against_tick(resting: &mut Resting, price: Decimal, time_ms: TimeMs) -> Step {
    let order = &mut resting.order;
    // A tick at the order's own millisecond may be the one the strategy reacted to; a price
    // of zero is an empty side of the book.
    if time_ms <= order.time_ms || price <= Decimal::ZERO {
        return Step::Works;
    }
    let fill = Step::Fill(Match {
        price,
        time_ms,
        known_ms: time_ms,
    });
    if resting.stage == Stage::AwaitingTrigger {
        match order.order_type {
            OrderType::Stop(trigger) if triggers(order.side, trigger, price) => return fill,
            OrderType::StopLimit { trigger, limit } if triggers(order.side, trigger, price) => {
                // A limit placed at the tick that triggered it: it meets the ticks after it.
                order.order_type = OrderType::Limit(limit);
                order.time_ms = time_ms;
                resting.stage = Stage::Unmet;
            }
            _ => {}
        }
        return Step::Works;
    }
    let limit = match order.order_type {
        OrderType::Limit(limit) => limit,
        _ => return fill,
    };
    let first_meeting = resting.stage == Stage::Unmet;
    resting.stage = Stage::Resting;
    match (through(order.side, limit, price), first_meeting) {
        (true, true) if order.post_only => Step::Expire {
            expiry: Expiry::WouldTake,
            time_ms,
        },
        (true, _) => fill,
        (false, true) if order.time_in_force.is_immediate() => Step::Expire {
            expiry: Expiry::NothingImmediate(order.time_in_force),
            time_ms,
        },
        (false, _) => Step::Works,
    }
}
