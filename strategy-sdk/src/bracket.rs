//! A bracket: an entry, then a take-profit and a stop-loss around the position it opened.
//!
//! The SDK manages the exits, not the host: the contract has no stop orders, so the stop-loss
//! is this helper watching closed bars, and the take-profit is a resting limit order. Feed it
//! every order update and every closed bar of its symbol ([`Bracket::on_order_update`],
//! [`Bracket::on_candle`]); it keeps its state in [`BracketState`] (and in a strategy's
//! snapshot, if the strategy stores it).
//!
//! Rules:
//! 1. The entry (market or limit) is placed by [`Bracket::open`]. Once it is done (filled, or
//!    cancelled after a partial fill), the take-profit rests for the quantity filled: a limit
//!    order on the other side at the take-profit price.
//! 2. The stop triggers on a closed bar that trades at or through it: a low at or below the
//!    stop for a long, a high at or above it for a short. The take-profit is then cancelled and
//!    what it has not filled is closed by a market order, which the simulator fills at the next
//!    bar's open (the bar rule of every market order; a gap through the stop fills worse
//!    than the stop).
//! 3. A bar that fills the take-profit reaches the strategy as an order update before the bar
//!    itself, so a bar that both fills the take-profit and touches the stop ends the bracket
//!    at the take-profit.
//! 4. A take-profit cancelled or rejected by someone else leaves the position unprotected, so
//!    the bracket closes it at market as on a stop. An exit the host refuses is tried again on
//!    the next bar; nothing here panics.

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
    /// Market or limit.
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
    /// The position is open, the take-profit rests and the stop is watched.
    Protected {
        /// The take-profit order.
        take_profit: OrderId,
        /// The position the bracket holds (what the entry filled).
        qty: Decimal,
        /// What the take-profit has filled.
        exited: Decimal,
    },
    /// The stop triggered (or the take-profit went away): `qty` is being closed at market.
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
    /// The stop triggered and the market exit filled.
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
            symbol: spec.symbol.clone(),
            side: spec.side,
            qty: spec.qty,
            order_type: spec.entry,
            tag: spec.tag.clone(),
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
        let done = matches!(
            update.status,
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected
        );
        self.state = match std::mem::replace(&mut self.state, BracketState::Closed(BracketExit::NotEntered)) {
            BracketState::Entering { entry } if entry == update.order_id && done => {
                if update.filled_qty > Decimal::ZERO {
                    self.protect(host, update.filled_qty)
                } else {
                    BracketState::Closed(BracketExit::NotEntered)
                }
            }
            BracketState::Protected { take_profit, qty, .. } if take_profit == update.order_id => match update.status {
                OrderStatus::Filled => BracketState::Closed(BracketExit::TakeProfit),
                OrderStatus::Cancelled | OrderStatus::Rejected => self.exit_at_market(host, qty - update.filled_qty),
                OrderStatus::Open | OrderStatus::PartiallyFilled => BracketState::Protected {
                    take_profit,
                    qty,
                    exited: update.filled_qty,
                },
            },
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

    /// Watches a closed bar for the stop; bars of other symbols are ignored.
    pub fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        if *candle.symbol != *self.spec.symbol {
            return;
        }
        self.state = match std::mem::replace(&mut self.state, BracketState::Closed(BracketExit::NotEntered)) {
            BracketState::Protected {
                take_profit,
                qty,
                exited,
            } if self.stop_touched(candle) => {
                // A cancel that comes too late (the take-profit filled meanwhile) is refused,
                // and the market exit then closes more than is left. Only live fills can race
                // like this; in the simulator the fill arrives before the bar (rule 3).
                if let Err(reason) = host.cancel_order(&take_profit) {
                    host.warn(&format!(
                        "bracket {}: take-profit cancel refused: {reason}",
                        self.spec.tag
                    ));
                }
                self.exit_at_market(host, qty - exited)
            }
            BracketState::Stopping { exit: None, qty } => self.exit_at_market(host, qty),
            unchanged => unchanged,
        };
    }

    fn stop_touched(&self, candle: &Candle) -> bool {
        match self.spec.side {
            Side::Buy => candle.low <= self.spec.stop_loss,
            Side::Sell => candle.high >= self.spec.stop_loss,
        }
    }

    fn protect(&self, host: &mut dyn Host, qty: Decimal) -> BracketState {
        let order = OrderRequest::limit(self.spec.symbol.as_str(), self.exit_side(), qty, self.spec.take_profit)
            .with_tag(format!("{}-tp", self.spec.tag));
        match host.place_order(order) {
            Ok(take_profit) => BracketState::Protected {
                take_profit,
                qty,
                exited: Decimal::ZERO,
            },
            Err(reject) => {
                host.warn(&format!(
                    "bracket {}: take-profit refused ({reject}): closing at market",
                    self.spec.tag
                ));
                self.exit_at_market(host, qty)
            }
        }
    }

    fn exit_at_market(&self, host: &mut dyn Host, qty: Decimal) -> BracketState {
        if qty <= Decimal::ZERO {
            return BracketState::Closed(BracketExit::StopLoss);
        }
        let order = OrderRequest::market(self.spec.symbol.as_str(), self.exit_side(), qty)
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

    fn bar(low: &str, high: &str) -> Candle {
        let mut candle = crate::testing::candle("BTC/USD", "1d", 0, dec("100"));
        candle.low = dec(low);
        candle.high = dec(high);
        candle
    }

    #[test]
    fn a_filled_entry_rests_its_take_profit_which_ends_the_bracket() {
        let mut host = MockHost::new();
        let mut bracket = long(&mut host);
        let entry = host.orders[0].0.clone();
        let update = host.filled(&entry);
        bracket.on_order_update(&mut host, &update);
        let tp = &host.orders[1].1;
        assert_eq!(
            (tp.side, tp.qty, tp.limit_price()),
            (Side::Sell, dec("2"), Some(dec("120")))
        );
        assert_eq!(tp.tag, "b1-tp");
        let tp_id = host.orders[1].0.clone();
        let update = host.filled(&tp_id);
        bracket.on_order_update(&mut host, &update);
        assert_eq!(bracket.state(), &BracketState::Closed(BracketExit::TakeProfit));
        // A bar through the stop after that does nothing: the bracket is done.
        bracket.on_candle(&mut host, &bar("80", "100"));
        assert_eq!(host.orders.len(), 2);
    }

    #[test]
    fn a_bar_at_the_stop_cancels_the_take_profit_and_exits_what_is_left_at_market() {
        let mut host = MockHost::new();
        let mut bracket = long(&mut host);
        let entry = host.orders[0].0.clone();
        let update = host.filled(&entry);
        bracket.on_order_update(&mut host, &update);
        let tp_id = host.orders[1].0.clone();
        let update = host.update(&tp_id, OrderStatus::PartiallyFilled, dec("0.5"));
        bracket.on_order_update(&mut host, &update);
        bracket.on_candle(&mut host, &bar("90.01", "110"));
        assert_eq!(host.orders.len(), 2, "a low above the stop keeps the bracket");
        bracket.on_candle(&mut host, &bar("90", "110"));
        assert_eq!(host.cancels, [tp_id]);
        let exit = &host.orders[2].1;
        assert_eq!(
            (exit.side, exit.qty, exit.order_type),
            (Side::Sell, dec("1.5"), OrderType::Market)
        );
        let exit_id = host.orders[2].0.clone();
        let update = host.filled(&exit_id);
        bracket.on_order_update(&mut host, &update);
        assert_eq!(bracket.state(), &BracketState::Closed(BracketExit::StopLoss));
    }

    #[test]
    fn a_refused_exit_is_tried_again_on_the_next_bar_and_bad_prices_are_refused() {
        let mut host = MockHost::new();
        let mut bracket = long(&mut host);
        let entry = host.orders[0].0.clone();
        let update = host.filled(&entry);
        bracket.on_order_update(&mut host, &update);
        host.refuse_orders("trading_halted");
        bracket.on_candle(&mut host, &bar("85", "100"));
        assert!(matches!(bracket.state(), BracketState::Stopping { exit: None, .. }));
        host.accept_orders();
        bracket.on_candle(&mut host, &bar("85", "100"));
        assert!(matches!(bracket.state(), BracketState::Stopping { exit: Some(_), .. }));
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
