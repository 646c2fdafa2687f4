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
import sys
from pathlib import Path

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.reference.snapshot import snapshot_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.home_cards import scratch_folder
from benchmarks.side_by_side import add_statement_arguments, print_medians, rows_that_differ, time_alternating

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
    parser.add_argument("--changed", type=float, default=0.001, help="share of the persons changed")
    add_statement_arguments(parser, "register_changes.sql")
    args = parser.parse_args()
    snapshot = args.snapshot or snapshot_path()
    shipped = read_sql("duckdb/incremental/register_changes.sql")
    statements = {"current": shipped}
    if args.variant:
        statements["variant"] = args.variant.read_text(encoding="utf-8")
    with duckdb_session() as duck:
        previous = scratch_folder(duck) / "previous_register.parquet"
        every = max(1, round(1 / args.changed))
        made = _PREVIOUS.replace("$current", sql_string(snapshot)).replace("$previous", sql_string(previous))
        duck.execute(made.replace("$every", str(every)))
        duck.execute(f"CREATE VIEW previous_register AS SELECT * FROM read_parquet({sql_string(previous)})")
        duck.execute(f"CREATE VIEW current_register AS SELECT * FROM read_parquet({sql_string(snapshot)})")
        row = duck.execute("SELECT count(*) FROM current_register").fetchone()
        persons = int(row[0]) if row else 0
        current = {name: text.replace("persons_source", "current_register") for name, text in statements.items()}
        seconds = time_alternating(duck, current, args.rounds, "changes")
        found = duck.execute("SELECT count(*), count(DISTINCT national_id) FROM changes_current").fetchone()
        if args.variant:
            print(f"rows that differ between the two: {rows_that_differ(duck, 'changes_current', 'changes_variant')}")
    print(f"register {persons:,} persons; one in {every:,} changed")
    if found:
        print(f"rows found {found[0]:,} ({found[1]:,} IDs)")
    print_medians(seconds)


if __name__ == "__main__":
    main()
