//! The order path of the local exchange: `order.place` (LIMIT, LIMIT_MAKER, MARKET with GTC,
//! IOC, FOK; STOP_LOSS and STOP_LOSS_LIMIT, whose triggers live in `stops.rs`),
//! `order.cancel`, `order.cancelReplace`, `order.status`, `openOrders.status` and `myTrades`,
//! on the one account, matched against the symbol's book; and resting orders filled by the
//! market's trades, best price then first in the queue. Every change reaches the subscribed
//! sessions as `executionReport` and `outboundAccountPosition` events.
//!
//! Checks come in Binance's order (filters.md, errors.md): the symbol, its status, the
//! filters (`-1013 Filter failure: <FILTER>`; PRICE_FILTER checks `stopPrice` too), a
//! duplicate client id, a stop the last price already triggers, a maker order that would
//! take, the balance (`-2010`). Refusals carry Binance's status, code and message.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::account::{
    account_position, account_status, execution_report, order_json, trade_json, AccountTrade, Order, OrderKind,
    OrderSide, OrderStatus, ReportDetail, Stop, Tif,
};
use crate::exchange::Exchange;
use crate::market::Change;
use crate::wire::num;

/// The most open orders a symbol takes (exchangeInfo's MAX_NUM_ORDERS).
pub(crate) const MAX_NUM_ORDERS: usize = 200;
/// LOT_SIZE's maxQty and MARKET_LOT_SIZE's maxQty, as exchangeInfo lists them.
const MAX_QTY: u32 = 9_000;
/// PRICE_FILTER's maxPrice, as exchangeInfo lists it: with MAX_QTY it also keeps every
/// price × quantity far from `Decimal`'s range.
const MAX_PRICE: u32 = 1_000_000;
const MARKET_MAX_QTY: u32 = 100;

/// A refused request: Binance's HTTP-like status, code and message, and `error.data`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) code: i64,
    pub(crate) msg: String,
    pub(crate) data: Option<Value>,
}

impl Refusal {
    pub(crate) fn new(status: u16, code: i64, msg: impl Into<String>) -> Self {
        Self {
            status,
            code,
            msg: msg.into(),
            data: None,
        }
    }

    pub(crate) fn bad(code: i64, msg: impl Into<String>) -> Self {
        Self::new(400, code, msg)
    }

    pub(crate) fn filter(name: &str) -> Self {
        Self::bad(-1013, format!("Filter failure: {name}"))
    }

    /// The body of a refusal as REST or a cancel-replace's half writes it.
    pub(crate) fn body(&self) -> Value {
        json!({"code": self.code, "msg": self.msg})
    }
}

/// What `newOrderRespType` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RespType {
    Ack,
    Result,
    Full,
}

/// A new order as the request gave it.
#[derive(Debug, Clone)]
pub(crate) struct NewOrder {
    pub(crate) symbol: String,
    pub(crate) side: OrderSide,
    pub(crate) kind: OrderKind,
    pub(crate) tif: Tif,
    pub(crate) price: Option<Decimal>,
    /// `stopPrice`, for a stop.
    pub(crate) stop_price: Option<Decimal>,
    pub(crate) qty: Decimal,
    pub(crate) client_id: Option<String>,
    pub(crate) resp_type: RespType,
}

/// Which order a cancel or a query is about.
#[derive(Debug, Clone)]
pub(crate) struct OrderRef {
    pub(crate) symbol: String,
    pub(crate) order_id: Option<u64>,
    pub(crate) client_id: Option<String>,
}

/// Which of a symbol's trades `myTrades` lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TradesFilter {
    pub(crate) order_id: Option<u64>,
    pub(crate) start_ms: Option<i64>,
    pub(crate) from_id: Option<u64>,
    pub(crate) limit: usize,
}

/// One fill of a taker order against the book.
pub(crate) struct TakerFill {
    price: Decimal,
    qty: Decimal,
}

fn is_multiple(value: Decimal, step: Decimal) -> bool {
    step.is_zero() || (value % step).is_zero()
}

