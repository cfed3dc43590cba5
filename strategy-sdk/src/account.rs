//! The strategy's account as the host's books have it: cash, equity, fees, buying power,
//! positions valued at the last prices, and the working orders.
//!
//! Ask for it with [`Host::account`](crate::Host::account) whenever it is needed: the host's
//! books are the truth, so a strategy never counts cash from its own fills. Sizing helpers over
//! it are in [`Sizing`](crate::Sizing).

use rust_decimal::Decimal;

use crate::market::Side;
use crate::orders::{OrderId, OrderStatus, OrderType, TimeInForce};

/// The account view. Money is in the quote asset of the strategy's symbols.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Account {
    /// The cash the book started with.
    pub initial_cash: Decimal,
    /// Cash now: initial cash, less buys and fees, plus sells.
    pub cash: Decimal,
    /// Cash plus every position at its mark (at cost without one).
    pub equity: Decimal,
    /// Fees of every fill of the book.
    pub fees: Decimal,
    /// What a new buy may spend under the host's cash rule: cash less what the working buys
    /// hold back, fee included. A buy of notional `n` passes the cash check when
    /// `n × (1 + fee_rate) ≤ buying_power`.
    pub buying_power: Decimal,
    /// The fee rate the cash rule reserves on a buy (`0.001` is 0.1 %).
    pub fee_rate: Decimal,
    /// Every symbol ever traded, by symbol (flat ones carry their realized PnL and fees).
    pub positions: Vec<PositionValue>,
    /// The working orders, oldest first.
    pub open_orders: Vec<OpenOrder>,
}

/// One symbol of the account, valued at the host's last price of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionValue {
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// Signed: positive long, negative short.
    pub qty: Decimal,
    /// Average entry price of the open quantity (zero when flat).
    pub avg_price: Decimal,
    /// The last price the host saw; `None` before any, when the position is valued at cost.
    pub mark: Option<Decimal>,
    /// `(mark − avg_price) × qty`; zero without a mark.
    pub unrealized_pnl: Decimal,
    /// Profit and loss realized by the fills that reduced the position.
    pub realized_pnl: Decimal,
    /// Fees of every fill in this symbol.
    pub fees: Decimal,
}

/// One working order: accepted by the host and not yet done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    /// The host's id.
    pub order_id: OrderId,
    /// The strategy's label.
    pub tag: String,
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit, stop or stop-limit, with its prices.
    pub order_type: OrderType,
    /// How long it works.
    pub time_in_force: TimeInForce,
    /// Whether it may only be a maker.
    pub post_only: bool,
    /// Whether it may only bring the position toward zero.
    pub reduce_only: bool,
    /// The order's quantity, the filled part included.
    pub qty: Decimal,
    /// What has filled.
    pub filled_qty: Decimal,
    /// Still to fill.
    pub remaining_qty: Decimal,
    /// [`OrderStatus::Open`] or [`OrderStatus::PartiallyFilled`].
    pub status: OrderStatus,
}

impl Account {
    /// The position in `symbol`, if the strategy ever traded it.
    pub fn position(&self, symbol: &str) -> Option<&PositionValue> {
        self.positions.iter().find(|p| p.symbol == symbol)
    }

    /// The working orders in `symbol`, oldest first.
    pub fn open_orders_in<'a>(&'a self, symbol: &'a str) -> impl Iterator<Item = &'a OpenOrder> + 'a {
        self.open_orders.iter().filter(move |o| o.symbol == symbol)
    }

    /// Unrealized PnL of every position.
    pub fn unrealized_pnl(&self) -> Decimal {
        self.positions.iter().map(|p| p.unrealized_pnl).sum()
    }
}
