#!/usr/bin/env bash
# The reverse-proxy test (tests/e2e/test_nginx.py) runs Debian's nginx in front of the app
# with deploy/nginx.conf. Only the binary is needed: the test starts its own nginx as the
# current user on free ports; the package's system service is never started.
set -euo pipefail
NGINX=${NUMATIX_NGINX:-/usr/sbin/nginx}
if [ -x "$NGINX" ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian nginx for the reverse-proxy test..."
  apt-get update -qq
  # Exit code 101 from policy-rc.d: the install must not start a system nginx on port 80.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # nginx-light (TLS, proxy, websockets; nothing else) where it still exists, else nginx.
  PACKAGE=nginx-light
  apt-cache show "$PACKAGE" >/dev/null 2>&1 || PACKAGE=nginx
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$PACKAGE" >/dev/null
  exit 0
fi
echo "nginx is missing: run 'sudo apt-get install nginx' (or set NUMATIX_NGINX to an nginx binary)." >&2
exit 1
