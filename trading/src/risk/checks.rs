//! The pre-trade checks: one small function each, returning a typed [`RiskRefusal`].
//!
//! [`check`] runs them in a fixed order (cheapest and most fundamental first) and is the only
//! way to get a [`RiskApproved`] request, which is the only thing the order path accepts.

use std::fmt;

use rust_decimal::Decimal;

use crate::market::TimeMs;
use crate::market::{Instrument, MarketStatus, Side, Symbol};
use crate::orders::{OrderRequest, OrderType, MAX_TAG_LEN};
use crate::risk::{
    conform_to_instrument, order_rate, price_band, BelowMinimum, Breach, LossKind, RiskLimits, RiskScope, TradingState,
};

/// Every check that can refuse an order. [`RiskCheck::code`] is stable: it is the `check`
/// label of `strategy_host_risk_rejections_total` and the reject code strategies receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskCheck {
    UnknownStrategy,
    InvalidOrder,
    TradingHalted,
    StaleMarketData,
    MarketClosed,
    BelowMinimum,
    UnknownSymbol,
    ReduceOnly,
    DailyLossLimit,
    MaxDrawdown,
    MaxOpenOrders,
    OrderRate,
    PriceBand,
    MaxOrderNotional,
    MaxPosition,
    MaxAccountPosition,
    InsufficientPosition,
    InsufficientCash,
}

impl RiskCheck {
    /// Every check, in the order [`check`] runs them ([`RiskCheck::UnknownStrategy`] is the
    /// desk's own, before any of them).
    pub const ALL: [RiskCheck; 18] = [
        RiskCheck::UnknownStrategy,
        RiskCheck::InvalidOrder,
        RiskCheck::TradingHalted,
        RiskCheck::StaleMarketData,
        RiskCheck::MarketClosed,
        RiskCheck::BelowMinimum,
        RiskCheck::UnknownSymbol,
        RiskCheck::ReduceOnly,
        RiskCheck::DailyLossLimit,
        RiskCheck::MaxDrawdown,
        RiskCheck::MaxOpenOrders,
        RiskCheck::OrderRate,
        RiskCheck::PriceBand,
        RiskCheck::MaxOrderNotional,
        RiskCheck::MaxPosition,
        RiskCheck::MaxAccountPosition,
        RiskCheck::InsufficientPosition,
        RiskCheck::InsufficientCash,
    ];

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            RiskCheck::UnknownStrategy => "unknown_strategy",
            RiskCheck::InvalidOrder => "invalid_order",
            RiskCheck::TradingHalted => "trading_halted",
            RiskCheck::StaleMarketData => "stale_market_data",
            RiskCheck::MarketClosed => "market_closed",
            RiskCheck::BelowMinimum => "below_minimum",
            RiskCheck::UnknownSymbol => "unknown_symbol",
            RiskCheck::ReduceOnly => "reduce_only",
            RiskCheck::DailyLossLimit => "daily_loss_limit",
            RiskCheck::MaxDrawdown => "max_drawdown",
            RiskCheck::MaxOpenOrders => "max_open_orders",
            RiskCheck::OrderRate => "order_rate",
            RiskCheck::PriceBand => "price_band",
            RiskCheck::MaxOrderNotional => "max_order_notional",
            RiskCheck::MaxPosition => "max_position",
            RiskCheck::MaxAccountPosition => "max_account_position",
            RiskCheck::InsufficientPosition => "insufficient_position",
            RiskCheck::InsufficientCash => "insufficient_cash",
        }
    }

    /// The position of this check in [`RiskCheck::ALL`], for per-check counters.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for RiskCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What is wrong with a request on its own, before any limit is looked at.
///
/// More than 28 decimal places cannot occur here: [`Decimal`] holds at most 28, so the
/// conversion from the WIT decimal is where that rule is enforced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidOrder {
    #[error("quantity must be positive, got {qty}")]
    NonPositiveQty { qty: Decimal },
    #[error("prices must be positive, got {price}")]
    NonPositivePrice { price: Decimal },
    #[error("tag is {len} bytes, at most {max} allowed")]
    TagTooLong { len: usize, max: usize },
    #[error("quantity × price is too large to represent")]
    NotionalOverflow,
    #[error("limit price {price} is too large to round up to the venue's tick")]
    PriceOverflow { price: Decimal },
    #[error(
        "post-only is for limit orders that rest (good till cancelled): only a resting order is sure to be a maker"
    )]
    PostOnlyNotResting,
}

