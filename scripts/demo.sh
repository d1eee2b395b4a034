#!/usr/bin/env bash
# The README's demo: installs what is missing, builds drctl, dr-app and the Lambda's bootstrap,
# brings the two-region lab up, runs a region-outage drill (the controller, the real bootstrap
# behind the lab's Runtime API, fails us-east-1 over to us-west-2 while a workload writes through
# the front door), prints RTO/RPO, and takes the lab down again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/bootstrap.sh

echo "== build"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDR_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target drctl dr-app bootstrap

drctl="$here/build/release/src/cli/drctl"
export DR_LAB_DIR="${DR_LAB_DIR:-/tmp/dr-lab-demo}"
out="$here/out/demo"
mkdir -p "$out"
# Whatever happens, nothing of the lab is left running.
trap '"$drctl" lab down >/dev/null 2>&1 || true' EXIT

echo "== lab up ($DR_LAB_DIR)"
"$drctl" lab down --purge >/dev/null 2>&1 || true
"$drctl" lab up
"$drctl" lab status

echo "== drill: region-outage (us-east-1 is killed 5 s into a 15 s workload)"
status=0
# A drill never overwrites a report: this demo's copies are replaced on purpose (the run's own
# files stay in $DR_LAB_DIR/drills/<run id>/ until the lab is purged).
rm -f "$out/region-outage.json" "$out/region-outage.html"
"$drctl" drill region-outage --duration-s 15 --fault-at-s 5 \
  --json "$out/region-outage.json" --html "$out/region-outage.html" || status=$?
for log in lambda.log controller.log; do
  if [[ -f "$DR_LAB_DIR/$log" ]]; then echo "controller log: $DR_LAB_DIR/$log"; fi
done

echo "== lab down"
"$drctl" lab down
exit "$status"
