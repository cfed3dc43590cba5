//! Conversions between the WIT types and the SDK's.
//!
//! Host to strategy is total: every value the host can send has an SDK form (decimals via
//! [`decimal::from_parts`]); market events take their symbol and timeframe from the stream
//! table, since they carry only a stream id. Strategy to host can fail only on a decimal beyond the host's
//! 64-bit range, which the callers turn into a reject (orders) or leave out (indicators).

use rust_decimal::Decimal;

use super::bindings::strategy_host::strategy::types as wit;
use crate::decimal::{self, DecimalRangeError};
use crate::orders::encode_decimal;
use crate::{
    Account, Action, Book, BookLevel, Candle, Decision, Fill, LogLevel, Manifest, OpenOrder, OrderId, OrderRequest,
    OrderStatus, OrderType, OrderUpdate, ParamKind, ParamSpec, ParamValue, Position, PositionValue, Quote, Reject,
    SharedStr, Side, StreamKind, Subscription, TimeInForce, Trade,
};

impl From<wit::Decimal> for Decimal {
    fn from(value: wit::Decimal) -> Self {
        decimal::from_parts(value.mantissa, value.scale)
    }
}

impl TryFrom<Decimal> for wit::Decimal {
    type Error = DecimalRangeError;

    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        let (mantissa, scale) = decimal::to_parts(value)?;
        Ok(wit::Decimal { mantissa, scale })
    }
}

impl From<wit::Side> for Side {
    fn from(side: wit::Side) -> Self {
        match side {
            wit::Side::Buy => Side::Buy,
            wit::Side::Sell => Side::Sell,
        }
    }
}

impl From<Side> for wit::Side {
    fn from(side: Side) -> Self {
        match side {
            Side::Buy => wit::Side::Buy,
            Side::Sell => wit::Side::Sell,
        }
    }
}

/// A candle of the stream whose symbol and timeframe [`Streams`](super::streams::Streams)
/// resolved; the two clones share the stream's text rather than allocating.
pub(crate) fn candle(candle: wit::Candle, symbol: &SharedStr, timeframe: &SharedStr) -> Candle {
    Candle {
        symbol: symbol.clone(),
        timeframe: timeframe.clone(),
        open_time_ms: candle.open_time_ms,
        open: candle.open.into(),
        high: candle.high.into(),
        low: candle.low.into(),
        close: candle.close.into(),
        volume: candle.volume.into(),
    }
}

/// A trade of the stream whose symbol is `symbol`; see [`candle`].
pub(crate) fn trade(trade: wit::Trade, symbol: &SharedStr) -> Trade {
    Trade {
        symbol: symbol.clone(),
        time_ms: trade.time_ms,
        price: trade.price.into(),
        qty: trade.qty.into(),
        aggressor: trade.aggressor.into(),
    }
}

/// A quote of the stream whose symbol is `symbol`; see [`candle`].
pub(crate) fn quote(quote: wit::Quote, symbol: &SharedStr) -> Quote {
    Quote {
        symbol: symbol.clone(),
        time_ms: quote.time_ms,
        bid: quote.bid.into(),
        bid_qty: quote.bid_qty.into(),
        ask: quote.ask.into(),
        ask_qty: quote.ask_qty.into(),
    }
}

/// A book of the stream whose symbol is `symbol`; see [`candle`].
pub(crate) fn book(book: wit::Book, symbol: &SharedStr) -> Book {
    let levels = |side: Vec<wit::BookLevel>| {
        side.into_iter()
            .map(|level| BookLevel {
                price: level.price.into(),
                qty: level.qty.into(),
            })
            .collect()
    };
    Book {
        symbol: symbol.clone(),
        time_ms: book.time_ms,
        bids: levels(book.bids),
        asks: levels(book.asks),
    }
}

impl From<wit::OrderStatus> for OrderStatus {
    fn from(status: wit::OrderStatus) -> Self {
        match status {
            wit::OrderStatus::Open => OrderStatus::Open,
            wit::OrderStatus::PartiallyFilled => OrderStatus::PartiallyFilled,
            wit::OrderStatus::Filled => OrderStatus::Filled,
            wit::OrderStatus::Cancelled => OrderStatus::Cancelled,
            wit::OrderStatus::Rejected => OrderStatus::Rejected,
        }
    }
}

