//! Misbehaviour on request: what the handle can make the exchange do wrong.
//!
//! Faults are armed on the handle and consumed by the socket code: each is a plain flag or
//! counter here, so a test can see exactly which fault is still pending.

use std::time::Instant;

/// Which sockets a fault or a count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnKind {
    /// `/v2`: market data.
    Public,
    /// `/auth/v2`: private channels and trading.
    Private,
}

/// One kind of socket, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Public sockets only.
    Public,
    /// Private sockets only.
    Private,
    /// Every socket.
    Both,
}

impl Target {
    /// Whether `kind` is targeted.
    pub fn includes(self, kind: ConnKind) -> bool {
        matches!(
            (self, kind),
            (Target::Both, _) | (Target::Public, ConnKind::Public) | (Target::Private, ConnKind::Private)
        )
    }
}

/// How a silence ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Silence {
    Off,
    Until(Instant),
    UntilResumed,
}

/// Pending faults.
#[derive(Debug)]
pub(crate) struct Faults {
    silence: [Silence; 2],
    pub(crate) corrupt_next_book: bool,
    pub(crate) reject_tokens: u32,
    /// `Some(drop_connection)`: execute the next `add_order` but never answer it.
    pub(crate) lose_next_add_order_reply: Option<bool>,
}

fn index(kind: ConnKind) -> usize {
    match kind {
        ConnKind::Public => 0,
        ConnKind::Private => 1,
    }
}

impl Faults {
    pub(crate) fn new() -> Self {
        Faults {
            silence: [Silence::Off; 2],
            corrupt_next_book: false,
            reject_tokens: 0,
            lose_next_add_order_reply: None,
        }
    }

    /// Silences `target` until `until` (wall clock), or until [`Faults::resume`] when `None`.
    pub(crate) fn silence(&mut self, target: Target, until: Option<Instant>) {
        for kind in [ConnKind::Public, ConnKind::Private] {
            if target.includes(kind) {
                self.silence[index(kind)] = until.map_or(Silence::UntilResumed, Silence::Until);
            }
        }
    }

    pub(crate) fn resume(&mut self, target: Target) {
        for kind in [ConnKind::Public, ConnKind::Private] {
            if target.includes(kind) {
                self.silence[index(kind)] = Silence::Off;
            }
        }
    }

    /// Whether sockets of `kind` are silent now (an elapsed silence is cleared).
    pub(crate) fn is_silent(&mut self, kind: ConnKind) -> bool {
        let slot = &mut self.silence[index(kind)];
        match *slot {
            Silence::Off => false,
            Silence::UntilResumed => true,
            Silence::Until(t) if Instant::now() < t => true,
            Silence::Until(_) => {
                *slot = Silence::Off;
                false
            }
        }
    }

    /// Consumes one pending token rejection.
    pub(crate) fn take_token_rejection(&mut self) -> bool {
        if self.reject_tokens > 0 {
            self.reject_tokens -= 1;
            true
        } else {
            false
        }
    }
}
