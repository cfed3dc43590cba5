//! The local Binance from outside: REST answers, market streams and the WebSocket API in
//! Binance's formats.
//!
//! One test binary (`mod`s below) so the crate links once.

mod amend;
mod rest;
mod stops;
mod streams;
mod support;
mod ws_api;
