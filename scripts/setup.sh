#!/bin/bash
# Everything a fresh Debian 12 machine needs, idempotent: packages, the guest
# kernel (cached in /var/cache/a3s-box), the build (guest init, initramfs,
# default image, CLI).
#
# Env: BUILD_DIR (default build), MESON_ARGS (extra meson setup arguments)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
scripts/deps.sh
kernel=$(kernel/build.sh)
if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$build" ${MESON_ARGS:-} >/dev/null
fi
ninja -C "$build" >/dev/null
mkdir -p "$build/share/a3s-box"
ln -sfn "$kernel" "$build/share/a3s-box/vmlinux"
echo "$build/src/cli/a3s-box"
