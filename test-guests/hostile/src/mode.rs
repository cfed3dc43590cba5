//! [`Mode`]: which misbehaviour the `mode` param selects.

use std::fmt;

/// What the guest does besides trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing: it only trades.
    WellBehaved,
    /// Nothing at all, not even trading: the floor cost of a call, for benchmarks.
    Idle,
    /// Panics in `init`.
    PanicInit,
    /// Panics on every `every`-th event since the instance started.
    PanicEvery,
    /// Panics on every `every`-th order update since the instance started.
    PanicOnUpdate,
    /// Loops forever in the event handler.
    Spin,
    /// Allocates, and writes to, memory without bound in the event handler.
    Alloc,
    /// Recurses without bound in the event handler, keeping half a KiB per frame on the
    /// shadow stack in linear memory.
    Recurse,
    /// Recurses without bound in the event handler with nothing in linear memory, so only
    /// wasm's own call stack grows.
    RecurseNative,
    /// Logs thousands of lines per event, through the host and through stdout and stderr.
    LogFlood,
    /// Tries to read `/etc/passwd` and to list `.`.
    ReadFile,
    /// Tries to read the environment.
    ReadEnv,
    /// Tries to connect to 127.0.0.1:9898.
    OpenSocket,
    /// Reads the wall clock and the monotonic clock.
    Clock,
    /// Sleeps for an hour in the event handler, then trades.
    Sleep,
    /// Returns from `on-events` without asking for a single event, breaking the contract the
    /// SDK's export keeps: the host must still deliver every event (by `on-event`).
    SkipPull,
    /// Rests a limit buy far below the market, amends it on the next bar, and amends an order
    /// that does not exist; reports each answer and every update.
    Amend,
}

impl Mode {
    /// Every mode, in the order the docs list them.
    pub const ALL: [Mode; 17] = [
        Mode::WellBehaved,
        Mode::Idle,
        Mode::PanicInit,
        Mode::PanicEvery,
        Mode::PanicOnUpdate,
        Mode::Spin,
        Mode::Alloc,
        Mode::Recurse,
        Mode::RecurseNative,
        Mode::LogFlood,
        Mode::ReadFile,
        Mode::ReadEnv,
        Mode::OpenSocket,
        Mode::Clock,
        Mode::Sleep,
        Mode::SkipPull,
        Mode::Amend,
    ];

    /// The `mode` param's value for this mode.
    pub fn name(self) -> &'static str {
        match self {
            Mode::WellBehaved => "well-behaved",
            Mode::Idle => "idle",
            Mode::PanicInit => "panic-init",
            Mode::PanicEvery => "panic-every",
            Mode::PanicOnUpdate => "panic-on-update",
            Mode::Spin => "spin",
            Mode::Alloc => "alloc",
            Mode::Recurse => "recurse",
            Mode::RecurseNative => "recurse-native",
            Mode::LogFlood => "log-flood",
            Mode::ReadFile => "read-file",
            Mode::ReadEnv => "read-env",
            Mode::OpenSocket => "open-socket",
            Mode::Clock => "clock",
            Mode::Sleep => "sleep",
            Mode::SkipPull => "skip-pull",
            Mode::Amend => "amend",
        }
    }

    /// The mode named `name`.
    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.name() == name)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