impl Exchange {
    /// `symbol`'s base and quote assets: what an order of it changes.
    pub(crate) fn assets(&self, symbol: &str) -> Vec<String> {
        self.markets
            .get(symbol)
            .map(|m| vec![m.spec.base.clone(), m.spec.quote.clone()])
            .unwrap_or_default()
    }

    pub(crate) fn decimals(&self, symbol: &str) -> u32 {
        self.markets.get(symbol).map_or(8, |m| m.spec.decimals)
    }

    /// An `executionReport` of `order` now, with a fresh execution id.
    pub(crate) fn report(&mut self, order: &Order, detail: &ReportDetail<'_>) -> Value {
        let now = self.clock_ms();
        let execution_id = self.account.execution_id();
        execution_report(order, detail, now, execution_id, self.decimals(&order.symbol))
    }

    /// Checks a new order as Binance does before it reaches the book.
    fn check_new(&self, order: &NewOrder) -> Result<(), Refusal> {
        let market = self
            .markets
            .get(&order.symbol)
            .ok_or_else(|| Refusal::bad(-1121, "Invalid symbol."))?;
        let spec = &market.spec;
        if spec.status != "TRADING" {
            return Err(Refusal::bad(-2010, "Market is closed."));
        }
        if order.qty <= Decimal::ZERO {
            return Err(Refusal::bad(-1013, "Invalid quantity."));
        }
        let price_fits =
            |p: Decimal| p >= spec.tick_size && p <= Decimal::from(MAX_PRICE) && is_multiple(p, spec.tick_size);
        let missing = |name: &str| {
            Refusal::bad(
                -1102,
                format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
            )
        };
        // A stop-loss has no price of its own before it triggers: its notional is at its stop.
        let reference = match (order.kind, order.price, order.stop_price) {
            (OrderKind::Market, _, _) => {
                let (_, bids, asks) = market.snapshot(1);
                let top = match order.side {
                    OrderSide::Buy => asks.first(),
                    OrderSide::Sell => bids.first(),
                };
                top.map(|(p, _)| *p)
            }
            (OrderKind::StopLoss, _, stop) => stop,
            (_, Some(price), _) if !price_fits(price) => return Err(Refusal::filter("PRICE_FILTER")),
            (_, Some(price), _) => Some(price),
            (_, None, _) => return Err(missing("price")),
        };
        match (order.kind.is_stop(), order.stop_price) {
            (true, Some(stop)) if !price_fits(stop) => return Err(Refusal::filter("PRICE_FILTER")),
            (true, None) => return Err(missing("stopPrice")),
            _ => {}
        }
        if order.qty < spec.min_qty || order.qty > Decimal::from(MAX_QTY) || !is_multiple(order.qty, spec.step_size) {
            return Err(Refusal::filter("LOT_SIZE"));
        }
        if order.kind.execution() == OrderKind::Market && order.qty > Decimal::from(MARKET_MAX_QTY) {
            return Err(Refusal::filter("MARKET_LOT_SIZE"));
        }
        if reference.is_some_and(|price| price * order.qty < spec.min_notional) {
            return Err(Refusal::filter("NOTIONAL"));
        }
        let open = self
            .account
            .orders
            .values()
            .filter(|o| o.symbol == order.symbol && o.status.is_open())
            .count();
        if open >= MAX_NUM_ORDERS {
            return Err(Refusal::filter("MAX_NUM_ORDERS"));
        }
        if let Some(client) = &order.client_id {
            if self
                .account
                .orders
                .values()
                .any(|o| o.status.is_open() && &o.client_order_id == client)
            {
                return Err(Refusal::bad(-2010, "Duplicate order sent."));
            }
        }
        if let Some(stop) = order.stop_price {
            crate::stops::check_not_triggered(market, order.side, stop)?;
        }
        Ok(())
    }

