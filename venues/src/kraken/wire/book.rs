//! [`KrakenBook`]: one symbol's local order book, kept from `book` messages and verified
//! against each message's checksum.
//!
//! Invariants:
//! 1. Each side is a vector sorted best first (bids high → low, asks low → high) and never
//!    longer than the subscribed depth: after every message each side is truncated, because
//!    Kraken sends no deletion for a level pushed out of the subscribed depth.
//! 2. Every stored level carries its checksum text ([`LevelDigits`]), computed once when the
//!    level is stored; verifying a message is one CRC32 over cached bytes.
//! 3. After any failure (a checksum mismatch, a malformed level) the book is unsynced and
//!    refuses updates until the next snapshot: its contents are unknown, and the adapter
//!    resubscribes.
//!
//! Why sorted vectors: books are shallow (10–25 levels for most uses) and changes cluster near
//! the top, so a binary search and a short `memmove` beat a tree's pointer chasing, and the top
//! ten are contiguous for the checksum. At depth 1000 an insert moves up to ~100 KB; still far
//! below a message's budget.

use rust_decimal::Decimal;
use trading::market::Symbol;

use super::checksum::{crc_of, LevelDigits};
use super::envelope::FeedKind;
use super::public::{BookData, PairInfo, PriceLevel};

/// A book subscription's depth: the levels Kraken keeps you in sync with, per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookDepth {
    /// 10 levels.
    D10,
    /// 25 levels.
    D25,
    /// 100 levels.
    D100,
    /// 500 levels.
    D500,
    /// 1000 levels.
    D1000,
}

impl BookDepth {
    /// Levels per side.
    pub fn levels(self) -> u32 {
        match self {
            BookDepth::D10 => 10,
            BookDepth::D25 => 25,
            BookDepth::D100 => 100,
            BookDepth::D500 => 500,
            BookDepth::D1000 => 1000,
        }
    }

    /// The depth of `levels` levels, if Kraken offers it.
    pub fn from_levels(levels: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|depth| depth.levels() == levels)
    }

    /// Every depth Kraken serves, shallowest first.
    pub const ALL: [BookDepth; 5] = [
        BookDepth::D10,
        BookDepth::D25,
        BookDepth::D100,
        BookDepth::D500,
        BookDepth::D1000,
    ];

    /// The shallowest depth that covers `levels` levels (at most the deepest, 1000).
    pub fn covering(levels: u32) -> Self {
        Self::ALL
            .into_iter()
            .find(|depth| depth.levels() >= levels)
            .unwrap_or(BookDepth::D1000)
    }

    fn len(self) -> usize {
        // At most 1000: fits any usize.
        self.levels() as usize
    }
}

/// The decimals the checksum prints prices and quantities with: the pair's `price_precision`
/// and `qty_precision` from the `instrument` channel (REST: `pair_decimals`, `lot_decimals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BookPrecision {
    price: u32,
    qty: u32,
}

/// The most decimals a [`Decimal`] holds.
const MAX_PRECISION: u32 = 28;

impl BookPrecision {
    /// Checks the precisions.
    ///
    /// # Errors
    /// [`BookError::Precision`] when either is above 28, the most decimals a [`Decimal`] has.
    pub fn new(price: u32, qty: u32) -> Result<Self, BookError> {
        if price > MAX_PRECISION || qty > MAX_PRECISION {
            return Err(BookError::Precision { price, qty });
        }
        Ok(Self { price, qty })
    }

    /// The precisions of a pair from the `instrument` channel.
    ///
    /// # Errors
    /// As [`BookPrecision::new`].
    pub fn of_pair(pair: &PairInfo) -> Result<Self, BookError> {
        Self::new(pair.price_precision, pair.qty_precision)
    }

    /// Price decimals.
    pub fn price(self) -> u32 {
        self.price
    }

    /// Quantity decimals.
    pub fn qty(self) -> u32 {
        self.qty
    }
}

