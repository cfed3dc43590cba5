//! [`Order`]: one order of the desk, from its approved request to its final state.
//!
//! Invariants:
//! 1. An order is only created from a [`RiskApproved`] request (or restored from the book of
//!    record, which only ever held approved ones).
//! 2. `0 <= filled_qty <= qty`; a fill that would break it is refused as an overfill.
//! 3. Every change goes through [`transition`]; a refused event leaves the order as it was.

use rust_decimal::Decimal;

use crate::market::TimeMs;
use crate::orders::state::{transition, FillProgress, OrderError, OrderEvent, OrderState};
use crate::orders::{OrderId, OrderRequest, OrderStatus, OrderType, StrategyId, VenueId, VenueOrderId};
use crate::risk::RiskApproved;

/// One order and everything the desk knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    id: OrderId,
    strategy: StrategyId,
    /// Where the order was sent: its strategy's venue when it was placed.
    venue: VenueId,
    /// The venue's id for it, once the venue has named it.
    venue_order_id: Option<VenueOrderId>,
    request: OrderRequest,
    state: OrderState,
    filled_qty: Decimal,
    /// Σ price × qty over the fills: kept exact so the average is computed, never accumulated.
    filled_value: Decimal,
    fill_count: u32,
    created_ms: TimeMs,
    updated_ms: TimeMs,
}

/// What a fill will do to an order, computed without changing it (see [`Order::plan_fill`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillPlan {
    next: OrderState,
    filled_qty: Decimal,
    filled_value: Decimal,
}

impl FillPlan {
    pub fn next_state(&self) -> &OrderState {
        &self.next
    }
}

/// The stored form of an order, for the book of record to rebuild it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderParts {
    pub id: OrderId,
    pub strategy: StrategyId,
    pub venue: VenueId,
    pub venue_order_id: Option<VenueOrderId>,
    pub request: OrderRequest,
    pub state: OrderState,
    pub filled_qty: Decimal,
    pub avg_fill_price: Decimal,
    pub fill_count: u32,
    pub created_ms: TimeMs,
    pub updated_ms: TimeMs,
}

impl Order {
    /// A new order in [`OrderState::PendingNew`]: the only way to make one from a request.
    pub fn new(
        id: OrderId,
        strategy: StrategyId,
        venue: VenueId,
        request: RiskApproved<OrderRequest>,
        now_ms: TimeMs,
    ) -> Self {
        Self {
            id,
            strategy,
            venue,
            venue_order_id: None,
            request: request.into_inner(),
            state: OrderState::PendingNew,
            filled_qty: Decimal::ZERO,
            filled_value: Decimal::ZERO,
            fill_count: 0,
            created_ms: now_ms,
            updated_ms: now_ms,
        }
    }

    /// Rebuilds an order from the book of record. Returns `None` when the parts break an
    /// invariant (a corrupt row), so the store can name it. Crate-private: outside the crate,
    /// [`Order::new`] with a [`RiskApproved`] request is the only way to an order.
    pub(crate) fn restore(parts: OrderParts) -> Option<Self> {
        let valid = parts.filled_qty >= Decimal::ZERO && parts.filled_qty <= parts.request.qty;
        let filled_value = parts.avg_fill_price.checked_mul(parts.filled_qty)?;
        valid.then_some(Self {
            id: parts.id,
            strategy: parts.strategy,
            venue: parts.venue,
            venue_order_id: parts.venue_order_id,
            request: parts.request,
            state: parts.state,
            filled_qty: parts.filled_qty,
            filled_value,
            fill_count: parts.fill_count,
            created_ms: parts.created_ms,
            updated_ms: parts.updated_ms,
        })
    }

    pub fn id(&self) -> &OrderId {
        &self.id
    }
    pub fn strategy(&self) -> &StrategyId {
        &self.strategy
    }
    pub fn venue(&self) -> &VenueId {
        &self.venue
    }
    pub fn venue_order_id(&self) -> Option<&VenueOrderId> {
        self.venue_order_id.as_ref()
    }
    pub fn request(&self) -> &OrderRequest {
        &self.request
    }
    pub fn state(&self) -> &OrderState {
        &self.state
    }
    pub fn filled_qty(&self) -> Decimal {
        self.filled_qty
    }
    pub fn remaining_qty(&self) -> Decimal {
        self.request.qty - self.filled_qty
    }
    /// Volume-weighted average price of the fills so far (zero before the first).
    pub fn avg_fill_price(&self) -> Decimal {
        self.filled_value.checked_div(self.filled_qty).unwrap_or(Decimal::ZERO)
    }
    /// How many fills the order has had; the last fill's sequence number.
    pub fn fill_count(&self) -> u32 {
        self.fill_count
    }
    pub fn created_ms(&self) -> TimeMs {
        self.created_ms
    }
    pub fn updated_ms(&self) -> TimeMs {
        self.updated_ms
    }
    /// The strategy-facing status.
    pub fn status(&self) -> OrderStatus {
        self.state.status(!self.filled_qty.is_zero())
    }
    pub fn is_working(&self) -> bool {
        self.state.is_working()
    }

