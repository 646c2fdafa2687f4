#!/usr/bin/env bash
# Start the Airflow UI (API server on :8080, scheduler, DAG processor) on the same database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/popsync setup
trap 'kill 0' EXIT INT TERM
.venv/bin/popsync airflow dag-processor &
.venv/bin/popsync airflow scheduler &
.venv/bin/popsync airflow api-server --port "${AIRFLOW_PORT:-8080}" &
echo "popsync pages: http://127.0.0.1:${AIRFLOW_PORT:-8080}/popsync/ (also under 'popsync' in Airflow's navigation)"
wait
