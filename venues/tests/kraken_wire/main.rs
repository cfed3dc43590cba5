//! Kraken wire layer, from outside the crate: the public API replays the captured session, and
//! no input makes any parser panic.
//!
//! One test binary (`mod`s below) so the crate links once.

mod capture;
mod corpus;
#[path = "../support/mutate.rs"]
mod mutate;
mod robustness;
