#!/usr/bin/env bash
# One command: install, start the embedded PostgreSQL, migrate Airflow, generate demo data,
# run every DAG through Airflow and print the sync rates. Extra arguments go to `popsync demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/popsync demo "$@"