/// Why risk refused an order, with the numbers that made it so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskRefusal {
    #[error("the strategy has no book at this desk (it was never registered)")]
    UnknownStrategy,
    #[error("invalid order: {0}")]
    InvalidOrder(InvalidOrder),
    #[error("trading is halted")]
    TradingHalted,
    #[error("market data for {symbol} is stale: no new orders until it flows again")]
    StaleMarketData { symbol: Symbol },
    #[error("{symbol} is {} at the venue: no new orders or amends", match status {
        MarketStatus::CancelOnly => "cancel-only",
        MarketStatus::Open | MarketStatus::Closed => "not trading",
    })]
    MarketClosed { symbol: Symbol, status: MarketStatus },
    #[error("{0}")]
    BelowMinimum(BelowMinimum),
    #[error("no price has been seen for {symbol} yet, so the order cannot be valued")]
    UnknownSymbol { symbol: Symbol },
    #[error("trading is reduce-only: a {side:?} of {qty} (with {open_same_side} already working on that side) does not bring the position of {position} toward zero")]
    ReduceOnly {
        side: Side,
        qty: Decimal,
        open_same_side: Decimal,
        position: Decimal,
    },
    #[error("the order is reduce-only: a {side:?} of {qty} does not bring the position of {position} toward zero without passing it")]
    ReduceOnlyOrder {
        side: Side,
        qty: Decimal,
        position: Decimal,
    },
    #[error("{0}")]
    /// Boxed: the scope's name and the numbers are several times the size of the others.
    LossLimit(Box<LossRefusal>),
    #[error("{open} orders are already working, the limit is {limit}")]
    MaxOpenOrders { limit: usize, open: usize },
    #[error("{in_window} orders were sent in the last {window_ms} ms, the limit is {limit} per second")]
    OrderRate {
        limit: u32,
        in_window: u32,
        window_ms: TimeMs,
    },
    /// `deviation_bps` is `None` when the reference price cannot be measured against (zero).
    #[error("{}", band_message(*price, *reference, *deviation_bps, *limit_bps))]
    PriceBand {
        price: Decimal,
        reference: Decimal,
        deviation_bps: Option<Decimal>,
        limit_bps: Decimal,
    },
    #[error("order notional {notional} is above the limit of {limit}")]
    MaxOrderNotional { limit: Decimal, notional: Decimal },
    #[error("worst-case position {worst_case} (position, working orders on this side and this order) is beyond the limit of {limit}")]
    MaxPosition { limit: Decimal, worst_case: Decimal },
    #[error("worst-case position {worst_case} of the venue account (every strategy on it: positions, working orders on this side and this order) is beyond the limit of {limit}")]
    MaxAccountPosition { limit: Decimal, worst_case: Decimal },
    #[error("selling {qty} needs that much held: the position is {position} and {open_sells} is already offered, and shorting is not allowed")]
    InsufficientPosition {
        qty: Decimal,
        position: Decimal,
        open_sells: Decimal,
    },
    #[error("the buy needs {required} (notional plus estimated fee) but only {available} is free ({cash} cash less {committed} committed to working buys)")]
    InsufficientCash {
        required: Decimal,
        available: Decimal,
        cash: Decimal,
        committed: Decimal,
    },
}

impl RiskRefusal {
    pub fn check(&self) -> RiskCheck {
        match self {
            RiskRefusal::UnknownStrategy => RiskCheck::UnknownStrategy,
            RiskRefusal::InvalidOrder(_) => RiskCheck::InvalidOrder,
            RiskRefusal::TradingHalted => RiskCheck::TradingHalted,
            RiskRefusal::StaleMarketData { .. } => RiskCheck::StaleMarketData,
            RiskRefusal::MarketClosed { .. } => RiskCheck::MarketClosed,
            RiskRefusal::BelowMinimum(_) => RiskCheck::BelowMinimum,
            RiskRefusal::UnknownSymbol { .. } => RiskCheck::UnknownSymbol,
            RiskRefusal::ReduceOnly { .. } | RiskRefusal::ReduceOnlyOrder { .. } => RiskCheck::ReduceOnly,
            RiskRefusal::LossLimit(refusal) => match refusal.breach.kind {
                LossKind::DailyLoss => RiskCheck::DailyLossLimit,
                LossKind::Drawdown => RiskCheck::MaxDrawdown,
            },
            RiskRefusal::MaxOpenOrders { .. } => RiskCheck::MaxOpenOrders,
            RiskRefusal::OrderRate { .. } => RiskCheck::OrderRate,
            RiskRefusal::PriceBand { .. } => RiskCheck::PriceBand,
            RiskRefusal::MaxOrderNotional { .. } => RiskCheck::MaxOrderNotional,
            RiskRefusal::MaxPosition { .. } => RiskCheck::MaxPosition,
            RiskRefusal::MaxAccountPosition { .. } => RiskCheck::MaxAccountPosition,
            RiskRefusal::InsufficientPosition { .. } => RiskCheck::InsufficientPosition,
            RiskRefusal::InsufficientCash { .. } => RiskCheck::InsufficientCash,
        }
    }
}

/// An order refused because its strategy or its account crossed a loss limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossRefusal {
    pub scope: RiskScope,
    pub breach: Breach,
    /// While reducing: the order that does not reduce (side, quantity, working on that side,
    /// position). `None` while halted: nothing passes.
    pub order: Option<(Side, Decimal, Decimal, Decimal)>,
}

