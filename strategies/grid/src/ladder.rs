//! [`Ladder`]: one symbol's grid, as pure bookkeeping. It says which orders to place and learns
//! from order updates; placing them is the strategy's job.

use serde::{Deserialize, Serialize};
use strategy_sdk::{Decimal, OrderId, OrderUpdate, Side};

/// The grid's shape, from the params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Levels below the reference price (and, neutral, above it).
    pub levels: usize,
    /// Distance between levels as a fraction of price (0.005 for 0.5%).
    pub spacing: Decimal,
    /// Quantity of each buy (and of each opening sell).
    pub size: Decimal,
    /// Which side the grid trades from.
    pub mode: Mode,
}

/// The two ways the grid trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Buys below the reference; sells only what it bought, one step above each buy. Its
    /// inventory is between 0 and what the buys add up to.
    Long,
    /// Market-making: buys below the reference and sells above it, each re-armed one step the
    /// other way when it trades, with the inventory held between −`max_inventory` (0 unless
    /// `allow_short`) and `max_inventory`, counting every working order as filled.
    Neutral {
        /// The most base asset held, long or (with `allow_short`) short.
        max_inventory: Decimal,
        /// Whether it may sell what it does not hold (the host must allow shorts too).
        allow_short: bool,
    },
}

impl Mode {
    /// The least inventory the grid may come to hold, and the most (none: no limit).
    fn band(self) -> (Decimal, Option<Decimal>) {
        match self {
            Mode::Long => (Decimal::ZERO, None),
            Mode::Neutral {
                max_inventory,
                allow_short,
            } => (
                if allow_short { -max_inventory } else { Decimal::ZERO },
                Some(max_inventory),
            ),
        }
    }
}

/// How much more the grid may buy and sell before its inventory, with every working order
/// filled, would leave the band.
#[derive(Debug)]
struct Room {
    /// `None`: buys are not limited (long mode).
    buy: Option<Decimal>,
    sell: Decimal,
}

impl Room {
    /// At most `qty` of `side`, within the room left, which it then uses up.
    fn take(&mut self, side: Side, qty: Decimal) -> Decimal {
        let room = match side {
            Side::Buy => self.buy.as_mut(),
            Side::Sell => Some(&mut self.sell),
        };
        match room {
            None => qty,
            Some(room) => {
                let taken = qty.min(*room).max(Decimal::ZERO);
                *room -= taken;
                taken
            }
        }
    }
}

/// An order the ladder wants placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Buy or sell.
    pub side: Side,
    /// Limit price, rounded to the ladder's decimal places.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
}

/// What an order update meant to the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Not an order this ladder tracks.
    Untracked,
    /// The order is still working (perhaps partly filled).
    Working,
    /// The order is done; `rearm` is its counter-order, if it traded anything.
    Finished {
        /// The order as it ended.
        order: WorkingOrder,
        /// The order to place in its stead.
        rearm: Option<Placement>,
    },
}

/// One working order of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingOrder {
    /// The host's id.
    pub id: OrderId,
    /// Its side.
    pub side: Side,
    /// Its limit price.
    pub price: Decimal,
    /// Its quantity.
    pub qty: Decimal,
    /// How much of it has traded.
    pub filled: Decimal,
}

/// One symbol's grid: its reference price, its working orders and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LadderState")]
pub struct Ladder {
    reference: Decimal,
    /// Decimal places of every price: the reference's, at least 2.
    price_dp: u32,
    /// Base asset bought and not yet sold, counted from fills.
    inventory: Decimal,
    working: Vec<WorkingOrder>,
}

/// Prices keep at least this many decimal places.
const MIN_PRICE_DP: u32 = 2;

impl Ladder {
    /// A ladder around `reference` (a first close), with no order yet.
    pub fn new(reference: Decimal) -> Self {
        Ladder {
            reference,
            price_dp: reference.scale().max(MIN_PRICE_DP),
            inventory: Decimal::ZERO,
            working: Vec::new(),
        }
    }

    /// The base asset held from this grid's fills.
    pub fn inventory(&self) -> Decimal {
        self.inventory
    }

