#!/usr/bin/env bash
# terraform fmt -check, then `init -backend=false` + `validate` on the root module, every module
# and every example, offline (providers only from a local mirror). Exit 77: skipped (reason
# printed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/dr-tf-validate.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tf_setup "$scratch"

failed=0
echo "== terraform fmt -check -recursive"
for tree in "$infra" "$repo/tests/terraform"; do
  if ! terraform fmt -check -recursive -diff -no-color "$tree"; then
    echo "FAIL: terraform fmt would change files under ${tree#"$repo"/} (run terraform fmt -recursive)"
    failed=1
  fi
done

# A module is validated in a copy of its own. One that expects an aliased provider from its
# caller (configuration_aliases) cannot be validated alone (Terraform reports "Provider
# configuration not present"), so its copy gets an empty configuration for each alias, as a
# caller would pass.
module_copy() {
  local src="$1" dest alias
  dest="$scratch/modules/$(basename "$src")"
  mkdir -p "$dest"
  cp -R "$src"/. "$dest"/
  rm -rf "$dest/.terraform" "$dest/.terraform.lock.hcl"
  for alias in $(sed -n 's/.*configuration_aliases *= *\[\(.*\)\].*/\1/p' "$src"/*.tf | tr ',' ' ' | sed 's/aws\.//g'); do
    printf 'provider "aws" {\n  alias = "%s"\n}\n' "$alias" >>"$dest/validate_aliases.tf"
  done
  echo "$dest"
}

check() {
  local src="$1" dir log
  case "$src" in
    "$infra"/modules/*) dir="$(module_copy "$src")" ;;
    *) dir="$(scratch_copy "$src" "$scratch")" ;;
  esac
  log="$scratch/$(basename "$src").log"
  if (cd "$dir" && terraform init -backend=false -input=false -no-color && terraform validate -no-color) >"$log" 2>&1; then
    echo "ok   ${src#"$repo"/}"
  else
    echo "FAIL ${src#"$repo"/}"
    sed 's/^/     /' "$log"
    return 1
  fi
}

echo "== terraform init -backend=false && terraform validate"
configs=()
while read -r cfg; do configs+=("$cfg"); done < <(tf_configs)
# Two at a time: validate is mostly the provider loading its schema, one core each.
pids=()
for cfg in "${configs[@]}"; do
  check "$cfg" >"$scratch/$(basename "$cfg").out" 2>&1 &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for cfg in "${configs[@]}"; do cat "$scratch/$(basename "$cfg").out"; done

# infra/global (the write lease's table) needs hashicorp/aws >= 6.22 (global_table_witness), above
# what the main stack requires: validated only when the mirror holds one (fmt covered it above).
global_provider=""
for d in "$TF_MIRROR"/registry.terraform.io/hashicorp/aws/*/"$TF_PLATFORM"; do
  v="$(basename "$(dirname "$d")")"
  [[ "$(printf '%s\n6.22.0\n' "$v" | sort -V | head -1)" == "6.22.0" ]] && global_provider="$v"
done
if [[ -n "$global_provider" ]]; then
  check "$infra/global" || failed=1
else
  echo "SKIPPED infra/global: the mirror holds no hashicorp/aws >= 6.22 (global_table_witness)"
fi

((failed == 0)) || exit 1
echo "terraform validate: PASSED (${#configs[@]} configurations)"
