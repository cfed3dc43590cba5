//! The manifest: how a strategy describes itself to the host before it runs.

use crate::params::ParamSpec;

/// Matches every symbol, or every timeframe, in a [`Subscription`].
pub const ANY: &str = "*";

/// Name, version, subscriptions and parameter schema of a strategy, returned by
/// [`Strategy::manifest`](crate::Strategy::manifest).
///
/// ```
/// use strategy_sdk::{Manifest, ParamSpec, Subscription};
///
/// let manifest = Manifest::new("breakout", "1.0.0", "Buys new highs")
///     .subscribe(Subscription::candles("BTC/USD", "1h"))
///     .param(ParamSpec::integer("lookback", 24, "Bars in the high-water window"));
/// assert_eq!(manifest.params[0].name, "lookback");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The strategy's name, kebab-case (`sma-cross`).
    pub name: String,
    /// Its version (`env!("CARGO_PKG_VERSION")` is a good choice).
    pub version: String,
    /// One sentence on what it does.
    pub description: String,
    /// The market data it wants.
    pub subscriptions: Vec<Subscription>,
    /// The parameters it accepts, with their defaults.
    pub params: Vec<ParamSpec>,
}

impl Manifest {
    /// A manifest with no subscriptions and no parameters yet.
    pub fn new(name: impl Into<String>, version: impl Into<String>, description: impl Into<String>) -> Self {
        Manifest {
            name: name.into(),
            version: version.into(),
            description: description.into(),
            subscriptions: Vec::new(),
            params: Vec::new(),
        }
    }

    /// Adds a subscription.
    pub fn subscribe(mut self, subscription: Subscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }

    /// Declares a parameter.
    pub fn param(mut self, spec: ParamSpec) -> Self {
        self.params.push(spec);
        self
    }
}

/// A stream of market data a strategy wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `BASE/QUOTE`, or [`ANY`] for every symbol the host's feed carries.
    pub symbol: String,
    /// Which kind of data.
    pub stream: StreamKind,
}

/// The deepest book a strategy may subscribe to, in levels a side.
pub const MAX_BOOK_DEPTH: u16 = 1_000;

/// The kind of market data in a [`Subscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamKind {
    /// Closed bars of one timeframe (`1m`, `1d`, ...), or [`ANY`] for every timeframe.
    Candles(String),
    /// Public trades.
    Trades,
    /// Best bid and ask.
    Quotes,
    /// The top of the order book, this many levels a side (1 ..= [`MAX_BOOK_DEPTH`]), whenever
    /// they change.
    Book(u16),
    /// The bar in progress of one timeframe (or [`ANY`]), whenever it changes.
    CandleUpdates(String),
}

impl Subscription {
    /// Candles of `symbol` in `timeframe`; either may be [`ANY`].
    pub fn candles(symbol: impl Into<String>, timeframe: impl Into<String>) -> Self {
        Subscription {
            symbol: symbol.into(),
            stream: StreamKind::Candles(timeframe.into()),
        }
    }

    /// Public trades of `symbol` (or [`ANY`]).
    pub fn trades(symbol: impl Into<String>) -> Self {
        Subscription {
            symbol: symbol.into(),
            stream: StreamKind::Trades,
        }
    }

    /// Best bid and ask of `symbol` (or [`ANY`]).
    pub fn quotes(symbol: impl Into<String>) -> Self {
        Subscription {
            symbol: symbol.into(),
            stream: StreamKind::Quotes,
        }
    }

    /// The top `depth` levels a side of `symbol`'s order book (or of every symbol's, with
    /// [`ANY`]), delivered to [`Strategy::on_book`](crate::Strategy::on_book) whenever they
    /// change. The host refuses a manifest whose depth is 0 or above [`MAX_BOOK_DEPTH`].
    pub fn book(symbol: impl Into<String>, depth: u16) -> Self {
        Subscription {
            symbol: symbol.into(),
            stream: StreamKind::Book(depth),
        }
    }

    /// The bar in progress of `symbol` in `timeframe` (either may be [`ANY`]), delivered to
    /// [`Strategy::on_candle_update`](crate::Strategy::on_candle_update) whenever it changes.
    /// The closed bars come only with [`Subscription::candles`].
    pub fn candle_updates(symbol: impl Into<String>, timeframe: impl Into<String>) -> Self {
        Subscription {
            symbol: symbol.into(),
            stream: StreamKind::CandleUpdates(timeframe.into()),
        }
    }
}
