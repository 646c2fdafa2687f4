"""Expectation Suites from the sector YAML, in GX's own format (no PostgreSQL)."""

import argparse
import json

import great_expectations as gx
import pytest
from great_expectations.expectations.registry import get_expectation_impl

from popsync.cli.quality import run_quality
from popsync.quality.suites import GX_SEVERITY, dataset_suite
from popsync.sectors import load_sectors
from popsync.sectors.gx_catalog import CATALOG_FILE, installed_catalog
from popsync.sectors.model import QualityRules

DATASETS = [(sector, dataset) for sector in load_sectors() for dataset in sector.datasets]


@pytest.mark.parametrize("sector, dataset", DATASETS, ids=[f"{s.sector}.{d.name}" for s, d in DATASETS])
def test_every_dataset_suite_is_a_suite_gx_accepts(sector: object, dataset: object) -> None:
    suite_json = dataset_suite(sector, dataset)  # type: ignore[arg-type]
    suite = gx.ExpectationSuite(**suite_json)
    assert suite.name == f"{sector.sector}.{dataset.name}"  # type: ignore[attr-defined]
    for item in suite_json["expectations"]:
        cls = get_expectation_impl(item["type"])
        built = cls(**item["kwargs"], meta=item["meta"], severity=item["severity"])
        popsync = built.meta["popsync"]
        assert popsync["severity"] in ("fail", "review", "warn")
        assert built.severity.value == GX_SEVERITY[popsync["severity"]]
    assert json.loads(json.dumps(suite.to_json_dict()))["name"] == suite.name


def test_builtin_checks_keep_their_names_thresholds_and_severities() -> None:
    education = next(sector for sector in load_sectors() if sector.sector == "education")
    suite = dataset_suite(education, education.datasets[1])
    by_check = {item["meta"]["popsync"]["check"]: item for item in suite["expectations"]}
    rules = QualityRules()
    assert by_check["id_well_formed"]["type"] == "expect_column_min_to_be_between"
    assert by_check["id_well_formed"]["kwargs"] == {"column": "share_ids_well_formed", "min_value": 0.8}
    assert by_check["names_clean"]["kwargs"] == {"column": "share_names_garbled", "max_value": 0.05}
    assert by_check["sync_rate_drop"]["meta"]["popsync"]["severity"] == rules.sync_rate_drop.severity == "review"
    assert by_check["sync_rate_drop"]["severity"] == "warning"
    assert by_check["extract_fresh"]["kwargs"]["max_value"] == rules.extract_fresh.max_days
    assert by_check["teacher_code_format"]["type"] == "expect_column_values_to_match_regex"
    assert by_check["teacher_code_format"]["meta"]["popsync"]["data"] == "extract"


def test_checked_in_catalog_matches_the_installed_great_expectations() -> None:
    """After a GX upgrade: ``popsync quality catalog --write`` and commit the file."""
    assert json.loads(CATALOG_FILE.read_text(encoding="utf-8")) == installed_catalog()


def test_cli_prints_the_suite(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(quality_action="suite", sector="education", dataset="teachers")
    assert run_quality(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["name"] == "education.teachers"
    assert gx.ExpectationSuite(**printed).name == "education.teachers"
    with pytest.raises(ValueError, match="unknown dataset 'nobody'"):
        run_quality(argparse.Namespace(quality_action="suite", sector="education", dataset="nobody"))
