#!/usr/bin/env bash
# Builds the strategies written in Python and JavaScript to wasm32-wasip2 components, next to the
# Rust ones in $CARGO_TARGET_DIR/wasm32-wasip2/wasm/ (sma-cross-py -> sma_cross_py.wasm).
#
# A folder of strategies/ with an app.py is a Python strategy (componentize-py), one with an
# app.js a JavaScript strategy (componentize-js); both build against wit/strategy.wit, world
# `strategy`, with the guest SDK of their language from guest-sdks/. The tools are installed
# here when missing, at the versions pinned in guest-sdks/python/requirements.txt and
# guest-sdks/js/package-lock.json, under $CARGO_TARGET_DIR/guest-tools/ (a venv and an npm
# project), never system-wide. Needs python3 (with venv and pip) and node with npm.
#
# `scripts/build-guests.sh --tools` only installs the tools (when missing) and prints their folder:
# the tests of `strategy-host new --lang python|js` build their scaffolds with them.
#
# Incremental: a component is rebuilt only when one of its inputs changed (its folder, its
# language's SDK and tool pins, the WIT), which a stamp of their SHA-256 beside it records.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
wasm_dir="$target/wasm32-wasip2/wasm"
tools="$target/guest-tools"
mkdir -p "$wasm_dir" "$tools"

# The SHA-256 of every file under the given paths (names and contents), caches left out.
inputs_hash() {
  find "$@" -type f ! -path '*/__pycache__/*' ! -path '*/node_modules/*' -print0 | sort -z \
    | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

# Runs `install` unless the tools dir `dir` was set up from the same pins (`pins`) before.
ensure_tools() {
  local dir="$1" pins="$2" install="$3"
  local want
  want="$(sha256sum <"$pins" | cut -d" " -f1)"
  if [ "$(cat "$dir/.pins" 2>/dev/null)" != "$want" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    "$install" "$dir"
    echo "$want" >"$dir/.pins"
  fi
}

install_python_tools() {
  need python3 "Python 3.11+ with venv and pip"
  echo "build-guests: installing $(grep -v '^#' guest-sdks/python/requirements.txt | xargs) into $1"
  python3 -m venv "$1"
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r guest-sdks/python/requirements.txt
}

install_js_tools() {
  need npm "Node 20+ with npm"
  echo "build-guests: installing guest-sdks/js/package-lock.json's tools into $1 (npm ci)"
  # package.json also pins @bytecodealliance/preview2-shim: componentize-js 0.23.0 imports it
  # without declaring it, so a lockfile install leaves it out otherwise.
  cp guest-sdks/js/package.json guest-sdks/js/package-lock.json "$1/"
  (cd "$1" && npm ci --silent --no-audit --no-fund)
}

need() {
  command -v "$1" >/dev/null || { echo "build-guests: $1 is missing: install $2" >&2; exit 1; }
}

build_python() {
  local dir="$1" out="$2"
  ensure_tools "$tools/python" guest-sdks/python/requirements.txt install_python_tools
  # componentize-py leaves __pycache__/ beside the sources it reads (ignored by git and by the
  # inputs' hash).
  "$tools/python/bin/componentize-py" --quiet -d wit -w strategy \
    componentize app -p "$dir" -p guest-sdks/python -o "$out"
}

build_js() {
  local dir="$1" out="$2"
  ensure_tools "$tools/js" guest-sdks/js/package-lock.json install_js_tools
  # No wasi:http: the host links WASI's CLI, clocks, random, filesystem and sockets interfaces
  # only (all denied or replayed), and a strategy reaches the world's host interface alone.
  "$tools/js/node_modules/.bin/componentize-js" "$dir/app.js" --wit wit --world-name strategy \
    --disable http fetch-event --out "$out" >/dev/null
}

if [ "${1:-}" = "--tools" ]; then
  ensure_tools "$tools/python" guest-sdks/python/requirements.txt install_python_tools
  ensure_tools "$tools/js" guest-sdks/js/package-lock.json install_js_tools
  echo "$tools"
  exit 0
fi

built=()
for dir in strategies/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  if [ -f "$dir/app.py" ]; then
    lang=python sdk=guest-sdks/python
  elif [ -f "$dir/app.js" ]; then
    lang=js sdk=guest-sdks/js
  else
    continue
  fi
  out="$wasm_dir/${name//-/_}.wasm"
  stamp="$out.inputs"
  hash="$(inputs_hash "$dir" "$sdk" wit)"
  if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    continue
  fi
  echo "build-guests: building $dir ($lang)"
  rm -f "$stamp"
  "build_$lang" "$dir" "$out.part"
  mv "$out.part" "$out"
  echo "$hash" >"$stamp"
  built+=("$(basename "$out")")
done
echo "guest components: $wasm_dir; built: ${built[*]:-none (up to date)}"