impl From<wit::Fill> for Fill {
    fn from(fill: wit::Fill) -> Self {
        Fill {
            price: fill.price.into(),
            qty: fill.qty.into(),
            fee: fill.fee.into(),
            time_ms: fill.time_ms,
        }
    }
}

impl From<wit::OrderUpdate> for OrderUpdate {
    fn from(update: wit::OrderUpdate) -> Self {
        OrderUpdate {
            order_id: OrderId::from(update.order_id),
            tag: update.tag,
            symbol: update.symbol,
            side: update.side.into(),
            status: update.status.into(),
            filled_qty: update.filled_qty.into(),
            remaining_qty: update.remaining_qty.into(),
            fill: update.fill.map(Fill::from),
            reason: update.reason,
            time_ms: update.time_ms,
        }
    }
}

impl From<wit::Position> for Position {
    fn from(position: wit::Position) -> Self {
        Position {
            symbol: position.symbol,
            qty: position.qty.into(),
            avg_price: position.avg_price.into(),
            realized_pnl: position.realized_pnl.into(),
        }
    }
}

impl From<wit::OrderType> for OrderType {
    fn from(order_type: wit::OrderType) -> Self {
        match order_type {
            wit::OrderType::Market => OrderType::Market,
            wit::OrderType::Limit(price) => OrderType::Limit(price.into()),
            wit::OrderType::Stop(trigger) => OrderType::Stop(trigger.into()),
            wit::OrderType::StopLimit(prices) => OrderType::StopLimit {
                trigger: prices.trigger.into(),
                limit: prices.limit.into(),
            },
        }
    }
}

impl From<wit::TimeInForce> for TimeInForce {
    fn from(time_in_force: wit::TimeInForce) -> Self {
        match time_in_force {
            wit::TimeInForce::Gtc => TimeInForce::Gtc,
            wit::TimeInForce::Ioc => TimeInForce::Ioc,
            wit::TimeInForce::Fok => TimeInForce::Fok,
        }
    }
}

impl From<TimeInForce> for wit::TimeInForce {
    fn from(time_in_force: TimeInForce) -> Self {
        match time_in_force {
            TimeInForce::Gtc => wit::TimeInForce::Gtc,
            TimeInForce::Ioc => wit::TimeInForce::Ioc,
            TimeInForce::Fok => wit::TimeInForce::Fok,
        }
    }
}

impl From<wit::Account> for Account {
    fn from(account: wit::Account) -> Self {
        Account {
            initial_cash: account.initial_cash.into(),
            cash: account.cash.into(),
            equity: account.equity.into(),
            fees: account.fees.into(),
            buying_power: account.buying_power.into(),
            fee_rate: account.fee_rate.into(),
            positions: account.positions.into_iter().map(PositionValue::from).collect(),
            open_orders: account.open_orders.into_iter().map(OpenOrder::from).collect(),
        }
    }
}

impl From<wit::PositionValue> for PositionValue {
    fn from(p: wit::PositionValue) -> Self {
        PositionValue {
            symbol: p.symbol,
            qty: p.qty.into(),
            avg_price: p.avg_price.into(),
            mark: p.mark.map(Decimal::from),
            unrealized_pnl: p.unrealized_pnl.into(),
            realized_pnl: p.realized_pnl.into(),
            fees: p.fees.into(),
        }
    }
}

impl From<wit::OpenOrder> for OpenOrder {
    fn from(o: wit::OpenOrder) -> Self {
        OpenOrder {
            order_id: OrderId::from(o.order_id),
            tag: o.tag,
            symbol: o.symbol,
            side: o.side.into(),
            order_type: o.order_type.into(),
            time_in_force: o.time_in_force.into(),
            post_only: o.post_only,
            reduce_only: o.reduce_only,
            qty: o.qty.into(),
            filled_qty: o.filled_qty.into(),
            remaining_qty: o.remaining_qty.into(),
            status: o.status.into(),
        }
    }
}

impl From<wit::Reject> for Reject {
    fn from(reject: wit::Reject) -> Self {
        Reject {
            code: reject.code,
            message: reject.message,
        }
    }
}

