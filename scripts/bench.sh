#!/usr/bin/env bash
# The backtest throughput benchmark of BENCHMARKS.md: sma-cross (fast 10, slow 20) as a wasm
# component over 1,000,000 one-minute random-walk bars, RUNS times (default 5), printing each
# run's JSON report and the medians of CSV parse time, event-loop time and bars per second.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
bars="${BARS:-1000000}"
target="${CARGO_TARGET_DIR:-target}"

scripts/build-wasm.sh >/dev/null
# Two builds, so strategy-host is built with the same features as in ./run.sh (one build would
# unify features across both packages and compile wasmtime a second time).
cargo build --release -p strategy-host
cargo build --release -p trading --example random_walk_csv
data="$target/bench-walk-$bars.csv"
[ -f "$data" ] || "$target/release/examples/random_walk_csv" "$bars" 42 "$data"

results=()
for i in $(seq "$runs"); do
  json=$("$target/release/strategy-host" backtest --strategy "$target/wasm32-wasip2/wasm/sma_cross.wasm" \
    --data "$data" --symbol SIM/USD --params '{"fast":10,"slow":20,"size":"1"}' --cash 10000000 --json 2>/dev/null)
  echo "run $i: $json"
  results+=("$json")
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
for key in ["parse_ms", "setup_ms", "elapsed_ms", "bars_per_second"]:
    print(f"median {key}: {statistics.median(r[key] for r in runs)}")
first = runs[0]
print("bars {bars}, orders {orders} ({rejected} rejected), fills {fills}, trades {trades}".format(**first))
'
