#!/usr/bin/env bash
# Time to retry after a worker is killed, per scheduler heartbeat timeout (docs/stack.md, "A worker
# that dies"). One `stack.sh test` (kept up; it kills a worker once), then for each timeout in TIMEOUTS:
# `stack.sh up` with it (the Airflow services are recreated) and `stack.sh kill` until REPEATS kills
# per timeout; the API server's restart time; the stack goes down at the end.
#   bash benchmarks/stack_retry.sh                     # TIMEOUTS="60 30", REPEATS=1
#   TIMEOUTS="120 60 30" REPEATS=3 bash benchmarks/stack_retry.sh
# Each kill prints "RETRY heartbeat timeout T s: the killed try failed X s after the kill, its retry
# started Y s after it, on <worker>" (times from the REST API's task-instance tries).
set -euo pipefail
cd "$(dirname "$0")/.."
TIMEOUTS=${TIMEOUTS:-60 30}
REPEATS=${REPEATS:-1}
export POPSYNC_ROWS_PER_BUCKET=${POPSYNC_ROWS_PER_BUCKET:-5000} AIRFLOW_USE_JOB_SCHEDULE=false
export STACK_USERS_FILE=$PWD/.stack/test-users
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
trap 'bash scripts/stack.sh down; echo "end $(date -u +%FT%TZ) load $(cut -d" " -f1-3 /proc/loadavg)"' EXIT
first=${TIMEOUTS%% *}
# The test writes its users file (admin and a sector reader) only when STACK_USERS_FILE is unset.
env -u STACK_USERS_FILE KEEP_UP=1 TASK_HEARTBEAT_TIMEOUT="$first" bash scripts/stack.sh test
for timeout in $TIMEOUTS; do
    export TASK_HEARTBEAT_TIMEOUT=$timeout
    kills=$REPEATS
    if [ "$timeout" = "$first" ]; then kills=$((REPEATS - 1)); else bash scripts/stack.sh up; fi # the test killed one
    for _ in $(seq 1 "$kills"); do
        echo "=== load $(cut -d' ' -f1-3 /proc/loadavg)"
        bash scripts/stack.sh kill
    done
done
# How long the API server is away when it restarts (adding a user restarts it): tasks cannot heartbeat
# meanwhile, so a heartbeat timeout shorter than this fails (and retries) every task then running.
api=$(docker ps -q --filter "label=com.docker.compose.service=airflow-apiserver" --filter "label=com.docker.compose.project=${STACK_PROJECT:-popsync}")
port=$(grep '^STACK_API_PORT=' .stack/env | cut -d= -f2)
for _ in 1 2; do
    t0=$(date +%s.%N)
    docker restart "$api" >/dev/null
    for _ in $(seq 1 600); do curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/v2/monitor/health" && break; sleep 0.5; done
    echo "API server restart: answering again after $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)") s (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
