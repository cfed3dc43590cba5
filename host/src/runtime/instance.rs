//! One live instance of a strategy component: its `Store`, its bindings, and typed calls that
//! each get a fresh CPU budget. A trap poisons the instance; the caller must drop it.

use wasmtime::{AsContextMut, Store};

use super::bindings::{self, wit};
use super::call_budget::CallBudget;
use super::component::StrategyComponent;
use super::engine::{CpuBudget, Runtime};
use super::event_pull::{unbox, EventSource, Pull, RunSummary};
use super::host_state::{HostState, StrategyContext};
use super::manifest::{Manifest, ManifestError};
use super::trap::TrapKind;
use crate::events::Decision;

/// Why a call into a strategy did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest trapped (or ran out of budget). `detail` carries the wasm backtrace.
    #[error("trapped ({kind}): {detail}")]
    Trap { kind: TrapKind, detail: String },
    /// The guest ran, and answered with an error (`init` or `restore` returned `err`).
    #[error("{0}")]
    Refused(String),
    #[error("invalid manifest: {0}")]
    Manifest(#[from] ManifestError),
    /// Not called: the host refused the params against the manifest first.
    #[error("{0}")]
    Params(#[from] strategy_sdk::ParamError),
}

impl CallError {
    fn trap(error: wasmtime::Error) -> Self {
        CallError::Trap {
            kind: TrapKind::classify(&error),
            // The error chain with the wasm backtrace, but not the host's own stack (which the
            // `Debug` form adds under RUST_BACKTRACE=1, at the cost of loading debug info).
            detail: format!("{error:#}"),
        }
    }
}

/// What an `on-events` call did: see [`StrategyInstance::on_events`].
pub struct PullResult<S> {
    pub source: Box<S>,
    pub run: RunSummary,
    pub result: Result<(), CallError>,
}

pub struct StrategyInstance {
    store: Store<HostState>,
    bindings: bindings::Strategy,
    cpu: CpuBudget,
}

impl StrategyInstance {
    pub fn instantiate(
        runtime: &Runtime,
        component: &StrategyComponent,
        ctx: StrategyContext,
    ) -> Result<Self, CallError> {
        let limits = ctx.limits.unwrap_or_else(|| runtime.limits());
        let mut store = Store::new(runtime.engine(), HostState::new(ctx, limits.memory_limit_bytes));
        store.limiter(|state| &mut state.limits);
        if let CpuBudget::Deadline { .. } = limits.cpu {
            store.epoch_deadline_callback(|store| Ok(store.data().call_budget.on_deadline()));
        }
        arm(&mut store, limits.cpu, true);
        let bindings = component.pre().instantiate(&mut store).map_err(CallError::trap)?;
        Ok(Self {
            store,
            bindings,
            cpu: limits.cpu,
        })
    }

    fn arm(&mut self, init: bool) {
        arm(&mut self.store, self.cpu, init);
    }

    pub fn describe(&mut self) -> Result<Manifest, CallError> {
        self.arm(true);
        let manifest = self.bindings.call_describe(&mut self.store).map_err(CallError::trap)?;
        Ok(Manifest::from_wit(manifest)?)
    }

    pub fn init(&mut self, params: &str) -> Result<(), CallError> {
        self.arm(true);
        self.bindings
            .call_init(&mut self.store, params)
            .map_err(CallError::trap)?
            .map_err(CallError::Refused)
    }

    pub fn restore(&mut self, state: &[u8]) -> Result<(), CallError> {
        self.arm(true);
        self.bindings
            .call_restore(&mut self.store, state)
            .map_err(CallError::trap)?
            .map_err(CallError::Refused)
    }

    pub fn snapshot(&mut self) -> Result<Vec<u8>, CallError> {
        self.arm(false);
        self.bindings.call_snapshot(&mut self.store).map_err(CallError::trap)
    }

    pub fn on_event(&mut self, event: wit::MarketEvent) -> Result<(), CallError> {
        self.arm(false);
        self.bindings
            .call_on_event(&mut self.store, &event)
            .map_err(CallError::trap)
    }

    /// Calls `on-events` with `source` to pull from, handing out at most `limit` market events.
    pub fn on_events<S: EventSource>(&mut self, source: Box<S>, limit: u64) -> PullResult<S> {
        self.arm(false);
        self.store.data_mut().pull = Some(Pull::new(source, limit, self.cpu));
        let called = self.bindings.call_on_events(&mut self.store).map_err(CallError::trap);
        let Some(pull) = self.store.data_mut().pull.take() else {
            unreachable!("only this call takes the pull out of the store");
        };
        let (source, run) = pull.finish(called.is_err());
        PullResult {
            source: unbox(source),
            run,
            result: called,
        }
    }

    pub fn on_order_update(&mut self, update: &wit::OrderUpdate) -> Result<(), CallError> {
        self.arm(false);
        self.bindings
            .call_on_order_update(&mut self.store, update)
            .map_err(CallError::trap)
    }

    pub fn take_decisions(&mut self) -> Vec<Decision> {
        self.store.data_mut().take_decisions()
    }
}

/// Gives the next call (or the next event of an `on-events` call) its budget: deadline ticks
/// or fuel.
pub(super) fn arm(store: &mut impl AsContextMut<Data = HostState>, cpu: CpuBudget, init: bool) {
    let mut store = store.as_context_mut();
    match cpu {
        CpuBudget::Deadline { call_ms, init_ms } => {
            let budget = CallBudget::start(if init { init_ms } else { call_ms });
            // One tick is one millisecond. When it fires, the callback checks the CPU used.
            store.set_epoch_deadline(budget.ticks());
            store.data_mut().call_budget = budget;
        }
        CpuBudget::Fuel { per_call, per_init } => {
            // Fuel is only unavailable when the engine was built without it, which the
            // runtime never does in fuel mode.
            let _ = store.set_fuel(if init { per_init } else { per_call });
        }
    }
}
