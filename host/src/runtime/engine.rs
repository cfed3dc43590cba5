//! The one wasmtime `Engine` and `Linker` of a host, and how CPU is budgeted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use std::path::PathBuf;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine};

use super::bindings;
use super::cache::{CacheOutcome, ComponentCache};
use super::component::ContentHash;
use super::host_state::HostState;

/// Default CPU budget of one call into a strategy (`on-event`, `on-order-update`, `snapshot`).
pub const DEFAULT_CALL_DEADLINE_MS: u64 = 10;
/// Default CPU budget of `init` and `restore`, which may build tables or parse state.
pub const DEFAULT_INIT_DEADLINE_MS: u64 = 1_000;
/// Default cap on one strategy instance's linear memory.
pub const DEFAULT_MEMORY_LIMIT_MIB: u64 = 64;
/// Default fuel of one call in deterministic mode: ample for real strategies (sma-cross uses
/// well under 10,000 per bar), small enough that a spinning guest is cut off in milliseconds.
pub const DEFAULT_FUEL_PER_CALL: u64 = 50_000_000;
/// Set (to anything) to have wasmtime write `/tmp/perf-PID.map`, naming compiled wasm functions
/// for `perf report`.
pub const PERF_MAP_ENV: &str = "STRATEGY_HOST_PERF_MAP";
/// How often the epoch ticker advances the engine's epoch: the resolution of deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

/// How a call's CPU budget is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuBudget {
    /// Wall-clock deadlines through epoch interruption: cheap, used when trading live or on paper.
    Deadline { call_ms: u64, init_ms: u64 },
    /// Fuel: an instruction budget, so that a cut-off lands on the same instruction on every
    /// machine and every run. Used by backtests, which must be deterministic.
    Fuel { per_call: u64, per_init: u64 },
}

impl Default for CpuBudget {
    fn default() -> Self {
        CpuBudget::Deadline {
            call_ms: DEFAULT_CALL_DEADLINE_MS,
            init_ms: DEFAULT_INIT_DEADLINE_MS,
        }
    }
}

impl CpuBudget {
    pub fn deterministic() -> Self {
        CpuBudget::Fuel {
            per_call: DEFAULT_FUEL_PER_CALL,
            per_init: DEFAULT_FUEL_PER_CALL * 20,
        }
    }
}

/// Limits applied to every strategy instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    pub cpu: CpuBudget,
    pub memory_limit_bytes: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            cpu: CpuBudget::default(),
            memory_limit_bytes: (DEFAULT_MEMORY_LIMIT_MIB * 1024 * 1024) as usize,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the wasm engine: {0:#}")]
pub struct EngineError(wasmtime::Error);

/// The host's wasm engine: compiles components, links the host interface and WASI, and (in
/// deadline mode) runs the epoch ticker thread for as long as it lives.
pub struct Runtime {
    engine: Engine,
    linker: Linker<HostState>,
    limits: SandboxLimits,
    cache: Option<ComponentCache>,
    _ticker: Option<EpochTicker>,
}

impl Runtime {
    pub fn new(limits: SandboxLimits) -> Result<Self, EngineError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        match limits.cpu {
            CpuBudget::Deadline { .. } => {
                config.epoch_interruption(true);
            }
            CpuBudget::Fuel { .. } => {
                config.consume_fuel(true);
            }
        }
        // For profiling: `perf` can then name the strategies' functions (BENCHMARKS.md).
        if std::env::var_os(PERF_MAP_ENV).is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(EngineError)?;

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(EngineError)?;
        super::replay_sleep::add_to_linker(&mut linker).map_err(EngineError)?;
        bindings::Strategy::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state).map_err(EngineError)?;
        super::event_pull::add_to_linker(&mut linker).map_err(EngineError)?;

        let ticker = match limits.cpu {
            CpuBudget::Deadline { .. } => {
                // Without a ticker no deadline ever fires, so failing to start one is fatal.
                Some(EpochTicker::start(engine.clone()).map_err(|e| EngineError(e.into()))?)
            }
            CpuBudget::Fuel { .. } => None,
        };
        Ok(Self {
            engine,
            linker,
            limits,
            cache: None,
            _ticker: ticker,
        })
    }

    /// Keeps compiled components in `dir`, so the next start loads them instead of compiling.
    pub fn with_component_cache(mut self, dir: PathBuf) -> Self {
        self.cache = Some(ComponentCache::new(dir, &self.engine));
        self
    }

    /// Compiles a component's bytes, or loads their compiled form from the cache.
    pub(super) fn compile(&self, hash: ContentHash, bytes: &[u8]) -> wasmtime::Result<(Component, CacheOutcome)> {
        match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, hash, bytes),
            None => Ok((Component::new(&self.engine, bytes)?, CacheOutcome::Compiled)),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn linker(&self) -> &Linker<HostState> {
        &self.linker
    }

    pub fn limits(&self) -> SandboxLimits {
        self.limits
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = thread::Builder::new().name("epoch-ticker".into()).spawn({
            let stop = stop.clone();
            move || {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            }
        })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
