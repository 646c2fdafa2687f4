"""Benchmark the mismatch-lifecycle update (``popsync.review.lifecycle.apply_run``) at scale.

    .venv/bin/python benchmarks/lifecycle_benchmark.py --sizes 100000,1000000 --repeats 3

For each size N it builds synthetic run tables (N mismatched keys), then times, ``--repeats``
times each on a fresh lifecycle: the first run (N new rows), a second run (10% resolved as
fixed, 10% new, the rest still open) and a re-run of that second date. Everything happens in
a transaction that is rolled back (then the table is vacuumed). Uses the embedded server (or ``POPSYNC_DATABASE_URL``);
export ``POPSYNC_EMBEDDED_PORT`` first. Prints medians.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime

import psycopg

from popsync.db.databases import ensure_database, ensure_server
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.review.lifecycle import RunTables, apply_run
from popsync.settings import WAREHOUSE_DATABASE, get_settings

SECTOR = "bench_lifecycle"


def _tables(conn: psycopg.Connection[tuple[object, ...]], n: int) -> str:
    tenth = n // 10
    conn.execute(
        "CREATE TEMP TABLE run1_mismatches AS SELECT 'K' || lpad(i::text, 9, '0') AS source_key, "
        "ARRAY['NAME_MISMATCH'] AS reasons FROM generate_series(1, %s) AS i",
        (n,),
    )
    conn.execute(
        "CREATE TEMP TABLE run2_mismatches AS SELECT 'K' || lpad(i::text, 9, '0') AS source_key, "
        "CASE WHEN i %% 7 = 0 THEN ARRAY['DOB_MISMATCH'] ELSE ARRAY['NAME_MISMATCH'] END AS reasons "
        "FROM generate_series(%s, %s) AS i",
        (tenth + 1, n + tenth),
    )
    conn.execute("CREATE TEMP TABLE run1_matches (source_key text)")
    conn.execute(
        "CREATE TEMP TABLE run2_matches AS SELECT 'K' || lpad(i::text, 9, '0') AS source_key "
        "FROM generate_series(1, %s) AS i",
        (tenth,),
    )
    conn.execute("ANALYZE run1_mismatches; ANALYZE run2_mismatches; ANALYZE run2_matches")
    row = conn.execute("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()").fetchone()
    assert row is not None
    return str(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    ensure_server(settings)
    ensure_database(settings, WAREHOUSE_DATABASE)
    dates = [datetime(2031, 1, day, tzinfo=UTC) for day in (1, 2)]
    print("| mismatched keys | first run (all new) | next run (10% resolved, 10% new) | re-run of that date |")
    print("|---|---|---|---|")
    for n in (int(size) for size in args.sizes.split(",")):
        timings: dict[str, list[float]] = {"first": [], "next": [], "rerun": []}
        with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE)) as conn:
            ensure_warehouse_schema(conn)
            schema = _tables(conn, n)
            runs = [
                RunTables(
                    SECTOR, "d", f"run{k}", dates[k - 1], (schema, f"run{k}_matches"), (schema, f"run{k}_mismatches")
                )
                for k in (1, 2)
            ]
            conn.commit()  # keep the temporary run tables for the session
            for _ in range(args.repeats):
                for label, run in (("first", runs[0]), ("next", runs[1]), ("rerun", runs[1])):
                    started = time.perf_counter()
                    apply_run(conn, run)
                    timings[label].append(time.perf_counter() - started)
                conn.rollback()
                conn.autocommit = True
                conn.execute("VACUUM sync.mismatch_lifecycle")
                conn.autocommit = False
        medians = [f"{statistics.median(timings[label]):.2f} s" for label in ("first", "next", "rerun")]
        print(f"| {n:,} | " + " | ".join(medians) + " |")


if __name__ == "__main__":
    main()