/// Why a book message could not be applied. After any of these but [`BookError::WrongSymbol`]
/// and [`BookError::Precision`] the book waits for a snapshot: resubscribe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// The book computed a different checksum than the message carried.
    #[error("{symbol}: book checksum mismatch: Kraken sent {expected}, the local book gives {computed}")]
    ChecksumMismatch {
        /// The book's symbol.
        symbol: Symbol,
        /// The message's checksum.
        expected: u32,
        /// The local book's.
        computed: u32,
    },
    /// The message is for another symbol.
    #[error("book message for {found} given to the book of {expected}")]
    WrongSymbol {
        /// The book's symbol.
        expected: Symbol,
        /// The message's.
        found: Symbol,
    },
    /// An update arrived before a snapshot, or after a failure.
    #[error("{symbol}: book update before a snapshot (after a failure, resubscribe)")]
    AwaitingSnapshot {
        /// The book's symbol.
        symbol: Symbol,
    },
    /// A level the checksum cannot print: negative, or with more decimals than the precision.
    #[error("book level {price} × {qty}: {reason}")]
    InvalidLevel {
        /// The level's price.
        price: Decimal,
        /// The level's quantity.
        qty: Decimal,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A precision above 28 decimals.
    #[error("book precision of {price} price and {qty} quantity decimals: at most 28 each")]
    Precision {
        /// Price decimals.
        price: u32,
        /// Quantity decimals.
        qty: u32,
    },
}

#[derive(Clone, Copy)]
struct Level {
    price: Decimal,
    qty: Decimal,
    digits: LevelDigits,
}

/// Which way a side sorts.
#[derive(Clone, Copy)]
enum Order {
    /// Bids: highest first.
    Descending,
    /// Asks: lowest first.
    Ascending,
}

struct BookSide {
    order: Order,
    levels: Vec<Level>,
}

impl BookSide {
    fn new(order: Order, depth: BookDepth) -> Self {
        // One more than the depth: an insert may overflow by one before the truncation.
        Self {
            order,
            levels: Vec::with_capacity(depth.len() + 1),
        }
    }

    /// Sets (or with zero quantity deletes) the level at `level.price`.
    fn apply(&mut self, level: &PriceLevel, precision: BookPrecision) -> Result<(), BookError> {
        let order = self.order;
        // `Decimal`'s `Ord` compares values, so `4.0` and `4` find the same level.
        let found = self.levels.binary_search_by(|stored| match order {
            Order::Ascending => stored.price.cmp(&level.price),
            Order::Descending => level.price.cmp(&stored.price),
        });
        if level.qty.is_zero() {
            // Deleting a level the book does not have is what Kraken's depth truncation makes
            // normal: it was pushed out locally and Kraken deleted it too.
            if let Ok(at) = found {
                self.levels.remove(at);
            }
            return Ok(());
        }
        let digits = LevelDigits::new(level.price, level.qty, precision)?;
        let stored = Level {
            price: level.price,
            qty: level.qty,
            digits,
        };
        match found {
            Ok(at) => {
                if let Some(slot) = self.levels.get_mut(at) {
                    *slot = stored;
                }
            }
            Err(at) => self.levels.insert(at, stored),
        }
        Ok(())
    }

    fn truncate(&mut self, depth: BookDepth) {
        self.levels.truncate(depth.len());
    }

    fn digits(&self) -> impl Iterator<Item = &LevelDigits> {
        self.levels.iter().map(|level| &level.digits)
    }

    fn top(&self) -> impl ExactSizeIterator<Item = (Decimal, Decimal)> + '_ {
        self.levels.iter().map(|level| (level.price, level.qty))
    }
}

/// One symbol's order book, kept from Kraken's `book` channel.
///
/// ```
/// use venues::kraken::wire::{parse_public, BookDepth, BookError, BookPrecision, KrakenBook, PublicMessage};
///
/// let symbol = trading::market::Symbol::new("BTC/USD").unwrap();
/// let mut book = KrakenBook::new(symbol, BookDepth::D10, BookPrecision::new(1, 8).unwrap());
/// let text = r#"{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",
///     "bids":[{"price":29430.2,"qty":0.5}],"asks":[{"price":29430.3,"qty":1.0}],"checksum":1}]}"#;
/// let PublicMessage::Book(feed) = parse_public(text).unwrap() else { unreachable!() };
/// // 1 is not this book's checksum: the book says so, and waits for a new snapshot.
/// let error = book.apply(feed.kind, &feed.data[0]).unwrap_err();
/// assert!(matches!(error, BookError::ChecksumMismatch { expected: 1, .. }));
/// assert!(!book.is_synced());
/// ```
pub struct KrakenBook {
    symbol: Symbol,
    depth: BookDepth,
    precision: BookPrecision,
    bids: BookSide,
    asks: BookSide,
    synced: bool,
    /// The checksum's text, kept between messages for its capacity.
    scratch: Vec<u8>,
}

impl KrakenBook {
    /// An empty book, waiting for its snapshot.
    pub fn new(symbol: Symbol, depth: BookDepth, precision: BookPrecision) -> Self {
        Self {
            symbol,
            depth,
            precision,
            bids: BookSide::new(Order::Descending, depth),
            asks: BookSide::new(Order::Ascending, depth),
            synced: false,
            scratch: Vec::new(),
        }
    }

