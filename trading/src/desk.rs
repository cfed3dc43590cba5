//! The desk: where a proposal becomes an order.
