#!/bin/bash
# Install the Debian 12 packages a3s-box needs to build, run and test.
set -euo pipefail
pkgs=(
  # build
  build-essential meson ninja-build pkg-config
  libjansson-dev libarchive-dev libsqlite3-dev libssl-dev libzstd-dev zlib1g-dev
  # guest kernel
  linux-source-6.1 bc bison flex libelf-dev cpio xz-utils
  # runtime
  qemu-system-x86 erofs-utils e2fsprogs busybox-static
  # tests
  python3 python3-pytest python3-pytest-xdist zstd sqlite3 skopeo umoci openssl
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