    /// Applies a snapshot or an update, as `kind` says.
    ///
    /// # Errors
    /// As [`KrakenBook::apply_snapshot`] and [`KrakenBook::apply_update`].
    pub fn apply(&mut self, kind: FeedKind, data: &BookData) -> Result<(), BookError> {
        match kind {
            FeedKind::Snapshot => self.apply_snapshot(data),
            FeedKind::Update => self.apply_update(data),
        }
    }

    /// Replaces the book with a snapshot and verifies its checksum.
    ///
    /// # Errors
    /// [`BookError::WrongSymbol`]; [`BookError::InvalidLevel`]; [`BookError::ChecksumMismatch`].
    /// After the last two the book is unsynced.
    pub fn apply_snapshot(&mut self, data: &BookData) -> Result<(), BookError> {
        self.check_symbol(data)?;
        self.bids.levels.clear();
        self.asks.levels.clear();
        self.synced = true;
        self.apply_levels(data)
    }

    /// Applies an update (quantity zero deletes a level), truncates each side to the depth and
    /// verifies the checksum.
    ///
    /// # Errors
    /// [`BookError::WrongSymbol`]; [`BookError::AwaitingSnapshot`] before a snapshot or after
    /// a failure; [`BookError::InvalidLevel`]; [`BookError::ChecksumMismatch`]. After the last
    /// two the book is unsynced.
    pub fn apply_update(&mut self, data: &BookData) -> Result<(), BookError> {
        self.check_symbol(data)?;
        if !self.synced {
            return Err(BookError::AwaitingSnapshot {
                symbol: self.symbol.clone(),
            });
        }
        self.apply_levels(data)
    }

    fn check_symbol(&self, data: &BookData) -> Result<(), BookError> {
        if data.symbol != self.symbol {
            return Err(BookError::WrongSymbol {
                expected: self.symbol.clone(),
                found: data.symbol.clone(),
            });
        }
        Ok(())
    }

    fn apply_levels(&mut self, data: &BookData) -> Result<(), BookError> {
        let result = self.try_apply_levels(data);
        if result.is_err() {
            self.synced = false;
        }
        result
    }

    fn try_apply_levels(&mut self, data: &BookData) -> Result<(), BookError> {
        for level in &data.bids {
            self.bids.apply(level, self.precision)?;
        }
        for level in &data.asks {
            self.asks.apply(level, self.precision)?;
        }
        self.bids.truncate(self.depth);
        self.asks.truncate(self.depth);
        let computed = crc_of(self.asks.digits(), self.bids.digits(), &mut self.scratch);
        if computed != data.checksum {
            return Err(BookError::ChecksumMismatch {
                symbol: self.symbol.clone(),
                expected: data.checksum,
                computed,
            });
        }
        Ok(())
    }

    /// The checksum of the book as it stands.
    pub fn checksum(&self) -> u32 {
        crc_of(self.asks.digits(), self.bids.digits(), &mut Vec::new())
    }

    /// Whether the book holds a verified snapshot and every update since verified.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// Bid levels as `(price, qty)`, best (highest) first; `.take(n)` for the top `n`.
    pub fn bids(&self) -> impl ExactSizeIterator<Item = (Decimal, Decimal)> + '_ {
        self.bids.top()
    }

    /// Ask levels as `(price, qty)`, best (lowest) first; `.take(n)` for the top `n`.
    pub fn asks(&self) -> impl ExactSizeIterator<Item = (Decimal, Decimal)> + '_ {
        self.asks.top()
    }

    /// The best bid, if any.
    pub fn best_bid(&self) -> Option<(Decimal, Decimal)> {
        self.bids().next()
    }

    /// The best ask, if any.
    pub fn best_ask(&self) -> Option<(Decimal, Decimal)> {
        self.asks().next()
    }

    /// The book's symbol.
    pub fn symbol(&self) -> &Symbol {
        &self.symbol
    }

    /// The subscribed depth.
    pub fn depth(&self) -> BookDepth {
        self.depth
    }

    /// The precisions the checksum prints with.
    pub fn precision(&self) -> BookPrecision {
        self.precision
    }
}

impl std::fmt::Debug for KrakenBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KrakenBook")
            .field("symbol", &self.symbol)
            .field("depth", &self.depth)
            .field("synced", &self.synced)
            .field("best_bid", &self.best_bid())
            .field("best_ask", &self.best_ask())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
