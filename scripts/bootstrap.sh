#!/usr/bin/env bash
# Installs everything dr-app needs on a fresh Debian 12 machine (as root). Idempotent: a second
# run installs nothing and finishes in a second or two.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(
  build-essential cmake g++ clang clang-format libclang-rt-14-dev pkg-config
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libpugixml-dev libmariadb-dev
  libcpp-httplib-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client haproxy default-jre-headless
  python3-botocore nftables wrk procps iproute2 etcd-server
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may already come from elsewhere (its own npm conflicts with Debian's); only install
# Debian's when there is none.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian mariadb-server package starts a system server; the lab and the tests run their own
# instances on loopback, so the system one is not needed (and not touched).

# npm tools, pinned, installed into the repo-local tools/node (ignored by git).
node_dir="$here/tools/node"
mkdir -p "$node_dir"
if [ ! -f "$node_dir/package.json" ] || ! cmp -s "$here/tools/package.json" "$node_dir/package.json"; then
  cp "$here/tools/package.json" "$node_dir/package.json"
  rm -f "$node_dir/.installed"
fi
if [ ! -f "$node_dir/.installed" ]; then
  echo "bootstrap: installing npm tools into tools/node"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$node_dir/.installed"
fi

# AWS's DynamoDB Local ships inside the amplify-dynamodb-simulator npm package; we only need the
# jar and its native libraries, not the package's dependency tree.
ddb_dir="$here/tools/dynamodb-local"
ddb_version="2.9.30"
if [ ! -f "$ddb_dir/DynamoDBLocal.jar" ] || [ "$(cat "$ddb_dir/.version" 2>/dev/null)" != "$ddb_version" ]; then
  echo "bootstrap: unpacking DynamoDB Local from amplify-dynamodb-simulator@$ddb_version"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "amplify-dynamodb-simulator@$ddb_version" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$ddb_dir"
  mkdir -p "$ddb_dir"
  cp -r "$tmp/package/emulator/." "$ddb_dir/"
  echo "$ddb_version" >"$ddb_dir/.version"
  rm -rf "$tmp"
fi
echo "bootstrap: ok"
