#!/usr/bin/env bash
# Builds everything (strategies to wasm included) and runs the host on its embedded default:
# paper trading on the built-in BTC/USD sample, HTTP on 127.0.0.1:9898. Extra arguments go to
# `strategy-host run` (try --help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/build-wasm.sh
exec cargo run --release -p strategy-host -- run "$@"
