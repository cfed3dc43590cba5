//! Orders: the vocabulary and the lifecycle state machine.

mod types;

pub use types::{
    Fill, OrderId, OrderRequest, OrderStatus, OrderType, OrderUpdate, Position, StrategyId, MAX_TAG_LEN,
};
