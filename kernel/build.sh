#!/bin/bash
# Build the a3s-box guest kernel from Debian's linux-source-6.1 with the
# config fragment kept next to this script. The result is cached outside the
# build tree, keyed by the source version and the fragment's hash, so it is
# built once per machine.
#
# Usage: kernel/build.sh            prints the path of the cached vmlinux
# Env:   A3S_BOX_CACHE (default /var/cache/a3s-box)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${A3S_BOX_CACHE:-/var/cache/a3s-box}
src_tar=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
if [ -z "$src_tar" ]; then
    echo "kernel/build.sh: linux-source-6.1 is not installed; run 'apt-get install linux-source-6.1'" >&2
    exit 1
fi
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cfg_hash=$(cat "$here/a3s.config" "$here/build.sh" | sha256sum | cut -c1-16)
key="6.1-${src_ver}-${cfg_hash}"
out="$cache/kernel/$key"
if [ -f "$out/vmlinux" ]; then
    echo "$out/vmlinux"
    exit 0
fi
mkdir -p "$cache/kernel"
work=$(mktemp -d "$cache/kernel/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "building guest kernel $key (a few minutes, once per machine)" >&2
tar -C "$work" -xf "$src_tar"
cd "$work"/linux-source-6.1
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$here/a3s.config" >/dev/null
make -s olddefconfig >/dev/null
# every line of the fragment must have survived the merge
missing=0
while IFS= read -r line; do
    case "$line" in CONFIG_*=y) grep -qx "$line" .config || { echo "kernel/build.sh: $line did not survive olddefconfig" >&2; missing=1; } ;; esac
done < "$here/a3s.config"
[ "$missing" = 0 ] || exit 1
make -s -j"$(nproc)" vmlinux >/dev/null 2>"$work/build.log" || { tail -n 40 "$work/build.log" >&2; exit 1; }
strip --strip-debug -o "$work/vmlinux" vmlinux
kver=$(make -s kernelrelease)
mkdir -p "$work/out"
mv "$work/vmlinux" "$work/out/vmlinux"
cp .config "$work/out/config"
echo "$kver" > "$work/out/release"
rm -rf "$out"
mv "$work/out" "$out"
echo "$out/vmlinux"
