#!/usr/bin/env bash
# Builds the example strategies and the test guests to wasm32-wasip2 components, installing the
# target first if this toolchain lacks it, and drops the strategies into strategies.d/ under the
# names the host knows them by (sma-cross.wasm, grid.wasm).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi
cargo build --profile wasm --target wasm32-wasip2 -p sma-cross -p grid -p hostile -p counter -p orders -p timeframes

wasm_dir="${CARGO_TARGET_DIR:-target}/wasm32-wasip2/wasm"
mkdir -p strategies.d
cp "$wasm_dir/sma_cross.wasm" strategies.d/sma-cross.wasm
cp "$wasm_dir/grid.wasm" strategies.d/grid.wasm
echo "components: $wasm_dir; strategies.d/: $(ls strategies.d | tr '\n' ' ')"
