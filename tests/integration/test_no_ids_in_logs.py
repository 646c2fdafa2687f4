"""No ID number, former CMND number or full name in any log line of a whole job.

Runs ``popsync -v demo`` (set-up, generation, sync_reference and every sector DAG through Airflow,
evaluation) in its own home and on its own embedded server, with popsync and Airflow logging at
INFO, then scans everything the job wrote: the CLI's stdout and stderr (every Python logging
record goes there), the Airflow logs under its AIRFLOW_HOME, and the server's log. The values
searched are read back from the generated register and from every sector dataset.
"""

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from popsync.db.embedded import EmbeddedPostgres, relocated_home
from popsync.db.redact import describe_error
from popsync.db.sql_files import read_sql
from popsync.sectors import load_sectors
from popsync.settings import Settings
from tests.ports import LOG_SCAN_API_PORT

PERSONS = 2_000
SEED = 8
PORT = int(os.environ.get("POPSYNC_TEST_LOGSCAN_PORT", str(int(os.environ["POPSYNC_EMBEDDED_PORT"]) + 2)))
API_PORT = LOG_SCAN_API_PORT
"""The demo's Airflow API port: its own (tests/ports.py; log servers +10000/+10001), never the default
8080, where another popsync on the machine may be serving (its API would answer this job's calls)."""
_DIGIT_RUN = re.compile(r"\d+")
_SEPARATED_DIGITS = re.compile(r"\d+(?:[ .\-/]\d+)+")
_WORD = re.compile(r"\w+")
_MAX_NAME_WORDS = 8


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True)
class Secrets:
    """What must never be logged: ID numbers (digits only) and full names (as word tuples)."""

    ids: frozenset[str]
    names: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, ids: Iterable[str | None], names: Iterable[str | None]) -> "Secrets":
        digits = {re.sub(r"\D", "", value) for value in ids if value}
        words = {tuple(_words(name)) for name in names if name}
        return cls(
            frozenset(value for value in digits if len(value) >= 9),
            frozenset(name for name in words if 2 <= len(name) <= _MAX_NAME_WORDS),
        )


@dataclass(frozen=True)
class Leak:
    source: str
    line_number: int
    kind: str


def scan(source: str, lines: Iterable[str], secrets: Secrets) -> list[Leak]:
    """Every line of ``lines`` that holds a secret (reported by place and kind, never by value)."""
    leaks = []
    for number, line in enumerate(lines, start=1):
        runs = set(_DIGIT_RUN.findall(line))
        runs |= {re.sub(r"\D", "", match) for match in _SEPARATED_DIGITS.findall(line)}
        if runs & secrets.ids:
            leaks.append(Leak(source, number, "id"))
        words = _words(line)
        grams = {
            tuple(words[start : start + size])
            for size in range(2, _MAX_NAME_WORDS + 1)
            for start in range(len(words) - size + 1)
        }
        if grams & secrets.names:
            leaks.append(Leak(source, number, "name"))
    return leaks


def test_the_scanner_finds_planted_values() -> None:
    secrets = Secrets.of(["001085012345", "123456789", "12"], ["Nguyễn Văn An", "An"])
    assert secrets.ids == {"001085012345", "123456789"} and secrets.names == {("nguyễn", "văn", "an")}
    lines = [
        "extract of health_insurance.cards: 40 rows",
        "bad record 001.085.012345 in row 3",
        "legacy 123456789",
        "NGUYỄN  VĂN AN was here",
        "Nguye\u0302\u0303n Va\u0306n An (decomposed)",
        "run 20261201123456789 at 2026-12-01 01:23:45",
        "source key BH-0001 (masked id 0010******45)",
    ]
    assert [(leak.line_number, leak.kind) for leak in scan("t", lines, secrets)] == [
        (2, "id"),
        (3, "id"),
        (4, "name"),
        (5, "name"),
    ]


@dataclass(frozen=True)
class JobLogs:
    files: dict[str, list[str]]
    secrets: Secrets


