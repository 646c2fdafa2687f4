#!/usr/bin/env bash
# The benchmark peers (pandas, datacompy) in their own locked environment: datacompy needs pandas < 3.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.tools/bin/uv sync --frozen --quiet --project benchmarks/peers --python "${PYTHON:-python3.11}"
