"""The classification statement of a run (include/sql/duckdb/reconcile.sql) on a home's real data.

    POPSYNC_HOME=<a benchmark home> POPSYNC_DUCKDB_MEMORY_LIMIT=450MB POPSYNC_DUCKDB_THREADS=1 \\
        python benchmarks/classify_statement.py [--variant FILE] [--rounds 5]

Extracts and normalises health_insurance.cards from the home's source once and loads the register
persons they can link to, as an unsplit run does (``pipeline/reconcile.py``), then times the
statement that makes ``reconciled`` (``reconciled.sql`` around ``reconcile.sql``). With ``--variant``
(another ``reconcile.sql``) it times both in the same session, in alternating order, and checks
that they classify every record the same. Set the DuckDB limits of a task's session (above): in a
fresh process the session's share is larger than a task's. Medians of ``--rounds`` runs.
"""

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from popsync.db.duck import duckdb_session
from popsync.db.sql_files import read_sql
from popsync.pipeline.reconcile import legacy_ids_query, load_register
from popsync.pipeline.register_source import open_register

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.home_cards import cards_run, extract_cards, session_limits
from benchmarks.side_by_side import print_medians, rows_that_differ, time_alternating


def _statement(reconcile_sql: str, logical_date: datetime) -> str:
    """reconciled.sql around ``reconcile_sql``, with the run's parameters as literals."""
    text = read_sql("duckdb/reconciled.sql").replace("__reconcile_sql__", reconcile_sql)
    literals = {
        "$checks_deceased": "true",
        "$checks_death": "false",
        "$logical_date": f"TIMESTAMPTZ '{logical_date.isoformat()}'",
    }
    for name, literal in literals.items():
        text = text.replace(name, literal)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", type=Path, help="another reconcile.sql to time side by side")
    args = parser.parse_args()
    run = cards_run("classify")
    statements = {"current": _statement(read_sql("duckdb/reconcile.sql"), run.logical_date)}
    if args.variant:
        statements["variant"] = _statement(args.variant.read_text(encoding="utf-8"), run.logical_date)
    with duckdb_session() as duck:
        limits = session_limits(duck)
        started = time.perf_counter()
        records = extract_cards(duck, run)
        register = open_register(duck)
        load_register(duck, register.relation)
        duck.execute(f"CREATE TABLE legacy_ids AS {legacy_ids_query('register')}")
        duck.execute("CREATE TABLE previous_mismatches (source_key VARCHAR, first_seen TIMESTAMPTZ)")
        loaded = time.perf_counter() - started
        print(f"{records:,} records extracted and normalised, their persons loaded, in {loaded:.1f} s")
        seconds = time_alternating(duck, statements, args.rounds, "reconciled")
        if args.variant:
            differ = rows_that_differ(duck, "reconciled_current", "reconciled_variant")
            print(f"rows that differ between the two: {differ}")
    print(f"DuckDB memory limit {limits[0]}, threads {limits[1]}")
    print_medians(seconds)


if __name__ == "__main__":
    main()