impl fmt::Display for LossRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.breach;
        write!(
            f,
            "{}: {} {} is beyond the limit of {} (since {} ms), so it is {}",
            self.scope,
            b.kind.code(),
            b.loss,
            b.limit,
            b.since_ms,
            b.state.as_str()
        )?;
        match self.order {
            Some((side, qty, open_same_side, position)) => write!(
                f,
                ": a {side:?} of {qty} (with {open_same_side} already working on that side) does not bring the position of {position} toward zero"
            ),
            None => f.write_str(": no new orders, cancels only"),
        }
    }
}

fn band_message(price: Decimal, reference: Decimal, deviation_bps: Option<Decimal>, limit_bps: Decimal) -> String {
    match deviation_bps {
        Some(deviation) => format!(
            "limit price {price} is {deviation} bps from the last price {reference}, beyond the band of {limit_bps} bps"
        ),
        None => format!(
            "limit price {price} cannot be measured against the last price {reference}, so the band of {limit_bps} bps refuses it"
        ),
    }
}

/// A request that passed every check. Only [`check`] makes one, and the order path takes
/// nothing else, so no order can skip risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskApproved<T>(T);

impl<T> RiskApproved<T> {
    pub fn get(&self) -> &T {
        &self.0
    }
    pub fn into_inner(self) -> T {
        self.0
    }
    /// Tests elsewhere in the crate build orders without a desk around them.
    #[cfg(test)]
    pub(crate) fn for_test(item: T) -> Self {
        Self(item)
    }
}

/// What the desk knows about a strategy when one of its requests arrives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RiskContext {
    /// Signed position in the request's symbol.
    pub position: Decimal,
    /// Working orders of the strategy, all symbols.
    pub open_orders: usize,
    /// Remaining quantity of working buys in the request's symbol.
    pub open_buy_qty: Decimal,
    /// Remaining quantity of working sells in the request's symbol.
    pub open_sell_qty: Decimal,
    /// The part of `open_sell_qty` that is reduce-only.
    pub open_reduce_only_sell_qty: Decimal,
    pub cash: Decimal,
    /// Cash the strategy's working buys (all symbols) will need, fees included.
    pub committed_cash: Decimal,
    /// The last price seen for the request's symbol.
    pub last_price: Option<Decimal>,
    /// The venue's market data for the request's symbol has stopped flowing.
    pub market_data_stale: bool,
    /// The venue's increments and minimums for the request's symbol, when the desk knows them.
    pub instrument: Option<Instrument>,
    /// What already filled of the order an amend changes (zero for a new order): the venue's
    /// rules apply to the whole order.
    pub filled_qty: Decimal,
    /// Orders the strategy sent in the last second (see [`crate::risk::OrderRate`]).
    pub orders_in_window: u32,
    /// Signed position of the strategy's venue account in the request's symbol: every
    /// strategy trading on the venue together.
    pub account_position: Decimal,
    /// Remaining quantity of the account's working buys in the request's symbol.
    pub account_open_buy_qty: Decimal,
    /// Remaining quantity of the account's working sells in the request's symbol.
    pub account_open_sell_qty: Decimal,
    /// The loss limit breach in force for the strategy (its own or its account's), if any.
    pub breach: Option<(RiskScope, Breach)>,
}

/// Runs every check in order and approves the request, or returns the first refusal.
///
/// With an [`RiskContext::instrument`], the request is first put on the venue's increments
/// ([`conform_to_instrument`]), and every later check and the approved request see the
/// rounded one: what is checked is what is stored and sent.
///
/// # Errors
///
/// The [`RiskRefusal`] of the first check that fails.
pub fn check(
    limits: &RiskLimits,
    state: TradingState,
    request: OrderRequest,
    ctx: &RiskContext,
) -> Result<RiskApproved<OrderRequest>, RiskRefusal> {
    invalid_order(&request)?;
    trading_halted(state)?;
    if ctx.market_data_stale {
        return Err(RiskRefusal::StaleMarketData {
            symbol: request.symbol.clone(),
        });
    }
    let request = match &ctx.instrument {
        Some(instrument) => conform_to_instrument(instrument, request, ctx.filled_qty, ctx.last_price)?,
        None => request,
    };
    let price = valuation_price(&request, ctx.last_price)?;
    let notional = request
        .qty
        .checked_mul(price)
        .ok_or(RiskRefusal::InvalidOrder(InvalidOrder::NotionalOverflow))?;
    let (open_same_side, account_open_same_side) = match request.side {
        Side::Buy => (ctx.open_buy_qty, ctx.account_open_buy_qty),
        Side::Sell => (ctx.open_sell_qty, ctx.account_open_sell_qty),
    };
    reduce_only(state, request.side, request.qty, ctx.position, open_same_side)?;
    if request.reduce_only {
        reduce_only_order(request.side, request.qty, ctx.position)?;
    }
    loss_limit(
        ctx.breach.as_ref(),
        request.side,
        request.qty,
        ctx.position,
        open_same_side,
    )?;
    max_open_orders(limits, ctx.open_orders)?;
    order_rate(limits, ctx.orders_in_window)?;
    price_band(limits, request.order_type, price_reference(ctx.last_price))?;
    max_order_notional(limits, notional)?;
    max_position(limits, request.side, request.qty, ctx.position, open_same_side)?;
    max_account_position(
        limits,
        request.side,
        request.qty,
        ctx.account_position,
        account_open_same_side,
    )?;
    if request.side == Side::Sell {
        // Reduce-only sells never take the position past zero (the desk trims or cancels them
        // as it shrinks), so a reduce-only sell only needs to fit beside the other sells.
        let open_sells = if request.reduce_only {
            ctx.open_sell_qty.saturating_sub(ctx.open_reduce_only_sell_qty)
        } else {
            ctx.open_sell_qty
        };
        insufficient_position(limits, request.qty, ctx.position, open_sells)?;
    } else {
        insufficient_cash(limits, notional, ctx.cash, ctx.committed_cash)?;
    }
    Ok(RiskApproved(request))
}

