//! grid: a grid that buys dips and sells the rebounds, long-only or market-making.
//!
//! On the first candle of a symbol it takes the close as the reference price and places
//! `levels` limit buys below it, `spacing_pct` percent apart: reference × (1 − k × spacing) for
//! k = 1..=levels, rounded to the reference's decimal places (at least 2). In `neutral` mode it
//! also places `levels` limit sells above it, at reference × (1 + k × spacing). From then on the
//! grid re-arms itself from order updates:
//! - a buy at P that traded is followed by a limit sell of what it bought at P × (1 + spacing);
//! - a sell at Q that traded is followed by a limit buy of `size` at Q / (1 + spacing).
//!
//! `mode = "long"` (the default) never sells more than it bought and has not offered yet.
//! `mode = "neutral"` holds its inventory between −`max_inventory` and `max_inventory`, counting
//! every working order as if it filled: an order that would pass the band is cut to what fits,
//! or not placed. It sells what it does not hold only with `allow_short` (and a host that
//! allows shorts: `backtest --allow-short`, `risk.allow_short`); without it the band's floor is
//! 0. A refused order is logged and not retried, so a risk limit cannot make it loop. Candles
//! after the first only matter for symbols it has not seen.
//!
//! The snapshot carries every symbol's ladder (reference, working orders by id, inventory), not
//! the params: a new version tracks the old one's orders and re-arms with its own spacing, mode
//! and band.

mod ladder;

use strategy_sdk::snapshot::{self, Snapshot};
use strategy_sdk::{
    export_strategy, Action, Candle, Decimal, Decision, Host, Manifest, OrderRequest, OrderStatus, OrderUpdate,
    ParamError, ParamSpec, Params, StrMap, Strategy, Subscription, ANY,
};

use crate::ladder::{Applied, Ladder, Mode, Placement, Shape};

/// The most levels a grid may have: each is a working order at the venue.
const MAX_LEVELS: usize = 100;

/// The strategy: its shape and one ladder per symbol.
#[derive(Debug)]
pub struct Grid {
    shape: Shape,
    ladders: StrMap<Ladder>,
}

impl Strategy for Grid {
    fn manifest() -> Manifest {
        Manifest::new(
            "grid",
            env!("CARGO_PKG_VERSION"),
            "Grid: limit buys below the first price (and, neutral, sells above), each re-armed one step the other way",
        )
        .subscribe(Subscription::candles(ANY, ANY))
        .param(ParamSpec::integer(
            "levels",
            5,
            "Limit buys below the reference price (and, neutral, sells above)",
        ))
        .param(ParamSpec::decimal(
            "spacing_pct",
            Decimal::new(5, 1),
            "Distance between levels, in percent of price",
        ))
        .param(ParamSpec::decimal(
            "size",
            Decimal::new(1, 2),
            "Quantity of each opening order and of each re-armed buy, in the base asset",
        ))
        .param(ParamSpec::text(
            "mode",
            "long",
            "long: buys, and sells only what they bought; neutral: buys below and sells above, within max_inventory",
        ))
        .param(ParamSpec::decimal(
            "max_inventory",
            Decimal::new(5, 2),
            "Neutral: the most base asset held, long or (with allow_short) short, every working order counted",
        ))
        .param(ParamSpec::boolean(
            "allow_short",
            false,
            "Neutral: sell what is not held, down to -max_inventory (the host must allow shorts too)",
        ))
    }