    /// The opening orders: `levels` limit buys at reference × (1 − k × spacing), k = 1..=levels,
    /// nearest first, and in neutral mode as many sells at reference × (1 + k × spacing), each
    /// of `size` as far as the band leaves room. Levels whose price would not be positive are
    /// left out.
    pub fn opening(&self, shape: &Shape) -> Vec<Placement> {
        let mut room = self.room(shape);
        let level = |level: usize| shape.spacing.checked_mul(Decimal::from(level));
        let buys = (1..=shape.levels).filter_map(|k| {
            let price = self.reference.checked_mul(Decimal::ONE - level(k)?)?;
            Some((Side::Buy, price))
        });
        let sells = (1..=shape.levels)
            .filter(|_| matches!(shape.mode, Mode::Neutral { .. }))
            .filter_map(|k| Some((Side::Sell, self.reference.checked_mul(Decimal::ONE + level(k)?)?)));
        buys.chain(sells)
            .filter_map(|(side, price)| {
                let qty = room.take(side, shape.size);
                self.placement(side, price, qty)
            })
            .collect()
    }

    /// What the band leaves to buy and sell, counting the inventory and every working order.
    fn room(&self, shape: &Shape) -> Room {
        let working = |side| -> Decimal {
            self.working
                .iter()
                .filter(|order| order.side == side)
                .map(|order| order.qty - order.filled)
                .sum()
        };
        let (floor, ceiling) = shape.mode.band();
        Room {
            buy: ceiling.map(|ceiling| ceiling - self.inventory - working(Side::Buy)),
            sell: self.inventory - working(Side::Sell) - floor,
        }
    }

    /// Records an order the host accepted.
    pub fn track(&mut self, id: OrderId, placement: Placement) {
        self.working.push(WorkingOrder {
            id,
            side: placement.side,
            price: placement.price,
            qty: placement.qty,
            filled: Decimal::ZERO,
        });
    }

    /// Learns from an update: counts new fills into the inventory and, when the order is done,
    /// forgets it and says which counter-order re-arms the grid: a sell one step above a filled
    /// buy of what it bought, a buy one step below a filled sell of `size`, either cut to the
    /// room the band leaves (in long mode: never selling more than the inventory not already
    /// offered).
    pub fn apply(&mut self, update: &OrderUpdate, shape: &Shape) -> Applied {
        let Some(index) = self.working.iter().position(|order| order.id == update.order_id) else {
            return Applied::Untracked;
        };
        let order = &mut self.working[index];
        // Updates carry the total filled; an older one arriving late changes nothing.
        let new_fill = update.filled_qty - order.filled;
        if new_fill > Decimal::ZERO {
            order.filled = update.filled_qty;
            match order.side {
                Side::Buy => self.inventory += new_fill,
                Side::Sell => self.inventory -= new_fill,
            }
        }
        if !update.status.is_final() {
            return Applied::Working;
        }
        let order = self.working.remove(index);
        let rearm = if order.filled > Decimal::ZERO {
            self.counter_order(&order, shape)
        } else {
            None
        };
        Applied::Finished { order, rearm }
    }

    fn counter_order(&self, done: &WorkingOrder, shape: &Shape) -> Option<Placement> {
        let step = Decimal::ONE + shape.spacing;
        let (side, price, qty) = match done.side {
            Side::Buy => (Side::Sell, done.price.checked_mul(step)?, done.filled),
            Side::Sell => (Side::Buy, done.price.checked_div(step)?, shape.size),
        };
        let qty = self.room(shape).take(side, qty);
        self.placement(side, price, qty)
    }

    /// A placement at `price` rounded to the ladder's places, if price and quantity are positive.
    fn placement(&self, side: Side, price: Decimal, qty: Decimal) -> Option<Placement> {
        let mut price = price.round_dp(self.price_dp);
        price.rescale(self.price_dp);
        (price > Decimal::ZERO && qty > Decimal::ZERO).then_some(Placement { side, price, qty })
    }
}

