"""Bad input never crashes a run and is never dropped: it becomes a mismatch with a reason."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from popsync.db.databases import recreate_database
from popsync.db.sql_files import read_sql
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import publish_stage, reconcile_stage
from popsync.sectors.model import SectorDefinition
from popsync.settings import Settings

DATABASE = "popsync_src_bad_input"
NASTY_ROWS = [
    # (so_dang_ky, ma_dinh_danh, ho_ten, ngay_sinh, gioi_tinh)
    ("k01", None, None, None, None),
    ("k02", "", "", "", ""),
    ("k03", "0" * 5000, "N" * 10_000, "9" * 300, "M" * 200),
    ("k04", "001085012345😀", "Nguyễn 😀 Văn", "😀/01/1990", "😀"),
    ("k05", "001\x01085\x7f012345", "Lê\x02Văn\x1fAn", "01/01/1990\x03", "M\x04"),
    ("k06", "NULL", "NULL", "NULL", "NULL"),
    ("k07", "'; DROP TABLE sync.matches; --", "Robert'); DROP TABLE x;--", "1990-01-01'", "F'"),
    ("k08", "-1", "123", "00/00/0000", "0"),
    ("k09", "001085012345", "Trần Thị Bình", "31/12/9999", "F"),
    ("k10", "  ", "   ", "  ", "  "),
    ("k11", "１２３４５６７８９０１２", "Ｆｕｌｌ ｗｉｄｔｈ", "０１/０１/１９９０", "Ｍ"),
    (None, "001085012345", "no key", "01/01/1990", "M"),
]


@pytest.fixture(scope="module")
def bad_source(server_url: str, settings: Settings) -> Iterator[SectorDefinition]:
    recreate_database(settings, DATABASE)
    with psycopg.connect(settings.database_url_for(DATABASE)) as conn:
        conn.execute(read_sql("sources/justice/schema.sql"))
        conn.execute("ALTER TABLE ho_tich.dang_ky_khai_sinh DROP CONSTRAINT dang_ky_khai_sinh_pkey")
        conn.execute("ALTER TABLE ho_tich.dang_ky_khai_sinh ALTER COLUMN so_dang_ky DROP NOT NULL")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO ho_tich.dang_ky_khai_sinh VALUES (%s, %s, %s, %s, %s, '001', current_date, now())",
                NASTY_ROWS,
            )
    os.environ["AIRFLOW_CONN_POPSYNC_SOURCE_BAD_INPUT"] = settings.database_url_for(DATABASE)
    sector = SectorDefinition.model_validate(
        {
            "sector": "bad_input",
            "title": "Bad input",
            "owner": "tests",
            "datasets": [
                {
                    "name": "records",
                    "title": "Records",
                    "extract_sql": "sources/justice/birth_registrations.sql",
                    "columns": {
                        "source_key": "so_dang_ky",
                        "national_id": "ma_dinh_danh",
                        "full_name": "ho_ten",
                        "birth_date": "ngay_sinh",
                        "gender": "gioi_tinh",
                        "updated_at": "ngay_so_hoa",
                    },
                    "birth_date_formats": ["dd/mm/yyyy", "yyyy"],
                    "genders": {"M": "M", "F": "F"},
                }
            ],
        }
    )
    yield sector
    os.environ.pop("AIRFLOW_CONN_POPSYNC_SOURCE_BAD_INPUT", None)


def test_every_nasty_record_is_accounted_for_with_a_reason(bad_source: SectorDefinition, settings: Settings) -> None:
    run = DatasetRun(bad_source, bad_source.datasets[0], "manual__bad_input", datetime.now(UTC)).with_new_attempt()
    state = reconcile_stage(run, DatasetState())
    reconciled = state.need_reconciled()
    assert reconciled.extracted == reconciled.profile.total == len(NASTY_ROWS)
    assert reconciled.metrics.total == len(NASTY_ROWS)
    assert reconciled.metrics.matched == 0
    assert reconciled.profile.source_keys_present == len(NASTY_ROWS) - 1
    published = publish_stage(run, state).published
    assert published is not None and published.published
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        rows = conn.execute(
            "SELECT source_key, reasons FROM sync.mismatches WHERE sector = 'bad_input' ORDER BY source_key"
        ).fetchall()
        assert conn.execute("SELECT count(*) FROM sync.matches WHERE sector = 'bad_input'").fetchone() == (0,)
        assert conn.execute("SELECT to_regclass('sync.matches') IS NOT NULL").fetchone() == (True,)
    assert len(rows) == len(NASTY_ROWS)
    assert all(reasons for _, reasons in rows)
    by_key = dict(rows)
    assert "MISSING_ID" in by_key["k01"]
    assert "DOB_INVALID" in by_key["k01"]
    assert "INVALID_ID" in by_key["k03"]
    assert "INVALID_ID" in by_key["k07"]
    assert by_key["k09"] == ["DOB_INVALID", "DUPLICATE_ID", "NOT_IN_REFERENCE"] or "DOB_INVALID" in by_key["k09"]