    /// The fills a taker order would get from the book now, best price first.
    pub(crate) fn taker_fills(&self, order: &NewOrder) -> Vec<TakerFill> {
        let Some(market) = self.markets.get(&order.symbol) else {
            return Vec::new();
        };
        let (_, bids, asks) = market.snapshot(usize::MAX);
        let levels = match order.side {
            OrderSide::Buy => asks,
            OrderSide::Sell => bids,
        };
        let mut left = order.qty;
        let mut fills = Vec::new();
        for (price, qty) in levels {
            let crosses = match (order.kind, order.price, order.side) {
                (OrderKind::Market, _, _) | (_, None, _) => true,
                (_, Some(limit), OrderSide::Buy) => price <= limit,
                (_, Some(limit), OrderSide::Sell) => price >= limit,
            };
            if left.is_zero() || !crosses {
                break;
            }
            let take = qty.min(left);
            left -= take;
            fills.push(TakerFill { price, qty: take });
        }
        fills
    }

    /// What an order locks, and of which asset: a sell its quantity; a buy its limit price ×
    /// quantity, a buy stop-loss its stop price × quantity, a market buy what `fills` cost.
    pub(crate) fn lock_for(&self, request: &NewOrder, fills: &[TakerFill]) -> (String, Decimal) {
        let (base, quote) = self
            .markets
            .get(&request.symbol)
            .map(|m| (m.spec.base.clone(), m.spec.quote.clone()))
            .unwrap_or_default();
        match (request.side, request.kind, request.price, request.stop_price) {
            (OrderSide::Sell, _, _, _) => (base, request.qty),
            (OrderSide::Buy, OrderKind::StopLoss, _, Some(stop)) => (quote, stop * request.qty),
            (OrderSide::Buy, OrderKind::Market, _, _) | (OrderSide::Buy, _, None, _) => {
                (quote, fills.iter().map(|f| f.price * f.qty).sum())
            }
            (OrderSide::Buy, _, Some(price), _) => (quote, price * request.qty),
        }
    }

    /// `order.place`: the order's result as `newOrderRespType` asks.
    pub(crate) fn place(&mut self, request: NewOrder) -> Result<Value, Refusal> {
        self.check_new(&request)?;
        // A stop takes nothing until it is triggered.
        let fills = if request.kind.is_stop() {
            Vec::new()
        } else {
            self.taker_fills(&request)
        };
        if request.kind == OrderKind::LimitMaker && !fills.is_empty() {
            return Err(Refusal::bad(-2010, "Order would immediately match and take."));
        }
        let (lock_asset, lock) = self.lock_for(&request, &fills);
        if self.account.balance(&lock_asset).free < lock {
            return Err(Refusal::bad(
                -2010,
                "Account has insufficient balance for requested action.",
            ));
        }
        let now = self.clock_ms();
        let order_id = self.account.next_order_id;
        self.account.next_order_id += 1;
        let client_id = request.client_id.clone().unwrap_or_else(|| format!("local{order_id}"));
        {
            let balance = self.account.balance(&lock_asset);
            balance.free -= lock;
            balance.locked += lock;
        }
        let mut order = Order {
            order_id,
            symbol: request.symbol.clone(),
            client_order_id: client_id,
            side: request.side,
            kind: request.kind,
            tif: request.tif,
            price: request.price.unwrap_or(Decimal::ZERO),
            qty: request.qty,
            executed: Decimal::ZERO,
            cum_quote: Decimal::ZERO,
            status: OrderStatus::New,
            time_ms: now,
            update_ms: now,
            stop: request.stop_price.map(|price| Stop {
                price,
                triggered_ms: None,
            }),
            locked: lock,
            queue: self.account.queue_place(),
            amends: 0,
            replaces: None,
        };
        let mut events = vec![self.report(
            &order,
            &ReportDetail {
                execution_type: "NEW",
                ..ReportDetail::default()
            },
        )];
        let trades = if order.awaits_trigger() {
            Vec::new()
        } else {
            self.work(&mut order, &fills, &mut events)
        };
        events.push(account_position(&self.account, &self.assets(&request.symbol), now));
        let decimals = self.decimals(&request.symbol);
        let result = place_result(&order, &trades, request.resp_type, decimals, now);
        self.account.orders.insert(order_id, order);
        for event in events {
            self.push_user(event);
        }
        // Its fills printed: they may reach stops.
        self.run_stops(&request.symbol);
        Ok(result)
    }

