#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as errors, runs every
# test (unit + integration against real servers on loopback), then the unit tests and the lab's
# integration tests (supervisor, drctl and dr-app instrumented) again under AddressSanitizer +
# UndefinedBehaviorSanitizer.
set -euo pipefail
started=$(date +%s)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
jobs="$(nproc)"

bash scripts/bootstrap.sh

echo "== includes point inward, and the C++ is formatted"
python3 scripts/check_includes.py
bash scripts/check_format.sh

echo "== build (warnings are errors)"
# -g1: line tables only (enough for backtraces and sanitizer reports) keeps compile and link
# times down on two cores.
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DDR_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"

echo "== tests"
(cd build/release && ctest --output-on-failure -j"$jobs" --timeout 300)
# ctest keeps a passing or skipped test's output to itself: say here what was skipped, and why
# (a tool this machine lacks: terraform and its provider mirror, moto, the aws CLI, ...).
echo "== skipped, and why"
awk '/: Skipped$/ { if ((getline why) > 0) print "  " why; next } /SKIPPED: / { print "  " $0 }' \
  build/release/Testing/Temporary/LastTest.log | sort -u || true

echo "== unit tests and the lab's integration tests under ASan + UBSan ($(( $(date +%s) - started )) s so far)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
  -DDR_WERROR=ON -DDR_SANITIZE=ON -DDR_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs" --target unit_tests sanitize_integration_tests
(cd build/asan && ctest --output-on-failure -j"$jobs" -L '^(unit|sanitize-integration)$' --timeout 600)
echo "== done in $(( $(date +%s) - started )) s"
