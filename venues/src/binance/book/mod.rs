//! One symbol's local order book, kept from the diff depth stream (`<symbol>@depth@100ms`) and
//! a REST `depth` snapshot by Binance's documented procedure
//! (`fixtures/binance/depth_local_orderbook_procedure.md`, corrected 2025-11-12):
//!
//! 1. Buffer the diffs while a snapshot is fetched ([`BookSync::Buffering`]).
//! 2. Take the snapshot ([`BinanceBook::apply_snapshot`]): drop buffered diffs with
//!    `u <= lastUpdateId`; the first one left must straddle it (`U <= lastUpdateId + 1`), else
//!    the snapshot is older than the stream and another is needed
//!    ([`ResyncReason::StaleSnapshot`]); then apply the rest.
//! 3. Per diff ([`BinanceBook::apply_diff`]): ignore it if `u <= local`; if `U > local + 1`
//!    diffs were missed: discard the book and start over ([`ResyncReason::SequenceGap`]);
//!    else set each level's absolute quantity (zero deletes) and `local = u`.
//!
//! The docs' step 4 refetches when `lastUpdateId < U` of the first buffered diff; this book
//! takes `lastUpdateId == U - 1` too, because that diff then continues the snapshot exactly
//! (the same rule as step 3's `U > local + 1`).
//!
//! Pure: the caller fetches snapshots and feeds diffs; the book says what it needs
//! ([`Applied`], [`ResyncReason`]). Invariants:
//! 1. While [`BookSync::Synced`], the levels are the snapshot with every diff after it applied,
//!    in update-id order, without a gap.
//! 2. A resync empties the book: no one reads levels of unknown state.
//! 3. Nothing panics on any input: a malformed level is [`BookError`], a sequence problem is a
//!    [`ResyncReason`].

mod side;

use std::collections::VecDeque;

use rust_decimal::Decimal;
use trading::market::{BookSnapshot, Symbol, TimeMs};

use self::side::BookSide;
use super::wire::{DepthSnapshot, DepthUpdate, PriceLevel, VenueSymbol};

/// Diffs kept while waiting for a snapshot, at most. A snapshot arrives in well under a second
/// (ten 100 ms diffs); this many is minutes of them. Past it the oldest go: a diff that old is
/// older than any snapshot still to come, and if it was not, the straddle check catches it.
pub const DEFAULT_MAX_BUFFERED: usize = 4_096;

/// Levels per side kept, at most, by default: the deepest snapshot Binance serves (limit 5000).
/// Levels beyond it are dropped from the far end.
pub const DEFAULT_MAX_LEVELS: usize = 5_000;

/// Where the book is in the procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookSync {
    /// Waiting for a snapshot; diffs are buffered.
    Buffering,
    /// In sync as of this update id.
    Synced {
        /// The last update id applied.
        last_update_id: u64,
    },
}

/// Why the book was discarded and needs a new snapshot. [`ResyncReason::label`] is the
/// `reason` label of `strategy_host_book_resyncs_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResyncReason {
    /// A diff started past the next update id: diffs were missed.
    #[error("depth sequence gap: expected an update from {expected}, got {first_update_id}..={final_update_id}")]
    SequenceGap {
        /// The update id the book needed next.
        expected: u64,
        /// The diff's `U`.
        first_update_id: u64,
        /// The diff's `u`.
        final_update_id: u64,
    },
    /// The snapshot is older than the first diff that follows it.
    #[error("depth snapshot {last_update_id} is older than the buffered diffs (first U {first_update_id})")]
    StaleSnapshot {
        /// The snapshot's `lastUpdateId`.
        last_update_id: u64,
        /// The first diff's `U` after dropping those it covers.
        first_update_id: u64,
    },
    /// A level could not be applied (a negative price or quantity): the book's state is
    /// unknown.
    #[error("depth level {price} × {qty} is invalid")]
    InvalidLevel {
        /// The level's price.
        price: Decimal,
        /// The level's quantity.
        qty: Decimal,
    },
}

