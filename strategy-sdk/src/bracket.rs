//! A bracket: an entry, then a take-profit and a stop-loss around the position it opened.
//!
//! The host works both exits: they are orders it holds, a reduce-only limit at the take-profit
//! and a reduce-only stop at the stop-loss, so a stop fires where the market reaches it (inside
//! a bar in backtests and paper, at the venue live, even while the strategy is busy), not on the
//! next bar. Feed it every order update of the strategy ([`Bracket::on_order_update`]) and its
//! closed bars ([`Bracket::on_candle`], for retries); it keeps its state in [`BracketState`] (and
//! in a strategy's snapshot, if the strategy stores it).
//!
//! Rules:
//! 1. The entry (market, limit or stop) is placed by [`Bracket::open`]. Once it is done
//!    (filled, or cancelled after a partial fill), both exits are placed for the quantity
//!    filled, on the other side: the take-profit as a reduce-only limit, the stop-loss as a
//!    reduce-only stop (a market order once triggered; a gap through it fills worse).
//! 2. Whichever exit fills first ends the bracket, and the other is cancelled: by the host,
//!    whose reduce-only rule leaves it nothing to reduce (a partial fill of one trims the other
//!    to the rest), and by the bracket too, for a host or test double that does not.
//! 3. A stop-loss cancelled or rejected by someone else while a position is left leaves it
//!    unprotected, so the bracket closes it at market, and a take-profit refused when placed
//!    leaves the stop alone to protect it. An exit the host refuses is tried again on the next
//!    bar; nothing here panics.

use rust_decimal::Decimal;

use crate::host::Host;
use crate::market::{Candle, Side};
use crate::orders::{OrderId, OrderRequest, OrderStatus, OrderType, OrderUpdate, Reject};

/// What to open: the entry and its two exit prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BracketSpec {
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// The entry's side: buy for a long, sell for a short.
    pub side: Side,
    /// The entry's quantity.
    pub qty: Decimal,
    /// Market, limit or stop.
    pub entry: OrderType,
    /// Below the entry for a long, above it for a short.
    pub stop_loss: Decimal,
    /// Above the entry for a long, below it for a short.
    pub take_profit: Decimal,
    /// The entry's tag; the exits carry it with `-tp` and `-sl`. At most 61 bytes.
    pub tag: String,
}

/// Where a bracket is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BracketState {
    /// The entry is working.
    Entering {
        /// The entry order.
        entry: OrderId,
    },
    /// The position is open and the host holds its exits.
    Protected {
        /// The take-profit order; `None` when the host refused it (the stop still protects).
        take_profit: Option<OrderId>,
        /// The stop-loss order.
        stop_loss: OrderId,
        /// The position the bracket holds (what the entry filled).
        qty: Decimal,
        /// What the exits have filled together.
        exited: Decimal,
    },
    /// The stop-loss went away (refused, or cancelled by someone else): `qty` is being closed
    /// at market.
    Stopping {
        /// The market exit; `None` when the host refused it (it is tried again on the next bar).
        exit: Option<OrderId>,
        /// What is left to close.
        qty: Decimal,
    },
    /// Done.
    Closed(BracketExit),
}

/// How a bracket ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BracketExit {
    /// The entry ended without a fill.
    NotEntered,
    /// The take-profit filled.
    TakeProfit,
    /// The stop-loss (or the market exit that stood in for it) filled.
    StopLoss,
}

/// A bracket in progress; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bracket {
    spec: BracketSpec,
    state: BracketState,
}

impl Bracket {
    /// Places the entry.
    ///
    /// # Errors
    ///
    /// `invalid_order` when the stop and the take-profit are not on their sides of each other
    /// (a long's stop below its take-profit, a short's above), or the host's reject of the entry.
    pub fn open(host: &mut dyn Host, spec: BracketSpec) -> Result<Self, Reject> {
        let ordered = match spec.side {
            Side::Buy => spec.stop_loss < spec.take_profit,
            Side::Sell => spec.stop_loss > spec.take_profit,
        };
        if !ordered {
            return Err(Reject::invalid_order(format!(
                "bracket: a {:?} entry needs its stop-loss ({}) on the losing side of its take-profit ({})",
                spec.side, spec.stop_loss, spec.take_profit
            )));
        }
        let entry = OrderRequest {
            order_type: spec.entry,
            ..OrderRequest::market(spec.symbol.clone(), spec.side, spec.qty).with_tag(spec.tag.clone())
        };
        let entry = host.place_order(entry)?;
        Ok(Bracket {
            spec,
            state: BracketState::Entering { entry },
        })
    }

    /// Where the bracket is.
    pub fn state(&self) -> &BracketState {
        &self.state
    }

    /// What it was opened with.
    pub fn spec(&self) -> &BracketSpec {
        &self.spec
    }

