//! sma-cross: trades the crossings of a fast and a slow simple moving average.
//!
//! For every symbol and timeframe it receives (it subscribes to all candles), it keeps an
//! SMA of the last `fast` closes and one of the last `slow` closes:
//! - **golden cross** (the fast average moves above the slow one, both warmed up): if the
//!   host's ledger says the strategy is flat in the symbol, a market buy of `size`;
//! - **death cross** (the fast average moves below): if long, a market sell of the whole
//!   position, as the ledger records it.
//!
//! Every cross emits a decision with the averages and the account's cash and equity as the
//! host's books have them once it acted (the account view), where the host keeps decisions. The per-bar
//! path does not allocate: the averages are compared by cross-multiplying their sums, and
//! divided only to explain a cross.
//!
//! The snapshot carries the averages' windows and last relation per stream, not the params:
//! a new version restored from it continues with its own params, its windows resized to them.

mod crossing;

use strategy_sdk::indicators::{Cross, Period, MAX_PERIOD};
use strategy_sdk::snapshot::{self, Snapshot};
use strategy_sdk::{
    export_strategy, Action, Candle, Decimal, Decision, Host, Manifest, OrderRequest, ParamError, ParamSpec, Params,
    Reject, Side, StrMap, Strategy, Subscription, ANY,
};

use crate::crossing::Crossing;

/// The longest window, as an integer param's bound (`MAX_PERIOD` is 100,000: the cast is exact).
const PERIOD_LIMIT: i64 = MAX_PERIOD as i64;

/// The strategy: its params, and one [`Crossing`] per symbol and timeframe.
#[derive(Debug)]
pub struct SmaCross {
    config: Config,
    /// Symbol, then timeframe: a 1m and a 1h series of the same symbol are averaged apart.
    streams: StrMap<StrMap<Crossing>>,
}

/// What the params set.
#[derive(Debug, Clone, Copy)]
struct Config {
    fast: Period,
    slow: Period,
    size: Decimal,
}

impl Strategy for SmaCross {
    fn manifest() -> Manifest {
        Manifest::new(
            "sma-cross",
            env!("CARGO_PKG_VERSION"),
            "Buys when a fast SMA crosses above a slow one, sells the position when it crosses below",
        )
        .subscribe(Subscription::candles(ANY, ANY))
        // Windows of 1 ..= MAX_PERIOD bars, which the host checks before `init`.
        .param(ParamSpec::integer("fast", 10, "Bars in the fast average").between(1, PERIOD_LIMIT))
        .param(ParamSpec::integer("slow", 20, "Bars in the slow average; more than `fast`").between(1, PERIOD_LIMIT))
        .param(ParamSpec::decimal(
            "size",
            Decimal::new(1, 1),
            "Quantity bought on a golden cross, in the base asset",
        ))
    }

    fn init(params: &Params) -> Result<Self, String> {
        let config = Config {
            fast: params.period("fast")?,
            slow: params.period("slow")?,
            size: params.positive_decimal("size")?,
        };
        if config.fast >= config.slow {
            return Err(ParamError::invalid(
                "fast",
                format!("must be less than `slow` ({}), got {}", config.slow, config.fast),
            )
            .into());
        }
        Ok(SmaCross {
            config,
            streams: StrMap::new(),
        })
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        let Config { fast, slow, size } = self.config;
        let crossing = self
            .streams
            .get_or_insert_with(&candle.symbol, StrMap::new)
            .get_or_insert_with(&candle.timeframe, || Crossing::new(fast, slow));
        let Some(cross) = crossing.update(candle.close) else {
            return;
        };
        let acted = act(host, candle, cross, size);
        // Explaining costs divisions and formatting: only where the host keeps decisions.
        if !host.decisions_wanted() {
            return;
        }
        let Some((fast_value, slow_value)) = crossing.averages() else {
            return;
        };
        let account = host.account();
        let decision = explain(candle, cross, &acted)
            .with_confidence(confidence(fast_value, slow_value))
            .with_indicator("fast", fast_value)
            .with_indicator("slow", slow_value)
            .with_indicator("cash", account.cash)
            .with_indicator("equity", account.equity);
        host.emit_decision(decision);
    }
}

