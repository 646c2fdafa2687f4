#!/usr/bin/env bash
# Partitioned dataset runs through the scheduler: one bucket against N buckets on the same data.
#   /work/bin/heavy --exclusive bash benchmarks/bucket_benchmark.sh 4M:4M 1000000 2
# Generates the size once (its own popsync home and port, like scripts/benchmark.sh), then runs
# sync_health_insurance through the scheduler alternately with POPSYNC_ROWS_PER_BUCKET=0 (one
# bucket) and =ROWS (ceil(records / ROWS) buckets), REPEATS times each; one JSON per run in
# benchmarks/results/buckets-<size>-<n>.json (wall time, each task's duration, host, VmHWM and timed
# steps, DuckDB's spill). POPSYNC_BENCH_LABEL replaces <size> in the file names (a variant, e.g.
# AIRFLOW__CORE__PARALLELISM=1 to run the buckets one after the other); POPSYNC_BENCH_REUSE=1
# skips the generation.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-4M:4M}"
ROWS="${2:-1000000}"
REPEATS="${3:-2}"
export POPSYNC_HOME="${POPSYNC_BENCH_HOME:-$PWD/.popsync/bench-buckets}"
export POPSYNC_EMBEDDED_PORT="${POPSYNC_BENCH_PORT:-55447}"
export POPSYNC_API_PORT="${POPSYNC_BENCH_API_PORT:-28447}"
label="${POPSYNC_BENCH_LABEL:-$(echo "$SIZE" | tr ':' '-' | tr 'A-Z' 'a-z')}"
echo "load at start: $(cat /proc/loadavg)"
if [ -z "${POPSYNC_BENCH_REUSE:-}" ]; then
    .venv/bin/python -c "
import sys, json
sys.path.insert(0, '.')
from benchmarks.run_benchmark import parse_size, prepare
print(json.dumps(prepare(parse_size('$SIZE'), 20261201)))
"
fi
for run in $(seq 1 "$REPEATS"); do
    for rows in 0 "$ROWS"; do
        out="benchmarks/results/buckets-$label-rows$rows-run$run.json"
        echo "== run $run, POPSYNC_ROWS_PER_BUCKET=$rows (load $(cut -d' ' -f1-3 /proc/loadavg))"
        .venv/bin/python benchmarks/airflow_run.py --rows-per-bucket "$rows" > "$out"
        .venv/bin/python -c "
import json; r = json.load(open('$out'))
print(f\"  wall {r['dag_run_wall_seconds']:.1f} s, {r['buckets']} bucket(s), max task VmHWM {r['max_task_peak_memory_mb']} MB\")
for task, f in sorted(r['tasks'].items()):
    print(f\"  {task:<28} {f['state']:<8} {f['duration']:7.1f} s  {f['peak_memory_mb']} MB  {f['hostname']}\")
    if f.get('steps'):
        print('      ' + ', '.join(f'{name} {seconds:.1f}' for name, seconds in f['steps'].items()))
print(f\"  outside tasks {r['outside_tasks_seconds']:.1f} s, queued-to-start median {r['queued_to_start_median_seconds']} s\")
print(f\"  spill peak {r['spill_peak_total_mb']} MB over {len(r['spill_sessions'])} session(s)\")
for session in r['spill_sessions']:
    print(f\"      {session['peak_mb']} MB while {', '.join(session['sector_tasks_running']) or 'no sector task'}\")
"
    done
done