/// The last price, which [`valuation_price`] has already required.
fn price_reference(last_price: Option<Decimal>) -> Decimal {
    last_price.unwrap_or(Decimal::ZERO)
}

/// The request on its own: positive quantity and limit price, a tag within [`MAX_TAG_LEN`].
pub fn invalid_order(request: &OrderRequest) -> Result<(), RiskRefusal> {
    let invalid = |reason| Err(RiskRefusal::InvalidOrder(reason));
    if request.qty <= Decimal::ZERO {
        return invalid(InvalidOrder::NonPositiveQty { qty: request.qty });
    }
    for price in [request.order_type.limit_price(), request.order_type.trigger_price()]
        .into_iter()
        .flatten()
    {
        if price <= Decimal::ZERO {
            return invalid(InvalidOrder::NonPositivePrice { price });
        }
    }
    if request.post_only && (!matches!(request.order_type, OrderType::Limit(_)) || request.time_in_force.is_immediate())
    {
        return invalid(InvalidOrder::PostOnlyNotResting);
    }
    if request.tag.len() > MAX_TAG_LEN {
        return invalid(InvalidOrder::TagTooLong {
            len: request.tag.len(),
            max: MAX_TAG_LEN,
        });
    }
    Ok(())
}

/// Nothing passes while the desk is halted.
pub fn trading_halted(state: TradingState) -> Result<(), RiskRefusal> {
    match state {
        TradingState::Halted => Err(RiskRefusal::TradingHalted),
        TradingState::Active | TradingState::Reducing => Ok(()),
    }
}

/// The price an order is valued at: its limit, or the last price for a market order.
///
/// Every order, limit ones too, needs a price seen for its symbol: a symbol the feed has
/// never carried is most likely a typo, and a position in it could not be marked.
pub fn valuation_price(request: &OrderRequest, last_price: Option<Decimal>) -> Result<Decimal, RiskRefusal> {
    let unknown = || RiskRefusal::UnknownSymbol {
        symbol: request.symbol.clone(),
    };
    let last = last_price.ok_or_else(unknown)?;
    Ok(order_price(request.order_type).unwrap_or(last))
}

/// The price an order trades at or within once working: its limit, or a stop's trigger (a
/// stop-market fills near it); `None` for a market order, which takes the market's price.
pub fn order_price(order_type: OrderType) -> Option<Decimal> {
    order_type.limit_price().or(order_type.trigger_price())
}

/// While reducing, an order must be on the other side of the position and, together with the
/// working orders on its side, must not take the position past zero.
pub fn reduce_only(
    state: TradingState,
    side: Side,
    qty: Decimal,
    position: Decimal,
    open_same_side: Decimal,
) -> Result<(), RiskRefusal> {
    if state != TradingState::Reducing {
        return Ok(());
    }
    if reduces_exposure(side, qty, position, open_same_side) {
        Ok(())
    } else {
        Err(RiskRefusal::ReduceOnly {
            side,
            qty,
            open_same_side,
            position,
        })
    }
}

/// A reduce-only order must, on its own, bring the position toward zero without passing it.
/// Working orders on its side do not count: a bracket's stop-loss and take-profit each close
/// the whole position, and whichever fills first leaves the other nothing to reduce (the desk
/// then trims or cancels it, see `Desk`'s reduce-only rule).
pub fn reduce_only_order(side: Side, qty: Decimal, position: Decimal) -> Result<(), RiskRefusal> {
    if reduces_exposure(side, qty, position, Decimal::ZERO) {
        Ok(())
    } else {
        Err(RiskRefusal::ReduceOnlyOrder { side, qty, position })
    }
}

/// What reduces exposure, for a market and a limit order alike: an order on the other side
/// of the position that, with the working orders on its side, does not take it past zero.
fn reduces_exposure(side: Side, qty: Decimal, position: Decimal, open_same_side: Decimal) -> bool {
    against_position(side, position) && qty.saturating_add(open_same_side) <= position.abs()
}

/// Whether an order on `side` trades against `position` (a sell of a long, a buy of a
/// short); nothing trades against a flat position.
pub fn against_position(side: Side, position: Decimal) -> bool {
    match side {
        Side::Buy => position < Decimal::ZERO,
        Side::Sell => position > Decimal::ZERO,
    }
}

