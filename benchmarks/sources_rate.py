"""Streaming rate of the non-PostgreSQL sources into the pipeline's extract step.

Measures what the reconcile stage does first: the source's reader streams staging batches into
the worker's DuckDB (``store_arrow``, as ``normalise_stream`` does). Each measurement runs in a
fresh process, which reports its peak resident memory (VmHWM).

    python -m benchmarks.sources_rate --rows 1000000 --repeat 3 --out benchmarks/results/sources-rate.md

MariaDB: a private server (the test suite's) with a 1M-row table in that system's conventions.
CSV: the same rows in each encoding a province delivers (UTF-8, UTF-8 with BOM, UTF-16 as Excel
writes it, Windows-1258, TCVN3).
"""

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROWS_PER_INSERT = 5_000
ENCODINGS = ("utf-8", "utf-8-bom", "utf-16-excel", "cp1258", "tcvn3")
NAMES = ("Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Phạm Mỹ Duyên", "Lê Quang Khải", "Hoàng Thị Thu Hương")


def _row(n: int) -> tuple[str, str, str, date, int, int, datetime]:
    return (f"HN-{n:09d}", f"0{n % 96 + 1:02d}09{n:07d}"[:12], NAMES[n % len(NAMES)], date(1950 + n % 60, 1 + n % 12,
            1 + n % 28), 1 + n % 2, n % 3 != 0, datetime(2026, 1, 1) + timedelta(seconds=n))  # fmt: skip


def _measure(kind: str, target: str, extra: str) -> dict[str, float]:
    """One measurement in a fresh process: seconds, rows, VmHWM."""
    code = f"""
import json, time
from pathlib import Path
from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.sql_files import read_sql
from popsync.sources.sqlalchemy_reader import database_reader
from popsync.sources.files import file_reader
from popsync.sources.locate import SourceFile
from tests.sources.file_samples import COLUMNS, file_source
with duckdb_session() as duck:
    started = time.perf_counter()
    if {kind!r} == "mariadb":
        with database_reader({target!r}, read_sql("sources/examples/mariadb_cards.sql"), COLUMNS) as reader:
            store_arrow(duck, "raw_extract", reader)
    else:
        path = Path({target!r})
        files, read = [SourceFile(str(path), lambda: path.open("rb"))], []
        with file_reader(files, file_source(str(path)), COLUMNS, read) as reader:
            store_arrow(duck, "raw_extract", reader)
        assert read[0].encoding == {extra!r} or {extra!r} == "", (read[0].encoding, {extra!r})
    seconds = time.perf_counter() - started
    rows = duck.execute("SELECT count(*) FROM raw_extract").fetchone()[0]
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"seconds": seconds, "rows": rows, "vmhwm_mb": hwm / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _summary(label: str, runs: list[dict[str, float]]) -> str:
    seconds = statistics.median(run["seconds"] for run in runs)
    rows = runs[0]["rows"]
    hwm = max(run["vmhwm_mb"] for run in runs)
    each = ", ".join(f"{run['seconds']:.2f}" for run in runs)
    return f"| {label} | {rows:,.0f} | {seconds:.2f} ({each}) | {rows / seconds:,.0f} | {hwm:,.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--skip-mariadb", action="store_true")
    args = parser.parse_args()
    from tests.sources.file_samples import HEADER, csv_text, encoded
    from tests.sources.mariadb_server import mariadb_server

    with open("/proc/loadavg") as load:
        loadavg = load.read().strip()
    lines = [
        f"# Source streaming rates ({args.rows:,} rows, median of {args.repeat})",
        "",
        f"Load average at start: `{loadavg}`; {datetime.now().isoformat(timespec='seconds')}.",
        "Each run: a fresh process streams the source into the worker's DuckDB (the extract step).",
        "",
        "| source | rows | seconds (runs) | rows/s | VmHWM MB |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="popsync-sources-bench-") as work:
        rows = [_row(n) for n in range(args.rows)]
        text_rows = [[k, i, name, b.strftime("%d/%m/%Y"), str(g), "1" if a else "0", u.isoformat(sep=" ")]
                     for k, i, name, b, g, a, u in rows]  # fmt: skip
        for encoding in ENCODINGS:
            path = Path(work) / f"cards-{encoding}.csv"
            delimiter = "\t" if encoding == "utf-16-excel" else ","
            path.write_bytes(encoded(csv_text(text_rows, delimiter, HEADER), encoding))
            detected = {"utf-8-bom": "utf-8-sig", "utf-16-excel": "utf-16"}.get(encoding, encoding)
            runs = [_measure("csv", str(path), detected) for _ in range(args.repeat)]
            lines.append(_summary(f"CSV {encoding} ({path.stat().st_size / 1e6:.0f} MB)", runs))
            print(lines[-1], flush=True)
            path.unlink()
        del text_rows
        if not args.skip_mariadb:
            with mariadb_server() as server:
                from popsync.db.sql_files import read_sql

                with server.connect() as conn, conn.cursor() as cursor:
                    cursor.execute("CREATE DATABASE bench CHARACTER SET latin1")
                    cursor.execute("USE bench")
                    cursor.execute(read_sql("sources/examples/mariadb_schema.sql"))
                    started = time.perf_counter()
                    for first in range(0, len(rows), ROWS_PER_INSERT):
                        cursor.executemany(
                            "INSERT INTO the_bhyt_tinh VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            rows[first : first + ROWS_PER_INSERT],
                        )
                    print(f"loaded MariaDB in {time.perf_counter() - started:.1f} s", flush=True)
                for driver in ("mysqldb", "pymysql"):
                    if driver == "mysqldb" and importlib.util.find_spec("MySQLdb") is None:
                        lines.append("| MariaDB via mysqlclient | not installed (`uv sync --extra mysql`) | | | |")
                        continue
                    url = server.url("bench").replace("+pymysql", f"+{driver}")
                    runs = [_measure("mariadb", url, "") for _ in range(args.repeat)]
                    name = {"mysqldb": "mysqlclient", "pymysql": "pymysql"}[driver]
                    lines.append(_summary(f"MariaDB 10.11, SQLAlchemy + {name}, server-side cursor", runs))
                    print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
