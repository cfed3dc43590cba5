//! The matching rules of the simulated broker, as stated on [`SimBroker`](super::SimBroker):
//! whether a working order fills against one market event, and at which price before
//! slippage. Pure functions of the order and the event.

use rust_decimal::Decimal;

use crate::brokers::NewOrder;
use crate::market::{Candle, MarketEvent, Side, TimeMs};
use crate::orders::OrderType;

/// Where and when an order fills, before slippage and fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Match {
    pub(super) price: Decimal,
    /// When it traded: a bar's open for a bar fill (somewhere within the bar), a tick's time.
    pub(super) time_ms: TimeMs,
    /// When it is known for sure ([`FillReport::known_ms`](crate::brokers::FillReport)).
    pub(super) known_ms: TimeMs,
}

/// Whether `order` fills against `event`, which must be for the order's symbol.
pub(super) fn match_order(order: &NewOrder, event: &MarketEvent) -> Option<Match> {
    match event {
        MarketEvent::Candle(bar) => against_bar(order, bar),
        MarketEvent::Trade(trade) => against_tick(order, trade.price, trade.time_ms),
        MarketEvent::Quote(quote) => {
            let price = match order.side {
                Side::Buy => quote.ask,
                Side::Sell => quote.bid,
            };
            against_tick(order, price, quote.time_ms)
        }
        // A book is a quote of its best levels; an empty side has no price to fill at.
        MarketEvent::Book(book) => {
            let level = book.best_against(order.side)?;
            against_tick(order, level.price, book.time_ms)
        }
        // The bar is not over: what it will have traded through is not known yet, and filling
        // on its progress would fill again on its close.
        MarketEvent::CandleUpdate(_) => None,
    }
}

fn against_bar(order: &NewOrder, bar: &Candle) -> Option<Match> {
    // A bar that opened before the order existed traded at prices the order never saw; this
    // is what keeps the bar a strategy decided on from filling its own order.
    if bar.open_time_ms < order.time_ms {
        return None;
    }
    // Strict comparisons: a bar that only touches the limit may have traded there without
    // reaching this order in the queue. A gap through the limit fills at the better open.
    let (price, at_open) = match (order.order_type, order.side) {
        (OrderType::Market, _) => (bar.open, true),
        (OrderType::Limit(limit), Side::Buy) if bar.low < limit => (limit.min(bar.open), bar.open < limit),
        (OrderType::Limit(limit), Side::Sell) if bar.high > limit => (limit.max(bar.open), bar.open > limit),
        (OrderType::Limit(_), _) => return None,
    };
    // A fill at the open happened at the bar's first instant, so whatever the strategy does
    // about it may still meet the rest of the bar. One further in happened at an instant the
    // bar does not show: it is known only once the bar has closed.
    let known_ms = if at_open { bar.open_time_ms } else { bar.close_time_ms() };
    Some(Match {
        price,
        time_ms: bar.open_time_ms,
        known_ms,
    })
}

fn against_tick(order: &NewOrder, price: Decimal, time_ms: TimeMs) -> Option<Match> {
    // A tick at the order's own millisecond may be the one the strategy reacted to; a price
    // of zero is an empty side of the book.
    if time_ms <= order.time_ms || price <= Decimal::ZERO {
        return None;
    }
    let fills = match (order.order_type, order.side) {
        (OrderType::Market, _) => true,
        (OrderType::Limit(limit), Side::Buy) => price < limit,
        (OrderType::Limit(limit), Side::Sell) => price > limit,
    };
    fills.then_some(Match {
        price,
        time_ms,
        known_ms: time_ms,
    })
}
