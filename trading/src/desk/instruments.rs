//! The venues' trading rules per symbol ([`Instrument`]), which risk rounds orders onto.

use foldhash::HashMap;
use tracing::debug;

use crate::desk::Desk;
use crate::market::{Instrument, Symbol};
use crate::orders::VenueId;

/// Every venue's instruments, by venue then symbol: an order's lookup borrows its keys and
/// clones nothing.
#[derive(Debug, Default)]
pub(super) struct Instruments(HashMap<VenueId, HashMap<Symbol, Instrument>>);

impl Instruments {
    pub(super) fn get(&self, venue: &VenueId, symbol: &Symbol) -> Option<&Instrument> {
        self.0.get(venue)?.get(symbol)
    }
}

impl Desk {
    /// Sets (or replaces) `symbol`'s trading rules on `venue`. From now on, new orders and
    /// amends on it are rounded onto its increments and refused below its minimums as
    /// `below_minimum` (the rule is [`crate::risk::conform_to_instrument`]'s). Working orders
    /// are left alone: the venue accepted them. A symbol without rules is traded as asked.
    pub fn set_instrument(&mut self, venue: &VenueId, symbol: &Symbol, instrument: Instrument) {
        debug!(%venue, %symbol, ?instrument, "instrument set");
        self.instruments
            .0
            .entry(venue.clone())
            .or_default()
            .insert(symbol.clone(), instrument);
    }

    /// `symbol`'s trading rules on `venue`, when they were set.
    pub fn instrument(&self, venue: &VenueId, symbol: &Symbol) -> Option<&Instrument> {
        self.instruments.get(venue, symbol)
    }
}
