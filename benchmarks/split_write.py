"""The split of a partitioned run: the plan's one partitioned COPY of every record into bucket files.

    POPSYNC_HOME=<a benchmark home> POPSYNC_DUCKDB_MEMORY_LIMIT=350MB POPSYNC_DUCKDB_THREADS=1 \\
        python benchmarks/split_write.py --buckets 4 --row-groups 122880,16384 [--rounds 3]

Extracts and normalises health_insurance.cards from the home's source once, as the plan does
(``pipeline/plan.py``), then times the plan's ``COPY`` of ``bucket_keys.sql`` partitioned by bucket
with each row-group size of ``--row-groups``, in alternating order, and the read of bucket 0's
files back into a table, as a bucket task reads them. Set the DuckDB limits of a task's session
(above): in a fresh process the session's share is larger than a plan task's. Medians of
``--rounds`` runs.
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.pipeline.reconcile import legacy_ids_query
from popsync.pipeline.register_source import open_register

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.home_cards import cards_run, extract_cards, scratch_folder, session_limits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buckets", type=int, default=4)
    parser.add_argument("--row-groups", default="122880,16384", help="row-group sizes to compare")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(text) for text in args.row_groups.split(",")]
    run = cards_run("split")
    with duckdb_session() as duck:
        limits = session_limits(duck)
        started = time.perf_counter()
        records = extract_cards(duck, run)
        register = open_register(duck)
        duck.execute(f"CREATE TABLE legacy_ids AS {legacy_ids_query(register.relation)}")
        print(f"{records:,} records extracted and normalised in {time.perf_counter() - started:.1f} s")
        keyed = read_sql("duckdb/bucket_keys.sql")
        writes: dict[int, list[float]] = {size: [] for size in sizes}
        reads: dict[int, list[float]] = {size: [] for size in sizes}
        folder = scratch_folder(duck) / "split"
        for round_ in range(args.rounds):
            for size in sizes if round_ % 2 == 0 else list(reversed(sizes)):
                shutil.rmtree(folder, ignore_errors=True)
                started = time.perf_counter()
                duck.execute(
                    f"COPY ({keyed}) TO {sql_string(folder)} "
                    f"(FORMAT parquet, PARTITION_BY (bucket), OVERWRITE_OR_IGNORE, ROW_GROUP_SIZE {size})",
                    {"buckets": args.buckets},
                )
                writes[size].append(time.perf_counter() - started)
                files = "[" + ", ".join(sql_string(path) for path in sorted((folder / "bucket=0").glob("*.parquet")))
                started = time.perf_counter()
                duck.execute(
                    f"CREATE OR REPLACE TABLE bucket_rows AS SELECT * FROM read_parquet({files}], "
                    "hive_partitioning = false)"
                )
                reads[size].append(time.perf_counter() - started)
                duck.execute("DROP TABLE bucket_rows")
        shutil.rmtree(folder, ignore_errors=True)
    print(f"DuckDB memory limit {limits[0]}, threads {limits[1]}; {args.buckets} buckets")
    for size in sizes:
        print(
            f"row groups of {size:,}: write {', '.join(f'{s:.3f}' for s in writes[size])}; "
            f"median {statistics.median(writes[size]):.3f} s; read bucket 0 "
            f"{', '.join(f'{s:.3f}' for s in reads[size])}; median {statistics.median(reads[size]):.3f} s"
        )


if __name__ == "__main__":
    main()
