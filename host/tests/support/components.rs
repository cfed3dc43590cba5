//! Component files for tests: bad ones of every kind, and new versions of a good one.

use super::wasm;

/// Each bad file: its bytes, and what the one-line error must say.
pub fn bad_components() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let real = std::fs::read(wasm("sma_cross")).unwrap();
    // What a strategy built against the previous SDK imports: 0.2.0's host interface.
    let wrong_version = wat::parse_str(
        r#"(component (import "strategy-host:strategy/host@0.2.0" (instance (export "now-ms" (func (result s64))))))"#,
    )
    .unwrap();
    let other_world = wat::parse_str("(component)").unwrap();
    let core_module = wat::parse_str("(module)").unwrap();
    vec![
        (
            "garbage.wasm",
            b"definitely not wasm".to_vec(),
            "not a WebAssembly file",
        ),
        ("empty.wasm", Vec::new(), "not a WebAssembly file"),
        (
            "truncated.wasm",
            real[..real.len() / 2].to_vec(),
            "not a valid wasm component",
        ),
        ("core.wasm", core_module, "is a core wasm module, not a component"),
        (
            "wrong-version.wasm",
            wrong_version,
            "built for strategy-host:strategy@0.2.0, but this host serves strategy-host:strategy@0.3.0: rebuild it \
             against the strategy SDK (or the WIT package) of strategy-host:strategy@0.3.0",
        ),
        ("other-world.wasm", other_world, "does not export `describe`"),
    ]
}
