//! The Rust scaffold: a crate over a copy of the strategy-sdk (`vendor/strategy-sdk`, with the
//! WIT package beside it in `vendor/wit`, where the SDK's bindings look for it) and the SDK's
//! lock file, so it builds where this repository is absent, offline when cargo has the SDK's
//! crates.io dependencies cached. The template is `strategy-sdk/template/`.

use super::embedded;
use super::project::{Name, Project};

const CARGO_TOML: &str = include_str!("../../../../strategy-sdk/template/Cargo.toml.in");
const LIB_RS: &str = include_str!("../../../../strategy-sdk/template/lib.rs.in");
const GITIGNORE: &str = include_str!("../../../../strategy-sdk/template/gitignore.in");

pub(super) fn project(name: &Name) -> Project {
    let mut project = Project::default();
    project.file("Cargo.toml", name.fill(CARGO_TOML));
    project.file("Cargo.lock", embedded::SDK_LOCK);
    project.file("src/lib.rs", name.fill(LIB_RS));
    project.file(".gitignore", name.fill(GITIGNORE));
    project.tree("vendor/strategy-sdk", embedded::SDK_CRATE);
    project.tree("vendor/wit", embedded::WIT);
    project.setup = Some("rustup target add wasm32-wasip2".to_owned());
    project.build = "cargo build --release --target wasm32-wasip2".to_owned();
    project.component = format!("target/wasm32-wasip2/release/{}.wasm", name.snake());
    project
}
