#!/usr/bin/env bash
# The test suite (what .ci/run calls): lint, type check, then pytest on real PostgreSQL and Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# DuckDB's bindings report "leaked" objects at interpreter exit (harmless noise after the
# summary line); filter those lines, keep pytest's exit status.
set -o pipefail
.venv/bin/pytest "$@" 2>&1 | grep -v -E '^(nanobind: | - leaked | - \.\.\. skipped remainder|See https://nanobind)'

