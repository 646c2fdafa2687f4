"""Two versions of one DuckDB statement timed side by side in one session (the statement
benchmarks: suggestion_scan.py, register_changes.py)."""

import argparse
import statistics
import time
from pathlib import Path

import duckdb


def time_alternating(
    duck: duckdb.DuckDBPyConnection, statements: dict[str, str], rounds: int, prefix: str
) -> dict[str, list[float]]:
    """Run each statement ``rounds`` times as ``CREATE OR REPLACE TABLE <prefix>_<name> AS …``, the
    order reversed every other round; return the seconds of each run by name."""
    seconds: dict[str, list[float]] = {name: [] for name in statements}
    for round_ in range(rounds):
        order = list(statements) if round_ % 2 == 0 else list(reversed(statements))
        for name in order:
            started = time.perf_counter()
            duck.execute(f"CREATE OR REPLACE TABLE {prefix}_{name} AS {statements[name]}")
            seconds[name].append(time.perf_counter() - started)
    return seconds


def rows_that_differ(duck: duckdb.DuckDBPyConnection, first: str, second: str) -> int:
    """Rows of either table that the other does not hold as often (0: the same rows)."""
    row = duck.execute(
        f"SELECT count(*) FROM ((SELECT * FROM {first} EXCEPT ALL SELECT * FROM {second}) "
        f"UNION ALL (SELECT * FROM {second} EXCEPT ALL SELECT * FROM {first}))"
    ).fetchone()
    return -1 if row is None else int(row[0])


def print_medians(seconds: dict[str, list[float]]) -> None:
    for name, runs in seconds.items():
        listed = ", ".join(f"{s:.3f}" for s in runs)
        print(f"{name}: {listed}; median {statistics.median(runs):.3f} s")


def add_statement_arguments(parser: argparse.ArgumentParser, statement: str) -> None:
    """The options every statement benchmark takes: the snapshot, the rounds, the variant."""
    parser.add_argument("--snapshot", type=Path, default=None, help="default: the home's register snapshot")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", type=Path, help=f"another {statement} to time side by side")
