#!/usr/bin/env bash
# Install Debian's nginx, the load balancer of the scaled profile (`make run-scaled`)
# and its tests, if missing. nginx-light is the smallest build with what the
# profile uses (proxy, upstream hash, WebSocket upgrade). The package's own
# service is not used: scripts/scaled.py runs nginx with a config of its own.
# Needs root (as on the project's machines) and the Debian package registry.
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "error: the scaled profile needs Debian's nginx;" >&2
    echo "run 'sudo apt-get install nginx-light' and try again." >&2
    exit 1
fi
echo "Installing nginx for the scaled profile..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