impl From<LogLevel> for wit::LogLevel {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Trace => wit::LogLevel::Trace,
            LogLevel::Debug => wit::LogLevel::Debug,
            LogLevel::Info => wit::LogLevel::Info,
            LogLevel::Warn => wit::LogLevel::Warn,
            LogLevel::Error => wit::LogLevel::Error,
        }
    }
}

impl TryFrom<OrderRequest> for wit::OrderRequest {
    type Error = Reject;

    fn try_from(order: OrderRequest) -> Result<Self, Self::Error> {
        let to_wit =
            |what, value| encode_decimal(what, value).map(|(mantissa, scale)| wit::Decimal { mantissa, scale });
        let order_type = match order.order_type {
            OrderType::Market => wit::OrderType::Market,
            OrderType::Limit(price) => wit::OrderType::Limit(to_wit("limit price", price)?),
            OrderType::Stop(trigger) => wit::OrderType::Stop(to_wit("trigger price", trigger)?),
            OrderType::StopLimit { trigger, limit } => wit::OrderType::StopLimit(wit::StopLimit {
                trigger: to_wit("trigger price", trigger)?,
                limit: to_wit("limit price", limit)?,
            }),
        };
        Ok(wit::OrderRequest {
            qty: to_wit("qty", order.qty)?,
            symbol: order.symbol,
            side: order.side.into(),
            order_type,
            time_in_force: order.time_in_force.into(),
            post_only: order.post_only,
            reduce_only: order.reduce_only,
            tag: order.tag,
        })
    }
}

impl From<Decision> for wit::Decision {
    /// Confidence is clamped to 0.0 ..= 1.0 (NaN becomes 0.0), and indicators whose value is
    /// beyond the host's range are left out: a decision is for people, and must not fail.
    fn from(decision: Decision) -> Self {
        let confidence = if decision.confidence.is_nan() {
            0.0
        } else {
            decision.confidence.clamp(0.0, 1.0)
        };
        wit::Decision {
            symbol: decision.symbol,
            action: match decision.action {
                Action::Buy => wit::Action::Buy,
                Action::Sell => wit::Action::Sell,
                Action::Hold => wit::Action::Hold,
            },
            confidence,
            reasoning: decision.reasoning,
            indicators: decision
                .indicators
                .into_iter()
                .filter_map(|indicator| {
                    let value = indicator.value.try_into().ok()?;
                    Some(wit::Indicator {
                        name: indicator.name,
                        value,
                    })
                })
                .collect(),
        }
    }
}

impl From<Manifest> for wit::Manifest {
    fn from(manifest: Manifest) -> Self {
        wit::Manifest {
            name: manifest.name,
            version: manifest.version,
            description: manifest.description,
            subscriptions: manifest
                .subscriptions
                .into_iter()
                .map(wit::Subscription::from)
                .collect(),
            params: manifest.params.into_iter().map(wit::ParamSpec::from).collect(),
        }
    }
}

impl From<Subscription> for wit::Subscription {
    fn from(subscription: Subscription) -> Self {
        wit::Subscription {
            symbol: subscription.symbol,
            stream: match subscription.stream {
                StreamKind::Candles(timeframe) => wit::StreamKind::Candles(timeframe),
                StreamKind::Trades => wit::StreamKind::Trades,
                StreamKind::Quotes => wit::StreamKind::Quotes,
                StreamKind::Book(depth) => wit::StreamKind::Book(depth),
                StreamKind::CandleUpdates(timeframe) => wit::StreamKind::CandleUpdates(timeframe),
            },
        }
    }
}