    /// A working order trades `fills` from the book (a FOK all of them or none), then expires
    /// what is left when it may not rest (a market order, IOC, FOK). Reports go to `events`.
    pub(crate) fn work(
        &mut self,
        order: &mut Order,
        fills: &[TakerFill],
        events: &mut Vec<Value>,
    ) -> Vec<AccountTrade> {
        let now = self.clock_ms();
        let fillable: Decimal = fills.iter().map(|f| f.qty).sum();
        let kill = order.tif == Tif::Fok && fillable < order.remaining();
        let mut trades = Vec::new();
        if !kill {
            for fill in fills {
                let trade = self.take_level(order, fill, now);
                events.push(self.report(
                    order,
                    &ReportDetail {
                        execution_type: "TRADE",
                        trade: Some(&trade),
                        ..ReportDetail::default()
                    },
                ));
                trades.push(trade);
            }
        }
        let expires = order.status.is_open() && (order.kind.execution() == OrderKind::Market || order.tif != Tif::Gtc);
        if expires {
            self.release(order);
            order.status = OrderStatus::Expired;
            events.push(self.report(
                order,
                &ReportDetail {
                    execution_type: "EXPIRED",
                    ..ReportDetail::default()
                },
            ));
        }
        trades
    }

    /// One fill of `order` against a book level: the level shrinks, a public trade prints, the
    /// balances move.
    fn take_level(&mut self, order: &mut Order, fill: &TakerFill, now: i64) -> AccountTrade {
        let symbol = order.symbol.clone();
        let mut trade_id = 0;
        if let Some(market) = self.markets.get_mut(&symbol) {
            let (_, bids, asks) = market.snapshot(usize::MAX);
            let side = if order.side == OrderSide::Buy { asks } else { bids };
            let left = side
                .iter()
                .find(|(p, _)| *p == fill.price)
                .map_or(Decimal::ZERO, |(_, q)| *q - fill.qty);
            let level = [(fill.price, left.max(Decimal::ZERO))];
            let mut changes = if order.side == OrderSide::Buy {
                market.set_levels(&[], &level, 0)
            } else {
                market.set_levels(&level, &[], 0)
            };
            let printed = market.trade(fill.price, fill.qty, order.side == OrderSide::Sell, now);
            if let Some(Change::Trade(t)) = printed.first() {
                trade_id = t.id;
            }
            changes.extend(printed);
            self.publish_changes(&symbol, changes);
        }
        self.book_fill(order, fill.price, fill.qty, trade_id, false, now)
    }