    /// Whether it is done.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, BracketState::Closed(_))
    }

    /// Follows an order update; updates of other orders are ignored.
    pub fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
        let done = update.status.is_final();
        self.state = match std::mem::replace(&mut self.state, BracketState::Closed(BracketExit::NotEntered)) {
            BracketState::Entering { entry } if entry == update.order_id && done => {
                if update.filled_qty > Decimal::ZERO {
                    self.protect(host, update.filled_qty)
                } else {
                    BracketState::Closed(BracketExit::NotEntered)
                }
            }
            BracketState::Protected {
                take_profit,
                stop_loss,
                qty,
                exited,
            } if take_profit.as_ref() == Some(&update.order_id) || stop_loss == update.order_id => {
                self.follow_exit(host, update, take_profit, stop_loss, qty, exited)
            }
            BracketState::Stopping { exit: Some(exit), qty } if exit == update.order_id && done => {
                let left = qty - update.filled_qty;
                if left <= Decimal::ZERO {
                    BracketState::Closed(BracketExit::StopLoss)
                } else {
                    self.exit_at_market(host, left)
                }
            }
            unchanged => unchanged,
        };
    }

    /// Tries a refused market exit again; bars of other symbols are ignored.
    pub fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        if *candle.symbol != *self.spec.symbol {
            return;
        }
        if let BracketState::Stopping { exit: None, qty } = self.state {
            self.state = self.exit_at_market(host, qty);
        }
    }

    /// An update of one of the exits (rule 2 and 3 of the module).
    fn follow_exit(
        &self,
        host: &mut dyn Host,
        update: &OrderUpdate,
        take_profit: Option<OrderId>,
        stop_loss: OrderId,
        qty: Decimal,
        exited: Decimal,
    ) -> BracketState {
        let is_stop = update.order_id == stop_loss;
        let exited = exited + update.fill.as_ref().map_or(Decimal::ZERO, |fill| fill.qty);
        let left = qty - exited;
        let other = if is_stop {
            take_profit.clone()
        } else {
            Some(stop_loss.clone())
        };
        match update.status {
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected if left <= Decimal::ZERO => {
                if let Some(other) = other {
                    // The host has most likely cancelled it already; its refusal says so.
                    let _ = host.cancel_order(&other);
                }
                BracketState::Closed(if is_stop {
                    BracketExit::StopLoss
                } else {
                    BracketExit::TakeProfit
                })
            }
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected if is_stop => {
                host.warn(&format!(
                    "bracket {}: the stop-loss ended with {left} left: closing at market",
                    self.spec.tag
                ));
                if let Some(take_profit) = &take_profit {
                    let _ = host.cancel_order(take_profit);
                }
                self.exit_at_market(host, left)
            }
            // The take-profit went away with a position left: the stop still protects it.
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected => BracketState::Protected {
                take_profit: None,
                stop_loss,
                qty,
                exited,
            },
            OrderStatus::Open | OrderStatus::PartiallyFilled => BracketState::Protected {
                take_profit,
                stop_loss,
                qty,
                exited,
            },
        }
    }

    fn protect(&self, host: &mut dyn Host, qty: Decimal) -> BracketState {
        let (symbol, side) = (self.spec.symbol.as_str(), self.exit_side());
        let stop = OrderRequest::stop(symbol, side, qty, self.spec.stop_loss)
            .reduce_only()
            .with_tag(format!("{}-sl", self.spec.tag));
        let stop_loss = match host.place_order(stop) {
            Ok(id) => id,
            Err(reject) => {
                host.warn(&format!(
                    "bracket {}: stop-loss refused ({reject}): closing at market",
                    self.spec.tag
                ));
                return self.exit_at_market(host, qty);
            }
        };
        let limit = OrderRequest::limit(symbol, side, qty, self.spec.take_profit)
            .reduce_only()
            .with_tag(format!("{}-tp", self.spec.tag));
        let take_profit = match host.place_order(limit) {
            Ok(id) => Some(id),
            Err(reject) => {
                host.warn(&format!(
                    "bracket {}: take-profit refused ({reject}): the stop-loss alone protects",
                    self.spec.tag
                ));
                None
            }
        };
        BracketState::Protected {
            take_profit,
            stop_loss,
            qty,
            exited: Decimal::ZERO,
        }
    }

    fn exit_at_market(&self, host: &mut dyn Host, qty: Decimal) -> BracketState {
        if qty <= Decimal::ZERO {
            return BracketState::Closed(BracketExit::StopLoss);
        }
        let order = OrderRequest::market(self.spec.symbol.as_str(), self.exit_side(), qty)
            .reduce_only()
            .with_tag(format!("{}-sl", self.spec.tag));
        match host.place_order(order) {
            Ok(exit) => BracketState::Stopping { exit: Some(exit), qty },
            Err(reject) => {
                host.warn(&format!(
                    "bracket {}: exit refused ({reject}): trying again next bar",
                    self.spec.tag
                ));
                BracketState::Stopping { exit: None, qty }
            }
        }
    }

    fn exit_side(&self) -> Side {
        match self.spec.side {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::testing::MockHost;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn long(host: &mut MockHost) -> Bracket {
        let spec = BracketSpec {
            symbol: "BTC/USD".into(),
            side: Side::Buy,
            qty: dec("2"),
            entry: OrderType::Market,
            stop_loss: dec("90"),
            take_profit: dec("120"),
            tag: "b1".into(),
        };
        Bracket::open(host, spec).unwrap()
    }

    /// The bracket with its entry filled: host.orders[1] is the stop, [2] the take-profit.
    fn protected(host: &mut MockHost) -> Bracket {
        let mut bracket = long(host);
        let entry = host.orders[0].0.clone();
        let update = host.filled(&entry);
        bracket.on_order_update(host, &update);
        bracket
    }

    #[test]
    fn a_filled_entry_places_both_exits_as_reduce_only_orders_the_host_works() {
        let mut host = MockHost::new();
        let bracket = protected(&mut host);
        let (stop, take_profit) = (&host.orders[1].1, &host.orders[2].1);
        assert_eq!(
            (
                stop.side,
                stop.qty,
                stop.order_type,
                stop.reduce_only,
                stop.tag.as_str()
            ),
            (Side::Sell, dec("2"), OrderType::Stop(dec("90")), true, "b1-sl")
        );
        assert_eq!(
            (
                take_profit.side,
                take_profit.qty,
                take_profit.limit_price(),
                take_profit.reduce_only
            ),
            (Side::Sell, dec("2"), Some(dec("120")), true)
        );
        assert_eq!(take_profit.tag, "b1-tp");
        assert!(matches!(
            bracket.state(),
            BracketState::Protected {
                take_profit: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn the_exit_that_fills_first_ends_the_bracket_and_cancels_the_other() {
        for (filled, cancelled, exit) in [(2, 1, BracketExit::TakeProfit), (1, 2, BracketExit::StopLoss)] {
            let mut host = MockHost::new();
            let mut bracket = protected(&mut host);
            let id = host.orders[filled].0.clone();
            // A partial fill first: the bracket keeps both.
            let partial = host.update(&id, OrderStatus::PartiallyFilled, dec("0.5"));
            bracket.on_order_update(&mut host, &partial);
            assert!(matches!(bracket.state(), BracketState::Protected { exited, .. } if *exited == dec("0.5")));
            let mut rest = host.update(&id, OrderStatus::Filled, dec("2"));
            if let Some(fill) = rest.fill.as_mut() {
                fill.qty = dec("1.5");
            }
            bracket.on_order_update(&mut host, &rest);
            assert_eq!(bracket.state(), &BracketState::Closed(exit));
            assert_eq!(host.cancels, [host.orders[cancelled].0.clone()]);
            assert_eq!(host.orders.len(), 3, "no market exit");
        }
    }

    #[test]
    fn a_stop_cancelled_by_someone_else_closes_the_rest_at_market_and_a_refusal_is_retried() {
        let mut host = MockHost::new();
        let mut bracket = protected(&mut host);
        let stop = host.orders[1].0.clone();
        host.refuse_orders("trading_halted");
        let update = host.update(&stop, OrderStatus::Cancelled, Decimal::ZERO);
        bracket.on_order_update(&mut host, &update);
        assert!(matches!(bracket.state(), BracketState::Stopping { exit: None, .. }));
        host.accept_orders();
        bracket.on_candle(&mut host, &crate::testing::candle("BTC/USD", "1d", 0, dec("95")));
        let exit = &host.orders[3].1;
        assert_eq!(
            (exit.side, exit.qty, exit.order_type, exit.reduce_only),
            (Side::Sell, dec("2"), OrderType::Market, true)
        );
        let exit_id = host.orders[3].0.clone();
        let update = host.filled(&exit_id);
        bracket.on_order_update(&mut host, &update);
        assert_eq!(bracket.state(), &BracketState::Closed(BracketExit::StopLoss));
        let inverted = BracketSpec {
            stop_loss: dec("130"),
            ..bracket.spec().clone()
        };
        assert_eq!(Bracket::open(&mut host, inverted).unwrap_err().code, "invalid_order");
    }

    #[test]
    fn an_entry_that_ends_unfilled_closes_the_bracket_without_orders() {
        let mut host = MockHost::new();
        let mut bracket = long(&mut host);
        let entry = host.orders[0].0.clone();
        let update = host.update(&entry, OrderStatus::Cancelled, Decimal::ZERO);
        bracket.on_order_update(&mut host, &update);
        assert_eq!(bracket.state(), &BracketState::Closed(BracketExit::NotEntered));
        assert_eq!(host.orders.len(), 1);
    }
}