def _read_secrets(settings: Settings, server_url: str) -> Secrets:
    ids: list[str | None] = []
    names: list[str | None] = []
    with psycopg.connect(f"{server_url}/popsync_register") as register:
        for national_id, cmnd, full_name in register.execute(
            "SELECT national_id, former_cmnd, full_name FROM dan_cu.persons"
        ):
            ids += [national_id, cmnd]
            names.append(full_name)
    for sector in load_sectors():
        with psycopg.connect(f"{server_url}/popsync_src_{sector.sector}") as source:
            for dataset in sector.datasets:
                columns = dataset.columns
                cursor = source.execute(read_sql(dataset.extract_sql).encode())
                header = [column.name for column in cursor.description or []]
                id_at, name_at = header.index(columns.national_id), header.index(columns.full_name)
                for row in cursor:
                    ids.append(None if row[id_at] is None else str(row[id_at]))
                    names.append(None if row[name_at] is None else str(row[name_at]))
    return Secrets.of(ids, names)


@pytest.fixture(scope="module")
def job_logs(settings: Settings) -> Iterator[JobLogs]:
    if os.environ.get("POPSYNC_DATABASE_URL"):
        pytest.skip("runs the whole job on an embedded server of its own")
    home = settings.home / "logscan"
    server = EmbeddedPostgres(home / "pgdata", PORT)
    _remove(server, home)  # fresh logs: only this job's lines
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW_", "POPSYNC_"))}
    env.update(
        {
            "POPSYNC_HOME": str(home),
            "POPSYNC_EMBEDDED_PORT": str(PORT),
            "POPSYNC_API_PORT": str(API_PORT),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }
    )
    cli = Path(sys.executable).with_name("popsync")
    try:
        completed = subprocess.run(
            [str(cli), "-v", "demo", "--persons", str(PERSONS), "--seed", str(SEED)],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-4000:]
        assert "all reason codes at precision = recall = 1.000" in completed.stdout
        secrets = _read_secrets(settings, server.url)
    finally:
        server.stop()
    files = {"cli stdout": completed.stdout.splitlines(), "cli stderr": completed.stderr.splitlines()}
    files["server.log"] = server.server_log.read_text(encoding="utf-8", errors="replace").splitlines()
    for path in sorted((home / "airflow").rglob("*")):
        if path.is_file() and (path.suffix == ".log" or "logs" in path.relative_to(home).parts):
            files[str(path.relative_to(home))] = path.read_text(encoding="utf-8", errors="replace").splitlines()
    yield JobLogs(files, secrets)
    _remove(server, home)


def _remove(server: EmbeddedPostgres, home: Path) -> None:
    server.stop()
    if os.geteuid() == 0:
        shutil.rmtree(relocated_home(server.data_dir), ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def test_database_errors_about_a_record_are_described_without_its_values(server_url: str) -> None:
    with psycopg.connect(f"{server_url}/postgres") as conn:
        conn.execute("CREATE TEMPORARY TABLE cards (national_id text UNIQUE, full_name text)")
        conn.execute("INSERT INTO cards VALUES ('001085012345', 'Nguyễn Văn An')")
        with pytest.raises(psycopg.errors.UniqueViolation) as duplicate:
            conn.execute("INSERT INTO cards VALUES ('001085012345', 'Nguyễn Văn An')")
        conn.rollback()
        with pytest.raises(psycopg.errors.InvalidDatetimeFormat) as bad_date:
            conn.execute("SELECT 'Nguyễn Văn An 001085012345'::date")
    assert "001085012345" in str(duplicate.value) and "Nguyễn" in str(bad_date.value)  # the raw messages hold them
    for caught in (duplicate.value, bad_date.value):
        described = describe_error(caught)
        assert "001085012345" not in described and "Nguyễn" not in described, described
        assert "SQLSTATE" in described


def test_no_id_or_name_in_any_log_line_of_the_whole_job(job_logs: JobLogs) -> None:
    secrets = job_logs.secrets
    assert len(secrets.ids) > PERSONS and len(secrets.names) > PERSONS // 2  # the register and the sectors' values
    lines = sum(len(lines) for lines in job_logs.files.values())
    assert lines > 100 and job_logs.files["cli stderr"], job_logs.files.keys()  # INFO records were written
    # The tasks run through the scheduler: their records are in Airflow's task logs (scanned too).
    task_lines = [
        line for content in job_logs.files.values() for line in content if "reconciled" in line and "records," in line
    ]
    assert len(task_lines) >= 6  # the tasks' own records (every dataset's reconcile) are among the lines scanned
    leaks = [leak for source, content in job_logs.files.items() for leak in scan(source, content, secrets)]
    searched = f"{len(secrets.ids)} ID numbers, {len(secrets.names)} names"
    print(f"log scan: {lines} lines in {len(job_logs.files)} logs; {searched}")
    assert leaks == [], leaks[:20]