/// A breached scope refuses every order while halted, and while reducing every order that
/// does not reduce exposure (as [`reduce_only`] judges it).
pub fn loss_limit(
    breach: Option<&(RiskScope, Breach)>,
    side: Side,
    qty: Decimal,
    position: Decimal,
    open_same_side: Decimal,
) -> Result<(), RiskRefusal> {
    let Some((scope, breach)) = breach else {
        return Ok(());
    };
    let order = match breach.state {
        TradingState::Active => return Ok(()),
        TradingState::Reducing if reduces_exposure(side, qty, position, open_same_side) => return Ok(()),
        TradingState::Reducing => Some((side, qty, open_same_side, position)),
        TradingState::Halted => None,
    };
    Err(RiskRefusal::LossLimit(Box::new(LossRefusal {
        scope: scope.clone(),
        breach: *breach,
        order,
    })))
}

pub fn max_open_orders(limits: &RiskLimits, open: usize) -> Result<(), RiskRefusal> {
    if open < limits.max_open_orders {
        Ok(())
    } else {
        Err(RiskRefusal::MaxOpenOrders {
            limit: limits.max_open_orders,
            open,
        })
    }
}

pub fn max_order_notional(limits: &RiskLimits, notional: Decimal) -> Result<(), RiskRefusal> {
    if notional <= limits.max_order_notional {
        Ok(())
    } else {
        Err(RiskRefusal::MaxOrderNotional {
            limit: limits.max_order_notional,
            notional,
        })
    }
}

/// The worst case if every working order on this side fills, and this one too. An order that
/// shrinks the worst case passes even above the limit, so a strategy caught over a lowered
/// limit can still get back under it.
pub fn max_position(
    limits: &RiskLimits,
    side: Side,
    qty: Decimal,
    position: Decimal,
    open_same_side: Decimal,
) -> Result<(), RiskRefusal> {
    match beyond(limits.max_position, side, qty, position, open_same_side) {
        None => Ok(()),
        Some(worst_case) => Err(RiskRefusal::MaxPosition {
            limit: limits.max_position,
            worst_case,
        }),
    }
}

/// [`max_position`] for the whole venue account: `position` and `open_same_side` are every
/// strategy's on the venue together, so strategies that each stay within their own limit
/// cannot together build a position the account should not hold.
pub fn max_account_position(
    limits: &RiskLimits,
    side: Side,
    qty: Decimal,
    position: Decimal,
    open_same_side: Decimal,
) -> Result<(), RiskRefusal> {
    match beyond(limits.max_account_position, side, qty, position, open_same_side) {
        None => Ok(()),
        Some(worst_case) => Err(RiskRefusal::MaxAccountPosition {
            limit: limits.max_account_position,
            worst_case,
        }),
    }
}

/// The worst-case position when it is beyond `limit` and the order does not shrink it.
fn beyond(limit: Decimal, side: Side, qty: Decimal, position: Decimal, open_same_side: Decimal) -> Option<Decimal> {
    let worst_case = position.saturating_add(side.sign().saturating_mul(open_same_side.saturating_add(qty)));
    (worst_case.abs() > limit && worst_case.abs() > position.abs()).then_some(worst_case)
}

/// Without shorting, a sell (with the sells already working) may not exceed the long position.
pub fn insufficient_position(
    limits: &RiskLimits,
    qty: Decimal,
    position: Decimal,
    open_sells: Decimal,
) -> Result<(), RiskRefusal> {
    if limits.allow_short || qty.saturating_add(open_sells) <= position.max(Decimal::ZERO) {
        Ok(())
    } else {
        Err(RiskRefusal::InsufficientPosition {
            qty,
            position,
            open_sells,
        })
    }
}

