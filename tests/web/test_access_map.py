"""The users/roles → sectors mapping of the web app."""

import json
from pathlib import Path

import pytest

from popsync.web.sector_access import AccessConfigError, load_access

SECTORS = ("education", "health_insurance", "justice", "social_insurance")


def test_default_only_admins_see_every_sector() -> None:
    access = load_access(SECTORS, "")
    assert access.sectors_for("anyone", ["Admin"], SECTORS) == SECTORS
    assert access.sectors_for("anyone", ["VIEWER"], SECTORS) == ()


def test_users_and_roles_add_up_in_sector_order() -> None:
    mapping = {"users": {"lan": ["justice"]}, "roles": {"viewer": ["education", "justice"]}}
    access = load_access(SECTORS, json.dumps(mapping))
    assert access.sectors_for("lan", ["VIEWER"], SECTORS) == ("education", "justice")
    assert access.sectors_for("lan", [], SECTORS) == ("justice",)
    assert access.sectors_for("minh", ["Viewer"], SECTORS) == ("education", "justice")


def test_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text("users:\n  bhyt: health_insurance\nroles:\n  OP: ['*']\n", encoding="utf-8")
    access = load_access(SECTORS, str(path))
    assert access.sectors_for("bhyt", [], SECTORS) == ("health_insurance",)
    assert access.sectors_for("x", ["op"], SECTORS) == SECTORS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"users": {"a": ["tax"]}}', "unknown sector(s) tax"),
        ('{"people": {}}', "unknown key(s) people"),
        ('{"roles": {"ADMIN": [1]}}', "must be a list of sector names"),
        ('{"roles": ', "cannot parse"),
        ("/no/such/file.yaml", "neither JSON nor an existing file"),
    ],
)
def test_bad_mappings_are_named(value: str, message: str) -> None:
    with pytest.raises(AccessConfigError, match="POPSYNC_UI_SECTOR_ACCESS") as error:
        load_access(SECTORS, value)
    assert message in str(error.value)