/// What a snapshot holds; checked before it becomes a [`Ladder`].
#[derive(Deserialize)]
struct LadderState {
    reference: Decimal,
    price_dp: u32,
    inventory: Decimal,
    working: Vec<WorkingOrder>,
}

impl TryFrom<LadderState> for Ladder {
    type Error = String;

    /// Refuses what the host could never have sent, so that no arithmetic on a restored ladder
    /// can overflow.
    fn try_from(state: LadderState) -> Result<Self, Self::Error> {
        if !(MIN_PRICE_DP..=Decimal::MAX_SCALE).contains(&state.price_dp) {
            return Err(format!("grid prices cannot have {} decimal places", state.price_dp));
        }
        let limit = Decimal::from(i64::MAX);
        let values = [state.reference, state.inventory].into_iter().chain(
            state
                .working
                .iter()
                .flat_map(|order| [order.price, order.qty, order.filled]),
        );
        for value in values {
            if value.abs() > limit {
                return Err(format!("grid value {value} is beyond anything the host sends"));
            }
        }
        Ok(Ladder {
            reference: state.reference,
            price_dp: state.price_dp,
            inventory: state.inventory,
            working: state.working,
        })
    }
}

#[cfg(test)]
mod tests {
    use strategy_sdk::OrderStatus;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn shape() -> Shape {
        Shape {
            levels: 3,
            spacing: dec("0.005"),
            size: dec("0.01"),
            mode: Mode::Long,
        }
    }

    fn neutral(max_inventory: &str, allow_short: bool) -> Shape {
        Shape {
            mode: Mode::Neutral {
                max_inventory: dec(max_inventory),
                allow_short,
            },
            ..shape()
        }
    }

    fn prices(placements: &[Placement]) -> Vec<String> {
        placements.iter().map(|p| p.price.to_string()).collect()
    }

    fn update(order: &WorkingOrder, status: OrderStatus, filled: &str) -> OrderUpdate {
        OrderUpdate {
            order_id: order.id.clone(),
            tag: String::new(),
            symbol: "BTC/USD".into(),
            side: order.side,
            status,
            filled_qty: dec(filled),
            remaining_qty: order.qty - dec(filled),
            fill: None,
            reason: None,
            time_ms: 0,
        }
    }

    /// A ladder around 100 with its opening buys tracked as ids b1, b2, b3.
    fn opened() -> Ladder {
        let mut ladder = Ladder::new(dec("100"));
        for (n, buy) in ladder.opening(&shape()).into_iter().enumerate() {
            ladder.track(OrderId::new(format!("b{}", n + 1)), buy);
        }
        ladder
    }

    #[test]
    fn opening_buys_step_down_from_the_reference() {
        let ladder = Ladder::new(dec("100"));
        let buys = ladder.opening(&shape());
        assert_eq!(prices(&buys), ["99.50", "99.00", "98.50"]);
        assert!(buys.iter().all(|b| b.side == Side::Buy && b.qty == dec("0.01")));
    }

    #[test]
    fn a_neutral_ladder_opens_both_sides_within_its_band() {
        let ladder = Ladder::new(dec("100"));
        let opening = ladder.opening(&neutral("0.02", true));
        // Two buys fill the band's 0.02 above flat, two sells its 0.02 below.
        assert_eq!(prices(&opening), ["99.50", "99.00", "100.50", "101.00"]);
        let sides: Vec<Side> = opening.iter().map(|p| p.side).collect();
        assert_eq!(sides, [Side::Buy, Side::Buy, Side::Sell, Side::Sell]);
        // Without shorting there is nothing to sell yet.
        assert_eq!(prices(&ladder.opening(&neutral("0.02", false))), ["99.50", "99.00"]);
        // A band narrower than a level cuts the order to what fits.
        let thin = ladder.opening(&neutral("0.015", true));
        let sizes: Vec<String> = thin.iter().map(|p| p.qty.to_string()).collect();
        assert_eq!(sizes, ["0.01", "0.005", "0.01", "0.005"]);
    }

