//! Kraken spot: WebSocket v2 for market data, orders and executions; REST for the WebSocket
//! token and the queries WebSocket v2 has no equivalent for.
//!
//! - [`wire`]: Kraken's messages, parsed from and written to their JSON text, with exact
//!   decimals, the order book and its CRC32 checksum, and request signing. Pure: no I/O.

pub mod wire;
