"""The register comparison of an incremental run (include/sql/duckdb/incremental/register_changes.sql).

    POPSYNC_HOME=<a benchmark home> python benchmarks/register_changes.py --changed 0.001 \
        [--variant FILE] [--rounds 5]

An incremental run compares the register its baseline kept with the current snapshot: every
person of both, to find the few whose version changed. This harness times that comparison on the
home's register snapshot (``reference/persons.parquet``) as the current register, against a
"previous" register made from it in the session's scratch folder, with ``--changed`` of its
persons changed: a residence province moved (half of them), a person not yet registered (a
quarter: new in the current one) and a person since removed (a quarter: another ID). With
``--variant`` it times another version of the statement in the same session, in alternating
order, and checks that both find the same rows. Medians of ``--rounds`` runs; the task's DuckDB
limits (``duckdb_session``).
"""

import argparse
import statistics
import time
from pathlib import Path

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.reference.snapshot import snapshot_path

_PREVIOUS = """
COPY (
    WITH picked AS (
        SELECT *, hash(national_id || 'changed') % 4 AS change
        FROM read_parquet($current)
        WHERE hash(national_id || 'changed') % $every = 0
    ),

    previous_rows AS (
        SELECT * EXCLUDE (person_hash) FROM read_parquet($current)
        WHERE hash(national_id || 'changed') % $every <> 0
        UNION ALL BY NAME
        SELECT * EXCLUDE (person_hash, change) REPLACE ('001' AS residence_province) FROM picked WHERE change < 2
        UNION ALL BY NAME
        SELECT * EXCLUDE (person_hash, change) REPLACE ('9' || substr(national_id, 2) AS national_id)
        FROM picked WHERE change = 3
    )

    SELECT *, person_hash(
        national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender, residence_province,
        is_deceased, date_of_death, name_key
    ) AS person_hash
    FROM previous_rows
) TO $previous (FORMAT parquet)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path, default=None, help="default: the home's register snapshot")
    parser.add_argument("--changed", type=float, default=0.001, help="share of the persons changed")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", type=Path, help="another register_changes.sql to time side by side")
    args = parser.parse_args()
    snapshot = args.snapshot or snapshot_path()
    shipped = read_sql("duckdb/incremental/register_changes.sql")
    statements = {"current": shipped}
    if args.variant:
        statements["variant"] = args.variant.read_text(encoding="utf-8")
    with duckdb_session() as duck:
        scratch = Path(str(duck.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])).parent
        previous = scratch / "previous_register.parquet"
        every = max(1, round(1 / args.changed))
        made = _PREVIOUS.replace("$current", sql_string(snapshot)).replace("$previous", sql_string(previous))
        duck.execute(made.replace("$every", str(every)))
        duck.execute(f"CREATE VIEW previous_register AS SELECT * FROM read_parquet({sql_string(previous)})")
        duck.execute(f"CREATE VIEW current_register AS SELECT * FROM read_parquet({sql_string(snapshot)})")
        row = duck.execute("SELECT count(*) FROM current_register").fetchone()
        persons = int(row[0]) if row else 0
        seconds: dict[str, list[float]] = {name: [] for name in statements}
        for round_ in range(args.rounds):
            order = list(statements) if round_ % 2 == 0 else list(reversed(statements))
            for name in order:
                statement = statements[name].replace("persons_source", "current_register")
                started = time.perf_counter()
                duck.execute(f"CREATE OR REPLACE TABLE changes_{name} AS {statement}")
                seconds[name].append(time.perf_counter() - started)
        found = duck.execute("SELECT count(*), count(DISTINCT national_id) FROM changes_current").fetchone()
        if args.variant:
            differ = duck.execute(
                "SELECT count(*) FROM ((SELECT * FROM changes_current EXCEPT ALL SELECT * FROM changes_variant) "
                "UNION ALL (SELECT * FROM changes_variant EXCEPT ALL SELECT * FROM changes_current))"
            ).fetchone()
            print(f"rows that differ between the two: {differ[0] if differ else '?'}")
    print(f"register {persons:,} persons; one in {every:,} changed")
    if found:
        print(f"rows found {found[0]:,} ({found[1]:,} IDs)")
    for name, runs in seconds.items():
        listed = ", ".join(f"{s:.3f}" for s in runs)
        print(f"{name}: {listed}; median {statistics.median(runs):.3f} s")


if __name__ == "__main__":
    main()
