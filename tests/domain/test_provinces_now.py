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


# DOMAIN.md, "The 34 provinces since 1 July 2025", transcribed: new name = former provinces.
DOMAIN_MERGED = {
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bình Dương", "Bà Rịa-Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "An Giang": ("An Giang", "Kiên Giang"),
}
DOMAIN_UNCHANGED = {"Hà Nội": "Hà Nội", "Huế": "Thừa Thiên Huế", "Lai Châu": "Lai Châu", "Điện Biên": "Điện Biên"}
DOMAIN_UNCHANGED |= {name: name for name in ("Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh")}
DOMAIN_UNCHANGED["Cao Bằng"] = "Cao Bằng"
# The 34 provinces' two-digit codes in a public administrative-unit dataset updated for Resolution
# 202/2025/QH15 (thanglequoc/vietnamese-provinces-database, postgres_ImportData_vn_units.sql).
PUBLISHED_CODES = [
    "01",
    "04",
    "08",
    "11",
    "12",
    "14",
    "15",
    "19",
    "20",
    "22",
    "24",
    "25",
    "31",
    "33",
    "37",
    "38",
    "40",
    "42",
    "44",
    "46",
    "48",
    "51",
    "52",
    "56",
    "66",
    "68",
    "75",
    "79",
    "80",
    "82",
    "86",
    "91",
    "92",
    "96",
]


def test_the_provinces_of_today_are_domain_md_s_list() -> None:
    code_of = {name: code for code, name in PROVINCES.items()}
    assert len(DOMAIN_MERGED) == 23 and len(DOMAIN_UNCHANGED) == 11
    by_name = {name: code for code, name in CURRENT_PROVINCES.items()}
    assert set(by_name) == set(DOMAIN_MERGED) | set(DOMAIN_UNCHANGED)
    for name, formers in DOMAIN_MERGED.items():
        codes = sorted(code_of[former] for former in formers)
        assert sorted(SUCCESSORS[by_name[name]].split()) == codes, name
        assert by_name[name] in codes  # the code of one of its former provinces (its seat's)
    for name, former in DOMAIN_UNCHANGED.items():
        assert SUCCESSORS[by_name[name]].split() == [code_of[former]] == [by_name[name]], name


def test_the_current_codes_are_the_published_ones() -> None:
    assert sorted(CURRENT_PROVINCES) == sorted(f"0{code}" for code in PUBLISHED_CODES)
