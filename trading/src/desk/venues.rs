//! The desk's execution ports, one per venue, which venue each strategy trades on, and what
//! each venue account holds by the venue's own word.

use foldhash::HashMap;

use crate::brokers::{Balances, ExecutionPort};
use crate::desk::DeskError;
use crate::orders::{StrategyId, VenueId};

/// Every venue the desk sends orders to. The first one added is where a strategy that names
/// no venue trades.
pub(super) struct Venues {
    ports: Vec<Box<dyn ExecutionPort>>,
    by_name: HashMap<VenueId, usize>,
    bindings: HashMap<StrategyId, usize>,
    /// The latest balances each venue reported, by venue index.
    balances: HashMap<usize, Balances>,
}

impl Venues {
    pub(super) fn new(first: Box<dyn ExecutionPort>) -> Self {
        let mut by_name = HashMap::default();
        by_name.insert(first.venue().clone(), 0);
        Self {
            ports: vec![first],
            by_name,
            bindings: HashMap::default(),
            balances: HashMap::default(),
        }
    }

    pub(super) fn add(&mut self, port: Box<dyn ExecutionPort>) -> Result<(), DeskError> {
        let venue = port.venue().clone();
        if self.by_name.contains_key(&venue) {
            return Err(DeskError::DuplicateVenue { venue });
        }
        self.by_name.insert(venue, self.ports.len());
        self.ports.push(port);
        Ok(())
    }

    /// Binds `strategy` to `venue`, or to the first venue when `None`. A strategy keeps its
    /// first binding: its book and orders live on that venue.
    pub(super) fn bind(&mut self, strategy: &StrategyId, venue: Option<&VenueId>) -> Result<(), DeskError> {
        let index = match venue {
            None => 0,
            Some(venue) => *self.by_name.get(venue).ok_or_else(|| DeskError::UnknownVenue {
                venue: venue.clone(),
                known: self.names().cloned().collect(),
            })?,
        };
        self.bindings.entry(strategy.clone()).or_insert(index);
        Ok(())
    }

    /// The venue `strategy` trades on.
    pub(super) fn venue_of(&self, strategy: &StrategyId) -> &VenueId {
        self.ports[self.bindings.get(strategy).copied().unwrap_or(0)].venue()
    }

    /// The venue whose account `strategy`'s book is part of: its binding, or with one venue
    /// that one; `None` for a strategy not bound yet among several venues (a book reloaded
    /// with no working order, before its strategy registers).
    pub(super) fn account_of(&self, strategy: &StrategyId) -> Option<&VenueId> {
        match self.bindings.get(strategy) {
            Some(index) => Some(self.ports[*index].venue()),
            None if self.ports.len() == 1 => Some(self.ports[0].venue()),
            None => None,
        }
    }

    pub(super) fn port(&mut self, venue: &VenueId) -> Option<&mut dyn ExecutionPort> {
        let index = *self.by_name.get(venue)?;
        Some(self.ports[index].as_mut())
    }

    pub(super) fn ports_mut(&mut self) -> impl Iterator<Item = &mut Box<dyn ExecutionPort>> + '_ {
        self.ports.iter_mut()
    }

    /// Keeps `balances` as its venue's latest; a report from a venue the desk does not trade
    /// on is refused (returned).
    pub(super) fn set_balances(&mut self, balances: Balances) -> Result<(), Balances> {
        match self.by_name.get(&balances.venue) {
            Some(index) => {
                self.balances.insert(*index, balances);
                Ok(())
            }
            None => Err(balances),
        }
    }

    pub(super) fn balances(&self, venue: &VenueId) -> Option<&Balances> {
        self.balances.get(self.by_name.get(venue)?)
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &VenueId> + '_ {
        self.ports.iter().map(|port| port.venue())
    }
}