    /// Books a fill of `order` at `price`: balances, the order's counts, the account's trade.
    fn book_fill(
        &mut self,
        order: &mut Order,
        price: Decimal,
        qty: Decimal,
        trade_id: u64,
        is_maker: bool,
        now: i64,
    ) -> AccountTrade {
        let (base, quote) = self
            .markets
            .get(&order.symbol)
            .map(|m| (m.spec.base.clone(), m.spec.quote.clone()))
            .unwrap_or_default();
        let rate = self.account.fee_rate;
        let value = price * qty;
        let (fee, fee_asset) = match order.side {
            OrderSide::Buy => {
                let fee = (qty * rate).round_dp(8);
                // A limit buy locked its limit price; the difference to the fill price returns.
                let released = if order.kind.execution() == OrderKind::Market {
                    value
                } else {
                    order.price * qty
                };
                let q = self.account.balance(&quote);
                q.locked -= released;
                q.free += released - value;
                order.locked -= released;
                self.account.balance(&base).free += qty - fee;
                (fee, base)
            }
            OrderSide::Sell => {
                let fee = (value * rate).round_dp(8);
                self.account.balance(&base).locked -= qty;
                order.locked -= qty;
                self.account.balance(&quote).free += value - fee;
                (fee, quote)
            }
        };
        order.executed += qty;
        order.cum_quote += value;
        order.update_ms = now;
        order.status = if order.remaining().is_zero() {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        let trade = AccountTrade {
            id: trade_id,
            symbol: order.symbol.clone(),
            order_id: order.order_id,
            price,
            qty,
            commission: fee,
            commission_asset: fee_asset,
            time_ms: now,
            is_buyer: order.side == OrderSide::Buy,
            is_maker,
        };
        self.account.trades.push(trade.clone());
        trade
    }

    /// Returns what `order` still holds locked to free.
    pub(crate) fn release(&mut self, order: &mut Order) {
        let asset = self.markets.get(&order.symbol).map(|m| {
            if order.side == OrderSide::Buy {
                m.spec.quote.clone()
            } else {
                m.spec.base.clone()
            }
        });
        if let Some(asset) = asset {
            let b = self.account.balance(&asset);
            b.locked -= order.locked;
            b.free += order.locked;
        }
        order.locked = Decimal::ZERO;
    }

    /// `order.cancel`: the cancelled order, as Binance answers.
    pub(crate) fn cancel(&mut self, target: &OrderRef, cancel_client_id: Option<String>) -> Result<Value, Refusal> {
        let order_id = self
            .account
            .find(&target.symbol, target.order_id, target.client_id.as_deref())
            .filter(|o| o.status.is_open())
            .map(|o| o.order_id)
            .ok_or_else(|| Refusal::bad(-2011, "Unknown order sent."))?;
        let Some(mut order) = self.account.orders.remove(&order_id) else {
            return Err(Refusal::bad(-2011, "Unknown order sent."));
        };
        let now = self.clock_ms();
        self.release(&mut order);
        order.status = OrderStatus::Canceled;
        order.update_ms = now;
        let cancel_id = cancel_client_id.unwrap_or_else(|| format!("cancel{order_id}"));
        let decimals = self.decimals(&order.symbol);
        let report = self.report(
            &order,
            &ReportDetail {
                execution_type: "CANCELED",
                cancel_client_id: Some(&cancel_id),
                ..ReportDetail::default()
            },
        );
        let assets = self.assets(&order.symbol);
        let mut result = order_json(&order, decimals);
        if let Some(object) = result.as_object_mut() {
            object.insert("origClientOrderId".into(), Value::String(order.client_order_id.clone()));
            object.insert("clientOrderId".into(), Value::String(cancel_id));
            object.insert("transactTime".into(), Value::from(now));
        }
        self.account.orders.insert(order_id, order);
        self.push_user(report);
        let position = account_position(&self.account, &assets, now);
        self.push_user(position);
        Ok(result)
    }

    /// `order.cancelReplace` (STOP_ON_FAILURE or ALLOW_FAILURE): the new order is checked
    /// first, then the old one cancelled and the new one placed.
    pub(crate) fn cancel_replace(
        &mut self,
        target: &OrderRef,
        new: NewOrder,
        allow_failure: bool,
    ) -> Result<Value, Refusal> {
        self.check_new(&NewOrder {
            // The old order's id is free again once it is cancelled.
            client_id: None,
            ..new.clone()
        })?;
        let cancel = self.cancel(target, None);
        let cancel_response = match &cancel {
            Ok(result) => result.clone(),
            Err(refusal) => refusal.body(),
        };
        if let Err(refusal) = &cancel {
            if !allow_failure {
                return Err(Refusal {
                    data: Some(json!({"cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED",
                                      "cancelResponse": refusal.body(), "newOrderResponse": null})),
                    ..Refusal::bad(-2022, "Order cancel-replace failed.")
                });
            }
        }
        let new_order_id = self.account.next_order_id;
        let placed = self.place(new);
        if let (Ok(cancelled), Ok(_)) = (&cancel, &placed) {
            let cancelled_id = cancelled["orderId"].as_u64();
            if let Some(order) = self.account.orders.get_mut(&new_order_id) {
                order.replaces = cancelled_id;
            }
        }
        match (cancel.is_ok(), placed) {
            (true, Ok(new_response)) => Ok(json!({"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
                                                   "cancelResponse": cancel_response, "newOrderResponse": new_response})),
            (false, Ok(new_response)) => Err(Refusal {
                data: Some(json!({"cancelResult": "FAILURE", "newOrderResult": "SUCCESS",
                                  "cancelResponse": cancel_response, "newOrderResponse": new_response})),
                ..Refusal::new(409, -2021, "Order cancel-replace partially failed.")
            }),
            (true, Err(refusal)) => Err(Refusal {
                data: Some(json!({"cancelResult": "SUCCESS", "newOrderResult": "FAILURE",
                                  "cancelResponse": cancel_response, "newOrderResponse": refusal.body()})),
                ..Refusal::new(409, -2021, "Order cancel-replace partially failed.")
            }),
            (false, Err(refusal)) => Err(Refusal {
                data: Some(json!({"cancelResult": "FAILURE", "newOrderResult": "FAILURE",
                                  "cancelResponse": cancel_response, "newOrderResponse": refusal.body()})),
                ..Refusal::bad(-2022, "Order cancel-replace failed.")
            }),
        }
    }

    /// `order.status` (and REST `order`).
    pub(crate) fn order_status(&self, target: &OrderRef) -> Result<Value, Refusal> {
        let order = self
            .account
            .find(&target.symbol, target.order_id, target.client_id.as_deref())
            .ok_or_else(|| Refusal::bad(-2013, "Order does not exist."))?;
        Ok(order_json(order, self.decimals(&order.symbol)))
    }

    /// `account.status` (and REST `account`): `omitZeroBalances` is `true` or `false`.
    pub(crate) fn account_status(&self, omit_zero: Option<&str>) -> Result<Value, Refusal> {
        let omit_zero = match omit_zero {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(Refusal::bad(
                    -1100,
                    "Illegal characters found in parameter 'omitZeroBalances'; legal range is 'true, false'.",
                ))
            }
        };
        Ok(account_status(&self.account, omit_zero, self.clock_ms()))
    }

