"""Benchmark peer: the reconciliation a data engineer would write by hand in SQL.

The inputs are moved into the warehouse with ``COPY`` (the card table from the sector
database, the register from the register database: different servers in production), then
one ``INSERT ... SELECT`` (``include/sql/benchmark/peer_sql_reconcile.sql``) LEFT JOINs the
cards with the register on the normalised ID and writes the mismatched cards with the reason
codes SQL can express to ``bench_peers.sql_mismatches``, a published table. Timed from the
first byte read at the source to the committed rows; moving the data is included.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from common import REGISTER_SQL, SECTOR_SQL, Stopwatch, emit, log, parse_args

SQL_DIR = Path(__file__).resolve().parents[2] / "include" / "sql" / "benchmark"


def move(source_url: str, query: str, warehouse: psycopg.Connection[tuple[object, ...]], table: str) -> int:
    """Stream ``query``'s rows from the source database into ``table`` of the warehouse (COPY to COPY)."""
    with (
        psycopg.connect(source_url) as source,
        source.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as out,
        warehouse.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as into,
    ):
        for chunk in out:
            into.write(chunk)
    row = warehouse.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(str(row[0])) if row else 0


def main() -> None:
    """Move, reconcile in one statement, commit; print the JSON result."""
    args = parse_args(__doc__ or "")
    watch = Stopwatch()
    with psycopg.connect(args.warehouse_url) as warehouse:
        warehouse.execute((SQL_DIR / "peer_sql_tables.sql").read_text(encoding="utf-8"))
        with watch.phase("read"):
            register_rows = move(args.register_url, REGISTER_SQL, warehouse, "bench_peers.sql_register")
            sector_rows = move(args.source_url, SECTOR_SQL, warehouse, "bench_peers.sql_cards")
            warehouse.execute("ANALYZE bench_peers.sql_register; ANALYZE bench_peers.sql_cards")
        log(f"moved {register_rows} register rows, {sector_rows} sector rows")
        with watch.phase("compare"):
            mismatches = warehouse.execute((SQL_DIR / "peer_sql_reconcile.sql").read_text(encoding="utf-8")).rowcount
        with watch.phase("write"):
            warehouse.commit()
    log(f"{mismatches} mismatched records")
    emit("sql", sector_rows, register_rows, mismatches, watch)


if __name__ == "__main__":
    main()
