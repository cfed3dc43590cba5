//! A live venue's market events on their way from the venue's connection task to the session:
//! a stale symbol whose data flows again is told to the desk first (so the strategy answering
//! that data is not refused as stale), and the bars of longer timeframes built from the
//! venue's 1-minute bars follow the bar that completed them. All of it runs on the connection
//! task, as each message is parsed, with no thread in between.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use trading::market::{MarketEvent, MarketSink, Symbol};
use trading::orders::VenueId;

use super::bars::BarBuilders;
use crate::runtime::{lock_desk, SharedDesk};

/// What a venue's delivery and the session's refresh share.
#[derive(Default)]
pub(super) struct VenueMarket {
    pub bars: BarBuilders,
    /// Symbols marked stale at the desk.
    pub stale: BTreeSet<Symbol>,
    /// Reused by every delivery, so a message allocates no list of its own.
    scratch: Vec<MarketEvent>,
}

pub(super) type SharedVenueMarket = Arc<Mutex<VenueMarket>>;

pub(super) fn lock_market(market: &SharedVenueMarket) -> MutexGuard<'_, VenueMarket> {
    // Nothing panics while holding this lock; a poisoned one still holds whole builders.
    market.lock().unwrap_or_else(|p| p.into_inner())
}

/// The sink a venue's feed delivers to.
pub(super) struct VenueDelivery {
    pub venue: VenueId,
    pub market: SharedVenueMarket,
    pub desk: SharedDesk,
    /// Where the events go next: the session's.
    pub session: Arc<dyn MarketSink>,
}

impl MarketSink for VenueDelivery {
    fn deliver(&self, events: &mut Vec<MarketEvent>) {
        let (flowing, mut out) = {
            let mut market = lock_market(&self.market);
            let flowing: Vec<Symbol> = if market.stale.is_empty() {
                Vec::new()
            } else {
                let flowing: BTreeSet<Symbol> = events
                    .iter()
                    .map(MarketEvent::symbol)
                    .filter(|symbol| market.stale.contains(*symbol))
                    .cloned()
                    .collect();
                for symbol in &flowing {
                    market.stale.remove(symbol);
                }
                flowing.into_iter().collect()
            };
            let mut out = std::mem::take(&mut market.scratch);
            for event in events.drain(..) {
                let bar = match &event {
                    MarketEvent::Candle(bar) => Some(bar.clone()),
                    _ => None,
                };
                out.push(event);
                if let Some(bar) = bar {
                    market.bars.on_bar(&bar, &mut out);
                }
            }
            (flowing, out)
        };
        // The desk after the market's lock, never inside it: the session's refresh takes the
        // desk first and the market second.
        if !flowing.is_empty() {
            let mut desk = lock_desk(&self.desk);
            for symbol in &flowing {
                desk.set_market_data_stale(&self.venue, symbol, false);
            }
        }
        self.session.deliver(&mut out);
        out.clear();
        lock_market(&self.market).scratch = out;
    }
}
