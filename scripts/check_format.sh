#!/usr/bin/env bash
# Fails when a C++ file under src/ tests/ bench/ fuzz/ is not formatted as .clang-format says
# (fix: clang-format -i <file>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
find src tests bench fuzz \( -name '*.cc' -o -name '*.h' \) -print0 |
  xargs -0 clang-format --dry-run -Werror
echo "every C++ file is formatted"
