//! The local Kraken over real sockets on 127.0.0.1: one test binary, one module per area.

mod support;

mod binary;
mod faults;
mod market_data;
mod rest;
mod sockets;
mod stops;
mod trading;
