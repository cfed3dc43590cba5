//! `on-events`: a run of market events that the strategy pulls, one at a time, within one call.
//!
//! Entering a component costs more than anything sma-cross does with a bar (BENCHMARKS.md), so
//! a replay does not call `on-event` once per event: it calls `on-events` once, and the
//! strategy asks `next-event` for each event in turn. The host settles an event (the clock, the
//! desk's fills and marks) only when it is asked for it, after the strategy has finished with
//! the one before, so a run is the same as one `on-event` call per event: the same fills, the
//! same positions and the same time at every host call.
//!
//! Each event handed out gets a fresh CPU budget, as an `on-event` call would. That needs the
//! store, which the generated host trait does not give, so `next-event` is linked here, over
//! the generated import.

use std::any::Any;

use trading::market::MarketEvent;

use wasmtime::component::Linker;
use wasmtime::StoreContextMut;

use super::bindings::{wit, WIT_PACKAGE, WIT_VERSION};
use super::convert::market_event_to_wit;
use super::engine::CpuBudget;
use super::host_state::HostState;
use super::instance::arm;

/// Where the events of an `on-events` call come from.
pub trait EventSource: Any + Send {
    /// The next event for the strategy with its stream id, settled: the desk has reacted to it
    /// and the clock shows its time. `None` ends the run (for example while the desk holds
    /// order updates the strategy must hear of first).
    fn next_event(&mut self) -> Option<(&MarketEvent, u32)>;
}

/// How a run of events ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The source had no event to hand out.
    SourceEmpty,
    /// The call handed out as many events as it was allowed to.
    Limit,
    /// The strategy returned without asking again, or trapped.
    Strategy,
}

/// The state of one `on-events` call, kept in the strategy's [`HostState`] while it runs.
pub(super) struct Pull {
    source: Box<dyn EventSource>,
    /// Events this call may still hand out.
    remaining: u64,
    handed: u64,
    end: Option<RunEnd>,
    cpu: CpuBudget,
}

impl Pull {
    pub(super) fn new(source: Box<dyn EventSource>, limit: u64, cpu: CpuBudget) -> Self {
        Self {
            source,
            remaining: limit,
            handed: 0,
            end: None,
            cpu,
        }
    }

    /// The source back, how many events were handed out, and why the run ended.
    pub(super) fn finish(self) -> (Box<dyn EventSource>, u64, RunEnd) {
        (self.source, self.handed, self.end.unwrap_or(RunEnd::Strategy))
    }

    fn next(&mut self) -> Option<wit::MarketEvent> {
        if self.end.is_some() {
            // A strategy that asks again after `none` keeps getting `none`.
            return None;
        }
        if self.remaining == 0 {
            self.end = Some(RunEnd::Limit);
            return None;
        }
        let Some((event, stream)) = self.source.next_event() else {
            self.end = Some(RunEnd::SourceEmpty);
            return None;
        };
        self.remaining -= 1;
        self.handed += 1;
        Some(market_event_to_wit(event, stream))
    }
}

/// Links `next-event` over the generated import. Call it after the generated `add_to_linker`.
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut host = linker.instance(&format!("{WIT_PACKAGE}/host@{WIT_VERSION}"))?;
    host.func_wrap("next-event", |mut store: StoreContextMut<'_, HostState>, (): ()| {
        let Some(pull) = store.data_mut().pull.as_mut() else {
            return Ok((None,));
        };
        let event = pull.next();
        let cpu = pull.cpu;
        if event.is_some() {
            // The event's own budget, as `on-event` would have given it.
            arm(&mut store, cpu, false);
        }
        Ok((event,))
    })?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Takes the concrete source back out of the box it travelled in.
pub(super) fn unbox<S: EventSource>(source: Box<dyn EventSource>) -> Box<S> {
    let source: Box<dyn Any> = source;
    match source.downcast::<S>() {
        Ok(source) => source,
        // `StrategyInstance::on_events` boxes an `S` and unboxes that same box.
        Err(_) => unreachable!("an on-events call returns the source it was given"),
    }
}
