//! Conversions between the WIT types strategies see and the trading core's types.
//!
//! Untrusted direction (guest → host): every conversion validates and returns a typed error;
//! nothing a guest sends can panic the host. Trusted direction (host → guest): total functions.

use rust_decimal::Decimal;
use trading::market::{BookLevel, BookSnapshot, Candle, MarketEvent, Quote, Side, Symbol, Trade};
use trading::orders::{OrderRequest, OrderStatus, OrderType, OrderUpdate, Position, TimeInForce};

use super::bindings::wit;
use super::streams::StreamKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("decimal scale {scale} is out of range: at most 28 decimal places")]
    DecimalScale { scale: u8 },
    #[error("{0}")]
    Symbol(#[from] trading::market::InvalidSymbol),
}

pub fn decimal_from_wit(d: wit::Decimal) -> Result<Decimal, ConvertError> {
    Decimal::try_new(d.mantissa, u32::from(d.scale)).map_err(|_| ConvertError::DecimalScale { scale: d.scale })
}

/// Host decimals always fit: exchange prices and sizes have at most 19 significant digits once
/// trailing zeros are dropped. A value that still does not fit in an `s64` mantissa is rounded,
/// once, to the most decimal places that fit (and saturates if even zero places do not).
pub fn decimal_to_wit(d: Decimal) -> wit::Decimal {
    if let Ok(mantissa) = i64::try_from(d.mantissa()) {
        // `scale()` is at most 28, so it always fits in a u8.
        return wit::Decimal {
            mantissa,
            scale: d.scale() as u8,
        };
    }
    let normalized = d.normalize();
    for scale in (0..=normalized.scale()).rev() {
        let rounded = normalized.round_dp(scale);
        if let Ok(mantissa) = i64::try_from(rounded.mantissa()) {
            return wit::Decimal {
                mantissa,
                scale: rounded.scale() as u8,
            };
        }
    }
    let mantissa = if d.is_sign_negative() { i64::MIN } else { i64::MAX };
    wit::Decimal { mantissa, scale: 0 }
}

pub fn side_to_wit(side: Side) -> wit::Side {
    match side {
        Side::Buy => wit::Side::Buy,
        Side::Sell => wit::Side::Sell,
    }
}

pub fn side_from_wit(side: wit::Side) -> Side {
    match side {
        wit::Side::Buy => Side::Buy,
        wit::Side::Sell => Side::Sell,
    }
}

fn candle_to_wit(c: &Candle, stream: u32) -> wit::Candle {
    wit::Candle {
        stream,
        open_time_ms: c.open_time_ms,
        open: decimal_to_wit(c.open),
        high: decimal_to_wit(c.high),
        low: decimal_to_wit(c.low),
        close: decimal_to_wit(c.close),
        volume: decimal_to_wit(c.volume),
    }
}

fn trade_to_wit(t: &Trade, stream: u32) -> wit::Trade {
    wit::Trade {
        stream,
        time_ms: t.time_ms,
        price: decimal_to_wit(t.price),
        qty: decimal_to_wit(t.qty),
        aggressor: side_to_wit(t.aggressor),
    }
}

fn quote_to_wit(q: &Quote, stream: u32) -> wit::Quote {
    wit::Quote {
        stream,
        time_ms: q.time_ms,
        bid: decimal_to_wit(q.bid),
        bid_qty: decimal_to_wit(q.bid_qty),
        ask: decimal_to_wit(q.ask),
        ask_qty: decimal_to_wit(q.ask_qty),
    }
}

/// The book's top `depth` levels a side, best first: the contract promises a strategy no more
/// than it subscribed to, whatever the publisher sent.
fn book_to_wit(b: &BookSnapshot, stream: u32) -> wit::Book {
    let levels = |side: &[BookLevel]| {
        side.iter()
            .take(usize::from(b.depth))
            .map(|level| wit::BookLevel {
                price: decimal_to_wit(level.price),
                qty: decimal_to_wit(level.qty),
            })
            .collect()
    };
    wit::Book {
        stream,
        time_ms: b.time_ms,
        bids: levels(&b.bids),
        asks: levels(&b.asks),
    }
}

/// `event` as the guest sees it, tagged with its stream's id (see `streams.rs`). No strings:
/// lowering it allocates nothing in the guest but a book's two lists.
pub fn market_event_to_wit(event: &MarketEvent, stream: u32) -> wit::MarketEvent {
    match event {
        MarketEvent::Candle(c) => wit::MarketEvent::Candle(candle_to_wit(c, stream)),
        MarketEvent::Trade(t) => wit::MarketEvent::Trade(trade_to_wit(t, stream)),
        MarketEvent::Quote(q) => wit::MarketEvent::Quote(quote_to_wit(q, stream)),
        MarketEvent::Book(b) => wit::MarketEvent::Book(book_to_wit(b, stream)),
        MarketEvent::CandleUpdate(u) => wit::MarketEvent::CandleUpdate(candle_to_wit(&u.candle, stream)),
    }
}

