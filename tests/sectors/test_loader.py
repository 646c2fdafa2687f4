"""Sector definitions: the shipped ones load; bad ones fail naming the file and the field."""

from pathlib import Path

import pytest

from popsync.sectors import SectorConfigError, load_sector, load_sectors
from popsync.settings import SECTORS_DIR

VALID = """
sector: demo
title: Demo
owner: demo-team
datasets:
  people:
    title: People
    extract_sql: sources/justice/birth_registrations.sql
    columns:
      source_key: so_dang_ky
      national_id: ma_dinh_danh
      full_name: ho_ten
      birth_date: ngay_sinh
      gender: gioi_tinh
    birth_date_formats: [dd/mm/yyyy]
    genders: {M: M, F: F}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sector_definitions_load() -> None:
    sectors = {sector.sector: sector for sector in load_sectors(SECTORS_DIR)}
    assert set(sectors) == {"education", "health_insurance", "justice", "social_insurance"}
    assert [d.name for d in sectors["social_insurance"].datasets] == ["participants", "pensioners"]
    assert sectors["justice"].datasets[0].columns.is_active is None


def test_valid_definition_parses(tmp_path: Path) -> None:
    sector = load_sector(_write(tmp_path, VALID))
    assert sector.conn_id == "popsync_source_demo"
    assert sector.dag_id == "sync_demo"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            ("      gender: gioi_tinh\n", "      gender: gioi_tinh\n      shoe_size: co_giay\n"),
            "datasets.people.columns.shoe_size",
            "Extra",
        ),
        (("  people:\n", "  people-list:\n"), "datasets.people-list.name", "not a valid identifier"),
        (("[dd/mm/yyyy]", "[dd.mm.yyyy]"), "datasets.people.birth_date_formats.0", "Input should be"),
        (
            ("national_id: ma_dinh_danh", "national_id: ma_dinh_danh; DROP TABLE x"),
            "datasets.people.columns.national_id",
            "identifier",
        ),
        (("birth_registrations.sql", "missing.sql"), "datasets.people.extract_sql", "does not exist"),
        (("{M: M, F: F}", "{M: M, F: X}"), "datasets.people.genders.F", "Input should be"),
        (("owner: demo-team\n", ""), "owner", "Field required"),
    ],
)
def test_bad_definition_names_file_and_field(tmp_path: Path, change: tuple[str, str], field: str, message: str) -> None:
    path = _write(tmp_path, VALID.replace(*change))
    with pytest.raises(SectorConfigError) as error:
        load_sector(path)
    text = str(error.value)
    assert str(path) in text
    assert f"field {field}" in text
    assert message in text


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("title: Demo", "title: [Demo"))
    with pytest.raises(SectorConfigError, match=r"demo\.yaml:3: field <file>: invalid YAML.*noticed at line 4"):
        load_sector(path)


def test_duplicate_sector_names_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")
    with pytest.raises(SectorConfigError, match="defined twice"):
        load_sectors(tmp_path)
