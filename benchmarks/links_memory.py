"""The dataset's links of an incremental run under a task's DuckDB share (round 12, 10M).

    /work/bin/heavy .venv/bin/python benchmarks/links_memory.py STATE_FOLDER QUERY [LIMIT]

STATE_FOLDER: a kept state whose base is in parts (``records-part*.parquet``, a split full run's).
The session holds what an incremental run's holds at that step: the carried state as a table, a
sample of it as the records classified again (153,394 rows, as in the 10M run), 1,196,906 previous
mismatches; one thread, the memory limit LIMIT (default 456MB, the 10M run's share). QUERY:
``union_group_by`` (one GROUP BY over the UNION ALL of both sides: the statement until round 12),
``window`` (a count over a window partitioned by ID), ``two_group_bys`` (each side counted on its
own, then added: ``incremental/dataset_links.sql`` since round 12). Prints ok or the error, seconds.
"""

import sys
import tempfile
import time
from pathlib import Path

import duckdb

QUERIES = {
    "union_group_by": "SELECT national_id, count(*) AS records FROM links GROUP BY national_id",
    "window": "SELECT national_id, records FROM (SELECT national_id, count(*) OVER (PARTITION BY national_id) "
    "AS records, row_number() OVER (PARTITION BY national_id) AS n FROM links) WHERE n = 1",
    "two_group_bys": "WITH carried AS (SELECT linked_national_id AS national_id, count(*) AS records "
    "FROM carried_state WHERE is_linked GROUP BY 1), classified AS (SELECT linked_national_id AS national_id, "
    "count(*) AS records FROM reconciled WHERE is_linked GROUP BY 1) SELECT coalesce(carried.national_id, "
    "classified.national_id) AS national_id, coalesce(carried.records, 0) + coalesce(classified.records, 0) "
    "AS records FROM carried FULL JOIN classified ON classified.national_id = carried.national_id",
}


def main() -> int:
    state, which = Path(sys.argv[1]), sys.argv[2]
    limit = sys.argv[3] if len(sys.argv) > 3 else "456MB"
    with tempfile.TemporaryDirectory(dir=state.parent) as scratch:
        con = duckdb.connect(":memory:")
        con.execute(f"SET memory_limit = '{limit}'")
        con.execute("SET threads = 1")
        con.execute(f"SET temp_directory = '{scratch}/spill'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TABLE carried_state AS SELECT * FROM read_parquet('{state}/records-part*.parquet')")
        con.execute("CREATE TABLE reconciled AS SELECT * FROM carried_state USING SAMPLE 153394 ROWS")
        con.execute(
            "CREATE TABLE previous_mismatches AS SELECT source_key, now() AS first_seen "
            "FROM carried_state USING SAMPLE 1196906 ROWS"
        )
        con.execute(
            "CREATE VIEW links AS SELECT linked_national_id AS national_id FROM reconciled WHERE is_linked "
            "UNION ALL SELECT linked_national_id FROM carried_state WHERE is_linked"
        )
        started = time.perf_counter()
        try:
            con.execute(f"COPY ({QUERIES[which]}) TO '{scratch}/links.parquet' (FORMAT parquet)")
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{scratch}/links.parquet')").fetchall()[0][0]
            print(f"{which} {limit}: ok, {time.perf_counter() - started:.2f} s, {rows} persons")
        except duckdb.OutOfMemoryException as exc:
            print(f"{which} {limit}: FAILED after {time.perf_counter() - started:.2f} s: {str(exc).splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
