# Shared by the terraform checks (sourced, not run): find terraform and a provider mirror, write
# a CLI config of our own, and skip (exit 77, ctest's SKIP_RETURN_CODE) with the reason when
# either is absent. Nothing here downloads a provider: the checks are offline by design.
set -euo pipefail

TF_SKIP=77
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
infra="$repo/infra"

skip() {
  echo "SKIPPED: $*"
  exit "$TF_SKIP"
}

# Where a provider mirror is: drctl's own search (`drctl infra mirror`, src/infra/provider_mirror.h,
# the one the lint uses): $DR_TF_PLUGIN_MIRROR alone when set, else Terraform's implied mirror
# directories and a few usual roots, else a bounded walk; only a mirror with hashicorp/aws
# >= 5.100, < 7.0 for $TF_PLATFORM that no other local user could have written into (terraform
# runs the provider it installs). Prints the directory, or skips with drctl's reason.
# $DRCTL: drctl (ctest sets it), else drctl on PATH.
find_mirror() {
  local drctl="${DRCTL:-}"
  [[ -n "$drctl" ]] || drctl="$(command -v drctl || true)"
  [[ -n "$drctl" && -x "$drctl" ]] || skip "drctl is not built or not on PATH (set DRCTL to it): its search finds the provider mirror"
  local out code=0
  out="$("$drctl" infra mirror --json --platform "$TF_PLATFORM")" || code=$?
  # 0: a mirror; 1: none, and why (a skip). Anything else is drctl failing: a failure, never a
  # skip that would hide a broken drctl behind four skipped checks.
  python3 -c 'import json,sys
code, out = int(sys.argv[1]), sys.argv[2]
try:
    j = json.loads(out)
except ValueError:
    j = None
if code == 0 and isinstance(j, dict) and isinstance(j.get("mirror"), str):
    print(j["mirror"])
elif code == 1 and isinstance(j, dict) and isinstance(j.get("error"), str):
    print("SKIPPED: " + j["error"])
    sys.exit(77)
else:
    print("FAILED: drctl infra mirror exited %d with %r" % (code, out[:300]))
    sys.exit(1)' "$code" "$out"
}

# Sets TF_CLI_CONFIG_FILE to a config that installs hashicorp/* only from the mirror (never the
# network). From an unpacked mirror `init` links the 700 MB provider instead of copying it; no
# plugin cache (concurrent inits race on creating its directories).
# $1: a scratch directory owned by the caller.
tf_setup() {
  local scratch="$1"
  command -v terraform >/dev/null || skip "terraform is not on PATH (install Terraform >= 1.11 to run this check)"
  local version
  version="$(terraform version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null || true)"
  [[ -n "$version" ]] || version="$(terraform version | head -1 | sed 's/^Terraform v//')"
  if [[ "$(printf '%s\n1.11.0\n' "$version" | sort -V | head -1)" != "1.11.0" ]]; then
    skip "terraform $version is older than 1.11 (the stack needs write-only arguments)"
  fi
  TF_PLATFORM="$(terraform version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["platform"])' 2>/dev/null || echo linux_amd64)"
  local mirror code=0
  mirror="$(find_mirror)" || code=$?
  if ((code != 0)); then
    echo "$mirror"
    exit "$code"
  fi
  cat >"$scratch/terraformrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CFG
  export TF_CLI_CONFIG_FILE="$scratch/terraformrc"
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  unset TF_DATA_DIR TF_WORKSPACE
  TF_MIRROR="$mirror"
  echo "terraform $version, provider mirror $mirror"
}

# Every Terraform configuration we ship: the root, each module, each example.
tf_configs() {
  echo "$infra"
  local d
  for d in "$infra"/modules/*/ "$infra"/examples/*/; do
    [[ -d "$d" ]] && echo "${d%/}"
  done
}

# Copies a configuration to a scratch directory so init never writes .terraform/ or a lock file
# into the source tree (and two runs never share one). Examples refer to ../../ (the root
# module), so the whole infra/ tree is copied and the path inside it returned.
scratch_copy() {
  local src="$1" scratch="$2"
  if [[ ! -d "$scratch/infra" ]]; then
    mkdir -p "$scratch/infra"
    (cd "$infra" && tar --exclude=.terraform --exclude=.terraform.lock.hcl --exclude='*.tfstate*' -cf - .) | (cd "$scratch/infra" && tar -xf -)
  fi
  echo "$scratch/infra${src#"$infra"}"
}
