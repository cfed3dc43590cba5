//! The account and its orders: checks, matching, fills, balances.
//!
//! Pure state changes: every operation returns the [`AccountEvent`]s that happened, in order,
//! and the exchange turns them into `executions` and `balances` messages. Rules:
//!
//! 1. A market order, or a limit that crosses, takes liquidity at once (taker fee): it walks the
//!    book's levels (consuming them), and where the book side is empty it fills at the last trade
//!    price. A market order fills its remainder at the last price when the book runs out.
//! 2. A resting limit fills (maker fee, at its own limit price) when a scripted public trade
//!    reaches it: buys at or above the trade price, sells at or below, best price then oldest
//!    first, each trade's qty shared out; a smaller trade fills partially.
//! 3. Funds: a buy holds `remaining × limit × (1 + taker fee)` of the quote, a sell holds its
//!    remaining base; a new order needs that much *available* (balance minus holds). A stop
//!    holds from the moment it is placed, as the order it becomes would: a buy stop-loss-limit
//!    at its limit, a buy stop-loss at its trigger price (it has no other price until it
//!    fires), a sell stop its base.
//! 4. Fees are charged in the quote asset, rounded to its ledger decimals.
//! 5. Stops ([`crate::triggers`]): an untriggered stop is out of the book and matches nothing.
//!    It fires when a print reaches its trigger (a scripted trade, or a taker's fill, the
//!    account's own included), or at once when placed or amended with a trigger the last trade
//!    already meets; stops reached by the same prints fire oldest first. Firing reports
//!    `status` (the trigger `triggered`), then the order is checked again as the market or
//!    limit order it becomes at that moment (funds, post-only; a failure cancels it with the
//!    reason) and works as one: a stop-loss takes at once and cancels what it cannot fill, a
//!    stop-loss-limit takes what crosses and rests the rest with the priority of that moment.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::book::BookSide;
use crate::config::{Fees, PairSpec};
use crate::error::Reject;
use crate::ids::IdGen;
use crate::market::{Market, Side};
use crate::num::scale_needed;
use crate::orders::{Fill, LedgerEntry, Liquidity, Order, OrderStatus, OrderType, TimeInForce};
use crate::triggers::{met_by_last, PrintRange, Trigger, TriggerStatus};

/// What happened to the account, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AccountEvent {
    /// An order report that is not a fill (`pending_new`, `new`, `canceled`, `amended`, `filled`).
    Order { exec_type: &'static str, order: Order },
    /// A fill, with the order after it.
    Trade { fill: Box<Fill>, order: Order },
    /// A balance movement.
    Ledger(LedgerEntry),
}

/// A public print caused by the account's taker fill: (taker side, price, qty, order type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Print {
    pub(crate) side: Side,
    pub(crate) price: Decimal,
    pub(crate) qty: Decimal,
    pub(crate) ord_type: &'static str,
}

/// What placing or amending an order did: the order after it, its events, its public prints.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) order: Order,
    pub(crate) events: Vec<AccountEvent>,
    pub(crate) prints: Vec<Print>,
}

/// A new order as asked for.
#[derive(Debug, Clone)]
pub(crate) struct NewOrder {
    pub(crate) symbol: String,
    pub(crate) side: Side,
    pub(crate) order_type: OrderType,
    pub(crate) qty: Decimal,
    pub(crate) limit_price: Option<Decimal>,
    /// The trigger price of a stop (`triggers.price`).
    pub(crate) trigger_price: Option<Decimal>,
    pub(crate) post_only: bool,
    pub(crate) time_in_force: TimeInForce,
    pub(crate) cl_ord_id: Option<String>,
    pub(crate) order_userref: i64,
}

/// An amendment as asked for.
#[derive(Debug, Clone)]
pub(crate) struct Amend {
    pub(crate) order_qty: Option<Decimal>,
    pub(crate) limit_price: Option<Decimal>,
    /// A new trigger price: only for a stop that has not fired.
    pub(crate) trigger_price: Option<Decimal>,
    pub(crate) post_only: Option<bool>,
}

/// The account.
#[derive(Debug)]
pub(crate) struct Account {
    balances: BTreeMap<String, Decimal>,
    orders: BTreeMap<String, Order>,
    open: Vec<String>,
    fills: Vec<Fill>,
    accepted: HashMap<String, u32>,
    fees: Fees,
    ids: IdGen,
    next_seq: u64,
    next_trade_id: u64,
}

