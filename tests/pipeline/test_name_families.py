"""Each name family through normalise (names_clean) and reconcile (reason), end to end in DuckDB."""

from datetime import date

import pytest

from popsync.domain.legacy_encodings import encode_mojibake
from popsync.domain.name_repairs import encode_cp1258, encode_utf8_misread, encode_viqr
from tests.pipeline.helpers import dataset, normalise_rows, reconcile_rows

NAME = "Nguyễn Thị Lệ Đặng"
PERSON = {
    "national_id": "001185012345",
    "full_name": NAME,
    "birth_date": date(1985, 3, 4),
    "birth_date_precision": "day",
    "gender": "F",
    "residence_province": "001",
}

FAMILIES = [
    # (family, sector name, expected name reason, name_garbled)
    ("genuine", NAME, None, False),
    ("genuine upper", NAME.upper(), None, False),
    ("tcvn3", encode_mojibake(NAME, "tcvn3"), "NAME_ENCODING", True),
    ("tcvn3 upper", encode_mojibake(NAME.upper(), "tcvn3"), "NAME_ENCODING", True),
    ("tcvn3 lower codes", encode_mojibake(NAME.upper(), "tcvn3", lower_codes=True), "NAME_ENCODING", True),
    ("tcvn3 LÖ", "NguyÔn ThÞ LÖ §Æng", "NAME_ENCODING", True),
    ("vni", encode_mojibake(NAME, "vni"), "NAME_ENCODING", True),
    ("viqr", encode_viqr(NAME), "NAME_ENCODING", True),
    ("cp1258 composed", encode_cp1258(NAME, decomposed=False), "NAME_ENCODING", True),
    ("cp1258 decomposed latin-1", encode_cp1258(NAME, decomposed=True, latin1=True), "NAME_ENCODING", True),
    ("utf-8 as cp1252", encode_utf8_misread(NAME), "NAME_ENCODING", True),
    ("utf-8 as latin-1", encode_utf8_misread(NAME, latin1=True), "NAME_ENCODING", True),
    ("utf-8 twice", encode_utf8_misread(NAME, times=2), "NAME_ENCODING", True),
    ("eth for d with stroke", NAME.replace("Đ", "\u00d0"), None, True),
    ("african d", NAME.replace("Đ", "\u0189"), None, True),
    ("cyrillic e", NAME.replace("Thị", "Th\u0456\u0323"), None, True),
    ("no-break space", NAME.replace(" ", "\u00a0"), None, True),
    ("ideographic space", NAME.replace(" ", "\u3000", 1), None, True),
    ("zero-width space", NAME.replace("Lệ", "L\u200bệ"), None, True),
    ("byte order mark", "\ufeff" + NAME, None, True),
    ("soft hyphen", NAME.replace("Nguyễn", "Nguy\u00adễn"), None, True),
    ("no diacritics", "Nguyen Thi Le Dang", "NAME_DIACRITICS", False),
    ("other name", "Nguyễn Thị Lan Đặng", "NAME_MISMATCH", False),
    # misencoded, but its repair is another name than the register's: a mismatch, not an encoding
    ("other name in tcvn3", encode_mojibake("Nguyễn Thị Lan Đặng", "tcvn3"), "NAME_MISMATCH", True),
    ("other name, utf-8 as cp1252", encode_utf8_misread("Nguyễn Thị Lan Đặng"), "NAME_MISMATCH", True),
]


@pytest.mark.parametrize(("family", "name", "reason", "garbled"), FAMILIES, ids=[case[0] for case in FAMILIES])
def test_name_family(family: str, name: str, reason: str | None, garbled: bool) -> None:
    record = {"national_id": PERSON["national_id"], "full_name": name, "birth_date": "04/03/1985", "gender": "Nữ"}
    [normalised] = normalise_rows([record], dataset())
    assert normalised["name_garbled"] is garbled, family
    [row] = reconcile_rows([record], [PERSON], dataset())
    assert row["reasons"] == ([reason] if reason else []), family


def test_one_misencoded_name_is_judged_against_each_persons_name() -> None:
    """Two records carry the same misencoded name (repaired once), linked to two persons: the one
    whose register name the repair gives is NAME_ENCODING, the other NAME_MISMATCH."""
    other = {**PERSON, "national_id": "001185012346", "full_name": "Trần Văn Bình", "gender": "M"}
    garbled = encode_mojibake(NAME, "tcvn3")
    records = [
        {"national_id": PERSON["national_id"], "full_name": garbled, "birth_date": "04/03/1985", "gender": "Nữ"},
        {"national_id": other["national_id"], "full_name": garbled, "birth_date": "04/03/1985", "gender": "Nam"},
    ]
    rows = reconcile_rows(records, [PERSON, other], dataset())
    reasons = {row["national_id"]: row["reasons"] for row in rows}
    assert reasons == {PERSON["national_id"]: ["NAME_ENCODING"], other["national_id"]: ["NAME_MISMATCH"]}
