#!/usr/bin/env bash
# Applies examples/complete (the root module with its defaults) and examples/lean, each against
# its own moto server on a free loopback port (an account has one AWS Config recorder per
# region, so two stacks cannot share one), reads the result back, proves the database password
# is in neither the state nor the outputs, then destroys everything and stops the servers (by
# PID).
# moto lacks a few things the stack uses; the overrides for them live in tests/terraform/moto/
# and are copied into a scratch copy of infra/, never into infra/ itself.
# Usage: moto_apply.sh [example ...]   (default: complete lean). Exit 77: skipped (reason printed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$repo/tests/terraform"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/dr-tf-moto.XXXXXX")"
workers=()
cleanup() {
  local pid
  # Each worker stops its own moto server on the way out (its EXIT trap).
  for pid in "${workers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null || true; done
  # DR_TF_KEEP_LOGS=<dir>: keep terraform's and moto's logs (e.g. to see what an apply waited on).
  if [[ -n "${DR_TF_KEEP_LOGS:-}" ]]; then
    local log
    for log in "$scratch"/*.log "$scratch"/*/*.log; do
      [[ -f "$log" ]] && cp "$log" "$DR_TF_KEEP_LOGS/$(basename "$(dirname "$log")")-$(basename "$log")"
    done
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

tf_setup "$scratch"
command -v moto_server >/dev/null || skip "moto_server is not on PATH (pip install 'moto[server]' to run the apply against moto)"
command -v curl >/dev/null || skip "curl is not on PATH (it probes moto)"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts moto on a free loopback port; a port taken between the probe and the bind is retried.
# Sets moto_pid and endpoint. $1: its log file.
moto_pid=""
start_moto() {
  local attempt port deadline
  for attempt in 1 2 3; do
    port="$(free_port)"
    MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
    moto_pid=$!
    deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)) && kill -0 "$moto_pid" 2>/dev/null; do
      if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/reset" -X POST 2>/dev/null; then
        endpoint="http://127.0.0.1:$port"
        echo "moto on $endpoint (pid $moto_pid)"
        return
      fi
      sleep 0.2
    done
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
    moto_pid=""
  done
  tail -20 "$1" >&2 || true
  fail "moto_server did not answer within 60 s (3 attempts)"
}

# terraform runs in the background and is waited for, so that a TERM (ctest's timeout, ^C) reaches
# the worker's trap at once instead of after a provider gives up retrying; the trap stops it.
tf_pid=""
tf() {
  terraform "$@" &
  tf_pid=$!
  local rc=0
  wait "$tf_pid" || rc=$?
  tf_pid=""
  return "$rc"
}

# Waits up to $2 seconds for process $1 to end.
ended_within() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# moto first, so that nothing terraform still waits on can answer; then terraform: a first
# TERM asks it to finish in-flight calls (which can retry for minutes), a second one makes it
# exit at once; KILL if even that hangs.
stop_moto() {
  if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  moto_pid=""
  if [[ -n "$tf_pid" ]] && kill -0 "$tf_pid" 2>/dev/null; then
    kill "$tf_pid" 2>/dev/null || true
    ended_within "$tf_pid" 2 || kill "$tf_pid" 2>/dev/null || true
    ended_within "$tf_pid" 10 || kill -KILL "$tf_pid" 2>/dev/null || true
    wait "$tf_pid" 2>/dev/null || true
  fi
  tf_pid=""
}

