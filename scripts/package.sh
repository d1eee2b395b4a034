#!/usr/bin/env bash
# Builds the two artifacts infra/ deploys into dist/ (docs/lambda.md, "Packaging"):
#   dist/dr-controller-lambda.zip              controller_package_path (bootstrap at its root)
#   dist/dr-app-<version>-linux-<arch>.tar.gz  upload it; its S3 URI is app_artifact_s3_uri
# and checks each against the Amazon Linux 2023 rule (GLIBC <= 2.34, other libraries in lib/).
# Usage: scripts/package.sh [--build-dir DIR] [--out DIR] [--only lambda|app]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$here/build/release"
out="$here/dist"
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only=(--only "$2"); shift 2 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
targets=(bootstrap dr-app)
[ "${only[*]:-}" = "--only lambda" ] && targets=(bootstrap)
[ "${only[*]:-}" = "--only app" ] && targets=(dr-app)
cmake --build "$build_dir" -j"${DR_BUILD_JOBS:-2}" --target "${targets[@]}"
mapfile -t made < <(python3 "$here/scripts/package.py" build --build-dir "$build_dir" --out "$out" "${only[@]}")
python3 "$here/scripts/package.py" check "${made[@]}"
