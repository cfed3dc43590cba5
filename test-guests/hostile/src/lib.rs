//! hostile: a test guest that misbehaves on demand, so host tests can prove the sandbox holds.
//!
//! The `mode` param picks the misbehaviour (see [`Mode`]); in every mode the guest also trades
//! a tiny moving-average crossover on candles, so there is state and there are orders to
//! protect. Misbehaviours happen on market events (`on-event`):
//!
//! | mode | what it does |
//! | --- | --- |
//! | `well-behaved` | only trades |
//! | `panic-init` | panics in `init` |
//! | `panic-every` | panics on every `every`-th event counted since instantiation (the count is not in the snapshot: a fresh instance starts from zero) |
//! | `panic-on-update` | panics on every `every`-th order update counted since instantiation; emits a `hold` decision `update <order id> <status>` for every update it handles |
//! | `spin` | loops forever |
//! | `alloc` | allocates and writes 1 MiB blocks until an allocation is refused, reports how many it held, then aborts as a failed allocation does |
//! | `recurse` | recurses without bound, half a KiB per frame on the shadow stack in linear memory |
//! | `recurse-native` | recurses without bound with nothing in linear memory: only wasm's own call stack grows |
//! | `log-flood` | logs `lines` lines (default 2,000) per event to each of the host log, stdout and stderr |
//! | `read-file` | `std::fs::read("/etc/passwd")` and `std::fs::read_dir(".")` |
//! | `read-env` | `std::env::vars()` and `std::env::var("HOME")` |
//! | `open-socket` | `std::net::TcpStream::connect(address)` (the `address` param, default `127.0.0.1:9898`) |
//! | `clock` | reads `SystemTime::now()` and `Instant::now()` |
//! | `sleep` | sleeps for an hour (`std::thread::sleep`) on every event, then trades |
//! | `skip-pull` | returns from `on-events` without asking for an event (only trades, by `on-event`) |
//! | `amend` | rests a limit buy of 0.01 at half the first close; on the next bar amends it to 0.03 at 90 % of that price, then amends `no-such-order`; emits a `hold` decision `update <order id> <status> remaining=<qty>` for every update |
//!
//! `alloc`, `amend` and the last four report what they observed as one warn-level host log line per attempt:
//! `hostile observed: read-file -> Err(…) [std::fs::read("/etc/passwd")]`, and
//! `hostile observed: clock -> system_time_ms=… instant_elapsed_ns=… host_now_ms=… […]`.
//! They report sizes and counts, never contents.

mod misbehave;
mod mode;
mod trader;

use std::sync::atomic::Ordering;
use std::time::Instant;

use strategy_sdk::snapshot::{self, Snapshot};
use strategy_sdk::{
    Action, Candle, Decimal, Decision, Host, Manifest, OrderId, OrderUpdate, ParamError, ParamSpec, Params, Quote,
    Strategy, Subscription, Trade, ANY,
};

pub use crate::misbehave::{FLOOD_LINES, OBSERVED, SOCKET_ADDRESS};
pub use crate::mode::Mode;
use crate::trader::Trader;

/// The guest; see the crate docs.
#[derive(Debug)]
pub struct Hostile {
    mode: Mode,
    /// For `panic-every`: panic when `events` is a multiple of this.
    every: u64,
    /// For `log-flood`: lines per event to each output.
    lines: usize,
    /// For `open-socket`: where to connect.
    address: String,
    /// Market events since this instance started; deliberately not in the snapshot.
    events: u64,
    /// Order updates since this instance started; not in the snapshot either.
    updates: u64,
    /// For `clock`: the first monotonic reading of this instance.
    first_instant: Option<Instant>,
    /// For `amend`: the resting order and its price, until it has been amended.
    to_amend: Option<(OrderId, Decimal)>,
    /// For `amend`: whether the order was placed (by this instance).
    rested: bool,
    /// The well-behaved side: the whole snapshot.
    trader: Trader,
}

impl Hostile {
    fn on_market_event(&mut self, host: &mut dyn Host) {
        self.events += 1;
        match self.mode {
            Mode::WellBehaved | Mode::Idle | Mode::PanicInit | Mode::PanicOnUpdate | Mode::SkipPull | Mode::Amend => {}
            Mode::PanicEvery => {
                if self.events.is_multiple_of(self.every) {
                    panic!("hostile panic-every: event {} of this instance", self.events);
                }
            }
            Mode::Spin => misbehave::spin(),
            Mode::Alloc => misbehave::hoard_memory(host),
            Mode::Recurse => {
                let depth = misbehave::recurse(0);
                host.error(&format!("hostile recurse: came back from depth {depth}"));
            }
            Mode::RecurseNative => {
                let depth = misbehave::recurse_native(0);
                host.error(&format!("hostile recurse-native: came back with {depth}"));
            }
            Mode::LogFlood => misbehave::flood(host, self.lines),
            Mode::ReadFile => misbehave::read_files(host),
            Mode::ReadEnv => misbehave::read_env(host),
            Mode::OpenSocket => misbehave::open_socket(host, &self.address),
            Mode::Clock => misbehave::read_clocks(host, &mut self.first_instant),
            Mode::Sleep => misbehave::sleep_an_hour(host),
        }
    }
}