impl From<ParamSpec> for wit::ParamSpec {
    fn from(spec: ParamSpec) -> Self {
        wit::ParamSpec {
            kind: match spec.kind() {
                ParamKind::Integer => wit::ParamKind::Integer,
                ParamKind::Decimal => wit::ParamKind::Decimal,
                ParamKind::Boolean => wit::ParamKind::Boolean,
                ParamKind::Text => wit::ParamKind::Text,
            },
            default_value: spec.default.to_json(),
            min_value: spec.min.as_ref().map(ParamValue::to_json),
            max_value: spec.max.as_ref().map(ParamValue::to_json),
            name: spec.name,
            description: spec.description,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wit_decimal(mantissa: i64, scale: u8) -> wit::Decimal {
        wit::Decimal { mantissa, scale }
    }

    #[test]
    fn candles_convert_losslessly() {
        let (symbol, timeframe) = (SharedStr::from("BTC/USD"), SharedStr::from("1m"));
        let wit_candle = wit::Candle {
            stream: 0,
            open_time_ms: 60_000,
            open: wit_decimal(10_000, 2),
            high: wit_decimal(10_150, 2),
            low: wit_decimal(9_950, 2),
            close: wit_decimal(10_100, 2),
            volume: wit_decimal(5, 1),
        };
        let candle = candle(wit_candle, &symbol, &timeframe);
        assert_eq!(candle.close.to_string(), "101.00");
        assert_eq!(candle.volume.to_string(), "0.5");
        assert_eq!((candle.symbol.as_str(), candle.open_time_ms), ("BTC/USD", 60_000));
        assert!(
            std::ptr::eq(candle.timeframe.as_str(), timeframe.as_str()),
            "shared, not copied"
        );
    }

    #[test]
    fn books_convert_losslessly_and_keep_their_order() {
        let symbol = SharedStr::from("BTC/USD");
        let level = |price, qty| wit::BookLevel {
            price: wit_decimal(price, 1),
            qty: wit_decimal(qty, 3),
        };
        let wit_book = wit::Book {
            stream: 4,
            time_ms: 42,
            bids: vec![level(1_000, 1), level(999, 2_500)],
            asks: Vec::new(),
        };
        let book = book(wit_book, &symbol);
        let bids: Vec<String> = book.bids.iter().map(|l| format!("{}@{}", l.qty, l.price)).collect();
        assert_eq!(bids, ["0.001@100.0", "2.500@99.9"]);
        assert_eq!((book.time_ms, book.best_ask(), book.mid()), (42, None, None));
    }

    #[test]
    fn orders_with_unrepresentable_decimals_become_invalid_order_rejects() {
        let order = OrderRequest::limit("BTC/USD", Side::Buy, Decimal::MAX, Decimal::ONE);
        let reject = wit::OrderRequest::try_from(order).unwrap_err();
        assert_eq!(reject.code, "invalid_order");
        assert!(reject.message.starts_with("qty: "), "{}", reject.message);

        let order = OrderRequest::limit("BTC/USD", Side::Sell, Decimal::ONE, Decimal::new(25, 1)).with_tag("t");
        let wit_order = wit::OrderRequest::try_from(order).unwrap();
        assert!(matches!(
            wit_order.order_type,
            wit::OrderType::Limit(wit::Decimal { mantissa: 25, scale: 1 })
        ));
        assert_eq!(wit_order.tag, "t");
    }

    #[test]
    fn decisions_clamp_confidence_and_drop_unrepresentable_indicators() {
        let decision = Decision::new("BTC/USD", Action::Hold)
            .with_confidence(f32::NAN)
            .with_indicator("ok", Decimal::ONE)
            .with_indicator("huge", Decimal::MAX);
        let wit_decision = wit::Decision::from(decision.clone());
        assert_eq!(wit_decision.confidence, 0.0);
        assert_eq!(wit_decision.indicators.len(), 1);
        assert_eq!(wit_decision.indicators[0].name, "ok");
        assert_eq!(wit::Decision::from(decision.with_confidence(3.0)).confidence, 1.0);
    }

    #[test]
    fn manifests_carry_param_defaults_as_json() {
        let manifest = Manifest::new("demo", "1.0.0", "A demo")
            .subscribe(Subscription::candles("*", "1m"))
            .param(ParamSpec::text("label", "v1", "A label"));
        let wit_manifest = wit::Manifest::from(manifest);
        assert_eq!(wit_manifest.params[0].default_value, r#""v1""#);
        assert!(matches!(wit_manifest.params[0].kind, wit::ParamKind::Text));
        assert!(matches!(
            &wit_manifest.subscriptions[0].stream,
            wit::StreamKind::Candles(timeframe) if timeframe == "1m"
        ));
    }
}
