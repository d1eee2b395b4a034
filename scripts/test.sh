#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as errors, runs every
# test (unit + integration against real servers on loopback), then the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
jobs="$(nproc)"

bash scripts/bootstrap.sh

echo "== build (warnings are errors)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDR_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"

echo "== tests"
(cd build/release && ctest --output-on-failure -j"$jobs" --timeout 300)

echo "== unit tests under ASan + UBSan"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DDR_WERROR=ON -DDR_SANITIZE=ON -DDR_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs" --target unit_tests
(cd build/asan && ctest --output-on-failure -j"$jobs" -L unit --timeout 300)
