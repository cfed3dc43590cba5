#!/usr/bin/env bash
# Assembles the runtime image's whole filesystem in ROOTFS from binaries already built:
#   stage-rootfs.sh ROOTFS HOST_BINARY WASM_DIR
# The host binary with exactly the shared libraries and loader `ldd` says it links (so nothing
# is rebuilt for another target: a musl build would cost CI another 15-20 minutes of wasmtime),
# a static busybox for the HEALTHCHECK's wget and `kubectl cp`'s tar (and no shell links), the
# example strategies, the container config, and the non-root user 10001 the image runs as.
# Both Containerfile.local (this machine) and the multi-stage Dockerfile (a build stage in
# rust:1.95-bookworm) run it, so both images have the same contents.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 ROOTFS HOST_BINARY WASM_DIR" >&2
  exit 2
fi
rootfs=$1 bin=$2 wasm=$3
here=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$bin" ] || { echo "$bin: no host binary there (cargo build --release -p strategy-host)" >&2; exit 1; }
for name in sma_cross grid; do
  [ -f "$wasm/$name.wasm" ] || { echo "$wasm/$name.wasm missing (scripts/build-wasm.sh)" >&2; exit 1; }
done
# A dynamically linked busybox would need libraries we do not copy.
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  echo "$busybox is not a static busybox: install Debian's busybox-static" >&2
  exit 1
fi

rm -rf "$rootfs"
mkdir -p "$rootfs"/{usr/local/bin,bin,etc/strategy-host,opt/strategy-host/examples,data,strategies,tmp,proc,dev}
install -m 0755 "$bin" "$rootfs/usr/local/bin/strategy-host"

# Every library at the path the loader will look for it, and the loader (PT_INTERP) itself.
# `cp -L` copies what a symlink like /lib64/ld-linux-x86-64.so.2 points at.
libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$libs" ] || { echo "ldd listed no libraries for $bin: is it a dynamic executable?" >&2; exit 1; }
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

install -m 0755 "$busybox" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/wget"
ln -s busybox "$rootfs/bin/tar"

cp "$wasm/sma_cross.wasm" "$rootfs/opt/strategy-host/examples/sma-cross.wasm"
cp "$wasm/grid.wasm" "$rootfs/opt/strategy-host/examples/grid.wasm"
# The strategies folder starts with sma-cross: a fresh named volume is filled from it, so a
# first `docker compose up` trades something.
cp "$wasm/sma_cross.wasm" "$rootfs/strategies/sma-cross.wasm"
install -m 0644 "$here/host.toml" "$rootfs/etc/strategy-host/host.toml"

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
strategy-host:x:10001:10001:strategy-host:/data:/sbin/nologin
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
strategy-host:x:10001:
GROUP
chmod 1777 "$rootfs/tmp"
echo "staged $rootfs: $(du -sh "$rootfs" | cut -f1), libraries: $(echo $libs | tr '\n' ' ')"
