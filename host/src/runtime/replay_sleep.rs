//! Sleeping takes no time in a strategy.
//!
//! WASI's monotonic clock lets a guest wait (`subscribe-duration`, `subscribe-instant`, then
//! `poll`), and wasmtime-wasi waits in real time, blocking the thread while no deadline can fire
//! (deadlines are checked only in wasm code). A strategy could then hold its worker, and every
//! swap, retirement or shutdown waiting on it, for as long as it likes. A strategy's clock is the
//! replayed time, which does not move during a call, so the host answers every such wait as
//! already over: a `sleep` returns at once, and a loop waiting for the clock spins into its CPU
//! deadline instead.

use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::p2::{subscribe, DynPollable, Pollable};

use super::host_state::HostState;

/// The monotonic-clock interface as wasmtime-wasi links it (guests built against an earlier
/// 0.2 release are matched to it by semver).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// A wait that is already over.
struct Elapsed;

#[wasmtime_wasi::async_trait]
impl Pollable for Elapsed {
    async fn ready(&mut self) {}
}

/// Replaces wasmtime-wasi's clock subscriptions with ones that are ready at once. Call it after
/// WASI is linked.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap("subscribe-duration", |mut store, (_,): (u64,)| {
        elapsed(store.data_mut())
    })?;
    clock.func_wrap("subscribe-instant", |mut store, (_,): (u64,)| elapsed(store.data_mut()))?;
    linker.allow_shadowing(false);
    Ok(())
}

fn elapsed(state: &mut HostState) -> wasmtime::Result<(Resource<DynPollable>,)> {
    let table = state.table_mut();
    let wait = table.push(Elapsed)?;
    Ok((subscribe(table, wait)?,))
}