    /// `openOrders.status` (and REST `openOrders`), of one symbol or all.
    pub(crate) fn open_orders(&self, symbol: Option<&str>) -> Result<Value, Refusal> {
        if let Some(symbol) = symbol {
            if !self.markets.contains_key(symbol) {
                return Err(Refusal::bad(-1121, "Invalid symbol."));
            }
        }
        Ok(Value::Array(
            self.account
                .orders
                .values()
                .filter(|o| o.status.is_open() && symbol.is_none_or(|s| s == o.symbol))
                .map(|o| order_json(o, self.decimals(&o.symbol)))
                .collect(),
        ))
    }

    /// `myTrades` (WebSocket API and REST): one symbol's trades, of one order, from a time, or
    /// from a trade id, oldest first, at most `limit`.
    pub(crate) fn my_trades(&self, symbol: &str, filter: &TradesFilter) -> Result<Value, Refusal> {
        let TradesFilter {
            order_id,
            start_ms,
            from_id,
            limit,
        } = *filter;
        if !self.markets.contains_key(symbol) {
            return Err(Refusal::bad(-1121, "Invalid symbol."));
        }
        let decimals = self.decimals(symbol);
        Ok(Value::Array(
            self.account
                .trades
                .iter()
                .filter(|t| t.symbol == symbol)
                .filter(|t| order_id.is_none_or(|id| t.order_id == id))
                .filter(|t| start_ms.is_none_or(|start| t.time_ms >= start))
                .filter(|t| from_id.is_none_or(|from| t.id >= from))
                .take(limit)
                .map(|t| trade_json(t, decimals))
                .collect(),
        ))
    }

