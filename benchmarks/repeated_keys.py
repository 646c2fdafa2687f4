"""The two statements that look for source keys held by several records, on a real state.

    POPSYNC_HOME=<a benchmark home> python benchmarks/repeated_keys.py --state FOLDER \
        [--variant-sql DIR] [--rounds 5]

Every run profiles its records for the gate (``include/sql/duckdb/profile.sql``: how many records
share a key), and an incremental run that reads keys and hashes joins them with its state
(``include/sql/duckdb/incremental/keyed_rows.sql``: a repeated key is read again). Both count
every record's key. This harness times them on the records of an incremental state folder
(``<home>/work/state/<sector>__<dataset>/<state>``: its ``records-*.parquet``, every record of a
run with its key and hash) as the previous state, and with ``--repeated`` of its keys held twice
as the current records and the source's keys and hashes. With
``--variant-sql`` (an ``include/sql`` folder of another checkout) it times that checkout's version
of both statements in the same session, in alternating order, and checks that they give the same
results. Medians of ``--rounds`` runs; the task's DuckDB limits (``duckdb_session``).
"""

import argparse
import sys
import time
from pathlib import Path

from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.side_by_side import print_medians, rows_that_differ

PROFILE = "duckdb/profile.sql"
KEYED_ROWS = "duckdb/incremental/keyed_rows.sql"
PROFILE_ROWS = "duckdb/incremental/profile_rows.sql"


def _statements(read: "Reader") -> dict[str, str]:
    return {
        "profile": read(PROFILE).replace("__profile_rows__", read(PROFILE_ROWS)),
        "keyed_rows": read(KEYED_ROWS),
    }


class Reader:
    """Reads the SQL files of one ``include/sql`` folder (None: the shipped one)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def __call__(self, name: str) -> str:
        if self.folder is None:
            return read_sql(name)
        return (self.folder / name).read_text(encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, required=True, help="an incremental state folder")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeated", type=float, default=0.001, help="share of the keys held twice")
    parser.add_argument("--variant-sql", type=Path, help="another checkout's include/sql folder")
    args = parser.parse_args()
    versions = {"shipped": _statements(Reader(None))}
    if args.variant_sql:
        versions["variant"] = _statements(Reader(args.variant_sql))
    files = sorted(args.state.glob("records-*.parquet"))
    if not files:
        raise SystemExit(f"no records-*.parquet in {args.state}")
    listed = "[" + ", ".join(sql_string(path) for path in files) + "]"
    with duckdb_session() as duck:
        duck.execute(f"CREATE TABLE current_records AS SELECT * EXCLUDE (state_layer) FROM read_parquet({listed})")
        duck.execute("CREATE TABLE previous_state AS SELECT * FROM current_records")
        if args.repeated > 0:  # some keys held twice now: both statements must find them
            every = max(1, round(1 / args.repeated))
            duck.execute(
                f"INSERT INTO current_records SELECT * FROM previous_state WHERE hash(source_key) % {every} = 0"
            )
        duck.execute("CREATE TABLE source_rows AS SELECT source_key, row_hash FROM current_records")
        row = duck.execute("SELECT count(*), count(DISTINCT source_key) FROM current_records").fetchone()
        records, keys = (int(row[0]), int(row[1])) if row else (0, 0)
        seconds: dict[str, list[float]] = {
            f"{statement} {version}": [] for version in versions for statement in versions[version]
        }
        profiles: dict[str, object] = {}
        for round_ in range(args.rounds):
            order = list(versions) if round_ % 2 == 0 else list(reversed(versions))
            for version in order:
                started = time.perf_counter()
                profiles[version] = duck.execute(versions[version]["profile"]).fetchall()
                seconds[f"profile {version}"].append(time.perf_counter() - started)
                started = time.perf_counter()
                duck.execute(
                    f"CREATE OR REPLACE TABLE keyed_{version} AS {versions[version]['keyed_rows']}",
                    {"repeats_before": False},
                )
                seconds[f"keyed_rows {version}"].append(time.perf_counter() - started)
        if args.variant_sql:
            print(f"keyed_rows rows that differ: {rows_that_differ(duck, 'keyed_shipped', 'keyed_variant')}")
            print(f"profiles equal: {profiles['shipped'] == profiles['variant']}")
    print(f"records {records:,}; distinct keys {keys:,}; state {args.state.name}")
    print_medians(seconds)


if __name__ == "__main__":
    main()