/// The largest quantity or price an order may carry. rust_decimal panics on overflow, and
/// `qty × price × fee` of two client-chosen 28-digit numbers would overflow: anything a client
/// sends is bounded here first, so no request can reach an overflowing multiplication.
const MAX_INPUT: i64 = 1_000_000_000_000;

/// Decimals the ledger keeps per asset (Kraken: fiat 4, crypto 10).
pub(crate) fn asset_decimals(asset: &str) -> u32 {
    match asset {
        "USD" | "EUR" | "GBP" | "CAD" | "JPY" | "CHF" | "AUD" => 4,
        _ => 10,
    }
}

impl Account {
    pub(crate) fn new(balances: BTreeMap<String, Decimal>, fees: Fees) -> Self {
        Account {
            balances,
            orders: BTreeMap::new(),
            open: Vec::new(),
            fills: Vec::new(),
            accepted: HashMap::new(),
            fees,
            ids: IdGen::new(),
            next_seq: 0,
            next_trade_id: 1,
        }
    }

    pub(crate) fn balances(&self) -> &BTreeMap<String, Decimal> {
        &self.balances
    }

    pub(crate) fn set_balance(&mut self, asset: &str, amount: Decimal) {
        self.balances.insert(asset.to_string(), amount);
    }

    pub(crate) fn fills(&self) -> &[Fill] {
        &self.fills
    }

    pub(crate) fn accepted(&self, cl_ord_id: &str) -> u32 {
        self.accepted.get(cl_ord_id).copied().unwrap_or(0)
    }

    pub(crate) fn accepted_ids(&self) -> std::collections::BTreeMap<String, u32> {
        self.accepted.iter().map(|(id, n)| (id.clone(), *n)).collect()
    }