impl Strategy for Hostile {
    fn manifest() -> Manifest {
        Manifest::new(
            "hostile",
            env!("CARGO_PKG_VERSION"),
            "Test guest: misbehaves on demand to prove the sandbox",
        )
        .subscribe(Subscription::candles(ANY, ANY))
        .subscribe(Subscription::trades(ANY))
        .subscribe(Subscription::quotes(ANY))
        .param(ParamSpec::text(
            "mode",
            Mode::WellBehaved.name(),
            "The misbehaviour: well-behaved, panic-init, panic-every, spin, alloc, recurse, \
             recurse-native, log-flood, read-file, read-env, open-socket, clock, sleep, skip-pull, \
             panic-on-update or amend",
        ))
        .param(ParamSpec::integer(
            "every",
            10,
            "For panic-every and panic-on-update: panic on every N-th event or update",
        ))
        .param(ParamSpec::integer(
            "lines",
            FLOOD_LINES as i64,
            "For log-flood: lines per event to each of the host log, stdout and stderr",
        ))
        .param(ParamSpec::text(
            "address",
            SOCKET_ADDRESS,
            "For open-socket: the host:port to connect to",
        ))
    }

    fn init(params: &Params) -> Result<Self, String> {
        let name = params.text("mode")?;
        let mode = Mode::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Mode::ALL.iter().map(|mode| mode.name()).collect();
            ParamError::invalid("mode", format!("unknown mode {name:?}; one of {}", known.join(", ")))
        })?;
        if mode == Mode::PanicInit {
            panic!("hostile panic-init: panicking in init as asked");
        }
        export::SKIP_PULL.store(mode == Mode::SkipPull, Ordering::Relaxed);
        let every = params.positive_integer("every")?;
        let lines = params.positive_integer("lines")?;
        let address = params.text("address")?.to_owned();
        Ok(Hostile {
            mode,
            every: every as u64,
            lines,
            address,
            events: 0,
            updates: 0,
            first_instant: None,
            to_amend: None,
            rested: false,
            trader: Trader::default(),
        })
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        self.on_market_event(host);
        if self.mode == Mode::Amend {
            // The bar after the order rests: the venue has it by then.
            if let Some((id, price)) = self.to_amend.take() {
                misbehave::amend(host, &id, price);
            } else if !self.rested {
                self.rested = true;
                self.to_amend = misbehave::rest_limit_buy(host, candle);
            }
        }
        if self.mode != Mode::Idle {
            self.trader.on_candle(host, candle);
        }
    }

    fn on_trade(&mut self, host: &mut dyn Host, _trade: &Trade) {
        self.on_market_event(host);
    }

    fn on_quote(&mut self, host: &mut dyn Host, _quote: &Quote) {
        self.on_market_event(host);
    }

    fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
        match self.mode {
            Mode::PanicOnUpdate => {
                self.updates += 1;
                if self.updates.is_multiple_of(self.every) {
                    panic!("hostile panic-on-update: update {} of this instance", self.updates);
                }
                // A record of every update handled, for tests to check none is lost or repeated.
                let reasoning = format!("update {} {:?}", update.order_id, update.status);
                host.emit_decision(Decision::new(&update.symbol, Action::Hold).with_reasoning(reasoning));
            }
            Mode::Amend => {
                let reasoning = format!(
                    "update {} {:?} remaining={}",
                    update.order_id, update.status, update.remaining_qty
                );
                host.emit_decision(Decision::new(&update.symbol, Action::Hold).with_reasoning(reasoning));
            }
            _ => {}
        }
    }
}

impl Snapshot for Hostile {
    fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&self.trader)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.trader = snapshot::decode(bytes)?;
        Ok(())
    }
}

/// Exported by hand rather than with `export_strategy!`, so that `skip-pull` can break the
/// `on-events` contract: the SDK's export always asks for events until the host says `none`.
mod export {
    use std::sync::atomic::{AtomicBool, Ordering};

    use strategy_sdk::__export::{Guest, Slot, WitManifest, WitMarketEvent, WitOrderUpdate};

    use super::Hostile;

    std::thread_local! {
        static SLOT: Slot<Hostile> = const { Slot::new() };
    }

    /// Set by `init` in mode `skip-pull`.
    pub(crate) static SKIP_PULL: AtomicBool = AtomicBool::new(false);

    struct Exports;

    impl Guest for Exports {
        fn describe() -> WitManifest {
            Slot::<Hostile>::describe()
        }

        fn init(params: String) -> Result<(), String> {
            SLOT.with(|slot| slot.init(params))
        }

        fn on_event(event: WitMarketEvent) {
            SLOT.with(|slot| slot.on_event(event))
        }

        fn on_events() {
            if !SKIP_PULL.load(Ordering::Relaxed) {
                SLOT.with(|slot| slot.on_events())
            }
        }

        fn on_order_update(update: WitOrderUpdate) {
            SLOT.with(|slot| slot.on_order_update(update))
        }

        fn snapshot() -> Vec<u8> {
            SLOT.with(|slot| slot.snapshot())
        }

        fn restore(state: Vec<u8>) -> Result<(), String> {
            SLOT.with(|slot| slot.restore(state))
        }
    }

    strategy_sdk::__bindings::export_strategy_world!(Exports with_types_in strategy_sdk::__bindings);
}

#[cfg(test)]
mod tests;
