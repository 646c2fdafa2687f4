"""A sector whose source is a delivered CSV file (Windows-1258, dated name), through the real pipeline.

The file is found by its dated pattern, read once, reconciled and published like a database
source; its name and SHA-256 are recorded in ``sync.source_files``. A malformed file stops the
run naming file:row:column, and nothing of it is published.
"""

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from popsync.pipeline.extract import ExtractError
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import publish_stage, quality_gate_stage, reconcile_stage
from popsync.sectors.model import SectorDefinition
from popsync.settings import Settings
from tests.integration.sector_cleanup import forget_sector
from tests.sources.file_samples import COLUMNS, HEADER, cp1258, csv_text

pytestmark = pytest.mark.integration
SECTOR = "provincial_files"
LOGICAL = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def _sector(folder: Path) -> SectorDefinition:
    return SectorDefinition.model_validate(
        {
            "sector": SECTOR,
            "title": "Provincial files",
            "owner": "tests",
            "datasets": [
                {
                    "name": "cards",
                    "title": "Cards",
                    "source": {"kind": "file", "path": f"{folder}/the_bhyt_{{ds_nodash}}.csv", "encoding": "auto",
                               "timezone": "Asia/Ho_Chi_Minh"},
                    "columns": COLUMNS,
                    "birth_date_formats": ["dd/mm/yyyy"],
                    "genders": {"1": "M", "2": "F"},
                }
            ],
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def persons(first_runs: object, settings: Settings) -> Iterator[list[tuple[str, str, date, str]]]:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        chosen = conn.execute(
            "SELECT national_id, full_name, birth_date, gender FROM reference.persons "
            "WHERE birth_date_precision = 'day' AND NOT is_deceased AND full_name ~ '[^\\x01-\\x7e]' "
            "ORDER BY national_id DESC LIMIT 50"
        ).fetchall()
    yield chosen
    forget_sector(settings, SECTOR)
    with psycopg.connect(settings.database_url_for("popsync_warehouse"), autocommit=True) as conn:
        conn.execute("DELETE FROM sync.source_files WHERE sector = %s", (SECTOR,))


def _rows(persons: list[tuple[str, str, date, str]]) -> list[list[str]]:
    return [
        [f"TB-{n:04d}", national_id, full_name, birth.strftime("%d/%m/%Y"), "1" if gender == "M" else "2", "1",
         "2026-11-20 08:00:00"]
        for n, (national_id, full_name, birth, gender) in enumerate(persons)
    ]  # fmt: skip


def _run(folder: Path, name: str) -> DatasetRun:
    definition = _sector(folder)
    return DatasetRun(definition, definition.datasets[0], name, LOGICAL).with_new_attempt()


def test_a_windows_1258_file_is_reconciled_published_and_recorded(
    persons: list[tuple[str, str, date, str]], settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "the_bhyt_20261121.csv"
    path.write_bytes(cp1258(csv_text(_rows(persons))))
    run = _run(tmp_path, "manual__files")
    state = reconcile_stage(run, DatasetState())
    assert state.need_reconciled().extracted == len(persons)
    quality_gate_stage(run, state)
    published = publish_stage(run, state).published
    assert published is not None and published.published
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        matched = conn.execute("SELECT count(*) FROM sync.matches WHERE sector = %s", (SECTOR,)).fetchone()
        recorded = conn.execute(
            "SELECT file_name, sha256, size_bytes, row_count, encoding FROM sync.source_files "
            "WHERE sector = %s AND run_id = %s",
            (SECTOR, "manual__files"),
        ).fetchall()
    assert matched is not None and matched[0] == len(persons)  # names decoded and composed (NFC)
    assert recorded == [(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size,
                         len(persons), "cp1258")]  # fmt: skip


def test_a_malformed_file_stops_the_run_and_nothing_is_published(
    persons: list[tuple[str, str, date, str]], settings: Settings, tmp_path: Path
) -> None:
    rows = _rows(persons)
    rows[10] = rows[10][:4]  # a ragged row, line 12 of the file
    (tmp_path / "the_bhyt_20261121.csv").write_text(csv_text(rows), encoding="utf-8")
    run = _run(tmp_path, "manual__files_broken")
    with pytest.raises(ExtractError, match=r"the_bhyt_20261121.csv:12:5: ragged row: 4 fields where the header has 7"):
        reconcile_stage(run, DatasetState())
    (tmp_path / "the_bhyt_20261121.csv").write_text(csv_text(_rows(persons), header=[*HEADER[:-1], "x"]))
    with pytest.raises(ExtractError, match=r"the_bhyt_20261121.csv:1:8: missing column ngay_cap_nhat"):
        reconcile_stage(run, DatasetState())
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        published = conn.execute("SELECT run_id FROM sync.published_runs WHERE sector = %s", (SECTOR,)).fetchall()
        recorded = conn.execute(
            "SELECT count(*) FROM sync.source_files WHERE run_id = 'manual__files_broken'"
        ).fetchone()
    assert ("manual__files_broken",) not in published and recorded == (0,)
