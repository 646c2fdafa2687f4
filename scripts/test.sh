#!/usr/bin/env bash
# The test suite (what .ci/run calls): lint, type check, then pytest on real PostgreSQL and Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"