    pub(crate) fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.get(order_id)
    }

    pub(crate) fn all_orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    /// Open orders, oldest first.
    pub(crate) fn open_orders(&self) -> Vec<Order> {
        self.open.iter().filter_map(|id| self.orders.get(id)).cloned().collect()
    }

    /// The open order with this client id.
    pub(crate) fn open_by_cl_ord_id(&self, cl_ord_id: &str) -> Option<&Order> {
        self.open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .find(|o| o.cl_ord_id.as_deref() == Some(cl_ord_id))
    }

    /// What an open order holds of `asset` (rule 3).
    fn hold_of(&self, o: &Order, asset: &str) -> Decimal {
        let (base, quote) = o.symbol.split_once('/').unwrap_or((&o.symbol, ""));
        // A buy stop-loss has no limit: its trigger price is what it holds at.
        let price = o.limit_price.or(o.trigger.map(|t| t.price)).unwrap_or_default();
        match o.side {
            Side::Buy if asset == quote => {
                o.remaining() * price * (Decimal::ONE + self.fees.taker_pct / Decimal::from(100))
            }
            Side::Sell if asset == base => o.remaining(),
            _ => Decimal::ZERO,
        }
    }

    /// Balance minus what open orders hold.
    pub(crate) fn available(&self, asset: &str) -> Decimal {
        let balance = self.balances.get(asset).copied().unwrap_or_default();
        let held: Decimal = self
            .open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .map(|o| self.hold_of(o, asset))
            .sum();
        balance - held
    }

    /// Checks an order against the pair's rules and the account's funds, without changing anything.
    pub(crate) fn check(&self, req: &NewOrder, market: &Market, exclude: Option<&str>) -> Result<(), Reject> {
        let spec = &market.spec;
        if spec.status != "online" {
            return Err(Reject::Halted);
        }
        let too_big = Decimal::from(MAX_INPUT);
        if req.qty <= Decimal::ZERO || req.qty > too_big || scale_needed(req.qty) > spec.qty_precision {
            return Err(Reject::InvalidQty);
        }
        if req.limit_price.is_some_and(|p| p > too_big) {
            return Err(Reject::InvalidPrice);
        }
        if req.qty < spec.qty_min {
            return Err(Reject::OrderMinimum);
        }
        let bad_trigger = || Reject::InvalidArguments("triggers".into());
        // A stop whose trigger the last trade already meets is checked as what it becomes.
        let stays_armed = match (req.order_type.is_stop(), req.trigger_price) {
            (true, Some(t)) => {
                if t <= Decimal::ZERO || t > too_big || scale_needed(t) > spec.price_precision {
                    return Err(bad_trigger());
                }
                !met_by_last(req.side, t, market.last_price())
            }
            (true, None) | (false, Some(_)) => return Err(bad_trigger()),
            (false, None) => false,
        };
        let execution = req.order_type.execution();
        let crossing = !stays_armed && crosses(market, req.side, execution, req.limit_price);
        let price_for_cost = match (execution, req.trigger_price) {
            (OrderType::Limit, _) => {
                let p = req.limit_price.ok_or(Reject::InvalidPrice)?;
                if p <= Decimal::ZERO || scale_needed(p) > spec.price_precision {
                    return Err(Reject::InvalidPrice);
                }
                p
            }
            (_, Some(t)) if stays_armed => t,
            _ => estimate_price(market, req.side, req.qty).ok_or(Reject::NoLiquidity)?,
        };
        if req.qty * price_for_cost < spec.cost_min {
            return Err(Reject::CostMinimum);
        }
        if req.post_only && crossing {
            return Err(Reject::PostOnly);
        }
        if let Some(cl) = &req.cl_ord_id {
            if self
                .open_by_cl_ord_id(cl)
                .is_some_and(|o| Some(o.order_id.as_str()) != exclude)
            {
                return Err(Reject::DuplicateClOrdId);
            }
        }
        let (need_asset, need) = match req.side {
            Side::Buy => (
                &spec.quote,
                req.qty * price_for_cost * (Decimal::ONE + self.fees.taker_pct / Decimal::from(100)),
            ),
            Side::Sell => (&spec.base, req.qty),
        };
        let mut available = self.available(need_asset);
        if let Some(id) = exclude.and_then(|id| self.orders.get(id)) {
            available += self.hold_of(id, need_asset);
        }
        if need > available {
            return Err(Reject::InsufficientFunds);
        }
        Ok(())
    }

    /// Places a checked order: `pending_new`, `new`, then whatever it takes at once.
    pub(crate) fn place(&mut self, req: NewOrder, market: &mut Market, now_ms: i64, now_us: i64) -> Outcome {
        let order_id = self.ids.next('O');
        self.next_seq += 1;
        let order = Order {
            order_id: order_id.clone(),
            cl_ord_id: req.cl_ord_id.clone(),
            order_userref: req.order_userref,
            symbol: req.symbol.clone(),
            side: req.side,
            order_type: req.order_type,
            time_in_force: req.time_in_force,
            order_qty: req.qty,
            limit_price: req.limit_price,
            trigger: req.trigger_price.map(Trigger::untriggered),
            post_only: req.post_only,
            status: OrderStatus::PendingNew,
            cum_qty: Decimal::ZERO,
            cum_cost: Decimal::ZERO,
            fee_paid: Decimal::ZERO,
            created_ms: now_ms,
            updated_us: now_us,
            cancel_reason: None,
            seq: self.next_seq,
        };
        if let Some(cl) = &req.cl_ord_id {
            *self.accepted.entry(cl.clone()).or_insert(0) += 1;
        }
        let mut events = vec![AccountEvent::Order {
            exec_type: "pending_new",
            order: order.clone(),
        }];
        self.orders.insert(order_id.clone(), order);
        self.open.push(order_id.clone());
        let o = self.orders.get_mut(&order_id).expect("just inserted");
        o.status = OrderStatus::New;
        events.push(AccountEvent::Order {
            exec_type: "new",
            order: o.clone(),
        });
        let armed = o.awaits_trigger();
        let fires_now = o
            .trigger
            .is_some_and(|t| met_by_last(o.side, t.price, market.last_price()));
        let prints = match (armed, fires_now) {
            (false, _) => self.execute(&order_id, market, now_us, &mut events),
            (true, true) => self.fire(&order_id, market, now_us, &mut events),
            (true, false) => Vec::new(),
        };
        let order = self.orders.get(&order_id).expect("placed").clone();
        Outcome { order, events, prints }
    }

    /// A working order takes what it can now; a market order (or a fired stop-loss) and an IOC
    /// order then cancel what is left.
    fn execute(
        &mut self,
        order_id: &str,
        market: &mut Market,
        now_us: i64,
        events: &mut Vec<AccountEvent>,
    ) -> Vec<Print> {
        let prints = self.take(order_id, market, now_us, events);
        let done_now = self.orders.get(order_id).is_some_and(|o| {
            o.status.is_open() && (o.order_type.execution() == OrderType::Market || o.time_in_force == TimeInForce::Ioc)
        });
        if done_now {
            events.extend(self.cancel(order_id, "Immediate or cancel", now_us));
        }
        prints
    }

    /// Fires a stop (rule 5): reports `status`, checks it as the order it becomes, and works it.
    fn fire(&mut self, order_id: &str, market: &mut Market, now_us: i64, events: &mut Vec<AccountEvent>) -> Vec<Print> {
        self.next_seq += 1;
        let seq = self.next_seq;
        let Some(o) = self.orders.get_mut(order_id) else {
            return Vec::new();
        };
        let Some(trigger) = o.trigger.as_mut() else {
            return Vec::new();
        };
        trigger.status = TriggerStatus::Triggered;
        // A stop-loss-limit joins the book's queue when it fires, not when it was placed.
        o.seq = seq;
        o.updated_us = now_us;
        let working = NewOrder {
            symbol: o.symbol.clone(),
            side: o.side,
            order_type: o.order_type.execution(),
            qty: o.remaining(),
            limit_price: o.limit_price,
            trigger_price: None,
            post_only: o.post_only,
            time_in_force: o.time_in_force,
            cl_ord_id: o.cl_ord_id.clone(),
            order_userref: o.order_userref,
        };
        events.push(AccountEvent::Order {
            exec_type: "status",
            order: o.clone(),
        });
        match self.check(&working, market, Some(order_id)) {
            // The pair's minimums were met when the order was placed; what it fills now is not
            // a new order.
            Ok(()) | Err(Reject::OrderMinimum) | Err(Reject::CostMinimum) => {}
            Err(e) => {
                let code = e.code();
                let reason = code.split_once(':').map_or(code.as_str(), |(_, r)| r);
                events.extend(self.cancel(order_id, reason, now_us));
                return Vec::new();
            }
        }
        self.execute(order_id, market, now_us, events)
    }

    /// Fires the untriggered stops on `market`'s pair that `prints` reach, oldest first
    /// (rule 5). Returns their events and the public prints their taking caused: the caller
    /// puts those on the tape, and they may reach further stops in its next round.
    pub(crate) fn trigger_stops(
        &mut self,
        market: &mut Market,
        prints: PrintRange,
        now_us: i64,
    ) -> (Vec<AccountEvent>, Vec<Print>) {
        let due: Vec<String> = self
            .open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| o.symbol == market.spec.symbol && o.status.is_open() && o.awaits_trigger())
            .filter(|o| o.trigger.is_some_and(|t| prints.reaches(o.side, t.price)))
            .map(|o| o.order_id.clone())
            .collect();
        let mut events = Vec::new();
        let mut taken = Vec::new();
        for id in due {
            taken.extend(self.fire(&id, market, now_us, &mut events));
        }
        (events, taken)
    }

    /// Fills what an order can take now. Returns the public prints (side, price, qty, type).
    fn take(&mut self, order_id: &str, market: &mut Market, now_us: i64, events: &mut Vec<AccountEvent>) -> Vec<Print> {
        let Some(o) = self.orders.get(order_id).cloned() else {
            return Vec::new();
        };
        let mut prints = Vec::new();
        let execution = o.order_type.execution();
        if o.awaits_trigger() || !crosses(market, o.side, execution, o.limit_price) {
            return prints;
        }
        let book_side = match o.side {
            Side::Buy => BookSide::Ask,
            Side::Sell => BookSide::Bid,
        };
        let book_was_empty = market.book.is_empty(book_side);
        let mut remaining = o.remaining();
        while remaining > Decimal::ZERO {
            let Some(level) = market.book.best(book_side) else {
                break;
            };
            let within = match (o.limit_price, o.side) {
                (None, _) => true,
                (Some(l), Side::Buy) => level.price <= l,
                (Some(l), Side::Sell) => level.price >= l,
            };
            if !within {
                break;
            }
            let qty = remaining.min(level.qty);
            market.book.set(book_side, level.price, level.qty - qty);
            events.extend(self.fill(order_id, qty, level.price, Liquidity::Taker, &market.spec, now_us));
            prints.push(Print {
                side: o.side,
                price: level.price,
                qty,
                ord_type: execution.as_str(),
            });
            remaining -= qty;
        }
        let fill_at_last = remaining > Decimal::ZERO && (book_was_empty || execution == OrderType::Market);
        if fill_at_last {
            if let Some(last) = market.last_price() {
                events.extend(self.fill(order_id, remaining, last, Liquidity::Taker, &market.spec, now_us));
                prints.push(Print {
                    side: o.side,
                    price: last,
                    qty: remaining,
                    ord_type: execution.as_str(),
                });
            }
        }
        prints
    }

    /// Applies one fill to an order, its balances and the ledger.
    fn fill(
        &mut self,
        order_id: &str,
        qty: Decimal,
        price: Decimal,
        liquidity: Liquidity,
        spec: &PairSpec,
        now_us: i64,
    ) -> Vec<AccountEvent> {
        let pct = match liquidity {
            Liquidity::Maker => self.fees.maker_pct,
            Liquidity::Taker => self.fees.taker_pct,
        };
        let cost = qty * price;
        let fee = (cost * pct / Decimal::from(100)).round_dp_with_strategy(
            asset_decimals(&spec.quote),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        let exec_id = self.ids.next('T');
        let ledger_ids = [self.ids.next('L'), self.ids.next('L')];
        let trade_id = self.next_trade_id;
        self.next_trade_id += 1;
        let o = self.orders.get_mut(order_id).expect("filling a known order");
        o.cum_qty += qty;
        o.cum_cost += cost;
        o.fee_paid += fee;
        o.updated_us = now_us;
        o.status = if o.cum_qty >= o.order_qty {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        let order = o.clone();
        let (base_amount, quote_amount) = match order.side {
            Side::Buy => (qty, -cost),
            Side::Sell => (-qty, cost),
        };
        let base_balance = {
            let b = self.balances.entry(spec.base.clone()).or_default();
            *b += base_amount;
            *b
        };
        let quote_balance = {
            let b = self.balances.entry(spec.quote.clone()).or_default();
            *b += quote_amount - fee;
            *b
        };
        let fill = Fill {
            exec_id: exec_id.clone(),
            trade_id,
            order_id: order_id.to_string(),
            cl_ord_id: order.cl_ord_id.clone(),
            symbol: spec.symbol.clone(),
            side: order.side,
            order_type: order.order_type,
            qty,
            price,
            cost,
            fee,
            fee_asset: spec.quote.clone(),
            liquidity,
            time_us: now_us,
            ledger_ids: ledger_ids.clone(),
        };
        self.fills.push(fill.clone());
        let [base_ledger, quote_ledger] = ledger_ids;
        let mut events = vec![
            AccountEvent::Trade {
                fill: Box::new(fill),
                order: order.clone(),
            },
            AccountEvent::Ledger(LedgerEntry {
                ledger_id: base_ledger,
                ref_id: exec_id.clone(),
                time_us: now_us,
                asset: spec.base.clone(),
                amount: base_amount,
                fee: Decimal::ZERO,
                balance: base_balance,
            }),
            AccountEvent::Ledger(LedgerEntry {
                ledger_id: quote_ledger,
                ref_id: exec_id,
                time_us: now_us,
                asset: spec.quote.clone(),
                amount: quote_amount,
                fee,
                balance: quote_balance,
            }),
        ];
        if order.status == OrderStatus::Filled {
            self.open.retain(|id| id != order_id);
            events.push(AccountEvent::Order {
                exec_type: "filled",
                order,
            });
        }
        events
    }

    /// Fills resting orders a public trade at `price` for `qty` reaches (rule 2).
    pub(crate) fn on_public_trade(
        &mut self,
        market: &Market,
        price: Decimal,
        qty: Decimal,
        now_us: i64,
    ) -> Vec<AccountEvent> {
        let mut events = Vec::new();
        for side in [Side::Buy, Side::Sell] {
            let mut hit: Vec<Order> = self
                .open
                .iter()
                .filter_map(|id| self.orders.get(id))
                .filter(|o| o.symbol == market.spec.symbol && o.side == side && o.status.is_open())
                .filter(|o| !o.awaits_trigger())
                .filter(|o| match (side, o.limit_price) {
                    (Side::Buy, Some(l)) => l >= price,
                    (Side::Sell, Some(l)) => l <= price,
                    _ => false,
                })
                .cloned()
                .collect();
            hit.sort_by(|a, b| {
                let by_price = match side {
                    Side::Buy => b.limit_price.cmp(&a.limit_price),
                    Side::Sell => a.limit_price.cmp(&b.limit_price),
                };
                by_price.then(a.seq.cmp(&b.seq))
            });
            let mut left = qty;
            for o in hit {
                if left <= Decimal::ZERO {
                    break;
                }
                let Some(at) = o.limit_price else { continue };
                let q = left.min(o.remaining());
                events.extend(self.fill(&o.order_id, q, at, Liquidity::Maker, &market.spec, now_us));
                left -= q;
            }
        }
        events
    }

    /// Cancels an open order.
    pub(crate) fn cancel(&mut self, order_id: &str, reason: &str, now_us: i64) -> Vec<AccountEvent> {
        let Some(o) = self.orders.get_mut(order_id) else {
            return Vec::new();
        };
        if !o.status.is_open() {
            return Vec::new();
        }
        o.status = OrderStatus::Canceled;
        o.cancel_reason = Some(reason.to_string());
        o.updated_us = now_us;
        let order = o.clone();
        self.open.retain(|id| id != order_id);
        vec![AccountEvent::Order {
            exec_type: "canceled",
            order,
        }]
    }

    /// Amends an open order in place (same id, priority kept unless the price moves).
    pub(crate) fn amend(
        &mut self,
        order_id: &str,
        amend: &Amend,
        market: &mut Market,
        now_us: i64,
    ) -> Result<Outcome, Reject> {
        let o = self
            .orders
            .get(order_id)
            .filter(|o| o.status.is_open())
            .ok_or(Reject::UnknownOrder)?
            .clone();
        let new_qty = amend.order_qty.unwrap_or(o.order_qty);
        let new_price = match (o.order_type.has_limit(), amend.limit_price) {
            (true, Some(p)) => Some(p),
            (false, Some(_)) => return Err(Reject::InvalidPrice),
            (_, None) => o.limit_price,
        };
        let armed = o.awaits_trigger();
        let new_trigger = match (armed, amend.trigger_price) {
            (true, Some(p)) => Some(p),
            (false, Some(_)) => return Err(Reject::InvalidArguments("trigger_price".into())),
            (true, None) => o.trigger.map(|t| t.price),
            (false, None) => None,
        };
        if new_qty <= o.cum_qty {
            return Err(Reject::InvalidQty);
        }
        let post_only = amend.post_only.unwrap_or(o.post_only);
        // Checked as the order would stand after the amendment, its own holds released; a
        // fired stop as the order it became.
        let as_new = NewOrder {
            symbol: o.symbol.clone(),
            side: o.side,
            order_type: if armed { o.order_type } else { o.order_type.execution() },
            qty: new_qty,
            limit_price: new_price,
            trigger_price: new_trigger,
            post_only,
            time_in_force: o.time_in_force,
            cl_ord_id: o.cl_ord_id.clone(),
            order_userref: o.order_userref,
        };
        let mut remaining_check = as_new.clone();
        remaining_check.qty = new_qty - o.cum_qty;
        if new_qty < market.spec.qty_min {
            return Err(Reject::OrderMinimum);
        }
        match self.check(&remaining_check, market, Some(order_id)) {
            Ok(()) | Err(Reject::OrderMinimum) | Err(Reject::CostMinimum) => {}
            Err(e) => return Err(e),
        }
        let price_moved = new_price != o.limit_price;
        self.next_seq += 1;
        let seq = self.next_seq;
        let entry = self.orders.get_mut(order_id).expect("checked above");
        entry.order_qty = new_qty;
        entry.limit_price = new_price;
        if let (Some(t), Some(p)) = (entry.trigger.as_mut(), new_trigger) {
            t.price = p;
        }
        entry.post_only = post_only;
        entry.updated_us = now_us;
        if price_moved {
            entry.seq = seq;
        }
        let mut events = vec![AccountEvent::Order {
            exec_type: "amended",
            order: entry.clone(),
        }];
        let fires_now = new_trigger.is_some_and(|t| met_by_last(o.side, t, market.last_price()));
        let prints = match (armed, fires_now) {
            (false, _) => self.take(order_id, market, now_us, &mut events),
            (true, true) => self.fire(order_id, market, now_us, &mut events),
            (true, false) => Vec::new(),
        };
        Ok(Outcome {
            order: self.orders[order_id].clone(),
            events,
            prints,
        })
    }
}

/// Whether an order would take liquidity now.
pub(crate) fn crosses(market: &Market, side: Side, order_type: OrderType, limit: Option<Decimal>) -> bool {
    let Some(limit) = limit.filter(|_| order_type.has_limit()) else {
        return true;
    };
    let (book_side, last) = match side {
        Side::Buy => (BookSide::Ask, market.last_price()),
        Side::Sell => (BookSide::Bid, market.last_price()),
    };
    let reference = market.book.best(book_side).map(|l| l.price).or(last);
    match (side, reference) {
        (_, None) => false,
        (Side::Buy, Some(p)) => p <= limit,
        (Side::Sell, Some(p)) => p >= limit,
    }
}

/// The average price a market order of `qty` would get (book, then last price).
fn estimate_price(market: &Market, side: Side, qty: Decimal) -> Option<Decimal> {
    let book_side = match side {
        Side::Buy => BookSide::Ask,
        Side::Sell => BookSide::Bid,
    };
    let mut left = qty;
    let mut cost = Decimal::ZERO;
    for level in market.book.top(book_side, usize::MAX) {
        if left <= Decimal::ZERO {
            break;
        }
        let q = left.min(level.qty);
        cost += q * level.price;
        left -= q;
    }
    if left > Decimal::ZERO {
        cost += left * market.last_price()?;
    }
    Some(cost / qty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn buy(qty: &str, price: &str) -> NewOrder {
        NewOrder {
            symbol: "BTC/USD".into(),
            side: Side::Buy,
            order_type: OrderType::Limit,
            qty: d(qty),
            limit_price: Some(d(price)),
            trigger_price: None,
            post_only: false,
            time_in_force: TimeInForce::Gtc,
            cl_ord_id: None,
            order_userref: 0,
        }
    }

    #[test]
    fn a_resting_buy_holds_its_cost_and_the_taker_fee_until_it_fills() {
        let balances = [("USD".to_string(), d("1000"))].into_iter().collect();
        let mut account = Account::new(balances, Fees::default());
        let mut market = Market::new(PairSpec::btc_usd());
        let req = buy("0.01", "50000.0");
        account.check(&req, &market, None).unwrap();
        account.place(req, &mut market, 0, 0);
        // 500 USD plus 0.26 % held.
        assert_eq!(account.available("USD"), d("1000") - d("501.3"));
        assert_eq!(
            account.check(&buy("0.01", "50000.0"), &market, None),
            Err(Reject::InsufficientFunds)
        );
        let events = account.on_public_trade(&market, d("49000.0"), d("1"), 1);
        assert!(
            matches!(&events[0], AccountEvent::Trade { fill, .. } if fill.price == d("50000.0") && fill.liquidity == Liquidity::Maker)
        );
        // Filled at its limit with the maker fee: 500 + 0.8.
        assert_eq!(account.balances()["USD"], d("499.2"));
        assert_eq!(account.available("USD"), d("499.2"));
    }

    #[test]
    fn a_buy_stop_loss_holds_at_its_trigger_matches_nothing_and_fires_on_a_print_there() {
        let balances = [("USD".to_string(), d("1000"))].into_iter().collect();
        let mut account = Account::new(balances, Fees::default());
        let mut market = Market::new(PairSpec::btc_usd());
        market.record_trade(Side::Sell, d("40000.0"), d("1"), "limit", 0);
        market.take_unseen_prints();
        let req = NewOrder {
            order_type: OrderType::StopLoss,
            limit_price: None,
            trigger_price: Some(d("50000.0")),
            ..buy("0.01", "1")
        };
        account.check(&req, &market, None).unwrap();
        let placed = account.place(req, &mut market, 0, 0);
        assert!(placed.order.awaits_trigger());
        // 500 USD at the trigger plus 0.26 % held.
        assert_eq!(account.available("USD"), d("1000") - d("501.3"));
        assert!(account.on_public_trade(&market, d("30000.0"), d("1"), 1).is_empty());
        market.record_trade(Side::Buy, d("50000.0"), d("1"), "limit", 2);
        let prints = market.take_unseen_prints().unwrap();
        let (events, taken) = account.trigger_stops(&mut market, prints, 2);
        let kinds: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                AccountEvent::Order { exec_type, .. } => Some(*exec_type),
                AccountEvent::Trade { .. } => Some("trade"),
                AccountEvent::Ledger(_) => None,
            })
            .collect();
        assert_eq!(kinds, ["status", "trade", "filled"]);
        // No book: it fills at the last price, as a market order does.
        assert_eq!(
            (taken.len(), taken[0].price, taken[0].ord_type),
            (1, d("50000.0"), "market")
        );
        assert_eq!(account.balances()["USD"], d("1000") - d("500") - d("1.3"));
    }
}
