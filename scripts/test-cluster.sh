#!/usr/bin/env bash
# `npm run test:cluster`: three API processes behind a real nginx (test/cluster). Where nginx is not
# installed the test cannot run: say so plainly and succeed, so a machine without it is not red.
set -euo pipefail
cd "$(dirname "$0")/.."

nginx=${NGINX_BIN:-$(command -v nginx || true)}
if [ -z "$nginx" ] && [ -x /usr/sbin/nginx ]; then nginx=/usr/sbin/nginx; fi
if [ -z "$nginx" ]; then
  echo "test:cluster: SKIPPED: nginx is not installed (apt-get install nginx, or set NGINX_BIN)"
  exit 0
fi
export NGINX_BIN=$nginx
exec npx jest --config jest.cluster.config.js "$@"
