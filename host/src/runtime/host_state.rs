//! What one strategy's `Store` holds, and the host interface it is served through.
//!
//! Every host import goes through here: orders go to the desk (risk first), positions come
//! from the desk's ledger, time from the session's clock. The WASI context is empty: no
//! files, no environment, no arguments, no network; clocks and randomness are the host's.

use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;
use trading::desk::Desk;
use trading::market::Symbol;
use trading::orders::{OrderId, StrategyId};
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::account::account_to_wit;
use super::bindings::{wit, HostImports};
use super::call_budget::CallBudget;
use super::clock::Clock;
use super::convert::{decimal_from_wit, decimal_to_wit, order_request_from_wit, position_to_wit, stream_info_to_wit};
use super::engine::SandboxLimits;
use super::event_pull::Pull;
use super::guest_log::{GuestLog, GuestLogLevel, GuestStdio};
use super::streams::StreamRegistry;
use crate::events::{Decision, EventBus, Indicator};
use crate::metrics::StrategyMetrics;

/// The desk shared by every strategy of a host: one lock, so that risk for an account is
/// decided in one place.
pub type SharedDesk = Arc<Mutex<Desk>>;

/// Locks the desk. A panic while holding the lock cannot leave the desk half-updated in a way
/// a poisoned flag would protect against (its methods do not unwind mid-update), so poisoning
/// is ignored rather than turned into a second panic.
pub fn lock_desk(desk: &SharedDesk) -> MutexGuard<'_, Desk> {
    desk.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the host knows about the strategy on whose behalf an import runs.
#[derive(Clone)]
pub struct StrategyContext {
    pub strategy: StrategyId,
    pub desk: SharedDesk,
    pub clock: Clock,
    pub streams: StreamRegistry,
    pub metrics: StrategyMetrics,
    /// Where its lifecycle (traps, recoveries, quarantine) is published.
    pub events: EventBus,
    pub log: GuestLog,
    /// This strategy's own CPU and memory limits; `None` means the runtime's.
    pub limits: Option<SandboxLimits>,
    /// Whether its decisions are kept (`decisions-wanted`); a backtest keeps none.
    pub keep_decisions: bool,
}

impl StrategyContext {
    pub fn new(strategy: StrategyId, desk: SharedDesk, session: &SessionShared, metrics: StrategyMetrics) -> Self {
        let log = GuestLog::new(strategy.clone(), metrics.log_lines_dropped().clone());
        Self {
            strategy,
            desk,
            clock: session.clock.clone(),
            streams: session.streams.clone(),
            metrics,
            events: session.events.clone(),
            log,
            limits: None,
            keep_decisions: true,
        }
    }

    /// The same strategy, its decisions not kept: it is told so, and may skip building them.
    pub fn without_decisions(mut self) -> Self {
        self.keep_decisions = false;
        self
    }

    /// The same strategy with limits of its own. The CPU budget must be of the runtime's kind
    /// (deadline or fuel): only its amounts may differ.
    pub fn with_limits(mut self, limits: SandboxLimits) -> Self {
        self.limits = Some(limits);
        self
    }
}

/// What every strategy of one session shares with the session: the time it is, the
/// numbering of the streams it delivers, and the stream of events it publishes to.
#[derive(Debug, Clone, Default)]
pub struct SessionShared {
    pub clock: Clock,
    pub streams: StreamRegistry,
    pub events: EventBus,
}

/// The data of one strategy instance's `Store`.
pub struct HostState {
    /// The CPU deadline of the call in progress (deadline mode).
    pub(super) call_budget: CallBudget,
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limits: StoreLimits,
    ctx: StrategyContext,
    decisions: Vec<Decision>,
    /// The `on-events` call in progress, if any: where `next-event` takes its events.
    pub(super) pull: Option<Pull>,
}

