"""Role names of per-sector access (no PostgreSQL)."""

import pytest

from popsync.db.access import AUDITOR_ROLE, PIPELINE_ROLE, sector_role


def test_sector_role_names() -> None:
    assert sector_role("health_insurance") == "popsync_sector_health_insurance"
    assert (AUDITOR_ROLE, PIPELINE_ROLE) == ("popsync_auditor", "popsync_pipeline")


@pytest.mark.parametrize("bad", ["", "Health", "a-b", "x; DROP ROLE postgres", "a" * 49, "1abc"])
def test_sector_role_refuses_unsafe_names(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid"):
        sector_role(bad)