    /// Applies an event that carries no quantity (accept, reject, cancel request, cancel).
    ///
    /// # Errors
    ///
    /// [`OrderError::InvalidTransition`] when the table has no such row; fills must go through
    /// [`Order::plan_fill`], so a `Fill` event handed here is refused the same way.
    pub fn apply(&mut self, event: OrderEvent, now_ms: TimeMs) -> Result<(), OrderError> {
        if let OrderEvent::Fill(_) = event {
            return Err(OrderError::InvalidTransition {
                state: self.state.clone(),
                event,
            });
        }
        self.state = transition(&self.state, event)?;
        self.updated_ms = now_ms;
        Ok(())
    }

    /// Applies the venue's confirmation of an amend: the order's quantity and limit price are
    /// now `qty` and `limit_price` (`None` keeps the price).
    ///
    /// # Errors
    ///
    /// [`OrderError::InvalidAmend`] for a quantity below what already filled (or not above
    /// zero), a limit price not above zero or one given for a market order;
    /// [`OrderError::InvalidTransition`] when the state takes no amend. The order is unchanged then.
    pub fn amend(&mut self, qty: Decimal, limit_price: Option<Decimal>, now_ms: TimeMs) -> Result<(), OrderError> {
        let invalid = || OrderError::InvalidAmend {
            qty,
            limit_price,
            filled_qty: self.filled_qty,
        };
        if qty <= Decimal::ZERO || qty < self.filled_qty {
            return Err(invalid());
        }
        let order_type = match (self.request.order_type, limit_price) {
            (order_type, None) => order_type,
            (OrderType::Limit(_), Some(price)) if price > Decimal::ZERO => OrderType::Limit(price),
            _ => return Err(invalid()),
        };
        // An amend down to the filled quantity completes the order: nothing is left to work.
        let event = if qty == self.filled_qty {
            OrderEvent::Fill(FillProgress::Complete)
        } else {
            OrderEvent::Amended
        };
        self.state = transition(&self.state, event)?;
        self.request.qty = qty;
        self.request.order_type = order_type;
        self.updated_ms = now_ms;
        Ok(())
    }

    /// Records the venue's id for the order, the first time the venue names it.
    pub fn set_venue_order_id(&mut self, venue_order_id: VenueOrderId) {
        if self.venue_order_id.is_none() {
            self.venue_order_id = Some(venue_order_id);
        }
    }

    /// Takes the venue's id of the order that replaced the one working (an amend the venue
    /// carries out as a new order): the id the venue knows the order by from now on. Written
    /// with the amend that goes with it.
    pub fn renew_venue_order_id(&mut self, venue_order_id: VenueOrderId) {
        self.venue_order_id = Some(venue_order_id);
    }

    /// Checks a fill against the order and computes its effect without applying it, so the
    /// caller can persist first and [`Order::commit_fill`] after.
    ///
    /// # Errors
    ///
    /// [`OrderError::InvalidFill`] for a non-positive quantity or price, [`OrderError::Overfill`]
    /// past the order quantity, [`OrderError::InvalidTransition`] when the state takes no fill.
    pub fn plan_fill(&self, qty: Decimal, price: Decimal) -> Result<FillPlan, OrderError> {
        if qty <= Decimal::ZERO || price <= Decimal::ZERO {
            return Err(OrderError::InvalidFill { qty, price });
        }
        let overfill = || OrderError::Overfill {
            order_qty: self.request.qty,
            filled_qty: self.filled_qty,
            fill_qty: qty,
        };
        let filled_qty = self.filled_qty.checked_add(qty).ok_or_else(overfill)?;
        let progress = match filled_qty.cmp(&self.request.qty) {
            std::cmp::Ordering::Less => FillProgress::Partial,
            std::cmp::Ordering::Equal => FillProgress::Complete,
            std::cmp::Ordering::Greater => return Err(overfill()),
        };
        let filled_value = price
            .checked_mul(qty)
            .and_then(|value| self.filled_value.checked_add(value))
            .ok_or(OrderError::InvalidFill { qty, price })?;
        let next = transition(&self.state, OrderEvent::Fill(progress))?;
        Ok(FillPlan {
            next,
            filled_qty,
            filled_value,
        })
    }

