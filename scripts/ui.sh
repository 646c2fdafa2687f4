#!/usr/bin/env bash
# Start the Airflow UI (API server on 127.0.0.1:$POPSYNC_API_PORT, default 8080), scheduler, DAG
# processor and triggerer on the same database. `popsync run` uses these while they run.
# Local single-user mode: every request on 127.0.0.1 is an admin's (Airflow's all-admins mode, set
# by popsync.local.airflow_env), so nothing here listens beyond this machine. The stack requires a login.
# Stopping this script (Ctrl-C, SIGTERM) stops every process it started, the scheduler's
# LocalExecutor workers included (scripts/service_group.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export POPSYNC_API_PORT=${POPSYNC_API_PORT:-${AIRFLOW_PORT:-8080}}
bash scripts/bootstrap.sh
.venv/bin/popsync setup
# shellcheck source=scripts/service_group.sh
source scripts/service_group.sh
service_start .venv/bin/popsync airflow dag-processor
service_start .venv/bin/popsync airflow scheduler
service_start .venv/bin/popsync airflow triggerer
service_start .venv/bin/popsync airflow api-server --host 127.0.0.1 --port "$POPSYNC_API_PORT"
echo "popsync pages: http://127.0.0.1:${POPSYNC_API_PORT}/popsync/ (also under popsync in the Airflow navigation)"
service_wait
