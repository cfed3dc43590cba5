#!/usr/bin/env bash
# Runs every test: builds the wasm components the host's tests load, then the whole workspace's
# unit, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/build-wasm.sh
export STRATEGY_HOST_WASM_DIR="$(cd "${CARGO_TARGET_DIR:-target}/wasm32-wasip2/wasm" && pwd)"
cargo test --workspace --no-fail-fast "$@"