    /// A market trade at `price`: resting orders it crosses fill at their own price first
    /// (best price, then oldest), each a public trade; the rest prints at `price`.
    pub(crate) fn trade_through(
        &mut self,
        symbol: &str,
        price: Decimal,
        qty: Decimal,
        buyer_is_maker: bool,
    ) -> Result<Decimal, crate::Error> {
        self.market(symbol)?;
        // The public seller took (buyer_is_maker): it hits resting buys at or above `price`.
        let resting_side = if buyer_is_maker {
            OrderSide::Buy
        } else {
            OrderSide::Sell
        };
        let mut crossed: Vec<(Decimal, u64, u64)> = self
            .account
            .orders
            .values()
            .filter(|o| o.symbol == symbol && o.status.is_open() && o.side == resting_side)
            .filter(|o| !o.awaits_trigger())
            .filter(|o| match resting_side {
                OrderSide::Buy => o.price >= price,
                OrderSide::Sell => o.price <= price,
            })
            .map(|o| (o.price, o.queue, o.order_id))
            .collect();
        // Best price first, then first in its price's queue.
        crossed.sort_by(|a, b| match resting_side {
            OrderSide::Buy => b.0.cmp(&a.0).then(a.1.cmp(&b.1)),
            OrderSide::Sell => a.0.cmp(&b.0).then(a.1.cmp(&b.1)),
        });
        let mut left = qty;
        let now = self.clock_ms();
        for (order_price, _, order_id) in crossed {
            if left.is_zero() {
                break;
            }
            let Some(mut order) = self.account.orders.remove(&order_id) else {
                continue;
            };
            let take = order.remaining().min(left);
            left -= take;
            let printed = self.market(symbol)?.trade(order_price, take, buyer_is_maker, now);
            let trade_id = match printed.first() {
                Some(Change::Trade(t)) => t.id,
                _ => 0,
            };
            self.publish_changes(symbol, printed);
            let trade = self.book_fill(&mut order, order_price, take, trade_id, true, now);
            let report = self.report(
                &order,
                &ReportDetail {
                    execution_type: "TRADE",
                    trade: Some(&trade),
                    ..ReportDetail::default()
                },
            );
            self.account.orders.insert(order_id, order);
            self.push_user(report);
            let assets = self.assets(symbol);
            let position = account_position(&self.account, &assets, now);
            self.push_user(position);
        }
        Ok(left)
    }

    /// A deposit (or, negative, a withdrawal): `balanceUpdate` then `outboundAccountPosition`.
    pub(crate) fn deposit(&mut self, asset: &str, delta: Decimal) {
        let now = self.clock_ms();
        self.account.balance(asset).free += delta;
        self.push_user(json!({"e": "balanceUpdate", "E": now, "a": asset, "d": num(delta, 8), "T": now}));
        let position = account_position(&self.account, &[asset.to_owned()], now);
        self.push_user(position);
    }
}

fn place_result(order: &Order, trades: &[AccountTrade], resp_type: RespType, decimals: u32, now: i64) -> Value {
    let mut result = json!({"symbol": order.symbol, "orderId": order.order_id, "orderListId": -1,
                            "clientOrderId": order.client_order_id, "transactTime": now});
    if resp_type == RespType::Ack {
        return result;
    }
    if let Some(object) = result.as_object_mut() {
        let extra = json!({
            "price": num(order.price, decimals), "origQty": num(order.qty, decimals),
            "executedQty": num(order.executed, decimals), "origQuoteOrderQty": num(Decimal::ZERO, decimals),
            "cummulativeQuoteQty": num(order.cum_quote, decimals), "status": order.status.as_str(),
            "timeInForce": order.tif.as_str(), "type": order.kind.as_str(), "side": order.side.as_str(),
            "workingTime": order.working_ms().unwrap_or(-1), "selfTradePreventionMode": "EXPIRE_MAKER"
        });
        if let Some(extra) = extra.as_object() {
            object.extend(extra.clone());
        }
        if let Some(stop) = order.stop {
            object.insert("stopPrice".into(), Value::String(num(stop.price, decimals)));
        }
        if resp_type == RespType::Full {
            let fills: Vec<Value> = trades
                .iter()
                .map(|t| {
                    json!({"price": num(t.price, decimals), "qty": num(t.qty, decimals),
                           "commission": num(t.commission, decimals), "commissionAsset": t.commission_asset,
                           "tradeId": t.id})
                })
                .collect();
            object.insert("fills".into(), Value::Array(fills));
        }
    }
    result
}
