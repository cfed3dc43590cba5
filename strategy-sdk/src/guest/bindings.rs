//! Bindings generated from `wit/strategy.wit`. Not part of the SDK's API: strategies use the
//! SDK's own types, and only `export_strategy!` reaches in here.

#![allow(missing_docs, clippy::all)]

wit_bindgen::generate!({
    path: "../wit",
    world: "strategy",
    // `export_strategy!` invokes the generated export macro from the strategy's crate.
    pub_export_macro: true,
    export_macro_name: "export_strategy_world",
    default_bindings_module: "strategy_sdk::__bindings",
});
