//! Errors: [`Error`] for the handle's callers, [`Reject`] for what Kraken would answer a client.
//!
//! A `Reject` is part of the protocol (its [`Reject::code`] is the exact Kraken error string);
//! an `Error` is a misuse of the handle or a broken input file, and never reaches a socket.

use std::path::PathBuf;

use crate::config::ConfigError;

/// What the handle's methods fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration did not validate.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server thread or its runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
    /// Exchange time never goes backwards.
    #[error("exchange time is {now_ms} ms; cannot go back to {requested_ms} ms")]
    ClockBackwards {
        /// The time asked for.
        requested_ms: i64,
        /// The exchange's time.
        now_ms: i64,
    },
    /// The symbol is not one of the configured pairs.
    #[error("unknown symbol {0}")]
    UnknownSymbol(String),
    /// A scripted price or quantity does not fit the pair's increments, or is not positive.
    #[error("{symbol}: {what} {value} does not fit the pair (precision {precision})")]
    OffIncrement {
        /// The pair.
        symbol: String,
        /// `price` or `qty`.
        what: &'static str,
        /// The value given.
        value: rust_decimal::Decimal,
        /// The pair's decimals for it.
        precision: u32,
    },
    /// The exchange refused what the test side asked of the account, as it would refuse a
    /// client.
    #[error("refused: {0}")]
    Refused(#[from] Reject),
    /// A bars CSV or book capture could not be read.
    #[error("{}:{line}: {reason}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// 1-based line, 0 when the whole file is at fault.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// A refusal as Kraken words it, sent back to the client (REST `error[]`, WS `error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// Not enough of the asset the order would spend.
    #[error("EOrder:Insufficient funds")]
    InsufficientFunds,
    /// Quantity below the pair's `qty_min`.
    #[error("EOrder:Order minimum not met")]
    OrderMinimum,
    /// Cost below the pair's `cost_min`.
    #[error("EOrder:Cost minimum not met")]
    CostMinimum,
    /// Limit price missing, not positive, or off the price increment.
    #[error("EOrder:Invalid price")]
    InvalidPrice,
    /// Quantity not positive or off the quantity increment.
    #[error("EGeneral:Invalid arguments:order_qty")]
    InvalidQty,
    /// A post-only order that would take liquidity.
    #[error("EOrder:Post only order")]
    PostOnly,
    /// The pair's trading counter is full.
    #[error("EOrder:Rate limit exceeded")]
    RateLimit,
    /// `cl_ord_id` already names an open order.
    #[error("EOrder:Duplicate cl_ord_id")]
    DuplicateClOrdId,
    /// No open order with that id.
    #[error("EOrder:Unknown order")]
    UnknownOrder,
    /// No such pair.
    #[error("EQuery:Unknown asset pair")]
    UnknownPair,
    /// A market order with neither a book nor a last trade to fill against.
    #[error("EOrder:Insufficient liquidity")]
    NoLiquidity,
    /// The pair is not `online`.
    #[error("EOrder:Trading halted")]
    Halted,
    /// A missing or malformed argument (the field is named).
    #[error("EGeneral:Invalid arguments:{0}")]
    InvalidArguments(String),
    /// The session token is unknown or expired.
    #[error("ESession:Invalid session")]
    InvalidSession,
}

impl Reject {
    /// The exact error string Kraken sends.
    pub fn code(&self) -> String {
        self.to_string()
    }
}