    /// Applies a plan made by [`Order::plan_fill`] on this order's current state.
    pub fn commit_fill(&mut self, plan: FillPlan, now_ms: TimeMs) {
        self.state = plan.next;
        self.filled_qty = plan.filled_qty;
        self.filled_value = plan.filled_value;
        self.fill_count = self.fill_count.saturating_add(1);
        self.updated_ms = now_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Side, Symbol};
    use crate::orders::OrderType;
    use crate::risk::RiskApproved;

    fn order(qty: i64) -> Order {
        let request = OrderRequest {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side: Side::Buy,
            qty: Decimal::from(qty),
            order_type: OrderType::Market,
            time_in_force: crate::orders::TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: String::new(),
        };
        Order::new(
            OrderId::new("t-1"),
            StrategyId::new("s"),
            VenueId::new("paper"),
            RiskApproved::for_test(request),
            1,
        )
    }

    #[test]
    fn fills_accumulate_to_filled_with_an_exact_average() {
        let mut o = order(3);
        o.apply(OrderEvent::Accepted, 2).unwrap();
        // 1 @ 100, then 2 @ 103: average (100 + 206) / 3 = 102.
        let plan = o.plan_fill(Decimal::ONE, Decimal::from(100)).unwrap();
        o.commit_fill(plan, 3);
        assert_eq!(o.status(), OrderStatus::PartiallyFilled);
        let plan = o.plan_fill(Decimal::TWO, Decimal::from(103)).unwrap();
        o.commit_fill(plan, 4);
        assert_eq!(
            (o.state(), o.filled_qty(), o.avg_fill_price()),
            (&OrderState::Filled, Decimal::from(3), Decimal::from(102))
        );
        assert_eq!(
            (o.fill_count(), o.updated_ms(), o.remaining_qty()),
            (2, 4, Decimal::ZERO)
        );
    }

    #[test]
    fn overfills_and_bad_fills_are_refused_and_change_nothing() {
        let mut o = order(2);
        let plan = o.plan_fill(Decimal::ONE, Decimal::TEN).unwrap();
        o.commit_fill(plan, 2);
        let before = o.clone();
        assert!(matches!(
            o.plan_fill(Decimal::TWO, Decimal::TEN),
            Err(OrderError::Overfill { .. })
        ));
        assert!(matches!(
            o.plan_fill(Decimal::ZERO, Decimal::TEN),
            Err(OrderError::InvalidFill { .. })
        ));
        assert!(matches!(
            o.plan_fill(Decimal::ONE, -Decimal::TEN),
            Err(OrderError::InvalidFill { .. })
        ));
        assert!(o.apply(OrderEvent::Fill(FillProgress::Partial), 3).is_err());
        assert_eq!(o, before);
    }

    fn limit_order(qty: i64, price: i64) -> Order {
        let mut o = order(qty);
        o.request.order_type = OrderType::Limit(Decimal::from(price));
        o
    }

    #[test]
    fn an_amend_changes_quantity_and_price_in_place() {
        let mut o = limit_order(3, 100);
        o.apply(OrderEvent::Accepted, 2).unwrap();
        o.amend(Decimal::from(5), Some(Decimal::from(99)), 3).unwrap();
        assert_eq!(
            (o.state(), o.request().qty, o.request().order_type, o.remaining_qty()),
            (
                &OrderState::Open,
                Decimal::from(5),
                OrderType::Limit(Decimal::from(99)),
                Decimal::from(5)
            )
        );
        // Down to what already filled: the order is complete.
        let plan = o.plan_fill(Decimal::TWO, Decimal::from(99)).unwrap();
        o.commit_fill(plan, 4);
        o.amend(Decimal::TWO, None, 5).unwrap();
        assert_eq!((o.state(), o.remaining_qty()), (&OrderState::Filled, Decimal::ZERO));
    }

    #[test]
    fn bad_amends_are_refused_and_change_nothing() {
        let mut o = limit_order(3, 100);
        let plan = o.plan_fill(Decimal::TWO, Decimal::from(100)).unwrap();
        o.commit_fill(plan, 2);
        let before = o.clone();
        for (qty, price) in [(1, None), (0, None), (3, Some(Decimal::ZERO))] {
            assert!(matches!(
                o.amend(Decimal::from(qty), price, 3),
                Err(OrderError::InvalidAmend { .. })
            ));
        }
        let mut market = order(3);
        assert!(market.amend(Decimal::TWO, Some(Decimal::TEN), 3).is_err());
        assert_eq!(o, before);
    }
}
