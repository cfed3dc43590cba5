#!/usr/bin/env bash
# Builds the runtime image from the binaries built on this machine (no registry needed):
#   deploy/image/build-local.sh [TAG]          default tag: localhost/strategy-host:local
# Needs `cargo build --release -p strategy-host` and scripts/build-wasm.sh done first, a static
# busybox (Debian: busybox-static), and podman (or docker: set CONTAINER_CLI=docker).
# HOST_BINARY and WASM_DIR override where the built files are.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tag=${1:-localhost/strategy-host:local}
target=${CARGO_TARGET_DIR:-$top/target}
bin=${HOST_BINARY:-$target/release/strategy-host}
wasm=${WASM_DIR:-$target/wasm32-wasip2/wasm}
cli=${CONTAINER_CLI:-podman}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
"$here/stage-rootfs.sh" "$context/rootfs" "$bin" "$wasm"
cp "$here/runtime.Containerfile" "$context/Containerfile"
# Docker's image format, not OCI: OCI images have no HEALTHCHECK, and podman drops it there.
format=()
[ "$cli" = podman ] && format=(--format docker)
"$cli" build "${format[@]}" --tag "$tag" --file "$context/Containerfile" "$context"
