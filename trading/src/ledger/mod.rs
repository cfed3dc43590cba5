//! Positions, cash, fills and PnL per strategy, and their persistence.
