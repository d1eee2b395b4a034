#!/usr/bin/env bash
# `terraform test` for every module with tests (infra/modules/*/tests/*.tftest.hcl), offline:
# mock providers, plugins only from a local mirror. Exit 77: skipped (reason printed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/dr-tf-test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tf_setup "$scratch"

run_tests() {
  local src="$1" dir
  dir="$scratch/$(basename "$src")"
  mkdir -p "$dir"
  cp -R "$src"/. "$dir"/
  rm -rf "$dir/.terraform" "$dir/.terraform.lock.hcl"
  if (cd "$dir" && terraform init -backend=false -input=false -no-color >init.log 2>&1 && terraform test -no-color) >"$dir.log" 2>&1; then
    echo "ok   ${src#"$repo"/}: $(grep -E '^(Success|Failure)!' "$dir.log")"
  else
    echo "FAIL ${src#"$repo"/}"
    cat "$dir/init.log" "$dir.log" 2>/dev/null | sed 's/^/     /'
    return 1
  fi
}

modules=()
for d in "$infra"/modules/*/; do
  compgen -G "$d/tests/*.tftest.hcl" >/dev/null && modules+=("${d%/}")
done
((${#modules[@]} > 0)) || { echo "FAIL: no *.tftest.hcl under infra/modules/*/tests"; exit 1; }

failed=0
# Two at a time: most of a run is the provider loading its schema, one core each.
pids=()
for i in "${!modules[@]}"; do
  run_tests "${modules[$i]}" >"$scratch/$i.out" 2>&1 &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for i in "${!modules[@]}"; do cat "$scratch/$i.out"; done

((failed == 0)) || exit 1
echo "terraform test: PASSED (${#modules[@]} modules)"
