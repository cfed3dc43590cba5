//! Bars of every timeframe strategies want, built from the venue's 1-minute bars with the
//! trading core's [`BarAggregator`]: the same builder backtests use, so a strategy sees the
//! same 1h bars live as in a backtest of the same minutes. One builder per symbol and
//! timeframe, however many strategies want it.

use std::collections::BTreeMap;

use trading::market::{BarAggregator, Candle, MarketEvent, Symbol, Timeframe};
use trading::orders::StrategyId;
use venues::kit::SubscriptionTable;

use super::wants::BASE_TIMEFRAME;

#[derive(Debug, Default)]
pub struct BarBuilders {
    holders: SubscriptionTable<(Symbol, Timeframe), StrategyId>,
    builders: BTreeMap<(Symbol, Timeframe), BarAggregator>,
}

impl BarBuilders {
    /// Makes `built` the timeframes `strategy` wants built.
    pub fn set(&mut self, strategy: &StrategyId, built: impl IntoIterator<Item = (Symbol, Timeframe)>) {
        let changes = self.holders.set(strategy, built);
        for key in changes.unsubscribe {
            self.builders.remove(&key);
        }
        for (symbol, timeframe) in changes.subscribe {
            match BarAggregator::new(symbol.clone(), BASE_TIMEFRAME, timeframe) {
                Ok(builder) => {
                    self.builders.insert((symbol, timeframe), builder);
                }
                Err(e) => tracing::warn!(%symbol, error = %e, "bars not built"),
            }
        }
    }

    /// Feeds a base bar to the builders of its symbol; the bars it completes follow it in `out`.
    pub fn on_bar(&mut self, bar: &Candle, out: &mut Vec<MarketEvent>) {
        if bar.timeframe != BASE_TIMEFRAME {
            return;
        }
        for ((symbol, _), builder) in self.builders.range_mut((bar.symbol.clone(), Timeframe::SECOND)..) {
            if *symbol != bar.symbol {
                break;
            }
            match builder.push(bar) {
                Ok(completed) => out.extend(completed.bars().map(MarketEvent::Candle)),
                Err(e) => tracing::warn!(error = %e, "a bar was not aggregated"),
            }
        }
    }
}