    #[test]
    fn a_neutral_ladder_rearms_each_fill_one_step_the_other_way_inside_the_band() {
        let shape = neutral("0.02", true);
        let mut ladder = Ladder::new(dec("100"));
        for (n, placement) in ladder.opening(&shape).into_iter().enumerate() {
            ladder.track(OrderId::new(format!("o{n}")), placement);
        }
        // The sell at 100.50 trades: short 0.01, and a buy one step below, at 100.00.
        let sell = ladder.working[2].clone();
        let Applied::Finished { rearm: Some(buy), .. } =
            ladder.apply(&update(&sell, OrderStatus::Filled, "0.01"), &shape)
        else {
            panic!("expected a re-arm")
        };
        assert_eq!((buy.side, buy.price, buy.qty), (Side::Buy, dec("100.00"), dec("0.01")));
        assert_eq!(ladder.inventory(), dec("-0.01"));
        ladder.track(OrderId::new("b"), buy);
        // Short 0.01 with 0.03 of buys working: one more buy would pass +0.02 if all filled.
        assert_eq!(ladder.room(&shape).buy, Some(Decimal::ZERO));
        // The sell at 101.00 trades too: short 0.02, the band's floor, and its buy fits again.
        let sell = ladder.working[2].clone();
        let Applied::Finished { rearm: Some(buy), .. } =
            ladder.apply(&update(&sell, OrderStatus::Filled, "0.01"), &shape)
        else {
            panic!("expected a re-arm")
        };
        assert_eq!((buy.price, buy.qty), (dec("100.50"), dec("0.01")));
        assert_eq!(ladder.inventory(), dec("-0.02"));
        assert_eq!(ladder.room(&shape).sell, Decimal::ZERO, "no sell below the floor");
    }

    #[test]
    fn prices_keep_the_references_places_and_round_half_to_even() {
        // 0.123457 × 0.995 = 0.122839715 → 6 places: 0.122840.
        let ladder = Ladder::new(dec("0.123457"));
        assert_eq!(prices(&ladder.opening(&shape()))[0], "0.122840");
        // 50000.5 × 0.995 = 49750.4975 → 2 places (at least): 49750.50.
        let ladder = Ladder::new(dec("50000.5"));
        assert_eq!(prices(&ladder.opening(&shape()))[0], "49750.50");
    }

    #[test]
    fn levels_at_or_below_zero_are_left_out() {
        let wide = Shape {
            levels: 5,
            spacing: dec("0.3"),
            ..shape()
        };
        assert_eq!(prices(&Ladder::new(dec("10")).opening(&wide)), ["7.00", "4.00", "1.00"]);
    }

    #[test]
    fn a_filled_buy_rearms_a_sell_one_step_above() {
        let mut ladder = opened();
        let buy = ladder.working[0].clone();
        let applied = ladder.apply(&update(&buy, OrderStatus::Filled, "0.01"), &shape());
        let Applied::Finished { rearm: Some(sell), .. } = applied else {
            panic!("expected a re-arm, got {applied:?}")
        };
        // 99.50 × 1.005 = 99.9975 → 100.00
        assert_eq!(
            (sell.side, sell.price, sell.qty),
            (Side::Sell, dec("100.00"), dec("0.01"))
        );
        assert_eq!(ladder.inventory(), dec("0.01"));
        assert_eq!(ladder.working.len(), 2);
    }

    #[test]
    fn a_filled_sell_rearms_a_buy_one_step_below() {
        let mut ladder = opened();
        let buy = ladder.working[0].clone();
        ladder.apply(&update(&buy, OrderStatus::Filled, "0.01"), &shape());
        let sell = Placement {
            side: Side::Sell,
            price: dec("100.00"),
            qty: dec("0.01"),
        };
        ladder.track(OrderId::new("s1"), sell);
        let sell = ladder.working.last().unwrap().clone();
        let applied = ladder.apply(&update(&sell, OrderStatus::Filled, "0.01"), &shape());
        let Applied::Finished { rearm: Some(buy), .. } = applied else {
            panic!("expected a re-arm, got {applied:?}")
        };
        // 100.00 / 1.005 = 99.50248… → 99.50
        assert_eq!((buy.side, buy.price, buy.qty), (Side::Buy, dec("99.50"), dec("0.01")));
        assert_eq!(ladder.inventory(), Decimal::ZERO);
    }

