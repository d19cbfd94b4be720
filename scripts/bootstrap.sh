#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies.
# Rasa 3.6 supports Python 3.8-3.10 only; this machine's default python3 is
# newer, so a 3.10 interpreter is looked up: $PYTHON310, then pyenv, then PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

is_310() { [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

find_python310() {
    local candidates=()
    [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
    if command -v pyenv >/dev/null 2>&1; then
        candidates+=($(ls -d "$(pyenv root)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r))
    fi
    candidates+=($(command -v python3.10 || true))
    for py in "${candidates[@]}"; do
        if is_310 "$py"; then echo "$py"; return 0; fi
    done
    return 1
}

stamp=.venv/.installed
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && is_310 .venv/bin/python; then
    exit 0
fi

if ! is_310 .venv/bin/python; then
    if ! py=$(find_python310); then
        echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.8-3.10." >&2
        echo "Install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10." >&2
        exit 1
    fi
    echo "Creating .venv with $py"
    rm -rf .venv
    "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "Installing pinned dependencies (a few minutes the first time)..."
.venv/bin/python -m pip install --quiet -r requirements.txt -c constraints.txt
echo "$want" > "$stamp"
