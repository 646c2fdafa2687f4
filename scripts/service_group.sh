#!/usr/bin/env bash
# Start long-running services in process groups of their own and stop every process of them
# (their children and grandchildren too: e.g. the scheduler's LocalExecutor workers) when the
# calling script ends or is stopped (SIGTERM, SIGINT/Ctrl-C, or its normal end).
#
#   source scripts/service_group.sh
#   service_start .venv/bin/popsync airflow scheduler
#   service_wait                   # until every service has ended, or a signal arrives
#
# Stopping: SIGTERM to each group, SERVICE_STOP_GRACE seconds (default 30) for a clean
# shutdown, then SIGKILL to whatever is left in the groups.
set -m  # job control: each background job is its own process group, led by the job's pid
SERVICE_PIDS=()

service_start() {
    "$@" &
    SERVICE_PIDS+=("$!")
}

_service_groups_alive() {
    local pid
    for pid in "${SERVICE_PIDS[@]}"; do
        kill -0 -- "-$pid" 2>/dev/null && return 0
    done
    return 1
}

service_stop_all() {
    trap - EXIT INT TERM
    set +m  # no "[1] Terminated" job notices while the groups stop
    local pid waited=0 grace=$((${SERVICE_STOP_GRACE:-30} * 5))
    [ ${#SERVICE_PIDS[@]} -eq 0 ] && return 0
    for pid in "${SERVICE_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    while _service_groups_alive && [ "$waited" -lt "$grace" ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    for pid in "${SERVICE_PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}

service_wait() {
    wait || true
}

trap service_stop_all EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
