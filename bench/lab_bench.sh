#!/usr/bin/env bash
# Lab benchmarks (issue 4): `lab up` time, the whole lab's memory, front-door write and read
# throughput and latency with wrk, and the replicator's lag. Brings its own lab up and down.
# Usage: bash bench/lab_bench.sh [build dir, default build/release]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build/release}"
drctl="$build/src/cli/drctl"
export DR_LAB_DIR="${DR_LAB_DIR:-/tmp/dr-lab-bench}"
trap '"$drctl" lab down --purge >/dev/null 2>&1 || true' EXIT
"$drctl" lab down --purge >/dev/null 2>&1 || true

start=$(date +%s%N)
"$drctl" lab up >/dev/null
echo "lab up: $(( ($(date +%s%N) - start) / 1000000 )) ms"

status="$("$drctl" lab status --json 2>/dev/null)"
pids=$(echo "$status" | python3 -c 'import json,sys; print(" ".join(str(c["pid"]) for c in json.load(sys.stdin)["components"] if c.get("pid")))')
rss=0
for p in $pids; do rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
echo "lab memory: $((rss / 1024)) MiB RSS over $(echo "$pids" | wc -w) processes"

fd=$(echo "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["front_door"]["url"])')
east=$(echo "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["regions"]["us-east-1"]["alb_url"])')
west=$(echo "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["regions"]["us-west-2"]["alb_url"])')

cat > "$DR_LAB_DIR/post.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"customer":"bench","amount_cents":1,"idempotency_key":"wrk-%d-%d"}', math.random(1, 1e9), counter)
  return wrk.format("POST", "/orders", {["Content-Type"] = "application/json"}, body)
end
LUA
echo "front-door writes (POST /orders, 2 threads, 16 connections, 10 s):"
wrk -t2 -c16 -d10s --latency -s "$DR_LAB_DIR/post.lua" "$fd" | grep -E "Requests/sec|50%|99%"
id=$(curl -s -XPOST "$fd/orders" -d '{"customer":"bench","amount_cents":1,"idempotency_key":"read-me"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "front-door reads (GET /orders/$id, 2 threads, 16 connections, 10 s):"
wrk -t2 -c16 -d10s --latency "$fd/orders/$id" | grep -E "Requests/sec|50%|99%"
"$build/bench/bench_replicator_lag" "$east" "$west" 200
