//! Binance wire layer and book, from outside the crate: no input makes any parser, the book or
//! the signing helpers panic.
//!
//! One test binary (`mod`s below) so the crate links once.

mod corpus;
#[path = "../support/mutate.rs"]
mod mutate;
mod robustness;
