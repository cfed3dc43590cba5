//! Write trading strategies for strategy-host in Rust, and build them to WebAssembly components.
//!
//! A strategy is a type that implements [`Strategy`], exported once with [`export_strategy!`].
//! The SDK generates the component bindings, parses params, converts the host's exact decimals,
//! and hands each callback a [`Host`] for logging, positions, orders and decisions:
//!
// The example exports a component, which needs the `guest` feature.
#![cfg_attr(feature = "guest", doc = "```")]
#![cfg_attr(not(feature = "guest"), doc = "```ignore")]
//! use serde::{Deserialize, Serialize};
//! use strategy_sdk::{
//!     export_strategy, Candle, Decimal, Host, Manifest, OrderRequest, ParamSpec, Params, Side,
//!     Strategy, Subscription,
//! };
//!
//! /// Buys once, on the first bar whose close is above `threshold`.
//! #[derive(Serialize, Deserialize)] // snapshot and restore, for free
//! struct BuyAbove {
//!     threshold: Decimal,
//!     bought: bool,
//! }
//!
//! impl Strategy for BuyAbove {
//!     fn manifest() -> Manifest {
//!         Manifest::new("buy-above", env!("CARGO_PKG_VERSION"), "Buys once above a threshold")
//!             .subscribe(Subscription::candles("BTC/USD", "1m"))
//!             .param(ParamSpec::decimal("threshold", Decimal::from(100_000), "Price to beat"))
//!     }
//!
//!     fn init(params: &Params) -> Result<Self, String> {
//!         Ok(BuyAbove { threshold: params.positive_decimal("threshold")?, bought: false })
//!     }
//!
//!     fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
//!         if self.bought || candle.close <= self.threshold {
//!             return;
//!         }
//!         let order = OrderRequest::market(&candle.symbol, Side::Buy, Decimal::new(1, 2));
//!         match host.place_order(order) {
//!             Ok(_) => self.bought = true,
//!             Err(reject) => host.warn(&format!("buy refused: {reject}")),
//!         }
//!     }
//! }
//!
//! export_strategy!(BuyAbove);
//! ```
//!
//! With `crate-type = ["cdylib"]` in the strategy's `Cargo.toml`,
//! `cargo build --release --target wasm32-wasip2` builds the component
//! `target/wasm32-wasip2/release/<crate_name>.wasm`. `strategy-host new NAME` scaffolds such a
//! crate from `strategy-sdk/template/`, with a copy of this SDK in it.
//!
//! What is where:
//! - [`Strategy`], [`Host`] and [`export_strategy!`]: the contract with the host.
//! - Market data ([`Candle`], [`Trade`], [`Quote`], [`Book`]), orders ([`OrderRequest`], [`OrderUpdate`],
//!   [`Reject`]), [`Position`] and [`Decision`]: plain data in exact [`Decimal`]s. An event's
//!   symbol and timeframe are [`SharedStr`]s, shared by every event of its stream.
//! - [`Manifest`], [`ParamSpec`] and [`Params`]: typed parameters, declared once.
//! - [`indicators`]: streaming SMA, EMA, WMA, RSI, MACD, Bollinger Bands, ATR, stochastic, VWAP,
//!   rolling high/low and crossovers in exact decimals, each with its formula and warm-up in its
//!   doc, checked against talipp in `tests/indicators_reference.rs`.
//! - [`snapshot`]: state carried across hot reloads; [`StrMap`]: per-symbol state; [`decimal`]:
//!   the host's decimal representation.
//! - `testing` (feature `testing`): a recording [`Host`] for native unit tests, and a harness that
//!   runs a strategy over a scenario of events, filling its orders on the bars after them.
//!
//! Features: `guest` (default) compiles the component bindings (wit-bindgen) and
//! [`export_strategy!`]. Without it (`strategy-sdk = { ..., default-features = false }`) the
//! rest of the SDK builds natively, with no wit-bindgen in the dependency tree: for research
//! code and tests that use the indicators, market types and params.

#![deny(missing_docs)]

mod account;
mod bracket;
pub mod decimal;
mod decision;
#[cfg(feature = "guest")]
mod guest;
mod host;
pub mod indicators;
mod manifest;
mod market;
mod orders;
mod param_range;
mod params;
mod position;
mod shared_str;
mod sizing;
pub mod snapshot;
mod str_map;
mod strategy;
#[cfg(feature = "testing")]
pub mod testing;

pub use account::{Account, OpenOrder, PositionValue};
pub use bracket::{Bracket, BracketExit, BracketSpec, BracketState};
pub use decision::{Action, Decision, Indicator};
pub use host::{Host, LogLevel};
pub use manifest::{Manifest, StreamKind, Subscription, ANY, MAX_BOOK_DEPTH};
pub use market::{Book, BookLevel, Candle, Quote, Side, Trade};
pub use orders::{
    Fill, OrderId, OrderRequest, OrderStatus, OrderType, OrderUpdate, Reject, TimeInForce, MAX_TAG_BYTES,
};
pub use params::{ParamBounds, ParamError, ParamKind, ParamSpec, ParamValue, Params};
pub use position::Position;
pub use rust_decimal::Decimal;
pub use shared_str::SharedStr;
pub use sizing::{Sizing, SizingError};
pub use snapshot::Snapshot;
pub use str_map::StrMap;
pub use strategy::{instantiate, Strategy};

#[cfg(feature = "guest")]
#[doc(hidden)]
pub use guest::bindings as __bindings;
#[cfg(feature = "guest")]
#[doc(hidden)]
pub use guest::export as __export;

/// Exports a [`Strategy`] as the component's implementation of the `strategy` world.
///
/// Call it once, at the top level of the strategy's crate (built with
/// `crate-type = ["cdylib"]`). It keeps the one instance the host's `init` builds and forwards
/// every export to it. Needs the `guest` feature (on by default).
#[cfg(feature = "guest")]
#[macro_export]
macro_rules! export_strategy {
    ($strategy:ty) => {
        const _: () = {
            use $crate::__export::{Guest, Slot, WitManifest, WitMarketEvent, WitOrderUpdate};

            ::std::thread_local! {
                static SLOT: Slot<$strategy> = const { Slot::new() };
            }

            struct Exports;

            impl Guest for Exports {
                fn describe() -> WitManifest {
                    Slot::<$strategy>::describe()
                }

                fn init(params: ::std::string::String) -> ::std::result::Result<(), ::std::string::String> {
                    SLOT.with(|slot| slot.init(params))
                }

                fn on_event(event: WitMarketEvent) {
                    SLOT.with(|slot| slot.on_event(event))
                }

                fn on_events() {
                    SLOT.with(|slot| slot.on_events())
                }

                fn on_order_update(update: WitOrderUpdate) {
                    SLOT.with(|slot| slot.on_order_update(update))
                }

                fn snapshot() -> ::std::vec::Vec<u8> {
                    SLOT.with(|slot| slot.snapshot())
                }

                fn restore(state: ::std::vec::Vec<u8>) -> ::std::result::Result<(), ::std::string::String> {
                    SLOT.with(|slot| slot.restore(state))
                }
            }

    $crate::__bindings::export_strategy_world!(Exports with_types_in $crate::__bindings);
        };
    };
}