# A copy of infra/ with the moto overrides in place, in $scratch/$1.
moto_copy() {
  local dest="$scratch/$1/infra" m
  mkdir -p "$dest"
  (cd "$infra" && tar --exclude=.terraform --exclude=.terraform.lock.hcl --exclude='*.tfstate*' -cf - .) | (cd "$dest" && tar -xf -)
  sed "s|@ENDPOINT@|$endpoint|g" "$here/moto/root/providers_override.tf" >"$dest/providers_override.tf"
  for m in "$here"/moto/modules/*/; do
    cp "$m"*.tf "$dest/modules/$(basename "$m")/"
  done
  echo "$dest"
}

# Runs in a background subshell of its own: its traps stop its moto server however it ends.
apply_example() {
  local example="$1" dir started resources state
  trap stop_moto EXIT
  trap 'exit 143' TERM INT
  start_moto "$scratch/$example/moto.log"
  dir="$(moto_copy "$example")/examples/$example"
  [[ -d "$dir" ]] || fail "no example $example under infra/examples"
  sed "s|@ENDPOINT@|$endpoint|g" "$here/moto/example/moto_zone.tf" >"$dir/moto_zone.tf"
  sed "s|@EXAMPLE@|$example|g" "$here/moto/example/main_override.tf" >"$dir/main_override.tf"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("bootstrap", "#!/bin/sh\n")' "$scratch/$example/controller.zip"
  cat >"$dir/moto.auto.tfvars" <<VARS
route53_zone_id         = "set by main_override.tf"
app_domain_name         = "app.$example.dr-app.test"
app_artifact_s3_uri     = "s3://dr-app-artifacts/dr-app-test.tar.gz"
controller_package_path = "$scratch/$example/controller.zip"
VARS
  cd "$dir"
  echo "== $example: init"
  tf init -input=false -no-color >"$scratch/$example/init.log" 2>&1 || { cat "$scratch/$example/init.log"; fail "$example: init"; }
  echo "== $example: apply against moto"
  started=$SECONDS
  tf apply -auto-approve -input=false -no-color -parallelism=20 >"$scratch/$example/apply.log" 2>&1 ||
    { tail -60 "$scratch/$example/apply.log"; fail "$example: apply"; }
  resources="$(terraform state list | grep -vc '^data\.\|\.data\.' || true)"
  echo "$example: applied $resources resources in $((SECONDS - started)) s"

  echo "== $example: read back"
  terraform output -json >"$scratch/$example/outputs.json"
  state="$scratch/$example/state.json"
  terraform show -json >"$state"
  python3 - "$scratch/$example/outputs.json" "$scratch/$example/readback.auto.tfvars" "$endpoint" <<'PY'
import json, sys
out = {k: v["value"] for k, v in json.load(open(sys.argv[1])).items()}
with open(sys.argv[2], "w") as f:
    f.write(f'endpoint = "{sys.argv[3]}"\nprimary_region = "us-east-1"\nsecondary_region = "us-west-2"\n')
    f.write(f'secret_name = "{out["db_secret_name"]}"\n')
    f.write(f'controller_function_name = "{out["lambda_failover_function"].split(":")[-1]}"\n')
PY
  local rb="$scratch/$example/readback"
  mkdir -p "$rb" && cp "$here/moto/readback/main.tf" "$scratch/$example/readback.auto.tfvars" "$rb/"
  (cd "$rb" && terraform init -input=false -no-color >/dev/null && terraform apply -auto-approve -input=false -no-color >"$rb/apply.log" 2>&1) ||
    { tail -40 "$rb/apply.log"; fail "$example: read back"; }
  (cd "$rb" && terraform output -json) >"$scratch/$example/readback.json"
  python3 - "$scratch/$example/readback.json" "$scratch/$example/outputs.json" "$state" "$dir/terraform.tfstate" "${capacity[$example]:-}" <<'PY'
import json, sys
rb = {k: v["value"] for k, v in json.load(open(sys.argv[1])).items()}
out = {k: v["value"] for k, v in json.load(open(sys.argv[2])).items()}
password = rb["password"]
errors = []
if len(password) != 40:
    errors.append(f"the secret's password has {len(password)} characters, not 40")
if any(c in password for c in "\"$&'/;<>@\\`|~ "):
    errors.append("the password contains a character the stack excludes")
for path in sys.argv[2:5]:
    if password in open(path).read():
        errors.append(f"the database password appears in {path}")
state = json.load(open(sys.argv[3]))
def resources(module):
    for r in module.get("resources", []):
        yield r
    for child in module.get("child_modules", []):
        yield from resources(child)
for r in resources(state["values"]["root_module"]):
    if r["type"] == "aws_rds_cluster" and r["values"].get("master_password_wo") is not None:
        errors.append(f"{r['address']}.master_password_wo is stored in state")
    if r["type"] == "aws_secretsmanager_secret_version" and r["values"].get("secret_string_wo") is not None:
        errors.append(f"{r['address']}.secret_string_wo is stored in state")
# The provider reads every resource back after creating it, so the state holds what moto
# answered (not what the configuration asked for).
clusters = {r["name"]: r["values"] for r in resources(state["values"]["root_module"]) if r["type"] == "aws_rds_cluster"}
for role in ("primary", "secondary"):
    got = clusters.get(role, {}).get("global_cluster_identifier")
    if got != out["global_cluster_id"]:
        errors.append(f"the {role} cluster's global cluster is {got!r}, not {out['global_cluster_id']!r}")
if ":us-west-2:" not in clusters.get("secondary", {}).get("arn", ""):
    errors.append("the secondary cluster is not in us-west-2")
if ":us-west-2:" not in rb["controller_arn"]:
    errors.append(f"the controller is not in the secondary region: {rb['controller_arn']}")
# The witness: the controller's zip with handler "witness", in the third region.
witnesses = [r["values"] for r in resources(state["values"]["root_module"]) if r["type"] == "aws_lambda_function" and r["values"].get("handler") == "witness"]
if len(witnesses) != 1 or ":us-east-2:" not in witnesses[0].get("arn", ""):
    errors.append(f"not one witness in us-east-2: {[w.get('arn') for w in witnesses]}")
# WAF on both load balancers, each with the web ACL of its own region.
lbs = {r["values"]["arn"] for r in resources(state["values"]["root_module"]) if r["type"] == "aws_lb"}
protected = {r["values"]["resource_arn"]: r["values"]["web_acl_arn"] for r in resources(state["values"]["root_module"]) if r["type"] == "aws_wafv2_web_acl_association"}
if len(lbs) != 2:
    errors.append(f"{len(lbs)} load balancers, not 2")
for lb in lbs:
    acl = protected.get(lb)
    if acl is None:
        errors.append(f"no web ACL on {lb}")
    elif acl.split(":")[3] != lb.split(":")[3]:
        errors.append(f"{lb} is protected by a web ACL of another region: {acl}")
# The fleets' capacity: <primary desired>:<secondary desired (the warm standby)>.
if sys.argv[5]:
    want = dict(zip(("asg_primary", "asg_secondary"), map(int, sys.argv[5].split(":"))))
    for r in resources(state["values"]["root_module"]):
        if r["type"] == "aws_autoscaling_group":
            module = r["address"].split(".module.")[-1].split(".")[0] if ".module." in r["address"] else r["address"].split(".")[1]
            if module in want and r["values"]["desired_capacity"] != want[module]:
                errors.append(f"{module} runs {r['values']['desired_capacity']} instances, not {want[module]}")
            if module == "asg_secondary" and ":us-west-2:" not in r["values"]["arn"]:
                errors.append("the standby fleet is not in us-west-2")
if not rb["replica_has_password"]:
    errors.append("the secret's replica in the secondary region has no password")
for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("read back: password in Secrets Manager (both regions) and not in state/outputs; both "
      "clusters in the global cluster; controller in us-west-2, witness in us-east-2; WAF on both ALBs; fleet sizes "
      + (sys.argv[5] or "not checked"))
PY

  echo "== $example: destroy"
  started=$SECONDS
  # moto gap: deleting the secondary-region member cluster leaves it listed in the global
  # cluster (RemoveFromGlobalCluster does not take it out either), so DeleteGlobalCluster fails
  # "not empty" for as long as the provider retries. The global cluster is forgotten instead of
  # deleted; every other resource is destroyed for real, and moto is discarded afterwards.
  terraform state rm -no-color module.dr_app.module.rds.aws_rds_global_cluster.this >/dev/null
  tf destroy -auto-approve -input=false -no-color -parallelism=20 >"$scratch/$example/destroy.log" 2>&1 ||
    { tail -60 "$scratch/$example/destroy.log"; fail "$example: destroy"; }
  [[ -z "$(terraform state list)" ]] || fail "$example: resources left in state after destroy"
  echo "$example: destroyed in $((SECONDS - started)) s"
  cd "$repo"
}

# Expected desired capacity per example, primary:secondary (what its main.tf asks for).
declare -A capacity=([complete]="3:1" [lean]="2:1")
examples=("$@")
((${#examples[@]} > 0)) || examples=(complete lean)
# The examples run side by side: an apply is mostly the provider waiting (load balancers,
# clusters), not CPU.
started=$SECONDS
for e in "${examples[@]}"; do
  mkdir -p "$scratch/$e"
  apply_example "$e" >"$scratch/$e.out" 2>&1 &
  workers+=($!)
done
failed=0
for i in "${!examples[@]}"; do
  wait "${workers[$i]}" || failed=1
  sed "s/^/[${examples[$i]}] /" "$scratch/${examples[$i]}.out"
done
workers=()
((failed == 0)) || exit 1
echo "moto apply: PASSED (${examples[*]}; $((SECONDS - started)) s in all)"