impl ResyncReason {
    /// A stable snake_case label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            ResyncReason::SequenceGap { .. } => "sequence_gap",
            ResyncReason::StaleSnapshot { .. } => "stale_snapshot",
            ResyncReason::InvalidLevel { .. } => "invalid_level",
        }
    }
}

/// A message that is not for this book. The book is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// A diff of another symbol.
    #[error("depth update of {found} given to the book of {expected}")]
    WrongSymbol {
        /// The book's symbol.
        expected: VenueSymbol,
        /// The diff's.
        found: VenueSymbol,
    },
}

/// What a diff or a snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Kept until a snapshot arrives.
    Buffered,
    /// Older than the book: nothing to do.
    Stale,
    /// Applied: the book is synced at `last_update_id`.
    Updated {
        /// The book's update id now.
        last_update_id: u64,
    },
    /// A snapshot was taken and this many buffered diffs applied on top of it.
    Synced {
        /// The book's update id now.
        last_update_id: u64,
        /// Buffered diffs applied.
        applied: usize,
    },
    /// The book was discarded: fetch a new snapshot (diffs are buffered meanwhile).
    Resync(ResyncReason),
}

/// One symbol's local L2 book.
#[derive(Debug)]
pub struct BinanceBook {
    venue_symbol: VenueSymbol,
    symbol: Symbol,
    sync: BookSync,
    buffer: VecDeque<DepthUpdate>,
    max_buffered: usize,
    bids: BookSide,
    asks: BookSide,
    last_event_ms: Option<TimeMs>,
}

impl BinanceBook {
    /// An empty book of `venue_symbol` (published as `symbol`), buffering diffs until its first
    /// snapshot, with the default limits.
    pub fn new(venue_symbol: VenueSymbol, symbol: Symbol) -> Self {
        Self::with_limits(venue_symbol, symbol, DEFAULT_MAX_BUFFERED, DEFAULT_MAX_LEVELS)
    }

    /// As [`BinanceBook::new`], keeping at most `max_buffered` diffs while waiting and
    /// `max_levels` levels per side (each at least 1).
    pub fn with_limits(venue_symbol: VenueSymbol, symbol: Symbol, max_buffered: usize, max_levels: usize) -> Self {
        Self {
            venue_symbol,
            symbol,
            sync: BookSync::Buffering,
            buffer: VecDeque::new(),
            max_buffered: max_buffered.max(1),
            bids: BookSide::bids(max_levels),
            asks: BookSide::asks(max_levels),
            last_event_ms: None,
        }
    }

    /// Where the book is in the procedure.
    pub fn sync(&self) -> &BookSync {
        &self.sync
    }

    /// Whether it is synced (its levels can be read).
    pub fn is_synced(&self) -> bool {
        matches!(self.sync, BookSync::Synced { .. })
    }

    /// Diffs waiting for a snapshot.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// The highest bid, if synced and anyone bids.
    pub fn best_bid(&self) -> Option<PriceLevel> {
        self.is_synced().then(|| self.bids.best()).flatten()
    }

    /// The lowest ask, if synced and anyone offers.
    pub fn best_ask(&self) -> Option<PriceLevel> {
        self.is_synced().then(|| self.asks.best()).flatten()
    }

    /// Levels per side, bids and asks (zero each while not synced).
    pub fn len(&self) -> (usize, usize) {
        if self.is_synced() {
            (self.bids.len(), self.asks.len())
        } else {
            (0, 0)
        }
    }

