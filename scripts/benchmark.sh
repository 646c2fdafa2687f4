#!/usr/bin/env bash
# Benchmark popsync against its peers (pandas, datacompy, hand-written SQL); results in benchmarks/results/.
# --curve measures 1M:1M, 4M:4M, 10M:10M and 2M:10M and projects 100M (benchmarks/run_benchmark.py).
# Uses its own popsync home and embedded server port, so the demo's data is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap_peers.sh
export POPSYNC_HOME="${POPSYNC_BENCH_HOME:-$PWD/.popsync/bench}"
export POPSYNC_EMBEDDED_PORT="${POPSYNC_BENCH_PORT:-55440}"
exec .venv/bin/python benchmarks/run_benchmark.py "$@"
