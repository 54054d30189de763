#!/bin/bash
# Fresh Debian 12 machine to a running box: set-up, build, then boot a box
# from the embedded default image and greet from inside the VM.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(BUILD_DIR=build scripts/setup.sh)
"$bin" info
exec "$bin" run --rm a3s-box/busybox sh -c 'echo "Hello from a3s-box: $(uname -s) $(uname -r) on $(uname -m), inside its own microVM"'