    /// Whether both sides are empty (or the book is not synced).
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }

    /// The top `depth` levels of each side as the host's [`BookSnapshot`], at the last diff's
    /// event time (or `time_ms` before any), or `None` while not synced.
    pub fn snapshot(&self, depth: u16, time_ms: TimeMs) -> Option<BookSnapshot> {
        self.is_synced().then(|| BookSnapshot {
            symbol: self.symbol.clone(),
            time_ms: self.last_event_ms.unwrap_or(time_ms),
            depth,
            bids: self.bids.top(usize::from(depth)),
            asks: self.asks.top(usize::from(depth)),
        })
    }

    /// Feeds one diff.
    ///
    /// # Errors
    /// [`BookError::WrongSymbol`] for another symbol's diff; the book is unchanged.
    pub fn apply_diff(&mut self, diff: DepthUpdate) -> Result<Applied, BookError> {
        if diff.symbol != self.venue_symbol {
            return Err(BookError::WrongSymbol {
                expected: self.venue_symbol,
                found: diff.symbol,
            });
        }
        Ok(match self.sync {
            BookSync::Buffering => {
                self.buffer(diff);
                Applied::Buffered
            }
            BookSync::Synced { last_update_id } => self.step(last_update_id, diff),
        })
    }

    /// Takes a REST snapshot and applies the buffered diffs it does not cover. A book that is
    /// already synced starts over from the snapshot (its buffer is empty then, so a following diff
    /// past the snapshot is a gap).
    pub fn apply_snapshot(&mut self, snapshot: &DepthSnapshot) -> Applied {
        let snapshot_id = snapshot.last_update_id;
        while self.buffer.front().is_some_and(|d| d.final_update_id <= snapshot_id) {
            self.buffer.pop_front();
        }
        if let Some(first) = self.buffer.front() {
            if first.first_update_id > snapshot_id.saturating_add(1) {
                let reason = ResyncReason::StaleSnapshot {
                    last_update_id: snapshot_id,
                    first_update_id: first.first_update_id,
                };
                // The buffer stays: the next snapshot is checked against the same diffs.
                self.clear_levels();
                self.sync = BookSync::Buffering;
                return Applied::Resync(reason);
            }
        }
        self.clear_levels();
        for level in &snapshot.bids {
            if let Err(reason) = self.bids.set(*level) {
                return self.restart(reason, None);
            }
        }
        for level in &snapshot.asks {
            if let Err(reason) = self.asks.set(*level) {
                return self.restart(reason, None);
            }
        }
        self.sync = BookSync::Synced {
            last_update_id: snapshot_id,
        };
        let mut applied = 0;
        while let Some(diff) = self.buffer.pop_front() {
            let BookSync::Synced { last_update_id } = self.sync else {
                break;
            };
            match self.step(last_update_id, diff) {
                Applied::Updated { .. } => applied += 1,
                resync @ Applied::Resync(_) => return resync,
                Applied::Stale | Applied::Buffered | Applied::Synced { .. } => {}
            }
        }
        match self.sync {
            BookSync::Synced { last_update_id } => Applied::Synced {
                last_update_id,
                applied,
            },
            BookSync::Buffering => Applied::Buffered,
        }
    }

    /// The per-diff rule of a synced book.
    fn step(&mut self, local: u64, diff: DepthUpdate) -> Applied {
        if diff.final_update_id <= local {
            return Applied::Stale;
        }
        let expected = local.saturating_add(1);
        if diff.first_update_id > expected {
            let reason = ResyncReason::SequenceGap {
                expected,
                first_update_id: diff.first_update_id,
                final_update_id: diff.final_update_id,
            };
            return self.restart(reason, Some(diff));
        }
        for level in &diff.bids {
            if let Err(reason) = self.bids.set(*level) {
                return self.restart(reason, None);
            }
        }
        for level in &diff.asks {
            if let Err(reason) = self.asks.set(*level) {
                return self.restart(reason, None);
            }
        }
        self.last_event_ms = Some(diff.event_time);
        self.sync = BookSync::Synced {
            last_update_id: diff.final_update_id,
        };
        Applied::Updated {
            last_update_id: diff.final_update_id,
        }
    }

    /// Discards the book and goes back to buffering, keeping `keep` (the diff that showed the
    /// gap, the first the next snapshot must cover or continue).
    fn restart(&mut self, reason: ResyncReason, keep: Option<DepthUpdate>) -> Applied {
        self.clear_levels();
        self.buffer.clear();
        self.sync = BookSync::Buffering;
        if let Some(diff) = keep {
            self.buffer(diff);
        }
        Applied::Resync(reason)
    }

    fn buffer(&mut self, diff: DepthUpdate) {
        if self.buffer.len() >= self.max_buffered {
            self.buffer.pop_front();
        }
        self.buffer.push_back(diff);
    }

    fn clear_levels(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.last_event_ms = None;
    }
}

#[cfg(test)]
mod tests;
