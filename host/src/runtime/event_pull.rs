//! `on-events`: a run of market events and order updates that the strategy pulls, one at a
//! time, within one call.
//!
//! Entering a component costs more than anything sma-cross does with a bar (BENCHMARKS.md), so
//! a replay does not call `on-event` once per event: it calls `on-events` once, and the
//! strategy asks `next-event` for each event or update in turn. The host settles an event (the
//! clock, the desk's fills and marks) only when it is asked for it, after the strategy has
//! finished with the one before, so a run is the same as one call per event and per update:
//! the same fills, the same positions and the same time at every host call.
//!
//! Each one handed out gets a fresh CPU budget, as its own call would. That needs the store,
//! which the generated host trait does not give, so `next-event` is linked here, over the
//! generated import.

use std::any::Any;

use trading::market::MarketEvent;
use trading::orders::{OrderStatus, OrderUpdate};

use wasmtime::component::Linker;
use wasmtime::StoreContextMut;

use super::bindings::{wit, WIT_PACKAGE, WIT_VERSION};
use super::convert::{market_event_to_wit, order_update_to_wit};
use super::engine::CpuBudget;
use super::host_state::HostState;
use super::instance::arm;

/// What an [`EventSource`] hands out next.
#[derive(Debug, Clone, Copy)]
pub enum Next<'a> {
    /// A market event, with its stream id, settled: the desk has reacted to it and the clock
    /// shows its time.
    Market(&'a MarketEvent, u32),
    /// An update of one of the strategy's orders.
    Update(&'a OrderUpdate),
}

/// Where the events of an `on-events` call come from.
pub trait EventSource: Any + Send {
    /// What the strategy handles next; `None` ends the run.
    fn next_event(&mut self) -> Option<Next<'_>>;

    /// The strategy failed while handling the update handed out last: hand it out again, first.
    fn redeliver_update(&mut self);
}

/// How a run of events ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The source had nothing to hand out.
    SourceEmpty,
    /// The call handed out as many market events as it was allowed to.
    Limit,
    /// The strategy returned without asking again, or trapped.
    Strategy,
}

/// What a strategy was handed last in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handed {
    Market,
    Update,
}

/// The state of one `on-events` call, kept in the strategy's [`HostState`] while it runs.
pub(super) struct Pull {
    source: Box<dyn EventSource>,
    /// Market events this call may still hand out.
    remaining: u64,
    /// Market events handed out.
    events: u64,
    /// Market events and order updates handed out.
    items: u64,
    last: Option<Handed>,
    end: Option<RunEnd>,
    cpu: CpuBudget,
}

/// How an `on-events` call went, for the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    /// Market events the strategy handled to the end.
    pub handled: u64,
    /// The call failed while the strategy handled an order update: to be delivered again.
    pub unfinished_update: bool,
    /// Whether it handled anything (event or update) to the end.
    pub handled_any: bool,
    pub end: RunEnd,
}

impl Pull {
    pub(super) fn new(source: Box<dyn EventSource>, limit: u64, cpu: CpuBudget) -> Self {
        Self {
            source,
            remaining: limit,
            events: 0,
            items: 0,
            last: None,
            end: None,
            cpu,
        }
    }

    /// The source back, and what the strategy got through. `failed`: the call trapped, so the
    /// last thing handed out (unless the run had ended) was not handled.
    pub(super) fn finish(self, failed: bool) -> (Box<dyn EventSource>, RunSummary) {
        let end = self.end.unwrap_or(RunEnd::Strategy);
        let interrupted = if failed && end == RunEnd::Strategy {
            self.last
        } else {
            None
        };
        let completed_items = if interrupted.is_some() {
            self.items - 1
        } else {
            self.items
        };
        let handled = match interrupted {
            Some(Handed::Market) => self.events - 1,
            Some(Handed::Update) | None => self.events,
        };
        let summary = RunSummary {
            handled,
            unfinished_update: interrupted == Some(Handed::Update),
            handled_any: completed_items > 0,
            end,
        };
        (self.source, summary)
    }

    /// The next thing to hand out, lowered, and the status of the order update it is, if so.
    fn next(&mut self) -> Option<(wit::Event, Option<OrderStatus>)> {
        if self.end.is_some() {
            // A strategy that asks again after `none` keeps getting `none`.
            return None;
        }
        if self.remaining == 0 {
            self.end = Some(RunEnd::Limit);
            return None;
        }
        let Some(next) = self.source.next_event() else {
            self.end = Some(RunEnd::SourceEmpty);
            return None;
        };
        self.items += 1;
        Some(match next {
            Next::Market(event, stream) => {
                self.remaining -= 1;
                self.events += 1;
                self.last = Some(Handed::Market);
                (wit::Event::Market(market_event_to_wit(event, stream)), None)
            }
            Next::Update(update) => {
                self.last = Some(Handed::Update);
                (
                    wit::Event::OrderUpdate(order_update_to_wit(update)),
                    Some(update.status),
                )
            }
        })
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
        let cpu = pull.cpu;
        let Some((event, update_status)) = pull.next() else {
            return Ok((None,));
        };
        if let Some(status) = update_status {
            store.data().context().metrics.order_update(status);
        }
        // Its own budget, as `on-event` or `on-order-update` would have given it.
        arm(&mut store, cpu, false);
        Ok((Some(event),))
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
