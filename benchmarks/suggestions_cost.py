"""Cost of the suggestion search (include/sql/duckdb/suggestions.sql) on synthetic data, in DuckDB.

    python benchmarks/suggestions_cost.py --persons 2000000 --records 1000000 [--before FILE]

Builds a register and a reconciled dataset in one DuckDB session (names drawn from a small
vocabulary, so name blocks collide), then times the classification-free suggestion statements:
the candidate lists and the per-record summary (and, with ``--before``, an older suggestions.sql
that produced the per-record table directly). Medians of ``--rounds`` runs.
"""

import argparse
import statistics
import time
from pathlib import Path

from popsync.db.duck import duckdb_session
from popsync.db.sql_files import read_sql

_SETUP = """
CREATE TABLE register_all AS
SELECT
    lpad(i::VARCHAR, 12, '0') AS national_id,
    CASE WHEN i % 50 = 0 THEN lpad((i % 1000000000)::VARCHAR, 9, '0') END AS former_cmnd,
    ['nguyễn', 'trần', 'lê', 'phạm', 'hoàng', 'huỳnh', 'phan', 'vũ', 'võ', 'đặng', 'bùi', 'đỗ']
        [1 + (hash(i) % 12)::INTEGER]
        || ' ' || ['văn', 'thị', 'hữu', 'đức', 'ngọc', 'minh', 'thanh', 'quốc'][1 + (hash(i + 1) % 8)::INTEGER]
        || ' ' || 'g' || (hash(i + 2) % 400)::VARCHAR AS name_key,
    DATE '1940-01-01' + (hash(i + 3) % 25000)::INTEGER AS birth_date,
    CASE WHEN i % 20 = 0 THEN 'year' ELSE 'day' END AS birth_date_precision,
    CASE WHEN hash(i + 4) % 2 = 0 THEN 'M' ELSE 'F' END AS gender,
    lpad((1 + hash(i + 5) % 96)::VARCHAR, 3, '0') AS residence_province
FROM range($persons) AS persons(i);

CREATE TABLE reconciled AS
SELECT
    CASE WHEN r % 33 = 0 THEN (CASE WHEN r % 2 = 0 THEN '' ELSE lpad((p + 7)::VARCHAR, 12, '9') END)
        ELSE register_all.national_id END AS national_id,
    CASE WHEN r % 33 = 0 THEN (CASE WHEN r % 2 = 0 THEN 'missing' ELSE 'invalid' END) ELSE 'cccd' END AS id_kind,
    register_all.name_key,
    register_all.birth_date,
    'day' AS birth_date_precision,
    register_all.gender,
    r % 33 <> 0 AS is_linked,
    CASE WHEN r % 33 <> 0 THEN register_all.national_id END AS linked_national_id,
    CASE WHEN r % 33 = 0 THEN ['MISSING_ID'] ELSE []::VARCHAR[] END AS reasons,
    true AS birth_date_valid
FROM (SELECT r, (hash(r * 7) % $persons)::BIGINT AS p FROM range($records) AS records(r)) AS picks
JOIN register_all ON register_all.national_id = lpad(picks.p::VARCHAR, 12, '0');
"""


def _time(duck: object, statement: str) -> float:
    started = time.perf_counter()
    duck.execute(statement)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=2_000_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older suggestions.sql to time on the same data")
    args = parser.parse_args()
    search = read_sql("duckdb/suggestions.sql")
    with duckdb_session() as duck:
        setup = _SETUP.replace("$persons", str(args.persons)).replace("$records", str(args.records))
        duck.execute(setup)
        unlinked = duck.execute("SELECT count(*) FROM reconciled WHERE NOT is_linked").fetchone()
        after: list[float] = []
        before: list[float] = []
        for _ in range(args.rounds):
            after.append(
                _time(
                    duck,
                    f"CREATE OR REPLACE TABLE suggestion_candidates AS {search}",
                )
                + _time(duck, f"CREATE OR REPLACE TABLE suggestions AS {read_sql('duckdb/suggestions_per_record.sql')}")
            )
            if args.before:
                before.append(_time(duck, f"CREATE OR REPLACE TABLE old_suggestions AS {args.before.read_text()}"))
        counts = duck.execute(
            "SELECT count(*), count(DISTINCT record_id), count(*) FILTER (WHERE suggested) FROM suggestion_candidates"
        ).fetchone()
    print(f"persons {args.persons:,}, records {args.records:,}, unlinked {unlinked[0] if unlinked else 0:,}")
    if counts:
        print(f"candidates {counts[0]:,} for {counts[1]:,} records; single suggestions {counts[2]:,}")
    runs = ", ".join(f"{t:.2f}" for t in after)
    print(f"after (candidate lists + per record): {runs}; median {statistics.median(after):.2f} s")
    if before:
        runs = ", ".join(f"{t:.2f}" for t in before)
        print(f"before (per record only): {runs}; median {statistics.median(before):.2f} s")


if __name__ == "__main__":
    main()
