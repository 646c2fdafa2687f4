"""The 34 provinces of today and the 63 former ones (DOMAIN.md)."""

from datetime import date

from popsync.domain.provinces import PROVINCES
from popsync.domain.provinces_now import (
    CURRENT_OF,
    CURRENT_PROVINCES,
    MERGER_DATE,
    SUCCESSORS,
    current_province,
    province_rows,
)


def test_every_former_province_has_one_successor_and_a_current_code_maps_to_itself() -> None:
    assert len(CURRENT_PROVINCES) == 34 and set(SUCCESSORS) == set(CURRENT_PROVINCES)
    assert set(CURRENT_OF) == set(PROVINCES) and len(CURRENT_OF) == 63
    assert all(CURRENT_OF[code] == code for code in CURRENT_PROVINCES)  # either code table, same province
    unchanged = [code for code, formers in SUCCESSORS.items() if formers.split() == [code]]
    assert len(unchanged) == 11


def test_merged_provinces_from_domain_facts() -> None:
    assert current_province("030") == "031"  # Hải Dương is in Hải Phòng
    assert current_province("015") == "015" and CURRENT_PROVINCES["015"] == "Lào Cai"  # seat of the former Yên Bái
    assert current_province("010") == "015"
    assert sorted(SUCCESSORS["079"].split()) == ["074", "077", "079"]
    assert CURRENT_PROVINCES["046"] == "Huế" and PROVINCES["046"] == "Thừa Thiên Huế"
    assert current_province("099") is None and current_province(None) is None


def test_reference_rows_carry_validity_dates() -> None:
    rows = province_rows()
    assert len(rows) == 97
    former = [row for row in rows if row.code_set == "former"]
    current = [row for row in rows if row.code_set == "current"]
    assert len(former) == 63 and all(row.valid_to == date(2025, 6, 30) and row.valid_from is None for row in former)
    assert len(current) == 34 and all(row.valid_from == MERGER_DATE and row.current_code == row.code for row in current)
