"""The death-registration cross-checks (DEATH_NOT_IN_REGISTER, DEATH_DATE_MISMATCH) in reconcile.sql."""

import json
from typing import Any

from tests.pipeline.helpers import dataset, reconcile_rows
from tests.pipeline.test_reconcile_rules import DUC, FORMATS, HOA, REGISTER

DUC_ROW = {"national_id": DUC["national_id"], "full_name": "Lê Văn Đức", "birth_date": "06/05/1950", "gender": "Nam"}
HOA_ROW = {
    "national_id": HOA["national_id"],
    "full_name": "Nguyễn Văn Hòa",
    "birth_date": "04/03/1985",
    "gender": "Nam",
}


def _reconcile(rows: list[dict[str, Any]], checks_death: bool = True) -> list[dict[str, Any]]:
    return reconcile_rows(rows, REGISTER, dataset(FORMATS), checks_deceased=False, checks_death=checks_death)


def test_a_registered_death_the_register_also_records_matches() -> None:
    [row] = _reconcile([{**DUC_ROW, "death_date": DUC["date_of_death"].isoformat(), "is_active": None}])
    assert row["reasons"] == []


def test_a_registered_death_of_a_person_alive_in_the_register() -> None:
    [row] = _reconcile([{**HOA_ROW, "death_date": "2025-02-03", "is_active": None}])
    assert row["reasons"] == ["DEATH_NOT_IN_REGISTER"]
    death = json.loads(row["details"])["death"]
    assert (death["sector"], death["register"]) == ("2025-02-03", "alive")
    assert death["rule"].startswith("DEATH_NOT_IN_REGISTER")


def test_a_date_of_death_that_differs_from_the_register() -> None:
    rows = _reconcile(
        [
            {**DUC_ROW, "death_date": "2024-01-09", "is_active": None},
            {**DUC_ROW, "death_date": None, "is_active": None},
        ]
    )
    assert [row["reasons"] for row in rows] == [["DEATH_DATE_MISMATCH", "DUPLICATE_ID"]] * 2
    dates = json.loads(rows[0]["details"])["date_of_death"]
    assert (dates["sector"], dates["register"]) == ("2024-01-09", "2024-01-01")


def test_the_same_records_in_a_dataset_without_death_dates_have_no_death_reason() -> None:
    [row] = _reconcile([{**HOA_ROW, "death_date": "2025-02-03", "is_active": None}], checks_death=False)
    assert row["reasons"] == []


def test_a_legacy_id_links_and_is_cross_checked() -> None:
    [row] = _reconcile([{**HOA_ROW, "national_id": HOA["former_cmnd"], "death_date": "2025-02-03"}])
    assert row["reasons"] == ["DEATH_NOT_IN_REGISTER", "LEGACY_ID"]