pub fn stream_info_to_wit(key: &StreamKey) -> wit::StreamInfo {
    let (symbol, kind) = match key {
        StreamKey::Candles(symbol, timeframe) => (symbol, wit::StreamKind::Candles(timeframe.to_string())),
        StreamKey::Trades(symbol) => (symbol, wit::StreamKind::Trades),
        StreamKey::Quotes(symbol) => (symbol, wit::StreamKind::Quotes),
        StreamKey::Book(symbol, depth) => (symbol, wit::StreamKind::Book(*depth)),
        StreamKey::CandleUpdates(symbol, timeframe) => (symbol, wit::StreamKind::CandleUpdates(timeframe.to_string())),
    };
    wit::StreamInfo {
        symbol: symbol.as_str().to_owned(),
        kind,
    }
}

pub fn order_request_from_wit(req: wit::OrderRequest) -> Result<OrderRequest, ConvertError> {
    Ok(OrderRequest {
        symbol: Symbol::new(&req.symbol)?,
        side: side_from_wit(req.side),
        qty: decimal_from_wit(req.qty)?,
        order_type: match req.order_type {
            wit::OrderType::Market => OrderType::Market,
            wit::OrderType::Limit(price) => OrderType::Limit(decimal_from_wit(price)?),
            wit::OrderType::Stop(trigger) => OrderType::Stop(decimal_from_wit(trigger)?),
            wit::OrderType::StopLimit(prices) => OrderType::StopLimit {
                trigger: decimal_from_wit(prices.trigger)?,
                limit: decimal_from_wit(prices.limit)?,
            },
        },
        time_in_force: match req.time_in_force {
            wit::TimeInForce::Gtc => TimeInForce::Gtc,
            wit::TimeInForce::Ioc => TimeInForce::Ioc,
            wit::TimeInForce::Fok => TimeInForce::Fok,
        },
        post_only: req.post_only,
        reduce_only: req.reduce_only,
        tag: req.tag,
    })
}

pub fn order_type_to_wit(order_type: OrderType) -> wit::OrderType {
    match order_type {
        OrderType::Market => wit::OrderType::Market,
        OrderType::Limit(price) => wit::OrderType::Limit(decimal_to_wit(price)),
        OrderType::Stop(trigger) => wit::OrderType::Stop(decimal_to_wit(trigger)),
        OrderType::StopLimit { trigger, limit } => wit::OrderType::StopLimit(wit::StopLimit {
            trigger: decimal_to_wit(trigger),
            limit: decimal_to_wit(limit),
        }),
    }
}

pub fn time_in_force_to_wit(time_in_force: TimeInForce) -> wit::TimeInForce {
    match time_in_force {
        TimeInForce::Gtc => wit::TimeInForce::Gtc,
        TimeInForce::Ioc => wit::TimeInForce::Ioc,
        TimeInForce::Fok => wit::TimeInForce::Fok,
    }
}

pub fn status_to_wit(status: OrderStatus) -> wit::OrderStatus {
    match status {
        OrderStatus::Open => wit::OrderStatus::Open,
        OrderStatus::PartiallyFilled => wit::OrderStatus::PartiallyFilled,
        OrderStatus::Filled => wit::OrderStatus::Filled,
        OrderStatus::Cancelled => wit::OrderStatus::Cancelled,
        OrderStatus::Rejected => wit::OrderStatus::Rejected,
    }
}

pub fn order_update_to_wit(u: &OrderUpdate) -> wit::OrderUpdate {
    wit::OrderUpdate {
        order_id: u.order_id.as_str().to_owned(),
        tag: u.tag.clone(),
        symbol: u.symbol.as_str().to_owned(),
        side: side_to_wit(u.side),
        status: status_to_wit(u.status),
        filled_qty: decimal_to_wit(u.filled_qty),
        remaining_qty: decimal_to_wit(u.remaining_qty),
        fill: u.fill.as_ref().map(|f| wit::Fill {
            price: decimal_to_wit(f.price),
            qty: decimal_to_wit(f.qty),
            fee: decimal_to_wit(f.fee),
            time_ms: f.time_ms,
        }),
        reason: u.reason.clone(),
        time_ms: u.time_ms,
    }
}

pub fn position_to_wit(p: &Position) -> wit::Position {
    wit::Position {
        symbol: p.symbol.as_str().to_owned(),
        qty: decimal_to_wit(p.qty),
        avg_price: decimal_to_wit(p.avg_price),
        realized_pnl: decimal_to_wit(p.realized_pnl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_round_trip_exactly() {
        for text in [
            "0",
            "1",
            "-1",
            "4261.48",
            "0.00000001",
            "-795.150377",
            "123456789.123456789",
        ] {
            let d = Decimal::from_str(text).unwrap();
            assert_eq!(decimal_from_wit(decimal_to_wit(d)).unwrap(), d, "{text}");
        }
    }

    #[test]
    fn oversized_host_decimals_are_rounded_not_panicked() {
        let huge = Decimal::from_str("1234567890123456.123456789").unwrap();
        let back = decimal_from_wit(decimal_to_wit(huge)).unwrap();
        assert_eq!(back, Decimal::from_str("1234567890123456.123").unwrap());
        assert_eq!(
            decimal_from_wit(decimal_to_wit(Decimal::MAX)).unwrap(),
            Decimal::from(i64::MAX)
        );
    }

    #[test]
    fn guest_decimals_with_bad_scale_are_errors() {
        let bad = wit::Decimal { mantissa: 1, scale: 29 };
        assert_eq!(decimal_from_wit(bad), Err(ConvertError::DecimalScale { scale: 29 }));
    }
}
