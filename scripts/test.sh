#!/usr/bin/env bash
# The test suite (what .ci/run calls): lint, type check, then pytest on real PostgreSQL and Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# Chromium for the browser tests: installed in CI (root); elsewhere when missing, if we may.
if [ "${CI:-}" = "true" ]; then
    bash scripts/browser_deps.sh
elif [ ! -x /usr/bin/chromium ]; then
    bash scripts/browser_deps.sh || echo "warning: no Chromium; the browser tests will be skipped" >&2
fi
# MariaDB for the SQLAlchemy source tests (a private server each run): installed in CI (root).
if [ "${CI:-}" = "true" ]; then
    bash scripts/mariadb_deps.sh
elif ! command -v mariadb-install-db >/dev/null 2>&1; then
    bash scripts/mariadb_deps.sh || echo "warning: no MariaDB server; the MariaDB source tests will be skipped" >&2
fi
# docker-compose for the compose-file checks (no daemon needed): installed in CI (root).
if [ "${CI:-}" = "true" ]; then
    bash scripts/compose_deps.sh
fi
# Two workers (pytest-xdist), one test module at a time each: most integration tests wait on
# Airflow and PostgreSQL subprocesses, so two workers keep both cores busy. Each worker has a
# PostgreSQL server and home of its own (tests/conftest.py). An external test server
# (POPSYNC_TEST_DATABASE_URL) is one warehouse for all: then one process runs the suite.
# POPSYNC_TEST_WORKERS=0 runs the suite in one process; later arguments override these.
workers=()
if [ -z "${POPSYNC_TEST_DATABASE_URL:-}" ] && [ "${POPSYNC_TEST_WORKERS:-2}" != "0" ]; then
    workers=(-n "${POPSYNC_TEST_WORKERS:-2}" --dist loadfile)
fi
# DuckDB's bindings report "leaked" objects at interpreter exit (harmless noise after the
# summary line); filter those lines, keep pytest's exit status.
set -o pipefail
.venv/bin/pytest "${workers[@]}" "$@" 2>&1 | grep -v -E '^(nanobind: | - leaked | - \.\.\. skipped remainder|See https://nanobind)'

