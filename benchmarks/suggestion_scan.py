"""The suggestion search (include/sql/duckdb/suggestions.sql) against a real register snapshot.

    POPSYNC_HOME=<a benchmark home> python benchmarks/suggestion_scan.py --unlinked 40000 \
        [--variant FILE] [--rounds 5]

The search reads the whole register once per run (per bucket of a split run), whatever the number
of records that do not link: ``reachable`` picks the persons of the records' name blocks. This
harness times that search on the home's register snapshot (``reference/persons.parquet``) for a
sample of records that do not link, made from register persons with their IDs damaged (a digit
mistyped, two digits transposed, an unknown ID, no ID) and names as the register writes them.
With ``--variant`` it times another version of the statement on the same session, in alternating
order, and checks that both give the same candidate lists. Medians of ``--rounds`` runs; the task's
DuckDB limits (``duckdb_session``).
"""

import argparse
import sys
from pathlib import Path

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.reference.snapshot import snapshot_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.side_by_side import add_statement_arguments, print_medians, rows_that_differ, time_alternating

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unlinked", type=int, default=40_000, help="records that do not link")
    add_statement_arguments(parser, "suggestions.sql")
    args = parser.parse_args()
    snapshot = args.snapshot or snapshot_path()
    statements = {"current": read_sql("duckdb/suggestions.sql")}
    if args.variant:
        statements["variant"] = args.variant.read_text(encoding="utf-8")
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
        seconds = time_alternating(duck, statements, args.rounds, "candidates")
        counts = duck.execute("SELECT count(*), count(DISTINCT record_id) FROM candidates_current").fetchone()
        if args.variant:
            differ = rows_that_differ(duck, "candidates_current", "candidates_variant")
            print(f"rows that differ between the two: {differ}")
    print(f"register {persons:,} persons; records that do not link {args.unlinked:,}")
    if counts:
        print(f"candidates {counts[0]:,} for {counts[1]:,} records")
    print_medians(seconds)


if __name__ == "__main__":
    main()
