#!/usr/bin/env bash
# Create .venv with the locked dependencies (uv, pinned, installed into .tools/).
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "popsync needs Python 3.11"' 

if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version | grep -q "$UV_VERSION"; then
    "$PYTHON" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
.tools/bin/uv sync --frozen --quiet --python "$PYTHON"