/// Decisions kept between two drains; a strategy that emits more loses the oldest.
const MAX_PENDING_DECISIONS: usize = 1_000;
/// Sandbox caps besides memory: a strategy is one component instance with a handful of tables.
const MAX_INSTANCES: usize = 32;
const MAX_TABLES: usize = 32;
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl HostState {
    pub fn new(ctx: StrategyContext, memory_limit_bytes: usize) -> Self {
        let seed = seed_for(&ctx.strategy);
        let wasi = WasiCtxBuilder::new()
            .stdout(GuestStdio::new(&ctx.log, "stdout"))
            .stderr(GuestStdio::new(&ctx.log, "stderr"))
            .wall_clock(ctx.clock.clone())
            .monotonic_clock(ctx.clock.clone())
            .secure_random(wasmtime_wasi::Deterministic::new(pseudo_random_bytes(seed, 4096)))
            .insecure_random(wasmtime_wasi::Deterministic::new(pseudo_random_bytes(
                seed ^ 0x5eed,
                4096,
            )))
            .insecure_random_seed(u128::from(seed))
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_limit_bytes)
            .instances(MAX_INSTANCES)
            .tables(MAX_TABLES)
            .table_elements(MAX_TABLE_ELEMENTS)
            .build();
        Self {
            call_budget: CallBudget::start(0),
            wasi,
            table: ResourceTable::new(),
            limits,
            ctx,
            decisions: Vec::new(),
            pull: None,
        }
    }

    pub(super) fn table_mut(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    pub fn context(&self) -> &StrategyContext {
        &self.ctx
    }

    /// Decisions emitted since the last call, oldest first.
    pub fn take_decisions(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.decisions)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl wit::Host for HostState {}

impl HostImports for HostState {
    fn log(&mut self, level: wit::LogLevel, message: String) {
        let level = match level {
            wit::LogLevel::Trace => GuestLogLevel::Trace,
            wit::LogLevel::Debug => GuestLogLevel::Debug,
            wit::LogLevel::Info => GuestLogLevel::Info,
            wit::LogLevel::Warn => GuestLogLevel::Warn,
            wit::LogLevel::Error => GuestLogLevel::Error,
        };
        self.ctx.log.line(level, "log", &message);
    }

    fn now_ms(&mut self) -> i64 {
        self.ctx.clock.now_ms()
    }

    fn describe_stream(&mut self, id: u32) -> Option<wit::StreamInfo> {
        self.ctx.streams.describe(id).map(|key| stream_info_to_wit(&key))
    }

    fn position(&mut self, symbol: String) -> wit::Position {
        let mut position = match Symbol::new(&symbol) {
            Ok(parsed) => position_to_wit(&lock_desk(&self.ctx.desk).position(&self.ctx.strategy, &parsed)),
            // An invalid symbol cannot have a position: answer flat rather than trap the guest.
            Err(_) => {
                let zero = decimal_to_wit(Decimal::ZERO);
                wit::Position {
                    symbol: String::new(),
                    qty: zero,
                    avg_price: zero,
                    realized_pnl: zero,
                }
            }
        };
        position.symbol = symbol;
        position
    }

    fn account(&mut self) -> wit::Account {
        account_to_wit(&lock_desk(&self.ctx.desk), &self.ctx.strategy)
    }

    fn place_order(&mut self, req: wit::OrderRequest) -> Result<String, wit::Reject> {
        let request = order_request_from_wit(req).map_err(|e| {
            self.ctx.metrics.order_refused("invalid_order");
            wit::Reject {
                code: "invalid_order".into(),
                message: e.to_string(),
            }
        })?;
        let now = self.ctx.clock.now_ms();
        let result = lock_desk(&self.ctx.desk).place_order(&self.ctx.strategy, request, now);
        match result {
            Ok(id) => {
                self.ctx.metrics.order_submitted();
                Ok(id.as_str().to_owned())
            }
            Err(reject) => {
                let code = reject.code();
                self.ctx.metrics.order_refused(code);
                // The code travels apart: the message is only the words for people.
                Err(wit::Reject {
                    code: code.to_owned(),
                    message: reject.message,
                })
            }
        }
    }

    fn cancel_order(&mut self, order_id: String) -> Result<(), String> {
        let now = self.ctx.clock.now_ms();
        lock_desk(&self.ctx.desk)
            .cancel_order(&self.ctx.strategy, &OrderId::new(&order_id), now)
            .map_err(|e| e.to_string())
    }

    fn cancel_all_orders(&mut self) -> u32 {
        let now = self.ctx.clock.now_ms();
        let cancelled = lock_desk(&self.ctx.desk).cancel_all(&self.ctx.strategy, now);
        // The open-order limit keeps the count small; saturate rather than wrap if it were not.
        u32::try_from(cancelled).unwrap_or(u32::MAX)
    }

    fn amend_order(
        &mut self,
        order_id: String,
        qty: wit::Decimal,
        limit_price: Option<wit::Decimal>,
    ) -> Result<(), String> {
        let qty = decimal_from_wit(qty).map_err(|e| format!("qty: {e}"))?;
        let limit_price = limit_price
            .map(decimal_from_wit)
            .transpose()
            .map_err(|e| format!("limit price: {e}"))?;
        let now = self.ctx.clock.now_ms();
        lock_desk(&self.ctx.desk)
            .amend_order(&self.ctx.strategy, &OrderId::new(&order_id), qty, limit_price, now)
            .map_err(|e| e.to_string())
    }

    /// Never called: `event_pull` links `next-event` over this one, because handing out an
    /// event re-arms the CPU budget, which takes the store.
    fn next_event(&mut self) -> Option<wit::Event> {
        None
    }

    fn decisions_wanted(&mut self) -> bool {
        self.ctx.keep_decisions
    }

    fn emit_decision(&mut self, d: wit::Decision) {
        if !self.ctx.keep_decisions {
            return;
        }
        if self.decisions.len() >= MAX_PENDING_DECISIONS {
            self.decisions.remove(0);
        }
        let indicators = d
            .indicators
            .into_iter()
            .filter_map(|i| {
                decimal_from_wit(i.value)
                    .ok()
                    .map(|value| Indicator { name: i.name, value })
            })
            .collect();
        self.decisions.push(Decision {
            strategy: self.ctx.strategy.clone(),
            time_ms: self.ctx.clock.now_ms(),
            symbol: d.symbol,
            action: match d.action {
                wit::Action::Buy => "buy",
                wit::Action::Sell => "sell",
                wit::Action::Hold => "hold",
            },
            confidence: if d.confidence.is_finite() {
                d.confidence.clamp(0.0, 1.0)
            } else {
                0.0
            },
            reasoning: d.reasoning,
            indicators,
        });
    }
}

/// A stable seed per strategy name, so a strategy's "random" numbers repeat run after run.
fn seed_for(strategy: &StrategyId) -> u64 {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    strategy.as_str().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// SplitMix64 output bytes: WASI's deterministic RNG cycles through them.
fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}
