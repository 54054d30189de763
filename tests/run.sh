#!/bin/bash
# Run the whole suite against a build directory: unit tests (every test_*
# binary), then the black-box tests (pytest, in parallel). Ends with the
# line "N passed, N failed".
#
# Usage: tests/run.sh BUILD_DIR [pytest args...]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tests/run.sh BUILD_DIR}
shift
passed=0
failed=0
log=$(mktemp -d /tmp/a3s-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

echo "== unit tests ($build)"
while IFS= read -r t; do
  name=$(basename "$t")
  if out=$("$t" 2>&1); then :; fi
  line=$(printf '%s\n' "$out" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' | tail -n1)
  if [ -z "$line" ]; then
    echo "FAIL $name (crashed)"; printf '%s\n' "$out" | tail -n 20
    failed=$((failed + 1)); continue
  fi
  p=$(echo "$line" | awk '{print $2}'); f=$(echo "$line" | awk '{print $4}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" != 0 ]; then echo "FAIL $name"; printf '%s\n' "$out" | grep -v '^ok ' | tail -n 30; else echo "ok   $name ($p)"; fi
done < <(find "$build" -type f -perm -u+x -name 'test_*' ! -path '*/meson-*' ! -path '*.p/*' | sort)

echo "== black-box tests"
jobs=${A3S_TEST_JOBS:-3}
A3S_BUILD_DIR=$(cd "$build" && pwd) /usr/bin/python3 -m pytest -q -p no:cacheprovider -n "$jobs" \
  --junitxml="$log/junit.xml" tests/integration "$@"
if [ -f "$log/junit.xml" ]; then
  read -r p f < <(/usr/bin/python3 - "$log/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
suites = [r] if r.tag == "testsuite" else list(r)
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
sk = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - sk, f)
PY
)
  passed=$((passed + p)); failed=$((failed + f))
else
  echo "pytest produced no report"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
