//! The local Binance from outside: REST answers and market streams in Binance's formats.
//!
//! One test binary (`mod`s below) so the crate links once.

mod rest;
mod streams;
mod support;
