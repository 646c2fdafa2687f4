#!/usr/bin/env bash
# Benchmark popsync against pandas and datacompy; results in benchmarks/results/.
# Uses its own popsync home and embedded server port, so the demo's data is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap_peers.sh
export POPSYNC_HOME="${POPSYNC_BENCH_HOME:-$PWD/.popsync/bench}"
export POPSYNC_EMBEDDED_PORT="${POPSYNC_BENCH_PORT:-55440}"
exec .venv/bin/python benchmarks/run_benchmark.py "$@"
