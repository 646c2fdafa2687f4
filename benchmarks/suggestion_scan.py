"""The suggestion search (include/sql/duckdb/suggestions.sql) against a real register snapshot.

    POPSYNC_HOME=<a benchmark home> python benchmarks/suggestion_scan.py --unlinked 40000 \
        [--variant FILE] [--rounds 5]

The search reads the whole register once per run (per bucket of a split run), whatever the number
of records that do not link: ``reachable`` picks the persons some record can point at. This
harness times that search on the home's register snapshot (``reference/persons.parquet``) for a
sample of records that do not link, made from register persons with their IDs damaged (a digit
mistyped, two digits transposed, an unknown ID, no ID) and names as the register writes them.
With ``--variant`` it times another version of the statement on the same session, in alternating
order, and checks that both give the same candidate lists. Medians of ``--rounds`` runs; the task's
DuckDB limits (``duckdb_session``).
"""

import argparse
import statistics
import time
from pathlib import Path

import duckdb

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.pipeline.reconcile import with_id_variants
from popsync.reference.snapshot import snapshot_path

_RECORDS = """
CREATE TABLE reconciled AS
WITH picked AS (
    SELECT *, hash(national_id) % 4 AS damage
    FROM register_all
    WHERE hash(national_id || 'pick') % $every = 0
    LIMIT $unlinked
)
SELECT
    CASE damage
        WHEN 0 THEN substr(national_id, 1, 11) || ((substr(national_id, 12, 1)::INTEGER + 1) % 10)::VARCHAR
        WHEN 1 THEN substr(national_id, 1, 6) || substr(national_id, 8, 1) || substr(national_id, 7, 1)
            || substr(national_id, 9)
        WHEN 2 THEN '0' || substr(national_id, 2, 2) || '9' || substr(national_id, 5)
        ELSE NULL
    END AS national_id,
    CASE WHEN damage = 3 THEN 'missing' ELSE 'cccd' END AS id_kind,
    name_key,
    name_key AS full_name,
    birth_date,
    birth_date_precision,
    gender,
    false AS is_linked,
    ['NOT_IN_REFERENCE'] AS reasons,
    true AS birth_date_valid
FROM picked
"""


def _time(duck: duckdb.DuckDBPyConnection, statement: str) -> float:
    started = time.perf_counter()
    duck.execute(statement)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path, default=None, help="default: the home's register snapshot")
    parser.add_argument("--unlinked", type=int, default=40_000, help="records that do not link")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", type=Path, help="another suggestions.sql to time side by side")
    args = parser.parse_args()
    snapshot = args.snapshot or snapshot_path()
    statements = {"current": with_id_variants(read_sql("duckdb/suggestions.sql"))}
    if args.variant:
        statements["variant"] = with_id_variants(args.variant.read_text(encoding="utf-8"))
    with duckdb_session() as duck:
        duck.execute(f"CREATE VIEW register_all AS SELECT * FROM read_parquet({sql_string(snapshot)})")
        row = duck.execute("SELECT count(*) FROM register_all").fetchone()
        persons = int(row[0]) if row else 0
        every = max(1, persons // (args.unlinked * 2))
        duck.execute(_RECORDS.replace("$every", str(every)).replace("$unlinked", str(args.unlinked)))
        duck.execute(
            "CREATE TABLE dataset_links AS SELECT national_id, 1 AS records FROM register_all "
            "WHERE hash(national_id) % 10 < 8"
        )
        duck.execute(
            "CREATE TABLE province_successors AS SELECT DISTINCT residence_province AS code, "
            "residence_province AS current_code FROM register_all WHERE residence_province IS NOT NULL"
        )
        seconds: dict[str, list[float]] = {name: [] for name in statements}
        for round_ in range(args.rounds):
            order = list(statements) if round_ % 2 == 0 else list(reversed(statements))
            for name in order:
                seconds[name].append(_time(duck, f"CREATE OR REPLACE TABLE candidates_{name} AS {statements[name]}"))
        counts = duck.execute("SELECT count(*), count(DISTINCT record_id) FROM candidates_current").fetchone()
        if args.variant:
            differ = duck.execute(
                "SELECT count(*) FROM ((SELECT * FROM candidates_current EXCEPT ALL SELECT * FROM candidates_variant) "
                "UNION ALL (SELECT * FROM candidates_variant EXCEPT ALL SELECT * FROM candidates_current))"
            ).fetchone()
            print(f"rows that differ between the two: {differ[0] if differ else '?'}")
    print(f"register {persons:,} persons; records that do not link {args.unlinked:,}")
    if counts:
        print(f"candidates {counts[0]:,} for {counts[1]:,} records")
    for name, runs in seconds.items():
        listed = ", ".join(f"{s:.3f}" for s in runs)
        print(f"{name}: {listed}; median {statistics.median(runs):.3f} s")


if __name__ == "__main__":
    main()
