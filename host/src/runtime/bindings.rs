//! Host-side bindings generated from `wit/strategy.wit`.
//!
//! Generated code only; the rest of the runtime talks to strategies through these types and the
//! `Strategy` world bindings, and converts to the trading core's types in `convert.rs`.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "strategy",
});

pub use self::strategy_host::strategy::host::Host as HostImports;
pub use self::strategy_host::strategy::types as wit;

/// The package and version this host serves; a component built for anything else is refused.
pub const WIT_PACKAGE: &str = "strategy-host:strategy";
pub const WIT_VERSION: &str = "0.5.0";
