#!/usr/bin/env bash
# terraform runs the provider it installs: a mirror another local user could have written into
# must not be used by the terraform checks either (lib.sh asks drctl, whose search refuses it).
# A mirror of one in-range "provider" (a script that would leave a mark if run) in a directory
# its group may write: drctl refuses it, validate.sh skips and runs nothing from it; the same
# mirror made group-read-only is found.
set -euo pipefail
umask 022 # the mirror's directories are ours and group-read-only unless the test says otherwise
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAILED: $*"
  exit 1
}
command -v terraform >/dev/null || skip "terraform is not on PATH"
drctl="${DRCTL:-}"
[[ -n "$drctl" ]] || drctl="$(command -v drctl || true)"
[[ -n "$drctl" && -x "$drctl" ]] || skip "drctl is not built or not on PATH (set DRCTL to it)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
read -r version platform < <(terraform version -json | python3 -c 'import json,sys; j = json.load(sys.stdin); print(j["terraform_version"], j["platform"])')
# validate.sh skips an older terraform before it looks for a mirror.
[[ "$(printf '%s\n1.11.0\n' "$version" | sort -V | head -1)" == "1.11.0" ]] || skip "terraform $version is older than 1.11"
mirror="$scratch/mirror"
pkg="$mirror/registry.terraform.io/hashicorp/aws/6.99.0/$platform"
mkdir -p "$pkg"
printf '#!/bin/sh\ntouch "%s/ran"\n' "$scratch" >"$pkg/terraform-provider-aws_v6.99.0_x5"
chmod 0755 "$pkg/terraform-provider-aws_v6.99.0_x5"
chmod g+w "$pkg"

code=0
out="$(DR_TF_PLUGIN_MIRROR="$mirror" "$drctl" infra mirror --platform "$platform" 2>&1)" || code=$?
echo "$out"
((code == 1)) || fail "drctl infra mirror exited $code on a group-writable mirror, not 1"
grep -qF "DR_TF_PLUGIN_MIRROR=$mirror holds no" <<<"$out" || fail "the refusal does not name the mirror"

code=0
out="$(DR_TF_PLUGIN_MIRROR="$mirror" DRCTL="$drctl" bash "$here/validate.sh" 2>&1)" || code=$?
echo "$out"
((code == 77)) || fail "validate.sh exited $code, not 77 (skipped)"
[[ ! -e "$scratch/ran" ]] || fail "the planted provider ran"

# The same mirror, no longer group-writable, is one: the refusal was the trust rule's.
chmod g-w "$pkg"
code=0
found="$(DR_TF_PLUGIN_MIRROR="$mirror" "$drctl" infra mirror --platform "$platform")" || code=$?
[[ $code -eq 0 && "$found" == "$mirror" ]] || fail "drctl infra mirror did not accept the trusted mirror (exit $code): $found"

# A drctl that fails (here: prints nothing, exits 1) fails the checks: never a skip that would
# hide a broken drctl behind skipped ones.
code=0
out="$(DRCTL=/bin/false bash "$here/validate.sh" 2>&1)" || code=$?
((code == 1)) || fail "validate.sh with a failing drctl exited $code, not 1: $out"

# A platform is one path component of the layout, never a way out of it: a usage error (2).
code=0
"$drctl" infra mirror --platform "../$platform" >/dev/null 2>&1 || code=$?
((code == 2)) || fail "drctl infra mirror --platform ../$platform exited $code, not 2"
echo "PASSED: an untrusted mirror is refused and nothing runs from it; the same one trusted is used"
