#!/usr/bin/env bash
# Start the Airflow UI (API server on 127.0.0.1:$POPSYNC_API_PORT, default 8080), scheduler, DAG
# processor and triggerer on the same database. `popsync run` uses these while they run.
set -euo pipefail
cd "$(dirname "$0")/.."
export POPSYNC_API_PORT=${POPSYNC_API_PORT:-${AIRFLOW_PORT:-8080}}
bash scripts/bootstrap.sh
.venv/bin/popsync setup
trap 'kill 0' EXIT INT TERM
.venv/bin/popsync airflow dag-processor &
.venv/bin/popsync airflow scheduler &
.venv/bin/popsync airflow triggerer &
.venv/bin/popsync airflow api-server --host 127.0.0.1 --port "$POPSYNC_API_PORT" &
echo "popsync pages: http://127.0.0.1:${POPSYNC_API_PORT}/popsync/ (also under popsync in the Airflow navigation)"
wait
