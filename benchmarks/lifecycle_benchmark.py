"""Benchmark the mismatch-lifecycle update (``popsync.review.lifecycle.apply_run``) at scale.

    .venv/bin/python benchmarks/lifecycle_benchmark.py --sizes 100000,1000000 --repeats 3

For each size N it builds synthetic run tables (N mismatched keys), then times, ``--repeats``
times each on a fresh lifecycle: the first run (N new rows), a second run (10% resolved as
fixed, 10% new, a seventh with other reasons, the rest still open), a re-run of that second
date, and a quiet day (a third date: 0.5% resolved, 0.5% new, 0.2% with other reasons, the
rest unchanged, as a daily run mostly is). ``--out`` also writes the figures as JSON. Everything happens in
a transaction that is rolled back (then the table is vacuumed). Uses the embedded server (or ``POPSYNC_DATABASE_URL``);
export ``POPSYNC_EMBEDDED_PORT`` first. Prints medians.
"""

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

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
        "ARRAY['NAME_MISMATCH'] AS reasons FROM generate_series(1, %s::int) AS i",
        (n,),
    )
    conn.execute(
        "CREATE TEMP TABLE run2_mismatches AS SELECT 'K' || lpad(i::text, 9, '0') AS source_key, "
        "CASE WHEN i %% 7 = 0 THEN ARRAY['DOB_MISMATCH'] ELSE ARRAY['NAME_MISMATCH'] END AS reasons "
        "FROM generate_series(%s::int, %s::int) AS i",
        (tenth + 1, n + tenth),
    )
    conn.execute(
        "CREATE TEMP TABLE run3_mismatches AS SELECT source_key, CASE WHEN i %% 500 = 1 THEN ARRAY['GENDER_MISMATCH'] "
        "ELSE reasons END AS reasons FROM (SELECT source_key, reasons, substr(source_key, 2)::int AS i "
        "FROM run2_mismatches) AS run2 WHERE i %% 200 <> 0 "
        "UNION ALL SELECT 'K' || lpad(i::text, 9, '0'), ARRAY['NAME_MISMATCH'] "
        "FROM generate_series(%s::int, %s::int) AS i",
        (n + tenth + 1, n + tenth + n // 200),
    )
    conn.execute(
        "CREATE TEMP TABLE run3_matches AS SELECT source_key FROM run2_mismatches "
        "WHERE substr(source_key, 2)::int % 200 = 0"
    )
    conn.execute("CREATE TEMP TABLE run1_matches (source_key text)")
    conn.execute(
        "CREATE TEMP TABLE run2_matches AS SELECT 'K' || lpad(i::text, 9, '0') AS source_key "
        "FROM generate_series(1, %s::int) AS i",
        (tenth,),
    )
    conn.execute(
        "ANALYZE run1_mismatches; ANALYZE run2_mismatches; ANALYZE run2_matches; "
        "ANALYZE run3_mismatches; ANALYZE run3_matches"
    )
    row = conn.execute("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()").fetchone()
    assert row is not None
    return str(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the medians here (JSON)")
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"load average at start: {' '.join(load)}")
    results: list[dict[str, object]] = []
    settings = get_settings()
    ensure_server(settings)
    ensure_database(settings, WAREHOUSE_DATABASE)
    dates = [datetime(2031, 1, day, tzinfo=UTC) for day in (1, 2, 3)]
    labels = ("first", "next", "rerun", "quiet")
    print(
        "| mismatched keys | first run (all new) | next run (10% resolved, 10% new) | re-run of that date "
        "| quiet day (1% changed) |"
    )
    print("|---|---|---|---|---|")
    for n in (int(size) for size in args.sizes.split(",")):
        timings: dict[str, list[float]] = {label: [] for label in labels}
        with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE)) as conn:
            ensure_warehouse_schema(conn)
            schema = _tables(conn, n)
            runs = [
                RunTables(
                    SECTOR, "d", f"run{k}", dates[k - 1], (schema, f"run{k}_matches"), (schema, f"run{k}_mismatches")
                )
                for k in (1, 2, 3)
            ]
            conn.commit()  # keep the temporary run tables for the session
            for _ in range(args.repeats):
                for label, run in zip(labels, (runs[0], runs[1], runs[1], runs[2]), strict=True):
                    started = time.perf_counter()
                    apply_run(conn, run)
                    timings[label].append(time.perf_counter() - started)
                conn.rollback()
                conn.autocommit = True
                conn.execute("VACUUM sync.mismatch_lifecycle")
                conn.autocommit = False
        medians = {label: statistics.median(timings[label]) for label in labels}
        print(f"| {n:,} | " + " | ".join(f"{medians[label]:.2f} s" for label in labels) + " |")
        results.append({"mismatched_keys": n, "median_seconds": medians, "runs_seconds": timings})
    if args.out is not None:
        document = {"load_average_at_start": load, "repeats": args.repeats, "sizes": results}
        args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