/// What a cross led to.
#[derive(Debug)]
enum Acted {
    /// The host accepted this order.
    Ordered { side: Side, qty: Decimal },
    /// The host refused this order.
    Refused { side: Side, qty: Decimal, reject: Reject },
    /// Nothing to trade: long already on a golden cross, or not long on a death cross.
    Held { position: Decimal },
}

/// Trades a cross on the candle's symbol, asking the ledger for the position: buys `size` on
/// a golden cross when flat, sells the whole position on a death cross when long.
fn act(host: &mut dyn Host, candle: &Candle, cross: Cross, size: Decimal) -> Acted {
    let symbol = &candle.symbol;
    let held = host.position(symbol);
    let (side, qty, tag) = match cross {
        Cross::Up if held.is_flat() => (Side::Buy, size, "golden-cross"),
        Cross::Down if held.is_long() => (Side::Sell, held.qty, "death-cross"),
        Cross::Up | Cross::Down => return Acted::Held { position: held.qty },
    };
    match host.place_order(OrderRequest::market(symbol, side, qty).with_tag(tag)) {
        Ok(_) => Acted::Ordered { side, qty },
        Err(reject) => {
            let refused = Acted::Refused { side, qty, reject };
            host.warn(&format!("{symbol}: {}", reasoning(cross, &candle.timeframe, &refused)));
            refused
        }
    }
}

/// The decision a cross led to, without confidence and indicators.
fn explain(candle: &Candle, cross: Cross, acted: &Acted) -> Decision {
    let action = match acted {
        Acted::Ordered { side, .. } => Action::from(*side),
        Acted::Refused { .. } | Acted::Held { .. } => Action::Hold,
    };
    Decision::new(&candle.symbol, action).with_reasoning(reasoning(cross, &candle.timeframe, acted))
}

/// Why: `golden cross on 1m: buying 0.5`, `death cross on 1m, but no long position to sell (0)`.
fn reasoning(cross: Cross, timeframe: &str, acted: &Acted) -> String {
    match (cross, acted) {
        (Cross::Up, Acted::Ordered { qty, .. }) => format!("golden cross on {timeframe}: buying {qty}"),
        (Cross::Down, Acted::Ordered { qty, .. }) => {
            format!("death cross on {timeframe}: selling the position of {qty}")
        }
        (Cross::Up, Acted::Held { position }) => {
            format!("golden cross on {timeframe}, but the position is already {position}")
        }
        (Cross::Down, Acted::Held { position }) => {
            format!("death cross on {timeframe}, but no long position to sell ({position})")
        }
        (_, Acted::Refused { side, qty, reject }) => {
            let ordered = Acted::Ordered { side: *side, qty: *qty };
            format!("{}: refused: {reject}", reasoning(cross, timeframe, &ordered))
        }
    }
}

/// 0.5 at the cross itself, up to 1.0 as the averages part: full confidence at a 0.5% gap.
fn confidence(fast: Decimal, slow: Decimal) -> f32 {
    if slow.is_zero() {
        return 0.5;
    }
    let gap = ((fast - slow) / slow).abs() * Decimal::ONE_HUNDRED;
    let boost = gap.min(Decimal::new(5, 1));
    f32::try_from(Decimal::new(5, 1) + boost).unwrap_or(0.5)
}

impl Snapshot for SmaCross {
    fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&self.streams)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut streams: StrMap<StrMap<Crossing>> = snapshot::decode(bytes)?;
        for crossing in streams.values_mut().flat_map(StrMap::values_mut) {
            crossing.resize(self.config.fast, self.config.slow);
        }
        self.streams = streams;
        Ok(())
    }
}

export_strategy!(SmaCross);

#[cfg(test)]
mod tests;
