#!/bin/sh
# Print the newest CPython (3.11 or later) on this machine; with --oldest, the oldest.
# Looks on PATH (python3.14 ... python3.11, then python3) and in pyenv's versions, and only
# counts an interpreter that actually runs. Says why on stderr when none fits.
order="3.14 3.13 3.12 3.11"
[ "$1" = "--oldest" ] && order="3.11 3.12 3.13 3.14"
pyenv_root=$(pyenv root 2>/dev/null || true)
for version in $order; do
    for candidate in "python$version" $pyenv_root/versions/$version*/bin/python$version; do
        if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            command -v "$candidate"
            exit 0
        fi
    done
done
if python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    command -v python3
    exit 0
fi
found=$(python3 --version 2>&1 || echo "no python3")
echo "Signpost needs Python 3.11 or newer (with venv); this machine has: $found." >&2
echo "Install one (for example Debian's python3 and python3-venv), or set PYTHON=/path/to/python3.X." >&2
exit 1
