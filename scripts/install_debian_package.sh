#!/usr/bin/env bash
# Install a Debian package the tests or a profile need, if its program is missing.
#   scripts/install_debian_package.sh PROGRAM PACKAGE WHAT_FOR
# e.g. /usr/bin/chromium chromium "the browser tests". Needs root (as on the
# project's machines) and the Debian package registry.
set -euo pipefail
program=$1 package=$2 what_for=$3
if [ -x "$program" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "error: $what_for need Debian's $package;" >&2
    echo "run 'sudo apt-get install $package' and try again." >&2
    exit 1
fi
echo "Installing $package for $what_for..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$package" >/dev/null
