#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests, if missing.
# Needs root (as on the project's machines) and the Debian package registry.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "error: the browser tests need Debian's chromium;" >&2
    echo "run 'sudo apt-get install chromium' and try again." >&2
    exit 1
fi
echo "Installing chromium for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
