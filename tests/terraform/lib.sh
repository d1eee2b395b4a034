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

# A mirror directory holds registry.terraform.io/hashicorp/aws/<version>/<os_arch>/; it is of use
# only with a version in the stack's range (>= 5.100, < 7.0) for this machine's platform.
TF_PLATFORM="linux_amd64"
is_mirror() {
  local d v
  for d in "$1"/registry.terraform.io/hashicorp/aws/*/"$TF_PLATFORM"; do
    compgen -G "$d/terraform-provider-aws_*" >/dev/null || continue
    v="$(basename "$(dirname "$d")")"
    if [[ "$(printf '%s\n5.100.0\n' "$v" | sort -V | head -1)" == "5.100.0" &&
      "$(printf '%s\n7.0.0\n' "$v" | sort -V | head -1)" == "$v" && "$v" != "7.0.0" ]]; then
      return 0
    fi
  done
  return 1
}

# Where a provider mirror is: $DR_TF_PLUGIN_MIRROR if set, else terraform's documented implied
# mirror directories and a few usual roots, else a bounded search of the filesystem. Prints the
# directory, or nothing.
find_mirror() {
  if [[ -n "${DR_TF_PLUGIN_MIRROR:-}" ]]; then
    is_mirror "$DR_TF_PLUGIN_MIRROR" && echo "$DR_TF_PLUGIN_MIRROR"
    return 0
  fi
  local d
  for d in "${HOME:-/nonexistent}/.terraform.d/plugins" "${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}/terraform/plugins" \
    /usr/local/share/terraform/plugins /usr/share/terraform/plugins /opt/tf-plugins /opt/terraform/plugins; do
    if is_mirror "$d"; then
      echo "$d"
      return
    fi
  done
  local hit
  hit="$(timeout 60 find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
    -path '*/registry.terraform.io/hashicorp/aws/*' -name 'terraform-provider-aws_*' -type f -print 2>/dev/null || true)"
  # <mirror>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/<binary>
  local h
  while read -r h; do
    [[ -n "$h" ]] || continue
    d="${h%/registry.terraform.io/hashicorp/aws/*}"
    if is_mirror "$d"; then
      echo "$d"
      return 0
    fi
  done <<<"$hit"
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
  local mirror
  mirror="$(find_mirror)"
  if [[ -z "$mirror" && -n "${DR_TF_PLUGIN_MIRROR:-}" ]]; then
    skip "DR_TF_PLUGIN_MIRROR=$DR_TF_PLUGIN_MIRROR holds no registry.terraform.io/hashicorp/aws/<5.100..6.x>/$TF_PLATFORM provider"
  fi
  [[ -n "$mirror" ]] || skip "no filesystem mirror of hashicorp/aws >= 5.100, < 7.0 for $TF_PLATFORM found (looked in Terraform's implied mirror directories, /opt/tf-plugins and the filesystem; set DR_TF_PLUGIN_MIRROR to one)"
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
