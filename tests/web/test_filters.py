"""Workbench filter parsing: validation, SQL parameters, what reaches URLs and the audit trail."""

import pytest

from popsync.domain.provinces_now import province_rows
from popsync.web.filters import Cursor, FilterError, parse_filter
from popsync.web.province_reference import ProvinceReference, reference_of_rows

SECTORS = ("education", "health_insurance", "justice", "social_insurance")
# the rows reference.provinces is filled from (the app reads them back from the warehouse)
REFERENCE: ProvinceReference = reference_of_rows(
    [(row.code, row.code_set, row.name, row.current_code) for row in province_rows()]
)


def test_a_full_filter() -> None:
    criteria = parse_filter(
        {
            "sector": ["justice"],
            "dataset": ["birth_registrations"],
            "reason": ["NAME_MISMATCH", "DECEASED", ""],
            "reason_mode": ["all"],
            "province": ["001"],
            "min_age_days": ["3"],
            "max_age_days": ["30"],
            "status": ["new"],
            "verdict": ["none"],
        },
        known_sectors=SECTORS,
        search=" 001 099.012-345 ",
    )
    params = criteria.sql_params(
        SECTORS, after=Cursor("justice", "birth_registrations", "k1"), limit=51, provinces=REFERENCE
    )
    assert params["sectors"] == ["justice"]
    assert params["reasons"] == ["DECEASED", "NAME_MISMATCH"] and params["all_reasons"] is True
    assert params["search"] == "001 099.012-345" and params["search_id"] == "001099012345"
    assert (params["after_sector"], params["after_key"], params["limit"]) == ("justice", "k1", 51)
    assert ("q", "001 099.012-345") not in criteria.query_items()
    assert all("001099" not in value for _, value in criteria.query_items())
    assert criteria.audit_detail()["search"] is True
    assert "001099" not in str(criteria.audit_detail())


def test_no_filter_covers_every_visible_sector() -> None:
    criteria = parse_filter({}, known_sectors=SECTORS)
    params = criteria.sql_params(["education", "justice"], after=None, limit=None, provinces=REFERENCE)
    assert params["sectors"] == ["education", "justice"]
    assert params["reasons"] is None and params["search"] is None and params["limit"] is None
    assert params["province_members"] is None


def test_a_current_province_covers_its_own_code_and_its_former_provinces() -> None:
    criteria = parse_filter({"current_province": ["031"]}, known_sectors=SECTORS)
    params = criteria.sql_params(SECTORS, after=None, limit=None, provinces=REFERENCE)
    assert params["province_members"] == ["030", "031"]  # Hải Dương (former) and Hải Phòng
    assert ("current_province", "031") in criteria.query_items()
    assert criteria.audit_detail()["current_province"] == "031"
    three = parse_filter({"current_province": ["037"]}, known_sectors=SECTORS)
    assert three.province_members(REFERENCE) == ["035", "036", "037"]  # Hà Nam, Nam Định, Ninh Bình


def test_a_former_province_code_is_no_current_province() -> None:
    """030 Hải Dương exists only in the former table: filtering by it as a current province is refused."""
    criteria = parse_filter({"current_province": ["030"]}, known_sectors=SECTORS)
    with pytest.raises(FilterError, match="unknown current province"):
        criteria.sql_params(SECTORS, after=None, limit=None, provinces=REFERENCE)
    assert REFERENCE.current_of("030") == "031" and REFERENCE.current_of("999") is None
    assert len(REFERENCE.current) == 34 and len(REFERENCE.former) == 63


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sector": ["tax"]}, "unknown sector"),
        ({"sector": ["justice", "education"]}, "more than once"),
        ({"dataset": ["Cards;"]}, "lower-case identifier"),
        ({"reason": ["SPOOKY"]}, "unknown reason"),
        ({"reason_mode": ["some"]}, "reason_mode"),
        ({"province": ["003"]}, "unknown province"),
        ({"current_province": ["31"]}, "three-digit"),
        ({"current_province": ["031", "001"]}, "more than once"),
        ({"status": ["closed"]}, "status"),
        ({"verdict": ["maybe"]}, "verdict"),
        ({"min_age_days": ["x"]}, "whole number"),
        ({"min_age_days": ["5"], "max_age_days": ["1"]}, "larger"),
    ],
)
def test_bad_values_are_named(params: dict[str, list[str]], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        parse_filter(params, known_sectors=SECTORS)


def test_a_long_search_term_is_refused() -> None:
    with pytest.raises(FilterError, match="longer than"):
        parse_filter({}, known_sectors=SECTORS, search="9" * 65)


def test_the_reference_groups_former_provinces_under_their_current_province() -> None:
    """What the provinces page shows beside a current province and in its drill-down."""
    assert len(REFERENCE.current_codes) == 34 and len(REFERENCE.former_names) == 63
    assert REFERENCE.formers_of("015") == ("010", "015")  # Lào Cai: the former Lào Cai and Yên Bái
    assert REFERENCE.former_names["015"] == "Yên Bái" and REFERENCE.current_name("015") == "Lào Cai"
    assert REFERENCE.formers_of("001") == ("001",) and REFERENCE.formers_of("030") == ()
    assert sum(len(REFERENCE.formers_of(code)) for code in REFERENCE.current_codes) == 63