/// A buy needs its notional plus the estimated fee in free cash: cash less what the working
/// buys already committed. Sells need no cash (short selling, when allowed, is not margined yet).
pub fn insufficient_cash(
    limits: &RiskLimits,
    notional: Decimal,
    cash: Decimal,
    committed: Decimal,
) -> Result<(), RiskRefusal> {
    let required = notional.saturating_add(notional.saturating_mul(limits.fee_rate));
    let available = cash.saturating_sub(committed);
    if required <= available {
        Ok(())
    } else {
        Err(RiskRefusal::InsufficientCash {
            required,
            available,
            cash,
            committed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn request(side: Side, qty: &str, order_type: OrderType) -> OrderRequest {
        OrderRequest {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side,
            qty: dec(qty),
            order_type,
            time_in_force: crate::orders::TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: "t".into(),
        }
    }

    #[test]
    fn order_terms_that_cannot_work_are_invalid() {
        use crate::orders::TimeInForce;
        let post_only = |order_type, time_in_force| OrderRequest {
            post_only: true,
            time_in_force,
            ..request(Side::Buy, "1", order_type)
        };
        let refused = |request: OrderRequest| invalid_order(&request).unwrap_err();
        for bad in [
            post_only(OrderType::Market, TimeInForce::Gtc),
            post_only(OrderType::Stop(dec("10")), TimeInForce::Gtc),
            post_only(OrderType::Limit(dec("10")), TimeInForce::Ioc),
            post_only(OrderType::Limit(dec("10")), TimeInForce::Fok),
        ] {
            assert_eq!(
                refused(bad).to_string(),
                "invalid order: post-only is for limit orders that rest (good till cancelled): only a resting order is sure to be a maker"
            );
        }
        assert_eq!(
            invalid_order(&post_only(OrderType::Limit(dec("10")), TimeInForce::Gtc)),
            Ok(())
        );
        for (trigger, limit) in [("0", "10"), ("10", "-1")] {
            let stop_limit = OrderType::StopLimit {
                trigger: dec(trigger),
                limit: dec(limit),
            };
            assert!(matches!(
                refused(request(Side::Sell, "1", stop_limit)),
                RiskRefusal::InvalidOrder(InvalidOrder::NonPositivePrice { .. })
            ));
        }
    }

    fn limits() -> RiskLimits {
        RiskLimits {
            max_order_notional: dec("1000"),
            max_position: dec("10"),
            max_open_orders: 3,
            allow_short: false,
            fee_rate: dec("0.01"),
            max_account_position: dec("20"),
            max_orders_per_second: 2,
            price_band_bps: None,
            loss: crate::risk::LossLimits::default(),
        }
    }

    fn ctx() -> RiskContext {
        RiskContext {
            position: dec("5"),
            cash: dec("10000"),
            last_price: Some(dec("100")),
            ..RiskContext::default()
        }
    }

    /// One case per check and outcome: each row changes the passing baseline (buy 1 at market,
    /// price 100, long 5, 10,000 cash) just enough to reach the check under test.
    #[test]
    fn each_check_accepts_and_refuses() {
        let limit = |p: &str| OrderType::Limit(dec(p));
        let buy = |q: &str| request(Side::Buy, q, OrderType::Market);
        let sell = |q: &str| request(Side::Sell, q, OrderType::Market);
        let c = ctx;
        let l = limits;
        #[rustfmt::skip]
        type Case = (&'static str, RiskLimits, TradingState, OrderRequest, RiskContext, Option<RiskCheck>);
        let cases: Vec<Case> = vec![
            ("baseline", l(), TradingState::Active, buy("1"), c(), None),
            (
                "zero qty",
                l(),
                TradingState::Active,
                buy("0"),
                c(),
                Some(RiskCheck::InvalidOrder),
            ),
            (
                "negative qty",
                l(),
                TradingState::Active,
                buy("-1"),
                c(),
                Some(RiskCheck::InvalidOrder),
            ),
            (
                "zero limit price",
                l(),
                TradingState::Active,
                request(Side::Buy, "1", limit("0")),
                c(),
                Some(RiskCheck::InvalidOrder),
            ),
            (
                "long tag",
                l(),
                TradingState::Active,
                OrderRequest {
                    tag: "x".repeat(MAX_TAG_LEN + 1),
                    ..buy("1")
                },
                c(),
                Some(RiskCheck::InvalidOrder),
            ),
            (
                "max tag",
                l(),
                TradingState::Active,
                OrderRequest {
                    tag: "x".repeat(MAX_TAG_LEN),
                    ..buy("1")
                },
                c(),
                None,
            ),
            (
                "notional overflow",
                l(),
                TradingState::Active,
                request(Side::Buy, "79228162514264337593543950335", limit("2")),
                c(),
                Some(RiskCheck::InvalidOrder),
            ),
            (
                "halted",
                l(),
                TradingState::Halted,
                buy("1"),
                c(),
                Some(RiskCheck::TradingHalted),
            ),
            (
                "no price, market",
                l(),
                TradingState::Active,
                buy("1"),
                RiskContext {
                    last_price: None,
                    ..c()
                },
                Some(RiskCheck::UnknownSymbol),
            ),
            (
                "no price, limit",
                l(),
                TradingState::Active,
                request(Side::Buy, "1", limit("100")),
                RiskContext {
                    last_price: None,
                    ..c()
                },
                Some(RiskCheck::UnknownSymbol),
            ),
            ("reducing: sell long", l(), TradingState::Reducing, sell("5"), c(), None),
            (
                "reducing: buy long",
                l(),
                TradingState::Reducing,
                buy("1"),
                c(),
                Some(RiskCheck::ReduceOnly),
            ),
            (
                "reducing: flip",
                l(),
                TradingState::Reducing,
                sell("6"),
                c(),
                Some(RiskCheck::ReduceOnly),
            ),
            (
                "reducing: + working",
                l(),
                TradingState::Reducing,
                sell("3"),
                RiskContext {
                    open_sell_qty: dec("3"),
                    ..c()
                },
                Some(RiskCheck::ReduceOnly),
            ),
            (
                "reducing: flat",
                l(),
                TradingState::Reducing,
                sell("1"),
                RiskContext {
                    position: Decimal::ZERO,
                    ..c()
                },
                Some(RiskCheck::ReduceOnly),
            ),
            (
                "open orders below",
                l(),
                TradingState::Active,
                buy("1"),
                RiskContext { open_orders: 2, ..c() },
                None,
            ),
            (
                "open orders at max",
                l(),
                TradingState::Active,
                buy("1"),
                RiskContext { open_orders: 3, ..c() },
                Some(RiskCheck::MaxOpenOrders),
            ),
            (
                "notional at max",
                l(),
                TradingState::Active,
                request(Side::Buy, "4", limit("250")),
                c(),
                None,
            ),
            (
                "notional above",
                l(),
                TradingState::Active,
                request(Side::Buy, "4", limit("250.01")),
                c(),
                Some(RiskCheck::MaxOrderNotional),
            ),
            (
                "market notional",
                l(),
                TradingState::Active,
                buy("10.01"),
                RiskContext {
                    position: Decimal::ZERO,
                    ..c()
                },
                Some(RiskCheck::MaxOrderNotional),
            ),
            (
                "position at max",
                l(),
                TradingState::Active,
                buy("2"),
                RiskContext {
                    open_buy_qty: dec("3"),
                    ..c()
                },
                None,
            ),
            (
                "position above",
                l(),
                TradingState::Active,
                buy("3"),
                RiskContext {
                    open_buy_qty: dec("3"),
                    ..c()
                },
                Some(RiskCheck::MaxPosition),
            ),
            (
                "short above",
                RiskLimits {
                    allow_short: true,
                    ..l()
                },
                TradingState::Active,
                sell("6"),
                RiskContext {
                    position: dec("-5"),
                    ..c()
                },
                Some(RiskCheck::MaxPosition),
            ),
            (
                "over max, reducing",
                l(),
                TradingState::Active,
                sell("1"),
                RiskContext {
                    position: dec("20"),
                    ..c()
                },
                None,
            ),
            (
                "rate below",
                l(),
                TradingState::Active,
                buy("1"),
                RiskContext {
                    orders_in_window: 1,
                    ..c()
                },
                None,
            ),
            (
                "rate at max",
                l(),
                TradingState::Active,
                buy("1"),
                RiskContext {
                    orders_in_window: 2,
                    ..c()
                },
                Some(RiskCheck::OrderRate),
            ),
            (
                "band edge",
                RiskLimits {
                    price_band_bps: Some(dec("1000")),
                    ..l()
                },
                TradingState::Active,
                request(Side::Buy, "1", limit("110")),
                c(),
                None,
            ),
            (
                "band beyond",
                RiskLimits {
                    price_band_bps: Some(dec("1000")),
                    ..l()
                },
                TradingState::Active,
                request(Side::Sell, "1", limit("89.99")),
                c(),
                Some(RiskCheck::PriceBand),
            ),
            (
                "account at max",
                l(),
                TradingState::Active,
                buy("2"),
                RiskContext {
                    account_position: dec("15"),
                    account_open_buy_qty: dec("3"),
                    ..c()
                },
                None,
            ),
            (
                "account above",
                l(),
                TradingState::Active,
                buy("2"),
                RiskContext {
                    account_position: dec("15"),
                    account_open_buy_qty: dec("3.01"),
                    ..c()
                },
                Some(RiskCheck::MaxAccountPosition),
            ),
            (
                "account short above",
                RiskLimits {
                    allow_short: true,
                    ..l()
                },
                TradingState::Active,
                sell("1"),
                RiskContext {
                    position: Decimal::ZERO,
                    account_position: dec("-20"),
                    ..c()
                },
                Some(RiskCheck::MaxAccountPosition),
            ),
            (
                "account over max, reducing",
                l(),
                TradingState::Active,
                sell("1"),
                RiskContext {
                    account_position: dec("30"),
                    ..c()
                },
                None,
            ),
            ("sell what is held", l(), TradingState::Active, sell("5"), c(), None),
            (
                "sell beyond held",
                l(),
                TradingState::Active,
                sell("6"),
                c(),
                Some(RiskCheck::InsufficientPosition),
            ),
            (
                "sell + working",
                l(),
                TradingState::Active,
                sell("3"),
                RiskContext {
                    open_sell_qty: dec("3"),
                    ..c()
                },
                Some(RiskCheck::InsufficientPosition),
            ),
            (
                "short allowed",
                RiskLimits {
                    allow_short: true,
                    ..l()
                },
                TradingState::Active,
                sell("6"),
                c(),
                None,
            ),
            (
                "cash just enough",
                l(),
                TradingState::Active,
                buy("5"),
                RiskContext {
                    position: Decimal::ZERO,
                    cash: dec("505"),
                    ..c()
                },
                None,
            ),
            (
                "cash short of fee",
                l(),
                TradingState::Active,
                buy("5"),
                RiskContext {
                    position: Decimal::ZERO,
                    cash: dec("504.99"),
                    ..c()
                },
                Some(RiskCheck::InsufficientCash),
            ),
            (
                "cash committed",
                l(),
                TradingState::Active,
                buy("5"),
                RiskContext {
                    position: Decimal::ZERO,
                    cash: dec("1000"),
                    committed_cash: dec("495.01"),
                    ..c()
                },
                Some(RiskCheck::InsufficientCash),
            ),
        ];
        for (name, limits, state, request, ctx, expected) in cases {
            let got = check(&limits, state, request.clone(), &ctx);
            match (got, expected) {
                (Ok(approved), None) => assert_eq!(approved.get(), &request, "{name}"),
                (Err(refusal), Some(check)) => {
                    assert_eq!(refusal.check(), check, "{name}: {refusal}");
                    assert!(!refusal.to_string().is_empty());
                }
                (got, expected) => panic!("{name}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    /// The venue's rules run before the limits, which see the rounded request: 10.5 at 100 is
    /// above the 1,000 notional limit, the 10 it rounds to is not.
    #[test]
    fn the_limits_see_the_request_rounded_to_the_instrument() {
        let flat = RiskContext {
            position: Decimal::ZERO,
            ..ctx()
        };
        let buy = request(Side::Buy, "10.5", OrderType::Market);
        let refused = check(&limits(), TradingState::Active, buy.clone(), &flat).unwrap_err();
        assert_eq!(refused.check(), RiskCheck::MaxOrderNotional);
        let lot = Instrument::new(dec("0.01"), Decimal::ONE).unwrap();
        let with_lot = RiskContext {
            instrument: Some(lot),
            ..flat.clone()
        };
        let approved = check(&limits(), TradingState::Active, buy.clone(), &with_lot).unwrap();
        assert_eq!(approved.get().qty, dec("10"));
        let minimum = RiskContext {
            instrument: Some(lot.with_min_qty(dec("11")).unwrap()),
            ..flat
        };
        let refused = check(&limits(), TradingState::Active, buy, &minimum).unwrap_err();
        assert_eq!(refused.check(), RiskCheck::BelowMinimum);
    }

    #[test]
    fn codes_are_stable_snake_case_and_indexed() {
        let codes: Vec<_> = RiskCheck::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "unknown_strategy",
                "invalid_order",
                "trading_halted",
                "stale_market_data",
                "market_closed",
                "below_minimum",
                "unknown_symbol",
                "reduce_only",
                "daily_loss_limit",
                "max_drawdown",
                "max_open_orders",
                "order_rate",
                "price_band",
                "max_order_notional",
                "max_position",
                "max_account_position",
                "insufficient_position",
                "insufficient_cash",
            ]
        );
        for (i, check) in RiskCheck::ALL.iter().enumerate() {
            assert_eq!(check.index(), i);
        }
    }

    #[test]
    fn a_loss_breach_refuses_everything_while_halted_and_what_does_not_reduce_while_reducing() {
        let breach = |state| {
            Some((
                RiskScope::Strategy(crate::orders::StrategyId::new("alice")),
                Breach {
                    kind: LossKind::DailyLoss,
                    loss: dec("512.5"),
                    limit: dec("500"),
                    state,
                    since_ms: 7,
                },
            ))
        };
        let with = |state| RiskContext {
            breach: breach(state),
            ..ctx()
        };
        let halted = check(
            &limits(),
            TradingState::Active,
            request(Side::Sell, "1", OrderType::Market),
            &with(TradingState::Halted),
        )
        .unwrap_err();
        assert_eq!(halted.check(), RiskCheck::DailyLossLimit);
        assert_eq!(
            halted.to_string(),
            "strategy alice: daily_loss_limit 512.5 is beyond the limit of 500 (since 7 ms), so it is halted: no new orders, cancels only"
        );
        let reducing = with(TradingState::Reducing);
        let buy = check(
            &limits(),
            TradingState::Active,
            request(Side::Buy, "1", OrderType::Market),
            &reducing,
        )
        .unwrap_err();
        assert_eq!(
            buy.to_string(),
            "strategy alice: daily_loss_limit 512.5 is beyond the limit of 500 (since 7 ms), so it is reducing: a Buy of 1 (with 0 already working on that side) does not bring the position of 5 toward zero"
        );
        assert!(check(
            &limits(),
            TradingState::Active,
            request(Side::Sell, "5", OrderType::Market),
            &reducing
        )
        .is_ok());
        let drawdown = RiskContext {
            breach: breach(TradingState::Halted).map(|(scope, b)| {
                (
                    scope,
                    Breach {
                        kind: LossKind::Drawdown,
                        ..b
                    },
                )
            }),
            ..ctx()
        };
        let refused = check(
            &limits(),
            TradingState::Active,
            request(Side::Buy, "1", OrderType::Market),
            &drawdown,
        )
        .unwrap_err();
        assert_eq!(refused.check(), RiskCheck::MaxDrawdown);
    }

    #[test]
    fn refusals_explain_with_numbers() {
        let refusal = check(
            &limits(),
            TradingState::Active,
            request(Side::Buy, "20", OrderType::Market),
            &ctx(),
        )
        .unwrap_err();
        assert_eq!(refusal.to_string(), "order notional 2000 is above the limit of 1000");
        let account = max_account_position(&limits(), Side::Buy, dec("3"), dec("18"), Decimal::ZERO).unwrap_err();
        assert_eq!(
            account,
            RiskRefusal::MaxAccountPosition {
                limit: dec("20"),
                worst_case: dec("21")
            }
        );
        assert!(
            account.to_string().contains("21") && account.to_string().contains("20"),
            "{account}"
        );
    }
}
