#!/usr/bin/env bash
# Runs every test: builds the wasm components the host's tests load, then the whole workspace's
# unit, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")"

# deploy/'s tests and the dashboard's browser test run the real tools: Prometheus and promtool,
# podman (image builds), a static busybox (the image's healthcheck), PyYAML (reads the compose
# and Kubernetes files), chromium with chromium-driver (the dashboard page). Installed
# here when missing (Debian's packages, non-interactive, quietly; we run as root). If that
# fails, the tests that need them fail and say what is missing: they never skip.
need=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || need+=(prometheus)
command -v podman >/dev/null || need+=(podman)
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need+=(busybox-static)
command -v file >/dev/null || need+=(file)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
# scripts/build-guests.sh makes a venv for componentize-py: Debian's python3 needs python3-venv.
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  log="${TMPDIR:-/tmp}/strategy-host-apt.log"
  echo "test.sh: installing ${need[*]} with apt-get (log: $log)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >"$log" 2>&1; then
    echo "test.sh: could not install ${need[*]}; the deploy tests will fail. Last lines of $log:" >&2
    tail -n 5 "$log" >&2
  fi
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  python3 -m pip install -q pyyaml || echo "test.sh: could not install PyYAML; the deploy tests will fail" >&2
fi

scripts/build-wasm.sh
# The Python and JavaScript strategies (their tools installed under the target folder first).
scripts/build-guests.sh
export STRATEGY_HOST_WASM_DIR="$(cd "${CARGO_TARGET_DIR:-target}/wasm32-wasip2/wasm" && pwd)"
cargo test --workspace --no-fail-fast "$@"
