//! Pre-trade risk checks and the trading state.