    fn init(params: &Params) -> Result<Self, String> {
        let levels = params.positive_integer("levels")?;
        if levels > MAX_LEVELS {
            return Err(ParamError::invalid("levels", format!("must be at most {MAX_LEVELS}, got {levels}")).into());
        }
        let spacing_pct = params.positive_decimal("spacing_pct")?;
        let depth_pct = spacing_pct * Decimal::from(levels);
        if depth_pct >= Decimal::ONE_HUNDRED {
            return Err(ParamError::invalid(
                "spacing_pct",
                format!(
                    "{levels} levels {spacing_pct}% apart reach {depth_pct}% below the \
                     reference: the deepest level must stay above 0"
                ),
            )
            .into());
        }
        let size = params.positive_decimal("size")?;
        let mode = match params.text("mode")? {
            "long" => Mode::Long,
            "neutral" => {
                let max_inventory = params.positive_decimal("max_inventory")?;
                if max_inventory < size {
                    return Err(ParamError::invalid(
                        "max_inventory",
                        format!("must be at least `size` ({size}), got {max_inventory}"),
                    )
                    .into());
                }
                Mode::Neutral {
                    max_inventory,
                    allow_short: params.boolean("allow_short")?,
                }
            }
            other => {
                return Err(ParamError::invalid("mode", format!("expected long or neutral, got {other:?}")).into())
            }
        };
        Ok(Grid {
            shape: Shape {
                levels,
                spacing: spacing_pct / Decimal::ONE_HUNDRED,
                size,
                mode,
            },
            ladders: StrMap::new(),
        })
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        if self.ladders.get(&candle.symbol).is_some() || candle.close <= Decimal::ZERO {
            return;
        }
        let ladder = self
            .ladders
            .get_or_insert_with(&candle.symbol, || Ladder::new(candle.close));
        let opening = ladder.opening(&self.shape);
        let placed = opening
            .iter()
            .filter(|order| place(host, &candle.symbol, ladder, **order))
            .count();
        if !host.decisions_wanted() {
            return;
        }
        let (action, orders) = match self.shape.mode {
            Mode::Long => (Action::Buy, "limit buys"),
            Mode::Neutral { .. } => (Action::Hold, "limit buys and sells"),
        };
        let decision = Decision::new(&candle.symbol, action)
            .with_reasoning(format!(
                "grid opened around {}: {placed} of {} {orders} placed",
                candle.close,
                opening.len()
            ))
            .with_indicator("reference", candle.close);
        host.emit_decision(decision);
    }

    fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
        let Some(ladder) = self.ladders.get_mut(&update.symbol) else {
            return warn_untracked(host, update);
        };
        let (order, rearm) = match ladder.apply(update, &self.shape) {
            Applied::Working => return,
            Applied::Untracked => return warn_untracked(host, update),
            Applied::Finished { order, rearm } => (order, rearm),
        };
        if update.status == OrderStatus::Rejected {
            let reason = update.reason.as_deref().unwrap_or("no reason given");
            host.warn(&format!(
                "grid: {} {} at {} on {} rejected by the venue: {reason}",
                order.side.as_str(),
                order.qty,
                order.price,
                update.symbol
            ));
        }
        let Some(rearm) = rearm else {
            return;
        };
        let placed = place(host, &update.symbol, ladder, rearm);
        if !host.decisions_wanted() {
            return;
        }
        let decision = Decision::new(
            &update.symbol,
            if placed { Action::from(rearm.side) } else { Action::Hold },
        )
        .with_reasoning(format!(
            "{} {} at {} traded: {} {} at {}{}",
            order.side.as_str(),
            order.filled,
            order.price,
            rearm.side.as_str(),
            rearm.qty,
            rearm.price,
            if placed { "" } else { " refused" },
        ))
        .with_indicator("filled_price", order.price)
        .with_indicator("rearm_price", rearm.price)
        .with_indicator("inventory", ladder.inventory());
        host.emit_decision(decision);
    }
}

fn warn_untracked(host: &mut dyn Host, update: &OrderUpdate) {
    host.warn(&format!(
        "grid: update for an order it does not track: {} ({}, tag {:?})",
        update.order_id, update.symbol, update.tag
    ));
}

/// Places `placement` on `symbol` and tracks it in `ladder`; a refusal is logged, not retried.
fn place(host: &mut dyn Host, symbol: &str, ladder: &mut Ladder, placement: Placement) -> bool {
    let Placement { side, price, qty } = placement;
    let order = OrderRequest::limit(symbol, side, qty, price).with_tag(format!("grid-{}@{price}", side.as_str()));
    match host.place_order(order) {
        Ok(id) => {
            ladder.track(id, placement);
            true
        }
        Err(reject) => {
            host.warn(&format!(
                "grid: {} {qty} at {price} on {symbol} refused: {reject}",
                side.as_str()
            ));
            false
        }
    }
}

impl Snapshot for Grid {
    fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&self.ladders)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.ladders = snapshot::decode(bytes)?;
        Ok(())
    }
}

export_strategy!(Grid);

#[cfg(test)]
mod tests;
