"""The generator's dataset specs agree with the sector YAML files and the source schemas."""

import re

import pytest

from popsync.db.sql_files import read_sql
from popsync.generate.options import SECTOR_DATASETS
from popsync.generate.spec import DATASET_SPECS, DatasetSpec
from popsync.generate.tables import RENDERERS
from popsync.sectors import load_sectors


def test_sectors_and_datasets_match_the_yaml() -> None:
    assert {sector.sector: tuple(d.name for d in sector.datasets) for sector in load_sectors()} == SECTOR_DATASETS
    assert {(spec.sector, spec.name) for spec in DATASET_SPECS} == {
        (sector, name) for sector, names in SECTOR_DATASETS.items() for name in names
    }
    assert set(RENDERERS) == {spec.name for spec in DATASET_SPECS}
    assert len({spec.stream for spec in DATASET_SPECS}) == len(DATASET_SPECS)


def _table_columns(sector: str, schema: str, table: str) -> list[str]:
    script = read_sql(f"sources/{sector}/schema.sql")
    match = re.search(rf"CREATE TABLE IF NOT EXISTS {schema}\.{table} \((.*?)\n\);", script, re.S)
    assert match is not None
    return [line.split()[0] for line in match.group(1).strip().splitlines() if line.strip()]


@pytest.mark.parametrize("spec", DATASET_SPECS, ids=lambda spec: spec.key)
def test_spec_matches_yaml_and_schema(spec: DatasetSpec) -> None:
    sector = next(item for item in load_sectors() if item.sector == spec.sector)
    dataset = next(item for item in sector.datasets if item.name == spec.name)
    assert set(spec.formats) <= set(dataset.birth_date_formats)
    assert dataset.genders[spec.male] == "M" and dataset.genders[spec.female] == "F"
    mapped = {key.strip().lower() for key in dataset.genders}
    assert all(value.strip().lower() not in mapped for value in spec.unmappable)
    assert (dataset.columns.is_active is not None) == spec.has_active
    assert list(spec.columns) == _table_columns(spec.sector, *spec.table)
    extract = read_sql(dataset.extract_sql)
    assert f"FROM {'.'.join(spec.table)}" in extract
    assert spec.key_column == dataset.columns.source_key
