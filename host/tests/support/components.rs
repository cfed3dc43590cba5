//! Component files for tests: bad ones of every kind, and new versions of a good one.

use super::wasm;

/// Each bad file: its bytes, and what the one-line error must say.
pub fn bad_components() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let real = std::fs::read(wasm("sma_cross")).unwrap();
    // What a strategy built against the previous SDK imports: 0.4.0's host interface.
    let wrong_version = wat::parse_str(
        r#"(component (import "strategy-host:strategy/host@0.4.0" (instance (export "now-ms" (func (result s64))))))"#,
    )
    .unwrap();
    let other_world = wat::parse_str("(component)").unwrap();
    // The whole world exported (as untyped stubs), and an import of wasi:http, which the host
    // does not link: what componentize-js builds unless told to leave HTTP out.
    let exports: String = ["describe", "init", "on-event", "on-order-update", "snapshot", "restore"]
        .iter()
        .map(|name| format!("(export \"{name}\" (func $f))"))
        .collect();
    let http = wat::parse_str(format!(
        r#"(component
             (import "wasi:http/types@0.2.0" (instance (export "fields" (type (sub resource)))))
             (core module $m (func (export "f")))
             (core instance $i (instantiate $m))
             (func $f (canon lift (core func $i "f")))
             {exports})"#
    ))
    .unwrap();
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
        (
            "core.wasm",
            core_module,
            "is a core wasm module, not a component: build a component of world strategy-host:strategy/strategy@0.5.0 \
             (Rust: `cargo build --target wasm32-wasip2`; Python or JavaScript: componentize-py or componentize-js",
        ),
        (
            "wrong-version.wasm",
            wrong_version,
            "built for strategy-host:strategy@0.4.0, but this host serves strategy-host:strategy@0.5.0: rebuild it \
             against the strategy SDK (or the WIT package) of strategy-host:strategy@0.5.0",
        ),
        (
            "other-world.wasm",
            other_world,
            "does not export `describe`, `init`, `on-event`, `on-order-update`, `snapshot`, `restore`: build it for the \
             world `strategy` of strategy-host:strategy@0.5.0",
        ),
        (
            "http.wasm",
            http,
            "not wasi:http: componentize-js leaves it out with `--disable http fetch-event`",
        ),
    ]
}
