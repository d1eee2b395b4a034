#!/usr/bin/env bash
# terraform runs the provider it installs: a mirror another local user could have written into
# must not be used by the terraform checks either (lib.sh asks drctl, whose search refuses it).
# A mirror of one in-range "provider" (a script that would leave a mark if run) in a directory
# its group may write: validate.sh must skip, naming it, and run nothing from it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v terraform >/dev/null || {
  echo "SKIPPED: terraform is not on PATH"
  exit 77
}
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
platform="$(terraform version -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["platform"])')"
pkg="$scratch/mirror/registry.terraform.io/hashicorp/aws/6.99.0/$platform"
mkdir -p "$pkg"
printf '#!/bin/sh\ntouch %s/ran\n' "$scratch" >"$pkg/terraform-provider-aws_v6.99.0_x5"
chmod 0755 "$pkg/terraform-provider-aws_v6.99.0_x5"
chmod g+w "$pkg"
set +e
out="$(DR_TF_PLUGIN_MIRROR="$scratch/mirror" bash "$here/validate.sh" 2>&1)"
code=$?
set -e
echo "$out"
fail() {
  echo "FAILED: $*"
  exit 1
}
((code == 77)) || fail "validate.sh exited $code, not 77 (skipped)"
grep -q "DR_TF_PLUGIN_MIRROR=$scratch/mirror holds no" <<<"$out" || fail "the skip does not name the mirror"
[[ ! -e "$scratch/ran" ]] || fail "the planted provider ran"
# The same mirror, no longer group-writable, is one: the refusal was the trust rule's.
chmod g-w "$pkg"
found="$(DR_TF_PLUGIN_MIRROR="$scratch/mirror" "$DRCTL" infra mirror --platform "$platform")"
[[ "$found" == "$scratch/mirror" ]] || fail "drctl infra mirror did not accept the trusted mirror: $found"
# A platform is one path component of the layout, never a way out of it: a usage error (2).
set +e
"$DRCTL" infra mirror --platform "../$platform" >/dev/null 2>&1
code=$?
set -e
((code == 2)) || fail "drctl infra mirror --platform ../$platform exited $code, not 2"
echo "PASSED: an untrusted mirror is refused, the same one trusted is used"