    #[test]
    fn partial_fills_count_once_and_rearm_when_the_order_ends() {
        let mut ladder = opened();
        let buy = ladder.working[1].clone();
        let partial = update(&buy, OrderStatus::PartiallyFilled, "0.004");
        assert_eq!(ladder.apply(&partial, &shape()), Applied::Working);
        // A repeated (or late) update does not count twice.
        assert_eq!(ladder.apply(&partial, &shape()), Applied::Working);
        assert_eq!(ladder.inventory(), dec("0.004"));
        // Cancelled after the partial fill: the part bought is offered back.
        let applied = ladder.apply(&update(&buy, OrderStatus::Cancelled, "0.004"), &shape());
        let Applied::Finished { rearm: Some(sell), .. } = applied else {
            panic!("expected a re-arm, got {applied:?}")
        };
        assert_eq!((sell.side, sell.qty), (Side::Sell, dec("0.004")));
    }

    #[test]
    fn sells_never_exceed_what_was_bought_and_not_yet_offered() {
        let mut ladder = opened();
        // A sell already offering 0.015 (say, restored from an older version's snapshot).
        let offered = Placement {
            side: Side::Sell,
            price: dec("101.00"),
            qty: dec("0.015"),
        };
        ladder.track(OrderId::new("s0"), offered);
        let first = ladder.working[0].clone();
        let applied = ladder.apply(&update(&first, OrderStatus::Filled, "0.01"), &shape());
        // 0.01 held, 0.015 offered: nothing left to sell.
        assert!(matches!(applied, Applied::Finished { rearm: None, .. }), "{applied:?}");
        // The next 0.01 bought brings 0.02 held: only 0.005 of it is not offered yet.
        let second = ladder.working[0].clone();
        let applied = ladder.apply(&update(&second, OrderStatus::Filled, "0.01"), &shape());
        let Applied::Finished { rearm: Some(sell), .. } = applied else {
            panic!("expected a re-arm, got {applied:?}")
        };
        assert_eq!((sell.side, sell.qty), (Side::Sell, dec("0.005")));
    }

    #[test]
    fn rejected_and_unfilled_cancelled_orders_are_forgotten_without_rearming() {
        let mut ladder = opened();
        let first = ladder.working[0].clone();
        let second = ladder.working[1].clone();
        assert_eq!(
            ladder.apply(&update(&first, OrderStatus::Rejected, "0"), &shape()),
            Applied::Finished {
                order: first,
                rearm: None
            }
        );
        assert!(matches!(
            ladder.apply(&update(&second, OrderStatus::Cancelled, "0"), &shape()),
            Applied::Finished { rearm: None, .. }
        ));
        assert_eq!(ladder.working.len(), 1);
    }

    #[test]
    fn snapshots_round_trip_and_impossible_ones_are_refused() {
        let ladder = opened();
        let json = serde_json::to_string(&ladder).unwrap();
        assert_eq!(serde_json::from_str::<Ladder>(&json).unwrap(), ladder);

        let places = json.replace(r#""price_dp":2"#, r#""price_dp":29"#);
        let error = serde_json::from_str::<Ladder>(&places).unwrap_err().to_string();
        assert!(error.contains("cannot have 29 decimal places"), "{error}");
        let huge = json.replace(r#""inventory":"0""#, r#""inventory":"1000000000000000000000""#);
        let error = serde_json::from_str::<Ladder>(&huge).unwrap_err().to_string();
        assert!(error.contains("beyond anything the host sends"), "{error}");
    }

    #[test]
    fn updates_for_unknown_orders_are_untracked() {
        let mut ladder = opened();
        let mut stranger = ladder.working[0].clone();
        stranger.id = OrderId::new("someone-else");
        assert_eq!(
            ladder.apply(&update(&stranger, OrderStatus::Filled, "0.01"), &shape()),
            Applied::Untracked
        );
        assert_eq!(ladder.inventory(), Decimal::ZERO);
    }
}
