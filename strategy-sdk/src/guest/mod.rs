//! The component side: everything that touches wit-bindgen lives here and nowhere else.
//!
//! - `bindings`: the code generated from `wit/strategy.wit` (world `strategy`).
//! - `convert`: WIT types to SDK types and back.
//! - `streams`: the stream table that turns a market event's stream id into its symbol and
//!   timeframe, asking the host once per id.
//! - `component_host`: [`Host`](crate::Host) over the world's imports.
//! - `export`: the world's exports, generic over a [`Strategy`](crate::Strategy); what
//!   [`export_strategy!`](crate::export_strategy) expands to calls into it.
//!
//! Natively (tests, docs) this compiles too, but the imports are stubs that panic if called:
//! native code reaches the host only through a test double such as `testing::MockHost`.

pub mod bindings;
mod component_host;
mod convert;
pub mod export;
mod streams;
