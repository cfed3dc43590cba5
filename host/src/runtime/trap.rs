//! Classifying what went wrong inside a guest call.

use std::fmt;

/// Why a call into a strategy did not complete. Every variant poisons the instance: the
/// runtime throws it away and builds a fresh one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// The call ran past its epoch deadline (wall-clock CPU budget).
    Deadline,
    /// The call ran out of fuel (the deterministic CPU budget used in backtests).
    Fuel,
    /// Unbounded recursion.
    StackOverflow,
    /// An out-of-bounds access (a Rust guest's shadow stack running into its data lands here
    /// too). Memory growth past the sandbox cap fails inside the guest; a Rust guest then
    /// aborts, which is [`TrapKind::Unreachable`].
    Memory,
    /// `unreachable` executed: a Rust guest's panic lands here.
    Unreachable,
    /// Anything else: a host-side failure while serving the guest, or a trap we do not name.
    Other,
}

impl TrapKind {
    pub const ALL: [TrapKind; 6] = [
        TrapKind::Deadline,
        TrapKind::Fuel,
        TrapKind::StackOverflow,
        TrapKind::Memory,
        TrapKind::Unreachable,
        TrapKind::Other,
    ];

    /// Classifies a wasmtime error by its root cause.
    pub fn classify(error: &wasmtime::Error) -> Self {
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => TrapKind::Deadline,
            Some(wasmtime::Trap::OutOfFuel) => TrapKind::Fuel,
            Some(wasmtime::Trap::StackOverflow) => TrapKind::StackOverflow,
            Some(wasmtime::Trap::MemoryOutOfBounds) | Some(wasmtime::Trap::HeapMisaligned) => TrapKind::Memory,
            Some(wasmtime::Trap::UnreachableCodeReached) => TrapKind::Unreachable,
            _ => TrapKind::Other,
        }
    }

    /// The `kind` label on `strategy_host_strategy_traps_total`.
    pub fn label(self) -> &'static str {
        match self {
            TrapKind::Deadline => "deadline",
            TrapKind::Fuel => "fuel",
            TrapKind::StackOverflow => "stack_overflow",
            TrapKind::Memory => "memory",
            TrapKind::Unreachable => "unreachable",
            TrapKind::Other => "other",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trap_kind_has_a_metric_series() {
        for kind in TrapKind::ALL {
            assert!(crate::metrics::TRAP_KINDS.contains(&kind.label()), "{kind}");
        }
    }
}
