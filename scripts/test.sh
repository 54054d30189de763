#!/bin/bash
# Fresh Debian 12 machine to a full test run: set-up, a warnings-as-errors
# build, an ASan/UBSan build, then the whole suite (unit tests and the
# VM-booting black-box tests) against the sanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build MESON_ARGS="-Dwerror=true" scripts/setup.sh >/dev/null
BUILD_DIR=build-asan MESON_ARGS="-Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false" scripts/setup.sh >/dev/null
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec tests/run.sh build-asan "$@"
